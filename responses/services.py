"""Writing answers: every change to an answer goes through these transactional functions."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from surveys.invitations import open_invitation
from surveys.models import Campaign, Channel, Contact, Invitation

from . import fanout, hotpath
from .models import Answer, AnswerRevision
from .themes.display import themes_by_answer

# Link scanners that run JavaScript (sandboxes that "detonate" links) load the page seconds after the
# mail is delivered, or load every score link of one mail in a row. See docs/answer-links.md.
SCANNER_DELIVERY_WINDOW = timedelta(seconds=30)
SCANNER_BURST_WINDOW = timedelta(seconds=60)
# How long an answer link keeps working after the invitation was sent.
LINK_VALID_DAYS = 180


def answerable(invitation: Invitation | None, *, now=None) -> bool:
    """True when this invitation's answer links still work."""
    if invitation is None or invitation.campaign.status == Campaign.Status.ARCHIVED:
        return False
    # "sending": the mail may be in the inbox before the worker marks the row sent.
    if invitation.state not in (Invitation.State.SENDING, Invitation.State.SENT):
        return False
    sent_at = invitation.sent_at or invitation.state_changed_at
    return sent_at >= (now or timezone.now()) - timedelta(days=LINK_VALID_DAYS)


def record_score(
    invitation: Invitation, *, score: int, language: str = "", source: str = "page", automatic: bool = False
) -> Answer:
    """Store or change the score of an invitation; the latest score counts once, earlier ones are history.

    `source` says where the score came from (AnswerRevision.Source). `automatic` marks the page's own request
    right after a score link was opened: the only path a scanner running JavaScript can take, so it is the
    only one that can be flagged as suspect. A changed score keeps the old score and its comment in the
    answer's history and clears the comment, which was written for the old score (the page offers it back).
    """
    if not 0 <= score <= 10:
        raise ValueError(f"An NPS score is 0–10, not {score}.")
    now = timezone.now()
    # Joined in by the answer pages' lookup (no query): _UNKNOWN only for callers that did not load it.
    previous = _cached_answer(invitation)
    suspect = False
    if automatic:
        if previous is _UNKNOWN:
            previous = Answer.objects.filter(invitation=invitation).first()
        just_delivered = invitation.sent_at is not None and now - invitation.sent_at < SCANNER_DELIVERY_WINDOW
        link_burst = (
            previous is not None
            and previous.score != score
            and not previous.comment
            and now - previous.updated_at < SCANNER_BURST_WINDOW
        )
        suspect = just_delivered or link_burst
    if previous is not _UNKNOWN and previous is not None and previous.score != score:
        return _change_score(
            invitation, score=score, language=language, source=source, suspect=suspect, now=now
        )
    existed = None
    # Only when a consumer of answer events listens (no query): is this a new answer or a changed one?
    if fanout.wanted():
        existed = previous is not None if automatic else _has_answer(invitation)
    # One INSERT … ON CONFLICT on the invitation's unique key: a first answer, or the same score again.
    answer = hotpath.upsert_answer(
        Answer(
            invitation=invitation,
            campaign_id=invitation.campaign_id,
            contact_id=invitation.contact_id,
            channel=invitation.channel,
            score=score,
            language=invitation.language or language,
            answered_at=now,
            updated_at=now,
            suspected_scanner=suspect,
        )
    )
    if answer is None:  # another score was stored meanwhile (another tab, another link): a change after all
        return _change_score(
            invitation, score=score, language=language, source=source, suspect=suspect, now=now
        )
    if existed is not None:
        fanout.answer_saved(answer.pk, created=not existed)
    return answer


_UNKNOWN = object()


def _cached_answer(invitation: Invitation):
    """The invitation's answer as loaded with it (None: it has none), or _UNKNOWN when it was not loaded."""
    related = Invitation.answer.related
    if not related.is_cached(invitation):
        return _UNKNOWN
    return related.get_cached_value(invitation)


def _has_answer(invitation: Invitation) -> bool:
    return Answer.objects.filter(invitation=invitation).exists()


def _change_score(
    invitation: Invitation, *, score: int, language: str, source: str, suspect: bool, now
) -> Answer:
    """The answer exists with another score: keep the old score and its comment in the history, then change."""
    with transaction.atomic():
        answer = Answer.objects.select_for_update().filter(invitation=invitation).first()
        if answer is None:  # the answer loaded with the invitation is gone (a rolled-back transaction)
            Invitation.answer.related.set_cached_value(invitation, None)
            return record_score(invitation, score=score, language=language, source=source)
        if answer.score != score:
            AnswerRevision.objects.create(
                answer=answer,
                score=answer.score,
                comment=answer.comment,
                new_score=score,
                source=source,
                changed_at=now,
            )
            answer.score, answer.comment = score, ""
        answer.updated_at, answer.suspected_scanner = now, suspect
        answer.save(update_fields=["score", "comment", "updated_at", "suspected_scanner"])
        fanout.answer_saved(answer.pk, created=False)
    Answer.invitation.field.set_cached_value(answer, invitation)
    Invitation.answer.related.set_cached_value(invitation, answer)
    return answer


def comment_to_revise(answer: Answer | None) -> AnswerRevision | None:
    """After a change of score the answer has no comment: the last one the customer wrote, with the score it
    was written for, for the page to offer back ("You wrote this with a 9"). None when there is nothing to offer."""
    if answer is None or answer.comment:
        return None
    return answer.revisions.exclude(comment="").order_by("-changed_at", "-pk").first()


def save_comment(invitation: Invitation, *, comment: str) -> Answer:
    """Attach the customer's comment to the invitation's answer (which must have a score)."""
    with transaction.atomic():
        answer = Answer.objects.select_for_update().get(invitation=invitation)
        answer.comment = comment.strip()
        answer.updated_at = timezone.now()
        answer.save(update_fields=["comment", "updated_at"])
        fanout.answer_saved(answer.pk, created=False)
    return answer


