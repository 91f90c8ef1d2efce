"""Exactly once for texts against a real failure: a real Celery worker SIGKILLed mid-batch of SMS and
WhatsApp invitations, sending through the real twilio client to the local Twilio stub.

As in test_worker_kill.py (email), the worker is stopped at a known point, never by timing: the stub
accepts the victim's WhatsApp text and holds its answer, which is exactly the window a crash can hit
("Twilio has the text, our commit did not happen"). The sweep must then find the text at Twilio
(find_sent: GET Messages.json for the number) instead of sending it again.
"""

import signal
from datetime import time

import pytest

from surveys import delivery
from surveys.models import Audience, Campaign, Contact, Invitation, QuietHoursRule, TextMessage
from tests.factories import make_brand, make_campaign
from tests.surveys import test_worker_kill as email_kill
from tests.surveys.test_worker_kill import after_the_lease, other_sessions, wait_until

# The email test's fixtures: the real broker, its workers, the demo's mail files.
broker, workers, outbox = email_kill.broker, email_kill.workers, email_kill.outbox

pytestmark = pytest.mark.django_db(transaction=True)

CONTACTS = 100  # each gets an SMS and a WhatsApp invitation
TEMPLATE = "HX" + "c" * 32


@pytest.fixture
def text_env(twilio_stub, monkeypatch, settings):
    """Workers started after this send texts through Twilio (the stub) at any hour. Requested before
    `workers`, which copies the environment when it is set up."""
    monkeypatch.setenv("NPS_TEST_SMS_BACKEND", "twilio")
    monkeypatch.setenv("TWILIO_API_BASE_URL", twilio_stub.url)
    monkeypatch.setenv("TEXT_QUIET_HOURS", "00:00-24:00")
    settings.TEXT_QUIET_HOURS = "00:00-24:00"
    QuietHoursRule.objects.all().delete()  # the seeded stricter regions: this test may run at night


def launch_campaign() -> list[Invitation]:
    campaign = make_campaign(
        brand=make_brand(),
        channels=["sms", "whatsapp"],
        status=Campaign.Status.RUNNING,
        weekdays_only=False,
        window_start=time(0),
        window_end=time(0),
        whatsapp_templates={"en": TEMPLATE},
    )
    contacts = Contact.objects.bulk_create(
        Contact(phone=f"+1202555{n:04d}", name=f"Customer {n}") for n in range(CONTACTS)
    )
    Audience.objects.bulk_create(Audience(campaign=campaign, contact=contact) for contact in contacts)
    assert delivery.queue_campaign(campaign) == 2 * CONTACTS
    return list(campaign.invitations.select_related("contact").order_by("pk"))


def address(invitation: Invitation) -> str:
    number = str(invitation.contact.phone)
    return f"whatsapp:{number}" if invitation.channel == "whatsapp" else number


def test_worker_killed_mid_batch_sends_every_text_exactly_once(
    text_env, broker, workers, twilio_stub, tmp_path
):
    invitations = launch_campaign()
    victim = next(i for i in invitations[len(invitations) // 2 :] if i.channel == "whatsapp")
    held = twilio_stub.hold_after_accepting(address(victim))
    assert delivery.dispatch_due()["enqueued"] == 2 * CONTACTS
    first = workers("first")
    wait_until(lambda: twilio_stub.sent(address(victim)), "Twilio to accept the victim's text", tmp_path)

    assert 0 < len(twilio_stub.sent()) < 2 * CONTACTS
    assert Invitation.objects.get(pk=victim.pk).state == "sending"
    first.send_signal(signal.SIGKILL)
    first.wait()
    held.set()
    wait_until(lambda: other_sessions() == 0, "the dead worker's database session to end", tmp_path)
    stuck = set(Invitation.objects.filter(state="sending").values_list("pk", flat=True))
    assert victim.pk in stuck
    assert len(stuck) <= delivery.SEND_BATCH
    # The victim's text went out, and no row of ours knows its id.
    assert TextMessage.objects.get(invitation=victim).provider_sid is None

    counts = delivery.dispatch_due(now=after_the_lease())
    assert counts["recovered"] == len(stuck)
    victim_row = Invitation.objects.get(pk=victim.pk)
    assert (victim_row.state, victim_row.provider_message_id) == (
        "sent",
        twilio_stub.sent(address(victim))[0]["sid"],
    )

    workers("second")
    wait_until(
        lambda: Invitation.objects.filter(state="sent").count() == 2 * CONTACTS, "every row sent", tmp_path
    )

    sent = twilio_stub.sent()
    assert len(sent) == 2 * CONTACTS
    assert sorted(m["to"] for m in sent) == sorted(address(i) for i in invitations)  # each exactly once
    sids = {m["to"]: m["sid"] for m in sent}
    rows = Invitation.objects.select_related("contact").filter(pk__in=[i.pk for i in invitations])
    assert {address(i): i.provider_message_id for i in rows} == sids
    assert dict(TextMessage.objects.values_list("provider_sid", "invitation_id")).keys() == set(sids.values())
    # Rows a dead worker had claimed and never handed to Twilio were claimed again; the rest once.
    attempts = dict(rows.values_list("pk", "attempts"))
    assert {pk for pk, n in attempts.items() if n != 1} <= stuck - {victim.pk}
