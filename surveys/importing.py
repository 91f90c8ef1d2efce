"""Contact CSV import: read what spreadsheets export, check every row, bulk-load the valid ones.

The work is in three steps, each a plain function:
- `inspect_upload`: detect the encoding and delimiter, read the header and the first rows, propose a mapping;
- `check_rows`: stream over the whole file once, write the valid rows (normalised, in PostgreSQL COPY text
  format) and the rejected rows (with a reason) to two files next to the upload, count them;
- `load_rows`: in one transaction, merge the valid rows into the contacts (and a campaign's audience).
"""

import codecs
import csv
import io
import json
import os
import re
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import phonenumbers
from charset_normalizer import from_bytes
from defusedcsv import csv as safe_csv
from django.conf import settings
from django.conf.locale import LANG_INFO
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import EmailValidator
from django.db import connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone

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
PREVIEW_ROWS = 5
ERRORS_ON_PAGE = 200
SAMPLE_BYTES = 64 * 1024
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

# Common addresses: this regex decides quickly; anything it does not accept goes to Django's validator.
FAST_EMAIL = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)
email_validator = EmailValidator()


class InvalidFile(ValueError):
    """The upload cannot be read as a CSV file; the message says why, for the admin."""


@dataclass
class Upload:
    encoding: str
    delimiter: str
    headers: list[str]
    rows: list[list[str]]


# --- Reading the file ---------------------------------------------------------------------------------------


def detect_encoding(path: Path) -> str:
    """BOMs first, then strict UTF-8 over the whole file, then Windows-1252 (Excel), then detection."""
    with open(path, "rb") as file:
        sample = file.read(SAMPLE_BYTES)
    if not sample.strip(b" \t\r\n\x00" + codecs.BOM_UTF8 + codecs.BOM_UTF16_LE + codecs.BOM_UTF16_BE):
        raise InvalidFile(
            "The file is empty. Export your contacts as CSV with a header row and upload again."
        )
    if sample.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif b"\x00" in sample:
        # UTF-16 without a BOM puts a zero byte beside every ASCII character; anything else is binary.
        odd_zeros, even_zeros = sample[1::2].count(0), sample[0::2].count(0)
        if odd_zeros > len(sample) // 4 and even_zeros == 0:
            encoding = "utf-16-le"
        elif even_zeros > len(sample) // 4 and odd_zeros == 0:
            encoding = "utf-16-be"
        else:
            raise not_csv()
    elif decodes_whole_file(path, "utf-8"):
        encoding = "utf-8"
    elif decodes_whole_file(path, "cp1252"):
        encoding = "cp1252"
    else:
        best = from_bytes(sample).best()
        if best is None:
            raise not_csv()
        encoding = best.encoding
    text = sample.decode(encoding, errors="ignore")
    if re.search(r"[\x00-\x08\x0e-\x1f]", text):
        raise not_csv()
    return encoding


def not_csv() -> InvalidFile:
    return InvalidFile(
        "This file is not a CSV file (it contains binary data). In your spreadsheet choose "
        "“Save as” → “CSV” and upload that file."
    )


