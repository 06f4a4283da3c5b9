"""No CDN, no inline script or style, vendored libraries with licences, a strict CSP."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
# Email templates are excluded: mail clients need inline styles, and they are never served as
# pages (the outbox shows them in a sandboxed frame).
TEMPLATES = [
    p
    for p in (ROOT / "templates").rglob("*.html")
    # Our emails, and allauth's (templates/account/email/, templates/mfa/email/).
    if "emails" not in p.parts and p.parent.name != "email"
]


def test_vendored_libraries_have_licences():
    vendor = ROOT / "static" / "vendor"
    for folder, files in {
        "bootstrap": ["bootstrap.min.css", "bootstrap.bundle.min.js", "LICENSE"],
        "htmx": ["htmx.min.js", "LICENSE"],
        "chartjs": ["chart.umd.min.js", "LICENSE.md"],
    }.items():
        for name in files:
            assert (vendor / folder / name).is_file(), f"{folder}/{name}"
    readme = (vendor / "README.md").read_text()
    assert "5.3.9" in readme and "2.0.11" in readme and "4.6.1" in readme


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_use_no_cdn_inline_script_or_style(template):
    text = template.read_text()
    assert not re.search(r"https?://(cdn|unpkg|cdnjs|ajax\.googleapis|fonts\.googleapis)", text)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "inline <script>"
    assert " style=" not in text, "inline style attribute"
    assert " on" + "click=" not in text


@pytest.mark.django_db
def test_pages_send_a_strict_content_security_policy(client):
    response = client.get(reverse("landing"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
)
def test_public_pages_have_one_h1_and_a_title(client, url):
    body = client.get(url).content.decode()
    assert body.count("<h1") == 1
    assert re.search(r"<title>[^<]+ · Cohortline</title>", body)
