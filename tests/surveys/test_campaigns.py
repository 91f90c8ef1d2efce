import re
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from nps.accounts.roles import Role
from responses import pages
from surveys import services
from surveys.models import Audience, Campaign, Invitation
from tests.factories import make_answer, make_brand, make_campaign, make_contact, make_invitation, make_user

pytestmark = pytest.mark.django_db
Status = Campaign.Status


@pytest.fixture
def admin_client(client):
    client.force_login(make_user(role=Role.ADMIN))
    return client


@pytest.fixture
def lead_client(client):
    client.force_login(make_user(role=Role.LEAD))
    return client


def campaign_data(brand, **overrides):
    data = {
        "name": "Spring NPS",
        "brand": brand.pk,
        "channels": ["email"],
        "question": "How likely are you to recommend {brand} to a friend or colleague?",
        "followup_promoter": "What do you like most?",
        "followup_passive": "What could we do better?",
        "followup_detractor": "What went wrong?",
        "redirect_promoter": "",
        "redirect_passive": "",
        "redirect_detractor": "",
        "schedule": "now",
        "send_at": "",
        "recur_days": "",
        "window_start": "09:00",
        "window_end": "18:00",
        "weekdays_only": "on",
        "throttle_days": "90",
        "reminder_days": "",
    }
    data.update(overrides)
    return data


def with_audience(campaign, n=2):
    for _ in range(n):
        Audience.objects.create(campaign=campaign, contact=make_contact())
    return campaign


# Create and edit


def test_admin_creates_campaign_with_overrides_and_redirect(admin_client):
    brand = make_brand(company_name="Acme")
    data = campaign_data(
        brand,
        redirect_promoter="https://reviews.example/acme",
        reminder_days="3",
        tr_hi_question="आप {brand} की सिफ़ारिश करेंगे?",
        tr_fr_followup_detractor="Qu’est-ce qui n’a pas marché ?",
    )
    response = admin_client.post("/campaigns/new/", data)
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/campaigns/{campaign.pk}/"
    assert campaign.status == Status.DRAFT
    assert campaign.channels == ["email"]
    assert campaign.redirect_promoter == "https://reviews.example/acme"
    assert campaign.reminder_days == 3
    assert campaign.translations == {
        "hi": {"question": "आप {brand} की सिफ़ारिश करेंगे?"},
        "fr": {"followup_detractor": "Qu’est-ce qui n’a pas marché ?"},
    }
    assert campaign.text("question", "hi") == "आप Acme की सिफ़ारिश करेंगे?"
    # Not overridden in French: the same text as a campaign without any override.
    assert campaign.text("question", "fr") == Campaign(brand=brand).text("question", "fr")
    assert campaign.text("followup_detractor", "fr") == "Qu’est-ce qui n’a pas marché ?"
    detail = admin_client.get(response["Location"])
    assert "Spring NPS" in detail.text
    assert "हिन्दी" in detail.text


def test_new_campaign_form_offers_only_channels_that_can_send(admin_client, settings):
    make_brand()
    settings.SMS_BACKEND, settings.TWILIO_ACCOUNT_SID = "twilio", ""  # Twilio not set up: no texting
    response = admin_client.get("/campaigns/new/")
    assert response.status_code == 200
    assert 'value="email"' in response.text
    assert 'value="sms"' not in response.text
    assert 'value="whatsapp"' not in response.text
    assert "Texts: SMS and WhatsApp" not in response.text
    assert "{brand}" in response.text


def test_new_campaign_without_brand_leads_to_brand_form(admin_client):
    response = admin_client.get("/campaigns/new/")
    assert response.status_code == 302
    assert response["Location"] == "/brands/new/"


