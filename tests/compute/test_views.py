"""The compute pages: the programme's catalogue, pools, allocations, top-ups and tokens for its
admins (and, read-only, its staff), and each participant's own compute page."""

import datetime
import hashlib
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from compute import services
from compute.enums import AllocationStatus, ChangeKind, Metering, RequestStatus
from compute.models import (
    Allocation,
    AllocationChange,
    AllocationRequest,
    IntegrationToken,
    ResourcePool,
    ResourceType,
)
from core.models import AuditEntry
from selection.models import Participant
from tests.auth import sign_in_confirmed
from tests.factories import (
    AllocationFactory,
    AllocationRequestFactory,
    CohortFactory,
    IntegrationTokenFactory,
    PartnerFactory,
    ResourcePoolFactory,
    ResourceTypeFactory,
    UsageRecordFactory,
)
from tests.pages import P, breadcrumbs, confirm_forms, empty

pytestmark = pytest.mark.django_db

COMPUTE = P + "compute/"


# --- the world -------------------------------------------------------------------------------


@pytest.fixture
def partner(programme):
    partner = PartnerFactory(name="Acme Cloud")
    programme.partners.add(partner)
    return partner


@pytest.fixture
def resource(programme, partner):
    return ResourceTypeFactory(
        programme=programme, name="H100 GPU hours", slug="gpu-h100", provider=partner
    )


@pytest.fixture
def seat(participant):
    participant.display_name = "Priya Nair"
    participant.save(update_fields=["display_name"])
    return Participant.objects.get(user=participant)


@pytest.fixture
def pool(seat, resource):
    return ResourcePoolFactory(
        cohort=seat.cohort, resource=resource, total=Decimal(1000), default_grant=Decimal(100)
    )


@pytest.fixture
def allocation(pool, seat):
    return AllocationFactory(pool=pool, participant=seat, user=seat.user, limit=Decimal(100))


@pytest.fixture
def other_world(other_programme):
    """Another programme's resource, pool, allocation, request and token: never visible here."""
    resource = ResourceTypeFactory(programme=other_programme, slug="gpu-h100")
    pool = ResourcePoolFactory(cohort=CohortFactory(programme=other_programme), resource=resource)
    allocation = AllocationFactory(pool=pool)
    return {
        "resource": resource,
        "pool": pool,
        "allocation": allocation,
        "request": AllocationRequestFactory(allocation=allocation),
        "token": IntegrationTokenFactory(programme=other_programme),
    }


def _holder(pool, email: str, name: str = "", **extra):
    """An allocation of the pool held by a new participant with this email."""
    return AllocationFactory(
        pool=pool,
        participant__application__applicant__email=email,
        participant__application__applicant__display_name=name,
        **extra,
    )


def _login(client, user):
    client.force_login(user)
    return client


def _body(response) -> str:
    return response.content.decode()


def _snapshot() -> dict:
    return {
        model.__name__: list(model.objects.order_by("pk").values_list())
        for model in (
            ResourceType,
            ResourcePool,
            Allocation,
            AllocationChange,
            AllocationRequest,
            IntegrationToken,
        )
    }


def _refused_unchanged(client, method, url, data=None, status=(404,)):
    before = _snapshot()
    response = getattr(client, method)(url, data or {})
    assert response.status_code in status, (url, response.status_code)
    assert _snapshot() == before
    return response


