"""Opening an invitation: the one way a survey of a contact on a campaign and channel begins.

Every path that surveys someone opens its Invitation here: campaign queueing and recurring rounds
(delivery.queue_campaign, in bulk), the APIs' survey requests (services.request_survey), phone interviews
and answers recorded through the APIs (responses.services.create_response); next SMS, the on-site widget
and the public link. So three things are decided in one place:

- the round: the contact's last round on this campaign and channel + 1 (the unique key
  (campaign, contact, channel, round) makes a second opening of the same round fail, or a no-op in bulk);
- the language: the contact's, as one of ours (language_of), unless the caller knows better;
- the texts: the campaign's texts in that language, snapshotted into Invitation.texts, so a later edit of
  the campaign never changes what this invitation asked.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation

from .models import TEXT_CHANNELS, Campaign, Contact, Invitation, new_short_token

# The campaign texts an invitation keeps as they were when it was opened.
SNAPSHOT_FIELDS = ["question", "followup_promoter", "followup_passive", "followup_detractor", "sms_body"]


def supported_language(code: str) -> str:
    """A language code as one of ours ("pt-BR" → "pt"), else ""."""
    if not code:
        return ""
    try:
        return translation.get_supported_language_variant(code.strip().lower())
    except LookupError:
        return ""


def language_of(contact: Contact) -> str:
    """The contact's language as one of ours, else "" (the answer page then asks the browser)."""
    return supported_language(contact.language)


class CampaignTexts:
    """A campaign's texts to snapshot, computed once per language (bulk queueing reuses one of these)."""

    def __init__(self, campaign: Campaign):
        self.campaign = campaign
        self._by_language: dict[str, dict] = {}

    def __call__(self, language: str) -> dict:
        if language not in self._by_language:
            self._by_language[language] = {
                field: self.campaign.text(field, language) for field in SNAPSHOT_FIELDS
            }
        return self._by_language[language]


def last_rounds(campaign: Campaign, contact_ids) -> dict[tuple[int, str], int]:
    """The last round of each (contact id, channel) of these contacts on the campaign, in one query."""
    rows = (
        Invitation.objects.filter(campaign=campaign, contact_id__in=contact_ids)
        .values("contact_id", "channel")
        .annotate(last=Max("round"))
    )
    return {(row["contact_id"], row["channel"]): row["last"] for row in rows}


def new_invitation(
    campaign: Campaign,
    contact: Contact,
    channel: str,
    *,
    last_round: int,
    texts: CampaignTexts,
    language: str | None = None,
    extra_texts: dict | None = None,
    **fields,
) -> Invitation:
    """The next round's Invitation, not saved (bulk queueing saves many at once; see open_invitation).

    `language` defaults to the contact's; `extra_texts` adds to (or replaces in) the snapshot; `fields`
    are Invitation fields (state, scheduled_for, sent_at, state_changed_at, enqueued_at, …).
    """
    if language is None:
        language = language_of(contact)
    snapshot = texts(language)
    if channel in TEXT_CHANNELS:  # texts carry a short link: /s?<short_token>
        fields.setdefault("short_token", new_short_token())
    return Invitation(
        campaign=campaign,
        contact=contact,
        channel=channel,
        round=last_round + 1,
        language=language,
        texts={**snapshot, **extra_texts} if extra_texts else snapshot,
        **fields,
    )


def open_invitation(
    campaign: Campaign,
    contact: Contact,
    channel: str,
    *,
    language: str | None = None,
    extra_texts: dict | None = None,
    state: str = Invitation.State.QUEUED,
    scheduled_for: datetime | None = None,
    sent_at: datetime | None = None,
    enqueued_at: datetime | None = None,
    now: datetime | None = None,
) -> Invitation:
    """Create the next round's invitation of this contact on this campaign and channel; returns it.

    Locks the contact's row for the rest of the caller's transaction, so two openings for one contact
    never pick the same round (a caller that checks something first, e.g. for a pending survey, takes
    the same lock with lock_contact() before checking). By default the invitation is queued for now;
    an answer recorded outside our pages opens it already sent (state=SENT, sent_at=…).
    """
    now = now or timezone.now()
    with transaction.atomic(savepoint=False):  # the caller's transaction, if any: no savepoint needed
        lock_contact(contact)
        last_round = (
            Invitation.objects.filter(campaign=campaign, contact=contact, channel=channel).aggregate(
                last=Max("round")
            )["last"]
            or 0
        )
        invitation = new_invitation(
            campaign,
            contact,
            channel,
            last_round=last_round,
            texts=CampaignTexts(campaign),
            language=language,
            extra_texts=extra_texts,
            state=state,
            scheduled_for=scheduled_for or now,
            state_changed_at=now,
            sent_at=sent_at,
            enqueued_at=enqueued_at,
        )
        invitation.save(force_insert=True)
    return invitation


def lock_contact(contact: Contact) -> None:
    """Serialise the invitations of one contact until the transaction ends (SELECT … FOR UPDATE)."""
    Contact.objects.select_for_update().filter(pk=contact.pk).first()


def sample_invitation(campaign: Campaign, language: str) -> Invitation:
    """An unsaved invitation of a sample contact, for previews: it sends, records and links nothing."""
    contact = Contact(name="Asha Rao", email="asha.rao@example.com", phone="+919876543210", language=language)
    return Invitation(
        campaign=campaign,
        contact=contact,
        token="preview",  # noqa: S106
        short_token="preview",  # noqa: S106
        language=language,
    )
