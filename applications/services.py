"""Every write of an application; `application_transition` is the one status choke point."""

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts.enums import ConsentPurpose
from accounts.models import ApplicantProfile, User
from applications import selectors
from applications.enums import (
    APPLICATION_TRANSITIONS,
    DISPUTE_TEXT_MAX,
    MAX_OPEN_DISPUTES,
    ApplicationStatus,
    DisputeStatus,
)
from applications.models import Application, ApplicationDispute, ApplicationEvent
from applications.signals import application_withdrawn
from cohorts import attributes
from cohorts import selectors as cohort_selectors
from cohorts.enums import QuestionType
from cohorts.models import Cohort
from core.services import audit_record
from notifications import services as notification_services


class ApplicationError(Exception):
    """Something the rules of the programme do not allow; the message is shown as is."""


def _profile(user: User) -> ApplicantProfile | None:
    return ApplicantProfile.objects.filter(user=user).first()


def _snapshot(application: Application, profile: ApplicantProfile | None) -> None:
    """Copy what the profile says onto the application (lists and exports read these)."""
    application.email = application.applicant.email
    if profile is None:
        return
    application.full_name = profile.full_name
    for attribute in attributes.ATTRIBUTES:
        if attribute.is_kept:
            value = attribute.from_profile(profile, application.cohort.starts_on)
            setattr(application, attribute.column, value)


def _refresh_eligibility(application: Application, profile) -> cohort_selectors.Eligibility:
    questions = cohort_selectors.question_list_for_cohort(cohort=application.cohort)
    rules = cohort_selectors.rule_list_for_cohort(cohort=application.cohort)
    result = cohort_selectors.eligibility_for(
        cohort=application.cohort,
        profile=profile,
        answers=application.answers,
        questions=questions,
        rules=rules,
    )
    application.is_eligible = result.is_eligible
    application.eligibility_failures = result.reasons
    return result


_SNAPSHOT_FIELDS = ["email", "full_name", *attributes.kept_columns()]


def _lock(application: Application) -> Application:
    """The application re-read under a row lock, so concurrent requests cannot overwrite it."""
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("cohort__programme", "applicant")
        .get(pk=application.pk)
    )


def _check_transition(from_status: str, to_status: str) -> None:
    """Raise ApplicationError unless the transition table allows the move."""
    if to_status not in APPLICATION_TRANSITIONS[from_status]:
        raise ApplicationError(
            _("An application that is %(from)s cannot become %(to)s.")
            % {
                "from": ApplicationStatus(from_status).label.lower(),
                "to": ApplicationStatus(to_status).label.lower(),
            }
        )


def application_transition(
    *, application: Application, to_status: str, actor: User | None, note: str = ""
) -> Application:
    """Move an application to `to_status` if the transition table allows it; records an event.

    The choke point for every status change. Raises ApplicationError otherwise.
    """
    from_status = application.status
    _check_transition(from_status, to_status)
    updated = Application.objects.filter(pk=application.pk, status=from_status).update(
        status=to_status, updated_at=timezone.now()
    )
    if not updated:  # someone else changed it in the meantime
        raise ApplicationError(
            _("This application was changed meanwhile. Reload the page and try again.")
        )
    application.status = to_status
    ApplicationEvent.objects.create(
        application=application,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        note=note,
    )
    return application


# Ids per statement: well under SQLite's limit on parameters (32,766); PostgreSQL has none.
_BULK_CHUNK = 2000


def applications_transition_bulk(
    *,
    application_ids: list[int],
    from_status: str,
    to_status: str,
    actor: User | None,
    note: str = "",
) -> list[int]:
    """application_transition for many applications at once: those of `application_ids` still
    in `from_status` move to `to_status` (status and updated_at, as one UPDATE per 2,000), and
    each gets the same ApplicationEvent the one-by-one path writes (one bulk INSERT). Others
    are skipped. Returns the ids moved. Call inside a transaction: the rows are locked first,
    so the events match exactly the rows changed. Raises ApplicationError if the transition
    table forbids the move.
    """
    _check_transition(from_status, to_status)
    now = timezone.now()
    moved: list[int] = []
    for start in range(0, len(application_ids), _BULK_CHUNK):
        chunk = application_ids[start : start + _BULK_CHUNK]
        ids = list(
            Application.objects.select_for_update(of=("self",))
            .filter(pk__in=chunk, status=from_status)
            .values_list("pk", flat=True)
        )
        if ids:
            Application.objects.filter(pk__in=ids, status=from_status).update(
                status=to_status, updated_at=now
            )
            moved.extend(ids)
    ApplicationEvent.objects.bulk_create(
        [
            ApplicationEvent(
                application_id=pk,
                actor=actor,
                from_status=from_status,
                to_status=to_status,
                note=note,
                created_at=now,
            )
            for pk in moved
        ],
        batch_size=_BULK_CHUNK,
    )
    return moved


