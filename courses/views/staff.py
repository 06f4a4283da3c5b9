"""The programme's teaching, for its staff and admins: courses and the cohorts they are offered
to, class sessions, enrolments, the roster of a session (marked on a phone, one tap a person),
the rotating check-in code on the room's screen, assessments and results, and each cohort's
progress with the people at risk.

Every page goes through `programme_for(..., "courses.teach")`: someone without a role in the
programme gets a 404, a role that does not teach (a reviewer, a mentor) a 403.
"""

from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts import reauthentication
from core import tabular
from courses import checkin, selectors, services
from courses.enums import AttendanceStatus
from courses.forms import (
    AssessmentForm,
    CourseForm,
    EnrolmentForm,
    ProgressMessageForm,
    ResultForm,
    ResultsImportForm,
    SessionForm,
    SettingsForm,
)
from courses.models import Assessment, ClassSession, Course
from programmes.selectors import programme_for

TEACH = "courses.teach"
PAGE_SIZE = 50
# Seconds between two refreshes of the check-in code on the screen; a code lives 30 to 60 s.
CHECKIN_REFRESH = 20


def _name(user) -> str:
    return user.display_name or user.email


def _course_or_404(programme, course_id) -> Course:
    course = selectors.course_get(programme=programme, course_id=course_id)
    if course is None:
        raise Http404(_("No such course."))
    return course


def _session_or_404(programme, session_id) -> ClassSession:
    session = selectors.session_get(programme=programme, session_id=session_id)
    if session is None:
        raise Http404(_("No such session."))
    return session


def _assessment_or_404(course, assessment_id) -> Assessment:
    assessment = selectors.assessment_get(course=course, assessment_id=assessment_id)
    if assessment is None:
        raise Http404(_("No such assessment."))
    return assessment


def _local(moment, cohort) -> str:
    """The moment as the cohort's people read it, in their time zone."""
    return date_format(timezone.localtime(moment, cohort.tz), "D j M Y, H:i")


# --- the programme's courses -------------------------------------------------------------------


def _overview_page(request, programme, *, settings_form=None, status=200):
    return render(
        request,
        "courses/overview.html",
        {
            "programme": programme,
            "courses": selectors.course_list_for_programme(programme=programme),
            "settings_form": settings_form
            or SettingsForm(instance=selectors.settings_get(programme=programme)),
        },
        status=status,
    )


@login_required
def overview(request, slug):
    programme = programme_for(request, slug, TEACH)
    return _overview_page(request, programme)


@login_required
@require_POST
def settings_save(request, slug):
    programme = programme_for(request, slug, TEACH)
    form = SettingsForm(request.POST, instance=selectors.settings_get(programme=programme))
    if form.is_valid():
        services.settings_save(
            programme=programme,
            max_electives=form.cleaned_data["max_electives"],
            actor=request.user,
        )
        messages.success(
            request,
            ngettext(
                "Each participant may now choose %(n)s elective.",
                "Each participant may now choose %(n)s electives.",
                form.cleaned_data["max_electives"],
            )
            % {"n": form.cleaned_data["max_electives"]},
        )
        return redirect("courses:overview", slug=slug)
    return _overview_page(request, programme, settings_form=form, status=400)


def _course_form(request, programme, course=None):
    return CourseForm(
        request.POST if request.method == "POST" else None,
        instance=course or Course(programme=programme),
        programme=programme,
        cohorts=selectors.cohort_list(programme=programme),
        staff=selectors.staff_of_programme(programme=programme),
    )


