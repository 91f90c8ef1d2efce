import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nps.settings")

app = Celery("nps")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Schedules live in database rows; beat only wakes the dispatcher once a minute (see docs/operations.md).
app.conf.beat_schedule = {
    "dispatch-due-work": {"task": "surveys.tasks.dispatch_due", "schedule": 60.0},
}
