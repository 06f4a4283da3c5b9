"""Django code run against the cluster's database, in a process of its own with the cluster's
environment (DJANGO_SETTINGS_MODULE=tests.multinode.settings): `seed` writes the people and
the programme and prints them as JSON; `release` releases the staged letters (their tasks go to
the broker, for the workers)."""

import json
import sys

import django

PROGRAMME = "multinode"
COHORT = "open"
APPLICANT = "applicant@multinode.example"
STAFF = "staff@multinode.example"
LETTERS_BATCH = "multinode:letters"


def seed(letters: int) -> dict:
    from allauth.mfa.totp.internal.auth import generate_totp_secret
    from allauth.mfa.utils import encrypt
    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from applications.enums import ApplicationStatus
    from notifications import services
    from notifications.registry import get_kind
    from programmes.enums import RoleKind
    from tests.factories import (
        ApplicantProfileFactory,
        ApplicationFactory,
        CohortFactory,
        ProgrammeFactory,
        ProgrammeRoleFactory,
        TotpAuthenticatorFactory,
        UserFactory,
    )
    from tests.factories.accounts import PASSWORD

    programme = ProgrammeFactory(name="Multi-node 2026", slug=PROGRAMME)
    cohort = CohortFactory(programme=programme, name="Open intake", slug=COHORT, capacity=3)
    ApplicantProfileFactory(user__email=APPLICANT, full_name="Siti Abdullah")
    staff = UserFactory(email=STAFF, display_name="Farah Osman")
    ProgrammeRoleFactory(user=staff, programme=programme, role=RoleKind.PROGRAMME_ADMIN)
    secret = generate_totp_secret()
    TotpAuthenticatorFactory(user=staff, data={"secret": encrypt(secret)})
    # Reviewed applications for the selection run (no password: they never sign in).
    for n, score in enumerate((4.8, 4.5, 4.1, 3.7, 3.2)):
        ApplicationFactory(
            cohort=cohort,
            applicant__email=f"reviewed{n}@multinode.example",
            applicant__password=None,
            status=ApplicationStatus.IN_REVIEW,
            raw_score=score,
            normalized_score=score,
            review_count=2,
        )
    # Letters staged now, released by `release` while the test watches the workers.
    people = User.objects.bulk_create(
        [
            User(email=f"letter{n:04d}@multinode.example", password=make_password(None))
            for n in range(letters)
        ]
    )
    kind = get_kind("selection.not_selected")
    staged = services.notify_bulk(
        recipients=people, kind=kind.name, context=kind.example, staged=True, batch=LETTERS_BATCH
    )
    return {
        "programme": PROGRAMME,
        "cohort": COHORT,
        "applicant": APPLICANT,
        "staff": STAFF,
        "password": PASSWORD,
        "totp_secret": secret,
        "letters_batch": LETTERS_BATCH,
        "letters": staged,
    }


def release() -> dict:
    from django.db import transaction

    from notifications import services

    with transaction.atomic():
        released = services.staged_release(batch=LETTERS_BATCH)
    return {"released": released}


def main() -> None:
    django.setup()
    command = sys.argv[1]
    result = seed(int(sys.argv[2])) if command == "seed" else release()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
