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
