"""Consent records (Singapore's PDPA): given with each application and on the privacy page,
withdrawn there; withdrawing consent to processing withdraws the person's open applications
and stops every optional notification."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts import selectors, services
from accounts.enums import SITE_PRIVACY_NOTICE_VERSION, ConsentPurpose
from accounts.models import ConsentRecord
from applications import selectors as application_selectors
from applications import services as application_services
from applications.demo import demo_pdf
from applications.enums import ApplicationStatus
from applications.models import Application, ApplicationEvent
from core.models import AuditEntry
from notifications import services as notification_services
from notifications.enums import EmailStatus
from notifications.models import EmailMessage, Notification
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    ConsentRecordFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PROCESSING = ConsentPurpose.PROCESSING
NEWS = ConsentPurpose.NEWS


def _audit(user, action):
    return list(
        AuditEntry.objects.filter(action=action, target_id=str(user.pk)).values_list(
            "actor_id", "data__purpose"
        )
    )


def _states(user):
    return [
        (record.purpose, record.notice_version, record.is_active)
        for record in ConsentRecord.objects.filter(user=user).order_by("pk")
    ]


# --- services ----------------------------------------------------------------------------------


def test_consent_give_records_the_consent_and_audits_it(applicant):
    record = services.consent_give(user=applicant, purpose=NEWS, notice_version="2026-1")

    assert (record.user, record.purpose, record.notice_version) == (applicant, NEWS, "2026-1")
    assert record.is_active
    assert _audit(applicant, "accounts.consent_given") == [(applicant.pk, "news")]


def test_consent_give_is_idempotent(applicant):
    first = services.consent_give(user=applicant, purpose=NEWS, notice_version="2026-1")
    again = services.consent_give(user=applicant, purpose=NEWS, notice_version="2026-1")

    assert again == first
    assert ConsentRecord.objects.filter(user=applicant).count() == 1
    assert len(_audit(applicant, "accounts.consent_given")) == 1


def test_consent_withdraw_stamps_every_active_record_once(applicant):
    services.consent_give(user=applicant, purpose=NEWS, notice_version="2026-1")
    services.consent_give(user=applicant, purpose=NEWS, notice_version="2026-2")
    services.consent_give(user=applicant, purpose=ConsentPurpose.PARTNER_AGGREGATES,
                          notice_version="2026-1")  # fmt: skip

    assert services.consent_withdraw(user=applicant, purpose=NEWS, actor=applicant) == 2
    assert services.consent_withdraw(user=applicant, purpose=NEWS, actor=applicant) == 0

    assert _states(applicant) == [
        ("news", "2026-1", False),
        ("news", "2026-2", False),
        ("partner_aggregates", "2026-1", True),
    ]
    assert _audit(applicant, "accounts.consent_withdrawn") == [(applicant.pk, "news")]


def test_consent_given_again_is_a_new_record_and_history_is_kept(applicant):
    first = services.consent_give(user=applicant, purpose=NEWS, notice_version="2026-1")
    services.consent_withdraw(user=applicant, purpose=NEWS, actor=applicant)
    again = services.consent_give(user=applicant, purpose=NEWS, notice_version="2026-1")

    assert again.pk != first.pk
    assert _states(applicant) == [("news", "2026-1", False), ("news", "2026-1", True)]
    first.refresh_from_db()
    assert first.withdrawn_at >= first.given_at
    assert len(_audit(applicant, "accounts.consent_given")) == 2


def test_consent_give_refuses_an_unknown_purpose(applicant):
    with pytest.raises(ValueError):
        services.consent_give(user=applicant, purpose="selling", notice_version="1")
    assert not ConsentRecord.objects.exists()


def test_application_submit_records_consent_to_processing(applicant):
    cohort = CohortFactory(privacy_notice_version="2027-3")
    application = application_services.application_start(cohort=cohort, applicant=applicant)
    application.cv.save(
        "cv.pdf",
        SimpleUploadedFile("cv.pdf", demo_pdf("Siti"), content_type="application/pdf"),
        save=True,
    )

    application_services.application_submit(application=application, actor=applicant, consent=True)

    application.refresh_from_db()
    record = ConsentRecord.objects.get(user=applicant)
    assert (record.purpose, record.notice_version, record.given_at) == (
        PROCESSING,
        "2027-3",
        application.consent_at,
    )
    assert application.consent_version == "2027-3"


# --- withdrawing consent to processing ---------------------------------------------------------


@pytest.fixture
def many_applications(applicant, participant):
    """The applicant's applications in every status; `participant`'s is someone else's."""
    now = timezone.now()
    released = now - datetime.timedelta(days=1)
    made = {}
    for status, is_released in [
        (ApplicationStatus.DRAFT, False),
        (ApplicationStatus.SUBMITTED, False),
        (ApplicationStatus.IN_REVIEW, False),
        (ApplicationStatus.WAITLISTED, True),
        (ApplicationStatus.OFFERED, False),  # hidden until release: shown as in review
        (ApplicationStatus.NOT_SELECTED, False),  # hidden: may still be withdrawn
        (ApplicationStatus.NOT_SELECTED, True),  # released: closed
        (ApplicationStatus.DECLINED, True),
        (ApplicationStatus.WITHDRAWN, False),
        (ApplicationStatus.INELIGIBLE, False),
    ]:
        cohort = CohortFactory(decisions_released_at=released if is_released else None)
        made[(status, is_released)] = ApplicationFactory(
            cohort=cohort, applicant=applicant, status=status
        )
    ConsentRecordFactory(user=applicant, notice_version="2026-1")
    ConsentRecordFactory(user=participant, notice_version="2026-1")
    return made


