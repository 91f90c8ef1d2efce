"""Send a test to me: the campaign's real message through the real channel (anymail's test backend, the Twilio
stub), to the signed-in user or a number they type; its links show the answer page in preview mode and
nothing is recorded, counted, throttled or shown in the figures."""

import re
from datetime import time

import pytest
from django.core import mail

from nps.accounts.roles import Role
from nps.audit.models import AuditEntry
from responses.models import Answer
from surveys.models import Audience, Campaign, Contact, Invitation, Suppression, TestSend, TextMessage
from tests.factories import make_campaign, make_contact, make_user

pytestmark = pytest.mark.django_db

HINDI_QUESTION = "आप Acme की सिफ़ारिश करेंगे?"


def url(campaign):
    return f"/campaigns/{campaign.pk}/test/"


@pytest.fixture
def admin(client):
    user = make_user(role=Role.ADMIN, email="priya@acme.example", name="Priya")
    client.force_login(user)
    return user


def campaign_with_hindi(**fields):
    fields.setdefault("channels", ["email"])
    return make_campaign(
        name="Quarterly NPS",
        translations={"hi": {"question": HINDI_QUESTION}},
        weekdays_only=False,
        window_start=time(0),
        window_end=time(0),
        **fields,
    )


def test_an_email_test_goes_to_me_in_the_language_i_pick_and_its_links_record_nothing(client, admin):
    campaign = campaign_with_hindi()
    member = make_contact(email="customer@example.com")
    Audience.objects.create(campaign=campaign, contact=member)

    response = client.post(url(campaign), {"channel": "email", "language": "hi"})

    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["priya@acme.example"]
    assert HINDI_QUESTION in message.body
    assert message.tags == ["nps-test"]
    assert "invitation" not in message.metadata
    test = TestSend.objects.get()
    assert (test.channel, test.language, test.address, test.sent_by) == (
        "email",
        "hi",
        "priya@acme.example",
        admin,
    )
    links = re.findall(r"http://testserver(/r/[^/\s]+/(\d+)/)", message.body)
    assert [int(score) for _, score in links] == list(range(11))
    assert all(f"/r/{test.token}/" in path for path, _ in links)
    # Nothing of an invitation: no row, no throttle, nothing in the figures.
    assert not Invitation.objects.exists()
    member.refresh_from_db()
    assert member.last_surveyed_at is None
    assert AuditEntry.objects.filter(action="campaign.test_send").count() == 1

    # The score link shows the answer page in preview mode; neither opening nor posting records anything.
    client.logout()
    page = client.get(links[9][0])
    assert page.status_code == 200
    assert '<p class="notice">' in page.text  # "Preview: answers are not recorded.", in Hindi
    assert "answer.js" not in page.text  # the script that saves a tapped score is left out
    assert HINDI_QUESTION in page.text
    posted = client.post(links[9][0], {"score": "9", "comment": "Great", "source": "link"})
    assert posted.status_code == 200
    assert not Answer.objects.exists()
    assert not Invitation.objects.exists()


def test_a_text_test_reaches_twilio_with_the_real_short_link_shape(client, admin, twilio_stub):
    campaign = campaign_with_hindi(channels=["sms"])

    response = client.post(url(campaign), {"channel": "sms", "language": "en", "phone": "+1 202 555 0143"})

    assert response.status_code == 302, response.content
    (sent,) = twilio_stub.sent()
    test = TestSend.objects.get()
    assert sent["to"] == "+12025550143"
    assert sent["body"].endswith(f"http://testserver/s?{test.token}")
    assert len(test.token) == 12  # as long as an invitation's short token: the test costs what a text costs
    text = TextMessage.objects.get(kind="test")
    assert (text.contact, text.invitation, text.provider_sid) == (None, None, sent["sid"])
    assert not Invitation.objects.exists()
    assert not Contact.objects.exists()
    # The short link opens the preview.
    client.logout()
    page = client.get(f"/s?{test.token}")
    assert "Preview: answers are not recorded." in page.text


