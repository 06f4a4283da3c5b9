"""The read API of applications (mounted under /api/v1/ by config/api.py).

The programme's staff read a cohort's applications, filtered and sorted as on the staff list
(the same `ApplicationFilter`), without the CV or any uploaded file (a file answer gives its
name only). An applicant reads their own applications, with a decision not yet released shown
as "in review", as on their own pages.
"""

from datetime import date, datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from applications import selectors, services
from applications.enums import ApplicationStatus
from applications.filters import SORT_CHOICES, ApplicationFilter
from applications.models import Application
from cohorts.selectors import cohort_or_404
from core.api import ERRORS, PageIn, page_schema, paginate
from programmes.selectors import programme_for

router = Router(tags=["applications"])

VIEW = "programmes.view_applications"

SortKey = Literal[tuple(value for value, _label in SORT_CHOICES)]  # type: ignore[valid-type]


class ApplicationOut(Schema):
    id: int
    status: ApplicationStatus
    full_name: str
    email: str
    employer: str
    employer_size: str
    sector: str
    job_level: str
    residency: str
    gender: str
    is_union_member: bool | None
    age_at_start: int | None
    is_eligible: bool | None
    submitted_at: datetime | None
    review_count: int
    raw_score: float | None
    normalized_score: float | None
    waitlist_rank: int | None
    has_cv: bool = Field(description="Whether a CV was uploaded (the file is not served here).")


class ApplicationDetailOut(ApplicationOut):
    answers: dict[str, Any] = Field(
        description="Answers by question key; a file answer gives its name only."
    )


ApplicationPageOut = page_schema(ApplicationOut, "ApplicationPage")


class ApplicationFilters(Schema):
    q: str | None = Field(None, max_length=200, description="A part of the name or email.")
    status: ApplicationStatus | None = None
    is_eligible: Literal["yes", "no", "unknown"] | None = None
    submitted_after: date | None = Field(None, description="On or after this day (cohort time).")
    submitted_before: date | None = Field(None, description="On or before this day.")
    sort: SortKey = "-submitted_at"


def application_out(application: Application) -> dict:
    return {
        "id": application.pk,
        "status": application.status,
        "full_name": application.full_name,
        "email": application.email,
        "employer": application.employer,
        "employer_size": application.employer_size,
        "sector": application.sector,
        "job_level": application.job_level,
        "residency": application.residency,
        "gender": application.gender,
        "is_union_member": application.is_union_member,
        "age_at_start": application.age_at_start,
        "is_eligible": application.is_eligible,
        "submitted_at": application.submitted_at,
        "review_count": application.review_count,
        "raw_score": application.raw_score,
        "normalized_score": application.normalized_score,
        "waitlist_rank": application.waitlist_rank,
        "has_cv": bool(application.cv),
    }


def _answer(value: Any) -> Any:
    """An answer as the API shows it: an uploaded file by its name, never its stored path."""
    if isinstance(value, dict) and "path" in value:
        return {"name": value.get("name", "")}
    return value


@router.get(
    "/programmes/{slug}/cohorts/{cohort_slug}/applications",
    response={200: ApplicationPageOut, **ERRORS},
    summary="List a cohort's applications",
    description=(
        "For the programme's staff: every application but drafts, filtered and sorted as on "
        "the staff list. No CV or uploaded file is served by the API."
    ),
)
def application_list(
    request: HttpRequest,
    slug: str,
    cohort_slug: str,
    page: Query[PageIn],
    filters: Query[ApplicationFilters],
):
    programme = programme_for(request, slug, VIEW)
    cohort = cohort_or_404(programme, cohort_slug)
    data = {
        name: value.isoformat() if isinstance(value, date) else value
        for name, value in filters.model_dump().items()
        if value not in (None, "")
    }
    filterset = ApplicationFilter(
        data, queryset=selectors.application_list_for_cohort(cohort=cohort), cohort=cohort
    )
    if not filterset.is_valid():
        problems = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in filterset.errors.items()
        )
        raise HttpError(400, f"Invalid input: {problems}")
    return paginate(filterset.qs, page, application_out)


@router.get(
    "/programmes/{slug}/cohorts/{cohort_slug}/applications/{int:application_id}",
    response={200: ApplicationDetailOut, **ERRORS},
    summary="Get one application",
    description="For the programme's staff: a submitted application with its answers.",
)
def application_detail(request: HttpRequest, slug: str, cohort_slug: str, application_id: int):
    programme = programme_for(request, slug, VIEW)
    cohort = cohort_or_404(programme, cohort_slug)
    application = selectors.application_get_for_staff(cohort=cohort, application_id=application_id)
    if application is None:
        raise Http404
    # Opened by staff through the API: recorded as on the page.
    services.application_viewed(application=application, actor=request.user, via="api")
    answers = {key: _answer(value) for key, value in (application.answers or {}).items()}
    return {**application_out(application), "answers": answers}


class MyApplicationOut(Schema):
    id: int
    programme: str = Field(description="The programme's slug.")
    programme_name: str
    cohort: str = Field(description="The cohort's slug.")
    cohort_name: str
    status: ApplicationStatus = Field(
        description="A selection decision not yet released reads `in_review`."
    )
    created_at: datetime
    submitted_at: datetime | None


MyApplicationPageOut = page_schema(MyApplicationOut, "MyApplicationPage")


def my_application_out(application: Application) -> dict:
    cohort = application.cohort
    return {
        "id": application.pk,
        "programme": cohort.programme.slug,
        "programme_name": cohort.programme.name,
        "cohort": cohort.slug,
        "cohort_name": cohort.name,
        "status": (
            ApplicationStatus.IN_REVIEW if application.is_decision_hidden else application.status
        ),
        "created_at": application.created_at,
        "submitted_at": application.submitted_at,
    }


@router.get(
    "/me/applications",
    response={200: MyApplicationPageOut, **ERRORS},
    summary="List your own applications",
    description="Your applications in every programme, the newest first.",
)
def my_application_list(request: HttpRequest, page: Query[PageIn]):
    applications = (
        selectors.application_list_for_applicant(user=request.user)
        .prefetch_related(None)
        .order_by("-created_at", "-pk")
    )
    return paginate(applications, page, my_application_out)
