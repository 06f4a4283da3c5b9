"""Render a kind's templates for one recipient, in their language."""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .registry import Kind

UNSUBSCRIBE_SALT = "notifications.unsubscribe"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    inapp: str
    headers: dict[str, str]


def absolute_url(path: str) -> str:
    if not path or path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL}{path}"


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    return signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """Return (user id, kind); raise signing.BadSignature when the token was tampered with."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    return int(data["u"]), str(data["k"])


def render(*, kind: Kind, recipient, context: dict, url: str = "") -> Rendered:
    headers: dict[str, str] = {}
    full = {
        **context,
        "recipient": recipient,
        "site_url": settings.SITE_URL,
        "link": absolute_url(url),
        "kind": kind,
        "unsubscribe_url": "",
    }
    if not kind.is_mandatory:
        token = unsubscribe_token(user_id=recipient.pk, kind=kind.name)
        unsubscribe_url = absolute_url(reverse("notifications:unsubscribe", args=[token]))
        full["unsubscribe_url"] = unsubscribe_url
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    with translation.override(getattr(recipient, "language", None) or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"{kind.template_dir}/subject.txt", full).split())
        text = render_to_string(f"{kind.template_dir}/body.txt", full).strip() + "\n"
        html = render_to_string(f"{kind.template_dir}/body.html", {**full, "subject": subject})
        inapp = " ".join(render_to_string(f"{kind.template_dir}/inapp.txt", full).split())
    return Rendered(subject=subject[:300], text=text, html=html, inapp=inapp[:300], headers=headers)
