"""The demo's phone simulator: the texts the file backend sent, shown as a phone shows them, and replies
typed as the customer, through the same signed webhook Twilio calls (docs/sms-and-whatsapp.md).

Mounted by nps/urls.py only while SMS_BACKEND is "file", and 404 whenever it is not: with Twilio, texts
go to real phones and the replies come from Twilio itself.
"""

import io
import re
from functools import wraps
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.handlers.wsgi import WSGIRequest
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, resolve, reverse
from django.views.decorators.http import require_GET, require_POST

from nps import clientip
from nps.accounts.roles import role_required
from surveys import delivery
from surveys.channels.texting import simulator
from surveys.models import Channel, Contact

E164 = re.compile(r"\+[1-9][0-9]{6,14}")
CHANNELS = {Channel.SMS.value: "SMS", Channel.WHATSAPP.value: "WhatsApp"}
# One tap for what a newcomer wants to try: a score in Devanagari, a score with a comment, the keywords.
QUICK_REPLIES = ["९", "9 - great chai, fast delivery", "STOP", "START", "HELP"]


def simulator_view(view):
    """Admins only, and only while texts go to files: 404 with a real provider."""
    guarded = role_required("admin")(view)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if settings.SMS_BACKEND != "file":
            raise Http404("The phone simulator exists only with SMS_BACKEND=file.")
        return guarded(request, *args, **kwargs)

    wrapped.required_role = guarded.required_role
    return wrapped


def _checked(channel: str, number: str) -> tuple[str, str]:
    if channel not in CHANNELS or not E164.fullmatch(number):
        raise Http404("No such phone.")
    return channel, number


class ReplyForm(forms.Form):
    body = forms.CharField(label="Message", max_length=1600, strip=False, required=False)
    quick = forms.ChoiceField(choices=[(reply, reply) for reply in QUICK_REPLIES], required=False)

    def clean(self):
        data = super().clean()
        text = data.get("quick") or data.get("body") or ""
        if not text.strip() and not self.errors:
            raise forms.ValidationError("Type a reply first.")
        data["text"] = text
        return data


@require_GET
@simulator_view
def phone_list(request):
    """The numbers that received texts (or wrote in), and the survey texts waiting for quiet hours."""
    return render(
        request,
        "demo/phone_list.html",
        {
            "threads": simulator.threads(),
            "waiting": simulator.waiting(),
            "outbox": settings.SMS_OUTBOX_DIR,
        },
    )


@require_GET
@simulator_view
def phone_conversation(request, channel, number):
    channel, number = _checked(channel, number)
    return _conversation(request, channel, number, ReplyForm())


def _conversation(request, channel, number, form, *, status=200):
    contact = Contact.objects.filter(phone=number).first()
    return render(
        request,
        "demo/phone_conversation.html",
        {
            "channel": channel,
            "channel_name": CHANNELS[channel],
            "number": number,
            "contact": contact,
            "time_zone": (contact and contact.time_zone) or settings.TIME_ZONE,
            "texts": [(text, simulator.parts(text.body)) for text in simulator.messages(number, channel)],
            "waiting": simulator.waiting().filter(contact__phone=number, channel=channel),
            "form": form,
            "quick_replies": QUICK_REPLIES,
        },
        status=status,
    )


@require_POST
@simulator_view
def phone_reply(request, channel, number):
    """The customer's reply: Twilio's parameters, signed with the demo's auth token, to the inbound webhook."""
    channel, number = _checked(channel, number)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _conversation(request, channel, number, form, status=400)
    params = simulator.inbound_params(number=number, channel=channel, body=form.cleaned_data["text"])
    response = post_inbound(request, params, simulator.sign_inbound(params))
    if response.status_code != 200:
        messages.error(
            request,
            f"The inbound webhook answered {response.status_code}: {response.content.decode(errors='replace')}",
        )
    return redirect("demo:phone_conversation", channel=channel, number=number)


def post_inbound(request, params: dict, signature: str):
    """POST `params` to the inbound webhook's view as Twilio would, in process (the demo's server may be
    single-threaded, and PUBLIC_BASE_URL need not be reachable from itself)."""
    url = reverse("twilio_inbound")
    body = urlencode(params).encode()
    inbound = WSGIRequest(
        {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": url,
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": request.META.get("SERVER_NAME", "127.0.0.1"),
            "SERVER_PORT": request.META.get("SERVER_PORT", "80"),
            "HTTP_USER_AGENT": "TwilioProxy/1.1 (OpenNPS phone simulator)",
            "HTTP_X_TWILIO_SIGNATURE": signature,
            "CONTENT_TYPE": "application/x-www-form-urlencoded; charset=utf-8",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": request.scheme,
        }
    )
    # Twilio's own address in production; here the visitor's, for the webhook's rate limit.
    setattr(inbound, clientip.MEMO, clientip.client_ip(request))
    return resolve(url).func(inbound)


@require_POST
@simulator_view
def phone_dispatch(request):
    """What the every-minute dispatcher does (the demo runs no worker): send the texts now due."""
    counts = delivery.dispatch_due()
    sent = counts["enqueued"] + counts["reminders"]
    messages.success(
        request,
        f"Dispatcher run: {sent} survey{'s' if sent != 1 else ''} handed over for sending"
        + (". Nothing else is due yet." if not sent else "."),
    )
    return redirect("demo:phone")


app_name = "demo"
urlpatterns = [
    path("", phone_list, name="phone"),
    path("dispatch/", phone_dispatch, name="phone_dispatch"),
    path("<slug:channel>/<str:number>/", phone_conversation, name="phone_conversation"),
    path("<slug:channel>/<str:number>/reply/", phone_reply, name="phone_reply"),
]