def submit_answer(
    invitation: Invitation, *, score: int, comment: str, language: str = "", source: str = "page"
) -> Answer:
    """The customer pressed Send: their score and comment, both or neither."""
    with transaction.atomic():
        record_score(invitation, score=score, language=language, source=source)
        return save_comment(invitation, comment=comment)


def record_phone_answer(
    *, contact: Contact, campaign: Campaign, score: int, comment: str = "", notes: str = "", by
) -> Answer:
    """A lead records an interview: a sent phone invitation (so response rates stay true) and its answer."""
    return create_response(
        contact=contact,
        campaign=campaign,
        score=score,
        channel=Channel.PHONE,
        comment=comment,
        notes=notes,
        by=by,
    )


def create_response(
    *,
    contact: Contact,
    campaign: Campaign,
    score: int,
    channel: str = Channel.PHONE,
    comment: str = "",
    notes: str = "",
    answered_at=None,
    by=None,
) -> Answer:
    """An answer given outside our own pages (a phone call, the API): a sent invitation and its answer."""
    if not 0 <= score <= 10:
        raise ValueError(f"An NPS score is 0–10, not {score}.")
    now = timezone.now()
    answered_at = answered_at or now
    with transaction.atomic():
        # The invitation carries the contact's language as given, like the answer (rollups pair the two).
        invitation = open_invitation(
            campaign,
            contact,
            channel,
            language=contact.language,
            state=Invitation.State.SENT,
            scheduled_for=answered_at,
            sent_at=answered_at,
            now=now,
        )
        answer = Answer.objects.create(
            invitation=invitation,
            campaign=campaign,
            contact=contact,
            channel=channel,
            score=score,
            comment=comment.strip(),
            notes=notes.strip(),
            language=contact.language,
            answered_at=answered_at,
            updated_at=now,
            recorded_by=by,
        )
        fanout.answer_saved(answer.pk, created=True)
    return answer


def update_response(
    answer: Answer,
    *,
    score: int | None = None,
    comment: str | None = None,
    notes: str | None = None,
    source: str = "api",
) -> Answer:
    """Change an answer's score, comment or notes; fields left None are kept (a changed score is kept in the
    answer's history with the comment of the time; the comment stays unless a new one is given)."""
    if score is not None and not 0 <= score <= 10:
        raise ValueError(f"An NPS score is 0–10, not {score}.")
    with transaction.atomic():
        answer = Answer.objects.select_for_update().get(pk=answer.pk)
        if score is not None and score != answer.score:
            AnswerRevision.objects.create(
                answer=answer, score=answer.score, comment=answer.comment, new_score=score, source=source
            )
        if score is not None:
            answer.score = score
        if comment is not None:
            answer.comment = comment.strip()
        if notes is not None:
            answer.notes = notes.strip()
        answer.updated_at = timezone.now()
        answer.save(update_fields=["score", "comment", "notes", "updated_at"])
        fanout.answer_saved(answer.pk, created=False)
    return answer


# Erasing a contact (surveys.contacts.erase_contact): their answers stay in the figures, anonymised.


def _answers_of(contact: Contact):
    return Answer.objects.filter(Q(contact=contact) | Q(invitation__contact=contact))


def count_answers_of(contact: Contact) -> int:
    """How many answers erasing this contact keeps, anonymised."""
    return _answers_of(contact).count()


def anonymise_answers_of(contact: Contact) -> int:
    """Unlink a contact's answers from them and from their invitations (which carry the address and the
    answer link), and drop the interviewer's notes; score, comment, campaign, channel and date stay."""
    return _answers_of(contact).update(contact=None, invitation=None, notes="", updated_at=timezone.now())


def export_answers_of(contact: Contact) -> list[dict]:
    """A contact's answers for their data export (surveys.privacy): score, comment, notes, tags, the
    comment's themes, dates."""
    answers = list(
        _answers_of(contact).select_related("campaign").prefetch_related("tags").order_by("answered_at", "pk")
    )
    themes = themes_by_answer([answer.pk for answer in answers])
    return [
        {
            "id": answer.pk,
            "campaign_id": answer.campaign_id,
            "campaign": answer.campaign.name,
            "invitation_id": answer.invitation_id,
            "channel": answer.channel,
            "score": answer.score,
            "comment": answer.comment,
            "notes": answer.notes,
            "tags": sorted((tag.name for tag in answer.tags.all()), key=str.casefold),
            "themes": [theme.name for theme in themes.get(answer.pk, ())],
            "language": answer.language,
            "answered_at": answer.answered_at.isoformat(),
            "updated_at": answer.updated_at.isoformat(),
        }
        for answer in answers
    ]


def expire_answers(before, *, delete: bool) -> int:
    """Retention: answers given before `before` are deleted, or anonymised as an erasure does (unlinked
    from the person and their invitation, notes removed; score, comment, campaign, channel and date stay).
    Returns how many answers changed; running it twice changes nothing more."""
    old = Answer.objects.filter(answered_at__lt=before)
    if delete:
        _, by_model = old.delete()
        return by_model.get(Answer._meta.label, 0)
    linked = old.filter(Q(contact__isnull=False) | Q(invitation__isnull=False) | ~Q(notes=""))
    return linked.update(contact=None, invitation=None, notes="", updated_at=timezone.now())


def delete_answers_of(contact: Contact) -> int:
    """Retention with RETENTION_CONTACT_ACTION=delete: the answers of a contact about to be erased go too."""
    _, by_model = _answers_of(contact).delete()
    return by_model.get(Answer._meta.label, 0)
