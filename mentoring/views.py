"""Mentoring pages: the programme's mentoring for its admins (pairs, mentors, matching runs,
forbidden pairs), a mentor's profile, a participant's preferences, each person's own mentoring
page, and the page of one pairing (its sessions and feedback) for its mentor and mentee."""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts import reauthentication
from accounts import selectors as account_selectors
from core import tabular
from mentoring import selectors, services
from mentoring.enums import ForbiddenSource, Language, PairingStatus
from mentoring.forms import (
    AssignForm,
    ConflictForm,
    EndForm,
    FeedbackForm,
    ForbiddenPairForm,
    MentorProfileForm,
    PreferenceForm,
    RunForm,
    SessionForm,
    SwapForm,
)
from mentoring.models import MenteePreference, MentorProfile
from programmes.selectors import programme_for, programme_or_404

PAGE_SIZE = 50
RUNS_SHOWN = 20
VIEW = "mentoring.view_mentoring"
MANAGE = "mentoring.manage_mentoring"
SCORE_PARTS = (
    ("topics", gettext_lazy("Topics")),
    ("language", gettext_lazy("Language")),
    ("industry", gettext_lazy("Industry")),
    ("wish", gettext_lazy("Wish")),
)


def _name(user) -> str:
    return user.display_name or user.email


def _languages(codes) -> str:
    names = dict(Language.choices)
    return ", ".join(str(names.get(code, code)) for code in codes)


# --- the admins' page --------------------------------------------------------------------------


def _end_form(pairing, data=None) -> EndForm:
    form = EndForm(data, auto_id=f"end-{pairing.pk}-%s")
    form.pairing_id = pairing.pk
    return form


