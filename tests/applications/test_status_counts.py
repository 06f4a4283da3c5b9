"""The status counts of a cohort's applications, kept by PostgreSQL triggers as rows of changes:
always the count a reader of the applications would make, whatever writes them (the services,
bulk updates, deletes, a cohort's deletion, concurrent transactions), before and after the
changes are folded, and from the first migration on a database that already holds applications.
"""

import threading
from collections import Counter

import pytest
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from applications import selectors, services
from applications.enums import ApplicationStatus
from applications.models import Application, StatusCountChange
from tests.factories import ApplicationFactory, CohortFactory, UserFactory

pytestmark = [pytest.mark.postgres]

STATUSES = [status.value for status in ApplicationStatus]


def _counted(cohort) -> dict[str, int]:
    """What counting the applications says, every status listed."""
    counts = dict.fromkeys(STATUSES, 0)
    counts.update(
        Counter(Application.objects.filter(cohort=cohort).values_list("status", flat=True))
    )
    return counts


@pytest.mark.django_db
def test_every_kind_of_write_is_counted():
    cohort, other = CohortFactory(), CohortFactory()
    apps = ApplicationFactory.create_batch(4, cohort=cohort)
    ApplicationFactory.create_batch(2, cohort=other, status=ApplicationStatus.DRAFT)
    Application.objects.bulk_create(
        [
            Application(cohort=cohort, applicant=UserFactory(), status=ApplicationStatus.DRAFT)
            for _ in range(3)
        ]
    )
    assert selectors.application_status_counts(cohort=cohort) == _counted(cohort)

    # A transition through the service, a bulk update, an update that changes no status, a delete.
    services.application_transition(
        application=apps[0], to_status=ApplicationStatus.IN_REVIEW, actor=None
    )
    Application.objects.filter(pk__in=[apps[1].pk, apps[2].pk]).update(
        status=ApplicationStatus.WAITLISTED
    )
    Application.objects.filter(cohort=cohort).update(full_name="Renamed")
    apps[3].delete()
    counts = selectors.application_status_counts(cohort=cohort)
    assert counts == _counted(cohort)
    assert counts[ApplicationStatus.WAITLISTED] == 2
    assert counts[ApplicationStatus.DRAFT] == 3
    assert selectors.application_status_counts(cohort=other) == _counted(other)


@pytest.mark.django_db
def test_an_update_that_changes_no_status_writes_only_a_stamp():
    """A rename changes no count: it writes one n = 0 row per cohort and status (the stamp that
    tells a cached filtered count to recount); an update that changes nothing writes nothing."""
    cohort = CohortFactory()
    ApplicationFactory.create_batch(3, cohort=cohort)
    before = set(StatusCountChange.objects.values_list("pk", flat=True))
    counts = selectors.application_status_counts(cohort=cohort)
    Application.objects.filter(cohort=cohort).update(full_name="Same status")
    added = StatusCountChange.objects.exclude(pk__in=before)
    assert list(added.values_list("cohort_id", "status", "n")) == [
        (cohort.pk, ApplicationStatus.SUBMITTED.value, 0)
    ]
    assert selectors.application_status_counts(cohort=cohort) == counts
    stamps = set(StatusCountChange.objects.values_list("pk", flat=True))
    Application.objects.filter(cohort=cohort).update(full_name="Same status")
    assert set(StatusCountChange.objects.values_list("pk", flat=True)) == stamps


@pytest.mark.django_db
def test_folding_keeps_the_counts_and_leaves_one_row_per_status():
    cohort = CohortFactory()
    apps = ApplicationFactory.create_batch(5, cohort=cohort)
    for app in apps[:3]:
        Application.objects.filter(pk=app.pk).update(status=ApplicationStatus.OFFERED)
    before = selectors.application_status_counts(cohort=cohort)
    assert StatusCountChange.objects.filter(cohort_id=cohort.pk).count() > 2

    folded = services.status_counts_compact()

    assert folded > 2
    assert selectors.application_status_counts(cohort=cohort) == before == _counted(cohort)
    rows = StatusCountChange.objects.filter(cohort_id=cohort.pk)
    assert sorted(rows.values_list("status", "n")) == [
        (ApplicationStatus.OFFERED.value, 3),
        (ApplicationStatus.SUBMITTED.value, 2),
    ]


