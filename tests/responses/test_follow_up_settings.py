"""Settings → Follow-up: targets, at-risk thresholds, case rules and assignment rules (admins only)."""

import pytest
from django.urls import reverse

from nps.accounts.roles import Role
from nps.audit.models import AuditEntry
from responses.cases import rules
from responses.cases.settings_forms import ConditionsForm
from responses.models import AssignmentRule, CaseRule, FollowUpSettings
from tests.factories import make_campaign, make_contact, make_user

pytestmark = pytest.mark.django_db

RULE = {
    "name": "Unhappy in the South",
    "priority": "high",
    "enabled": "on",
    "groups": ["detractor", "passive"],
    "score_min": "",
    "score_max": "7",
    "has_comment": "on",
    "channels": ["email", "phone"],
    "property": " Region ",
    "property_values": "South, west ,",
    "keywords": "refund, cancel my account",
}


@pytest.fixture
def admin(client):
    user = make_user(role=Role.ADMIN)
    client.force_login(user)
    return user


def test_only_admins_reach_the_follow_up_settings(client):
    CaseRule.objects.all().delete()  # the default rule of the data migration
    rule = CaseRule.objects.create(name="Every detractor", conditions={"groups": ["detractor"]})
    assignment = AssignmentRule.objects.create(property="region", value="South")
    urls = [
        reverse("responses:followup_settings"),
        reverse("responses:case_rule_list"),
        reverse("responses:case_rule_create"),
        reverse("responses:case_rule_edit", args=[rule.pk]),
        reverse("responses:case_rule_delete", args=[rule.pk]),
        reverse("responses:assignment_list"),
        reverse("responses:assignment_create"),
        reverse("responses:assignment_edit", args=[assignment.pk]),
        reverse("responses:assignment_delete", args=[assignment.pk]),
    ]
    posts = [
        reverse("responses:case_rule_toggle", args=[rule.pk]),
        reverse("responses:case_rule_move", args=[rule.pk]),
        reverse("responses:assignment_move", args=[assignment.pk]),
        *urls,
    ]
    for role in (Role.LEAD, Role.VIEWER):
        client.force_login(make_user(role=role))
        for url in urls:
            assert client.get(url).status_code == 403, url
        for url in posts:
            assert client.post(url, {"direction": "up", **RULE}).status_code == 403, url
    client.logout()
    assert client.get(urls[0]).status_code == 302
    # Nothing changed on the way.
    assert CaseRule.objects.get().enabled and CaseRule.objects.count() == 1
    assert AssignmentRule.objects.count() == 1


def test_the_page_lists_rules_in_order_with_what_they_match(client, admin):
    campaign = make_campaign(name="Quarterly NPS")
    CaseRule.objects.all().delete()
    CaseRule.objects.create(name="Every detractor", position=1, conditions={"groups": ["detractor"]})
    CaseRule.objects.create(
        name="Billing",
        position=2,
        enabled=False,
        conditions={"keywords": ["invoice"], "campaign_ids": [campaign.pk]},
    )
    lead = make_user(role=Role.LEAD, name="Priya Lead")
    rule = AssignmentRule.objects.create(property="region", value="South", position=1)
    rule.owners.set([lead])
    page = client.get(reverse("responses:followup_settings")).content.decode()
    assert page.index("Every detractor") < page.index("Billing")
    assert "Detractors" in page
    assert "Every answer mentioning “invoice” on Quarterly NPS" in page
    assert "Turn on" in page  # the disabled one
    assert "Priya Lead" in page and "<code>region</code> is <strong>South</strong>" in page
    assert "Unassigned" in page  # the queue is explained
    settings_page = client.get(reverse("nps:settings")).content.decode()
    assert reverse("responses:followup_settings") in settings_page
    assert reverse("responses:alert_rule_list") in settings_page


def test_targets_and_thresholds_are_saved_and_audited(client, admin):
    response = client.post(
        reverse("responses:followup_settings"),
        {
            "detractor_due_hours": "24",
            "passive_due_hours": "72",
            "promoter_due_hours": "168",
            "at_risk_drop": "4",
            "at_risk_streak": "3",
        },
    )
    assert response.status_code == 302
    saved = FollowUpSettings.get()
    assert (
        saved.detractor_due_hours,
        saved.promoter_due_hours,
        saved.at_risk_drop,
        saved.at_risk_streak,
    ) == (
        24,
        168,
        4,
        3,
    )
    entry = AuditEntry.objects.get(action="follow_up.update")
    assert entry.changes["detractor_due_hours"] == [48, 24]