def test_scheduled_send_time_is_read_in_workspace_time_zone(admin_client, settings):
    settings.TIME_ZONE = "Asia/Kolkata"
    brand = make_brand()
    when = timezone.localtime(timezone.now() + timedelta(days=2), timezone.get_fixed_timezone(330))
    data = campaign_data(brand, schedule="at", send_at=when.strftime("%Y-%m-%dT%H:%M"))
    assert admin_client.post("/campaigns/new/", data).status_code == 302
    assert Campaign.objects.get().send_at == when.replace(second=0, microsecond=0)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"window_start": "18:00", "window_end": "09:00"},
            "The send window must end after it starts (18:00).",
        ),
        ({"schedule": "at", "send_at": ""}, "Choose the date and time to send."),
        ({"schedule": "at", "send_at": "2020-01-01T10:00"}, "The send time must be in the future."),
        ({"schedule": "recurring"}, "A recurring campaign needs the number of days between surveys."),
        ({"schedule": "recurring", "recur_days": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"redirect_promoter": "http://reviews.example"}, "Use a full https:// address"),
        ({"redirect_passive": "javascript:alert(1)"}, "Use a full https:// address"),
        ({"redirect_detractor": "reviews.example"}, "Use a full https:// address"),
        ({"channels": []}, "Choose at least one channel."),
        ({"channels": ["phone"]}, "Select a valid choice. phone is not one of the available choices."),
        ({"throttle_days": "5000"}, "Ensure this value is less than or equal to 3650."),
        ({"name": ""}, "This field is required."),
        ({"tr_de_question": "x" * 301}, "Ensure this value has at most 300 characters"),
    ],
)
def test_bad_campaign_input_is_refused_with_message(admin_client, overrides, message):
    brand = make_brand()
    response = admin_client.post("/campaigns/new/", campaign_data(brand, **overrides))
    assert response.status_code == 400
    assert message in response.text
    assert not Campaign.objects.exists()


def test_unknown_brand_is_refused(admin_client):
    data = {**campaign_data(make_brand()), "brand": "999999"}
    response = admin_client.post("/campaigns/new/", data)
    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    assert not Campaign.objects.exists()


def test_admin_edits_campaign_and_clears_a_translation(admin_client):
    campaign = make_campaign(translations={"es": {"question": "¿Nos recomendarías?"}})
    data = campaign_data(campaign.brand, name="Renamed", tr_es_question="")
    assert admin_client.post(f"/campaigns/{campaign.pk}/edit/", data).status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "Renamed"
    assert campaign.translations == {}


def test_edit_form_shows_saved_translation(admin_client):
    campaign = make_campaign(translations={"es": {"question": "¿Nos recomendarías?"}})
    response = admin_client.get(f"/campaigns/{campaign.pk}/edit/")
    assert response.status_code == 200
    assert "¿Nos recomendarías?" in response.text


def test_running_campaign_with_past_send_time_can_still_be_edited(admin_client):
    campaign = make_campaign(status=Status.RUNNING, schedule="at", send_at=timezone.now() - timedelta(days=1))
    data = campaign_data(
        campaign.brand,
        name="Renamed",
        schedule="at",
        send_at=timezone.localtime(campaign.send_at).strftime("%Y-%m-%dT%H:%M"),
    )
    assert admin_client.post(f"/campaigns/{campaign.pk}/edit/", data).status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "Renamed"


def test_editing_running_campaign_keeps_the_text_already_sent(admin_client):
    campaign = with_audience(make_campaign(question="Old question about {brand}?"), n=1)
    services.launch_campaign(campaign)
    invitation = Invitation.objects.get(campaign=campaign)
    assert invitation.text("question") == "Old question about Acme?"

    data = campaign_data(campaign.brand, question="New question about {brand}?")
    assert admin_client.post(f"/campaigns/{campaign.pk}/edit/", data).status_code == 302

    invitation.refresh_from_db()
    campaign.refresh_from_db()
    assert campaign.status == Status.RUNNING
    assert campaign.text("question") == "New question about Acme?"
    assert invitation.text("question") == "Old question about Acme?"


def test_archived_campaign_cannot_be_edited(admin_client):
    campaign = make_campaign(status=Status.ARCHIVED, name="Old")
    response = admin_client.post(f"/campaigns/{campaign.pk}/edit/", campaign_data(campaign.brand, name="New"))
    assert response.status_code == 400
    assert "An archived campaign cannot be edited." in response.text
    campaign.refresh_from_db()
    assert campaign.name == "Old"


# Roles


def test_lead_sees_list_detail_and_preview_but_cannot_change(lead_client):
    campaign = make_campaign(name="Spring NPS")
    assert "Spring NPS" in lead_client.get("/campaigns/").text
    detail = lead_client.get(f"/campaigns/{campaign.pk}/")
    assert detail.status_code == 200
    assert "Launch" not in detail.text
    assert lead_client.get(f"/campaigns/{campaign.pk}/preview/").status_code == 200
    for url in ["/campaigns/new/", f"/campaigns/{campaign.pk}/edit/"]:
        assert lead_client.get(url).status_code == 403
        assert lead_client.post(url, campaign_data(campaign.brand, name="Hacked")).status_code == 403
    for action in ["launch", "pause", "resume", "archive", "audience"]:
        assert lead_client.post(f"/campaigns/{campaign.pk}/{action}/").status_code == 403
    campaign.refresh_from_db()
    assert (campaign.name, campaign.status) == ("Spring NPS", Status.DRAFT)


