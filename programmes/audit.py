"""How a programme's audit log reads: a label for each recorded action and each kind of object,
a one-line summary of an entry's data, and its rows for the CSV and XLSX exports.

Entries are written by every app through `core.services.audit_record`; this is the one place
that names their actions for people. An action missing here is shown by its code.
"""

import datetime
from collections.abc import Iterable, Sequence
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import tabular
from core.models import AuditEntry
from core.tabular import neutralise

ACTION_LABELS = {
    "programme.update": gettext_lazy("Programme settings changed"),
    "programme_role.grant": gettext_lazy("Role granted"),
    "programme_role.revoke": gettext_lazy("Role revoked"),
    "programme.announcement_stage": gettext_lazy("Announcement staged"),
    "programme.outbox_release": gettext_lazy("Staged messages released"),
    "programme.audit_export": gettext_lazy("Audit log exported"),
    "programme.retention_changed": gettext_lazy("Data retention periods changed"),
    "privacy.retention_purged": gettext_lazy("Expired personal data anonymised"),
    "cohort.create": gettext_lazy("Cohort created"),
    "cohort.update": gettext_lazy("Cohort changed"),
    "cohort.copy_setup": gettext_lazy("Cohort set-up copied"),
    "cohorts.question_create": gettext_lazy("Application question added"),
    "cohorts.question_update": gettext_lazy("Application question changed"),
    "cohorts.question_delete": gettext_lazy("Application question deleted"),
    "cohorts.question_move": gettext_lazy("Application question moved"),
    "cohorts.rule_create": gettext_lazy("Eligibility rule added"),
    "cohorts.rule_delete": gettext_lazy("Eligibility rule removed"),
    "applications.view": gettext_lazy("Application opened by staff"),
    "applications.file_download": gettext_lazy("Applicant's file downloaded"),
    "applications.bulk_status": gettext_lazy("Applications' status changed in bulk"),
    "applications.export": gettext_lazy("Applications exported"),
    "applications.dispute_opened": gettext_lazy("Correction requested by the applicant"),
    "applications.dispute_resolved": gettext_lazy("Correction request resolved"),
    "exports.start": gettext_lazy("Export requested"),
    "exports.download": gettext_lazy("Export downloaded"),
    "dashboards.export": gettext_lazy("Dashboard figures downloaded"),
    "reviews.criterion_create": gettext_lazy("Review criterion added"),
    "reviews.criterion_update": gettext_lazy("Review criterion changed"),
    "reviews.criterion_delete": gettext_lazy("Review criterion removed"),
    "reviews.assign": gettext_lazy("Reviewers assigned"),
    "reviews.reassign": gettext_lazy("Review reassigned"),
    "reviews.remind": gettext_lazy("Reviewers reminded"),
    "selection.quota_create": gettext_lazy("Quota added"),
    "selection.quota_update": gettext_lazy("Quota changed"),
    "selection.quota_delete": gettext_lazy("Quota removed"),
    "selection.retry": gettext_lazy("Selection run retried"),
    "selection.commit": gettext_lazy("Selection committed"),
    "selection.release": gettext_lazy("Decisions released"),
    "selection.promote": gettext_lazy("Waitlist promoted"),
    "selection.waitlist_pause": gettext_lazy("Waitlist paused"),
    "selection.waitlist_resume": gettext_lazy("Waitlist resumed"),
    "compute.resource_create": gettext_lazy("Compute resource added"),
    "compute.resource_update": gettext_lazy("Compute resource changed"),
    "compute.pool_save": gettext_lazy("Compute pool saved"),
    "compute.allocation_adjust": gettext_lazy("Compute allocation changed"),
    "compute.allocation_suspend": gettext_lazy("Compute allocation suspended"),
    "compute.allocation_resume": gettext_lazy("Compute allocation resumed"),
    "compute.allocations_released": gettext_lazy("Compute released (the participant left)"),
    "compute.topup_decide": gettext_lazy("Top-up request decided"),
    "compute.allocations_export": gettext_lazy("Compute allocations exported"),
    "compute.token_create": gettext_lazy("Integration token created"),
    "compute.token_revoke": gettext_lazy("Integration token revoked"),
    "mentoring.profile_create": gettext_lazy("Mentor profile created"),
    "mentoring.forbid": gettext_lazy("Mentoring pair forbidden"),
    "mentoring.unforbid": gettext_lazy("Mentoring pair allowed again"),
    "mentoring.run": gettext_lazy("Matching run made"),
    "mentoring.publish": gettext_lazy("Matching published"),
    "mentoring.end": gettext_lazy("Mentoring pairing ended"),
    "mentoring.pairings_export": gettext_lazy("Mentoring pairs exported"),
    "courses.settings_save": gettext_lazy("Course settings saved"),
    "courses.course_create": gettext_lazy("Course created"),
    "courses.course_update": gettext_lazy("Course changed"),
    "courses.session_create": gettext_lazy("Class session scheduled"),
    "courses.session_update": gettext_lazy("Class session changed"),
    "courses.session_cancel": gettext_lazy("Class session cancelled"),
    "courses.elective_choose": gettext_lazy("Elective chosen"),
    "courses.elective_drop": gettext_lazy("Elective dropped"),
    "courses.enrol": gettext_lazy("Participant enrolled"),
    "courses.unenrol": gettext_lazy("Participant unenrolled"),
    "courses.attendance_mark": gettext_lazy("Attendance marked"),
    "courses.attendance_all_present": gettext_lazy("Everyone marked present"),
    "courses.check_in": gettext_lazy("Checked in"),
    "courses.assessment_create": gettext_lazy("Assessment created"),
    "courses.assessment_update": gettext_lazy("Assessment changed"),
    "courses.result_record": gettext_lazy("Assessment result recorded"),
    "courses.results_import": gettext_lazy("Assessment results imported"),
    "courses.message": gettext_lazy("Participants messaged"),
    "courses.progress_export": gettext_lazy("Progress exported"),
    "certificates.rule_saved": gettext_lazy("Certification rule saved"),
    "certificates.waiver_added": gettext_lazy("Requirement waived"),
    "certificates.signed_off": gettext_lazy("Participant signed off"),
    "certificates.issued": gettext_lazy("Certificate issued"),
    "certificates.issue_run_started": gettext_lazy("Bulk certificate issue started"),
    "certificates.revoked": gettext_lazy("Certificate revoked"),
    "certificates.board_export": gettext_lazy("Certification board exported"),
    "certificates.pdf_download": gettext_lazy("Certificate PDF downloaded by staff"),
}

