import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nps.settings")

app = Celery("nps")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The installed apps' tasks modules, plus those of the nps sub-packages (not apps of their own).
app.autodiscover_tasks(["nps.webhooks"])
# Follow-up (responses/cases/, responses/alerts/): their own tasks modules.
app.autodiscover_tasks(["responses.cases", "responses.alerts"])

app.autodiscover_tasks(["nps"], related_name="retention")
# Schedules live in database rows; beat only wakes the dispatcher once a minute (see docs/operations.md).
app.conf.beat_schedule = {
    "dispatch-due-work": {"task": "surveys.tasks.dispatch_due", "schedule": 60.0},
    # Contacts who came to match a live campaign's saved audience filter join it.
    "refresh-filtered-audiences": {"task": "surveys.tasks.refresh_filtered_audiences", "schedule": 3600.0},
    # Files of CSV imports past IMPORT_FILE_RETENTION_DAYS are deleted (see docs/privacy.md).
    "expire-import-files": {
        "task": "surveys.tasks.expire_import_files",
        "schedule": crontab(hour=2, minute=41),
    },
    # Retention: contacts, answers and delivery logs past the RETENTION_* settings (docs/privacy.md); off by
    # default. Before the nightly rollup rebuild, which then drops deleted answers from the figures.
    "apply-retention": {"task": "nps.tasks.apply_retention", "schedule": crontab(hour=2, minute=53)},
    # Webhooks out: retries whose time has come (the schedule is in WebhookDelivery rows).
    "send-due-webhooks": {"task": "nps.tasks.send_due_webhooks", "schedule": 60.0},
    # Dashboards: new and changed answers reach the rollups within a minute; a nightly rebuild also
    # catches deletions and changed contact properties (see docs/dashboards.md).
    "refresh-dashboard-rollups": {"task": "dashboards.tasks.refresh_rollups", "schedule": 60.0},
    "rebuild-dashboard-rollups": {
        "task": "dashboards.tasks.rebuild_rollups",
        "schedule": crontab(hour=3, minute=17),
    },
    # Comment themes: new and changed comments get their themes within a minute; a full re-learn every night
    # (after the rollup rebuild), on demand from the Themes page (see docs/themes.md).
    "assign-comment-themes": {"task": "responses.themes.tasks.assign_new_comments", "schedule": 60.0},
    "relearn-comment-themes": {
        "task": "responses.themes.tasks.relearn_nightly",
        "schedule": crontab(hour=3, minute=41),
    },
    # Weekly digests: each subscription row holds its next send time (see docs/dashboards.md).
    "send-due-digests": {"task": "dashboards.tasks.send_due_digests", "schedule": 300.0},
    # Follow-up: answers whose case or alert task was lost are considered again, overdue cases are marked
    # and alerted, case replies that never went are sent (docs/follow-up.md).
    "sweep-follow-up": {"task": "responses.cases.tasks.sweep_follow_up", "schedule": 60.0},
    # New and changed answers handed over by the answer pages (one Redis push each): cases, at-risk, alerts.
    "consider-pending-answers": {"task": "responses.cases.tasks.consider_pending", "schedule": 5.0},
    # Alerts whose time has come (batch window, rate limit, retries): the schedule is in Alert rows.
    "send-due-alerts": {"task": "responses.alerts.tasks.send_due_alerts", "schedule": 30.0},
}


# With CELERY_DB_REUSE_MAX (nps/settings.py) the worker keeps its database connection across tasks; like
# Django between requests, drop one that failed (a PostgreSQL restart) or is older than CONN_MAX_AGE.
# Not for a task run in process (tests, the demo): that is the caller's connection, maybe in a transaction.
@task_prerun.connect
@task_postrun.connect
def close_old_connections(sender=None, **kwargs):
    if sender is not None and getattr(sender.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
