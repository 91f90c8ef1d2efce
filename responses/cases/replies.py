"""Replies to the customer from a case (email, SMS, WhatsApp) and their answers back onto the case.

Out: `reply()` writes the CaseMessage ("queued") with the timeline event, and queues `send_case_message`
after the commit; the task claims the row with a conditional UPDATE (queued → sending), so it is sent once
however often it runs, and `send_due()` (from the follow-up sweep) hands over again rows whose task was
lost or whose worker died. While a row is queued or sending, its `sent_at` is the lease clock: when it was
last handed over, claimed, or deferred to (quiet hours, a retry's backoff); once sent, when it went.

- Email goes from the brand's sender, threaded (Message-ID, In-Reply-To, References), with the case's
  signed Reply-To: "<local>+c<id>.<signature>@<domain>" of CASE_REPLY_ADDRESS. Only we can make a valid
  address for a case, so mail to a guessed or altered one lands nowhere.
- A text goes through the texting outbox (kind CASE, key "case:<message id>"), on the channel the customer
  answered on, once the recipient's quiet hours allow. A number that sent STOP is refused.

In: the ESP's inbound webhook (surveys.channels.email.inbound) hands every email to `receive_email`, which
finds the case by the signed address among the recipients; a text that is neither a keyword nor a survey
answer reaches `receive_text` (surveys.channels.texting.inbound). Either becomes a CaseMessage ("in") with a
REPLY_IN event; a case waiting for the customer is in progress again, and its owner is told.
"""

import hashlib
import html as html_lib
import logging
import re
import secrets
from datetime import timedelta
from email.utils import formataddr, parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.html import strip_tags

from nps import audit
from nps.inputs import has_nul
from nps.logsafe import mask_addresses
from surveys import contacts
from surveys.channels import CHANNELS
from surveys.models import TEXT_CHANNELS, Channel, Suppression, TextMessage, one_line

from ..models import Case, CaseEvent, CaseMessage
from . import notify, services

log = logging.getLogger(__name__)

SALT = "opennps.case-reply"
# A worker holds a claimed row this long before the sweep takes it back (as invitations, surveys/delivery.py).
LEASE = timedelta(seconds=getattr(settings, "DELIVERY_LEASE_SECONDS", 600))
MAX_ATTEMPTS = 5
BACKOFF = [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2)]
MAX_BODY = 10_000
MAX_TEXT_BODY = 1_600  # Twilio refuses longer texts
MAX_SUBJECT = 200
MAX_INBOUND_BODY = 50_000
MAX_REFERENCES = 20
SWEEP_BATCH = 500

Direction, State = CaseMessage.Direction, CaseMessage.State
Status = Case.Status
# Why an address is off limits for a personal email (an unsubscribe from surveys is not one of them: the
# customer wrote to us, and a reply to their own feedback is no survey).
EMAIL_REFUSALS = {
    Suppression.Reason.BOUNCED: "their address bounced",
    Suppression.Reason.COMPLAINED: "they reported our email as spam",
    Suppression.Reason.BLOCKED: "they blocked the sender",
    Suppression.Reason.MANUAL: "an admin put the address on the suppression list",
}


class ReplyError(ValueError):
    """A reply that cannot go out; the message says why, in words for the person who wrote it."""


# The signed address -------------------------------------------------------------------------------------


def signature(case_id: int) -> str:
    return salted_hmac(SALT, str(case_id)).hexdigest()[:16]


def _reply_parts() -> tuple[str, str]:
    local, _, domain = settings.CASE_REPLY_ADDRESS.rpartition("@")
    return local, domain


def reply_address(case) -> str:
    """The case's signed Reply-To ("replies+c12.3f9a…@support.example.com"); "" without CASE_REPLY_ADDRESS."""
    local, domain = _reply_parts()
    if not (local and domain):
        return ""
    return f"{local}+c{case.pk}.{signature(case.pk)}@{domain}"


_TAG = re.compile(r"c([0-9]{1,18})\.([0-9a-f]{16})")


