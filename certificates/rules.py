"""Object permissions of certificates, checked with user.has_perm on the programme."""

import rules

from programmes.rules import is_platform_admin, is_programme_staff

# The programme's staff (instructors are staff) and admins set the certification rule, see the
# board, waive, sign off, issue and revoke.
rules.add_perm("certificates.manage_certificates", is_platform_admin | is_programme_staff)
