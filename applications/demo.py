"""Demo applications in every state, with CVs. Called by `seed_demo`; safe to run again (it updates in place)."""

import datetime
import random

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.enums import ConsentPurpose
from accounts.models import ApplicantProfile, ConsentRecord, User
from applications import services
from applications.enums import ApplicationStatus
from applications.models import Application, ApplicationDispute, ApplicationEvent
from cohorts import selectors as cohort_selectors
from cohorts.demo import QUESTIONS
from cohorts.models import Cohort

MOTIVATIONS = [
    "I run the night shift in a data hall and want to automate the alerts we triage by hand.",
    "Our warehouse still plans routes on spreadsheets; I want to build a better forecast.",
    "As a union representative I need to understand how AI changes the jobs of our members.",
    "I have taught myself Python and want a structured path and a mentor to go further.",
    "My clinic wants to use language models for scheduling, safely. I want to lead that work.",
    "I maintain our company's reports and want to move into data engineering.",
]


def _answers(rng: random.Random) -> dict:
    supports = rng.random() < 0.55
    answers = {
        "motivation": " ".join(rng.sample(MOTIVATIONS, 2)),
        "programming": rng.choice(QUESTIONS[1][3]["choices"]),
        "track": rng.choice(QUESTIONS[2][3]["choices"]),
        "employer_supports": "yes" if supports else "no",
        "hours": str(rng.choices([3, 4, 6, 8, 10, 12], weights=[3, 12, 25, 35, 15, 10])[0]),
        "laptop": "yes" if rng.random() < 0.9 else "no",
    }
    if supports:
        answers["support_kind"] = rng.sample(QUESTIONS[4][3]["choices"], rng.randint(1, 3))
    if rng.random() < 0.4:
        answers["portfolio"] = f"https://github.com/example-{rng.randint(100, 999)}"
    return answers


