"""The usage API: POST /api/v1/usage and GET /api/v1/allocations, with an integration token."""

import datetime
import json
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from compute import services
from compute.enums import Metering, Unit
from compute.models import Allocation, UsageRecord
from notifications.models import Notification
from tests.factories import (
    AllocationFactory,
    ResourcePoolFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

USAGE = "/api/v1/usage"
ALLOCATIONS = "/api/v1/allocations"


# --- the world: one programme's GPU and storage pools, a participant, a token ---------------


@pytest.fixture
def gpu_pool(programme):
    return ResourcePoolFactory(
        cohort__programme=programme, resource__slug="gpu-h100", resource__name="H100 GPU hours"
    )


@pytest.fixture
def storage_pool(gpu_pool):
    return ResourcePoolFactory(
        cohort=gpu_pool.cohort,
        resource__slug="storage",
        resource__name="Storage",
        resource__unit=Unit.GB,
        resource__metering=Metering.LEVEL,
    )


@pytest.fixture
def allocation(gpu_pool):
    return AllocationFactory(
        pool=gpu_pool,
        participant__application__applicant__email="priya.nair@example.com",
        limit=Decimal(100),
    )


@pytest.fixture
def storage(storage_pool, allocation):
    return AllocationFactory(
        pool=storage_pool,
        participant=allocation.participant,
        user=allocation.user,
        limit=Decimal(50),
    )


def _token(programme, resources):
    _token, secret = services.token_create(
        programme=programme,
        name="GPU cloud",
        resources=resources,
        actor=UserFactory(),
    )
    return secret


@pytest.fixture
def secret(programme, gpu_pool, storage_pool):
    return _token(programme, [gpu_pool.resource, storage_pool.resource])


def _hours_ago(hours: float) -> str:
    return (timezone.now() - datetime.timedelta(hours=hours)).isoformat()


def record(n: int, who="priya.nair@example.com", resource="gpu-h100", amount=1.5, at=None):
    return {
        "event_id": f"gpu-2026-12-01-{n:06d}",
        "participant": who,
        "resource": resource,
        "amount": amount,
        "occurred_at": at or _hours_ago(1),
    }


def post(client, secret, body, content_type="application/json", **extra):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    headers = {"Authorization": f"Bearer {secret}"} if secret is not None else {}
    return client.post(USAGE, data=data, content_type=content_type, headers=headers, **extra)


def get(client, secret, path=ALLOCATIONS, **params):
    return client.get(path, params, headers={"Authorization": f"Bearer {secret}"})


def result(n, outcome="accepted", reason="", index=None):
    return {
        "index": n if index is None else index,
        "event_id": f"gpu-2026-12-01-{n:06d}",
        "outcome": outcome,
        "reason": reason,
    }


def totals(response):
    return response.json()["totals"]


# --- accepted and duplicates -----------------------------------------------------------------


def test_usage_report_accepts_records_and_adds_them_to_the_allocation(client, secret, allocation):
    response = post(client, secret, {"records": [record(0), record(1, amount="2.25")]})

    assert response.status_code == 200
    assert response.json() == {
        "totals": {"received": 2, "accepted": 2, "duplicate": 0, "rejected": 0},
        "results": [result(0), result(1)],
    }
    allocation.refresh_from_db()
    assert allocation.used == Decimal("3.75")
    assert sorted(UsageRecord.objects.values_list("event_id", "amount", "source")) == [
        ("gpu-2026-12-01-000000", Decimal("1.5"), "api"),
        ("gpu-2026-12-01-000001", Decimal("2.25"), "api"),
    ]


def test_usage_report_takes_the_participant_id_instead_of_the_email(client, secret, allocation):
    response = post(client, secret, {"records": [record(0, who=str(allocation.participant_id))]})

    assert response.json()["results"] == [result(0)]
    allocation.refresh_from_db()
    assert allocation.used == Decimal("1.5")


def test_usage_report_counts_an_event_sent_again_in_a_later_batch_once(client, secret, allocation):
    post(client, secret, {"records": [record(0), record(1)]})

    response = post(client, secret, {"records": [record(1), record(2)]})

    assert response.json() == {
        "totals": {"received": 2, "accepted": 1, "duplicate": 1, "rejected": 0},
        "results": [result(1, "duplicate", index=0), result(2, index=1)],
    }
    allocation.refresh_from_db()
    assert allocation.used == Decimal("4.5")
    assert UsageRecord.objects.count() == 3


def test_usage_report_counts_an_event_repeated_within_a_batch_once(client, secret, allocation):
    response = post(client, secret, {"records": [record(7), record(7), record(8)]})

    assert response.json()["results"] == [
        result(7, index=0),
        result(7, "duplicate", index=1),
        result(8, index=2),
    ]
    allocation.refresh_from_db()
    assert allocation.used == Decimal("3.0")


def test_usage_report_accepts_csv(client, secret, allocation):
    body = (
        "event_id,participant,resource,amount,occurred_at\n"
        f"gpu-2026-12-01-000000,priya.nair@example.com,gpu-h100,1.5,{_hours_ago(2)}\n"
        f"gpu-2026-12-01-000001,priya.nair@example.com,gpu-h100,abc,{_hours_ago(1)}\n"
    )

    response = post(client, secret, body, content_type="text/csv")

    assert response.status_code == 200
    assert response.json()["results"] == [
        result(0),
        result(1, "rejected", "amount is not a number"),
    ]
    allocation.refresh_from_db()
    assert allocation.used == Decimal("1.5")
    assert list(UsageRecord.objects.values_list("source", flat=True)) == ["csv"]


def test_usage_report_sets_the_level_of_a_level_resource(client, secret, storage):
    batch = [
        record(0, resource="storage", amount=20, at=_hours_ago(3)),
        record(1, resource="storage", amount=30, at=_hours_ago(2)),
        record(2, resource="storage", amount=12, at=_hours_ago(5)),  # an older reading
    ]
    assert totals(post(client, secret, {"records": batch}))["accepted"] == 3
    storage.refresh_from_db()
    assert storage.used == Decimal(30)

    post(client, secret, {"records": [record(3, resource="storage", amount=5, at=_hours_ago(1))]})

    storage.refresh_from_db()
    assert storage.used == Decimal(5)


# --- rejected records ------------------------------------------------------------------------


def test_usage_report_rejects_each_bad_record_with_its_reason_and_keeps_the_rest(
    client, programme, gpu_pool, storage_pool, allocation
):
    gpu_only = _token(programme, [gpu_pool.resource])
    future = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    before_pool = (timezone.now() - datetime.timedelta(days=400)).isoformat()
    batch = [
        record(0, who="nobody@example.com"),
        record(1, resource="tpu-v5"),
        record(2, resource="storage"),
        record(3, amount=-1),
        record(4, amount="lots"),
        record(5, at=future),
        record(6, at=before_pool),
        record(7, at="yesterday"),
        record(8, amount=2),
    ]

    response = post(client, gpu_only, {"records": batch})

    assert response.status_code == 200
    assert response.json() == {
        "totals": {"received": 9, "accepted": 1, "duplicate": 0, "rejected": 8},
        "results": [
            result(0, "rejected", "unknown participant for this resource"),
            result(1, "rejected", "unknown resource"),
            result(2, "rejected", "resource outside this token's scope"),
            result(3, "rejected", "amount is negative"),
            result(4, "rejected", "amount is not a number"),
            result(5, "rejected", "occurred_at is in the future"),
            result(6, "rejected", "occurred_at is before the pool starts"),
            result(7, "rejected", "occurred_at is not an ISO 8601 time"),
            result(8),
        ],
    }
    allocation.refresh_from_db()
    assert allocation.used == Decimal(2)
    assert list(UsageRecord.objects.values_list("event_id", flat=True)) == ["gpu-2026-12-01-000008"]


def test_usage_report_rejects_records_that_are_no_objects_or_hold_nul(client, secret, allocation):
    batch = ["gpu-1", record(1, who="priya.nair@example.com\u0000"), record(2)]

    response = post(client, secret, {"records": batch})

    assert response.json()["results"] == [
        {"index": 0, "event_id": "", "outcome": "rejected", "reason": "not an object"},
        result(1, "rejected", "a field contains a NUL character"),
        result(2),
    ]


def test_usage_report_rejects_an_amount_too_large_to_store(client, secret, allocation):
    response = post(client, secret, {"records": [record(0, amount="1e30"), record(1, amount=1)]})

    assert [r["outcome"] for r in response.json()["results"]] == ["rejected", "accepted"]
    assert response.json()["results"][0]["reason"].startswith("amount is larger than")


def test_other_programmes_token_cannot_report_for_this_programme(
    client, other_programme, allocation
):
    their_pool = ResourcePoolFactory(cohort__programme=other_programme, resource__slug="gpu-h100")
    theirs = _token(other_programme, [their_pool.resource])

    response = post(client, theirs, {"records": [record(0), record(1, resource="storage")]})

    assert response.json()["results"] == [
        result(0, "rejected", "unknown participant for this resource"),
        result(1, "rejected", "unknown resource"),
    ]
    allocation.refresh_from_db()
    assert allocation.used == 0
    assert not UsageRecord.objects.exists()


# --- errors of the whole request -------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer clk_nope_nope", "Basic dXNlcjpwYXNz", "Bearer clk_\u00e9_x"],
)
def test_usage_report_without_a_valid_token_is_401(client, secret, allocation, header):
    headers = {"Authorization": header} if header else {}

    response = client.post(
        USAGE, data={"records": [record(0)]}, content_type="application/json", headers=headers
    )

    assert response.status_code == 401
    assert response.json() == {
        "detail": "A valid integration token is required: send Authorization: Bearer <token>."
    }
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert not UsageRecord.objects.exists()


