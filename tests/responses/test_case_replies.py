"""Replying to the customer from a case and bringing their answers back: the email (threaded, a signed
Reply-To), the ESP's inbound webhook (Postmark's documented payload through anymail's real view), and texts
through the Twilio stub and the signed inbound webhook."""

import base64
import importlib
import json
from datetime import UTC, datetime, timedelta
from email import message_from_bytes

import pytest
import time_machine
from django.core import mail
from django.urls import clear_url_caches
from django.utils import timezone

from nps.accounts.roles import Role
from responses.cases import replies
from responses.models import Case, CaseEvent, CaseMessage
from surveys.models import Suppression, TextMessage
from tests.factories import make_answer, make_brand, make_campaign, make_contact, make_user
from tests.surveys.twilio_requests import INBOUND, inbound_params, post_signed

pytestmark = pytest.mark.django_db

SECRET = "hook-user:hook-secret-123"
AUTH = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(SECRET.encode()).decode()}
WRONG_AUTH = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"hook-user:guess").decode()}
REPLIES = "replies@support.acme.example"
INBOUND_EMAIL = "/anymail/postmark/inbound/"
# 10:00 in Washington DC (+1 202): texts may go. 03:00 there: they wait until 08:00 (13:00 UTC).
DAYTIME = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
NIGHT_IN_DC = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
DC_MORNING = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
NUMBER = "+12025550143"


def reload_urls():
    from django.conf import settings

    importlib.reload(importlib.import_module(settings.ROOT_URLCONF))
    clear_url_caches()


@pytest.fixture(autouse=True)
def postmark_inbound(settings):
    """Postmark's webhooks mounted (inbound too: CASE_REPLY_ADDRESS is set), while mail itself goes to
    anymail's test backend (django.core.mail.outbox); afterwards the test settings' URLs come back."""
    original = settings.EMAIL_BACKEND
    settings.CASE_REPLY_ADDRESS = REPLIES
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    reload_urls()
    settings.EMAIL_BACKEND = original
    yield
    settings.CASE_REPLY_ADDRESS = ""
    reload_urls()


@pytest.fixture
def lead(client):
    user = make_user(role=Role.LEAD, name="Lena Lead")
    client.force_login(user)
    return user


def make_case(*, contact=None, channel="email", status=Case.Status.NEW, score=3):
    contact = contact or make_contact(name="Ana Lima", email="ana@example.com")
    brand = make_brand(company_name="Acme", sender_name="Acme Support", sender_email="support@acme.example")
    answer = make_answer(
        score=score,
        contact=contact,
        channel=channel,
        campaign=make_campaign(brand=brand),
        comment="The delivery was two weeks late.",
    )
    return Case.objects.create(
        answer=answer,
        campaign=answer.campaign,
        contact=contact,
        score=score,
        group=answer.group,
        status=status,
    )


def post_reply(client, case, capture, **fields):
    fields.setdefault("channel", "email")
    fields.setdefault("subject", "Your late delivery")
    fields.setdefault("body", "Sorry about the delay, Ana. A refund is on its way.")
    with capture(execute=True):
        return client.post(f"/cases/{case.pk}/reply/", fields)


def postmark_inbound_payload(*, to: str, message_id: str, in_reply_to: str = "", text: str = "") -> dict:
    """Postmark's documented inbound webhook JSON, answering one of our replies."""
    return {
        "FromName": "Ana Lima",
        "MessageStream": "inbound",
        "From": "ana@example.com",
        "FromFull": {"Email": "ana@example.com", "Name": "Ana Lima", "MailboxHash": ""},
        "To": f'"Acme Support" <{to}>',
        "ToFull": [
            {"Email": to, "Name": "Acme Support", "MailboxHash": to.partition("+")[2].partition("@")[0]}
        ],
        "Cc": "",
        "CcFull": [],
        "Bcc": "",
        "BccFull": [],
        "OriginalRecipient": to,
        "Subject": "Re: Your late delivery",
        "MessageID": "73e6d360-66eb-11e1-8e72-a8904824019b",
        "ReplyTo": "",
        "MailboxHash": to.partition("+")[2].partition("@")[0],
        "Date": "Mon, 30 Nov 2026 15:02:11 +0000",
        "TextBody": text
        or (
            "Thank you, the refund arrived!\n\n"
            "On Mon, 30 Nov 2026 at 15:00, Acme Support <support@acme.example>\nwrote:\n"
            "> Sorry about the delay, Ana. A refund is on its way.\n"
        ),
        "HtmlBody": "<p>Thank you, the refund arrived!</p><blockquote>Sorry about the delay</blockquote>",
        "StrippedTextReply": "Thank you, the refund arrived!",
        "Tag": "",
        "Headers": [
            {"Name": "X-Spam-Status", "Value": "No"},
            {"Name": "X-Spam-Score", "Value": "-0.1"},
            {"Name": "MIME-Version", "Value": "1.0"},
            {"Name": "Message-ID", "Value": message_id},
            *([{"Name": "In-Reply-To", "Value": in_reply_to}] if in_reply_to else []),
            *([{"Name": "References", "Value": in_reply_to}] if in_reply_to else []),
        ],
        "Attachments": [],
    }


