"""Erasure and retention: the person's right to have their data deleted, and the programme's
duty to keep it no longer than its privacy notice says (Singapore's PDPA; docs/operations.md).

Both anonymise through the parts every app registers in `core.privacy_registry`: an erasure
asks every part to erase everything about the person and then anonymises the account; a
retention purge asks them to erase what belongs to one cohort, and keeps the account. Files go
from the storage inside the same transaction, after the rows that named them are changed (a
commit that then failed leaves rows pointing at missing files, and the next run erases them).
"""

import logging
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.files.storage import storages
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import ConsentPurpose
from accounts.models import ApplicantProfile, User
from accounts.services import account_anonymise, consent_withdraw, placeholder_email
from applications.models import Application
from core import privacy_registry
from core.privacy_registry import ErasureScope, PersonalFile
from core.services import audit_record
from exports.services import (
    exports_delete_of,
    exports_expire_for_programmes,
    exports_expire_personal_of,
    exports_redact,
)
from notifications import services as notification_services
from privacy import selectors
from privacy.enums import CertificateChoice, ErasureStatus
from privacy.models import ErasureRequest
from programmes.models import Programme, ProgrammeRole

logger = logging.getLogger(__name__)

# Names shorter than this are not searched for in other people's rows: "Li" is in too many words.
IDENTIFIER_MIN_LENGTH = 5


class PrivacyError(Exception):
    """A request the rules refuse; the message is shown to the person."""


def grace_period() -> timedelta:
    return timedelta(days=settings.COHORTLINE_ERASURE_GRACE_DAYS)


# --- erasure -----------------------------------------------------------------------------------


@transaction.atomic
def erasure_request(
    *, user: User, certificate_choice: str = CertificateChoice.KEEP, now: datetime | None = None
) -> ErasureRequest:
    """Schedule the erasure of `user`'s account after the grace period. Audited; the person is
    told by email (a mandatory notice) when it will happen and how to cancel. Raises
    PrivacyError when one is already scheduled or the account is no longer active."""
    now = now or timezone.now()
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise PrivacyError(_("This account can no longer be changed."))
    if selectors.erasure_scheduled_for(user=user) is not None:
        raise PrivacyError(_("The deletion of your account is already scheduled."))
    choice = CertificateChoice(certificate_choice)
    erasure = ErasureRequest.objects.create(
        user=user, certificate_choice=choice, due_at=now + grace_period()
    )
    audit_record(
        actor=user,
        action="privacy.erasure_requested",
        target=user,
        erasure=erasure.pk,
        due_at=erasure.due_at.isoformat(),
        certificates=choice.value,
    )
    notification_services.notify(
        recipient=user,
        kind="privacy.erasure_scheduled",
        context={
            "due_on": timezone.localtime(erasure.due_at).strftime("%-d %B %Y, %H:%M"),
            "certificates": choice.value,
        },
        url=reverse("privacy:erasure"),
        dedupe_key=f"privacy.erasure_scheduled:{erasure.pk}",
    )
    return erasure


@transaction.atomic
def erasure_cancel(*, erasure: ErasureRequest, actor: User) -> ErasureRequest:
    """Cancel a scheduled erasure (the person changed their mind within the grace period).
    Audited. Raises PrivacyError once it was carried out or cancelled."""
    erasure = ErasureRequest.objects.select_for_update().get(pk=erasure.pk)
    if not erasure.is_scheduled:
        raise PrivacyError(_("This deletion can no longer be cancelled."))
    erasure.status = ErasureStatus.CANCELLED
    erasure.cancelled_at = timezone.now()
    erasure.save(update_fields=["status", "cancelled_at", "updated_at"])
    audit_record(
        actor=actor, action="privacy.erasure_cancelled", target=erasure.user, erasure=erasure.pk
    )
    notification_services.notify(
        recipient=erasure.user,
        kind="privacy.erasure_cancelled",
        context={},
        url=reverse("privacy:erasure"),
        dedupe_key=f"privacy.erasure_cancelled:{erasure.pk}",
    )
    return erasure


def identifiers_of(person: User) -> frozenset[str]:
    """What names the person in other people's rows: every email address they used, and the
    names they gave (five characters or more)."""
    values = {person.email, person.display_name}
    values.update(EmailAddress.objects.filter(user=person).values_list("email", flat=True))
    profile = ApplicantProfile.objects.filter(user=person).first()
    if profile is not None:
        values.update({profile.full_name, profile.phone})
    for full_name, email in Application.objects.filter(applicant=person).values_list(
        "full_name", "email"
    ):
        values.update({full_name, email})
    return frozenset(
        value.strip()
        for value in values
        if value and ("@" in value or len(value.strip()) >= IDENTIFIER_MIN_LENGTH)
    )


def _erase_parts(scope: ErasureScope) -> tuple[dict[str, int], list[PersonalFile]]:
    rows: dict[str, int] = {}
    files: list[PersonalFile] = []
    for part in privacy_registry.parts():
        if part.erase is None:
            continue
        erased = part.erase(scope)
        rows[part.slug] = erased.rows
        files.extend(erased.files)
    return rows, files


def _delete_files(files: list[PersonalFile]) -> tuple[int, int]:
    """Delete each stored file; (deleted, failed). A file already gone counts as deleted."""
    deleted = failed = 0
    for file in {(file.storage_alias, file.storage_name) for file in files}:
        alias, name = file
        try:
            storages[alias].delete(name)
        except Exception:  # noqa: BLE001 - any storage error: counted, logged, retried
            logger.warning("privacy: could not delete %s from the %s storage", name, alias)
            failed += 1
        else:
            deleted += 1
    return deleted, failed