def _overview_page(
    request, programme, *, run_form=None, forbidden_form=None, end_form=None, status=200
):
    can_manage = request.user.has_perm(MANAGE, programme)
    cohorts = list(selectors.cohort_list(programme=programme))
    cohort = next((c for c in cohorts if c.slug == request.GET.get("cohort")), None)
    stalled = request.GET.get("stalled") == "1"
    pairings = selectors.pairing_list_for_programme(
        programme=programme, cohort=cohort, stalled_only=stalled
    )
    page = Paginator(pairings, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = []
    for pairing in page.object_list:
        quiet = selectors.days_quiet(pairing, today)
        form = None
        if can_manage:
            bound = end_form is not None and end_form.pairing_id == pairing.pk
            form = end_form if bound else _end_form(pairing)
        rows.append(
            {
                "pairing": pairing,
                "quiet": quiet,
                "tone": (
                    "danger"
                    if quiet is not None and quiet >= services.STALLED_DAYS
                    else "warning"
                    if quiet is not None and quiet >= services.NUDGE_DAYS
                    else ""
                ),
                "end_form": form,
            }
        )
    if end_form is not None and all(row["pairing"].pk != end_form.pairing_id for row in rows):
        # The pair is not on this page of the list: say what went wrong here.
        messages.error(
            request, " ".join(str(e) for errors in end_form.errors.values() for e in errors)
        )
    mentors = list(selectors.mentor_profile_list_for_programme(programme=programme))
    for mentor in mentors:
        mentor.language_names = _languages(mentor.languages)
    return render(
        request,
        "mentoring/mentoring_overview.html",
        {
            "programme": programme,
            "can_manage": can_manage,
            "cohorts": cohorts,
            "cohort": cohort,
            "stalled": stalled,
            "page": page,
            "rows": rows,
            "mentors": mentors,
            "without_profile": list(selectors.mentors_without_profile(programme=programme)),
            "runs": selectors.run_list_for_programme(programme=programme)[:RUNS_SHOWN],
            "forbidden": selectors.forbidden_pairs(programme=programme),
            "run_form": (run_form or RunForm(cohorts=cohorts)) if can_manage else None,
            "forbidden_form": (forbidden_form or ForbiddenPairForm(mentors=mentors))
            if can_manage
            else None,
            "nudge_days": services.NUDGE_DAYS,
            "stalled_days": services.STALLED_DAYS,
        },
        status=status,
    )


@login_required
def overview(request, slug):
    programme = programme_for(request, slug, VIEW)
    return _overview_page(request, programme)


EXPORT_HEADER = [
    "cohort",
    "mentee_email",
    "mentee_name",
    "mentor_email",
    "mentor_name",
    "mentor_employer",
    "status",
    "introduced_on",
    "ended_on",
    "end_reason",
    "sessions",
    "last_session_on",
    "average_rating",
]


@login_required
def export(request, slug):
    programme = programme_for(request, slug, VIEW)
    # Participants' and mentors' emails: confirm who is asking (then back here, to the download).
    reauthentication.require_recent(request)
    pairings = selectors.pairing_list_export(programme=programme)
    services.pairings_exported(programme=programme, actor=request.user, rows=pairings.count())

    def rows():
        # Never the sessions' notes or comments: the figures of each pair only.
        for pairing in pairings.iterator(chunk_size=2000):
            yield [
                tabular.neutralise(cell)
                for cell in (
                    pairing.cohort.name,
                    pairing.mentee.email,
                    pairing.mentee.display_name,
                    pairing.mentor.user.email,
                    pairing.mentor.user.display_name,
                    pairing.mentor.employer,
                    pairing.get_status_display(),
                    _day(pairing.started_at),
                    _day(pairing.ended_at),
                    pairing.end_reason,
                    pairing.session_count,
                    pairing.last_held.isoformat() if pairing.last_held else "",
                    f"{pairing.average_rating:.1f}" if pairing.average_rating is not None else "",
                )
            ]

    response = StreamingHttpResponse(
        tabular.csv_chunks(EXPORT_HEADER, rows()), content_type="text/csv; charset=utf-8"
    )
    filename = f"{programme.slug}-mentoring-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _day(moment) -> str:
    return timezone.localdate(moment).isoformat() if moment else ""


@login_required
@require_POST
def run_create(request, slug):
    programme = programme_for(request, slug, MANAGE)
    form = RunForm(request.POST, cohorts=list(selectors.cohort_list(programme=programme)))
    if not form.is_valid():
        return _overview_page(request, programme, run_form=form, status=400)
    run = services.matching_run_create(
        cohort=form.cleaned_data["cohort"],
        mode=form.cleaned_data["mode"],
        weights=form.weights,
        language_required=form.cleaned_data["language_required"],
        actor=request.user,
    )
    result = run.summary.get("result", {})
    messages.success(
        request,
        _(
            "Run %(number)s proposes %(matched)s pairs for %(mentees)s mentees without a mentor. "
            "Nobody is told until you publish it."
        )
        % {
            "number": run.number,
            "matched": result.get("matched", 0),
            "mentees": run.summary.get("mentees", 0),
        },
    )
    return redirect("mentoring:run_detail", slug=slug, run_id=run.pk)


@login_required
@require_POST
def forbidden_add(request, slug):
    programme = programme_for(request, slug, MANAGE)
    mentors = list(selectors.mentor_profile_list_for_programme(programme=programme))
    form = ForbiddenPairForm(request.POST, mentors=mentors)
    if form.is_valid():
        mentor = form.mentors[form.cleaned_data["mentor"]]
        mentee = selectors.participant_get_by_email(
            programme=programme, email=form.cleaned_data["mentee_email"]
        )
        if mentee is None:
            form.add_error(
                "mentee_email", _("No participant of this programme has this email address.")
            )
        else:
            try:
                services.forbidden_pair_add(
                    programme=programme,
                    mentor=mentor,
                    mentee=mentee,
                    source=ForbiddenSource.ADMIN,
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
            except services.MentoringError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("%(mentor)s and %(mentee)s will never be matched.")
                    % {"mentor": mentor, "mentee": _name(mentee)},
                )
                return redirect(reverse("mentoring:overview", args=[slug]) + "#forbidden")
    return _overview_page(request, programme, forbidden_form=form, status=400)


@login_required
@require_POST
def forbidden_remove(request, slug, forbidden_id):
    programme = programme_for(request, slug, MANAGE)
    pair = selectors.forbidden_pair_get(programme=programme, pair_id=forbidden_id)
    if pair is None:
        raise Http404(_("No such forbidden pair."))
    services.forbidden_pair_remove(pair=pair, actor=request.user)
    messages.success(
        request,
        _("%(mentor)s and %(mentee)s may be matched again.")
        % {"mentor": pair.mentor, "mentee": _name(pair.mentee)},
    )
    return redirect(reverse("mentoring:overview", args=[slug]) + "#forbidden")


@login_required
@require_POST
def admin_pairing_end(request, slug, pairing_id):
    programme = programme_for(request, slug, MANAGE)
    pairing = selectors.pairing_get(programme=programme, pairing_id=pairing_id)
    if pairing is None or pairing.status == PairingStatus.PROPOSED:
        raise Http404(_("No such pairing."))
    form = _end_form(pairing, request.POST)
    if form.is_valid():
        try:
            services.pairing_end(
                pairing=pairing,
                reason=form.cleaned_data["reason"],
                actor=request.user,
                by_admin=True,
            )
        except services.MentoringError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _(
                    "The pairing of %(mentor)s and %(mentee)s has ended; both were told. "
                    "%(mentee)s can be matched again by a new run."
                )
                % {"mentor": pairing.mentor, "mentee": _name(pairing.mentee)},
            )
        return redirect("mentoring:overview", slug=slug)
    return _overview_page(request, programme, end_form=form, status=400)


