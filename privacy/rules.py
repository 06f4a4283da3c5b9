"""Who may do what in privacy. A person acts only on their own account (the views pass
`request.user`, never an id); a programme's retention is its admins' (and platform admins')."""

import rules

from programmes.rules import is_platform_admin, is_programme_admin

rules.add_perm("privacy.manage_retention", is_platform_admin | is_programme_admin)
