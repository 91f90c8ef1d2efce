import pytest

from dashboards.models import SavedView
from nps.accounts.roles import Role
from tests.factories import make_answer, make_campaign, make_user

pytestmark = pytest.mark.django_db


def test_lead_saves_the_current_filters_under_a_name(client):
    campaign = make_campaign(name="Support NPS")
    lead = make_user(role=Role.LEAD)
    client.force_login(lead)
    query = f"period=30d&campaign={campaign.pk}&view=99&page=3"
    response = client.post("/views/new/", {"name": "  Support team ", "query": query})
    view = SavedView.objects.get()
    assert view.name == "Support team"
    assert view.query == f"period=30d&campaign={campaign.pk}"  # not the view or page
    assert view.created_by == lead
    assert response.status_code == 302
    assert response["Location"] == f"/?period=30d&campaign={campaign.pk}&view={view.pk}"


def test_every_role_sees_team_views_in_the_dashboard_menu(client):
    make_answer(score=9)
    view = SavedView.objects.create(name="Billing", query="period=7d")
    client.force_login(make_user(role=Role.VIEWER))
    response = client.get("/")
    assert f'href="/?period=7d&amp;view={view.pk}">Billing</a>' in response.text
    # The viewer can open it but not save or share.
    assert "Save view" not in response.text
    response = client.get(view.get_absolute_url())
    assert "View: Billing" in response.text
    assert ">Share</a>" not in response.text


def test_lead_sees_save_and_share_on_an_open_view(client):
    make_answer(score=9)
    view = SavedView.objects.create(name="Billing", query="period=7d")
    client.force_login(make_user(role=Role.LEAD))
    response = client.get(view.get_absolute_url())
    assert "Save view" in response.text
    assert f'href="/views/{view.pk}/share/">Share</a>' in response.text
    assert 'href="/export.csv?period=7d"' in response.text


def test_viewer_cannot_save_rename_or_delete(client):
    view = SavedView.objects.create(name="Billing", query="period=7d")
    client.force_login(make_user(role=Role.VIEWER))
    assert client.post("/views/new/", {"name": "Mine", "query": ""}).status_code == 403
    assert client.post(f"/views/{view.pk}/", {"name": "Renamed"}).status_code == 403
    assert client.post(f"/views/{view.pk}/delete/").status_code == 403
    assert list(SavedView.objects.values_list("name", flat=True)) == ["Billing"]


def test_duplicate_name_is_refused_with_a_message_and_nothing_written(client):
    SavedView.objects.create(name="Billing", query="period=7d")
    client.force_login(make_user(role=Role.LEAD))
    response = client.post("/views/new/", {"name": "billing", "query": "period=30d"})
    assert response.status_code == 400
    assert "A view named “billing” already exists. Choose another name." in response.text
    assert SavedView.objects.count() == 1
    response = client.post("/views/new/", {"name": "", "query": "period=30d"})
    assert response.status_code == 400
    assert "This field is required." in response.text


def test_lead_renames_and_deletes(client):
    view = SavedView.objects.create(name="Billing", query="period=7d")
    client.force_login(make_user(role=Role.LEAD))
    assert client.get(f"/views/{view.pk}/").status_code == 200
    response = client.post(f"/views/{view.pk}/", {"name": "Billing team"}, follow=True)
    assert "View renamed to “Billing team”." in response.text
    view.refresh_from_db()
    assert (view.name, view.query) == ("Billing team", "period=7d")
    response = client.post(f"/views/{view.pk}/delete/", follow=True)
    assert "View “Billing team” deleted" in response.text
    assert not SavedView.objects.exists()


def test_saved_views_page_lists_them_for_viewers_without_actions(client):
    SavedView.objects.create(name="Billing", query="period=7d")
    client.force_login(make_user(role=Role.VIEWER))
    response = client.get("/views/")
    assert "Billing" in response.text
    assert "Rename" not in response.text


def test_delete_needs_post(client):
    view = SavedView.objects.create(name="Billing", query="period=7d")
    client.force_login(make_user(role=Role.LEAD))
    assert client.get(f"/views/{view.pk}/delete/").status_code == 405
    assert SavedView.objects.exists()
