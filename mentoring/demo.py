"""Demo mentoring: forty mentors from the partners and beyond with their profiles, preferences
for most participants (topics from their track, languages, wished and avoided mentors), two
forbidden pairs, a published optimal run introduced eight weeks ago, the sessions held since
(rated, a few waiting for a rating or for the mentor's confirmation), a few stalled pairs and
one pairing the mentee ended. Called by `seed_demo`; safe to run again (it updates in place).

It goes through the services, as the app would, with two shortcuts: once the run is published
its introduction is dated eight weeks back, and sessions older than three weeks are written in
bulk, as the services would have left them, without the notices long since read.
"""

import datetime
import random
from dataclasses import dataclass

from django.utils import timezone

from accounts import demo as accounts_demo
from accounts.models import ApplicantProfile, User
from applications.models import Application
from cohorts.models import Cohort
from mentoring import selectors, services
from mentoring.enums import (
    ForbiddenSource,
    LoggedBy,
    MatchingMode,
    PairingStatus,
    RunStatus,
    SessionMode,
)
from mentoring.models import (
    MatchingRun,
    MenteePreference,
    MentoringSession,
    MentorProfile,
    Pairing,
)
from programmes import services as programme_services
from programmes.enums import RoleKind
from programmes.models import ProgrammeRole
from selection.models import Participant

WEEKS = 8  # the pairs were introduced this long ago
HISTORY_BEFORE_DAYS = 21  # sessions older than this are written in bulk, without notices
WEIGHTS = {"topics": 3.0, "language": 2.0, "industry": 1.0, "wish": 2.0}


@dataclass(frozen=True)
class Mentor:
    local: str  # the email's local part; mentor.one to mentor.three are the team's mentors
    name: str
    title: str
    employer: str
    expertise: tuple[str, ...]
    industries: tuple[str, ...]
    languages: tuple[str, ...]
    capacity: int  # 0: not taking more mentees just now


