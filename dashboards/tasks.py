from celery import shared_task

from . import digest, rollups


@shared_task(name="dashboards.tasks.refresh_rollups", ignore_result=True)
def refresh_rollups() -> int:
    """Every minute (beat): bring the dashboard rollups up to date with new and changed answers."""
    return rollups.refresh() if rollups.is_supported() else 0


@shared_task(name="dashboards.tasks.rebuild_rollups", ignore_result=True)
def rebuild_rollups() -> None:
    """Nightly (beat): recompute everything, which also catches deleted answers and changed properties."""
    if rollups.is_supported():
        rollups.rebuild()


@shared_task(name="dashboards.tasks.send_due_digests", ignore_result=True)
def send_due_digests() -> int:
    """Every 5 minutes (beat): send the weekly digests that are due, each once."""
    return digest.send_due_digests()
