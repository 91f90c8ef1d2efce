"""Launching asks first: who gets a survey on each channel, who does not and why, and when it goes."""

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from nps.accounts.roles import Role
from surveys import delivery
from surveys.models import Audience, Campaign, Contact, Invitation, Suppression
from tests.factories import make_campaign, make_contact, make_user

pytestmark = pytest.mark.django_db
Status = Campaign.Status


@pytest.fixture
def admin_client(client):
    client.force_login(make_user(role=Role.ADMIN))
    return client


def add(campaign, **fields):
    contact = make_contact(**fields)
    Audience.objects.create(campaign=campaign, contact=contact)
    return contact


def mixed_audience(campaign):
    """Email and SMS: 3 reachable on both, 1 email only, 1 phone only, 1 suppressed email, 1 suppressed
    number, 1 throttled with both."""
    for n in range(3):
        add(campaign, email=f"both{n}@example.com", phone=f"+9198765432{n}0")
    add(campaign, email="mail-only@example.com")
    add(campaign, phone="+919876543299")
    add(campaign, email="Gone@Example.com")
    add(campaign, email="texts-off@example.com", phone="+919876543288")
    add(
        campaign,
        email="recent@example.com",
        phone="+919876543277",
        last_surveyed_at=timezone.now() - timedelta(days=10),
    )
    Suppression.objects.create(address="gone@example.com", reason=Suppression.Reason.BOUNCED)
    Suppression.objects.create(address="+919876543288", reason=Suppression.Reason.UNSUBSCRIBED)


def test_counts_per_channel_follow_the_sending_rules():
    campaign = make_campaign(channels=["email", "sms"])
    mixed_audience(campaign)
    preview = delivery.launch_preview(campaign)
    counts = {c.value: (c.recipients, c.no_address, c.suppressed, c.throttled) for c in preview.channels}
    assert counts == {"email": (5, 1, 1, 1), "sms": (4, 2, 1, 1)}
    assert (preview.audience, preview.people, preview.messages) == (8, 6, 9)
    assert preview.texting

    # The same rules as queue_campaign: launching queues exactly the counted messages.
    assert delivery.queue_campaign(campaign) == preview.messages
    assert Invitation.objects.filter(channel="sms").count() == 4


def test_no_throttle_counts_recently_surveyed_contacts():
    campaign = make_campaign(channels=["email"], throttle_days=0)
    add(campaign, last_surveyed_at=timezone.now() - timedelta(days=1))
    (email,) = delivery.launch_preview(campaign).channels
    assert (email.recipients, email.throttled) == (1, 0)


def test_the_page_shows_the_counts_and_the_send_window(admin_client):
    campaign = make_campaign(
        name="Spring NPS", channels=["email", "sms"], window_start=time(9), window_end=time(17, 30)
    )
    mixed_audience(campaign)
    page = admin_client.get(f"/campaigns/{campaign.pk}/launch/")
    assert page.status_code == 200
    text = page.text
    assert "Launch Spring NPS?" in text
    assert "6 people get a survey</strong> out of 8 audience members" in text
    assert (
        '<th scope="row">Email</th><td class="num" data-label="Gets a survey"><strong>5</strong></td>' in text
    )
    assert (
        '<th scope="row">SMS</th><td class="num" data-label="Gets a survey"><strong>4</strong></td>' in text
    )
    assert "between 09:00 and 17:30, Monday to Friday, in each contact's own time zone" in text
    assert "quiet hours" in text and "/settings/texting/quiet-hours/" in text
    assert "Send to 6 people</button>" in text
    assert f'href="/campaigns/{campaign.pk}/">Cancel</a>' in text
    assert 'name="csrfmiddlewaretoken"' in text
    # Looking launches nothing.
    campaign.refresh_from_db()
    assert campaign.status == Status.DRAFT
    assert not Invitation.objects.exists()


def test_the_campaign_page_links_to_the_confirmation(admin_client):
    campaign = make_campaign()
    add(campaign)
    text = admin_client.get(f"/campaigns/{campaign.pk}/").text
    assert f'<a href="/campaigns/{campaign.pk}/launch/" role="button">Launch</a>' in text


