"""The on-site widget's rules: which site, which origins, who the visitor is, and whether to ask them now.

The widget's JSON API (responses/widget_api.py) reads a call with `parse_survey_call`, checks the caller
with `find_site` / `origin_allowed` / `verify_identity`, then `identify` writes the contact and `decide`
opens the invitation, or says why not. Everything here is a plain function of rows and values; the HTTP
shapes (statuses, headers, CORS) live in the API module. Docs for the host's side: docs/widget.md.

Who is asked, in this order (the first rule that says no gives the reason the API answers with):

0. `open`: an invitation of this campaign shown to this person in the last day and neither answered nor
   closed is shown again (same token): a page load or a second tab never opens a second survey;
1. `initial_delay`: not before `createdAt` (else when we first saw the contact) + `initialDelay`;
2. `throttled`: the contact was surveyed on any channel within the campaign's throttle_days (a person
   emailed last week is not asked on the site);
3. recontact: `already_asked` (site asks once: any earlier widget survey of this campaign) or
   `already_answered` (site asks until answered: an answered one), unless `recurringPeriod` has passed
   since that survey (once) or that answer (until answered); `dismissed_recently`: the widget was closed
   within the site's dismiss_wait_days;
4. `not_sampled`: a random draw above min(site sample factor, the call's `sampleFactor`);
5. `campaign_not_running`.

`forceDisplay` (testing) skips rules 1–5 but never the identity, the origin or an archived campaign
(`campaign_archived`: its answers could not be stored).
"""

import hashlib
import hmac
import json
import math
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation

from dashboards.metrics import GROUP_NAMES
from nps.inputs import has_nul, is_digits

from .contacts import ContactError, normalize_email, property_key, upsert_contact
from .invitations import lock_contact, open_invitation, supported_language
from .models import Campaign, Channel, Contact, Invitation, Site, render_text

# Limits of one call (the API answers a precise 4xx beyond them).
MAX_BODY_BYTES = 16 * 1024
MAX_PROPERTIES = 50
MAX_PROPERTY_NAME = 100
MAX_PROPERTY_VALUE = 500
MAX_NAME = 200
MAX_EXTERNAL_ID = 150
MAX_COMMENT = 5000
# Delays and periods: at most ten years, in seconds.
MAX_SECONDS = 10 * 365 * 86400
# Numbers in properties: what a JavaScript number holds exactly.
MAX_SAFE_INTEGER = 2**53 - 1
# The browser's random id of an anonymous visitor (a UUID, or any URL-safe random string).
ANONYMOUS_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
# A survey shown and neither answered nor closed is shown again for this long (rule 0).
OPEN_FOR = timedelta(days=1)
# Properties that change the survey rather than describe the person (as in the APIs' survey requests):
# locale → the contact's language; Delighted's questionProductName → the name in the question.
LOCALE = "locale"
PRODUCT_NAME = ("questionproductname", "question_product_name")
RTL_LANGUAGES = {"ar", "he", "fa", "ur"}
DEFAULT_PORTS = {"http": 80, "https": 443}


class WidgetError(Exception):
    """A call the widget API refuses: `status` is the HTTP status, the message is said to the caller."""

    def __init__(self, status: int, message: str, *, field: str = ""):
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


# Sites and origins ---------------------------------------------------------------------------------


def find_site(key) -> Site | None:
    """The site with this public key, with its campaign and brand; None for anything else."""
    if not isinstance(key, str) or not key or len(key) > 32 or has_nul(key):
        return None
    return Site.objects.select_related("campaign__brand").filter(key=key).first()


