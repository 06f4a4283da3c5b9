"""Build a realistic, deterministic demo programme. Safe to run again: it updates in place."""

import datetime
import random
import zoneinfo

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.enums import Education, EmployerSize, Gender, JobLevel, Residency, Sector
from accounts.models import ApplicantProfile, User
from cohorts import scoring, selectors, services
from cohorts import services as cohort_services
from cohorts.enums import (
    ApplicationStatus,
    CohortStatus,
    PartnerKind,
    QuestionType,
    RoleKind,
    RuleOperator,
)
from cohorts.models import (
    Application,
    ApplicationEvent,
    ApplicationQuestion,
    Cohort,
    EligibilityRule,
    Offer,
    Partner,
    Programme,
    ProgrammeRole,
    Quota,
    Review,
    ReviewAssignment,
    ReviewCriterion,
    SelectionRun,
)
from notifications.models import EmailMessage

DEMO_PASSWORD = "cohortline-demo"  # noqa: S105 - printed for the demo on purpose
DEMO_DOMAIN = "example.org"

FIRST_NAMES = [
    "Aisha",
    "Wei Ling",
    "Ravi",
    "Siti",
    "Marcus",
    "Priya",
    "Daniel",
    "Nurul",
    "Kenji",
    "Mei",
    "Arjun",
    "Hui Min",
    "Farid",
    "Grace",
    "Jun Jie",
    "Lakshmi",
    "Omar",
    "Rachel",
    "Hafiz",
    "Yan Ting",
    "Benjamin",
    "Divya",
    "Irfan",
    "Chloe",
    "Suresh",
    "Xin Yi",
    "Zainab",
    "Ethan",
    "Kavitha",
    "Rizwan",
]
LAST_NAMES = [
    "Tan",
    "Lim",
    "Kumar",
    "Abdullah",
    "Ng",
    "Wong",
    "Rahman",
    "Lee",
    "Nair",
    "Chua",
    "Ismail",
    "Goh",
    "Pillai",
    "Teo",
    "Hassan",
    "Ong",
    "Menon",
    "Koh",
    "Yusof",
    "Chen",
]
EMPLOYERS = {
    EmployerSize.SME: [
        "Harbour Logistics",
        "Kopi Tech Studio",
        "Lion City Print",
        "Brightway Clinics",
    ],
    EmployerSize.LARGE: [
        "Meridian Data Centres",
        "Straits Bank",
        "Pacific Shipyards",
        "Nimbus Cloud",
    ],
    EmployerSize.PUBLIC_SECTOR: [
        "Ministry of Manpower",
        "National Library Board",
        "Public Hospital Group",
    ],
}
REVIEWER_EMPLOYERS = {
    "reviewer.one": "Straits Bank",
    "reviewer.two": "Meridian Data Centres",
    "reviewer.three": "Pacific Shipyards",
}
STAFF_PEOPLE = [
    # (local part, display name, role)
    ("programme.admin", "Farah Osman", RoleKind.PROGRAMME_ADMIN),
    ("reviewer.one", "Thomas Goh", RoleKind.REVIEWER),
    ("reviewer.two", "Anita Raj", RoleKind.REVIEWER),
    ("reviewer.three", "Ming Hui Lau", RoleKind.REVIEWER),
    ("reviewer.four", "Samuel Ortiz", RoleKind.REVIEWER),
    ("mentor.one", "Dr. Helena Park", RoleKind.MENTOR),
    ("mentor.two", "Vikram Shah", RoleKind.MENTOR),
    ("mentor.three", "Lydia Chan", RoleKind.MENTOR),
    ("staff", "Ahmad Zulkifli", RoleKind.STAFF),
]


