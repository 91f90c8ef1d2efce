"""The files of CSV imports (every CsvUpload: contact imports here, history imports in responses) and how
long they live. They hold people's personal data, so none stays longer than it serves:

- the uploaded CSV (and the checked rows of a contact import) is deleted as soon as the import ends —
  imported, cancelled or failed (`end_files`, called by each import's last step);
- the rejected rows of a contact import stay downloadable IMPORT_FILE_RETENTION_DAYS after it ends, for
  the admin to fix and upload again; then the nightly task (`expire_files`) deletes them and the page says
  so. It also cancels imports left waiting (not mapped, or checked and never chosen) that long, and deletes
  their files;
- erasing a contact removes their rows from the rejected-rows files still kept (`strip_contact`).
"""

import csv
import io
import logging
from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from nps import csvsafe

from .models import Contact, ContactImport, CsvUpload

log = logging.getLogger(__name__)

ENDED = (CsvUpload.Status.IMPORTED, CsvUpload.Status.CANCELLED, CsvUpload.Status.FAILED)
WAITING = (CsvUpload.Status.UPLOADED, CsvUpload.Status.CHECKED)
FILE_FIELDS = ("file", "clean_file", "rejected_file")


def retention() -> timedelta:
    return timedelta(days=settings.IMPORT_FILE_RETENTION_DAYS)


def upload_models() -> list[type[CsvUpload]]:
    """Every kind of import (the concrete CsvUpload models of all installed apps)."""
    return [model for model in apps.get_models() if issubclass(model, CsvUpload)]


def _delete(upload: CsvUpload, fields) -> list[str]:
    """Delete these files of `upload` from storage (after commit) and blank the fields; returns their names."""
    deleted = []
    for name in fields:
        field = getattr(upload, name, None)
        if field:
            storage, path = field.storage, field.name
            transaction.on_commit(lambda storage=storage, path=path: storage.delete(path))
            setattr(upload, name, "")
            deleted.append(name)
    return deleted


def end_files(upload: CsvUpload) -> list[str]:
    """The import ended: delete its upload and checked rows once the transaction commits (the rejected rows
    stay for the retention period). The caller saves `upload`; returns the fields it blanked."""
    return _delete(upload, ("file", "clean_file"))


def fail_import(upload: CsvUpload, message: str) -> CsvUpload:
    """The import ended on an error: say why on its page, and delete its files as any ended import does."""
    upload.status, upload.error = CsvUpload.Status.FAILED, message
    upload.finished_at = timezone.now()
    blanked = end_files(upload)
    upload.save(update_fields=["status", "error", "finished_at", *blanked])
    return upload


def load_or_fail(upload: CsvUpload, load):
    """Run an import's load step; when it raises, its transaction is rolled back: mark the import failed
    (instead of a progress bar that never ends) and raise again."""
    try:
        return load(upload)
    except Exception:
        fail_import(upload, "The import stopped on an unexpected error and nothing was written.")
        raise


def files_expire_at(upload: CsvUpload) -> datetime | None:
    """When the nightly task deletes what is left of a finished import's files."""
    return upload.finished_at + retention() if upload.finished_at else None


def rejected_rows_expired(upload: CsvUpload) -> bool:
    """The import had rejected rows, but their file is gone (kept only for the retention period)."""
    return bool(upload.invalid_rows and upload.status in ENDED and not getattr(upload, "rejected_file", None))


def expire_files(*, now: datetime | None = None) -> dict[str, int]:
    """Nightly: delete the files of imports that ended more than the retention ago, and cancel the imports
    left waiting that long (their files too). Returns counts: {"imports": n, "cancelled": n}."""
    now = now or timezone.now()
    cutoff = now - retention()
    counts = {"imports": 0, "cancelled": 0}
    for model in upload_models():
        fields = [name for name in FILE_FIELDS if any(f.name == name for f in model._meta.get_fields())]
        has_files = Q()
        for name in fields:
            has_files |= ~Q(**{name: ""})
        ended = model.objects.filter(has_files, status__in=ENDED, finished_at__lt=cutoff)
        waiting = model.objects.filter(status__in=WAITING, created_at__lt=cutoff)
        for upload in [*ended, *waiting]:
            with transaction.atomic():
                upload = model.objects.select_for_update().get(pk=upload.pk)
                if upload.status in WAITING and upload.created_at < cutoff:
                    upload.status, upload.finished_at = CsvUpload.Status.CANCELLED, now
                    upload.error = (
                        f"The upload waited more than {settings.IMPORT_FILE_RETENTION_DAYS} days for its next "
                        "step, so it was cancelled and its files deleted."
                    )
                    counts["cancelled"] += 1
                elif not (upload.status in ENDED and upload.finished_at and upload.finished_at < cutoff):
                    continue  # changed meanwhile
                if _delete(upload, fields):
                    counts["imports"] += 1
                upload.save()
    if any(counts.values()):
        log.info("Import files expired: %(imports)s imports' files deleted, %(cancelled)s cancelled", counts)
    return counts


# Erasure ---------------------------------------------------------------------------------------------------


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def _is_about(cells: list[str], email: str, phone: str) -> bool:
    """Does this rejected row carry the person's email or phone number (in any column, however written)?

    A phone matches when the cell's digits, without leading zeros, end the E.164 number: "+91 98765 43210",
    "098765 43210" and "9876543210" are all +919876543210. (Erring on the side of removing a row.)
    """
    phone_digits = _digits(phone)
    for cell in cells:
        text = cell.strip().lower()
        if email and email in text:
            return True
        digits = _digits(text).lstrip("0")
        if phone_digits and len(digits) >= 7 and phone_digits.endswith(digits):
            return True
    return False


def strip_contact(contact: Contact) -> int:
    """Erasing `contact`: remove their rows from every rejected-rows file still kept; returns how many rows.

    A file left with no row is deleted; the counts on the import page stay (they are numbers, no one's data).
    """
    email = (contact.email or "").strip().lower()
    phone = str(contact.phone or "")
    if not email and not phone:
        return 0
    removed = 0
    for upload in ContactImport.objects.exclude(rejected_file=""):
        try:
            with upload.rejected_file.open("rb") as file:
                text = file.read().decode("utf-8-sig")
        except OSError:
            continue
        rows = list(csv.reader(io.StringIO(text)))
        if not rows:
            continue
        header, body = rows[0], rows[1:]
        kept = [row for row in body if not _is_about(row, email, phone)]
        if len(kept) == len(body):
            continue
        removed += len(body) - len(kept)
        name = upload.rejected_file.name
        if kept:
            out = io.StringIO()
            csvsafe.writer(out).writerows([header, *kept])
            upload.rejected_file.storage.delete(name)
            upload.rejected_file.storage.save(name, ContentFile(("\ufeff" + out.getvalue()).encode("utf-8")))
        else:
            upload.rejected_file.storage.delete(name)
            ContactImport.objects.filter(pk=upload.pk).update(rejected_file="")
        # The first reasons shown on the page may quote the person's address: drop those too.
        errors = [
            error for error in upload.errors if not _is_about([str(error.get("reason", ""))], email, phone)
        ]
        if errors != upload.errors:
            ContactImport.objects.filter(pk=upload.pk).update(errors=errors)
    return removed