def _course_form_page(request, programme, course=None):
    form = _course_form(request, programme, course)
    if request.method == "POST" and form.is_valid():
        try:
            saved, enrolled = services.course_save(
                course=form.save(commit=False),
                cohorts=form.cleaned_data["cohorts"],
                instructors=form.cleaned_data["instructors"],
                actor=request.user,
            )
        except services.CoursesError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                ngettext(
                    "%(code)s saved; %(n)s participant was enrolled.",
                    "%(code)s saved; %(n)s participants were enrolled.",
                    enrolled,
                )
                % {"code": saved.code, "n": enrolled},
            )
            return redirect("courses:course_detail", slug=programme.slug, course_id=saved.pk)
    return render(
        request,
        "courses/course_form.html",
        {"programme": programme, "course": course, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def course_create(request, slug):
    programme = programme_for(request, slug, TEACH)
    return _course_form_page(request, programme)


@login_required
def course_edit(request, slug, course_id):
    programme = programme_for(request, slug, TEACH)
    return _course_form_page(request, programme, _course_or_404(programme, course_id))


def _course_page(request, programme, course, *, enrol_form=None, status=200):
    cohorts = list(selectors.course_cohorts(course=course))
    sessions = list(selectors.session_list(course=course))
    now = timezone.now()
    by_cohort = [
        {"cohort": cohort, "sessions": [s for s in sessions if s.cohort_id == cohort.pk]}
        for cohort in cohorts
    ]
    # Sessions of a cohort the course is no longer offered to still count for their people.
    offered = {c.pk for c in cohorts}
    former = [s for s in sessions if s.cohort_id not in offered]
    enrolments = Paginator(selectors.enrollment_list(course=course), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "courses/course_detail.html",
        {
            "programme": programme,
            "course": course,
            "cohorts": cohorts,
            "by_cohort": by_cohort,
            "former": former,
            "now": now,
            "enrolments": enrolments,
            "enrol_form": enrol_form
            or EnrolmentForm(cohorts=selectors.course_cohorts(course=course)),
            "assessments": selectors.assessment_list(course=course),
            "instructors": course.instructors.order_by("display_name", "email"),
        },
        status=status,
    )


@login_required
def course_detail(request, slug, course_id):
    programme = programme_for(request, slug, TEACH)
    return _course_page(request, programme, _course_or_404(programme, course_id))


@login_required
@require_POST
def enrolment_add(request, slug, course_id):
    programme = programme_for(request, slug, TEACH)
    course = _course_or_404(programme, course_id)
    form = EnrolmentForm(request.POST, cohorts=selectors.course_cohorts(course=course))
    if form.is_valid():
        try:
            enrollment = services.enrol_by_staff(
                course=course,
                cohort=form.cleaned_data["cohort"],
                email=form.cleaned_data["email"],
                actor=request.user,
            )
        except services.CoursesError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("%(name)s is enrolled in %(code)s.")
                % {"name": _name(enrollment.user), "code": course.code},
            )
            return redirect(
                reverse("courses:course_detail", args=[slug, course.pk]) + "#enrolments"
            )
    return _course_page(request, programme, course, enrol_form=form, status=400)


@login_required
@require_POST
def enrolment_remove(request, slug, course_id, enrollment_id):
    programme = programme_for(request, slug, TEACH)
    course = _course_or_404(programme, course_id)
    enrollment = selectors.enrollment_get(course=course, enrollment_id=enrollment_id)
    if enrollment is None:
        raise Http404(_("No such enrolment."))
    try:
        services.unenrol_by_staff(enrollment=enrollment, actor=request.user)
    except services.CoursesError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(name)s is no longer enrolled in %(code)s; their attendance and results are kept.")
            % {"name": _name(enrollment.user), "code": course.code},
        )
    return redirect(reverse("courses:course_detail", args=[slug, course.pk]) + "#enrolments")


# --- class sessions ----------------------------------------------------------------------------


