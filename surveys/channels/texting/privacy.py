"""A contact's texts in their data export, and out of OpenNPS when they are erased (docs/privacy.md).

Registered from surveys/apps.py with the Eraser and Exporter registries of surveys.contacts and
surveys.privacy, like the other apps' data.
"""

from django.db.models import Q

from ...contacts import Eraser
from ...models import Contact, Conversation, TextMessage
from ...privacy import Exporter


def _number(contact: Contact) -> str:
    return str(contact.phone) if contact.phone else ""


def _unlinked_from_or_to(number: str):
    """Texts linked to no contact whose number is `number` (a reply from a number that was nobody's)."""
    if not number:
        return TextMessage.objects.none()
    return TextMessage.objects.filter(contact=None).filter(Q(from_number=number) | Q(to_number=number))


def texts_of(contact: Contact):
    """Every text sent to or received from the contact: linked to them, or unlinked and with their number."""
    linked = Q(contact=contact)
    number = _number(contact)
    if number:
        linked |= Q(contact=None) & (Q(from_number=number) | Q(to_number=number))
    return TextMessage.objects.filter(linked)


def count_unlinked_texts(contact: Contact) -> int:
    """How many texts erase_texts would keep, emptied: the unlinked ones with the contact's number."""
    return _unlinked_from_or_to(_number(contact)).count()


def erase_texts(contact: Contact) -> int:
    """Delete the contact's texts and conversations; empty the unlinked texts with their number.

    The unlinked rows stay (number, body and outcome removed) because their provider id is what makes a
    replayed webhook change nothing: deleted, Twilio's retry of that text would store it again.
    Returns how many were kept, emptied.
    """
    Conversation.objects.filter(contact=contact).delete()
    TextMessage.objects.filter(contact=contact).delete()
    return _unlinked_from_or_to(_number(contact)).update(
        from_number="", to_number="", body="", outcome="", error=""
    )


def _time(value) -> str | None:
    return value.isoformat() if value else None


def export_texts(contact: Contact) -> list[dict]:
    """The contact's texts, oldest first, for their data export."""
    texts = texts_of(contact).select_related("invitation__campaign").order_by("created_at", "pk")
    return [
        {
            "direction": text.direction,
            "channel": text.channel,
            "kind": text.kind,
            "from": text.from_number,
            "to": text.to_number,
            "body": text.body,
            "campaign": text.invitation.campaign.name if text.invitation else None,
            "status": text.status,
            "error_code": text.error_code,
            "outcome": text.outcome,
            "created_at": _time(text.created_at),
            "status_changed_at": _time(text.status_changed_at),
        }
        for text in texts
    ]


def export_conversations(contact: Contact) -> list[dict]:
    """The contact's reply-mode conversations, oldest first, for their data export."""
    conversations = contact.conversations.select_related("invitation__campaign").order_by("opened_at", "pk")
    return [
        {
            "campaign": conversation.invitation.campaign.name,
            "channel": conversation.channel,
            "number": conversation.number,
            "state": conversation.state,
            "opened_at": _time(conversation.opened_at),
            "expires_at": _time(conversation.expires_at),
            "updated_at": _time(conversation.updated_at),
        }
        for conversation in conversations
    ]


eraser = Eraser(
    noun="text",
    count=count_unlinked_texts,
    erase=erase_texts,
    detail="texts from their number that were linked to no contact lose the number and their content",
    where="among the received texts",
)
exporters = [
    Exporter(key="texts", export=export_texts),
    Exporter(key="text_conversations", export=export_conversations),
]
