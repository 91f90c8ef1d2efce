from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from dashboards import rollups
from dashboards.models import SavedView, ShareLink
from nps.accounts.roles import Role
from tests.factories import make_answer, make_campaign, make_contact, make_user

pytestmark = pytest.mark.django_db


def _view(**fields):
    fields.setdefault("name", "Support team")
    fields.setdefault("query", "period=30d")
    return SavedView.objects.create(**fields)


def test_lead_creates_a_link_that_shows_the_panels_signed_out(client):
    kept, other = make_campaign(name="Kept campaign"), make_campaign(name="Other campaign")
    contact = make_contact(name="Asha Rao", email="asha@example.com")
    make_answer(score=10, campaign=kept, contact=contact, comment="Secret praise")
    make_answer(score=10, campaign=kept)
    make_answer(score=0, campaign=other)
    rollups.refresh()
    view = _view(query=f"period=30d&campaign={kept.pk}")
    client.force_login(make_user(role=Role.LEAD))
    response = client.post(
        f"/views/{view.pk}/share/", {"expires_on": "", "include_comments": ""}, follow=True
    )
    assert "Share link created." in response.text
    link = ShareLink.objects.get()
    assert len(link.token) >= 43  # 256 bits in URL-safe base64
    assert link.url in response.text

    anonymous = Client()
    page = anonymous.get(f"/s/{link.token}/")
    assert page.status_code == 200
    assert '<p class="big-number" data-testid="nps">+100</p>' in page.text
    assert "Support team" in page.text and "Kept campaign" in page.text
    assert 'id="trend-fig"' in page.text and 'id="dist-fig"' in page.text and 'id="split-fig"' in page.text
    assert "Asha Rao" not in page.text and "asha@example.com" not in page.text
    assert "Secret praise" not in page.text  # comments are off unless ticked
    assert page["X-Robots-Tag"] == "noindex, nofollow"


def test_comments_only_when_ticked_and_without_any_contact(client):
    contact = make_contact(name="Asha Rao", email="asha@example.com")
    make_answer(score=3, contact=contact, comment="Too slow")
    rollups.refresh()
    view = _view()
    link = ShareLink.objects.create(saved_view=view, token="t" * 43, include_comments=True)
    page = client.get(f"/s/{link.token}/")
    assert "Too slow" in page.text
    assert "Asha Rao" not in page.text and "asha@example.com" not in page.text


def test_revoked_link_gets_a_friendly_404(client):
    make_answer(score=9)
    link = ShareLink.objects.create(saved_view=_view(), token="r" * 43)
    lead = make_user(role=Role.LEAD)
    client.force_login(lead)
    client.post(f"/share-links/{link.pk}/revoke/")
    link.refresh_from_db()
    assert link.revoked_at is not None
    page = Client().get(f"/s/{link.token}/")
    assert page.status_code == 404
    assert "This share link is no longer valid" in page.text
    assert 'data-testid="nps"' not in page.text


def test_expired_link_gets_a_friendly_404(client, time_machine):
    time_machine.move_to(datetime(2026, 11, 24, 23, 59, 59, tzinfo=UTC), tick=False)
    make_answer(score=9)
    view = _view()
    client.force_login(make_user(role=Role.LEAD))
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    client.post(f"/views/{view.pk}/share/", {"expires_on": tomorrow})
    link = ShareLink.objects.get()
    assert Client().get(f"/s/{link.token}/").status_code == 200
    time_machine.move_to(timezone.now() + timedelta(days=2, seconds=1), tick=False)  # the day after it
    page = Client().get(f"/s/{link.token}/")
    assert page.status_code == 404
    assert "This share link is no longer valid" in page.text


def test_unknown_token_gets_the_same_404(client):
    page = client.get("/s/not-a-token/")
    assert page.status_code == 404
    assert "This share link is no longer valid" in page.text


def test_a_token_with_a_nul_byte_gets_the_same_404(client):
    page = client.get("/s/%00/")
    assert page.status_code == 404
    assert "This share link is no longer valid" in page.text


