import pytest
from django.urls import reverse

from notifications import rendering, services
from notifications.models import Notification, NotificationPreference
from tests.auth import sign_in_confirmed
from tests.factories import UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db

ROLE = "programme.role_granted"


def _notify(user, text_role="Reviewer", url="/dashboard/"):
    return services.notify(
        recipient=user,
        kind=ROLE,
        context={
            "programme_name": "AI Forward 2026",
            "role_label": text_role,
            "granted_by": "Farah",
        },
        url=url,
    ).notification


def test_bell_shows_unread_count(client, applicant):
    for _ in range(3):
        _notify(applicant)
    client.force_login(applicant)
    body = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="bell-count">3</span>' in body
    assert "3 unread notifications" in body


def test_list_shows_only_own_notifications(client, applicant, outsider):
    _notify(applicant, text_role="Mentor")
    _notify(outsider, text_role="Secret role")
    client.force_login(applicant)
    body = client.get(reverse("notifications:list")).content.decode()
    assert "You are now Mentor in AI Forward 2026." in body
    assert "Secret role" not in body


def test_list_empty_says_what_happens(client, applicant):
    client.force_login(applicant)
    assert "No notifications yet" in client.get(reverse("notifications:list")).content.decode()


def test_list_pages_link_to_older_and_newer(client, applicant, monkeypatch):
    monkeypatch.setattr("notifications.views.PAGE_SIZE", 2)
    for role in ("First", "Second", "Third"):
        _notify(applicant, text_role=role)
    client.force_login(applicant)

    first = client.get(reverse("notifications:list")).content.decode()
    second = client.get(reverse("notifications:list"), {"page": 2}).content.decode()

    assert '<a class="page-link" href="?page=2" rel="next">Older</a>' in first
    assert '<a class="page-link" href="?page=1" rel="prev">Newer</a>' in second
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert "You are now Third" in first and "You are now First" not in first
    assert "You are now First" in second and "You are now Third" not in second


def test_mark_all_read_with_htmx_keeps_the_page_links(client, applicant, monkeypatch):
    monkeypatch.setattr("notifications.views.PAGE_SIZE", 2)
    for _ in range(3):
        _notify(applicant)
    client.force_login(applicant)
    body = client.post(
        reverse("notifications:mark_all_read"), {"page": 2}, headers={"HX-Request": "true"}
    ).content.decode()
    assert '<a class="page-link" href="?page=1" rel="prev">Newer</a>' in body
    assert "Page 2 of 2" in body


@pytest.mark.parametrize("count", [1, 3])
def test_list_query_count(client, applicant, django_assert_num_queries, count):
    for _ in range(count):
        _notify(applicant)
    client.force_login(applicant)
    # session, user, roles, count (paginator), page, navigation and bell
    with django_assert_num_queries(6):
        client.get(reverse("notifications:list"))