@pytest.mark.parametrize(
    "bad",
    [
        {"detractor_due_hours": "0"},
        {"detractor_due_hours": "99999999999999999999999"},
        {"passive_due_hours": "٣"},
        {"promoter_due_hours": "1\x00"},
        {"at_risk_drop": "11"},
        {"at_risk_streak": "1"},
        {"at_risk_streak": ""},
    ],
)
def test_bad_targets_answer_400_and_change_nothing(client, admin, bad):
    data = {
        "detractor_due_hours": "24",
        "passive_due_hours": "72",
        "promoter_due_hours": "120",
        "at_risk_drop": "3",
        "at_risk_streak": "2",
    }
    response = client.post(reverse("responses:followup_settings"), {**data, **bad})
    assert response.status_code == 400
    assert b"field-error" in response.content
    saved = FollowUpSettings.get()
    assert saved.detractor_due_hours == 48 and saved.at_risk_streak == 2
    assert not AuditEntry.objects.filter(action="follow_up.update").exists()


def test_a_case_rule_is_created_with_its_conditions_then_edited(client, admin):
    campaign = make_campaign(name="Onboarding")
    make_contact(properties={"region": "South"})
    form_page = client.get(reverse("responses:case_rule_create")).content.decode()
    assert 'value="detractor"' in form_page and "Onboarding" in form_page
    assert '<option value="region">' in form_page  # known property names are suggested

    response = client.post(reverse("responses:case_rule_create"), {**RULE, "campaigns": [str(campaign.pk)]})
    assert response.status_code == 302
    rule = CaseRule.objects.get(name="Unhappy in the South")
    assert rule.priority == "high" and rule.enabled
    assert rule.position > CaseRule.objects.exclude(pk=rule.pk).order_by("-position").first().position
    assert rule.conditions == {
        "groups": ["detractor", "passive"],
        "score_max": 7,
        "has_comment": True,
        "campaign_ids": [campaign.pk],
        "channels": ["email", "phone"],
        "property": "region",
        "property_values": ["South", "west"],
        "keywords": ["refund", "cancel my account"],
    }
    assert AuditEntry.objects.filter(action="case_rule.create", object_id=str(rule.pk)).exists()

    # The edit form shows what was saved.
    edit = client.get(reverse("responses:case_rule_edit", args=[rule.pk])).content.decode()
    assert 'value="South, west"' in edit and 'value="refund, cancel my account"' in edit
    assert f'value="{campaign.pk}" id="id_campaigns_0" checked' in edit

    response = client.post(
        reverse("responses:case_rule_edit", args=[rule.pk]),
        {"name": "Promoters", "priority": "low", "groups": ["promoter"]},
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.name, rule.priority, rule.enabled, rule.conditions) == (
        "Promoters",
        "low",
        False,
        {"groups": ["promoter"]},
    )
    assert AuditEntry.objects.get(action="case_rule.update").changes["enabled"] == [True, False]


@pytest.mark.parametrize(
    "bad",
    [
        {"name": ""},
        {"name": "x" * 101},
        {"name": "Nul\x00"},
        {"priority": "sky-high"},
        {"groups": ["grumpy"]},
        {"score_min": "8", "score_max": "3"},
        {"score_min": "11"},
        {"score_max": "99999999999999999999999"},
        {"campaigns": ["99999999999999999999999"]},
        {"channels": ["fax"]},
        {"property": "region", "property_values": ""},
        {"property": "", "property_values": "South"},
        {"keywords": "a," * 60},
        {"keywords": "x" * 101},
        {"keywords": "bad\x00word"},
    ],
)
def test_a_bad_case_rule_answers_400_and_writes_nothing(client, admin, bad):
    before = CaseRule.objects.count()
    response = client.post(reverse("responses:case_rule_create"), {**RULE, **bad})
    assert response.status_code == 400
    assert b"form-alert" in response.content
    assert CaseRule.objects.count() == before
    assert not AuditEntry.objects.exists()