def applications_transition_cohort(
    *, cohort: Cohort, from_status: str, to_status: str, actor: User | None, note: str = ""
) -> int:
    """application_transition for every application of `cohort` in `from_status`, whatever
    their number: one UPDATE and one INSERT … SELECT of the events. Returns how many moved.
    Call inside a transaction; the caller compares the count with what it expected."""
    _check_transition(from_status, to_status)
    moved_at = timezone.now()
    moved = Application.objects.filter(cohort=cohort, status=from_status).update(
        status=to_status, updated_at=moved_at
    )
    applications_events_record(
        cohort=cohort,
        from_status=from_status,
        to_status=to_status,
        moved_at=moved_at,
        actor=actor,
        note=note,
    )
    return moved


def applications_events_record(
    *,
    cohort: Cohort,
    from_status: str,
    to_status: str,
    moved_at,
    actor: User | None,
    note: str,
) -> None:
    """Write, with one INSERT … SELECT, the events of the applications of `cohort` just moved
    to `to_status` by a set-based UPDATE that stamped them `updated_at=moved_at`. A note
    holding the marker "\x00" gets each application's waitlist rank in its place."""
    events = connection.ops.quote_name(ApplicationEvent._meta.db_table)
    applications = connection.ops.quote_name(Application._meta.db_table)
    prefix, marker, suffix = note.partition("\x00")
    note_sql = "%s || CAST(waitlist_rank AS TEXT) || %s" if marker else "%s"
    note_params = [prefix, suffix] if marker else [note]
    moved_at = connection.ops.adapt_datetimefield_value(moved_at)  # as the ORM stored it
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {events} (application_id, actor_id, from_status, to_status, note, "  # noqa: S608 - our tables
            f"created_at) SELECT id, %s, %s, %s, {note_sql}, %s FROM {applications} "
            "WHERE cohort_id = %s AND status = %s AND updated_at = %s",
            [
                actor.pk if actor else None,
                from_status,
                to_status,
                *note_params,
                moved_at,
                cohort.pk,
                to_status,
                moved_at,
            ],
        )


@transaction.atomic
def application_start(*, cohort: Cohort, applicant: User) -> Application:
    """The applicant's application to `cohort`, created as a draft on first visit.

    Raises ApplicationError when the cohort is not open or the applicant has no profile yet.
    """
    existing = Application.objects.filter(cohort=cohort, applicant=applicant).first()
    if existing:
        return existing
    if not cohort.is_open:
        raise ApplicationError(
            _("Applications to %(cohort)s are closed.") % {"cohort": cohort.name}
        )
    profile = _profile(applicant)
    if profile is None:
        raise ApplicationError(
            _("Complete your applicant profile first; your application starts from it.")
        )
    application = Application(cohort=cohort, applicant=applicant)
    _snapshot(application, profile)
    _refresh_eligibility(application, profile)
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:  # a second tab created it a moment ago
        return Application.objects.get(cohort=cohort, applicant=applicant)
    ApplicationEvent.objects.create(
        application=application, actor=applicant, to_status=ApplicationStatus.DRAFT
    )
    return application


def _ensure_editable(application: Application) -> None:
    cohort = application.cohort
    if application.status == ApplicationStatus.DRAFT:
        if not cohort.is_open:
            raise ApplicationError(
                _("The deadline has passed; this draft can no longer be changed.")
            )
        return
    if (
        application.status == ApplicationStatus.SUBMITTED
        and cohort.allow_edit_after_submit
        and cohort.is_open
    ):
        return
    raise ApplicationError(_("This application can no longer be changed."))