MENTORS = [
    Mentor("mentor.one", "Dr. Helena Park", "Head of ML Platform", "Nimbus Cloud",
           ("mlops", "llm evaluation", "python", "kubernetes"), ("ict", "data_centres"), ("en", "zh"), 5),
    Mentor("mentor.two", "Vikram Shah", "Data Engineering Manager", "Straits Bank",
           ("data engineering", "sql", "python", "career change"), ("finance", "ict"), ("en", "ta"), 4),
    Mentor("mentor.three", "Lydia Chan", "Responsible AI Lead", "Lion City Analytics",
           ("responsible ai", "ai policy", "llm evaluation"), ("public_administration", "ict"), ("en", "zh"), 3),
    Mentor("mentor04", "Ahmad Faizal Rahman", "GPU Cluster Operations Manager", "Meridian Data Centres",
           ("gpu cluster operations", "data centre operations", "kubernetes"), ("data_centres", "energy"), ("en", "ms"), 4),
    Mentor("mentor05", "Priya Ramasamy", "Senior MLOps Engineer", "Nimbus Cloud",
           ("mlops", "kubernetes", "python"), ("ict",), ("en", "ta"), 4),
    Mentor("mentor06", "Tan Wei Jie", "LLM Evaluation Scientist", "Tropic AI Labs",
           ("llm evaluation", "prompt engineering", "retrieval-augmented generation"), ("ict",), ("en", "zh"), 3),
    Mentor("mentor07", "Nur Aisyah Hamid", "Digital Organiser", "United Tech Workers Union",
           ("career change", "ai at work", "interview preparation"), ("logistics", "retail", "manufacturing"), ("en", "ms"), 6),
    Mentor("mentor08", "Rajesh Kumar", "Cloud Architect", "Nimbus Cloud",
           ("cloud architecture", "kubernetes", "cybersecurity"), ("ict", "finance"), ("en", "ta"), 3),
    Mentor("mentor09", "Chen Mei Ling", "Data Platform Lead", "Harbour Logistics",
           ("data engineering", "sql", "python"), ("logistics",), ("en", "zh"), 4),
    Mentor("mentor10", "Marcus Lee", "Site Reliability Engineer", "Meridian Data Centres",
           ("gpu cluster operations", "network engineering", "linux"), ("data_centres",), ("en",), 2),
    Mentor("mentor11", "Siti Nurhaliza Ismail", "AI Product Manager", "Kopi Tech Studio",
           ("ai product management", "career change", "prompt engineering"), ("retail", "ict"), ("en", "ms"), 4),
    Mentor("mentor12", "Dr. Arjun Menon", "Principal Research Scientist", "Public Hospital Group",
           ("computer vision", "responsible ai", "python"), ("healthcare",), ("en", "ta"), 2),
    Mentor("mentor13", "Lim Hui Min", "Analytics Engineering Manager", "Straits Bank",
           ("data engineering", "sql", "llm evaluation"), ("finance",), ("en", "zh"), 3),
    Mentor("mentor14", "Farid Hassan", "Facilities and Power Engineer", "Meridian Data Centres",
           ("data centre operations", "energy efficiency", "gpu cluster operations"), ("data_centres", "energy", "construction"), ("en", "ms"), 3),
    Mentor("mentor15", "Grace Ong", "Head of AI Governance", "Pacific Shipyards",
           ("responsible ai", "ai policy", "career change"), ("manufacturing", "public_administration"), ("en", "zh"), 0),
    Mentor("mentor16", "Kavitha Subramaniam", "Machine Learning Engineer", "Brightway Clinics",
           ("mlops", "computer vision", "python"), ("healthcare",), ("en", "ta"), 3),
    Mentor("mentor17", "Daniel Koh", "Platform Engineering Lead", "Nimbus Cloud",
           ("kubernetes", "cloud architecture", "mlops"), ("ict",), ("en",), 5),
    Mentor("mentor18", "Zainab Yusof", "Policy Adviser, Future of Work", "United Tech Workers Union",
           ("ai at work", "ai policy", "career change"), ("public_administration", "logistics"), ("en", "ms"), 5),
    Mentor("mentor19", "Wong Kah Wai", "Data Scientist", "Orchid Robotics",
           ("computer vision", "python", "mlops"), ("manufacturing",), ("en", "zh"), 3),
    Mentor("mentor20", "Suresh Pillai", "Network Architect", "Meridian Data Centres",
           ("network engineering", "gpu cluster operations", "cybersecurity"), ("data_centres", "ict"), ("en", "ta"), 2),
    Mentor("mentor21", "Rachel Teo", "Career Coach", "National Library Board",
           ("career change", "interview preparation", "python"), ("education", "public_administration"), ("en", "zh"), 6),
    Mentor("mentor22", "Hafiz Abdullah", "Retrieval Systems Engineer", "Tropic AI Labs",
           ("retrieval-augmented generation", "llm evaluation", "python"), ("ict",), ("en", "ms"), 4),
    Mentor("mentor23", "Ng Yan Ting", "Evaluation and Red-Team Lead", "Tropic AI Labs",
           ("llm evaluation", "responsible ai", "prompt engineering"), ("ict",), ("en", "zh"), 0),
    Mentor("mentor24", "Omar Said", "Data Engineer", "Harbour Logistics",
           ("data engineering", "sql", "cloud architecture"), ("logistics",), ("en", "ms"), 3),
    Mentor("mentor25", "Divya Nair", "Head of Data", "Brightway Clinics",
           ("data engineering", "responsible ai", "ai product management"), ("healthcare",), ("en", "ta"), 2),
    Mentor("mentor26", "Benjamin Goh", "HPC Scheduler Engineer", "Meridian Data Centres",
           ("gpu cluster operations", "kubernetes", "python"), ("data_centres", "education"), ("en",), 4),
    Mentor("mentor27", "Irfan Malik", "Security Engineer", "Nimbus Cloud",
           ("cybersecurity", "cloud architecture", "responsible ai"), ("ict", "finance"), ("en", "ms"), 3),
    Mentor("mentor28", "Chloe Tan", "Product Designer, AI Features", "Kopi Tech Studio",
           ("ai product management", "prompt engineering", "career change"), ("retail",), ("en", "zh"), 3),
    Mentor("mentor29", "Lakshmi Iyer", "Quantitative Analyst", "Straits Bank",
           ("python", "sql", "llm evaluation"), ("finance",), ("en", "ta"), 2),
    Mentor("mentor30", "Chua Jun Jie", "MLOps Consultant", "Orchid Robotics",
           ("mlops", "data engineering", "kubernetes"), ("manufacturing", "ict"), ("en", "zh"), 5),
    Mentor("mentor31", "Mei Chen", "Cloud Solutions Architect", "Nimbus Cloud",
           ("cloud architecture", "retrieval-augmented generation", "mlops"), ("ict", "education"), ("en", "zh"), 4),
    Mentor("mentor32", "Ravi Chandran", "Operations Manager turned ML Engineer", "Pacific Shipyards",
           ("career change", "python", "computer vision"), ("manufacturing", "logistics"), ("en", "ta"), 4),
    Mentor("mentor33", "Nurul Huda", "Shop Steward and Data Analyst", "United Tech Workers Union",
           ("ai at work", "sql", "career change"), ("retail", "logistics"), ("en", "ms"), 4),
    Mentor("mentor34", "Ethan Lim", "Backend Engineer, LLM Inference", "Tropic AI Labs",
           ("llm serving", "kubernetes", "python"), ("ict",), ("en",), 3),
    Mentor("mentor35", "Yusof Ibrahim", "Energy Analyst", "Sunda Power",
           ("energy efficiency", "data centre operations", "python"), ("energy",), ("en", "ms"), 2),
    Mentor("mentor36", "Hannah Wong", "AI Curriculum Lead", "National Library Board",
           ("prompt engineering", "ai policy", "career change"), ("education",), ("en", "zh"), 3),
    Mentor("mentor37", "Sanjay Verma", "Director of AI Engineering", "Lion City Analytics",
           ("mlops", "llm evaluation", "ai product management"), ("ict", "finance"), ("en",), 0),
    Mentor("mentor38", "Aminah Razak", "Process Automation Lead", "Pacific Shipyards",
           ("computer vision", "data engineering", "career change"), ("manufacturing", "construction"), ("en", "ms"), 3),
    Mentor("mentor39", "Kenji Sato", "Storage Engineer", "Meridian Data Centres",
           ("data centre operations", "cloud architecture", "linux"), ("data_centres",), ("en",), 2),
    Mentor("mentor40", "Tamilselvi Raman", "Public Health Data Lead", "Public Hospital Group",
           ("data engineering", "responsible ai", "sql"), ("healthcare", "public_administration"), ("en", "ta"), 3),
]  # fmt: skip

