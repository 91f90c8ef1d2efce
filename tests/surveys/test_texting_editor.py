"""The admin's side of texting: the campaign editor's Texts section, its counter, the brand's texting
settings, the campaign page's texting summary and the phone preview."""

import re

import pytest

from nps.accounts.roles import Role
from surveys.channels.texting import compose
from surveys.channels.texting.preview import SAMPLE_SHORT_TOKEN
from surveys.models import Audience, Brand, Campaign, TextMode
from tests.factories import make_brand, make_campaign, make_contact, make_user
from tests.surveys.test_brands import brand_data
from tests.surveys.test_campaigns import campaign_data

pytestmark = pytest.mark.django_db

DLT_ID = "1107161234567890123"
CONTENT_SID = "HX" + "0123456789abcdef" * 2
HINDI_BODY = "{question} जवाब दें: {link}"


@pytest.fixture
def admin_client(client):
    client.force_login(make_user(role=Role.ADMIN))
    return client


def text_campaign_data(brand, **overrides):
    return campaign_data(brand, **{"channels": ["sms"], "text_mode": "link", "sms_body": "", **overrides})


def errors_of(response) -> str:
    return " ".join(re.findall(r'class="field-error">([^<]*)<', response.text))


# Saving a texting campaign


def test_admin_saves_sms_reply_mode_campaign_with_texts_dlt_ids_and_translation(admin_client):
    brand = make_brand(company_name="Acme")
    data = text_campaign_data(
        brand,
        text_mode="reply",
        sms_body="{brand} asks: {question} Reply 0-10.",
        tr_hi_sms_body="{question} 0 से 10 तक जवाब दें।",
        dlt_en=DLT_ID,
        dlt_hi="1107161234567890999",
    )
    response = admin_client.post("/campaigns/new/", data)
    assert response.status_code == 302, errors_of(response)
    campaign = Campaign.objects.get()
    assert campaign.channels == ["sms"]
    assert campaign.text_mode == TextMode.REPLY
    assert campaign.sms_body == "{brand} asks: {question} Reply 0-10."
    assert campaign.translations["hi"]["sms_body"] == "{question} 0 से 10 तक जवाब दें।"
    # Each template ID is kept with the text it was registered for: the link text, {#var#} for the token.
    assert campaign.dlt_templates["en"] == {"id": DLT_ID, "text": compose.dlt_template_text(campaign, "en")}
    assert campaign.dlt_templates["hi"]["text"].endswith("/s?{#var#}")
    assert set(campaign.dlt_templates) == {"en", "hi"}


def test_sms_text_keeps_line_breaks(admin_client):
    brand = make_brand()
    data = text_campaign_data(brand, sms_body="{question}\r\nAnswer: {link}")
    assert admin_client.post("/campaigns/new/", data).status_code == 302
    assert Campaign.objects.get().sms_body == "{question}\nAnswer: {link}"


def test_campaign_without_texting_fields_keeps_link_mode(admin_client):
    # An email campaign's form posts no text mode: the default stays.
    response = admin_client.post("/campaigns/new/", campaign_data(make_brand()))
    assert response.status_code == 302
    assert Campaign.objects.get().text_mode == TextMode.LINK


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"sms_body": "{question} Answer now"}, "A link-mode text needs {link}"),
        ({"tr_ar_sms_body": "{question}"}, "A link-mode text needs {link}"),
        ({"sms_body": "{question} {name} {link}"}, "{name} is not a placeholder"),
        ({"sms_body": "{question}\t{link}"}, "Remove the tabs and other control characters"),
        ({"sms_body": "{question} \x00 {link}"}, "Remove the tabs and other control characters"),
        ({"tr_hi_sms_body": "क\x00 {link}"}, "Remove the tabs and other control characters"),
        ({"sms_body": "{link} " + "x" * 640}, "Ensure this value has at most 640 characters"),
        ({"dlt_en": "abc"}, "A DLT template ID is the 19-digit number"),
        ({"dlt_hi": "1234"}, "A DLT template ID is the 19-digit number"),
        ({"dlt_en": "１１０７１６１２３４５６７８９０１２３"}, "A DLT template ID is the 19-digit number"),
        ({"wa_en": "HX123"}, "A Content SID is “HX” followed by 32 characters"),
        ({"wa_hi": "MG" + "0" * 32}, "A Content SID is “HX” followed by 32 characters"),
        ({"wa_en": "HX" + "G" * 32}, "A Content SID is “HX” followed by 32 characters"),
        ({"wa_en": "HX\x00"}, "Null characters are not allowed."),
    ],
)
def test_bad_texting_input_is_refused_with_message(admin_client, overrides, message):
    response = admin_client.post("/campaigns/new/", text_campaign_data(make_brand(), **overrides))
    assert response.status_code == 400
    assert message in response.text
    assert not Campaign.objects.exists()


