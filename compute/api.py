"""The usage API of compute quotas, mounted under /api/v1/ by config/api.py.

Providers' systems send `Authorization: Bearer <integration token>`. They report usage in
batches (JSON, or the same columns as CSV) and read the allocations of the resources their
token covers. The request body is read here rather than by ninja: it may be CSV, its size is
checked before and while it is read, and one bad record must never reject the batch — each
record is judged by `services.usage_ingest`.
"""

import json
from datetime import datetime
from decimal import Decimal
from typing import Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer
from pydantic import BaseModel, ConfigDict

from compute import selectors, services
from compute.models import IntegrationToken
from core.api import ERRORS, MAX_OFFSET, page_schema, paginate
from core.api import PageIn as ReadPageIn
from programmes.selectors import programme_for

# 10,000 records of JSON take about 1.6 MB; CSV about half that.
MAX_BODY_BYTES = 5 * 1024 * 1024
CSV_TYPES = {"text/csv", "application/csv"}


class TokenAuth(HttpBearer):
    """An active integration token; anything else is a 401."""

    def authenticate(self, request: HttpRequest, token: str) -> IntegrationToken | None:
        token = token.strip()
        if not token or len(token) > 200 or not token.isascii() or "\x00" in token:
            return None
        return services.token_authenticate(token)


router = Router(auth=TokenAuth(), tags=["compute"])


# --- schemas ---------------------------------------------------------------------------------


class UsageRecordIn(Schema):
    """One usage event."""

    event_id: str = Field(
        max_length=200,
        description="Your id of the event, unique per integration: a record sent again counts once.",
        examples=["gpu-2026-12-01-000123"],
    )
    participant: str = Field(
        description="The participant's email address or participant id.",
        examples=["priya.nair@example.com"],
    )
    resource: str = Field(description="The resource's short name (slug).", examples=["gpu-h100"])
    amount: Decimal = Field(
        ge=0,
        le=services.MAX_USAGE_AMOUNT,
        description="Units used; for a level resource (storage), the amount in use now.",
        examples=[1.5],
    )
    occurred_at: datetime = Field(
        description=(
            "ISO 8601, UTC when it has no offset; not in the future, not before the pool"
            " starts (its first day where the cohort is)."
        ),
        examples=["2026-12-01T10:00:00Z"],
    )


class RecordResultOut(BaseModel):
    # A plain pydantic model: validated in pydantic's core, 10,000 per answer, without the
    # per-object wrapper a ninja Schema adds for Django objects.
    model_config = ConfigDict(from_attributes=True)

    index: int = Field(description="The record's position in the batch, from 0.")
    event_id: str
    outcome: Literal["accepted", "duplicate", "rejected"]
    reason: str = Field(description="Why the record was rejected; empty otherwise.")


class UsageTotalsOut(Schema):
    received: int
    accepted: int
    duplicate: int
    rejected: int


class UsageBatchOut(Schema):
    totals: UsageTotalsOut
    results: list[RecordResultOut]


class ErrorOut(Schema):
    detail: str


class PageIn(Schema):
    limit: int = Field(100, ge=1, le=1000)
    # Bounded: a database's integers end (an offset beyond them was a server error).
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class AllocationOut(Schema):
    participant_id: int | None = Field(description="Empty once the participant has left.")
    participant_email: str
    resource: str = Field(description="The resource's short name (slug).")
    limit: float
    used: float
    remaining: float
    status: Literal["active", "suspended"]
    exhausted: bool = Field(description="The whole limit is used (used ≥ limit).")
    hard_limit: bool = Field(
        description="The pool has a hard limit: stop the participant when exhausted."
    )


class AllocationPageOut(Schema):
    count: int = Field(description="How many allocations there are in all.")
    limit: int
    offset: int
    items: list[AllocationOut]


def _batch_body_schema() -> dict:
    """The request body as OpenAPI shows it: JSON or CSV, read and judged by the view itself
    (so that a bad record is reported in the answer, not as an error of the whole batch)."""
    record = UsageRecordIn.model_json_schema()
    csv_example = (
        ",".join(services.USAGE_FIELDS)
        + "\ngpu-2026-12-01-000123,priya.nair@example.com,gpu-h100,1.5,2026-12-01T10:00:00Z\n"
    )
    return {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "title": "UsageBatchIn",
                    "type": "object",
                    "required": ["records"],
                    "properties": {
                        "records": {
                            "type": "array",
                            "maxItems": services.MAX_RECORDS,
                            "items": record,
                        }
                    },
                }
            },
            "text/csv": {
                "schema": {
                    "type": "string",
                    "description": "A header line, then one record a line.",
                },
                "example": csv_example,
            },
        },
    }


