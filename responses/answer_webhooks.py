"""Answers as webhook events (survey_response.created and .updated): the answer fan-out's first consumer.

Registered in `responses.apps`; see `responses.fanout` for when it is called.
"""

from nps.webhooks import services as webhooks
from nps.webhooks.models import WebhookEvent

from . import serializers
from .fanout import AnswerEvent, Consumer
from .models import Answer

EVENTS = (WebhookEvent.RESPONSE_CREATED, WebhookEvent.RESPONSE_UPDATED)


def wants() -> bool:
    """Some active endpoint listens to answers: a cache read (usually this process's copy), no query."""
    return webhooks.is_wanted(*EVENTS)


def receive(event: AnswerEvent) -> None:
    """Queue the event for the endpoints that chose it; the payload is built once, only if one did."""

    def build() -> webhooks.Event | None:
        answer = Answer.objects.select_related("contact", "recorded_by").filter(pk=event.answer_id).first()
        if answer is None:
            return None
        # About the answer's contact: erasing them redacts these deliveries (surveys.apps).
        # The comment's themes are assigned now if it was not read yet (the assigner runs every minute).
        payload = serializers.survey_response(answer, assign_themes=True)
        return webhooks.Event(payload, contact_id=answer.contact_id)

    webhooks.emit(WebhookEvent.RESPONSE_CREATED if event.created else WebhookEvent.RESPONSE_UPDATED, build)


consumer = Consumer(name="webhooks", wants=wants, receive=receive)
