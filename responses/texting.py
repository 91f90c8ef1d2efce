"""Answering a survey by text (reply mode): reading a reply and moving its conversation on.

A reply-mode invitation asks "Reply with a number from 0 to 10"; surveys.channels.texting.inbound hands
every text from a number with an open Conversation to `handle_reply`:

    AWAITING_SCORE ──score──▶ AWAITING_COMMENT ──any text──▶ DONE (thanked)
          │ nonsense: asked again once; nonsense again: GAVE_UP (the text is kept, no more texts)

A reply counts as a score when it *starts* with a number from 0 to 10, written in any one decimal digit
script ("9", " 10!", "9/10", "9 out of 10", "9 - great service", "९", "٩", "１０") or as a keycap emoji
("9️⃣", "🔟"). Only digits count: number words ("nine", "नौ") are left to the re-ask, since a word list in
ten languages would misread as much as it reads. Text after the score is kept as the comment. Once the
score is in, every reply is the comment (added to what is there): "actually 7" is a comment, not a new
score, so a customer's words are never taken for a number by accident.
"""

import re
import unicodedata

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from dashboards.metrics import group_of
from surveys.channels.texting import compose
from surveys.channels.texting.outbox import queue_text
from surveys.models import Conversation, TextMessage

from .models import Answer
from .services import answerable, record_score, save_comment

# What may separate a score from the comment after it: "9 - great", "9: great", "10! great", "９、とても",
# "٩، ممتاز", "९। अच्छा".
_SEPARATORS = re.compile(
    r"[\s\-\u2010-\u2015,;:.!?/|()*\u060c\u061b\u061f\u0964\u3001\u3002\uff01\uff0c\uff0f\uff1a\uff1b\uff1f]*"
)
# "9/10", "9 / 10", "9 out of 10", "9 of 10", "９／１０": the scale after a score, in any digit script.
_SCALE = re.compile(r"\s*(?:[/\uff0f]|out\s+of\b|of\b)\s*(?=\d)", re.IGNORECASE)
# "9.5", "9,5" (a decimal comma), "٩٫٥": not a score on a 0–10 scale of whole numbers.
_DECIMAL_POINTS = ".,\u066b"  # U+066B ARABIC DECIMAL SEPARATOR
_TOO_BIG = 11
# Phones offer scores as emoji too: keycaps "9️⃣" (a digit, U+FE0F, U+20E3), "1️⃣0️⃣", and "🔟" (U+1F51F).
_KEYCAPS = re.compile(r"(?:[0-9]\ufe0f?\u20e3)+|\U0001f51f")


def _leading_number(text: str) -> tuple[int | None, str]:
    """(value, rest) of the decimal digits `text` starts with; (None, text) when it starts with none.

    The digits must be of one script ("1٠" mixes two: None). Unicode keeps every script's digits 0–9 at
    ten consecutive code points, so two digits are of one script exactly when their zeros (code point
    minus value) are the same. Values above 10 come back as 11: a reply of 5,000 digits costs no more
    than "55" (and Python refuses int() of more than 4,300 digits).
    """
    end = 0
    while end < len(text) and text[end].isdecimal():
        end += 1
    if not end:
        return None, text
    value, zeros = 0, set()
    for digit in text[:end]:
        zeros.add(ord(digit) - unicodedata.decimal(digit))
        value = min(value * 10 + unicodedata.decimal(digit), _TOO_BIG)
    return (value if len(zeros) == 1 else None), text[end:]


def split_reply(text: str) -> tuple[int | None, str]:
    """(score, comment) of a reply: the 0–10 score it starts with, and what follows without separators.

    (None, the whole reply stripped) when it does not start with a score: "55", "11", "5a", "-1", "4/5"
    (a score on another scale), "9.5", "1٠" (two digit scripts), "ten".
    """
    stripped = text.strip()
    keycaps = _KEYCAPS.match(stripped)
    readable = _plain_digits(keycaps.group()) + stripped[keycaps.end() :] if keycaps else stripped
    score, rest = _leading_number(readable)
    if score is None or score > 10:
        return None, stripped
    if rest:
        following = rest[0]
        # "5a", "5th", "५ं": the digits are part of a word or a code.
        if unicodedata.category(following)[0] in "LM":
            return None, stripped
        if following in _DECIMAL_POINTS and rest[1:2].isdecimal():
            return None, stripped
    if scale := _SCALE.match(rest):
        out_of, rest = _leading_number(rest[scale.end() :])
        if out_of != 10:  # "4/5" is a score on another scale, not 4 out of 10
            return None, stripped
    return score, rest[_SEPARATORS.match(rest).end() :].strip()


