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
