"""The landing page's lists are cached per language and for visitors apart from signed-in
people, and never outlive a change: a programme, partner or cohort edited through the product
or the Django admin, a listed cohort closing, a published one opening."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from cohorts import selectors, services
from cohorts.enums import CohortStatus
from programmes import services as programme_services
from tests.factories import CohortFactory, PartnerFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


def _landing(client) -> str:
    body = client.get(reverse("landing")).content.decode()
    # The page's own CSRF token differs on every request; the lists are what is compared.
    return body[body.index("<main") : body.index("</main>")]


def test_landing_cache_serves_the_same_lists_until_something_changes(client):
    cohort = CohortFactory(name="March 2026")
    first = _landing(client)
    assert "March 2026" in first
    # A write that bypasses the services is not seen: the lists come from the cache.
    type(cohort).objects.filter(pk=cohort.pk).update(name="Renamed behind its back")
    assert _landing(client) == first


def test_landing_cache_refreshes_after_a_programme_update(
    client, programme, programme_admin, django_capture_on_commit_callbacks
):
    assert "AI Forward 2026" in _landing(client)
    partner = PartnerFactory(name="Harbour Union")
    with django_capture_on_commit_callbacks(execute=True):
        programme_services.programme_update(
            programme=programme,
            data={"name": "AI Forward 2027"},
            partners=[partner],
            actor=programme_admin,
        )
    body = _landing(client)
    assert "AI Forward 2027" in body
    assert "Harbour Union" in body
    assert "AI Forward 2026" not in body


def test_landing_cache_refreshes_after_a_cohort_is_saved(
    client, programme, programme_admin, django_capture_on_commit_callbacks
):
    cohort = CohortFactory(programme=programme, name="March 2026")
    assert "March 2026" in _landing(client)
    cohort.status = CohortStatus.ARCHIVED
    with django_capture_on_commit_callbacks(execute=True):
        services.cohort_save(cohort=cohort, actor=programme_admin)
    assert "March 2026" not in _landing(client)


def test_landing_cache_is_not_refreshed_by_a_change_rolled_back(client, programme, programme_admin):
    assert "AI Forward 2026" in _landing(client)
    version = programme_services.selectors.public_listing_version()
    programme_services.public_listing_refresh()  # never committed in this test's transaction
    assert programme_services.selectors.public_listing_version() == version


def test_landing_cache_refreshes_after_an_edit_in_the_django_admin(
    client, programme, platform_admin, settings, django_capture_on_commit_callbacks
):
    settings.COHORTLINE_ADMIN_MFA_REQUIRED = False
    assert "AI Forward 2026" in _landing(client)
    client.force_login(platform_admin)
    url = reverse("admin:programmes_programme_change", args=[programme.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "name": "AI Forward (renamed)",
                "slug": programme.slug,
                "tagline": "",
                "description": programme.description,
                "is_published": "on",
                "partners": [],
                "roles-TOTAL_FORMS": "0",
                "roles-INITIAL_FORMS": "0",
                "roles-MIN_NUM_FORMS": "0",
                "roles-MAX_NUM_FORMS": "1000",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    assert "AI Forward (renamed)" in _landing(client)


def test_landing_cache_expires_when_a_listed_cohort_closes(client, programme):
    now = timezone.now()
    CohortFactory(programme=programme, name="Closing soon", closes_at=now + datetime.timedelta(90))
    CohortFactory(
        programme=programme, name="Last call", closes_at=now + datetime.timedelta(seconds=60)
    )
    with time_machine.travel(now, tick=False):
        assert "Last call" in _landing(client)
    with time_machine.travel(now + datetime.timedelta(seconds=61), tick=False):
        body = _landing(client)
    assert "Last call" not in body
    assert "Closing soon" in body


def test_landing_cache_expires_when_a_cohort_opens(client, programme):
    now = timezone.now()
    CohortFactory(
        programme=programme,
        name="Opening soon",
        opens_at=now + datetime.timedelta(seconds=30),
        closes_at=now + datetime.timedelta(days=30),
    )
    with time_machine.travel(now, tick=False):
        assert "Opening soon" not in _landing(client)
    with time_machine.travel(now + datetime.timedelta(seconds=31), tick=False):
        assert "Opening soon" in _landing(client)


def test_landing_cache_seconds_is_the_first_close_or_opening_at_most_five_minutes(programme):
    now = timezone.now()
    assert selectors.landing_cache_seconds(open_cohorts=[], now=now) == 300
    listed = CohortFactory(programme=programme, closes_at=now + datetime.timedelta(seconds=90))
    assert selectors.landing_cache_seconds(open_cohorts=[listed], now=now) == 90
    CohortFactory(programme=programme, opens_at=now + datetime.timedelta(seconds=45))
    assert selectors.landing_cache_seconds(open_cohorts=[listed], now=now) == 45
    # Unpublished programmes and draft cohorts open nothing a visitor sees.
    hidden = ProgrammeFactory(is_published=False)
    CohortFactory(programme=hidden, opens_at=now + datetime.timedelta(seconds=5))
    CohortFactory(
        programme=programme,
        status=CohortStatus.DRAFT,
        opens_at=now + datetime.timedelta(seconds=5),
    )
    assert selectors.landing_cache_seconds(open_cohorts=[listed], now=now) == 45
    # A moment already past never gives a zero or negative timeout (which would keep forever
    # or not at all, depending on the backend).
    late = CohortFactory(programme=programme, closes_at=now - datetime.timedelta(seconds=5))
    assert selectors.landing_cache_seconds(open_cohorts=[late], now=now) == 1


def test_landing_cache_keeps_visitors_and_signed_in_people_apart(client, programme, applicant):
    CohortFactory(programme=programme, name="March 2026")
    assert "Apply now" not in _landing(client)
    client.force_login(applicant)
    assert "Apply now" in _landing(client)
    client.logout()
    assert "Apply now" not in _landing(client)


def test_landing_cache_key_differs_per_language_and_audience():
    with translation.override("en"):
        english = selectors.landing_cache_key(language=translation.get_language(), signed_in=False)
    with translation.override("ms"):
        malay = selectors.landing_cache_key(language=translation.get_language(), signed_in=False)
    signed_in = selectors.landing_cache_key(language="en", signed_in=True)
    assert len({english, malay, signed_in}) == 3
