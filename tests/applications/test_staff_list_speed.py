"""The staff list of a cohort's applications stays fast as the cohort grows: a constant number of
queries, sorts and counts that PostgreSQL serves from indexes, a search the trigram indexes serve,
and the same answers on SQLite."""

import datetime
import re
import zoneinfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count
from django.urls import reverse

from applications import selectors
from applications.enums import ApplicationStatus
from applications.filters import ApplicationFilter
from applications.models import Application
from applications.views import staff
from tests.factories import ApplicationFactory, CohortFactory

pytestmark = pytest.mark.django_db

SGT = zoneinfo.ZoneInfo("Asia/Singapore")


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, name="March 2026", slug="march-2026")


def _list(cohort):
    return reverse("applications:cohort_applications", args=[cohort.programme.slug, cohort.slug])


def _names(body: str) -> list[str]:
    return re.findall(r'href="/programmes/[^"]+/applications/\d+/">([^<]+)</a>', body)


def _at(day: int) -> datetime.datetime:
    return datetime.datetime(2026, 3, day, 10, tzinfo=SGT)


# --- queries ---------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 3])
def test_application_list_unfiltered_query_count(
    client, cohort, programme_admin, django_assert_num_queries, count
):
    ApplicationFactory.create_batch(count, cohort=cohort, status=ApplicationStatus.SUBMITTED)
    client.force_login(programme_admin)
    # session, user, roles (with the authenticator), cohort, status counts (which also give the
    # number of rows: no count query), page rows, navigation and bell
    with django_assert_num_queries(7):
        response = client.get(_list(cohort), {"page": 1})
    assert response.status_code == 200
    assert len(_names(response.content.decode())) == count


@pytest.mark.parametrize("count", [1, 3])
def test_application_list_deep_page_and_status_filter_need_no_count_query(
    client, cohort, programme_admin, django_assert_num_queries, count
):
    ApplicationFactory.create_batch(count, cohort=cohort, status=ApplicationStatus.IN_REVIEW)
    ApplicationFactory(cohort=cohort, status=ApplicationStatus.SUBMITTED, full_name="Not shown")
    client.force_login(programme_admin)
    with django_assert_num_queries(7):
        response = client.get(_list(cohort), {"status": "in_review", "sort": "full_name"})
    body = response.content.decode()
    assert len(_names(body)) == count
    assert "Not shown" not in body


def test_status_counts_cover_every_status(cohort):
    ApplicationFactory.create_batch(2, cohort=cohort, status=ApplicationStatus.SUBMITTED)
    ApplicationFactory(cohort=cohort, status=ApplicationStatus.DRAFT)
    ApplicationFactory(status=ApplicationStatus.SUBMITTED)  # another cohort's

    counts = selectors.application_status_counts(cohort=cohort)

    assert counts == {
        **dict.fromkeys(ApplicationStatus.values, 0),
        ApplicationStatus.SUBMITTED: 2,
        ApplicationStatus.DRAFT: 1,
    }


# --- order and pages -------------------------------------------------------------------------


@pytest.fixture
def dated(cohort):
    """Four listed applications, one of them submitted without a date (imported)."""
    for name, day in [("Bea", 3), ("Abe", 1), ("Dee", None), ("Cal", 2)]:
        ApplicationFactory(
            cohort=cohort,
            full_name=name,
            status=ApplicationStatus.SUBMITTED,
            submitted_at=_at(day) if day else None,
        )


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["Bea", "Cal", "Abe", "Dee"]),
        ("-submitted_at", ["Bea", "Cal", "Abe", "Dee"]),
        ("submitted_at", ["Abe", "Cal", "Bea", "Dee"]),
        ("full_name", ["Abe", "Bea", "Cal", "Dee"]),
        ("-full_name", ["Dee", "Cal", "Bea", "Abe"]),
    ],
)
def test_application_list_sorts_put_missing_submission_dates_last(
    client, programme_admin, cohort, dated, sort, expected
):
    client.force_login(programme_admin)
    body = client.get(_list(cohort), {"sort": sort} if sort else {}).content.decode()
    assert _names(body) == expected


def test_application_list_pages_keep_the_order(client, programme_admin, cohort, dated, monkeypatch):
    monkeypatch.setattr(staff, "PAGE_SIZE", 3)
    client.force_login(programme_admin)
    first = client.get(_list(cohort)).content.decode()
    second = client.get(_list(cohort), {"page": 2}).content.decode()
    beyond = client.get(_list(cohort), {"page": 9}).content.decode()
    assert _names(first) == ["Bea", "Cal", "Abe"]
    assert _names(second) == ["Dee"]
    assert _names(beyond) == ["Dee"]  # the last page
    assert "Page 2 of 2" in second


# --- search ----------------------------------------------------------------------------------


