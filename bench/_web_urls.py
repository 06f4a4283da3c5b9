"""The project's URLs plus Django's stock admin at /stock-admin/: a plain AdminSite (not the
project's) with a plain ModelAdmin of the applications, the baseline of bench/web.py."""

from django.contrib import admin
from django.urls import path

from applications.models import Application
from config import urls as project_urls


class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["full_name", "email", "status", "submitted_at"]
    list_filter = ["status"]
    search_fields = ["full_name", "email"]
    list_per_page = 50
    # The row checkbox's label is str(application), which reads the cohort and its programme:
    # without this the changelist makes two queries a row.
    list_select_related = ["cohort__programme"]


stock_site = admin.AdminSite(name="stock_admin")
stock_site.register(Application, ApplicationAdmin)

handler500 = project_urls.handler500
urlpatterns = [*project_urls.urlpatterns, path("stock-admin/", stock_site.urls)]
