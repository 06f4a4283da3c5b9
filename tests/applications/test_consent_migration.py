"""The data migration that turns the consents stored on applications into consent records."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.factories import CohortFactory, UserFactory

BEFORE = [("applications", "0004_change_stamps"), ("accounts", "0003_consent_record")]
AFTER = [("applications", "0005_consent_records")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def restore_schema(transactional_db):
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_consent_records_migration_copies_each_persons_consents(restore_schema):
    siti, ravi, nobody = UserFactory(), UserFactory(), UserFactory()
    cohorts = [CohortFactory() for _ in range(4)]
    now = timezone.now().replace(microsecond=0)
    earlier = now - datetime.timedelta(days=3)
    old = _migrate(BEFORE)
    Application = old.get_model("applications", "Application")
    ConsentRecord = old.get_model("accounts", "ConsentRecord")

    def application(cohort, user, version, at, status="submitted"):
        Application.objects.create(
            cohort_id=cohort.pk,
            applicant_id=user.pk,
            status=status,
            consent_version=version,
            consent_at=at,
        )

    application(cohorts[0], siti, "2026-1", now)
    application(cohorts[1], siti, "2026-1", earlier)  # same notice: one record, the earliest
    application(cohorts[2], siti, "2026-2", now, status="withdrawn")
    application(cohorts[0], ravi, "2026-1", now)
    application(cohorts[1], nobody, "", None, status="draft")  # never consented
    # Already recorded (the migration run twice, or a record written meanwhile): kept as is.
    ConsentRecord.objects.create(
        user_id=ravi.pk, purpose="processing", notice_version="2026-1", given_at=earlier
    )

    new = _migrate(AFTER)
    records = sorted(
        new.get_model("accounts", "ConsentRecord").objects.values_list(
            "user_id", "purpose", "notice_version", "given_at", "withdrawn_at"
        )
    )

    assert records == sorted(
        [
            (siti.pk, "processing", "2026-1", earlier, None),
            (siti.pk, "processing", "2026-2", now, None),
            (ravi.pk, "processing", "2026-1", earlier, None),
        ]
    )

    # Going back keeps the records (they are never deleted); forward again adds none.
    _migrate(BEFORE)
    again = _migrate(AFTER)
    assert again.get_model("accounts", "ConsentRecord").objects.count() == 3
