from celery import shared_task

from . import digest, rollups, theme_rollups


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


@shared_task(name="dashboards.tasks.rebuild_theme_rollups", ignore_result=True)
def rebuild_theme_rollups() -> None:
    """After a learn, a merge or a theme hidden: every theme rollup row again (the others are left)."""
    theme_rollups.rebuild()


def theme_rollups_changed(answer_ids: list[int] | None) -> None:
    """Registered with responses.themes.assign.on_changed (called after commit): the buckets of a few
    answers at once, in the caller's process (one small bucket per answer's day); many answers, or None,
    rebuild the theme rows in the worker rather than in a page's request."""
    if not rollups.is_supported():
        return
    if answer_ids is None or len(answer_ids) > theme_rollups.MAX_TOUCHED_ANSWERS:
        rebuild_theme_rollups.delay()
    else:
        theme_rollups.refresh_answers(list(answer_ids))
