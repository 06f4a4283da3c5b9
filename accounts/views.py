from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
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
        return redirect("dashboard")
    return render(
        request,
        "accounts/applicantprofile_form.html",
        {"form": form, "is_new": profile is None},
        status=400 if form.errors else 200,
    )
