"""Every write of mentoring: profiles and preferences, forbidden pairs, matching runs (preview,
changes by hand, publishing), pairings, sessions and feedback, and the nudges.

The matching itself is pure (`mentoring/matching.py`); this module gathers the people, their
free places and the forbidden pairs, stores what a run proposes and introduces the pairs.
A cohort's pairings change under a lock on the cohort's row, so two admins publishing, or a
publish racing a change by hand, cannot give a mentee two mentors or a mentor more mentees
than they take.
"""

import uuid
from collections import Counter
from dataclasses import asdict
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApplicantProfile, User
from cohorts.models import Cohort
from core.services import audit_record
from mentoring import matching, selectors
from mentoring.enums import (
    ForbiddenSource,
    Language,
    LoggedBy,
    MatchingMode,
    PairingSource,
    PairingStatus,
    RunStatus,
)
from mentoring.models import (
    MAX_WISHES,
    ForbiddenPair,
    MatchingRun,
    MenteePreference,
    MentoringSession,
    MentorProfile,
    Pairing,
)
from notifications import services as notification_services
from programmes.enums import RoleKind
from programmes.models import Programme, ProgrammeRole
from selection.models import Participant

NUDGE_DAYS = 14
STALLED_DAYS = 28
MINE_URL = "/mentoring/"


class MentoringError(Exception):
    """A change the domain refuses; the message is shown to the user."""


def _name(user: User) -> str:
    return user.display_name or user.email


def _tags(values) -> list[str]:
    """Tags as stored: trimmed, lower case, each once, in the order given."""
    seen: list[str] = []
    for value in values or []:
        # Cut to length before trimming, so a cut right after a blank leaves no trailing one.
        tag = " ".join(str(value).split()).lower()[:60].strip()
        if tag and tag not in seen:
            seen.append(tag)
    return seen


# --- profiles and preferences ------------------------------------------------------------------


def mentor_profile_save(*, profile: MentorProfile, actor: User) -> MentorProfile:
    """Create or update a mentor's profile (a validated form instance)."""
    profile.expertise = _tags(profile.expertise)
    created = profile.pk is None
    try:
        with transaction.atomic():
            profile.save()
    except IntegrityError as exc:
        raise MentoringError(_("You already have a mentor profile in this programme.")) from exc
    if created:
        audit_record(
            actor=actor,
            action="mentoring.profile_create",
            target=profile.programme,
            programme=profile.programme_id,
        )
    return profile


def mentee_preferences_save(
    *,
    preference: MenteePreference,
    wishes: list[MentorProfile],
    avoid: list[MentorProfile],
    actor: User,
) -> MenteePreference:
    """Save a participant's preferences: up to three wished mentors, best first, and mentors
    they would rather not have (never one they also wish for)."""
    wishes = [w for i, w in enumerate(wishes) if w is not None and w not in wishes[:i]]
    if len(wishes) > MAX_WISHES:
        raise MentoringError(_("Choose at most three mentors you would like."))
    if set(wishes) & set(avoid):
        raise MentoringError(_("A mentor cannot be both wished for and avoided."))
    programme_id = preference.cohort.programme_id
    if any(p.programme_id != programme_id for p in [*wishes, *avoid]):
        raise MentoringError(_("Choose mentors of this programme."))
    preference.topics = _tags(preference.topics)
    preference.wish_1, preference.wish_2, preference.wish_3 = [*wishes, None, None, None][:3]
    with transaction.atomic():
        preference.save()
        preference.avoid.set(avoid)
    return preference


def forbidden_pair_add(
    *,
    programme: Programme,
    mentor: MentorProfile,
    mentee: User,
    source: str,
    reason: str,
    actor: User,
) -> ForbiddenPair:
    """Forbid a mentor and a mentee from being matched. An active pairing of the two is not
    ended here: the admin decides that separately."""
    if mentor.programme_id != programme.pk:
        raise MentoringError(_("Choose a mentor of this programme."))
    if not Participant.objects.filter(cohort__programme=programme, user=mentee).exists():
        raise MentoringError(_("That person is not a participant of this programme."))
    pair, created = ForbiddenPair.objects.get_or_create(
        mentor=mentor,
        mentee=mentee,
        defaults={
            "programme": programme,
            "source": source,
            "reason": reason.strip(),
            "created_by": actor,
        },
    )
    if created:
        audit_record(
            actor=actor,
            action="mentoring.forbid",
            target=programme,
            programme=programme,
            mentor=mentor.user.email,
            mentee=mentee.email,
            source=source,
        )
    return pair


