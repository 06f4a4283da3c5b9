"""A person's request to delete their account, and a programme's retention page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import reauthentication
from privacy import selectors, services
from privacy.forms import ErasureForm, RetentionForm
from programmes import services as programme_services
from programmes.selectors import programme_for


@login_required
@require_http_methods(["GET", "POST"])
def erasure(request):
    """Ask for the account to be deleted (after a grace period), or see the scheduled date."""
    scheduled = selectors.erasure_scheduled_for(user=request.user)
    certificates = selectors.valid_certificate_count(user=request.user)
    form = ErasureForm(
        request.POST if request.method == "POST" else None, has_certificates=bool(certificates)
    )
    status = 200
    if request.method == "POST":
        if scheduled is not None:
            messages.info(request, _("The deletion of your account is already scheduled."))
            return redirect("privacy:erasure")
        if form.is_valid():
            # Deleting an account: confirm who is asking (the form is sent again afterwards).
            reauthentication.require_recent(request)
            try:
                services.erasure_request(
                    user=request.user, certificate_choice=form.chosen_certificate_choice()
                )
            except services.PrivacyError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("Your account will be deleted on the date below. You can cancel until then."),
                )
                return redirect("privacy:erasure")
        status = 400
    return render(
        request,
        "privacy/erasure.html",
        {
            "form": form,
            "scheduled": scheduled,
            "certificates": certificates,
            "only_admin_of": selectors.programmes_only_admin_of(user=request.user),
            "grace_days": settings.COHORTLINE_ERASURE_GRACE_DAYS,
        },
        status=status,
    )


@login_required
@require_POST
def erasure_cancel(request):
    scheduled = selectors.erasure_scheduled_for(user=request.user)
    if scheduled is None:
        messages.info(request, _("No deletion of your account is scheduled."))
        return redirect("privacy:erasure")
    try:
        services.erasure_cancel(erasure=scheduled, actor=request.user)
    except services.PrivacyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The deletion is cancelled. Your account stays as it is."))
    return redirect("privacy:erasure")


@login_required
@require_http_methods(["GET", "POST"])
def retention(request, slug):
    """How long the programme keeps people's data after their cohort ends, and what is due."""
    programme = programme_for(request, slug, "privacy.manage_retention")
    initial = {
        "months_not_selected": programme.retention_months_not_selected,
        "months_participants": programme.retention_months_participants,
    }
    form = RetentionForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            programme_services.programme_retention_set(
                programme=programme,
                months_not_selected=form.cleaned_data["months_not_selected"],
                months_participants=form.cleaned_data["months_participants"],
                actor=request.user,
            )
            messages.success(request, _("Retention periods saved."))
            return redirect("privacy:retention", slug=programme.slug)
        status = 400
    today = timezone.localdate()
    plan = selectors.retention_plan(programme=programme)
    return render(
        request,
        "privacy/retention.html",
        {
            "programme": programme,
            "form": form,
            "plan": plan,
            "today": today,
            "due_now": sum(row.due_now for row in plan),
        },
        status=status,
    )
