"""Delighted's official Python client, pointed at a live OpenNPS, works for every endpoint it supports."""

import time
import warnings
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from dashboards import queries, rollups
from nps.api import keys
from responses.models import Answer
from surveys.models import Audience, Campaign, Contact, Invitation, Suppression
from tests.factories import make_answer, make_brand, make_campaign, make_contact

with warnings.catch_warnings():
    warnings.simplefilter("ignore", FutureWarning)  # "Delighted is being sunset": that is why we exist
    import delighted

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def api_key():
    _key, raw = keys.create_api_key(name="Delighted client", read_only=False)
    return raw


@pytest.fixture
def dl(live_server, api_key, monkeypatch):
    """The client as its users configure it: only the API key and the base URL change."""
    monkeypatch.setattr(delighted, "api_key", api_key)
    monkeypatch.setattr(delighted, "api_base_url", live_server.url + "/v1/")
    monkeypatch.setattr(delighted, "shared_client", None)  # it caches the first key and URL it sees
    return delighted


@pytest.fixture
def campaign():
    return make_campaign(
        name="Transactional NPS", brand=make_brand(company_name="Acme"), status=Campaign.Status.RUNNING
    )


@pytest.fixture
def autopilot(campaign):
    return make_campaign(
        name="Quarterly autopilot",
        brand=campaign.brand,
        status=Campaign.Status.RUNNING,
        schedule=Campaign.Schedule.RECURRING,
        recur_days=90,
    )


def test_person_create_surveys_now_with_the_special_properties(dl, campaign):
    person = dl.Person.create(
        email="Jony@Appleseed.example",
        name="Jony Appleseed",
        properties={
            "plan": "pro",
            "locale": "fr",
            "question_product_name": "Widget Pro",
            "thank_you_message": "Merci beaucoup !",
            "thank_you_link_url": "https://reviews.example/acme",
        },
    )

    contact = Contact.objects.get()
    assert person.id == str(contact.pk)
    assert person.email == "jony@appleseed.example"
    assert person.name == "Jony Appleseed"
    assert abs(person.survey_scheduled_at - time.time()) < 60
    assert person.properties["plan"] == "pro" and person.properties["locale"] == "fr"  # echoed as sent
    assert contact.language == "fr" and contact.properties == {"plan": "pro"}
    invitation = Invitation.objects.get()
    assert invitation.campaign == campaign and invitation.state == Invitation.State.SENT
    assert invitation.language == "fr"
    assert "Widget Pro" in invitation.text("question") and "Acme" not in invitation.text("question")
    assert invitation.texts["thank_you_message"] == "Merci beaucoup !"
    assert invitation.texts["thank_you_link_url"] == "https://reviews.example/acme"
    (message,) = mail.outbox
    assert message.to == ["jony@appleseed.example"]
    assert "Widget Pro" in message.body


def test_person_create_with_delay_then_delete_pending_cancels_it(dl, campaign):
    person = dl.Person.create(email="later@example.com", delay=3600)

    invitation = Invitation.objects.get()
    assert invitation.state == Invitation.State.QUEUED
    assert person.survey_scheduled_at == int(invitation.scheduled_for.timestamp())
    assert 3500 < person.survey_scheduled_at - time.time() <= 3600
    assert not mail.outbox

    assert dl.SurveyRequest.delete_pending(person_email="later@example.com") == {"ok": True}
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.SUPPRESSED
    assert "Cancelled" in invitation.error


def test_person_create_with_send_false_only_saves_the_person(dl, campaign):
    person = dl.Person.create(phone_number="+14155550100", name="Sam", send=False)

    assert person.survey_scheduled_at is None
    assert person.phone_number == "+14155550100"
    assert Contact.objects.get().name == "Sam"
    assert not Invitation.objects.exists()


def test_person_create_again_updates_the_person_and_a_throttled_one_is_skipped(dl, campaign):
    dl.Person.create(email="twice@example.com", name="First")
    again = dl.Person.create(email="twice@example.com", name="Second", properties={"plan": "team"})

    # Delighted skips a person surveyed recently without an error; so does OpenNPS.
    assert again.survey_scheduled_at is None
    contact = Contact.objects.get()
    assert contact.name == "Second" and contact.properties == {"plan": "team"}
    assert Invitation.objects.count() == 1


def test_person_list_auto_pagination_follows_the_link_header(dl):
    emails = [f"person{n}@example.com" for n in range(7)]
    for email in emails:
        make_contact(email=email)

    people = list(dl.Person.list(per_page=3).auto_paging_iter())

    assert [p.email for p in people] == emails
    assert all(isinstance(p.id, str) and isinstance(p.created_at, int) for p in people)


def test_person_list_filters_by_email(dl):
    make_contact(email="one@example.com")
    make_contact(email="two@example.com")

    (person,) = dl.Person.list(email="two@example.com").auto_paging_iter()
    assert person.email == "two@example.com"