OPEN = [
    (ApplicationStatus.DRAFT, False),
    (ApplicationStatus.SUBMITTED, False),
    (ApplicationStatus.IN_REVIEW, False),
    (ApplicationStatus.WAITLISTED, True),
    (ApplicationStatus.OFFERED, False),
    (ApplicationStatus.NOT_SELECTED, False),
]


def test_withdrawal_warning_lists_exactly_the_open_applications(
    client, applicant, many_applications
):
    client.force_login(applicant)

    response = client.get(reverse("applications:consent_withdraw"))

    assert response.status_code == 200
    listed = [a.pk for a in response.context["applications"]]
    assert listed == [many_applications[key].pk for key in OPEN]
    page = response.content.decode()
    for key, application in many_applications.items():
        assert (application.cohort.name in page) == (key in OPEN), key
    # Hidden decisions are not told by the warning.
    assert "Offered" not in page and "Not selected" not in page
    assert 'data-testid="consent-place-warning"' not in page
    assert _states(applicant) == [("processing", "2026-1", True)]  # GET changes nothing


def test_withdrawal_of_processing_withdraws_the_open_applications(
    client, applicant, participant, many_applications
):
    before = {a.pk: a.status for a in Application.objects.all()}
    client.force_login(applicant)

    response = client.post(reverse("applications:consent_withdraw"))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:privacy")
    after = {a.pk: a.status for a in Application.objects.all()}
    opened = {many_applications[key].pk for key in OPEN}
    assert {pk for pk in after if after[pk] != before[pk]} == opened
    assert {after[pk] for pk in opened} == {ApplicationStatus.WITHDRAWN}
    # Each through the choke point: an event apiece, with the reason.
    events = ApplicationEvent.objects.filter(
        application_id__in=opened, to_status=ApplicationStatus.WITHDRAWN
    )
    assert events.count() == len(opened)
    assert set(events.values_list("actor_id", flat=True)) == {applicant.pk}
    assert _states(applicant) == [("processing", "2026-1", False)]
    assert _states(participant) == [("processing", "2026-1", True)]
    assert _audit(applicant, "accounts.consent_withdrawn") == [(applicant.pk, "processing")]


