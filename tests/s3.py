"""An S3-compatible server for the tests marked `s3`.

`s3_endpoint` (session) is COHORTLINE_TEST_S3_ENDPOINT when set (.ci/run starts one), otherwise a
moto server started here on a free loopback port and stopped when the session ends.
`s3_storage` gives one test a fresh bucket behind the "private" storage alias, configured from the
same environment variables as production (config.settings.base.s3_private_storage), and yields a
boto3 client to look inside it.
"""

import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import environ
import pytest
from django.apps import apps
from django.core.files.storage import storages
from django.db.models import FileField

from config.settings.base import s3_private_storage

ENDPOINT_VARIABLE = "COHORTLINE_TEST_S3_ENDPOINT"
# Any key works against a local server; boto needs one to sign.
ACCESS_KEY = "cohortline-test"
SECRET_KEY = "cohortline-test-secret"
REGION = "us-east-1"


def moto_available() -> bool:
    return importlib.util.find_spec("moto") is not None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=1).close()  # noqa: S310 (our own loopback URL)
    except urllib.error.HTTPError:
        return True  # an S3 error document is an answer
    except OSError:
        return False
    return True


@pytest.fixture(scope="session")
def s3_endpoint():
    url = os.environ.get(ENDPOINT_VARIABLE)
    if url:
        yield url.rstrip("/")
        return
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not _answers(url):
            if process.poll() is not None:
                raise RuntimeError(f"moto_server exited with {process.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"moto_server did not answer on {url} within 30 s")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def s3_client(endpoint: str):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name=REGION,
    )


@pytest.fixture
def s3_storage(s3_endpoint, settings, monkeypatch):
    """A fresh bucket as the "private" storage; yields a boto3 client for inspection."""
    bucket = f"cohortline-test-{uuid.uuid4().hex}"
    client = s3_client(s3_endpoint)
    client.create_bucket(Bucket=bucket)
    for variable, value in {
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_ACCESS_KEY_ID": ACCESS_KEY,
        "S3_SECRET_ACCESS_KEY": SECRET_KEY,
        "S3_REGION": REGION,
    }.items():
        monkeypatch.setenv(variable, value)
    # Django's setting_changed receiver empties the `storages` handler's cache...
    settings.STORAGES = {**settings.STORAGES, "private": s3_private_storage(environ.Env())}
    settings.S3_DOWNLOADS = "redirect"
    # ...but a FileField resolved its storage callable when its model was defined.
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, FileField) and getattr(field, "_storage_callable", None):
                monkeypatch.setattr(field, "storage", field._storage_callable())
    assert type(storages["private"]).__name__ == "S3Storage"
    try:
        yield client
    finally:
        with contextlib.suppress(client.exceptions.NoSuchBucket):  # a test may have removed it
            for obj in client.list_objects_v2(Bucket=bucket).get("Contents", []):
                client.delete_object(Bucket=bucket, Key=obj["Key"])
            client.delete_bucket(Bucket=bucket)