def case_for_address(address: str) -> Case | None:
    """The case a signed address belongs to ("Name <replies+c12.…@…>" too); None for any other address, a
    wrong signature or a case that is gone. The local part's case is ignored, as mail systems may change it."""
    local, domain = _reply_parts()
    if not (local and domain) or not isinstance(address, str) or len(address) > 1000:
        return None
    addr = parseaddr(address)[1].strip().lower()
    mailbox, _, their_domain = addr.rpartition("@")
    base, plus, tag = mailbox.rpartition("+")
    if not plus or base != local.lower() or their_domain != domain.lower():
        return None
    match = _TAG.fullmatch(tag)
    if match is None or not constant_time_compare(match[2], signature(int(match[1]))):
        return None
    return (
        Case.objects.select_related("campaign__brand", "contact", "answer").filter(pk=int(match[1])).first()
    )


# Replying ---------------------------------------------------------------------------------------------


def channels_for(case) -> list[str]:
    """The channels a reply can take: email when the contact has an address; SMS or WhatsApp when the
    customer answered on it, the contact has a number and texting is configured."""
    contact = case.contact
    if contact is None:
        return []
    offered = [Channel.EMAIL.value] if contact.email else []
    answered_on = case.answer.channel
    if answered_on in TEXT_CHANNELS and contact.phone and CHANNELS[answered_on].is_configured():
        offered.append(str(answered_on))
    return offered


def _domain() -> str:
    return _reply_parts()[1] or urlsplit(settings.PUBLIC_BASE_URL).hostname or "opennps.invalid"


def new_message_id(case) -> str:
    return f"<case-{case.pk}-{secrets.token_hex(8)}@{_domain()}>"


def default_subject(case) -> str:
    """ "Re: " the thread's last subject; else "Your feedback to Acme"."""
    last = (
        case.messages.filter(channel=Channel.EMAIL).exclude(subject="").order_by("-created_at", "-pk").first()
    )
    if last is not None:
        subject = re.sub(r"^(\s*(re|aw|sv|antw)\s*:\s*)+", "", last.subject, flags=re.IGNORECASE)
        return f"Re: {subject}"[:MAX_SUBJECT]
    return f"Your feedback to {one_line(case.campaign.brand.company_name)}"[:MAX_SUBJECT]


def threading(case, *, before: CaseMessage | None = None) -> tuple[str, list[str]]:
    """(In-Reply-To, References) of a new email on the case (or of `before`, from the messages ahead of
    it): the customer's last email, else our last one; the thread's Message-IDs oldest first (the last
    MAX_REFERENCES)."""
    thread = case.messages.filter(channel=Channel.EMAIL).exclude(message_id=None)
    if before is not None:
        thread = thread.filter(pk__lt=before.pk)
    thread = list(thread.order_by("created_at", "pk").values_list("direction", "message_id"))
    inbound = [mid for direction, mid in thread if direction == Direction.IN]
    in_reply_to = inbound[-1] if inbound else (thread[-1][1] if thread else "")
    return in_reply_to, [mid for _, mid in thread][-MAX_REFERENCES:]


def _check_address(case, channel: str) -> str:
    """The contact's address on `channel`, or ReplyError saying why nothing may go there."""
    contact = case.contact
    if channel == Channel.EMAIL:
        address = (contact.email or "").strip()
        found = Suppression.objects.filter(address=address.lower()).first()
        if found is not None and found.reason in EMAIL_REFUSALS:
            raise ReplyError(f"This customer cannot be emailed: {EMAIL_REFUSALS[found.reason]}.")
        return address
    address = str(contact.phone)
    if contacts.is_suppressed(address):
        raise ReplyError(
            f"This customer opted out of texts (STOP): no {Channel(channel).label} can be sent to "
            f"their number. Reply by email instead, if they have an address."
        )
    return address


