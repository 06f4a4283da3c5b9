"""Object permissions of courses, checked with user.has_perm on the programme."""

import rules

from programmes.rules import is_platform_admin, is_programme_staff

# The programme's staff (instructors are staff) and admins run the teaching: courses, sessions,
# enrolments, the roster, assessments and results, and they see every participant's progress.
rules.add_perm("courses.teach", is_platform_admin | is_programme_staff)
