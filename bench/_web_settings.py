"""Settings for bench/web.py: the production settings, with the project's URLs plus a stock Django
admin site (bench/_web_urls.py). Imported, never run: bench/ must be on the Python path."""

from config.settings.base import *  # noqa: F403

ROOT_URLCONF = "_web_urls"
# Static URLs without a collectstatic manifest: the benchmark fetches pages, not their assets.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
