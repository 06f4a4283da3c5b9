"""Bearer tokens: one way to make, keep and check a secret, for every kind of token.

A token's secret reads `<marker><prefix>_<random>`: the marker says which kind of token it is
(`clk_` a programme's integration token, `clp_` a person's own token), the prefix finds its row
and the random part, 256 bits, makes it unguessable. Only a SHA-256 hash of the whole secret is
kept, compared in constant time; the secret is shown once, when the token is made. A token can
be revoked, and may expire; it remembers when it was last used (to the minute, so that a busy
client writes at most once a minute).

Each kind of token is a model derived from `HashedToken`, with its own owner and scope
(a programme and its resources; a person and the scopes they chose), and its own service that
calls `token_issue`, `token_find` and `token_revoke` here.
"""

import hashlib
import secrets
from datetime import timedelta
from typing import TypeVar

from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# How often a token in use has its `last_used_at` written.
LAST_USED_EVERY = timedelta(minutes=1)
# No secret we make is longer; anything longer is refused before a query.
MAX_SECRET_LENGTH = 200


class HashedToken(models.Model):
    """The fields every kind of token has. Subclasses set `SECRET_MARKER`."""

    SECRET_MARKER = ""

    name = models.CharField(_("name"), max_length=120)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        """Not revoked and, for a token with an expiry, not expired."""
        if self.revoked_at is not None:
            return False
        expires_at = getattr(self, "expires_at", None)
        return expires_at is None or expires_at > timezone.now()


T = TypeVar("T", bound=HashedToken)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_issue(model: type[T], **fields) -> tuple[T, str]:
    """A new token of `model` with these fields; returns it and its secret, which is never
    stored (only its hash)."""
    prefix = secrets.token_hex(4)
    secret = f"{model.SECRET_MARKER}{prefix}_{secrets.token_urlsafe(32)}"
    token = model.objects.create(prefix=prefix, secret_hash=secret_hash(secret), **fields)
    return token, secret


def secret_prefix(secret: str, marker: str) -> str | None:
    """The prefix a secret of this kind names, or None when it is not one of this kind."""
    if (
        not secret.startswith(marker)
        or len(secret) > MAX_SECRET_LENGTH
        or not secret.isascii()
        or secret.count("_") < 2
    ):
        return None
    return secret[len(marker) :].split("_", 1)[0] or None


def token_find(tokens: QuerySet[T], secret: str) -> T | None:
    """The active token of `tokens` this secret belongs to (compared by hash, in constant time),
    marked as used; None for anything else. One query, and one write a minute at most."""
    prefix = secret_prefix(secret, tokens.model.SECRET_MARKER)
    if prefix is None:
        return None
    now = timezone.now()
    active = Q(revoked_at__isnull=True)
    if any(f.name == "expires_at" for f in tokens.model._meta.get_fields()):
        active &= Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    token = tokens.filter(active, prefix=prefix).first()
    if token is None or not secrets.compare_digest(token.secret_hash, secret_hash(secret)):
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
        type(token).objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def token_revoke(token: HashedToken) -> bool:
    """Revoke the token; True when this call did (a conditional update: revoking twice, or two
    revocations at once, revoke it once)."""
    now = timezone.now()
    done = type(token).objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    if done:
        token.revoked_at = now
    return bool(done)
