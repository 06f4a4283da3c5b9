"""Retention: each group of a cohort is anonymised its programme's number of months after the
cohort ends, and not a day before; accounts, other programmes and certificates stay."""

import datetime

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.test import TestCase
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from applications.enums import ApplicationStatus
from applications.models import Application
from certificates.enums import CertificateStatus
from certificates.models import Certificate
from cohorts.models import Cohort
from core.models import AuditEntry
from exports.services import private_storage
from privacy import selectors, services
from privacy.selectors import add_months
from programmes.models import RETENTION_MONTHS_DEFAULT, Programme
from tests.factories import ApplicationFactory, CohortFactory
from tests.factories.accounts import ApplicantProfileFactory

pytestmark = pytest.mark.django_db

NOT_SELECTED_MONTHS = 6
PARTICIPANT_MONTHS = 12


def _noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def _purge_on(day: datetime.date) -> int:
    with (
        time_machine.travel(_noon(day), tick=False),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        return services.retention_purge()


def _states(programme, day) -> dict:
    return {
        (row.cohort.slug, group.group): group.state
        for row in selectors.retention_plan(programme=programme, now=_noon(day))
        for group in row.groups
    }


@pytest.fixture
def ended(cohort):
    """The cohort ended ten days ago; its programme keeps people not selected for 6 months and
    participants for 12."""
    today = timezone.localdate()
    Cohort.objects.filter(pk=cohort.pk).update(
        starts_on=today - datetime.timedelta(days=100), ends_on=today - datetime.timedelta(days=10)
    )
    cohort.refresh_from_db()
    Programme.objects.filter(pk=cohort.programme_id).update(
        retention_months_not_selected=NOT_SELECTED_MONTHS,
        retention_months_participants=PARTICIPANT_MONTHS,
    )
    cohort.programme.refresh_from_db()
    return cohort


@pytest.fixture
def turned_down(ended):
    """Applied to the ended cohort with a CV and was not selected."""
    profile = ApplicantProfileFactory(user__email="tan@example.com", full_name="Tan Wei Ming")
    cv = private_storage().save("cv/TANMARK.pdf", ContentFile(b"%PDF cv of TANMARK"))
    ApplicationFactory(
        cohort=ended,
        applicant=profile.user,
        full_name=profile.full_name,
        email="tan@example.com",
        status=ApplicationStatus.NOT_SELECTED,
        submitted_at=timezone.now() - datetime.timedelta(days=120),
        answers={"motivation": "Motivation TANMARK"},
        cv=cv,
    )
    return profile.user


@pytest.fixture
def elsewhere(mei, other_programme):
    """Mei's application to another programme's cohort, which ended on the same day."""
    cohort = CohortFactory(programme=other_programme, slug="elsewhere")
    today = timezone.localdate()
    Cohort.objects.filter(pk=cohort.pk).update(
        starts_on=today - datetime.timedelta(days=100), ends_on=today - datetime.timedelta(days=10)
    )
    return ApplicationFactory(
        cohort=cohort,
        applicant=mei,
        full_name="Mei Lim Hua",
        email="mei.lim@example.com",
        status=ApplicationStatus.NOT_SELECTED,
        answers={"motivation": "Elsewhere MEIMARK"},
    )


def test_a_new_programme_keeps_data_for_the_default_period(programme, cohort):
    assert programme.retention_months_not_selected == RETENTION_MONTHS_DEFAULT == 24
    assert programme.retention_months_participants == 24
    (row,) = selectors.retention_plan(programme=programme)
    assert {group.due_on for group in row.groups} == {add_months(cohort.ends_on, 24)}


def test_retention_purges_each_group_after_its_own_period(ended, mei, turned_down, elsewhere, raj):
    not_selected_due = add_months(ended.ends_on, NOT_SELECTED_MONTHS)
    participants_due = add_months(ended.ends_on, PARTICIPANT_MONTHS)
    day = datetime.timedelta(days=1)
    tan_application = Application.objects.get(applicant=turned_down)
    tan_cv = tan_application.cv.name
    mei_application = Application.objects.get(applicant=mei, cohort=ended)
    mei_files = [mei_application.cv.name, mei_application.answers["plan"]["path"]]
    certificate = Certificate.objects.get(user=mei)
    programme = ended.programme

    assert _states(programme, not_selected_due - day) == {
        ("spring", "not_selected"): "scheduled",
        ("spring", "participants"): "scheduled",
    }
    # The day before: nothing.
    assert _purge_on(not_selected_due - day) == 0
    assert not AuditEntry.objects.filter(action="privacy.retention_purged").exists()
    assert Application.objects.filter(anonymised_at__isnull=False).count() == 0
    assert _states(programme, not_selected_due)[("spring", "not_selected")] == "due"

    # The day after: the people not selected, not the participants.
    assert _purge_on(not_selected_due + day) == 1
    tan_application.refresh_from_db()
    assert tan_application.anonymised_at is not None
    assert (tan_application.email, tan_application.answers, tan_application.cv.name) == ("", {}, "")
    assert "Tan Wei Ming" not in tan_application.full_name
    assert tan_application.status == ApplicationStatus.NOT_SELECTED
    assert not private_storage().exists(tan_cv)
    turned_down.refresh_from_db()
    assert turned_down.is_active and turned_down.email == "tan@example.com"
    mei_application.refresh_from_db()
    assert mei_application.anonymised_at is None and mei_application.full_name == "Mei Lim Hua"
    assert all(private_storage().exists(name) for name in mei_files)
    (entry,) = AuditEntry.objects.filter(action="privacy.retention_purged")
    assert entry.programme_id == programme.pk
    assert (entry.target_type, entry.target_id) == ("cohorts.cohort", str(ended.pk))
    assert entry.data["group"] == "not_selected"
    assert (entry.data["people"], entry.data["files"], entry.data["months"]) == (1, 1, 6)
    assert _states(programme, not_selected_due + day) == {
        ("spring", "not_selected"): "done",
        ("spring", "participants"): "scheduled",
    }
    # Again the same day: nothing more.
    assert _purge_on(not_selected_due + day) == 0
    assert AuditEntry.objects.filter(action="privacy.retention_purged").count() == 1

    # The participants: the day before theirs, nothing; the day after, both.
    assert _purge_on(participants_due - day) == 0
    assert _purge_on(participants_due + day) == 2
    mei_application.refresh_from_db()
    assert mei_application.anonymised_at is not None
    assert mei_application.status == ApplicationStatus.ACCEPTED
    assert mei_application.email == "" and mei_application.answers == {}
    assert not any(private_storage().exists(name) for name in mei_files)
    mei.refresh_from_db()
    assert mei.is_active and mei.email == "mei.lim@example.com"
    # Her application elsewhere (another programme, 24 months) and her certificate stay.
    elsewhere.refresh_from_db()
    assert elsewhere.anonymised_at is None
    assert elsewhere.answers == {"motivation": "Elsewhere MEIMARK"}
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID
    assert certificate.holder_name == "Mei Lim Hua"
    assert private_storage().exists(certificate.pdf_name)
    entry = AuditEntry.objects.filter(action="privacy.retention_purged").latest("pk")
    assert (entry.data["group"], entry.data["people"], entry.data["months"]) == (
        "participants",
        2,
        12,
    )
    assert entry.data["files"] >= 4
    assert _purge_on(participants_due + day) == 0
    assert AuditEntry.objects.filter(action="privacy.retention_purged").count() == 2
    assert _states(programme, participants_due + day) == {
        ("spring", "not_selected"): "done",
        ("spring", "participants"): "done",
    }


def test_a_cohort_without_applications_is_empty(programme):
    CohortFactory(programme=programme, slug="quiet")
    assert _states(programme, timezone.localdate()) == {
        ("quiet", "not_selected"): "empty",
        ("quiet", "participants"): "empty",
    }


def test_application_purge_of_an_anonymised_application_is_none(ended, turned_down):
    application = Application.objects.get(applicant=turned_down)
    assert services.application_purge(application_id=application.pk, now=timezone.now())
    assert services.application_purge(application_id=application.pk, now=timezone.now()) is None


# --- add_months ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2026, 1, 31), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2028, 1, 31), 1, datetime.date(2028, 2, 29)),
        (datetime.date(2026, 3, 31), 1, datetime.date(2026, 4, 30)),
        (datetime.date(2026, 8, 31), 6, datetime.date(2027, 2, 28)),
        (datetime.date(2028, 2, 29), 12, datetime.date(2029, 2, 28)),
        (datetime.date(2028, 2, 29), 48, datetime.date(2032, 2, 29)),
        (datetime.date(2026, 12, 15), 1, datetime.date(2027, 1, 15)),
        (datetime.date(2026, 11, 30), 24, datetime.date(2028, 11, 30)),
        (datetime.date(2026, 5, 17), 0, datetime.date(2026, 5, 17)),
        (datetime.date(2026, 1, 1), 120, datetime.date(2036, 1, 1)),
    ],
)
def test_add_months_edges(day, months, expected):
    assert add_months(day, months) == expected


