from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import include, path
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from applications.views import applicant as applicant_views
from cohorts import views as cohort_views
from config.api import api
from core import views as core_views


def admin_login(request, extra_context=None):
    """The Django admin never shows its own password form: everyone signs in through allauth,
    with its rate limits and two-factor step."""
    if request.user.is_authenticated:
        raise PermissionDenied
    next_url = request.GET.get("next") or "/admin/"
    return redirect(f"{settings.LOGIN_URL_PATH}?{urlencode({'next': next_url})}")


# The Django admin is for platform admins (active superusers) only.
admin.site.login = admin_login
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser
admin.site.site_header = _("Cohortline administration")
admin.site.site_title = _("Cohortline admin")

# 503 "back shortly" when the database or Redis is down; a reference on every error page.
handler500 = "core.error_pages.server_error"

urlpatterns = [
    path("", cohort_views.landing, name="landing"),
    path("dashboard/", applicant_views.dashboard, name="dashboard"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("profile/", include("accounts.urls")),
    path("notifications/", include("notifications.urls")),
    # Each part of the programme mounts its own pages, with their full paths.
    path("", include("programmes.urls")),
    path("", include("cohorts.urls")),
    path("", include("applications.urls")),
    path("", include("exports.urls")),
    path("", include("privacy.urls")),
    path("", include("reviews.urls")),
    path("", include("selection.urls")),
    path("", include("compute.urls")),
    path("", include("mentoring.urls")),
    path("", include("courses.urls")),
    path("", include("certificates.urls")),
    path("", include("dashboards.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
