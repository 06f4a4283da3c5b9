"""The site's URLs plus one view that fails, to see the 500 page as production serves it."""

from django.urls import path

from config import urls as site_urls


def boom(request):
    raise RuntimeError("something broke in a view")


handler500 = site_urls.handler500
urlpatterns = [path("boom/", boom), *site_urls.urlpatterns]
