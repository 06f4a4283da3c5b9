"""The programme page: live cohorts first, archived ones in their own folded list."""

import datetime
import re

import pytest
from django.utils import timezone

from cohorts.enums import CohortStatus
from tests.factories import ApplicationFactory, CohortFactory

pytestmark = pytest.mark.django_db

URL = "/programmes/ai-forward-2026/"


def _names(block: str) -> list[str]:
    return re.findall(r'<a href="[^"]+" class="fw-medium text-break">([^<]+)</a>', block)


def _cohorts(programme, *specs):
    now = timezone.now()
    for n, (name, status) in enumerate(specs):
        CohortFactory(
            programme=programme,
            name=name,
            status=status,
            opens_at=now - datetime.timedelta(days=10 * (n + 1)),
        )


def test_programme_page_lists_live_cohorts_first_and_folds_the_archived(
    client, programme, programme_admin
):
    _cohorts(
        programme,
        ("Autumn draft", CohortStatus.DRAFT),
        ("Old intake", CohortStatus.ARCHIVED),
        ("Summer intake", CohortStatus.PUBLISHED),
        ("Oldest intake", CohortStatus.ARCHIVED),
    )
    client.force_login(programme_admin)
    body = client.get(URL).content.decode()
    live, archived = body.split('data-testid="archived-cohorts"')
    live = live.split('data-testid="live-cohorts"')[1]
    assert _names(live) == ["Summer intake", "Autumn draft"]
    assert "2 archived cohorts</summary>" in archived
    assert _names(archived.split("</details>")[0]) == ["Old intake", "Oldest intake"]
    assert "<details open" not in body
    # The cohorts come before the boxes about the programme, so a phone shows them first.
    assert body.index('id="cohorts-heading"') < body.index('id="about-heading"')
    assert body.index('id="cohorts-heading"') < body.index('id="your-role-heading"')
    assert 'data-testid="new-cohort"' in body


def test_programme_page_with_only_archived_cohorts_says_so(client, programme, programme_admin):
    _cohorts(programme, ("Old intake", CohortStatus.ARCHIVED))
    client.force_login(programme_admin)
    body = client.get(URL).content.decode()
    assert "No live cohort: every cohort is archived." in body
    assert "1 archived cohort</summary>" in body


def test_programme_page_shows_no_cohorts_to_a_mentor(client, programme, mentor):
    _cohorts(programme, ("Summer intake", CohortStatus.PUBLISHED))
    client.force_login(mentor)
    body = client.get(URL).content.decode()
    assert "Summer intake" not in body and 'id="cohorts-heading"' not in body


@pytest.mark.parametrize("count", [1, 3])
def test_programme_page_query_count(
    client, programme, programme_admin, django_assert_num_queries, count
):
    for n in range(count):
        status = CohortStatus.ARCHIVED if n % 2 else CohortStatus.PUBLISHED
        ApplicationFactory(cohort=CohortFactory(programme=programme, status=status))
    client.force_login(programme_admin)
    # constant: one query for every cohort, live and archived, with its application count
    with django_assert_num_queries(6):
        assert client.get(URL).status_code == 200
