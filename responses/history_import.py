"""History import: past answers from a Delighted export or any CSV, shown in dashboards with their dates.

Files are read with surveys.csvfile (encodings, delimiters, quoted newlines), addresses are cleaned by the
contact import's rules (surveys.contact_import) and the pages are the shared steps of surveys.import_flow.
Three steps, each a plain function, the last two run by Celery tasks (responses.tasks):
- `create_import`: store the upload, read its header, recognise a Delighted export and propose a mapping;
- `check_rows`: read every row, count the valid ones and keep line-numbered reasons for the others;
- `load_rows`: in one transaction, match or create the contacts (by email, then phone) and upsert the
  answers on their external reference, so that importing the same file again adds nothing.

Imported answers belong to the brand's "Imported history" campaign (archived: it never sends, and the
dashboards count answers of every campaign whatever its status). They have no invitation, and no
webhook is sent for them.
"""

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from nps.inputs import NUL, is_digits
from surveys.contact_import import HEADER_SYNONYMS, clean_email, clean_phone
from surveys.contacts import property_key
from surveys.csvfile import (
    ERRORS_KEPT,
    NUL_REASON,
    InvalidFile,
    fit_row,
    header_key,
    open_text,
    records,
    store_upload,
)
from surveys.import_files import end_files, fail_import, load_or_fail
from surveys.models import Brand, Campaign, Channel, Contact

from .models import Answer, ResponseImport

SINGLE_TARGETS = ["response_id", "date", "email", "phone", "name", "score", "comment", "channel", "notes"]
TARGETS = [*SINGLE_TARGETS, "property", "ignore"]
TARGET_LABELS = {
    "response_id": "Response ID (keeps re-imports from duplicating)",
    "date": "Date answered",
    "email": "Email",
    "phone": "Phone",
    "name": "Name",
    "score": "Score (0–10)",
    "comment": "Comment",
    "channel": "Channel (email, sms, web, link)",
    "notes": "Notes",
    "property": "Contact property (named after the column)",
    "ignore": "Ignore this column",
}
# Header names (lower-case, letters and digits only) → target; Delighted's export columns first.
HEADER_TARGETS = {
    "responseid": "response_id",
    "date": "date",
    "score": "score",
    "comment": "comment",
    "delightedsource": "channel",
    "notes": "notes",
    # Delighted's own bookkeeping, not properties of the person.
    "updated": "ignore",
    "permalink": "ignore",
    "delightedtrend": "ignore",
    "tags": "ignore",
    # Generic files.
    "id": "response_id",
    "createdat": "date",
    "answeredat": "date",
    "respondedat": "date",
    "responsedate": "date",
    "submittedat": "date",
    "timestamp": "date",
    "nps": "score",
    "npsscore": "score",
    "rating": "score",
    "comments": "comment",
    "feedback": "comment",
    "reason": "comment",
    "source": "channel",
    "channel": "channel",
    "note": "notes",
    **{name: target for target in ("email", "phone", "name") for name in HEADER_SYNONYMS[target]},
}
# A file with these columns is a Delighted export and needs no mapping.
DELIGHTED_COLUMNS = {"responseid", "date", "score", "permalink"}
BATCH = 1000
CAMPAIGN_NAME = "Imported history"

# Run without arguments after every history import commits its answers. The dashboards register their
# rollup refresh here (dashboards/apps.py), so that the answers show at once instead of within the minute.
after_load: list[Callable[[], object]] = []


def on_loaded(callback: Callable[[], object]) -> Callable[[], object]:
    """Register `callback` to run after each history import commits (once, however often it is called)."""
    if callback not in after_load:
        after_load.append(callback)
    return callback


def suggest_mapping(headers: list[str]) -> tuple[list[str], bool]:
    """A target per column, and whether the file is a Delighted export."""
    keys = [header_key(header) for header in headers]
    mapping, taken = [], set()
    for key in keys:
        target = HEADER_TARGETS.get(key, "property")
        if target in taken and target not in ("property", "ignore"):
            target = "property"
        taken.add(target)
        mapping.append(target)
    return mapping, set(keys) >= DELIGHTED_COLUMNS


# --- Values -------------------------------------------------------------------------------------------------

