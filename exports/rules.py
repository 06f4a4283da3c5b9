"""Who may see and download an export: whoever may have its kind in the programme, if they
asked for it themselves or run the programme."""

import rules

from exports.registry import find_kind


@rules.predicate
def may_have_export(user, export) -> bool:
    if export is None or not user.is_authenticated or export.programme_id is None:
        # A person's own data (no programme) goes only through the "Your data" pages.
        return False
    kind = find_kind(export.kind)
    if kind is None or not user.has_perm(kind.permission, export.programme):
        return False
    return export.requested_by_id == user.pk or user.has_perm(
        "programmes.manage_programme", export.programme
    )


rules.add_perm("exports.view_export", may_have_export)
