"""Reads and access choke points of the cohorts app."""

from .applications import *  # noqa: F403
from .programmes import *  # noqa: F403
from .reviews import *  # noqa: F403
from .selection import *  # noqa: F403