def test_viewer_cannot_see_campaigns(client):
    campaign = make_campaign()
    client.force_login(make_user(role=Role.VIEWER))
    for url in ["/campaigns/", f"/campaigns/{campaign.pk}/", f"/campaigns/{campaign.pk}/preview/"]:
        assert client.get(url).status_code == 403


# Lifecycle


def test_launch_queues_the_audience_and_runs(admin_client):
    campaign = with_audience(make_campaign(), n=3)
    response = admin_client.post(f"/campaigns/{campaign.pk}/launch/", follow=True)
    campaign.refresh_from_db()
    assert campaign.status == Status.RUNNING
    assert "is running: 3 invitations queued." in response.text
    assert Invitation.objects.filter(campaign=campaign).count() == 3


def test_launch_with_future_send_time_schedules(admin_client):
    campaign = with_audience(make_campaign(schedule="at", send_at=timezone.now() + timedelta(days=1)))
    admin_client.post(f"/campaigns/{campaign.pk}/launch/")
    campaign.refresh_from_db()
    assert campaign.status == Status.SCHEDULED


def test_launch_with_empty_audience_is_refused(admin_client):
    campaign = make_campaign()
    response = admin_client.post(f"/campaigns/{campaign.pk}/launch/")
    assert response.status_code == 400
    assert "The audience is empty: add contacts before launching." in response.text
    campaign.refresh_from_db()
    assert campaign.status == Status.DRAFT


def test_launch_after_send_time_passed_is_refused(admin_client):
    campaign = with_audience(make_campaign(schedule="at", send_at=timezone.now() - timedelta(minutes=5)))
    response = admin_client.post(f"/campaigns/{campaign.pk}/launch/")
    assert response.status_code == 400
    assert "The send time has passed" in response.text
    assert not Invitation.objects.exists()


def test_pause_resume_archive(admin_client):
    campaign = make_campaign(status=Status.RUNNING)
    admin_client.post(f"/campaigns/{campaign.pk}/pause/")
    campaign.refresh_from_db()
    assert campaign.status == Status.PAUSED
    admin_client.post(f"/campaigns/{campaign.pk}/resume/")
    campaign.refresh_from_db()
    assert campaign.status == Status.RUNNING
    admin_client.post(f"/campaigns/{campaign.pk}/archive/")
    campaign.refresh_from_db()
    assert campaign.status == Status.ARCHIVED


def test_resume_before_send_time_goes_back_to_scheduled(admin_client):
    campaign = make_campaign(status=Status.PAUSED, schedule="at", send_at=timezone.now() + timedelta(hours=3))
    admin_client.post(f"/campaigns/{campaign.pk}/resume/")
    campaign.refresh_from_db()
    assert campaign.status == Status.SCHEDULED


@pytest.mark.parametrize(
    ("status", "action", "message"),
    [
        (Status.RUNNING, "launch", "Only a draft can be launched; this campaign is running."),
        (Status.DRAFT, "pause", "A draft campaign cannot be paused."),
        (Status.PAUSED, "pause", "This campaign is already paused."),
        (Status.RUNNING, "resume", "This campaign is already running."),
        (Status.DRAFT, "resume", "A draft campaign cannot be resumed."),
        (Status.ARCHIVED, "resume", "An archived campaign cannot be resumed."),
        (Status.ARCHIVED, "archive", "This campaign is already archived."),
    ],
)
def test_invalid_transition_is_refused_with_message(admin_client, status, action, message):
    campaign = with_audience(make_campaign(status=status))
    response = admin_client.post(f"/campaigns/{campaign.pk}/{action}/")
    assert response.status_code == 400
    assert message in response.text
    campaign.refresh_from_db()
    assert campaign.status == status
    assert not Invitation.objects.exists()