def test_usage_report_with_a_revoked_token_is_401(client, programme, gpu_pool, allocation):
    token, secret = services.token_create(
        programme=programme, name="Old", resources=[gpu_pool.resource], actor=UserFactory()
    )
    assert post(client, secret, {"records": []}).status_code == 200
    services.token_revoke(token=token, actor=UserFactory())

    response = post(client, secret, {"records": [record(0)]})

    assert response.status_code == 401
    assert "detail" in response.json()
    assert not UsageRecord.objects.exists()


def test_allocations_without_a_valid_token_are_401(client, allocation):
    assert client.get(ALLOCATIONS).status_code == 401
    response = get(client, "clk_0000_forged")
    assert response.status_code == 401
    assert response.json()["detail"].startswith("A valid integration token is required")


def test_usage_report_over_ten_thousand_records_is_413(client, secret, allocation):
    response = post(client, secret, {"records": [record(0)] * 10_001})

    assert response.status_code == 413
    assert response.json() == {"detail": "At most 10,000 records per request; this one has 10,001."}
    assert not UsageRecord.objects.exists()


def test_usage_report_body_over_the_byte_limit_is_413(client, secret, allocation):
    big = json.dumps({"records": [record(0, who="x" * 6_000_000)]})
    response = post(client, secret, big)
    assert response.status_code == 413
    assert response.json()["detail"].startswith("The body is larger than 5 MB")

    # The declared length is enough: the body is not read.
    response = post(client, secret, {"records": [record(0)]}, CONTENT_LENGTH="6000000")
    assert response.status_code == 413
    assert not UsageRecord.objects.exists()


