"""Applications' part of a person's data: each application with its answers, the profile
snapshot it was judged on, its status history, the person's requests to correct it (never who
answered them) and the files uploaded (the CV and file answers, copied into the archive).

A selection decision the applicant may not see yet (letters not released) is shown as in
review, as on the applicant's own pages. The status history leaves out who made each change
and the notes staff wrote with it.
"""

from django.db.models import CharField, Prefetch, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext_lazy as _

from applications.enums import ApplicationStatus
from applications.models import Application, ApplicationDispute, ApplicationEvent
from core.privacy_registry import (
    Erased,
    ErasureScope,
    PersonalData,
    PersonalFile,
    PrivacyPart,
    Target,
    target_of,
    when,
)

# The decisions an applicant learns only when the letters are released.
UNRELEASED = (
    ApplicationStatus.OFFERED,
    ApplicationStatus.WAITLISTED,
    ApplicationStatus.NOT_SELECTED,
)


def _file_name(application: Application, key: str, name: str) -> str:
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in name) or "document.pdf"
    return f"files/application-{application.pk}/{key}-{safe}"


def _about_label(about: str, labels: dict[str, str]) -> str:
    """What a dispute is about, in words where a question names it: its question."""
    kind, _sep, key = about.partition(":")
    return labels.get(key, key) if kind == "answer" else key or about


def collect(person, targets: frozenset[Target]) -> PersonalData:
    applications = (
        Application.objects.filter(applicant=person)
        .select_related("cohort__programme")
        .prefetch_related(
            "cohort__questions",
            Prefetch("events", queryset=ApplicationEvent.objects.order_by("created_at", "id")),
            Prefetch("disputes", queryset=ApplicationDispute.objects.order_by("created_at", "id")),
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
        disputes = [
            {
                "about": dispute.about,
                "about_label": _about_label(dispute.about, labels),
                "note": dispute.note,
                "created_at": when(dispute.created_at),
                "status": dispute.status,
                "resolved_at": when(dispute.resolved_at),
                "response": dispute.response,
            }
            for dispute in application.disputes.all()
        ]
        data.records.append(
            {
                "id": application.pk,
                "programme": application.cohort.programme.name,
                "programme_id": application.cohort.programme_id,
                "cohort": application.cohort.name,
                "status": status,
                "submitted_at": when(application.submitted_at),
                "anonymised_at": when(application.anonymised_at),
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
                "disputes": disputes,
            }
        )
        data.targets.add(target_of(application))
    return data


ANONYMISED_NAME = "Anonymised applicant #"


def erasable(scope: ErasureScope):
    """The person's applications in the scope that still hold their details."""
    applications = Application.objects.filter(applicant=scope.person, anonymised_at__isnull=True)
    if not scope.is_whole:
        applications = applications.filter(cohort_id__in=sorted(scope.cohort_ids))
    return applications


def stored_files(application: Application) -> list[PersonalFile]:
    """The CV and every file answer of an application, as stored."""
    files = [PersonalFile("", application.cv.name)] if application.cv else []
    files.extend(
        PersonalFile("", value["path"])
        for value in application.answers.values()
        if isinstance(value, dict) and value.get("path")
    )
    return files


def erase(scope: ErasureScope) -> Erased:
    """Each application keeps its row, status, scores and the categories the cohort's figures
    count (residency, gender, employer size, sector, job level, union membership, age at start,
    eligibility); the name, email, employer, answers, CV and file answers, the reason for
    withdrawing, the notes staff wrote on its status changes and the disputes go; the name becomes
    "Anonymised applicant #<id>"."""
    erased = Erased()
    ids = []
    for application in erasable(scope).select_for_update(of=("self",)).order_by("pk"):
        erased.files.extend(stored_files(application))
        ids.append(application.pk)
    # An application anonymised before (by a retention purge) may have gained notes since.
    every = Application.objects.filter(applicant=scope.person)
    if not scope.is_whole:
        every = every.filter(cohort_id__in=sorted(scope.cohort_ids))
    erased.rows += (
        ApplicationEvent.objects.filter(application__in=every).exclude(note="").update(note="")
    )
    # What the person disputed, and staff's answers: their words about their own data.
    erased.rows += ApplicationDispute.objects.filter(application__in=every).delete()[0]
    if not ids:
        return erased
    erased.rows += Application.objects.filter(pk__in=ids).update(
        # What staff pages show instead of the name: the row is still counted and ranked.
        full_name=Concat(Value(ANONYMISED_NAME), Cast("pk", CharField())),
        email="",
        employer="",
        answers={},
        cv="",
        cv_name="",
        cv_size=None,
        withdrawn_reason="",
        anonymised_at=scope.now,
        updated_at=scope.now,
    )
    return erased


PARTS = (
    PrivacyPart(
        slug="applications",
        label=_("Your applications"),
        collect=collect,
        order=20,
        erase=erase,
    ),
)
