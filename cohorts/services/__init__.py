"""Every write of the cohorts app. Import the package: `services.application_submit(...)`."""

from .applications import *  # noqa: F403
from .programmes import *  # noqa: F403
from .reviews import *  # noqa: F403
from .selection import *  # noqa: F403
from .setup import *  # noqa: F403
