"""Texts through Twilio's Messages API with the official client: the only module that imports twilio.

SMS go from the brand's (else the workspace's) Messaging Service or sender number. WhatsApp goes as
"whatsapp:+…" addresses, and a survey is an approved template (ContentSid + ContentVariables) sent through
a Messaging Service. Every text asks for status callbacks at /webhooks/twilio/status/.

TWILIO_API_BASE_URL moves the client off https://api.twilio.com (tests use a local stub) the way
Twilio documents for this: a custom HTTP client ("Custom HTTP clients for the Twilio Python helper
library"), which rewrites the host of each request the client builds, including the paging links.
"""

import json
from datetime import datetime, timedelta
from functools import lru_cache

import requests
from django.conf import settings
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from .errors import TextSendError

TWILIO_API = "https://api.twilio.com"
# Recovery looks at this many of the number's latest messages (a number gets few texts from us).
RECENT_MESSAGES = 100


class BaseUrlHttpClient(TwilioHttpClient):
    """Twilio's own HTTP client, sending what it builds for api.twilio.com to `base_url` instead."""

    def __init__(self, base_url: str, *, timeout: float):
        # No automatic retries: a send retried under the client would be a second text.
        super().__init__(timeout=timeout, max_retries=0)
        self.base_url = base_url.rstrip("/")

    def request(self, method, url, *args, **kwargs):
        if url.startswith(TWILIO_API) and self.base_url != TWILIO_API:
            url = self.base_url + url[len(TWILIO_API) :]
        return super().request(method, url, *args, **kwargs)


@lru_cache(maxsize=4)
def _client(account_sid: str, auth_token: str, base_url: str, timeout: int) -> Client:
    """One client (and its connection pool) per process and configuration."""
    return Client(account_sid, auth_token, http_client=BaseUrlHttpClient(base_url, timeout=timeout))


def client() -> Client:
    return _client(
        settings.TWILIO_ACCOUNT_SID,
        settings.TWILIO_AUTH_TOKEN,
        settings.TWILIO_API_BASE_URL,
        settings.TWILIO_TIMEOUT,
    )


def address(channel: str, number: str) -> str:
    """Twilio's address of a number on a channel: "+1…" for SMS, "whatsapp:+1…" for WhatsApp."""
    if channel == "whatsapp" and number and not number.startswith(("whatsapp:", "MG")):
        return f"whatsapp:{number}"
    return number


class TwilioProvider:
    def send(self, text) -> str:
        """Send a providers.OutgoingText (not imported: providers.get_provider imports this module)."""
        params = {"to": address(text.channel, text.to)}
        if text.messaging_service_sid:
            params["messaging_service_sid"] = text.messaging_service_sid
        if text.sender:  # with a Messaging Service too: the sender of the service to use
            params["from_"] = address(text.channel, text.sender)
        if text.content_sid:
            params["content_sid"] = text.content_sid
            params["content_variables"] = json.dumps(text.content_variables, ensure_ascii=False)
        else:
            params["body"] = text.body
        if text.status_callback:
            params["status_callback"] = text.status_callback
        try:
            message = client().messages.create(**params)
        except TwilioRestException as error:
            # A 4xx is Twilio's answer about this text; a 5xx may or may not have taken it.
            raise TextSendError(error.code, error.msg, answered=error.status < 500) from error
        except (TwilioException, requests.RequestException) as error:
            raise TextSendError(None, f"{type(error).__name__}: {error}", answered=False) from error
        return message.sid

    def find_sent(
        self, to: str, channel: str, body: str, since: datetime, *, known: frozenset = frozenset()
    ) -> str | None:
        # By number only, then by creation time here: a text still queued at Twilio has no date_sent yet,
        # so Twilio's DateSent filters would hide exactly the texts we are looking for.
        try:
            messages = client().messages.list(to=address(channel, to), limit=RECENT_MESSAGES)
        except (TwilioException, requests.RequestException) as error:
            raise TextSendError(None, f"{type(error).__name__}: {error}", answered=False) from error
        # Twilio's clock and ours differ by a little; a created time is whole seconds.
        earliest = since - timedelta(seconds=5)
        for message in messages:
            if (
                message.direction != "inbound"
                and message.sid not in known
                and message.date_created is not None
                and message.date_created >= earliest
                and body in (message.body or "")
            ):
                return message.sid
        return None
