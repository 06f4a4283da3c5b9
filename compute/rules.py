"""Object permissions of compute quotas, checked with user.has_perm on the programme."""

import rules

from programmes.rules import is_platform_admin, is_programme_admin, is_programme_staff

# Admins run the catalogue, pools, allocations, top-ups and tokens; staff may look.
rules.add_perm("compute.view_compute", is_platform_admin | is_programme_staff)
rules.add_perm("compute.manage_compute", is_platform_admin | is_programme_admin)
