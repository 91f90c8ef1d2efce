import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nps.settings")

app = Celery("nps")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The installed apps' tasks modules, plus those of the nps sub-packages (not apps of their own).
app.autodiscover_tasks(["nps.webhooks"])
# Schedules live in database rows; beat only wakes the dispatcher once a minute (see docs/operations.md).
app.conf.beat_schedule = {
    "dispatch-due-work": {"task": "surveys.tasks.dispatch_due", "schedule": 60.0},
    # Contacts who came to match a live campaign's saved audience filter join it.
    "refresh-filtered-audiences": {"task": "surveys.tasks.refresh_filtered_audiences", "schedule": 3600.0},
    # Webhooks out: retries whose time has come (the schedule is in WebhookDelivery rows).
    "send-due-webhooks": {"task": "nps.tasks.send_due_webhooks", "schedule": 60.0},
    # Dashboards: new and changed answers reach the rollups within a minute; a nightly rebuild also
    # catches deletions and changed contact properties (see docs/dashboards.md).
    "refresh-dashboard-rollups": {"task": "dashboards.tasks.refresh_rollups", "schedule": 60.0},
    "rebuild-dashboard-rollups": {
        "task": "dashboards.tasks.rebuild_rollups",
        "schedule": crontab(hour=3, minute=17),
    },
    # Weekly digests: each subscription row holds its next send time (see docs/dashboards.md).
    "send-due-digests": {"task": "dashboards.tasks.send_due_digests", "schedule": 300.0},
}