# --- a matching run ----------------------------------------------------------------------------


def _run_or_404(programme, run_id):
    run = selectors.run_get(programme=programme, run_id=run_id)
    if run is None:
        raise Http404(_("No such matching run."))
    return run


class _RunData:
    """What a run's page and its changes by hand read: its pairs, its unmatched mentees and,
    while it is a preview, the mentors one may assign."""

    def __init__(self, request, programme, run):
        self.pairings = list(selectors.run_pairings(run=run))
        reasons = run.summary.get("unmatched", {})
        users = selectors.users_by_id(reasons) if reasons else {}
        self.unmatched = sorted(
            ((users[int(key)], reason) for key, reason in reasons.items() if int(key) in users),
            key=lambda item: (_name(item[0]).lower(), item[0].pk),
        )
        self.can_manage = request.user.has_perm(MANAGE, programme)
        self.editable = run.is_preview and self.can_manage
        self.mentors = (
            list(selectors.mentor_profile_list_for_programme(programme=programme))
            if self.editable
            else []
        )
        self.proposed = Counter(p.mentor_id for p in self.pairings)

    def assign_form(self, data=None) -> AssignForm:
        return AssignForm(
            data,
            mentees=[user for user, _reason in self.unmatched],
            mentors=self.mentors,
            proposed=self.proposed,
        )

    def swap_form(self, data=None) -> SwapForm:
        return SwapForm(data, pairings=self.pairings)


def _parts(pairing, weights: dict) -> list[dict]:
    parts = pairing.score_parts or {}
    return [
        {"label": label, "value": parts.get(key, 0), "weight": weights.get(key, 0)}
        for key, label in SCORE_PARTS
    ]


# The unmatched listed on a run's page; the assign form offers every one of them.
UNMATCHED_SHOWN = 50


def _run_page(request, programme, run, data=None, *, assign_form=None, swap_form=None, status=200):
    data = data or _RunData(request, programme, run)
    summary = run.summary or {}
    result = summary.get("result", {})
    total = round(sum(p.score for p in data.pairings), 3)
    changed = run.is_preview and (
        len(data.pairings) != result.get("matched", 0)
        or abs(total - result.get("total_score", 0)) > 1e-6
    )
    # A cohort of a thousand makes hundreds of pairs: a page of them at a time.
    pairs_page = Paginator(data.pairings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "mentoring/run_detail.html",
        {
            "programme": programme,
            "run": run,
            "summary": summary,
            "result": result,
            "other": summary.get("other", {}),
            "other_mode": summary.get("other_mode", ""),
            "pairs_page": pairs_page,
            "rows": [{"pairing": p, "parts": _parts(p, run.weights)} for p in pairs_page],
            "unmatched": data.unmatched,
            "unmatched_shown": data.unmatched[:UNMATCHED_SHOWN],
            "now_matched": len(data.pairings),
            "now_total": total,
            "changed": changed,
            "editable": data.editable,
            "can_manage": data.can_manage,
            "assign_form": (assign_form or data.assign_form()) if data.editable else None,
            "swap_form": (swap_form or data.swap_form()) if data.editable else None,
        },
        status=status,
    )


@login_required
def run_detail(request, slug, run_id):
    programme = programme_for(request, slug, VIEW)
    return _run_page(request, programme, _run_or_404(programme, run_id))


def _preview_or_redirect(request, slug, run):
    """None while the run is a preview; else a redirect back to it with the reason."""
    if run.is_preview:
        return None
    messages.error(request, _("This run is no longer a preview: it was published or discarded."))
    return redirect("mentoring:run_detail", slug=slug, run_id=run.pk)