def test_a_suppressed_number_gets_no_test_and_bad_input_is_a_precise_400(client, admin, twilio_stub):
    campaign = campaign_with_hindi(channels=["email", "sms"])
    Suppression.objects.create(address="+12025550143", reason=Suppression.Reason.UNSUBSCRIBED)

    cases = [
        ({"channel": "sms", "language": "en", "phone": "+1 202 555 0143"}, "suppression list"),
        ({"channel": "sms", "language": "en", "phone": "12"}, "not a valid phone number"),
        ({"channel": "sms", "language": "en", "phone": ""}, "Enter the mobile number"),
        ({"channel": "sms", "language": "en", "phone": "+1202\x005550143"}, "Null characters"),
        ({"channel": "whatsapp", "language": "en"}, "Select a valid choice"),
        ({"channel": "email", "language": "xx"}, "Select a valid choice"),
        ({"channel": "sms", "language": "en", "phone": "9" * 41}, "at most 40 characters"),
    ]
    for data, error in cases:
        response = client.post(url(campaign), data)
        assert response.status_code == 400, data
        assert error in response.text, data
    assert not twilio_stub.sent()
    assert not mail.outbox
    assert not TestSend.objects.exists()


def test_my_own_suppressed_address_gets_no_test_either(client, admin):
    campaign = campaign_with_hindi()
    Suppression.objects.create(address="priya@acme.example", reason=Suppression.Reason.BOUNCED)
    response = client.post(url(campaign), {"channel": "email", "language": "en"})
    assert response.status_code == 400
    assert "priya@acme.example is on the suppression list (bounced)" in response.text
    assert not mail.outbox


@pytest.mark.usefixtures("rate_window")
def test_tests_are_rate_limited_per_user(client, admin):
    campaign = campaign_with_hindi()
    for _ in range(10):
        assert client.post(url(campaign), {"channel": "email", "language": "en"}).status_code == 302
    response = client.post(url(campaign), {"channel": "email", "language": "en"})
    assert response.status_code == 429
    assert "You sent 10 tests in the last hour" in response.text
    assert response["Retry-After"]
    assert len(mail.outbox) == 10


def test_roles_methods_and_channels_that_send_nothing(client):
    campaign = campaign_with_hindi()
    client.force_login(make_user(role=Role.VIEWER))
    assert client.post(url(campaign), {"channel": "email", "language": "en"}).status_code == 403
    client.force_login(make_user(role=Role.LEAD, email="lead@acme.example"))
    assert client.get(url(campaign)).status_code == 405
    assert client.post(url(campaign), {"channel": "email", "language": "en"}).status_code == 302
    assert mail.outbox[0].to == ["lead@acme.example"]
    assert client.post("/campaigns/999999/test/", {"channel": "email"}).status_code == 404

    kiosk = make_campaign(channels=["kiosk"])
    page = client.get(f"/campaigns/{kiosk.pk}/")
    assert "Nothing to send: customers come to this campaign" in page.text
    assert client.post(url(kiosk), {"channel": "kiosk", "language": "en"}).status_code == 400
    archived = campaign_with_hindi(status=Campaign.Status.ARCHIVED)
    assert client.post(url(archived), {"channel": "email", "language": "en"}).status_code == 400


def test_the_launch_page_offers_a_test_and_comes_back_to_it(client, admin):
    campaign = campaign_with_hindi()
    Audience.objects.create(campaign=campaign, contact=make_contact())
    page = client.get(f"/campaigns/{campaign.pk}/launch/")
    assert "Send a test to me" in page.text
    response = client.post(url(campaign), {"channel": "email", "language": "en", "back": "launch"})
    assert response["Location"] == f"/campaigns/{campaign.pk}/launch/"
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT  # a test launches nothing


def test_unknown_and_expired_test_links_are_not_valid(client, admin):
    campaign = campaign_with_hindi()
    client.post(url(campaign), {"channel": "email", "language": "en"})
    test = TestSend.objects.get()
    client.logout()
    assert client.get("/r/t.nosuchtoken/9/").status_code == 404
    assert client.get(f"/r/{test.token}/11/").status_code == 400
    TestSend.objects.update(created_at=test.created_at.replace(year=test.created_at.year - 1))
    assert client.get(f"/r/{test.token}/9/").status_code == 404
