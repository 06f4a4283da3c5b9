"""Every write of certificates: the rule, waivers and sign-offs, issuing (one by one and in
bulk, idempotent), revocation. Audited through core.services.audit_record."""

import base64
import gzip
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cohorts.models import Cohort
from core import background
from core.services import audit_record
from notifications import services as notification_services
from selection.models import Participant

from . import checklist, keys, ob3, pdf, selectors
from .enums import CertificateStatus, Requirement, RunStatus
from .models import Certificate, CertificationRule, IssueRun, SignOff, Waiver

log = logging.getLogger(__name__)

MINE_URL = "/certificates/"
# A running run whose progress has not moved for this long belonged to a worker that died.
STALE_RUN_SECONDS = 600
# A queued run not started after this long lost its task (broker down): enqueued again.
STALE_QUEUED_SECONDS = 300

RULE_FIELDS = {
    "min_attendance",
    "min_course_attendance",
    "assessments_must_pass",
    "min_mentoring_sessions",
    "compute_resource",
    "min_compute_use",
    "requires_sign_off",
    "achievement_name",
    "achievement_description",
    "criteria_narrative",
}


class CertificateError(Exception):
    """A certificate action that cannot be done; the message is for the user."""


# --- rule, waivers, sign-off -------------------------------------------------------------------


@transaction.atomic
def rule_save(*, cohort: Cohort, actor: User, **fields) -> CertificationRule:
    """Create or update the cohort's certification rule. `required_courses` is a list of
    Course of the cohort's programme. Raises CertificateError for an unknown field."""
    courses = fields.pop("required_courses", None)
    unknown = set(fields) - RULE_FIELDS
    if unknown:
        raise CertificateError(_("Unknown rule fields: %s") % ", ".join(sorted(unknown)))
    rule = CertificationRule.objects.filter(cohort=cohort).first()
    if rule is None:
        fields.setdefault("achievement_name", f"{cohort.programme.name}: {cohort.name}")
        rule = CertificationRule(cohort=cohort)
    for name, value in fields.items():
        setattr(rule, name, value)
    if not rule.achievement_name:
        rule.achievement_name = f"{cohort.programme.name}: {cohort.name}"
    rule.save()
    if courses is not None:
        if any(course.programme_id != cohort.programme_id for course in courses):
            raise CertificateError(_("Required courses must belong to the programme."))
        rule.required_courses.set(courses)
    audit_record(
        actor=actor,
        action="certificates.rule_saved",
        target=rule,
        programme=cohort.programme_id,
        cohort=cohort.pk,
        fields=sorted(fields) + (["required_courses"] if courses is not None else []),
    )
    return rule


