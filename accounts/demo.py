"""Demo people: verified accounts and complete applicant profiles. Called by `seed_demo`; safe to run again (it updates in place)."""

import datetime
import random

from allauth.account.models import EmailAddress

from accounts.enums import Education, EmployerSize, Gender, JobLevel, Residency, Sector
from accounts.models import ApplicantProfile, User

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


def user(local: str, name: str, password_hash: str, *, superuser: bool = False) -> User:
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


def applicants(rng: random.Random, count: int, password_hash: str) -> list[User]:
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
                "date_of_birth": datetime.date(2026 - age, rng.randint(1, 12), rng.randint(1, 28)),
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


def api_token(owner: User) -> tuple[str, str]:
    """A read token of `owner`'s, for trying the API from a script (its secret is shown once:
    each run makes a new one), and a request that uses it."""
    from django.conf import settings
    from django.utils import timezone

    from accounts import services
    from accounts.enums import TokenScope
    from accounts.models import PersonalToken

    name = "Demo: read the API from a script"
    # The secret of an earlier run's token was shown once and is gone: revoke that token.
    for earlier in PersonalToken.objects.filter(user=owner, name=name, revoked_at__isnull=True):
        services.personal_token_revoke(token=earlier, actor=owner)
    _token, secret = services.personal_token_create(
        user=owner,
        name=name,
        scopes=[TokenScope.READ],
        expires_at=timezone.now() + datetime.timedelta(days=30),
    )
    curl = f"curl -sS {settings.SITE_URL}/api/v1/programmes -H 'Authorization: Bearer {secret}'"
    return secret, curl