# The objects entries name, by "app_label.model"; others are shown by that code.
TARGET_LABELS = {
    "programmes.programme": gettext_lazy("Programme"),
    "cohorts.cohort": gettext_lazy("Cohort"),
    "cohorts.applicationquestion": gettext_lazy("Application question"),
    "cohorts.eligibilityrule": gettext_lazy("Eligibility rule"),
    "applications.application": gettext_lazy("Application"),
    "exports.export": gettext_lazy("Export"),
    "reviews.reviewcriterion": gettext_lazy("Review criterion"),
    "selection.quota": gettext_lazy("Quota"),
    "compute.allocation": gettext_lazy("Compute allocation"),
    "courses.course": gettext_lazy("Course"),
    "courses.classsession": gettext_lazy("Class session"),
    "courses.enrollment": gettext_lazy("Enrolment"),
    "courses.assessment": gettext_lazy("Assessment"),
    "certificates.certificationrule": gettext_lazy("Certification rule"),
    "certificates.waiver": gettext_lazy("Waiver"),
    "certificates.signoff": gettext_lazy("Sign-off"),
    "certificates.certificate": gettext_lazy("Certificate"),
    "certificates.issuerun": gettext_lazy("Certificate issue run"),
}

SUMMARY_MAX_LENGTH = 300


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def target_label(target_type: str) -> str:
    return str(TARGET_LABELS.get(target_type, target_type))


def action_choices() -> list[tuple[str, str]]:
    return sorted(((code, str(label)) for code, label in ACTION_LABELS.items()), key=lambda c: c[1])


def target_choices() -> list[tuple[str, str]]:
    return sorted(((code, str(label)) for code, label in TARGET_LABELS.items()), key=lambda c: c[1])


def _value_text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_value_text(v) for v in value)
    if isinstance(value, dict):
        # By key: PostgreSQL's jsonb keeps keys in an order of its own.
        return ", ".join(f"{k}: {_value_text(v)}" for k, v in sorted(value.items()))
    if value is None:
        return "–"
    return str(value)


def data_summary(data: dict | None) -> str:
    """`key=value; …` of the entry's data, by key, cut to a line."""
    text = "; ".join(f"{key}={_value_text(value)}" for key, value in sorted((data or {}).items()))
    if len(text) > SUMMARY_MAX_LENGTH:
        return text[: SUMMARY_MAX_LENGTH - 1] + "…"
    return text


def header_row() -> list[str]:
    return [
        "time",
        "actor",
        "action",
        "action_label",
        "object_type",
        "object_id",
        "request_id",
        "data",
    ]


def entry_row(entry: AuditEntry, tz: datetime.tzinfo) -> list[Any]:
    """One entry as export cells; the data in full (JSON-like text), not summarised."""
    return [
        neutralise(timezone.localtime(entry.created_at, tz).isoformat(timespec="seconds")),
        neutralise(entry.actor.email if entry.actor_id else ""),
        neutralise(entry.action),
        neutralise(action_label(entry.action)),
        neutralise(entry.target_type),
        neutralise(entry.target_id),
        neutralise(entry.request_id),
        neutralise(_value_text(entry.data)),
    ]


def write_xlsx(target: IO[bytes], header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> int:
    """The log as one worksheet (see `core.tabular.write_xlsx`); returns the number of rows."""
    return tabular.write_xlsx(target, header, rows, sheet_name=_("Audit log"), default_width=22)
