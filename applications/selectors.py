"""Reads of applications, for applicants and for programme staff."""

import hashlib

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from applications.enums import ApplicationStatus, DisputeStatus
from applications.models import Application, ApplicationDispute, StatusCountChange
from cohorts import attributes
from cohorts import selectors as cohort_selectors
from cohorts.models import ApplicationQuestion, Cohort


def application_list_for_applicant(*, user: User) -> QuerySet[Application]:
    return (
        Application.objects.filter(applicant=user)
        .select_related("cohort__programme")
        .prefetch_related("events")
        .order_by("-created_at")
    )


# Statuses an applicant can still withdraw from (application_withdraw): everything not yet
# closed, an accepted place included. A "not selected" counts only while decisions are hidden.
WITHDRAWABLE_STATUSES = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.IN_REVIEW,
    ApplicationStatus.WAITLISTED,
    ApplicationStatus.OFFERED,
    ApplicationStatus.ACCEPTED,
    ApplicationStatus.NOT_SELECTED,
)


def application_list_withdrawn_by_consent(*, user: User) -> QuerySet[Application]:
    """The user's applications that withdrawing consent to processing withdraws, oldest
    first: those still open, an accepted place included."""
    return (
        Application.objects.filter(applicant=user, status__in=WITHDRAWABLE_STATUSES)
        .exclude(status=ApplicationStatus.NOT_SELECTED, cohort__decisions_released_at__isnull=False)
        .select_related("cohort__programme")
        .order_by("created_at", "id")
    )


def application_get_for_applicant(*, user: User, application_id: int) -> Application | None:
    """The user's own application, or None (404) — never someone else's."""
    if not user.is_authenticated:
        return None
    return (
        Application.objects.filter(applicant=user, pk=application_id)
        .select_related("cohort__programme")
        .first()
    )


def waitlist_position(*, application: Application) -> int | None:
    """Where a waitlisted application stands now: 1 is the next to be offered a seat. Counted
    from the waitlist as it is, since the rank given at the commit keeps its gaps after
    promotions and withdrawals. None when the application is not waitlisted."""
    if application.status != ApplicationStatus.WAITLISTED or application.waitlist_rank is None:
        return None
    ahead = Application.objects.filter(
        cohort_id=application.cohort_id, status=ApplicationStatus.WAITLISTED
    ).filter(
        Q(waitlist_rank__lt=application.waitlist_rank)
        | Q(waitlist_rank=application.waitlist_rank, pk__lt=application.pk)
    )
    return ahead.count() + 1


def application_get_for_staff(*, cohort: Cohort, application_id: int) -> Application | None:
    """A submitted (not draft) application of the cohort: drafts stay private to the applicant."""
    return (
        Application.objects.filter(cohort=cohort, pk=application_id)
        .exclude(status=ApplicationStatus.DRAFT)
        .select_related("applicant", "cohort__programme")
        .prefetch_related(Prefetch("events", queryset=_events()))
        .first()
    )


def _events():
    from applications.models import ApplicationEvent

    return ApplicationEvent.objects.select_related("actor").order_by("created_at", "id")


def application_list_for_cohort(*, cohort: Cohort) -> QuerySet[Application]:
    """Applications staff work with: everything but drafts."""
    return Application.objects.filter(cohort=cohort).exclude(status=ApplicationStatus.DRAFT)


def application_status_counts(*, cohort: Cohort) -> dict[str, int]:
    """How many of the cohort's applications are in each status, every status listed in order.

    On PostgreSQL the sum of the cohort's `StatusCountChange` rows, which triggers keep exact
    in the same transaction as every change (a few rows, not the cohort's 100,000); elsewhere a
    count of the applications."""
    counts = dict.fromkeys(ApplicationStatus.values, 0)
    if connection.vendor == "postgresql":
        rows = (
            StatusCountChange.objects.filter(cohort_id=cohort.pk)
            .order_by()
            .values("status")
            .annotate(total=Sum("n"))
            .values_list("status", "total")
        )
    else:
        rows = (
            Application.objects.filter(cohort=cohort)
            .order_by()
            .values("status")
            .annotate(total=Count("*"))
            .values_list("status", "total")
        )
    counts.update(rows)
    return counts


# A filtered page is kept this long, and served only while it is still exact (see below).
FILTERED_PAGE_SECONDS = 10 * 60


