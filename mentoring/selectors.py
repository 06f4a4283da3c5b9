"""Reads of mentoring: profiles, preferences, runs and their pairs, each side's pairings, the
admins' list of pairs (stalled first), and who may see what."""

from datetime import date, timedelta

from django.db.models import (
    Avg,
    Case,
    Count,
    DateField,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from accounts.models import User
from cohorts.models import Cohort
from mentoring.enums import PairingStatus, RunStatus
from mentoring.models import (
    ForbiddenPair,
    MatchingRun,
    MenteePreference,
    MentoringSession,
    MentorProfile,
    Pairing,
)
from programmes.enums import RoleKind
from programmes.models import Programme, ProgrammeRole
from selection.models import Participant

# A session counts once the mentor confirmed it and the mentee did not say they were absent.
COUNTS = Q(sessions__mentor_confirmed=True) & ~Q(sessions__attended=False)


# --- mentors and mentees -------------------------------------------------------------------------


def mentor_programmes(*, user: User) -> QuerySet[Programme]:
    """The programmes in which the user holds the mentor role."""
    return Programme.objects.filter(roles__user=user, roles__role=RoleKind.MENTOR).order_by("name")


def is_mentor(*, user: User, programme: Programme) -> bool:
    return ProgrammeRole.objects.filter(
        user=user, programme=programme, role=RoleKind.MENTOR
    ).exists()


def mentor_profile_get(*, programme: Programme, user: User) -> MentorProfile | None:
    return MentorProfile.objects.filter(programme=programme, user=user).first()


def mentor_profile_list_for_programme(*, programme: Programme) -> QuerySet[MentorProfile]:
    """The programme's mentors (holding the role), each with their active pairings counted."""
    mentors = ProgrammeRole.objects.filter(programme=programme, role=RoleKind.MENTOR).values(
        "user_id"
    )
    return (
        MentorProfile.objects.filter(programme=programme, user_id__in=mentors)
        .select_related("user")
        .annotate(load=Count("pairings", filter=Q(pairings__status=PairingStatus.ACTIVE)))
        .order_by("user__display_name", "user__email", "pk")
    )


def mentors_without_profile(*, programme: Programme) -> QuerySet[User]:
    """Holders of the mentor role who have not filled in a profile: they cannot be matched."""
    return (
        User.objects.filter(
            programme_roles__programme=programme, programme_roles__role=RoleKind.MENTOR
        )
        .exclude(mentor_profiles__programme=programme)
        .order_by("display_name", "email")
    )


def mentor_choices(*, programme: Programme) -> QuerySet[MentorProfile]:
    """The mentors a mentee may wish for or avoid: everyone with a profile and the role."""
    return mentor_profile_list_for_programme(programme=programme)


def participations(*, user: User) -> QuerySet[Participant]:
    """The cohorts the user takes part in, each with its programme."""
    return (
        Participant.objects.filter(user=user)
        .select_related("cohort__programme")
        .order_by("cohort__programme__name", "cohort__name")
    )


def participation_get(*, user: User, programme: Programme) -> Participant | None:
    """The user's seat in a cohort of this programme (the latest, if several)."""
    return (
        Participant.objects.filter(user=user, cohort__programme=programme)
        .select_related("cohort__programme")
        .order_by("-created_at")
        .first()
    )


def preference_get(*, cohort: Cohort, user: User) -> MenteePreference | None:
    return (
        MenteePreference.objects.filter(cohort=cohort, user=user)
        .select_related("wish_1__user", "wish_2__user", "wish_3__user")
        .prefetch_related("avoid")
        .first()
    )


def nav_condition():
    """Whether the user (OuterRef "pk") has a mentoring page: a mentor anywhere, or a
    participant. For the navigation's one query and `has_mentoring`."""
    return Exists(ProgrammeRole.objects.filter(user=OuterRef("pk"), role=RoleKind.MENTOR)) | Exists(
        Participant.objects.filter(user=OuterRef("pk"))
    )


def has_mentoring(*, user: User) -> bool:
    """Whether the user has a mentoring page: a mentor anywhere, or a participant."""
    return User.objects.filter(pk=user.pk).filter(nav_condition()).exists()


# --- pairings ------------------------------------------------------------------------------------


def _with_figures(pairings: QuerySet[Pairing]) -> QuerySet[Pairing]:
    """Each pairing with its sessions that count, their last date and the average rating."""
    return pairings.annotate(
        session_count=Count("sessions", filter=COUNTS, distinct=True),
        last_held=Max("sessions__held_on", filter=COUNTS),
        average_rating=Avg("sessions__rating", filter=Q(sessions__rating__isnull=False)),
        awaiting_feedback=Count(
            "sessions",
            filter=Q(sessions__mentor_confirmed=True, sessions__feedback_at__isnull=True),
            distinct=True,
        ),
        awaiting_confirmation=Count(
            "sessions", filter=Q(sessions__mentor_confirmed=False), distinct=True
        ),
        gap_from=Coalesce("last_session_on", TruncDate("started_at"), output_field=DateField()),
    )


def pairings_as_mentor(*, user: User) -> QuerySet[Pairing]:
    """The user's active mentees, in every programme, the longest without a session first."""
    return _with_figures(
        Pairing.objects.filter(mentor__user=user, status=PairingStatus.ACTIVE).select_related(
            "mentee", "cohort__programme"
        )
    ).order_by(F("gap_from").asc(nulls_first=True), "pk")


def pairings_as_mentee(*, user: User) -> QuerySet[Pairing]:
    """The user's mentors: the active ones first, then those that ended."""
    return _with_figures(
        Pairing.objects.filter(
            mentee=user, status__in=[PairingStatus.ACTIVE, PairingStatus.ENDED]
        ).select_related("mentor__user", "cohort__programme")
    ).order_by(Case(When(status=PairingStatus.ACTIVE, then=0), default=1), "-started_at", "-pk")


def _holds_mentor_role(user: User) -> Exists:
    """Whether the user holds the mentor role in the pairing's programme: a mentor whose role
    was revoked no longer sees their mentees."""
    return Exists(
        ProgrammeRole.objects.filter(
            user=user, programme_id=OuterRef("cohort__programme_id"), role=RoleKind.MENTOR
        )
    )


def pairing_get_for_user(*, user: User, pairing_id: int) -> Pairing | None:
    """A pairing the user is the mentee of, or the mentor of while holding the mentor role in
    its programme (never a run's unpublished proposal)."""
    if not user.is_authenticated:
        return None
    return (
        Pairing.objects.filter(pk=pairing_id)
        .filter(Q(mentee=user) | Q(_holds_mentor_role(user), mentor__user=user))
        .exclude(status=PairingStatus.PROPOSED)
        .select_related("mentee", "mentor__user", "cohort__programme")
        .first()
    )


def pairing_get(*, programme: Programme, pairing_id: int) -> Pairing | None:
    return (
        Pairing.objects.filter(cohort__programme=programme, pk=pairing_id)
        .select_related("mentee", "mentor__user", "cohort", "run")
        .first()
    )


def session_list(*, pairing: Pairing) -> QuerySet[MentoringSession]:
    return MentoringSession.objects.filter(pairing=pairing).order_by("-held_on", "-pk")


def session_get(*, pairing: Pairing, session_id: int) -> MentoringSession | None:
    return MentoringSession.objects.filter(pairing=pairing, pk=session_id).first()


def pairing_list_for_programme(
    *, programme: Programme, cohort: Cohort | None = None, stalled_only: bool = False
) -> QuerySet[Pairing]:
    """The programme's active pairs with their figures, the longest without a session first."""
    pairings = Pairing.objects.filter(
        cohort__programme=programme, status=PairingStatus.ACTIVE
    ).select_related("mentee", "mentor__user", "cohort")
    if cohort is not None:
        pairings = pairings.filter(cohort=cohort)
    pairings = _with_figures(pairings)
    if stalled_only:
        pairings = pairings.filter(gap_from__lte=timezone.localdate() - timedelta(days=14))
    return pairings.order_by(F("gap_from").asc(nulls_first=True), "pk")


def days_quiet(pairing: Pairing, today: date | None = None) -> int | None:
    """Days since the pairing's last counted session (or its introduction)."""
    start = getattr(pairing, "gap_from", None) or pairing.gap_start
    if start is None:
        return None
    return ((today or timezone.localdate()) - start).days


# --- runs ----------------------------------------------------------------------------------------


def run_list_for_programme(*, programme: Programme) -> QuerySet[MatchingRun]:
    return (
        MatchingRun.objects.filter(cohort__programme=programme)
        .select_related("cohort", "created_by")
        .order_by("-created_at", "-pk")
    )


def run_get(*, programme: Programme, run_id: int) -> MatchingRun | None:
    return (
        MatchingRun.objects.filter(cohort__programme=programme, pk=run_id)
        .select_related("cohort__programme")
        .first()
    )


def run_pairings(*, run: MatchingRun) -> QuerySet[Pairing]:
    """The pairs a run proposes (or, once published, made), the best scores first."""
    status = PairingStatus.PROPOSED if run.status == RunStatus.PREVIEW else None
    pairings = Pairing.objects.filter(run=run)
    if status:
        pairings = pairings.filter(status=status)
    return pairings.select_related("mentee", "mentor__user").order_by("-score", "mentee__email")


def users_by_id(ids) -> dict[int, User]:
    return {u.pk: u for u in User.objects.filter(pk__in=[int(i) for i in ids])}


def forbidden_pairs(*, programme: Programme) -> QuerySet[ForbiddenPair]:
    return ForbiddenPair.objects.filter(programme=programme).select_related(
        "mentor__user", "mentee"
    )


def cohort_list(*, programme: Programme) -> QuerySet[Cohort]:
    return Cohort.objects.filter(programme=programme).order_by("name")


def unpaired_participants(*, cohort: Cohort) -> QuerySet[User]:
    paired = Pairing.objects.filter(cohort=cohort, status=PairingStatus.ACTIVE).values("mentee_id")
    return (
        User.objects.filter(participations__cohort=cohort)
        .exclude(pk__in=paired)
        .order_by("display_name", "email")
    )


def pairing_list_export(*, programme: Programme) -> QuerySet[Pairing]:
    """Every pairing of the programme (active and ended), for its CSV export."""
    return _with_figures(
        Pairing.objects.filter(
            cohort__programme=programme, status__in=[PairingStatus.ACTIVE, PairingStatus.ENDED]
        ).select_related("mentee", "mentor__user", "cohort")
    ).order_by("cohort__name", "mentor__user__email", "mentee__email", "pk")


def session_prefetch() -> Prefetch:
    return Prefetch("sessions", queryset=MentoringSession.objects.order_by("-held_on", "-pk"))


# --- for the pages -------------------------------------------------------------------------------


def participation_get_by_slug(*, user: User, slug: str) -> Participant | None:
    """The user's seat in a cohort of the programme with this slug (the latest, if several):
    participants hold no role, so the programme's own choke point would not let them in."""
    if not user.is_authenticated:
        return None
    return (
        Participant.objects.filter(user=user, cohort__programme__slug=slug)
        .select_related("cohort__programme")
        .order_by("-created_at")
        .first()
    )


def mentor_profiles_for_user(*, user: User) -> QuerySet[MentorProfile]:
    """The user's mentor profiles, in every programme."""
    return MentorProfile.objects.filter(user=user).select_related("programme")


def preference_cohort_ids(*, user: User) -> set[int]:
    """The cohorts in which the user has stated their mentoring preferences."""
    return set(MenteePreference.objects.filter(user=user).values_list("cohort_id", flat=True))


def expertise_tags(*, programme: Programme, limit: int = 40) -> list[str]:
    """The expertise the programme's mentors offer, the most common first: suggestions for
    mentors and mentees, so that both write a topic the same way."""
    counts: dict[str, int] = {}
    for tags in MentorProfile.objects.filter(programme=programme).values_list(
        "expertise", flat=True
    ):
        for tag in tags or []:
            counts[tag] = counts.get(tag, 0) + 1
    return sorted(counts, key=lambda tag: (-counts[tag], tag))[:limit]


def participant_get_by_email(*, programme: Programme, email: str) -> User | None:
    """The participant of one of the programme's cohorts with this email, whatever its case."""
    return (
        User.objects.filter(
            email__iexact=email.strip(), participations__cohort__programme=programme
        )
        .distinct()
        .first()
    )


def forbidden_pair_get(*, programme: Programme, pair_id: int) -> ForbiddenPair | None:
    return forbidden_pairs(programme=programme).filter(pk=pair_id).first()


def pairing_list_for_user(*, user: User) -> QuerySet[Pairing]:
    """The pairings the user's own pages show them, in every programme: as a mentor their active
    mentees, in the programmes where they still hold the mentor role (as "My mentoring" lists
    them); as a mentee their mentors (active or ended); never a run's proposal. Newest first."""
    if not user.is_authenticated:
        return Pairing.objects.none()
    return _with_figures(
        Pairing.objects.filter(
            Q(_holds_mentor_role(user), mentor__user=user, status=PairingStatus.ACTIVE)
            | Q(mentee=user, status__in=[PairingStatus.ACTIVE, PairingStatus.ENDED])
        ).select_related("mentee", "mentor__user", "cohort__programme")
    ).order_by(F("started_at").desc(nulls_last=True), "-pk")