def test_person_delete_by_email_id_and_phone_erases_the_person(dl, campaign):
    by_email = make_contact(email="erase@example.com")
    answer = make_answer(campaign=campaign, contact=by_email, score=4, comment="Slow")
    by_id = make_contact(email="id@example.com")
    by_phone = make_contact(phone="+14155550123")

    assert dl.Person.delete(email="erase@example.com") == {"ok": True}
    assert dl.Person.delete(id=by_id.pk) == {"ok": True}
    assert dl.Person.delete(phone_number="+14155550123") == {"ok": True}

    assert not Contact.objects.filter(pk__in=[by_email.pk, by_id.pk, by_phone.pk]).exists()
    answer.refresh_from_db()
    assert answer.contact is None and answer.score == 4  # the figures keep the answer, anonymised


def test_survey_response_create_retrieve_save_and_list(dl, campaign):
    contact = make_contact(email="fan@example.com", properties={"plan": "pro"})

    created = dl.SurveyResponse.create(
        person=str(contact.pk), score=9, comment="Love it", person_properties={"region": "EU"}
    )

    answer = Answer.objects.get()
    assert created.id == str(answer.pk)
    assert created.person == str(contact.pk)
    assert (created.score, created.comment, created.survey_type) == (9, "Love it", "nps")
    assert created.person_properties == {"plan": "pro", "region": "EU"}
    assert answer.campaign == campaign and answer.contact == contact

    retrieved = dl.SurveyResponse.retrieve(created.id, expand=["person"])
    assert isinstance(retrieved.person, dl.Person)
    assert retrieved.person.email == "fan@example.com"

    retrieved.score = 3
    retrieved.comment = "Changed my mind"
    saved = retrieved.save()
    assert (saved.score, saved.comment) == (3, "Changed my mind")
    answer.refresh_from_db()
    assert (answer.score, answer.comment) == (3, "Changed my mind")

    (listed,) = dl.SurveyResponse.all(person_email="fan@example.com")
    assert listed.id == created.id and listed.score == 3


def test_survey_response_all_pages_filters_and_orders(dl, campaign):
    now = timezone.now()
    contact = make_contact(email="filter@example.com")
    old = make_answer(campaign=campaign, contact=contact, score=2, answered_at=now - timedelta(days=10))
    middle = make_answer(campaign=campaign, contact=contact, score=7, answered_at=now - timedelta(days=5))
    new = make_answer(campaign=campaign, score=10, answered_at=now - timedelta(days=1))

    assert [r.id for r in dl.SurveyResponse.all()] == [str(old.pk), str(middle.pk), str(new.pk)]
    assert [r.id for r in dl.SurveyResponse.all(order="desc", per_page=2)] == [str(new.pk), str(middle.pk)]
    assert [r.id for r in dl.SurveyResponse.all(per_page=2, page=2)] == [str(new.pk)]
    since = int((now - timedelta(days=6)).timestamp())
    assert [r.id for r in dl.SurveyResponse.all(since=since)] == [str(middle.pk), str(new.pk)]
    assert [r.id for r in dl.SurveyResponse.all(person_id=contact.pk)] == [str(old.pk), str(middle.pk)]
    (expanded,) = dl.SurveyResponse.all(person_id=contact.pk, per_page=1, expand=["person"])
    assert expanded.person.email == "filter@example.com"


def test_metrics_match_the_dashboard(dl, campaign):
    for score in (10, 9, 8, 3):
        make_answer(campaign=campaign, score=score)
    make_answer(campaign=make_campaign(brand=campaign.brand), score=0)
    rollups.rebuild()

    metrics = dl.Metrics.retrieve(trend=str(campaign.pk))

    assert dict(metrics) == {
        "nps": 25,
        "promoter_count": 2,
        "promoter_percent": 50.0,
        "passive_count": 1,
        "passive_percent": 25.0,
        "detractor_count": 1,
        "detractor_percent": 25.0,
        "response_count": 4,
    }
    everything = queries.split(queries.Filters())
    assert dl.Metrics.retrieve().response_count == everything.total == 5
    assert dl.Metrics.retrieve().nps == round(everything.nps) == 0


def test_unsubscribes_and_bounces(dl, campaign):
    contact = make_contact(email="quiet@example.com", name="Quiet Person")
    Suppression.objects.create(address="bounced@example.com", reason=Suppression.Reason.BOUNCED)

    assert dl.Unsubscribe.create(person_email="Quiet@Example.com") == {"ok": True}

    assert Suppression.objects.get(address="quiet@example.com").reason == Suppression.Reason.UNSUBSCRIBED
    (unsubscribe,) = dl.Unsubscribe.all()
    assert unsubscribe.person_id == str(contact.pk)
    assert (unsubscribe.email, unsubscribe.name) == ("quiet@example.com", "Quiet Person")
    assert isinstance(unsubscribe.unsubscribed_at, int)
    (bounce,) = dl.Bounce.all()
    assert bounce.email == "bounced@example.com" and bounce.person_id is None
    # An unsubscribed person is not surveyed again, and Delighted's clients see no error for it.
    assert dl.Person.create(email="quiet@example.com").survey_scheduled_at is None


