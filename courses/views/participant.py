"""Each person's own courses: their progress and electives, their upcoming sessions and secret
calendar feed, and checking in to a session with its code. A person only ever sees their own
data: a cohort, course or session that is not theirs is a 404."""

from datetime import timedelta
from itertools import groupby

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from courses import ical, progress, selectors, services
from courses.enums import ATTENDED
from courses.forms import CheckInCodeForm

UPCOMING_SHOWN = 3
CALENDAR_SESSIONS = 50
# The feed keeps recent history, so a calendar app does not drop last month's classes.
FEED_HISTORY = timedelta(days=60)

ASSESSMENT_STATES = {
    progress.PASSED: (gettext_lazy("Passed"), "success"),
    progress.FAILED: (gettext_lazy("Not passed"), "danger"),
    progress.MISSING: (gettext_lazy("Not handed in"), "danger"),
    progress.PENDING: (gettext_lazy("Still to come"), "secondary"),
}


def _session_label(session) -> str:
    """“AI101 — Week 3”, or the course and the day when the session has no topic."""
    detail = session.title or timezone.localtime(session.starts_at, session.cohort.tz).strftime(
        "%-d %b %H:%M"
    )
    return f"{session.course.code} — {detail}"


def _local(session) -> dict:
    """A session with its times in its cohort's time zone, for the templates."""
    tz = session.cohort.tz
    return {
        "session": session,
        "starts": timezone.localtime(session.starts_at, tz),
        "ends": timezone.localtime(session.ends_at, tz),
        "timezone": session.cohort.timezone,
    }


# --- my courses --------------------------------------------------------------------------------


def _cohort_block(seat, user) -> dict | None:
    cohort = seat.cohort
    standing = selectors.participant_progress(cohort=cohort, user=user)
    offers = selectors.electives_for(cohort=cohort, user=user)
    if not standing.courses and not offers:
        return None
    courses = []
    for cp in standing.courses:
        courses.append(
            {
                "cp": cp,
                "assessments": [
                    {
                        "line": line,
                        "label": ASSESSMENT_STATES[line.state][0],
                        "tone": ASSESSMENT_STATES[line.state][1],
                    }
                    for line in cp.assessments
                ],
            }
        )
    return {
        "cohort": cohort,
        "programme": cohort.programme,
        "standing": standing,
        "courses": courses,
        "electives": offers,
        "electives_chosen": sum(1 for offer in offers if offer.enrolled),
        "electives_limit": selectors.max_electives(programme=cohort.programme) if offers else 0,
    }


@login_required
def mine(request):
    user = request.user
    blocks = [
        block
        for seat in selectors.participations(user=user)
        if (block := _cohort_block(seat, user)) is not None
    ]
    upcoming = list(selectors.upcoming_sessions(user=user, limit=CALENDAR_SESSIONS))
    learning = [s for s in upcoming if s.instructor_id != user.pk][:UPCOMING_SHOWN]
    marks = selectors.attendance_statuses(user=user, session_ids=[s.pk for s in learning])
    now = timezone.now()
    return render(
        request,
        "courses/my_courses.html",
        {
            "blocks": blocks,
            "upcoming": [
                {
                    **_local(s),
                    "checked_in": marks.get(s.pk) in ATTENDED,
                    "open": selectors.is_check_in_open(s, now),
                }
                for s in learning
            ],
            "teaching": [_local(s) for s in upcoming if s.instructor_id == user.pk],
        },
    )


def _participation_or_404(request, cohort_id):
    seat = selectors.participation_get(user=request.user, cohort_id=cohort_id)
    if seat is None:
        raise Http404(_("No such cohort."))
    return seat


def _elective_or_404(seat, course_id):
    course = selectors.elective_offered(cohort=seat.cohort, course_id=course_id)
    if course is None:
        raise Http404(_("No such elective."))
    return course


@login_required
@require_POST
def elective_choose(request, cohort_id, course_id):
    seat = _participation_or_404(request, cohort_id)
    course = _elective_or_404(seat, course_id)
    try:
        services.elective_choose(course=course, cohort=seat.cohort, user=request.user)
    except services.CoursesError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("You have chosen %(course)s.") % {"course": f"{course.code} {course.title}"}
        )
    return redirect(reverse("courses:mine") + f"#electives-{seat.cohort_id}")


@login_required
@require_POST
def elective_drop(request, cohort_id, course_id):
    seat = _participation_or_404(request, cohort_id)
    course = _elective_or_404(seat, course_id)
    enrollment = selectors.enrollment_for_user(course=course, cohort=seat.cohort, user=request.user)
    if enrollment is None:
        messages.info(request, _("You are not taking this course."))
    else:
        try:
            services.elective_drop(enrollment=enrollment, user=request.user)
        except services.CoursesError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("You have dropped %(course)s.") % {"course": f"{course.code} {course.title}"},
            )
    return redirect(reverse("courses:mine") + f"#electives-{seat.cohort_id}")