@transaction.atomic
def waiver_add(*, cohort: Cohort, user: User, requirement: str, reason: str, actor: User) -> Waiver:
    """Excuse one requirement for one participant. Raises CertificateError without a reason or
    for someone who is not a participant of the cohort."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError(_("Say why the requirement is waived."))
    if requirement not in Requirement.values:
        raise CertificateError(_("Unknown requirement."))
    if not Participant.objects.filter(cohort=cohort, user=user).exists():
        raise CertificateError(_("This person is not a participant of the cohort."))
    waiver, _created = Waiver.objects.update_or_create(
        cohort=cohort,
        user=user,
        requirement=requirement,
        defaults={"reason": reason, "waived_by": actor},
    )
    audit_record(
        actor=actor,
        action="certificates.waiver_added",
        target=waiver,
        programme=cohort.programme_id,
        cohort=cohort.pk,
        user=user.pk,
        requirement=requirement,
        reason=reason,
    )
    return waiver


@transaction.atomic
def sign_off(*, cohort: Cohort, user: User, actor: User, note: str = "") -> SignOff:
    """Record the staff sign-off of one participant. Raises CertificateError for a non-participant."""
    if not Participant.objects.filter(cohort=cohort, user=user).exists():
        raise CertificateError(_("This person is not a participant of the cohort."))
    signed, _created = SignOff.objects.update_or_create(
        cohort=cohort, user=user, defaults={"signed_by": actor, "note": note.strip()}
    )
    audit_record(
        actor=actor,
        action="certificates.signed_off",
        target=signed,
        programme=cohort.programme_id,
        cohort=cohort.pk,
        user=user.pk,
    )
    return signed


# --- issuing -----------------------------------------------------------------------------------


def new_code() -> str:
    """256 random bits, URL-safe: 43 characters."""
    return secrets.token_urlsafe(32)


def verify_url(code: str) -> str:
    return f"{settings.SITE_URL}/verify/{code}/"


def credential_url(code: str) -> str:
    return f"{settings.SITE_URL}/verify/{code}/credential.json"


def achievement_url(cohort: Cohort) -> str:
    return (
        f"{settings.SITE_URL}/programmes/{cohort.programme.slug}/cohorts/{cohort.slug}/achievement"
    )


def _valid_certificate(*, cohort: Cohort, user: User) -> Certificate | None:
    return Certificate.objects.filter(
        cohort=cohort, user=user, status=CertificateStatus.VALID
    ).first()


def _draft(*, cohort: Cohort, user: User, waived: list[str], actor: User | None) -> Certificate:
    """The certificate with its PDF bytes and signed credential, not saved yet."""
    rule = selectors.rule_get(cohort=cohort)
    programme = cohort.programme
    now = timezone.now()
    code = new_code()
    issuer_name = settings.SITE_NAME
    holder = selectors.holder_name(user)
    narrative = rule.criteria_narrative.strip() or checklist.narrative(
        selectors.requirements_for(rule)
    )
    certificate = Certificate(
        code=code,
        cohort=cohort,
        user=user,
        holder_name=holder,
        programme_name=programme.name,
        cohort_name=cohort.name,
        partners=[p.name for p in programme.partners.order_by("name")],
        issuer_name=issuer_name,
        issued_on=timezone.localdate(now, cohort.tz),
        issued_by=actor if getattr(actor, "is_authenticated", False) else None,
        waived=waived,
    )
    certificate.narrative = narrative
    certificate.achievement_name = rule.achievement_name
    certificate.achievement_description = (
        rule.achievement_description or f"Completed {programme.name} ({cohort.name})."
    )
    certificate.pdf_bytes = pdf.render_certificate_pdf(
        holder_name=holder,
        programme=programme.name,
        cohort=cohort.name,
        partners=certificate.partners,
        issued_on=certificate.issued_on,
        code=code,
        verify_url=verify_url(code),
        issuer=issuer_name,
    )
    return certificate


# Certificates per Bitstring Status List: the spec's minimum (16 KB of bits), so a list does
# not tell how many certificates were issued.
STATUS_LIST_SIZE = 131_072


def status_list_url(number: int) -> str:
    return f"{settings.SITE_URL}/verify/status/{number}.json"


def _signing_key() -> tuple[str, object]:
    """The key that signs now; CertificateError (saying how to make one) when there is none."""
    try:
        return keys.current_key()
    except keys.NoSigningKey as exc:
        raise CertificateError(str(exc)) from None


def _sign(certificate: Certificate, key: tuple[str, object]) -> None:
    """Sign the saved certificate's Open Badges credential with `key`, with its place in the
    revocation status list (its id: list id // STATUS_LIST_SIZE, bit id % STATUS_LIST_SIZE)."""
    key_id, private_key = key
    did = selectors.issuer_did()
    issued_at = certificate.created_at
    number, index = divmod(certificate.pk, STATUS_LIST_SIZE)
    unsigned = ob3.build_credential(
        issuer_did=did,
        issuer_name=certificate.issuer_name,
        issuer_url=settings.SITE_URL,
        credential_id=credential_url(certificate.code),
        achievement_id=achievement_url(certificate.cohort),
        achievement_name=certificate.achievement_name,
        achievement_description=certificate.achievement_description,
        criteria_narrative=certificate.narrative,
        holder_name=certificate.holder_name,
        valid_from=issued_at,
        status={
            "id": f"{status_list_url(number)}#{index}",
            "statusPurpose": "revocation",
            "statusListIndex": str(index),
            "statusListCredential": status_list_url(number),
        },
    )
    certificate.credential = ob3.sign(
        unsigned, private_key=private_key, verification_method=f"{did}#{key_id}", created=issued_at
    )
    certificate.key_id = key_id
    certificate.save(update_fields=["credential", "key_id", "updated_at"])


def status_list_credential(*, number: int) -> dict:
    """The signed BitstringStatusListCredential of list `number`: a bit per certificate, set
    when it is revoked. Built and signed when asked for, so a revocation shows at once."""
    key_id, private_key = _signing_key()
    bits = bytearray(STATUS_LIST_SIZE // 8)
    first = number * STATUS_LIST_SIZE
    for pk in selectors.revoked_ids_between(first, first + STATUS_LIST_SIZE):
        index = pk - first
        bits[index // 8] |= 0x80 >> (index % 8)
    encoded = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).decode().rstrip(
        "="
    )
    did = selectors.issuer_did()
    now = timezone.now()
    url = status_list_url(number)
    unsigned = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": did,
        "validFrom": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded,
        },
    }
    return ob3.sign(
        unsigned, private_key=private_key, verification_method=f"{did}#{key_id}", created=now
    )


