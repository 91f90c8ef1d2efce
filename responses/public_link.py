"""The public link, /l/<campaign.public_token>/: anyone who has it answers the campaign anonymously.

Each answer is an anonymous contact ("anon:<random>", the visitor's language, the allow-listed query
parameters as properties) and an ordinary answer on the "link" channel (services.create_response), so
dashboards, exports, webhooks and both APIs see it like any other.

The page's form carries a signed *state*: the campaign, the properties read from the query string when
the page was shown, and the moment it was shown. The properties cannot be changed on submit, and the
moment gives the minimum time before a submit. Flood protection, without a third-party CAPTCHA:
- a per-address limit on submits (LINK_RATELIMIT, through nps.ratelimit.client_address);
- a hidden field people never see (the "honeypot") and a minimum of MIN_SECONDS between showing and
  submitting the form: an answer failing either is stored but flagged `suspected_scanner`, exactly like
  an email answer a link scanner probably gave — never silently dropped.
One answer per browser (Campaign.link_once_per_browser): a signed cookie per campaign keeps the token of
the answer's invitation, so a second visit changes that answer instead of adding one.
"""

import secrets
import time
from datetime import timedelta
from urllib.parse import urlsplit

from django.core import signing
from django.db import transaction
from django.utils.translation import pgettext_lazy

from nps.inputs import NUL, has_nul
from surveys.contacts import property_key
from surveys.models import Campaign, Channel, Contact, Invitation

from . import services
from .models import Answer

# A form submitted sooner than this after it was shown was not filled in by a person.
MIN_SECONDS = 3
# A form shown longer ago than this is refused (the visitor opens the link again).
STATE_MAX_AGE = timedelta(days=1)
# The longest value a query parameter may give a property.
PROPERTY_VALUE_MAX = 200
# How long a browser remembers its answer (once per browser).
COOKIE_MAX_AGE = timedelta(days=365)
# The hidden field: named like a field autofill and form-filling bots fill in, never shown to people.
HONEYPOT = "website"
STATE_SALT = "responses.public_link.state"
COOKIE_SALT = "responses.public_link.answer"


class LinkError(ValueError):
    """Input the link refuses (400): the message says why, in the visitor's language."""


def find_campaign(token: str) -> Campaign | None:
    """The campaign whose public token this is, with its brand; None for anything else."""
    if not token or len(token) > 64 or NUL in token:
        return None  # no token is longer, and PostgreSQL cannot compare text holding U+0000
    return Campaign.objects.select_related("brand").filter(public_token=token).first()


def is_open(campaign: Campaign) -> bool:
    """True when the campaign takes answers through its public link: running, with the "link" channel."""
    return campaign.status == Campaign.Status.RUNNING and Channel.LINK in (campaign.channels or [])


def link_properties(campaign: Campaign, query) -> dict[str, str]:
    """The allow-listed query parameters as properties; other parameters are ignored.

    A parameter's name is matched under its one spelling (surveys.contacts.property_key: "Store" is
    "store"); an empty value is left out; a repeated parameter counts once (its first value). Raises
    LinkError for a NUL character anywhere in the query or a value over PROPERTY_VALUE_MAX characters.
    """
    allowed = {property_key(name) for name in campaign.link_properties or []}
    properties: dict[str, str] = {}
    for name, values in query.lists():
        if has_nul(name) or has_nul(values):
            raise LinkError(pgettext_lazy("link", "This link contains a character that is not allowed."))
        key = property_key(name)
        if key not in allowed or key in properties:
            continue
        value = values[0].strip() if values else ""
        if len(value) > PROPERTY_VALUE_MAX:
            raise LinkError(
                pgettext_lazy("link", "This link is too long: a value in it has more than 200 characters.")
            )
        if value:
            properties[key] = value
    return properties


def issue_state(campaign: Campaign, properties: dict[str, str], *, now: float | None = None) -> str:
    """The signed state the page's form carries: the campaign, the properties and the moment shown."""
    shown_at = int(time.time() if now is None else now)
    return signing.dumps({"c": campaign.pk, "p": properties, "t": shown_at}, salt=STATE_SALT, compress=True)


def read_state(campaign: Campaign, value: str, *, now: float | None = None) -> tuple[dict[str, str], float]:
    """(properties, seconds since the form was shown) from a submitted state; LinkError when it was
    changed, belongs to another campaign or is older than STATE_MAX_AGE."""
    now = time.time() if now is None else now
    expired = LinkError(
        pgettext_lazy("link", "This page has expired. Please open the link again and answer once more.")
    )
    if not isinstance(value, str) or not value or len(value) > 4000 or NUL in value:
        raise expired
    try:
        state = signing.loads(value, salt=STATE_SALT, max_age=STATE_MAX_AGE)
    except signing.BadSignature:
        raise expired from None
    shown_at, properties = state.get("t"), state.get("p")
    if state.get("c") != campaign.pk or not isinstance(shown_at, int) or not isinstance(properties, dict):
        raise expired
    return properties, now - shown_at


def looks_automated(*, seconds_shown: float, honeypot: str) -> bool:
    """True when a person would not have submitted this: the hidden field filled in, or too fast."""
    return bool(honeypot) or seconds_shown < MIN_SECONDS


def cookie_name(campaign: Campaign) -> str:
    """The cookie that remembers this browser's answer to the campaign (one per campaign)."""
    return f"nps_link_{campaign.pk}"


def previous_answer(campaign: Campaign, invitation_token: str | None) -> Answer | None:
    """This browser's earlier answer to the campaign, from the token its cookie holds; None when the
    cookie holds nothing or the answer is gone (erased, expired)."""
    if not invitation_token or NUL in invitation_token or len(invitation_token) > 64:
        return None
    return (
        Answer.objects.select_related("invitation__contact")
        .filter(
            invitation__token=invitation_token,
            invitation__campaign=campaign,
            invitation__channel=Channel.LINK,
        )
        .first()
    )


def _flag(answer: Answer) -> None:
    # In the caller's transaction: the fan-out, after commit, reads the answer with its flag.
    Answer.objects.filter(pk=answer.pk).update(suspected_scanner=True)
    answer.suspected_scanner = True


def submit_answer(
    campaign: Campaign,
    *,
    score: int,
    comment: str,
    language: str,
    properties: dict[str, str],
    suspect: bool = False,
) -> Answer:
    """A new visitor's answer: an anonymous contact with the link's properties and their answer, at once."""
    with transaction.atomic():
        contact = Contact.objects.create(
            external_id=f"anon:{secrets.token_urlsafe(16)}",
            anonymous=True,
            language=language,
            properties=properties,
        )
        answer = services.create_response(
            contact=contact, campaign=campaign, score=score, channel=Channel.LINK, comment=comment
        )
        if suspect:
            _flag(answer)
    return answer


def change_answer(
    invitation: Invitation, *, score: int, comment: str, language: str = "", suspect: bool = False
) -> Answer:
    """A returning visitor changes their answer: the same answer, never a second one."""
    with transaction.atomic():
        services.record_score(invitation, score=score, language=language)
        answer = services.save_comment(invitation, comment=comment)
        if suspect:
            _flag(answer)
    return answer


def redirect_origins(campaign: Campaign) -> tuple[str, ...]:
    """The origins of the campaign's thank-you redirects, which the page's form may end up on."""
    origins = []
    for group in ("promoter", "passive", "detractor"):
        parts = urlsplit(getattr(campaign, f"redirect_{group}") or "")
        if parts.scheme in ("http", "https") and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return tuple(sorted(set(origins)))
