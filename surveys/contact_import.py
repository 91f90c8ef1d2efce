"""The contact import: check every row of an uploaded CSV, then bulk-load the valid ones into the contacts.

Files are read with surveys.csvfile; the pages are the shared steps of surveys.import_flow. The work is in
three steps, each a plain function, the last two run by Celery tasks (surveys.tasks):
- `create_import`: store the upload, read its header and propose a mapping (`suggest_mapping`);
- `check_rows`: stream over the whole file once, write the valid rows (normalised, in PostgreSQL COPY text
  format) and the rejected rows (with a reason) to two files next to the upload, count them;
- `load_rows`: in one transaction, merge the valid rows into the contacts (and a campaign's audience).
"""

import io
import json
import os
import re
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from nps import csvsafe
from nps.inputs import NUL

from .contacts import ContactError, normalize_email, normalize_phone, property_key
from .csvfile import (
    ERRORS_KEPT,
    NUL_REASON,
    InvalidFile,
    fit_row,
    header_key,
    open_text,
    records,
    store_upload,
)
from .import_files import end_files, fail_import, load_or_fail
from .models import Audience, Contact, ContactImport

FIELDS = ["email", "phone", "name", "language", "time_zone"]
TARGETS = [*FIELDS, "property", "ignore"]
TARGET_LABELS = {
    "email": "Email",
    "phone": "Phone",
    "name": "Name",
    "language": "Language",
    "time_zone": "Time zone",
    "property": "Property (named after the column)",
    "ignore": "Ignore this column",
}
NULL = "\\N"  # NULL in PostgreSQL's COPY text format
# One encoder for all rows: json.dumps with options builds a new one per call, a cost at a million rows.
to_json = json.JSONEncoder(ensure_ascii=False).encode
# How often (in rows) a running check reports its progress.
PROGRESS_EVERY = 25_000

# Header names (lower-case, letters and digits only) that map to a field without asking.
HEADER_SYNONYMS = {
    "email": {"email", "emailaddress", "mail", "emailid", "courriel", "correo", "correoelectronico"},
    "phone": {
        "phone",
        "phonenumber",
        "mobile",
        "mobilenumber",
        "mobileno",
        "cell",
        "cellphone",
        "tel",
        "telephone",
        "whatsapp",
        "msisdn",
        "contactnumber",
        "telefono",
        "telefone",
    },
    "name": {"name", "fullname", "contactname", "customername", "customer", "nom", "nombre", "nome"},
    "language": {"language", "lang", "locale", "preferredlanguage", "idioma", "langue", "sprache"},
    "time_zone": {"timezone", "tz", "zone", "tzname", "olsontimezone"},
}


# --- Step 1: the upload and the mapping ------------------------------------------------------------------


def create_import(upload, *, user) -> ContactImport:
    """Step 1: store the upload and read its header, or raise InvalidFile (and store nothing)."""
    contact_import = ContactImport(created_by=user)
    found = store_upload(contact_import, upload)
    contact_import.mapping = suggest_mapping(found.headers)
    contact_import.save()
    return contact_import


def suggest_mapping(headers: list[str]) -> list[str]:
    """A target per column from its header name; each field at most once, other columns become properties."""
    mapping, taken = [], set()
    for header in headers:
        key = header_key(header)
        target = next((field for field, names in HEADER_SYNONYMS.items() if key in names), "property")
        if target in taken:
            target = "property"
        taken.add(target)
        mapping.append(target)
    return mapping


# --- Checking values ----------------------------------------------------------------------------------------


def _language_codes() -> dict[str, str]:
    """Every accepted spelling of a language (code, English name, own name) → our code."""
    codes = {}
    for code, _name in settings.LANGUAGES:
        codes[code] = code
        info = LANG_INFO.get(code, {})
        for name in (info.get("name"), info.get("name_local")):
            if name:
                codes[name.lower()] = code
    for alias in ("zh", "zh-cn", "zh-sg", "zh-hans-cn", "zh-my", "zh-chs"):
        if "zh-hans" in codes:
            codes[alias] = "zh-hans"
    return codes