AVAILABILITY = [
    "Tuesday evenings, one hour every two weeks",
    "Saturday mornings, video or in person",
    "Weekday lunchtimes, by video",
    "Thursdays after 7 pm",
    "Flexible: an hour every two weeks, booked a week ahead",
    "First and third Monday evenings",
]

# What participants of each track want to talk about, and why they want a mentor.
TOPICS = {
    "AI for operations": [
        "gpu cluster operations",
        "data centre operations",
        "kubernetes",
        "mlops",
        "energy efficiency",
        "career change",
    ],
    "Data engineering": [
        "data engineering",
        "sql",
        "python",
        "cloud architecture",
        "career change",
    ],
    "Applied machine learning": [
        "mlops",
        "python",
        "computer vision",
        "llm evaluation",
        "retrieval-augmented generation",
    ],
    "AI product and policy": [
        "responsible ai",
        "ai policy",
        "ai product management",
        "prompt engineering",
        "ai at work",
        "career change",
    ],
}
GOALS = [
    "Move from night-shift operations into a platform engineering role within a year.",
    "Build a portfolio project I can show at interviews.",
    "Understand how to evaluate the LLM tools my team is being asked to adopt.",
    "Learn how real teams run models in production, beyond the course labs.",
    "Get advice on changing careers at 45 without starting from zero.",
    "Represent my co-workers when our employer brings AI into scheduling.",
    "Turn the data work I already do in spreadsheets into proper pipelines.",
]
SUMMARIES = [
    "Reviewed the week's lab and agreed on a small portfolio project.",
    "Walked through how our team deploys and monitors models; shared the runbook template.",
    "Mock interview for a junior data engineer role; went over the feedback together.",
    "Looked at an LLM evaluation set the mentee built; suggested adding adversarial cases.",
    "Talked through the capstone idea and cut its scope to fit six weeks.",
    "Explained how GPU jobs are scheduled on the cluster and how to read the queue.",
    "Discussed how to raise AI-at-work concerns with the employer through the union branch.",
]
PRIVATE_NOTES = [
    "Lacks confidence presenting; suggest a lightning talk at the next meetup.",
    "Strong on SQL, weak on Git. Pair on a pull request next time.",
    "Worried about shift patterns; keep sessions short and by video.",
    "Ready for a stretch task: ask them to own the evaluation report.",
]
COMMENTS = [
    "Very practical, thank you.",
    "Helped me plan the next two weeks.",
    "Good session; I would like more time on the hands-on part.",
    "Clear answers to all my questions.",
    "",
]
MINUTES = [30, 45, 60, 60, 60, 90]
# How long each stalled pair has been quiet, in turn: the first past the 28 days at which the
# programme's admins hear of it, the next past the 14-day reminder only, and so on.
QUIET_DAYS = [29, 16, 33, 20, 31, 24, 35, 17]