def _cells(body: str, testid: str) -> list[list[str]]:
    """The rows of the table with this data-testid, as lists of cell texts."""
    table = body.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S)
    return [
        [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in rows
    ]


# --- access: every admin page refuses those who may not see it -------------------------------

ADMIN_PAGES = [
    "compute:overview",
    "compute:export",
    "compute:resource_create",
    "compute:pool_create",
    "compute:request_list",
    "compute:token_list",
]


@pytest.mark.parametrize("name", ADMIN_PAGES)
@pytest.mark.parametrize("persona", ["outsider", "other_programme_admin", "participant", "mentor"])
def test_programme_compute_pages_are_404_without_the_role(
    client, request, programme, name, persona, allocation
):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse(name, args=[programme.slug]))
    # A mentor holds a role in the programme, so it is there: they may just not see compute.
    assert response.status_code == (403 if persona == "mentor" else 404)
    assert "H100" not in _body(response)


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_programme_compute_pages_send_visitors_to_sign_in(client, programme, name):
    response = client.get(reverse(name, args=[programme.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- overview --------------------------------------------------------------------------------


def test_overview_shows_catalogue_pools_alerts_and_pending(
    client, programme, programme_admin, resource, pool, allocation, other_world
):
    ResourceTypeFactory(
        programme=programme,
        name="Storage",
        slug="storage",
        unit="gb",
        metering=Metering.LEVEL,
        provider=None,
    )
    full = _holder(pool, "full@example.com", limit=Decimal(10))
    Allocation.objects.filter(pk=full.pk).update(used=Decimal(10))
    Allocation.objects.filter(pk=allocation.pk).update(used=Decimal(85))
    AllocationRequestFactory(allocation=allocation)
    body = _body(_login(client, programme_admin).get(COMPUTE))

    assert breadcrumbs(body) == [
        ("Dashboard", "/dashboard/"),
        ("AI Forward 2026", P),
        ("Compute", ""),
    ]
    assert _cells(body, "resources") == [
        [
            "H100 GPU hours",
            "gpu-h100",
            "GPU hours",
            "Acme Cloud",
            "Accumulates",
            "Edit : H100 GPU hours",
        ],
        ["Storage", "storage", "GB", "—", "Level", "Edit : Storage"],
    ]
    assert _cells(body, "pools") == [
        [
            "H100 GPU hours (GPU hours)",
            "1,000",
            "110",
            "890 890 of 1,000",  # small screens: what is free of the total, in short
            "100",
            f"{pool.valid_from:%-d %b %Y} – {pool.valid_until:%-d %b %Y}",
            "No",
            "2 at 80 %+ 1 at 100 %",
            f"Edit : {pool}",
        ]
    ]
    assert f'href="{COMPUTE}pools/{pool.pk}/?level=100"' in body
    assert _cells(body, "alerts") == [
        [
            "full@example.com full@example.com · H100 GPU hours",
            "H100 GPU hours",
            "Spring intake",
            "10 / 10",
            "100 %",
        ],
        [
            "Priya Nair participant@example.com · H100 GPU hours",
            "H100 GPU hours",
            "Spring intake",
            "85 / 100",
            "85 %",
        ],
    ]
    assert '<span class="badge text-bg-primary">1<span class="visually-hidden"> pending' in body
    assert "Green Skills" not in body
    assert f"/resources/{other_world['resource'].pk}/" not in body


def test_overview_for_staff_has_no_edit_links(client, programme, staff, resource, pool):
    body = _body(_login(client, staff).get(COMPUTE))
    assert "H100 GPU hours" in body
    assert "/resources/new/" not in body and "/pools/new/" not in body
    assert "/edit/" not in body and f"/resources/{resource.pk}/" not in body


def test_overview_empty_says_what_to_do_next(client, programme, programme_admin):
    body = _body(_login(client, programme_admin).get(COMPUTE))
    assert empty(body) == [
        "No pools yet. Each cohort gets a pool of each resource; add a resource first.",
        "Nobody is running low. Allocations that reach 80 % and 100 % of their limit are "
        "listed here; their holders are told once each.",
        "No resources yet. Add what the partners provide — GPU hours, LLM tokens, storage — "
        "then give each cohort a pool of it. Add a resource",
    ]


def test_programme_page_links_compute_for_admins_and_staff_only(
    client, programme, programme_admin, staff, mentor
):
    link = f'href="{COMPUTE}" data-testid="compute-link"'
    assert link in _body(_login(client, programme_admin).get(P))
    assert link in _body(_login(client, staff).get(P))
    assert link not in _body(_login(client, mentor).get(P))


# --- export ----------------------------------------------------------------------------------


def test_export_lists_every_allocation_of_the_programme(
    client, programme, programme_admin, pool, allocation, other_world
):
    Allocation.objects.filter(pk=allocation.pk).update(used=Decimal("100"))
    sign_in_confirmed(client, programme_admin)
    response = client.get(COMPUTE + "export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    lines = b"".join(response.streaming_content).decode().lstrip("\ufeff").splitlines()
    assert lines == [
        "email,name,cohort,resource,unit,limit,used,remaining,percent,status,exhausted",
        "participant@example.com,Priya Nair,Spring intake,H100 GPU hours,"
        "GPU hours,100,100,0,100,Active,yes",
    ]
    assert AuditEntry.objects.filter(action="compute.allocations_export").count() == 1


def test_export_neutralises_formulas(client, programme, programme_admin, pool):
    _holder(pool, "formula@example.com", "=HYPERLINK(1)")
    sign_in_confirmed(client, programme_admin)
    text = b"".join(client.get(COMPUTE + "export/").streaming_content).decode()
    assert ",'=HYPERLINK(1)," in text


def test_export_for_staff_and_not_for_outsiders(client, programme, staff, outsider, allocation):
    sign_in_confirmed(client, staff)
    assert client.get(COMPUTE + "export/").status_code == 200
    client.force_login(outsider)
    assert client.get(COMPUTE + "export/").status_code == 404


# --- resources -------------------------------------------------------------------------------


def _resource_data(**changes):
    return {
        "name": "A100 GPU hours",
        "slug": "gpu-a100",
        "unit": "gpu_hours",
        "metering": "accumulates",
        "provider": "",
        "description": "",
        **changes,
    }


def test_resource_create(client, programme, programme_admin, partner):
    response = _login(client, programme_admin).post(
        COMPUTE + "resources/new/", _resource_data(provider=partner.pk)
    )
    assert response.status_code == 302 and response["Location"] == COMPUTE
    resource = ResourceType.objects.get()
    assert (resource.programme, resource.slug, resource.provider) == (
        programme,
        "gpu-a100",
        partner,
    )


def test_resource_create_offers_only_the_programmes_partners(
    client, programme, programme_admin, partner
):
    stranger = PartnerFactory(name="Not a partner")
    client.force_login(programme_admin)
    body = _body(client.get(COMPUTE + "resources/new/"))
    assert "Acme Cloud" in body and "Not a partner" not in body
    response = client.post(COMPUTE + "resources/new/", _resource_data(provider=stranger.pk))
    assert response.status_code == 400
    assert "Select a valid choice" in _body(response)
    assert not ResourceType.objects.exists()


def test_resource_with_a_taken_short_name_is_a_form_error(
    client, programme, programme_admin, resource
):
    response = _login(client, programme_admin).post(
        COMPUTE + "resources/new/", _resource_data(slug="gpu-h100", name="Typed name")
    )
    body = _body(response)
    assert response.status_code == 400
    assert "The programme already has a resource with that short name." in body
    assert 'value="Typed name"' in body
    assert ResourceType.objects.count() == 1


def test_resource_short_name_may_repeat_in_another_programme(
    client, programme, programme_admin, other_world
):
    response = _login(client, programme_admin).post(
        COMPUTE + "resources/new/", _resource_data(slug="gpu-h100")
    )
    assert response.status_code == 302


def test_resource_edit(client, programme, programme_admin, resource):
    url = COMPUTE + f"resources/{resource.pk}/"
    client.force_login(programme_admin)
    body = _body(client.get(url))
    assert breadcrumbs(body)[-2:] == [("Compute", COMPUTE), ("Edit H100 GPU hours", "")]
    response = client.post(url, _resource_data(name="H100 hours", slug="gpu-h100"))
    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.name == "H100 hours"


def test_resource_pages_refuse_staff_and_other_programmes(
    client, programme, staff, other_programme_admin, resource, other_world
):
    client.force_login(staff)
    _refused_unchanged(client, "get", COMPUTE + "resources/new/", status=(403,))
    _refused_unchanged(client, "post", COMPUTE + "resources/new/", _resource_data(), (403,))
    _refused_unchanged(
        client, "post", COMPUTE + f"resources/{resource.pk}/", _resource_data(), (403,)
    )
    client.force_login(other_programme_admin)
    _refused_unchanged(client, "post", COMPUTE + f"resources/{resource.pk}/", _resource_data())
    # Their own resource, through our programme's address: not found either.
    client.force_login(staff)
    other = other_world["resource"].pk
    _refused_unchanged(client, "get", COMPUTE + f"resources/{other}/", status=(403,))


def test_resource_of_another_programme_is_404_for_an_admin(
    client, programme, programme_admin, other_world
):
    client.force_login(programme_admin)
    url = COMPUTE + f"resources/{other_world['resource'].pk}/"
    _refused_unchanged(client, "post", url, _resource_data())


# --- pools -----------------------------------------------------------------------------------


def _pool_data(cohort, resource, **changes):
    today = timezone.localdate()
    return {
        "cohort": cohort.pk,
        "resource": resource.pk,
        "total": "500",
        "default_grant": "50",
        "valid_from": today.isoformat(),
        "valid_until": (today + datetime.timedelta(days=90)).isoformat(),
        **changes,
    }


def test_pool_create(client, programme, programme_admin, resource, seat):
    response = _login(client, programme_admin).post(
        COMPUTE + "pools/new/", _pool_data(seat.cohort, resource, hard_limit="on")
    )
    pool = ResourcePool.objects.get()
    assert response.status_code == 302
    assert response["Location"] == COMPUTE + f"pools/{pool.pk}/"
    assert (pool.total, pool.default_grant, pool.hard_limit) == (Decimal(500), Decimal(50), True)
    # The participant who had already joined got the default grant at once, and is told so.
    assert Allocation.objects.get(pool=pool, user=seat.user).limit == Decimal(50)
    page = client.get(response["Location"]).content.decode()
    assert "Pool created. 50 of its 500 went at once to the participants" in page


def test_pool_create_without_dates_takes_the_cohorts(
    client, programme, programme_admin, resource, seat
):
    response = _login(client, programme_admin).post(
        COMPUTE + "pools/new/", _pool_data(seat.cohort, resource, valid_from="", valid_until="")
    )
    assert response.status_code == 302
    pool = ResourcePool.objects.get()
    assert (pool.valid_from, pool.valid_until) == (seat.cohort.starts_on, seat.cohort.ends_on)


def test_pool_form_preselects_the_only_cohort_and_resource(
    client, programme, programme_admin, resource, seat
):
    page = _login(client, programme_admin).get(COMPUTE + "pools/new/").content.decode()
    assert f'<option value="{seat.cohort.pk}" selected>' in page
    assert f'<option value="{resource.pk}" selected>' in page


@pytest.mark.parametrize(
    ("changes", "field_error"),
    [
        ({"total": "-1"}, "Ensure this value is greater than or equal to 0."),
        ({"total": ""}, "This field is required."),
        ({"total": "lots"}, "Enter a number."),
        ({"total": "9" * 40}, "Ensure that there are no more than 20 digits in total."),
        ({"default_grant": "600"}, "The default grant cannot exceed the total."),
        ({"valid_until": "2000-01-01"}, "The pool must end on or after the day it starts."),
    ],
)
def test_pool_create_refuses_bad_input_and_keeps_it(
    client, programme, programme_admin, resource, seat, changes, field_error
):
    response = _login(client, programme_admin).post(
        COMPUTE + "pools/new/", _pool_data(seat.cohort, resource, **changes)
    )
    assert response.status_code == 400
    assert field_error in _body(response)
    assert not ResourcePool.objects.exists()


def test_pool_create_offers_only_the_programmes_cohorts_and_resources(
    client, programme, programme_admin, resource, seat, other_world
):
    client.force_login(programme_admin)
    theirs_cohort = _pool_data(other_world["pool"].cohort, resource)
    theirs_resource = _pool_data(seat.cohort, other_world["resource"])
    for data in (theirs_cohort, theirs_resource):
        response = client.post(COMPUTE + "pools/new/", data)
        assert response.status_code == 400
        assert "Select a valid choice" in _body(response)
    assert ResourcePool.objects.filter(cohort__programme=programme).count() == 0


def test_a_second_pool_of_a_resource_for_a_cohort_is_a_form_error(
    client, programme, programme_admin, pool
):
    response = _login(client, programme_admin).post(
        COMPUTE + "pools/new/", _pool_data(pool.cohort, pool.resource)
    )
    assert response.status_code == 400
    assert "already exists" in _body(response)
    assert ResourcePool.objects.count() == 1


def test_pool_edit_cannot_go_below_what_is_allocated(
    client, programme, programme_admin, pool, allocation
):
    url = COMPUTE + f"pools/{pool.pk}/edit/"
    client.force_login(programme_admin)
    response = client.post(url, _pool_data(pool.cohort, pool.resource, total="50"))
    assert response.status_code == 400
    assert "100 are already allocated; the total cannot be less." in _body(response)
    pool.refresh_from_db()
    assert pool.total == Decimal(1000)
    response = client.post(url, _pool_data(pool.cohort, pool.resource, total="150"))
    assert response.status_code == 302
    pool.refresh_from_db()
    assert (pool.total, pool.allocated) == (Decimal(150), Decimal(100))


def test_pool_edit_keeps_cohort_and_resource(client, programme, programme_admin, pool):
    other_cohort = CohortFactory(programme=programme)
    client.force_login(programme_admin)
    response = client.post(
        COMPUTE + f"pools/{pool.pk}/edit/", _pool_data(other_cohort, pool.resource, total="900")
    )
    assert response.status_code == 302
    pool.refresh_from_db()
    assert (pool.cohort_id, pool.total) == (Participant.objects.get().cohort_id, Decimal(900))


def test_pool_forms_refuse_staff_and_other_programmes(
    client, programme, staff, other_programme_admin, programme_admin, pool, other_world
):
    data = _pool_data(pool.cohort, pool.resource, total="5")
    client.force_login(staff)
    _refused_unchanged(client, "get", COMPUTE + "pools/new/", status=(403,))
    _refused_unchanged(client, "post", COMPUTE + "pools/new/", data, (403,))
    _refused_unchanged(client, "post", COMPUTE + f"pools/{pool.pk}/edit/", data, (403,))
    client.force_login(other_programme_admin)
    _refused_unchanged(client, "post", COMPUTE + f"pools/{pool.pk}/edit/", data)
    client.force_login(programme_admin)
    _refused_unchanged(client, "post", COMPUTE + f"pools/{other_world['pool'].pk}/edit/", data)


# --- the pool page ---------------------------------------------------------------------------


def test_pool_page_lists_allocations_usage_and_top_users(
    client, programme, programme_admin, pool, allocation
):
    other = _holder(pool, "zed@example.com", limit=Decimal(50))
    Allocation.objects.filter(pk=other.pk).update(used=Decimal(40))
    UsageRecordFactory(allocation=allocation, amount=Decimal("2.5"))
    body = _body(_login(client, programme_admin).get(COMPUTE + f"pools/{pool.pk}/"))

    assert breadcrumbs(body)[-2:] == [("Compute", COMPUTE), ("H100 GPU hours · Spring intake", "")]
    assert _cells(body, "allocations") == [
        # Small screens show what was used under the limit, wide ones in its own column.
        # Small screens show the status under the name, too.
        [
            "",
            "Priya Nair participant@example.com Active",
            "100 0 used",
            "0",
            "100",
            "0 % 0 %",
            "Active",
        ],
        [
            "",
            "zed@example.com zed@example.com Active",
            "50 40 used",
            "40",
            "10",
            "80 % 80 %",
            "Active",
        ],
    ]
    top = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body.split('data-testid="top-users"')[1]))
    assert top.index("zed@example.com 40 / 50") < top.index("Priya Nair 0 / 100")
    data = re.search(r'<script id="usage-data" type="application/json">(.*?)</script>', body)
    assert '"values": [' in data.group(1) and "2.5]" in data.group(1)
    assert "2.5 GPU hours used in these 60 days." in body
    assert 'data-usage-chart="usage-data"' in body and "js/compute-usage-chart.js" in body
    assert 'name="allocations"' in body and 'action="' + COMPUTE + f'pools/{pool.pk}/bulk/"' in body


def test_pool_page_filters_by_level_and_by_name_or_email(
    client, programme, programme_admin, pool, allocation
):
    for email, used in (
        ("half@example.com", 25),
        ("most@example.com", 45),
        ("all@example.com", 52),
    ):
        holder = _holder(pool, email, limit=Decimal(50))
        Allocation.objects.filter(pk=holder.pk).update(used=Decimal(used))
    left = _holder(pool, "left@example.com", limit=Decimal(50))
    Allocation.objects.filter(pk=left.pk).update(
        used=Decimal(50), status=AllocationStatus.SUSPENDED
    )
    _login(client, programme_admin)

    def emails(**params):
        body = _body(client.get(COMPUTE + f"pools/{pool.pk}/", params))
        if 'data-testid="allocations"' not in body:
            return [], body
        rows = _cells(body, "allocations")
        return [re.findall(r"\S+@\S+", row[1])[-1] for row in rows], body

    # At 80 % or more: the fullest first; a suspended allocation is nobody's alert.
    assert emails(level="80")[0] == ["all@example.com", "most@example.com"]
    listed, body = emails(level="100")
    assert listed == ["all@example.com"]
    assert _cells(body, "allocations")[0][-1] == "Exhausted"
    assert '<option value="100" selected>At 100 %</option>' in body
    assert emails(q="MOST")[0] == ["most@example.com"]
    assert emails(q="Priya")[0] == ["participant@example.com"]
    # An unknown level shows everyone; a search that finds nobody says so and keeps the words.
    assert len(emails(level="7")[0]) == 5
    listed, body = emails(q="nobody-here")
    assert "No allocation matches the filter." in body
    assert 'value="nobody-here"' in body


def test_pool_page_for_staff_has_no_forms(client, programme, staff, pool, allocation):
    body = _body(_login(client, staff).get(COMPUTE + f"pools/{pool.pk}/"))
    assert "Priya Nair" in body
    assert 'name="allocations"' not in body and "/upload/" not in body and "/edit/" not in body


def test_pool_of_another_programme_is_404(
    client, programme, programme_admin, other_programme_admin, pool, other_world
):
    client.force_login(programme_admin)
    assert client.get(COMPUTE + f"pools/{other_world['pool'].pk}/").status_code == 404
    client.force_login(other_programme_admin)
    assert client.get(COMPUTE + f"pools/{pool.pk}/").status_code == 404


@pytest.mark.parametrize("count", [1, 3])
def test_pool_page_query_count(
    client, programme, programme_admin, pool, django_assert_num_queries, count
):
    for _ in range(count):
        allocation = AllocationFactory(pool=pool)
        UsageRecordFactory(allocation=allocation)
    client.force_login(programme_admin)
    # session, user, roles (with the authenticator), pool, page count, page rows, top users, usage
    # by day, navigation and bell
    with django_assert_num_queries(9):
        assert client.get(COMPUTE + f"pools/{pool.pk}/").status_code == 200


def _bulk(client, pool, allocations, **changes):
    data = {
        "allocations": [a.pk for a in allocations],
        "mode": "add",
        "amount": "10",
        "reason": "Capstone projects",
        **changes,
    }
    return client.post(COMPUTE + f"pools/{pool.pk}/bulk/", data)


def test_bulk_adjust_changes_every_ticked_allocation(
    client, programme, programme_admin, pool, allocation
):
    other = AllocationFactory(pool=pool)
    untouched = AllocationFactory(pool=pool)
    response = _bulk(
        _login(client, programme_admin), pool, [allocation, other], mode="set", amount="150"
    )
    assert response.status_code == 302
    assert [a.limit for a in Allocation.objects.order_by("pk")] == [150, 150, 100]
    pool.refresh_from_db()
    assert pool.allocated == Decimal(400)
    change = AllocationChange.objects.filter(allocation=allocation).latest("pk")
    assert (change.kind, change.delta, change.reason, change.actor) == (
        ChangeKind.SET,
        Decimal(50),
        "Capstone projects",
        programme_admin,
    )
    assert not AllocationChange.objects.filter(allocation=untouched).exists()


def test_bulk_adjust_beyond_the_pool_changes_nothing_and_keeps_the_input(
    client, programme, programme_admin, pool, allocation
):
    others = [AllocationFactory(pool=pool) for _ in range(2)]
    ResourcePool.objects.filter(pk=pool.pk).update(total=Decimal(550))
    before = _snapshot()
    # 250 free: the first two fit, the third does not — so none changes.
    response = _bulk(
        _login(client, programme_admin), pool, [allocation, *others], amount="120", reason="Typed"
    )
    body = _body(response)
    assert response.status_code == 400
    assert _snapshot() == before
    assert "Nothing was changed." in body and "The pool has only 10 GPU hours left" in body
    assert 'value="120"' in body and 'value="Typed"' in body
    for ticked in (allocation, *others):
        assert f'value="{ticked.pk}" id="select-{ticked.pk}" checked' in body


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"amount": ""}, "This field is required."),
        ({"amount": "ten"}, "Enter a number."),
        ({"amount": "NaN"}, "Enter a number."),
        ({"amount": "-5", "mode": "set"}, "A limit cannot be negative."),
        ({"amount": "9" * 40}, "Ensure that there are no more than 20 digits in total."),
        ({"reason": ""}, "This field is required."),
        ({"mode": "multiply"}, "Select a valid choice."),
    ],
)
def test_bulk_adjust_refuses_bad_input(
    client, programme, programme_admin, pool, allocation, changes, error
):
    before = _snapshot()
    response = _bulk(_login(client, programme_admin), pool, [allocation], **changes)
    assert response.status_code == 400
    assert error in _body(response)
    assert _snapshot() == before


