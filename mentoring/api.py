"""The read API of mentoring (mounted under /api/v1/ by config/api.py): a programme's active
pairs for its staff, as on the mentoring overview, and each person's own pairings (as mentor or
mentee), as on their mentoring page. Session notes are never part of it."""

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from core.api import ERRORS, PageIn, page_schema, paginate
from mentoring import selectors
from mentoring.enums import PairingStatus
from mentoring.models import Pairing
from programmes.selectors import programme_for

router = Router(tags=["mentoring"])

VIEW = "mentoring.view_mentoring"


class PairingOut(Schema):
    id: int
    cohort: str = Field(description="The cohort's slug.")
    mentee_id: int
    mentee_name: str
    mentee_email: str
    mentor_id: int
    mentor_name: str
    mentor_email: str
    started_at: datetime | None
    session_count: int = Field(description="Sessions confirmed by the mentor and held.")
    last_session_on: date | None
    average_rating: float | None


class PairingFilters(Schema):
    cohort: str | None = Field(None, max_length=80, description="A cohort's slug.")


PairingPageOut = page_schema(PairingOut, "PairingPage")


def pairing_out(pairing: Pairing) -> dict:
    return {
        "id": pairing.pk,
        "cohort": pairing.cohort.slug,
        "mentee_id": pairing.mentee_id,
        "mentee_name": pairing.mentee.get_full_name(),
        "mentee_email": pairing.mentee.email,
        "mentor_id": pairing.mentor.user_id,
        "mentor_name": pairing.mentor.user.get_full_name(),
        "mentor_email": pairing.mentor.user.email,
        "started_at": pairing.started_at,
        "session_count": pairing.session_count,
        "last_session_on": pairing.last_held,
        "average_rating": pairing.average_rating,
    }


@router.get(
    "/programmes/{slug}/pairings",
    response={200: PairingPageOut, **ERRORS},
    summary="List a programme's mentoring pairs",
    description="For the programme's staff: the active pairs, the longest without a session first.",
)
def pairing_list(
    request: HttpRequest, slug: str, page: Query[PageIn], filters: Query[PairingFilters]
):
    programme = programme_for(request, slug, VIEW)
    pairings = selectors.pairing_list_for_programme(programme=programme)
    if filters.cohort:
        pairings = pairings.filter(cohort__slug=filters.cohort)
    return paginate(pairings, page, pairing_out)


class MyPairingOut(Schema):
    id: int
    programme: str = Field(description="The programme's slug.")
    cohort: str = Field(description="The cohort's slug.")
    role: Literal["mentor", "mentee"] = Field(description="Your side of the pairing.")
    partner_name: str = Field(description="Your mentee's or your mentor's name.")
    partner_email: str
    status: PairingStatus
    started_at: datetime | None
    ended_at: datetime | None
    session_count: int
    last_session_on: date | None


MyPairingPageOut = page_schema(MyPairingOut, "MyPairingPage")


def _my_pairing_out(user_id: int):
    def serialise(pairing: Pairing) -> dict:
        is_mentor = pairing.mentor.user_id == user_id
        partner = pairing.mentee if is_mentor else pairing.mentor.user
        return {
            "id": pairing.pk,
            "programme": pairing.cohort.programme.slug,
            "cohort": pairing.cohort.slug,
            "role": "mentor" if is_mentor else "mentee",
            "partner_name": partner.get_full_name(),
            "partner_email": partner.email,
            "status": pairing.status,
            "started_at": pairing.started_at,
            "ended_at": pairing.ended_at,
            "session_count": pairing.session_count,
            "last_session_on": pairing.last_held,
        }

    return serialise


@router.get(
    "/me/pairings",
    response={200: MyPairingPageOut, **ERRORS},
    summary="List your own mentoring pairings",
    description="As a mentor, your active mentees; as a mentee, your mentors. Newest first.",
)
def my_pairing_list(request: HttpRequest, page: Query[PageIn]):
    pairings = selectors.pairing_list_for_user(user=request.user)
    return paginate(pairings, page, _my_pairing_out(request.user.pk))
