"""One home for contacts and their addresses: normalising, creating, erasing, suppressing.

Every way a contact comes in (the contact form, the CSV imports, the phone interview form, both HTTP
APIs) and delivery go through the functions here, so an address or a property name is read the same
way everywhere:

- an email is trimmed and lower-cased, then validated (at most 254 characters);
- a phone number becomes E.164 (+919876543210); one written without a country code ("98765 43210") is
  read as a number of settings.DEFAULT_PHONE_REGION;
- a property name is trimmed, its inner whitespace collapsed to one space, and lower-cased: "Plan",
  " plan " and "PLAN" are one property, "plan" (see property_key).
"""

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

import phonenumbers
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from nps import audit
from nps.inputs import has_nul

from .models import Campaign, Contact, Invitation, Suppression

log = logging.getLogger(__name__)


class ContactError(Exception):
    """Input that cannot become a contact; `field` names the offending field for API error bodies."""

    def __init__(self, message: str, *, field: str = ""):
        super().__init__(message)
        self.field = field


# Addresses ---------------------------------------------------------------------------------------

# Common addresses: this regex decides quickly (a million imported rows); anything it does not accept
# goes to Django's validator.
FAST_EMAIL = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)
_email_validator = EmailValidator()
# What people put between the digits of a phone number.
SEPARATORS = str.maketrans("", "", " -().\u00a0")


def normalize_email(value: str) -> str:
    """The address trimmed and lower-cased; ContactError (field "email") when it is not one."""
    email = value.strip().lower()
    # The column holds 254 characters (RFC 5321's limit); the validator alone lets up to 320 through.
    if len(email) > 254:
        raise ContactError("The email address is longer than 254 characters.", field="email")
    if FAST_EMAIL.fullmatch(email):
        return email
    try:
        _email_validator(email)
    except ValidationError:
        raise ContactError(f"“{value.strip()}” is not a valid email address.", field="email") from None
    return email


