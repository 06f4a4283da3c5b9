from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from . import selectors, services
from .forms import ApplicantProfileForm


@login_required
def profile_edit(request):
    profile = selectors.profile_get_for_user(user=request.user)
    form = ApplicantProfileForm(
        request.POST if request.method == "POST" else None, instance=profile
    )
    if request.method == "POST" and form.is_valid():
        services.profile_save(user=request.user, data=form.cleaned_data)
        messages.success(request, _("Your profile is saved."))
        next_url = request.GET.get("next", "")
        if next_url and url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}
        ):
            return redirect(next_url)
        return redirect("dashboard")
    return render(
        request,
        "accounts/applicantprofile_form.html",
        {"form": form, "is_new": profile is None},
        status=400 if form.errors else 200,
    )
