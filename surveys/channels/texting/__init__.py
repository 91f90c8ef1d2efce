"""Texts: the SMS and WhatsApp channels, through Twilio (docs/sms-and-whatsapp.md).

Both channels are one `TextChannel` (channel.py) with a different Channel value; everything they share
lives in this package, and only `twilio_provider.py` imports twilio:

| module | what |
|---|---|
| `channel.py` | `TextChannel`: the `SurveyChannel` interface for SMS and WhatsApp |
| `providers.py` | the provider seam (`OutgoingText`, `get_provider()`), the demo's JSON-file provider |
| `twilio_provider.py` | Twilio's Messages API through the official client |
| `errors.py` | what the provider's error codes mean (permanent, temporary, opted out, blocked) |
| `compose.py` | the text of an invitation (link or reply mode, per language), DLT and WhatsApp template texts |
| `segments.py` | GSM-7 / UCS-2 encoding and segment counts |
| `quiet_hours.py` | the hours a text may reach a number, per region and time zone |
| `outbox.py` | texts that are not invitations (follow-ups, thank-yous, HELP): queued once, sent once |
| `conversations.py` | reply-mode conversations: opened when a survey is texted, found by number, expired |
| `inbound.py` | incoming texts: STOP / START / HELP, the reply handler registry, unmatched texts |
| `status.py` | status callbacks: the text's and the invitation's state |
| `webhooks.py` | `/webhooks/twilio/inbound/` and `/webhooks/twilio/status/`, signed with X-Twilio-Signature |
| `preview.py` | the campaign preview's phone, per language |
| `views.py` | the staff pages: texting settings, quiet hours, received texts |
| `privacy.py` | a contact's texts and conversations: erased with them, part of their data export |
| `simulator.py` | the demo's phone simulator: Twilio's inbound parameters, signed (it imports twilio too) |
"""

from ...models import Channel
from . import webhooks  # noqa: F401  registers its system check (the webhooks need TWILIO_AUTH_TOKEN)
from .channel import TextChannel

sms = TextChannel(Channel.SMS, address_name="a mobile number")
whatsapp = TextChannel(Channel.WHATSAPP, address_name="a WhatsApp number")