def conflict_declare(*, profile: MentorProfile, email: str, reason: str, actor: User) -> bool:
    """A mentor declares someone they must not mentor (a relative, their own report). Whether
    the email belongs to a participant is not revealed to the mentor: the answer is the same
    either way, and a pair is forbidden only when it does. Returns whether one was."""
    mentee = (
        User.objects.filter(
            email__iexact=email.strip(), participations__cohort__programme_id=profile.programme_id
        )
        .distinct()
        .first()
    )
    if mentee is None:
        return False
    forbidden_pair_add(
        programme=profile.programme,
        mentor=profile,
        mentee=mentee,
        source=ForbiddenSource.CONFLICT,
        reason=reason,
        actor=actor,
    )
    return True


def forbidden_pair_remove(*, pair: ForbiddenPair, actor: User) -> None:
    audit_record(
        actor=actor,
        action="mentoring.unforbid",
        target=pair.programme,
        programme=pair.programme_id,
        mentor=pair.mentor.user.email,
        mentee=pair.mentee.email,
    )
    pair.delete()


def pairings_exported(*, programme: Programme, actor: User, rows: int) -> None:
    """Record who downloaded the programme's pairs (their people's emails)."""
    audit_record(
        actor=actor,
        action="mentoring.pairings_export",
        target=programme,
        programme=programme,
        rows=rows,
    )


# --- matching runs -----------------------------------------------------------------------------


def _views(cohort: Cohort, mentees: list[User], mentors: list[MentorProfile]):
    preferences = {
        p.user_id: p
        for p in MenteePreference.objects.filter(cohort=cohort, user__in=mentees).prefetch_related(
            "avoid"
        )
    }
    employers = dict(
        ApplicantProfile.objects.filter(user__in=mentees).values_list("user_id", "employer")
    )
    sectors = dict(
        ApplicantProfile.objects.filter(user__in=mentees).values_list("user_id", "sector")
    )
    mentee_views = []
    for user in mentees:
        preference = preferences.get(user.pk)
        mentee_views.append(
            matching.MenteeView(
                id=user.pk,
                topics=frozenset(preference.topics if preference else ()),
                languages=frozenset(preference.languages if preference else ()),
                industry=(preference.industry if preference else "") or sectors.get(user.pk, ""),
                wishes=preference.wish_ids if preference else (),
                avoid=frozenset(a.pk for a in preference.avoid.all())
                if preference
                else frozenset(),
                employer=employers.get(user.pk, ""),
            )
        )
    mentor_views = [
        matching.MentorView(
            id=m.pk,
            topics=frozenset(m.expertise),
            languages=frozenset(m.languages),
            industries=frozenset(m.industries),
            employer=m.employer,
            # `load` (active pairings) is annotated by the selector; a single mentor checked
            # by hand has its places counted by the caller.
            capacity=max(m.capacity - getattr(m, "load", 0), 0),
        )
        for m in mentors
    ]
    return mentee_views, mentor_views


def _explain(parts: matching.ScoreParts, mentee: matching.MenteeView, mentor, names) -> str:
    """Why this pair, in words a mentee reads."""
    bits = []
    shared = sorted(mentee.topics & mentor.topics)
    if mentee.topics:
        if shared:
            bits.append(
                _("shares %(n)s of %(total)s topics (%(topics)s)")
                % {"n": len(shared), "total": len(mentee.topics), "topics": ", ".join(shared)}
            )
        else:
            bits.append(_("shares none of the mentee's topics"))
    languages = sorted(mentee.languages & mentor.languages)
    if languages:
        bits.append(
            _("a shared language (%(l)s)") % {"l": ", ".join(names.get(x, x) for x in languages)}
        )
    if parts.industry:
        bits.append(_("knows the mentee's industry"))
    if mentor.id in mentee.wishes:
        rank = mentee.wishes.index(mentor.id) + 1
        bits.append(
            {1: _("the mentee's first wish"), 2: _("the mentee's second wish")}.get(
                rank, _("the mentee's third wish")
            )
        )
    return "; ".join(str(b) for b in bits) or _("an allowed pair with free capacity")


def _why_not_first_wish(mentee, pairs_by_mentee, scores, capacities, taken, mentor_names) -> str:
    if not mentee.wishes:
        return ""
    first = mentee.wishes[0]
    if pairs_by_mentee.get(mentee.id) == first:
        return ""
    if first not in mentor_names:
        return _("Their first wish no longer mentors in this programme.")
    name = mentor_names[first]
    if (mentee.id, first) not in scores:
        return _(
            "Their first wish, %(name)s, is not allowed for them (same employer, a declared "
            "conflict, a language they do not share, or forbidden)."
        ) % {"name": name}
    if capacities.get(first, 0) <= 0:
        return _("Their first wish, %(name)s, has no free place.") % {"name": name}
    if taken[first] < capacities[first]:
        # Both modes leave a place free only where the mentee scores no better than with the
        # mentor they got (a better score would have raised the total, or been proposed first).
        return _(
            "Their first wish, %(name)s, has a free place but does not suit them better than "
            "the mentor they got."
        ) % {"name": name}
    return _("Their first wish, %(name)s, is full with mentees this run matched better.") % {
        "name": name
    }


