"""Private file storage (the "private" alias in STORAGES): never under MEDIA_URL, served only
through permission-checked views. In production point the alias at a private bucket."""

from django.core.files.storage import storages


def private_storage():
    return storages["private"]
