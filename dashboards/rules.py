"""Who sees a programme's dashboard, and whether they see it in full or as protected aggregates."""

import rules

from programmes.rules import is_partner_viewer, is_platform_admin, is_programme_admin

# Programme and platform admins see every count, with links to the lists behind the charts.
rules.add_perm("dashboards.view_dashboard_in_full", is_platform_admin | is_programme_admin)
# Partner viewers see the same dashboard as aggregates only: no list, no name, every count
# under five people shown as "< 5" (dashboards/suppression.py).
rules.add_perm(
    "dashboards.view_dashboard", is_platform_admin | is_programme_admin | is_partner_viewer
)