def _unmatched_reason(mentee_id, scores_by_mentee, capacities) -> str:
    allowed = scores_by_mentee.get(mentee_id, [])
    if not allowed:
        return _(
            "No allowed mentor: every mentor shares their employer, is avoided, forbidden, "
            "or shares no language with them."
        )
    if all(capacities.get(m, 0) <= 0 for m in allowed):
        return _("Every allowed mentor is full.")
    return _("Every allowed mentor with a free place went to a mentee they suit better.")


def _solve(mode: str, scores: dict, capacities: dict) -> list[tuple[int, int]]:
    if mode == MatchingMode.STABLE:
        mentee_prefs, mentor_prefs = matching.preferences_from_scores(scores)
        return matching.match_stable(mentee_prefs, mentor_prefs, capacities)
    return matching.match_optimal(scores, capacities)


def _outcome(pairs, scores, mentees) -> dict:
    first_wishes = sum(1 for mentee, mentor in pairs if mentees[mentee].wishes[:1] == (mentor,))
    return {
        "matched": len(pairs),
        "total_score": round(sum(scores[p] for p in pairs), 3),
        "first_wishes": first_wishes,
    }


@transaction.atomic
def matching_run_create(
    *,
    cohort: Cohort,
    mode: str,
    weights: dict,
    language_required: bool,
    actor: User,
) -> MatchingRun:
    """Match the cohort's participants who have no mentor with the mentors' free places, and
    keep the result as a preview: each pair with its score part by part and why, each
    unmatched mentee with the reason, and what the other mode would have given."""
    Cohort.objects.select_for_update(of=("self",)).get(pk=cohort.pk)
    # In id order, so that a run's result does not depend on names.
    mentors = list(
        selectors.mentor_profile_list_for_programme(programme=cohort.programme).order_by("pk")
    )
    mentees = list(selectors.unpaired_participants(cohort=cohort).order_by("pk"))
    mentee_views, mentor_views = _views(cohort, mentees, mentors)
    forbidden = set(
        ForbiddenPair.objects.filter(programme=cohort.programme).values_list(
            "mentee_id", "mentor_id"
        )
    )
    weight = matching.Weights(**{k: float(v) for k, v in weights.items()})
    parts = matching.score_all(
        mentee_views, mentor_views, weight, language_required=language_required, forbidden=forbidden
    )
    scores = {pair: p.total for pair, p in parts.items()}
    capacities = {m.id: m.capacity for m in mentor_views}
    pairs = _solve(mode, scores, capacities)
    other_mode = MatchingMode.STABLE if mode == MatchingMode.OPTIMAL else MatchingMode.OPTIMAL
    other = _solve(other_mode, scores, capacities)

    by_mentee = {m.id: m for m in mentee_views}
    by_mentor = {m.id: m for m in mentor_views}
    mentor_names = {m.pk: str(m) for m in mentors}
    language_names = {value: str(label) for value, label in Language.choices}
    pairs_by_mentee = dict(pairs)
    taken = Counter(mentor_id for _mentee, mentor_id in pairs)
    allowed_by_mentee: dict[int, list[int]] = {}
    for mentee_id, mentor_id in scores:
        allowed_by_mentee.setdefault(mentee_id, []).append(mentor_id)
    number = (MatchingRun.objects.filter(cohort=cohort).aggregate(n=Max("number"))["n"] or 0) + 1
    run = MatchingRun.objects.create(
        cohort=cohort,
        number=number,
        mode=mode,
        weights=asdict(weight),
        language_required=language_required,
        created_by=actor,
        summary={
            "mentees": len(mentees),
            "mentors": len([m for m in mentor_views if m.capacity > 0]),
            "places": sum(capacities.values()),
            "result": _outcome(pairs, scores, by_mentee),
            "other_mode": other_mode,
            "other": _outcome(other, scores, by_mentee),
            "unmatched": {
                str(m.id): _unmatched_reason(m.id, allowed_by_mentee, capacities)
                for m in mentee_views
                if m.id not in pairs_by_mentee
            },
        },
    )
    Pairing.objects.bulk_create(
        Pairing(
            cohort=cohort,
            run=run,
            mentee_id=mentee_id,
            mentor_id=mentor_id,
            status=PairingStatus.PROPOSED,
            source=PairingSource.ALGORITHM,
            score=scores[(mentee_id, mentor_id)],
            score_parts=asdict(parts[(mentee_id, mentor_id)]),
            explanation=_explain(
                parts[(mentee_id, mentor_id)],
                by_mentee[mentee_id],
                by_mentor[mentor_id],
                language_names,
            ),
            wish_note=_why_not_first_wish(
                by_mentee[mentee_id], pairs_by_mentee, scores, capacities, taken, mentor_names
            ),
        )
        for mentee_id, mentor_id in pairs
    )
    audit_record(
        actor=actor,
        action="mentoring.run",
        target=cohort,
        programme=cohort.programme_id,
        run=number,
        mode=mode,
        matched=len(pairs),
        mentees=len(mentees),
    )
    return run