@dataclass(frozen=True)
class DemoMentoring:
    """Figures of what was built, and a participant to sign in as: they have a mentor and a
    session waiting for their rating."""

    mentors: int
    pairs: int
    sessions: int
    stalled: int
    participant_email: str


def seed_demo(
    rng: random.Random, cohort: Cohort, actor: User, *, password_hash: str
) -> DemoMentoring:
    mentors = _mentors(cohort, actor, password_hash)
    _preferences(rng, cohort, mentors)
    _forbidden(cohort, mentors, actor)
    run = MatchingRun.objects.filter(cohort=cohort, status=RunStatus.PUBLISHED).first()
    if run is None:
        run = services.matching_run_create(
            cohort=cohort,
            mode=MatchingMode.OPTIMAL,
            weights=WEIGHTS,
            language_required=True,
            actor=actor,
        )
        services.run_publish(run=run, actor=actor)
        _sessions(rng, run, mentors[0])
        # The reminders the hourly task would send for the stalled pairs.
        services.pairings_nudge()
    return _figures(cohort, mentors[0])


# --- mentors, preferences, forbidden pairs -------------------------------------------------------


def _mentors(cohort: Cohort, actor: User, password_hash: str) -> list[MentorProfile]:
    """Each mentor's account, role and profile, in the order of MENTORS."""
    programme = cohort.programme
    profiles = {
        p.user.email: p
        for p in MentorProfile.objects.filter(programme=programme).select_related("user")
    }
    held = set(
        ProgrammeRole.objects.filter(programme=programme, role=RoleKind.MENTOR).values_list(
            "user__email", flat=True
        )
    )
    result = []
    for index, spec in enumerate(MENTORS):
        user = accounts_demo.user(spec.local, spec.name, password_hash)
        if user.email not in held:
            programme_services.programme_role_grant(
                programme=programme,
                user=user,
                role=RoleKind.MENTOR,
                granted_by=actor,
                employer=spec.employer,
            )
        profile = profiles.get(user.email) or MentorProfile(programme=programme, user=user)
        values = {
            "expertise": list(spec.expertise),
            "industries": list(spec.industries),
            "languages": list(spec.languages),
            "employer": spec.employer,
            "capacity": spec.capacity,
            "availability": AVAILABILITY[index % len(AVAILABILITY)],
            "bio": (
                f"{spec.title} at {spec.employer}. Happy to help with "
                f"{', '.join(spec.expertise[:-1])} and {spec.expertise[-1]}."
            ),
        }
        changed = profile.pk is None
        for field, value in values.items():
            if getattr(profile, field) != value:
                setattr(profile, field, value)
                changed = True
        if changed:
            services.mentor_profile_save(profile=profile, actor=user)
        result.append(profile)
    return result


