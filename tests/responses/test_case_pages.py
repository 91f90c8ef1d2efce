"""The pages where leads work cases: the inbox, the case page and its actions, an answer's permalink."""

from datetime import timedelta

import pytest
from django.utils import timezone

from nps.accounts.roles import Role
from responses.models import AnswerTag, Case, CaseEvent, CaseMessage, Tag
from tests.factories import make_answer, make_campaign, make_contact, make_user

pytestmark = pytest.mark.django_db

Kind = CaseEvent.Kind


def make_case(
    *, score=3, owner=None, status=Case.Status.NEW, due_in=timedelta(hours=5), contact=None, **answer_fields
):
    """A case on a fresh answer (rows written directly: the pages, not the rules, are tested here)."""
    contact = contact if contact is not None else make_contact(name="Ana Lima")
    answer_fields.setdefault("comment", "The delivery was two weeks late.")
    answer = make_answer(score=score, contact=contact, **answer_fields)
    closed = status in Case.CLOSED
    return Case.objects.create(
        answer=answer,
        campaign=answer.campaign,
        contact=contact,
        score=score,
        group=answer.group,
        owner=owner,
        status=status,
        due_at=timezone.now() + due_in if due_in is not None else None,
        closed_at=timezone.now() if closed else None,
    )


@pytest.fixture
def lead(client):
    user = make_user(role=Role.LEAD, name="Lena Lead")
    client.force_login(user)
    return user


@pytest.fixture
def viewer(client):
    user = make_user(role=Role.VIEWER, name="Vic Viewer")
    client.force_login(user)
    return user


def test_signed_out_people_are_sent_to_sign_in(client):
    case = make_case()
    for path in ("/cases/", f"/cases/{case.pk}/", f"/responses/{case.answer_id}/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")
    response = client.post(f"/cases/{case.pk}/note/", {"text": "hello"})
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not CaseEvent.objects.exists()


def test_viewer_reads_a_case_without_contact_details_or_actions(client, viewer):
    contact = make_contact(
        name="Ana Lima", email="ana@example.com", phone="+447700900123", properties={"region": "South"}
    )
    contact.at_risk, contact.at_risk_reason = True, "Score fell from 9 to 4"
    contact.save()
    case = make_case(contact=contact)
    CaseEvent.objects.create(
        case=case, kind=Kind.NOTE, text="Called, no answer.", actor=make_user(role=Role.LEAD)
    )

    page = client.get(f"/cases/{case.pk}/").text
    assert "Ana Lima" in page
    assert "The delivery was two weeks late." in page
    assert "Called, no answer." in page
    for secret in ("ana@example.com", "+447700900123", "South", "Score fell"):
        assert secret not in page
    assert "Assign to me" not in page and "Add note" not in page and "Send reply" not in page

    response = client.post(f"/cases/{case.pk}/note/", {"text": "A viewer's note"})
    assert response.status_code == 403
    assert CaseEvent.objects.count() == 1

    inbox = client.get("/cases/")
    assert inbox.status_code == 200
    assert "Ana Lima" in inbox.text and "ana@example.com" not in inbox.text
    assert "My cases" not in inbox.text  # viewers own no case: their inbox opens on all open cases

    permalink = client.get(f"/responses/{case.answer_id}/").text
    assert "Ana Lima" in permalink and "ana@example.com" not in permalink and "South" not in permalink


def test_lead_works_a_case_and_each_action_is_on_the_timeline(client, lead):
    contact = make_contact(name="Ana Lima", email="ana@example.com", properties={"region": "South"})
    contact.at_risk, contact.at_risk_reason = True, "2 detractor answers in a row"
    contact.save()
    case = make_case(contact=contact)
    colleague = make_user(role=Role.LEAD, name="Carl Colleague")
    Tag.objects.create(name="billing")

    page = client.get(f"/cases/{case.pk}/").text
    assert "ana@example.com" in page and "South" in page and "2 detractor answers in a row" in page
    assert '<option value="billing">' in page  # the existing tags are offered

    steps = [
        ("assign", {"owner": str(lead.pk)}, "The case is yours."),
        ("status", {"status": "in_progress"}, "Status: In progress."),
        ("priority", {"priority": "high"}, "Priority: High."),
        ("due", {"due_at": "2031-05-04T10:30"}, "Due 4 May 2031"),
        ("note", {"text": "Called back, offered a refund."}, "Note added."),
        ("tags", {"tags": "Billing, refund , billing,,"}, "Tags saved."),
        ("assign", {"owner": str(colleague.pk)}, "Assigned to Carl Colleague."),
    ]
    for action, data, message in steps:
        response = client.post(f"/cases/{case.pk}/{action}/", data, follow=True)
        assert response.status_code == 200, action
        assert response.redirect_chain[-1][0].startswith(f"/cases/{case.pk}/")
        assert message in response.text, action

    case.refresh_from_db()
    assert (case.owner, case.status, case.priority) == (colleague, "in_progress", "high")
    assert timezone.localtime(case.due_at).strftime("%Y-%m-%d %H:%M") == "2031-05-04 10:30"
    assert sorted(t.name for t in case.answer.tags.all()) == ["billing", "refund"]
    assert Tag.objects.count() == 2  # "Billing" is the existing tag, not a second one
    kinds = list(case.events.values_list("kind", flat=True))
    for kind in (Kind.OWNER, Kind.STATUS, Kind.PRIORITY, Kind.DUE, Kind.NOTE, Kind.TAGS):
        assert kind in kinds, kind
    note = case.events.get(kind=Kind.NOTE)
    assert (note.text, note.actor) == ("Called back, offered a refund.", lead)

    page = client.get(f"/cases/{case.pk}/").text
    assert "Called back, offered a refund." in page
    # Newest last: the first owner change, then the note, then the hand-over to the colleague.
    assert (
        page.index("Owner: nobody → Lena Lead")
        < page.index("Called back")
        < page.index("Owner: Lena Lead → Carl Colleague")
    )
    assert "Lena Lead" in page  # who did it