def reply(case, *, channel: str, body: str, subject: str = "", by) -> CaseMessage:
    """Queue a reply to the customer; ReplyError (a ValueError) with the reason when it cannot go out.

    The reply is on the timeline at once; a case that was new or in progress now waits for the customer,
    and the reply counts as the case's first response."""
    if not isinstance(body, str) or not isinstance(subject, str) or not isinstance(channel, str):
        raise ReplyError("The reply must be text.")
    if has_nul(body) or has_nul(subject):
        raise ReplyError("The reply contains a NUL character; remove it and send again.")
    body = body.strip()
    if not body:
        raise ReplyError("Write the reply before sending it.")
    limit = MAX_BODY if channel == Channel.EMAIL else MAX_TEXT_BODY
    if len(body) > limit:
        raise ReplyError(f"The reply is too long: at most {limit:,} characters, this one has {len(body):,}.")
    offered = channels_for(case)
    if channel not in offered:
        label = Channel(channel).label if channel in Channel.values else channel[:20]
        why = (
            f"this customer can be reached by {', '.join(Channel(c).label for c in offered)} only"
            if offered
            else "there is no address or number to reach this customer"
        )
        raise ReplyError(f"This reply cannot go by {label}: {why}.")
    address = _check_address(case, channel)
    original = case
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("campaign__brand", "answer", "contact")
            .get(pk=case.pk)
        )
        fields = {}
        if channel == Channel.EMAIL:
            brand = case.campaign.brand
            in_reply_to, _ = threading(case)
            fields = {
                "subject": one_line(subject)[:MAX_SUBJECT] or default_subject(case),
                "message_id": new_message_id(case),
                "in_reply_to": in_reply_to,
                "from_address": brand.sender_email,
            }
        message = CaseMessage.objects.create(
            case=case,
            direction=Direction.OUT,
            channel=channel,
            author=by,
            to_address=address,
            body=body,
            state=State.QUEUED,
            **fields,
        )
        services.record_event(case, CaseEvent.Kind.REPLY_OUT, actor=by, message=message)
        if case.status in (Status.NEW, Status.IN_PROGRESS):
            case = services.set_status(case, Status.WAITING, by=by)
        services.mark_first_response(case, message.created_at)
        audit.record("case.reply", obj=case, changes={"channel": channel, "characters": len(body)}, actor=by)
        transaction.on_commit(lambda: _enqueue(message.pk))
    original.refresh_from_db(fields=["status", "closed_at", "first_response_at", "updated_at"])
    return message


def _enqueue(message_id: int, *, wait: timedelta | None = None) -> None:
    """Hand the reply to a worker, now or after `wait`. Tasks run in process (the demo) cannot wait: the
    row stays queued and send_due() hands it over once its moment has passed a lease ago."""
    from . import tasks

    if wait and wait.total_seconds() > 0:
        if not tasks.send_case_message.app.conf.task_always_eager:
            tasks.send_case_message.apply_async((message_id,), countdown=wait.total_seconds())
    else:
        tasks.send_case_message.delay(message_id)


# Sending --------------------------------------------------------------------------------------------


def send_case_message(message_id: int) -> str:
    """Send one queued reply if it is still queued (claimed queued → sending); returns its state after."""
    now = timezone.now()
    claimed = CaseMessage.objects.filter(pk=message_id, state=State.QUEUED, direction=Direction.OUT).update(
        state=State.SENDING, sent_at=now, attempts=F("attempts") + 1
    )
    message = (
        CaseMessage.objects.select_related(
            "case__campaign__brand", "case__contact", "case__answer__invitation"
        )
        .filter(pk=message_id)
        .first()
    )
    if message is None or not claimed:
        return message.state if message is not None else "missing"
    if message.channel == Channel.EMAIL:
        return _send_email(message)
    return _send_text(message, now)


def _settle(message: CaseMessage, state: str, **fields) -> str:
    CaseMessage.objects.filter(pk=message.pk, state=State.SENDING).update(state=state, **fields)
    return state


def _retry_or_fail(message: CaseMessage, error: str, *, permanent: bool) -> str:
    if permanent or message.attempts >= MAX_ATTEMPTS:
        return _settle(message, State.FAILED, error=error[:2000])
    wait = BACKOFF[min(message.attempts, len(BACKOFF)) - 1]
    state = _settle(message, State.QUEUED, error=error[:2000], sent_at=timezone.now() + wait)
    _enqueue(message.pk, wait=wait)
    return state


def email_for(message: CaseMessage) -> EmailMultiAlternatives:
    """The email of an outgoing case message, as the customer receives it."""
    case = message.case
    brand = case.campaign.brand
    answer = case.answer
    contact = case.contact
    _, references = threading(case, before=message)
    language = (contact.language if contact else "") or (answer.language or settings.LANGUAGE_CODE)
    with translation.override(language):
        comment = answer.comment.strip()[:1000]
        context = {
            "subject": message.subject,
            "body": message.body,
            "sender_name": brand.sender_name,
            "company": brand.company_name,
            "comment": comment,
            "comment_quoted": "\n".join(f"> {line}" for line in comment.splitlines()),
            "answered_on": formats.date_format(timezone.localtime(answer.answered_at), "DATE_FORMAT"),
            "language": translation.get_language(),
        }
        text = render_to_string("emails/case_reply.txt", context)
        html = render_to_string("emails/case_reply.html", context)
    headers = {"Message-ID": message.message_id}
    if message.in_reply_to:
        headers["In-Reply-To"] = message.in_reply_to
    if references:
        headers["References"] = " ".join(references)
    reply_to = reply_address(case) or brand.reply_to
    email = EmailMultiAlternatives(
        subject=one_line(message.subject),
        body=text,
        from_email=formataddr((one_line(brand.sender_name), brand.sender_email)),
        to=[message.to_address],
        reply_to=[reply_to] if reply_to else None,
        headers=headers,
    )
    email.attach_alternative(html, "text/html")
    return email


