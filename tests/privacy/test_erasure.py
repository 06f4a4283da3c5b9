"""Erasing an account: nothing that names the person is left in any table or any stored file;
what others' decisions and the cohort's figures rest on is unchanged; certificates are kept or
revoked as the person chose; the grace period, cancelling and the audit trail."""

import datetime
import os

import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.db import models
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from accounts.enums import ConsentPurpose
from accounts.models import ConsentRecord, User
from applications.models import Application
from certificates.enums import CertificateStatus
from certificates.models import Certificate
from core.models import AuditEntry
from dashboards import selectors as dashboard_selectors
from exports import services as export_services
from exports.models import Export
from exports.services import private_storage
from mentoring import services as mentoring_services
from mentoring.enums import ForbiddenSource
from mentoring.models import MentorProfile
from notifications.models import EmailMessage, Notification
from privacy import services
from privacy.enums import CertificateChoice, ErasureStatus
from privacy.models import ErasureRequest
from reviews.enums import ConflictKind
from reviews.models import Review
from selection.models import SelectionRun
from tests.factories import ConflictOfInterestFactory, ExportFactory, SelectionRunFactory
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db

MEI = {
    "email": "mei.lim@example.com",
    "name": "Mei Lim Hua",
    "phone": "98765432",
    "employer": "Quokka Robotics",
    "marker": "MEIMARK",
}
NEEDLES = tuple(MEI.values())
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.FileField)


def _later(days: int = 1) -> datetime.datetime:
    """A moment past the grace period of a request made now."""
    return timezone.now() + services.grace_period() + datetime.timedelta(days=days)


def _found_in_tables(needles=NEEDLES) -> list[tuple]:
    """Every (model, pk, field, needle) where a char, text, JSON or file field of any row of any
    model holds one of the needles (case-insensitively)."""
    found = []
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]
        if not fields:
            continue
        for row in model._base_manager.all():
            for field in fields:
                value = str(field.value_from_object(row)).casefold()
                found += [
                    (model._meta.label, row.pk, field.name, needle)
                    for needle in needles
                    if needle.casefold() in value
                ]
    return found


def _stored_files() -> dict[str, bytes]:
    """Every file of the private and the default storage: path -> content."""
    found = {}
    for storage in (private_storage(), default_storage):
        root = getattr(storage, "location", None)
        if not root or not os.path.isdir(root):
            continue
        for folder, _dirs, names in os.walk(root):
            for name in names:
                path = os.path.join(folder, name)
                with open(path, "rb") as stored:
                    found[path] = stored.read()
    return found


def _files_naming(files: dict[str, bytes], needles=NEEDLES) -> list[str]:
    return [
        path
        for path, content in files.items()
        for needle in needles
        if needle.encode().lower() in content.lower() or needle.lower() in path.lower()
    ]


@pytest.fixture
def extras(cohort, programme, mei, raj, common, reviewer, programme_admin, staff):
    """What names Mei in other people's rows and files, besides her own data."""
    # A reviewer's declared conflict with her, by email.
    ConflictOfInterestFactory(
        programme=programme,
        reviewer=reviewer,
        kind=ConflictKind.PERSON,
        value=MEI["email"].upper(),
        note=f"My cousin {MEI['name']}",
    )
    # Another person's notice and email that mention her.
    Notification.objects.create(
        recipient=staff, kind="test", text=f"{MEI['name']} ({MEI['email']}) accepted the offer"
    )
    EmailMessage.objects.create(
        recipient=staff,
        kind="test",
        subject=f"News about {MEI['name']}",
        body_text=f"Write to {MEI['email']}",
        body_html=f"<p>Write to {MEI['email']}</p>",
    )
    # An audit entry whose data holds her email.
    mentoring_services.forbidden_pair_add(
        programme=programme,
        mentor=MentorProfile.objects.get(pk=common["mentor"].pk),
        mentee=mei,
        source=ForbiddenSource.ADMIN,
        reason="",
        actor=programme_admin,
    )
    assert AuditEntry.objects.filter(action="mentoring.forbid", data__mentee=MEI["email"]).exists()
    # A staff export of her cohort's applications, and her own copy of her data.
    staff_export = ExportFactory(
        programme=programme,
        requested_by=staff,
        params={"cohort": cohort.slug, "filters": {}, "format": "csv"},
    )
    staff_export = export_services.export_build(export_id=staff_export.pk)
    own = export_services.export_build(
        export_id=export_services.personal_export_start(person=mei).pk
    )
    raj_own = export_services.export_build(
        export_id=export_services.personal_export_start(person=raj).pk
    )
    assert staff_export.file_name and own.file_name and raj_own.file_name
    # The figures others' decisions rest on.
    SelectionRunFactory(cohort=cohort, scores={"1": 4.0}, selected=[1], waitlist=[2])
    return {"staff_export": staff_export, "own_export": own, "raj_export": raj_own}