def _plain_digits(keycaps: str) -> str:
    return "10" if keycaps == "\U0001f51f" else keycaps.replace("\ufe0f", "").replace("\u20e3", "")


def parse_score(text: str) -> int | None:
    """The 0–10 score a text reply starts with, in any decimal digit script; None when there is none."""
    return split_reply(text)[0]


def handle_reply(conversation: Conversation, message: TextMessage) -> str:
    """Move a reply-mode conversation on with the customer's text; the outcome in words, for the log.

    Registered with surveys.channels.texting.inbound (responses/apps.py), which finds the open
    conversation of the sender's number and saves the returned outcome (and `needs_attention`, set here
    when the survey closed meanwhile) on `message`.
    """
    with transaction.atomic():
        # Two replies sent in a row arrive as two concurrent webhooks: one moves the conversation at a time.
        conversation = (
            Conversation.objects.select_related("invitation__campaign__brand", "invitation__contact")
            .select_for_update(of=("self",))
            .get(pk=conversation.pk)
        )
        invitation = conversation.invitation
        if not conversation.is_open or not answerable(invitation):
            # Finished meanwhile, or the campaign was archived: a person reads the text instead.
            if conversation.is_open:
                _move(conversation, Conversation.State.CLOSED)
            message.needs_attention = True
            return "Survey closed: reply kept for a person to read"
        with translation.override(invitation.language or settings.LANGUAGE_CODE):
            if conversation.state == Conversation.State.AWAITING_SCORE:
                return _read_score(conversation, message)
            return _read_comment(conversation, message)


def _read_score(conversation: Conversation, message: TextMessage) -> str:
    invitation = conversation.invitation
    score, comment = split_reply(message.body)
    if score is None:
        if conversation.reasked:
            _move(conversation, Conversation.State.GAVE_UP)
            return "No score understood twice: stopped asking"
        _reply(conversation, TextMessage.Kind.REASK, gettext(compose.REASK))
        conversation.reasked = True
        _move(conversation, conversation.state)
        return "Asked again: no score understood"
    record_score(invitation, score=score, source="text")
    if comment:
        save_comment(invitation, comment=comment)
    _reply(conversation, TextMessage.Kind.FOLLOWUP, invitation.text(f"followup_{group_of(score)}"))
    _move(conversation, Conversation.State.AWAITING_COMMENT)
    return f"Score {score} recorded" + (" with a comment" if comment else "")


def _read_comment(conversation: Conversation, message: TextMessage) -> str:
    invitation = conversation.invitation
    comment = message.body.strip()
    if not comment:  # a picture or a sticker alone: nothing to save, the question still stands
        return "Empty reply: still waiting for a comment"
    # Text sent with the score ("9 - great service") stays; the answer to the follow-up joins it.
    earlier = Answer.objects.filter(invitation=invitation).values_list("comment", flat=True).first()
    save_comment(invitation, comment=f"{earlier}\n{comment}" if earlier else comment)
    _reply(conversation, TextMessage.Kind.THANKS, compose.thanks_text(invitation))
    _move(conversation, Conversation.State.DONE)
    return "Comment saved"


def _reply(conversation: Conversation, kind: str, body: str) -> TextMessage:
    """Queue our answer to the customer's text, once per conversation and kind (the outbox's key)."""
    return queue_text(
        channel=conversation.channel,
        to=conversation.number,
        body=body,
        kind=kind,
        key=f"conv:{conversation.pk}:{kind}",
        contact=conversation.contact,
        invitation=conversation.invitation,
    )


def _move(conversation: Conversation, state: str) -> None:
    conversation.state = state
    conversation.updated_at = timezone.now()
    conversation.save(update_fields=["state", "reasked", "updated_at"])