def _session_form_page(request, programme, course, session=None):
    form = SessionForm(
        request.POST if request.method == "POST" else None,
        instance=session or ClassSession(course=course),
        course=course,
        cohorts=selectors.course_cohorts(course=course),
        staff=selectors.staff_of_programme(programme=programme),
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.session_save(session=form.save(commit=False), actor=request.user)
        except services.CoursesError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("The session of %(cohort)s on %(when)s is saved.")
                % {"cohort": saved.cohort.name, "when": _local(saved.starts_at, saved.cohort)},
            )
            return redirect(
                reverse("courses:course_detail", args=[programme.slug, course.pk])
                + f"#cohort-{saved.cohort_id}"
            )
    return render(
        request,
        "courses/session_form.html",
        {"programme": programme, "course": course, "session": session, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def session_create(request, slug, course_id):
    programme = programme_for(request, slug, TEACH)
    return _session_form_page(request, programme, _course_or_404(programme, course_id))


@login_required
def session_edit(request, slug, session_id):
    programme = programme_for(request, slug, TEACH)
    session = _session_or_404(programme, session_id)
    return _session_form_page(request, programme, session.course, session)


@login_required
@require_POST
def session_cancel(request, slug, session_id):
    programme = programme_for(request, slug, TEACH)
    session = _session_or_404(programme, session_id)
    try:
        services.session_cancel(session=session, actor=request.user)
    except services.CoursesError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("The session on %(when)s is cancelled; the people enrolled were told.")
            % {"when": _local(session.starts_at, session.cohort)},
        )
    return redirect(
        reverse("courses:course_detail", args=[slug, session.course_id])
        + f"#cohort-{session.cohort_id}"
    )


# --- the roster --------------------------------------------------------------------------------


def _roster_page(request, programme, session, *, error_row=None, status=200):
    rows = selectors.roster(session=session)
    if error_row is not None:
        rows = [error_row if row.user.pk == error_row.user.pk else row for row in rows]
    return render(
        request,
        "courses/roster.html",
        {
            "programme": programme,
            "session": session,
            "course": session.course,
            "rows": rows,
            "counts": _count_items(rows),
            **_roster_state(session),
        },
        status=status,
    )


def _count_items(rows) -> list[dict]:
    counts = selectors.roster_counts(rows)
    items = [
        {"key": value, "label": label, "n": counts[value]}
        for value, label in AttendanceStatus.choices
    ]
    items.append({"key": "", "label": _("Not marked"), "n": counts[""]})
    return items


def _roster_state(session) -> dict:
    now = timezone.now()
    return {
        "started": session.starts_at <= now,
        "choices": AttendanceStatus.choices,
        "check_in_open": selectors.is_check_in_open(session, now),
    }


@login_required
def roster(request, slug, session_id):
    programme = programme_for(request, slug, TEACH)
    return _roster_page(request, programme, _session_or_404(programme, session_id))


@login_required
@require_POST
def roster_mark(request, slug, session_id, user_id):
    programme = programme_for(request, slug, TEACH)
    session = _session_or_404(programme, session_id)
    row = selectors.roster_row(session=session, user_id=user_id)
    if row is None:
        raise Http404(_("This person is not on the roster."))
    status = request.POST.get("status", "")
    error = ""
    try:
        services.attendance_mark(session=session, user=row.user, status=status, actor=request.user)
    except services.CoursesError as exc:
        error = str(exc)
    rows = selectors.roster(session=session)
    fresh = next((r for r in rows if r.user.pk == row.user.pk), row)
    if error:
        # What was chosen stays chosen, with the reason it was not saved.
        fresh.error, fresh.chosen = error, status
    if request.htmx:
        # 409: htmx swaps it in (see the base layout's responseHandling) without a success.
        return render(
            request,
            "courses/roster.html#marked",
            {
                "programme": programme,
                "session": session,
                "row": fresh,
                "counts": _count_items(rows),
                **_roster_state(session),
            },
            status=409 if error else 200,
        )
    if error:
        return _roster_page(request, programme, session, error_row=fresh, status=400)
    messages.success(
        request,
        _("%(name)s: %(status)s.")
        % {"name": _name(row.user), "status": AttendanceStatus(status).label},
    )
    return redirect(reverse("courses:roster", args=[slug, session.pk]) + f"#person-{row.user.pk}")


@login_required
@require_POST
def roster_all_present(request, slug, session_id):
    programme = programme_for(request, slug, TEACH)
    session = _session_or_404(programme, session_id)
    try:
        marked = services.attendance_mark_all_present(session=session, actor=request.user)
    except services.CoursesError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            ngettext("%(n)s person marked present.", "%(n)s people marked present.", marked)
            % {"n": marked},
        )
    return redirect("courses:roster", slug=slug, session_id=session.pk)