class Command(BaseCommand):
    help = "Create or refresh the demo programme, its team and applicants (deterministic)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")
        parser.add_argument(
            "--applicants", type=int, default=3000, help="Number of applicants (default 3,000)."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with debug off. The demo accounts share a published password.",
        )

    def handle(self, *args, seed: int, applicants: int, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a published password, including a superuser; "
                "it runs only with DJANGO_DEBUG on (or --force, never in production)."
            )
        # Emails written while seeding are sent when the transaction commits; the summary is
        # printed after them so that it ends the output.
        with transaction.atomic():
            programme, people, logins = self._build(random.Random(seed), applicants)
        self.stdout.write(self.style.SUCCESS(f"Demo programme '{programme.name}' is ready."))
        self.stdout.write(
            f"{len(people)} applicants with complete profiles; the first five have not applied yet."
        )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for label, email in logins:
            self.stdout.write(f"  {email:<32} {label}")

    def _build(self, rng: random.Random, applicants: int):
        password_hash = make_password(DEMO_PASSWORD)
        programme = self._programme()
        admin = self._user("admin", "Platform Admin", password_hash, superuser=True)
        logins = [("platform admin", admin.email)]
        programme_admin = None
        for local, name, role in STAFF_PEOPLE:
            user = self._user(local, name, password_hash)
            if not ProgrammeRole.objects.filter(user=user, programme=programme, role=role).exists():
                cohort_services.programme_role_grant(
                    programme=programme,
                    user=user,
                    role=role,
                    granted_by=programme_admin or admin,
                    employer=REVIEWER_EMPLOYERS.get(local, ""),
                )
            programme_admin = programme_admin or user
            logins.append((RoleKind(role).label.lower(), user.email))
        # More people than submitted applications: some are drafts, some withdrew, five have
        # not started, so the demo shows every state.
        people = self._applicants(rng, 5 + applicants + max(applicants // 8, 6), password_hash)
        if people:
            logins.append(("applicant (not applied yet)", people[0].email))
        cohort = self._cohort(programme)
        self._applications(rng, cohort, people, submitted=applicants)
        self._reviews(rng, cohort)
        self._selection(rng, cohort, programme_admin or admin)
        outsider = self._user("outsider", "Olivia Outsider", password_hash)
        logins.append(("user with no role and no profile", outsider.email))
        self._announcement(programme, programme_admin)
        return programme, people, logins

    def _announcement(self, programme: Programme, sender: User) -> None:
        """A staged message to the reviewers, waiting in the outbox to be read and released."""
        subject = "Review kick-off: scoring opens on 1 December"
        if EmailMessage.objects.filter(
            scope=programme.notification_scope, subject__endswith=subject
        ).exists():
            return
        cohort_services.programme_announcement_stage(
            programme=programme,
            sender=sender,
            audience=RoleKind.REVIEWER,
            subject=subject,
            message=(
                "Dear reviewers,\n\n"
                "Thank you for joining the AI Forward 2026 panel. Scoring opens on 1 December and "
                "closes on 14 December. Each of you will receive about 750 applications; the "
                "rubric and the guidance for each criterion are on the review page.\n\n"
                "Please declare any conflict of interest before you start."
            ),
        )

    def _programme(self) -> Programme:
        partners = [
            Partner.objects.update_or_create(
                name=name, defaults={"kind": kind, "website": site, "description": text}
            )[0]
            for name, kind, site, text in [
                (
                    "Meridian Data Centres",
                    PartnerKind.DATA_CENTRE,
                    "https://meridian-dc.example.org",
                    "Operates four hyperscale data centres in the region.",
                ),
                (
                    "Nimbus Cloud",
                    PartnerKind.CLOUD,
                    "https://nimbus.example.org",
                    "Provides GPU hours and LLM tokens to every participant.",
                ),
                (
                    "United Tech Workers Union",
                    PartnerKind.UNION,
                    "https://utwu.example.org",
                    "Represents 60,000 workers across technology and logistics.",
                ),
            ]
        ]
        programme, _ = Programme.objects.update_or_create(
            slug="ai-forward-2026",
            defaults={
                "name": "AI Forward 2026",
                "tagline": "1,000 seats to move working people into AI-ready roles.",
                "description": (
                    "A six-month, part-time programme for working adults. Participants learn to "
                    "build and run AI systems on real infrastructure: 120 GPU hours and 20 million "
                    "LLM tokens each, a mentor from industry, and four courses ending in a "
                    "verifiable certificate. Frontline workers, SME employees and union members "
                    "have reserved seats."
                ),
                "is_published": True,
            },
        )
        programme.partners.set(partners)
        return programme

    def _user(self, local: str, name: str, password_hash: str, *, superuser: bool = False) -> User:
        email = f"{local}@{DEMO_DOMAIN}"
        user, _ = User.objects.update_or_create(
            email=email,
            defaults={
                "display_name": name,
                "password": password_hash,
                "is_superuser": superuser,
                "is_staff": superuser,
            },
        )
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user

    def _applicants(self, rng: random.Random, count: int, password_hash: str) -> list[User]:
        """`count` applicants with verified emails and complete profiles, written in bulk."""
        specs = []
        for number in range(1, count + 1):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            size = rng.choices(list(EmployerSize), weights=[35, 30, 15, 10, 10])[0]
            age = rng.randint(21, 58)
            residency = rng.choices(list(Residency), weights=[68, 26, 5, 1])[0]
            specs.append(
                {
                    "email": f"applicant{number:03d}@{DEMO_DOMAIN}",
                    "full_name": f"{first} {last}",
                    "phone": f"+65{rng.choice('689')}{rng.randint(1000000, 9999999)}",
                    # The first few can always apply, so the demo journey works for them.
                    "residency": Residency.CITIZEN if number <= 5 else residency,
                    "date_of_birth": datetime.date(
                        2026 - age, rng.randint(1, 12), rng.randint(1, 28)
                    ),
                    "gender": rng.choices(list(Gender), weights=[45, 45, 3, 2, 5])[0],
                    "employer": rng.choice(EMPLOYERS[size]) if size in EMPLOYERS else "",
                    "employer_size": size,
                    "sector": rng.choice(list(Sector)),
                    "job_level": rng.choices(list(JobLevel), weights=[40, 35, 18, 7])[0],
                    "is_union_member": rng.random() < 0.35,
                    "highest_education": rng.choice(list(Education)),
                    "years_of_experience": min(60, max(0, age - 21 - rng.randint(0, 4))),
                    "linkedin_url": (
                        f"https://www.linkedin.com/in/{first.lower().replace(' ', '')}-{last.lower()}-{number}"
                        if rng.random() < 0.6
                        else ""
                    ),
                }
            )
        emails = [spec["email"] for spec in specs]
        existing = {u.email: u for u in User.objects.filter(email__in=emails)}
        User.objects.bulk_create(
            [
                User(email=spec["email"], display_name=spec["full_name"], password=password_hash)
                for spec in specs
                if spec["email"] not in existing
            ],
            batch_size=1000,
        )
        users = {u.email: u for u in User.objects.filter(email__in=emails)}
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=users[e], email=e, verified=True, primary=True) for e in emails],
            batch_size=1000,
            ignore_conflicts=True,
        )
        profiles = {p.user_id: p for p in ApplicantProfile.objects.filter(user__in=users.values())}
        fields = [k for k in specs[0] if k != "email"] if specs else []
        new, changed = [], []
        for spec in specs:
            user = users[spec["email"]]
            profile = profiles.get(user.pk) or ApplicantProfile(user=user)
            for field in fields:
                setattr(profile, field, spec[field])
            (changed if profile.pk else new).append(profile)
        ApplicantProfile.objects.bulk_create(new, batch_size=1000)
        ApplicantProfile.objects.bulk_update(changed, fields, batch_size=1000)
        return [users[e] for e in emails]

    def _cohort(self, programme: Programme) -> Cohort:
        """AI Forward 2026's open cohort: 1,000 seats, a realistic form and eligibility rules.

        Its window is set around today so the demo always has an open cohort.
        """
        tz = zoneinfo.ZoneInfo("Asia/Singapore")
        today = timezone.localdate(timezone=tz)
        cohort, _ = Cohort.objects.update_or_create(
            programme=programme,
            slug="main-intake",
            defaults={
                "name": "AI Forward 2026 — main intake",
                "description": (
                    "Six months, part time (about 8 hours a week), starting in January. Four tracks: "
                    "AI for operations, data engineering, applied machine learning, and AI product "
                    "and policy."
                ),
                "capacity": 1000,
                # The best 400 of those not offered a seat wait for one; the rest hear "not
                # selected" at once rather than waiting for a seat that will not come.
                "waitlist_length": 400,
                "opens_at": datetime.datetime.combine(
                    today - datetime.timedelta(days=22), datetime.time(9, 0), tz
                ),
                "closes_at": datetime.datetime.combine(
                    today + datetime.timedelta(days=22), datetime.time(23, 59), tz
                ),
                "starts_on": today + datetime.timedelta(days=49),
                "ends_on": today + datetime.timedelta(days=230),
                "timezone": "Asia/Singapore",
                "status": CohortStatus.PUBLISHED,
                "allow_edit_after_submit": True,
                "privacy_notice_version": "2026-1",
            },
        )
        questions = {}
        for position, (key, label, kind, extra) in enumerate(QUESTIONS, start=1):
            defaults = {"label": label, "type": kind, "position": position, **extra}
            defaults.pop("depends_on_key", None)
            questions[key], _ = ApplicationQuestion.objects.update_or_create(
                cohort=cohort, key=key, defaults=defaults
            )
        for key, _label, _kind, extra in QUESTIONS:
            parent_key = extra.get("depends_on_key")
            if parent_key:
                ApplicationQuestion.objects.filter(pk=questions[key].pk).update(
                    depends_on=questions[parent_key]
                )
        if not EligibilityRule.objects.filter(cohort=cohort).exists():
            for position, (attribute, operator, values, message) in enumerate(RULES, start=1):
                EligibilityRule.objects.create(
                    cohort=cohort,
                    position=position,
                    attribute=attribute,
                    operator=operator,
                    values=values,
                    message=message,
                )
        return cohort

    def _applications(
        self, rng: random.Random, cohort: Cohort, people: list[User], *, submitted: int
    ) -> int:
        """`submitted` submitted applications (eligible ones), a few withdrawn, the rest drafts;
        the first five applicants are left without an application for the demo."""
        done = set(Application.objects.filter(cohort=cohort).values_list("applicant_id", flat=True))
        profiles = {p.user_id: p for p in ApplicantProfile.objects.filter(user__in=people)}
        questions = selectors.question_list_for_cohort(cohort=cohort)
        rules = selectors.rule_list_for_cohort(cohort=cohort)
        window = timezone.now() - cohort.opens_at  # submitted between opening and now
        applications = []
        eligible_seen = 0
        for person in people[5:]:
            profile = profiles[person.pk]
            answers = _answers(rng)
            result = selectors.eligibility_for(
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
                cohort.opens_at + window * rng.random()
                if status != ApplicationStatus.DRAFT
                else None
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
            Application.objects.filter(
                cohort=cohort, applicant__in=[a.applicant for a in applications]
            )
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
        self._demo_cvs(created[:20])
        return len(created)

    def _reviews(self, rng: random.Random, cohort: Cohort) -> None:
        """A rubric, a few declared conflicts, two reviewers per application and most reviews in."""
        if cohort.criteria.exists():
            return
        cohort.reviewers_per_application = 2
        cohort.is_blind_review = True
        cohort.review_deadline = cohort.closes_at + datetime.timedelta(days=14)
        cohort.save()
        for position, (name, guidance, weight) in enumerate(CRITERIA, start=1):
            ReviewCriterion.objects.create(
                cohort=cohort,
                position=position,
                name=name,
                guidance=guidance,
                weight=weight,
                scale_labels={"1": "No evidence", "3": "Some evidence", "5": "Outstanding"},
            )
        reviewers = {
            u.email: u for u in selectors.reviewer_list_for_programme(programme=cohort.programme)
        }
        for email, kind, value in DEMO_CONFLICTS:
            if email in reviewers:
                services.conflict_declare(
                    reviewer=reviewers[email], programme=cohort.programme, kind=kind, value=value
                )
        preview = services.assignment_preview(cohort=cohort)
        assignments = ReviewAssignment.objects.bulk_create(
            [
                ReviewAssignment(application_id=app_id, reviewer_id=reviewer_id)
                for app_id, reviewer_ids in preview.new.items()
                for reviewer_id in reviewer_ids
            ],
            batch_size=2000,
        )
        assignments = list(
            ReviewAssignment.objects.filter(application__cohort=cohort).select_related(
                "application"
            )
        )
        Application.objects.filter(
            pk__in=list(preview.new), status=ApplicationStatus.SUBMITTED
        ).update(status=ApplicationStatus.IN_REVIEW)
        now = timezone.now()
        ApplicationEvent.objects.bulk_create(
            [
                ApplicationEvent(
                    application_id=app_id,
                    from_status=ApplicationStatus.SUBMITTED,
                    to_status=ApplicationStatus.IN_REVIEW,
                    note="Reviewers assigned",
                    created_at=now,
                )
                for app_id in preview.new
            ],
            batch_size=2000,
        )
        criteria = list(cohort.criteria.all())
        weights = {c.pk: float(c.weight) for c in criteria}
        # Each reviewer has a leniency; each application a quality they all roughly see.
        leniency = {
            reviewer.pk: rng.choice([-0.8, -0.3, 0.0, 0.4, 0.9]) for reviewer in reviewers.values()
        }
        quality = {a.application_id: rng.gauss(3.1, 0.8) for a in assignments}
        reviews = []
        for assignment in assignments:
            if rng.random() > 0.85:
                continue  # not reviewed yet
            scores = {}
            for criterion in criteria:
                raw = (
                    quality[assignment.application_id]
                    + leniency[assignment.reviewer_id]
                    + rng.gauss(0, 0.6)
                )
                scores[str(criterion.pk)] = max(1, min(5, round(raw)))
            total = scoring.weighted_total({int(k): v for k, v in scores.items()}, weights)
            reviews.append(
                Review(
                    assignment=assignment,
                    scores=scores,
                    total=total,
                    recommendation="strong_yes"
                    if total >= 4.3
                    else "yes"
                    if total >= 3.5
                    else "maybe"
                    if total >= 2.5
                    else "no",
                    comment=rng.choice(REVIEW_COMMENTS),
                    is_submitted=True,
                    submitted_at=now - datetime.timedelta(hours=rng.randint(1, 200)),
                )
            )
        Review.objects.bulk_create(reviews, batch_size=2000)
        services.scores_recompute(cohort=cohort)

    def _selection(self, rng: random.Random, cohort: Cohort, admin: User) -> None:
        """Quotas, a committed run (offers, a waitlist), and some answers to the offers."""
        if SelectionRun.objects.filter(cohort=cohort).exists():
            return
        for name, attribute, values, low, high in DEMO_QUOTAS:
            Quota.objects.create(
                cohort=cohort,
                name=name,
                attribute=attribute,
                values=values,
                min_percent=low,
                max_percent=high,
            )
        seats = max(
            min(
                cohort.capacity,
                Application.objects.filter(cohort=cohort, review_count__gt=0).count() * 2 // 3,
            ),
            1,
        )
        run = services.selection_run_start(
            cohort=cohort, author=admin, score_kind="normalized", seats=seats, min_reviews=1
        )
        run = services.selection_run_execute(run_id=run.pk)
        if run is None or run.result_status != "optimal":
            return
        services.selection_run_commit(run=run, actor=admin)
        services.selection_commit_execute(run_id=run.pk)
        services.decisions_release(cohort=cohort, actor=admin)
        offers = list(
            Offer.objects.filter(application__cohort=cohort)
            .select_related("application__applicant")
            .order_by("pk")
        )
        for offer in offers[: len(offers) // 2]:
            services.offer_accept(offer=offer, user=offer.application.applicant)
        for offer in offers[len(offers) // 2 : len(offers) // 2 + max(len(offers) // 20, 1)]:
            services.offer_decline(
                offer=offer, user=offer.application.applicant, reason=rng.choice(DECLINE_REASONS)
            )

    def _demo_cvs(self, applications: list[Application]) -> None:
        for application in applications:
            if application.status == ApplicationStatus.SUBMITTED and not application.cv:
                application.cv.save(
                    "cv.pdf", ContentFile(_demo_pdf(application.full_name)), save=False
                )
                application.cv_name = f"CV {application.full_name}.pdf"
                application.cv_size = application.cv.size
                application.save(update_fields=["cv", "cv_name", "cv_size"])


QUESTIONS = [
    (
        "motivation",
        "Why do you want to join AI Forward 2026?",
        QuestionType.LONG_TEXT,
        {
            "word_limit": 250,
            "help_text": "Tell us what you hope to do with what you learn. At most 250 words.",
        },
    ),
    (
        "programming",
        "How much programming have you done?",
        QuestionType.CHOICE,
        {
            "choices": [
                "None yet",
                "A little (scripts, spreadsheet formulas)",
                "Regularly at work",
                "I build software professionally",
            ]
        },
    ),
    (
        "track",
        "Which track interests you most?",
        QuestionType.CHOICE,
        {
            "choices": [
                "AI for operations",
                "Data engineering",
                "Applied machine learning",
                "AI product and policy",
            ]
        },
    ),
    (
        "employer_supports",
        "Does your employer support your participation?",
        QuestionType.YES_NO,
        {},
    ),
    (
        "support_kind",
        "How does your employer support you?",
        QuestionType.MULTI_CHOICE,
        {
            "choices": [
                "Paid study time",
                "Course fees",
                "A mentor at work",
                "A project to work on",
            ],
            "depends_on_key": "employer_supports",
            "show_when": ["yes"],
        },
    ),
    (
        "hours",
        "How many hours a week can you commit?",
        QuestionType.NUMBER,
        {"min_value": 1, "max_value": 40, "help_text": "The programme needs about 8 hours a week."},
    ),
    ("laptop", "Do you have a laptop you can use for the course?", QuestionType.YES_NO, {}),
    (
        "portfolio",
        "A link to something you have built or written",
        QuestionType.URL,
        {"is_required": False, "help_text": "Optional: a repository, a blog post, a dashboard…"},
    ),
]

CRITERIA = [
    ("Motivation", "Does the applicant know what they want to do with what they learn?", 2),
    (
        "Relevant experience",
        "Work, study or projects that prepare them for the track they chose.",
        1,
    ),
    ("Potential impact", "Will the skills change their work, their team or their community?", 1.5),
    ("Commitment", "Time available, employer support, a realistic plan.", 1),
]

DEMO_CONFLICTS = [
    ("reviewer.one@example.org", "employer", "Straits Bank"),
    ("reviewer.two@example.org", "employer", "Meridian Data Centres"),
    ("reviewer.three@example.org", "person", "applicant010@example.org"),
]

REVIEW_COMMENTS = [
    "Clear goals and a realistic plan.",
    "Strong motivation; little hands-on experience yet.",
    "Good fit for the operations track.",
    "Answers are short; hard to judge commitment.",
    "Impressive self-taught projects.",
    "Employer support makes completion likely.",
]

DEMO_QUOTAS = [
    ("Frontline workers", "job_level", ["frontline"], 30, None),
    ("SME employees", "employer_size", ["sme"], 25, None),
    ("Union members", "is_union_member", ["yes"], 25, None),
    ("ICT at most 20 %", "sector", ["ict"], None, 20),
]

DECLINE_REASONS = [
    "I got a new job with long hours.",
    "Family reasons.",
    "I will apply to the next intake.",
]

RULES = [
    (
        "residency",
        RuleOperator.IN,
        ["citizen", "permanent_resident"],
        "This intake is open to citizens and permanent residents.",
    ),
    ("age_at_start", RuleOperator.BETWEEN, ["18", "65"], ""),
    ("answer:hours", RuleOperator.AT_LEAST, ["4"], "The programme needs at least 4 hours a week."),
]

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


def _demo_pdf(name: str) -> bytes:
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
