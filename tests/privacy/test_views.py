"""The "Delete your account" page and a programme's retention page: who may do what, the
forms, and what each answer says."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from notifications.models import Notification
from privacy import services
from privacy.enums import ErasureStatus
from privacy.models import ErasureRequest
from programmes.models import Programme
from tests.factories import CohortFactory

pytestmark = pytest.mark.django_db

ERASURE = reverse("privacy:erasure")
CANCEL = reverse("privacy:erasure_cancel")


def _retention(programme) -> str:
    return reverse("privacy:retention", kwargs={"slug": programme.slug})


def _post(client, url, data):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url, data)


# --- the erasure page ----------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for response in (client.get(ERASURE), client.post(ERASURE, {"confirm": "on"})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    response = client.post(CANCEL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not ErasureRequest.objects.exists()


def test_page_without_certificates_asks_only_for_the_confirmation(client, applicant):
    client.force_login(applicant)
    response = client.get(ERASURE)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="erasure-form"' in body
    assert 'name="confirm"' in body
    assert 'name="certificate_choice"' not in body


def test_page_with_certificates_asks_what_happens_to_them(client, mei):
    client.force_login(mei)
    body = client.get(ERASURE).content.decode()
    assert 'name="certificate_choice"' in body
    assert 'value="keep"' in body and 'value="revoke"' in body


def test_posting_without_the_confirmation_is_refused_with_a_message(client, applicant):
    client.force_login(applicant)
    response = _post(client, ERASURE, {})
    assert response.status_code == 400
    assert "Tick the box to confirm" in response.content.decode()
    assert not ErasureRequest.objects.exists()


def test_an_invalid_certificate_choice_is_refused(client, mei):
    client.force_login(mei)
    response = _post(client, ERASURE, {"confirm": "on", "certificate_choice": "burn"})
    assert response.status_code == 400
    assert not ErasureRequest.objects.exists()


def test_asking_schedules_the_deletion_shows_the_date_and_cancelling_works(client, mei):
    client.force_login(mei)
    response = _post(client, ERASURE, {"confirm": "on", "certificate_choice": "revoke"})
    assert response.status_code == 302 and response["Location"] == ERASURE
    erasure = ErasureRequest.objects.get(user=mei)
    assert (erasure.status, erasure.certificate_choice) == (ErasureStatus.SCHEDULED, "revoke")
    assert Notification.objects.filter(recipient=mei, kind="privacy.erasure_scheduled").exists()
    page = client.get(ERASURE)
    body = page.content.decode()
    assert 'data-testid="erasure-scheduled"' in body
    assert 'data-testid="erasure-cancel"' in body
    assert 'data-testid="erasure-form"' not in body
    due = timezone.localtime(erasure.due_at)
    assert f"{due:%-d} {due:%B} {due:%Y}" in body
    assert "will be revoked" in body
    # Asking again while one is scheduled changes nothing.
    again = _post(client, ERASURE, {"confirm": "on", "certificate_choice": "keep"})
    assert again.status_code == 302
    assert ErasureRequest.objects.filter(user=mei).count() == 1

    cancelled = _post(client, CANCEL, {})
    assert cancelled.status_code == 302 and cancelled["Location"] == ERASURE
    erasure.refresh_from_db()
    assert erasure.status == ErasureStatus.CANCELLED
    body = client.get(ERASURE).content.decode()
    assert 'data-testid="erasure-form"' in body and 'data-testid="erasure-scheduled"' not in body
    assert AuditEntry.objects.filter(
        action="privacy.erasure_cancelled", actor=mei, target_id=str(mei.pk)
    ).exists()


def test_asking_needs_a_recent_password(client, applicant):
    client.force_login(applicant)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("accounts.reauthentication.allauth_settings.REAUTHENTICATION_TIMEOUT", 0)
        response = _post(client, ERASURE, {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not ErasureRequest.objects.exists()
    # Freshly signed in: taken.
    assert _post(client, ERASURE, {"confirm": "on"}).status_code == 302
    assert ErasureRequest.objects.filter(user=applicant).count() == 1


def test_ids_of_other_people_in_the_form_change_nothing(client, applicant, mei, raj):
    raj_erasure = services.erasure_request(user=raj)
    client.force_login(applicant)
    others = {
        "user": mei.pk,
        "user_id": mei.pk,
        "id": mei.pk,
        "erasure": raj_erasure.pk,
        "erasure_id": raj_erasure.pk,
        "pk": raj_erasure.pk,
    }
    # Cancelling: the applicant has none scheduled, and Raj's is not theirs to cancel.
    response = _post(client, CANCEL, others)
    assert response.status_code == 302
    raj_erasure.refresh_from_db()
    assert raj_erasure.status == ErasureStatus.SCHEDULED
    # Asking: only their own account.
    _post(client, ERASURE, {**others, "confirm": "on"})
    assert set(ErasureRequest.objects.values_list("user_id", flat=True)) == {
        raj.pk,
        applicant.pk,
    }
    assert not ErasureRequest.objects.filter(user=mei).exists()
    # Raj, signed in, cancels his own, and only his.
    client.force_login(raj)
    _post(client, CANCEL, {"erasure": ErasureRequest.objects.get(user=applicant).pk})
    statuses = dict(ErasureRequest.objects.values_list("user_id", "status"))
    assert statuses == {raj.pk: ErasureStatus.CANCELLED, applicant.pk: ErasureStatus.SCHEDULED}


def test_an_erased_account_cannot_ask_again(applicant):
    erasure = services.erasure_request(user=applicant)
    services.erasure_carry_out(erasure_id=erasure.pk, now=erasure.due_at)
    user = get_user_model().objects.get(pk=applicant.pk)
    with pytest.raises(services.PrivacyError):
        services.erasure_request(user=user)


# --- the retention page --------------------------------------------------------------------------


def test_programme_admin_sees_and_sets_the_retention_periods(client, programme, programme_admin):
    CohortFactory(programme=programme, name="Spring intake", slug="spring")
    client.force_login(programme_admin)
    response = client.get(_retention(programme))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="months_not_selected"' in body and 'value="24"' in body
    assert body.count('data-testid="retention-cohort"') == 1
    response = client.post(
        _retention(programme), {"months_not_selected": "6", "months_participants": "36"}
    )
    assert response.status_code == 302 and response["Location"] == _retention(programme)
    programme.refresh_from_db()
    assert (programme.retention_months_not_selected, programme.retention_months_participants) == (
        6,
        36,
    )
    entry = AuditEntry.objects.get(action="programme.retention_changed")
    assert entry.data["months_not_selected"] == [24, 6]
    assert entry.data["months_participants"] == [24, 36]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"months_not_selected": "0", "months_participants": "12"}, "greater than or equal to 1"),
        ({"months_not_selected": "6", "months_participants": "121"}, "less than or equal to 120"),
        ({"months_not_selected": "six", "months_participants": "12"}, "Enter a whole number"),
        ({"months_not_selected": "6"}, "This field is required"),
        ({"months_not_selected": "9" * 20, "months_participants": "12"}, "less than or equal"),
    ],
)
def test_invalid_periods_are_refused_and_keep_what_was_typed(
    client, programme, programme_admin, typed, message
):
    client.force_login(programme_admin)
    response = client.post(_retention(programme), typed)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    for value in typed.values():
        assert f'value="{value}"' in body
    programme.refresh_from_db()
    assert programme.retention_months_not_selected == 24
    assert programme.retention_months_participants == 24
    assert not AuditEntry.objects.filter(action="programme.retention_changed").exists()


def test_platform_admin_may_set_the_periods(client, programme, platform_admin):
    client.force_login(platform_admin)
    assert client.get(_retention(programme)).status_code == 200


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("staff", 403),
        ("reviewer", 403),
        ("mentor", 403),
        ("other_programme_admin", 404),
        ("outsider", 404),
        ("applicant", 404),
    ],
)
def test_others_may_neither_see_nor_set_the_periods(client, request, programme, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_retention(programme)).status_code == status
    response = client.post(
        _retention(programme), {"months_not_selected": "1", "months_participants": "1"}
    )
    assert response.status_code == status
    fresh = Programme.objects.get(pk=programme.pk)
    assert (fresh.retention_months_not_selected, fresh.retention_months_participants) == (24, 24)
    assert not AuditEntry.objects.filter(action="programme.retention_changed").exists()


def test_anonymous_visitors_are_sent_to_sign_in_from_the_retention_page(client, programme):
    for response in (
        client.get(_retention(programme)),
        client.post(_retention(programme), {"months_not_selected": "1"}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    programme.refresh_from_db()
    assert programme.retention_months_not_selected == 24


def test_retention_page_queries_do_not_grow_with_cohorts(
    client, programme, programme_admin, django_assert_num_queries
):
    CohortFactory(programme=programme, slug="first")
    client.force_login(programme_admin)
    client.get(_retention(programme))  # warm the session and the navigation's compiled query
    with CaptureQueriesContext(connection) as one:
        assert client.get(_retention(programme)).status_code == 200
    CohortFactory(programme=programme, slug="second")
    CohortFactory(programme=programme, slug="third")
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(_retention(programme))
    assert response.content.decode().count('data-testid="retention-cohort"') == 3