def test_mark_read_with_htmx_returns_item_and_bell(client, applicant):
    first, _second = _notify(applicant), _notify(applicant)
    client.force_login(applicant)
    response = client.post(
        reverse("notifications:mark_read", args=[first.pk]), HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="notification-{first.pk}"' in body
    assert "Mark read" not in body
    assert 'hx-swap-oob="true"' in body
    assert 'data-testid="bell-count">1</span>' in body
    first.refresh_from_db()
    assert first.is_read


def test_mark_read_without_htmx_redirects(client, applicant):
    notification = _notify(applicant)
    client.force_login(applicant)
    response = client.post(reverse("notifications:mark_read", args=[notification.pk]))
    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.is_read


def test_mark_read_of_someone_elses_is_404(client, applicant, outsider):
    theirs = _notify(outsider)
    client.force_login(applicant)
    assert client.post(reverse("notifications:mark_read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_mark_read_requires_post(client, applicant):
    notification = _notify(applicant)
    client.force_login(applicant)
    assert client.get(reverse("notifications:mark_read", args=[notification.pk])).status_code == 405


def test_mark_all_read_with_htmx_clears_bell(client, applicant, outsider):
    for _ in range(3):
        _notify(applicant)
    theirs = _notify(outsider)
    client.force_login(applicant)
    response = client.post(reverse("notifications:mark_all_read"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'id="notification-items"' in body
    assert "bell-count" not in body
    assert "No unread notifications" in body
    assert Notification.objects.unread().filter(recipient=applicant).count() == 0
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_open_post_marks_read_and_follows_link(client, applicant):
    notification = _notify(applicant, url="/programmes/ai-forward-2026/")
    client.force_login(applicant)
    response = client.post(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/programmes/ai-forward-2026/"
    notification.refresh_from_db()
    assert notification.is_read


def test_open_get_follows_link_without_marking_read(client, applicant):
    notification = _notify(applicant, url="/programmes/ai-forward-2026/")
    client.force_login(applicant)
    response = client.get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/programmes/ai-forward-2026/"
    notification.refresh_from_db()
    assert not notification.is_read


def test_open_post_needs_csrf_token(applicant):
    from django.test import Client

    notification = _notify(applicant)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(applicant)
    response = strict.post(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 403
    notification.refresh_from_db()
    assert not notification.is_read


def test_open_of_someone_elses_is_404(client, applicant, outsider):
    theirs = _notify(outsider)
    client.force_login(applicant)
    assert client.post(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_list_opens_notifications_with_a_post_form(client, applicant):
    notification = _notify(applicant, text_role="Mentor")
    client.force_login(applicant)
    body = client.get(reverse("notifications:list")).content.decode()
    open_url = reverse("notifications:open", args=[notification.pk])
    assert f'<form method="post" action="{open_url}" class="d-inline">' in body
    assert f'href="{open_url}"' not in body
    assert (
        '<button type="submit" class="btn btn-link p-0 border-0 align-baseline text-start '
        'notification-open">You are now Mentor in AI Forward 2026.</button>'
    ) in body


def test_open_never_redirects_off_site(client, applicant):
    notification = _notify(applicant, url="https://evil.example.com/")
    client.force_login(applicant)
    response = client.post(reverse("notifications:open", args=[notification.pk]))
    assert response["Location"] == reverse("notifications:list")


def test_notification_pages_require_login(client, db):
    for url in (reverse("notifications:list"), reverse("notifications:preferences")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_preferences_save_optional_and_ignore_mandatory(client, applicant):
    client.force_login(applicant)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "Always on" in page
    response = client.post(
        reverse("notifications:preferences"),
        # Email for role changes off; an attempt to switch security off is ignored.
        {
            "inapp:programme.role_granted": "on",
            "email:programme.announcement": "on",
            "inapp:programme.announcement": "on",
        },
    )
    assert response.status_code == 302
    prefs = {
        p.kind: (p.is_email_enabled, p.is_in_app_enabled)
        for p in NotificationPreference.objects.filter(user=applicant)
    }
    assert prefs == {
        "programme.role_granted": (False, True),
        "programme.announcement": (True, True),
        "application.submitted": (False, False),
        "application.deadline_reminder": (False, False),
        "application.withdrawn": (False, False),
        "application.dispute_resolved": (False, False),
        "review.assigned": (False, False),
        "review.reminder": (False, False),
        "compute.threshold": (False, False),
        "compute.topup_decided": (False, False),
        "mentoring.introduced": (False, False),
        "mentoring.session_logged": (False, False),
        "mentoring.nudge": (False, False),
        "mentoring.stalled": (False, False),
        "mentoring.ended": (False, False),
        "courses.session_reminder": (False, False),
        "courses.session_changed": (False, False),
        "courses.message": (False, False),
        "certificates.issued": (False, False),
        "certificates.revoked": (False, False),
    }


def _token(user, kind=ROLE):
    return rendering.unsubscribe_token(user_id=user.pk, kind=kind)


def test_unsubscribe_link_needs_no_login_and_asks_first(client, applicant):
    url = reverse("notifications:unsubscribe", args=[_token(applicant)])
    page = client.get(url)
    assert page.status_code == 200
    assert "Stop emails about “Programme roles” to applicant@example.com?" in page.content.decode()
    assert not NotificationPreference.objects.exists()

    done = client.post(url)
    assert "You are unsubscribed" in done.content.decode()
    assert NotificationPreference.objects.get(user=applicant, kind=ROLE).is_email_enabled is False


def test_unsubscribe_one_click_post_without_csrf(applicant):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        reverse("notifications:unsubscribe", args=[_token(applicant)]),
        {"List-Unsubscribe": "One-Click"},
    )
    assert response.status_code == 200
    assert NotificationPreference.objects.get(user=applicant).is_email_enabled is False


@pytest.mark.parametrize("mangle", ["tamper", "mandatory", "garbage"])
def test_unsubscribe_bad_token_is_400(client, applicant, mangle):
    token = {
        "tamper": _token(applicant)[:-3] + "abc",
        "mandatory": _token(applicant, kind="account.security"),
        "garbage": "not-a-token",
    }[mangle]
    response = client.post(reverse("notifications:unsubscribe", args=[token]))
    assert response.status_code == 400
    assert "This unsubscribe link is not valid" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_password_change_sends_mandatory_security_notice(
    client, applicant, django_capture_on_commit_callbacks
):
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_change_password"),
            {
                "oldpassword": PASSWORD,
                "password1": "new-lantern-orchid-9",
                "password2": "new-lantern-orchid-9",
            },
        )
    assert response.status_code == 302
    notification = Notification.objects.get(recipient=applicant, kind="account.security")
    assert notification.text == "Your password was changed"
    email = applicant.emails.get(kind="account.security")
    assert "The password of your account was changed." in email.body_text
    assert email.headers == {}


def test_role_grant_notifies_the_person(client, programme, programme_admin):
    newcomer = UserFactory(email="newcomer@example.com")
    sign_in_confirmed(client, programme_admin)
    client.post(
        reverse("programmes:programme_team", args=[programme.slug]),
        {"email": "newcomer@example.com", "role": "mentor"},
    )
    notification = Notification.objects.get(recipient=newcomer)
    assert notification.text == "You are now Mentor in AI Forward 2026."
    assert notification.url == programme.get_absolute_url()
    email = newcomer.emails.get()
    assert email.scope == programme.notification_scope == f"programme:{programme.pk}"
    assert "Farah Osman added you to the team of AI Forward 2026 as Mentor." in email.body_text