def _changed_meanwhile(expected: str, actual: str) -> str:
    if expected == ApplicationStatus.DRAFT and actual == ApplicationStatus.SUBMITTED:
        return _(
            "Your application was submitted meanwhile, so this change was not saved. "
            "Reload the page to see what was submitted."
        )
    return _("This application changed meanwhile, so this change was not saved. Reload the page.")


def _with_files_of(application: Application, answers: dict) -> dict:
    """`answers` (validated, without file questions) plus the files already uploaded."""
    files = {k: v for k, v in application.answers.items() if isinstance(v, dict)}
    return {**files, **answers}


@transaction.atomic
def application_save_answers(
    *,
    application: Application,
    answers: dict,
    actor: User,
    replace: bool = False,
    expected_status: str | None = None,
) -> cohort_selectors.Eligibility:
    """Store the answers and re-check eligibility.

    A draft keeps everything typed (`answers` are merged in). With `replace`, the answers (already
    validated, hidden conditional ones dropped) replace the stored ones, keeping uploaded files.
    For a submitted application (when the cohort allows edits) the change is recorded as an
    edit. `expected_status` is the status the change was made for (by default the status of
    `application` as the caller read it): a draft's autosave that lands after the submission
    is refused, never turned into an edit of the submitted answers. Raises ApplicationError
    when the application may not be changed.
    """
    expected = expected_status or application.status
    locked = _lock(application)
    if locked.status != expected:
        raise ApplicationError(_changed_meanwhile(expected, locked.status))
    _ensure_editable(locked)
    if replace:
        locked.answers = _with_files_of(locked, answers)
    else:
        locked.answers = {**locked.answers, **answers}
    profile = _profile(locked.applicant)
    _snapshot(locked, profile)
    result = _refresh_eligibility(locked, profile)
    if locked.status == ApplicationStatus.SUBMITTED and not result.is_eligible:
        raise ApplicationError(
            _("This change would make you ineligible, so it was not saved: %(reasons)s")
            % {"reasons": " ".join(result.reasons)}
        )
    locked.save(
        update_fields=[
            *_SNAPSHOT_FIELDS,
            "answers",
            "is_eligible",
            "eligibility_failures",
            "updated_at",
        ]
    )
    application.answers, application.is_eligible, application.eligibility_failures = (
        locked.answers,
        locked.is_eligible,
        locked.eligibility_failures,
    )
    if locked.status == ApplicationStatus.SUBMITTED:
        ApplicationEvent.objects.create(
            application=locked,
            actor=actor,
            from_status=locked.status,
            to_status=locked.status,
            note=_("Answers edited"),
        )
    return result


@transaction.atomic
def application_attach_file(
    *, application: Application, key: str | None, upload, display_name: str, actor: User
) -> None:
    """Store a validated PDF (the CV when `key` is None, else a file question's answer)."""
    application = _lock(application)
    _ensure_editable(application)
    if key is None:
        if application.cv:
            application.cv.delete(save=False)
        application.cv.save("cv.pdf", upload, save=False)
        application.cv_name = display_name
        application.cv_size = upload.size
        application.save(update_fields=["cv", "cv_name", "cv_size", "updated_at"])
        return
    from applications.storage import private_storage

    question = application.cohort.questions.filter(key=key, type=QuestionType.FILE).first()
    if question is None:
        raise ApplicationError(_("There is no such file question."))
    previous = application.answers.get(key)
    if isinstance(previous, dict) and previous.get("path"):
        private_storage().delete(previous["path"])
    import uuid

    path = private_storage().save(f"answers/{uuid.uuid4().hex}.pdf", upload)
    application.answers = {
        **application.answers,
        key: {"name": display_name, "path": path, "size": upload.size},
    }
    application.save(update_fields=["answers", "updated_at"])


