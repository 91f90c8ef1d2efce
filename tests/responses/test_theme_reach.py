"""Comment themes where follow-up and data leave OpenNPS: case rules and alert rules ("theme is Refunds"),
their forms and descriptions, the dashboard's CSV export, a contact's data export and webhook payloads."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from nps.accounts.roles import Role
from nps.webhooks import services as webhooks
from nps.webhooks.models import WebhookDelivery, WebhookEndpoint
from responses.alerts import sending
from responses.cases.rules import Conditions, describe, matches, parse, to_json
from responses.models import Alert, AlertRule, Answer, AnswerTheme, Case, CaseEvent, CaseRule, Theme
from responses.services import export_answers_of, record_score, save_comment
from tests.factories import make_answer, make_contact, make_invitation, make_user

from .helpers import make_sent_invitation

pytestmark = pytest.mark.django_db
Source = AnswerTheme.Source


def make_theme(name, *, words=(), **fields):
    """A rule theme: the assigner gives it to comments with these words (and tests write its rows)."""
    return Theme.objects.create(
        kind=Theme.Kind.RULE, name=name, rule_terms={"en": list(words)} if words else {}, **fields
    )


def tag(answer, theme, source=Source.RULE):
    """What the assigner (or a person) writes: the answer's comment has the theme."""
    return AnswerTheme.objects.create(answer=answer, theme=theme, source=source)


@pytest.fixture
def themes():
    return {
        "refunds": make_theme("Refunds", words=["refund"]),
        "late": make_theme("Late delivery", words=["late"]),
    }


@pytest.fixture
def refunds_rule(themes):
    """Only the "Refunds" case rule: the default "Every detractor" rule is switched off."""
    CaseRule.objects.update(enabled=False)
    return CaseRule.objects.create(
        name="Refunds", priority="high", conditions={"theme_ids": [themes["refunds"].pk]}
    )


# Conditions ------------------------------------------------------------------------------------------------


def test_theme_ids_round_trip_through_the_stored_json(themes):
    conditions = parse({"theme_ids": [themes["late"].pk, str(themes["refunds"].pk), themes["late"].pk]})
    assert conditions.theme_ids == (themes["late"].pk, themes["refunds"].pk)  # repeats dropped
    assert to_json(conditions) == {"theme_ids": [themes["late"].pk, themes["refunds"].pk]}
    assert parse(to_json(conditions)) == conditions


@pytest.mark.parametrize(
    "bad",
    [
        "Refunds",
        ["x"],
        [0],
        [-3],
        [True],
        [2**63],
        ["1\x00"],
        ["١"],
        ["1e3"],
        [1.5],
        [[1]],
        list(range(1, 52)),
    ],
)
def test_bad_theme_ids_are_refused_with_a_readable_message(bad):
    with pytest.raises(ValueError, match=r"Themes( must be a list of theme ids|: at most 50)"):
        parse({"theme_ids": bad})


def test_describe_names_the_themes_and_says_which_are_gone(themes):
    refunds, late = themes["refunds"], themes["late"]
    assert describe(parse({"groups": ["detractor"], "theme_ids": [refunds.pk, late.pk]})) == (
        "Detractors, theme is Refunds or Late delivery"
    )
    old = make_theme("Old")
    gone = old.pk
    old.delete()
    assert (
        describe(Conditions(theme_ids=(refunds.pk, gone)))
        == "Every answer, theme is Refunds or a deleted theme"
    )
    auto = Theme.objects.create(kind=Theme.Kind.AUTO, label="courier, parcel", hidden=True)
    assert describe(Conditions(theme_ids=(auto.pk,))) == "Every answer, theme is courier, parcel (hidden)"
    Theme.objects.filter(pk=late.pk).update(merged_into=refunds)
    assert describe(Conditions(theme_ids=(late.pk,))) == (
        "Every answer, theme is Late delivery (merged into Refunds)"
    )


