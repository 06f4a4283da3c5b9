"""Reads of exports, scoped to a programme and a person."""

import uuid

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


def personal_export_list_for_user(*, user) -> list[Export]:
    """The copies of their own data a person asked for, newest first."""
    return list(Export.objects.filter(programme__isnull=True, requested_by=user))


def personal_export_get_for_user(*, user, export_uuid: uuid.UUID) -> Export | None:
    """The person's own copy of their data with this uuid (None for anybody else's, whoever
    asks: staff and platform administrators included)."""
    return Export.objects.filter(
        programme__isnull=True, requested_by=user, uuid=export_uuid
    ).first()