def _lock_run(run: MatchingRun) -> MatchingRun:
    Cohort.objects.select_for_update(of=("self",)).get(pk=run.cohort_id)
    run = MatchingRun.objects.select_for_update(of=("self",)).get(pk=run.pk)
    if run.status != RunStatus.PREVIEW:
        raise MentoringError(_("This run is no longer a preview: it was published or discarded."))
    return run


def _check_pair(run: MatchingRun, mentee: User, mentor: MentorProfile, *, ignore=()) -> dict:
    """Refuse a pair by hand that the run could not have made: the mentee must be an unpaired
    participant of the cohort, the pair allowed, the mentor not over capacity. Returns the
    pair's score parts."""
    cohort = run.cohort
    if mentor.programme_id != cohort.programme_id:
        raise MentoringError(_("Choose a mentor of this programme."))
    if not ProgrammeRole.objects.filter(
        programme_id=cohort.programme_id, user_id=mentor.user_id, role=RoleKind.MENTOR
    ).exists():
        raise MentoringError(_("%(name)s no longer holds the mentor role.") % {"name": mentor})
    if not Participant.objects.filter(cohort=cohort, user=mentee).exists():
        raise MentoringError(_("That person is not a participant of this cohort."))
    if Pairing.objects.filter(cohort=cohort, mentee=mentee, status=PairingStatus.ACTIVE).exists():
        raise MentoringError(_("%(name)s already has a mentor.") % {"name": _name(mentee)})
    mentee_views, mentor_views = _views(cohort, [mentee], [mentor])
    forbidden = ForbiddenPair.objects.filter(mentor=mentor, mentee=mentee).first()
    if forbidden is not None:
        raise MentoringError(
            _("%(mentor)s and %(mentee)s may not be paired: %(why)s")
            % {
                "mentor": mentor,
                "mentee": _name(mentee),
                "why": forbidden.reason or forbidden.get_source_display(),
            }
        )
    weights = matching.Weights(**run.weights)
    parts = matching.score_pair(
        mentee_views[0], mentor_views[0], weights, language_required=run.language_required
    )
    if parts is None:
        raise MentoringError(
            _(
                "%(mentor)s and %(mentee)s may not be paired: the same employer, a mentor the "
                "mentee would rather not have, or no shared language."
            )
            % {"mentor": mentor, "mentee": _name(mentee)}
        )
    taken = (
        Pairing.objects.filter(mentor=mentor)
        .filter(Q(status=PairingStatus.ACTIVE) | Q(run=run, status=PairingStatus.PROPOSED))
        .exclude(pk__in=[p.pk for p in ignore])
        .count()
    )
    if taken >= mentor.capacity:
        raise MentoringError(
            _("%(mentor)s takes %(n)s mentees and has no free place.")
            % {"mentor": mentor, "n": mentor.capacity}
        )
    return parts


@transaction.atomic
def run_assign(*, run: MatchingRun, mentee: User, mentor: MentorProfile, actor: User) -> Pairing:
    """Pair an unmatched mentee with a mentor by hand, in the run's preview."""
    run = _lock_run(run)
    if Pairing.objects.filter(run=run, mentee=mentee, status=PairingStatus.PROPOSED).exists():
        raise MentoringError(
            _("%(name)s is already paired in this run; unassign them first, or swap.")
            % {"name": _name(mentee)}
        )
    parts = _check_pair(run, mentee, mentor)
    pairing = Pairing.objects.create(
        cohort=run.cohort,
        run=run,
        mentee=mentee,
        mentor=mentor,
        status=PairingStatus.PROPOSED,
        source=PairingSource.MANUAL,
        score=parts.total,
        score_parts=asdict(parts),
        explanation=_("assigned by hand by %(who)s") % {"who": _name(actor)},
    )
    run.summary.get("unmatched", {}).pop(str(mentee.pk), None)
    run.save(update_fields=["summary", "updated_at"])
    return pairing


