"""Celery tasks of outgoing webhooks: each loads rows by id and calls a plain function; safe to run twice.

The task names are the ones they had in nps/tasks.py: queued tasks and the beat schedule use them.
"""

from celery import shared_task

from . import services


# Beat runs this every minute (nps/celery.py): retries that are due, and attempts lost with a worker.
@shared_task(name="nps.tasks.send_due_webhooks", ignore_result=True)
def send_due_webhooks():
    services.send_due()


# Well inside services.LEASE, so that a hung attempt is over before the dispatcher hands it over again.
@shared_task(name="nps.tasks.send_webhook", ignore_result=True, time_limit=120)
def send_webhook(delivery_id, attempt=0):
    services.send_delivery(delivery_id, attempt)