# --- calendar ----------------------------------------------------------------------------------


def _feed_url(request, found) -> str:
    return request.build_absolute_uri(reverse("courses:feed", args=[found.token]))


@login_required
def calendar(request):
    user = request.user
    sessions = [_local(s) for s in selectors.upcoming_sessions(user=user, limit=CALENDAR_SESSIONS)]
    days = [
        {"day": day, "sessions": list(items)}
        for day, items in groupby(sessions, key=lambda item: item["starts"].date())
    ]
    timezones = sorted({item["timezone"] for item in sessions})
    found = selectors.feed_get(user=user)
    return render(
        request,
        "courses/calendar.html",
        {
            "days": days,
            "timezones": timezones,
            "show_timezone": len(timezones) > 1,
            "more": len(sessions) >= CALENDAR_SESSIONS,
            "limit": CALENDAR_SESSIONS,
            "feed": found,
            "feed_url": _feed_url(request, found) if found else "",
        },
    )


@login_required
@require_POST
def feed_manage(request):
    action = request.POST.get("action")
    if action == "create":
        services.feed_create(user=request.user)
        messages.success(request, _("Your calendar link is ready: add it to your calendar app."))
    elif action == "reset":
        services.feed_reset(user=request.user)
        messages.success(
            request,
            _("You have a new calendar link; the old one no longer works. Add the new one."),
        )
    elif action == "revoke":
        services.feed_revoke(user=request.user)
        messages.success(request, _("Your calendar link is turned off."))
    else:
        return HttpResponseBadRequest(_("Unknown action."))
    return redirect(reverse("courses:calendar") + "#feed")


@require_safe
def feed(request, token):
    """The secret iCalendar feed: anyone with the URL reads it, so it is the person's own sessions
    and nothing else, in three queries whatever their number."""
    found = selectors.feed_by_token(token=token)
    if found is None:
        raise Http404
    now = timezone.now()
    sessions = selectors.sessions_for_user(user=found.user, start=now - FEED_HISTORY)
    body = ical.feed(
        sessions=sessions,
        name=_("Cohortline classes"),
        site_url=settings.SITE_URL,
        now=now,
    )
    services.feed_touch(feed=found)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = "inline; filename=cohortline.ics"
    # Private: the URL is a secret, and a shared cache must never keep one person's sessions.
    response["Cache-Control"] = "private, max-age=300"
    return response


# --- check-in ----------------------------------------------------------------------------------


def _checked_in_message(request, result) -> None:
    label = _session_label(result.session)
    if result.already:
        messages.info(
            request, _("You were already checked in to %(session)s.") % {"session": label}
        )
    else:
        messages.success(request, _("You are checked in to %(session)s.") % {"session": label})


def _check_in_page(request, form, *, status=200, blocked=False):
    user = request.user
    now = timezone.now()
    sessions = [_local(s) for s in selectors.sessions_open_for_check_in(user=user, now=now)]
    return render(
        request,
        "courses/check_in.html",
        {"form": form, "sessions": sessions, "blocked": blocked},
        status=status,
    )


@login_required
def check_in(request):
    if request.method != "POST":
        return _check_in_page(request, CheckInCodeForm())
    user = request.user
    form = CheckInCodeForm(request.POST)
    if services.check_in_blocked(user=user):
        form.add_error(None, services.TOO_MANY_FAILURES)
        return _check_in_page(request, form, status=429, blocked=True)
    if not form.is_valid():
        return _check_in_page(request, form, status=400)
    try:
        result = services.check_in_with_code(user=user, code=form.cleaned_data["code"])
    except services.CoursesError as error:
        form.add_error("code", str(error))
        return _check_in_page(request, form, status=400)
    _checked_in_message(request, result)
    return redirect("courses:mine")


@login_required
def check_in_scan(request, session_id):
    session = selectors.session_get_by_id(session_id=session_id)
    if session is None:
        raise Http404(_("No such session."))
    if not selectors.is_enrolled(
        course_id=session.course_id, cohort_id=session.cohort_id, user=request.user
    ):
        # Refused before anything about the session is shown.
        return render(request, "courses/check_in_scan.html", {"not_enrolled": True}, status=403)
    error = ""
    status = 200
    if request.method == "POST" and services.check_in_blocked(user=request.user):
        # The same count as typed codes: switching between the two gains no tries.
        error, status = str(services.TOO_MANY_FAILURES), 429
    elif request.method == "POST":
        try:
            result = services.check_in_with_token(
                session=session, user=request.user, token=request.POST.get("t", "")
            )
        except services.CoursesError as exc:
            error, status = str(exc), 400
        else:
            _checked_in_message(request, result)
            return redirect("courses:mine")
    return render(
        request,
        "courses/check_in_scan.html",
        {
            **_local(session),
            "token": request.POST.get("t", "")
            if request.method == "POST"
            else request.GET.get("t", ""),
            "error": error,
        },
        status=status,
    )
