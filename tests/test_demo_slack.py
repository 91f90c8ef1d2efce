"""The demo's Slack catcher (nps/demo/slack.py): incoming webhooks kept as files, drawn for admins, only in
the demo; and the demo's "send the due alerts" button through the real sending code."""

import importlib
import json
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.urls import clear_url_caches
from django.utils import timezone

from nps.accounts.roles import Role
from responses.alerts import formats
from responses.models import Alert, AlertRule
from tests.factories import make_answer, make_campaign, make_contact, make_user

HOOK = "/demo/slack/hooks/T0DEMO/B0CHAI/secret-token"


def reload_urls():
    importlib.reload(importlib.import_module(django_settings.ROOT_URLCONF))
    clear_url_caches()


@pytest.fixture
def catcher(settings, tmp_path):
    settings.DEMO_ALERT_CATCHER = True
    settings.ALERT_OUTBOX_DIR = tmp_path / "alerts"
    reload_urls()
    yield tmp_path / "alerts"
    settings.DEMO_ALERT_CATCHER = False
    reload_urls()


def alert_message(comment: str) -> formats.Message:
    item = formats.Item(
        kind="answer",
        score=2,
        comment=comment,
        contact="Ana Lima <ana@example.com>",
        campaign="Quarterly NPS",
        url="http://testserver/cases/7/",
        on_case=True,
    )
    return formats.message_for("Detractors to #cx", [item], 1, {"detractor": 1})


def post(client, body, path=HOOK):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(path, data, content_type="application/json")


@pytest.mark.django_db
def test_slack_and_teams_messages_are_kept_and_drawn_for_admins(client, catcher):
    comment = "Card reader froze <script>alert(1)</script> & nobody called <!channel>"
    slack = post(client, formats.slack(alert_message(comment)))
    teams = post(client, formats.teams(alert_message("Teams says hi")), path=HOOK + "-teams")

    assert (slack.status_code, slack.text) == (200, "ok")  # as Slack answers
    assert teams.status_code == 202  # as a Teams workflow answers
    assert len(list(catcher.glob("*.json"))) == 2
    client.force_login(make_user(role=Role.ADMIN))
    page = client.get("/demo/slack/").text
    assert "New detractor: scored 2" in page
    assert "Ana Lima &lt;ana@example.com&gt;" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert '<a class="slack-button slack-button-primary" href="http://testserver/cases/7/"' in page
    assert "Teams says hi" in page and "Teams card" in page
    assert "2 messages" in page


@pytest.mark.django_db
def test_bad_posts_are_answered_like_slack_and_write_nothing(client, catcher):
    assert post(client, "{not json").status_code == 400
    assert post(client, {"blocks": "no"}).text == "no_text"
    assert post(client, ["a", "list"]).status_code == 400
    assert post(client, {"text": "x" * 300_000}).status_code == 413
    assert post(client, {"text": "hi"}, path="/demo/slack/hooks/bad%00hook").status_code == 404
    assert client.get(HOOK).status_code == 405
    assert not catcher.exists() or not list(catcher.glob("*.json"))


@pytest.mark.django_db
def test_the_page_is_for_admins_and_the_catcher_is_gone_outside_the_demo(client, catcher, settings):
    assert client.get("/demo/slack/").status_code == 302  # to the sign-in page
    client.force_login(make_user(role=Role.LEAD))
    assert client.get("/demo/slack/").status_code == 403
    assert client.post("/demo/slack/clear/").status_code == 403

    settings.DEMO_ALERT_CATCHER = False  # mounted, but switched off: 404 whoever asks
    assert post(client, {"text": "hi"}).status_code == 404
    reload_urls()
    assert post(client, {"text": "hi"}).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_send_due_posts_a_waiting_alert_to_the_catcher_through_the_real_sender(client, catcher, live_server):
    rule = AlertRule.objects.create(
        name="Detractors to #customer-love",
        conditions={"groups": ["detractor"]},
        destination=AlertRule.Destination.SLACK,
        url=live_server.url + HOOK,
    )
    answer = make_answer(
        score=1,
        comment="Nobody answers the phone.",
        contact=make_contact(name="Ravi Iyer"),
        campaign=make_campaign(),
    )
    Alert.objects.create(rule=rule, key=f"answer:{answer.pk}", answer=answer, next_attempt_at=timezone.now())
    Alert.objects.create(
        rule=rule, key="answer:later", answer=answer, next_attempt_at=timezone.now() + timedelta(hours=1)
    )
    client.force_login(make_user(role=Role.ADMIN))
    assert "2 alerts</strong> waiting, 1 due now" in client.get("/demo/slack/").text

    response = client.post("/demo/slack/send-due/", follow=True)

    assert "Alerts sent for 1 rule." in response.text
    assert "Nobody answers the phone." in response.text and "Ravi Iyer" in response.text
    assert sorted(Alert.objects.values_list("state", flat=True)) == ["pending", "sent"]
    client.post("/demo/slack/clear/")
    assert not list(catcher.glob("*.json"))