@transaction.atomic
def run_unassign(*, pairing: Pairing, actor: User) -> None:
    """Take a proposed pair out of a run's preview; the mentee is then unmatched."""
    run = _lock_run(pairing.run)
    pairing = Pairing.objects.get(pk=pairing.pk, run=run, status=PairingStatus.PROPOSED)
    run.summary.setdefault("unmatched", {})[str(pairing.mentee_id)] = _(
        "Unassigned by hand by %(who)s."
    ) % {"who": _name(actor)}
    run.save(update_fields=["summary", "updated_at"])
    pairing.delete()


@transaction.atomic
def run_swap(*, first: Pairing, second: Pairing, actor: User) -> tuple[Pairing, Pairing]:
    """Exchange the mentors of two proposed pairs of a run, if both new pairs are allowed."""
    run = _lock_run(first.run)
    if second.run_id != run.pk or first.pk == second.pk:
        raise MentoringError(_("Choose two different pairs of this run."))
    first, second = (
        Pairing.objects.select_related("mentor", "mentee").get(
            pk=p.pk, status=PairingStatus.PROPOSED
        )
        for p in (first, second)
    )
    if first.mentor_id == second.mentor_id:
        raise MentoringError(_("Both pairs have the same mentor: there is nothing to swap."))
    parts_a = _check_pair(run, first.mentee, second.mentor, ignore=(first, second))
    parts_b = _check_pair(run, second.mentee, first.mentor, ignore=(first, second))
    note = _("swapped by hand by %(who)s") % {"who": _name(actor)}
    first.mentor, second.mentor = second.mentor, first.mentor
    for pairing, parts in ((first, parts_a), (second, parts_b)):
        pairing.score, pairing.score_parts = parts.total, asdict(parts)
        pairing.source, pairing.explanation, pairing.wish_note = PairingSource.MANUAL, note, ""
        pairing.save()
    return first, second


@transaction.atomic
def run_discard(*, run: MatchingRun, actor: User) -> None:
    run = _lock_run(run)
    run.status = RunStatus.DISCARDED
    run.save(update_fields=["status", "updated_at"])
    Pairing.objects.filter(run=run, status=PairingStatus.PROPOSED).delete()


@transaction.atomic
def run_publish(*, run: MatchingRun, actor: User) -> int:
    """Introduce every proposed pair of the run: each becomes active and both sides are told
    by email and in the app. A pair that is no longer possible (the mentee got a mentor
    meanwhile, or left the cohort, or the mentor's places went to another cohort's run) is
    skipped, and the mentee is listed as unmatched with the reason. Other previews of the
    cohort are discarded: they were made for participants and places that have changed.
    Returns the pairs made."""
    run = _lock_run(run)
    cohort = run.cohort
    now = timezone.now()
    participants = set(Participant.objects.filter(cohort=cohort).values_list("user_id", flat=True))
    paired = set(
        Pairing.objects.filter(cohort=cohort, status=PairingStatus.ACTIVE).values_list(
            "mentee_id", flat=True
        )
    )
    proposed = list(
        Pairing.objects.filter(run=run, status=PairingStatus.PROPOSED).select_related(
            "mentee", "mentor__user"
        )
    )
    # A mentor may mentor in several cohorts: their rows are locked (in id order) so that two
    # cohorts' runs published at once cannot together go beyond their capacity.
    mentors = {
        m.pk: m
        for m in MentorProfile.objects.select_for_update(of=("self",))
        .filter(pk__in={p.mentor_id for p in proposed})
        .order_by("pk")
    }
    load = Counter(
        Pairing.objects.filter(mentor_id__in=mentors, status=PairingStatus.ACTIVE).values_list(
            "mentor_id", flat=True
        )
    )
    # An admin may forbid a pair, or take a mentor off the team, after the preview was made.
    forbidden = set(
        ForbiddenPair.objects.filter(programme_id=cohort.programme_id).values_list(
            "mentee_id", "mentor_id"
        )
    )
    still_mentors = set(
        ProgrammeRole.objects.filter(
            programme_id=cohort.programme_id, role=RoleKind.MENTOR
        ).values_list("user_id", flat=True)
    )
    unmatched = run.summary.setdefault("unmatched", {})
    made = []
    for pairing in sorted(proposed, key=lambda p: (-p.score, p.pk)):
        if pairing.mentee_id in paired or pairing.mentee_id not in participants:
            pairing.delete()
            continue
        pair = (pairing.mentee_id, pairing.mentor_id)
        if pair in forbidden or pairing.mentor.user_id not in still_mentors:
            unmatched[str(pairing.mentee_id)] = _(
                "The pair with %(mentor)s was forbidden, or they stopped mentoring, before this "
                "run was published."
            ) % {"mentor": pairing.mentor}
            pairing.delete()
            continue
        if load[pairing.mentor_id] >= mentors[pairing.mentor_id].capacity:
            unmatched[str(pairing.mentee_id)] = _(
                "%(mentor)s's places were taken before this run was published."
            ) % {"mentor": pairing.mentor}
            pairing.delete()
            continue
        load[pairing.mentor_id] += 1
        made.append(pairing)
    Pairing.objects.filter(pk__in=[p.pk for p in made]).update(
        status=PairingStatus.ACTIVE, started_at=now, updated_at=now
    )
    run.status, run.published_at, run.published_by = RunStatus.PUBLISHED, now, actor
    run.summary["published"] = len(made)
    run.save(update_fields=["status", "published_at", "published_by", "summary", "updated_at"])
    stale = MatchingRun.objects.filter(cohort=cohort, status=RunStatus.PREVIEW).exclude(pk=run.pk)
    Pairing.objects.filter(run__in=stale, status=PairingStatus.PROPOSED).delete()
    stale.update(status=RunStatus.DISCARDED, updated_at=now)
    scope = cohort.programme.notification_scope
    for pairing in made:
        _introduce(pairing, cohort, scope)
    audit_record(
        actor=actor,
        action="mentoring.publish",
        target=cohort,
        programme=cohort.programme_id,
        run=run.number,
        pairs=len(made),
    )
    return len(made)


