"""A participant sees what they have used of their GPU hours and asks for more; the programme's
admin grants part of it from the pool; the participant sees the new limit and the answer."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from compute.enums import RequestStatus
from compute.models import Allocation, AllocationRequest
from selection.models import Participant
from tests.browser.conftest import sign_in
from tests.factories import (
    AllocationFactory,
    PartnerFactory,
    ResourcePoolFactory,
    ResourceTypeFactory,
    UsageRecordFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 360])
def test_participant_asks_for_more_and_admin_grants_part(
    live_server, page, axe_check, settings, programme, programme_admin, participant, width
):
    settings.COHORTLINE_ADMIN_MFA_REQUIRED = False
    seat = Participant.objects.get(user=participant)
    partner = PartnerFactory(name="Northwind Data Centres")
    programme.partners.add(partner)
    gpu = ResourceTypeFactory(
        programme=programme, name="H100 GPU hours", slug="gpu-h100", provider=partner
    )
    pool = ResourcePoolFactory(
        cohort=seat.cohort, resource=gpu, total=Decimal(1000), default_grant=Decimal(100)
    )
    allocation = AllocationFactory(pool=pool, participant=seat, user=participant)
    now = timezone.now()
    for day in range(17):  # 5 GPU hours a day for 17 days: 85 of 100 used.
        UsageRecordFactory(
            allocation=allocation, amount=Decimal(5), occurred_at=now - datetime.timedelta(days=day)
        )
    Allocation.objects.filter(pk=allocation.pk).update(used=Decimal(85))

    page.set_viewport_size({"width": width, "height": 900})
    page.on("dialog", lambda dialog: dialog.accept())

    # The participant finds their compute from the navigation.
    sign_in(page, live_server, participant)
    page.goto(live_server.url + "/")
    if width < 992:
        page.get_by_role("button", name="Toggle navigation").click()
    page.get_by_role("link", name="My compute").click()
    expect(page.get_by_role("heading", name="My compute", level=1)).to_be_visible()
    card = page.get_by_test_id("my-allocation")
    expect(card).to_contain_text("H100 GPU hours")
    expect(card).to_contain_text("85 % used")
    expect(card.get_by_test_id("forecast")).to_contain_text("At this rate you run out on")
    axe_check(page)

    # Asking for nothing is refused and keeps the reason typed.
    card.get_by_label("What do you need it for?").fill("Fine-tuning runs for my capstone.")
    card.get_by_role("button", name="Send the request").click()
    card = page.get_by_test_id("my-allocation")
    expect(card.get_by_label("What do you need it for?")).to_have_value(
        "Fine-tuning runs for my capstone."
    )
    card.get_by_label("How much more").fill("40")
    card.get_by_role("button", name="Send the request").click()
    expect(page.get_by_test_id("pending-request")).to_contain_text("You asked for 40 more")
    axe_check(page)
    assert AllocationRequest.objects.get().status == RequestStatus.PENDING

    # The admin works the top-up queue and grants half.
    page.context.clear_cookies()
    sign_in(page, live_server, programme_admin)
    page.goto(live_server.url + f"/programmes/{programme.slug}/")
    page.get_by_test_id("compute-link").click()
    expect(page.get_by_test_id("requests-link")).to_contain_text("1")
    axe_check(page)
    page.get_by_test_id("requests-link").click()
    request_card = page.get_by_test_id("pending")
    expect(request_card).to_contain_text("Fine-tuning runs for my capstone.")
    expect(request_card.get_by_test_id("asked")).to_contain_text("40")
    axe_check(page)
    request_card.get_by_label("Grant").fill("20")
    request_card.get_by_label("Reason").fill("Half now; ask again after your capstone review.")
    request_card.get_by_role("button", name="Decide").click()
    decided = page.get_by_test_id("decided")
    expect(decided).to_contain_text("40 / 20")
    expect(decided).to_contain_text("Partly approved")
    axe_check(page)
    allocation.refresh_from_db()
    assert allocation.limit == Decimal(120)

    # The participant sees the new limit, the history line and the answer in their inbox.
    page.context.clear_cookies()
    sign_in(page, live_server, participant)
    page.goto(live_server.url + "/compute/")
    card = page.get_by_test_id("my-allocation")
    expect(card.get_by_test_id("limit")).to_have_text("120")
    expect(card.get_by_test_id("history")).to_contain_text(
        "Half now; ask again after your capstone review."
    )
    page.goto(live_server.url + "/notifications/")
    expect(page.get_by_role("main")).to_contain_text("H100 GPU hours")
    axe_check(page)


@pytest.mark.parametrize("width", [1280, 360])
def test_admin_sets_up_compute_and_a_provider_reports_usage(
    live_server, page, axe_check, settings, programme, programme_admin, participant, width
):
    """The admin adds a resource and a pool (the participant who joined already gets the
    default grant), raises one allocation, creates a token and a provider reports usage with it."""
    settings.COHORTLINE_ADMIN_MFA_REQUIRED = False
    partner = PartnerFactory(name="Northwind Data Centres")
    programme.partners.add(partner)
    participant.display_name = "Priya Nair"
    participant.save(update_fields=["display_name"])
    cohort = Participant.objects.get(user=participant).cohort

    page.set_viewport_size({"width": width, "height": 900})
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server, programme_admin)
    page.goto(live_server.url + f"/programmes/{programme.slug}/compute/")
    expect(page.get_by_role("heading", name="Compute", level=1)).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name="New resource").click()
    page.locator("#id_name").fill("H100 GPU hours")
    page.get_by_label("Short name").fill("gpu-h100")
    page.get_by_label("Unit").select_option(label="GPU hours")
    page.get_by_label("Provided by").select_option(label="Northwind Data Centres")
    axe_check(page)
    page.get_by_role("button", name="Save resource").click()
    expect(page.get_by_test_id("resources")).to_contain_text("H100 GPU hours")

    page.get_by_role("link", name="New pool").click()
    page.get_by_label("Cohort").select_option(value=str(cohort.pk))
    page.get_by_label("Total").fill("1000")
    page.get_by_label("Default grant per participant").fill("100")
    # The cohort starts next month; its compute is open from today. The end stays the cohort's.
    page.get_by_label("Valid from").fill(timezone.localdate().isoformat())
    axe_check(page)
    page.get_by_role("button", name="Save pool").click()
    expect(page.get_by_text("Pool created. 100 of its 1000 went at once")).to_be_visible()
    expect(page.get_by_test_id("pool-free")).to_have_text("900")
    axe_check(page)

    # Raise the participant's limit, with a reason that lands in the ledger.
    page.get_by_test_id("allocations").get_by_role("link", name="Priya Nair").click()
    page.get_by_label("Amount").fill("25")
    page.get_by_label("Reason").fill("Capstone needs a longer training run")
    page.get_by_role("button", name="Change the limit").click()
    expect(page.get_by_test_id("limit")).to_have_text("125")
    expect(page.get_by_test_id("ledger")).to_contain_text("Capstone needs a longer training run")
    axe_check(page)

    # A token for the data centre's accounting: shown once.
    page.goto(live_server.url + f"/programmes/{programme.slug}/compute/tokens/")
    page.locator("#id_name").fill("Northwind accounting")
    page.get_by_label("H100 GPU hours").check()
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_test_id("secret").inner_text().strip()
    expect(page.get_by_test_id("curl")).to_contain_text("/api/v1/usage")
    axe_check(page)

    answer = page.request.post(
        live_server.url + "/api/v1/usage",
        headers={"Authorization": f"Bearer {secret}"},
        data={
            "records": [
                {
                    "event_id": "nw-0001",
                    "participant": participant.email,
                    "resource": "gpu-h100",
                    "amount": 110,
                    "occurred_at": timezone.now().isoformat(),
                }
            ]
        },
    )
    result = answer.json()
    assert result["totals"]["accepted"] == 1, result

    # The admin sees the participant in the "running low" list; the token's last use shows.
    page.goto(live_server.url + f"/programmes/{programme.slug}/compute/")
    expect(page.get_by_test_id("alerts")).to_contain_text("Priya Nair")
    page.goto(live_server.url + f"/programmes/{programme.slug}/compute/tokens/")
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_test_id("tokens")).to_contain_text("Revoked")
    axe_check(page)
