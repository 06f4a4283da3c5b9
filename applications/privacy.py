"""Applications' part of a person's data: each application with its answers, the profile
snapshot it was judged on, its status history and the files uploaded (the CV and file
answers, copied into the archive).

A selection decision the applicant may not see yet (letters not released) is shown as in
review, as on the applicant's own pages. The status history leaves out who made each change
and the notes staff wrote with it.
"""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from applications.enums import ApplicationStatus
from applications.models import Application, ApplicationEvent
from core.privacy_registry import PersonalData, PersonalFile, PrivacyPart, Target, target_of, when

# The decisions an applicant learns only when the letters are released.
UNRELEASED = (
    ApplicationStatus.OFFERED,
    ApplicationStatus.WAITLISTED,
    ApplicationStatus.NOT_SELECTED,
)


def _file_name(application: Application, key: str, name: str) -> str:
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in name) or "document.pdf"
    return f"files/application-{application.pk}/{key}-{safe}"


def collect(person, targets: frozenset[Target]) -> PersonalData:
    applications = (
        Application.objects.filter(applicant=person)
        .select_related("cohort__programme")
        .prefetch_related(
            "cohort__questions",
            Prefetch("events", queryset=ApplicationEvent.objects.order_by("created_at", "id")),
        )
        .order_by("created_at", "id")
    )
    data = PersonalData()
    for application in applications:
        labels = {question.key: question.label for question in application.cohort.questions.all()}
        answers = {}
        for key, value in application.answers.items():
            if isinstance(value, dict) and value.get("path"):
                archive_name = _file_name(application, key, value.get("name") or "document.pdf")
                data.files.append(PersonalFile(archive_name, value["path"]))
                value = {"file_name": value.get("name", ""), "in_archive": archive_name}
            answers[key] = {"question": labels.get(key, key), "answer": value}
        cv = None
        if application.cv:
            cv_archive = _file_name(application, "cv", application.cv_name or "cv.pdf")
            data.files.append(PersonalFile(cv_archive, application.cv.name))
            cv = {"file_name": application.cv_name, "in_archive": cv_archive}
        hidden = application.is_decision_hidden
        status = ApplicationStatus.IN_REVIEW if hidden else application.status
        events = [
            {"at": when(event.created_at), "from": event.from_status, "to": event.to_status}
            for event in application.events.all()
            if not (hidden and event.to_status in UNRELEASED)
        ]
        data.records.append(
            {
                "id": application.pk,
                "programme": application.cohort.programme.name,
                "programme_id": application.cohort.programme_id,
                "cohort": application.cohort.name,
                "status": status,
                "submitted_at": when(application.submitted_at),
                "withdrawn_reason": application.withdrawn_reason,
                "consent_version": application.consent_version,
                "consent_at": when(application.consent_at),
                "snapshot": {
                    "full_name": application.full_name,
                    "email": application.email,
                    "residency": application.residency,
                    "gender": application.gender,
                    "employer": application.employer,
                    "employer_size": application.employer_size,
                    "sector": application.sector,
                    "job_level": application.job_level,
                    "is_union_member": application.is_union_member,
                    "age_at_start": application.age_at_start,
                    "is_eligible": application.is_eligible,
                    "eligibility_failures": application.eligibility_failures,
                },
                "answers": answers,
                "cv": cv,
                "status_history": events,
            }
        )
        data.targets.add(target_of(application))
    return data


PARTS = (PrivacyPart(slug="applications", label=_("Your applications"), collect=collect, order=20),)
