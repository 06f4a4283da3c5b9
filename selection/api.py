"""The read API of selection (mounted under /api/v1/ by config/api.py): a cohort's selection
runs for its admins, as on the selection pages, and its participants for the programme's staff,
as on the participants page."""

from datetime import datetime

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from cohorts.selectors import cohort_or_404
from core.api import ERRORS, PageIn, page_schema, paginate
from programmes.selectors import programme_for
from selection import selectors
from selection.enums import RunStatus, ScoreKind
from selection.models import Participant, SelectionRun

router = Router(tags=["selection"])

MANAGE = "programmes.manage_programme"
VIEW = "programmes.view_applications"

# What a run's list needs not read: its inputs and results, which may hold thousands of ids.
_HEAVY = ("quotas", "selected", "waitlist", "scores", "binding")


class RunOut(Schema):
    number: int
    status: RunStatus
    score_kind: ScoreKind
    seats: int
    min_reviews: int
    pool_size: int = Field(description="Applications the run chose from.")
    result_status: str = Field(description="`optimal` or `infeasible` once the run is done.")
    conflict: str = Field(description="Why the quotas cannot all be met, when infeasible.")
    objective: float | None
    duration_ms: int | None
    created_at: datetime
    committed_at: datetime | None


class QuotaResultOut(Schema):
    name: str
    attribute: str
    values: str
    count: int
    min: int | None
    max: int | None
    binding: bool


class RunSummaryOut(Schema):
    selected: int
    waitlisted: int
    total_score: float
    mean_score: float | None
    cutoff: float | None = Field(description="The lowest score selected.")
    above_cutoff_waiting: int = Field(
        description="Waitlisted applicants scoring above the cut-off (kept out by a quota)."
    )
    quotas: list[QuotaResultOut]


class RunDetailOut(RunOut):
    summary: RunSummaryOut | None = Field(description="Once the run is done.")


RunPageOut = page_schema(RunOut, "SelectionRunPage")


def run_out(run: SelectionRun) -> dict:
    return {
        "number": run.number,
        "status": run.status,
        "score_kind": run.score_kind,
        "seats": run.seats,
        "min_reviews": run.min_reviews,
        "pool_size": run.pool_size,
        "result_status": run.result_status,
        "conflict": run.conflict,
        "objective": run.objective,
        "duration_ms": run.duration_ms,
        "created_at": run.created_at,
        "committed_at": run.committed_at,
    }


@router.get(
    "/programmes/{slug}/cohorts/{cohort_slug}/selection-runs",
    response={200: RunPageOut, **ERRORS},
    summary="List a cohort's selection runs",
    description="For the programme's admins, the newest first.",
)
def run_list(request: HttpRequest, slug: str, cohort_slug: str, page: Query[PageIn]):
    programme = programme_for(request, slug, MANAGE)
    cohort = cohort_or_404(programme, cohort_slug)
    runs = selectors.run_list_for_cohort(cohort=cohort).defer(*_HEAVY)
    return paginate(runs, page, run_out)


@router.get(
    "/programmes/{slug}/cohorts/{cohort_slug}/selection-runs/{int:number}",
    response={200: RunDetailOut, **ERRORS},
    summary="Get a selection run's summary",
    description="For the programme's admins: the run and, once done, what it selected.",
)
def run_detail(request: HttpRequest, slug: str, cohort_slug: str, number: int):
    programme = programme_for(request, slug, MANAGE)
    cohort = cohort_or_404(programme, cohort_slug)
    run = selectors.run_get_for_cohort(cohort=cohort, number=number)
    if run is None:
        raise Http404
    summary = None
    if run.status in (RunStatus.DONE, RunStatus.COMMITTING, RunStatus.COMMITTED):
        figures = selectors.run_summary(run)
        summary = {
            "selected": figures["count"],
            "waitlisted": len(run.waitlist),
            "total_score": figures["total"],
            "mean_score": figures["mean"],
            "cutoff": figures["cutoff"],
            "above_cutoff_waiting": figures["above_cutoff_waiting"],
            "quotas": selectors.run_composition(run),
        }
    return {**run_out(run), "summary": summary}


class ParticipantOut(Schema):
    id: int
    user_id: int
    application_id: int
    full_name: str
    email: str
    joined_at: datetime


ParticipantPageOut = page_schema(ParticipantOut, "ParticipantPage")


def participant_out(participant: Participant) -> dict:
    return {
        "id": participant.pk,
        "user_id": participant.user_id,
        "application_id": participant.application_id,
        "full_name": participant.application.full_name or participant.user.get_full_name(),
        "email": participant.user.email,
        "joined_at": participant.created_at,
    }


@router.get(
    "/programmes/{slug}/cohorts/{cohort_slug}/participants",
    response={200: ParticipantPageOut, **ERRORS},
    summary="List a cohort's participants",
    description="For the programme's staff: who accepted a seat, in the order they joined.",
)
def participant_list(request: HttpRequest, slug: str, cohort_slug: str, page: Query[PageIn]):
    programme = programme_for(request, slug, VIEW)
    cohort = cohort_or_404(programme, cohort_slug)
    return paginate(selectors.participant_list_for_cohort(cohort=cohort), page, participant_out)
