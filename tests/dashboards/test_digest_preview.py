"""The digest settings page: this week's digest previewed in the page, and sent to me on request."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from dashboards import rollups
from dashboards.models import DigestSubscription
from nps.accounts.roles import Role
from nps.audit.models import AuditEntry
from tests.factories import make_answer, make_campaign, make_contact, make_user

pytestmark = pytest.mark.django_db

IST = ZoneInfo("Asia/Kolkata")
PAGE, PREVIEW, SEND = "/account/digest/", "/account/digest/preview/", "/account/digest/send/"
# Monday 23 November 2026: "this week's digest" covers 16–22 November.
MONDAY = datetime(2026, 11, 23, 10, tzinfo=IST)


@pytest.fixture(autouse=True)
def workspace_in_india(settings):
    settings.TIME_ZONE = "Asia/Kolkata"


@pytest.fixture
def week():
    """Last week: 3 promoters, 1 passive, 1 detractor (+40); the week before, one detractor (−100)."""
    with time_machine.travel(MONDAY, tick=False):
        campaign = make_campaign(name="Support NPS")
        contact = make_contact(name="Asha Rao", email="asha@example.com")
        for score, comment in (
            (10, "Brilliant help"),
            (9, ""),
            (9, "Quick"),
            (7, "Fine"),
            (2, "Never again"),
        ):
            make_answer(
                score=score,
                campaign=campaign,
                contact=contact,
                comment=comment,
                answered_at=datetime(2026, 11, 18, 12, tzinfo=IST),
            )
        make_answer(score=0, campaign=campaign, answered_at=datetime(2026, 11, 10, 12, tzinfo=IST))
        rollups.refresh()
        yield


def test_settings_page_previews_the_digest_as_it_would_be_sent(client, week):
    viewer = make_user(role=Role.VIEWER, email="vera@example.com")
    client.force_login(viewer)
    with time_machine.travel(MONDAY, tick=False):
        page = client.get(PAGE)
        frame = client.get(PREVIEW)
    assert page.status_code == 200
    text = page.text
    assert "Preview this week's digest" in text and "16 Nov – 22 Nov 2026" in text
    assert "Your weekly NPS: +40 (+140 vs the week before)" in text  # the subject
    assert "vera@example.com" in text
    assert f'src="{PREVIEW}"' in text and "Send me this week's digest now" in text
    # The frame holds the email's HTML part: the figures, the comments, no customer.
    assert frame.status_code == 200
    assert "+40" in frame.text and "Brilliant help" in frame.text and "Never again" in frame.text
    assert "Asha Rao" not in frame.text and "asha@example.com" not in frame.text
    assert frame["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in frame["Content-Security-Policy"]
    assert "script-src 'none'" in frame["Content-Security-Policy"]
    assert mail.outbox == []  # a preview sends nothing
    assert not DigestSubscription.objects.exists()


def test_send_me_now_sends_one_email_to_me_and_audits_it(client, week):
    lead = make_user(role=Role.LEAD, email="lena@example.com", name="Lena Lead")
    client.force_login(lead)
    with time_machine.travel(MONDAY, tick=False):
        response = client.post(SEND, follow=True)
    assert response.redirect_chain == [(PAGE, 302)]
    assert "This week&#x27;s digest is on its way to lena@example.com." in response.text
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lena@example.com"]
    assert message.subject == "Your weekly NPS: +40 (+140 vs the week before)"
    assert "Brilliant help" in message.alternatives[0][0]
    entry = AuditEntry.objects.get(action="digest.send")
    assert (entry.actor, entry.object_label) == (lead, "lena@example.com")
    # The schedule is not touched: asking once is no subscription.
    assert not DigestSubscription.objects.exists()


def test_send_me_now_is_rate_limited(client, week):
    client.force_login(make_user(role=Role.VIEWER))
    with time_machine.travel(MONDAY, tick=False):
        for _ in range(5):
            assert client.post(SEND).status_code == 302
        response = client.post(SEND)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Sending on request is limited to 5 requests an hour: try again in" in response.text
    assert len(mail.outbox) == 5
    assert AuditEntry.objects.filter(action="digest.send").count() == 5


def test_send_me_now_says_so_when_the_mail_service_refuses(client, week, settings):
    settings.EMAIL_BACKEND = "tests.dashboards.test_digest_preview.RefusingBackend"
    client.force_login(make_user(role=Role.VIEWER))
    with time_machine.travel(MONDAY, tick=False):
        response = client.post(SEND, follow=True)
    assert response.status_code == 200
    assert "The digest could not be sent" in response.text
    assert not AuditEntry.objects.filter(action="digest.send").exists()


class RefusingBackend:
    """A mail backend whose server refuses every message (the outside edge: an ESP down)."""

    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_preview_and_send_refuse_wrong_methods_and_signed_out_users(client):
    assert client.get(PREVIEW)["Location"].startswith("/login/")
    assert client.post(SEND)["Location"].startswith("/login/")
    client.force_login(make_user(role=Role.VIEWER))
    assert client.get(SEND).status_code == 405
    assert client.post(PREVIEW).status_code == 405
    assert mail.outbox == []


def test_preview_with_no_answers_says_so(client):
    client.force_login(make_user(role=Role.VIEWER))
    with time_machine.travel(MONDAY, tick=False):
        page = client.get(PAGE)
        frame = client.get(PREVIEW)
    assert "Your weekly NPS: no answers last week" in page.text
    assert "No customer answered last week." in frame.text
