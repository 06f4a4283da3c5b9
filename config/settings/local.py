"""Development and demo: debug on, console email, MFA for admins relaxed, eager Celery."""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("COHORTLINE_ADMIN_MFA_REQUIRED", "false")

from .base import *  # noqa: F403
