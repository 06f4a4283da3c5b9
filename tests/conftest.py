"""Personas and service detection shared by the whole suite.

Tests that need Chromium, Redis or PostgreSQL carry the `browser`, `redis` or `postgres`
marker and skip, with the reason, when the service is absent. With COHORTLINE_REQUIRE_SERVICES=1
(set by .ci/run) a missing service is an error and any skipped test fails the run.
"""

import datetime
import os
import shutil
from functools import cache

import pytest
from django.conf import settings
from django.utils import timezone

from applications.enums import ApplicationStatus
from programmes.enums import RoleKind
from selection.enums import OfferStatus
from tests.factories import (
    ApplicantProfileFactory,
    ApplicationFactory,
    CohortFactory,
    OfferFactory,
    ParticipantFactory,
    ProgrammeFactory,
    ProgrammeRoleFactory,
    TotpAuthenticatorFactory,
    UserFactory,
)
from tests.s3 import ENDPOINT_VARIABLE, moto_available, s3_endpoint, s3_storage  # noqa: F401

# tests/pages.py reads the shared page components with asserts: let pytest explain them.
pytest.register_assert_rewrite("tests.pages")

REQUIRE_SERVICES = os.environ.get("COHORTLINE_REQUIRE_SERVICES") == "1"


@cache
def chromium_path() -> str | None:
    return (
        os.environ.get("CHROMIUM_PATH")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )


@cache
def redis_url() -> str | None:
    """REDIS_URL from the environment when a Redis server answers there."""
    url = os.environ.get("REDIS_URL")
    if not url:
        return None
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.RedisError:
        return None
    return url


def _missing(marker: str) -> str | None:
    if marker == "browser" and not chromium_path():
        return "Chromium not found (apt-get install chromium, or set CHROMIUM_PATH)"
    if marker == "redis" and not redis_url():
        return "no Redis reachable at REDIS_URL"
    if (
        marker == "postgres"
        and settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"
    ):
        return "DATABASE_URL does not point at PostgreSQL"
    if marker == "s3" and not (os.environ.get(ENDPOINT_VARIABLE) or moto_available()):
        return f"no S3 server: set {ENDPOINT_VARIABLE}, or install moto[server] to start one"
    if marker == "fonts" and not _cjk_tamil_fonts():
        return (
            "Noto Tamil / WenQuanYi fonts not installed "
            "(apt-get install fonts-noto-core fonts-wqy-microhei)"
        )
    return None


def _cjk_tamil_fonts() -> bool:
    from certificates import pdf

    found = {os.path.basename(path) for path, _ in pdf.find_font_files()}
    return "wqy-microhei.ttc" in found and bool(
        found & {"NotoSerifTamil-Regular.ttf", "NotoSansTamil-Regular.ttf"}
    )


def pytest_collection_modifyitems(config, items):
    for item in items:
        for marker in ("browser", "redis", "postgres", "s3", "fonts"):
            if item.get_closest_marker(marker) is None:
                continue
            reason = _missing(marker)
            if reason and REQUIRE_SERVICES:
                raise pytest.UsageError(
                    f"{item.nodeid} needs {marker}, which is required here: {reason}"
                )
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if REQUIRE_SERVICES and skipped and exitstatus == 0:
        reporter.write_line(
            f"{skipped} test(s) skipped, but every service is required here.", red=True
        )
        session.exitstatus = 1


@pytest.fixture(scope="session", autouse=True)
def _signing_key(django_test_environment):
    """One certificate signing key in the test settings' throw-away folder."""
    from certificates import keys

    if not keys.key_ids():
        keys.signing_key_create()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# --- Personas -------------------------------------------------------------------------------
# `programme` is the programme the personas work in; `other_programme` has its own admin and
# data, which the personas must never see. Every role that sees other people's personal data
# has an authenticator app, as MFA requires.


@pytest.fixture
def programme(db):
    return ProgrammeFactory(name="AI Forward 2026", slug="ai-forward-2026")


@pytest.fixture
def other_programme(db):
    return ProgrammeFactory(name="Green Skills 2026", slug="green-skills-2026")


@pytest.fixture
def platform_admin(db):
    user = UserFactory(email="platform.admin@example.com", is_superuser=True, is_staff=True)
    TotpAuthenticatorFactory(user=user)
    return user


def _member(programme, email: str, name: str, role: str, *, with_totp: bool = False):
    user = UserFactory(email=email, display_name=name)
    ProgrammeRoleFactory(user=user, programme=programme, role=role)
    if with_totp:
        TotpAuthenticatorFactory(user=user)
    return user


@pytest.fixture
def programme_admin(programme):
    return _member(
        programme,
        "programme.admin@example.com",
        "Farah Osman",
        RoleKind.PROGRAMME_ADMIN,
        with_totp=True,
    )


@pytest.fixture
def reviewer(programme):
    return _member(
        programme, "reviewer@example.com", "Thomas Goh", RoleKind.REVIEWER, with_totp=True
    )


@pytest.fixture
def mentor(programme):
    return _member(programme, "mentor@example.com", "Helena Park", RoleKind.MENTOR, with_totp=True)


@pytest.fixture
def staff(programme):
    return _member(programme, "staff@example.com", "Ahmad Zulkifli", RoleKind.STAFF, with_totp=True)


@pytest.fixture
def applicant(db):
    profile = ApplicantProfileFactory(
        user__email="applicant@example.com", full_name="Siti Abdullah"
    )
    return profile.user


@pytest.fixture
def participant(programme):
    """Applied to the programme's cohort, was offered a seat and accepted it: an applicant with
    a Participant row and no role. Sees their own application, nothing of the programme's."""
    profile = ApplicantProfileFactory(user__email="participant@example.com", full_name="Priya Nair")
    now = timezone.now()
    cohort = CohortFactory(
        programme=programme,
        name="Spring intake",
        slug="spring",
        opens_at=now - datetime.timedelta(days=60),
        closes_at=now - datetime.timedelta(days=30),
        decisions_released_at=now - datetime.timedelta(days=7),
    )
    application = ApplicationFactory(
        cohort=cohort,
        applicant=profile.user,
        full_name=profile.full_name,
        status=ApplicationStatus.ACCEPTED,
        submitted_at=now - datetime.timedelta(days=40),
    )
    OfferFactory(
        application=application,
        status=OfferStatus.ACCEPTED,
        expires_at=now,
        decided_at=now - datetime.timedelta(days=1),
    )
    ParticipantFactory(application=application)
    return profile.user


@pytest.fixture
def outsider(db):
    """Signed up and verified, holds no role and no profile: must see nothing."""
    return UserFactory(email="outsider@example.com", display_name="Olivia Outsider")


@pytest.fixture
def other_programme_admin(other_programme):
    return _member(
        other_programme,
        "other.admin@example.com",
        "Oscar Other",
        RoleKind.PROGRAMME_ADMIN,
        with_totp=True,
    )


# --- Browser --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": chromium_path(),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }
