"""Celery tasks of exports: thin wrappers that import their service in the body."""

from celery import shared_task


@shared_task(name="exports.build_export", acks_late=True)
def build_export(export_id: int) -> str:
    from exports import services

    export = services.export_build(export_id=export_id)
    return export.status if export else "skipped"


@shared_task(name="exports.exports_expire", acks_late=True)
def exports_expire_task() -> int:
    from exports import services

    return services.exports_expire()


@shared_task(name="exports.exports_sweep", acks_late=True)
def exports_sweep_task() -> int:
    from exports import services

    return services.exports_sweep()