# --- reading a batch -------------------------------------------------------------------------


def _read_body(request: HttpRequest) -> bytes:
    """The raw body, refused with a 413 above MAX_BODY_BYTES whatever Content-Length says."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = -1
    if declared < 0:
        raise HttpError(400, _("The Content-Length header is not a valid length."))
    too_big = _("The body is larger than %(n)s MB; send the records in smaller batches.") % {
        "n": MAX_BODY_BYTES // (1024 * 1024)
    }
    if declared > MAX_BODY_BYTES:
        raise HttpError(413, too_big)
    # Read directly (not request.body, capped by DATA_UPLOAD_MAX_MEMORY_SIZE for forms).
    data = request.read(MAX_BODY_BYTES + 1)
    if len(data) > MAX_BODY_BYTES:
        raise HttpError(413, too_big)
    return data


def _records(request: HttpRequest) -> tuple[list, str]:
    """The batch's records and their source ("api" for JSON, "csv"); 400 or 413 otherwise."""
    data = _read_body(request)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HttpError(400, _("The body is not UTF-8 text.")) from exc
    if "\x00" in text:
        raise HttpError(400, _("The body contains a NUL character, which is not allowed."))
    if request.content_type in CSV_TYPES:
        try:
            records = services.parse_usage_csv(text)
        except ValueError as exc:
            raise HttpError(400, _("The CSV is malformed: %(error)s") % {"error": exc}) from exc
        source = "csv"
    else:
        try:
            batch = json.loads(text, parse_float=Decimal)
        except (ValueError, RecursionError) as exc:
            raise HttpError(
                400,
                _("The body is not valid JSON (send Content-Type: text/csv for CSV)."),
            ) from exc
        if not isinstance(batch, dict) or not isinstance(batch.get("records"), list):
            raise HttpError(400, _('The body must be a JSON object with a "records" list.'))
        records, source = batch["records"], "api"
    if len(records) > services.MAX_RECORDS:
        raise HttpError(
            413,
            _("At most %(max)s records per request; this one has %(n)s.")
            % {"max": f"{services.MAX_RECORDS:,}", "n": f"{len(records):,}"},
        )
    return records, source


# --- operations ------------------------------------------------------------------------------


@router.post(
    "/usage",
    response={200: UsageBatchOut, 400: ErrorOut, 401: ErrorOut, 413: ErrorOut},
    summary="Report usage",
    description=(
        "Up to 10,000 usage records, as JSON or as CSV with the same columns. Each record is "
        "accepted, a duplicate (its event_id was sent before by this integration) or rejected "
        "with the reason; one bad record never rejects the others. For level resources "
        "(storage) a record sets the amount in use instead of adding to it."
    ),
    openapi_extra={"requestBody": _batch_body_schema()},
)
def usage_report(request: HttpRequest):
    records, source = _records(request)
    result = services.usage_ingest(token=request.auth, records=records, source=source)
    return {
        "totals": {
            "received": len(records),
            "accepted": result.count("accepted"),
            "duplicate": result.count("duplicate"),
            "rejected": result.count("rejected"),
        },
        "results": result.results,
    }


@router.get(
    "/allocations",
    response={200: AllocationPageOut, 400: ErrorOut, 401: ErrorOut},
    summary="List allocations",
    description=(
        "The allocations of the resources this token covers, in its programme, oldest first. "
        "`exhausted` is true once the whole limit is used; with `hard_limit` the participant "
        "must then be stopped."
    ),
)
def allocation_list(request: HttpRequest, page: Query[PageIn]):
    allocations = selectors.allocations_for_token(token=request.auth)
    items = [
        {
            "participant_id": a.participant_id,
            "participant_email": a.user.email,
            "resource": a.pool.resource.slug,
            "limit": a.limit,
            "used": a.used,
            "remaining": a.remaining,
            "status": a.status,
            "exhausted": a.is_exhausted,
            "hard_limit": a.pool.hard_limit,
        }
        for a in allocations[page.offset : page.offset + page.limit]
    ]
    return {
        "count": allocations.count(),
        "limit": page.limit,
        "offset": page.offset,
        "items": items,
    }


# --- the read API: a programme's allocations and usage, and a person's own ---------------------
#
# Mounted like every app's read routes, with the read API's authentication (a person's session
# or personal token, config/api.py), not an integration token's.

