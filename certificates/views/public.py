"""What anyone may see without an account: a certificate's verification page (phone-sized, with
the holder's name, programme, cohort, date, issuer and status, and whether its signature checks
out), its signed Open Badges credential as JSON, and the issuer's DID document.

An unknown code is a plain 404 that says nothing about the code. The verification pages are
rate-limited per client address, so codes cannot be tried in bulk (they are unguessable
anyway: the limit is for the server's sake).
"""

import ipaddress

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from certificates import selectors, services

WINDOW_SECONDS = 60
PUBLIC_CORS = {"Access-Control-Allow-Origin": "*"}


IPV6_CLIENT_PREFIX = 64  # one client (a home, a phone) gets a whole /64


def _address_group(address: str) -> str:
    """The unit the limit counts: an IPv4 address as is, an IPv6 address's /64 network, so one
    client cannot rotate through the addresses of its own prefix to escape the limit."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        network = ipaddress.IPv6Network((ip, IPV6_CLIENT_PREFIX), strict=False)
        return str(network)
    return str(ip)


def _client_address(request) -> str:
    """The client's address as the sign-in limits see it: allauth reads X-Forwarded-For only
    behind the trusted proxies that ALLAUTH_TRUSTED_PROXY_COUNT names, else REMOTE_ADDR."""
    try:
        return _address_group(get_adapter(request).get_client_ip(request))
    except PermissionDenied:  # no usable address (a misconfigured proxy): one shared bucket
        return "unknown"


def _over_limit(request) -> bool:
    """Count this request against the client's minute; True past the limit. add() and incr()
    are atomic in every cache backend we use, so concurrent requests cannot slip past."""
    limit = settings.COHORTLINE_VERIFY_RATE_PER_MINUTE
    key = f"certificates:verify:{_client_address(request)}"
    if cache.add(key, 1, timeout=WINDOW_SECONDS):
        return limit < 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=WINDOW_SECONDS)
        count = 1
    return count > limit


def _too_many(request):
    response = render(request, "certificates/too_many.html", status=429)
    response["Retry-After"] = str(WINDOW_SECONDS)
    return response


def signature_checks(certificate) -> bool | None:
    """Whether the stored credential's proof verifies against the keys we publish and names the
    holder shown on the page; None when this server publishes no key to check it with (the
    page then says the signature could not be checked, not that it is wrong)."""
    document = selectors.did_document()
    if not document.get("verificationMethod"):
        return None
    try:
        verifies = selectors.credential_verifies(certificate=certificate, document=document)
    except (ValueError, KeyError, TypeError):
        return False
    return verifies and selectors.credential_holder_name(certificate.credential) == (
        certificate.holder_name
    )


@require_safe
def verify(request, code):
    if _over_limit(request):
        return _too_many(request)
    certificate = selectors.certificate_get_by_code(code=code)
    if certificate is None:
        raise Http404
    response = render(
        request,
        "certificates/verify.html",
        {
            "certificate": certificate,
            # A certificate revoked by its holder's erasure keeps no credential to check.
            "signature_ok": signature_checks(certificate) if certificate.credential else None,
        },
    )
    # A revocation must show at once: no cache keeps an old answer.
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def credential(request, code):
    if _over_limit(request):
        return JsonResponse({"error": "too many requests"}, status=429, headers=PUBLIC_CORS)
    certificate = selectors.certificate_get_by_code(code=code)
    if certificate is None:
        return JsonResponse({"error": "not found"}, status=404, headers=PUBLIC_CORS)
    if not certificate.credential:
        # Revoked at the holder's request, with their personal data: the status list still
        # says revoked, and the verification page says so.
        return JsonResponse(
            {"error": "gone", "detail": "The credential was deleted at the holder's request."},
            status=410,
            headers=PUBLIC_CORS,
        )
    response = JsonResponse(
        certificate.credential,
        json_dumps_params={"ensure_ascii": False},
        content_type="application/json",
        headers=PUBLIC_CORS,
    )
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def status_list(request, number):
    """A revocation status list (Bitstring Status List v1.0), signed like the credentials that
    point at it: a verifier reads its certificate's bit here, and sees a revocation at once."""
    if _over_limit(request):
        return JsonResponse({"error": "too many requests"}, status=429, headers=PUBLIC_CORS)
    if not selectors.status_list_exists(number, services.STATUS_LIST_SIZE):
        return JsonResponse({"error": "not found"}, status=404, headers=PUBLIC_CORS)
    try:
        document = services.status_list_credential(number=number)
    except services.CertificateError:  # no signing key on this server
        return JsonResponse({"error": "unavailable"}, status=503, headers=PUBLIC_CORS)
    response = JsonResponse(document, content_type="application/json", headers=PUBLIC_CORS)
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def did(request):
    return JsonResponse(
        selectors.did_document(),
        content_type="application/json",
        headers={**PUBLIC_CORS, "Cache-Control": "public, max-age=300"},
    )