@pytest.mark.django_db
def test_a_deleted_cohort_leaves_nothing_after_folding():
    cohort = CohortFactory()
    ApplicationFactory.create_batch(2, cohort=cohort)
    cohort_id = cohort.pk
    Application.objects.filter(cohort=cohort).delete()
    cohort.delete()
    services.status_counts_compact()
    assert not StatusCountChange.objects.filter(cohort_id=cohort_id).exists()


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["add", "move", "move_all", "delete", "fold"]),
            st.integers(min_value=0, max_value=20),
            st.sampled_from(STATUSES),
        ),
        max_size=12,
    )
)
def test_any_sequence_of_writes_keeps_the_counts(steps):
    cohort = CohortFactory()
    for action, n, status in steps:
        ids = list(Application.objects.filter(cohort=cohort).values_list("pk", flat=True))
        if action == "add":
            Application.objects.bulk_create(
                Application(cohort=cohort, applicant=applicant, status=status)
                for applicant in UserFactory.create_batch(n % 4 + 1)
            )
        elif action == "move" and ids:
            Application.objects.filter(pk=ids[n % len(ids)]).update(status=status)
        elif action == "move_all":
            Application.objects.filter(cohort=cohort, pk__gt=n).update(status=status)
        elif action == "delete" and ids:
            Application.objects.filter(pk__in=ids[: n % 3 + 1]).delete()
        elif action == "fold":
            services.status_counts_compact()
        assert selectors.application_status_counts(cohort=cohort) == _counted(cohort)


@pytest.mark.django_db(transaction=True)
def test_concurrent_transitions_and_folding_keep_the_counts():
    """Eight threads move applications between statuses while another folds the changes over
    and over: no transaction waits on another's counts, and the sum stays exact."""
    cohort = CohortFactory()
    apps = ApplicationFactory.create_batch(40, cohort=cohort)
    barrier = threading.Barrier(9)
    errors: list[BaseException] = []

    def mover(chunk, status):
        try:
            barrier.wait()
            for app in chunk:
                Application.objects.filter(pk=app.pk).update(status=status)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    def folder():
        try:
            barrier.wait()
            for _ in range(10):
                services.status_counts_compact()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    statuses = [
        ApplicationStatus.IN_REVIEW,
        ApplicationStatus.OFFERED,
        ApplicationStatus.WAITLISTED,
        ApplicationStatus.NOT_SELECTED,
    ] * 2
    threads = [
        threading.Thread(target=mover, args=(apps[i * 5 : i * 5 + 5], statuses[i]))
        for i in range(8)
    ]
    threads.append(threading.Thread(target=folder))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert selectors.application_status_counts(cohort=cohort) == _counted(cohort)
    services.status_counts_compact()
    assert selectors.application_status_counts(cohort=cohort) == _counted(cohort)


@pytest.fixture
def restore_schema(transactional_db):
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_migration_counts_the_applications_already_there(restore_schema):
    """Migrating a database that holds applications: the counts start exact, and later writes
    are counted by the triggers it adds."""
    cohort = CohortFactory()
    ApplicationFactory.create_batch(3, cohort=cohort)
    ApplicationFactory.create_batch(2, cohort=cohort, status=ApplicationStatus.DRAFT)
    executor = MigrationExecutor(connection)
    executor.migrate([("applications", "0002_staff_list_indexes")])
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('applications_statuscountchange')")
        assert cursor.fetchone() == (None,)
    # Written while the triggers are gone: the migration must count them.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cohorts_application SET status = 'offered' WHERE id = "
            "(SELECT min(id) FROM cohorts_application WHERE status = 'submitted')"
        )

    executor = MigrationExecutor(connection)
    executor.migrate([("applications", "0003_status_counts")])

    assert selectors.application_status_counts(cohort=cohort) == _counted(cohort)
    assert Application.objects.count() == 5
    # Later writes, with the schema brought up to date, are counted by the triggers it added.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ApplicationFactory(cohort=cohort, status=ApplicationStatus.WAITLISTED)
    assert selectors.application_status_counts(cohort=cohort) == _counted(cohort)