def test_bad_input_is_refused_with_400_and_nothing_written(client, lead):
    case = make_case()
    viewer = make_user(role=Role.VIEWER)
    before = (case.owner_id, case.status, case.priority, case.due_at)
    bad = [
        ("assign", {"owner": "99999999999999999999999"}),
        ("assign", {"owner": str(viewer.pk)}),  # a viewer cannot own a case
        ("assign", {"owner": "١"}),
        ("status", {"status": "closed"}),
        ("status", {}),
        ("priority", {"priority": "whenever"}),
        ("due", {"due_at": "2026-13-45T10:00"}),
        ("due", {"due_at": "99999-01-01T10:00"}),
        ("note", {"text": "   "}),
        ("note", {"text": "a\x00b"}),
        ("note", {"text": "x" * 5001}),
        ("tags", {"tags": "ok, " + "y" * 51}),
        ("tags", {"tags": ",".join(f"t{i}" for i in range(21))}),
        ("tags", {"tags": "nul\x00tag"}),
    ]
    for action, data in bad:
        response = client.post(f"/cases/{case.pk}/{action}/", data)
        assert response.status_code == 400, (action, data)
        assert "Nothing was changed" in response.text
        assert 'class="field-error"' in response.text or "form-alert" in response.text
    case.refresh_from_db()
    assert (case.owner_id, case.status, case.priority, case.due_at) == before
    assert not CaseEvent.objects.exists()
    assert not Tag.objects.exists() and not AnswerTag.objects.exists()

    assert client.get(f"/cases/{case.pk}/note/").status_code == 405
    assert client.post("/cases/999999999999/note/", {"text": "hi"}).status_code == 404


def test_inbox_tabs_count_and_filters_narrow(client, lead):
    north = make_campaign(name="Onboarding survey")
    mine = make_case(owner=lead, comment="Billing was wrong twice")
    overdue = make_case(due_in=-timedelta(days=2), comment="Nobody called me back")
    make_case(score=8, owner=make_user(role=Role.LEAD), campaign=north, comment="Okay I guess")
    closed = make_case(status=Case.Status.RESOLVED, owner=lead)
    region = overdue.contact
    region.properties = {"region": "North"}
    region.save()
    tag = Tag.objects.create(name="billing")
    AnswerTag.objects.create(answer=mine.answer, tag=tag)

    page = client.get("/cases/").text
    assert 'aria-current="page">My cases <span class="case-tab-count">1</span>' in page
    for label, count in (("Unassigned", 1), ("Overdue", 1), ("All open", 3), ("All", 4)):
        assert f'{label} <span class="case-tab-count">{count}</span>' in page, label
    assert "Billing was wrong twice" in page and "Okay I guess" not in page
    assert f"/cases/{closed.pk}/" not in page  # "My cases" are the open ones

    overdue_page = client.get("/cases/?view=overdue").text
    assert "Nobody called me back" in overdue_page
    assert "overdue by 2 days" in overdue_page and "case-due-overdue" in overdue_page

    def listed(query):
        response = client.get(f"/cases/?view=all&{query}")
        assert response.status_code == 200, query
        return {
            pk for pk in Case.objects.values_list("pk", flat=True) if f'href="/cases/{pk}/"' in response.text
        }

    everything = set(Case.objects.values_list("pk", flat=True))
    assert listed("") == everything
    assert listed("group=passive") == {c.pk for c in Case.objects.filter(group="passive")}
    assert listed(f"campaign={north.pk}") == {c.pk for c in Case.objects.filter(campaign=north)}
    assert listed("status=resolved") == {closed.pk}
    assert listed(f"owner={lead.pk}") == {mine.pk, closed.pk}
    assert listed("owner=none") == {overdue.pk}
    assert listed("tag=billing") == {mine.pk}
    assert listed("property=Region&value=north") == {overdue.pk}
    assert listed("q=called") == {overdue.pk}

    for query in (
        "campaign=99999999999999999999999",
        "status=bogus",
        "owner=%D9%A1",
        "page=0",
        "q=a%00b",
        "value=x",
    ):
        response = client.get(f"/cases/?{query}")
        assert response.status_code == 400, query
        assert "Please correct the filters above." in response.text


