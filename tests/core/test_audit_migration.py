"""Adding the programme and request id to the audit trail keeps every entry, and files the old
ones whose object names their programme cheaply (the programme, a cohort, an application)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core.models import AuditEntry
from tests.factories import (
    ApplicationFactory,
    CertificateFactory,
    CohortFactory,
    CourseFactory,
    ProgrammeFactory,
    UserFactory,
)

BEFORE = [("core", "0001_initial")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _head():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def restore_schema(transactional_db):
    yield
    _migrate(_head())


def test_audit_migration_keeps_entries_and_files_them_under_their_programme(restore_schema):
    programme = ProgrammeFactory()
    cohort = CohortFactory(programme=programme)
    application = ApplicationFactory(cohort=CohortFactory(programme=programme))
    elsewhere = CohortFactory()
    actor = UserFactory()
    course = CourseFactory(programme=programme)
    certificate = CertificateFactory(cohort=cohort)
    old = _migrate(BEFORE)
    OldEntry = old.get_model("core", "AuditEntry")
    made = {
        "programme": OldEntry.objects.create(
            actor_id=actor.pk,
            action="programme.update",
            target_type="programmes.programme",
            target_id=str(programme.pk),
        ),
        "cohort": OldEntry.objects.create(
            action="cohort.update", target_type="cohorts.cohort", target_id=str(cohort.pk)
        ),
        "application": OldEntry.objects.create(
            action="applications.file_download",
            target_type="applications.application",
            target_id=str(application.pk),
            data={"file": "cv"},
        ),
        "elsewhere": OldEntry.objects.create(
            action="cohort.update", target_type="cohorts.cohort", target_id=str(elsewhere.pk)
        ),
        "gone": OldEntry.objects.create(
            action="cohort.update", target_type="cohorts.cohort", target_id="999999"
        ),
        "other": OldEntry.objects.create(
            action="courses.enrol", target_type="courses.enrollment", target_id="7"
        ),
        "none": OldEntry.objects.create(action="account.login"),
        "course": OldEntry.objects.create(
            action="courses.course_update", target_type="courses.course", target_id=str(course.pk)
        ),
        "certificate": OldEntry.objects.create(
            action="certificates.revoked",
            target_type="certificates.certificate",
            target_id=str(certificate.pk),
        ),
    }

    _migrate(_head())

    after = {
        name: AuditEntry.objects.values("action", "actor_id", "data", "programme_id", "request_id")
        .filter(pk=entry.pk)
        .get()
        for name, entry in made.items()
    }
    assert {name: row["programme_id"] for name, row in after.items()} == {
        "programme": programme.pk,
        "cohort": programme.pk,
        "application": programme.pk,
        "elsewhere": elsewhere.programme_id,
        "gone": None,
        "other": None,
        "none": None,
        "course": programme.pk,
        "certificate": programme.pk,
    }
    assert {row["request_id"] for row in after.values()} == {""}
    assert after["programme"]["actor_id"] == actor.pk
    assert after["application"]["data"] == {"file": "cv"}
