"""Create a new signing key (a key rotation): it signs from now on; older keys stay published."""

from django.core.management.base import BaseCommand

from certificates import keys


class Command(BaseCommand):
    help = (
        "Create a new Ed25519 key for signing certificates in COHORTLINE_SIGNING_KEYS_DIR. "
        "The newest key signs; every key stays in the DID document so old certificates verify."
    )

    def handle(self, *args, **options) -> None:
        key_id = keys.signing_key_create()
        self.stdout.write(f"Created signing key {key_id} in {keys.keys_dir()}")
        self.stdout.write(f"Keys published: {', '.join(keys.key_ids())}")