def normalize_phone(value: str, region: str | None = None) -> str:
    """The number in E.164 form ("+919876543210"); ContactError (field "phone") when it is not a valid one.

    A number without a country code ("98765 43210", "098765 43210") is read as a number of `region`,
    by default settings.DEFAULT_PHONE_REGION.
    """
    region = region or settings.DEFAULT_PHONE_REGION
    value = value.strip()
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
        raise ContactError(
            f"“{value}” is not a valid phone number; write it with its country code, e.g. +919876543210 "
            f"(a number without one is read as a number of {region}).",
            field="phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _check_time_zone(value: str) -> str:
    import zoneinfo

    value = value.strip()
    if value and value not in zoneinfo.available_timezones():
        raise ContactError(
            f"“{value}” is not a time zone; use a name like Asia/Kolkata or Europe/Paris.", field="time_zone"
        )
    return value


# Properties --------------------------------------------------------------------------------------


def property_key(name) -> str:
    """The one spelling of a property name: trimmed, inner whitespace collapsed to one space, lower-case.

    "Plan", " plan " and "PLAN" are the property "plan"; "Account  Manager" is "account manager".
    """
    return " ".join(str(name).split()).lower()


def normalize_properties(properties: dict) -> dict:
    """The properties under their one spelling; when two spellings of a name meet, the later one wins.

    A NUL character (U+0000) in a name or a value is refused: PostgreSQL cannot store it.
    """
    if has_nul(properties):
        raise ContactError(
            "Property names and values cannot contain the NUL character (U+0000).", field="properties"
        )
    return {property_key(name): value for name, value in properties.items()}


PROPERTY_NAMES_CACHE_KEY = "contacts:property-names"
PROPERTY_NAMES_SAMPLE = 5000


def property_names() -> list[str]:
    """The property names in use, sorted: the suggestions of the forms that name a property (contact
    filters, case and assignment rules).

    Read from the newest contacts only (by primary key, an index scan) and cached for five minutes, so that a form over
    100,000 contacts costs no table scan; a name missing from the list can still be typed.
    """
    names = cache.get(PROPERTY_NAMES_CACHE_KEY)
    if names is None:
        sample = Contact.objects.order_by("-pk").values_list("properties", flat=True)[:PROPERTY_NAMES_SAMPLE]
        found: set[str] = set()
        for properties in sample:
            if isinstance(properties, dict):
                found.update(str(name) for name in properties)
        names = sorted(found)[:500]
        cache.set(PROPERTY_NAMES_CACHE_KEY, names, 300)
    return names


PROPERTY_VALUES_SAMPLE = 20000
PROPERTY_VALUES_SHOWN = 12


def property_values(name: str) -> list[str]:
    """The most common values of a property, most common first: the audience builder's suggestions.

    Counted among the newest contacts (as property_names) and cached for five minutes per property; text
    values only (a filter matches the value as typed). A value missing from the list can still be typed.
    """
    import hashlib

    from django.db.models import Count

    from nps.jsonkeys import PropertyKey

    key = property_key(name)
    if not key or len(key) > 100 or has_nul(key):
        return []
    cache_key = "contacts:property-values:" + hashlib.sha256(key.encode()).hexdigest()[:40]
    values = cache.get(cache_key)
    if values is None:
        newest = Contact.objects.order_by("-pk").values("pk")[:PROPERTY_VALUES_SAMPLE]
        rows = (
            Contact.objects.filter(pk__in=newest)
            .annotate(value=PropertyKey(key, "properties"))
            .filter(value__isnull=False)
            .values("value")
            .annotate(n=Count("pk"))
            .order_by("-n")[: PROPERTY_VALUES_SHOWN * 2]
        )
        values = [row["value"] for row in rows if isinstance(row["value"], str) and row["value"].strip()]
        values = values[:PROPERTY_VALUES_SHOWN]
        cache.set(cache_key, values, 300)
    return values


# Creating and updating ---------------------------------------------------------------------------


def upsert_contact(
    *,
    email: str | None = None,
    phone: str | None = None,
    name: str | None = None,
    language: str | None = None,
    time_zone: str | None = None,
    properties: dict | None = None,
    contact: Contact | None = None,
) -> tuple[Contact, bool]:
    """Create a contact or update the one with this email (else phone); returns (contact, created).

    With `contact`, that contact is updated (and may get a new email or phone). Fields left None are
    kept; properties are merged key by key (under their one spelling, see property_key), a key set to
    None is removed.
    """
    email = normalize_email(email) if email else None
    phone = normalize_phone(phone) if phone else None
    language = language.strip()[:10] if language is not None else None
    time_zone = _check_time_zone(time_zone) if time_zone is not None else None
    if properties is not None and not isinstance(properties, dict):
        raise ContactError("Properties must be an object of names and values.", field="properties")
    with transaction.atomic():
        by_email = Contact.objects.select_for_update().filter(email__iexact=email).first() if email else None
        by_phone = Contact.objects.select_for_update().filter(phone=phone).first() if phone else None
        if contact is None:
            if not email and not phone:
                raise ContactError("A contact needs an email or a phone number.", field="email")
            if by_email and by_phone and by_email.pk != by_phone.pk:
                raise ContactError(
                    f"The email belongs to contact {by_email.pk} and the phone number to contact "
                    f"{by_phone.pk}; update them one at a time.",
                    field="phone",
                )
            contact = by_email or by_phone
        else:
            contact = Contact.objects.select_for_update().get(pk=contact.pk)
            for other, field in ((by_email, "email"), (by_phone, "phone")):
                if other and other.pk != contact.pk:
                    raise ContactError(f"Another contact ({other.pk}) has this {field}.", field=field)
        created = contact is None
        if created:
            contact = Contact()
        if email:
            contact.email = email
        if phone:
            contact.phone = phone
        if name is not None:
            contact.name = name.strip()[:200]
        if language is not None:
            contact.language = language
        if time_zone is not None:
            contact.time_zone = time_zone
        if properties:
            merged = dict(contact.properties or {})
            for key, value in normalize_properties(properties).items():
                if value is None:
                    merged.pop(key, None)
                else:
                    merged[key] = value
            contact.properties = merged
        contact.save()
    return contact, created


# Erasing -----------------------------------------------------------------------------------------
#
# Deleting a contact means one thing everywhere (the browser, both APIs): erase_contact. Their personal
# data goes for good; what other apps hold about them (answers, in responses) stays, anonymised. Those
# apps sit above surveys, so they register an Eraser here from their AppConfig.ready().


@dataclass(frozen=True)
class Eraser:
    """What another app keeps of an erased contact, anonymised.

    noun:   what it keeps, singular, for the confirmation page ("answer").
    count:  how many records erase() would keep for this contact (read only).
    erase:  unlinks and anonymises them; called inside erase_contact's transaction, before the contact
            row is deleted; returns how many it kept.
    detail: for the confirmation page, what stays of each record and what goes.
    where:  where the records stay, for the confirmation page and message ("in the figures").
    """

    noun: str
    count: Callable[[Contact], int]
    erase: Callable[[Contact], int]
    detail: str = ""
    where: str = "in the figures"


_erasers: list[Eraser] = []


def register_eraser(eraser: Eraser) -> Eraser:
    """Have erase_contact call `eraser` (once, however often it is registered)."""
    if eraser not in _erasers:
        _erasers.append(eraser)
    return eraser


def erasers() -> tuple[Eraser, ...]:
    """The registered Erasers, in the order erase_contact calls them."""
    return tuple(_erasers)


@dataclass(frozen=True)
class Kept:
    noun: str
    count: int
    detail: str
    where: str = "in the figures"


@dataclass(frozen=True)
class Erasure:
    """What erasing a contact would do, counted for the confirmation page."""

    kept: list[Kept]  # per registered Eraser: records kept anonymised
    invitations: int  # surveys sent or queued: deleted with the contact (they carry the address)
    pending: int  # of those, surveys not sent yet: cancelled
    campaigns: int  # audiences the contact leaves
    suppressed: bool  # an address of theirs is on the suppression list, and stays there


def erasure_of(contact: Contact) -> Erasure:
    """What erase_contact(contact) would do, counted without changing anything."""
    addresses = [address for address in (contact.email and contact.email.lower(), contact.phone) if address]
    return Erasure(
        kept=[Kept(eraser.noun, eraser.count(contact), eraser.detail, eraser.where) for eraser in _erasers],
        invitations=contact.invitations.count(),
        pending=contact.invitations.filter(state=Invitation.State.QUEUED).count(),
        campaigns=contact.memberships.count(),
        suppressed=Suppression.objects.filter(address__in=[str(a) for a in addresses]).exists(),
    )


def erase_contact(contact: Contact) -> dict[str, int]:
    """Erase a contact's personal data for good; what other apps hold about them stays, anonymised.

    Every registered Eraser unlinks its records (answers lose their link to the contact and to the
    invitation, which carried the contact's address and answer link); then the contact, its
    invitations (pending surveys with them: they are never sent) and audience memberships are deleted.
    The suppression list keeps the contact's addresses, so a later import cannot survey them again.
    Returns how many records were kept, by noun: {"answer": 3}.
    """
    with transaction.atomic():
        kept = {eraser.noun: eraser.erase(contact) for eraser in _erasers}
        Contact.objects.filter(pk=contact.pk).delete()
        # By id only: the audit log must not keep what the erasure removes.
        audit.record(
            "contact.erase", object_id=contact.pk, label=f"Contact {contact.pk}", changes={"kept": kept}
        )
    # Their rows in the rejected-rows files of recent contact imports (the uploads themselves are deleted
    # when an import ends): files, not rows, so after the commit.
    from .import_files import strip_contact

    strip_contact(contact)
    return kept


# Suppression -------------------------------------------------------------------------------------


def is_suppressed(address: str) -> bool:
    return bool(address) and Suppression.objects.filter(address=address.lower()).exists()


def suppress(address: str, *, reason: str, detail: str = "", channel: str = "") -> Suppression:
    """Put an address on the suppression list (the first reason recorded is kept); `channel` is where it
    came from ("sms" for a STOP by SMS), "" when an admin or the API added it."""
    suppression, created = Suppression.objects.get_or_create(
        address=address.strip().lower(),
        defaults={"reason": reason, "detail": detail[:2000], "channel": channel},
    )
    if created and reason in (Suppression.Reason.UNSUBSCRIBED, Suppression.Reason.MANUAL):
        _announce_unsubscribe(suppression.pk)
    return suppression


def _announce_unsubscribe(suppression_pk: int) -> None:
    """Webhooks: unsubscribe.created, once the transaction commits (nothing at all when nobody listens)."""
    from nps.webhooks import services as webhooks
    from nps.webhooks.models import WebhookEvent

    def build() -> webhooks.Event | None:
        from .serializers import unsubscribe as unsubscribe_data

        suppression = Suppression.objects.filter(pk=suppression_pk).first()
        if suppression is None:
            return None
        address = suppression.address
        by_address = Q(phone=address) if address.startswith("+") else Q(email__iexact=address)
        contact = Contact.objects.filter(by_address).first()
        # About that contact: erasing them redacts these deliveries (surveys.apps).
        return webhooks.Event(
            unsubscribe_data(suppression, contact), contact_id=contact.pk if contact else None
        )

    webhooks.emit(WebhookEvent.UNSUBSCRIBE_CREATED, build)


def cancel_pending(contact: Contact, *, campaign: Campaign | None = None, channels=None, reason: str) -> int:
    """Cancel a contact's surveys not sent yet (on one campaign or all, on some channels or all); returns
    how many.

    Only rows still queued change: a worker that already claimed one (sending) finishes it.
    """
    pending = Invitation.objects.filter(contact=contact, state=Invitation.State.QUEUED)
    if campaign is not None:
        pending = pending.filter(campaign=campaign)
    if channels is not None:
        pending = pending.filter(channel__in=channels)
    return pending.update(state=Invitation.State.SUPPRESSED, state_changed_at=timezone.now(), error=reason)


def unsubscribe(address: str, *, campaign: Campaign) -> Suppression | None:
    """The person at this address used the unsubscribe link of a survey of `campaign`."""
    if not address:
        return None
    return suppress(
        address,
        reason=Suppression.Reason.UNSUBSCRIBED,
        detail=f"Unsubscribe link of campaign “{campaign}”",
    )


def record_last_surveyed(contact: Contact, when) -> None:
    """Record when the contact was last surveyed, e.g. by another tool before OpenNPS (Delighted's
    `last_sent_at`): campaign throttling counts from it."""
    Contact.objects.filter(pk=contact.pk).update(last_surveyed_at=when)
    contact.last_surveyed_at = when