def _figures(cohort, raj) -> dict:
    return {
        "raj": list(
            Application.objects.filter(applicant=raj).values_list(
                "status", "full_name", "email", "answers"
            )
        ),
        "scores": list(Review.objects.order_by("pk").values_list("pk", "scores")),
        "runs": list(
            SelectionRun.objects.order_by("pk").values_list(
                "pk", "selected", "waitlist", "scores", "quotas"
            )
        ),
        "statuses": sorted(
            Application.objects.filter(cohort=cohort).values_list("status", flat=True)
        ),
        "funnel": dashboard_selectors.funnel(cohort=cohort),
    }


def _erase(person, *, choice=CertificateChoice.REVOKE) -> ErasureRequest:
    erasure = services.erasure_request(user=person, certificate_choice=choice)
    with TestCase.captureOnCommitCallbacks(execute=True):
        done = services.erasure_carry_out(erasure_id=erasure.pk, now=_later())
    assert done is not None and done.status == ErasureStatus.DONE
    return done


# --- completeness --------------------------------------------------------------------------------


def test_erasure_leaves_nothing_that_names_the_person(cohort, mei, raj, extras):
    before = _found_in_tables()
    assert {needle for *_, needle in before} == set(NEEDLES), "the world names Mei everywhere"
    files_before = _stored_files()
    mine = _files_naming(files_before)
    assert len(mine) >= 5  # CV, file answer, certificate PDF, the staff export, her own ZIP
    # Raj's own files (the programme's export lists him too, and goes).
    raj_files = [
        path
        for path in _files_naming(files_before, ("RAJMARK",))
        if not path.endswith(extras["staff_export"].file_name)
    ]

    done = _erase(mei)

    assert _found_in_tables() == []
    files_after = _stored_files()
    assert _files_naming(files_after) == []
    for name in (extras["staff_export"].file_name, extras["own_export"].file_name):
        assert not private_storage().exists(name)
    # Raj's files and his own copy of his data stay.
    assert raj_files
    assert set(raj_files) <= set(files_after)
    assert private_storage().exists(extras["raj_export"].file_name)
    assert not Export.objects.filter(requested_by=mei).exists()
    assert done.summary["files_failed"] == 0
    assert done.summary["files_deleted"] >= 3


def test_erased_account_cannot_sign_in_and_the_email_can_sign_up_again(mei, extras):
    assert Client().login(email=MEI["email"], password=PASSWORD)
    _erase(mei)
    mei.refresh_from_db()
    assert mei.is_active is False
    assert not mei.has_usable_password()
    assert mei.email == f"erased-{mei.pk}@erased.invalid"
    assert not Client().login(email=MEI["email"], password=PASSWORD)
    assert not Client().login(email=mei.email, password=PASSWORD)
    client = Client()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "email": MEI["email"],
                "password1": "violet-harbour-engine-42",
                "password2": "violet-harbour-engine-42",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    again = User.objects.get(email=MEI["email"])
    assert again.pk != mei.pk


def test_erasure_leaves_others_and_the_cohorts_figures_unchanged(cohort, mei, raj, extras):
    before = _figures(cohort, raj)
    raj_tables = _found_in_tables(("RAJMARK", "Raj Kumar", "raj@example.com"))
    _erase(mei)
    assert _figures(cohort, raj) == before
    assert _found_in_tables(("RAJMARK", "Raj Kumar", "raj@example.com")) == raj_tables
    # Her application keeps its status and its review its scores (the selection rests on them).
    application = Application.objects.get(applicant=mei)
    assert application.status == "accepted"
    assert application.full_name == "" or MEI["name"] not in application.full_name


