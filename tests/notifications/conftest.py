import pytest

from tests.notifications import backends


@pytest.fixture
def scripted_smtp(settings):
    """Route mail through a backend whose next failures the test scripts."""
    settings.EMAIL_BACKEND = "tests.notifications.backends.ScriptedBackend"
    backends.SCRIPT.clear()
    yield backends.SCRIPT
    backends.SCRIPT.clear()
