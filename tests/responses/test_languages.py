import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation import to_locale

from tests.factories import make_campaign, make_contact

from .helpers import make_sent_invitation

pytestmark = pytest.mark.django_db


def test_contact_language_hindi_shows_hindi_page(client):
    invitation = make_sent_invitation(contact=make_contact(language="hi"))
    page = client.get(invitation.answer_path(9), HTTP_ACCEPT_LANGUAGE="en").text
    assert '<html lang="hi" dir="ltr">' in page
    assert "भेजें" in page  # Send
    assert "Acme" in page and "सिफ़ारिश" in page  # the default question, translated, brand filled in


def test_invitation_language_wins_over_contact_and_browser(client):
    invitation = make_sent_invitation(contact=make_contact(language="hi"), language="fr")
    response = client.get(invitation.answer_path(3), HTTP_ACCEPT_LANGUAGE="es")
    assert '<html lang="fr"' in response.text
    assert "Envoyer" in response.text
    assert response["Content-Language"] == "fr"


def test_browser_language_when_contact_has_none(client):
    invitation = make_sent_invitation(contact=make_contact(language=""))
    page = client.get(invitation.answer_path(10), HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5").text
    assert '<html lang="es"' in page
    assert "Enviar" in page
    assert "¿Qué es lo que más te gusta de nosotros?" in page


def test_arabic_is_right_to_left(client):
    invitation = make_sent_invitation(contact=make_contact(language="ar"))
    page = client.get(invitation.answer_path(8)).text
    assert '<html lang="ar" dir="rtl">' in page
    assert "إرسال" in page


def test_regional_variant_of_contact_language_is_served(client):
    invitation = make_sent_invitation(contact=make_contact(language="pt-BR"))
    assert '<html lang="pt"' in client.get(invitation.answer_path()).text


def test_unsupported_contact_language_falls_back_to_browser(client):
    invitation = make_sent_invitation(contact=make_contact(language="xx"))
    assert '<html lang="de"' in client.get(invitation.answer_path(), HTTP_ACCEPT_LANGUAGE="de").text


def test_campaign_override_beats_translated_default(client):
    campaign = make_campaign(translations={"hi": {"question": "{brand} के बारे में आपकी राय?"}})
    invitation = make_sent_invitation(campaign=campaign, contact=make_contact(language="hi"))
    assert "Acme के बारे में आपकी राय?" in client.get(invitation.answer_path()).text


def test_edited_question_is_shown_as_written(client):
    campaign = make_campaign(question="Would you recommend {brand}?")
    invitation = make_sent_invitation(campaign=campaign, contact=make_contact(language="ja"))
    page = client.get(invitation.answer_path()).text
    assert "Would you recommend Acme?" in page
    assert "送信" in page


@pytest.mark.parametrize("language", ["en", "hi", "ta", "bn", "es", "pt", "fr", "de", "ar", "ja", "zh-hans"])
def test_every_language_translates_the_page(client, language):
    invitation = make_sent_invitation(contact=make_contact(language=language))
    page = client.get(invitation.answer_path(9)).text
    if language != "en":
        assert "How likely are you" not in page
        assert "not at all likely" not in page


@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES if code != "en"])
def test_every_message_of_every_language_is_translated(language):
    """A string added to a template without its translations fails here (run `make messages`)."""
    po = Path(settings.BASE_DIR, "nps", "locale", to_locale(language), "LC_MESSAGES", "django.po")
    untranslated = subprocess.run(
        ["msgattrib", "--untranslated", "--no-obsolete", str(po)], capture_output=True, text=True, check=True
    ).stdout
    missing = re.findall(r'^msgid "(.+)"$', untranslated, flags=re.MULTILINE)
    assert missing == []