def test_posting_from_the_page_launches(admin_client):
    campaign = make_campaign(name="Spring NPS", channels=["email"])
    for _ in range(2):
        add(campaign)
    assert "Send to 2 people" in admin_client.get(f"/campaigns/{campaign.pk}/launch/").text
    response = admin_client.post(f"/campaigns/{campaign.pk}/launch/", follow=True)
    assert "Spring NPS is running: 2 invitations queued." in response.text
    campaign.refresh_from_db()
    assert campaign.status == Status.RUNNING
    # Once launched, the confirmation page sends back to the campaign.
    again = admin_client.get(f"/campaigns/{campaign.pk}/launch/")
    assert again.status_code == 302 and again.url == f"/campaigns/{campaign.pk}/"


def test_a_link_only_campaign_messages_nobody(admin_client):
    campaign = make_campaign(channels=["link", "kiosk"])
    preview = delivery.launch_preview(campaign)
    assert not preview.sends and preview.channels == []
    text = admin_client.get(f"/campaigns/{campaign.pk}/launch/").text
    assert "Nobody is messaged." in text
    assert "Public link, Kiosk" in text
    assert ">Start</button>" in text


def test_an_empty_audience_explains_what_to_do(admin_client):
    campaign = make_campaign(channels=["email"])
    text = admin_client.get(f"/campaigns/{campaign.pk}/launch/").text
    assert "The audience is empty" in text
    assert f'href="/campaigns/{campaign.pk}/#audience"' in text
    assert "<button" not in text.split('class="panel launch-confirm"')[1].split("</form>")[0]


@time_machine.travel(datetime(2025, 3, 7, 10, 0, tzinfo=UTC), tick=False)  # a Friday
def test_a_scheduled_campaign_says_when(admin_client, settings):
    settings.TIME_ZONE = "UTC"
    send_at = datetime(2025, 3, 8, 12, 0, tzinfo=UTC)  # a Saturday: weekdays only → Monday 09:00
    campaign = make_campaign(channels=["email"], schedule="at", send_at=send_at)
    add(campaign)
    preview = delivery.launch_preview(campaign)
    assert preview.start == send_at
    assert preview.first_send == datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
    text = admin_client.get(f"/campaigns/{campaign.pk}/launch/").text
    assert "Scheduled: from Saturday 8 Mar 2025, 12:00 (UTC)." in text
    assert "the first messages go <strong>Monday 10 Mar 2025, 09:00 (UTC)</strong>" in text
    assert "Schedule for 8 Mar 2025, 12:00</button>" in text


def test_a_send_time_in_the_past_offers_no_button(admin_client):
    campaign = make_campaign(schedule="at", send_at=timezone.now() - timedelta(hours=1))
    add(campaign)
    text = admin_client.get(f"/campaigns/{campaign.pk}/launch/").text
    assert "has passed" in text
    assert "<button" not in text.split('class="panel launch-confirm"')[1].split("</form>")[0]


def test_only_admins(client):
    campaign = make_campaign()
    add(campaign)
    for role in (Role.LEAD, Role.VIEWER):
        client.force_login(make_user(role=role))
        assert client.get(f"/campaigns/{campaign.pk}/launch/").status_code == 403
        assert client.post(f"/campaigns/{campaign.pk}/launch/").status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == Status.DRAFT


def test_queries_do_not_grow_with_the_audience(admin_client):
    campaign = make_campaign(channels=["email", "sms", "whatsapp"])
    contacts = Contact.objects.bulk_create(make_contact_row(n) for n in range(300))
    Audience.objects.bulk_create(Audience(campaign=campaign, contact=c) for c in contacts)
    Suppression.objects.create(address="c7@example.com", reason=Suppression.Reason.MANUAL)
    with CaptureQueriesContext(connection) as queries:
        preview = delivery.launch_preview(campaign)
    assert len(queries) <= 3
    assert preview.audience == 300
    assert {c.value: c.recipients for c in preview.channels} == {"email": 299, "sms": 150, "whatsapp": 150}
    with CaptureQueriesContext(connection) as page_queries:
        assert admin_client.get(f"/campaigns/{campaign.pk}/launch/").status_code == 200
    assert len(page_queries) <= 12


def make_contact_row(n):
    return Contact(
        email=f"c{n}@example.com",
        phone=f"+9198765{n:05d}" if n % 2 else None,
        name=f"Customer {n}",
    )