@transaction.atomic
def application_submit(
    *, application: Application, actor: User, consent: bool, answers: dict | None = None
) -> Application:
    """Submit a draft: within the window, with valid answers, a CV, consent and eligibility.

    `answers` are the answers the applicant pressed Submit with, already validated against the
    questions (hidden conditional ones dropped): they replace the stored draft's answers, files
    kept, under the same row lock as the submission, so what is submitted is exactly what was
    posted whatever an autosave stored meanwhile. Without `answers` the stored ones are
    submitted. Records the consent (time and notice version), snapshots the profile, writes the
    event and sends a receipt. Raises ApplicationError with the reason otherwise; nothing is
    changed then.
    """
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("cohort__programme")
        .get(pk=application.pk)
    )
    cohort = application.cohort
    if application.status != ApplicationStatus.DRAFT:
        raise ApplicationError(_("This application has already been submitted."))
    if not cohort.is_open:
        raise ApplicationError(
            _("Applications to %(cohort)s closed on %(date)s.")
            % {
                "cohort": cohort.name,
                "date": timezone.localtime(cohort.closes_at, cohort.tz).strftime("%d %b %Y %H:%M"),
            }
        )
    if answers is not None:
        application.answers = _with_files_of(application, answers)
    if not application.cv:
        raise ApplicationError(_("Upload your CV (PDF) before submitting."))
    missing_files = [
        q.label
        for q in cohort_selectors.question_list_for_cohort(cohort=cohort)
        if q.type == QuestionType.FILE
        and q.is_required
        and q.key
        in cohort_selectors.visible_question_keys(
            cohort_selectors.question_list_for_cohort(cohort=cohort), application.answers
        )
        and not application.answers.get(q.key)
    ]
    if missing_files:
        raise ApplicationError(
            _("Upload a file for: %(questions)s.") % {"questions": "; ".join(missing_files)}
        )
    if not consent:
        raise ApplicationError(_("Please agree to the privacy notice to submit."))
    profile = _profile(application.applicant)
    _snapshot(application, profile)
    result = _refresh_eligibility(application, profile)
    if not result.is_eligible:
        raise ApplicationError(
            _("You are not eligible for this cohort: %(reasons)s")
            % {"reasons": " ".join(result.reasons)}
        )
    now = timezone.now()
    application.consent_version = cohort.privacy_notice_version
    application.consent_at = now
    application.submitted_at = now
    application.save()
    account_services.consent_give(
        user=application.applicant,
        purpose=ConsentPurpose.PROCESSING,
        notice_version=cohort.privacy_notice_version,
        at=now,
    )
    application_transition(
        application=application, to_status=ApplicationStatus.SUBMITTED, actor=actor
    )
    notification_services.notify(
        recipient=application.applicant,
        kind="application.submitted",
        context={
            "cohort_name": cohort.name,
            "programme_name": cohort.programme.name,
            "closes_at": cohort.closes_at,
        },
        url=f"/applications/{application.pk}/",
        scope=cohort.programme.notification_scope,
        dedupe_key=f"application-submitted:{application.pk}",
    )
    return application


@transaction.atomic
def application_withdraw(*, application: Application, actor: User, reason: str) -> Application:
    """Withdraw (applicant's choice), with an optional reason; notifies the applicant.

    Locks the cohort's row first, as every service that changes seats does, so a withdrawal
    racing an accept (cohort → offer → application) waits for it instead of deadlocking. A
    decision not yet released can be withdrawn whatever it is, so that hidden decisions all
    answer alike; a released "not selected" cannot.
    """
    cohort = Cohort.objects.select_for_update(of=("self",)).get(pk=application.cohort_id)
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("cohort__programme")
        .get(pk=application.pk)
    )
    previous = application.status
    if previous == ApplicationStatus.NOT_SELECTED and cohort.decisions_released_at is not None:
        raise ApplicationError(
            _("This application was not selected; there is nothing to withdraw.")
        )
    application_transition(
        application=application,
        to_status=ApplicationStatus.WITHDRAWN,
        actor=actor,
        note=reason.strip(),
    )
    # Selection (selection/receivers.py) frees a held seat and discards an unreleased letter.
    application_withdrawn.send(
        sender=Application,
        application=application,
        previous_status=previous,
        cohort=application.cohort,
    )
    application.withdrawn_reason = reason.strip()
    application.save(update_fields=["withdrawn_reason", "updated_at"])
    notification_services.notify(
        recipient=application.applicant,
        kind="application.withdrawn",
        context={
            "cohort_name": application.cohort.name,
            "programme_name": application.cohort.programme.name,
        },
        url=f"/applications/{application.pk}/",
        scope=application.cohort.programme.notification_scope,
        dedupe_key=f"application-withdrawn:{application.pk}",
    )
    return application