def test_bulk_adjust_needs_ticked_allocations_of_this_pool(
    client, programme, programme_admin, pool, allocation, other_world
):
    client.force_login(programme_admin)
    before = _snapshot()
    response = _bulk(client, pool, [])
    assert response.status_code == 400
    assert "Tick the allocations to change first." in _body(response)
    response = _bulk(client, pool, [other_world["allocation"]])
    assert response.status_code == 400
    assert "Select a valid choice." in _body(response)
    assert _snapshot() == before


def test_bulk_adjust_add_negative_takes_away(client, programme, programme_admin, pool, allocation):
    response = _bulk(_login(client, programme_admin), pool, [allocation], amount="-30")
    assert response.status_code == 302
    allocation.refresh_from_db()
    pool.refresh_from_db()
    assert (allocation.limit, pool.allocated) == (Decimal(70), Decimal(70))


def test_bulk_adjust_refuses_staff_and_other_programmes(
    client, programme, staff, other_programme_admin, pool, allocation
):
    url = COMPUTE + f"pools/{pool.pk}/bulk/"
    data = {"allocations": [allocation.pk], "mode": "add", "amount": "1", "reason": "x"}
    client.force_login(staff)
    _refused_unchanged(client, "post", url, data, (403,))
    client.force_login(other_programme_admin)
    _refused_unchanged(client, "post", url, data)
    assert client.get(url).status_code in (404, 405)