def certificate_issue(*, cohort: Cohort, user: User, actor: User | None) -> Certificate:
    """Issue the cohort's certificate to one participant: `certificate_issue_once` without the
    flag."""
    return certificate_issue_once(cohort=cohort, user=user, actor=actor)[0]


def certificate_issue_once(
    *, cohort: Cohort, user: User, actor: User | None
) -> tuple[Certificate, bool]:
    """Issue the cohort's certificate to one participant: PDF in the private storage, signed
    Open Badges credential, audit entry, and the holder is notified ("certificates.issued").
    Returns the certificate and whether this call created it.

    Idempotent: returns the valid certificate the person already holds, also when two callers
    race (the participant row is locked, and the one-valid-per-cohort constraint backs it).
    Raises CertificateError when the person is not eligible or not a participant."""
    existing = _valid_certificate(cohort=cohort, user=user)
    if existing is not None:
        return existing, False
    state = selectors.checklist_for(cohort=cohort, user=user)
    if selectors.participant_get(cohort=cohort, user_id=user.pk) is None:
        raise CertificateError(_("This person is not a participant of the cohort."))
    if not state.eligible:
        reasons = "; ".join(item.detail for item in state.missing) or _("no certification rule")
        raise CertificateError(_("Not eligible yet: %s") % reasons)
    # The slow part (PDF, signature) happens before the lock, so the lock is held briefly.
    key = _signing_key()  # a clear message now rather than after the PDF is drawn
    certificate = _draft(cohort=cohort, user=user, waived=state.waived, actor=actor)
    storage = storages["private"]
    try:
        with transaction.atomic():
            Participant.objects.select_for_update().get(cohort=cohort, user=user)
            existing = _valid_certificate(cohort=cohort, user=user)
            if existing is not None:
                return existing, False
            certificate.pdf_name = storage.save(
                f"certificates/{cohort.pk}/{certificate.code}.pdf",
                ContentFile(certificate.pdf_bytes),
            )
            certificate.save()
            _sign(certificate, key)
            audit_record(
                actor=actor,
                action="certificates.issued",
                target=certificate,
                programme=cohort.programme_id,
                cohort=cohort.pk,
                user=user.pk,
                waived=certificate.waived,
            )
            notification_services.notify(
                recipient=user,
                kind="certificates.issued",
                context=_context(certificate),
                url=MINE_URL,
                dedupe_key=f"certificates.issued:{certificate.pk}",
            )
    except IntegrityError:
        # Another process won the race on a database without row locks (SQLite).
        if certificate.pdf_name:
            storage.delete(certificate.pdf_name)
        existing = _valid_certificate(cohort=cohort, user=user)
        if existing is None:
            raise
        return existing, False
    except BaseException:
        if certificate.pdf_name:
            storage.delete(certificate.pdf_name)
        raise
    return certificate, True


