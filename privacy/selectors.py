"""Reads of privacy: a person's erasure request, and what each cohort's retention period has
made due."""

import calendar
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Q
from django.utils import timezone

from applications.models import Application
from certificates.enums import CertificateStatus
from certificates.models import Certificate
from cohorts.models import Cohort
from privacy.enums import ErasureStatus, RetentionGroup
from privacy.models import ErasureRequest
from programmes.enums import RoleKind
from programmes.models import Programme, ProgrammeRole


def erasure_scheduled_for(*, user) -> ErasureRequest | None:
    return ErasureRequest.objects.filter(user=user, status=ErasureStatus.SCHEDULED).first()


def erasure_last_for(*, user) -> ErasureRequest | None:
    return ErasureRequest.objects.filter(user=user).order_by("-created_at", "-id").first()


def programmes_only_admin_of(*, user) -> list[Programme]:
    """The programmes where `user` is the only programme admin: erasing them leaves it with
    none, until a platform admin appoints another."""
    mine = ProgrammeRole.objects.filter(user=user, role=RoleKind.PROGRAMME_ADMIN).values(
        "programme_id"
    )
    return list(
        Programme.objects.filter(pk__in=mine)
        .annotate(
            admins=Count("roles", filter=Q(roles__role=RoleKind.PROGRAMME_ADMIN), distinct=True)
        )
        .filter(admins=1)
        .order_by("name")
    )


def valid_certificate_count(*, user) -> int:
    return Certificate.objects.filter(user=user, status=CertificateStatus.VALID).count()


def add_months(day: date, months: int) -> date:
    """`day` moved `months` calendar months on (the 31st becomes the month's last day)."""
    years, month = divmod(day.month - 1 + months, 12)
    year = day.year + years
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def in_group(group: str) -> Q:
    """Applications of the group: participants hold a place (a participant row), whatever
    happened after; everyone else was not selected (drafts, ineligible, declined…)."""
    if group == RetentionGroup.PARTICIPANTS:
        return Q(participant__isnull=False)
    return Q(participant__isnull=True)


@dataclass(frozen=True)
class GroupRetention:
    group: str
    label: str
    months: int
    due_on: date
    kept: int  # applications still holding the person's details
    anonymised: int
    today: date

    @property
    def is_due(self) -> bool:
        return self.due_on <= self.today

    @property
    def state(self) -> str:
        """ "due" (details held past the date), "scheduled" (held, date to come), "done" (all
        anonymised) or "empty" (nobody in the group)."""
        if self.kept:
            return "due" if self.is_due else "scheduled"
        return "done" if self.anonymised else "empty"


@dataclass(frozen=True)
class CohortRetention:
    cohort: Cohort
    groups: tuple[GroupRetention, ...]

    @property
    def due_now(self) -> int:
        return sum(group.kept for group in self.groups if group.is_due)


def retention_months(programme: Programme, group: str) -> int:
    """How long the programme keeps the data of `group` after the cohort ends."""
    if group == RetentionGroup.PARTICIPANTS:
        return programme.retention_months_participants
    return programme.retention_months_not_selected


def retention_plan(*, programme: Programme, now: datetime | None = None) -> list[CohortRetention]:
    """Each cohort of the programme, latest end first: for people not selected and for
    participants, the day their data is due to be anonymised (the cohort's end plus the
    programme's period) and how many applications still hold details or no longer do. Two
    queries, whatever the number of cohorts. A date is due from midnight in the cohort's own
    time zone."""
    now = now or timezone.now()
    cohorts = list(Cohort.objects.filter(programme=programme).order_by("-ends_on", "-id"))
    counts = {
        row["cohort_id"]: row
        for row in Application.objects.filter(cohort__programme=programme)
        .values("cohort_id")
        .annotate(
            **{
                f"{state}_{group.value}": Count(
                    "pk", filter=in_group(group) & Q(anonymised_at__isnull=state == "kept")
                )
                for group in RetentionGroup
                for state in ("kept", "gone")
            }
        )
        .order_by()
    }
    plan = []
    for cohort in cohorts:
        row = counts.get(cohort.pk, {})
        today = timezone.localdate(now, timezone=cohort.tz)
        groups = []
        for group in RetentionGroup:
            months = retention_months(programme, group)
            groups.append(
                GroupRetention(
                    group=group,
                    label=str(group.label),
                    months=months,
                    due_on=add_months(cohort.ends_on, months),
                    kept=row.get(f"kept_{group.value}", 0),
                    anonymised=row.get(f"gone_{group.value}", 0),
                    today=today,
                )
            )
        plan.append(CohortRetention(cohort=cohort, groups=tuple(groups)))
    return plan
