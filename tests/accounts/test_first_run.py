"""The first day: the verification email speaks as the product, the link can be sent again,
one message greets a new account, and people are greeted by the name they gave."""

import datetime
import re

import pytest
from django.core import mail
from django.template import Context, Template
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from notifications.models import EmailMessage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "violet-harbour-engine-42"
LONG_EMAIL = "hui.min.chua.of.the.very.long.department.name@operations.example.com"


def _signup(client, email=LONG_EMAIL):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            reverse("account_signup"),
            {"email": email, "password1": PASSWORD, "password2": PASSWORD},
        )


def test_verification_email_speaks_as_the_product(client, settings):
    settings.SITE_NAME = "Cohortline"
    _signup(client, email="maya@example.com")

    [message] = mail.outbox
    assert message.subject == "Confirm your email address"
    assert message.body.startswith("Hello,\n\nThank you for signing up to Cohortline.")
    assert "Hello from" not in message.body and "Thank you for using" not in message.body
    # Not a change to warn about, and the button says what it does.
    assert "reset your password at once" not in message.body
    html = message.alternatives[0][0]
    assert ">Confirm your email address</a>" in html
    assert EmailMessage.objects.get().kind == "account.security"


def test_password_reset_email_is_sentence_case_with_the_layout(client):
    user = UserFactory(email="reset.me@example.com", display_name="Hui Min Chua")
    user.emailaddress_set.update_or_create(
        email=user.email, defaults={"verified": True, "primary": True}
    )

    client.post(reverse("account_reset_password"), {"email": user.email})

    [message] = mail.outbox
    assert message.subject == "Reset your password"
    assert message.body.startswith("Hello Hui Min Chua,\n\nSomeone asked to reset the password")
    assert "This email was sent to reset.me@example.com." in message.body
    html = message.alternatives[0][0]
    assert "&#9670; Cohortline" in html and ">Reset your password</a>" in html


def test_verify_page_offers_to_send_the_link_again(client):
    _signup(client)
    page = client.get(reverse("account_email_verification_sent"))
    body = page.content.decode()
    assert '<h1 class="h3 mb-3">Confirm your email address</h1>' in body
    assert reverse("accounts:verification_resend") in body
    assert "Send the link again" in body


def test_resend_sends_a_new_link_once_the_rate_limit_allows(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "confirm_email": False}
    _signup(client)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("accounts:verification_resend"))

    assert response["Location"] == reverse("account_email_verification_sent")
    assert [m.to for m in mail.outbox] == [[LONG_EMAIL], [LONG_EMAIL]]
    assert "/accounts/confirm-email/" in mail.outbox[1].body


def test_resend_answers_the_same_when_nothing_waits(client):
    response = client.post(reverse("accounts:verification_resend"), follow=True)
    assert mail.outbox == []
    assert [str(m) for m in response.context["messages"]] == [
        "If your address still needs confirming, a new link is on its way. Links go out at "
        "most once every three minutes."
    ]
    assert client.get(reverse("accounts:verification_resend")).status_code == 405


def test_first_sign_in_shows_one_message(client):
    _signup(client)
    page = client.get(reverse("account_email_verification_sent")).content.decode()
    assert 'class="alert' not in page  # the page itself says the link is sent
    link = re.search(r"http://testserver(/accounts/confirm-email/[^\s]+/)", mail.outbox[0].body)
    response = client.post(link.group(1), follow=True)

    assert response.request["PATH_INFO"] == reverse("accounts:profile")
    shown = re.findall(
        r'<div class="alert [^"]*"[^>]*>\s*(.*?)\s*<button', response.content.decode()
    )
    assert shown == ["Welcome! Tell us about yourself so you can apply to a cohort."]
    # No settings menu before the form on first sign-in.
    assert 'aria-label="Account settings"' not in response.content.decode()


def test_account_pages_use_sentence_case(client):
    user = UserFactory()
    client.force_login(user)
    body = client.get(reverse("account_email")).content.decode()
    assert "Email addresses" in body and "Email Addresses" not in body
    body = client.get(reverse("account_change_password")).content.decode()
    assert "Change password" in body and "Change Password" not in body
    client.logout()
    body = client.get(reverse("account_login")).content.decode()
    assert "Sign In" not in body and "Sign in" in body


def test_confirm_page_says_it_plainly(client):
    _signup(client, email="maya@example.com")
    link = re.search(r"http://testserver(/accounts/confirm-email/[^\s]+/)", mail.outbox[0].body)
    body = client.get(link.group(1)).content.decode()
    assert "is an email address for user" not in body
    assert 'Is <strong class="text-break">maya@example.com</strong> your email address?' in body


@pytest.mark.parametrize(
    ("display_name", "greeting"),
    [("Hui Min Chua", "Hui Min Chua"), ("Maya", "Maya"), ("", "no.name@example.com")],
)
def test_user_is_greeted_by_the_name_they_gave(display_name, greeting):
    user = User(email="no.name@example.com", display_name=display_name)
    assert user.get_short_name() == greeting


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "just now"),
        (59, "just now"),
        (60, "1\xa0minute ago"),
        (3 * 3600 + 300, "3\xa0hours ago"),
    ],
)
def test_notification_time_says_just_now_under_a_minute(seconds, text):
    when = timezone.now() - datetime.timedelta(seconds=seconds)
    rendered = Template("{% load notification_tags %}{{ when|ago }}").render(
        Context({"when": when})
    )
    assert rendered == text
