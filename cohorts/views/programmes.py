from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import reauthentication
from accounts import selectors as account_selectors

from .. import selectors, services
from ..forms import RoleGrantForm
from .common import programme_or_404


def landing(request):
    programmes = selectors.programme_list_published()
    return render(
        request,
        "cohorts/landing.html",
        {"programmes": programmes, "open_cohorts": selectors.cohort_list_open()},
    )


@login_required
def dashboard(request):
    profile = account_selectors.profile_get_for_user(user=request.user)
    memberships = selectors.membership_list_for_user(user=request.user)
    if profile is None and not memberships and not request.user.is_superuser:
        messages.info(request, _("Welcome! Tell us about yourself so you can apply to a cohort."))
        return redirect("accounts:profile")
    return render(
        request,
        "cohorts/dashboard.html",
        {
            "profile": profile,
            "memberships": memberships,
            "applications": selectors.application_list_for_applicant(user=request.user),
            "open_cohorts": selectors.cohort_list_open(not_applied_by=request.user),
        },
    )


@login_required
def programme_detail(request, slug):
    programme = programme_or_404(request, slug)
    memberships = {m.programme.pk: m for m in selectors.membership_list_for_user(user=request.user)}
    return render(
        request,
        "cohorts/programme_detail.html",
        {
            "programme": programme,
            "membership": memberships.get(programme.pk),
            "can_manage_team": request.user.has_perm("cohorts.manage_programme_team", programme),
            "can_see_outbox": request.user.has_perm("cohorts.view_programme_outbox", programme),
            "can_manage_programme": request.user.has_perm("cohorts.manage_programme", programme),
            "can_see_applications": request.user.has_perm("cohorts.view_applications", programme),
            "cohorts": selectors.cohort_list_for_programme(programme=programme),
        },
    )


@login_required
def programme_team(request, slug):
    programme = programme_or_404(request, slug)
    if not request.user.has_perm("cohorts.manage_programme_team", programme):
        raise PermissionDenied
    if request.method == "POST":
        # Changing who may see applicants' data: confirm who is asking first.
        reauthentication.require_recent(request)
    form = RoleGrantForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_role_grant(
                programme=programme,
                user=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                granted_by=request.user,
                employer=form.cleaned_data["employer"],
            )
        except services.RoleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Added to the team."))
            return redirect("cohorts:programme_team", slug=programme.slug)
    roles = selectors.role_list_for_programme(programme=programme)
    return render(
        request,
        "cohorts/programme_team.html",
        {"programme": programme, "roles": roles, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def programme_role_revoke(request, slug, role_id):
    programme = programme_or_404(request, slug)
    if not request.user.has_perm("cohorts.manage_programme_team", programme):
        raise PermissionDenied
    grant = selectors.role_get_for_programme(programme=programme, role_id=role_id)
    if grant is None:
        raise Http404(_("No such role."))
    # Changing who may see applicants' data: confirm who is asking first.
    reauthentication.require_recent(request)
    try:
        services.programme_role_revoke(grant=grant, revoked_by=request.user)
    except services.RoleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(email)s is no longer %(role)s.")
            % {"email": grant.user.email, "role": grant.get_role_display()},
        )
    return redirect("cohorts:programme_team", slug=programme.slug)