@pytest.fixture
def people(cohort):
    ApplicationFactory(
        cohort=cohort, full_name="Siti Rahman", email="siti.r@example.org", status="submitted"
    )
    ApplicationFactory(
        cohort=cohort, full_name="Marcus Tan", email="mtan@harbour.example", status="submitted"
    )
    ApplicationFactory(
        cohort=cohort, full_name="Hui Min Ong", email="huimin@example.org", status="in_review"
    )


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("rahm", ["Siti Rahman"]),
        ("TAN", ["Marcus Tan"]),
        ("  min o ", ["Hui Min Ong"]),
        ("HARBOUR.Example", ["Marcus Tan"]),
        ("example.org", ["Hui Min Ong", "Siti Rahman"]),
        ("nobody", []),
    ],
)
def test_application_list_search_finds_part_of_a_name_or_email_in_any_case(
    client, programme_admin, cohort, people, q, expected
):
    client.force_login(programme_admin)
    body = client.get(_list(cohort), {"q": q, "sort": "full_name"}).content.decode()
    assert _names(body) == expected


def test_filter_fields_show_the_chosen_values_after_being_cached(client, programme_admin, cohort):
    """The filters' HTML comes from the cache after the first request; it still shows the values
    chosen in each request and the search typed."""
    ApplicationFactory(cohort=cohort, status="submitted")
    client.force_login(programme_admin)
    client.get(_list(cohort), {"sector": "ict"})
    body = client.get(_list(cohort), {"sector": "ict", "q": "someone"}).content.decode()
    other = client.get(_list(cohort), {"sector": "logistics"}).content.decode()

    assert '<option value="ict" selected>' in body
    assert 'value="someone"' in body
    assert '<option value="logistics" selected>' in other
    assert '<option value="ict" selected>' not in other


def test_filter_fields_with_errors_are_not_cached(client, programme_admin, cohort):
    client.force_login(programme_admin)
    bad = client.get(_list(cohort), {"submitted_after": "0026-01-01"}).content.decode()
    good = client.get(_list(cohort), {"submitted_after": "2026-01-01"}).content.decode()
    assert "Enter a day between" in bad
    assert "Enter a day between" not in good


# --- PostgreSQL plans ------------------------------------------------------------------------


def _plan(sql: str, params, *, disable=("seqscan",)) -> str:
    """PostgreSQL's plan for the query on freshly vacuumed statistics (tiny tables would rather
    be read whole, so the plan types in `disable` are turned off)."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE cohorts_application")
        for kind in disable:
            cursor.execute(f"SET enable_{kind} = off")
        try:
            cursor.execute(f"EXPLAIN {sql}", params)
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            for kind in disable:
                cursor.execute(f"RESET enable_{kind}")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_status_counts_are_an_index_only_scan(cohort):
    ApplicationFactory.create_batch(3, cohort=cohort)
    rows = (
        Application.objects.filter(cohort=cohort).order_by().values("status").annotate(n=Count("*"))
    )
    plan = _plan(*rows.query.sql_with_params())
    assert "Index Only Scan" in plan, plan


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_newest_first_is_read_in_index_order(cohort):
    """The ORM's ORDER BY is exactly the index's: with sorting turned off, PostgreSQL still
    finds a plan, by reading the index."""
    ApplicationFactory.create_batch(3, cohort=cohort, status="submitted")
    filterset = ApplicationFilter(
        {}, queryset=selectors.application_list_for_cohort(cohort=cohort), cohort=cohort
    )
    plan = _plan(*filterset.qs[:50].query.sql_with_params(), disable=("seqscan", "sort"))
    assert "application_newest_first" in plan, plan
    assert "Sort" not in plan, plan


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_search_uses_the_trigram_indexes(cohort, people):
    filterset = ApplicationFilter({}, queryset=Application.objects.all(), cohort=cohort)
    rows = filterset.filter_search(Application.objects.order_by(), "q", "rahman")
    plan = _plan(*rows.query.sql_with_params())
    assert "application_name_trgm" in plan, plan
    assert "application_email_trgm" in plan, plan


# --- the migration ---------------------------------------------------------------------------


def _index_names() -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "cohorts_application")
    return {name for name, c in constraints.items() if c["index"]}


@pytest.mark.django_db(transaction=True)
def test_staff_list_index_migration_applies_both_ways_and_keeps_rows(cohort):
    ApplicationFactory.create_batch(3, cohort=cohort)
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("applications")

    executor.migrate([("applications", "0001_initial")])
    assert "application_by_name" not in _index_names()
    executor.loader.build_graph()
    executor.migrate(latest)

    names = _index_names()
    assert {"application_by_name", "application_oldest_first"} <= names
    postgres_only = {"application_newest_first", "application_name_trgm", "application_email_trgm"}
    if connection.vendor == "postgresql":
        assert postgres_only <= names
    else:
        assert not postgres_only & names
    assert Application.objects.filter(cohort=cohort).count() == 3
