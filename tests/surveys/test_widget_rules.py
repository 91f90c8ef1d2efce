"""Who the on-site widget asks, and how a call is read (surveys/widget.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from nps.accounts.roles import Role
from surveys import widget
from surveys.models import Campaign, Contact, Invitation, Site
from surveys.widget import SurveyCall, WidgetError
from tests.factories import make_answer, make_campaign, make_contact, make_invitation, make_user

from .widget_helpers import make_site

pytestmark = pytest.mark.django_db


def call(**options) -> SurveyCall:
    return widget.parse_survey_call(options)


def web_invitation(site, contact, *, days_ago, **fields):
    sent_at = timezone.now() - timedelta(days=days_ago)
    return make_invitation(
        campaign=site.campaign,
        contact=contact,
        channel="web",
        state=Invitation.State.SENT,
        sent_at=sent_at,
        state_changed_at=sent_at,
        **fields,
    )


# Origins -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://app.example.com", True),
        ("https://APP.Example.COM", True),
        ("https://app.example.com:443", True),
        ("http://app.example.com", False),  # another scheme
        ("https://app.example.com:8443", False),
        ("https://evil.example.com", False),
        ("https://app.example.com.evil.test", False),
        ("https://app.example.com/path", False),
        ("https://user@app.example.com", False),
        ("null", False),
        ("", False),
        (None, False),
        ("https://app.example.com\x00", False),
        ("http://localhost:3000", True),
        ("http://localhost", False),
    ],
)
def test_an_origin_matches_scheme_host_and_port_exactly(origin, allowed):
    site = make_site(allowed_origins=["https://app.example.com", "http://localhost:3000/"])
    assert widget.origin_allowed(site, origin) is allowed


def test_default_ports_are_the_same_origin_written_or_not():
    site = make_site(allowed_origins=["http://shop.example.com:80"])
    assert widget.origin_allowed(site, "http://shop.example.com")
    assert widget.find_site(site.key) == site
    assert widget.find_site("no-such-key") is None
    assert widget.find_site("x\x00y") is None


# Identity ----------------------------------------------------------------------------------------


def test_a_signed_identity_is_the_hmac_of_the_external_id_else_the_email():
    site = make_site(require_user_hash=True)
    good = widget.user_hash(site, "asha@example.com")
    widget.verify_identity(site, email="asha@example.com", external_id=None, user_hash_value=good)
    widget.verify_identity(site, email="asha@example.com", external_id=None, user_hash_value=good.upper())
    by_id = widget.user_hash(site, "user-17")
    widget.verify_identity(site, email="asha@example.com", external_id="user-17", user_hash_value=by_id)
    with pytest.raises(WidgetError) as refused:
        widget.verify_identity(site, email="asha@example.com", external_id="user-17", user_hash_value=good)
    assert refused.value.status == 403
    assert str(refused.value) == "userHash does not match the externalId."


def test_an_unsigned_identity_is_refused_only_where_signatures_are_required():
    strict, lenient = make_site(require_user_hash=True), make_site(require_user_hash=False)
    with pytest.raises(WidgetError) as refused:
        widget.verify_identity(strict, email="a@example.com", external_id=None, user_hash_value=None)
    assert refused.value.status == 403
    widget.verify_identity(lenient, email="a@example.com", external_id=None, user_hash_value=None)
    # An anonymous visitor has nothing to sign.
    widget.verify_identity(strict, email=None, external_id=None, user_hash_value=None)
    # A wrong signature is refused even where none is required.
    with pytest.raises(WidgetError):
        widget.verify_identity(lenient, email="a@example.com", external_id=None, user_hash_value="0" * 64)


# Reading a call ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b"x" * (16 * 1024 + 1), 413, "The body is larger than 16 KB."),
        (b"\xff\xfe", 400, "The body is not UTF-8 text."),
        (b'{"email": ', 400, "The body is not valid JSON"),
        (b"[1, 2]", 400, "The body must be a JSON object."),
        (b'{"sampleFactor": NaN}', 400, "The body holds NaN, which is not a number in JSON."),
        (b'{"initialDelay": 1e999}', 400, "The number 1e999 is too large."),
        (b'{"initialDelay": ' + b"9" * 40 + b"}", 400, "A number in the body is too large."),
        ('{"initialDelay": ٣٠}'.encode(), 400, "The body is not valid JSON"),
        (b"[" * 5000 + b"]" * 5000, 400, "The body"),
    ],
)
def test_a_body_that_is_not_a_small_json_object_is_refused_precisely(body, status, message):
    with pytest.raises(WidgetError) as refused:
        widget.read_json(body)
    assert refused.value.status == status
    assert refused.value.message.startswith(message)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"email": 7}, "email must be a string."),
        ({"email": "not-an-address"}, "“not-an-address” is not a valid email address."),
        ({"email": "a\x00@example.com"}, "email cannot contain the NUL character (U+0000)."),
        ({"externalId": True}, "externalId must be a string."),
        ({"externalId": 2**60}, "externalId is too large a number; send it as a string."),
        ({"externalId": "anon:x"}, "externalId cannot start with “anon:”."),
        ({"externalId": "x" * 151}, "externalId is longer than 150 characters."),
        ({"anonymousId": "short"}, "anonymousId must be 16 to 64 letters, digits, “-” or “_”."),
        ({"name": ["Asha"]}, "name must be a string."),
        ({"createdAt": "٢٠٢٤-01-01"}, "createdAt must be an ISO 8601 date and time or Unix seconds."),
        ({"createdAt": "yesterday"}, "createdAt must be an ISO 8601 date and time or Unix seconds."),
        ({"createdAt": 1e20}, "createdAt must be an ISO 8601 date and time or Unix seconds."),
        ({"createdAt": True}, "createdAt must be an ISO 8601 date and time or Unix seconds."),
        ({"initialDelay": "30"}, "initialDelay must be a number of seconds from 0 to 315360000."),
        ({"initialDelay": -1}, "initialDelay must be a number of seconds from 0 to 315360000."),
        ({"recurringPeriod": 10**12}, "recurringPeriod must be a number of seconds from 0 to 315360000."),
        ({"sampleFactor": 1.5}, "sampleFactor must be a number from 0 to 1."),
        ({"sampleFactor": True}, "sampleFactor must be a number from 0 to 1."),
        ({"forceDisplay": "yes"}, "forceDisplay must be true or false."),
        ({"properties": ["plan"]}, "properties must be an object of names and values."),
        (
            {"properties": {"plan": {"tier": 1}}},
            "properties.plan must be a string, a number, true, false or null.",
        ),
        ({"properties": {"plan": "x" * 501}}, "properties.plan is longer than 500 characters."),
        ({"properties": {"plan": "pro\x00"}}, "properties.plan cannot contain the NUL character (U+0000)."),
        ({"properties": {"seats": 2**60}}, "properties.seats is too large a number."),
        ({"properties": {"   ": "x"}}, "Property names are 1 to 100 characters long."),
        ({"properties": {f"p{n}": n for n in range(51)}}, "properties holds more than 50 names."),
    ],
)
def test_a_wrong_option_is_named_in_the_error(options, message):
    with pytest.raises(WidgetError) as refused:
        widget.parse_survey_call(options)
    assert refused.value.status == 400
    assert refused.value.message == message


def test_a_call_reads_numbers_dates_and_properties():
    parsed = call(
        email="Asha@Example.com",
        externalId=17,
        createdAt="2024-05-01T10:00:00Z",
        initialDelay=86400,
        properties={" Plan ": "pro", "Seats": 12, "trial": False, "gone": None},
        minTimeOnPage=5,  # the widget's own option: ignored here
    )
    assert parsed.email == "Asha@Example.com"  # as sent: the signature covers it
    assert parsed.external_id == "17"
    assert parsed.created_at.isoformat() == "2024-05-01T10:00:00+00:00"
    assert parsed.initial_delay == timedelta(days=1)
    assert parsed.properties == {"plan": "pro", "seats": 12, "trial": False, "gone": None}
    assert call(createdAt=1714557600).created_at == parsed.created_at
    assert call(createdAt="1714557600").created_at == parsed.created_at


# Who the visitor is ------------------------------------------------------------------------------


def test_an_email_call_updates_the_contact_under_the_contacts_rules():
    site = make_site()
    existing = make_contact(email="asha@example.com", properties={"plan": "free", "region": "EU"})
    contact = widget.identify(
        site,
        call(
            email="ASHA@example.com",
            name="Asha",
            properties={"Plan": "pro", "region": None, "locale": "pt-BR", "questionProductName": "Acme Pay"},
        ),
    )
    assert contact.pk == existing.pk
    contact.refresh_from_db()
    assert contact.properties == {
        "plan": "pro"
    }  # merged; null removes; locale and the product are no property
    assert contact.language == "pt"
    assert contact.name == "Asha"


def test_an_external_id_is_a_contact_of_its_own_and_claims_an_unlinked_email():
    site = make_site()
    known = make_contact(email="ravi@example.com")
    contact = widget.identify(site, call(externalId="user-9", email="ravi@example.com"))
    assert contact.pk == known.pk
    assert Contact.objects.get(pk=known.pk).external_id == "user-9"
    other = widget.identify(site, call(externalId="user-10", properties={"plan": "pro"}))
    assert (other.external_id, other.email, other.anonymous, other.properties) == (
        "user-10",
        None,
        False,
        {"plan": "pro"},
    )
    # Another contact's email is not taken over.
    again = widget.identify(site, call(externalId="user-10", email="ravi@example.com"))
    assert again.pk == other.pk
    assert Contact.objects.get(pk=other.pk).email is None


def test_anonymous_visitors_only_where_the_site_allows_them():
    open_site, closed_site = make_site(allow_anonymous=True), make_site(allow_anonymous=False)
    visitor = widget.identify(open_site, call(anonymousId="7f9c2a4e-1b3d-4c5e-8f60-718293a4b5c6"))
    assert visitor.external_id == f"anon:{open_site.key}:7f9c2a4e-1b3d-4c5e-8f60-718293a4b5c6"
    assert visitor.anonymous
    with pytest.raises(WidgetError) as refused:
        widget.identify(closed_site, call(anonymousId="7f9c2a4e-1b3d-4c5e-8f60-718293a4b5c6"))
    assert refused.value.status == 403
    with pytest.raises(WidgetError) as nobody:
        widget.identify(open_site, call())
    assert nobody.value.status == 400
    assert Contact.objects.count() == 1


# Whether to ask ----------------------------------------------------------------------------------


def test_a_yes_opens_a_sent_web_invitation_and_throttles_the_contact():
    site = make_site(language="fr")
    contact = widget.identify(site, call(email="asha@example.com"))
    now = timezone.now()
    decision = widget.decide(site, contact, call(), now=now)
    assert (decision.show, decision.reason) == (True, "eligible")
    invitation = Invitation.objects.get()
    assert decision.invitation == invitation
    assert (invitation.channel, invitation.state, invitation.sent_at, invitation.language) == (
        "web",
        "sent",
        now,
        "fr",
    )
    assert Contact.objects.get(pk=contact.pk).last_surveyed_at == now


def test_an_open_survey_is_shown_again_not_opened_twice():
    site = make_site(campaign=make_campaign(channels=["web"], status="running", throttle_days=0))
    contact = widget.identify(site, call(email="asha@example.com"))
    first = widget.decide(site, contact, call())
    again = widget.decide(site, contact, call())
    assert (again.show, again.reason, again.invitation.pk) == (True, "open", first.invitation.pk)
    widget.dismiss(first.invitation)
    assert widget.decide(site, contact, call()).reason == "dismissed_recently"
    assert Invitation.objects.count() == 1


def test_initial_delay_counts_from_created_at():
    site = make_site()
    contact = widget.identify(site, call(email="asha@example.com"))
    yesterday = (timezone.now() - timedelta(days=1)).isoformat()
    assert (
        widget.decide(site, contact, call(createdAt=yesterday, initialDelay=2 * 86400)).reason
        == "initial_delay"
    )
    assert not Invitation.objects.exists()
    assert widget.decide(site, contact, call(createdAt=yesterday, initialDelay=3600)).show


def test_initial_delay_without_created_at_counts_from_the_contact():
    site = make_site()
    contact = widget.identify(site, call(email="new@example.com"))
    assert widget.decide(site, contact, call(initialDelay=600)).reason == "initial_delay"


def test_a_contact_emailed_three_days_ago_by_another_campaign_is_not_asked():
    site = make_site()  # throttle_days=30
    contact = make_contact(email="asha@example.com")
    emailed = timezone.now() - timedelta(days=3)
    make_invitation(contact=contact, channel="email", state="sent", sent_at=emailed)
    Contact.objects.filter(pk=contact.pk).update(last_surveyed_at=emailed)  # as delivery records it
    decision = widget.decide(site, widget.identify(site, call(email="asha@example.com")), call())
    assert (decision.show, decision.reason) == (False, "throttled")
    assert not Invitation.objects.filter(channel="web").exists()
    assert widget.decide(site, contact, call(forceDisplay=True)).reason == "forced"


def test_ask_once_means_once_unless_the_recurring_period_passed():
    site = make_site(recontact=Site.Recontact.ONCE)
    contact = make_contact()
    web_invitation(site, contact, days_ago=40)  # unanswered, beyond the 30-day throttle
    assert widget.decide(site, contact, call()).reason == "already_asked"
    assert widget.decide(site, contact, call(recurringPeriod=50 * 86400)).reason == "already_asked"
    shown = widget.decide(site, contact, call(recurringPeriod=35 * 86400))
    assert (shown.show, shown.invitation.round) == (True, 2)


def test_until_answered_asks_again_until_an_answer_then_after_the_recurring_period():
    site = make_site(recontact=Site.Recontact.UNTIL_ANSWERED)
    contact = make_contact()
    unanswered = web_invitation(site, contact, days_ago=40)
    assert widget.decide(site, contact, call()).show  # asked again: never answered
    contact.refresh_from_db()
    Contact.objects.filter(pk=contact.pk).update(last_surveyed_at=None)

    other = make_contact()
    answered = web_invitation(site, other, days_ago=40)
    make_answer(invitation=answered, channel="web", answered_at=timezone.now() - timedelta(days=40))
    assert widget.decide(site, other, call()).reason == "already_answered"
    assert widget.decide(site, other, call(recurringPeriod=60 * 86400)).reason == "already_answered"
    assert widget.decide(site, other, call(recurringPeriod=30 * 86400)).show
    assert unanswered.pk


def test_a_dismissal_waits_the_sites_days():
    site = make_site(dismiss_wait_days=30)
    contact = make_contact()
    web_invitation(site, contact, days_ago=40, dismissed_at=timezone.now() - timedelta(days=10))
    assert widget.decide(site, contact, call()).reason == "dismissed_recently"
    Site.objects.filter(pk=site.pk).update(dismiss_wait_days=7)
    site.refresh_from_db()
    assert widget.decide(site, contact, call()).show


@pytest.mark.parametrize(
    ("site_factor", "call_factor", "shown"),
    [(0.0, None, False), (1.0, None, True), (1.0, 0.0, False), (0.0, 1.0, False), (1.0, 1.0, True)],
)
def test_sampling_takes_the_smaller_factor(site_factor, call_factor, shown):
    site = make_site(sample_factor=site_factor)
    contact = make_contact()
    decision = widget.decide(site, contact, call(sampleFactor=call_factor))
    assert decision.show is shown
    assert decision.reason == ("eligible" if shown else "not_sampled")
    assert Invitation.objects.exists() is shown


def test_sampling_draws_against_the_factor():
    site = make_site(sample_factor=0.3)
    assert widget.decide(site, make_contact(), call(), draw=lambda: 0.29).show
    assert widget.decide(site, make_contact(), call(), draw=lambda: 0.3).reason == "not_sampled"


def test_a_campaign_that_is_not_running_asks_nobody_but_force_display_tests_it():
    site = make_site(campaign=make_campaign(channels=["web"], status=Campaign.Status.PAUSED))
    contact = make_contact()
    assert widget.decide(site, contact, call()).reason == "campaign_not_running"
    forced = widget.decide(site, contact, call(forceDisplay=True))
    assert (forced.show, forced.reason) == (True, "forced")
    Campaign.objects.filter(pk=site.campaign_id).update(status=Campaign.Status.ARCHIVED)
    site.refresh_from_db()
    assert widget.decide(site, make_contact(), call(forceDisplay=True)).reason == "campaign_archived"


def test_dismissing_an_answered_survey_changes_nothing():
    site = make_site()
    invitation = web_invitation(site, make_contact(), days_ago=0)
    make_answer(invitation=invitation, channel="web")
    assert not widget.dismiss(invitation)
    assert Invitation.objects.get().dismissed_at is None


# What the card says ------------------------------------------------------------------------------


def test_the_card_speaks_the_invitations_language_right_to_left_for_arabic():
    site = make_site(language="ar")
    decision = widget.decide(site, make_contact(), call())
    texts = widget.widget_texts(decision.invitation, "en")
    assert decision.invitation.language == "ar"
    assert widget.text_direction("ar") == "rtl" and widget.text_direction("hi") == "ltr"
    assert set(texts) >= {
        "question",
        "followup_promoter",
        "followup_passive",
        "followup_detractor",
        "followup_default",
        "anchor_low",
        "anchor_high",
        "send",
        "thanks",
        "thanks_detail",
        "close",
    }
    assert "Acme" in texts["question"] and "How likely" not in texts["question"]
    assert texts["anchor_low"] != "0 = not at all likely"
    assert texts["thanks"] != "Thank you!"


def test_questionproductname_names_the_product_in_the_question():
    site = make_site()
    contact = make_contact()
    decision = widget.decide(site, contact, call(properties={"questionProductName": "Acme Pay"}))
    assert widget.widget_texts(decision.invitation, "en")["question"] == (
        "How likely are you to recommend Acme Pay to a friend or colleague?"
    )


# The campaign preview's panel --------------------------------------------------------------------


def test_the_campaign_preview_shows_the_widget_card_and_its_sites(client):
    site = make_site(name="Billing app", allowed_origins=["https://billing.example.com"])
    client.force_login(make_user(role=Role.LEAD))
    page = client.get(f"/campaigns/{site.campaign_id}/preview/?lang=hi")
    assert page.status_code == 200
    assert "Billing app" in page.text
    assert "https://billing.example.com" in page.text
    assert 'lang="hi"' in page.text
    # The card's texts, in the chosen language: the answer pages' own translations.
    with translation.override("hi"):
        assert translation.gettext("0 = not at all likely") in page.text