def test_usage_report_a_little_over_django_upload_limit_is_still_read(client, secret, allocation):
    """Django caps form bodies at DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB); a batch may be larger."""
    batch = [record(n, who="priya.nair@example.com" + " " * 300) for n in range(10_000)]
    body = json.dumps({"records": batch})
    assert 2_621_440 < len(body) < 5 * 1024 * 1024

    response = post(client, secret, body)

    assert response.status_code == 200
    assert totals(response)["accepted"] == 10_000


@pytest.mark.parametrize(
    ("body", "content_type", "detail"),
    [
        ('{"records": [', "application/json", "The body is not valid JSON"),
        ("records=1", "application/x-www-form-urlencoded", "The body is not valid JSON"),
        ("[" * 100_000 + "]" * 100_000, "application/json", "The body is not valid JSON"),
        ("[]", "application/json", 'The body must be a JSON object with a "records" list.'),
        ('{"events": []}', "application/json", "The body must be a JSON object"),
        ('{"records": {"event_id": "x"}}', "application/json", "The body must be a JSON object"),
        (b"\xff\xfe{}", "application/json", "The body is not UTF-8 text."),
        ('{"records": []}\u0000', "application/json", "The body contains a NUL character"),
        ("id;who;what\n1;2;3\n", "text/csv", "The CSV is malformed: The CSV needs the columns"),
        ("\n", "text/csv", "The CSV is malformed: The CSV needs the columns"),
        ("", "application/json", "The body is not valid JSON"),
        (
            "event_id,participant,resource,amount,occurred_at\n" + '"' + "x" * 200_000 + "\n",
            "text/csv",
            "The CSV is malformed: The CSV cannot be read",
        ),
    ],
)
def test_usage_report_malformed_body_is_400_with_json(
    client, secret, allocation, body, content_type, detail
):
    response = post(client, secret, body, content_type=content_type)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["detail"].startswith(detail)
    assert not UsageRecord.objects.exists()


