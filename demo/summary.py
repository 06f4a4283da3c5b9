"""What the demo holds, by role, read from the database: the logins `seed_demo` prints.

Every count is a query, so the printout says what a fresh demo really shows (and the README
needs no numbers that could go stale)."""

from dataclasses import dataclass, field

from django.db.models import Count, Q

from accounts.models import ApplicantProfile, User
from applications.enums import ApplicationStatus
from applications.models import Application
from cohorts.enums import CohortStatus
from privacy.enums import ErasureStatus
from privacy.models import ErasureRequest
from programmes.enums import RoleKind
from programmes.models import Programme, ProgrammeRole
from reviews.models import ReviewAssignment
from selection.models import Participant

# Applications a reviewer can still score (as reviews.selectors.REVIEWABLE_STATUSES).
REVIEWABLE = (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW)


def _reviewer_line(count: dict) -> str:
    line = "Reviews: {done} of {total} assigned applications scored".format(**count)
    if count["open"]:
        return line + "; {open} still to score in the review queue".format(**count)
    return line + "; selection is done, so the queue is empty — see the scores in Ranking"


@dataclass
class Role:
    title: str
    logins: list[tuple[str, str]] = field(default_factory=list)  # (email, what to try first)
    note: str = ""


def _role_users(programme: Programme, role: str) -> list[User]:
    ids = ProgrammeRole.objects.filter(programme=programme, role=role).values("user_id")
    return list(User.objects.filter(pk__in=ids).order_by("pk"))


def roles(
    programme: Programme, *, featured: dict[str, str], instructor_email: str = ""
) -> list[Role]:
    """The demo's people by role, each with what to try first. `featured` maps a participant's
    email to what their login shows (from the apps' demo builders)."""
    result = []
    admins = User.objects.filter(is_superuser=True, email__endswith="@example.org")
    result.append(
        Role(
            "Platform admin",
            [(u.email, "Platform admin: every programme; the Django admin") for u in admins],
        )
    )
    result.append(
        Role(
            "Programme admin",
            [
                (u.email, f"{programme.name}: applications, selection, outbox, team")
                for u in _role_users(programme, RoleKind.PROGRAMME_ADMIN)
            ],
        )
    )
    reviewers = _role_users(programme, RoleKind.REVIEWER)
    counts = {
        row["reviewer"]: row
        for row in ReviewAssignment.objects.filter(reviewer__in=reviewers, is_active=True)
        .values("reviewer")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(review__is_submitted=True)),
            open=Count(
                "pk",
                filter=Q(application__status__in=REVIEWABLE) & ~Q(review__is_submitted=True),
            ),
        )
    }
    result.append(
        Role(
            "Reviewers",
            [
                (u.email, _reviewer_line(counts.get(u.pk, {"done": 0, "total": 0, "open": 0})))
                for u in reviewers
            ],
        )
    )
    mentors = _role_users(programme, RoleKind.MENTOR)
    named = [u for u in mentors if u.email.startswith("mentor.")]
    others = [u for u in mentors if u not in named]
    result.append(
        Role(
            "Mentors",
            [(u.email, "My mentoring: mentees, log or confirm a session") for u in named],
            note=(
                f"and {len(others)} more mentors, {others[0].email} … {others[-1].email}"
                if others
                else ""
            ),
        )
    )
    staff = _role_users(programme, RoleKind.STAFF)
    result.append(
        Role(
            "Staff and instructors",
            [
                (
                    u.email,
                    "Courses: today's roster and check-in code, progress, who is at risk"
                    if u.email == instructor_email
                    else f"{programme.name}: applications and courses",
                )
                for u in staff
            ],
        )
    )
    result.append(
        Role(
            "Partner viewers",
            [
                (u.email, "Programme dashboard: the cohort's figures as aggregates, no names")
                for u in _role_users(programme, RoleKind.PARTNER_VIEWER)
            ],
        )
    )
    applied = Application.objects.values("applicant_id")
    fresh = list(
        ApplicantProfile.objects.exclude(user__in=applied)
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )
    statuses = dict(
        Application.objects.filter(cohort__programme=programme)
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    submitted = sum(
        n
        for status, n in statuses.items()
        if status not in (ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN)
    )
    result.append(
        Role(
            "Applicants",
            [(email, "not applied yet: apply to the open cohort") for email in fresh[:1]],
            note=(
                f"{len(fresh)} with a profile who have not applied"
                + (f" ({fresh[0]} … {fresh[-1]})" if len(fresh) > 1 else "")
                + f"; {submitted} submitted applications, "
                f"{statuses.get(ApplicationStatus.DRAFT, 0)} drafts, "
                f"{statuses.get(ApplicationStatus.WITHDRAWN, 0)} withdrawn"
            ),
        )
    )
    participants = Participant.objects.filter(cohort__programme=programme).count()
    result.append(
        Role(
            "Participants",
            [(email, note) for email, note in featured.items() if email],
            note=f"{participants} participants in all",
        )
    )
    alumni = list(
        User.objects.filter(
            email__endswith="@example.org",
            applicant_profile__isnull=True,
            applications__cohort__programme=programme,
        )
        .exclude(applications__cohort__status=CohortStatus.PUBLISHED)
        .distinct()
        .order_by("email")
        .values_list("email", flat=True)
    )
    if alumni:
        result.append(
            Role(
                "Alumni of earlier intakes",
                [(alumni[0], "applied in 2024: the pilot's details are anonymised (retention)")],
                note=f"{len(alumni)} in all ({alumni[0]} … {alumni[-1]})",
            )
        )
    leaving = set(
        ErasureRequest.objects.filter(status=ErasureStatus.SCHEDULED).values_list(
            "user__email", flat=True
        )
    )
    outsiders = (
        User.objects.filter(
            email__endswith="@example.org",
            is_superuser=False,
            applicant_profile__isnull=True,
            programme_roles__isnull=True,
        )
        .exclude(email__in=alumni)
        .order_by("email")
    )
    result.append(
        Role(
            "No role",
            [
                (
                    u.email,
                    "asked for the account to be deleted: see the date, or cancel, under "
                    "Account settings → Delete your account"
                    if u.email in leaving
                    else "a verified account with no role and no profile: sees nothing",
                )
                for u in outsiders
            ],
        )
    )
    return [role for role in result if role.logins or role.note]


def lines(role_list: list[Role]) -> list[str]:
    out = []
    for role in role_list:
        out.append(f"{role.title}:")
        out += [f"  {email:<32} {note}" for email, note in role.logins]
        if role.note:
            out.append(f"  {role.note}")
    return out


def certificates(figures) -> list[str]:
    """The demo cohort's certificates: counts by state and two addresses anyone can open."""
    out = [
        f"Certificates: {figures.issued} issued, {figures.revoked} revoked, "
        f"{figures.eligible} eligible and not issued yet, {figures.not_yet} not yet eligible."
    ]
    if figures.valid_url:
        out += ["A valid certificate, as anyone verifies it:", f"  {figures.valid_url}"]
        if figures.holder_email:
            out.append(
                f"  held by {figures.holder_email} (My certificate: PDF, credential, LinkedIn)"
            )
    if figures.revoked_url:
        out += ["A revoked certificate:", f"  {figures.revoked_url}"]
    return out