def test_erasure_withdraws_every_consent(mei, extras):
    ConsentRecord.objects.create(
        user=mei,
        purpose=ConsentPurpose.PROCESSING,
        notice_version="2026-01",
        given_at=timezone.now(),
    )
    assert ConsentRecord.objects.filter(user=mei).active().exists()
    _erase(mei)
    assert ConsentRecord.objects.filter(user=mei).exists()
    assert not ConsentRecord.objects.filter(user=mei).active().exists()


# Withdrawing consent to processing stops optional notifications (and not the mandatory ones):
# tests/accounts/test_consent.py, test_withdrawing_processing_stops_optional_notifications_not_
# security_mail and test_consent_to_processing_given_again_resumes_optional_notifications.


# --- certificates --------------------------------------------------------------------------------


def _certificate_of(person) -> Certificate:
    return Certificate.objects.get(user=person)


def test_certificate_kept_stays_valid_with_the_name_and_the_pdf(client, mei, extras):
    certificate = _certificate_of(mei)
    pdf = certificate.pdf_name
    _erase(mei, choice=CertificateChoice.KEEP)
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID
    assert certificate.holder_name == MEI["name"]
    assert certificate.pdf_name == pdf and private_storage().exists(pdf)
    page = client.get(reverse("certificates:verify", args=[certificate.code]))
    assert page.status_code == 200
    assert MEI["name"] in page.content.decode()
    # What is kept is the certificate only: nothing else names her.
    assert {label for label, *_ in _found_in_tables()} == {"certificates.Certificate"}