DATE_FORMATS = [
    "%Y-%m-%d %H:%M:%S %z",  # Delighted: 2024-03-05 14:02:11 -0800
    "%Y-%m-%d %H:%M:%S %Z",  # 2024-03-05 14:02:11 UTC
    "%Y-%m-%d %H:%M %z",
    "%m/%d/%Y %H:%M:%S",  # US, as spreadsheets write it
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
]


def parse_date(value: str, zone: ZoneInfo, *, now: datetime) -> datetime:
    """ISO 8601, Delighted's "2024-03-05 14:02:11 -0800", US month/day/year or Unix seconds.

    A time without an offset is in the workspace time zone.
    """
    text = value.strip()
    moment = None
    if is_digits(text) and len(text) >= 9:
        try:
            moment = datetime.fromtimestamp(int(text), UTC)
        except (OverflowError, OSError):  # past the year 9999 or the platform's time_t
            raise ValueError(f"The date {text[:20]} is in the future") from None
    else:
        try:
            moment = datetime.fromisoformat(text.replace(" UTC", "+00:00"))
        except ValueError:
            for date_format in DATE_FORMATS:
                try:
                    moment = datetime.strptime(text, date_format)  # noqa: DTZ007 (made aware below)
                    break
                except ValueError:
                    continue
    if moment is None:
        raise ValueError(f"“{text}” is not a date (use 2024-03-05 or 2024-03-05 14:02:11)")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    if moment > now + timedelta(days=1):
        raise ValueError(f"The date {text} is in the future")
    if moment.year < 2000:
        raise ValueError(f"The date {text} is before 2000")
    return moment


def parse_score(value: str) -> int:
    text = value.strip()
    try:
        # ASCII only: float() also reads "٣" or "1_0", which no export writes as a score.
        number = float(text) if text.isascii() else -1.0
    except ValueError:
        number = -1.0
    if not number.is_integer() or not 0 <= number <= 10:
        raise ValueError(f"The score “{text}” is not a whole number from 0 to 10")
    return int(number)


def channel_of(value: str) -> str:
    """Delighted's source ("email", "sms", "web", "link", "kiosk", …) as one of our channels."""
    source = value.strip().lower()
    for word, channel in (("sms", Channel.SMS), ("text", Channel.SMS), ("web", Channel.WEB)):
        if word in source:
            return channel
    for word in ("link", "kiosk", "qr"):
        if word in source:
            return Channel.LINK
    if "phone" in source or "call" in source:
        return Channel.PHONE
    return Channel.EMAIL


@dataclass
class Row:
    line: int
    external_id: str
    email: str | None
    phone: str | None
    name: str
    score: int
    comment: str
    notes: str
    channel: str
    answered_at: datetime
    properties: dict = field(default_factory=dict)


@dataclass
class Counts:
    total: int = 0
    valid: int = 0
    invalid: int = 0
    errors: list = field(default_factory=list)


def read_rows(response_import: ResponseImport, counts: Counts) -> Iterator[Row]:
    """Every valid row of the file; bad ones are counted, and the first ones kept with their reason."""
    headers, mapping = response_import.headers, response_import.mapping
    column = {target: mapping.index(target) for target in SINGLE_TARGETS if target in mapping}
    # A column mapped to a property is named after its header, in the property's one spelling.
    properties = [
        (index, property_key(headers[index])) for index, target in enumerate(mapping) if target == "property"
    ]
    width = len(headers)
    zone, region, now = ZoneInfo(settings.TIME_ZONE), settings.DEFAULT_PHONE_REGION, timezone.now()
    source = "delighted" if response_import.is_delighted else "csv"
    seen: dict[str, int] = {}

    def cell(row, target) -> str:
        index = column.get(target)
        return row[index].strip() if index is not None else ""

    with open_text(Path(response_import.file.path), response_import.encoding) as file:
        for start, row in records(file, response_import.delimiter):
            if not any(cell_value.strip() for cell_value in row):
                continue
            counts.total += 1
            try:
                if NUL in "".join(row):
                    raise ValueError(NUL_REASON)
                fit_row(row, width)
                if not cell(row, "score"):
                    raise ValueError("No score")
                score = parse_score(cell(row, "score"))
                if not cell(row, "date"):
                    raise ValueError("No date")
                answered_at = parse_date(cell(row, "date"), zone, now=now)
                email = clean_email(cell(row, "email")) if cell(row, "email") else None
                phone = clean_phone(cell(row, "phone"), region) if cell(row, "phone") else None
                if email is None and phone is None:
                    raise ValueError("Neither an email nor a phone number: the answer needs a contact")
                if response_id := cell(row, "response_id"):
                    external_id = f"{source}:{response_id}"[:100]
                else:
                    key = f"{email or phone}|{answered_at.isoformat()}|{score}"
                    external_id = "csv:" + hashlib.sha256(key.encode()).hexdigest()[:40]
                if (first := seen.get(external_id)) is not None:
                    raise ValueError(f"The same answer as line {first}")
                seen[external_id] = start
            except ValueError as error:
                counts.invalid += 1
                if len(counts.errors) < ERRORS_KEPT:
                    counts.errors.append({"line": start, "reason": str(error)})
                continue
            counts.valid += 1
            yield Row(
                line=start,
                external_id=external_id,
                email=email,
                phone=phone,
                name=cell(row, "name")[:200],
                score=score,
                comment=cell(row, "comment"),
                notes=cell(row, "notes"),
                channel=channel_of(cell(row, "channel")),
                answered_at=answered_at,
                properties={key: value for index, key in properties if (value := row[index].strip())},
            )


