"""Celery tasks: each loads rows by id and calls a plain function; safe to run twice."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import delivery

# A send that still finds the database gone after delivery.RECONNECT_WAITS is tried again by the broker
# soon (10 s, 20 s, 40 s… up to 2 min, with jitter) instead of leaving its row to wait for the lease.
DATABASE_RETRY = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 10,
    "retry_backoff_max": 120,
    "max_retries": 8,
}


# Beat runs this every minute (nps/celery.py). Overlapping runs are safe: rows are picked with SKIP LOCKED.
@shared_task(name="surveys.tasks.dispatch_due", ignore_result=True)
def dispatch_due():
    from .channels.texting import outbox

    delivery.dispatch_due()
    outbox.sweep_stuck()  # texts that are not invitations: lost tasks, dead workers


@shared_task(name="surveys.tasks.refresh_filtered_audiences", ignore_result=True)
def refresh_filtered_audiences():
    from . import services  # services enqueues these tasks: imported here to avoid a cycle

    services.refresh_filtered_audiences()


# A hard limit well inside delivery.LEASE: a hung send is killed before the sweep would resend its rows.
@shared_task(name="surveys.tasks.send_invitations", ignore_result=True, time_limit=300, **DATABASE_RETRY)
def send_invitations(invitation_ids):
    """The dispatcher's batches (delivery.SEND_BATCH ids each)."""
    delivery.send_invitations(invitation_ids)


# One invitation: the API's "survey now", and tasks queued before batches existed (hence the name kept).
@shared_task(name="surveys.tasks.send_invitation", ignore_result=True, time_limit=300, **DATABASE_RETRY)
def send_invitation(invitation_id):
    delivery.send_invitation(invitation_id)


@shared_task(name="surveys.tasks.send_reminder", ignore_result=True, time_limit=300, **DATABASE_RETRY)
def send_reminder(invitation_id):
    delivery.send_reminder(invitation_id)


# Follow-ups, thank-yous, HELP answers (surveys/channels/texting/outbox.py): claimed before sending.
@shared_task(name="surveys.tasks.send_text", ignore_result=True, time_limit=300, **DATABASE_RETRY)
def send_text(message_id):
    from .channels.texting import outbox

    outbox.send_text(message_id)


# Contact CSV import: both steps re-check the import's status, so a redelivered task does nothing twice.
@shared_task(name="surveys.tasks.check_contact_import", ignore_result=True)
def check_contact_import(import_id):
    from .contact_import import check_rows
    from .models import ContactImport

    contact_import = ContactImport.objects.filter(pk=import_id).first()
    if contact_import is not None:
        check_rows(contact_import)


@shared_task(name="surveys.tasks.import_contacts", ignore_result=True)
def import_contacts(import_id):
    from .contact_import import load_rows
    from .models import ContactImport

    contact_import = ContactImport.objects.filter(pk=import_id).first()
    if contact_import is not None:
        load_rows(contact_import)


# Nightly (nps/celery.py): the rejected rows of imports that ended IMPORT_FILE_RETENTION_DAYS ago go, and
# imports left waiting that long are cancelled (surveys.import_files).
@shared_task(name="surveys.tasks.expire_import_files", ignore_result=True)
def expire_import_files():
    from .import_files import expire_files

    expire_files()