def test_rules_move_toggle_and_delete_after_a_confirmation(client, admin):
    CaseRule.objects.all().delete()
    first = CaseRule.objects.create(name="First", position=1)
    second = CaseRule.objects.create(name="Second", position=2)
    third = CaseRule.objects.create(name="Third", position=3)
    client.post(reverse("responses:case_rule_move", args=[third.pk]), {"direction": "up"})
    assert list(CaseRule.objects.values_list("name", flat=True)) == ["First", "Third", "Second"]
    client.post(reverse("responses:case_rule_move", args=[first.pk]), {"direction": "up"})  # already first
    assert list(CaseRule.objects.values_list("name", flat=True)) == ["First", "Third", "Second"]
    client.post(reverse("responses:case_rule_move", args=[first.pk]), {"direction": "down"})
    assert list(CaseRule.objects.values_list("name", flat=True)) == ["Third", "First", "Second"]
    bad = client.post(reverse("responses:case_rule_move", args=[first.pk]), {"direction": "sideways"})
    assert bad.status_code == 400
    assert list(CaseRule.objects.values_list("name", flat=True)) == ["Third", "First", "Second"]

    client.post(reverse("responses:case_rule_toggle", args=[second.pk]))
    second.refresh_from_db()
    assert not second.enabled
    assert client.get(reverse("responses:case_rule_toggle", args=[second.pk])).status_code == 405

    confirm = client.get(reverse("responses:case_rule_delete", args=[second.pk]))
    assert confirm.status_code == 200 and "Delete the rule" in confirm.content.decode()
    assert CaseRule.objects.filter(pk=second.pk).exists()  # asking is not deleting
    assert client.post(reverse("responses:case_rule_delete", args=[second.pk])).status_code == 302
    assert not CaseRule.objects.filter(pk=second.pk).exists()
    assert AuditEntry.objects.filter(action="case_rule.delete", object_id=str(second.pk)).exists()
    huge = reverse("responses:case_rule_edit", args=[99999999999999999999])
    assert client.get(huge).status_code == 404


def test_assignment_rules_one_owner_round_robin_and_every_case(client, admin):
    lead = make_user(role=Role.LEAD, name="Lea")
    other = make_user(role=Role.LEAD, name="Omar")
    viewer = make_user(role=Role.VIEWER, name="Vic")
    gone = make_user(role=Role.LEAD, name="Gone", is_active=False)
    page = client.get(reverse("responses:assignment_create")).content.decode()
    assert "Lea" in page and "Omar" in page and "Vic" not in page and "Gone" not in page

    response = client.post(
        reverse("responses:assignment_create"),
        {"property": " Region", "value": " South ", "owners": [lead.pk]},
    )
    assert response.status_code == 302
    south = AssignmentRule.objects.get()
    assert (south.property, south.value, list(south.owners.all())) == ("region", "South", [lead])

    client.post(
        reverse("responses:assignment_create"), {"property": "", "value": "", "owners": [lead.pk, other.pk]}
    )
    everyone = AssignmentRule.objects.exclude(pk=south.pk).get()
    assert everyone.property == "" and set(everyone.owners.all()) == {lead, other}
    assert everyone.position > south.position
    assert "in turn" in client.get(reverse("responses:followup_settings")).content.decode()

    for bad in (
        {"property": "region", "value": "", "owners": [lead.pk]},
        {"property": "", "value": "South", "owners": [lead.pk]},
        {"property": "region", "value": "North", "owners": []},
        {"property": "region", "value": "North", "owners": [viewer.pk]},
        {"property": "region", "value": "North", "owners": [gone.pk]},
        {"property": "region", "value": "North", "owners": ["99999999999999999999999"]},
        {"property": "region", "value": "North", "owners": ["x\x00"]},
        {"property": "reg\x00ion", "value": "North", "owners": [lead.pk]},
    ):
        assert client.post(reverse("responses:assignment_create"), bad).status_code == 400, bad
    assert AssignmentRule.objects.count() == 2

    client.post(
        reverse("responses:assignment_edit", args=[south.pk]),
        {"property": "region", "value": "West", "owners": [other.pk]},
    )
    south.refresh_from_db()
    assert south.value == "West" and list(south.owners.all()) == [other]
    client.post(reverse("responses:assignment_move", args=[everyone.pk]), {"direction": "up"})
    assert list(AssignmentRule.objects.values_list("pk", flat=True)) == [everyone.pk, south.pk]

    assert client.get(reverse("responses:assignment_delete", args=[south.pk])).status_code == 200
    client.post(reverse("responses:assignment_delete", args=[south.pk]))
    assert list(AssignmentRule.objects.values_list("pk", flat=True)) == [everyone.pk]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"assignment_rule.create", "assignment_rule.update", "assignment_rule.delete"} <= actions


def test_the_conditions_form_round_trips_the_conditions():
    campaign = make_campaign()
    saved = rules.parse(
        {
            "groups": ["detractor"],
            "score_min": 2,
            "has_comment": True,
            "campaign_ids": [campaign.pk],
            "channels": ["sms"],
            "property": "plan",
            "property_values": ["pro", "team"],
            "keywords": ["slow"],
        }
    )
    unbound = ConditionsForm()
    unbound.initial_from(saved)
    data = {}
    for name, value in unbound.initial.items():
        if value in (None, False):
            continue
        data[name] = "on" if value is True else value
    bound = ConditionsForm(data)
    assert bound.is_valid(), bound.errors
    assert bound.conditions() == saved
    empty = ConditionsForm({})
    assert empty.is_valid() and empty.conditions() == rules.Conditions()
