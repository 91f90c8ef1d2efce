"""The language review's fixes (docs/languages.md): customer pages and emails right in every language."""

import re

import pytest
from django.core import mail

from surveys import delivery
from surveys.models import Campaign
from tests.factories import make_brand, make_campaign, make_contact, make_invitation

pytestmark = pytest.mark.django_db


def send(language: str, **brand_fields):
    brand = make_brand(company_name="Acme Inc.", **brand_fields)
    campaign = make_campaign(brand=brand, status=Campaign.Status.RUNNING)
    invitation = make_invitation(
        campaign=campaign, contact=make_contact(language=language), language=language
    )
    delivery.send_invitation(invitation.pk)
    (message,) = mail.outbox
    ((html, _),) = message.alternatives
    return invitation, message, html


def test_the_unsubscribe_link_not_valid_page_speaks_the_browsers_language(client):
    response = client.get("/u/not-a-token/", headers={"accept-language": "hi"})
    assert response.status_code == 404
    assert '<html lang="hi" dir="ltr">' in response.text
    assert "यह लिंक अब मान्य नहीं है" in response.text

    arabic = client.get("/u/not-a-token/", headers={"accept-language": "ar"})
    assert '<html lang="ar" dir="rtl">' in arabic.text
    assert "This link is no longer valid" not in arabic.text


def test_unsubscribe_pages_are_the_companys_not_the_staff_layout(client):
    invitation, _, _ = send("ta", accent_color="#0a7d5a")
    page = client.get(f"/u/{invitation.token}/")
    assert page.status_code == 200
    # The company's name and colour, no OpenNPS header, footer or link to the staff sign-in.
    assert '<span class="company">Acme Inc.</span>' in page.text
    assert "--accent:#0a7d5a" in page.text
    assert "OpenNPS" not in page.text
    assert "/accounts/login" not in page.text
    assert "குழுவிலகு" in page.text  # the Tamil UI word for Unsubscribe (review T2)
    assert page["Content-Language"] == "ta"
    done = client.post(f"/u/{invitation.token}/")
    assert "நீங்கள் குழுவிலகிவிட்டீர்கள்" in done.text


def test_names_and_numbers_inside_arabic_text_are_isolated(client):
    invitation, message, html = send("ar")
    assert message.subject == "سؤال سريع من \u2068Acme Inc.\u2069"
    assert "<bdi>Acme Inc.</bdi>" in html
    page = client.get(f"/u/{invitation.token}/")
    assert re.search(r"<strong><bdi>[^<]+@[^<]+</bdi></strong>", page.text)
    assert "<bdi>Acme Inc.</bdi>" in page.text


def test_the_arabic_email_keeps_right_to_left_where_clients_drop_the_html_element():
    _, _, html = send("ar")
    # Gmail drops <html>: the outer table, the card, the score row and the text cells carry dir themselves.
    assert html.count('dir="rtl"') >= 6
    assert 'class="nps-page" dir="rtl" lang="ar"' in html
    assert "direction:rtl; text-align:right;" in html
    # The anchors match the page and the NPS standard.
    assert "غير محتمل إطلاقًا" in html
    assert "محتمل للغاية" in html


def test_the_email_anchor_says_not_at_all_likely_in_every_language():
    _, message, html = send("en")
    assert "Not at all likely" in html
    assert "0 (not at all likely) to 10 (extremely likely)" in message.body
    mail.outbox.clear()
    _, _, hindi = send("hi")
    assert "बिल्कुल संभावना नहीं" in hindi


def test_bengali_sentences_use_bengali_digits_and_a_grammatical_question():
    invitation, message, html = send("bn")
    assert "০ (একেবারেই সম্ভাবনা নেই) থেকে ১০ (সম্ভাবনা খুবই বেশি)" in message.body
    assert "প্রিয়" in message.body  # "Dear", not the Hindu greeting (review B3)
    # The buttons keep 0–10 in Western digits: the link and the number pressed are the same everywhere.
    assert ">10</a>" in html
    assert "এমন সম্ভাবনা কতটা?" in invitation.texts.get("question", "") or "এমন সম্ভাবনা কতটা?" in html


def test_indic_scripts_get_room_for_their_vowel_signs():
    _, _, html = send("ta")
    assert "line-height:18px" not in html
    assert "font-size:13px; line-height:20px" in html