def _send_email(message: CaseMessage) -> str:
    try:
        email_for(message).send()
    except Exception as error:  # SMTP, the ESP's API: the channel knows which ones no retry helps
        log.warning("Sending case message %s failed: %s", message.pk, mask_addresses(error))
        return _retry_or_fail(
            message, str(error) or type(error).__name__, permanent=CHANNELS["email"].is_permanent(error)
        )
    return _settle(message, State.SENT, sent_at=timezone.now(), error="")


def _send_text(message: CaseMessage, now) -> str:
    """Hand the text to the texting outbox (which sends it once) when the recipient's quiet hours allow;
    before that, the row waits, queued, for the moment they end."""
    from surveys.channels.texting.outbox import queue_text

    case = message.case
    if contacts.is_suppressed(message.to_address):
        return _settle(message, State.FAILED, error="The number opted out of texts (STOP).")
    channel = CHANNELS[message.channel]
    allowed = channel.deliverable_at(case.contact, now) if case.contact is not None else now
    if allowed > now:
        state = _settle(message, State.QUEUED, sent_at=allowed, attempts=F("attempts") - 1)
        _enqueue(message.pk, wait=allowed - now)
        return state
    with transaction.atomic():
        text = queue_text(
            channel=message.channel,
            to=message.to_address,
            body=message.body,
            kind=TextMessage.Kind.CASE,
            key=f"case:{message.pk}",
            contact=case.contact,
            invitation=case.answer.invitation,
        )
        return _settle(
            message, State.SENT, text_message=text, from_address=text.from_number, sent_at=now, error=""
        )


def send_due(*, now=None) -> int:
    """Hand over again the replies whose task was lost (queued) or whose worker stopped (sending) more than
    a lease ago; returns how many. A row that stopped too often while sending is failed instead."""
    now = now or timezone.now()
    cutoff = now - LEASE
    requeue, failed = [], 0
    with transaction.atomic():
        rows = list(
            CaseMessage.objects.filter(direction=Direction.OUT, state__in=[State.QUEUED, State.SENDING])
            .filter(Q(sent_at__lt=cutoff) | Q(sent_at=None, created_at__lt=cutoff))
            .select_for_update(skip_locked=True)
            .order_by("created_at")[:SWEEP_BATCH]
        )
        for row in rows:
            if row.state == State.SENDING and row.attempts >= MAX_ATTEMPTS:
                CaseMessage.objects.filter(pk=row.pk).update(
                    state=State.FAILED, error="The worker stopped while sending, too often."
                )
                failed += 1
                continue
            CaseMessage.objects.filter(pk=row.pk).update(state=State.QUEUED, sent_at=now)
            requeue.append(row.pk)
        transaction.on_commit(lambda: [_enqueue(pk) for pk in requeue])
    return failed + len(requeue)


# Receiving --------------------------------------------------------------------------------------------

# Where a reply's quoted part begins: "On Mon, 30 Nov 2026, Acme <…> wrote:" (also split over two lines, and
# in a few languages), Outlook's separators and header blocks.
_ATTRIBUTION = re.compile(
    r"^\s*(on|le|am|el|il|op|em|den)\b.{0,300}"
    r"(wrote|a écrit|schrieb|escribió|ha scritto|schreef|escreveu|skrev)\s*:\s*$",
    re.IGNORECASE | re.DOTALL,
)
_SEPARATOR = re.compile(
    r"^\s*(-{2,}\s*(original message|forwarded message|ursprüngliche nachricht|message d'origine)\s*-{2,}"
    r"|_{10,})\s*$",
    re.IGNORECASE,
)
# Outlook's quoted header block: "From: …" followed by "Sent: …", "Date: …" or "To: …".
_HEADER_BLOCK = re.compile(r"^\s*\**from:\**\s.+\n\s*\**(sent|date|to):", re.IGNORECASE)