def _upload(client, pool, text: str, **changes):
    data = {
        "file": SimpleUploadedFile("changes.csv", text.encode(), content_type="text/csv"),
        "mode": "add",
        "reason": "Hackathon week",
        **changes,
    }
    return client.post(COMPUTE + f"pools/{pool.pk}/upload/", data)


def test_csv_upload_applies_every_row(client, programme, programme_admin, pool, allocation):
    other = _holder(pool, "zed@example.com")
    text = (
        "email,resource,amount\nparticipant@example.com,gpu-h100,25\nZED@example.com,gpu-h100,5\n"
    )
    response = _upload(_login(client, programme_admin), pool, text)
    assert response.status_code == 302
    allocation.refresh_from_db()
    other.refresh_from_db()
    assert (allocation.limit, other.limit) == (Decimal(125), Decimal(105))


def test_csv_upload_with_bad_rows_applies_nothing_and_lists_the_lines(
    client, programme, programme_admin, pool, allocation
):
    text = (
        "email,resource,amount\n"
        "participant@example.com,gpu-h100,25\n"
        "nobody@example.com,gpu-h100,5\n"
        "participant@example.com,gpu-h100,lots\n"
        "participant@example.com,gpu-h100\n"
    )
    before = _snapshot()
    response = _upload(_login(client, programme_admin), pool, text, reason="Kept reason")
    body = _body(response)
    assert response.status_code == 400
    assert _snapshot() == before
    listed = re.findall(
        r"<li>(.*?)</li>", body.split('data-testid="csv-errors"')[1].split("</ul>")[0]
    )
    assert listed == ["Line 5: expected email,resource,amount."]
    assert 'value="Kept reason"' in body
    # With the malformed line gone, each bad row is named.
    response = _upload(client, pool, text.rsplit("\n", 2)[0] + "\n")
    body = _body(response)
    listed = re.findall(
        r"<li>(.*?)</li>", body.split('data-testid="csv-errors"')[1].split("</ul>")[0]
    )
    assert listed == [
        "Line 3: nobody@example.com has no allocation of gpu-h100.",
        "Line 4: lots is not a number.",
    ]
    assert _snapshot() == before


