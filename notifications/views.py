from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import rendering, selectors, services
from .forms import PreferencesForm
from .registry import KINDS

PAGE_SIZE = 20


def _notification_or_404(request, notification_id):
    notification = selectors.notification_get_for_user(
        user=request.user, notification_id=notification_id
    )
    if notification is None:
        raise Http404(_("No such notification."))
    return notification


@login_required
def notification_list(request):
    page = Paginator(selectors.notification_list_for_user(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_mark_read(request, notification_id):
    notification = _notification_or_404(request, notification_id)
    services.notification_mark_read(user=request.user, notification=notification)
    if request.htmx:
        notification.refresh_from_db()
        return render(
            request,
            "notifications/notification_list.html#item",
            {"notification": notification, "oob_bell": True},
        )
    return redirect("notifications:list")


@login_required
@require_POST
def notification_mark_all_read(request):
    count = services.notification_mark_all_read(user=request.user)
    if request.htmx:
        page = Paginator(
            selectors.notification_list_for_user(user=request.user), PAGE_SIZE
        ).get_page(request.POST.get("page"))
        return render(
            request, "notifications/notification_list.html#items", {"page": page, "oob_bell": True}
        )
    messages.success(request, _("%(count)s notifications marked as read.") % {"count": count})
    return redirect("notifications:list")


@login_required
@require_http_methods(["GET", "POST"])
def notification_open(request, notification_id):
    """Go to what the notification is about; a POST (the list's form) also marks it read.

    A GET changes nothing, so a prefetch or a link in an email cannot mark anything read."""
    notification = _notification_or_404(request, notification_id)
    if request.method == "POST":
        services.notification_mark_read(user=request.user, notification=notification)
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return redirect("notifications:list")
    return redirect(target)


@login_required
def preferences(request):
    rows = selectors.preference_rows_for_user(user=request.user)
    form = PreferencesForm(request.POST if request.method == "POST" else None, rows=rows)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            for kind, email_on, in_app_on in form.choices():
                services.preference_set(
                    user=request.user,
                    kind=kind,
                    is_email_enabled=email_on,
                    is_in_app_enabled=in_app_on,
                )
        messages.success(request, _("Your notification preferences are saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


@csrf_exempt  # mail clients POST here (RFC 8058 one-click); the signed token authorises it
def unsubscribe(request, token):
    """One-click unsubscribe from an email: no login; the signed token says who and what."""
    try:
        user_id, kind_name = rendering.read_unsubscribe_token(token)
        kind = KINDS[kind_name]
        user = get_user_model().objects.get(pk=user_id, is_active=True)
    except (signing.BadSignature, KeyError, ValueError, get_user_model().DoesNotExist):
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    if kind.is_mandatory:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    done = False
    if request.method == "POST":
        services.unsubscribe(user=user, kind=kind.name)
        done = True
    return render(
        request, "notifications/unsubscribe.html", {"kind": kind, "email": user.email, "done": done}
    )
