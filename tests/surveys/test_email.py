"""The survey email: eleven one-click links, a plain-text twin, unsubscribe headers, brand and language."""

import re
from email import message_from_bytes

import pytest
from django.core import mail
from django.core.files.base import ContentFile

from surveys import delivery
from surveys.channels.email.message import build_message
from surveys.models import Brand, Campaign, Contact, Invitation
from tests.factories import make_brand, make_campaign, make_invitation

pytestmark = pytest.mark.django_db

LINK = re.compile(r'href="([^"]+)"')


def sent_email(**invitation_fields):
    brand = make_brand(accent_color="#0a7d5a", reply_to="care@acme.example")
    campaign = make_campaign(brand=brand, status=Campaign.Status.RUNNING)
    invitation = make_invitation(campaign=campaign, **invitation_fields)
    delivery.send_invitation(invitation.pk)
    (message,) = mail.outbox
    return invitation, message


def html_of(message):
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    return html


def test_html_has_eleven_buttons_linking_to_each_score():
    invitation, message = sent_email()
    links = LINK.findall(html_of(message))

    answer_links = [link for link in links if "/r/" in link]
    assert answer_links == [f"http://testserver/r/{invitation.token}/{score}/" for score in range(11)]
    assert f"http://testserver/u/{invitation.token}/" in links
    assert "Not at all likely" in html_of(message)
    assert "Extremely likely" in html_of(message)


def test_plain_text_part_has_the_same_links():
    invitation, message = sent_email()
    for score in range(11):
        assert f"{score}: http://testserver/r/{invitation.token}/{score}/" in message.body
    assert f"http://testserver/u/{invitation.token}/" in message.body


def test_a_brand_saved_with_line_breaks_before_they_were_refused_still_sends():
    brand = make_brand(company_name="Acme\nCorp", sender_name="Acme\r\nSupport")
    campaign = make_campaign(brand=brand, status=Campaign.Status.RUNNING)
    invitation = make_invitation(campaign=campaign)
    delivery.send_invitation(invitation.pk)
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.SENT
    (message,) = mail.outbox
    assert message.subject == "A quick question from Acme Corp"
    assert message.from_email == "Acme Support <support@acme.example>"
    assert "\n" not in message.message()["Subject"] + message.message()["From"]


def test_headers_from_reply_to_and_one_click_unsubscribe():
    invitation, message = sent_email()
    assert message.from_email == "Acme Support <support@acme.example>"
    assert message.reply_to == ["care@acme.example"]
    assert message.extra_headers["List-Unsubscribe"] == f"<http://testserver/u/{invitation.token}/>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["Message-ID"] == f"<opennps-{invitation.pk}@acme.example>"
    assert message.metadata == {
        "invitation": f"opennps-{invitation.pk}",
        "campaign": str(invitation.campaign_id),
    }
    assert message.tags == ["nps-survey"]
    assert message.subject == "A quick question from Acme"


def test_mailto_unsubscribe_when_configured(settings):
    settings.UNSUBSCRIBE_MAILTO = "unsubscribe@acme.example"
    invitation, message = sent_email()
    assert message.extra_headers["List-Unsubscribe"] == (
        f"<http://testserver/u/{invitation.token}/>, "
        f"<mailto:unsubscribe@acme.example?subject=unsubscribe%20{invitation.token}>"
    )


def test_html_is_table_layout_with_dark_mode_and_brand_colour():
    _, message = sent_email()
    html = html_of(message)
    assert '<meta name="color-scheme" content="light dark">' in html
    assert 'role="presentation"' in html
    assert "border:2px solid #0a7d5a" in html
    assert "prefers-color-scheme: dark" in html


def test_logo_is_an_absolute_url(settings):
    brand = make_brand()
    brand.logo.save("logo.png", ContentFile(b"not really a png"), save=True)
    invitation = make_invitation(campaign=make_campaign(brand=brand))
    html = html_of(build_message(invitation))
    assert f'src="http://testserver/media/{brand.logo.name}"' in html


def test_email_in_the_contacts_language_right_to_left():
    invitation, message = sent_email(language="ar")
    html = html_of(message)
    assert 'lang="ar" dir="rtl"' in html


def test_preview_of_an_unsaved_invitation_builds_the_same_email():
    brand = Brand(
        name="Preview", company_name="Globex", sender_name="Globex", sender_email="hi@globex.example"
    )
    campaign = Campaign(name="Draft", brand=brand)
    invitation = Invitation(
        campaign=campaign, contact=Contact(email="you@example.com", name="You"), token="preview"
    )

    message = build_message(invitation)

    assert message.subject == "A quick question from Globex"
    assert "http://testserver/r/preview/10/" in message.body
    assert message.metadata["invitation"] == "preview"
    assert mail.outbox == []


def test_demo_file_backend_writes_each_invitation_once(settings, tmp_path):
    settings.EMAIL_BACKEND = "surveys.channels.email.backends.EmlFileBackend"
    campaign = make_campaign(status=Campaign.Status.RUNNING)
    invitation = make_invitation(campaign=campaign)

    build_message(invitation).send()
    build_message(invitation).send()  # e.g. a retry after a crash: a no-op

    files = list(settings.MAIL_OUTBOX_DIR.glob("*.eml"))
    assert [f.name for f in files] == [f"opennps-{invitation.pk}_acme.example.eml"]
    parsed = message_from_bytes(files[0].read_bytes())
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
