from django.urls import path

from .views import outbox, programmes, reviews, selection, setup, staff_applications

app_name = "cohorts"

urlpatterns = [
    path("<slug:slug>/", programmes.programme_detail, name="programme_detail"),
    path("<slug:slug>/team/", programmes.programme_team, name="programme_team"),
    path(
        "<slug:slug>/team/<int:role_id>/revoke/",
        programmes.programme_role_revoke,
        name="programme_role_revoke",
    ),
    path("<slug:slug>/outbox/", outbox.programme_outbox, name="programme_outbox"),
    path(
        "<slug:slug>/outbox/release/",
        outbox.programme_outbox_release,
        name="programme_outbox_release",
    ),
    path(
        "<slug:slug>/outbox/announce/", outbox.programme_announcement, name="programme_announcement"
    ),
    path(
        "<slug:slug>/outbox/<int:message_id>/",
        outbox.programme_outbox_message,
        name="programme_outbox_message",
    ),
    path(
        "<slug:slug>/outbox/<int:message_id>/html/",
        outbox.programme_outbox_message_html,
        name="programme_outbox_message_html",
    ),
    path(
        "<slug:slug>/outbox/<int:message_id>/retry/",
        outbox.programme_outbox_retry,
        name="programme_outbox_retry",
    ),
    # --- programme admins: set-up (cohorts/views/setup.py) ---
    path("<slug:slug>/edit/", setup.programme_edit, name="programme_edit"),
    path("<slug:slug>/cohorts/new/", setup.cohort_create, name="cohort_create"),
    path("<slug:slug>/cohorts/<slug:cohort_slug>/", setup.cohort_detail, name="cohort_detail"),
    path("<slug:slug>/cohorts/<slug:cohort_slug>/edit/", setup.cohort_edit, name="cohort_edit"),
    path(
        "<slug:slug>/cohorts/<slug:cohort_slug>/questions/new/",
        setup.question_create,
        name="question_create",
    ),
    path(
        "<slug:slug>/cohorts/<slug:cohort_slug>/questions/<int:question_id>/",
        setup.question_edit,
        name="question_edit",
    ),
    path(
        "<slug:slug>/cohorts/<slug:cohort_slug>/questions/<int:question_id>/delete/",
        setup.question_delete,
        name="question_delete",
    ),
    path(
        "<slug:slug>/cohorts/<slug:cohort_slug>/questions/<int:question_id>/move/",
        setup.question_move,
        name="question_move",
    ),
    path(
        "<slug:slug>/cohorts/<slug:cohort_slug>/rules/new/", setup.rule_create, name="rule_create"
    ),
    path(
        "<slug:slug>/cohorts/<slug:cohort_slug>/rules/<int:rule_id>/delete/",
        setup.rule_delete,
        name="rule_delete",
    ),
    # --- review (cohorts/views/reviews.py) ---
    path("<slug:slug>/conflicts/", reviews.conflicts, name="conflicts"),
    path(
        "<slug:slug>/conflicts/<int:conflict_id>/delete/",
        reviews.conflict_delete,
        name="conflict_delete",
    ),
    path(
        "<slug:slug>/cohorts/<slug:cohort_slug>/review/", reviews.review_setup, name="review_setup"
    ),
    path(
        "<slug:slug>/cohorts/<slug:cohort_slug>/review/criteria/<int:criterion_id>/delete/",
        reviews.criterion_delete,
        name="criterion_delete",
    ),
    path(
        "<slug:slug>/cohorts/<slug:cohort_slug>/review/criteria/<int:criterion_id>/",
        reviews.criterion_edit,
        name="criterion_edit",
    ),
    path(
        "<slug:slug>/cohorts/<slug:cohort_slug>/review/assign/",
        reviews.review_assign,
        name="review_assign",
    ),
    path(
        "<slug:slug>/cohorts/<slug:cohort_slug>/review/dashboard/",
        reviews.review_dashboard,
        name="review_dashboard",
    ),
    path(
        "<slug:slug>/cohorts/<slug:cohort_slug>/review/ranking/",
        reviews.review_ranking,
        name="review_ranking",
    ),
    path(
        "<slug:slug>/cohorts/<slug:cohort_slug>/review/applications/<int:application_id>/",
        reviews.application_reviews,
        name="review_application",
    ),
    path(
        "<slug:slug>/cohorts/<slug:cohort_slug>/review/assignments/<int:assignment_id>/reassign/",
        reviews.assignment_reassign,
        name="assignment_reassign",
    ),
    # --- selection (cohorts/views/selection.py) ---
    path(
        "<slug:slug>/cohorts/<slug:cohort_slug>/selection/",
        selection.selection_home,
        name="selection_home",
    ),
    path(
        "<slug:slug>/cohorts/<slug:cohort_slug>/selection/quotas/<int:quota_id>/delete/",
        selection.quota_delete,
        name="quota_delete",
    ),
    path(
        "<slug:slug>/cohorts/<slug:cohort_slug>/selection/runs/<int:number>/",
        selection.selection_run,
        name="selection_run",
    ),
    path(
        "<slug:slug>/cohorts/<slug:cohort_slug>/selection/runs/<int:number>/commit/",
        selection.selection_commit,
        name="selection_commit",
    ),
    path(
        "<slug:slug>/cohorts/<slug:cohort_slug>/selection/runs/<int:number>/retry/",
        selection.selection_retry,
        name="selection_retry",
    ),
    path(
        "<slug:slug>/cohorts/<slug:cohort_slug>/selection/compare/",
        selection.selection_compare,
        name="selection_compare",
    ),
    path(
        "<slug:slug>/cohorts/<slug:cohort_slug>/selection/offers/",
        selection.selection_offers,
        name="selection_offers",
    ),
    # --- staff: applications of a cohort (cohorts/views/staff_applications.py) ---
    path(
        "<slug:slug>/cohorts/<slug:cohort_slug>/applications/",
        staff_applications.application_list,
        name="cohort_applications",
    ),
    path(
        "<slug:slug>/cohorts/<slug:cohort_slug>/applications/bulk/",
        staff_applications.application_bulk_status,
        name="cohort_applications_bulk",
    ),
    path(
        "<slug:slug>/cohorts/<slug:cohort_slug>/applications/export/",
        staff_applications.application_export,
        name="cohort_applications_export",
    ),
    path(
        "<slug:slug>/cohorts/<slug:cohort_slug>/applications/<int:application_id>/",
        staff_applications.application_detail_staff,
        name="cohort_application_detail",
    ),
    path(
        "<slug:slug>/cohorts/<slug:cohort_slug>/applications/<int:application_id>/cv/",
        staff_applications.application_cv_download,
        name="cohort_application_cv",
    ),
    path(
        "<slug:slug>/cohorts/<slug:cohort_slug>/applications/<int:application_id>/files/<slug:key>/",
        staff_applications.application_file_download,
        name="cohort_application_file",
    ),
    # --- end staff ---
]
