import pytest

from nps.accounts.roles import Role
from responses.models import Answer
from surveys.models import Invitation
from tests.factories import make_campaign, make_contact, make_user

pytestmark = pytest.mark.django_db
URL = "/responses/phone/new/"


def signed_in(client, role):
    user = make_user(role=role)
    client.force_login(user)
    return user


def test_lead_records_a_phone_interview_by_email(client):
    lead = signed_in(client, Role.LEAD)
    contact = make_contact(email="ravi@example.com", name="Ravi Kumar", language="ta")
    campaign = make_campaign()
    response = client.post(
        URL,
        {
            "contact": "RAVI@example.com",
            "campaign": campaign.pk,
            "score": "9",
            "comment": "Nice",
            "notes": "Called",
        },
    )
    assert response.status_code == 302
    answer = Answer.objects.get()
    assert (answer.channel, answer.score, answer.comment, answer.notes) == ("phone", 9, "Nice", "Called")
    assert (answer.contact, answer.campaign, answer.recorded_by, answer.language) == (
        contact,
        campaign,
        lead,
        "ta",
    )
    invitation = answer.invitation
    assert (invitation.channel, invitation.state, invitation.round) == ("phone", "sent", 1)
    assert invitation.sent_at is not None
    page = client.get(URL)
    assert "Score 9 recorded" in page.text
    assert "Ravi Kumar" in page.text  # the contact's name, not the address typed in


def test_second_interview_is_a_new_round(client):
    signed_in(client, Role.ADMIN)
    contact = make_contact(phone="+919812345678")
    campaign = make_campaign()
    for score in ("4", "8"):
        client.post(URL, {"contact": "+91 98123 45678", "campaign": campaign.pk, "score": score})
    assert sorted(Invitation.objects.values_list("round", flat=True)) == [1, 2]
    assert sorted(Answer.objects.filter(contact=contact).values_list("score", flat=True)) == [4, 8]


@pytest.mark.parametrize(
    ("contact", "score", "message"),
    [
        ("nobody@example.com", "9", "No contact has the address or number"),
        ("not-an-email@", "9", "Enter a valid email address or phone number."),
        ("12345", "9", "international format"),
        ("known@example.com", "11", "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_writes_nothing(client, contact, score, message):
    signed_in(client, Role.LEAD)
    make_contact(email="known@example.com")
    response = client.post(URL, {"contact": contact, "campaign": make_campaign().pk, "score": score})
    assert response.status_code == 400
    assert message in response.text
    assert not Answer.objects.exists() and not Invitation.objects.exists()


def test_viewer_gets_403(client):
    signed_in(client, Role.VIEWER)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {}).status_code == 403


def test_signed_out_goes_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_contact_page_links_to_the_interview_with_the_contact_chosen(client):
    lead = signed_in(client, Role.LEAD)
    # Known only by an external id: no address to type, yet the contact page's link still works.
    contact = make_contact(name="Meera Iyer", email=None, phone=None, external_id="crm-77")
    campaign = make_campaign(name="Support NPS")
    contact_page = client.get(contact.get_absolute_url()).text
    link = f"{URL}?contact={contact.pk}"
    assert f'href="{link}"' in contact_page

    page = client.get(link)
    assert page.status_code == 200
    assert "Meera Iyer" in page.text and "Record for another contact" in page.text
    assert 'name="contact"' not in page.text  # nothing to type: the contact is chosen

    response = client.post(link, {"campaign": campaign.pk, "score": "3", "comment": "Slow"})
    assert response.status_code == 302
    assert response["Location"] == contact.get_absolute_url()
    answer = Answer.objects.get()
    assert (answer.contact, answer.score, answer.channel, answer.recorded_by) == (contact, 3, "phone", lead)
    back = client.get(response["Location"]).text
    assert "Score 3 recorded for Meera Iyer (Support NPS)." in back


def test_the_menu_offers_the_interview_to_leads_only(client):
    signed_in(client, Role.LEAD)
    assert f'href="{URL}"' in client.get("/").text
    client.logout()
    signed_in(client, Role.VIEWER)
    assert f'href="{URL}"' not in client.get("/").text


@pytest.mark.parametrize(
    ("value", "status", "message"),
    [
        ("abc", 400, "The link names no contact"),
        ("-3", 400, "The link names no contact"),
        ("", 400, "The link names no contact"),
        ("9" * 30, 400, "The link names no contact"),
        ("123456", 404, "No contact has the number 123456"),
    ],
)
def test_a_bad_or_unknown_contact_in_the_link_is_refused_plainly(client, value, status, message):
    signed_in(client, Role.LEAD)
    campaign = make_campaign()
    make_contact(email="known@example.com")
    assert client.get(URL, {"contact": value}).status_code == status
    # A post to such a link records nothing, even with a typed address.
    response = client.post(
        f"{URL}?contact={value}", {"contact": "known@example.com", "campaign": campaign.pk, "score": "9"}
    )
    assert response.status_code == status
    assert message in response.text
    assert 'name="contact"' in response.text  # the lead can still type the address
    assert not Answer.objects.exists() and not Invitation.objects.exists()