def _introduce(pairing: Pairing, cohort: Cohort, scope: str) -> None:
    mentor_user, mentee = pairing.mentor.user, pairing.mentee
    common = {"cohort_name": cohort.name, "explanation": pairing.explanation}
    notification_services.notify(
        recipient=mentee,
        kind="mentoring.introduced",
        context={
            **common,
            "role": "mentee",
            "other_name": _name(mentor_user),
            "other_email": mentor_user.email,
            "availability": pairing.mentor.availability,
        },
        url=MINE_URL,
        scope=scope,
        dedupe_key=f"mentoring.introduced:{pairing.pk}",
    )
    notification_services.notify(
        recipient=mentor_user,
        kind="mentoring.introduced",
        context={
            **common,
            "role": "mentor",
            "other_name": _name(mentee),
            "other_email": mentee.email,
            "availability": "",
        },
        url=MINE_URL,
        scope=scope,
        dedupe_key=f"mentoring.introduced:{pairing.pk}",
    )


# --- pairings ----------------------------------------------------------------------------------


def _side(pairing: Pairing, user: User) -> str:
    if pairing.mentor.user_id == user.pk:
        return LoggedBy.MENTOR
    if pairing.mentee_id == user.pk:
        return LoggedBy.MENTEE
    return ""


@transaction.atomic
def pairing_end(*, pairing: Pairing, reason: str, actor: User, by_admin: bool = False) -> Pairing:
    """End an active pairing, by either side (or an admin), with a reason; the others are told.
    The mentee may then be matched again."""
    pairing = (
        Pairing.objects.select_for_update(of=("self",))
        .select_related("mentee", "mentor__user", "cohort__programme")
        .get(pk=pairing.pk)
    )
    if pairing.status != PairingStatus.ACTIVE:
        raise MentoringError(_("This pairing has already ended."))
    side = "admin" if by_admin else _side(pairing, actor)
    if not side:
        raise MentoringError(_("Only the mentor, the mentee or an admin can end a pairing."))
    if not reason.strip():
        raise MentoringError(_("Say why the pairing ends."))
    pairing.status, pairing.ended_at = PairingStatus.ENDED, timezone.now()
    pairing.ended_by, pairing.end_reason = actor, reason.strip()[:300]
    pairing.save(update_fields=["status", "ended_at", "ended_by", "end_reason", "updated_at"])
    recipients = {
        "mentor": [(pairing.mentee, pairing.mentor.user)],
        "mentee": [(pairing.mentor.user, pairing.mentee)],
        "admin": [(pairing.mentee, pairing.mentor.user), (pairing.mentor.user, pairing.mentee)],
    }[side]
    for recipient, other in recipients:
        notification_services.notify(
            recipient=recipient,
            kind="mentoring.ended",
            context={"other_name": _name(other), "reason": pairing.end_reason, "by": side},
            url=MINE_URL,
            scope=pairing.cohort.programme.notification_scope,
        )
    audit_record(
        actor=actor,
        action="mentoring.end",
        target=pairing.cohort,
        programme=pairing.cohort.programme_id,
        by=side,
    )
    return pairing


