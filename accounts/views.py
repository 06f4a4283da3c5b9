from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import reauthentication, selectors, services
from .enums import SITE_PRIVACY_NOTICE_VERSION, ConsentPurpose
from .forms import ApplicantProfileForm, PersonalTokenForm

TOKENS_PER_PAGE = 50


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


# --- personal API tokens ---------------------------------------------------------------------


def _tokens_page(request, *, form=None, new_token=None, secret="", status=200):
    tokens = selectors.personal_token_list_for_user(user=request.user)
    page = Paginator(tokens, TOKENS_PER_PAGE).get_page(request.GET.get("page"))
    response = render(
        request,
        "accounts/token_list.html",
        {
            "page": page,
            "form": form or PersonalTokenForm(),
            "new_token": new_token,
            "secret": secret,
            "api_url": request.build_absolute_uri("/api/v1/"),
        },
        status=status,
    )
    # The secret is on this page once: no cache may keep it.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def token_list(request):
    """The person's own API tokens, and a form to make one (its secret shown once, here)."""
    if request.method != "POST":
        return _tokens_page(request)
    form = PersonalTokenForm(request.POST)
    if not form.is_valid():
        return _tokens_page(request, form=form, status=400)
    # A token acts as its owner without a password: confirm who they are first.
    reauthentication.require_recent(request)
    try:
        token, secret = services.personal_token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            expires_at=form.expires_at,
        )
    except services.TokenError as exc:
        form.add_error(None, str(exc))
        return _tokens_page(request, form=form, status=400)
    return _tokens_page(request, new_token=token, secret=secret)


@login_required
@require_POST
def token_revoke(request, token_id):
    token = selectors.personal_token_get_for_user(user=request.user, token_id=token_id)
    if token is None:
        raise Http404(_("No such token."))
    services.personal_token_revoke(token=token, actor=request.user)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("accounts:tokens")


# --- privacy and consent ---------------------------------------------------------------------


@login_required
def consent_list(request):
    """The person's own consents, one section per purpose, with each record's notice version
    and times; optional ones can be given and withdrawn here."""
    return render(
        request,
        "accounts/consent_list.html",
        {"rows": selectors.consent_rows_for_user(user=request.user)},
    )


def _optional_purpose(value: str) -> ConsentPurpose | None:
    try:
        purpose = ConsentPurpose(value)
    except ValueError:
        return None
    return purpose if purpose.is_optional else None


@login_required
@require_POST
def consent_change(request, purpose, action):
    """Give or withdraw one optional consent of the person's own (the URL names no person)."""
    chosen = _optional_purpose(purpose)
    if chosen is None:
        return HttpResponseBadRequest(_("This consent cannot be changed here."))
    if action == "give":
        services.consent_give(
            user=request.user,
            purpose=chosen,
            notice_version=SITE_PRIVACY_NOTICE_VERSION,
            request=request,
        )
        messages.success(request, _("Thank you: your consent is recorded."))
    else:
        services.consent_withdraw(
            user=request.user, purpose=chosen, actor=request.user, request=request
        )
        messages.success(request, _("Your consent is withdrawn."))
    return redirect("accounts:privacy")
