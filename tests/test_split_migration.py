"""Splitting cohorts/ into apps keeps every row.

A database at the schema before the split (cohorts 0008, with the models that later moved to
programmes, applications, reviews and selection still in it) is filled through the historical
models of that schema, then migrated to today's head. Every row is still there, with the same
keys and values, and the content types and audit entries name the new apps. Runs on PostgreSQL
in CI (and on SQLite elsewhere).
"""

from datetime import date, timedelta

import pytest
from django.apps import apps as current_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.factories import UserFactory

# The schema before the split: cohorts at 0008 and none of the new apps.
OLD_HEAD = [
    ("cohorts", "0008_decisions_exact"),
    ("programmes", None),
    ("applications", None),
    ("reviews", None),
    ("selection", None),
]

MOVED = {
    "programmes": ["Partner", "Programme", "ProgrammeRole"],
    "applications": ["Application", "ApplicationEvent"],
    "reviews": [
        "ReviewCriterion",
        "ReviewAssignment",
        "Review",
        "ConflictOfInterest",
        "AssignmentRun",
    ],
    "selection": ["Quota", "SelectionRun", "Offer", "Participant"],
}
STAYED = ["Cohort", "ApplicationQuestion", "EligibilityRule"]


# The state (historical models) of that schema, for filling it.
OLD_STATE = [
    ("cohorts", "0008_decisions_exact"),
    ("core", "0001_initial"),
    ("notifications", "0003_scope"),
    ("contenttypes", "0002_remove_content_type_name"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    state = OLD_STATE if targets == OLD_HEAD else targets
    return executor.loader.project_state(state).apps


def _head():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.fixture
def restore_schema(transactional_db):
    yield
    _migrate(_head())


def _fill_old_schema(old, users) -> dict:
    """Two programmes' worth of rows in every table that moves, through the old models."""
    model = lambda name: old.get_model("cohorts", name)  # noqa: E731
    admin, reviewer, *applicants = users
    now = timezone.now()
    made = {}
    partner = model("Partner").objects.create(name="Northwind DC", kind="industry")
    union = model("Partner").objects.create(name="Workers' Union", kind="union")
    for n in range(2):
        programme = model("Programme").objects.create(name=f"AI Skills {n}", slug=f"ai-{n}")
        programme.partners.add(partner, union)
        model("ProgrammeRole").objects.create(
            user_id=admin.pk, programme=programme, role="programme_admin"
        )
        model("ProgrammeRole").objects.create(
            user_id=reviewer.pk, programme=programme, role="reviewer", employer="Contoso"
        )
        cohort = model("Cohort").objects.create(
            programme=programme,
            name=f"Cohort {n}",
            slug=f"c{n}",
            capacity=10,
            opens_at=now - timedelta(days=30),
            closes_at=now - timedelta(days=1),
            starts_on=date.today() + timedelta(days=30),
            ends_on=date.today() + timedelta(days=120),
        )
        model("ApplicationQuestion").objects.create(
            cohort=cohort, key="why", label="Why?", type="long_text"
        )
        model("EligibilityRule").objects.create(
            cohort=cohort, attribute="residency", operator="in", values=["citizen"]
        )
        criterion = model("ReviewCriterion").objects.create(cohort=cohort, name="Motivation")
        model("ConflictOfInterest").objects.create(
            reviewer_id=reviewer.pk, programme=programme, kind="employer", value="Contoso"
        )
        model("AssignmentRun").objects.create(
            cohort=cohort, requested_by_id=admin.pk, status="done"
        )
        model("Quota").objects.create(
            cohort=cohort, name="Women", attribute="gender", values=["female"], min_percent=40
        )
        run = model("SelectionRun").objects.create(
            cohort=cohort, author_id=admin.pk, seats=2, number=1, status="committed"
        )
        for i, person in enumerate(applicants):
            application = model("Application").objects.create(
                cohort=cohort,
                applicant_id=person.pk,
                status="accepted" if i == 0 else "offered",
                full_name=f"Person {i}",
                email=person.email,
                answers={"why": "To learn"},
                submitted_at=now - timedelta(days=5),
            )
            model("ApplicationEvent").objects.create(
                application=application, from_status="draft", to_status="submitted"
            )
            assignment = model("ReviewAssignment").objects.create(
                application=application, reviewer_id=reviewer.pk
            )
            model("Review").objects.create(
                assignment=assignment,
                scores={str(criterion.pk): 4},
                is_submitted=True,
                submitted_at=now,
            )
            model("Offer").objects.create(
                application=application, run=run, expires_at=now + timedelta(days=7)
            )
            if i == 0:
                model("Participant").objects.create(
                    application=application, cohort=cohort, user_id=person.pk
                )
    for names in MOVED.values():
        for name in names:
            made[name] = sorted(model(name).objects.values_list("pk", flat=True))
    for name in STAYED:
        made[name] = sorted(model(name).objects.values_list("pk", flat=True))
    made["partners"] = sorted(
        model("Programme").partners.through.objects.values_list("programme_id", "partner_id")
    )
    made["cohort_programmes"] = sorted(model("Cohort").objects.values_list("pk", "programme_id"))
    return made


def test_split_keeps_every_row_key_and_link(restore_schema):
    users = [UserFactory(), UserFactory(), UserFactory(), UserFactory()]
    old = _migrate(OLD_HEAD)
    made = _fill_old_schema(old, users)
    ContentType = old.get_model("contenttypes", "ContentType")
    content_type = ContentType.objects.get_or_create(app_label="cohorts", model="application")[0]
    AuditEntry = old.get_model("core", "AuditEntry")
    application_pk = made["Application"][0]
    entry = AuditEntry.objects.create(
        action="application.cv_opened", target_type="cohorts.application", target_id=application_pk
    )
    untouched = AuditEntry.objects.create(
        action="cohort.update", target_type="cohorts.cohort", target_id=made["Cohort"][0]
    )

    _migrate(_head())

    for app_label, names in MOVED.items():
        for name in names:
            model = current_apps.get_model(app_label, name)
            assert model._meta.db_table == f"cohorts_{name.lower()}"
            assert sorted(model.objects.values_list("pk", flat=True)) == made[name], name
    for name in STAYED:
        model = current_apps.get_model("cohorts", name)
        assert sorted(model.objects.values_list("pk", flat=True)) == made[name], name
    Programme = current_apps.get_model("programmes", "Programme")
    Cohort = current_apps.get_model("cohorts", "Cohort")
    assert (
        sorted(Programme.partners.through.objects.values_list("programme_id", "partner_id"))
        == (made["partners"])
    )
    assert sorted(Cohort.objects.values_list("pk", "programme_id")) == made["cohort_programmes"]
    # Relations across the new apps resolve through the ORM.
    Participant = current_apps.get_model("selection", "Participant")
    participant = Participant.objects.select_related(
        "application__cohort__programme", "user"
    ).first()
    assert participant.application.status == "accepted"
    assert participant.application.cohort.programme.partners.count() == 2
    # Content types and the audit log name the models' new apps; nothing else changes.
    content_type.refresh_from_db()
    assert (content_type.app_label, content_type.model) == ("applications", "application")
    entry.refresh_from_db()
    untouched.refresh_from_db()
    assert (entry.target_type, entry.target_id) == ("applications.application", str(application_pk))
    assert untouched.target_type == "cohorts.cohort"


def test_split_migrates_back_without_losing_rows(restore_schema):
    users = [UserFactory(), UserFactory(), UserFactory()]
    old = _migrate(OLD_HEAD)
    made = _fill_old_schema(old, users)
    _migrate(_head())
    old = _migrate(OLD_HEAD)
    for names in MOVED.values():
        for name in names:
            model = old.get_model("cohorts", name)
            assert sorted(model.objects.values_list("pk", flat=True)) == made[name], name
    ContentType = old.get_model("contenttypes", "ContentType")
    assert not ContentType.objects.filter(app_label__in=list(MOVED)).exists()
