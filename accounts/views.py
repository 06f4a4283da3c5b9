from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

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


@require_POST
def verification_resend(request):
    services.verification_resend(request=request)
    # The same answer whether or not a link went out (see the service).
    messages.info(
        request,
        _(
            "If your address still needs confirming, a new link is on its way. Links go out at "
            "most once every three minutes."
        ),
    )
    return redirect("account_email_verification_sent")
