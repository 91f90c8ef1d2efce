"""The contacts list for follow-up: last score, at risk, filters, "Add contact", each contact's cases."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from nps.accounts.roles import Role
from nps.audit.models import AuditEntry
from responses.models import Case
from surveys.models import Contact
from tests.factories import make_answer, make_campaign, make_contact, make_invitation, make_user

pytestmark = pytest.mark.django_db

NUL = "\x00"


@pytest.fixture
def lead(client):
    user = make_user(role=Role.LEAD, name="Lena Lead")
    client.force_login(user)
    return user


def _people():
    now = timezone.now()
    return {
        "asha": make_contact(
            name="Asha Rao",
            email="asha@example.com",
            properties={"region": "South", "plan": "pro"},
            last_score=3,
            last_answered_at=now,
            at_risk=True,
            at_risk_reason="Score fell from 9 to 3",
        ),
        "ravi": make_contact(
            name="Ravi Iyer",
            email="ravi@example.com",
            properties={"region": "north", "seats": 12},
            last_score=8,
            last_answered_at=now - timedelta(days=3),
        ),
        "mei": make_contact(
            name="Mei Chen",
            email="mei@example.com",
            properties={"region": "SOUTH"},
            last_score=10,
            last_answered_at=now,
        ),
        "noor": make_contact(name="Noor Ali", email="noor@example.com"),
    }


def _names(client, **params) -> set[str]:
    response = client.get(reverse("surveys:contact_list"), params)
    assert response.status_code == 200, response.content
    page = response.content.decode()
    return {name for name in ("Asha Rao", "Ravi Iyer", "Mei Chen", "Noor Ali") if name in page}


def test_the_list_shows_last_score_group_and_at_risk_with_its_reason(client, lead):
    _people()
    page = client.get(reverse("surveys:contact_list")).content.decode()
    assert '<span class="badge badge-detractor" title="Detractor">3</span>' in page
    assert '<span class="badge badge-passive" title="Passive">8</span>' in page
    assert '<span class="badge badge-promoter" title="Promoter">10</span>' in page
    assert 'title="Score fell from 9 to 3">At risk' in page
    assert page.count("badge-at-risk") == 1
    assert reverse("surveys:contact_create") in page
    assert '<option value="region">' in page  # property names are suggested


def test_filters_return_the_right_contacts(client, lead):
    _people()
    assert _names(client) == {"Asha Rao", "Ravi Iyer", "Mei Chen", "Noor Ali"}
    assert _names(client, q="ravi@") == {"Ravi Iyer"}
    assert _names(client, at_risk="on") == {"Asha Rao"}
    assert _names(client, group="detractor") == {"Asha Rao"}
    assert _names(client, group="passive") == {"Ravi Iyer"}
    assert _names(client, group="promoter") == {"Mei Chen"}
    assert _names(client, group="none") == {"Noor Ali"}
    # A property's value matches ignoring case and spaces; the name is spelt as contacts.property_key does.
    assert _names(client, property=" Region", value="south ") == {"Asha Rao", "Mei Chen"}
    assert _names(client, property="region") == {"Asha Rao", "Ravi Iyer", "Mei Chen"}
    assert _names(client, property="seats", value="12") == {"Ravi Iyer"}  # a number is matched as its text
    assert _names(client, property="region", value="south", group="promoter") == {"Mei Chen"}
    assert _names(client, property="region", value="east") == set()
    empty = client.get(
        reverse("surveys:contact_list"), {"property": "region", "value": "east"}
    ).content.decode()
    assert "No contact matches these filters" in empty


def test_the_pager_keeps_every_filter(client, lead):
    Contact.objects.bulk_create(
        Contact(email=f"c{n}@example.com", name=f"C {n}", properties={"region": "South"}, at_risk=True)
        for n in range(51)
    )
    page = client.get(
        reverse("surveys:contact_list"), {"property": "region", "value": "South", "at_risk": "on"}
    )
    html = page.content.decode()
    assert "Page 1 of 2" in html
    assert 'href="?property=region&amp;value=South&amp;at_risk=on&amp;page=2"' in html


@pytest.mark.parametrize(
    "bad",
    [
        {"q": f"asha{NUL}"},
        {"property": f"reg{NUL}ion", "value": "South"},
        {"property": "region", "value": f"So{NUL}uth"},
        {"group": "grumpy"},
        {"value": "South"},
        {"q": "x" * 201},
    ],
)
def test_bad_filters_answer_400_and_show_no_contact(client, lead, bad):
    _people()
    response = client.get(reverse("surveys:contact_list"), bad)
    assert response.status_code == 400
    assert "form-alert" in response.text
    assert "asha@example.com" not in response.text
    assert NUL not in response.text


def test_viewers_see_no_contacts_and_cannot_add_one(client):
    contact = make_contact()
    client.force_login(make_user(role=Role.VIEWER))
    assert client.get(reverse("surveys:contact_list")).status_code == 403
    assert client.get(contact.get_absolute_url()).status_code == 403
    assert client.get(reverse("surveys:contact_create")).status_code == 403
    assert client.post(reverse("surveys:contact_create"), {"email": "new@example.com"}).status_code == 403
    assert not Contact.objects.filter(email="new@example.com").exists()


def test_a_lead_adds_a_contact_with_the_one_rule_for_addresses(client, lead):
    form = client.get(reverse("surveys:contact_create"))
    assert form.status_code == 200 and "Add contact" in form.text
    response = client.post(
        reverse("surveys:contact_create"),
        {
            "email": " Zoe@Example.COM ",
            "phone": "98765 43210",
            "name": "Zoe",
            "language": "",
            "time_zone": "Asia/Kolkata",
            "properties": '{"Region": "South"}',
        },
    )
    contact = Contact.objects.get(email="zoe@example.com")
    assert response.status_code == 302 and response.url == contact.get_absolute_url()
    assert str(contact.phone) == "+919876543210" and contact.properties == {"region": "South"}
    entry = AuditEntry.objects.get(action="contact.create")
    assert entry.object_id == str(contact.pk) and "zoe@example.com" not in str(entry.changes)

    for bad in (
        {"email": "zoe@example.com"},  # taken
        {"email": "", "phone": ""},
        {"email": "not-an-email"},
        {"email": "new@example.com", "properties": '{"pl\\u0000an": "pro"}'},
        {"email": "new@example.com", "properties": "[1, 2]"},
        {"email": f"new{NUL}@example.com"},
        {"email": "new@example.com", "time_zone": "Mars/Olympus"},
    ):
        response = client.post(reverse("surveys:contact_create"), {"name": "X", "properties": "{}", **bad})
        assert response.status_code == 400, bad
    assert Contact.objects.count() == 1
    assert AuditEntry.objects.filter(action="contact.create").count() == 1


def test_the_contact_page_shows_last_score_risk_and_cases(client, lead):
    contact = _people()["asha"]
    campaign = make_campaign(name="Quarterly NPS")
    invitation = make_invitation(campaign=campaign, contact=contact)
    answer = make_answer(score=3, invitation=invitation, comment="Too slow")
    now = timezone.now()
    overdue = Case.objects.create(
        answer=answer,
        campaign=campaign,
        contact=contact,
        score=3,
        group="detractor",
        due_at=now - timedelta(hours=2),
    )
    older = make_answer(score=5, invitation=make_invitation(campaign=campaign, contact=contact, round=2))
    closed = Case.objects.create(
        answer=older,
        campaign=campaign,
        contact=contact,
        score=5,
        group="detractor",
        status=Case.Status.RESOLVED,
        owner=lead,
        opened_at=now - timedelta(days=30),
        closed_at=now - timedelta(days=28),
    )
    page = client.get(contact.get_absolute_url()).content.decode()
    assert "Score fell from 9 to 3" in page
    assert reverse("responses:case_detail", args=[overdue.pk]) in page
    assert reverse("responses:case_detail", args=[closed.pk]) in page
    assert "Overdue" in page and "Unassigned" in page and "Lena Lead" in page and "Resolved" in page
    assert page.index(f"Case {overdue.pk}") < page.index(f"Case {closed.pk}")
    assert reverse("responses:phone_answer") in page

    quiet = client.get(_people_free_contact().get_absolute_url()).content.decode()
    assert "No answer yet" in quiet and "No follow-up case" in quiet


def _people_free_contact():
    return make_contact(email="quiet@example.com", name="Quiet One")
