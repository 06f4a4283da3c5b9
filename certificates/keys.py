"""The Ed25519 keys that sign credentials: files in COHORTLINE_SIGNING_KEYS_DIR, never the
database. One unencrypted PKCS#8 PEM per key, named `<key-id>.pem`; key ids sort by creation
time, the newest signs, and every key stays published in the DID document so credentials
signed before a rotation keep verifying."""

import logging
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.utils import timezone

from . import ob3

log = logging.getLogger(__name__)


def keys_dir() -> Path:
    return Path(settings.COHORTLINE_SIGNING_KEYS_DIR)


def signing_key_create(*, directory: Path | None = None) -> str:
    """Create a new key (it signs from now on); returns its id. Writes one file (mode 0600)."""
    directory = directory or keys_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    key_id = f"key-{timezone.now():%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
    ob3.generate_key_file(directory / f"{key_id}.pem")
    return key_id


def key_ids(*, directory: Path | None = None) -> list[str]:
    """Every key's id, oldest first."""
    directory = directory or keys_dir()
    if not directory.is_dir():
        return []
    return sorted(path.stem for path in directory.glob("key-*.pem"))


def private_key(key_id: str, *, directory: Path | None = None) -> Ed25519PrivateKey:
    return ob3.load_key_file((directory or keys_dir()) / f"{key_id}.pem")


class NoSigningKey(Exception):
    """No key in COHORTLINE_SIGNING_KEYS_DIR: `manage.py certificates_keygen` creates one."""


def current_key() -> tuple[str, Ed25519PrivateKey]:
    """The newest key. Raises NoSigningKey when the folder has none: keys are created only on
    purpose (`certificates_keygen`, the demo), never by a request, so a mistyped folder cannot
    silently start a new key that old certificates do not verify against."""
    ids = key_ids()
    if not ids:
        raise NoSigningKey(
            f"No signing key in {keys_dir()}: run `manage.py certificates_keygen` first."
        )
    return ids[-1], private_key(ids[-1])


def public_keys() -> list[tuple[str, Ed25519PublicKey]]:
    """(id, public key) of every key, oldest first; none when there is no key, or when the
    folder cannot be read (logged: the DID document then lists no key, and signatures show as
    not checked rather than as a server error)."""
    try:
        return [(key_id, private_key(key_id).public_key()) for key_id in key_ids()]
    except (OSError, ValueError):
        log.exception("certificates: the signing keys in %s cannot be read", keys_dir())
        return []
