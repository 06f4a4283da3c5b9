"""The read API of reviews (mounted under /api/v1/ by config/api.py): a cohort's review
progress per reviewer, as its admins see it on the review dashboard."""

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from cohorts.selectors import cohort_or_404
from core.api import ERRORS, PageIn, page_schema, paginate
from programmes.selectors import programme_for
from reviews import selectors

router = Router(tags=["reviews"])

MANAGE = "programmes.manage_programme"


class ReviewerProgressOut(Schema):
    reviewer_id: int
    reviewer_email: str
    reviewer_name: str
    assigned: int = Field(description="Active assignments of applications still in review.")
    done: int = Field(description="Of those, how many have a submitted review.")
    remaining: int


ReviewProgressPageOut = page_schema(ReviewerProgressOut, "ReviewerProgressPage")


def progress_out(progress: selectors.ReviewerProgress) -> dict:
    return {
        "reviewer_id": progress.reviewer.pk,
        "reviewer_email": progress.reviewer.email,
        "reviewer_name": progress.reviewer.get_full_name(),
        "assigned": progress.assigned,
        "done": progress.submitted,
        "remaining": progress.remaining,
    }


@router.get(
    "/programmes/{slug}/cohorts/{cohort_slug}/review-progress",
    response={200: ReviewProgressPageOut, **ERRORS},
    summary="Review progress per reviewer",
    description=(
        "For the programme's admins: each reviewer's assigned and reviewed applications, the "
        "most behind first."
    ),
)
def review_progress(request: HttpRequest, slug: str, cohort_slug: str, page: Query[PageIn]):
    programme = programme_for(request, slug, MANAGE)
    cohort = cohort_or_404(programme, cohort_slug)
    return paginate(selectors.reviewer_progress(cohort=cohort), page, progress_out)
