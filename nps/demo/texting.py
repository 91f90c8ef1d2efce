"""The demo's texts: an SMS campaign in reply mode and a WhatsApp campaign in link mode that really send.

A handful of customers in India and the US (and one in Dubai, whose texts read right to left) are added to
the two campaigns, which are queued and sent when the demo is seeded: with the demo's file backend each
text becomes a JSON file in SMS_OUTBOX_DIR, and the phone simulator (nps/demo/phone.py) shows them. Those
whose local time is in quiet hours at that moment wait for their morning, which the simulator shows too.
Some history is seeded as rows so that every part shows at any hour: a finished conversation, a STOP, and
a text from a number nobody knows.
"""

import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from responses.models import Answer
from surveys import delivery
from surveys.channels.texting import compose
from surveys.invitations import SNAPSHOT_FIELDS
from surveys.models import (
    Audience,
    Brand,
    Campaign,
    Channel,
    Contact,
    Conversation,
    Invitation,
    Suppression,
    TextMessage,
    TextMode,
)

SMS_CAMPAIGN = "SMS pulse for shop owners"
WHATSAPP_CAMPAIGN = "WhatsApp order feedback"
# Made-up Content SIDs: the file backend never asks Twilio for the template.
WHATSAPP_TEMPLATES = {
    "en": "HX5d1f0c3a9e7b4f2c8a6d0e1b3c5f7a90",
    "hi": "HX7a2e4c6b8d0f1a3c5e7b9d1f3a5c7e92",
}
DLT_TEMPLATE_IDS = {"en": "1107170000000000101", "bn": "1107170000000000102"}


@dataclass(frozen=True)
class Texter:
    name: str
    email: str
    phone: str
    language: str
    time_zone: str
    region: str
    plan: str
    campaign: str  # "sms", "whatsapp", or "" (history only)


# Reply mode for the US and Dubai; link mode for India even on the reply-mode campaign (no two-way SMS
# there). Florida, Texas and New Jersey have stricter hours than 08:00-21:00 (the quiet hours table).
TEXTERS = [
    Texter("Jessica Miller", "jessica.miller@brooklynbrew.example", "+12125550142", "en",
           "America/New_York", "North America", "pro", "sms"),
    Texter("Emily Johnson", "emily@miamichai.example", "+13055550187", "en",
           "America/New_York", "North America", "starter", "sms"),
    Texter("Tyler Brooks", "tyler@austintea.example", "+15125550163", "en",
           "America/Chicago", "North America", "free", "sms"),
    Texter("Carlos Ramírez", "carlos@cafeladolores.example", "+12135550119", "es",
           "America/Los_Angeles", "North America", "pro", "sms"),
    Texter("فاطمة الزهراء", "fatima.alzahra@karakhouse.example", "+971551234567", "ar",
           "Asia/Dubai", "MENA", "enterprise", "sms"),
    Texter("Ananya Bose", "ananya@kolkatakettle.example", "+917012345678", "bn",
           "Asia/Kolkata", "India", "starter", "sms"),
    Texter("Priya Nair", "priya@kochichai.example", "+919741234567", "en",
           "Asia/Kolkata", "India", "pro", "whatsapp"),
    Texter("रोहन वर्मा", "rohan.verma@lucknowtea.example", "+918123456789", "hi",
           "Asia/Kolkata", "India", "free", "whatsapp"),
    Texter("Aarav Patel", "aarav@jerseychai.example", "+12015550148", "en",
           "America/New_York", "North America", "starter", "whatsapp"),
    Texter("Michael Chen", "michael@atlantaboba.example", "+14045550111", "en",
           "America/New_York", "North America", "pro", ""),
    Texter("Daniel Wright", "daniel@bostonbrews.example", "+16175550134", "en",
           "America/New_York", "North America", "free", ""),
]  # fmt: skip
STRANGER = "+13125550177"
STRANGER_TEXT = "Hi, do you deliver to Pune? My cousin's tea stall wants to try Chaiwala."