def test_certificate_revoked_loses_the_name_the_credential_and_the_pdf(client, mei, extras):
    certificate = _certificate_of(mei)
    Certificate.objects.filter(pk=certificate.pk).update(
        credential={"credentialSubject": {"name": MEI["name"]}}
    )
    pdf = certificate.pdf_name
    _erase(mei, choice=CertificateChoice.REVOKE)
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    assert (certificate.holder_name, certificate.credential, certificate.pdf_name) == ("", {}, "")
    assert not private_storage().exists(pdf)
    page = client.get(reverse("certificates:verify", args=[certificate.code]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Revoked" in body and MEI["name"] not in body
    assert "Removed at the holder" in body
    assert 'data-testid="credential"' not in body  # no link to a credential that is gone
    credential = client.get(reverse("certificates:credential", args=[certificate.code]))
    assert credential.status_code == 410
    assert MEI["name"] not in credential.content.decode()


# --- grace period, cancelling, the audit trail ---------------------------------------------------


def test_carry_out_before_the_due_date_does_nothing(mei):
    erasure = services.erasure_request(user=mei)
    assert erasure.due_at == pytest.approx(
        timezone.now() + services.grace_period(), abs=datetime.timedelta(minutes=1)
    )
    early = erasure.due_at - datetime.timedelta(minutes=1)
    assert services.erasure_carry_out(erasure_id=erasure.pk, now=early) is None
    assert services.erasures_carry_out_due(now=early) == 0
    mei.refresh_from_db()
    erasure.refresh_from_db()
    assert (mei.is_active, mei.email, erasure.status) == (True, MEI["email"], "scheduled")


def test_carry_out_due_picks_only_due_and_scheduled_requests(mei, raj, applicant):
    now = timezone.now()
    due = services.erasure_request(user=mei, now=now - services.grace_period())
    not_yet = services.erasure_request(user=raj, now=now)
    cancelled = services.erasure_request(user=applicant, now=now - services.grace_period())
    services.erasure_cancel(erasure=cancelled, actor=applicant)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert services.erasures_carry_out_due(now=now) == 1
    statuses = {
        erasure.pk: erasure.status
        for erasure in ErasureRequest.objects.filter(pk__in=[due.pk, not_yet.pk, cancelled.pk])
    }
    assert statuses == {due.pk: "done", not_yet.pk: "scheduled", cancelled.pk: "cancelled"}
    assert User.objects.filter(pk__in=[raj.pk, applicant.pk], is_active=True).count() == 2
    # Much later: the cancelled one is still never carried out.
    assert services.erasure_carry_out(erasure_id=cancelled.pk, now=_later(400)) is None
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert services.erasures_carry_out_due(now=_later(400)) == 1  # Raj's only
    assert ErasureRequest.objects.get(pk=cancelled.pk).status == "cancelled"
    applicant.refresh_from_db()
    assert applicant.is_active and applicant.email == "applicant@example.com"


def test_a_second_request_while_one_is_scheduled_is_refused(mei):
    services.erasure_request(user=mei)
    with pytest.raises(services.PrivacyError):
        services.erasure_request(user=mei)
    assert ErasureRequest.objects.filter(user=mei).count() == 1


def test_after_cancelling_a_new_request_may_be_made(mei):
    first = services.erasure_request(user=mei)
    services.erasure_cancel(erasure=first, actor=mei)
    with pytest.raises(services.PrivacyError):
        services.erasure_cancel(erasure=first, actor=mei)
    second = services.erasure_request(user=mei)
    assert second.pk != first.pk and second.is_scheduled


def test_carried_out_twice_is_carried_out_once(mei, extras):
    done = _erase(mei)
    assert services.erasure_carry_out(erasure_id=done.pk, now=_later(5)) is None
    assert AuditEntry.objects.filter(action="privacy.erasure_carried_out").count() == 1
    with pytest.raises(services.PrivacyError):
        services.erasure_request(user=User.objects.get(pk=mei.pk))


def test_audit_entries_name_neither_the_email_nor_the_name(mei, extras):
    erasure = services.erasure_request(user=mei)
    services.erasure_cancel(erasure=erasure, actor=mei)
    _erase(mei)
    entries = AuditEntry.objects.filter(action__startswith="privacy.erasure_")
    assert sorted(entries.values_list("action", flat=True)) == [
        "privacy.erasure_cancelled",
        "privacy.erasure_carried_out",
        "privacy.erasure_requested",
        "privacy.erasure_requested",
    ]
    for entry in entries:
        text = str(entry.data).casefold()
        assert MEI["email"] not in text and MEI["name"].casefold() not in text
    carried = entries.get(action="privacy.erasure_carried_out")
    assert carried.data["rows"] > 0 and carried.data["certificates"] == "revoke"


def test_admin_log_export_queries_and_sign_in_origins_lose_the_person(
    cohort, mei, raj, programme, staff, platform_admin, extras
):
    """What names the person outside the apps' own rows: the admin site's change log (the
    account's name or email as it was), another person's export recorded with a search for
    her, and where she signed in from (IP address, user agent) in the audit log."""
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.test import RequestFactory

    from accounts.services import account_event_record

    raj_display = raj.display_name
    LogEntry.objects.log_actions(
        user_id=platform_admin.pk,
        queryset=[mei, raj],
        action_flag=CHANGE,
        change_message=f"Changed email from {MEI['email']}.",
    )
    request = RequestFactory().get(
        "/", REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="Mozilla MEIMARK"
    )
    account_event_record(request=request, action="account.login", actor=mei, account=mei)
    raj_login = account_event_record(
        request=RequestFactory().get("/", REMOTE_ADDR="198.51.100.9"),
        action="account.login",
        actor=raj,
        account=raj,
    )
    search = ExportFactory(
        programme=programme,
        requested_by=staff,
        params={"cohort": cohort.slug, "filters": {"q": MEI["name"]}, "format": "csv"},
    )
    needles = (*NEEDLES, mei.display_name, "203.0.113.77")
    assert {label for label, *_ in _found_in_tables(needles)} >= {
        "admin.LogEntry",
        "core.AuditEntry",
        "exports.Export",
    }

    _erase(mei)

    assert _found_in_tables(needles) == []
    search.refresh_from_db()
    assert search.params["cohort"] == cohort.slug
    # Raj's entries are his as they were.
    raj_login.refresh_from_db()
    assert raj_login.data["ip"] == "198.51.100.9"
    assert LogEntry.objects.filter(object_id=str(raj.pk), object_repr=raj_display).exists()


def test_a_profile_save_after_the_erasure_is_refused_and_writes_nothing():
    from django.core.exceptions import PermissionDenied

    from accounts import services as account_services
    from accounts.models import ApplicantProfile
    from tests.factories.accounts import ApplicantProfileFactory

    profile = ApplicantProfileFactory(full_name="Mei Lim")
    person = profile.user
    person.is_active = False
    person.save(update_fields=["is_active"])
    with pytest.raises(PermissionDenied):
        account_services.profile_save(user=person, data={"full_name": "Mei Lim again"})
    assert ApplicantProfile.objects.get(pk=profile.pk).full_name == "Mei Lim"