@login_required
@require_POST
def run_assign(request, slug, run_id):
    programme = programme_for(request, slug, MANAGE)
    run = _run_or_404(programme, run_id)
    if (answer := _preview_or_redirect(request, slug, run)) is not None:
        return answer
    data = _RunData(request, programme, run)
    form = data.assign_form(request.POST)
    if form.is_valid():
        mentee = form.mentees[form.cleaned_data["mentee"]]
        mentor = form.mentors[form.cleaned_data["mentor"]]
        try:
            services.run_assign(run=run, mentee=mentee, mentor=mentor, actor=request.user)
        except services.MentoringError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("%(mentee)s is paired with %(mentor)s in this preview.")
                % {"mentee": _name(mentee), "mentor": mentor},
            )
            return redirect("mentoring:run_detail", slug=slug, run_id=run.pk)
    return _run_page(request, programme, run, data, assign_form=form, status=400)


@login_required
@require_POST
def run_unassign(request, slug, run_id, pairing_id):
    programme = programme_for(request, slug, MANAGE)
    run = _run_or_404(programme, run_id)
    if (answer := _preview_or_redirect(request, slug, run)) is not None:
        return answer
    pairing = selectors.pairing_get(programme=programme, pairing_id=pairing_id)
    if pairing is None or pairing.run_id != run.pk or pairing.status != PairingStatus.PROPOSED:
        raise Http404(_("No such pair in this run."))
    try:
        services.run_unassign(pairing=pairing, actor=request.user)
    except services.MentoringError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(mentee)s is unmatched in this preview.") % {"mentee": _name(pairing.mentee)},
        )
    return redirect("mentoring:run_detail", slug=slug, run_id=run.pk)


@login_required
@require_POST
def run_swap(request, slug, run_id):
    programme = programme_for(request, slug, MANAGE)
    run = _run_or_404(programme, run_id)
    if (answer := _preview_or_redirect(request, slug, run)) is not None:
        return answer
    data = _RunData(request, programme, run)
    form = data.swap_form(request.POST)
    if form.is_valid():
        first = form.pairings[form.cleaned_data["first"]]
        second = form.pairings[form.cleaned_data["second"]]
        try:
            services.run_swap(first=first, second=second, actor=request.user)
        except services.MentoringError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("%(a)s and %(b)s swapped mentors.")
                % {"a": _name(first.mentee), "b": _name(second.mentee)},
            )
            return redirect("mentoring:run_detail", slug=slug, run_id=run.pk)
    return _run_page(request, programme, run, data, swap_form=form, status=400)


@login_required
@require_POST
def run_publish(request, slug, run_id):
    programme = programme_for(request, slug, MANAGE)
    run = _run_or_404(programme, run_id)
    try:
        made = services.run_publish(run=run, actor=request.user)
    except services.MentoringError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            ngettext("%(n)s pair introduced by email.", "%(n)s pairs introduced by email.", made)
            % {"n": made},
        )
    return redirect("mentoring:run_detail", slug=slug, run_id=run.pk)


@login_required
@require_POST
def run_discard(request, slug, run_id):
    programme = programme_for(request, slug, MANAGE)
    run = _run_or_404(programme, run_id)
    try:
        services.run_discard(run=run, actor=request.user)
    except services.MentoringError as exc:
        messages.error(request, str(exc))
        return redirect("mentoring:run_detail", slug=slug, run_id=run.pk)
    messages.success(request, _("Run %(n)s discarded.") % {"n": run.number})
    return redirect("mentoring:overview", slug=slug)


# --- a mentor's profile, a participant's preferences ---------------------------------------------


