"""Requests as Twilio makes them: form-encoded POSTs signed with RequestValidator and the test auth token."""

import uuid
from urllib.parse import urlencode

from django.conf import settings
from twilio.request_validator import RequestValidator

INBOUND = "/webhooks/twilio/inbound/"
STATUS = "/webhooks/twilio/status/"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
FORM = "application/x-www-form-urlencoded"


def new_sid(prefix="SM") -> str:
    return prefix + uuid.uuid4().hex


def sign(path: str, params: dict, *, token: str | None = None, query: str = "") -> str:
    url = settings.PUBLIC_BASE_URL + path + (f"?{query}" if query else "")
    return RequestValidator(token or settings.TWILIO_AUTH_TOKEN).compute_signature(url, params)


def post_signed(client, path: str, params: dict, *, token: str | None = None, signature=None, **extra):
    """POST `params` as Twilio does, signed over the public URL (or with the `signature` given)."""
    signature = sign(path, params, token=token) if signature is None else signature
    headers = {"HTTP_X_TWILIO_SIGNATURE": signature} if signature else {}
    return client.post(path, urlencode(params), content_type=FORM, **headers, **extra)


def inbound_params(body: str, *, from_="+14155550100", to="+15005550006", sid=None, **more) -> dict:
    """An incoming text's parameters (Twilio's inbound webhook); WhatsApp: from_="whatsapp:+…"."""
    whatsapp = from_.startswith("whatsapp:")
    params = {
        "AccountSid": settings.TWILIO_ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "Body": body,
        "From": from_,
        "To": f"whatsapp:{to}" if whatsapp else to,
        "MessageSid": sid or new_sid(),
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
    }
    return {**params, **more}


def status_params(sid: str, status: str, *, to="+14155550100", error_code="", channel="sms") -> dict:
    """A status callback's parameters."""
    prefix = "whatsapp:" if channel == "whatsapp" else ""
    params = {
        "AccountSid": settings.TWILIO_ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "From": prefix + "+15005550006",
        "To": prefix + to,
        "MessageSid": sid,
        "SmsSid": sid,
        "MessageStatus": status,
        "SmsStatus": status,
    }
    if error_code:
        params["ErrorCode"] = error_code
    return params