def clean_language(value: str, codes: dict[str, str]) -> str:
    key = value.strip().lower().replace("_", "-")
    if key in codes:
        return codes[key]
    base = key.split("-", 1)[0]
    if base in codes:
        return codes[base]
    raise ValueError(
        f"Unknown language “{value}” (use one of: {', '.join(c for c, _ in settings.LANGUAGES)})"
    )


def clean_email(value: str) -> str:
    """The contact rule (surveys.contacts.normalize_email); a ValueError worded as a rejected row's reason."""
    try:
        return normalize_email(value)
    except ContactError as error:
        raise ValueError(str(error).rstrip(".")) from None


def clean_phone(value: str, region: str) -> str:
    """The contact rule (surveys.contacts.normalize_phone); a ValueError worded as a rejected row's reason."""
    try:
        return normalize_phone(value, region)
    except ContactError as error:
        raise ValueError(str(error).rstrip(".")) from None


def copy_text(value: str) -> str:
    """A value escaped for PostgreSQL's COPY text format."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def parse_copy_line(line: str) -> list[str | None]:
    """The reverse of copy_text for one line (used by the SQLite path)."""
    values: list[str | None] = []
    for raw in line.rstrip("\n").split("\t"):
        if raw == "\\N":
            values.append(None)
        else:
            values.append(re.sub(r"\\(.)", lambda m: {"t": "\t", "n": "\n", "r": "\r"}.get(m[1], m[1]), raw))
    return values


# --- Step 2: check every row --------------------------------------------------------------------------------


@dataclass
class CheckResult:
    total: int = 0
    valid: int = 0
    invalid: int = 0


def check_file(
    path: Path,
    *,
    encoding: str,
    delimiter: str,
    headers: list[str],
    mapping: list[str],
    clean_out,
    rejected_out,
    errors: list[dict],
    on_progress: Callable[[int], None] | None = None,
) -> CheckResult:
    """Stream over the file once: valid rows go to clean_out (COPY text), bad ones to rejected_out (CSV).

    Duplicates within the file: the first row with an email or phone wins, later ones are rejected with
    the line of the first, so that nothing is merged silently.
    """
    region = settings.DEFAULT_PHONE_REGION
    codes = _language_codes()
    zones = {zone.lower(): zone for zone in zoneinfo.available_timezones()}
    column = {target: mapping.index(target) for target in FIELDS if target in mapping}
    email_at, phone_at = column.get("email"), column.get("phone")
    name_at, language_at, zone_at = column.get("name"), column.get("language"), column.get("time_zone")
    # A column mapped to a property is named after its header, in the property's one spelling.
    properties = [
        (index, property_key(headers[index])) for index, target in enumerate(mapping) if target == "property"
    ]
    width = len(headers)
    seen_email: dict[str, int] = {}
    seen_phone: dict[str, int] = {}
    result = CheckResult()
    rejected = csvsafe.writer(rejected_out)
    rejected.writerow(["line", "reason", *headers])
    write_clean = clean_out.write
    size = max(os.path.getsize(path) // (2 if encoding.startswith("utf-16") else 1), 1)
    read_chars = 0

    def counted(file) -> Iterator[str]:
        nonlocal read_chars
        for line in file:
            read_chars += len(line)
            yield line

    with open_text(path, encoding) as file:
        for start, row in records(counted(file), delimiter):
            if not any(row):
                continue
            reason = ""
            try:
                if NUL in "".join(row):  # PostgreSQL text cannot hold it; the first 64 KB were checked
                    raise ValueError(NUL_REASON)
                if len(row) != width:  # most rows fit: no call for them, it counts at a million rows
                    fit_row(row, width)
                email = phone = None
                if email_at is not None and (value := row[email_at].strip()):
                    email = clean_email(value)
                    if (first := seen_email.get(email)) is not None:
                        raise ValueError(f"Same email as line {first}")
                if phone_at is not None and (value := row[phone_at].strip()):
                    phone = clean_phone(value, region)
                    if (first := seen_phone.get(phone)) is not None:
                        raise ValueError(f"Same phone number as line {first}")
                if email is None and phone is None:
                    raise ValueError("Neither an email nor a phone number")
                name = row[name_at].strip() if name_at is not None else ""
                if len(name) > 200:
                    raise ValueError("Name is longer than 200 characters")
                language = zone = ""
                if language_at is not None and (value := row[language_at].strip()):
                    language = clean_language(value, codes)
                if zone_at is not None and (value := row[zone_at].strip()):
                    zone = zones.get(value.lower())
                    if zone is None:
                        raise ValueError(f"Unknown time zone “{value}” (use a name like Asia/Kolkata)")
            except ValueError as error:
                reason = str(error)
            if reason:
                result.invalid += 1
                rejected.writerow([start, reason, *row])
                if len(errors) < ERRORS_KEPT:
                    errors.append({"line": start, "reason": reason})
            else:
                result.valid += 1
                if email is not None:
                    seen_email[email] = start
                if phone is not None:
                    seen_phone[phone] = start
                props = {key: value for index, key in properties if (value := row[index].strip())}
                write_clean(
                    f"{start}\t{copy_text(email) if email else NULL}\t{phone or NULL}\t"
                    f"{copy_text(name) if name else NULL}\t{language or NULL}\t{zone or NULL}\t"
                    f"{copy_text(to_json(props)) if props else '{}'}\n"
                )
            result.total += 1
            if on_progress and result.total % PROGRESS_EVERY == 0:
                on_progress(min(99, read_chars * 100 // size))
    return result


def start_check(contact_import: ContactImport, *, mapping: list[str], campaign=None) -> None:
    """The admin confirmed the mapping: check every row in the background."""
    from .tasks import check_contact_import

    contact_import.mapping, contact_import.campaign = mapping, campaign
    contact_import.status, contact_import.progress = ContactImport.Status.CHECKING, 0
    contact_import.save()
    check_contact_import.delay(contact_import.pk)


def start_load(contact_import: ContactImport) -> None:
    """The admin chose to import the valid rows."""
    from .tasks import import_contacts

    contact_import.status = ContactImport.Status.IMPORTING
    contact_import.save(update_fields=["status", "updated_at"])
    import_contacts.delay(contact_import.pk)


def check_rows(contact_import: ContactImport) -> ContactImport:
    """Step 2: check every row of the upload, store counts, the first errors and the two result files.

    Safe to run again (a retried task): it starts over and writes the same files.
    """
    if contact_import.status != ContactImport.Status.CHECKING:
        return contact_import
    path = Path(contact_import.file.path)
    clean_path = path.with_name(path.name + ".valid.tsv")
    rejected_buffer = io.StringIO()
    errors: list[dict] = []

    def on_progress(percent: int) -> None:
        ContactImport.objects.filter(pk=contact_import.pk).update(progress=percent)

    try:
        with open(clean_path, "w", encoding="utf-8", newline="\n") as clean_out:
            result = check_file(
                path,
                encoding=contact_import.encoding,
                delimiter=contact_import.delimiter,
                headers=contact_import.headers,
                mapping=contact_import.mapping,
                clean_out=clean_out,
                rejected_out=rejected_buffer,
                errors=errors,
                on_progress=on_progress,
            )
    except InvalidFile as error:
        clean_path.unlink(missing_ok=True)
        return fail_import(contact_import, str(error))
    except Exception:
        clean_path.unlink(missing_ok=True)
        fail_import(
            contact_import, "The check stopped on an unexpected error. Nothing was imported; try again."
        )
        raise
    contact_import.total_rows, contact_import.valid_rows = result.total, result.valid
    contact_import.invalid_rows, contact_import.errors = result.invalid, errors
    contact_import.clean_file.name = os.path.relpath(clean_path, settings.MEDIA_ROOT)
    if result.invalid:
        # UTF-8 with a BOM: Excel opens it with the accents intact.
        content = ContentFile(("\ufeff" + rejected_buffer.getvalue()).encode("utf-8"))
        contact_import.rejected_file.save(f"{path.stem}-rejected.csv", content, save=False)
    contact_import.status, contact_import.progress = ContactImport.Status.CHECKED, 100
    contact_import.save()
    return contact_import


# --- Step 3: load the valid rows ----------------------------------------------------------------------------


def load_rows(contact_import: ContactImport) -> ContactImport:
    """Step 3: merge the checked rows into the contacts in one transaction; all or nothing."""
    return load_or_fail(contact_import, _load_rows)


def _load_rows(contact_import: ContactImport) -> ContactImport:
    with transaction.atomic():
        # A retried task finds the import already done, or waits for the first run and then finds it done.
        contact_import = ContactImport.objects.select_for_update().get(pk=contact_import.pk)
        if contact_import.status != ContactImport.Status.IMPORTING:
            return contact_import
        path = Path(contact_import.clean_file.path)
        campaign_id = contact_import.campaign_id
        if connection.vendor == "postgresql":
            created, updated = _load_postgresql(path, campaign_id)
        else:
            created, updated = _load_batches(path, campaign_id)
        contact_import.created_count, contact_import.updated_count = created, updated
        contact_import.status, contact_import.finished_at = ContactImport.Status.IMPORTED, timezone.now()
        contact_import.clean_file = ""
        end_files(contact_import)  # the upload, once this commits; the rejected rows stay a while
        contact_import.save()
    path.unlink(missing_ok=True)
    return contact_import


def cancel_import(contact_import: ContactImport) -> ContactImport:
    """The admin chose to import nothing: forget the checked rows."""
    if contact_import.clean_file:
        Path(contact_import.clean_file.path).unlink(missing_ok=True)
        contact_import.clean_file = ""
    contact_import.status, contact_import.finished_at = ContactImport.Status.CANCELLED, timezone.now()
    end_files(contact_import)
    contact_import.save()
    return contact_import


def _load_postgresql(path: Path, campaign_id: int | None) -> tuple[int, int]:
    """COPY into a temporary table, then set-based SQL.

    A contact has two unique keys (lower(email) and phone) and ON CONFLICT takes only one, so rows are
    first matched to existing contacts (email first, then phone), then one UPDATE merges the matched ones
    (properties with ||, empty cells keep the old value) and one INSERT adds the rest.
    """
    with connection.cursor() as cursor:
        # Sending and other imports may not write contacts between our match and our insert.
        cursor.execute("LOCK TABLE surveys_contact IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(
            "CREATE TEMPORARY TABLE contact_import_row (line integer, email text, phone text, name text, "
            "language text, time_zone text, properties jsonb, contact_id bigint, "
            "phone_taken boolean NOT NULL DEFAULT false) ON COMMIT DROP"
        )
        with (
            cursor.copy(
                "COPY contact_import_row (line, email, phone, name, language, time_zone, properties) "
                "FROM STDIN"
            ) as copy,
            open(path, "rb") as file,
        ):
            while chunk := file.read(1 << 20):
                copy.write(chunk)
        cursor.execute("ANALYZE contact_import_row")
        cursor.execute(
            "UPDATE contact_import_row r SET contact_id = c.id FROM surveys_contact c "
            "WHERE r.email IS NOT NULL AND lower(c.email) = r.email"
        )
        cursor.execute(
            "UPDATE contact_import_row r SET contact_id = c.id FROM surveys_contact c "
            "WHERE r.contact_id IS NULL AND r.phone IS NOT NULL AND c.phone = r.phone"
        )
        # A row that updates one contact must not take the phone number of another.
        cursor.execute(
            "UPDATE contact_import_row r SET phone_taken = true FROM surveys_contact c "
            "WHERE r.contact_id IS NOT NULL AND r.phone IS NOT NULL AND c.phone = r.phone "
            "AND c.id <> r.contact_id"
        )
        cursor.execute(
            "UPDATE surveys_contact c SET email = COALESCE(r.email, c.email), "
            "phone = CASE WHEN r.phone_taken THEN c.phone ELSE COALESCE(r.phone, c.phone) END, "
            "name = COALESCE(r.name, c.name), language = COALESCE(r.language, c.language), "
            "time_zone = COALESCE(r.time_zone, c.time_zone), properties = c.properties || r.properties, "
            "updated_at = now() "
            # Two rows reaching one contact (one by email, one by phone): the later line wins.
            "FROM (SELECT DISTINCT ON (contact_id) * FROM contact_import_row WHERE contact_id IS NOT NULL "
            "ORDER BY contact_id, line DESC) r WHERE c.id = r.contact_id"
        )
        updated = cursor.rowcount
        insert = (
            "INSERT INTO surveys_contact (email, phone, name, language, time_zone, properties, created_at, "
            "updated_at) SELECT email, phone, COALESCE(name, ''), COALESCE(language, ''), "
            "COALESCE(time_zone, ''), properties, now(), now() FROM contact_import_row "
            "WHERE contact_id IS NULL ORDER BY line"
        )
        if campaign_id is None:
            cursor.execute(insert)
            created = cursor.rowcount
        else:
            cursor.execute(
                f"WITH inserted AS ({insert} RETURNING id) "  # noqa: S608 (constant SQL)
                "INSERT INTO surveys_audience (campaign_id, contact_id, added_at) "
                "SELECT %s, id, now() FROM inserted",
                [campaign_id],
            )
            created = cursor.rowcount
            cursor.execute(
                "INSERT INTO surveys_audience (campaign_id, contact_id, added_at) "
                "SELECT DISTINCT %s, contact_id, now() FROM contact_import_row WHERE contact_id IS NOT NULL "
                "ON CONFLICT DO NOTHING",
                [campaign_id],
            )
    return created, updated


def _load_batches(path: Path, campaign_id: int | None, batch_size: int = 1000) -> tuple[int, int]:
    """The same merge with the ORM in batches, for databases without COPY (the SQLite demo)."""
    created = updated = 0
    with open(path, encoding="utf-8", newline="\n") as file:
        while True:
            lines = [line for _, line in zip(range(batch_size), file, strict=False)]
            if not lines:
                break
            rows = [parse_copy_line(line) for line in lines]
            emails = [row[1] for row in rows if row[1]]
            phones = [row[2] for row in rows if row[2]]
            by_email = {
                contact.email_key: contact
                for contact in Contact.objects.annotate(email_key=Lower("email")).filter(email_key__in=emails)
            }
            by_phone = {str(contact.phone): contact for contact in Contact.objects.filter(phone__in=phones)}
            changed: dict[int, Contact] = {}
            new: list[Contact] = []
            for _line, email, phone, name, language, zone, props in rows:
                contact = by_email.get(email) or by_phone.get(phone)
                properties = json.loads(props or "{}")
                if contact is None:
                    new.append(
                        Contact(
                            email=email,
                            phone=phone,
                            name=name or "",
                            language=language or "",
                            time_zone=zone or "",
                            properties=properties,
                        )
                    )
                    continue
                contact.email = email or contact.email
                owner = by_phone.get(phone)
                if phone and (owner is None or owner.pk == contact.pk):
                    contact.phone = phone
                contact.name, contact.language = name or contact.name, language or contact.language
                contact.time_zone = zone or contact.time_zone
                contact.properties = {**contact.properties, **properties}
                contact.updated_at = timezone.now()
                changed[contact.pk] = contact
            fields = ["email", "phone", "name", "language", "time_zone", "properties", "updated_at"]
            Contact.objects.bulk_update(changed.values(), fields)
            Contact.objects.bulk_create(new)
            created, updated = created + len(new), updated + len(changed)
            if campaign_id is not None:
                new_ids = Contact.objects.filter(email__in=[c.email for c in new if c.email]).values_list(
                    "pk", flat=True
                )
                phone_ids = Contact.objects.filter(
                    phone__in=[c.phone for c in new if c.phone and not c.email]
                ).values_list("pk", flat=True)
                members = [*changed, *new_ids, *phone_ids]
                Audience.objects.bulk_create(
                    [Audience(campaign_id=campaign_id, contact_id=pk) for pk in members],
                    ignore_conflicts=True,
                )
    return created, updated