def application_filtered_page(
    *, cohort: Cohort, queryset: QuerySet, filters: str, offset: int, limit: int
) -> tuple[int, list[int] | None]:
    """How many rows `queryset` (some of the cohort's applications, chosen and ordered by the
    filters and sort that `filters` spells out) has, and the ids of its rows from `offset`, at
    most `limit`, in its order: exact, and on PostgreSQL read once per state of the cohort.

    Both are read in one statement, with the snapshot they were read in, and cached with it.
    Every committed insert, update or delete of the cohort's applications writes a change row
    stamped with its transaction's id (migration 0004), so the cached answer is served only
    while the cohort has no change row from a transaction that snapshot did not see: then
    reading again would give the same answer. A transaction that has written anything reads
    afresh and caches nothing (its answer holds changes not yet committed). The filters and the
    sort must read the application row only (every one of the staff list's does), since only
    its changes are stamped. Elsewhere (SQLite) only the count is read; the ids are None, for
    the caller to read with the rows."""
    if connection.vendor != "postgresql":
        return queryset.count(), None
    key = (
        "applications:filtered-page:"
        + hashlib.blake2b(
            f"{cohort.pk}:{offset}:{limit}:{filters}".encode(), digest_size=16
        ).hexdigest()
    )
    cached = cache.get(key)
    with connection.cursor() as cursor:
        if cached is not None:
            count, ids, snapshot = cached
            cursor.execute(
                "SELECT pg_current_xact_id_if_assigned() IS NULL AND NOT EXISTS ("
                " SELECT 1 FROM applications_statuscountchange WHERE cohort_id = %s"
                " AND xid >= pg_snapshot_xmin(%s::pg_snapshot)"
                " AND NOT pg_visible_in_snapshot(xid, %s::pg_snapshot))",
                [cohort.pk, snapshot, snapshot],
            )
            if cursor.fetchone()[0]:
                return count, ids
        count_sql, count_params = queryset.order_by().values("pk").query.sql_with_params()
        ids_sql, ids_params = queryset.values("pk")[offset : offset + limit].query.sql_with_params()
        cursor.execute(
            # The ORM's own SQL, run with its own parameters; ARRAY keeps the page's order.
            f"SELECT (SELECT count(*) FROM ({count_sql}) AS matched), ARRAY({ids_sql}),"  # noqa: S608
            " pg_current_snapshot()::text, pg_current_xact_id_if_assigned() IS NULL",
            (*count_params, *ids_params),
        )
        count, ids, snapshot, cacheable = cursor.fetchone()
    if cacheable:
        cache.set(key, (count, ids, snapshot), FILTERED_PAGE_SECONDS)
    return count, ids


def drafts_due_for_reminder(*, now=None):
    """Drafts of cohorts closing within 48 hours whose applicant was not reminded yet."""
    from datetime import timedelta

    now = now or timezone.now()
    return (
        Application.objects.filter(
            status=ApplicationStatus.DRAFT,
            deadline_reminder_sent_at__isnull=True,
            cohort__status="published",
            cohort__closes_at__gt=now,
            cohort__closes_at__lte=now + timedelta(hours=48),
        )
        .select_related("applicant", "cohort__programme")
        .order_by("pk")
    )


# --- disputes (requests to correct a submitted application) ----------------------------------

# The profile details an application keeps that a dispute can be about, beside the kept
# attributes; the age at the cohort's start follows from the date of birth, so it is that.
_DISPUTE_PROFILE_FIELDS = (("full_name", _("Full name")), ("email", _("Email")))
_DATE_OF_BIRTH = ("date_of_birth", _("Date of birth (age at the cohort's start)"))


def dispute_subjects(
    *, application: Application, questions: list[ApplicationQuestion]
) -> list[tuple]:
    """What a dispute of `application` can be about, grouped for a select: its answered or
    shown questions (`answer:<key>`), the profile details it kept (`profile:<field>`), and
    "other". `questions` are the cohort's (`question_list_for_cohort`); no query."""
    visible = cohort_selectors.visible_question_keys(questions, application.answers)
    answers = [
        (f"answer:{question.key}", question.label)
        for question in questions
        if question.key in visible or question.key in application.answers
    ]
    kept = [
        (attribute.column, attribute.label)
        for attribute in attributes.ATTRIBUTES
        if attribute.is_kept and attribute.column != "age_at_start"
    ]
    profile = [
        (f"profile:{name}", label)
        for name, label in (*_DISPUTE_PROFILE_FIELDS, *kept, _DATE_OF_BIRTH)
    ]
    groups: list[tuple] = []
    if answers:
        groups.append((_("Your answers"), answers))
    groups.append((_("Your profile when you applied"), profile))
    groups.append((ApplicationDispute.OTHER, _("Something else")))
    return groups


def dispute_subject_labels(subjects: list[tuple]) -> dict[str, str]:
    """`dispute_subjects` flattened: each key with its label."""
    labels: dict[str, str] = {}
    for key, value in subjects:
        if isinstance(value, list | tuple):
            labels.update((k, str(v)) for k, v in value)
        else:
            labels[key] = str(value)
    return labels


def dispute_about_label(about: str, labels: dict[str, str]) -> str:
    """How to name what a dispute is about; a question removed since is named by its key."""
    return labels.get(about) or about.partition(":")[2] or about


def dispute_list_for_application(*, application: Application) -> list[ApplicationDispute]:
    """The application's disputes, open ones first, each oldest first; with who resolved it."""
    return list(
        ApplicationDispute.objects.filter(application=application)
        .select_related("resolved_by")
        .order_by("status", "created_at", "id")
    )


def dispute_get_for_staff(
    *, application: Application, dispute_id: int
) -> ApplicationDispute | None:
    """A dispute of `application` (already fetched through `application_get_for_staff`)."""
    return ApplicationDispute.objects.filter(application=application, pk=dispute_id).first()


def dispute_open_count(*, application: Application) -> int:
    return ApplicationDispute.objects.filter(
        application=application, status=DisputeStatus.OPEN
    ).count()