def _preferences(rng: random.Random, cohort: Cohort, mentors: list[MentorProfile]) -> None:
    """Preferences for most participants, once. The first few wish for the team's first
    mentor, so that the demo mentor has mentees."""
    if MenteePreference.objects.filter(cohort=cohort).exists():
        return
    participants = list(
        Participant.objects.filter(cohort=cohort).select_related("user").order_by("user_id")
    )
    user_ids = [p.user_id for p in participants]
    tracks = dict(
        Application.objects.filter(cohort=cohort, applicant_id__in=user_ids).values_list(
            "applicant_id", "answers__track"
        )
    )
    profiles = {
        p.user_id: p
        for p in ApplicantProfile.objects.filter(user_id__in=user_ids).only(
            "user_id", "sector", "employer"
        )
    }
    first = mentors[0]
    keen = 0
    for participant in participants:
        user = participant.user
        pool = TOPICS.get(tracks.get(user.pk) or "", TOPICS["Applied machine learning"])
        profile = profiles.get(user.pk)
        wants_first = keen < 3 and not (
            profile and profile.employer.strip().casefold() == first.employer.casefold()
        )
        if not wants_first and rng.random() > 0.85:
            continue  # has not said what they want yet
        topics = rng.sample(pool, rng.randint(2, min(4, len(pool))))
        extra = [lang for lang in ("ms", "zh", "ta") if rng.random() < 0.25]
        # Most speak English; a few prefer to be mentored in one other language only.
        languages = extra[:1] if extra and rng.random() > 0.92 else ["en", *extra]
        wishes: list[MentorProfile] = []
        if wants_first:
            keen += 1
            topics = list(dict.fromkeys(["mlops", "llm evaluation", *topics]))[:4]
            languages = ["en", *extra]
            wishes = [first]
        elif rng.random() < 0.6:
            suited = sorted(
                (m for m in mentors if set(topics) & set(m.expertise)),
                key=lambda m: (-len(set(topics) & set(m.expertise)), m.pk),
            )
            wishes = suited[: rng.randint(1, 3)]
        avoid = []
        if rng.random() < 0.05:
            avoid = [m for m in mentors[::7] if m not in wishes][:1]
        services.mentee_preferences_save(
            preference=MenteePreference(
                cohort=cohort,
                user=user,
                goals=rng.choice(GOALS),
                topics=topics,
                languages=languages,
                industry=profile.sector if profile else "",
            ),
            wishes=wishes,
            avoid=avoid,
            actor=user,
        )


def _forbidden(cohort: Cohort, mentors: list[MentorProfile], actor: User) -> None:
    """A conflict a mentor declared and a pair an admin forbade (each kept once)."""
    participants = list(
        Participant.objects.filter(cohort=cohort).select_related("user").order_by("-user_id")[:2]
    )
    reasons = [
        (mentors[3], ForbiddenSource.CONFLICT, "Former colleague on the same site team.", None),
        (
            mentors[6],
            ForbiddenSource.ADMIN,
            "The mentee's branch secretary: a conflict of roles.",
            actor,
        ),
    ]
    for participant, (mentor, source, reason, by) in zip(participants, reasons, strict=False):
        services.forbidden_pair_add(
            programme=cohort.programme,
            mentor=mentor,
            mentee=participant.user,
            source=source,
            reason=reason,
            actor=by or mentor.user,
        )


# --- sessions ------------------------------------------------------------------------------------


