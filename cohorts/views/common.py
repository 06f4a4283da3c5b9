from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from .. import selectors


def programme_or_404(request, slug):
    """The programme, if the user may see it at all (any role in it, or platform admin)."""
    programme = selectors.programme_get_for_user(user=request.user, slug=slug)
    if programme is None:
        raise Http404(_("No such programme."))
    return programme


def programme_for(request, slug, perm: str):
    """The programme, 404 when invisible to the user, 403 when visible but `perm` is missing."""
    programme = programme_or_404(request, slug)
    if not request.user.has_perm(perm, programme):
        raise PermissionDenied
    return programme


def cohort_or_404(programme, cohort_slug):
    cohort = selectors.cohort_get_for_programme(programme=programme, cohort_slug=cohort_slug)
    if cohort is None:
        raise Http404(_("No such cohort."))
    return cohort