def test_autopilot_configuration_maps_the_recurring_campaign(dl, autopilot):
    email = dl.AutopilotConfiguration.retrieve("email")
    assert email.platform_id == "email"
    assert email.active is True
    assert email.frequency == 90 * 86400
    assert email.created_at == int(autopilot.created_at.timestamp())

    sms = dl.AutopilotConfiguration.retrieve("sms")
    assert (sms.platform_id, sms.active, sms.frequency) == ("sms", False, None)


def test_autopilot_memberships_add_list_and_remove(dl, autopilot):
    existing = make_contact(email="member0@example.com")
    Audience.objects.create(campaign=autopilot, contact=existing)
    memberships = dl.AutopilotMembership.forEmail()

    result = memberships.create(
        person_email="member1@example.com", person_name="Member One", properties={"plan": "pro"}
    )

    contact = Contact.objects.get(email="member1@example.com")
    assert result.person["id"] == str(contact.pk)
    assert result.properties == {"plan": "pro"}
    assert Audience.objects.filter(campaign=autopilot, contact=contact).exists()

    listed = list(memberships.list(per_page=1).auto_paging_iter())
    assert [m["person"]["email"] for m in listed] == ["member0@example.com", "member1@example.com"]
    assert listed[1]["next_survey_request"]["properties"] == {"plan": "pro"}

    removed = memberships.delete(person_email="member1@example.com")
    assert removed == {"person": {**result.person}}
    assert not Audience.objects.filter(campaign=autopilot, contact=contact).exists()
    assert Contact.objects.filter(pk=contact.pk).exists()  # only the membership goes


def test_autopilot_sms_membership_needs_a_phone(dl, autopilot):
    with pytest.raises(dl.errors.ResourceValidationError) as error:
        dl.AutopilotMembership.forSms().create(person_email="nophone@example.com")
    assert error.value.response.status_code == 422


def test_client_errors_for_a_wrong_key_and_the_rate_limit(dl, live_server, settings):
    wrong = dl.Client(api_key="not-a-key", api_base_url=live_server.url + "/v1/")
    with pytest.raises(dl.errors.AuthenticationError):
        dl.Metrics.retrieve(client=wrong)

    settings.API_RATELIMIT = "1/m"
    dl.Metrics.retrieve()
    with pytest.raises(dl.errors.TooManyRequestsError) as error:
        dl.Metrics.retrieve()
    assert 1 <= error.value.retry_after <= 60


def test_person_create_by_sms_while_twilio_is_not_configured_is_422_and_writes_nothing(
    dl, campaign, settings
):
    # A server without Twilio settings cannot text: the request is refused with the reason.
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = ""
    make_campaign(brand=campaign.brand, channels=["sms"], status=Campaign.Status.RUNNING)

    with pytest.raises(dl.errors.ResourceValidationError) as error:
        dl.Person.create(phone_number="+14155550199", channel="sms")

    assert error.value.response.status_code == 422
    assert "The sms channel cannot send surveys yet." in error.value.response.body
    assert not Contact.objects.exists() and not Invitation.objects.exists()


def test_person_create_by_sms_texts_the_person(dl, campaign):
    sms = make_campaign(brand=campaign.brand, channels=["sms"], status=Campaign.Status.RUNNING)

    person = dl.Person.create(phone_number="+14155550199", channel="sms")

    assert person.phone_number == "+14155550199"
    invitation = Invitation.objects.get(contact__phone="+14155550199")
    assert (invitation.campaign_id, invitation.channel) == (sms.pk, "sms")
    assert invitation.short_token


def test_autopilot_sms_memberships_by_phone_number(dl, campaign):
    sms = make_campaign(
        brand=campaign.brand,
        channels=["sms"],
        status=Campaign.Status.RUNNING,
        schedule=Campaign.Schedule.RECURRING,
        recur_days=30,
    )
    memberships = dl.AutopilotMembership.forSms()

    created = memberships.create(person_phone_number="+14155550177", person_name="Texter")

    assert created.person["phone_number"] == "+14155550177"
    assert dl.AutopilotConfiguration.retrieve("sms").frequency == 30 * 86400
    (listed,) = memberships.list(person_phone_number="+14155550177").auto_paging_iter()
    assert listed["person"]["name"] == "Texter"
    assert memberships.delete(person_phone_number="+14155550177")["person"]["id"] == created.person["id"]
    assert not Audience.objects.filter(campaign=sms).exists()