def pairings_end_for_leaver(*, cohort_id: int, user_id: int) -> int:
    """A participant left the cohort: their active pairing ends, their mentor is told and has
    the place free again; a run's proposal for them is dropped. Returns the pairings ended."""
    now = timezone.now()
    reason = _("The mentee left the cohort.")
    ending = list(
        Pairing.objects.filter(
            cohort_id=cohort_id, mentee_id=user_id, status=PairingStatus.ACTIVE
        ).select_related("mentee", "mentor__user", "cohort__programme")
    )
    Pairing.objects.filter(pk__in=[p.pk for p in ending]).update(
        status=PairingStatus.ENDED, ended_at=now, end_reason=reason, updated_at=now
    )
    for pairing in ending:
        notification_services.notify(
            recipient=pairing.mentor.user,
            kind="mentoring.ended",
            context={"other_name": _name(pairing.mentee), "reason": reason, "by": "mentee"},
            url=MINE_URL,
            scope=pairing.cohort.programme.notification_scope,
        )
    Pairing.objects.filter(
        cohort_id=cohort_id, mentee_id=user_id, status=PairingStatus.PROPOSED
    ).delete()
    for pairing in ending:
        audit_record(
            actor=None,
            action="mentoring.end",
            target=pairing,
            programme=pairing.cohort.programme_id,
            reason="mentee_left",
        )
    return len(ending)


# --- sessions and feedback -----------------------------------------------------------------------


@transaction.atomic
def session_log(
    *,
    pairing: Pairing,
    actor: User,
    held_on: date,
    minutes: int,
    mode: str,
    topics: str = "",
    summary: str = "",
    private_notes: str = "",
    submission_id: uuid.UUID | None = None,
) -> tuple[MentoringSession, bool]:
    """Log a session of an active pairing, by its mentor (it counts once the mentee confirms
    they attended) or its mentee (for the mentor to confirm; a mentee has no private notes).
    The same `submission_id` twice — a double click, a resent form — finds the row the first
    made. Returns the session and whether it is new."""
    pairing = (
        Pairing.objects.select_for_update(of=("self",))
        .select_related("mentee", "mentor__user", "cohort__programme")
        .get(pk=pairing.pk)
    )
    side = _side(pairing, actor)
    if not side:
        raise MentoringError(_("Only the mentor or the mentee logs a pairing's sessions."))
    if submission_id is not None:
        existing = MentoringSession.objects.filter(submission_id=submission_id).first()
        if existing is not None:
            if existing.pairing_id != pairing.pk:
                raise MentoringError(_("This form was already used for another pairing."))
            return existing, False
    if pairing.status != PairingStatus.ACTIVE:
        raise MentoringError(_("This pairing has ended; its sessions can no longer change."))
    today = timezone.localdate()
    if held_on > today:
        raise MentoringError(_("Log a session once it has taken place: the date is in the future."))
    if pairing.started_at and held_on < timezone.localdate(pairing.started_at) - timedelta(days=1):
        raise MentoringError(_("The date is before the two of you were paired."))
    session = MentoringSession.objects.create(
        pairing=pairing,
        held_on=held_on,
        minutes=minutes,
        mode=mode,
        topics=topics.strip(),
        summary=summary.strip(),
        private_notes=private_notes.strip() if side == LoggedBy.MENTOR else "",
        logged_by=side,
        mentor_confirmed=side == LoggedBy.MENTOR,
        attended=True if side == LoggedBy.MENTEE else None,
        submission_id=submission_id or uuid.uuid4(),
        created_by=actor,
    )
    if side == LoggedBy.MENTOR:
        _touch(pairing, held_on)
    recipient, other, ask = (
        (pairing.mentee, pairing.mentor.user, "rate")
        if side == LoggedBy.MENTOR
        else (pairing.mentor.user, pairing.mentee, "confirm")
    )
    notification_services.notify(
        recipient=recipient,
        kind="mentoring.session_logged",
        context={
            "other_name": _name(other),
            "held_on": held_on.strftime("%-d %B %Y"),
            "ask": ask,
        },
        url=MINE_URL + f"pairings/{pairing.pk}/",
        scope=pairing.cohort.programme.notification_scope,
    )
    return session, True


def _touch(pairing: Pairing, held_on: date) -> None:
    """The pairing's last session is the latest confirmed one."""
    Pairing.objects.filter(pk=pairing.pk).filter(
        Q(last_session_on__isnull=True) | Q(last_session_on__lt=held_on)
    ).update(last_session_on=held_on, updated_at=timezone.now())


