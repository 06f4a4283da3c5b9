import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from accounts.models import User
from core.models import AuditEntry
from notifications.models import EmailMessage, Notification
from tests.auth import sign_in_confirmed
from tests.factories import UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "violet-harbour-engine-42"


def _signup(client, email="new.person@example.com", password=GOOD_PASSWORD, password2=None):
    # Sign-up emails leave through the outbox once the request's writes commit.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            reverse("account_signup"),
            {"email": email, "password1": password, "password2": password2 or password},
        )


def _confirmation_link(message) -> str:
    match = re.search(r"http://testserver(/accounts/confirm-email/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_signup_sends_verification_and_does_not_log_in(client):
    response = _signup(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="new.person@example.com")
    assert EmailAddress.objects.get(user=user).verified is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.com"]
    assert "/accounts/confirm-email/" in mail.outbox[0].body
    assert "_auth_user_id" not in client.session


def test_signup_verify_then_profile_then_dashboard(client):
    _signup(client)
    link = _confirmation_link(mail.outbox[0])

    page = client.get(link)
    assert page.status_code == 200
    assert b"Confirm" in page.content
    response = client.post(link, follow=True)

    assert EmailAddress.objects.get(email="new.person@example.com").verified is True
    # Logged in on confirmation, then sent to complete the profile.
    assert response.redirect_chain[-1][0] == reverse("accounts:profile")
    assert "Tell us about yourself" in response.content.decode()


def test_login_before_verification_is_refused(client):
    _signup(client)
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "new.person@example.com", "password": GOOD_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_login_with_verified_email(client):
    user = UserFactory(email="verified@example.com")
    response = client.post(
        reverse("account_login"), {"login": "verified@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_signup_with_used_email_reveals_nothing_and_warns_the_owner(client):
    owner = UserFactory(email="taken@example.com")
    response = _signup(client, email="Taken@Example.com")

    # Same answer as a fresh sign-up: nobody learns the address is registered...
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1
    assert User.objects.get(email__iexact="taken@example.com") == owner
    # ...and the owner is told, by email, that they already have an account.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["taken@example.com"]
    assert "already" in mail.outbox[0].body.lower()


@pytest.fixture
def hashed(monkeypatch):
    """Every password the (test) hasher hashes, in order."""
    passwords = []
    encode = MD5PasswordHasher.encode

    def spy(self, password, salt):
        passwords.append(password)
        return encode(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", spy)
    return passwords


@pytest.mark.parametrize("registered", [False, True], ids=["new", "registered"])
def test_signup_does_the_same_work_for_new_and_registered_addresses(client, hashed, registered):
    """Timing must not tell whether an address has an account: both answers hash the password
    once and queue one outbox email, and neither sends mail while the person waits."""
    if registered:
        UserFactory(email="someone@example.com")
        hashed.clear()
    EmailMessage.objects.all().delete()

    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        response = client.post(
            reverse("account_signup"),
            {
                "email": "someone@example.com",
                "password1": GOOD_PASSWORD,
                "password2": GOOD_PASSWORD,
            },
        )
        assert mail.outbox == []

    assert response["Location"] == reverse("account_email_verification_sent")
    assert hashed == [GOOD_PASSWORD]
    queued = EmailMessage.objects.get()
    assert (queued.kind, queued.to_email, queued.status) == (
        "account.security",
        "someone@example.com",
        "pending",
    )
    assert len(callbacks) == 1  # the outbox send, enqueued once the writes commit
    expected = "/accounts/password/reset/" if registered else "/accounts/confirm-email/"
    assert expected in queued.body_text
    # Both record the attempt in the audit trail, about the address's account.
    owner = User.objects.get(email="someone@example.com")
    action = "account.signup_existing_email" if registered else "account.signup"
    entry = AuditEntry.objects.get(action__startswith="account.signup")
    assert (entry.action, entry.target_id) == (action, str(owner.pk))
    assert entry.actor == (None if registered else owner)


def test_signup_verification_link_in_the_outbox_email_works(client):
    _signup(client)
    message = mail.outbox[0]
    assert message.subject == "Confirm your email address"
    assert Notification.objects.get(recipient__email="new.person@example.com").kind == (
        "account.security"
    )

    response = client.post(_confirmation_link(message))
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="new.person@example.com").verified is True


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1", "at least 10 characters"),
        ("password123", "too common"),
        ("12345678901234", "entirely numeric"),
    ],
)
def test_signup_rejects_weak_password_and_keeps_email(client, password, message):
    response = _signup(client, email="keep.me@example.com", password=password)

    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert 'value="keep.me@example.com"' in body
    assert not User.objects.filter(email="keep.me@example.com").exists()


def test_signup_rejects_mismatched_passwords(client):
    response = _signup(client, password=GOOD_PASSWORD, password2=GOOD_PASSWORD + "x")
    assert response.status_code == 200
    assert "same password each time" in response.content.decode()


def test_signup_rejects_invalid_email(client):
    response = _signup(client, email="not-an-email")
    assert response.status_code == 200
    assert "Enter a valid email address" in response.content.decode()


def test_logout_requires_post(client):
    user = UserFactory()
    client.force_login(user)

    page = client.get(reverse("account_logout"))
    assert page.status_code == 200
    assert int(client.session["_auth_user_id"]) == user.pk

    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


def test_password_reset_answers_the_same_for_unknown_email(client):
    UserFactory(email="known@example.com")
    known = client.post(reverse("account_reset_password"), {"email": "known@example.com"})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == ["known@example.com", "nobody@example.com"]
    assert "/accounts/password/reset/key/" in next(
        m.body for m in mail.outbox if m.to == ["known@example.com"]
    )
    assert "/accounts/password/reset/key/" not in next(
        m.body for m in mail.outbox if m.to == ["nobody@example.com"]
    )


def test_failed_logins_are_rate_limited(client):
    UserFactory(email="target@example.com")
    url = reverse("account_login")
    for _ in range(5):
        client.post(url, {"login": "target@example.com", "password": "wrong-password"})

    # Even the right password is refused once the limit is reached.
    response = client.post(url, {"login": "target@example.com", "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_change_email_adds_an_unverified_address(client):
    user = UserFactory(email="first@example.com")
    sign_in_confirmed(client, user)
    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "second@example.com"}
    )
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="second@example.com").verified is False
    assert mail.outbox[-1].to == ["second@example.com"]


