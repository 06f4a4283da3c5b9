"""Mentoring's part of a person's data: as a mentee, their preferences, their pairings (with
the mentor's name, as their own pages show it) and each session with its shared summary and
their feedback — never the mentor's private notes; as a mentor, their mentor profile."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from core.privacy_registry import (
    Erased,
    ErasureScope,
    PersonalData,
    PrivacyPart,
    Target,
    target_of,
    when,
)
from mentoring.enums import PairingStatus
from mentoring.models import (
    ForbiddenPair,
    MenteePreference,
    MentoringSession,
    MentorProfile,
    Pairing,
)
from mentoring.services import pairing_end


def collect(person, targets: frozenset[Target]) -> PersonalData:
    data = PersonalData()
    for profile in MentorProfile.objects.filter(user=person).order_by("created_at", "id"):
        data.records.append(
            {
                "mentor_profile": {
                    "expertise": profile.expertise,
                    "industries": profile.industries,
                    "languages": profile.languages,
                    "employer": profile.employer,
                    "bio": profile.bio,
                    "availability": profile.availability,
                    "capacity": profile.capacity,
                }
            }
        )
        data.targets.add(target_of(profile))
    preferences = (
        MenteePreference.objects.filter(user=person)
        .select_related("cohort", "wish_1__user", "wish_2__user", "wish_3__user")
        .order_by("created_at", "id")
    )
    for preference in preferences:
        wishes = [preference.wish_1, preference.wish_2, preference.wish_3]
        data.records.append(
            {
                "mentee_preference": {
                    "cohort": preference.cohort.name,
                    "goals": preference.goals,
                    "topics": preference.topics,
                    "languages": preference.languages,
                    "industry": preference.industry,
                    "wishes": [str(wish) for wish in wishes if wish is not None],
                }
            }
        )
        data.targets.add(target_of(preference))
    pairings = (
        # A proposed pairing is a draft of a matching run, not yet introduced to anybody.
        Pairing.objects.filter(mentee=person)
        .exclude(status=PairingStatus.PROPOSED)
        .select_related("cohort", "mentor__user")
        .prefetch_related(
            Prefetch("sessions", queryset=MentoringSession.objects.order_by("held_on", "id"))
        )
        .order_by("created_at", "id")
    )
    for pairing in pairings:
        data.records.append(
            {
                "pairing": {
                    "cohort": pairing.cohort.name,
                    "mentor": str(pairing.mentor),
                    "status": pairing.status,
                    "introduced_at": when(pairing.started_at),
                    "ended_at": when(pairing.ended_at),
                    "sessions": [
                        {
                            "held_on": when(session.held_on),
                            "minutes": session.minutes,
                            "mode": session.mode,
                            "topics": session.topics,
                            "summary": session.summary,
                            "attended": session.attended,
                            "rating": session.rating,
                            "feedback": session.feedback,
                        }
                        for session in pairing.sessions.all()
                    ],
                }
            }
        )
        data.targets.add(target_of(pairing))
    return data


def erase(scope: ErasureScope) -> Erased:
    """As a mentee: the preferences go; pairings and sessions stay as dates, minutes, modes and
    ratings (the programme's mentoring figures), without the explanations, topics, summaries,
    notes and comments. On an erasure, a mentor's active pairings end (the mentees are told),
    their profile is emptied and takes no one, and their private notes go."""
    person = scope.person
    preferences = MenteePreference.objects.filter(user=person)
    pairings = Pairing.objects.filter(mentee=person)
    if not scope.is_whole:
        cohorts = sorted(scope.cohort_ids)
        preferences = preferences.filter(cohort_id__in=cohorts)
        pairings = pairings.filter(cohort_id__in=cohorts)
    rows = preferences.delete()[0]
    rows += pairings.update(explanation="", wish_note="", end_reason="")
    rows += MentoringSession.objects.filter(pairing__in=pairings).update(
        topics="", summary="", private_notes="", feedback=""
    )
    if scope.is_whole:
        rows += ForbiddenPair.objects.filter(mentee=person).delete()[0]
        profiles = MentorProfile.objects.filter(user=person)
        for pairing in Pairing.objects.filter(mentor__in=profiles, status=PairingStatus.ACTIVE):
            pairing_end(
                pairing=pairing, reason=_("The mentor has left the programme."), actor=person
            )
            rows += 1
        Pairing.objects.filter(mentor__in=profiles, status=PairingStatus.PROPOSED).delete()
        rows += Pairing.objects.filter(mentor__in=profiles).update(explanation="", wish_note="")
        rows += MentoringSession.objects.filter(pairing__mentor__in=profiles).update(
            private_notes=""
        )
        rows += ForbiddenPair.objects.filter(mentor__in=profiles).update(reason="")
        rows += profiles.update(
            expertise=[],
            industries=[],
            languages=[],
            employer="",
            bio="",
            availability="",
            capacity=0,
        )
    return Erased(rows=rows)


PARTS = (
    PrivacyPart(slug="mentoring", label=_("Mentoring"), collect=collect, order=60, erase=erase),
)