@transaction.atomic
def applications_withdraw_for_consent(*, user: User, actor: User) -> list[Application]:
    """Withdraw each of `user`'s open applications (`application_list_withdrawn_by_consent`),
    an accepted place included, through `application_withdraw`, so seats, letters, events and
    notices follow as for any withdrawal. Called when consent to processing is withdrawn.
    Returns the applications withdrawn; one that changed meanwhile so that it can no longer
    be withdrawn is left as it is."""
    withdrawn = []
    for application in selectors.application_list_withdrawn_by_consent(user=user):
        try:
            withdrawn.append(
                application_withdraw(
                    application=application,
                    actor=actor,
                    reason=_("Consent to processing personal data was withdrawn."),
                )
            )
        except ApplicationError:
            continue
    return withdrawn


@transaction.atomic
def application_bulk_transition(
    *, cohort: Cohort, ids: list[int], to_status: str, actor: User
) -> tuple[int, int]:
    """Move the selected applications of `cohort` where the transition allows. Returns
    (moved, skipped); skipped ones stay as they were."""
    moved = skipped = 0
    for application in (
        Application.objects.select_for_update(of=("self",))
        .filter(cohort=cohort, pk__in=ids)
        .order_by("pk")
    ):
        try:
            application_transition(
                application=application, to_status=to_status, actor=actor, note=_("Bulk action")
            )
        except ApplicationError:
            skipped += 1
        else:
            moved += 1
    skipped += len(set(ids)) - moved - skipped
    audit_record(
        actor=actor,
        action="applications.bulk_status",
        target=cohort,
        programme=cohort.programme_id,
        to_status=to_status,
        moved=moved,
        skipped=skipped,
    )
    return moved, skipped


def application_file_opened(*, application: Application, actor: User, what: str) -> None:
    """Audit a staff member opening an applicant's file."""
    if actor.pk != application.applicant_id:
        audit_record(
            actor=actor,
            action="applications.file_download",
            target=application,
            programme=application.cohort.programme_id,
            file=what,
        )


def application_viewed(*, application: Application, actor: User, via: str = "page") -> None:
    """Audit a staff member opening an application (the person's answers and profile), on its
    page or through the API (`via`)."""
    if actor.pk != application.applicant_id:
        audit_record(
            actor=actor,
            action="applications.view",
            target=application,
            programme=application.cohort.programme_id,
            **({"via": via} if via != "page" else {}),
        )


def applications_exported(*, cohort: Cohort, actor: User, fmt: str, rows: int) -> None:
    audit_record(
        actor=actor,
        action="applications.export",
        target=cohort,
        programme=cohort.programme_id,
        format=fmt,
        rows=rows,
    )


def application_deadline_reminders(*, now=None) -> int:
    """Remind applicants with a draft 48 hours before the deadline, once each. Returns how many."""
    sent = 0
    for application in selectors.drafts_due_for_reminder(now=now):
        with transaction.atomic():
            claimed = Application.objects.filter(
                pk=application.pk, deadline_reminder_sent_at__isnull=True
            ).update(deadline_reminder_sent_at=timezone.now())
            if not claimed:
                continue
            cohort = application.cohort
            notification_services.notify(
                recipient=application.applicant,
                kind="application.deadline_reminder",
                context={
                    "cohort_name": cohort.name,
                    "programme_name": cohort.programme.name,
                    "closes_at": cohort.closes_at,
                    "tz": cohort.timezone,
                },
                url=f"/apply/{cohort.programme.slug}/{cohort.slug}/",
                scope=cohort.programme.notification_scope,
                dedupe_key=f"application-deadline-reminder:{application.pk}",
            )
            sent += 1
    return sent


def status_counts_compact() -> int:
    """Fold the status-count changes into one row per cohort and status, and drop those of
    cohorts that no longer exist; returns how many rows were folded. One statement: a reader
    sees the rows before or after, never half of them, and changes committed meanwhile are
    left for the next run. A sum of 0 keeps its row: the folded rows carry this transaction's
    stamp, so a count cached before the fold is recounted (`selectors.application_filtered_page`),
    even for a cohort whose applications are all gone. Nothing to do on SQLite (no triggers
    write changes there)."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH folded AS (
                DELETE FROM applications_statuscountchange RETURNING cohort_id, status, n
            ), sums AS (
                INSERT INTO applications_statuscountchange (cohort_id, status, n)
                SELECT cohort_id, status, sum(n) FROM folded
                WHERE cohort_id IN (SELECT id FROM cohorts_cohort)
                GROUP BY cohort_id, status
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM folded), (SELECT count(*) FROM sums)
            """
        )
        folded, _kept = cursor.fetchone()
    return folded


