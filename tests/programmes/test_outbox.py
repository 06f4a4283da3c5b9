import pytest
from django.core import mail
from django.urls import reverse

from notifications import services as notification_services
from notifications.enums import EmailStatus
from notifications.models import EmailMessage, Notification
from programmes import services as cohort_services
from tests.factories import UserFactory
from tests.notifications.backends import reply

pytestmark = pytest.mark.django_db


def _outbox(programme):
    return reverse("programmes:programme_outbox", args=[programme.slug])


def _email(programme, user=None, staged=False, subject="Kick-off"):
    return notification_services.notify(
        recipient=user or UserFactory(),
        kind="programme.announcement",
        context={
            "programme_name": programme.name,
            "subject": subject,
            "message": "Hello",
            "sender": "Farah",
        },
        scope=programme.notification_scope,
        staged=staged,
    ).email


@pytest.mark.parametrize("persona", ["programme_admin", "staff", "platform_admin"])
def test_outbox_lists_programme_emails_for_staff(
    client, request, programme, other_programme, persona
):
    _email(programme, subject="Ours")
    _email(other_programme, subject="Theirs")
    client.force_login(request.getfixturevalue(persona))
    response = client.get(_outbox(programme))
    body = response.content.decode()
    assert response.status_code == 200
    assert "[AI Forward 2026] Ours" in body
    assert "Theirs" not in body
    assert 'data-testid="count-pending">1</span>' in body


@pytest.mark.parametrize("persona", ["reviewer", "mentor"])
def test_outbox_is_403_for_reviewers_and_mentors(client, request, programme, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_outbox(programme)).status_code == 403


@pytest.mark.parametrize("persona", ["outsider", "applicant", "other_programme_admin"])
def test_outbox_is_404_outside_the_programme(client, request, programme, persona):
    email = _email(programme, subject="Confidential")
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_outbox(programme)).status_code == 404
    detail = reverse("programmes:programme_outbox_message", args=[programme.slug, email.pk])
    response = client.get(detail)
    assert response.status_code == 404
    assert "Confidential" not in response.content.decode()


def test_outbox_message_of_other_programme_is_404(
    client, programme, other_programme, programme_admin
):
    theirs = _email(other_programme)
    client.force_login(programme_admin)
    url = reverse("programmes:programme_outbox_message", args=[programme.slug, theirs.pk])
    assert client.get(url).status_code == 404