def _dates(rng: random.Random, start: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Session dates from a few days after the introduction, every 10–16 days, ending on
    `last` (none when `last` is before the first)."""
    dates = []
    day = start + datetime.timedelta(days=rng.randint(2, 6))
    while day < last - datetime.timedelta(days=5):
        dates.append(day)
        day += datetime.timedelta(days=rng.randint(10, 16))
    if last >= start + datetime.timedelta(days=2):
        dates.append(last)
    return dates


def _sessions(rng: random.Random, run: MatchingRun, first: MentorProfile) -> None:
    """Date the run's pairs eight weeks back, then the sessions they held since: those of the
    last three weeks logged, confirmed and rated through the services (their notices are
    still fresh), the older ones written in bulk as history."""
    now = timezone.now()
    started = now - datetime.timedelta(weeks=WEEKS)
    MatchingRun.objects.filter(pk=run.pk).update(
        created_at=started - datetime.timedelta(hours=2), published_at=started, updated_at=started
    )
    pairings = list(
        Pairing.objects.filter(run=run, status=PairingStatus.ACTIVE)
        .select_related("mentee", "mentor__user")
        .order_by("pk")
    )
    Pairing.objects.filter(pk__in=[p.pk for p in pairings]).update(started_at=started)
    # The team's first mentor's pairs first: one waits for a rating, one for his confirmation.
    pairings.sort(key=lambda p: (p.mentor_id != first.pk, p.pk))
    today = timezone.localdate()
    start = timezone.localdate(started)
    recent = today - datetime.timedelta(days=HISTORY_BEFORE_DAYS)
    count = len(pairings)
    # A few stalled pairs: about one in seven of a large cohort, fewer of a small one.
    stalled = list(range(2, count, max(count // 7, 5)))
    history: list[MentoringSession] = []
    for index, pairing in enumerate(pairings):
        if index in stalled:
            # Quiet since: past the admins' 28 days, or past the 14-day reminder, in turn.
            quiet = QUIET_DAYS[stalled.index(index) % len(QUIET_DAYS)]
            last = today - datetime.timedelta(days=quiet)
        else:
            last = today - datetime.timedelta(days=rng.randint(3 if index == 1 else 0, 9))
        dates = _dates(rng, start, last)
        for number, held_on in enumerate(dates):
            by_mentee = rng.random() < 0.08
            details = _details(rng, pairing, by_mentee)
            # The latest session of the first pair and of a third of the others awaits a rating.
            rated = not (number == len(dates) - 1 and (index == 0 or rng.random() < 0.35))
            attended = rng.random() > 0.03
            feedback = {
                "attended": attended,
                "rating": rng.choices([5, 4, 3, 2], weights=[50, 35, 12, 3])[0]
                if attended
                else None,
                "comment": rng.choice(COMMENTS) if attended else "I had to cover a night shift.",
            }
            if held_on < recent:
                history.append(_past(pairing, held_on, by_mentee, details, feedback, rated))
                continue
            author = pairing.mentee if by_mentee else pairing.mentor.user
            session, _ = services.session_log(
                pairing=pairing, actor=author, held_on=held_on, **details
            )
            if by_mentee:
                services.session_confirm(session=session, actor=pairing.mentor.user)
            if rated:
                services.session_feedback(session=session, actor=pairing.mentee, **feedback)
        if index == 1:
            # Yesterday's session, logged by the mentee, waits for the mentor to confirm it.
            services.session_log(
                pairing=pairing,
                actor=pairing.mentee,
                held_on=today - datetime.timedelta(days=1),
                **_details(rng, pairing, True),
            )
    MentoringSession.objects.bulk_create(history, batch_size=500)
    for pairing_id, held_on in {s.pairing_id: s.held_on for s in history}.items():
        # The latest of a pair's history is its last session unless a recent one followed.
        Pairing.objects.filter(pk=pairing_id, last_session_on__isnull=True).update(
            last_session_on=held_on
        )
    # One mentee ended their pairing; an admin can match them again.
    if count > 5:
        ended = pairings[count // 2]
        services.pairing_end(
            pairing=ended,
            reason="My shifts changed and I can no longer meet in the evenings.",
            actor=ended.mentee,
        )


def _details(rng: random.Random, pairing: Pairing, by_mentee: bool) -> dict:
    """What a session was about, as its author would log it."""
    return {
        "minutes": rng.choice(MINUTES),
        "mode": rng.choices(list(SessionMode), weights=[60, 25, 15])[0],
        "topics": ", ".join(rng.sample(pairing.mentor.expertise, 2)),
        "summary": rng.choice(SUMMARIES),
        "private_notes": rng.choice(PRIVATE_NOTES) if not by_mentee and rng.random() < 0.5 else "",
    }


def _past(
    pairing: Pairing,
    held_on: datetime.date,
    by_mentee: bool,
    details: dict,
    feedback: dict,
    rated: bool,
) -> MentoringSession:
    """A session of the history, as the services would have left it: confirmed by the mentor
    and, when `rated`, with the mentee's feedback given the day after."""
    given = timezone.make_aware(
        datetime.datetime.combine(held_on + datetime.timedelta(days=1), datetime.time(20, 0))
    )
    return MentoringSession(
        pairing=pairing,
        held_on=held_on,
        **details,
        logged_by=LoggedBy.MENTEE if by_mentee else LoggedBy.MENTOR,
        mentor_confirmed=True,
        attended=feedback["attended"] if rated else (True if by_mentee else None),
        rating=feedback["rating"] if rated else None,
        feedback=feedback["comment"] if rated else "",
        feedback_at=given if rated else None,
        created_by=pairing.mentee if by_mentee else pairing.mentor.user,
    )


def _figures(cohort: Cohort, first: MentorProfile) -> DemoMentoring:
    active = Pairing.objects.filter(cohort=cohort, status=PairingStatus.ACTIVE)
    to_rate = (
        active.filter(
            mentor=first, sessions__mentor_confirmed=True, sessions__feedback_at__isnull=True
        )
        .select_related("mentee")
        .order_by("pk")
        .first()
    ) or active.select_related("mentee").order_by("pk").first()
    return DemoMentoring(
        mentors=MentorProfile.objects.filter(programme=cohort.programme).count(),
        pairs=active.count(),
        sessions=MentoringSession.objects.filter(pairing__cohort=cohort).count(),
        stalled=selectors.pairing_list_for_programme(
            programme=cohort.programme, cohort=cohort, stalled_only=True
        ).count(),
        participant_email=to_rate.mentee.email if to_rate else "",
    )
