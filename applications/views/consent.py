"""Withdrawing consent to processing: a confirmation page that lists exactly which of the
person's applications it withdraws, then the withdrawal itself (accounts.services)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.enums import ConsentPurpose
from applications import selectors
from applications.enums import ApplicationStatus


@login_required
def consent_withdraw(request):
    """GET: the warning, naming each application that would be withdrawn (accepted places
    first said apart). POST: withdraw the consent; the applications follow (receivers.py).
    Only ever the signed-in person's own consent and applications."""
    rows = account_selectors.consent_rows_for_user(user=request.user)
    is_given = any(row.is_given for row in rows if row.purpose == ConsentPurpose.PROCESSING)
    if not is_given:
        messages.info(request, _("You have no consent to processing to withdraw."))
        return redirect("accounts:privacy")
    applications = list(selectors.application_list_withdrawn_by_consent(user=request.user))
    if request.method == "POST":
        account_services.consent_withdraw(
            user=request.user,
            purpose=ConsentPurpose.PROCESSING,
            actor=request.user,
            request=request,
        )
        count = len(applications)
        messages.success(
            request,
            ngettext(
                "Your consent to processing is withdrawn, and %(count)d application with it.",
                "Your consent to processing is withdrawn, and %(count)d applications with it.",
                count,
            )
            % {"count": count}
            if count
            else _("Your consent to processing is withdrawn."),
        )
        return redirect("accounts:privacy")
    return render(
        request,
        "applications/consent_withdraw.html",
        {
            "applications": applications,
            "has_place": any(a.status == ApplicationStatus.ACCEPTED for a in applications),
        },
    )