def test_withdrawal_warns_a_participant_and_ends_their_place(client, participant):
    ConsentRecordFactory(user=participant, notice_version="2026-1")
    application = Application.objects.get(applicant=participant)
    client.force_login(participant)

    page = client.get(reverse("applications:consent_withdraw")).content.decode()
    assert 'data-testid="consent-place-warning"' in page
    assert "Participant" in page

    client.post(reverse("applications:consent_withdraw"))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN


def test_withdrawal_page_without_consent_sends_back(client, applicant):
    ApplicationFactory(applicant=applicant, status=ApplicationStatus.SUBMITTED)
    client.force_login(applicant)

    response = client.post(reverse("applications:consent_withdraw"))

    assert response["Location"] == reverse("accounts:privacy")
    assert Application.objects.get(applicant=applicant).status == ApplicationStatus.SUBMITTED


def test_withdrawal_page_asks_anonymous_to_sign_in(client):
    response = client.get(reverse("applications:consent_withdraw"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def _optional(user):
    return notification_services.notify(
        recipient=user,
        kind="application.submitted",
        context={"cohort_name": "C", "programme_name": "P", "closes_at": timezone.now()},
    )


def _security(user):
    return notification_services.notify(
        recipient=user,
        kind="account.security",
        context={"event_subject": "Password changed", "event_text": "It was changed."},
    )


def test_withdrawing_processing_stops_optional_notifications_not_security_mail(applicant):
    other = UserFactory()
    ConsentRecordFactory(user=applicant)
    ApplicationFactory(applicant=applicant, status=ApplicationStatus.SUBMITTED)
    pending = _optional(applicant).email
    assert pending.status == EmailStatus.PENDING

    services.consent_withdraw(user=applicant, purpose=PROCESSING, actor=applicant)

    # The optional message not yet sent is gone, and none is written any more.
    assert not EmailMessage.objects.filter(pk=pending.pk).exists()
    emails, notices = EmailMessage.objects.count(), Notification.objects.count()
    assert _optional(applicant) is None
    assert (
        notification_services.notify_bulk(
            recipients=[applicant, other],
            kind="application.submitted",
            context={"cohort_name": "C", "programme_name": "P", "closes_at": timezone.now()},
        )
        == 1
    )
    assert not EmailMessage.objects.filter(recipient=applicant).exists()
    # Only the in-app notice written before the withdrawal, which was already shown.
    assert Notification.objects.filter(recipient=applicant).count() == 1
    assert EmailMessage.objects.count() == emails + 1  # the other person's only
    assert Notification.objects.count() == notices + 1
    # Security mail still goes out.
    security = _security(applicant)
    assert security.email is not None and security.notification is not None


def test_consent_to_processing_given_again_resumes_optional_notifications(applicant):
    ConsentRecordFactory(user=applicant, notice_version="2026-1")
    services.consent_withdraw(user=applicant, purpose=PROCESSING, actor=applicant)
    assert _optional(applicant) is None

    services.consent_give(user=applicant, purpose=PROCESSING, notice_version="2026-2")

    assert _optional(applicant).email is not None


def test_withdrawing_an_optional_consent_leaves_notifications_and_applications(applicant):
    services.consent_give(user=applicant, purpose=NEWS, notice_version="2026-1")
    application = ApplicationFactory(applicant=applicant, status=ApplicationStatus.SUBMITTED)

    services.consent_withdraw(user=applicant, purpose=NEWS, actor=applicant)

    assert _optional(applicant).email is not None
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_selector_open_applications_for_consent_are_the_users_own(applicant, participant):
    mine = ApplicationFactory(applicant=applicant, status=ApplicationStatus.SUBMITTED)
    assert list(application_selectors.application_list_withdrawn_by_consent(user=applicant)) == [
        mine
    ]


# --- the privacy page ------------------------------------------------------------------------


def test_privacy_page_lists_the_persons_consents(client, applicant):
    ConsentRecordFactory(user=applicant, notice_version="2026-7")
    ConsentRecordFactory(user=UserFactory(), notice_version="2099-9")  # someone else's
    client.force_login(applicant)

    response = client.get(reverse("accounts:privacy"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "version 2026-7" in page
    assert "2099-9" not in page
    assert [(row.purpose, row.is_given) for row in response.context["rows"]] == [
        (PROCESSING, True),
        (ConsentPurpose.PARTNER_AGGREGATES, False),
        (NEWS, False),
    ]
    assert reverse("applications:consent_withdraw") in page
    assert reverse("accounts:consent_give", args=["news"]) in page
    assert 'aria-current="page" href="/profile/privacy/"' in page


def test_privacy_page_asks_anonymous_to_sign_in(client):
    for url in (
        reverse("accounts:privacy"),
        reverse("accounts:consent_give", args=["news"]),
        reverse("accounts:consent_withdraw", args=["news"]),
    ):
        response = client.post(url) if "give" in url or "withdraw" in url else client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert not ConsentRecord.objects.exists()


def test_privacy_page_gives_and_withdraws_an_optional_consent(client, applicant):
    client.force_login(applicant)

    response = client.post(reverse("accounts:consent_give", args=["news"]))
    assert response["Location"] == reverse("accounts:privacy")
    assert _states(applicant) == [("news", SITE_PRIVACY_NOTICE_VERSION, True)]
    entry = AuditEntry.objects.get(action="accounts.consent_given")
    assert entry.data["purpose"] == "news"

    client.post(reverse("accounts:consent_withdraw", args=["news"]))
    client.post(reverse("accounts:consent_give", args=["news"]))

    assert _states(applicant) == [
        ("news", SITE_PRIVACY_NOTICE_VERSION, False),
        ("news", SITE_PRIVACY_NOTICE_VERSION, True),
    ]
    page = client.get(reverse("accounts:privacy")).content.decode()
    assert page.count(f"version {SITE_PRIVACY_NOTICE_VERSION}") == 2


def test_privacy_page_changes_only_the_persons_own_consent(client, applicant):
    someone = UserFactory()
    theirs = services.consent_give(user=someone, purpose=NEWS, notice_version="2026-1")
    client.force_login(applicant)

    client.post(reverse("accounts:consent_withdraw", args=["news"]))

    theirs.refresh_from_db()
    assert theirs.is_active
    assert not AuditEntry.objects.filter(action="accounts.consent_withdrawn").exists()


@pytest.mark.parametrize("purpose", ["processing", "selling"])
def test_privacy_page_refuses_processing_and_unknown_purposes(client, applicant, purpose):
    ConsentRecordFactory(user=applicant, notice_version="2026-1")
    client.force_login(applicant)

    for name in ("accounts:consent_give", "accounts:consent_withdraw"):
        response = client.post(reverse(name, args=[purpose]))
        assert response.status_code == 400
    assert _states(applicant) == [("processing", "2026-1", True)]


def test_privacy_page_refuses_get_on_changes(client, applicant):
    client.force_login(applicant)
    response = client.get(reverse("accounts:consent_give", args=["news"]))
    assert response.status_code == 405
    assert not ConsentRecord.objects.exists()


@pytest.mark.parametrize(("count", "queries"), [(1, 5), (3, 5)])
def test_privacy_page_query_count(client, applicant, django_assert_num_queries, count, queries):
    for n in range(count):
        ConsentRecordFactory(user=applicant, notice_version=f"2026-{n}")
    client.force_login(applicant)

    with django_assert_num_queries(queries):
        response = client.get(reverse("accounts:privacy"))
    assert len(response.context["rows"][0].records) == count


def test_consent_rows_for_user_show_the_active_record_first(applicant):
    old = ConsentRecordFactory(
        user=applicant,
        notice_version="2025-1",
        given_at=timezone.now() - datetime.timedelta(days=30),
        withdrawn_at=timezone.now() - datetime.timedelta(days=20),
    )
    current = ConsentRecordFactory(user=applicant, notice_version="2026-1")

    row = selectors.consent_rows_for_user(user=applicant)[0]

    assert (row.current, row.records, row.is_given) == (current, [current, old], True)
