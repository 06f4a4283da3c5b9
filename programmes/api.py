"""The read API of programmes (mounted under /api/v1/ by config/api.py): the programmes whose
workspace the person may open, as the navigation lists them."""

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema

from core.api import ERRORS, PageIn, page_schema, paginate
from programmes import selectors
from programmes.models import Programme

router = Router(tags=["programmes"])

VIEW = "programmes.view_programme_workspace"


class ProgrammeOut(Schema):
    slug: str
    name: str
    tagline: str
    description: str
    is_published: bool
    partners: list[str]
    my_roles: list[str]


ProgrammePageOut = page_schema(ProgrammeOut, "ProgrammePage")


def programme_out(programme: Programme) -> dict:
    return {
        "slug": programme.slug,
        "name": programme.name,
        "tagline": programme.tagline,
        "description": programme.description,
        "is_published": programme.is_published,
        "partners": [partner.name for partner in programme.partners.all()],
        "my_roles": [role.role for role in programme.my_roles],
    }


@router.get(
    "/programmes",
    response={200: ProgrammePageOut, **ERRORS},
    summary="List programmes",
    description="The programmes you work in (every programme for a platform admin), by name.",
)
def programme_list(request: HttpRequest, page: Query[PageIn]):
    programmes = selectors.programme_list_for_member(user=request.user)
    return paginate(programmes, page, programme_out)


@router.get(
    "/programmes/{slug}",
    response={200: ProgrammeOut, **ERRORS},
    summary="Get a programme",
)
def programme_detail(request: HttpRequest, slug: str):
    programme = selectors.programme_for(request, slug, VIEW)
    found = selectors.programme_list_for_member(user=request.user).filter(pk=programme.pk).first()
    if found is None:
        raise Http404
    return programme_out(found)
