"""Texting's staff pages: Settings → Texting, the quiet hours table, received texts, the suppression list's
channel and the texts on a contact's page (surveys/channels/texting/views.py)."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from nps.accounts.roles import Role
from nps.audit.models import AuditEntry
from surveys.channels.texting import quiet_hours
from surveys.models import Channel, QuietHoursRule, Suppression, TextMessage
from tests.factories import make_brand, make_contact, make_user

pytestmark = pytest.mark.django_db

SETTINGS_URL = "/settings/texting/"
QUIET_URL = "/settings/texting/quiet-hours/"
NEW_RULE_URL = "/settings/texting/quiet-hours/new/"
RECEIVED_URL = "/contacts/texts/"
SUPPRESSED_URL = "/contacts/suppressed/"


@pytest.fixture(autouse=True)
def fresh_rules():
    quiet_hours.forget_rules()
    yield
    quiet_hours.forget_rules()


def signed_in(client, role):
    client.force_login(make_user(role=role))
    return client


def make_text(*, direction=TextMessage.Direction.IN, **fields):
    fields.setdefault("channel", Channel.SMS)
    fields.setdefault(
        "kind", TextMessage.Kind.REPLY if direction == TextMessage.Direction.IN else "invitation"
    )
    fields.setdefault("status", "received" if direction == TextMessage.Direction.IN else "delivered")
    fields.setdefault("body", "Hello")
    return TextMessage.objects.create(direction=direction, **fields)


# Roles ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "lead_status"),
    [(SETTINGS_URL, 403), (QUIET_URL, 403), (NEW_RULE_URL, 403), (RECEIVED_URL, 200), (SUPPRESSED_URL, 200)],
)
def test_who_may_open_each_page(client, url, lead_status):
    assert client.get(url).status_code == 302  # signed out: the sign-in page
    assert "/login/" in client.get(url)["Location"]
    assert signed_in(client, Role.VIEWER).get(url).status_code == 403
    assert signed_in(client, Role.LEAD).get(url).status_code == lead_status
    assert signed_in(client, Role.ADMIN).get(url).status_code == 200


def test_viewer_cannot_mark_a_text_read_and_lead_can(client):
    text = make_text(needs_attention=True, from_number="+15125550123")
    assert signed_in(client, Role.VIEWER).post(f"/contacts/texts/{text.pk}/read/").status_code == 403
    text.refresh_from_db()
    assert text.needs_attention
    response = signed_in(client, Role.LEAD).post(f"/contacts/texts/{text.pk}/read/")
    assert response.status_code == 302
    text.refresh_from_db()
    assert not text.needs_attention


def test_settings_hub_links_to_the_texting_page(client):
    response = signed_in(client, Role.ADMIN).get("/settings/")
    assert 'href="/settings/texting/"' in response.text
    assert "SMS and WhatsApp" in response.text


# Settings → Texting --------------------------------------------------------------------------------------


def test_texting_page_shows_the_urls_to_paste_and_the_dlt_prefix(client, settings):
    settings.PUBLIC_BASE_URL = "https://nps.example.in"
    response = signed_in(client, Role.ADMIN).get(SETTINGS_URL)
    page = response.text
    assert (
        '<code id="inbound-url" class="copy-value">https://nps.example.in/webhooks/twilio/inbound/</code>'
        in page
    )
    assert (
        '<code id="status-url" class="copy-value">https://nps.example.in/webhooks/twilio/status/</code>'
        in page
    )
    assert '<code id="dlt-prefix" class="copy-value">https://nps.example.in/s?</code>' in page
    assert 'data-copy="dlt-prefix"' in page and "js/copy.js" in page
    assert "Numbers of India (IN) always get the link" in page
    assert "Twilio can only call a public" not in page
    assert 'href="/settings/texting/quiet-hours/"' in page and 'href="/contacts/texts/"' in page


def test_texting_page_warns_about_a_private_base_url(client, settings):
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8000"
    page = signed_in(client, Role.ADMIN).get(SETTINGS_URL).text
    assert "Twilio can only call a public" in page


def test_twilio_settings_say_what_is_missing_and_never_show_the_token(client, settings):
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_AUTH_TOKEN = ""
    settings.TWILIO_FROM_NUMBER = ""
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    settings.TWILIO_WHATSAPP_FROM = ""
    page = signed_in(client, Role.ADMIN).get(SETTINGS_URL).text
    assert page.count("Not set up") == 2
    assert "TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID" in page
    assert "TWILIO_WHATSAPP_FROM (or a WhatsApp sender on a brand)" in page
    assert "every webhook is refused" in page

    settings.TWILIO_AUTH_TOKEN = "secret-token-never-shown-123"
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "2" * 32
    make_brand(whatsapp_sender="+14155238886")
    page = client.get(SETTINGS_URL).text
    assert "secret-token-never-shown-123" not in page
    assert "set (hidden)" in page
    assert page.count(">Ready<") == 2
    assert "Still needed" not in page


def test_demo_file_backend_is_ready_and_says_so(client, settings):
    settings.SMS_BACKEND = "file"
    page = signed_in(client, Role.ADMIN).get(SETTINGS_URL).text
    assert "Demo mode" in page and page.count(">Ready<") == 2


def test_settings_page_counts_the_texts_waiting(client):
    make_text(needs_attention=True)
    make_text(needs_attention=True)
    make_text(needs_attention=False)
    page = signed_in(client, Role.ADMIN).get(SETTINGS_URL).text
    assert "2 waiting to be read" in page


# Quiet hours ---------------------------------------------------------------------------------------------


def test_quiet_hours_table_lists_the_seeded_state_rules(client):
    page = signed_in(client, Role.ADMIN).get(QUIET_URL).text
    assert "<caption" in page
    assert "US-TX" in page and "Texas" in page and "Sunday" in page and "12:00–21:00" in page
    assert "US-FL" in page and "08:00–20:00" in page
    assert "between <strong>08:00 and 21:00</strong>" in page


def test_admin_adds_a_rule_and_the_next_text_obeys_it(client):
    admin = signed_in(client, Role.ADMIN)
    form_page = admin.get(NEW_RULE_URL).text  # starts from TEXT_QUIET_HOURS
    assert 'name="start" value="08:00"' in form_page and 'name="end" value="21:00"' in form_page
    response = admin.post(
        NEW_RULE_URL,
        {"region": " in ", "weekday": "6", "start": "10:00", "end": "19:30", "note": "Sunday calm"},
    )
    assert response.status_code == 302
    rule = QuietHoursRule.objects.get(region="IN")
    assert (rule.weekday, rule.start, rule.end, rule.note) == (6, time(10), time(19, 30), "Sunday calm")
    entry = AuditEntry.objects.get(action="quiet_hours.create")
    assert entry.object_label == "IN, Sundays, 10:00-19:30"
    assert entry.changes["weekday"] == "Sunday"
    # The send path sees the new rule at once (the signal dropped the cached rules).
    sunday = timezone.datetime(2026, 5, 10, 9, 0, tzinfo=quiet_hours.ZoneInfo("Asia/Kolkata"))
    assert quiet_hours.next_allowed(sunday, number="+919876543210") == sunday + timedelta(hours=1)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"region": "Texas"}, "region", "Write a country code"),
        ({"region": "ZZ"}, "region", "is not a country code"),
        ({"region": "IN-KA"}, "region", "Numbers in IN do not show their region"),
        ({"region": "US-XX"}, "region", "is not a state or province of US"),
        ({"start": "20:00", "end": "09:00"}, "end", "The end must come after the start"),
        ({"start": "09:00", "end": "09:00"}, "end", "The end must come after the start"),
        ({"start": "21:30", "end": "23:00"}, "end", "would leave none that day"),
        ({"weekday": "7"}, "weekday", "Select a valid choice"),
        ({"weekday": "-1"}, "weekday", "Select a valid choice"),
        ({"start": "25:00"}, "start", "Enter a valid time"),
        ({"region": "US\x00"}, "region", "Null characters are not allowed"),
        ({"note": "calm\x00"}, "note", "Null characters are not allowed"),
        ({"start": "09:\x0000"}, "start", "Enter a valid time"),
        ({"weekday": "\x00"}, "weekday", "Select a valid choice"),
        ({"region": "US-TX", "weekday": ""}, "region", "US-TX already has a rule for every day"),
        ({"region": "US-TX", "weekday": "6"}, "region", "US-TX already has a rule for Sundays"),
    ],
)
def test_bad_rules_are_explained_and_not_saved(client, data, field, message):
    before = list(QuietHoursRule.objects.values_list("pk", "region", "weekday", "start", "end"))
    form = {"region": "US", "weekday": "", "start": "09:00", "end": "20:00", "note": ""} | data
    response = signed_in(client, Role.ADMIN).post(NEW_RULE_URL, form)
    assert response.status_code == 400
    assert message in response.context["form"].errors[field][0]
    assert message.split("“")[0] in response.text.replace("&#x27;", "'").replace("&quot;", '"')
    assert list(QuietHoursRule.objects.values_list("pk", "region", "weekday", "start", "end")) == before
    assert not AuditEntry.objects.filter(action__startswith="quiet_hours").exists()


def test_admin_changes_a_rule_and_the_audit_log_keeps_before_and_after(client):
    rule = QuietHoursRule.objects.get(region="US-FL")
    admin = signed_in(client, Role.ADMIN)
    form_page = admin.get(f"/settings/texting/quiet-hours/{rule.pk}/")
    assert 'value="US-FL"' in form_page.text and 'value="08:00"' in form_page.text
    response = admin.post(
        f"/settings/texting/quiet-hours/{rule.pk}/",
        {"region": "US-FL", "weekday": "", "start": "08:00", "end": "20:30", "note": rule.note},
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.end == time(20, 30)
    entry = AuditEntry.objects.get(action="quiet_hours.update")
    assert entry.changes == {"end": ["20:00", "20:30"]}


def test_changing_a_rule_onto_another_regions_day_is_refused(client):
    florida = QuietHoursRule.objects.get(region="US-FL")
    response = signed_in(client, Role.ADMIN).post(
        f"/settings/texting/quiet-hours/{florida.pk}/",
        {"region": "US-MD", "weekday": "", "start": "08:00", "end": "20:00", "note": ""},
    )
    assert response.status_code == 400
    assert "US-MD already has a rule for every day" in response.text
    florida.refresh_from_db()
    assert florida.region == "US-FL"


def test_deleting_a_rule_asks_first(client):
    rule = QuietHoursRule.objects.get(region="US-CT")
    admin = signed_in(client, Role.ADMIN)
    confirm = admin.get(f"/settings/texting/quiet-hours/{rule.pk}/delete/")
    assert confirm.status_code == 200
    assert "Delete the rule US-CT, every day, 09:00-20:00?" in confirm.text
    assert QuietHoursRule.objects.filter(pk=rule.pk).exists()
    response = admin.post(f"/settings/texting/quiet-hours/{rule.pk}/delete/")
    assert response.status_code == 302
    assert not QuietHoursRule.objects.filter(pk=rule.pk).exists()
    assert AuditEntry.objects.get(action="quiet_hours.delete").object_label == "US-CT, every day, 09:00-20:00"
    assert quiet_hours.rules_for("US-CT") == []


def test_lead_cannot_change_or_delete_rules(client):
    rule = QuietHoursRule.objects.get(region="US-CT")
    lead = signed_in(client, Role.LEAD)
    edit = {"region": "US-CT", "weekday": "", "start": "10:00", "end": "20:00"}
    assert lead.post(f"/settings/texting/quiet-hours/{rule.pk}/", edit).status_code == 403
    assert lead.post(f"/settings/texting/quiet-hours/{rule.pk}/delete/").status_code == 403
    rule.refresh_from_db()
    assert rule.start == time(9)


def test_unknown_rule_is_404(client):
    assert signed_in(client, Role.ADMIN).get("/settings/texting/quiet-hours/999999/").status_code == 404


# Received texts ------------------------------------------------------------------------------------------


def test_received_texts_newest_first_with_contact_channel_and_body(client):
    contact = make_contact(name="Meera Iyer", phone="+919876543210")
    old = make_text(contact=contact, from_number="+919876543210", body="९ but late", needs_attention=True)
    TextMessage.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    make_text(
        channel=Channel.WHATSAPP,
        from_number="+14155550100",
        body="Who is this?",
        needs_attention=True,
        outcome="No open survey for this number",
    )
    make_text(contact=contact, body="Already read", needs_attention=False)
    make_text(direction=TextMessage.Direction.OUT, contact=contact, body="Outbound", needs_attention=False)

    page = signed_in(client, Role.LEAD).get(RECEIVED_URL).text
    assert page.index("Who is this?") < page.index("९ but late")
    assert f'href="/contacts/{contact.pk}/"' in page and "Meera Iyer" in page
    assert "WhatsApp" in page and "No open survey for this number" in page
    assert "Already read" not in page and "Outbound" not in page
    assert page.count("Mark as read") == 2


def test_received_texts_are_paged(client):
    for n in range(30):
        make_text(body=f"text number {n:02d}", needs_attention=True)
    lead = signed_in(client, Role.LEAD)
    first = lead.get(RECEIVED_URL).text
    assert "text number 29" in first and "text number 04" not in first
    assert "Page 1 of 2" in first
    second = lead.get(RECEIVED_URL + "?page=2").text
    assert "text number 04" in second and 'name="page" value="2"' in second
    assert lead.get(RECEIVED_URL + "?page=%00").status_code == 200


def test_mark_as_read_takes_the_text_off_the_list_and_keeps_it(client):
    text = make_text(needs_attention=True, body="Call me please")
    lead = signed_in(client, Role.LEAD)
    assert lead.get(f"/contacts/texts/{text.pk}/read/").status_code == 405
    response = lead.post(f"/contacts/texts/{text.pk}/read/", {"page": "2"})
    assert response["Location"] == RECEIVED_URL + "?page=2"
    text.refresh_from_db()
    assert not text.needs_attention and text.body == "Call me please"
    assert "Call me please" not in lead.get(RECEIVED_URL).text
    assert lead.post(f"/contacts/texts/{text.pk}/read/", {"page": "\x00"})["Location"] == RECEIVED_URL


def test_mark_as_read_refuses_outbound_texts(client):
    text = make_text(direction=TextMessage.Direction.OUT, needs_attention=True)
    assert signed_in(client, Role.LEAD).post(f"/contacts/texts/{text.pk}/read/").status_code == 404


def test_no_texts_waiting_shows_an_empty_state(client):
    page = signed_in(client, Role.LEAD).get(RECEIVED_URL).text
    assert "Nothing waiting" in page


# Suppression list ----------------------------------------------------------------------------------------


def test_suppression_list_shows_reason_and_channel(client):
    contact = make_contact(name="Ravi", phone="+919812345678")
    Suppression.objects.create(
        address="+919812345678",
        reason=Suppression.Reason.UNSUBSCRIBED,
        channel=Channel.SMS,
        detail="Replied STOP",
    )
    Suppression.objects.create(
        address="+14155550100", reason=Suppression.Reason.BLOCKED, channel=Channel.WHATSAPP
    )
    Suppression.objects.create(address="someone@example.com", reason=Suppression.Reason.MANUAL)

    page = signed_in(client, Role.LEAD).get(SUPPRESSED_URL).text
    rows = page[page.index("<tbody>") : page.index("</tbody>")].split("<tr>")[1:]
    assert len(rows) == 3
    by_address = {
        address: row
        for row in rows
        for address in ("+919812345678", "+14155550100", "someone@example.com")
        if address in row
    }
    assert "Unsubscribed" in by_address["+919812345678"] and ">SMS<" in by_address["+919812345678"]
    assert f'href="/contacts/{contact.pk}/"' in by_address["+919812345678"]
    assert "Blocked the sender" in by_address["+14155550100"] and ">WhatsApp<" in by_address["+14155550100"]
    assert (
        "Added by an admin" in by_address["someone@example.com"]
        and ">—<" in by_address["someone@example.com"]
    )


def test_suppression_list_search_and_bad_input(client):
    Suppression.objects.create(
        address="+919812345678", reason=Suppression.Reason.UNSUBSCRIBED, channel=Channel.SMS
    )
    Suppression.objects.create(
        address="a@example.com", reason=Suppression.Reason.BOUNCED, channel=Channel.EMAIL
    )
    lead = signed_in(client, Role.LEAD)
    page = lead.get(SUPPRESSED_URL, {"q": "9198"}).text
    assert "+919812345678" in page and "a@example.com" not in page
    bad = lead.get(SUPPRESSED_URL, {"q": "a\x00"})
    assert bad.status_code == 400 and "cannot hold a NUL" in bad.text


# The contact's page --------------------------------------------------------------------------------------


def test_contact_page_shows_every_text_with_its_state(client):
    contact = make_contact(name="Asha", phone="+15125550123")
    sent = make_text(
        direction=TextMessage.Direction.OUT, contact=contact, kind="invitation", body="How likely… Reply 0-10"
    )
    TextMessage.objects.filter(pk=sent.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    make_text(contact=contact, body="9", outcome="Score 9 recorded")
    make_text(
        direction=TextMessage.Direction.OUT,
        contact=contact,
        kind="followup",
        body="What is the main reason?",
        status="failed",
        error_code="30007",
        error="Message filtered",
    )
    make_text(contact=make_contact(phone="+15125550199"), body="Someone else's")

    page = signed_in(client, Role.LEAD).get(f"/contacts/{contact.pk}/").text
    section = page[page.index('id="texts-title"') :]
    assert '<span class="muted count">3</span>' in section
    assert section.index("What is the main reason?") < section.index("How likely… Reply 0-10")
    assert "Follow-up question" in section and "Survey" in section and "Reply" in section
    assert "Failed" in section and "Error 30007: Message filtered" in section
    assert "Score 9 recorded" in section and "Delivered" in section
    assert "Someone else" not in section


def test_contact_page_shows_the_last_fifty_texts_and_the_count(client):
    contact = make_contact(phone="+15125550123")
    TextMessage.objects.bulk_create(
        TextMessage(
            direction="in", channel="sms", kind="reply", status="received", body=f"m{n}", contact=contact
        )
        for n in range(55)
    )
    page = signed_in(client, Role.LEAD).get(f"/contacts/{contact.pk}/").text
    assert "The last 50 of 55 texts." in page


def test_contact_without_texts_has_an_empty_state(client):
    contact = make_contact(email="no-phone@example.com")
    page = signed_in(client, Role.LEAD).get(f"/contacts/{contact.pk}/").text
    assert "No texts sent or received: this contact has no phone number." in page