def test_outbox_filters(client, programme, programme_admin):
    _email(programme, user=UserFactory(email="alice@example.com"), subject="Alpha")
    _email(programme, user=UserFactory(email="bob@example.com"), subject="Beta", staged=True)
    client.force_login(programme_admin)
    body = client.get(_outbox(programme), {"status": "staged"}).content.decode()
    assert "Beta" in body and "Alpha" not in body
    body = client.get(_outbox(programme), {"q": "alice"}).content.decode()
    assert "Alpha" in body and "Beta" not in body
    response = client.get(_outbox(programme), {"status": "bogus"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_outbox_page_links_keep_the_filters(client, programme, programme_admin, monkeypatch):
    monkeypatch.setattr("programmes.views.OUTBOX_PAGE_SIZE", 2)
    for n in range(3):
        _email(programme, subject=f"Staged {n}", staged=True)
    _email(programme, subject="Pending one")
    client.force_login(programme_admin)

    first = client.get(_outbox(programme), {"status": "staged", "kind": "", "q": ""})
    body = first.content.decode()
    assert 'href="?status=staged&amp;page=2" rel="next"' in body
    second = client.get(_outbox(programme), {"status": "staged", "page": "2"}).content.decode()
    assert 'href="?status=staged&amp;page=1" rel="prev"' in second
    assert "Page 2 of 2" in second
    assert second.count("[AI Forward 2026] Staged") == 1
    assert "Pending one" not in body + second


def test_outbox_empty_filter_result_offers_to_clear_the_filters(client, programme, programme_admin):
    _email(programme, subject="Alpha")
    client.force_login(programme_admin)
    body = client.get(_outbox(programme), {"status": "failed"}).content.decode()
    assert "No message matches these filters." in body
    assert f'<a class="text-break" href="{_outbox(programme)}">Clear all filters</a>' in body


@pytest.mark.parametrize("count", [1, 3])
def test_outbox_query_count(client, programme, programme_admin, django_assert_num_queries, count):
    for _ in range(count):
        _email(programme)
    client.force_login(programme_admin)
    # session, user, roles (with the authenticator), counts, cohorts of the filter, releasable
    # staged announcements, page count, page rows, navigation and bell
    with django_assert_num_queries(9):
        assert client.get(_outbox(programme)).status_code == 200


def test_outbox_counts_partial_polls_while_in_flight(client, programme, programme_admin):
    _email(programme)
    client.force_login(programme_admin)
    response = client.get(_outbox(programme), {"part": "counts"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'hx-trigger="every 2s"' in body
    assert "1 message is on its way" in body
    assert "<html" not in body


def test_message_detail_shows_parts_and_html_is_sandboxed(client, programme, programme_admin):
    email = _email(programme, subject="Kick-off")
    client.force_login(programme_admin)
    body = client.get(
        reverse("programmes:programme_outbox_message", args=[programme.slug, email.pk])
    ).content.decode()
    assert "[AI Forward 2026] Kick-off" in body
    assert "<iframe" in body and "sandbox" in body
    html = client.get(
        reverse("programmes:programme_outbox_message_html", args=[programme.slug, email.pk])
    )
    assert html.content.decode() == email.body_html
    policy = html["Content-Security-Policy"]
    assert "sandbox" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'self'" in policy
    assert html["X-Frame-Options"] == "SAMEORIGIN"


def test_release_staged_messages(
    client, programme, programme_admin, django_capture_on_commit_callbacks
):
    for _ in range(3):
        _email(programme, staged=True)
    client.force_login(programme_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("programmes:programme_outbox_release", args=[programme.slug]), follow=True
        )
    assert "3 messages released for sending." in response.content.decode()
    assert EmailMessage.objects.filter(status=EmailStatus.SENT).count() == 3
    assert len(mail.outbox) == 3


def test_release_does_not_touch_other_programmes(
    client, programme, other_programme, programme_admin
):
    theirs = _email(other_programme, staged=True)
    client.force_login(programme_admin)
    response = client.post(
        reverse("programmes:programme_outbox_release", args=[programme.slug]), follow=True
    )
    assert "no staged messages" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.status == EmailStatus.STAGED


@pytest.mark.parametrize("persona", ["reviewer", "mentor"])
def test_release_and_retry_are_403_for_non_staff(client, request, programme, persona):
    email = _email(programme, staged=True)
    client.force_login(request.getfixturevalue(persona))
    assert (
        client.post(
            reverse("programmes:programme_outbox_release", args=[programme.slug])
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("programmes:programme_outbox_retry", args=[programme.slug, email.pk])
        ).status_code
        == 403
    )
    email.refresh_from_db()
    assert email.status == EmailStatus.STAGED


def test_retry_failed_message(
    client, programme, staff, settings, django_capture_on_commit_callbacks
):
    from tests.notifications import backends

    settings.EMAIL_BACKEND = "tests.notifications.backends.ScriptedBackend"
    backends.SCRIPT[:] = [reply(550, "Mailbox unavailable")]
    email = _email(programme)
    notification_services.email_send(message_id=email.pk)
    client.force_login(staff)
    detail = client.get(
        reverse("programmes:programme_outbox_message", args=[programme.slug, email.pk])
    ).content.decode()
    assert "550 Mailbox unavailable" in detail
    assert "Send again" in detail
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("programmes:programme_outbox_retry", args=[programme.slug, email.pk]))
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT
    response = client.post(
        reverse("programmes:programme_outbox_retry", args=[programme.slug, email.pk]), follow=True
    )
    assert "Only failed messages can be retried." in response.content.decode()


# --- announcements ---------------------------------------------------------------------------


def _announce(programme):
    return reverse("programmes:programme_announcement", args=[programme.slug])


def test_announcement_stages_one_message_per_reviewer(
    client, programme, programme_admin, reviewer, mentor, other_programme_admin
):
    client.force_login(programme_admin)
    response = client.post(
        _announce(programme),
        {"audience": "reviewer", "subject": "Review kick-off", "message": "Scoring opens Monday."},
    )
    assert response.status_code == 302
    assert response["Location"] == _outbox(programme) + "?status=staged&kind=programme.announcement"
    staged = EmailMessage.objects.filter(kind="programme.announcement")
    assert [(e.to_email, e.status, e.subject) for e in staged] == [
        ("reviewer@example.com", EmailStatus.STAGED, "[AI Forward 2026] Review kick-off")
    ]
    assert Notification.objects.get(kind="programme.announcement").recipient == reviewer
    assert mail.outbox == []


def test_announcement_to_whole_team(programme, programme_admin, reviewer, mentor, staff):
    count = cohort_services.programme_announcement_stage(
        programme=programme,
        sender=programme_admin,
        audience="team",
        subject="Hello",
        message="All hands.",
    )
    assert count == 4


def test_announcement_bad_input_keeps_what_was_typed(client, programme, programme_admin):
    client.force_login(programme_admin)
    response = client.post(
        _announce(programme), {"audience": "everyone-ever", "subject": "   ", "message": "Keep me"}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Write a subject." in body or "This field is required." in body
    assert "Select a valid choice" in body
    assert "Keep me" in body
    assert not EmailMessage.objects.exists()


@pytest.mark.parametrize("persona", ["staff", "reviewer"])
def test_announcement_is_403_for_non_admins(client, request, programme, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_announce(programme)).status_code == 403
    response = client.post(
        _announce(programme), {"audience": "team", "subject": "x", "message": "y"}
    )
    assert response.status_code == 403
    assert not EmailMessage.objects.exists()


def test_announcement_is_404_for_other_programme_admin(client, programme, other_programme_admin):
    client.force_login(other_programme_admin)
    assert client.get(_announce(programme)).status_code == 404


def test_outbox_filters_by_cohort_through_its_applicants(client, programme, programme_admin):
    from tests.factories import ApplicationFactory, CohortFactory

    spring = CohortFactory(programme=programme, name="Spring intake")
    autumn = CohortFactory(programme=programme, name="Autumn intake")
    CohortFactory(name="Someone else's cohort")
    ada = ApplicationFactory(cohort=spring).applicant
    bo = ApplicationFactory(cohort=autumn).applicant
    _email(programme, user=ada, subject="For Ada")
    _email(programme, user=bo, subject="For Bo")
    _email(programme, subject="For the team")
    client.force_login(programme_admin)
    body = client.get(_outbox(programme)).content.decode()
    options = body.split('name="cohort"')[1].split("</select>")[0]
    assert [label for label in ("Spring intake", "Autumn intake") if label in options] == [
        "Spring intake",
        "Autumn intake",
    ]
    assert "Someone else" not in options
    body = client.get(_outbox(programme), {"cohort": spring.pk}).content.decode()
    assert "For Ada" in body and "For Bo" not in body and "For the team" not in body
    response = client.get(_outbox(programme), {"cohort": 999999})
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_outbox_cohort_filter_query_count(
    client, programme, programme_admin, django_assert_num_queries, count
):
    from tests.factories import ApplicationFactory, CohortFactory

    cohort = CohortFactory(programme=programme)
    for _ in range(count):
        _email(programme, user=ApplicationFactory(cohort=cohort).applicant)
    client.force_login(programme_admin)
    # as many as unfiltered: the filter joins the page's own queries
    with django_assert_num_queries(9):
        body = client.get(_outbox(programme), {"cohort": cohort.pk}).content.decode()
    assert body.count("[AI Forward 2026] Kick-off") == count