def test_csv_upload_beyond_the_pool_applies_nothing(
    client, programme, programme_admin, pool, allocation
):
    before = _snapshot()
    response = _upload(
        _login(client, programme_admin), pool, "participant@example.com,gpu-h100,5000\n"
    )
    assert response.status_code == 400
    assert "Line 1: The pool has only 900 GPU hours left; 5,000 were asked for." in _body(response)
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ("", "The submitted file is empty."),
        ("\n\n", "The file holds no rows."),
        ("a\x00b,gpu-h100,1\n", "NUL character"),
    ],
)
def test_csv_upload_refuses_an_unusable_file(
    client, programme, programme_admin, pool, allocation, content, error
):
    before = _snapshot()
    response = _upload(_login(client, programme_admin), pool, content)
    assert response.status_code == 400
    assert error in _body(response)
    assert _snapshot() == before


@pytest.mark.parametrize("amount", ["1e30", "0.00001", "12345678901234567"])
def test_csv_upload_refuses_amounts_a_limit_cannot_hold(
    client, programme, programme_admin, pool, allocation, amount
):
    before = _snapshot()
    response = _upload(
        _login(client, programme_admin), pool, f"participant@example.com,gpu-h100,{amount}\n"
    )
    assert response.status_code == 400
    assert f"Line 1: {amount} has more than 4 decimal places or is too large." in _body(response)
    assert _snapshot() == before


def test_csv_upload_refuses_staff(client, programme, staff, pool, allocation):
    client.force_login(staff)
    before = _snapshot()
    response = _upload(client, pool, "participant@example.com,gpu-h100,25\n")
    assert response.status_code == 403
    assert _snapshot() == before


# --- the allocation page ---------------------------------------------------------------------


def test_allocation_page_shows_figures_ledger_and_chart(
    client, programme, programme_admin, pool, allocation
):
    services.allocation_adjust(
        allocation=allocation,
        mode="add",
        amount=Decimal(20),
        reason="Extra lab",
        actor=programme_admin,
    )
    Allocation.objects.filter(pk=allocation.pk).update(used=Decimal(30))
    UsageRecordFactory(allocation=allocation, amount=Decimal(3))
    body = _body(_login(client, programme_admin).get(COMPUTE + f"allocations/{allocation.pk}/"))
    assert breadcrumbs(body)[-2:] == [
        ("Compute", COMPUTE),
        ("H100 GPU hours of participant@example.com", ""),
    ]
    figures = re.sub(
        r"\s+",
        " ",
        re.sub(
            r"<[^>]+>",
            " ",
            body.split('data-testid="allocation-figures">')[1].split("<progress")[0],
        ),
    )
    assert " ".join(figures.split()) == "Limit 120 GPU hours Used 30 Remaining 90 Used % 25 %"
    ledger = _cells(body, "ledger")
    assert [row[1:] for row in ledger] == [
        # The reason shows under the change on small screens, in its own column on wide ones.
        ["Added (+20) Extra lab", "120", "Extra lab", "programme.admin@example.com"],
    ]
    assert "3 GPU hours used in these 60 days." in body
    assert confirm_forms(body) == {
        COMPUTE + f"allocations/{allocation.pk}/suspend/": "Suspend this allocation? Providers "
        "are told to stop this participant's use of the resource until it is resumed."
    }


def test_allocation_page_for_staff_has_no_forms(client, programme, staff, allocation):
    body = _body(_login(client, staff).get(COMPUTE + f"allocations/{allocation.pk}/"))
    assert "participant@example.com" in body
    assert "/adjust/" not in body and "/suspend/" not in body


def test_allocation_adjust(client, programme, programme_admin, pool, allocation):
    url = COMPUTE + f"allocations/{allocation.pk}/adjust/"
    client.force_login(programme_admin)
    response = client.post(url, {"mode": "set", "amount": "40", "reason": "Finished early"})
    assert response.status_code == 302
    allocation.refresh_from_db()
    pool.refresh_from_db()
    assert (allocation.limit, pool.allocated) == (Decimal(40), Decimal(40))


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"mode": "set", "amount": "-1", "reason": "x"}, "A limit cannot be negative."),
        ({"mode": "add", "amount": "-101", "reason": "x"}, "A limit cannot be negative."),
        ({"mode": "add", "amount": "", "reason": "x"}, "This field is required."),
        ({"mode": "add", "amount": "1,5", "reason": "x"}, "Enter a number."),
        ({"mode": "add", "amount": "1", "reason": ""}, "This field is required."),
        ({"mode": "add", "amount": "901", "reason": "x"}, "The pool has only 900 GPU hours left"),
    ],
)
def test_allocation_adjust_refuses_bad_input_and_keeps_it(
    client, programme, programme_admin, allocation, data, error
):
    before = _snapshot()
    response = _login(client, programme_admin).post(
        COMPUTE + f"allocations/{allocation.pk}/adjust/", data
    )
    body = _body(response)
    assert response.status_code == 400
    assert error in body
    if data["amount"]:
        assert f'value="{data["amount"]}"' in body
    assert _snapshot() == before