def test_expiry_at_the_end_of_the_calendar_is_refused_not_a_crash(client):
    view = _view()
    client.force_login(make_user(role=Role.LEAD))
    response = client.post(f"/views/{view.pk}/share/", {"expires_on": "9999-12-31"})
    assert response.status_code == 400
    assert "The expiry date is too far away." in response.text
    assert not ShareLink.objects.exists()


def test_expiry_in_the_past_is_refused_and_nothing_written(client):
    view = _view()
    client.force_login(make_user(role=Role.LEAD))
    response = client.post(f"/views/{view.pk}/share/", {"expires_on": "2020-01-01"})
    assert response.status_code == 400
    assert "The expiry date is in the past." in response.text
    assert not ShareLink.objects.exists()


def test_only_leads_create_or_revoke_links(client):
    view = _view()
    link = ShareLink.objects.create(saved_view=view, token="v" * 43)
    client.force_login(make_user(role=Role.VIEWER))
    assert client.get(f"/views/{view.pk}/share/").status_code == 403
    assert client.post(f"/views/{view.pk}/share/", {}).status_code == 403
    assert client.post(f"/share-links/{link.pk}/revoke/").status_code == 403
    assert ShareLink.objects.count() == 1
    link.refresh_from_db()
    assert link.revoked_at is None


def test_deleting_the_view_ends_its_links(client):
    make_answer(score=9)
    view = _view()
    link = ShareLink.objects.create(saved_view=view, token="d" * 43)
    client.force_login(make_user(role=Role.LEAD))
    client.post(f"/views/{view.pk}/delete/")
    assert Client().get(f"/s/{link.token}/").status_code == 404


def test_anonymous_gets_the_share_page_but_nothing_else():
    view = _view()
    anonymous = Client()
    for path in ("/", "/comments/", "/views/", f"/views/{view.pk}/share/", "/export.csv", "/account/digest/"):
        response = anonymous.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), path


@pytest.mark.usefixtures("rate_window")
def test_share_page_is_rate_limited(client, settings):
    settings.SHARE_RATELIMIT = "3/m"
    link = ShareLink.objects.create(saved_view=_view(), token="l" * 43)
    for _ in range(3):
        assert client.get(f"/s/{link.token}/").status_code == 200
    response = client.get(f"/s/{link.token}/")
    assert response.status_code == 429
    assert "Too many requests" in response.text
    assert response["Retry-After"] == "60"


def test_a_filter_that_no_longer_applies_is_dropped(client):
    campaign = make_campaign()
    make_answer(score=9, campaign=campaign)
    rollups.refresh()
    view = _view(query="period=30d&campaign=999999")
    link = ShareLink.objects.create(saved_view=view, token="c" * 43)
    page = client.get(f"/s/{link.token}/")
    assert page.status_code == 200
    assert 'data-testid="nps">+100<' in page.text


def test_a_shared_segment_view_states_every_filter_and_shows_its_segments_table(client):
    campaign = make_campaign(name="Quarterly relationship NPS")
    india, germany = (
        make_contact(properties={"region": "India"}),
        make_contact(properties={"region": "Germany"}),
    )
    for score in (10, 9, 9, 3):
        make_answer(score=score, campaign=campaign, contact=india, channel="sms")
    for score in (0, 1, 2):
        make_answer(score=score, campaign=campaign, contact=germany, channel="sms")
    rollups.refresh()
    query = f"period=365d&campaign={campaign.pk}&channel=sms&segment=region:India&by=region"
    link = ShareLink.objects.create(saved_view=_view(query=query), token="i" * 43)

    page = client.get(f"/s/{link.token}/")
    assert page.status_code == 200
    assert "Region = India · Quarterly relationship NPS · SMS · Last 12 months" in page.text
    assert '<p class="big-number" data-testid="nps">+50</p>' in page.text  # India only: 3 of 4 promoters
    assert 'data-testid="responses">4<' in page.text
    assert "NPS by region" in page.text and '<th scope="row">India' in page.text
    assert "Germany" not in page.text


def test_a_custom_range_reads_as_dates(client):
    make_answer(score=9)
    rollups.refresh()
    link = ShareLink.objects.create(
        saved_view=_view(query="period=custom&start=2026-01-05&end=2026-03-31"), token="c" * 43
    )
    assert "5 Jan 2026 – 31 Mar 2026" in client.get(f"/s/{link.token}/").text