def _qr_svg(url: str) -> str:
    """The URL as an inline SVG QR code (no data: URI, no inline style: the CSP allows it)."""
    code = segno.make(url, error="m")
    return code.svg_inline(
        scale=1, border=2, omitsize=True, dark="#000", light="#fff", svgclass="w-100 h-auto"
    )


@login_required
def checkin_display(request, slug, session_id):
    programme = programme_for(request, slug, TEACH)
    session = _session_or_404(programme, session_id)
    now = timezone.now()
    is_open = selectors.is_check_in_open(session, now)
    context = {
        "programme": programme,
        "session": session,
        "course": session.course,
        "is_open": is_open,
        "ended": session.ends_at <= now,
        "opens_at": session.starts_at - checkin.OPENS_BEFORE,
        "refresh": CHECKIN_REFRESH,
    }
    if is_open:
        code = checkin.code_for(session.pk, now)
        scan_url = (
            request.build_absolute_uri(reverse("courses:check_in_scan", args=[session.pk]))
            + "?"
            + urlencode({"t": code.token})
        )
        rows = selectors.roster(session=session)
        counts = selectors.roster_counts(rows)
        context.update(
            {
                "code": code,
                "qr": _qr_svg(scan_url),
                "check_in_url": request.build_absolute_uri(reverse("courses:check_in")),
                "attended": counts[AttendanceStatus.PRESENT] + counts[AttendanceStatus.LATE],
                "enrolled": len(rows),
            }
        )
    template = "courses/checkin_display.html"
    if request.htmx and request.GET.get("part") == "code":
        template += "#code"
    response = render(request, template, context)
    response["Cache-Control"] = "private, no-store"
    return response


# --- assessments and results -------------------------------------------------------------------


def _assessment_form_page(request, programme, course, assessment=None):
    form = AssessmentForm(
        request.POST if request.method == "POST" else None,
        instance=assessment or Assessment(course=course),
        course=course,
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.assessment_save(assessment=form.save(commit=False), actor=request.user)
        except services.CoursesError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("%(name)s is saved.") % {"name": saved.name})
            return redirect(
                "courses:assessment_detail",
                slug=programme.slug,
                course_id=course.pk,
                assessment_id=saved.pk,
            )
    return render(
        request,
        "courses/assessment_form.html",
        {"programme": programme, "course": course, "assessment": assessment, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def assessment_create(request, slug, course_id):
    programme = programme_for(request, slug, TEACH)
    return _assessment_form_page(request, programme, _course_or_404(programme, course_id))


@login_required
def assessment_edit(request, slug, course_id, assessment_id):
    programme = programme_for(request, slug, TEACH)
    course = _course_or_404(programme, course_id)
    return _assessment_form_page(
        request, programme, course, _assessment_or_404(course, assessment_id)
    )


def _enrolled_people(course) -> list:
    seen, people = set(), []
    for enrollment in selectors.enrollment_list(course=course):
        if enrollment.user_id not in seen:
            seen.add(enrollment.user_id)
            people.append(enrollment.user)
    return people


def _assessment_page(
    request,
    programme,
    course,
    assessment,
    *,
    people=None,
    result_form=None,
    import_form=None,
    import_errors=(),
    status=200,
):
    people = _enrolled_people(course) if people is None else people
    results = list(selectors.result_list(assessment=assessment))
    for result in results:
        result.assessment = assessment  # `passed` reads the pass mark without a query
    return render(
        request,
        "courses/assessment_detail.html",
        {
            "programme": programme,
            "course": course,
            "assessment": assessment,
            "results": results,
            "enrolled": len(people),
            "result_form": result_form or ResultForm(people=people, max_score=assessment.max_score),
            "import_form": import_form or ResultsImportForm(),
            "import_errors": import_errors,
        },
        status=status,
    )


@login_required
def assessment_detail(request, slug, course_id, assessment_id):
    programme = programme_for(request, slug, TEACH)
    course = _course_or_404(programme, course_id)
    return _assessment_page(request, programme, course, _assessment_or_404(course, assessment_id))


@login_required
@require_POST
def result_record(request, slug, course_id, assessment_id):
    programme = programme_for(request, slug, TEACH)
    course = _course_or_404(programme, course_id)
    assessment = _assessment_or_404(course, assessment_id)
    people = _enrolled_people(course)
    form = ResultForm(request.POST, people=people, max_score=assessment.max_score)
    if form.is_valid():
        try:
            services.result_record(
                assessment=assessment,
                user=form.cleaned_data["user"],
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
                actor=request.user,
            )
        except services.CoursesError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("%(name)s: %(score)s recorded.")
                % {"name": _name(form.cleaned_data["user"]), "score": form.cleaned_data["score"]},
            )
            return redirect(
                reverse("courses:assessment_detail", args=[slug, course.pk, assessment.pk])
                + "#results"
            )
    return _assessment_page(
        request, programme, course, assessment, people=people, result_form=form, status=400
    )


@login_required
@require_POST
def results_import(request, slug, course_id, assessment_id):
    programme = programme_for(request, slug, TEACH)
    course = _course_or_404(programme, course_id)
    assessment = _assessment_or_404(course, assessment_id)
    form = ResultsImportForm(request.POST, request.FILES)
    errors: list[tuple[int, str]] = []
    if form.is_valid():
        try:
            count = services.results_import(
                assessment=assessment, data=form.cleaned_data["file"], actor=request.user
            )
        except services.ImportRejected as exc:
            errors = exc.errors
            form.add_error(None, str(exc))
        except services.CoursesError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                ngettext("%(n)s result imported.", "%(n)s results imported.", count) % {"n": count},
            )
            return redirect(
                reverse("courses:assessment_detail", args=[slug, course.pk, assessment.pk])
                + "#results"
            )
    return _assessment_page(
        request, programme, course, assessment, import_form=form, import_errors=errors, status=400
    )