staff_router = Router(tags=["allocations"])

VIEW = "compute.view_compute"


class ProgrammeAllocationOut(Schema):
    id: int
    user_id: int
    email: str
    name: str
    cohort: str = Field(description="The cohort's slug.")
    resource: str = Field(description="The resource's short name (slug).")
    unit: str
    limit: float
    used: float
    remaining: float
    status: Literal["active", "suspended"]
    exhausted: bool


class AllocationFilters(Schema):
    cohort: str | None = Field(None, max_length=80, description="A cohort's slug.")
    resource: str | None = Field(None, max_length=80, description="A resource's slug.")
    status: Literal["active", "suspended"] | None = None


class UsageOut(Schema):
    id: int
    amount: float
    occurred_at: datetime
    source: str


StaffAllocationPageOut = page_schema(ProgrammeAllocationOut, "ProgrammeAllocationPage")
UsagePageOut = page_schema(UsageOut, "UsagePage")


def _allocation_out(allocation) -> dict:
    return {
        "id": allocation.pk,
        "user_id": allocation.user_id,
        "email": allocation.user.email,
        "name": allocation.user.get_full_name(),
        "cohort": allocation.pool.cohort.slug,
        "resource": allocation.pool.resource.slug,
        "unit": allocation.pool.resource.unit,
        "limit": allocation.limit,
        "used": allocation.used,
        "remaining": allocation.remaining,
        "status": allocation.status,
        "exhausted": allocation.is_exhausted,
    }


@staff_router.get(
    "/programmes/{slug}/allocations",
    response={200: StaffAllocationPageOut, **ERRORS},
    summary="List a programme's compute allocations",
    description="For the programme's staff: each participant's share of each pool.",
)
def programme_allocation_list(
    request: HttpRequest, slug: str, page: Query[ReadPageIn], filters: Query[AllocationFilters]
):
    programme = programme_for(request, slug, VIEW)
    allocations = selectors.allocation_list_for_programme(programme=programme)
    if filters.cohort:
        allocations = allocations.filter(pool__cohort__slug=filters.cohort)
    if filters.resource:
        allocations = allocations.filter(pool__resource__slug=filters.resource)
    if filters.status:
        allocations = allocations.filter(status=filters.status)
    return paginate(allocations, page, _allocation_out)


@staff_router.get(
    "/programmes/{slug}/allocations/{int:allocation_id}/usage",
    response={200: UsagePageOut, **ERRORS},
    summary="List an allocation's usage",
    description="For the programme's staff: the usage records reported, the latest first.",
)
def programme_allocation_usage(
    request: HttpRequest, slug: str, allocation_id: int, page: Query[ReadPageIn]
):
    programme = programme_for(request, slug, VIEW)
    allocation = selectors.allocation_get(programme=programme, allocation_id=allocation_id)
    if allocation is None:
        raise Http404
    return paginate(selectors.usage_list_for_allocation(allocation=allocation), page, _usage_out)


def _usage_out(record) -> dict:
    return {
        "id": record.pk,
        "amount": record.amount,
        "occurred_at": record.occurred_at,
        "source": record.source,
    }


class MyAllocationOut(Schema):
    id: int
    programme: str = Field(description="The programme's slug.")
    cohort: str = Field(description="The cohort's slug.")
    resource: str
    resource_name: str
    unit: str
    limit: float
    used: float
    remaining: float
    status: Literal["active", "suspended"]


MyAllocationPageOut = page_schema(MyAllocationOut, "MyAllocationPage")


def _my_allocation_out(allocation) -> dict:
    resource = allocation.pool.resource
    return {
        "id": allocation.pk,
        "programme": allocation.pool.cohort.programme.slug,
        "cohort": allocation.pool.cohort.slug,
        "resource": resource.slug,
        "resource_name": resource.name,
        "unit": resource.unit,
        "limit": allocation.limit,
        "used": allocation.used,
        "remaining": allocation.remaining,
        "status": allocation.status,
    }


@staff_router.get(
    "/me/allocations",
    response={200: MyAllocationPageOut, **ERRORS},
    summary="List your own compute allocations",
    description="Your compute quotas in every programme, as on your compute page.",
)
def my_allocation_list(request: HttpRequest, page: Query[ReadPageIn]):
    allocations = selectors.allocation_list_for_user(user=request.user).order_by(
        "pool__cohort__name", "pool__resource__name", "pk"
    )
    return paginate(allocations, page, _my_allocation_out)