def test_allocation_suspend_and_resume(client, programme, programme_admin, allocation):
    client.force_login(programme_admin)
    base = COMPUTE + f"allocations/{allocation.pk}/"
    assert client.post(base + "suspend/").status_code == 302
    allocation.refresh_from_db()
    assert allocation.status == AllocationStatus.SUSPENDED
    assert "resume/" in "".join(confirm_forms(_body(client.get(base))))
    assert client.post(base + "resume/").status_code == 302
    allocation.refresh_from_db()
    assert allocation.status == AllocationStatus.ACTIVE
    assert [
        c.kind for c in AllocationChange.objects.filter(allocation=allocation).order_by("pk")
    ] == [
        ChangeKind.SUSPEND,
        ChangeKind.RESUME,
    ]


@pytest.mark.parametrize("action", ["adjust/", "suspend/", "resume/"])
def test_allocation_actions_refuse_staff_other_programmes_and_participants(
    client, programme, staff, other_programme_admin, participant, allocation, action
):
    url = COMPUTE + f"allocations/{allocation.pk}/{action}"
    data = {"mode": "set", "amount": "1", "reason": "x"}
    client.force_login(staff)
    _refused_unchanged(client, "post", url, data, (403,))
    for persona in (other_programme_admin, participant):
        client.force_login(persona)
        _refused_unchanged(client, "post", url, data)
        assert client.get(COMPUTE + f"allocations/{allocation.pk}/").status_code == 404


def test_allocation_of_another_programme_is_404(client, programme, programme_admin, other_world):
    client.force_login(programme_admin)
    theirs = other_world["allocation"].pk
    assert client.get(COMPUTE + f"allocations/{theirs}/").status_code == 404
    _refused_unchanged(
        client,
        "post",
        COMPUTE + f"allocations/{theirs}/adjust/",
        {"mode": "set", "amount": "1", "reason": "x"},
    )


# --- top-up requests -------------------------------------------------------------------------


def test_request_queue_shows_what_is_asked_and_what_is_free(
    client, programme, programme_admin, pool, allocation
):
    Allocation.objects.filter(pk=allocation.pk).update(used=Decimal(95))
    request_obj = AllocationRequestFactory(allocation=allocation, amount=Decimal(40))
    body = _body(_login(client, programme_admin).get(COMPUTE + "requests/"))
    card = re.sub(
        r"\s+",
        " ",
        re.sub(r"<[^>]+>", " ", body.split(f'id="request-{request_obj.pk}"')[1].split("<form")[0]),
    )
    assert "Priya Nair · H100 GPU hours" in card
    assert "Asks for 40 GPU hours Limit / used 100 / 95 Pool free 900" in card
    assert "Fine-tuning runs for my capstone project." in card
    assert 'name="granted"' in body and 'value="40"' in body
    assert empty(body) == ["Nothing decided yet."]


def _decide(client, request_obj, **data):
    return client.post(COMPUTE + f"requests/{request_obj.pk}/decide/", data)


def test_request_approve_all(client, programme, programme_admin, pool, allocation):
    request_obj = AllocationRequestFactory(allocation=allocation, amount=Decimal(40))
    response = _decide(_login(client, programme_admin), request_obj, granted="40", reason="")
    assert response.status_code == 302
    request_obj.refresh_from_db()
    allocation.refresh_from_db()
    assert (request_obj.status, request_obj.granted, allocation.limit) == (
        RequestStatus.APPROVED,
        Decimal(40),
        Decimal(140),
    )
    body = _body(client.get(COMPUTE + "requests/"))
    assert _cells(body, "decided") == [
        [
            "participant@example.com",
            "H100 GPU hours",
            "40 / 40",
            "Approved",
            "—",
            f"{timezone.localtime(request_obj.decided_at):%-d %b %Y %H:%M} · programme.admin@example.com",
        ]
    ]


def test_request_approve_part_and_reject(client, programme, programme_admin, pool, allocation):
    first = AllocationRequestFactory(allocation=allocation, amount=Decimal(40))
    client.force_login(programme_admin)
    assert _decide(client, first, granted="15", reason="Half now").status_code == 302
    second = AllocationRequestFactory(allocation=allocation, amount=Decimal(40))
    assert _decide(client, second, granted="0", reason="Not this month").status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    allocation.refresh_from_db()
    assert (first.status, second.status, allocation.limit) == (
        RequestStatus.PARTLY_APPROVED,
        RequestStatus.REJECTED,
        Decimal(115),
    )


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"granted": "0", "reason": ""}, "Say why the request is rejected."),
        ({"granted": "-1", "reason": "x"}, "Ensure this value is greater than or equal to 0."),
        ({"granted": "41", "reason": "x"}, "Grant at most the 40 asked for."),
        ({"granted": "", "reason": "x"}, "This field is required."),
        ({"granted": "forty", "reason": "x"}, "Enter a number."),
    ],
)
def test_request_decide_refuses_bad_input(
    client, programme, programme_admin, allocation, data, error
):
    request_obj = AllocationRequestFactory(allocation=allocation, amount=Decimal(40))
    before = _snapshot()
    response = _decide(_login(client, programme_admin), request_obj, **data)
    assert response.status_code == 400
    assert error in _body(response)
    assert _snapshot() == before


def test_request_approval_the_pool_cannot_cover_shows_why_on_that_request(
    client, programme, programme_admin, pool, allocation
):
    ResourcePool.objects.filter(pk=pool.pk).update(total=Decimal(110))
    other = AllocationRequestFactory(allocation=AllocationFactory(pool=pool, limit=Decimal(0)))
    request_obj = AllocationRequestFactory(allocation=allocation, amount=Decimal(40))
    before = _snapshot()
    response = _decide(_login(client, programme_admin), request_obj, granted="40", reason="Go")
    body = _body(response)
    assert response.status_code == 400
    assert _snapshot() == before
    card = body.split(f'id="request-{request_obj.pk}"')[1].split("</article>")[0]
    assert "The pool has only 10 GPU hours left; 40 were asked for." in card
    assert 'value="Go"' in card
    other_card = body.split(f'id="request-{other.pk}"')[1].split("</article>")[0]
    assert "decide-error" not in other_card


def test_a_decided_request_cannot_be_decided_again(client, programme, programme_admin, allocation):
    request_obj = AllocationRequestFactory(
        allocation=allocation, status=RequestStatus.REJECTED, decision_reason="No"
    )
    before = _snapshot()
    response = _decide(_login(client, programme_admin), request_obj, granted="40", reason="")
    assert response.status_code == 302
    assert _snapshot() == before
    assert "This request was decided already." in _body(client.get(response["Location"]))


