"""Alerts sent to a local Slack / Teams stub and by email: batching, rate limit, retries, exactly once."""

from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from nps.accounts.roles import Role
from responses.alerts import formats, raising, sending
from responses.models import Alert, AlertRule, Answer, Case, CaseEvent
from responses.services import record_score, save_comment, submit_answer
from tests.factories import make_campaign, make_contact, make_invitation, make_user

pytestmark = pytest.mark.django_db

DETRACTORS = {"groups": ["detractor"]}


def make_rule(url="", destination=AlertRule.Destination.SLACK, conditions=None, **fields):
    return AlertRule.objects.create(
        name=fields.pop("name", "Detractors to #support"),
        destination=destination,
        url=url,
        conditions=DETRACTORS if conditions is None else conditions,
        **fields,
    )


def header_count(message: dict) -> int:
    """How many alerts a Slack message tells: "N new alerts: …" for a summary, else one."""
    title = message["blocks"][0]["text"]["text"]
    return int(title.split()[0]) if "new alerts" in title else 1


def later(seconds: float):
    return timezone.now() + timedelta(seconds=seconds)


def test_a_detractor_reaches_slack_once_with_score_and_comment(
    alert_stub, django_capture_on_commit_callbacks
):
    rule = make_rule(alert_stub.url)
    contact = make_contact(name="Maria Silva", email="maria@example.com")
    invitation = make_invitation(campaign=make_campaign(name="Quarterly NPS"), contact=contact)
    # The score first, the comment a few seconds later: the alert waits for it (ALERT_SETTLE_SECONDS).
    with django_capture_on_commit_callbacks(execute=True):
        record_score(invitation, score=2)
    with django_capture_on_commit_callbacks(execute=True):
        answer = save_comment(invitation, comment="Delivery <late> & nobody called <!channel>")
    assert alert_stub.messages == []  # not yet: settling
    alert = Alert.objects.get(rule=rule)
    assert alert.key == f"answer:{answer.pk}" and alert.state == Alert.State.PENDING

    sending.send_due(now=later(31))
    sending.send_due(now=later(40))  # nothing twice

    assert len(alert_stub.messages) == 1
    message = alert_stub.messages[0]
    fields = " ".join(field["text"] for field in message["blocks"][1]["fields"])
    assert "*Score*\n:red_circle: 2" in fields and "Detractor" in fields and "Quarterly NPS" in fields
    assert "Maria Silva &lt;maria@example.com&gt;" in fields
    texts = [
        block["text"]["text"] for block in message["blocks"] if block["type"] == "section" and "text" in block
    ]
    # Escaped for mrkdwn: the comment cannot ping the channel.
    assert any("Delivery &lt;late&gt; &amp; nobody called &lt;!channel&gt;" in text for text in texts)
    assert message["text"].startswith("New detractor: scored 2")
    [button] = [block for block in message["blocks"] if block["type"] == "actions"][0]["elements"]
    case = Case.objects.get(answer=answer)
    assert button["text"]["text"] == "Open case" and button["url"] == f"http://testserver/cases/{case.pk}/"
    assert len(message["blocks"]) <= 50

    alert.refresh_from_db()
    assert (alert.state, alert.batch_size, alert.attempts) == (Alert.State.SENT, 1, 1)
    rule.refresh_from_db()
    assert rule.last_result == "200 ok" and rule.last_sent_at is not None
    # The case's timeline says the team was told.
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.ALERT).count() == 1


def test_settle_zero_sends_at_once_and_promoters_do_not_match(
    alert_stub, settings, django_capture_on_commit_callbacks
):
    settings.ALERT_SETTLE_SECONDS = 0
    make_rule(alert_stub.url)
    with django_capture_on_commit_callbacks(execute=True):
        submit_answer(make_invitation(), score=10, comment="Great")
    with django_capture_on_commit_callbacks(execute=True):
        submit_answer(make_invitation(), score=4, comment="Too slow")
    assert len(alert_stub.messages) == 1
    assert "Too slow" in str(alert_stub.messages[0]["blocks"])