def post_inbound(client, payload, auth=AUTH):
    return client.post(INBOUND_EMAIL, json.dumps(payload), content_type="application/json", **auth)


def timeline(case) -> list[str]:
    return list(
        CaseEvent.objects.filter(case=case).order_by("created_at", "pk").values_list("kind", flat=True)
    )


def test_email_reply_is_threaded_signed_and_the_customers_answer_comes_back_onto_the_case(
    client, lead, django_capture_on_commit_callbacks
):
    case = make_case()

    response = post_reply(client, case, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    out = CaseMessage.objects.get(case=case)
    assert (out.direction, out.state, out.channel, out.author, out.to_address) == (
        "out",
        "sent",
        "email",
        lead,
        "ana@example.com",
    )
    (sent,) = mail.outbox
    eml = message_from_bytes(sent.message().as_bytes())
    signed = eml["Reply-To"]
    assert signed == f"replies+c{case.pk}.{replies.signature(case.pk)}@support.acme.example"
    assert eml["Message-ID"] == out.message_id
    assert out.message_id.startswith(f"<case-{case.pk}-") and out.message_id.endswith(
        "@support.acme.example>"
    )
    assert eml["From"] == "Acme Support <support@acme.example>"
    assert eml["To"] == "ana@example.com"
    assert eml["Subject"] == "Your late delivery"
    assert eml["In-Reply-To"] is None  # the first message of the thread
    text = sent.body
    assert text.startswith("Sorry about the delay, Ana. A refund is on its way.")
    assert "> The delivery was two weeks late." in text
    (html, mimetype) = sent.alternatives[0]
    assert mimetype == "text/html" and "A refund is on its way." in html
    case.refresh_from_db()
    assert case.status == "waiting"
    assert case.first_response_at is not None
    assert timeline(case) == ["reply_out", "status"]

    # The customer answers: Postmark posts the message to the inbound webhook.
    payload = postmark_inbound_payload(
        to=signed, message_id="<CAHk-ana-1@mail.example.com>", in_reply_to=out.message_id
    )
    assert post_inbound(client, payload).status_code == 200
    assert post_inbound(client, payload).status_code == 200  # delivered twice: one message

    answer = CaseMessage.objects.get(case=case, direction="in")
    assert (answer.body, answer.from_address, answer.state) == (
        "Thank you, the refund arrived!",
        "ana@example.com",
        "received",
    )
    assert (answer.message_id, answer.in_reply_to) == ("<CAHk-ana-1@mail.example.com>", out.message_id)
    case.refresh_from_db()
    assert case.status == "in_progress"
    assert timeline(case) == ["reply_out", "status", "reply_in", "status"]
    page = client.get(f"/cases/{case.pk}/").text
    assert "Thank you, the refund arrived!" in page

    # The next reply answers the customer's message, in the same thread.
    mail.outbox.clear()
    post_reply(client, case, django_capture_on_commit_callbacks, subject="", body="Glad it arrived!")
    (second,) = mail.outbox
    eml = message_from_bytes(second.message().as_bytes())
    assert eml["Subject"] == "Re: Your late delivery"  # the customer's "Re: …", not "Re: Re: …"
    assert eml["In-Reply-To"] == "<CAHk-ana-1@mail.example.com>"
    assert eml["References"].split() == [out.message_id, "<CAHk-ana-1@mail.example.com>"]
    assert eml["Reply-To"] == signed
    assert CaseMessage.objects.filter(case=case).count() == 3


def test_the_subject_defaults_to_the_brand_then_to_the_thread(lead):
    case = make_case()
    first = replies.reply(case, channel="email", body="Hello Ana", by=lead)
    assert first.subject == "Your feedback to Acme"
    second = replies.reply(case, channel="email", body="Hello again", by=lead)
    assert second.subject == "Re: Your feedback to Acme"


def test_forged_or_unauthenticated_inbound_mail_adds_nothing(client, lead, caplog):
    case = make_case(status=Case.Status.WAITING)
    good = replies.reply_address(case)
    other = make_case(contact=make_contact(name="Bo", email="bo@example.com"))
    forged = [
        f"replies+c{case.pk}.{'0' * 16}@support.acme.example",  # a wrong signature
        f"replies+c{case.pk}.{replies.signature(other.pk)}@support.acme.example",  # another case's
        f"replies+c{case.pk}@support.acme.example",  # unsigned
        f"replies+c999999.{replies.signature(999999)}@support.acme.example",  # signed, but no such case
        good.replace("support.acme.example", "evil.example"),  # another domain
        "replies@support.acme.example",
    ]
    for n, address in enumerate(forged):
        response = post_inbound(client, postmark_inbound_payload(to=address, message_id=f"<forged-{n}@x>"))
        assert response.status_code == 200  # taken, and ignored: the ESP must not retry it forever
    assert "wrongly signed case address" in caplog.text

    payload = postmark_inbound_payload(to=good, message_id="<real@mail.example.com>")
    for auth in ({}, WRONG_AUTH):
        response = post_inbound(client, payload, auth=auth)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Basic ")

    assert not CaseMessage.objects.exists()
    assert not CaseEvent.objects.exists()
    assert Case.objects.get(pk=case.pk).status == "waiting"


def test_the_signed_address_is_read_in_any_case_and_inside_a_display_name():
    case = make_case()
    address = replies.reply_address(case)
    assert replies.case_for_address(address) == case
    assert replies.case_for_address(f'"Acme, Support" <{address.upper()}>') == case
    assert replies.case_for_address(address[:-3]) is None
    assert replies.case_for_address("") is None
    assert replies.case_for_address("x" * 5000) is None


def test_quoted_text_is_stripped_and_a_reply_that_is_all_quote_is_kept_whole():
    assert replies.strip_quoted("Yes please.\n\n> old text\n> more") == "Yes please."
    assert (
        replies.strip_quoted("Fine by me\r\n\r\nLe lun. 30 nov. 2026, Acme <a@b.example> a écrit :\r\n> x")
        == "Fine by me"
    )
    assert replies.strip_quoted("Inline answer\n> question?\nmy answer") == "Inline answer\nmy answer"
    assert replies.strip_quoted("-----Original Message-----\nFrom: Acme") == ""
    outlook = "Works for me.\n\nFrom: Acme Support <support@acme.example>\nSent: Monday\nSubject: Re"
    assert replies.strip_quoted(outlook) == "Works for me."
    assert replies.strip_quoted("From: my side, all good.\nThanks") == "From: my side, all good.\nThanks"


def test_an_all_quoted_or_html_only_email_is_kept(client):
    case = make_case()
    payload = postmark_inbound_payload(
        to=replies.reply_address(case), message_id="<q@x>", text="> only a quote"
    )
    assert post_inbound(client, payload).status_code == 200
    assert CaseMessage.objects.get(case=case).body == "> only a quote"

    payload = postmark_inbound_payload(to=replies.reply_address(case), message_id="<h@x>", text="")
    payload["TextBody"] = ""
    assert post_inbound(client, payload).status_code == 200
    assert CaseMessage.objects.get(message_id="<h@x>").body.startswith("Thank you, the refund arrived!")

    hostile = postmark_inbound_payload(
        to=replies.reply_address(case), message_id="<n\x00ul@x>", text="a\x00b"
    )
    hostile["Subject"] = "x\x00" * 400
    assert post_inbound(client, hostile).status_code == 200
    assert CaseMessage.objects.get(message_id="<nul@x>").body == "ab"


def test_bad_replies_are_refused_with_a_reason_and_write_nothing(
    client, lead, django_capture_on_commit_callbacks
):
    case = make_case()
    for body, expected in [("   ", "Write the reply"), ("a\x00b", "NUL"), ("x" * 10_001, "too long")]:
        with pytest.raises(replies.ReplyError, match=expected):
            replies.reply(case, channel="email", body=body, by=lead)
    with pytest.raises(replies.ReplyError, match="cannot go by SMS"):
        replies.reply(case, channel="sms", body="Hi", by=lead)
    Suppression.objects.create(address="ana@example.com", reason=Suppression.Reason.BOUNCED)
    response = post_reply(client, case, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "their address bounced" in response.text
    assert not CaseMessage.objects.exists() and not mail.outbox


def test_a_lost_task_or_a_dead_worker_is_made_good_once(lead, django_capture_on_commit_callbacks):
    case = make_case()
    message = replies.reply(case, channel="email", body="Hello Ana", by=lead)  # its task never ran
    assert replies.send_due() == 0  # within the lease: its task may still come
    CaseMessage.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert replies.send_due() == 1
    assert len(mail.outbox) == 1
    assert replies.send_case_message(message.pk) == "sent"  # a second task sends nothing
    assert len(mail.outbox) == 1

    stuck = replies.reply(case, channel="email", body="Are you there?", by=lead)
    CaseMessage.objects.filter(pk=stuck.pk).update(
        state="sending", attempts=5, sent_at=timezone.now() - timedelta(hours=1)
    )
    assert replies.send_due() == 1
    assert CaseMessage.objects.get(pk=stuck.pk).state == "failed"


@time_machine.travel(DAYTIME, tick=False)
def test_sms_reply_goes_through_the_texting_outbox_and_the_customers_text_comes_back(
    client, lead, twilio_stub, django_capture_on_commit_callbacks
):
    contact = make_contact(name="Ravi", phone=NUMBER)
    case = make_case(contact=contact, channel="sms")
    assert replies.channels_for(case) == ["sms"]

    response = post_reply(
        client,
        case,
        django_capture_on_commit_callbacks,
        channel="sms",
        subject="",
        body="Sorry, Ravi. We will call you.",
    )

    assert response.status_code == 302
    out = CaseMessage.objects.get(case=case)
    assert out.state == "sent" and out.text_message is not None
    text = out.text_message
    assert (text.kind, text.key, text.to_number, text.status) == (
        "case",
        f"case:{out.pk}",
        NUMBER,
        "accepted",
    )
    (sent,) = twilio_stub.sent(NUMBER)
    assert sent["body"] == "Sorry, Ravi. We will call you."
    assert Case.objects.get(pk=case.pk).status == "waiting"

    params = inbound_params("Thanks, tomorrow at 10 works", from_=NUMBER)
    for _ in range(2):  # Twilio retried the webhook: one message
        assert post_signed(client, INBOUND, params).status_code == 200
    received = TextMessage.objects.get(provider_sid=params["MessageSid"])
    assert received.outcome == f"Added to Case {case.pk}" and not received.needs_attention
    answer = CaseMessage.objects.get(case=case, direction="in")
    assert (answer.body, answer.channel, answer.text_message, answer.from_address) == (
        "Thanks, tomorrow at 10 works",
        "sms",
        received,
        NUMBER,
    )
    assert Case.objects.get(pk=case.pk).status == "in_progress"

    # STOP still opts the number out (and lands on no case); a reply by text is then refused.
    stop = inbound_params("STOP", from_=NUMBER)
    assert post_signed(client, INBOUND, stop).status_code == 200
    assert TextMessage.objects.get(provider_sid=stop["MessageSid"]).outcome == "Opted out of texts (STOP)"
    assert CaseMessage.objects.filter(case=case, direction="in").count() == 1
    response = post_reply(
        client, case, django_capture_on_commit_callbacks, channel="sms", subject="", body="Hello?"
    )
    assert response.status_code == 400
    assert "opted out of texts (STOP)" in response.text
    assert len(twilio_stub.sent(NUMBER)) == 1


def test_a_text_from_a_number_without_an_open_case_stays_for_a_person_to_read(client):
    make_case(contact=make_contact(phone=NUMBER), channel="sms", status=Case.Status.RESOLVED)
    params = inbound_params("hello?", from_=NUMBER)
    assert post_signed(client, INBOUND, params).status_code == 200
    received = TextMessage.objects.get(provider_sid=params["MessageSid"])
    assert received.needs_attention and received.outcome == "No open survey for this number"
    assert not CaseMessage.objects.exists()


def test_a_text_reply_waits_for_the_end_of_quiet_hours(lead, twilio_stub, django_capture_on_commit_callbacks):
    case = make_case(contact=make_contact(name="Ravi", phone=NUMBER), channel="sms")
    with time_machine.travel(NIGHT_IN_DC, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            message = replies.reply(case, channel="sms", body="We will call you today.", by=lead)
        message.refresh_from_db()
        assert (message.state, message.sent_at) == ("queued", DC_MORNING)
        assert not twilio_stub.sent()
    later = DC_MORNING + replies.LEASE + timedelta(minutes=1)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert replies.send_due() == 1
    message.refresh_from_db()
    assert message.state == "sent"
    assert [m["body"] for m in twilio_stub.sent(NUMBER)] == ["We will call you today."]
