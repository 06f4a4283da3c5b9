from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from cohorts import views as cohort_views
from core import views as core_views

# The Django admin is for platform admins only, and signs in through allauth so that the
# same rate limits and MFA apply.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser
admin.site.site_header = "Cohortline administration"
admin.site.site_title = "Cohortline admin"

urlpatterns = [
    path("", cohort_views.landing, name="landing"),
    path("dashboard/", cohort_views.dashboard, name="dashboard"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("profile/", include("accounts.urls")),
    path("programmes/", include("cohorts.urls")),
    path("notifications/", include("notifications.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