def test_account_pages_use_our_layout(client):
    response = client.get(reverse("account_login"))
    body = response.content.decode()
    assert "vendor/bootstrap/bootstrap.min.css" in body
    assert 'class="textinput form-control"' in body
    assert body.count("<h1") == 1


# --- the empty form is rendered once per process and language ----------------------------------


def _form(body: str) -> str:
    return body[body.index("<form") : body.index("</form>")]


def test_signup_page_serves_the_empty_form_from_the_code_cache(client):
    from django.core.cache import caches

    caches["code"].clear()
    first = client.get(reverse("account_signup")).content.decode()
    assert 'name="email"' in first and 'name="password1"' in first
    cached = client.get(reverse("account_signup")).content.decode()
    csrf = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert csrf.sub("", _form(cached)) == csrf.sub("", _form(first))
    # Each response still carries its own CSRF token, outside the cached fields.
    assert csrf.search(_form(cached))


def test_signup_with_errors_is_never_served_from_the_cache(client):
    client.get(reverse("account_signup"))  # the empty form is now cached
    response = client.post(
        reverse("account_signup"),
        {"email": "typed.by.hand@example.com", "password1": "short", "password2": "other"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="typed.by.hand@example.com"' in body
    assert "invalid-feedback" in body
    # and the next visitor still gets an empty form
    fresh = client.get(reverse("account_signup")).content.decode()
    assert "typed.by.hand@example.com" not in fresh
    assert "invalid-feedback" not in fresh