def test_usage_report_needs_no_csrf_token(secret, allocation):
    client = Client(enforce_csrf_checks=True)

    response = post(client, secret, {"records": [record(0)]})

    assert response.status_code == 200
    assert totals(response)["accepted"] == 1


def test_nul_in_the_address_is_400_json(client, secret):
    response = get(client, secret, ALLOCATIONS + "?limit=1%00")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("The address contains a NUL character")


# --- allocations -----------------------------------------------------------------------------


def _allocations(pool, count, first=0):
    return [
        AllocationFactory(
            pool=pool, participant__application__applicant__email=f"p{n}@example.com", limit=10
        )
        for n in range(first, first + count)
    ]


def test_allocations_lists_the_tokens_allocations_with_their_state(
    client, secret, programme, gpu_pool, storage_pool
):
    gpu_pool.hard_limit = True
    gpu_pool.save()
    stopped, half = _allocations(gpu_pool, 2)
    over_soft = _allocations(storage_pool, 1, first=2)[0]
    Allocation.objects.filter(pk=stopped.pk).update(used=10)
    Allocation.objects.filter(pk=half.pk).update(used=5)
    Allocation.objects.filter(pk=over_soft.pk).update(used=12)
    outside = ResourcePoolFactory(cohort=gpu_pool.cohort)  # a resource the token does not cover
    _allocations(outside, 1, first=3)

    response = get(client, secret)

    assert response.status_code == 200
    assert response.json() == {
        "count": 3,
        "limit": 100,
        "offset": 0,
        "items": [
            {
                "participant_id": stopped.participant_id,
                "participant_email": "p0@example.com",
                "resource": "gpu-h100",
                "limit": 10.0,
                "used": 10.0,
                "remaining": 0.0,
                "status": "active",
                "exhausted": True,
                "hard_limit": True,
            },
            {
                "participant_id": half.participant_id,
                "participant_email": "p1@example.com",
                "resource": "gpu-h100",
                "limit": 10.0,
                "used": 5.0,
                "remaining": 5.0,
                "status": "active",
                "exhausted": False,
                "hard_limit": True,
            },
            {
                "participant_id": over_soft.participant_id,
                "participant_email": "p2@example.com",
                "resource": "storage",
                "limit": 10.0,
                "used": 12.0,
                "remaining": 0.0,
                "status": "active",
                "exhausted": True,
                "hard_limit": False,
            },
        ],
    }