def test_lifecycle_needs_post(admin_client):
    campaign = with_audience(make_campaign())
    # GET on launch is the confirmation page (tests/surveys/test_launch_confirmation.py): it launches nothing.
    assert admin_client.get(f"/campaigns/{campaign.pk}/launch/").status_code == 200
    assert admin_client.get(f"/campaigns/{campaign.pk}/archive/").status_code == 405
    campaign.refresh_from_db()
    assert campaign.status == Status.DRAFT
    assert not Invitation.objects.exists()


def test_archived_campaigns_are_hidden_until_asked_for(admin_client):
    make_campaign(name="Live one", status=Status.RUNNING)
    make_campaign(name="Old one", status=Status.ARCHIVED)
    page = admin_client.get("/campaigns/").text
    assert "Live one" in page
    assert "Old one" not in page
    assert "Show archived campaigns (1)" in page
    page = admin_client.get("/campaigns/?archived=1").text
    assert "Old one" in page
    assert "Hide archived campaigns" in page


# Audience


def test_audience_filter_adds_matching_contacts_once(admin_client):
    campaign = make_campaign()
    pro_eu = make_contact(properties={"plan": "pro", "region": "EU"})
    pro_us = make_contact(properties={"plan": "pro", "region": "US"})
    make_contact(properties={"plan": "pro", "region": "APAC"})
    make_contact(properties={"plan": "free", "region": "EU"})
    make_contact(properties={})
    data = {"property_1": "plan", "values_1": "pro", "property_2": "region", "values_2": "EU, US"}

    response = admin_client.post(f"/campaigns/{campaign.pk}/audience/", data, follow=True)
    assert "2 contacts added to the audience." in response.text
    assert set(campaign.audience.values_list("contact", flat=True)) == {pro_eu.pk, pro_us.pk}
    campaign.refresh_from_db()
    assert campaign.audience_filter == {"plan": "pro", "region": ["EU", "US"]}

    again = admin_client.post(f"/campaigns/{campaign.pk}/audience/", data, follow=True)
    assert "No new contact matched." in again.text
    assert campaign.audience.count() == 2
    detail = admin_client.get(f"/campaigns/{campaign.pk}/").text
    # The saved filter comes back as ticked values in the audience builder.
    assert 'name="pick_2" value="EU" checked' in detail
    assert 'name="pick_2" value="US" checked' in detail


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"property_1": "", "values_1": ""}, "Name the property to filter on, e.g. plan."),
        ({"property_1": "plan", "values_1": " , "}, "Tick or type at least one value for “plan”."),
        (
            {"property_1": "plan", "values_1": "pro", "values_2": "EU"},
            "Name the property these values belong to.",
        ),
        (
            {"property_1": "plan", "values_1": "pro", "property_2": "plan", "values_2": "free"},
            "“plan” is already used in this filter.",
        ),
    ],
)
def test_bad_audience_filter_is_refused(admin_client, data, message):
    campaign = make_campaign()
    make_contact(properties={"plan": "pro"})
    response = admin_client.post(f"/campaigns/{campaign.pk}/audience/", data)
    assert response.status_code == 400
    assert message in response.text
    assert not Audience.objects.exists()
    campaign.refresh_from_db()
    assert campaign.audience_filter == {}


# Figures


def test_list_shows_audience_sent_answers_and_nps(admin_client):
    campaign = with_audience(make_campaign(name="Spring NPS", status=Status.RUNNING), n=4)
    for score in (10, 9, 7, 3):
        invitation = make_invitation(campaign=campaign, state=Invitation.State.SENT)
        make_answer(invitation=invitation, score=score)
    make_invitation(campaign=campaign, state=Invitation.State.QUEUED)
    rows = admin_client.get("/campaigns/").context["rows"]
    [(_, figures)] = rows
    assert (figures.audience, figures.sent, figures.answers) == (4, 4, 4)
    assert figures.split.nps == 25.0
    detail = admin_client.get(f"/campaigns/{campaign.pk}/").text
    assert "+25" in detail
    assert "100% response rate" in detail


def test_list_runs_the_same_queries_for_one_or_many_campaigns(admin_client):
    make_answer(campaign=make_campaign())
    admin_client.get("/campaigns/")  # warm the session and user caches
    with CaptureQueriesContext(connection) as one:
        admin_client.get("/campaigns/")
    for _ in range(5):
        make_answer(invitation=make_invitation(campaign=with_audience(make_campaign()), state="sent"))
    with CaptureQueriesContext(connection) as six:
        response = admin_client.get("/campaigns/")
    assert len(response.context["rows"]) == 6
    assert len(six) == len(one)