def strip_quoted(text: str) -> str:
    """The new part of a reply: the text before its quoted earlier message, without "> " lines."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        two = f"{line} {lines[index + 1]}" if index + 1 < len(lines) else line
        if (
            _SEPARATOR.match(line)
            or _ATTRIBUTION.match(line)
            or (line.strip() and _ATTRIBUTION.match(two))
            or _HEADER_BLOCK.match("\n".join(lines[index : index + 2]))
        ):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    return "\n".join(kept).strip()


def html_text(html: str) -> str:
    """Rough text of an HTML-only email: paragraphs and line breaks kept."""
    html = re.sub(r"(?is)<(script|style|head)\b.*?</\1>", "", html)
    html = re.sub(r"(?i)<br\s*/?>|</(p|div|li|tr|h[1-6]|blockquote)>", "\n", html)
    return html_lib.unescape(strip_tags(html))


def _clean(value: str, limit: int) -> str:
    return (value or "").replace("\x00", "")[:limit]


def _record_reply(case: Case, **fields) -> CaseMessage | None:
    """The customer's message on the case, its REPLY_IN event, the case back in progress if it waited for
    them, the owner told; None when the same message is already there (a webhook delivered twice)."""
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        try:
            with transaction.atomic():
                message = CaseMessage.objects.create(
                    case=case, direction=Direction.IN, state=State.RECEIVED, **fields
                )
        except IntegrityError:
            return None
        services.record_event(case, CaseEvent.Kind.REPLY_IN, message=message)
        if case.status == Status.WAITING:
            case = services.set_status(case, Status.IN_PROGRESS, by=None)
        notify.customer_replied(case, message)
    return message


def _fallback_id(email) -> str:
    """A stable Message-ID for a message without one, so that a replay still finds it."""
    digest = hashlib.sha256(
        "\n".join([email.from_, email.subject, email.text, email.html]).encode()
    ).hexdigest()
    return f"<no-id-{digest[:32]}@opennps.invalid>"


def receive_email(email) -> Case | None:
    """An incoming email (surveys.channels.email.inbound.InboundEmail) addressed to a case's signed
    address, onto that case; None (nothing written) when no recipient is one."""
    matched = next(((address, case) for address in email.to if (case := case_for_address(address))), None)
    if matched is None:
        local, domain = _reply_parts()
        if local and any(address.endswith("@" + domain.lower()) for address in email.to):
            log.warning(
                "Inbound email %s to an unsigned or wrongly signed case address; ignored.",
                mask_addresses(email.message_id) or "(no Message-ID)",
            )
        return None
    address, case = matched
    message_id = _clean(email.message_id, 300) or _fallback_id(email)
    if CaseMessage.objects.filter(message_id=message_id).exists():
        return case
    full = _clean(email.text, MAX_INBOUND_BODY) or _clean(html_text(email.html), MAX_INBOUND_BODY)
    body = strip_quoted(full) or full.strip() or "(empty message)"
    _record_reply(
        case,
        channel=Channel.EMAIL,
        from_address=_clean(email.from_, 254),
        to_address=address[:254],
        subject=_clean(one_line(email.subject), 300),
        body=body,
        message_id=message_id,
        in_reply_to=_clean(email.in_reply_to, 300),
    )
    return case


def case_for_text(text_message: TextMessage) -> Case | None:
    """The open case an incoming text belongs to: the one we last texted from, else one opened on a text
    answer, else the contact's latest open case."""
    if text_message.contact_id is None:
        return None
    open_cases = Case.objects.filter(contact_id=text_message.contact_id, status__in=Case.OPEN)
    return (
        open_cases.filter(messages__direction=Direction.OUT, messages__channel__in=TEXT_CHANNELS)
        .order_by("-messages__created_at")
        .first()
        or open_cases.filter(answer__channel__in=TEXT_CHANNELS).order_by("-opened_at").first()
        or open_cases.order_by("-opened_at").first()
    )


def receive_text(text_message: TextMessage) -> Case | None:
    """An incoming text that is no survey answer, onto the contact's open case; None when there is none."""
    case = case_for_text(text_message)
    if case is None:
        return None
    recorded = _record_reply(
        case,
        channel=text_message.channel,
        from_address=text_message.from_number,
        to_address=text_message.to_number,
        body=text_message.body or "(empty text)",
        text_message=text_message,
    )
    return case if recorded is not None else None