# --- progress ----------------------------------------------------------------------------------


def _progress_page(request, programme, *, message_form=None, status=200):
    cohorts = list(selectors.cohort_list(programme=programme))
    wanted = request.POST.get("cohort") if request.method == "POST" else request.GET.get("cohort")
    cohort = next((c for c in cohorts if str(c.pk) == wanted), cohorts[0] if cohorts else None)
    at_risk_only = request.GET.get("at_risk") == "1"
    page, rows = None, []
    if cohort is not None:
        if at_risk_only:
            # Who is at risk is known only once everyone's progress is computed (in five
            # queries whatever the cohort's size); the page then shows fifty of them.
            everyone = selectors.cohort_progress(cohort=cohort)
            page = Paginator([p for p in everyone if p.at_risk], PAGE_SIZE).get_page(
                request.GET.get("page")
            )
            rows = list(page.object_list)
        else:
            seats = selectors.participants(cohort=cohort).order_by(
                "user__display_name", "user__email", "id"
            )
            page = Paginator(seats, PAGE_SIZE).get_page(request.GET.get("page"))
            seats = list(page.object_list)
            board = {
                p.user.pk: p
                for p in selectors.cohort_progress(
                    cohort=cohort, user_ids=[seat.user_id for seat in seats]
                )
            }
            rows = [
                board.get(seat.user_id)
                or selectors.ParticipantProgress(user=seat.user, cohort=cohort)
                for seat in seats
            ]
    return render(
        request,
        "courses/progress.html",
        {
            "programme": programme,
            "cohorts": cohorts,
            "cohort": cohort,
            "at_risk_only": at_risk_only,
            "page": page,
            "rows": rows,
            "message_form": message_form or ProgressMessageForm(),
            "ticked": set(message_form.cleaned_data.get("people", []))
            if message_form is not None and hasattr(message_form, "cleaned_data")
            else set(),
        },
        status=status,
    )


@login_required
def progress(request, slug):
    programme = programme_for(request, slug, TEACH)
    return _progress_page(request, programme)