# --- Steps --------------------------------------------------------------------------------------------------


def create_import(upload, *, brand: Brand, user) -> ResponseImport:
    """Step 1: store the upload and read its header, or raise InvalidFile (and store nothing)."""
    response_import = ResponseImport(brand=brand, created_by=user)
    found = store_upload(response_import, upload)
    response_import.mapping, response_import.is_delighted = suggest_mapping(found.headers)
    response_import.save()
    return response_import


def start_check(response_import: ResponseImport, *, mapping: list[str]) -> None:
    """The admin confirmed the mapping: check every row in the background."""
    from .tasks import check_response_import

    response_import.mapping, response_import.status = mapping, ResponseImport.Status.CHECKING
    response_import.save(update_fields=["mapping", "status"])
    transaction.on_commit(lambda: check_response_import.delay(response_import.pk))


def start_load(response_import: ResponseImport) -> None:
    """The admin chose to import the valid rows."""
    from .tasks import import_responses

    response_import.status = ResponseImport.Status.IMPORTING
    response_import.save(update_fields=["status"])
    transaction.on_commit(lambda: import_responses.delay(response_import.pk))


def cancel_import(response_import: ResponseImport) -> None:
    response_import.status, response_import.finished_at = ResponseImport.Status.CANCELLED, timezone.now()
    end_files(response_import)  # the upload goes once this commits (surveys.import_files)
    response_import.save(update_fields=["status", "finished_at", "file"])


def check_rows(response_import: ResponseImport) -> ResponseImport:
    """Step 2: count valid and rejected rows, keep the first reasons. Safe to run again."""
    if response_import.status != ResponseImport.Status.CHECKING:
        return response_import
    counts = Counts()
    try:
        for _row in read_rows(response_import, counts):
            pass
    except InvalidFile as error:
        return fail_import(response_import, str(error))
    response_import.total_rows, response_import.valid_rows = counts.total, counts.valid
    response_import.invalid_rows, response_import.errors = counts.invalid, counts.errors
    response_import.status = ResponseImport.Status.CHECKED
    response_import.save()
    return response_import


def history_campaign(brand: Brand) -> Campaign:
    """The brand's campaign for imported answers, created on first use."""
    campaign = Campaign.objects.filter(brand=brand, name=CAMPAIGN_NAME, channels=[]).first()
    if campaign is None:
        campaign = Campaign.objects.create(
            brand=brand, name=CAMPAIGN_NAME, channels=[], status=Campaign.Status.ARCHIVED
        )
    return campaign


def load_rows(response_import: ResponseImport) -> ResponseImport:
    """Step 3: write the valid rows in one transaction; all or nothing."""
    return load_or_fail(response_import, _load_rows)