def _context(certificate: Certificate) -> dict:
    return {
        "programme_name": certificate.programme_name,
        "cohort_name": certificate.cohort_name,
        "holder_name": certificate.holder_name,
        "verify_url": verify_url(certificate.code),
        "reason": certificate.revoked_reason,
    }


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, actor: User, reason: str) -> Certificate:
    """Revoke a certificate with a reason; the verification page says so at once and the holder
    is notified ("certificates.revoked"). Revoking a revoked certificate changes nothing.
    Raises CertificateError without a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError(_("Say why the certificate is revoked."))
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.is_revoked:
        return certificate
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_at = timezone.now()
    certificate.revoked_reason = reason
    certificate.revoked_by = actor
    certificate.save(
        update_fields=["status", "revoked_at", "revoked_reason", "revoked_by", "updated_at"]
    )
    audit_record(
        actor=actor,
        action="certificates.revoked",
        target=certificate,
        programme=certificate.cohort.programme_id,
        cohort=certificate.cohort_id,
        user=certificate.user_id,
        reason=reason,
    )
    notification_services.notify(
        recipient=certificate.user,
        kind="certificates.revoked",
        context=_context(certificate),
        url=MINE_URL,
        dedupe_key=f"certificates.revoked:{certificate.pk}",
    )
    return certificate


# --- bulk issuing ------------------------------------------------------------------------------


def _enqueue(run_id: int) -> None:
    transaction.on_commit(
        lambda: background.enqueue_or_leave("certificates.issue_run_execute", run_id)
    )


@transaction.atomic
def issue_run_start(*, cohort: Cohort, actor: User) -> IssueRun:
    """Issue to every eligible participant in the background. A queued or running run of the
    cohort is returned instead of starting a second one. Enqueues after commit."""
    Cohort.objects.select_for_update().filter(pk=cohort.pk).first()
    run = IssueRun.objects.filter(
        cohort=cohort, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
    ).first()
    if run is not None:
        return run
    run = IssueRun.objects.create(cohort=cohort, requested_by=actor, status=RunStatus.QUEUED)
    audit_record(
        actor=actor,
        action="certificates.issue_run_started",
        target=run,
        programme=cohort.programme_id,
        cohort=cohort.pk,
    )
    _enqueue(run.pk)
    return run


# People per chunk of a bulk run: each chunk is a task of its own, so that every worker helps.
CHUNK_SIZE = 25


def progress_every(total: int) -> int:
    """Write progress every 2 % of the people, and at least every 20."""
    return max(1, min(20, total // 50))


def issue_run_execute(*, run_id: int) -> IssueRun:
    """Claim a queued run, find who is eligible without a certificate, and hand them out in
    chunks of CHUNK_SIZE people to `issue_run_chunk` tasks, which any worker takes (in the web
    process itself without a broker). Resumable: a run taken up again after its worker died
    (see `issue_runs_sweep`) skips who already holds a certificate. A run that is not queued
    (done, or running elsewhere) is returned unchanged."""
    now = timezone.now()
    claimed = IssueRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=now, updated_at=now, attempt=F("attempt") + 1
    )
    run = IssueRun.objects.select_related("cohort__programme", "requested_by").get(pk=run_id)
    if not claimed:
        return run
    try:
        board = selectors.cohort_board(cohort=run.cohort)
        todo = [row.user.pk for row in board if row.state == "eligible"]
    except Exception as exc:
        log.exception("certificate issue run %s failed", run_id)
        _fail(run, exc)
        raise
    # A run taken up again counts on from the certificates it has made; what an earlier
    # attempt's chunks still do (they stop: their attempt is over) is not counted twice.
    IssueRun.objects.filter(pk=run.pk).update(
        total=run.issued + len(todo), done=run.issued, skipped=0, updated_at=timezone.now()
    )
    if not todo:
        _finish_if_complete(run.pk)
    for start in range(0, len(todo), CHUNK_SIZE):
        chunk = todo[start : start + CHUNK_SIZE]
        transaction.on_commit(
            lambda chunk=chunk: background.enqueue_or_leave(
                "certificates.issue_run_chunk", run.pk, run.attempt, chunk
            )
        )
    run.refresh_from_db()
    return run


def issue_run_chunk(*, run_id: int, attempt: int, user_ids: list[int]) -> int:
    """Issue to these people of a running bulk run; returns how many were issued. Progress is
    added to the run's counters (an UPDATE with F(), as chunks run side by side) every few
    people; the chunk that completes the count marks the run done. Only certificates this
    chunk creates count as issued. A chunk of a run that has failed or finished, or of an
    earlier attempt of a run taken up again, does nothing; issuing twice to one person returns
    the same certificate, so a chunk delivered twice does no harm."""
    run = IssueRun.objects.select_related("cohort__programme", "requested_by").get(pk=run_id)
    if run.status != RunStatus.RUNNING or run.attempt != attempt:
        return 0
    users = {user.pk: user for user in User.objects.filter(pk__in=user_ids)}
    issued = done = skipped = 0
    total_issued = 0
    step = max(1, min(5, len(user_ids)))
    try:
        for user_id in user_ids:
            user = users.get(user_id)
            try:
                if user is None:
                    raise CertificateError("no such person")
                _certificate, created = certificate_issue_once(
                    cohort=run.cohort, user=user, actor=run.requested_by
                )
                issued += created
            except CertificateError:
                # Evidence changed since the board was read (a waiver withdrawn, say).
                skipped += 1
            done += 1
            if done % step == 0:
                total_issued += issued
                _add_progress(run.pk, done=done, issued=issued, skipped=skipped)
                issued = done = skipped = 0
    except Exception as exc:
        log.exception("certificate issue run %s failed", run_id)
        _add_progress(run.pk, done=done, issued=issued, skipped=skipped)
        _fail(run, exc)
        raise
    except BaseException:
        # The worker is being stopped: keep the count of what was issued; the sweep resumes.
        _add_progress(run.pk, done=done, issued=issued, skipped=skipped)
        raise
    total_issued += issued
    _add_progress(run.pk, done=done, issued=issued, skipped=skipped)
    _finish_if_complete(run.pk)
    return total_issued


def _add_progress(run_id: int, *, done: int, issued: int, skipped: int) -> None:
    if done:
        IssueRun.objects.filter(pk=run_id).update(
            done=F("done") + done,
            issued=F("issued") + issued,
            skipped=F("skipped") + skipped,
            updated_at=timezone.now(),
        )


def _finish_if_complete(run_id: int) -> None:
    now = timezone.now()
    IssueRun.objects.filter(pk=run_id, status=RunStatus.RUNNING, done__gte=F("total")).update(
        status=RunStatus.DONE, finished_at=now, updated_at=now
    )


def _fail(run: IssueRun, exc: Exception) -> None:
    now = timezone.now()
    IssueRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
        status=RunStatus.FAILED, error=str(exc)[:2000], finished_at=now, updated_at=now
    )


def issue_runs_sweep(
    *, stale_seconds: int = STALE_RUN_SECONDS, queued_seconds: int = STALE_QUEUED_SECONDS
) -> int:
    """Take up runs whose worker died (running, no progress for `stale_seconds`) or whose task
    was lost (queued for `queued_seconds`): back to queued, enqueued again. Returns how many."""
    now = timezone.now()
    stale = list(
        IssueRun.objects.filter(
            status=RunStatus.RUNNING, updated_at__lt=now - timedelta(seconds=stale_seconds)
        ).values_list("pk", flat=True)
    )
    lost = list(
        IssueRun.objects.filter(
            status=RunStatus.QUEUED, updated_at__lt=now - timedelta(seconds=queued_seconds)
        ).values_list("pk", flat=True)
    )
    taken = []
    with transaction.atomic():
        for run_id in stale:
            if IssueRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
                status=RunStatus.QUEUED, updated_at=now
            ):
                taken.append(run_id)
        for run_id in lost:
            if IssueRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(updated_at=now):
                taken.append(run_id)
        for run_id in taken:
            _enqueue(run_id)
    return len(taken)
