"""Demo programme: its partners, its team and a staged announcement. Called by `seed_demo`; safe to run again (it updates in place)."""

from accounts import demo as accounts_demo
from accounts.models import User
from notifications.models import EmailMessage
from programmes import services as programme_services
from programmes.enums import PartnerKind, RoleKind
from programmes.models import Partner, Programme, ProgrammeRole

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


def programme() -> Programme:
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


def announcement(programme: Programme, sender: User) -> None:
    """A staged message to the reviewers, waiting in the outbox to be read and released."""
    subject = "Review kick-off: scoring opens on 1 December"
    if EmailMessage.objects.filter(
        scope=programme.notification_scope, subject__endswith=subject
    ).exists():
        return
    programme_services.programme_announcement_stage(
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


def team(
    programme: Programme, admin: User, password_hash: str
) -> tuple[User, list[tuple[str, str]]]:
    """The programme's team (its first member is the programme admin), granted through the
    service so each gets the usual notification; returns that admin and the team's logins."""
    logins = []
    programme_admin = None
    for local, name, role in STAFF_PEOPLE:
        user = accounts_demo.user(local, name, password_hash)
        if not ProgrammeRole.objects.filter(user=user, programme=programme, role=role).exists():
            programme_services.programme_role_grant(
                programme=programme,
                user=user,
                role=role,
                granted_by=programme_admin or admin,
                employer=REVIEWER_EMPLOYERS.get(local, ""),
            )
        programme_admin = programme_admin or user
        logins.append((RoleKind(role).label.lower(), user.email))
    return programme_admin or admin, logins