def _load_rows(response_import: ResponseImport) -> ResponseImport:
    with transaction.atomic():
        # A retried task finds the import done, or waits for the first run and then finds it done.
        response_import = ResponseImport.objects.select_for_update().get(pk=response_import.pk)
        if response_import.status != ResponseImport.Status.IMPORTING:
            return response_import
        campaign = history_campaign(response_import.brand)
        counts, batch = Counts(), []
        totals = [0, 0, 0]  # answers created, answers already there, contacts created
        try:
            for row in read_rows(response_import, counts):
                batch.append(row)
                if len(batch) == BATCH:
                    totals = [a + b for a, b in zip(totals, _load_batch(batch, campaign), strict=True)]
                    batch = []
            if batch:
                totals = [a + b for a, b in zip(totals, _load_batch(batch, campaign), strict=True)]
        except InvalidFile as error:
            transaction.set_rollback(True)
            return fail_import(response_import, str(error))
        response_import.created_count, response_import.updated_count = totals[0], totals[1]
        response_import.contacts_created = totals[2]
        response_import.total_rows, response_import.valid_rows = counts.total, counts.valid
        response_import.invalid_rows, response_import.errors = counts.invalid, counts.errors
        response_import.status, response_import.finished_at = ResponseImport.Status.IMPORTED, timezone.now()
        end_files(response_import)
        response_import.save()
        for callback in after_load:
            transaction.on_commit(callback)
    return response_import


def _contacts_for(rows: list[Row]) -> tuple[dict, dict, int]:
    """Contacts of these rows by lower-case email and by phone; missing ones are created."""
    emails = {row.email for row in rows if row.email}
    phones = {row.phone for row in rows if row.phone}

    def lookup():
        by_email = {
            contact.email_key: contact
            for contact in Contact.objects.annotate(email_key=Lower("email")).filter(email_key__in=emails)
        }
        by_phone = {str(contact.phone): contact for contact in Contact.objects.filter(phone__in=phones)}
        return by_email, by_phone

    by_email, by_phone = lookup()
    new: dict[str, Contact] = {}
    changed: dict[int, Contact] = {}
    for row in rows:
        contact = (by_email.get(row.email) if row.email else None) or (
            by_phone.get(row.phone) if row.phone else None
        )
        if contact is None:
            key = row.email or row.phone
            contact = new.get(key)
            if contact is None:
                new[key] = Contact(
                    email=row.email,
                    # A number another contact already has stays with that contact.
                    phone=row.phone if row.phone not in by_phone else None,
                    name=row.name,
                    properties=row.properties,
                )
            continue
        # History never overwrites what is known today; it only fills gaps.
        missing = {k: v for k, v in row.properties.items() if k not in contact.properties}
        if missing or (row.name and not contact.name):
            contact.properties = {**contact.properties, **missing}
            contact.name = contact.name or row.name
            contact.updated_at = timezone.now()
            changed[contact.pk] = contact
    if changed:
        Contact.objects.bulk_update(changed.values(), ["properties", "name", "updated_at"])
    if new:
        # ignore_conflicts: a phone number reached through one row's email may be another row's key.
        Contact.objects.bulk_create(new.values(), ignore_conflicts=True)
        by_email, by_phone = lookup()
    return by_email, by_phone, len(new)


def _load_batch(rows: list[Row], campaign: Campaign) -> tuple[int, int, int]:
    by_email, by_phone, contacts_created = _contacts_for(rows)
    existing = set(
        Answer.objects.filter(external_id__in=[row.external_id for row in rows]).values_list(
            "external_id", flat=True
        )
    )
    now = timezone.now()
    answers = []
    for row in rows:
        contact = (by_email.get(row.email) if row.email else None) or by_phone.get(row.phone)
        answers.append(
            Answer(
                external_id=row.external_id,
                campaign=campaign,
                contact=contact,
                channel=row.channel,
                score=row.score,
                comment=row.comment,
                notes=row.notes,
                language=contact.language if contact else "",
                answered_at=row.answered_at,
                # When OpenNPS last changed the answer: the dashboards' rollup refresh starts from it.
                updated_at=now,
            )
        )
    Answer.objects.bulk_create(
        answers,
        update_conflicts=True,
        unique_fields=["external_id"],
        update_fields=["score", "comment", "notes", "channel", "answered_at", "updated_at"],
    )
    return len(rows) - len(existing), len(existing), contacts_created