@login_required
def profile(request, slug):
    programme = programme_or_404(request, slug)
    # The role itself, not a permission a platform admin holds anyway: a profile without the
    # role would never be matched.
    if not selectors.is_mentor(user=request.user, programme=programme):
        raise PermissionDenied
    profile = selectors.mentor_profile_get(programme=programme, user=request.user)
    created = profile is None
    if created:
        profile = MentorProfile(programme=programme, user=request.user)
    form = MentorProfileForm(request.POST if request.method == "POST" else None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            services.mentor_profile_save(profile=form.save(commit=False), actor=request.user)
        except services.MentoringError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your mentor profile is saved."))
            return redirect("mentoring:mine")
    return _profile_page(request, programme, profile, form, created=created)


def _profile_page(request, programme, profile, form, *, created=False, conflict_form=None):
    bad = form.errors or (conflict_form is not None and conflict_form.errors)
    return render(
        request,
        "mentoring/profile_form.html",
        {
            "programme": programme,
            "form": form,
            "created": created,
            "tags": selectors.expertise_tags(programme=programme),
            "conflict_form": (conflict_form or ConflictForm()) if not created else None,
        },
        status=400 if bad else 200,
    )


@login_required
@require_POST
def conflict_declare(request, slug):
    programme = programme_or_404(request, slug)
    if not selectors.is_mentor(user=request.user, programme=programme):
        raise PermissionDenied
    profile = selectors.mentor_profile_get(programme=programme, user=request.user)
    if profile is None:
        messages.error(request, _("Fill in your profile first."))
        return redirect("mentoring:profile", slug=slug)
    conflict_form = ConflictForm(request.POST)
    if not conflict_form.is_valid():
        form = MentorProfileForm(instance=profile)
        return _profile_page(request, programme, profile, form, conflict_form=conflict_form)
    services.conflict_declare(
        profile=profile,
        email=conflict_form.cleaned_data["email"],
        reason=conflict_form.cleaned_data["reason"],
        actor=request.user,
    )
    # The same answer whether or not the email is a participant's: nothing to learn from it.
    messages.success(
        request,
        _("Noted: if they take part in the programme, you will never be matched with them."),
    )
    return redirect("mentoring:profile", slug=slug)


@login_required
def preferences(request, slug):
    participation = selectors.participation_get_by_slug(user=request.user, slug=slug)
    if participation is None:
        raise Http404(_("You are not a participant of this programme."))
    cohort = participation.cohort
    programme = cohort.programme
    preference = selectors.preference_get(cohort=cohort, user=request.user)
    if preference is None:
        preference = MenteePreference(cohort=cohort, user=request.user)
    applicant = account_selectors.profile_get_for_user(user=request.user)
    employer = applicant.employer if applicant else ""
    form = PreferenceForm(
        request.POST if request.method == "POST" else None,
        instance=preference,
        mentors=list(selectors.mentor_choices(programme=programme)),
        employer=employer,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.mentee_preferences_save(
                preference=form.save(commit=False),
                wishes=form.wishes,
                avoid=form.avoided,
                actor=request.user,
            )
        except services.MentoringError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Your preferences are saved. The next matching run of %(cohort)s uses them.")
                % {"cohort": cohort.name},
            )
            return redirect("mentoring:mine")
    return render(
        request,
        "mentoring/preferences_form.html",
        {
            "programme": programme,
            "cohort": cohort,
            "form": form,
            "employer": employer,
            "tags": selectors.expertise_tags(programme=programme),
        },
        status=400 if form.errors else 200,
    )


# --- each person's own mentoring -----------------------------------------------------------------


@login_required
def mine(request):
    user = request.user
    profiles = {p.programme_id: p for p in selectors.mentor_profiles_for_user(user=user)}
    mentees_by_programme: dict[int, list] = {}
    for pairing in selectors.pairings_as_mentor(user=user):
        mentees_by_programme.setdefault(pairing.cohort.programme_id, []).append(pairing)
    as_mentor = [
        {
            "programme": programme,
            "profile": profiles.get(programme.pk),
            "pairings": mentees_by_programme.get(programme.pk, []),
        }
        for programme in selectors.mentor_programmes(user=user)
    ]
    seats = list(selectors.participations(user=user))
    as_mentee = []
    if seats:
        pairings = list(selectors.pairings_as_mentee(user=user))
        stated = selectors.preference_cohort_ids(user=user)
        for seat in seats:
            own = [p for p in pairings if p.cohort_id == seat.cohort_id]
            as_mentee.append(
                {
                    "cohort": seat.cohort,
                    "programme": seat.cohort.programme,
                    "active": next((p for p in own if p.is_active), None),
                    "ended": [p for p in own if not p.is_active],
                    "has_preferences": seat.cohort_id in stated,
                }
            )
    return render(
        request,
        "mentoring/my_mentoring.html",
        {"as_mentor": as_mentor, "as_mentee": as_mentee},
    )


# --- one pairing: its sessions and feedback ----------------------------------------------------


def _pairing_or_404(request, pairing_id):
    pairing = selectors.pairing_get_for_user(user=request.user, pairing_id=pairing_id)
    if pairing is None:
        raise Http404(_("No such pairing."))
    return pairing


def _is_mentor(request, pairing) -> bool:
    return pairing.mentor.user_id == request.user.pk


def _pairing_page(
    request, pairing, *, session_form=None, feedback_form=None, end_form=None, status=200
):
    is_mentor = _is_mentor(request, pairing)
    sessions = list(selectors.session_list(pairing=pairing))
    rows = []
    for session in sessions:
        form = None
        if not is_mentor and session.feedback_at is None:
            bound = feedback_form is not None and feedback_form.session_id == session.pk
            form = feedback_form if bound else FeedbackForm(session_id=session.pk)
        rows.append({"session": session, "feedback_form": form})
    counted = [s for s in sessions if s.counts]
    ratings = [s.rating for s in sessions if s.rating is not None]
    active = pairing.is_active
    return render(
        request,
        "mentoring/pairing_detail.html",
        {
            "pairing": pairing,
            "programme": pairing.cohort.programme,
            "is_mentor": is_mentor,
            "other": pairing.mentee if is_mentor else pairing.mentor.user,
            "rows": rows,
            "counted": len(counted),
            "minutes": sum(s.minutes for s in counted),
            "average_rating": sum(ratings) / len(ratings) if ratings else None,
            "session_form": (session_form or SessionForm(is_mentor=is_mentor)) if active else None,
            "end_form": (end_form or EndForm(auto_id="end-%s")) if active else None,
        },
        status=status,
    )


@login_required
def pairing_detail(request, pairing_id):
    return _pairing_page(request, _pairing_or_404(request, pairing_id))


def _back_to(pairing, anchor: str = ""):
    return redirect(reverse("mentoring:pairing", args=[pairing.pk]) + anchor)


@login_required
@require_POST
def session_log(request, pairing_id):
    pairing = _pairing_or_404(request, pairing_id)
    if not pairing.is_active:
        messages.error(request, _("This pairing has ended; its sessions can no longer change."))
        return _back_to(pairing)
    is_mentor = _is_mentor(request, pairing)
    form = SessionForm(request.POST, is_mentor=is_mentor)
    if form.is_valid():
        data = form.cleaned_data
        try:
            # A second submission of the same form finds the first's session: same answer.
            services.session_log(
                pairing=pairing,
                actor=request.user,
                held_on=data["held_on"],
                minutes=data["minutes"],
                mode=data["mode"],
                topics=data["topics"],
                summary=data["summary"],
                private_notes=data.get("private_notes", ""),
                submission_id=data["submission_id"],
            )
        except services.MentoringError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Session logged; your mentee is asked to rate it.")
                if is_mentor
                else _("Session logged; your mentor is asked to confirm it."),
            )
            return _back_to(pairing, "#sessions")
    return _pairing_page(request, pairing, session_form=form, status=400)


