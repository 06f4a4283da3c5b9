"""Reads of exports, scoped to a programme and a person."""

from exports.models import Export


def export_list_for_user(*, programme, user) -> list[Export]:
    """The exports a person asked for in this programme, newest first."""
    return list(Export.objects.filter(programme=programme, requested_by=user))


def export_get_for_programme(*, programme, export_id: int) -> Export | None:
    """The programme's export with this id (None for another programme's)."""
    return (
        Export.objects.filter(programme=programme, pk=export_id)
        .select_related("programme", "requested_by")
        .first()
    )