def test_a_storm_of_500_detractors_becomes_a_few_messages_each_alert_sent_once(alert_stub):
    rule = make_rule(alert_stub.url)
    campaign = make_campaign()
    contact = make_contact()
    start = timezone.now()
    # 500 detractors within a minute, raised in four waves, the sweep running every 30 s in between.
    for wave in range(4):
        answers = Answer.objects.bulk_create(
            Answer(
                campaign=campaign,
                contact=contact,
                channel="email",
                score=wave % 7,
                comment=f"wave {wave} #{n}",
            )
            for n in range(125)
        )
        for answer in answers:
            raising.raise_for_answer(answer)
        sending.send_due(now=start + timedelta(seconds=31 + 15 * wave))
    sending.send_due(now=start + timedelta(minutes=5))  # a late sweep finds nothing left

    assert Alert.objects.filter(rule=rule).count() == 500
    assert not Alert.objects.filter(rule=rule).exclude(state=Alert.State.SENT).exists()
    assert 1 <= len(alert_stub.messages) <= 6
    assert sum(header_count(message) for message in alert_stub.messages) == 500
    # Each alert went in exactly one message: a message of n alerts left n rows with batch_size n.
    told = Counter(header_count(message) for message in alert_stub.messages)
    recorded = Counter(Alert.objects.filter(rule=rule).values_list("batch_size", flat=True))
    assert recorded == Counter({size: size * messages for size, messages in told.items()})
    summary = alert_stub.messages[0]
    assert "new alerts" in summary["text"] or "new alerts" in summary["blocks"][0]["text"]["text"]
    count = header_count(summary)
    assert f"{count} detractors" in summary["blocks"][1]["text"]["text"]
    assert f"… and {count - 10} more." in str(summary["blocks"])
    assert summary["blocks"][-1]["elements"][0]["url"] == "http://testserver/cases/"
    assert len(summary["blocks"]) <= 50

    # Raising the same answers again (the sweep re-running intake) adds nothing and sends nothing.
    for answer in Answer.objects.filter(campaign=campaign)[:50]:
        raising.raise_for_answer(answer)
    sending.send_due(now=start + timedelta(minutes=10))
    assert Alert.objects.filter(rule=rule).count() == 500
    assert sum(header_count(message) for message in alert_stub.messages) == 500


def test_rate_limit_one_message_per_interval_per_destination(alert_stub):
    rule = make_rule(alert_stub.url)
    first = make_answer_for_rule()
    raising.raise_for_answer(first)
    now = later(31)
    assert sending.send_for_rule(rule.pk, now=now) == "sent"
    raising.raise_for_answer(make_answer_for_rule())
    # Due at once, but the destination heard from us less than a second ago.
    assert sending.send_for_rule(rule.pk, now=now + timedelta(seconds=31)) == "sent"
    raising.raise_for_answer(make_answer_for_rule())
    rule.refresh_from_db()
    assert sending.send_for_rule(rule.pk, now=rule.next_send_at - timedelta(milliseconds=100)) in (
        "wait",
        "nothing",
    )
    assert len(alert_stub.messages) == 2


def make_answer_for_rule(score=3, comment="Bad"):
    return Answer.objects.create(
        campaign=make_campaign(), contact=make_contact(), channel="email", score=score, comment=comment
    )


def test_a_destination_answering_500_then_200_gets_the_alert_on_retry(alert_stub):
    rule = make_rule(alert_stub.url)
    alert_stub.answer(500, "internal_error")
    [alert] = raising.raise_for_answer(make_answer_for_rule())
    start = later(31)
    assert sending.send_for_rule(rule.pk, now=start) == "retry"
    alert.refresh_from_db()
    rule.refresh_from_db()
    assert alert.state == Alert.State.PENDING and alert.attempts == 1
    assert alert.next_attempt_at >= start + sending.FIRST_WAIT - timedelta(seconds=1)
    assert rule.last_result == "500 internal_error"
    assert alert_stub.messages == []
    # Not before its time …
    assert sending.send_due(now=start + timedelta(seconds=5)) == 0
    # … then delivered, once.
    assert sending.send_due(now=alert.next_attempt_at + timedelta(seconds=1)) == 1
    alert.refresh_from_db()
    rule.refresh_from_db()
    assert alert.state == Alert.State.SENT and alert.attempts == 2
    assert len(alert_stub.messages) == 1 and rule.last_result == "200 ok"


def test_429_retry_after_is_honoured_and_connection_errors_retry_then_give_up(alert_stub):
    rule = make_rule(alert_stub.url)
    alert_stub.answer(429, "rate_limited", Retry_After="120")
    [alert] = raising.raise_for_answer(make_answer_for_rule())
    start = later(31)
    assert sending.send_for_rule(rule.pk, now=start) == "retry"
    alert.refresh_from_db()
    rule.refresh_from_db()
    assert alert.next_attempt_at >= start + timedelta(seconds=119)
    assert rule.next_send_at >= start + timedelta(seconds=119)

    # The receiver is gone: retried with backoff until RETRY_FOR after the event, then failed.
    rule.url = "http://127.0.0.1:9/gone"
    rule.save()
    Alert.objects.filter(pk=alert.pk).update(created_at=start - sending.RETRY_FOR)
    AlertRule.objects.filter(pk=rule.pk).update(next_send_at=None)
    assert sending.send_for_rule(rule.pk, now=start + timedelta(minutes=5)) == "failed"
    alert.refresh_from_db()
    rule.refresh_from_db()
    assert alert.state == Alert.State.FAILED and "connect" in alert.error.lower()
    assert rule.last_result == "not connected"


