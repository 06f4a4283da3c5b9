from django.urls import path

from .views import participant, staff

app_name = "courses"

P = "programmes/<slug:slug>/courses/"
COURSE = P + "<int:course_id>/"
SESSION = P + "sessions/<int:session_id>/"
ASSESSMENT = COURSE + "assessments/<int:assessment_id>/"

urlpatterns = [
    # The programme's teaching, for its staff and admins.
    path(P, staff.overview, name="overview"),
    path(P + "settings/", staff.settings_save, name="settings"),
    path(P + "new/", staff.course_create, name="course_create"),
    path(COURSE, staff.course_detail, name="course_detail"),
    path(COURSE + "edit/", staff.course_edit, name="course_edit"),
    path(COURSE + "sessions/new/", staff.session_create, name="session_create"),
    path(COURSE + "enrolments/add/", staff.enrolment_add, name="enrolment_add"),
    path(
        COURSE + "enrolments/<int:enrollment_id>/remove/",
        staff.enrolment_remove,
        name="enrolment_remove",
    ),
    path(COURSE + "assessments/new/", staff.assessment_create, name="assessment_create"),
    path(ASSESSMENT, staff.assessment_detail, name="assessment_detail"),
    path(ASSESSMENT + "edit/", staff.assessment_edit, name="assessment_edit"),
    path(ASSESSMENT + "results/", staff.result_record, name="result_record"),
    path(ASSESSMENT + "import/", staff.results_import, name="results_import"),
    path(SESSION + "edit/", staff.session_edit, name="session_edit"),
    path(SESSION + "cancel/", staff.session_cancel, name="session_cancel"),
    path(SESSION + "roster/", staff.roster, name="roster"),
    path(SESSION + "roster/everyone-present/", staff.roster_all_present, name="roster_all_present"),
    path(SESSION + "roster/<int:user_id>/", staff.roster_mark, name="roster_mark"),
    path(SESSION + "check-in-code/", staff.checkin_display, name="checkin_display"),
    path(P + "progress/", staff.progress, name="progress"),
    path(P + "progress/export/", staff.progress_export, name="progress_export"),
    path(P + "progress/message/", staff.progress_message, name="progress_message"),
    path(P + "progress/<int:user_id>/", staff.participant_progress, name="participant_progress"),
    # Each person's own courses, calendar and check-in.
    path("courses/", participant.mine, name="mine"),
    path(
        "courses/<int:cohort_id>/electives/<int:course_id>/choose/",
        participant.elective_choose,
        name="elective_choose",
    ),
    path(
        "courses/<int:cohort_id>/electives/<int:course_id>/drop/",
        participant.elective_drop,
        name="elective_drop",
    ),
    path("courses/calendar/", participant.calendar, name="calendar"),
    path("courses/calendar/feed/", participant.feed_manage, name="feed_manage"),
    path("calendar/<str:token>.ics", participant.feed, name="feed"),
    path("courses/check-in/", participant.check_in, name="check_in"),
    path("courses/check-in/<int:session_id>/", participant.check_in_scan, name="check_in_scan"),
]
