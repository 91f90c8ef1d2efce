"""Responses and metrics through the native API."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from dashboards import queries, rollups
from dashboards.filters import Filters
from responses.models import Answer
from surveys.models import Invitation
from tests.factories import make_answer, make_campaign, make_contact

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["data"]]


def test_responses_filter_by_date_updated_date_group_campaign_and_contact(api):
    kept, other = make_campaign(name="Kept"), make_campaign(name="Other")
    ana = make_contact()
    early = make_answer(score=10, campaign=kept, contact=ana, answered_at=T0, updated_at=T0)
    late = make_answer(
        score=3, campaign=kept, answered_at=T0 + timedelta(days=10), updated_at=T0 + timedelta(days=20)
    )
    elsewhere = make_answer(score=8, campaign=other, answered_at=T0 + timedelta(days=5), updated_at=T0)

    assert ids(api.get("/api/v1/responses")) == [early.pk, late.pk, elsewhere.pk]
    assert ids(api.get("/api/v1/responses", {"order": "desc"})) == [elsewhere.pk, late.pk, early.pk]
    assert ids(api.get("/api/v1/responses", {"since": "2026-03-04T00:00:00Z"})) == [late.pk, elsewhere.pk]
    assert ids(api.get("/api/v1/responses", {"until": "2026-03-04T00:00:00+00:00"})) == [early.pk]
    assert ids(api.get("/api/v1/responses", {"updated_since": "2026-03-15T00:00:00Z"})) == [late.pk]
    assert ids(api.get("/api/v1/responses", {"updated_until": "2026-03-15T00:00:00Z"})) == [
        early.pk,
        elsewhere.pk,
    ]
    assert ids(api.get("/api/v1/responses", {"group": "detractor"})) == [late.pk]
    assert ids(api.get("/api/v1/responses", {"group": "passive"})) == [elsewhere.pk]
    assert ids(api.get("/api/v1/responses", {"campaign": other.pk})) == [elsewhere.pk]
    assert ids(api.get("/api/v1/responses", {"contact": ana.pk})) == [early.pk]
    body = api.get(f"/api/v1/responses/{early.pk}").json()
    assert body["group"] == "promoter" and body["score"] == 10 and body["contact_id"] == ana.pk


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"since": "yesterday"}, "query.since", "valid datetime"),
        ({"since": "2026-03-01T00:00:00"}, "query.since", "timezone"),
        ({"since": "1900-01-01T00:00:00Z"}, "query.since", "Use a date between 1970 and 2100."),
        ({"group": "fans"}, "query.group", "'promoter', 'passive' or 'detractor'"),
        ({"campaign": "x"}, "query.campaign", "valid integer"),
    ],
)
def test_bad_response_filters_are_422_and_name_the_parameter(api, params, field, message):
    response = api.get("/api/v1/responses", params)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors[0]["field"] == field and message in errors[0]["message"], errors


def test_response_pagination_walks_every_row_once_in_both_orders(api):
    campaign = make_campaign()
    created = {make_answer(campaign=campaign, score=n % 11).pk for n in range(17)}
    for order in ("asc", "desc"):
        seen, cursor = [], None
        while True:
            params = {"limit": 4, "order": order, **({"cursor": cursor} if cursor else {})}
            body = api.get("/api/v1/responses", params).json()
            seen += [row["id"] for row in body["data"]]
            cursor = body["next_cursor"]
            if not cursor:
                break
        assert len(seen) == len(set(seen)) == 17 and set(seen) == created
        assert seen == sorted(seen, reverse=order == "desc")


def test_create_a_response_from_a_phone_call(api):
    campaign = make_campaign()
    contact = make_contact()
    response = api.post(
        "/api/v1/responses",
        {
            "contact_id": contact.pk,
            "campaign_id": campaign.pk,
            "score": 6,
            "comment": "Billing is confusing",
            "notes": "Called back after ticket 42",
            "answered_at": "2026-03-02T10:00:00Z",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["channel"] == "phone" and body["group"] == "detractor"
    answer = Answer.objects.get()
    assert answer.answered_at == datetime(2026, 3, 2, 10, tzinfo=UTC)
    assert answer.invitation.state == Invitation.State.SENT and answer.invitation.channel == "phone"


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"score": 11}, 422, "less than or equal to 10"),
        ({"score": -1}, 422, "greater than or equal to 0"),
        ({"contact_id": 999999}, 404, "No contact with id 999999."),
        ({"campaign_id": 999999}, 404, "No campaign with id 999999."),
        ({"channel": "pigeon"}, 422, "Input should be"),
        ({"answered_at": "2026-03-02"}, 422, "timezone"),
    ],
)
def test_bad_response_input_writes_nothing(api, change, status, message):
    body = {"contact_id": make_contact().pk, "campaign_id": make_campaign().pk, "score": 9, **change}
    response = api.post("/api/v1/responses", body)
    assert response.status_code == status, response.content
    assert message in response.json()["detail"]
    assert not Answer.objects.exists()
    assert not Invitation.objects.exists()


def test_update_a_response(api):
    answer = make_answer(score=5, comment="meh", updated_at=T0)
    response = api.patch(f"/api/v1/responses/{answer.pk}", {"score": 9, "notes": "Fixed their issue"})
    assert response.status_code == 200
    answer.refresh_from_db()
    assert (answer.score, answer.comment, answer.notes) == (9, "meh", "Fixed their issue")
    assert answer.updated_at > T0
    assert api.patch("/api/v1/responses/999999", {"score": 1}).status_code == 404


def test_metrics_equal_the_dashboard_split(api, time_machine):
    # A frozen clock a moment before midnight: with the real one, the answers could fall on the day after `today`.
    time_machine.move_to(datetime(2026, 11, 24, 23, 59, 59, 900_000, tzinfo=UTC), tick=False)
    campaign, other = make_campaign(), make_campaign()
    today = timezone.localdate()
    for score in (10, 9, 9, 8, 7, 3, 0):
        make_answer(score=score, campaign=campaign)
    make_answer(score=1, campaign=other)
    make_answer(score=10, campaign=campaign, answered_at=timezone.now() - timedelta(days=400))
    rollups.refresh()  # the dashboard reads rollups, refreshed by the minute; so does the API

    since = (today - timedelta(days=30)).isoformat()
    body = api.get(
        "/api/v1/metrics", {"since": since, "until": today.isoformat(), "campaign": campaign.pk}
    ).json()
    split = queries.split(Filters(start=date.fromisoformat(since), end=today, campaign_ids=(campaign.pk,)))
    assert body["response_count"] == split.total == 7
    assert (body["promoter_count"], body["passive_count"], body["detractor_count"]) == (3, 2, 2)
    assert body["nps"] == pytest.approx(split.nps) == pytest.approx(100 * (3 - 2) / 7)
    assert body["promoter_percent"] == pytest.approx(split.percent("promoter"))

    everything = api.get("/api/v1/metrics").json()
    assert everything["response_count"] == queries.split(Filters()).total == 9


def test_metrics_errors(api):
    response = api.get("/api/v1/metrics", {"since": "2026-05-02", "until": "2026-05-01"})
    assert response.status_code == 422
    assert response.json()["detail"] == "`since` must be on or before `until`."
    response = api.get("/api/v1/metrics", {"since": "02/05/2026"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "query.since"
    response = api.get("/api/v1/metrics", {"segment": "campaign:x"})
    assert response.status_code == 422
    assert response.json()["detail"] == "Filter by campaign with the `campaign` parameter."


def test_metrics_with_no_answers_have_null_nps(api):
    body = api.get("/api/v1/metrics").json()
    assert body["nps"] is None and body["response_count"] == 0 and body["promoter_percent"] is None