def setup_campaigns(brand: Brand, sms: Campaign, now: datetime) -> Campaign:
    """Turn the SMS campaign to reply mode with DLT templates for India; create the WhatsApp campaign."""
    brand.dlt_entity_id = "1201160000000000042"
    brand.dlt_sender_header = "CHAIWL"
    brand.save(update_fields=["dlt_entity_id", "dlt_sender_header"])
    # Texts keep to quiet hours (08:00-21:00 local); the campaigns add no narrower window of their own.
    sms.text_mode = TextMode.REPLY
    sms.window_start, sms.window_end, sms.weekdays_only = time(8), time(21), False
    sms.dlt_templates = {
        language: {"id": template_id, "text": compose.dlt_template_text(sms, language)}
        for language, template_id in DLT_TEMPLATE_IDS.items()
    }
    sms.save()
    return Campaign.objects.create(
        name=WHATSAPP_CAMPAIGN,
        brand=brand,
        channels=[Channel.WHATSAPP],
        status=Campaign.Status.RUNNING,
        schedule=Campaign.Schedule.NOW,
        text_mode=TextMode.LINK,
        whatsapp_templates=WHATSAPP_TEMPLATES,
        window_start=time(8),
        window_end=time(21),
        weekdays_only=False,
        followup_promoter="Thank you! What did you like most about your order?",
        created_at=now - timedelta(days=2),
    )


def create_texters(campaigns: dict[str, Campaign], now: datetime) -> list[Contact]:
    """The texting customers, each in the audience of their campaign (not due yet: sent by send_now)."""
    contacts = Contact.objects.bulk_create(
        Contact(
            name=t.name,
            email=t.email,
            phone=t.phone,
            language=t.language,
            time_zone=t.time_zone,
            properties={"plan": t.plan, "region": t.region, "signup_date": (now - timedelta(days=40)).date()
                        .isoformat()},
            created_at=now - timedelta(days=40),
        )
        for t in TEXTERS
    )  # fmt: skip
    Audience.objects.bulk_create(
        Audience(campaign=campaigns[t.campaign or "sms"], contact=contact, added_at=now - timedelta(days=1))
        for t, contact in zip(TEXTERS, contacts, strict=True)
    )
    return contacts


def _sid(rng: random.Random) -> str:
    return "SM" + "".join(rng.choice("0123456789abcdef") for _ in range(32))


def _token(rng: random.Random) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return "".join(rng.choice(alphabet) for _ in range(12))