@login_required
@require_POST
def progress_message(request, slug):
    programme = programme_for(request, slug, TEACH)
    cohort = selectors.cohort_get(programme=programme, cohort_id=request.POST.get("cohort"))
    form = ProgressMessageForm(request.POST)
    if form.is_valid() and cohort is None:
        form.add_error(None, _("Choose the cohort whose participants you write to."))
    if form.is_valid():
        data = form.cleaned_data
        if data["target"] == "at_risk":
            people = [p.user for p in selectors.cohort_progress(cohort=cohort) if p.at_risk]
        else:
            # Only the cohort's own participants, whatever ids were posted.
            people = [
                seat.user
                for seat in selectors.participants(cohort=cohort).filter(user_id__in=data["people"])
            ]
        try:
            services.message_participants(
                programme=programme,
                users=people,
                subject=data["subject"],
                body=data["body"],
                actor=request.user,
            )
        except services.CoursesError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                ngettext(
                    "Your message was sent to %(n)s person.",
                    "Your message was sent to %(n)s people.",
                    len(people),
                )
                % {"n": len(people)},
            )
            return redirect(reverse("courses:progress", args=[slug]) + f"?cohort={cohort.pk}")
    return _progress_page(request, programme, message_form=form, status=400)


EXPORT_HEADER = [
    "cohort",
    "email",
    "name",
    "overall_attendance_percent",
    "course_code",
    "course_title",
    "kind",
    "state",
    "sessions_attended",
    "sessions_held",
    "sessions_scheduled",
    "attendance_percent",
    "required_percent",
    "can_miss",
    "score_percent",
    "assessments_passed",
    "assessments",
    "reasons",
]


@login_required
def progress_export(request, slug):
    programme = programme_for(request, slug, TEACH)
    if "cohort" in request.GET:
        cohort = selectors.cohort_get(programme=programme, cohort_id=request.GET["cohort"])
    else:
        cohort = selectors.cohort_list(programme=programme).first()  # as the progress page
    if cohort is None:
        raise Http404(_("No such cohort."))
    # Participants' emails and attendance: confirm who is asking (then back here, to the file).
    reauthentication.require_recent(request)
    board = selectors.cohort_progress(cohort=cohort)
    services.progress_exported(
        programme=programme,
        cohort=cohort,
        actor=request.user,
        rows=sum(len(p.courses) for p in board),
    )
    states = {
        "completed": "completed",
        "on_track": "on track",
        "at_risk": "at risk",
        "unreachable": "out of reach",
        "not_scheduled": "no sessions yet",
    }

    def _blank(value) -> str:
        return "" if value is None else str(value)

    def rows():
        for person in board:
            reasons = "; ".join(person.reasons)
            for cp in person.courses:
                forecast = cp.forecast
                yield [
                    tabular.neutralise(cell)
                    for cell in (
                        cohort.name,
                        person.user.email,
                        person.user.display_name,
                        _blank(person.overall_rate),
                        cp.course.code,
                        cp.course.title,
                        cp.course.kind,
                        states.get(cp.state, cp.state),
                        forecast.attended,
                        forecast.held,
                        forecast.scheduled,
                        _blank(forecast.rate),
                        cp.course.min_attendance,
                        forecast.can_miss if forecast.reachable else "",
                        _blank(cp.score),
                        cp.assessments_passed,
                        len(cp.assessments),
                        reasons,
                    )
                ]

    response = StreamingHttpResponse(
        tabular.csv_chunks(EXPORT_HEADER, rows()), content_type="text/csv; charset=utf-8"
    )
    filename = f"{programme.slug}-{cohort.slug}-progress-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def participant_progress(request, slug, user_id):
    programme = programme_for(request, slug, TEACH)
    seats = [
        seat
        for seat in selectors.participations(user=user_id)
        if seat.cohort.programme_id == programme.pk
    ]
    if not seats:
        raise Http404(_("This person is not a participant of the programme."))
    person = seats[0].user
    boards = [selectors.participant_progress(cohort=seat.cohort, user=person) for seat in seats]
    return render(
        request,
        "courses/progress_participant.html",
        {"programme": programme, "person": person, "boards": boards},
    )
