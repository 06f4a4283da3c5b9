"""`render_many` renders once per language yet gives each recipient exactly what `render` gives.

Unsubscribe tokens are signed with a timestamp (whole seconds), so the clock is held still
wherever both are compared.
"""

import datetime
from unittest import mock

import pytest
import time_machine
from hypothesis import example, given, settings
from hypothesis import strategies as st

from accounts.models import User
from notifications import rendering, services
from notifications.models import EmailMessage, Notification
from notifications.registry import all_kinds, get_kind
from tests.factories import UserFactory

NOW = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=datetime.UTC)
KINDS = all_kinds()
MANDATORY = [kind for kind in KINDS if kind.is_mandatory]
OPTIONAL = [kind for kind in KINDS if not kind.is_mandatory]
URL = "/programmes/ai-forward-2026/?tab=team&view=all"
UNSUBSCRIBE_PREFIX = "<http://testserver/notifications/unsubscribe/"

# Names as people type them: HTML-special characters, runs of spaces, letters beyond ASCII.
NAMES = [
    "",
    "Tom & Jerry",
    "<script>alert('x')</script>",
    'Ana "the Great" O\'Neil',
    "Anna   Maria    Lee",
    "  Leading and trailing  ",
    "Zoë Ñúñez 陈美玲",
    "&amp; &lt;b&gt;",
    "Émile\tZola\nJr.",
]
EMAILS = [
    "o'brien&co@example.com",
    '"quoted<name>"@example.com',
    "zoë@exämple.com",
    "plain@example.com",
]
name_text = st.text(
    alphabet=st.sampled_from(list("aZé中ß &<>\"'\t\n;#/")) | st.characters(codec="utf-8"),
    max_size=40,
)


def person(pk: int, display_name: str, email: str = "", language: str = "en") -> User:
    """An unsaved user with a primary key: all `render` reads (pk for the token)."""
    return UserFactory.build(
        pk=pk,
        display_name=display_name,
        email=email or f"person{pk}@example.com",
        language=language,
    )


def assert_render_many_equals_render(kind, recipients, url: str = "") -> None:
    with time_machine.travel(NOW, tick=False):
        many = list(
            rendering.render_many(kind=kind, recipients=recipients, context=kind.example, url=url)
        )
        single = [
            rendering.render(kind=kind, recipient=r, context=kind.example, url=url)
            for r in recipients
        ]
    assert [recipient for recipient, _ in many] == recipients
    assert [rendered for _, rendered in many] == single


def counting_renders():
    """Count the template renderings while still rendering them."""
    return mock.patch.object(rendering, "render_to_string", wraps=rendering.render_to_string)


def unsubscribe_token(rendered: rendering.Rendered) -> str:
    header = rendered.headers["List-Unsubscribe"]
    assert header.startswith(UNSUBSCRIBE_PREFIX)
    return header.removeprefix(UNSUBSCRIBE_PREFIX).removesuffix("/>")


def test_registry_has_mandatory_and_optional_kinds():
    assert MANDATORY
    assert OPTIONAL


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
@settings(max_examples=30, deadline=None)
@given(names=st.lists(name_text, min_size=1, max_size=4))
@example(names=NAMES)
@example(names=[NAMES[1], NAMES[1]])  # the same name twice: only the token tells them apart
def test_render_many_equals_render_for_any_display_name(kind, names):
    recipients = [
        person(pk, name, EMAILS[pk % len(EMAILS)]) for pk, name in enumerate(names, start=1)
    ]

    assert_render_many_equals_render(kind, recipients, url=URL)


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
def test_render_many_equals_render_for_special_emails_without_a_name(kind):
    recipients = [person(pk, "", email) for pk, email in enumerate(EMAILS, start=1)]

    assert_render_many_equals_render(kind, recipients)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
def test_render_many_equals_render_for_saved_users(kind):
    recipients = [
        UserFactory(display_name=name, email=f"saved{number}@example.com")
        for number, name in enumerate(NAMES)
    ]

    assert_render_many_equals_render(kind, recipients, url=URL)


def test_render_many_escapes_the_recipient_in_html_only():
    kind = get_kind("programme.role_granted")
    recipient = person(7, "<b>Tom</b> & co", "o'brien&co@example.com")

    [(_, rendered)] = rendering.render_many(kind=kind, recipients=[recipient], context=kind.example)

    assert "Hello &lt;b&gt;Tom&lt;/b&gt; &amp; co," in rendered.html
    assert "<b>Tom" not in rendered.html
    assert "This email was sent to o&#x27;brien&amp;co@example.com." in rendered.html
    # Plain-text parts are not HTML: they carry the name as it is.
    assert "Hello <b>Tom</b> & co," in rendered.text
    assert "This email was sent to o'brien&co@example.com." in rendered.text