def local_time(contact: Contact, now: datetime, *, days_ago: int, at: time) -> datetime:
    """`days_ago` days before `now` at the contact's local time `at`: history inside quiet hours."""
    zone = ZoneInfo(contact.time_zone)
    day = now.astimezone(zone).date() - timedelta(days=days_ago)
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def create_history(rng: random.Random, sms: Campaign, contacts: list[Contact], now: datetime) -> None:
    """Yesterday's finished conversation, last week's STOP, and a text from a number nobody knows."""
    by_name = {contact.name: contact for contact in contacts}
    sender = settings.TWILIO_FROM_NUMBER or "+15005550006"

    def texted(contact: Contact, sent_at: datetime) -> Invitation:
        texts = {field: sms.text(field, contact.language) for field in SNAPSHOT_FIELDS}
        invitation = Invitation.objects.create(
            campaign=sms,
            contact=contact,
            channel=Channel.SMS,
            state=Invitation.State.SENT,
            language=contact.language,
            texts=texts,
            short_token=_token(rng),
            scheduled_for=sent_at,
            state_changed_at=sent_at,
            sent_at=sent_at,
            attempts=1,
            provider_message_id=_sid(rng),
            created_at=sent_at - timedelta(minutes=5),
        )
        Contact.objects.filter(pk=contact.pk).update(last_surveyed_at=sent_at)
        Audience.objects.filter(campaign=sms, contact=contact).update(
            next_due_at=sent_at + timedelta(days=sms.recur_days or 120)
        )
        return invitation

    def log(invitation, direction, kind, body, at, *, key=None, sid=None, outcome="") -> TextMessage:
        outbound = direction == TextMessage.Direction.OUT
        number = str(invitation.contact.phone)
        return TextMessage.objects.create(
            direction=direction,
            channel=Channel.SMS,
            kind=kind,
            contact=invitation.contact,
            invitation=invitation,
            key=key,
            from_number=sender if outbound else number,
            to_number=number if outbound else sender,
            body=body,
            provider_sid=sid or _sid(rng),
            status=TextMessage.Status.DELIVERED if outbound else TextMessage.Status.RECEIVED,
            outcome=outcome,
            created_at=at,
            status_changed_at=at + timedelta(seconds=4) if outbound else at,
        )

    out, into = TextMessage.Direction.OUT, TextMessage.Direction.IN
    kind = TextMessage.Kind

    # Michael answered by text yesterday: 10, then a comment, then the thank-you.
    sent = local_time(by_name["Michael Chen"], now, days_ago=1, at=time(11, 14))
    michael = texted(by_name["Michael Chen"], sent)
    conversation = Conversation.objects.create(
        invitation=michael,
        contact=michael.contact,
        channel=Channel.SMS,
        number=str(michael.contact.phone),
        state=Conversation.State.DONE,
        opened_at=sent,
        expires_at=sent + timedelta(hours=settings.TEXT_CONVERSATION_HOURS),
        updated_at=sent + timedelta(minutes=9),
    )
    body = compose.invitation_body(michael)
    log(
        michael,
        out,
        kind.INVITATION,
        body,
        sent,
        key=f"inv:{michael.pk}:invitation",
        sid=michael.provider_message_id,
    )
    log(michael, into, kind.REPLY, "10", sent + timedelta(minutes=6), outcome="Score 10 recorded")
    followup = michael.text("followup_promoter")
    log(
        michael,
        out,
        kind.FOLLOWUP,
        followup,
        sent + timedelta(minutes=6, seconds=2),
        key=f"conv:{conversation.pk}:followup",
    )
    comment = "The POS sync just works, and setup took five minutes."
    log(michael, into, kind.REPLY, comment, sent + timedelta(minutes=9), outcome="Comment saved")
    thanks = "Thank you! Your answer helps Chaiwala Cloud get better."
    log(
        michael,
        out,
        kind.THANKS,
        thanks,
        sent + timedelta(minutes=9, seconds=2),
        key=f"conv:{conversation.pk}:thanks",
    )
    Answer.objects.create(
        invitation=michael,
        campaign=sms,
        contact=michael.contact,
        channel=Channel.SMS,
        score=10,
        comment=comment,
        language=michael.language,
        answered_at=sent + timedelta(minutes=6),
        updated_at=sent + timedelta(minutes=9),
    )

    # Daniel replied STOP last week: the number is suppressed for SMS and WhatsApp alike.
    sent = local_time(by_name["Daniel Wright"], now, days_ago=6, at=time(10, 21))
    daniel = texted(by_name["Daniel Wright"], sent)
    Conversation.objects.create(
        invitation=daniel,
        contact=daniel.contact,
        channel=Channel.SMS,
        number=str(daniel.contact.phone),
        state=Conversation.State.CLOSED,
        opened_at=sent,
        expires_at=sent + timedelta(hours=settings.TEXT_CONVERSATION_HOURS),
        updated_at=sent + timedelta(minutes=2),
    )
    log(
        daniel,
        out,
        kind.INVITATION,
        compose.invitation_body(daniel),
        sent,
        key=f"inv:{daniel.pk}:invitation",
        sid=daniel.provider_message_id,
    )
    log(daniel, into, kind.REPLY, "STOP", sent + timedelta(minutes=2), outcome="Opted out of texts (STOP)")
    Suppression.objects.create(
        address=str(daniel.contact.phone),
        reason=Suppression.Reason.UNSUBSCRIBED,
        channel=Channel.SMS,
        detail="Replied STOP",
        created_at=sent + timedelta(minutes=2),
    )

    # Someone nobody knows wrote in this morning: kept for an admin to read.
    TextMessage.objects.create(
        direction=into,
        channel=Channel.SMS,
        kind=kind.REPLY,
        from_number=STRANGER,
        to_number=sender,
        body=STRANGER_TEXT,
        provider_sid=_sid(rng),
        status=TextMessage.Status.RECEIVED,
        outcome="No open survey for this number",
        needs_attention=True,
        created_at=now - timedelta(hours=2),
        status_changed_at=now - timedelta(hours=2),
    )  # fmt: skip


def send_now(campaigns: list[Campaign], now: datetime) -> tuple[int, int]:
    """Queue the campaigns' texts and send those that may go now; returns (sent, waiting for quiet hours).

    What a launch and the dispatcher do, in process: the demo runs no worker, so this is the one moment
    they are sent (the phone simulator's "Send what is due" button sends the waiting ones later).
    """
    for campaign in campaigns:
        delivery.queue_campaign(campaign, now=now)
    invitations = Invitation.objects.filter(campaign__in=campaigns, state=Invitation.State.QUEUED)
    due = list(invitations.filter(scheduled_for__lte=now).order_by("pk").values_list("pk", flat=True))
    delivery.send_invitations(due)
    sent = Invitation.objects.filter(pk__in=due, state=Invitation.State.SENT).count()
    return sent, invitations.filter(state=Invitation.State.QUEUED).count()


def seed(brand: Brand, campaigns: dict[str, Campaign], now: datetime) -> dict[str, Campaign]:
    """The texting part of the demo, in the seed's transaction; texts are sent after it (send_now)."""
    rng = random.Random(2612)
    whatsapp = setup_campaigns(brand, campaigns["sms"], now)
    campaigns = {**campaigns, "whatsapp": whatsapp}
    contacts = create_texters(campaigns, now)
    create_history(rng, campaigns["sms"], contacts, now)
    return campaigns