def test_request_decide_refuses_staff_and_other_programmes(
    client, programme, programme_admin, staff, other_programme_admin, allocation, other_world
):
    request_obj = AllocationRequestFactory(allocation=allocation)
    url = COMPUTE + f"requests/{request_obj.pk}/decide/"
    data = {"granted": "40", "reason": "x"}
    client.force_login(staff)
    assert "Fine-tuning" in _body(client.get(COMPUTE + "requests/"))
    assert f'action="{url}"' not in _body(client.get(COMPUTE + "requests/"))
    _refused_unchanged(client, "post", url, data, (403,))
    client.force_login(other_programme_admin)
    _refused_unchanged(client, "post", url, data)
    client.force_login(programme_admin)
    theirs = other_world["request"].pk
    _refused_unchanged(client, "post", COMPUTE + f"requests/{theirs}/decide/", data)


@pytest.mark.parametrize("count", [1, 3])
def test_request_queue_query_count(
    client, programme, programme_admin, pool, django_assert_num_queries, count
):
    for _ in range(count):
        allocation = AllocationFactory(pool=pool)
        AllocationRequestFactory(allocation=allocation)
        AllocationRequestFactory(allocation=allocation, status=RequestStatus.REJECTED)
    client.force_login(programme_admin)
    # session, user, roles (with the authenticator), page count, page rows, decided, navigation and
    # bell
    with django_assert_num_queries(7):
        assert client.get(COMPUTE + "requests/").status_code == 200


# --- integration tokens ----------------------------------------------------------------------


def test_token_create_shows_the_secret_once_and_stores_only_its_hash(
    client, programme, programme_admin, resource
):
    client.force_login(programme_admin)
    response = client.post(
        COMPUTE + "tokens/new/", {"name": "Acme billing", "resources": [resource.pk]}
    )
    body = _body(response)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    secret = re.search(r'<code id="token-secret" data-testid="secret">([^<]+)</code>', body).group(
        1
    )
    token = IntegrationToken.objects.get()
    assert secret.startswith(f"clk_{token.prefix}_")
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(list(IntegrationToken.objects.values_list()))
    assert list(token.resources.all()) == [resource]
    assert "Copy it now: it is shown only this once." in body
    curl = body.split('data-testid="curl"')[1].split("</pre>")[0]
    assert "curl -X POST http://testserver/api/v1/usage" in curl
    assert f"Authorization: Bearer {secret}" in curl and "gpu-h100" in curl
    # Never again.
    assert secret not in _body(client.get(COMPUTE + "tokens/"))
    assert services.token_authenticate(secret) == token


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"name": "Acme billing"}, "Choose at least one resource."),
        ({"name": "", "resources": "own"}, "This field is required."),
        ({"name": "x" * 121, "resources": "own"}, "Ensure this value has at most 120 characters"),
        ({"name": "Acme", "resources": "theirs"}, "Select a valid choice."),
    ],
)
def test_token_create_refuses_bad_input(
    client, programme, programme_admin, resource, other_world, data, error
):
    data = dict(data)
    if data.get("resources") == "own":
        data["resources"] = [resource.pk]
    elif data.get("resources") == "theirs":
        data["resources"] = [other_world["resource"].pk]
    before = _snapshot()
    response = _login(client, programme_admin).post(COMPUTE + "tokens/new/", data)
    assert response.status_code == 400
    assert error in _body(response)
    assert "token-secret" not in _body(response)
    assert _snapshot() == before