def test_allocations_are_paginated_with_limit_and_offset(client, secret, gpu_pool):
    _allocations(gpu_pool, 3)

    first = get(client, secret, limit=2).json()
    rest = get(client, secret, limit=2, offset=2).json()

    assert (first["count"], first["limit"], first["offset"]) == (3, 2, 0)
    assert [i["participant_email"] for i in first["items"]] == ["p0@example.com", "p1@example.com"]
    assert (rest["count"], rest["offset"]) == (3, 2)
    assert [i["participant_email"] for i in rest["items"]] == ["p2@example.com"]


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 5000}, {"offset": -1}, {"limit": "x"}])
def test_allocations_with_a_bad_page_is_400(client, secret, params):
    response = get(client, secret, **params)

    assert response.status_code == 400
    assert response.json()["detail"].startswith("Invalid input: ")


def test_other_programmes_token_sees_no_allocations(client, other_programme, allocation):
    their_pool = ResourcePoolFactory(cohort__programme=other_programme, resource__slug="gpu-h100")
    theirs = _token(other_programme, [their_pool.resource])

    response = get(client, theirs)

    assert response.json() == {"count": 0, "limit": 100, "offset": 0, "items": []}


def test_allocations_queries_do_not_grow_with_allocations(
    client, secret, gpu_pool, django_assert_num_queries
):
    _allocations(gpu_pool, 1)
    get(client, secret)  # the token's first use marks it used: one write not repeated
    # The token, the count, the page.
    with django_assert_num_queries(3):
        assert len(get(client, secret).json()["items"]) == 1
    _allocations(gpu_pool, 2, first=1)
    with django_assert_num_queries(3):
        assert len(get(client, secret).json()["items"]) == 3


# --- OpenAPI ---------------------------------------------------------------------------------


def _tags(path_item: dict) -> set[str]:
    return {tag for operation in path_item.values() for tag in operation.get("tags", [])}