def erasure_carry_out(*, erasure_id: int, now: datetime | None = None) -> ErasureRequest | None:
    """Carry out a scheduled erasure whose grace period is over (None when there is none).

    In one transaction: every consent is withdrawn (so open applications are withdrawn and a
    participant's place, compute and pairing are released as for any leaver); every app's part
    erases what it holds (core.privacy_registry); the person's exports go and the ready
    exports of their programmes expire; the files are deleted; the account is anonymised and
    can no longer be signed in to. The request keeps the counts; the audit log records it.
    """
    now = now or timezone.now()
    with transaction.atomic():
        erasure = (
            ErasureRequest.objects.select_for_update()
            .select_related("user")
            .filter(pk=erasure_id, status=ErasureStatus.SCHEDULED, due_at__lte=now)
            .first()
        )
        if erasure is None:
            return None
        # Locked until the end: a profile edit in flight waits, then finds the account gone.
        person = User.objects.select_for_update().get(pk=erasure.user_id)
        identifiers = identifiers_of(person)
        programme_ids = sorted(
            set(
                Application.objects.filter(applicant=person).values_list(
                    "cohort__programme_id", flat=True
                )
            )
            | set(ProgrammeRole.objects.filter(user=person).values_list("programme_id", flat=True))
        )
        for purpose in ConsentPurpose:
            consent_withdraw(user=person, purpose=purpose, actor=person)
        scope = ErasureScope(
            person=person,
            now=now,
            keep_certificates=erasure.certificate_choice == CertificateChoice.KEEP,
            placeholder_email=placeholder_email(person),
            identifiers=identifiers,
        )
        rows, files = _erase_parts(scope)
        rows["exports"] = (
            exports_delete_of(person=person)
            + exports_expire_for_programmes(programme_ids=programme_ids, now=now)
            + exports_redact(needles=identifiers)
        )
        deleted, failed = _delete_files(files)
        account_anonymise(user=person)
        erasure.status = ErasureStatus.DONE
        erasure.carried_out_at = now
        erasure.summary = {"rows": rows, "files_deleted": deleted, "files_failed": failed}
        erasure.save(update_fields=["status", "carried_out_at", "summary", "updated_at"])
        audit_record(
            actor=None,
            action="privacy.erasure_carried_out",
            target=person,
            erasure=erasure.pk,
            rows=sum(rows.values()),
            files=deleted,
            files_failed=failed,
            certificates=erasure.certificate_choice,
        )
    return erasure


def erasures_carry_out_due(*, now: datetime | None = None) -> int:
    """Periodic: carry out every scheduled erasure whose grace period is over, each in its own
    transaction (one that fails is logged and tried again by the next run). Returns how many
    were carried out."""
    now = now or timezone.now()
    done = 0
    due = ErasureRequest.objects.filter(status=ErasureStatus.SCHEDULED, due_at__lte=now)
    for erasure_id in due.order_by("due_at", "pk").values_list("pk", flat=True):
        try:
            if erasure_carry_out(erasure_id=erasure_id, now=now) is not None:
                done += 1
        except Exception:
            logger.exception("privacy: the erasure %s failed; the next run tries again", erasure_id)
    return done


# --- retention ---------------------------------------------------------------------------------


def application_purge(*, application_id: int, now: datetime) -> tuple[int, int] | None:
    """Anonymise one application's person within its cohort (the account stays): every part
    erases what belongs to the cohort. Returns (rows, files deleted), or None when it was
    already anonymised."""
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("applicant", "cohort__programme")
            .filter(pk=application_id, anonymised_at__isnull=True)
            .first()
        )
        if application is None:
            return None
        programme = application.cohort.programme
        others_kept = (
            Application.objects.filter(
                applicant_id=application.applicant_id,
                cohort__programme=programme,
                anonymised_at__isnull=True,
            )
            .exclude(pk=application.pk)
            .exists()
        )
        scope = ErasureScope(
            person=application.applicant,
            now=now,
            cohort_ids=frozenset({application.cohort_id}),
            keep_certificates=True,
            notification_scopes=(
                frozenset() if others_kept else frozenset({programme.notification_scope})
            ),
        )
        rows, files = _erase_parts(scope)
        rows["exports"] = exports_expire_personal_of(person=application.applicant, now=now)
        deleted, _failed = _delete_files(files)
    return sum(rows.values()), deleted


def retention_purge_group(*, cohort, group: str, months: int, now: datetime | None = None) -> int:
    """Anonymise every application of `group` in `cohort` that still holds details, and record
    it in the programme's audit log (how many people and files). Returns how many."""
    now = now or timezone.now()
    ids = list(
        Application.objects.filter(
            selectors.in_group(group), cohort=cohort, anonymised_at__isnull=True
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    people = files = 0
    for application_id in ids:
        done = application_purge(application_id=application_id, now=now)
        if done is not None:
            people += 1
            files += done[1]
    if people:
        exports_expire_for_programmes(programme_ids=[cohort.programme_id], now=now)
        audit_record(
            actor=None,
            action="privacy.retention_purged",
            target=cohort,
            programme=cohort.programme_id,
            group=group,
            months=months,
            people=people,
            files=files,
        )
    return people


def retention_purge(*, now: datetime | None = None) -> int:
    """Periodic (daily): anonymise the data whose retention period is over, in every programme
    (`selectors.retention_plan`), group by group. Returns the applications anonymised."""
    now = now or timezone.now()
    total = 0
    for programme in Programme.objects.order_by("pk"):
        for row in selectors.retention_plan(programme=programme, now=now):
            for group in row.groups:
                if group.kept and group.is_due:
                    total += retention_purge_group(
                        cohort=row.cohort, group=group.group, months=group.months, now=now
                    )
    return total