def _session_or_404(pairing, session_id):
    session = selectors.session_get(pairing=pairing, session_id=session_id)
    if session is None:
        raise Http404(_("No such session."))
    return session


@login_required
@require_POST
def session_confirm(request, pairing_id, session_id):
    pairing = _pairing_or_404(request, pairing_id)
    session = _session_or_404(pairing, session_id)
    if not _is_mentor(request, pairing):
        raise PermissionDenied
    services.session_confirm(session=session, actor=request.user)
    messages.success(request, _("Session confirmed: it counts now."))
    return _back_to(pairing, f"#session-{session.pk}")


@login_required
@require_POST
def session_feedback(request, pairing_id, session_id):
    pairing = _pairing_or_404(request, pairing_id)
    session = _session_or_404(pairing, session_id)
    if _is_mentor(request, pairing):
        raise PermissionDenied
    if session.feedback_at is not None:
        messages.info(request, _("You have already given your feedback on this session."))
        return _back_to(pairing, f"#session-{session.pk}")
    form = FeedbackForm(request.POST, session_id=session.pk)
    if form.is_valid():
        try:
            services.session_feedback(
                session=session,
                actor=request.user,
                attended=form.cleaned_data["attended"],
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
        except services.MentoringError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Thank you: your feedback is saved."))
            return _back_to(pairing, f"#session-{session.pk}")
    return _pairing_page(request, pairing, feedback_form=form, status=400)


@login_required
@require_POST
def pairing_end(request, pairing_id):
    pairing = _pairing_or_404(request, pairing_id)
    form = EndForm(request.POST, auto_id="end-%s")
    if form.is_valid():
        try:
            services.pairing_end(
                pairing=pairing, reason=form.cleaned_data["reason"], actor=request.user
            )
        except services.MentoringError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The pairing has ended; the other side was told."))
        return _back_to(pairing)
    return _pairing_page(request, pairing, end_form=form, status=400)