def decodes_whole_file(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    with open(path, "rb") as file:
        try:
            while chunk := file.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def detect_delimiter(text: str) -> str:
    """Comma, semicolon or tab: what the sniffer finds, else the one the header line uses most."""
    try:
        return csv.Sniffer().sniff(text, delimiters=",;\t").delimiter
    except csv.Error:
        first_line = text.split("\n", 1)[0]
        counts = {delimiter: first_line.count(delimiter) for delimiter in ",;\t"}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def open_text(path: Path, encoding: str):
    # newline="" lets the csv module see quoted newlines inside cells.
    return open(path, encoding=encoding, newline="", errors="replace")


def inspect_upload(path: Path) -> Upload:
    """Encoding, delimiter, headers and the first rows of an uploaded file, or InvalidFile."""
    encoding = detect_encoding(path)
    with open_text(path, encoding) as file:
        text = file.read(SAMPLE_BYTES)
    # Sniff whole lines only: a cut last line confuses the sniffer.
    delimiter = detect_delimiter(text.rsplit("\n", 1)[0] if "\n" in text else text)
    with open_text(path, encoding) as file:
        reader = csv.reader(file, delimiter=delimiter)
        try:
            headers = next(reader, None)
            rows = []
            for row in reader:
                if any(cell.strip() for cell in row):
                    rows.append(row)
                if len(rows) == PREVIEW_ROWS:
                    break
        except csv.Error as error:
            raise InvalidFile(f"The file could not be read as CSV: {error}.") from error
    if not headers or not any(cell.strip() for cell in headers):
        raise InvalidFile("The first line must name the columns (for example: email, name, phone).")
    headers = [cell.strip().lstrip("\ufeff") or f"Column {index}" for index, cell in enumerate(headers, 1)]
    if len(headers) > 200:
        raise InvalidFile(f"The file has {len(headers)} columns; at most 200 can be imported.")
    return Upload(encoding=encoding, delimiter=delimiter, headers=headers, rows=rows)


def suggest_mapping(headers: list[str]) -> list[str]:
    """A target per column from its header name; each field at most once, other columns become properties."""
    mapping, taken = [], set()
    for header in headers:
        key = re.sub(r"[^a-z0-9]", "", header.lower())
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
    email = value.strip().lower()
    if len(email) > 254:
        raise ValueError("Email is longer than 254 characters")
    if FAST_EMAIL.fullmatch(email):
        return email
    try:
        email_validator(email)
    except ValidationError:
        raise ValueError(f"“{value.strip()}” is not a valid email address") from None
    return email


SEPARATORS = str.maketrans("", "", " -().\u00a0")


def clean_phone(value: str, region: str) -> str:
    # Fast path for the common shapes ("+91 98765 43210", "98765 43210"): build the number directly and
    # only validate it; phonenumbers.parse is most of the cost of a million rows. Anything else, or a
    # number that is not valid as built, goes through the full parser.
    compact = value.translate(SEPARATORS)
    if compact.isascii() and len(compact) > 4:
        country_code, national = 0, ""
        if compact[0] == "+" and compact[1:].isdigit():
            for length in (1, 2, 3):  # country codes are prefix-free
                if int(compact[1 : 1 + length]) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
                    country_code, national = int(compact[1 : 1 + length]), compact[1 + length :]
                    break
        elif compact.isdigit():
            country_code, national = phonenumbers.country_code_for_region(region), compact
        if country_code and national[:1] not in ("", "0"):
            number = phonenumbers.PhoneNumber(country_code=country_code, national_number=int(national))
            if phonenumbers.is_valid_number(number):
                return f"+{country_code}{national}"
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValueError(f"“{value.strip()}” is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


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
    properties = [(index, headers[index]) for index, target in enumerate(mapping) if target == "property"]
    width = len(headers)
    seen_email: dict[str, int] = {}
    seen_phone: dict[str, int] = {}
    result = CheckResult()
    rejected = safe_csv.writer(rejected_out)
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
        reader = csv.reader(counted(file), delimiter=delimiter)
        line = 1
        try:
            next(reader, None)  # the header
            line = reader.line_num + 1
            for row in reader:
                start, line = line, reader.line_num + 1
                if not any(row):
                    continue
                if len(row) > width and any(cell.strip() for cell in row[width:]):
                    reason = f"The row has {len(row)} cells but the header names {width} columns"
                else:
                    if len(row) < width:
                        row += [""] * (width - len(row))
                    reason = ""
                    try:
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
                                raise ValueError(
                                    f"Unknown time zone “{value}” (use a name like Asia/Kolkata)"
                                )
                    except ValueError as error:
                        reason = str(error)
                if reason:
                    result.invalid += 1
                    rejected.writerow([start, reason, *row])
                    if len(errors) < ERRORS_ON_PAGE:
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
        except csv.Error as error:
            raise InvalidFile(f"Line {line}: the file could not be read as CSV ({error}).") from error
    return result


def create_import(upload, *, user) -> ContactImport:
    """Step 1: store the upload and read its header, or raise InvalidFile (and store nothing)."""
    contact_import = ContactImport(original_name=Path(upload.name).name[:255], created_by=user)
    contact_import.file.save(Path(upload.name).name, upload, save=False)
    try:
        found = inspect_upload(Path(contact_import.file.path))
    except InvalidFile:
        contact_import.file.delete(save=False)
        raise
    contact_import.encoding, contact_import.delimiter = found.encoding, found.delimiter
    contact_import.headers, contact_import.mapping = found.headers, suggest_mapping(found.headers)
    contact_import.save()
    return contact_import


def start_check(contact_import: ContactImport, *, mapping: list[str], campaign=None) -> None:
    """The admin confirmed the mapping: check every row in the background."""
    from .tasks import check_contact_import

    contact_import.mapping, contact_import.campaign = mapping, campaign
    contact_import.status, contact_import.progress = ContactImport.Status.VALIDATING, 0
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
    if contact_import.status != ContactImport.Status.VALIDATING:
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
        return fail(contact_import, str(error))
    except Exception:
        clean_path.unlink(missing_ok=True)
        fail(contact_import, "The check stopped on an unexpected error. Nothing was imported; try again.")
        raise
    contact_import.total_rows, contact_import.valid_rows = result.total, result.valid
    contact_import.invalid_rows, contact_import.errors = result.invalid, errors
    contact_import.clean_file.name = os.path.relpath(clean_path, settings.MEDIA_ROOT)
    if result.invalid:
        # UTF-8 with a BOM: Excel opens it with the accents intact.
        content = ContentFile(("\ufeff" + rejected_buffer.getvalue()).encode("utf-8"))
        contact_import.rejected_file.save(f"{path.stem}-rejected.csv", content, save=False)
    contact_import.status, contact_import.progress = ContactImport.Status.VALIDATED, 100
    contact_import.save()
    return contact_import


def fail(contact_import: ContactImport, message: str) -> ContactImport:
    contact_import.status, contact_import.error = ContactImport.Status.FAILED, message
    contact_import.finished_at = timezone.now()
    contact_import.save()
    return contact_import


# --- Step 3: load the valid rows ----------------------------------------------------------------------------


def load_rows(contact_import: ContactImport) -> ContactImport:
    """Step 3: merge the checked rows into the contacts in one transaction; all or nothing."""
    try:
        return _load_rows(contact_import)
    except Exception:
        # The transaction is rolled back: say so on the page instead of a progress bar that never ends.
        fail(contact_import, "The import stopped on an unexpected error and nothing was written.")
        raise


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
        contact_import.save()
    path.unlink(missing_ok=True)
    return contact_import


def cancel_import(contact_import: ContactImport) -> ContactImport:
    """The admin chose to import nothing: forget the checked rows."""
    if contact_import.clean_file:
        Path(contact_import.clean_file.path).unlink(missing_ok=True)
        contact_import.clean_file = ""
    contact_import.status, contact_import.finished_at = ContactImport.Status.CANCELLED, timezone.now()
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
