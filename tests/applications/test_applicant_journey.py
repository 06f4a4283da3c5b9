"""The applicant's first days: a rule that can never be met is said at the top, the offer says
what accepting means, a participant sees next steps, and the waitlist place is live."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from applications import selectors
from applications.enums import ApplicationStatus
from applications.models import Application
from cohorts.enums import RuleOperator
from notifications.models import EmailMessage, Notification
from selection import services as selection_services
from selection.enums import OfferStatus
from selection.models import Participant
from tests.factories import (
    ApplicantProfileFactory,
    ApplicationFactory,
    CohortFactory,
    EligibilityRuleFactory,
    OfferFactory,
    ParticipantFactory,
)

pytestmark = pytest.mark.django_db


def _born_years_before(day: datetime.date, years: int) -> datetime.date:
    return day.replace(year=day.year - years) + datetime.timedelta(days=30)


@pytest.fixture
def adults_only(programme):
    cohort = CohortFactory(programme=programme, name="Main intake", slug="main")
    EligibilityRuleFactory(
        cohort=cohort, attribute="age_at_start", operator=RuleOperator.AT_LEAST, values=["18"]
    )
    return cohort


def _apply_url(cohort):
    return reverse("applications:apply", args=[cohort.programme.slug, cohort.slug])


# --- a rule that can never be met ----------------------------------------------------------------


def test_apply_too_young_says_so_at_the_top_and_shows_no_form(client, adults_only):
    # 17 on the day the cohort starts: she cannot turn 18 before it.
    born = _born_years_before(adults_only.starts_on, 18)
    user = ApplicantProfileFactory(date_of_birth=born).user
    client.force_login(user)

    body = client.get(_apply_url(adults_only)).content.decode()

    assert "You cannot apply to this cohort" in body
    assert "Age when the cohort starts must be at least 18; yours is 17." in body
    assert 'id="application-form"' not in body
    assert "Submit application" not in body
    assert f"{reverse('accounts:profile')}?next=" in body
    # No draft is left behind for a cohort she can never apply to.
    assert not Application.objects.filter(applicant=user).exists()


def test_apply_old_enough_gets_the_form(client, adults_only, applicant):
    client.force_login(applicant)
    body = client.get(_apply_url(adults_only)).content.decode()
    assert "You cannot apply to this cohort" not in body
    assert 'id="application-form"' in body
    assert Application.objects.filter(applicant=applicant).count() == 1


def test_existing_draft_of_someone_too_young_shows_the_message_not_the_form(client, adults_only):
    user = ApplicantProfileFactory(date_of_birth=_born_years_before(adults_only.starts_on, 18)).user
    ApplicationFactory(cohort=adults_only, applicant=user, status=ApplicationStatus.DRAFT)
    client.force_login(user)
    application = Application.objects.get(applicant=user)
    response = client.post(reverse("applications:submit", args=[application.pk]), {})
    body = response.content.decode()
    assert "You cannot apply to this cohort" in body
    assert "Submit application" not in body


def test_a_rule_the_applicant_can_still_meet_keeps_the_form(client, programme):
    """Residency can be corrected in the profile: the verdict says what fails, the form stays."""
    cohort = CohortFactory(programme=programme, slug="main")
    EligibilityRuleFactory(cohort=cohort, attribute="residency", values=["citizen"])
    user = ApplicantProfileFactory(residency="work_pass").user
    client.force_login(user)
    body = client.get(_apply_url(cohort)).content.decode()
    assert "You cannot apply to this cohort" not in body
    assert "You cannot submit yet" in body
    assert 'id="application-form"' in body
    # The verdict comes before the form in the page, so a phone shows it first, and a line
    # beside "Submit" points to it.
    assert body.index('id="eligibility"') < body.index('id="application-form"')
    assert "You do not meet every eligibility rule yet, so this cannot be submitted." in body


def test_only_a_fixed_attribute_makes_a_failure_final(adults_only):
    from cohorts import selectors as cohort_selectors

    EligibilityRuleFactory(cohort=adults_only, attribute="residency", values=["citizen"])
    rules = cohort_selectors.rule_list_for_cohort(cohort=adults_only)
    young = ApplicantProfileFactory(
        date_of_birth=_born_years_before(adults_only.starts_on, 18), residency="work_pass"
    )
    verdict = cohort_selectors.eligibility_for(
        cohort=adults_only, profile=young, answers={}, questions=[], rules=rules
    )
    assert verdict.final_reasons == ["Age when the cohort starts must be at least 18; yours is 17."]
    assert len(verdict.reasons) == 2
    adult = ApplicantProfileFactory(residency="work_pass")
    verdict = cohort_selectors.eligibility_for(
        cohort=adults_only, profile=adult, answers={}, questions=[], rules=rules
    )
    assert (verdict.is_eligible, verdict.final_reasons) == (False, [])
    verdict = cohort_selectors.eligibility_for(
        cohort=adults_only, profile=None, answers={}, questions=[], rules=rules
    )
    assert verdict.final_reasons == []


# --- the offer -------------------------------------------------------------------------------


@pytest.fixture
def released(programme):
    now = timezone.now()
    starts = timezone.localdate() + datetime.timedelta(days=35)
    return CohortFactory(
        programme=programme,
        name="Main intake",
        slug="main",
        opens_at=now - datetime.timedelta(days=60),
        closes_at=now - datetime.timedelta(days=30),
        starts_on=starts,
        ends_on=starts + datetime.timedelta(days=81),
        commitment="About 6 hours a week: Tuesday and Thursday evenings",
        decisions_released_at=now - datetime.timedelta(days=1),
    )


def _deadline() -> datetime.datetime:
    """Four weeks ahead, at 08:00 UTC (16:00 in Singapore)."""
    day = timezone.now().date() + datetime.timedelta(days=28)
    return datetime.datetime.combine(day, datetime.time(8, 0), tzinfo=datetime.UTC)


def _runs(cohort) -> str:
    return f"{cohort.starts_on:%-d %B %Y} to {cohort.ends_on:%-d %B %Y}"


def _offered(cohort, user):
    return OfferFactory(
        application__cohort=cohort, application__applicant=user, expires_at=_deadline()
    )


def test_open_offer_says_what_accepting_means(client, released, applicant):
    offer = _offered(released, applicant)
    client.force_login(applicant)
    body = client.get(reverse("applications:detail", args=[offer.application_id])).content.decode()
    assert _runs(released) in body
    assert "About 6 hours a week: Tuesday and Thursday evenings" in body
    # The deadline in the cohort's time zone (Singapore, UTC+8).
    assert (
        f"{offer.expires_at + datetime.timedelta(hours=8):%-d %B %Y}, 16:00 (Asia/Singapore)"
        in body
    )
    assert 'data-testid="accept-offer"' in body


def test_accepting_makes_a_participant_with_next_steps_and_no_withdraw_box(
    client, released, applicant, django_capture_on_commit_callbacks
):
    offer = _offered(released, applicant)
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("selection:offer_accept", args=[offer.application_id]))
    page = client.get(response["Location"]).content.decode()

    assert "You are a participant of Main intake" in page
    assert ">Participant<" in page
    assert "Next steps" in page
    assert "Withdraw my application" not in page
    assert "Leave the programme" in page
    notification = Notification.objects.get(recipient=applicant, kind="selection.offer_accepted")
    assert notification.text == "You accepted your seat in Main intake. Welcome!"


def test_participant_next_steps_link_what_they_have(client, released, applicant):
    from tests.factories import CourseFactory, EnrollmentFactory

    participant = ParticipantFactory(application__cohort=released, application__applicant=applicant)
    course = CourseFactory(programme=released.programme)
    EnrollmentFactory(course=course, cohort=released, user=applicant)
    client.force_login(applicant)
    body = client.get(
        reverse("applications:detail", args=[participant.application_id])
    ).content.decode()
    assert reverse("courses:mine") in body.split('data-testid="next-steps"')[1]


def test_leaving_the_programme_frees_the_seat(client, released, applicant):
    participant = ParticipantFactory(application__cohort=released, application__applicant=applicant)
    client.force_login(applicant)
    response = client.post(
        reverse("applications:withdraw", args=[participant.application_id]),
        {"reason": "New job"},
        follow=True,
    )
    assert "You have left the programme." in response.content.decode()
    assert not Participant.objects.filter(pk=participant.pk).exists()
    assert Application.objects.get(pk=participant.application_id).status == "withdrawn"


def test_offer_accept_sends_one_confirmation_with_the_dates(released, applicant):
    offer = _offered(released, applicant)
    selection_services.offer_accept(offer=offer, user=applicant)
    [notification] = Notification.objects.filter(kind="selection.offer_accepted")
    assert notification.recipient == applicant
    assert notification.url == f"/applications/{offer.application_id}/"
    [email] = EmailMessage.objects.filter(to_email=applicant.email)
    assert email.subject == "You have a seat in Main intake: welcome"
    assert f"The cohort runs from {_runs(released)}." in email.body_text
    assert (
        "What taking part asks: About 6 hours a week: Tuesday and Thursday evenings"
        in email.body_text
    )


def test_offer_decline_sends_one_confirmation(released, applicant):
    offer = _offered(released, applicant)
    selection_services.offer_decline(offer=offer, user=applicant, reason="Moving abroad")
    [notification] = Notification.objects.filter(kind="selection.offer_declined")
    assert (notification.recipient, notification.text) == (
        applicant,
        "You declined your seat in Main intake.",
    )


def test_refused_accept_sends_nothing(released, applicant):
    offer = _offered(released, applicant)
    offer.status = OfferStatus.EXPIRED
    offer.save(update_fields=["status"])
    with pytest.raises(selection_services.SelectionError):
        selection_services.offer_accept(offer=offer, user=applicant)
    assert not Notification.objects.filter(kind="selection.offer_accepted").exists()


# --- the waitlist ----------------------------------------------------------------------------


def test_waitlist_position_is_live_after_promotions(client, released, applicant):
    ahead = [
        ApplicationFactory(cohort=released, status=ApplicationStatus.WAITLISTED, waitlist_rank=n)
        for n in (1, 2, 3)
    ]
    mine = ApplicationFactory(
        cohort=released,
        applicant=applicant,
        status=ApplicationStatus.WAITLISTED,
        waitlist_rank=4,
    )
    mine.events.create(to_status=ApplicationStatus.WAITLISTED, note="Waitlisted at position 4")
    assert selectors.waitlist_position(application=mine) == 4

    # Two of those ahead were offered a seat: the stored rank stays 4, the place is now 2.
    Application.objects.filter(pk__in=[ahead[0].pk, ahead[2].pk]).update(
        status=ApplicationStatus.OFFERED
    )
    assert selectors.waitlist_position(application=mine) == 2
    client.force_login(applicant)
    body = client.get(reverse("applications:detail", args=[mine.pk])).content.decode()
    assert "You are number 2 on the waitlist now." in body
    assert "Waitlisted at position 4" not in body


def test_waitlist_position_is_none_unless_waitlisted(released, applicant):
    application = ApplicationFactory(cohort=released, status=ApplicationStatus.SUBMITTED)
    assert selectors.waitlist_position(application=application) is None


def test_waitlist_position_is_hidden_before_release(client, released, applicant):
    released.decisions_released_at = None
    released.save(update_fields=["decisions_released_at"])
    mine = ApplicationFactory(
        cohort=released, applicant=applicant, status=ApplicationStatus.WAITLISTED, waitlist_rank=1
    )
    client.force_login(applicant)
    body = client.get(reverse("applications:detail", args=[mine.pk])).content.decode()
    assert "waitlist" not in body.lower()


def test_autosave_refreshes_the_verdict_beside_submit_too(client, programme):
    cohort = CohortFactory(programme=programme, slug="main")
    EligibilityRuleFactory(cohort=cohort, attribute="residency", values=["citizen"])
    user = ApplicantProfileFactory(residency="work_pass").user
    client.force_login(user)
    client.get(_apply_url(cohort))
    application = Application.objects.get(applicant=user)
    response = client.post(
        reverse("applications:save", args=[application.pk]), {}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert 'id="eligibility"' in body
    assert (
        '<p id="submit-eligibility" class="small text-danger-emphasis" hx-swap-oob="true">' in body
    )