def test_openapi_lists_both_operations_with_their_schemas(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.json()
    # The providers' two operations, beside the read API's (tests/api/).
    compute_paths = [path for path, item in document["paths"].items() if "compute" in _tags(item)]
    assert sorted(compute_paths) == ["/api/v1/allocations", "/api/v1/usage"]
    post_op = document["paths"]["/api/v1/usage"]["post"]
    body = post_op["requestBody"]["content"]
    assert sorted(body) == ["application/json", "text/csv"]
    record_schema = body["application/json"]["schema"]["properties"]["records"]["items"]
    assert sorted(record_schema["properties"]) == [
        "amount",
        "event_id",
        "occurred_at",
        "participant",
        "resource",
    ]
    assert post_op["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/UsageBatchOut"
    }
    assert sorted(post_op["responses"]) == ["200", "400", "401", "413"]
    get_op = document["paths"]["/api/v1/allocations"]["get"]
    assert get_op["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/AllocationPageOut"
    }
    assert sorted(p["name"] for p in get_op["parameters"]) == ["limit", "offset"]
    item = document["components"]["schemas"]["AllocationOut"]["properties"]
    assert sorted(item) == [
        "exhausted",
        "hard_limit",
        "limit",
        "participant_email",
        "participant_id",
        "remaining",
        "resource",
        "status",
        "used",
    ]
    assert post_op["security"] == get_op["security"] == [{"TokenAuth": []}]


def test_api_docs_page_loads_swagger_from_our_static_files(client):
    """The Content-Security-Policy allows scripts from our origin only: no CDN, no inline."""
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    page = response.content.decode()
    assert "cdn." not in page
    assert page.count("<script") == 3
    assert page.count('<script src="/static/ninja/') == 2
    assert page.count('<script type="application/json"') == 1


# --- thresholds ------------------------------------------------------------------------------


def test_usage_report_notifies_a_threshold_once(client, secret, allocation):
    post(client, secret, {"records": [record(0, amount=85)]})
    post(client, secret, {"records": [record(1, amount=5)]})

    assert list(
        Notification.objects.filter(kind="compute.threshold").values_list("recipient", flat=True)
    ) == [allocation.user_id]


# --- concurrency (PostgreSQL) ----------------------------------------------------------------


def _post_together(bodies_and_secrets):
    """Post each (secret, body) from its own thread, all at the same moment."""
    barrier = threading.Barrier(len(bodies_and_secrets))
    answers = []

    def send(secret, body):
        try:
            barrier.wait()
            answers.append(post(Client(), secret, body).json())
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=pair) for pair in bodies_and_secrets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_identical_batches_sent_together_count_once(secret, allocation):
    batch = {"records": [record(n) for n in range(50)]}

    answers = _post_together([(secret, batch), (secret, batch)])

    assert sorted((a["totals"]["accepted"], a["totals"]["duplicate"]) for a in answers) == [
        (0, 50),
        (50, 0),
    ]
    allocation.refresh_from_db()
    assert allocation.used == Decimal("75.0")
    assert UsageRecord.objects.count() == 50


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_event_id_sent_together_for_two_participants_counts_once(secret, gpu_pool, allocation):
    """The event ids alone make a record a duplicate, even when the batches share no
    allocation to lock: one batch wins, the other gets duplicates, neither a 500."""
    other = AllocationFactory(
        pool=gpu_pool, participant__application__applicant__email="wei.ling@example.com"
    )
    mine = {"records": [record(n) for n in range(20)]}
    theirs = {"records": [record(n, who="wei.ling@example.com") for n in range(20)]}

    answers = _post_together([(secret, mine), (secret, theirs)])

    assert sorted((a["totals"]["accepted"], a["totals"]["duplicate"]) for a in answers) == [
        (0, 20),
        (20, 0),
    ]
    allocation.refresh_from_db()
    other.refresh_from_db()
    assert sorted([allocation.used, other.used]) == [Decimal(0), Decimal(30)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_threshold_notifies_once_when_batches_cross_it_together(
    programme, gpu_pool, secret, allocation
):
    other = _token(programme, [gpu_pool.resource])  # another integration: no shared token lock
    post(Client(), secret, {"records": [record(0, amount=79)]})

    answers = _post_together(
        [
            (secret, {"records": [record(1, amount=2)]}),
            (other, {"records": [record(2, amount=2)]}),
        ]
    )

    assert [a["totals"]["accepted"] for a in answers] == [1, 1]
    allocation.refresh_from_db()
    assert allocation.used == Decimal(83)
    assert allocation.notified_80_at is not None and allocation.notified_100_at is None
    assert Notification.objects.filter(kind="compute.threshold").count() == 1


def test_queries_for_a_batch_do_not_grow_with_its_records(client, secret, allocation):
    def queries_for(count: int, start: int) -> int:
        batch = {"records": [record(start + n, amount="0.01") for n in range(count)]}
        with CaptureQueriesContext(connection) as captured:
            assert totals(post(client, secret, batch))["accepted"] == count
        return len(captured)

    queries_for(1, 0)  # the token's first use marks it used
    assert queries_for(1, 100) == queries_for(30, 200)


# --- addresses and methods the API does not have -----------------------------------------


def test_an_unknown_api_address_is_a_json_404(client, secret):
    response = client.get("/api/v1/nothing-here", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "No such API endpoint. The endpoints are listed at /api/v1/docs."
    }


@pytest.mark.parametrize(("method", "path"), [("put", USAGE), ("delete", ALLOCATIONS)])
def test_a_method_an_endpoint_does_not_take_is_a_json_405(client, secret, method, path):
    response = getattr(client, method)(path, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"].startswith(f"This endpoint does not accept {method.upper()}")
    assert response["Allow"] in response.json()["detail"]


def test_a_page_outside_the_api_keeps_its_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