DAYS = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2999, 12, 31))
MONTHS = st.integers(min_value=0, max_value=1200)


@given(day=DAYS, months=MONTHS)
def test_add_months_lands_in_the_right_month_within_its_bounds(day, months):
    result = add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day <= day.day
    # Only a day the month lacks is moved back: then it is the month's last day.
    assert result.day == day.day or (result + datetime.timedelta(days=1)).day == 1


@given(first=DAYS, second=DAYS, months=MONTHS, more=st.integers(min_value=0, max_value=100))
def test_add_months_is_monotonic(first, second, months, more):
    low, high = sorted((first, second))
    assert add_months(low, months) <= add_months(high, months)
    assert add_months(low, months) <= add_months(low, months + more)
    assert add_months(low, months) >= low


def test_no_correction_after_the_purge_and_an_erasure_then_leaves_no_note(ended, turned_down):
    """Once a purge deleted an application's details, its applicant cannot add a note to it (it
    would be kept past the period); a note written before the purge never survives an erasure
    either, though the erasure skips applications already anonymised."""
    from applications import services as application_services
    from applications.models import ApplicationDispute

    application = Application.objects.get(applicant=turned_down)
    assert application.is_disputable
    assert services.application_purge(application_id=application.pk, now=timezone.now())
    application.refresh_from_db()
    assert not application.is_disputable
    with pytest.raises(application_services.ApplicationError):
        application_services.dispute_open(
            application=application, actor=turned_down, about="other", note="Tan Wei Ming"
        )
    # A note that got in anyway (written as the purge ran) goes with the erasure.
    ApplicationDispute.objects.create(application=application, about="other", note="TANMARK")
    erasure = services.erasure_request(user=turned_down)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert services.erasure_carry_out(
            erasure_id=erasure.pk, now=erasure.due_at + datetime.timedelta(minutes=1)
        )
    assert not ApplicationDispute.objects.filter(application=application).exists()


def test_the_purge_expires_the_persons_own_copy_of_their_data(ended, turned_down):
    """Their copy of their own data (a ZIP in the storage, with the CV) holds what the purge
    anonymised: it expires and its file goes."""
    from exports import services as export_services
    from exports.enums import ExportStatus

    own = export_services.export_build(
        export_id=export_services.personal_export_start(person=turned_down).pk
    )
    stored = own.file_name
    assert own.status == ExportStatus.READY and private_storage().exists(stored)
    application = Application.objects.get(applicant=turned_down)
    assert services.application_purge(application_id=application.pk, now=timezone.now())
    own.refresh_from_db()
    assert own.status == ExportStatus.EXPIRED and own.file_name == ""
    assert not private_storage().exists(stored)