def demo_pdf(name: str) -> bytes:
    """A one-page PDF saying whose CV it is."""
    text = f"Curriculum vitae - {name}".replace("(", "[").replace(")", "]")
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def applications(rng: random.Random, cohort: Cohort, people: list[User], *, submitted: int) -> int:
    """`submitted` submitted applications (eligible ones), a few withdrawn, the rest drafts;
    the first five applicants are left without an application for the demo."""
    done = set(Application.objects.filter(cohort=cohort).values_list("applicant_id", flat=True))
    profiles = {p.user_id: p for p in ApplicantProfile.objects.filter(user__in=people)}
    questions = cohort_selectors.question_list_for_cohort(cohort=cohort)
    rules = cohort_selectors.rule_list_for_cohort(cohort=cohort)
    window = timezone.now() - cohort.opens_at  # submitted between opening and now
    applications = []
    eligible_seen = 0
    for person in people[5:]:
        profile = profiles[person.pk]
        answers = _answers(rng)
        result = cohort_selectors.eligibility_for(
            cohort=cohort, profile=profile, answers=answers, questions=questions, rules=rules
        )
        if result.is_eligible:
            eligible_seen += 1
        if person.pk in done:
            continue
        if result.is_eligible and eligible_seen <= submitted:
            status = ApplicationStatus.SUBMITTED
        elif result.is_eligible and eligible_seen <= submitted + max(submitted // 100, 1):
            status = ApplicationStatus.WITHDRAWN
        else:
            status = ApplicationStatus.DRAFT
        submitted_at = (
            cohort.opens_at + window * rng.random() if status != ApplicationStatus.DRAFT else None
        )
        applications.append(
            Application(
                cohort=cohort,
                applicant=person,
                status=status,
                answers=answers,
                full_name=profile.full_name,
                email=person.email,
                residency=profile.residency,
                gender=profile.gender,
                employer=profile.employer,
                employer_size=profile.employer_size,
                sector=profile.sector,
                job_level=profile.job_level,
                is_union_member=profile.is_union_member,
                age_at_start=profile.age_on(cohort.starts_on),
                is_eligible=result.is_eligible,
                eligibility_failures=result.reasons,
                consent_version="2026-1" if submitted_at else "",
                consent_at=submitted_at,
                submitted_at=submitted_at,
                withdrawn_reason="I changed jobs and can no longer commit the time."
                if status == ApplicationStatus.WITHDRAWN
                else "",
            )
        )
    created = Application.objects.bulk_create(applications, batch_size=1000)
    created = list(
        Application.objects.filter(cohort=cohort, applicant__in=[a.applicant for a in applications])
    )
    events = []
    for application in created:
        started = application.submitted_at or cohort.opens_at
        events.append(
            ApplicationEvent(
                application=application,
                actor=application.applicant,
                to_status=ApplicationStatus.DRAFT,
                created_at=started - datetime.timedelta(hours=2),
            )
        )
        if application.submitted_at:
            events.append(
                ApplicationEvent(
                    application=application,
                    actor=application.applicant,
                    from_status=ApplicationStatus.DRAFT,
                    to_status=ApplicationStatus.SUBMITTED,
                    created_at=application.submitted_at,
                )
            )
        if application.status == ApplicationStatus.WITHDRAWN:
            events.append(
                ApplicationEvent(
                    application=application,
                    actor=application.applicant,
                    from_status=ApplicationStatus.SUBMITTED,
                    to_status=ApplicationStatus.WITHDRAWN,
                    note=application.withdrawn_reason,
                    created_at=application.submitted_at + datetime.timedelta(days=2),
                )
            )
    ApplicationEvent.objects.bulk_create(events, batch_size=2000)
    # The consent each submission gave, as application_submit records it.
    ConsentRecord.objects.bulk_create(
        [
            ConsentRecord(
                user_id=application.applicant_id,
                purpose=ConsentPurpose.PROCESSING,
                notice_version=application.consent_version,
                given_at=application.consent_at,
            )
            for application in created
            if application.consent_at
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    _demo_cvs(created[:20])
    return len(created)


def _demo_cvs(applications: list[Application]) -> None:
    for application in applications:
        if application.status == ApplicationStatus.SUBMITTED and not application.cv:
            application.cv.save("cv.pdf", ContentFile(demo_pdf(application.full_name)), save=False)
            application.cv_name = f"CV {application.full_name}.pdf"
            application.cv_size = application.cv.size
            application.save(update_fields=["cv", "cv_name", "cv_size"])


def export(cohort: Cohort, staff: User) -> None:
    """A finished Excel export of the cohort's applications under the staff member's "Your
    exports", as a large export is after a worker has built it (demo cohorts are small enough
    to download at once). Kept if there is one already."""
    from exports import services as export_services
    from exports.models import Export

    if Export.objects.filter(programme=cohort.programme, requested_by=staff).exists():
        return
    made = export_services.export_start(
        programme=cohort.programme,
        requested_by=staff,
        kind="applications",
        params={"cohort": cohort.slug, "filters": {}},
        fmt="xlsx",
        download_name=f"{cohort.programme.slug}-{cohort.slug}-applications.xlsx",
    )
    export_services.export_build(export_id=made.pk)


def disputes(cohort: Cohort, staff: User) -> int:
    """Two participants ask for a correction of what they submitted: one still open (staff see
    it on the application), one answered. Returns the disputes written (none on a re-run)."""
    if ApplicationDispute.objects.filter(application__cohort=cohort).exists():
        return 0
    accepted = list(
        Application.objects.filter(cohort=cohort, status=ApplicationStatus.ACCEPTED).order_by("pk")[
            :2
        ]
    )
    written = 0

    def employer_note(application: Application) -> str:
        return (
            f"My employer changed its name in March: {application.employer} is now "
            f"{application.employer} Pte Ltd (Singapore). Please correct it on my application."
        )

    def job_level_note(application: Application) -> str:
        return (
            "I was promoted to team lead before the cohort started; my job level should say "
            "supervisor."
        )

    notes = (("profile:employer", employer_note), ("profile:job_level", job_level_note))
    for application, (about, note) in zip(accepted, notes, strict=False):
        dispute = services.dispute_open(
            application=application,
            actor=application.applicant,
            about=about,
            note=note(application),
        )
        written += 1
        if about == "profile:job_level":
            services.dispute_resolve(
                dispute=dispute,
                actor=staff,
                response="Thank you: corrected in our records; your place is not affected.",
            )
    return written