def test_reply_mode_text_may_leave_the_link_out(admin_client):
    data = text_campaign_data(make_brand(), text_mode="reply", sms_body="{question} Reply 0 to 10.")
    assert admin_client.post("/campaigns/new/", data).status_code == 302


def test_whatsapp_without_content_sid_is_refused_when_twilio_sends(admin_client, settings):
    settings.SMS_BACKEND = "twilio"
    brand = make_brand()
    response = admin_client.post("/campaigns/new/", text_campaign_data(brand, channels=["whatsapp"]))
    assert response.status_code == 400
    assert "WhatsApp only delivers approved templates: enter the Content SID of the English template." in (
        response.text
    )
    assert not Campaign.objects.exists()
    # A Hindi template alone is not enough: languages without their own get the default language's.
    response = admin_client.post(
        "/campaigns/new/", text_campaign_data(brand, channels=["whatsapp"], wa_hi=CONTENT_SID)
    )
    assert response.status_code == 400
    response = admin_client.post(
        "/campaigns/new/", text_campaign_data(brand, channels=["whatsapp"], wa_en=CONTENT_SID)
    )
    assert response.status_code == 302
    assert Campaign.objects.get().whatsapp_templates == {"en": CONTENT_SID}


def test_whatsapp_without_content_sid_is_accepted_by_the_demo_file_backend(admin_client, settings):
    settings.SMS_BACKEND = "file"
    response = admin_client.post(
        "/campaigns/new/", text_campaign_data(make_brand(), channels=["sms", "whatsapp", "email"])
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.channels == ["sms", "whatsapp", "email"]
    assert campaign.whatsapp_templates == {}


# The editor page


def test_editor_shows_texts_section_with_counters_and_templates_to_register(admin_client):
    campaign = make_campaign(
        brand=make_brand(company_name="Acme"),
        channels=["sms", "whatsapp"],
        translations={"hi": {"sms_body": HINDI_BODY}},
        whatsapp_templates={"en": CONTENT_SID},
    )
    response = admin_client.get(f"/campaigns/{campaign.pk}/edit/")
    assert response.status_code == 200
    page = response.text
    assert "Texts: SMS and WhatsApp" in page
    assert "Reply mode is not possible for Indian numbers" in page
    assert 'value="whatsapp" id="id_channels_2" checked' in page
    assert HINDI_BODY in page
    assert "UCS-2" in page and "GSM-7" in page
    # The text to register on DLT, with the variable marked as operators expect.
    assert "/s?{#var#}" in page
    # The WhatsApp template: its body and the URL button with {{1}}.
    assert "/s?{{1}}" in page
    assert CONTENT_SID in page


def test_editor_warns_when_the_text_no_longer_matches_its_dlt_template(admin_client):
    brand = make_brand(company_name="Acme")
    data = text_campaign_data(brand, sms_body="{question} {link}", dlt_en=DLT_ID)
    assert admin_client.post("/campaigns/new/", data).status_code == 302
    campaign = Campaign.objects.get()
    detail = admin_client.get(f"/campaigns/{campaign.pk}/")
    assert "changed since DLT template" not in detail.text
    assert "registered" in detail.text

    # The text changes, the ID stays: the registered text is kept, and both pages warn.
    changed = text_campaign_data(brand, sms_body="Hi! {question} {link}", dlt_en=DLT_ID)
    assert admin_client.post(f"/campaigns/{campaign.pk}/edit/", changed).status_code == 302
    campaign.refresh_from_db()
    assert campaign.dlt_templates["en"]["text"] == compose.dlt_template_text(
        Campaign(brand=brand, question=campaign.question, sms_body="{question} {link}"), "en"
    )
    detail = admin_client.get(f"/campaigns/{campaign.pk}/")
    assert f"The English text changed since DLT template {DLT_ID} was registered" in detail.text
    editor = admin_client.get(f"/campaigns/{campaign.pk}/edit/")
    assert f"The text no longer matches template {DLT_ID} as registered" in editor.text

    # A new template ID, registered for the new text: no more warning.
    renewed = text_campaign_data(brand, sms_body="Hi! {question} {link}", dlt_en="1107161234567890124")
    assert admin_client.post(f"/campaigns/{campaign.pk}/edit/", renewed).status_code == 302
    campaign.refresh_from_db()
    assert campaign.dlt_templates["en"]["text"].startswith("Hi! ")
    assert "changed since DLT template" not in admin_client.get(f"/campaigns/{campaign.pk}/").text


def test_campaign_page_shows_texting_languages_of_the_audience_with_costs(admin_client):
    campaign = make_campaign(channels=["sms"], text_mode=TextMode.REPLY, dlt_templates={"en": {"id": DLT_ID}})
    for language in ("ta", "ta", "", "xx"):
        Audience.objects.create(campaign=campaign, contact=make_contact(language=language))
    page = admin_client.get(f"/campaigns/{campaign.pk}/").text
    assert "Reply: the customer replies with a number from 0 to 10" in page
    assert "(Indian numbers get the link)" in page
    rows = re.findall(r'<th scope="row" lang="(\w+)">[^<]*</th>\s*<td class="num">(\d+)</td>', page)
    assert rows == [("en", "2"), ("ta", "2")]
    assert "UCS-2" in page  # the Tamil text


# The counter


def test_counter_counts_the_posted_text_with_a_link_of_the_real_length(admin_client):
    brand = make_brand(company_name="Acme")
    data = text_campaign_data(brand, sms_body="{link}", language="en")
    response = admin_client.post("/campaigns/text-counter/", data)
    assert response.status_code == 200
    link = f"http://testserver/s?{SAMPLE_SHORT_TOKEN}"
    assert len(SAMPLE_SHORT_TOKEN) == 12
    assert f"<strong>{len(link)}</strong> characters" in response.text.replace("\n", "")
    assert "GSM-7" in response.text


def test_counter_shows_ucs2_and_warns_above_two_segments(admin_client, settings):
    brand = make_brand()
    data = text_campaign_data(brand, language="hi", tr_hi_sms_body="नमस्ते " * 20 + "{link}")
    response = admin_client.post("/campaigns/text-counter/", data)
    assert response.status_code == 200
    assert "UCS-2" in response.text
    assert "More than 2 segments" in response.text
    # The DLT text of that language follows the text, swapped in place.
    assert 'id="dlt-text-hi" class="template-text-box" hx-swap-oob="true"' in response.text
    assert "नमस्ते" in response.text


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"language": "xx"}, 400),
        ({"language": "hi\x00"}, 400),
        ({}, 400),
        ({"language": "en", "sms_body": "\x00{link}", "campaign": "9" * 40}, 200),
    ],
)
def test_counter_refuses_unknown_languages_and_survives_garbage(admin_client, data, status):
    assert admin_client.post("/campaigns/text-counter/", data).status_code == status


