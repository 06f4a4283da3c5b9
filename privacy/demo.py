"""Demo data of privacy: two earlier cohorts of the programme, one past its retention period
and anonymised by the nightly purge, one past it and due tonight; and an applicant who asked
for their account to be deleted (the grace period running). Called by `seed_demo`; safe to run
again."""

import datetime
import random
import zoneinfo
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts import demo as accounts_demo
from accounts.enums import EmployerSize, Gender, JobLevel, Residency, Sector
from applications.demo import demo_pdf
from applications.enums import ApplicationStatus
from applications.models import Application
from cohorts.enums import CohortStatus
from cohorts.models import Cohort
from privacy import selectors, services
from privacy.enums import CertificateChoice, RetentionGroup
from programmes.models import Programme
from selection.models import Participant

# (slug, name, months since the cohort ended); anonymised: whether the purge has run for it.
PAST_COHORTS = (
    ("pilot-2024", "AI Forward 2024 — pilot", 30, True),
    ("autumn-2024", "AI Forward 2024 — autumn", 25, False),
)
# Each past cohort's applicants: three took a place, five did not.
PAST_STATUSES = (
    [ApplicationStatus.ACCEPTED] * 3
    + [ApplicationStatus.NOT_SELECTED] * 2
    + [ApplicationStatus.DECLINED, ApplicationStatus.WITHDRAWN, ApplicationStatus.INELIGIBLE]
)


@dataclass(frozen=True)
class PrivacyDemo:
    retention_url: str
    leaving_email: str
    due_now: int


def _past_cohort(programme: Programme, slug: str, name: str, months_ago: int) -> Cohort:
    tz = zoneinfo.ZoneInfo("Asia/Singapore")
    ends_on = selectors.add_months(timezone.localdate(timezone=tz), -months_ago)
    starts_on = ends_on - datetime.timedelta(days=180)
    opens_at = datetime.datetime.combine(
        starts_on - datetime.timedelta(days=90), datetime.time(9), tz
    )
    cohort, _ = Cohort.objects.get_or_create(
        programme=programme,
        slug=slug,
        defaults={
            "name": name,
            "description": "An earlier intake of the programme.",
            "capacity": 3,
            "opens_at": opens_at,
            "closes_at": opens_at + datetime.timedelta(days=45),
            "starts_on": starts_on,
            "ends_on": ends_on,
            "timezone": "Asia/Singapore",
            "status": CohortStatus.ARCHIVED,
            "privacy_notice_version": "2024-1",
            "decisions_released_at": opens_at + datetime.timedelta(days=60),
        },
    )
    return cohort


def _applications(rng: random.Random, cohort: Cohort, first: int, password_hash: str) -> None:
    """Eight alumni of an earlier intake (`alumni<nn>@…`, their own accounts), applied as the
    application form of the time asked."""
    if Application.objects.filter(cohort=cohort).exists():
        return
    for number, status in enumerate(PAST_STATUSES, start=first):
        name = f"{rng.choice(accounts_demo.FIRST_NAMES)} {rng.choice(accounts_demo.LAST_NAMES)}"
        person = accounts_demo.user(f"alumni{number:02d}", name, password_hash)
        application = Application.objects.create(
            cohort=cohort,
            applicant=person,
            status=status,
            answers={"motivation": "I want to bring machine learning to our maintenance team."},
            full_name=name,
            email=person.email,
            residency=rng.choice([Residency.CITIZEN, Residency.PERMANENT_RESIDENT]),
            gender=rng.choice([Gender.WOMAN, Gender.MAN]),
            employer=rng.choice(["Keppel Data Centres", "SP Group", "PSA International"]),
            employer_size=rng.choice(list(EmployerSize)),
            sector=rng.choice(list(Sector)),
            job_level=rng.choice(list(JobLevel)),
            is_union_member=rng.random() < 0.4,
            age_at_start=rng.randint(24, 55),
            is_eligible=status != ApplicationStatus.INELIGIBLE,
            submitted_at=cohort.opens_at + datetime.timedelta(days=rng.randint(1, 40)),
            consent_version=cohort.privacy_notice_version,
            consent_at=cohort.opens_at + datetime.timedelta(days=1),
        )
        application.cv.save("cv.pdf", ContentFile(demo_pdf(name)), save=False)
        application.cv_name = f"CV {name}.pdf"
        application.save(update_fields=["cv", "cv_name"])
        if status == ApplicationStatus.ACCEPTED:
            Participant.objects.create(application=application, cohort=cohort, user=person)


def seed_demo(rng: random.Random, programme: Programme, password_hash: str) -> PrivacyDemo:
    for index, (slug, name, months_ago, anonymised) in enumerate(PAST_COHORTS):
        cohort = _past_cohort(programme, slug, name, months_ago)
        _applications(rng, cohort, index * len(PAST_STATUSES) + 1, password_hash)
        if anonymised:
            for group in RetentionGroup:
                services.retention_purge_group(
                    cohort=cohort, group=group, months=selectors.retention_months(programme, group)
                )
    leaving = accounts_demo.user("leaving", "Siti Rahmat", password_hash)
    if selectors.erasure_scheduled_for(user=leaving) is None:
        services.erasure_request(user=leaving, certificate_choice=CertificateChoice.KEEP)
    return PrivacyDemo(
        retention_url=f"/programmes/{programme.slug}/retention/",
        leaving_email=leaving.email,
        due_now=sum(row.due_now for row in selectors.retention_plan(programme=programme)),
    )
