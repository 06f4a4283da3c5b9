"""The staff list's filtered counts and pages' ids, cached on PostgreSQL with the snapshot they were counted in:
served again only while recounting would give the same number, whatever wrote to the cohort
meanwhile (a rename, a transition, an insert, a delete, a fold of the change rows, a transaction
still open when the count was made), and never from inside a transaction that has written."""

import threading

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from applications import selectors, services
from applications.enums import ApplicationStatus
from applications.models import Application
from tests.factories import ApplicationFactory, CohortFactory, UserFactory

pytestmark = [pytest.mark.postgres]


def _matching(cohort, term="tan"):
    return selectors.application_list_for_cohort(cohort=cohort).filter(full_name__icontains=term)


def _page(cohort, term="tan", offset=0, limit=50) -> tuple[int, list[int]]:
    return selectors.application_filtered_page(
        cohort=cohort,
        queryset=_matching(cohort, term).order_by("-submitted_at", "-id"),
        filters=f"q={term}",
        offset=offset,
        limit=limit,
    )


def _count(cohort, term="tan") -> int:
    count, ids = _page(cohort, term)
    # The page's ids come with the count, in the list's order.
    assert ids == list(
        _matching(cohort, term).order_by("-submitted_at", "-id").values_list("pk", flat=True)[:50]
    )
    return count


@pytest.mark.django_db(transaction=True)
def test_a_second_read_is_served_from_the_cache_with_one_query():
    cohort = CohortFactory()
    ApplicationFactory.create_batch(3, cohort=cohort, full_name="Tan Wei")
    ApplicationFactory(cohort=cohort, full_name="Lim Mei")
    first = _page(cohort)
    assert first[0] == 3
    with CaptureQueriesContext(connection) as queries:
        assert _page(cohort) == first
    assert len(queries) == 1
    assert "count(" not in queries[0]["sql"].lower()


@pytest.mark.django_db(transaction=True)
def test_a_page_past_the_first_gives_its_own_ids_in_order():
    cohort = CohortFactory()
    apps = ApplicationFactory.create_batch(5, cohort=cohort, full_name="Tan Wei")
    newest_first = sorted(apps, key=lambda a: (a.submitted_at, a.pk), reverse=True)
    assert _page(cohort, offset=2, limit=2) == (5, [a.pk for a in newest_first[2:4]])
    assert _page(cohort, offset=2, limit=2) == (5, [a.pk for a in newest_first[2:4]])  # cached
    assert _page(cohort, offset=6, limit=2) == (5, [])


@pytest.mark.django_db(transaction=True)
def test_every_kind_of_write_is_seen():
    cohort, other = CohortFactory(), CohortFactory()
    apps = ApplicationFactory.create_batch(3, cohort=cohort, full_name="Tan Wei")
    lim = ApplicationFactory(cohort=cohort, full_name="Lim Mei")
    assert _count(cohort) == 3

    Application.objects.filter(pk=lim.pk).update(full_name="Tan Mei")  # a rename into the search
    assert _count(cohort) == 4
    Application.objects.filter(pk=apps[0].pk).update(full_name="Goh Wei")  # and out of it
    assert _count(cohort) == 3
    Application.objects.filter(pk=apps[1].pk).update(status=ApplicationStatus.DRAFT)  # a transition
    assert _count(cohort) == 2
    ApplicationFactory(cohort=cohort, full_name="Tanaka Yui")  # an insert
    assert _count(cohort) == 3
    apps[2].delete()  # a delete
    assert _count(cohort) == 2
    ApplicationFactory(cohort=other, full_name="Tan Other")  # another cohort changes nothing
    assert _count(cohort) == 2 == _matching(cohort).count()


@pytest.mark.django_db(transaction=True)
def test_a_cohort_emptied_and_folded_is_recounted():
    """Folding drops rows that sum to nothing; the folded rows still carry a new stamp."""
    cohort = CohortFactory()
    ApplicationFactory.create_batch(2, cohort=cohort, full_name="Tan Wei")
    assert _count(cohort) == 2
    Application.objects.filter(cohort=cohort).delete()
    services.status_counts_compact()
    assert _count(cohort) == 0