def test_counter_is_for_admins_and_posts_only(client):
    client.force_login(make_user(role=Role.LEAD))
    assert client.post("/campaigns/text-counter/", {"language": "en"}).status_code == 403
    client.force_login(make_user(role=Role.ADMIN))
    assert client.get("/campaigns/text-counter/").status_code == 405


@pytest.mark.usefixtures("rate_window")
def test_counter_is_rate_limited(admin_client):
    for _ in range(120):
        assert admin_client.post("/campaigns/text-counter/", {"language": "en"}).status_code == 200
    assert admin_client.post("/campaigns/text-counter/", {"language": "en"}).status_code == 429


# The phone preview


def test_preview_shows_the_hindi_text_on_a_phone_with_its_cost(admin_client):
    campaign = make_campaign(channels=["sms"], translations={"hi": {"sms_body": HINDI_BODY}})
    response = admin_client.get(f"/campaigns/{campaign.pk}/preview/?lang=hi")
    assert response.status_code == 200
    page = response.text
    assert 'class="phone"' in page
    assert '<ol class="phone-thread" lang="hi" dir="ltr">' in page
    assert "जवाब दें:" in page
    assert "UCS-2" in page
    assert f"/s?{SAMPLE_SHORT_TOKEN}</span>" in page  # the link, underlined as a phone does


def test_preview_in_arabic_is_right_to_left(admin_client):
    campaign = make_campaign(
        channels=["sms", "whatsapp"], translations={"ar": {"sms_body": "{question} {link}"}}
    )
    page = admin_client.get(f"/campaigns/{campaign.pk}/preview/?lang=ar").text
    assert page.count('<ol class="phone-thread" lang="ar" dir="rtl">') == 2  # SMS and WhatsApp
    assert "WhatsApp" in page