def test_empty_inbox_says_where_cases_come_from(client):
    client.force_login(make_user(role=Role.ADMIN))
    page = client.get("/cases/").text
    assert "No cases yet" in page
    assert "Settings → Follow-up" in page


def test_permalink_shows_the_answer_its_history_and_its_case(client, lead):
    contact = make_contact(name="Ana Lima", email="ana@example.com", properties={"plan": "Pro"})
    campaign = make_campaign(name="Quarterly NPS")
    now = timezone.now()
    first = make_answer(
        score=9, contact=contact, campaign=campaign, answered_at=now - timedelta(days=60), comment="Great"
    )
    make_answer(score=7, contact=contact, campaign=campaign, answered_at=now - timedelta(days=30))
    case = make_case(score=2, contact=contact, campaign=campaign, comment="Now it is awful")
    tag = Tag.objects.create(name="churn-risk")
    AnswerTag.objects.create(answer=case.answer, tag=tag)

    page = client.get(f"/responses/{case.answer_id}/").text
    assert "Now it is awful" in page and "churn-risk" in page
    assert "ana@example.com" in page and "Pro" in page
    assert f'href="/cases/{case.pk}/"' in page
    assert "Score trend: 9, 7, 2 (oldest first)" in page
    assert page.count('class="sparkline-dot') == 3
    assert page.count("<tr") == 4  # the header and three answers, the accessible table of the trend
    assert f'href="/responses/{first.pk}/"' in page

    no_case = client.get(f"/responses/{first.pk}/").text
    assert "No case: this answer matched no case rule." in no_case
    assert client.get("/responses/99999999999999999999/").status_code == 404


def test_menu_shows_my_open_cases_and_overdue(client, lead):
    make_case(owner=lead)
    make_case(owner=lead, due_in=-timedelta(hours=3))
    make_case(owner=lead, status=Case.Status.RESOLVED)
    page = client.get("/cases/").text
    assert 'href="/cases/"' in page
    assert "nav-badge" in page
    assert "nav-badge-overdue" in page


def test_reply_by_email_goes_to_the_contact_and_is_on_the_timeline(client, lead, settings):
    settings.CASE_REPLY_ADDRESS = "replies@support.example.com"
    contact = make_contact(name="Ana Lima", email="ana@example.com")
    case = make_case(contact=contact)

    page = client.get(f"/cases/{case.pk}/").text
    assert (
        "Email to ana@example.com from Acme Support; the customer&#x27;s replies come back to this case."
        in page
    )

    bad = client.post(f"/cases/{case.pk}/reply/", {"channel": "email", "subject": "Hi", "body": "  "})
    assert bad.status_code == 400 and "This field is required." in bad.text
    bad = client.post(f"/cases/{case.pk}/reply/", {"channel": "sms", "subject": "x", "body": "Sorry"})
    assert bad.status_code == 400
    assert not CaseMessage.objects.exists()

    response = client.post(
        f"/cases/{case.pk}/reply/",
        {"channel": "email", "subject": "About your order", "body": "Sorry about the delay, Ana."},
        follow=True,
    )
    assert response.status_code == 200
    assert "Reply queued to ana@example.com" in response.text
    message = CaseMessage.objects.get()
    assert (message.direction, message.channel, message.to_address) == ("out", "email", "ana@example.com")
    assert case.events.filter(kind=Kind.REPLY_OUT).exists()
    assert "Sorry about the delay, Ana." in client.get(f"/cases/{case.pk}/").text


HOSTILE = [
    "\x00",
    "a\x00b",
    "²",
    "٣",
    str(2**63),
    "-" + str(10**30),
    "9999-12-31T23:59",
    "x" * 10_000,
    "",
    " ",
    "../..",
]


def test_hostile_values_in_every_field_never_answer_500_nor_write(client, lead):
    case = make_case()
    forms = {
        "assign": ["owner"],
        "status": ["status"],
        "priority": ["priority"],
        "due": ["due_at"],
        "note": ["text"],
        "tags": ["tags"],
        "reply": ["channel", "subject", "body"],
    }
    for action, fields in forms.items():
        for name in fields:
            for value in HOSTILE:
                response = client.post(f"/cases/{case.pk}/{action}/", {name: value})
                assert response.status_code < 500, (action, name, value[:20])
    # Some are fine values ("²" is a note, "9999-12-31T23:59" a due time); nothing holds a NUL, nothing overlong.
    assert set(case.events.values_list("kind", flat=True)) <= {Kind.DUE, Kind.NOTE, Kind.TAGS}
    assert not any("\x00" in text or len(text) > 5000 for text in case.events.values_list("text", flat=True))
    assert not any("\x00" in name or len(name) > 50 for name in Tag.objects.values_list("name", flat=True))
    assert not CaseMessage.objects.exists()
    for name in ("view", "status", "owner", "group", "campaign", "tag", "property", "value", "q", "page"):
        for value in HOSTILE:
            response = client.get(
                "/cases/", {name: value, "property": "region"} if name == "value" else {name: value}
            )
            assert response.status_code < 500, (name, value[:20])
