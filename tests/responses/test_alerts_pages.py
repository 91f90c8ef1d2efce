"""Settings → Alerts and Account → Alert emails, through the pages; personal case emails."""

import pytest
from django.core import mail
from django.urls import reverse

from nps.accounts.roles import Role
from nps.audit.models import AuditEntry
from responses.models import AlertPreference, AlertRule, Case
from tests.factories import make_answer, make_contact, make_user

pytestmark = pytest.mark.django_db


def rule_data(**overrides):
    data = {
        "name": "Detractors to #support",
        "enabled": "on",
        "trigger": "answer",
        "destination": "slack",
        "url": "https://hooks.slack.com/services/T0/B0/abc",
        "groups": ["detractor"],
        "has_comment": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def admin(client):
    user = make_user(role=Role.ADMIN, email="admin@example.com")
    client.force_login(user)
    return user


@pytest.mark.parametrize("role", [Role.VIEWER, Role.LEAD])
def test_only_admins_see_the_rules_pages(client, role):
    rule = AlertRule.objects.create(name="R", destination="slack", url="https://hooks.slack.com/x")
    client.force_login(make_user(role=role))
    for name, args in [
        ("alert_rule_list", []),
        ("alert_rule_create", []),
        ("alert_rule_edit", [rule.pk]),
        ("alert_rule_delete", [rule.pk]),
    ]:
        assert client.get(reverse(f"responses:{name}", args=args)).status_code == 403
    assert client.post(reverse("responses:alert_rule_test", args=[rule.pk])).status_code == 403
    assert client.post(reverse("responses:alert_rule_delete", args=[rule.pk])).status_code == 403
    assert AlertRule.objects.filter(pk=rule.pk).exists()
    # Their own alert emails: everyone.
    assert client.get(reverse("responses:alert_preferences")).status_code == 200


def test_admin_adds_edits_tests_and_deletes_a_rule(client, admin, alert_stub):
    page = client.get(reverse("responses:alert_rule_list"))
    assert page.status_code == 200 and "No alert rules yet" in page.content.decode()

    response = client.post(reverse("responses:alert_rule_create"), rule_data(url=alert_stub.url))
    rule = AlertRule.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "responses:alert_rule_edit", args=[rule.pk]
    )
    assert rule.conditions == {"groups": ["detractor"], "has_comment": True}
    assert rule.created_by == admin and rule.url == alert_stub.url
    assert AuditEntry.objects.filter(action="alert_rule.create").exists()

    listing = client.get(reverse("responses:alert_rule_list")).content.decode()
    assert "Detractors to #support" in listing and "secret" not in listing  # the URL's secret path is masked

    alert_stub.answer(404, "no_service")
    page = client.post(reverse("responses:alert_rule_test", args=[rule.pk])).content.decode()
    assert "Test alert: not delivered" in page and "404 no_service" in page
    page = client.post(reverse("responses:alert_rule_test", args=[rule.pk])).content.decode()
    assert "Test alert: delivered" in page and "200 ok" in page
    [message] = alert_stub.messages
    assert message["blocks"][0]["text"]["text"].startswith("[Test] ")

    response = client.post(
        reverse("responses:alert_rule_edit", args=[rule.pk]),
        rule_data(
            name="Angry customers",
            url=alert_stub.url,
            groups=None,
            has_comment=None,
            keywords="refund, cancel",
        ),
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.name == "Angry customers" and rule.conditions == {"keywords": ["refund", "cancel"]}

    confirm = client.get(reverse("responses:alert_rule_delete", args=[rule.pk])).content.decode()
    assert "Delete the alert rule “Angry customers”?" in confirm
    assert AlertRule.objects.filter(pk=rule.pk).exists()
    response = client.post(reverse("responses:alert_rule_delete", args=[rule.pk]))
    assert response.status_code == 302 and not AlertRule.objects.exists()


def test_email_rule_needs_leads_or_admins(client, admin):
    lead = make_user(role=Role.LEAD, email="lead@example.com")
    viewer = make_user(role=Role.VIEWER, email="viewer@example.com")
    response = client.post(reverse("responses:alert_rule_create"), rule_data(destination="email", url=""))
    assert response.status_code == 400 and "Choose at least one person to email." in response.content.decode()
    response = client.post(
        reverse("responses:alert_rule_create"),
        rule_data(destination="email", url="", recipients=[str(viewer.pk)]),
    )
    assert response.status_code == 400  # viewers are not offered
    response = client.post(
        reverse("responses:alert_rule_create"),
        rule_data(destination="email", url="https://hooks.slack.com/x", recipients=[str(lead.pk)]),
    )
    assert response.status_code == 302
    rule = AlertRule.objects.get()
    assert list(rule.recipients.all()) == [lead] and rule.url == ""


def test_internal_urls_are_refused_when_loopback_is_not_allowed(client, admin, settings, alert_stub):
    settings.OUTBOUND_ALLOW_LOOPBACK = False
    for url in [
        alert_stub.url,
        "http://10.0.0.5/hook",
        "https://169.254.169.254/latest",
        "https://metadata.google.internal/x",
    ]:
        response = client.post(reverse("responses:alert_rule_create"), rule_data(url=url))
        assert response.status_code == 400, url
        assert "only public addresses" in response.content.decode() or "https://" in response.content.decode()
    assert not AlertRule.objects.exists()
    # A rule saved while loopback was allowed: the test button says so and sends nothing.
    rule = AlertRule.objects.create(name="Old", destination="slack", url=alert_stub.url)
    response = client.post(reverse("responses:alert_rule_test", args=[rule.pk]), follow=True)
    assert "No test alert sent" in response.content.decode() and alert_stub.messages == []


@pytest.mark.parametrize(
    "overrides",
    [
        {"name": "bad\x00name"},
        {"name": "   "},
        {"name": "x" * 101},
        {"score_min": "99"},
        {"score_min": "٣"},
        {"score_min": "8", "score_max": "3"},
        {"trigger": "sometimes"},
        {"destination": "pager"},
        {"groups": ["angry"]},
        {"campaigns": ["99999999999999999999"]},
        {"property": "region"},
        {"url": ""},
        {"url": "ftp://example.com/x"},
        {"url": "https://exa mple.com/"},
        {"keywords": "a," * 600},
    ],
)
def test_bad_input_is_a_400_and_writes_nothing(client, admin, overrides):
    response = client.post(reverse("responses:alert_rule_create"), rule_data(**overrides))
    assert response.status_code == 400
    assert not AlertRule.objects.exists()


def test_unknown_rule_is_a_404(client, admin):
    assert client.get(reverse("responses:alert_rule_edit", args=[999999])).status_code == 404
    assert client.post(reverse("responses:alert_rule_test", args=[999999])).status_code == 404
    assert client.get(reverse("responses:alert_rule_test", args=[1])).status_code == 405


def test_preferences_and_subscriptions(client):
    lead = make_user(role=Role.LEAD, email="lead@example.com")
    other = make_user(role=Role.LEAD, email="other@example.com")
    mine = AlertRule.objects.create(name="Detractors by email", destination="email")
    mine.recipients.set([lead, other])
    theirs = AlertRule.objects.create(name="Promoters by email", destination="email")
    AlertRule.objects.create(name="Slack rule", destination="slack", url="https://hooks.slack.com/x")
    client.force_login(lead)

    page = client.get(reverse("responses:alert_preferences")).content.decode()
    assert "Detractors by email" in page and "Promoters by email" in page and "Slack rule" not in page
    assert reverse("responses:alert_preferences") in client.get(reverse("nps:account")).content.decode()

    response = client.post(
        reverse("responses:alert_preferences"),
        {"mine-case_assigned": "on", "mine-case_overdue": "on", "rules-rules": [str(theirs.pk)]},
    )
    assert response.status_code == 302
    preference = AlertPreference.objects.get(user=lead)
    assert (preference.case_assigned, preference.case_reply, preference.case_overdue) == (True, False, True)
    assert list(mine.recipients.all()) == [other]  # unsubscribed themselves only
    assert list(theirs.recipients.all()) == [lead]
    assert AuditEntry.objects.filter(action="alert_preference.update").exists()

    response = client.post(reverse("responses:alert_preferences"), {"rules-rules": ["nope"]})
    assert response.status_code == 400

    viewer = make_user(role=Role.VIEWER, email="viewer@example.com")
    client.force_login(viewer)
    page = client.get(reverse("responses:alert_preferences")).content.decode()
    assert "Email alert rules" not in page
    assert (
        client.post(reverse("responses:alert_preferences"), {"rules-rules": [str(theirs.pk)]}).status_code
        == 302
    )
    assert viewer not in theirs.recipients.all()


def test_personal_emails_follow_the_owners_choice(django_capture_on_commit_callbacks):
    from responses.cases import notify

    owner = make_user(role=Role.LEAD, email="owner@example.com", name="Olga")
    boss = make_user(role=Role.ADMIN, email="boss@example.com")
    answer = make_answer(score=2, comment="Broken again", contact=make_contact(name="Ravi"))
    case = Case.objects.filter(answer=answer).first() or Case.objects.create(
        answer=answer, campaign=answer.campaign, contact=answer.contact, score=2, group="detractor"
    )
    case.owner = owner
    case.save()

    with django_capture_on_commit_callbacks(execute=True):
        notify.case_assigned(case, by=owner)  # took it themselves: nothing
        notify.case_assigned(case, by=boss)
    [email] = mail.outbox
    assert email.to == ["owner@example.com"] and email.subject == f"Case {case.pk} is yours: Ravi scored 2"
    assert f"http://testserver/cases/{case.pk}/" in email.body and "Broken again" in email.body

    AlertPreference.objects.create(user=owner, case_overdue=False)
    with django_capture_on_commit_callbacks(execute=True):
        notify.case_overdue(case)
        notify.customer_replied(case, None)
    assert [message.subject for message in mail.outbox[1:]] == [f"Ravi replied on case {case.pk}"]
