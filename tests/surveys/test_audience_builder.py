"""Campaigns say who they survey: the audience builder (known properties, their common values, a live count),
the paged member list, the link to the campaign's dashboard and the languages it really sends in."""

from datetime import timedelta

import pytest
from django.utils import timezone

from nps.accounts.roles import Role
from surveys import contacts
from surveys.models import Audience, Invitation
from tests.factories import make_answer, make_campaign, make_contact, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client):
    client.force_login(make_user(role=Role.ADMIN))
    return client


def regions(south=3, north=2):
    made = []
    for n in range(south + north):
        region = "South" if n < south else "North"
        made.append(make_contact(email=f"c{n}@example.com", properties={"region": region, "plan": "pro"}))
    return made


def test_values_are_offered_most_common_first_for_a_known_property(admin):
    campaign = make_campaign()
    regions()
    assert "region" in contacts.property_names()

    response = admin.get(f"/campaigns/{campaign.pk}/audience/values/", {"row": "2", "property_2": " Region "})

    assert response.status_code == 200
    assert response["HX-Trigger"] == "audience-changed"
    text = response.text
    assert text.index('value="South"') < text.index('value="North"')
    assert 'name="pick_2"' in text
    assert 'name="picks_of_2" value="region"' in text
    page = admin.get(f"/campaigns/{campaign.pk}/")
    assert '<datalist id="audience-property-names">' in page.text
    assert '<option value="region">' in page.text


def test_the_count_follows_the_filter_and_what_is_already_in_the_audience(admin):
    campaign = make_campaign()
    people = regions()
    count = f"/campaigns/{campaign.pk}/audience/count/"

    assert "Choose a property" in admin.get(count).text
    assert "Choose a property" in admin.get(count, {"property_1": "region"}).text  # no value yet: no error
    response = admin.get(count, {"property_1": "region", "pick_1": "South", "picks_of_1": "region"})
    assert "3 contacts</strong> match: <strong>3</strong> would be added." in response.text

    Audience.objects.create(campaign=campaign, contact=people[0])
    response = admin.get(count, {"property_1": "region", "pick_1": ["South", "North"], "values_1": "West"})
    assert (
        "5 contacts</strong> match: <strong>4</strong> would be added, 1 already in the audience."
        in response.text
    )
    response = admin.get(count, {"property_1": "region", "values_1": "Nowhere"})
    assert "0 contacts</strong> match." in response.text
    one = admin.get(
        count, {"property_1": "region", "pick_1": "South", "property_2": "plan", "values_2": "pro"}
    )
    assert "3 contacts</strong> match" in one.text


def test_the_builder_refuses_bad_input_with_a_400(admin):
    campaign = make_campaign()
    values = f"/campaigns/{campaign.pk}/audience/values/"
    count = f"/campaigns/{campaign.pk}/audience/count/"
    for row in ("0", "4", "99999999999999999999999999", "-1", "١", "x", ""):
        assert admin.get(values, {"row": row, "property_1": "region"}).status_code == 400, row
    assert admin.get(values, {"row": "1", "property_1": "reg\x00ion"}).status_code == 400
    assert admin.get(values, {"row": "1", "property_1": "r" * 101}).status_code == 400
    bad_counts = [
        {"property_1": "reg\x00ion", "values_1": "South"},
        {"property_1": "region", "values_1": "So\x00uth"},
        {"property_1": "region", "pick_1": "So\x00uth"},
        {"property_1": "region", "pick_1": "x" * 201},
        {"property_1": "region", "pick_1": [str(n) for n in range(51)]},
        {"property_1": "region", "values_1": "9" * 1001},
    ]
    for data in bad_counts:
        response = admin.get(count, data)
        assert response.status_code == 400, data
        assert 'class="field-error"' in response.text
    # Saving refuses them too, and writes nothing.
    response = admin.post(
        f"/campaigns/{campaign.pk}/audience/", {"property_1": "region", "pick_1": "So\x00uth"}
    )
    assert response.status_code == 400
    campaign.refresh_from_db()
    assert campaign.audience_filter == {}


def test_ticked_values_are_saved_and_values_ticked_for_another_property_are_dropped(admin):
    campaign = make_campaign()
    regions()
    audience = f"/campaigns/{campaign.pk}/audience/"
    response = admin.post(audience, {"property_1": "plan", "pick_1": "South", "picks_of_1": "region"})
    assert response.status_code == 400
    assert "Tick or type at least one value for “plan”." in response.text

    response = admin.post(audience, {"property_1": "region", "pick_1": "South", "picks_of_1": "region"})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.audience_filter == {"region": "South"}
    assert campaign.audience.count() == 3
    # The saved filter comes back ticked.
    page = admin.get(f"/campaigns/{campaign.pk}/")
    assert 'name="pick_1" value="South" checked' in page.text


def test_builder_endpoints_are_for_admins(client):
    campaign = make_campaign()
    client.force_login(make_user(role=Role.LEAD))
    assert client.get(f"/campaigns/{campaign.pk}/audience/count/").status_code == 403
    assert client.get(f"/campaigns/{campaign.pk}/audience/values/", {"row": "1"}).status_code == 403
    assert client.post(f"/campaigns/{campaign.pk}/audience/count/").status_code == 405


def test_the_member_list_pages_searches_and_says_who_answered(client):
    campaign = make_campaign(translations={"fr": {"question": "Recommanderiez-vous Acme ?"}})
    people = []
    for n in range(60):
        contact = make_contact(
            email=f"member{n:02d}@example.com", name=f"Member {n:02d}", language="hi" if n < 5 else ""
        )
        Audience.objects.create(campaign=campaign, contact=contact)
        people.append(contact)
    sent = timezone.now() - timedelta(days=2)
    invitation = Invitation.objects.create(
        campaign=campaign, contact=people[59], state=Invitation.State.SENT, sent_at=sent
    )
    make_answer(score=3, invitation=invitation)
    url = f"/campaigns/{campaign.pk}/members/"

    client.force_login(make_user(role=Role.VIEWER))
    assert client.get(url).status_code == 403
    client.force_login(make_user(role=Role.LEAD))
    first = client.get(url)
    assert first.status_code == 200
    assert first.text.count("<tr>") == 51  # the header and 50 members
    assert "Page 1 of 2" in first.text
    assert "Member 59" in first.text  # newest first, with their answer and when they were surveyed
    assert 'class="badge badge-detractor" title="Detractor">3</span>' in first.text
    assert sent.strftime("%-d %b %Y") in first.text
    second = client.get(url, {"page": "2"})
    assert second.text.count("<tr>") == 11
    assert '<span lang="hi">हिन्दी</span>' in second.text
    assert client.get(url, {"page": "99999999999999999999999"}).status_code == 200  # the last page

    found = client.get(url, {"q": "member07@"})
    assert found.text.count("<tr>") == 2
    assert "No member matches" in client.get(url, {"q": "nobody"}).text
    assert client.get(url, {"q": "a\x00b"}).status_code == 400
    assert client.get(url, {"q": "x" * 201}).status_code == 400
    assert client.get("/campaigns/999999/members/").status_code == 404

    # The campaign page links to its members and its dashboard, and names the languages it sends in.
    page = client.get(f"/campaigns/{campaign.pk}/")
    assert url in page.text
    assert f'href="/?campaign={campaign.pk}"' in page.text
    assert 'English</span> <span class="muted">(55 contacts)' in page.text
    assert 'हिन्दी</span> <span class="muted">(5 contacts)' in page.text
    assert 'Français</span> <span class="muted">(no contact yet)' in page.text