def test_teams_gets_an_adaptive_card(alert_stub):
    rule = make_rule(alert_stub.url, destination=AlertRule.Destination.TEAMS)
    answer = make_answer_for_rule(score=1, comment="Never again")
    raising.raise_for_answer(answer)
    sending.send_due(now=later(31))
    [message] = alert_stub.messages
    assert message["type"] == "message"
    [attachment] = message["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    facts = {fact["title"]: fact["value"] for fact in card["body"][1]["facts"]}
    assert facts["Score"] == "1" and facts["Group"] == "Detractor"
    assert any(block.get("text") == "Never again" for block in card["body"])
    [action] = card["actions"]
    assert action["type"] == "Action.OpenUrl" and action["url"].startswith("http://testserver/")
    assert Alert.objects.get(rule=rule).state == Alert.State.SENT


def test_email_alerts_go_to_the_recipients(alert_stub):
    lead = make_user(role=Role.LEAD, email="lead@example.com")
    admin = make_user(role=Role.ADMIN, email="boss@example.com")
    gone = make_user(role=Role.LEAD, email="gone@example.com", is_active=False)
    rule = make_rule(destination=AlertRule.Destination.EMAIL, conditions={})
    rule.recipients.set([lead, admin, gone])
    raising.raise_for_answer(make_answer_for_rule(score=9, comment="Lovely & quick"))
    raising.raise_for_answer(make_answer_for_rule(score=3, comment="Slow"))
    sending.send_due(now=later(31))
    assert sorted(message.to[0] for message in mail.outbox) == ["boss@example.com", "lead@example.com"]
    message = mail.outbox[0]
    assert message.subject == "2 new alerts: Detractors to #support"
    assert "1 detractor, 1 promoter" in message.body and "Lovely & quick" in message.body
    html = message.alternatives[0][0]
    assert "Lovely &amp; quick" in html and "http://testserver/account/alerts/" in html
    assert set(Alert.objects.values_list("state", "batch_size")) == {(Alert.State.SENT, 2)}
    rule.refresh_from_db()
    assert rule.last_result == "sent to 2 people"


def test_overdue_case_alerts_once_per_due_time(alert_stub):
    rule = make_rule(alert_stub.url, trigger=AlertRule.Trigger.CASE_OVERDUE, conditions={})
    answer = make_answer_for_rule(score=2, comment="Still waiting")
    case = Case.objects.filter(answer=answer).first() or Case.objects.create(
        answer=answer, campaign=answer.campaign, contact=answer.contact, score=2, group="detractor"
    )
    case.due_at = timezone.now() - timedelta(hours=1)
    assert raising.raise_for_answer(answer) == []  # an answer rule it is not
    [alert] = raising.raise_for_overdue(case)
    assert raising.raise_for_overdue(case)[0].pk == alert.pk
    sending.send_due(now=later(1))
    [message] = alert_stub.messages
    assert message["blocks"][0]["text"]["text"] == "Case overdue: detractor scored 2"
    assert Alert.objects.get(pk=alert.pk).state == Alert.State.SENT
    assert rule.alerts.count() == 1


def test_rules_wanted_is_a_cached_flag(django_assert_num_queries):
    assert raising.rules_wanted() is False
    with django_assert_num_queries(0):
        assert raising.rules_wanted() is False
    rule = make_rule("https://hooks.slack.com/services/x")
    with django_assert_num_queries(1):
        assert raising.rules_wanted() is True
    with django_assert_num_queries(0):
        assert raising.rules_wanted() is True
    rule.enabled = False
    rule.save()
    assert raising.rules_wanted() is False


def test_a_disabled_rule_drops_its_waiting_alerts(alert_stub):
    rule = make_rule(alert_stub.url)
    raising.raise_for_answer(make_answer_for_rule())
    AlertRule.objects.filter(pk=rule.pk).update(enabled=False)
    assert sending.send_for_rule(rule.pk, now=later(31)) == "disabled"
    assert Alert.objects.get(rule=rule).state == Alert.State.FAILED
    assert alert_stub.messages == []


def test_slack_format_limits():
    items = [
        formats.Item("answer", 3, "x" * 5000, "A <b>", "Camp", "http://testserver/cases/1/", True)
        for _ in range(30)
    ]
    message = formats.message_for("Rule", items, 300, {"detractor": 300})
    body = formats.slack(message)
    assert len(body["blocks"]) <= 50 and "… and 290 more." in str(body["blocks"])
    assert all(len(block.get("text", {}).get("text", "")) <= 3000 for block in body["blocks"])