def test_a_blank_comment_has_no_theme_and_costs_no_query(themes, django_assert_num_queries):
    answer = make_answer(score=2, comment="  ")
    tag(answer, themes["refunds"], Source.HAND)
    with django_assert_num_queries(0):
        assert not matches(Conditions(theme_ids=(themes["refunds"].pk,)), answer)


def test_a_rule_follows_its_theme_into_the_theme_it_was_merged_into(themes):
    refunds, late = themes["refunds"], themes["late"]
    answer = make_answer(score=3, comment="Where is my refund?")
    tag(answer, refunds)
    conditions = Conditions(theme_ids=(late.pk,))
    assert not matches(conditions, answer)
    Theme.objects.filter(pk=late.pk).update(merged_into=refunds)  # merging moved late's comments to refunds
    assert matches(conditions, Answer.objects.get(pk=answer.pk))


def test_a_hidden_or_hand_removed_theme_does_not_match(themes):
    refunds = themes["refunds"]
    removed = make_answer(score=3, comment="refund refund")
    tag(removed, refunds, Source.REMOVED)
    hidden_theme = make_theme("Hidden", words=["refund"], hidden=True)
    tag(removed, hidden_theme)
    assert not matches(Conditions(theme_ids=(refunds.pk,)), removed)
    assert not matches(Conditions(theme_ids=(hidden_theme.pk,)), removed)


# Cases and alerts through the intake -----------------------------------------------------------------------


def test_a_case_rule_theme_is_refunds_opens_a_case_for_a_refund_comment_only(
    themes, refunds_rule, django_capture_on_commit_callbacks
):
    refund_invitation, late_invitation = make_sent_invitation(), make_sent_invitation()
    # The score first, the comment seconds later; the assigner reads the comment within a minute, or the
    # intake's matching gives the comment its themes at once.
    with django_capture_on_commit_callbacks(execute=True):
        refund = record_score(refund_invitation, score=3)
        late = record_score(late_invitation, score=3)
    assert not Case.objects.exists()  # no comment yet, so no theme
    tag(refund, themes["refunds"])
    tag(late, themes["late"])
    with django_capture_on_commit_callbacks(execute=True):
        save_comment(refund_invitation, comment="I am still waiting for my refund")
        save_comment(late_invitation, comment="The parcel came late")

    case = Case.objects.get()
    assert case.answer_id == refund.pk
    assert (case.rule, case.priority) == (refunds_rule, "high")
    opened = case.events.get(kind=CaseEvent.Kind.OPENED)
    assert opened.data["rule"] == "Refunds"