def test_reply_mode_preview_shows_the_follow_up_and_thank_you(admin_client):
    campaign = make_campaign(
        brand=make_brand(company_name="Acme"),
        channels=["sms"],
        text_mode=TextMode.REPLY,
        followup_promoter="What made you happy?",
    )
    page = admin_client.get(f"/campaigns/{campaign.pk}/preview/").text
    assert "Reply with a number from 0 (not likely) to 10 (very likely)." in page
    assert "What made you happy?" in page
    assert "Thank you! Your answer helps Acme get better." in page
    assert "The text Indian numbers get" in page


def test_whatsapp_preview_shows_the_template_and_url_button(admin_client):
    campaign = make_campaign(channels=["whatsapp"], question="Would you recommend us?")
    page = admin_client.get(f"/campaigns/{campaign.pk}/preview/").text
    assert "Would you recommend us?" in page
    assert 'class="phone-button"' in page and "Open the survey" in page


def test_preview_frame_is_the_plain_text(admin_client):
    campaign = make_campaign(channels=["sms"], sms_body="Hello {link}")
    response = admin_client.get(f"/campaigns/{campaign.pk}/preview/sms/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.text == f"Hello http://testserver/s?{SAMPLE_SHORT_TOKEN}"


# The brand's texting settings


def test_admin_saves_brand_texting_settings_normalised(admin_client):
    data = brand_data(
        sms_sender="+1 (415) 555-0123",
        messaging_service_sid="MG" + "ab" * 16,
        whatsapp_sender="+1 415 523 8886",
        sms_help_text="Acme surveys. Reply STOP to stop.",
        dlt_entity_id="1201159876543210987",
        dlt_sender_header="acmein-s",
    )
    response = admin_client.post("/brands/new/", data)
    assert response.status_code == 302, errors_of(response)
    brand = Brand.objects.get()
    assert brand.sms_sender == "+14155550123"
    assert brand.whatsapp_sender == "+14155238886"
    assert brand.messaging_service_sid == "MG" + "ab" * 16
    assert brand.dlt_entity_id == "1201159876543210987"
    assert brand.dlt_sender_header == "ACMEIN-S"


@pytest.mark.parametrize("sender", ["ACME", "Acme Shop", "ACME2024"])
def test_alphanumeric_sender_ids_are_accepted(admin_client, sender):
    assert admin_client.post("/brands/new/", brand_data(sms_sender=sender)).status_code == 302
    assert Brand.objects.get().sms_sender == sender


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"sms_sender": "AB"}, "a sender ID of 3–11 letters"),
        ({"sms_sender": "ACME-SURVEYS-1"}, "a sender ID of 3–11 letters"),
        ({"sms_sender": "12"}, "a sender ID of 3–11 letters"),
        ({"messaging_service_sid": "MG123"}, "A Messaging Service SID is “MG” followed by 32"),
        ({"messaging_service_sid": "HX" + "0" * 32}, "A Messaging Service SID is “MG” followed by 32"),
        ({"whatsapp_sender": "not a number"}, "Use the WhatsApp number with its country code"),
        ({"sms_help_text": "Help\nme"}, "Keep this on one line"),
        ({"sms_help_text": "x" * 321}, "Ensure this value has at most 320 characters"),
        ({"dlt_entity_id": "12345"}, "A DLT entity ID is 12 to 19 digits"),
        ({"dlt_entity_id": "12345678901234567890"}, "A DLT entity ID is 12 to 19 digits"),
        ({"dlt_sender_header": "ACME"}, "A DLT header is 6 letters or digits"),
        ({"dlt_sender_header": "ACMEIN-X"}, "A DLT header is 6 letters or digits"),
        ({"dlt_entity_id": "1201\x00"}, "Null characters are not allowed."),
    ],
)
def test_bad_brand_texting_input_is_refused_with_message(admin_client, overrides, message):
    response = admin_client.post("/brands/new/", brand_data(**overrides))
    assert response.status_code == 400
    assert message in response.text
    assert not Brand.objects.exists()


def test_brand_form_has_a_texting_fieldset_with_help(admin_client):
    page = admin_client.get("/brands/new/").text
    assert "<legend>Texting (SMS and WhatsApp)</legend>" in page
    assert "principal entity ID" in page
    assert "Messaging → Services" in page