def test_text_parts_are_not_html_escaped():
    kind = get_kind("programme.announcement")
    context = {**kind.example, "subject": "Q&A on Monday", "message": "Bring <laptops> & chargers"}
    rendered = rendering.render(kind=kind, recipient=person(5, "Ana"), context=context)
    assert "Q&A on Monday" in rendered.subject
    assert "Bring <laptops> & chargers" in rendered.text
    assert "Q&amp;A on Monday" in rendered.html and "&lt;laptops&gt;" in rendered.html
    assert "&amp;" not in rendered.inapp


@pytest.mark.parametrize("kind", OPTIONAL, ids=lambda kind: kind.name)
def test_render_many_gives_each_recipient_of_an_optional_kind_their_own_token(kind):
    recipients = [person(pk, "Same Name") for pk in (11, 12, 13)]

    with time_machine.travel(NOW, tick=False):
        rendered = [
            r
            for _, r in rendering.render_many(
                kind=kind, recipients=recipients, context=kind.example
            )
        ]

    tokens = [unsubscribe_token(r) for r in rendered]
    assert len(set(tokens)) == 3
    assert [rendering.read_unsubscribe_token(t) for t in tokens] == [
        (11, kind.name),
        (12, kind.name),
        (13, kind.name),
    ]
    for r, token in zip(rendered, tokens, strict=True):
        assert r.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert f"http://testserver/notifications/unsubscribe/{token}/" in r.text
        assert f'href="http://testserver/notifications/unsubscribe/{token}/"' in r.html
        assert "Zq7" not in r.text + r.html + r.subject + r.inapp  # no stand-in left


@pytest.mark.parametrize("kind", MANDATORY, ids=lambda kind: kind.name)
def test_render_many_leaves_mandatory_kinds_without_unsubscribe(kind):
    recipients = [person(pk, "Maya Tan") for pk in (21, 22)]

    for _, rendered in rendering.render_many(
        kind=kind, recipients=recipients, context=kind.example
    ):
        assert rendered.headers == {}
        assert "/notifications/unsubscribe/" not in rendered.text + rendered.html
        assert "cannot be switched off" in rendered.text


def test_render_many_renders_once_per_language_and_still_equals_render():
    kind = get_kind("programme.role_granted")
    recipients = [
        person(pk, f"Person {pk} & co", language="de" if pk % 2 else "en") for pk in range(1, 11)
    ]

    with counting_renders() as render_to_string:
        rendered = list(
            rendering.render_many(kind=kind, recipients=recipients, context=kind.example)
        )

    assert len(rendered) == 10
    assert render_to_string.call_count == 8  # subject, text, html, in-app: for en, for de
    assert_render_many_equals_render(kind, recipients)


@pytest.mark.django_db
def test_notify_bulk_renders_the_templates_once_per_language():
    kind = get_kind("programme.role_granted")
    people = UserFactory.create_batch(50, display_name="Tom & Jerry   Smith")

    with counting_renders() as render_to_string, time_machine.travel(NOW, tick=False):
        written = services.notify_bulk(
            recipients=people, kind=kind.name, context=kind.example, url=URL, staged=True
        )

    assert written == 50
    assert render_to_string.call_count == 4  # subject, text, html, in-app: once for all 50
    # What was stored for each person is what `notify` would have rendered for them.
    emails = {e.recipient_id: e for e in EmailMessage.objects.filter(kind=kind.name)}
    texts = dict(Notification.objects.filter(kind=kind.name).values_list("recipient_id", "text"))
    with time_machine.travel(NOW, tick=False):
        for user in people:
            expected = rendering.render(kind=kind, recipient=user, context=kind.example, url=URL)
            email = emails[user.pk]
            assert (email.subject, email.body_text, email.body_html, email.headers) == (
                expected.subject,
                expected.text,
                expected.html,
                expected.headers,
            )
            assert texts[user.pk] == expected.inapp


def test_render_many_keeps_a_display_name_that_looks_like_a_stand_in():
    # Someone whose name is typed as another field's stand-in gets their name, not the email.
    kind = get_kind("application.submitted")
    recipients = [person(1, rendering._EMAIL, "real@example.com")]
    assert_render_many_equals_render(kind, recipients)
