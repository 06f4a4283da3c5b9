"""The read API of cohorts (mounted under /api/v1/ by config/api.py): a programme's cohorts, as
its overview page lists them to the people who run it."""

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from cohorts import selectors
from cohorts.enums import CohortStatus
from cohorts.models import Cohort
from core.api import ERRORS, PageIn, page_schema, paginate
from programmes.selectors import programme_for

router = Router(tags=["cohorts"])

VIEW = "programmes.view_programme_workspace"


class CohortOut(Schema):
    slug: str
    name: str
    status: CohortStatus
    capacity: int
    opens_at: datetime
    closes_at: datetime
    starts_on: date
    ends_on: date
    timezone: str
    decisions_released: bool
    submitted_count: int = Field(description="Applications submitted and not withdrawn.")


CohortPageOut = page_schema(CohortOut, "CohortPage")


class CohortFilters(Schema):
    status: CohortStatus | None = None


def cohort_out(cohort: Cohort) -> dict:
    return {
        "slug": cohort.slug,
        "name": cohort.name,
        "status": cohort.status,
        "capacity": cohort.capacity,
        "opens_at": cohort.opens_at,
        "closes_at": cohort.closes_at,
        "starts_on": cohort.starts_on,
        "ends_on": cohort.ends_on,
        "timezone": cohort.timezone,
        "decisions_released": cohort.decisions_released_at is not None,
        "submitted_count": cohort.submitted_count,
    }


@router.get(
    "/programmes/{slug}/cohorts",
    response={200: CohortPageOut, **ERRORS},
    summary="List a programme's cohorts",
    description="The newest intake first.",
)
def cohort_list(
    request: HttpRequest, slug: str, page: Query[PageIn], filters: Query[CohortFilters]
):
    programme = programme_for(request, slug, VIEW)
    cohorts = selectors.cohort_list_for_programme(programme=programme).order_by("-opens_at", "pk")
    if filters.status:
        cohorts = cohorts.filter(status=filters.status)
    return paginate(cohorts, page, cohort_out)