@pytest.mark.django_db(transaction=True)
def test_a_transaction_open_during_the_count_is_seen_once_it_commits():
    """The rename is in flight (not visible) when the count is cached; the stamp it commits is
    from a transaction the cached snapshot did not see, so the next count recounts."""
    cohort = CohortFactory()
    ApplicationFactory.create_batch(2, cohort=cohort, full_name="Tan Wei")
    lim = ApplicationFactory(cohort=cohort, full_name="Lim Mei")
    renamed, counted = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def rename():
        try:
            with transaction.atomic():
                Application.objects.filter(pk=lim.pk).update(full_name="Tan Mei")
                renamed.set()
                counted.wait(timeout=30)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=rename)
    thread.start()
    assert renamed.wait(timeout=30)
    assert _count(cohort) == 2  # the rename is not committed yet
    counted.set()
    thread.join(timeout=30)
    assert not errors, errors
    assert _count(cohort) == 3


@pytest.mark.django_db(transaction=True)
def test_a_transaction_that_has_written_counts_afresh_and_caches_nothing():
    cohort = CohortFactory()
    lim = ApplicationFactory(cohort=cohort, full_name="Lim Mei")
    ApplicationFactory(cohort=cohort, full_name="Tan Wei")
    assert _count(cohort) == 1  # cached

    class RolledBack(Exception):
        pass

    with pytest.raises(RolledBack), transaction.atomic():
        Application.objects.filter(pk=lim.pk).update(full_name="Tan Mei")
        assert _count(cohort) == 2  # its own rename counts, the cache is not used
        raise RolledBack
    assert _count(cohort) == 1  # and what it counted was not cached


@pytest.mark.django_db(transaction=True)
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["add", "rename", "move", "delete", "fold", "count"]),
            st.integers(min_value=0, max_value=20),
            st.sampled_from(["Tan Wei", "Lim Mei", "Stanley Goh"]),
        ),
        max_size=10,
    )
)
def test_any_sequence_of_writes_gives_the_count_of_the_rows(steps):
    cohort = CohortFactory()
    for action, n, name in steps:
        ids = list(Application.objects.filter(cohort=cohort).values_list("pk", flat=True))
        if action == "add":
            Application.objects.bulk_create(
                Application(
                    cohort=cohort,
                    applicant=applicant,
                    full_name=name,
                    status=ApplicationStatus.SUBMITTED,
                )
                for applicant in UserFactory.create_batch(n % 3 + 1)
            )
        elif action == "rename" and ids:
            Application.objects.filter(pk=ids[n % len(ids)]).update(full_name=name)
        elif action == "move" and ids:
            status = [ApplicationStatus.DRAFT, ApplicationStatus.IN_REVIEW][n % 2]
            Application.objects.filter(pk=ids[n % len(ids)]).update(status=status)
        elif action == "delete" and ids:
            Application.objects.filter(pk__in=ids[: n % 2 + 1]).delete()
        elif action == "fold":
            services.status_counts_compact()
        assert _count(cohort) == _matching(cohort).count()


@pytest.mark.django_db(transaction=True)
def test_the_staff_list_shows_a_search_count_that_follows_renames(
    client, programme, programme_admin
):
    cohort = CohortFactory(programme=programme)
    ApplicationFactory.create_batch(2, cohort=cohort, full_name="Tan Wei")
    lim = ApplicationFactory(cohort=cohort, full_name="Lim Mei")
    client.force_login(programme_admin)
    url = reverse("applications:cohort_applications", args=[programme.slug, cohort.slug])
    assert "2 applications match." in client.get(url, {"q": "tan"}).text
    Application.objects.filter(pk=lim.pk).update(full_name="Tan Mei")
    response = client.get(url, {"q": "tan"})
    assert "3 applications match." in response.text
    assert "Tan Mei" in response.text
    # A page past the last shows the last one, as on every list.
    assert "Tan Mei" in client.get(url, {"q": "tan", "page": "9"}).text
    assert "Tan Mei" in client.get(url, {"q": "tan", "page": "x"}).text
    assert "Tan Mei" in client.get(url, {"q": "tan", "page": "9" * 20}).text