# --- disputes --------------------------------------------------------------------------------


@transaction.atomic
def dispute_open(
    *, application: Application, actor: User, about: str, note: str
) -> ApplicationDispute:
    """The applicant asks for a correction of their submitted application: `about` names the
    answer or profile detail (one of `selectors.dispute_subjects`), `note` says what is wrong
    and what it should be. Audited (ids and `about` only, never the note). Raises
    ApplicationError when `actor` is not the applicant, the application is a draft or can still
    be edited, `about` is unknown, the note is empty or too long, or too many are open.
    """
    application = _lock(application)  # one at a time, so the cap on open disputes holds
    if actor.pk != application.applicant_id:
        raise ApplicationError(_("Only the applicant can ask for a correction."))
    if application.status == ApplicationStatus.DRAFT:
        raise ApplicationError(
            _("This application is still a draft: change your answers in the form instead.")
        )
    if application.is_editable:
        raise ApplicationError(
            _("You can still edit this application: change your answers in the form instead.")
        )
    if application.anonymised_at is not None:
        # Its details were deleted: a note now would be kept past the retention period.
        raise ApplicationError(
            _("The details of this application were deleted: there is nothing left to correct.")
        )
    questions = cohort_selectors.question_list_for_cohort(cohort=application.cohort)
    subjects = selectors.dispute_subject_labels(
        selectors.dispute_subjects(application=application, questions=questions)
    )
    if about not in subjects:
        raise ApplicationError(_("Choose what the correction is about from the list."))
    note = note.strip()
    if not note:
        raise ApplicationError(_("Say what is wrong and what it should be."))
    if len(note) > DISPUTE_TEXT_MAX:
        raise ApplicationError(
            _("Keep the note to %(max)s characters.") % {"max": DISPUTE_TEXT_MAX}
        )
    if selectors.dispute_open_count(application=application) >= MAX_OPEN_DISPUTES:
        raise ApplicationError(
            _(
                "You already have %(max)s open requests for this application. Wait for the "
                "programme team to answer them before you send another."
            )
            % {"max": MAX_OPEN_DISPUTES}
        )
    dispute = ApplicationDispute.objects.create(application=application, about=about, note=note)
    audit_record(
        actor=actor,
        action="applications.dispute_opened",
        target=application,
        programme=application.cohort.programme_id,
        dispute=dispute.pk,
        about=about,
    )
    return dispute


@transaction.atomic
def dispute_resolve(
    *, dispute: ApplicationDispute, actor: User, response: str = ""
) -> ApplicationDispute:
    """Staff mark a dispute resolved, with an optional response the applicant sees; audited
    (ids only) and the applicant notified. Raises ApplicationError when it was resolved
    already (by someone else meanwhile, say) or the response is too long."""
    response = response.strip()
    if len(response) > DISPUTE_TEXT_MAX:
        raise ApplicationError(
            _("Keep the response to %(max)s characters.") % {"max": DISPUTE_TEXT_MAX}
        )
    now = timezone.now()
    resolved = ApplicationDispute.objects.filter(pk=dispute.pk, status=DisputeStatus.OPEN).update(
        status=DisputeStatus.RESOLVED, resolved_at=now, resolved_by=actor, response=response
    )
    if not resolved:
        raise ApplicationError(_("This request was already resolved."))
    dispute.status, dispute.resolved_at, dispute.resolved_by, dispute.response = (
        DisputeStatus.RESOLVED,
        now,
        actor,
        response,
    )
    application = Application.objects.select_related("cohort__programme", "applicant").get(
        pk=dispute.application_id
    )
    cohort = application.cohort
    audit_record(
        actor=actor,
        action="applications.dispute_resolved",
        target=application,
        programme=cohort.programme_id,
        dispute=dispute.pk,
        about=dispute.about,
    )
    notification_services.notify(
        recipient=application.applicant,
        kind="application.dispute_resolved",
        context={"cohort_name": cohort.name, "programme_name": cohort.programme.name},
        url=f"/applications/{application.pk}/#disputes",
        scope=cohort.programme.notification_scope,
        dedupe_key=f"application-dispute-resolved:{dispute.pk}",
    )
    return dispute