def test_the_comment_of_a_second_post_on_the_answer_page_is_considered_again(
    client, themes, refunds_rule, django_capture_on_commit_callbacks
):
    invitation = make_sent_invitation()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(invitation.answer_path(), {"score": "2", "source": "page"})
    assert response.status_code == 200
    answer = Answer.objects.get()
    assert not Case.objects.exists()
    tag(answer, themes["refunds"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(invitation.answer_path(), {"score": "2", "comment": "Refund me, please"})
    assert response.status_code == 302
    assert callbacks  # the fan-out fired for the comment too
    assert Case.objects.get().answer == answer


def test_an_alert_rule_with_a_theme_condition_raises_for_that_theme(
    themes, alert_stub, django_capture_on_commit_callbacks
):
    rule = AlertRule.objects.create(
        name="Refunds to #billing",
        destination=AlertRule.Destination.SLACK,
        url=alert_stub.url,
        conditions={"groups": ["detractor", "passive"], "theme_ids": [themes["refunds"].pk]},
    )
    refund_invitation, late_invitation = make_invitation(), make_invitation()
    with django_capture_on_commit_callbacks(execute=True):
        refund = record_score(refund_invitation, score=6)
        late = record_score(late_invitation, score=6)
    assert not Alert.objects.exists()
    tag(refund, themes["refunds"])
    tag(late, themes["late"])
    with django_capture_on_commit_callbacks(execute=True):
        save_comment(refund_invitation, comment="No refund after three weeks")
        save_comment(late_invitation, comment="Late again")

    alert = Alert.objects.get()
    assert (alert.rule, alert.answer) == (rule, refund)
    sending.send_due(now=timezone.now() + timedelta(seconds=31))
    assert len(alert_stub.messages) == 1
    assert "No refund after three weeks" in str(alert_stub.messages[0])


# The rules' forms ------------------------------------------------------------------------------------------


@pytest.fixture
def admin(client):
    user = make_user(role=Role.ADMIN, email="admin@example.com")
    client.force_login(user)
    return user


def test_the_case_rule_form_offers_active_themes_and_saves_the_choice(client, admin, themes):
    make_theme("Secret", hidden=True)
    page = client.get(reverse("responses:case_rule_create")).content.decode()
    assert "Theme is" in page and "Refunds" in page and "Late delivery" in page
    assert "Secret" not in page

    refunds = themes["refunds"]
    response = client.post(
        reverse("responses:case_rule_create"),
        {"name": "Refunds", "priority": "high", "enabled": "on", "themes": [str(refunds.pk)]},
    )
    assert response.status_code == 302
    rule = CaseRule.objects.get(name="Refunds")
    assert rule.conditions == {"theme_ids": [refunds.pk]}
    edit = client.get(reverse("responses:case_rule_edit", args=[rule.pk])).content.decode()
    assert (
        f'value="{refunds.pk}" id="id_themes_' in edit
        and "checked" in edit.split(f'value="{refunds.pk}"')[1][:40]
    )
    listing = client.get(reverse("responses:followup_settings")).content.decode()
    assert "Every answer, theme is Refunds" in listing


def test_editing_a_rule_keeps_a_theme_hidden_since_it_was_saved(client, admin, themes):
    refunds = themes["refunds"]
    rule = CaseRule.objects.create(name="Refunds", conditions={"theme_ids": [refunds.pk]})
    Theme.objects.filter(pk=refunds.pk).update(hidden=True)
    edit = client.get(reverse("responses:case_rule_edit", args=[rule.pk])).content.decode()
    assert "Refunds (hidden)" in edit
    response = client.post(
        reverse("responses:case_rule_edit", args=[rule.pk]),
        {"name": "Refund requests", "priority": "normal", "enabled": "on", "themes": [str(refunds.pk)]},
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.name, rule.conditions) == ("Refund requests", {"theme_ids": [refunds.pk]})


@pytest.mark.parametrize("value", ["hidden", "deleted", "abc", "99999999999999999999999", "1\x00"])
def test_the_forms_refuse_a_theme_they_do_not_offer(client, admin, themes, value):
    if value == "hidden":
        value = str(make_theme("Secret", hidden=True).pk)
    elif value == "deleted":
        gone = make_theme("Gone")
        value = str(gone.pk)
        gone.delete()
    before = CaseRule.objects.count()
    response = client.post(
        reverse("responses:case_rule_create"), {"name": "R", "priority": "normal", "themes": [value]}
    )
    assert response.status_code == 400
    if "\x00" not in value:
        assert "Choose themes from the list" in response.content.decode()
    assert CaseRule.objects.count() == before
    response = client.post(
        reverse("responses:alert_rule_create"),
        {
            "name": "R",
            "trigger": "answer",
            "destination": "slack",
            "url": "https://hooks.slack.com/services/T0/B0/abc",
            "themes": [value],
        },
    )
    assert response.status_code == 400
    assert not AlertRule.objects.exists()


def test_the_alert_rule_form_saves_a_theme_condition_and_the_list_says_it(client, admin, themes):
    page = client.get(reverse("responses:alert_rule_create")).content.decode()
    assert "Theme is" in page and "Late delivery" in page
    response = client.post(
        reverse("responses:alert_rule_create"),
        {
            "name": "Late deliveries",
            "enabled": "on",
            "trigger": "answer",
            "destination": "slack",
            "url": "https://hooks.slack.com/services/T0/B0/abc",
            "groups": ["detractor"],
            "themes": [str(themes["late"].pk), str(themes["refunds"].pk)],
        },
    )
    assert response.status_code == 302
    rule = AlertRule.objects.get()
    assert rule.conditions == {
        "groups": ["detractor"],
        "theme_ids": [themes["late"].pk, themes["refunds"].pk],
    }
    listing = client.get(reverse("responses:alert_rule_list")).content.decode()
    assert "Detractors, theme is Late delivery or Refunds" in listing


# Exports ---------------------------------------------------------------------------------------------------


def _export_rows(client):
    response = client.get("/export.csv", {"period": "30d"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_the_csv_export_has_a_themes_column_safe_for_spreadsheets(client, themes):
    client.force_login(make_user(role=Role.VIEWER))
    formula = make_theme("=HYPERLINK(1)")
    hidden = make_theme("Hidden one", hidden=True)
    both = make_answer(score=2, comment="Late and no refund")
    tag(both, themes["refunds"])
    tag(both, themes["late"], Source.HAND)
    tag(both, hidden)
    tag(both, formula, Source.REMOVED)  # removed by hand: not the comment's
    odd = make_answer(score=9, comment="=1+1")
    tag(odd, formula, Source.AUTO)
    make_answer(score=10, comment="")

    rows = {row["comment"]: row for row in _export_rows(client)}
    assert rows["Late and no refund"]["themes"] == "Late delivery; Refunds"
    assert rows["'=1+1"]["themes"] == "'=HYPERLINK(1)"  # neither runs as a formula
    assert rows[""]["themes"] == ""


def test_the_export_reads_themes_once_per_chunk_not_per_row(client, themes):
    client.force_login(make_user(role=Role.LEAD))
    tag(make_answer(score=3, comment="refund"), themes["refunds"])
    with CaptureQueriesContext(connection) as one:
        _export_rows(client)
    for n in range(5):
        tag(make_answer(score=3, comment=f"refund {n}"), themes["refunds" if n % 2 else "late"])
    with CaptureQueriesContext(connection) as six:
        rows = _export_rows(client)
    assert len(rows) == 6 and sum(row["themes"] == "Refunds" for row in rows) == 3
    assert len(six.captured_queries) == len(one.captured_queries)


def test_a_contacts_data_export_has_their_comments_themes(themes):
    contact = make_contact(email="ana@example.com")
    answer = make_answer(score=4, comment="Refund took a month and came late", contact=contact)
    tag(answer, themes["refunds"])
    tag(answer, themes["late"], Source.LEARNED)
    [exported] = export_answers_of(contact)
    assert exported["themes"] == ["Late delivery", "Refunds"]


# Webhooks --------------------------------------------------------------------------------------------------


@pytest.fixture
def endpoint():
    """An endpoint listening to answers and cases (a closed local port: deliveries are recorded)."""
    row = WebhookEndpoint.objects.create(
        url="http://127.0.0.1:9/hook",
        events=["survey_response.created", "survey_response.updated", "case.created"],
    )
    webhooks.forget_endpoints()
    return row


def test_webhook_payloads_carry_the_comments_themes(
    endpoint, themes, refunds_rule, django_capture_on_commit_callbacks
):
    invitation = make_sent_invitation()
    with django_capture_on_commit_callbacks(execute=True):
        answer = record_score(invitation, score=2)
    tag(answer, themes["refunds"])
    with django_capture_on_commit_callbacks(execute=True):
        save_comment(invitation, comment="Refund, now")

    payloads = {
        delivery.event_type: delivery.payload["event_data"]
        for delivery in WebhookDelivery.objects.order_by("pk")
    }
    assert payloads["survey_response.created"]["themes"] == []  # the score alone: no comment yet
    expected = [{"id": str(themes["refunds"].pk), "name": "Refunds"}]
    assert payloads["survey_response.updated"]["themes"] == expected
    assert payloads["case.created"]["survey_response"]["themes"] == expected
