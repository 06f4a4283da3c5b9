"""Object permissions of mentoring, checked with user.has_perm on the programme."""

import rules

from programmes.rules import (
    is_platform_admin,
    is_programme_admin,
    is_programme_mentor,
    is_programme_staff,
)

# Admins run the matching and see every pair; staff may look (never at a mentor's private
# notes, which nobody but that mentor sees); mentors keep their profile and their pairings.
rules.add_perm("mentoring.view_mentoring", is_platform_admin | is_programme_staff)
rules.add_perm("mentoring.manage_mentoring", is_platform_admin | is_programme_admin)
rules.add_perm("mentoring.mentor", is_programme_mentor)