# Preview


def test_preview_shows_the_email_in_the_chosen_language(lead_client):
    campaign = make_campaign(
        brand=make_brand(sender_name="Acme Care", sender_email="care@acme.example"),
        translations={"es": {"question": "¿Recomendarías {brand}?"}},
    )
    page = lead_client.get(f"/campaigns/{campaign.pk}/preview/?lang=es")
    assert page.status_code == 200
    assert "Acme Care" in page.text
    assert "care@acme.example" in page.text
    assert f"/campaigns/{campaign.pk}/preview/email/?lang=es" in page.text
    assert 'sandbox src="' in page.text

    email = lead_client.get(f"/campaigns/{campaign.pk}/preview/email/?lang=es")
    assert email.status_code == 200
    assert "¿Recomendarías Acme?" in email.text
    assert email["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in email["Content-Security-Policy"]
    assert "script-src 'none'" in email["Content-Security-Policy"]
    assert not Invitation.objects.exists()


def test_preview_shows_the_plain_text_part_as_text_not_html(lead_client):
    campaign = make_campaign(question='Would you recommend {brand}? <img src=x onerror="alert(1)">')
    page = lead_client.get(f"/campaigns/{campaign.pk}/preview/")
    assert page.status_code == 200
    assert "Would you recommend Acme? &lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page.text
    assert "<img src=x" not in page.text


def test_preview_of_answer_page_records_nothing(lead_client):
    campaign = make_campaign(translations={"fr": {"followup_promoter": "Qu’avez-vous aimé ?"}})
    response = lead_client.get(f"/campaigns/{campaign.pk}/preview/answer/?lang=fr")
    assert response.status_code == 200
    assert "Qu’avez-vous aimé ?" in response.text
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    # The brand's inline style is allowed by its hash here too (the preview's own policy, combined).
    style = re.search(r"<style>(.*?)</style>", response.text).group(1)
    assert pages.style_source(style) in response["Content-Security-Policy"]
    assert not Invitation.objects.exists()


def test_other_pages_still_refuse_framing(lead_client):
    response = lead_client.get("/campaigns/")
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_preview_with_unknown_language_falls_back_to_english(lead_client):
    campaign = make_campaign()
    response = lead_client.get(f"/campaigns/{campaign.pk}/preview/?lang=xx")
    assert response.status_code == 200
    assert "A quick question from Acme" in response.text


def test_window_defaults(admin_client):
    campaign = make_campaign()
    assert (campaign.window_start, campaign.window_end, campaign.throttle_days) == (time(9), time(18), 90)


@time_machine.travel(datetime(2026, 11, 25, 12, 0, tzinfo=UTC), tick=False)
def test_launching_sends_what_is_due_at_once(django_capture_on_commit_callbacks):
    campaign = make_campaign()
    contact = make_contact(time_zone="UTC")
    Audience.objects.create(campaign=campaign, contact=contact)
    with django_capture_on_commit_callbacks(execute=True):
        services.launch_campaign(campaign)
    assert [m.to for m in mail.outbox] == [[contact.email]]
    assert campaign.invitations.get().state == "sent"


def test_contacts_who_match_a_saved_filter_later_join_live_campaigns_only():
    running = make_campaign(status=Campaign.Status.RUNNING, audience_filter={"plan": "pro"})
    paused = make_campaign(status=Campaign.Status.PAUSED, audience_filter={"plan": "pro"})
    make_campaign(status=Campaign.Status.RUNNING)  # no saved filter: its audience is left alone
    later = make_contact(properties={"plan": "pro"})
    make_contact(properties={"plan": "free"})

    assert services.refresh_filtered_audiences() == 1
    assert list(running.audience.values_list("contact", flat=True)) == [later.pk]
    assert not paused.audience.exists()
    assert services.refresh_filtered_audiences() == 0


def test_a_campaign_customers_come_to_launches_without_an_audience(admin_client):
    # The widget, the public link and the kiosk send nothing: their campaign needs no contacts to run.
    campaign = make_campaign(channels=["link", "kiosk"])
    response = admin_client.post(f"/campaigns/{campaign.pk}/launch/", follow=True)
    campaign.refresh_from_db()
    assert campaign.status == Status.RUNNING
    assert response.status_code == 200
    assert not Invitation.objects.filter(campaign=campaign).exists()