def normalize_origin(origin) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an origin "https://Host:443" → ("https", "host", 443); None when it is
    not one (a path, credentials, "null", another scheme)."""
    if not isinstance(origin, str) or not origin or len(origin) > 300 or has_nul(origin):
        return None
    origin = origin.strip().removesuffix("/")
    try:
        parts = urlsplit(origin)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname or parts.path or parts.query or parts.fragment:
        return None
    if parts.username is not None or parts.password is not None:
        return None
    host = parts.hostname.lower()
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")  # browsers send the punycode form
        except UnicodeError:
            return None
    return scheme, host, port or DEFAULT_PORTS[scheme]


def origin_allowed(site: Site, origin) -> bool:
    """Whether `origin` (the request's Origin header) is on the site's list: scheme, host and port equal,
    the host in any case, a default port written or not."""
    wanted = normalize_origin(origin)
    if wanted is None:
        return False
    return any(normalize_origin(allowed) == wanted for allowed in site.allowed_origins or [])


# Identity ------------------------------------------------------------------------------------------


def user_hash(site: Site, identity: str) -> str:
    """What the host's server computes: hex HMAC-SHA256 of the email or externalId with the site's secret."""
    return hmac.new(site.secret.encode(), identity.encode(), hashlib.sha256).hexdigest()


def verify_identity(site: Site, *, email: str | None, external_id: str | None, user_hash_value) -> None:
    """Raise WidgetError (403) unless the identity is signed as the site requires.

    The signed value is the externalId when the call has one, else the email, exactly as sent. A site that
    requires signatures refuses an unsigned identity; any site refuses a wrong signature. Anonymous
    visitors carry no identity to sign.
    """
    identity = external_id if external_id is not None else email
    if identity is None:
        return
    if user_hash_value is None:
        if site.require_user_hash:
            raise WidgetError(
                403, "This site requires userHash with the email or externalId.", field="userHash"
            )
        return
    expected = user_hash(site, identity)
    if not hmac.compare_digest(expected.encode(), str(user_hash_value).lower().encode()):
        what = "externalId" if external_id is not None else "email"
        raise WidgetError(403, f"userHash does not match the {what}.", field="userHash")


# Reading a call ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyCall:
    """The options of one `opennps("survey", …)` call, typed and checked."""

    email: str | None = None  # as sent (verify_identity signs this)
    external_id: str | None = None
    anonymous_id: str | None = None
    name: str | None = None
    created_at: datetime | None = None
    properties: dict = field(default_factory=dict)
    user_hash: str | None = None
    initial_delay: timedelta | None = None
    recurring_period: timedelta | None = None
    sample_factor: float | None = None
    force_display: bool = False


def _refuse_constant(name: str):
    raise WidgetError(400, f"The body holds {name}, which is not a number in JSON.")


def _parse_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise WidgetError(400, f"The number {text[:20]} is too large.")
    return number


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > 30:
        raise WidgetError(400, "A number in the body is too large.")
    return int(text)


def read_json(body: bytes) -> dict:
    """The body as a JSON object; WidgetError 413 when larger than MAX_BODY_BYTES, 400 when not JSON."""
    if len(body) > MAX_BODY_BYTES:
        raise WidgetError(413, f"The body is larger than {MAX_BODY_BYTES // 1024} KB.")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise WidgetError(400, "The body is not UTF-8 text.") from None
    try:
        data = json.loads(
            text, parse_constant=_refuse_constant, parse_float=_parse_float, parse_int=_parse_int
        )
    except RecursionError:
        raise WidgetError(400, "The body is nested too deeply.") from None
    except ValueError as error:  # JSONDecodeError is one
        raise WidgetError(400, f"The body is not valid JSON ({error}).") from None
    if not isinstance(data, dict):
        raise WidgetError(400, "The body must be a JSON object.")
    return data


def _text(data: dict, key: str, *, limit: int, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise WidgetError(400, f"{key} is required.", field=key)
        return None
    if not isinstance(value, str):
        raise WidgetError(400, f"{key} must be a string.", field=key)
    if has_nul(value):
        raise WidgetError(400, f"{key} cannot contain the NUL character (U+0000).", field=key)
    if len(value) > limit:
        raise WidgetError(400, f"{key} is longer than {limit} characters.", field=key)
    return value


def _seconds(data: dict, key: str) -> timedelta | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= MAX_SECONDS:
        raise WidgetError(400, f"{key} must be a number of seconds from 0 to {MAX_SECONDS}.", field=key)
    return timedelta(seconds=value)


def _moment(data: dict, key: str) -> datetime | None:
    """ISO 8601 ("2024-05-01", "2024-05-01T10:00:00Z") or Unix seconds (a number, or ASCII digits)."""
    value = data.get(key)
    if value is None:
        return None
    seconds = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value
    elif isinstance(value, str) and is_digits(value) and len(value) <= 12:
        seconds = int(value)
    elif isinstance(value, str) and value.isascii() and 0 < len(value) <= 40:
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            moment = None
        if moment is not None:
            return moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)
    if seconds is not None and 0 <= seconds <= 32503680000:  # up to the year 3000
        return datetime.fromtimestamp(seconds, tz=UTC)
    raise WidgetError(400, f"{key} must be an ISO 8601 date and time or Unix seconds.", field=key)


def _properties(data: dict) -> dict:
    value = data.get("properties")
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise WidgetError(400, "properties must be an object of names and values.", field="properties")
    if len(value) > MAX_PROPERTIES:
        raise WidgetError(400, f"properties holds more than {MAX_PROPERTIES} names.", field="properties")
    properties = {}
    for name, item in value.items():
        key = property_key(name)
        where = f"properties.{name[:40]}"
        if has_nul(name) or has_nul(item):
            raise WidgetError(400, f"{where} cannot contain the NUL character (U+0000).", field="properties")
        if not key or len(key) > MAX_PROPERTY_NAME:
            raise WidgetError(
                400, f"Property names are 1 to {MAX_PROPERTY_NAME} characters long.", field="properties"
            )
        if isinstance(item, str):
            if len(item) > MAX_PROPERTY_VALUE:
                raise WidgetError(
                    400, f"{where} is longer than {MAX_PROPERTY_VALUE} characters.", field="properties"
                )
        elif isinstance(item, int | float) and not isinstance(item, bool):
            if abs(item) > MAX_SAFE_INTEGER:
                raise WidgetError(400, f"{where} is too large a number.", field="properties")
        elif item is not None and not isinstance(item, bool):
            raise WidgetError(
                400, f"{where} must be a string, a number, true, false or null.", field="properties"
            )
        properties[key] = item  # under its one spelling (surveys.contacts.property_key)
    return properties


def parse_survey_call(data: dict) -> SurveyCall:
    """The options of a survey call, from its JSON object; WidgetError (400) naming the first bad one.

    Unknown options are ignored (the snippet's client-side options, Delighted's extras).
    """
    email = _text(data, "email", limit=254)
    if email is not None:
        try:
            normalize_email(email)
        except ContactError as error:
            raise WidgetError(400, str(error), field="email") from None
    external_id = data.get("externalId")
    if isinstance(external_id, int) and not isinstance(external_id, bool):
        if abs(external_id) > MAX_SAFE_INTEGER:
            raise WidgetError(
                400, "externalId is too large a number; send it as a string.", field="externalId"
            )
        external_id = str(external_id)  # a numeric user id, as JavaScript writes it
    if external_id is not None:
        external_id = _text({"externalId": external_id}, "externalId", limit=MAX_EXTERNAL_ID)
        if not external_id.strip():
            raise WidgetError(400, "externalId cannot be empty.", field="externalId")
        if external_id.startswith("anon:"):
            raise WidgetError(400, "externalId cannot start with “anon:”.", field="externalId")
    anonymous_id = _text(data, "anonymousId", limit=64)
    if anonymous_id is not None and not ANONYMOUS_ID.match(anonymous_id):
        raise WidgetError(
            400, "anonymousId must be 16 to 64 letters, digits, “-” or “_”.", field="anonymousId"
        )
    user_hash_value = _text(data, "userHash", limit=128)
    sample_factor = data.get("sampleFactor")
    if sample_factor is not None and (
        isinstance(sample_factor, bool)
        or not isinstance(sample_factor, int | float)
        or not 0 <= sample_factor <= 1
    ):
        raise WidgetError(400, "sampleFactor must be a number from 0 to 1.", field="sampleFactor")
    force_display = data.get("forceDisplay", False)
    if not isinstance(force_display, bool):
        raise WidgetError(400, "forceDisplay must be true or false.", field="forceDisplay")
    return SurveyCall(
        email=email,
        external_id=external_id,
        anonymous_id=anonymous_id,
        name=_text(data, "name", limit=MAX_NAME),
        created_at=_moment(data, "createdAt"),
        properties=_properties(data),
        user_hash=user_hash_value,
        initial_delay=_seconds(data, "initialDelay"),
        recurring_period=_seconds(data, "recurringPeriod"),
        sample_factor=None if sample_factor is None else float(sample_factor),
        force_display=force_display,
    )


def parse_token(data: dict) -> str:
    """The invitation token of an answer or dismiss call."""
    token = _text(data, "token", limit=64, required=True)
    if not token:
        raise WidgetError(400, "token is required.", field="token")
    return token


def parse_answer(data: dict) -> tuple[int | None, str | None]:
    """(score, comment) of an answer call: score a whole number 0–10 (no true, 9.0 or "9"), comment text."""
    score = data.get("score")
    if score is not None and (isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 10):
        raise WidgetError(400, "score must be a whole number from 0 to 10.", field="score")
    comment = _text(data, "comment", limit=MAX_COMMENT)
    if score is None and comment is None:
        raise WidgetError(400, "Send a score, a comment or both.", field="score")
    return score, comment


# Who the visitor is --------------------------------------------------------------------------------


def identify(site: Site, call: SurveyCall) -> Contact:
    """The contact behind a call, created or updated (name, language from `locale`, properties).

    By externalId when given (an email with it is stored too unless another contact has it), else by
    email, else the anonymous visitor "anon:<site key>:<anonymousId>" when the site allows them.
    Properties are merged key by key under the contacts module's rules (a null value removes one).
    """
    properties = {k: v for k, v in call.properties.items() if k != LOCALE and k not in PRODUCT_NAME}
    locale = call.properties.get(LOCALE)
    language = supported_language(locale) if isinstance(locale, str) else ""
    details = {
        "name": call.name,
        "language": language or None,
        "properties": properties or None,
    }
    try:
        if call.external_id is not None:
            return _by_external_id(call.external_id, email=call.email, anonymous=False, **details)
        if call.email is not None:
            return _by_email(call.email, **details)
    except ContactError as error:
        raise WidgetError(400, str(error), field=error.field) from None
    if call.anonymous_id is None:
        raise WidgetError(
            400, "Send an email or an externalId (or an anonymousId where allowed).", field="email"
        )
    if not site.allow_anonymous:
        raise WidgetError(
            403, "This site does not survey anonymous visitors; send an email or an externalId."
        )
    external_id = f"anon:{site.key}:{call.anonymous_id}"
    return _by_external_id(external_id, email=None, anonymous=True, **details)


def _by_email(email: str, **details) -> Contact:
    try:
        with transaction.atomic():
            return upsert_contact(email=email, **details)[0]
    except IntegrityError:  # a concurrent call (another tab) created this contact a moment ago
        return upsert_contact(email=email, **details)[0]


def _by_external_id(external_id: str, *, email: str | None, anonymous: bool, **details) -> Contact:
    with transaction.atomic():
        contact = Contact.objects.select_for_update().filter(external_id=external_id).first()
        if contact is None and email is not None:
            # A contact known by this email and no other id becomes this id's.
            contact = (
                Contact.objects.select_for_update()
                .filter(email__iexact=normalize_email(email), external_id__isnull=True)
                .first()
            )
            if contact is not None:
                contact.external_id = external_id
                contact.save(update_fields=["external_id", "updated_at"])
        if contact is None:
            try:
                with transaction.atomic():
                    contact = Contact.objects.create(external_id=external_id, anonymous=anonymous)
            except IntegrityError:  # created by a concurrent call a moment ago
                contact = Contact.objects.select_for_update().get(external_id=external_id)
        if email is not None and (contact.email or "").lower() != normalize_email(email):
            taken = Contact.objects.filter(email__iexact=normalize_email(email)).exclude(pk=contact.pk)
            if not taken.exists():
                details["email"] = email
        contact, _ = upsert_contact(contact=contact, **details)
    return contact


# Whether to ask ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    show: bool
    reason: str  # why not (a rule's name), or "open", "eligible", "forced" when shown
    invitation: Invitation | None = None


def decide(
    site: Site,
    contact: Contact,
    call: SurveyCall,
    *,
    now: datetime | None = None,
    language: str = "",
    draw=random.random,
) -> Decision:
    """Whether to survey this contact now on this site (the rules at the top of this module).

    When yes, the invitation is opened (channel web, sent now) and the contact's last_surveyed_at set,
    under a lock on the contact: two tabs asking at once get one invitation. `language` is the widget's
    language when the contact has none (the site's, else the browser's); `draw` the random source.
    """
    now = now or timezone.now()
    campaign = site.campaign
    if campaign.status == Campaign.Status.ARCHIVED:
        return Decision(False, "campaign_archived")
    with transaction.atomic():
        lock_contact(contact)
        contact.refresh_from_db(fields=["last_surveyed_at", "created_at", "language"])
        earlier = Invitation.objects.filter(campaign=campaign, contact=contact, channel=Channel.WEB)
        is_running = campaign.status == Campaign.Status.RUNNING
        if call.force_display or is_running:
            pending = (
                earlier.filter(
                    answer__isnull=True,
                    dismissed_at__isnull=True,
                    state=Invitation.State.SENT,
                    sent_at__gt=now - OPEN_FOR,
                )
                .order_by("-sent_at")
                .first()
            )
            if pending is not None:
                pending.campaign = campaign
                return Decision(True, "open", pending)
        if not call.force_display:
            reason = _rule_says_no(site, contact, call, earlier, now=now, draw=draw)
            if reason:
                return Decision(False, reason)
        language = supported_language(contact.language) or supported_language(site.language) or language
        invitation = open_invitation(
            campaign,
            contact,
            Channel.WEB,
            language=language,
            extra_texts=_survey_texts(campaign, call, language),
            state=Invitation.State.SENT,
            sent_at=now,
            now=now,
        )
        Contact.objects.filter(pk=contact.pk).update(last_surveyed_at=now)
        contact.last_surveyed_at = now
    return Decision(True, "forced" if call.force_display else "eligible", invitation)


def _rule_says_no(site: Site, contact: Contact, call: SurveyCall, earlier, *, now, draw) -> str:
    campaign = site.campaign
    if call.initial_delay is not None and now < (call.created_at or contact.created_at) + call.initial_delay:
        return "initial_delay"
    surveyed = contact.last_surveyed_at
    if campaign.throttle_days and surveyed and surveyed > now - timedelta(days=campaign.throttle_days):
        return "throttled"
    period = call.recurring_period
    if site.recontact == Site.Recontact.ONCE:
        last_asked = earlier.aggregate(last=Max("sent_at"))["last"]
        if last_asked is not None and (period is None or last_asked > now - period):
            return "already_asked"
    else:
        last_answered = earlier.filter(answer__isnull=False).aggregate(last=Max("answer__answered_at"))[
            "last"
        ]
        if last_answered is not None and (period is None or last_answered > now - period):
            return "already_answered"
    last_dismissed = earlier.aggregate(last=Max("dismissed_at"))["last"]
    if last_dismissed is not None and last_dismissed > now - timedelta(days=site.dismiss_wait_days):
        return "dismissed_recently"
    factor = site.sample_factor if call.sample_factor is None else min(site.sample_factor, call.sample_factor)
    if not draw() < factor:
        return "not_sampled"
    if campaign.status != Campaign.Status.RUNNING:
        return "campaign_not_running"
    return ""


def _survey_texts(campaign: Campaign, call: SurveyCall, language: str) -> dict | None:
    """Delighted's questionProductName: the question names the product instead of the brand."""
    product = next((call.properties[k] for k in PRODUCT_NAME if call.properties.get(k)), None)
    if not isinstance(product, str) or not product.strip():
        return None
    template = (campaign.translations.get(language) or {}).get("question") or campaign.question
    return {"question": render_text(template, "question", company=product.strip()[:100], language=language)}


def dismiss(invitation: Invitation, *, now: datetime | None = None) -> bool:
    """The visitor closed the widget without answering: recontact waits the site's dismiss_wait_days.

    Returns whether anything changed (an answered or already closed survey stays as it is).
    """
    now = now or timezone.now()
    changed = Invitation.objects.filter(
        pk=invitation.pk, dismissed_at__isnull=True, answer__isnull=True
    ).update(dismissed_at=now)
    if changed:
        invitation.dismissed_at = now
    return bool(changed)


# What the card says --------------------------------------------------------------------------------


def text_direction(language: str) -> str:
    return "rtl" if (language or "").split("-")[0] in RTL_LANGUAGES else "ltr"


def widget_texts(invitation: Invitation, language: str) -> dict:
    """The card's texts in the invitation's language (else `language`): the campaign's question and
    follow-ups as snapshotted, and the answer pages' own strings (translated in the 11 languages)."""
    language = invitation.language or language or "en"
    company = invitation.campaign.brand.company_name
    with translation.override(language):
        texts = {field: invitation.text(field, language) for field in ("question",)}
        texts.update(
            {f"followup_{group}": invitation.text(f"followup_{group}", language) for group in GROUP_NAMES}
        )
        thanks_detail = invitation.texts.get("thank_you_message") or translation.gettext(
            "Your answer helps %(company)s get better."
        ) % {"company": company}
        texts.update(
            {
                "followup_default": translation.gettext("What is the main reason for your score?"),
                "anchor_low": translation.gettext("0 = not at all likely"),
                "anchor_high": translation.gettext("10 = extremely likely"),
                "saved": translation.gettext("Thank you, your score is saved. Tell us more below."),
                "failed": translation.gettext("We could not save your score yet. Please press Send."),
                "send": translation.gettext("Send"),
                "thanks": translation.gettext("Thank you!"),
                "thanks_detail": thanks_detail,
                "close": translation.gettext("Close"),
            }
        )
    return texts


def accent_of(site: Site) -> str:
    """The card's accent colour: the site's, else the brand's."""
    return site.accent_color or site.campaign.brand.accent_color or "#4f46e5"