@transaction.atomic
def session_confirm(*, session: MentoringSession, actor: User) -> MentoringSession:
    """The mentor confirms a session the mentee logged; it then counts."""
    session = (
        MentoringSession.objects.select_for_update(of=("self",))
        .select_related("pairing__mentor")
        .get(pk=session.pk)
    )
    if session.pairing.mentor.user_id != actor.pk:
        raise MentoringError(_("Only the mentor confirms a session the mentee logged."))
    if not session.mentor_confirmed:
        session.mentor_confirmed = True
        session.save(update_fields=["mentor_confirmed", "updated_at"])
        _touch(session.pairing, session.held_on)
    return session


def session_feedback(
    *,
    session: MentoringSession,
    actor: User,
    attended: bool,
    rating: int | None,
    comment: str = "",
) -> MentoringSession:
    """The mentee confirms they attended a session and rates it (1–5, with a comment), once:
    a second submission (a double click) changes nothing and is refused with a message."""
    if session.pairing.mentee_id != actor.pk:
        raise MentoringError(_("Only the mentee gives feedback on a session."))
    if attended and rating is None:
        raise MentoringError(_("Rate the session from 1 to 5."))
    if rating is not None and not 1 <= rating <= 5:
        raise MentoringError(_("Rate the session from 1 to 5."))
    updated = MentoringSession.objects.filter(pk=session.pk, feedback_at__isnull=True).update(
        attended=attended,
        rating=rating if attended else None,
        feedback=comment.strip()[:2000],
        feedback_at=timezone.now(),
        updated_at=timezone.now(),
    )
    if not updated:
        raise MentoringError(_("You have already given your feedback on this session."))
    session.refresh_from_db()
    return session


# --- nudges ------------------------------------------------------------------------------------


def _claim(pairing_id: int, field: str, gap_start: date) -> bool:
    """Mark the nudge of this gap as sent; False when it was (one per gap, under races)."""
    return bool(
        Pairing.objects.filter(pk=pairing_id, status=PairingStatus.ACTIVE)
        .exclude(**{field: gap_start})
        .update(**{field: gap_start})
    )


def pairings_nudge(*, today: date | None = None) -> Counter:
    """Remind both sides of each active pairing without a session for 14 days, and tell the
    programme's admins at 28 days; each once per gap (a new session starts a new gap).
    Returns how many reminders of each kind went out."""
    today = today or timezone.localdate()
    sent: Counter = Counter()
    admins_of: dict[int, list[User]] = {}  # each programme's admins, looked up once
    quiet = (
        Pairing.objects.filter(status=PairingStatus.ACTIVE, started_at__isnull=False)
        .filter(
            Q(last_session_on__lte=today - timedelta(days=NUDGE_DAYS))
            | Q(
                last_session_on__isnull=True,
                started_at__date__lte=today - timedelta(days=NUDGE_DAYS),
            )
        )
        .select_related("mentee", "mentor__user", "cohort__programme")
        .order_by("pk")
    )
    for pairing in quiet.iterator(chunk_size=500):
        gap_start = pairing.gap_start
        days = (today - gap_start).days
        scope = pairing.cohort.programme.notification_scope
        with transaction.atomic():
            if pairing.nudged_14_for != gap_start and _claim(
                pairing.pk, "nudged_14_for", gap_start
            ):
                for recipient, other in (
                    (pairing.mentee, pairing.mentor.user),
                    (pairing.mentor.user, pairing.mentee),
                ):
                    notification_services.notify(
                        recipient=recipient,
                        kind="mentoring.nudge",
                        context={"other_name": _name(other), "days": days},
                        url=MINE_URL + f"pairings/{pairing.pk}/",
                        scope=scope,
                    )
                sent["nudge"] += 1
        if days < STALLED_DAYS:
            continue
        with transaction.atomic():
            if pairing.nudged_28_for != gap_start and _claim(
                pairing.pk, "nudged_28_for", gap_start
            ):
                programme_id = pairing.cohort.programme_id
                if programme_id not in admins_of:
                    admins_of[programme_id] = list(
                        User.objects.filter(
                            programme_roles__programme_id=programme_id,
                            programme_roles__role=RoleKind.PROGRAMME_ADMIN,
                            is_active=True,
                        ).distinct()
                    )
                for admin in admins_of[programme_id]:
                    notification_services.notify(
                        recipient=admin,
                        kind="mentoring.stalled",
                        context={
                            "mentor_name": _name(pairing.mentor.user),
                            "mentee_name": _name(pairing.mentee),
                            "days": days,
                            "cohort_name": pairing.cohort.name,
                        },
                        url=f"/programmes/{pairing.cohort.programme.slug}/mentoring/?stalled=1",
                        scope=scope,
                    )
                sent["stalled"] += 1
    return sent
