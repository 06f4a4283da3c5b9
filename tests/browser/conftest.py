import os

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the tests
# themselves (fixtures, assertions) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def axe_check():
    """Run axe-core on the page; fail on serious or critical violations, listing them."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page):
        results = axe.run(page)
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert bad == [], f"accessibility violations on {page.url}:\n" + "\n".join(bad)

    return check


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # No CSS transitions: axe must not measure a colour halfway through a hover animation.
    return {**browser_context_args, "reduced_motion": "reduce"}


def sign_in(page, live_server, user, password: str | None = None) -> None:
    """Sign in through the real form; a user with an authenticator app then types its current
    code, as every role that sees personal data must."""
    import time

    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
    from allauth.mfa.utils import decrypt
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    from tests.factories.accounts import PASSWORD

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password or PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        return
    secret = decrypt(authenticator.data["secret"])
    page.locator('input[name="code"]').wait_for()
    for _attempt in range(3):
        # A code typed in the last seconds of its 30-second step may reach the server in the
        # next one and be refused: wait for a fresh step instead, and type again if refused.
        if time.time() % 30 > 24:
            time.sleep(30 - time.time() % 30 + 0.2)
        page.locator('input[name="code"]').fill(
            format_hotp_value(hotp_value(secret, int(time.time()) // 30))
        )
        page.get_by_role("button", name="Sign In").click()
        page.wait_for_load_state()
        try:
            page.wait_for_url(lambda url: "/accounts/2fa/" not in url, timeout=10_000)
            return
        except PlaywrightTimeoutError:  # still on the code page: the code was refused
            time.sleep(30 - time.time() % 30 + 0.2)
    raise AssertionError(f"could not pass the authenticator step for {user.email}")
