"""Kiosk answers: a counter tablet's answers, each sent with a key so that a replay is stored once.

The kiosk page (responses/kiosk_views.py, static/js/kiosk.js) queues every answer in the browser with a
random key (a UUID 4) and sends it until the server confirms; a network that drops after the server
stored an answer makes the tablet send it again. The key becomes Answer.external_id "kiosk:<key>" (unique
in the database), so the second send finds the first answer and writes nothing. Each answer gets its own
anonymous contact ("anon:kiosk:<key>"): a kiosk respondent is nobody we know.
"""

import re
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from surveys.invitations import supported_language
from surveys.models import Campaign, Channel, Contact

from . import services
from .models import Answer

# A UUID 4 as crypto.randomUUID() writes it (lower case accepted in any case, stored lower case).
KEY = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
# A tablet that was offline sends answers given up to this long ago with their own time; older ones (or a
# device clock far off) get the time they arrive.
DEVICE_TIME_WINDOW = timedelta(days=7)
# A device clock a little ahead of ours is believed (and its time capped at now).
CLOCK_SKEW = timedelta(minutes=5)
COMMENT_MAX = 5000


class KeyUsedElsewhere(Exception):
    """The key belongs to an answer of another campaign (or to one erased by retention)."""


def is_key(key) -> bool:
    """Whether `key` is a UUID 4 in its usual written form."""
    return isinstance(key, str) and bool(KEY.match(key.lower()))


def answer_time(device_time: datetime | None, *, now: datetime | None = None) -> datetime:
    """The answer's time: the device's when it is within the last 7 days and not in the future (give or
    take 5 minutes of clock skew, capped at now), else now."""
    now = now or timezone.now()
    if device_time is None or timezone.is_naive(device_time):
        return now
    if now - DEVICE_TIME_WINDOW <= device_time <= now + CLOCK_SKEW:
        return min(device_time, now)
    return now


def record_kiosk_answer(
    campaign: Campaign,
    *,
    key: str,
    score: int,
    comment: str = "",
    answered_at: datetime | None = None,
    language: str = "",
) -> tuple[Answer, bool]:
    """Store a kiosk answer once per key: (the answer, True) when stored now, (the earlier one, False)
    for a replay, which writes nothing. KeyUsedElsewhere when the key is another campaign's."""
    if not is_key(key):
        raise ValueError("A kiosk answer's key is a UUID 4.")
    key = key.lower()
    external_id = f"kiosk:{key}"
    existing = _existing(campaign, external_id)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            contact = Contact.objects.create(
                external_id=f"anon:kiosk:{key}",
                anonymous=True,
                language=supported_language(language),
                properties={"source": "kiosk"},
            )
            answer = services.create_response(
                contact=contact,
                campaign=campaign,
                score=score,
                channel=Channel.KIOSK,
                comment=comment,
                answered_at=answer_time(answered_at),
            )
            answer.external_id = external_id
            answer.save(update_fields=["external_id"])
    except IntegrityError:
        # The same key sent twice at once: the other request stored it (its contact or answer came first).
        existing = _existing(campaign, external_id)
        if existing is None:
            raise KeyUsedElsewhere(key) from None
        return existing, False
    return answer, True


def _existing(campaign: Campaign, external_id: str) -> Answer | None:
    answer = Answer.objects.filter(external_id=external_id).first()
    if answer is not None and answer.campaign_id != campaign.pk:
        raise KeyUsedElsewhere(external_id)
    return answer