def test_token_list_and_revoke(client, programme, programme_admin, resource, other_world):
    token = IntegrationTokenFactory(
        programme=programme, name="Acme billing", created_by=programme_admin
    )
    token.resources.set([resource])
    client.force_login(programme_admin)
    body = _body(client.get(COMPUTE + "tokens/"))
    assert _cells(body, "tokens") == [
        [
            "Acme billing",
            f"clk_{token.prefix}…",
            "gpu-h100",
            f"{timezone.localtime(token.created_at):%-d %b %Y} · programme.admin@example.com",
            "never",
            "Active Revoke : Acme billing",
        ]
    ]
    assert other_world["token"].name not in body
    response = client.post(COMPUTE + f"tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "Revoked" in _body(client.get(COMPUTE + "tokens/"))


def test_tokens_refuse_staff_and_other_programmes(
    client, programme, programme_admin, staff, other_programme_admin, resource, other_world
):
    token = IntegrationTokenFactory(programme=programme)
    client.force_login(staff)
    body = _body(client.get(COMPUTE + "tokens/"))
    assert token.name in body and "tokens/new/" not in body and "/revoke/" not in body
    data = {"name": "Mine", "resources": [resource.pk]}
    _refused_unchanged(client, "post", COMPUTE + "tokens/new/", data, (403,))
    _refused_unchanged(client, "post", COMPUTE + f"tokens/{token.pk}/revoke/", status=(403,))
    client.force_login(other_programme_admin)
    _refused_unchanged(client, "post", COMPUTE + "tokens/new/", data)
    _refused_unchanged(client, "post", COMPUTE + f"tokens/{token.pk}/revoke/")
    client.force_login(programme_admin)
    _refused_unchanged(client, "post", COMPUTE + f"tokens/{other_world['token'].pk}/revoke/")


@pytest.mark.parametrize("count", [1, 3])
def test_token_list_query_count(
    client, programme, programme_admin, resource, django_assert_num_queries, count
):
    for _ in range(count):
        IntegrationTokenFactory(programme=programme, created_by=programme_admin).resources.set(
            [resource]
        )
    client.force_login(programme_admin)
    # session, user, roles (with the authenticator), page count, page rows, resources (prefetch),
    # the form's resources, navigation and bell
    with django_assert_num_queries(8):
        assert client.get(COMPUTE + "tokens/").status_code == 200


# --- the participant's own page --------------------------------------------------------------

MINE = "/compute/"


def test_my_compute_shows_my_allocations_only(
    client, participant, pool, allocation, other_world, applicant
):
    stranger = _holder(pool, "stranger@example.com")
    services.allocation_adjust(
        allocation=allocation,
        mode="add",
        amount=Decimal(20),
        reason="For the hackathon",
        actor=None,
    )
    body = _body(_login(client, participant).get(MINE))
    assert breadcrumbs(body) == [("Dashboard", "/dashboard/"), ("My compute", "")]
    assert body.count('data-testid="my-allocation"') == 1
    assert "H100 GPU hours" in body and "Spring intake · provided by Acme Cloud" in body
    assert re.findall(r'data-testid="limit">([^<]+)<', body) == ["120"]
    assert "0 % used · in GPU hours" in body
    history = re.sub(
        r"\s+",
        " ",
        re.sub(r"<[^>]+>", " ", body.split('data-testid="history"')[1].split("</ul>")[0]),
    )
    assert "Added (+20) → 120 — For the hackathon" in history
    assert f'action="/compute/allocations/{allocation.pk}/request/"' in body
    assert f"/compute/allocations/{stranger.pk}/" not in body
    assert "stranger@example.com" not in body


def test_my_compute_is_empty_for_someone_without_allocations(client, applicant):
    body = _body(_login(client, applicant).get(MINE))
    assert empty(body) == [
        "You have no compute allocations. When you accept a seat in a cohort that provides "
        "compute — GPU hours, LLM tokens, storage — your share appears here. See your applications"
    ]
    assert "chart.umd.min.js" not in body


def test_my_compute_needs_sign_in(client):
    response = client.get(MINE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_my_compute_forecasts_the_run_out_day(client, participant, pool, allocation):
    with time_machine.travel(datetime.datetime(2027, 3, 1, 12, tzinfo=datetime.UTC), tick=False):
        ResourcePool.objects.filter(pk=pool.pk).update(
            valid_from=datetime.date(2027, 1, 1), valid_until=datetime.date(2027, 12, 31)
        )
        for days_ago in range(14):
            UsageRecordFactory(
                allocation=allocation,
                amount=Decimal(1),
                occurred_at=timezone.now() - datetime.timedelta(days=days_ago),
            )
        Allocation.objects.filter(pk=allocation.pk).update(used=Decimal(14))
        body = _body(_login(client, participant).get(MINE))
    forecast = re.sub(
        r"\s+", " ", body.split('data-testid="forecast">')[1].split("</p>")[0]
    ).strip()
    # 86 left at 1 a day.
    assert forecast == "At this rate you run out on 26 May."


def test_my_compute_forecast_says_when_nothing_was_used(client, participant, allocation):
    body = _body(_login(client, participant).get(MINE))
    forecast = re.sub(
        r"\s+", " ", body.split('data-testid="forecast">')[1].split("</p>")[0]
    ).strip()
    assert forecast == "No use in the last 14 days."


def test_my_compute_forecast_when_used_up_and_for_levels(
    client, participant, seat, pool, allocation
):
    Allocation.objects.filter(pk=allocation.pk).update(used=Decimal(100))
    storage = ResourceTypeFactory(
        programme=pool.resource.programme, slug="storage", metering=Metering.LEVEL
    )
    level_pool = ResourcePoolFactory(cohort=seat.cohort, resource=storage)
    AllocationFactory(pool=level_pool, participant=seat, user=participant)
    body = _body(_login(client, participant).get(MINE))
    forecasts = [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", part.split("</p>")[0])).strip()
        for part in body.split('data-testid="forecast">')[1:]
    ]
    assert sorted(forecasts) == ["", "You have used your whole allocation."]


@pytest.mark.parametrize("count", [1, 3])
def test_my_compute_query_count(
    client, participant, seat, programme, django_assert_num_queries, count
):
    for n in range(count):
        resource = ResourceTypeFactory(programme=programme)
        pool = ResourcePoolFactory(cohort=seat.cohort, resource=resource)
        allocation = AllocationFactory(pool=pool, participant=seat, user=participant)
        UsageRecordFactory(allocation=allocation)
        AllocationChange.objects.create(
            allocation=allocation, kind=ChangeKind.GRANT, delta=100, limit_after=100
        )
        if n:
            AllocationRequestFactory(allocation=allocation)
    client.force_login(participant)
    # session, user, roles, allocations, pending requests, usage by day, changes (prefetch),
    # navigation and bell
    with django_assert_num_queries(8):
        assert client.get(MINE).status_code == 200


def _ask(client, allocation, **data):
    return client.post(f"/compute/allocations/{allocation.pk}/request/", data)


def test_topup_request(client, participant, allocation):
    response = _ask(
        _login(client, participant), allocation, amount="50", justification="Bigger model"
    )
    assert response.status_code == 302
    assert response["Location"] == f"/compute/#allocation-{allocation.pk}"
    request_obj = AllocationRequest.objects.get()
    assert (request_obj.allocation, request_obj.amount, request_obj.justification) == (
        allocation,
        Decimal(50),
        "Bigger model",
    )
    body = _body(client.get(MINE))
    pending = re.sub(r"\s+", " ", body.split('data-testid="pending-request">')[1].split("</p>")[0])
    assert pending.startswith("You asked for 50 more on ")
    assert f'action="/compute/allocations/{allocation.pk}/request/"' not in body


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"amount": "0", "justification": "Bigger model"}, "Ask for more than zero."),
        ({"amount": "-5", "justification": "Bigger model"}, "Ask for more than zero."),
        ({"amount": "", "justification": "Bigger model"}, "This field is required."),
        ({"amount": "many", "justification": "Bigger model"}, "Enter a number."),
        ({"amount": "5", "justification": ""}, "This field is required."),
        ({"amount": "Infinity", "justification": "Bigger model"}, "Enter a number."),
    ],
)
def test_topup_request_refuses_bad_input_and_keeps_it(client, participant, allocation, data, error):
    response = _ask(_login(client, participant), allocation, **data)
    body = _body(response)
    assert response.status_code == 400
    assert error in body
    if data["justification"]:
        assert f"{data['justification']}</textarea>" in body
    assert not AllocationRequest.objects.exists()


def test_topup_request_while_one_waits_is_refused(client, participant, allocation):
    AllocationRequestFactory(allocation=allocation)
    response = _ask(_login(client, participant), allocation, amount="5", justification="More")
    assert response.status_code == 400
    assert "You already have a request waiting for this resource." in _body(response)
    assert AllocationRequest.objects.count() == 1


@pytest.mark.parametrize("persona", ["applicant", "outsider", "programme_admin", "staff"])
def test_topup_request_on_someone_elses_allocation_is_404(
    client, request, participant, allocation, persona
):
    client.force_login(request.getfixturevalue(persona))
    _refused_unchanged(
        client,
        "post",
        f"/compute/allocations/{allocation.pk}/request/",
        {"amount": "5", "justification": "Mine now"},
    )


def test_topup_request_is_post_only(client, participant, allocation):
    client.force_login(participant)
    assert client.get(f"/compute/allocations/{allocation.pk}/request/").status_code == 405


# --- navigation ------------------------------------------------------------------------------


def test_nav_links_my_compute_only_for_holders_of_an_allocation(
    client, participant, applicant, allocation
):
    link = 'href="/compute/" data-testid="nav-compute"'
    body = _body(_login(client, participant).get("/dashboard/"))
    assert link in body
    assert 'data-testid="dashboard-compute"' in body
    body = _body(_login(client, applicant).get("/dashboard/"))
    assert link not in body and 'data-testid="dashboard-compute"' not in body
