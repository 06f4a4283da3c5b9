"""Reads of applications, for applicants and for programme staff."""

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import User
from applications.enums import ApplicationStatus
from applications.models import Application, StatusCountChange
from cohorts.models import Cohort


def application_list_for_applicant(*, user: User) -> QuerySet[Application]:
    return (
        Application.objects.filter(applicant=user)
        .select_related("cohort__programme")
        .prefetch_related("events")
        .order_by("-created_at")
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
