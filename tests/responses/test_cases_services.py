"""Working cases: owners, status, priority, due times, notes, tags, overdue, the inbox and its counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from nps.audit.models import AuditEntry
from responses.cases import services
from responses.models import AssignmentRule, Case, CaseEvent, FollowUpSettings, Tag
from tests.factories import make_answer, make_campaign, make_contact, make_user

pytestmark = pytest.mark.django_db
Kind = CaseEvent.Kind


def open_case(score=3, comment="", contact=None, campaign=None, **contact_fields):
    """A case opened by the intake for a fresh answer (the default rule: every detractor)."""
    contact = contact or make_contact(**contact_fields)
    answer = make_answer(score=score, comment=comment, contact=contact, campaign=campaign)
    return services.open_or_update_for(answer, created=True)


def kinds(case):
    return list(case.events.values_list("kind", flat=True))


def test_round_robin_takes_turns_among_active_leads_and_property_rules_come_first():
    south = make_user(role="lead", name="Sam South")
    first, second = make_user(role="lead", name="Ann"), make_user(role="admin", name="Bob")
    retired = make_user(role="lead", name="Gone", is_active=False)
    viewer = make_user(role="viewer", name="Vic")
    AssignmentRule.objects.create(position=0, property="Region", value=" south ").owners.add(south)
    everyone = AssignmentRule.objects.create(position=1)
    everyone.owners.add(first, second, retired, viewer)

    assert open_case(properties={"region": "SOUTH"}).owner == south
    owners = [open_case(properties={"region": "North"}).owner for _ in range(3)]
    assert owners == [first, second, first]
    assert AssignmentRule.objects.get(pk=everyone.pk).last_owner == first


def test_without_a_matching_rule_or_an_eligible_owner_the_case_waits_unassigned():
    AssignmentRule.objects.create(property="region", value="south").owners.add(make_user(role="lead"))
    AssignmentRule.objects.create(position=1).owners.add(make_user(role="viewer"))
    case = open_case(properties={"region": "north"})
    assert case.owner is None
    assert kinds(case) == [Kind.OPENED]


def test_the_due_time_follows_the_target_of_the_group():
    FollowUpSettings.objects.update_or_create(pk=1, defaults={"detractor_due_hours": 4})
    case = open_case(score=0)
    assert timedelta(hours=3, minutes=59) < case.due_at - case.opened_at <= timedelta(hours=4)


def test_assigning_records_who_when_and_refuses_people_who_cannot_own_cases():
    lead, other = make_user(role="lead", name="Lee"), make_user(role="lead", name="Oli")
    case = open_case()
    with pytest.raises(ValueError, match="active lead or admin"):
        services.assign(case, make_user(role="viewer"), by=lead)
    with pytest.raises(ValueError, match="active lead or admin"):
        services.assign(case, make_user(role="lead", is_active=False), by=lead)

    services.assign(case, lead, by=lead)
    services.assign(case, lead, by=lead)  # no change, no event
    services.assign(case, other, by=lead)
    services.assign(case, None, by=other)
    case.refresh_from_db()
    assert case.owner is None
    owners = [(e.actor, e.data["from"], e.data["to"]) for e in case.events.filter(kind=Kind.OWNER)]
    assert owners == [(lead, None, "Lee"), (lead, "Lee", "Oli"), (other, "Oli", None)]
    entries = AuditEntry.objects.filter(action="case.assign").order_by("pk")
    assert [(e.actor, e.changes) for e in entries] == [
        (lead, {"owner": [None, "Lee"]}),
        (lead, {"owner": ["Lee", "Oli"]}),
        (other, {"owner": ["Oli", None]}),
    ]
    assert case.updated_at >= case.events.last().created_at


def test_status_sets_the_first_response_once_and_closing_and_reopening_move_closed_at():
    lead = make_user(role="lead")
    case = open_case()
    with pytest.raises(ValueError, match="Unknown status"):
        services.set_status(case, "done", by=lead)

    services.set_status(case, Case.Status.IN_PROGRESS, by=lead)
    first_response = case.first_response_at
    assert first_response is not None and case.closed_at is None
    services.set_status(case, Case.Status.RESOLVED, by=lead)
    assert case.closed_at is not None
    services.set_status(case, Case.Status.NEW, by=lead)  # reopened
    assert case.closed_at is None
    services.set_status(case, Case.Status.WONT_FIX, by=lead)
    case.refresh_from_db()
    assert case.first_response_at == first_response
    assert case.closed_at is not None and case.status == "wont_fix"
    steps = [(e.data["from"], e.data["to"]) for e in case.events.filter(kind=Kind.STATUS)]
    assert steps == [
        ("new", "in_progress"),
        ("in_progress", "resolved"),
        ("resolved", "new"),
        ("new", "wont_fix"),
    ]
    assert AuditEntry.objects.filter(action="case.status", actor=lead).count() == 4

    later = timezone.now() + timedelta(hours=1)
    services.mark_first_response(case, later)  # a reply after the first response changes nothing
    case.refresh_from_db()
    assert case.first_response_at == first_response


def test_priority_due_time_and_notes_are_checked_and_on_the_timeline():
    lead = make_user(role="lead", name="Lee")
    case = open_case()
    with pytest.raises(ValueError, match="Unknown priority"):
        services.set_priority(case, "asap", by=lead)
    services.set_priority(case, "urgent", by=lead)
    due = timezone.now() + timedelta(days=3)
    services.set_due(case, due, by=lead)
    with pytest.raises(ValueError, match="time zone"):
        services.set_due(case, due.replace(tzinfo=None), by=lead)
    for bad, message in [
        ("   ", "Write the note first"),
        ("a\x00b", "NUL"),
        ("x" * 5_001, "at most 5,000"),
    ]:
        with pytest.raises(ValueError, match=message):
            services.add_note(case, bad, by=lead)
    note = services.add_note(case, "  Called back, refund promised  ", by=lead)
    assert (note.kind, note.text, note.actor) == (Kind.NOTE, "Called back, refund promised", lead)
    case.refresh_from_db()
    assert (case.priority, case.due_at) == ("urgent", due)
    assert kinds(case) == [Kind.OPENED, Kind.PRIORITY, Kind.DUE, Kind.NOTE]
    assert case.events.get(kind=Kind.PRIORITY).data == {"from": "normal", "to": "urgent"}
    assert set(AuditEntry.objects.values_list("action", flat=True)) == {
        "case.priority",
        "case.due",
        "case.note",
    }


def test_tags_are_shared_ignoring_case_and_their_changes_are_on_the_case():
    lead = make_user(role="lead")
    Tag.objects.create(name="Billing")
    case = open_case()
    tags = services.set_tags(case.answer, ["billing", " call  back ", "Call back", ""], by=lead)
    assert [tag.name for tag in tags] == ["Billing", "call back"]
    assert Tag.objects.count() == 2
    services.set_tags(case.answer, ["call back", "refund"], by=lead)
    services.set_tags(case.answer, ["Refund", "CALL BACK"], by=lead)  # the same tags: nothing changes
    assert sorted(case.answer.tags.values_list("name", flat=True)) == ["call back", "refund"]
    events = case.events.filter(kind=Kind.TAGS)
    assert [(e.data["added"], e.data["removed"]) for e in events] == [
        (["Billing", "call back"], []),
        (["refund"], ["Billing"]),
    ]
    with pytest.raises(ValueError, match="at most 50"):
        services.set_tags(case.answer, ["x" * 51], by=lead)
    with pytest.raises(ValueError, match="At most 20"):
        services.set_tags(case.answer, [f"t{n}" for n in range(21)], by=lead)
    # An answer without a case keeps tags too.
    promoter = make_answer(score=10, contact=make_contact())
    assert [t.name for t in services.set_tags(promoter, ["praise"], by=lead)] == ["praise"]


def test_overdue_cases_are_marked_once_per_due_time(django_capture_on_commit_callbacks):
    lead = make_user(role="lead")
    late, closed, fine = open_case(), open_case(), open_case()
    past = timezone.now() - timedelta(minutes=5)
    Case.objects.filter(pk__in=[late.pk, closed.pk]).update(due_at=past)
    services.set_status(closed, Case.Status.RESOLVED, by=lead)

    assert services.mark_overdue() == 1
    assert services.mark_overdue() == 0
    late.refresh_from_db()
    assert late.overdue_alerted_at is not None
    assert kinds(late) == [Kind.OPENED, Kind.OVERDUE]
    assert kinds(fine) == [Kind.OPENED]

    # Told an hour ago; given more time since, which has passed too: told again.
    Case.objects.filter(pk=late.pk).update(overdue_alerted_at=timezone.now() - timedelta(hours=1))
    services.set_due(late, timezone.now() - timedelta(minutes=1), by=lead)
    assert services.mark_overdue() == 1
    assert list(late.events.filter(kind=Kind.OVERDUE).values_list("kind", flat=True)) == [Kind.OVERDUE] * 2


def test_the_inbox_views_filters_and_order():
    me, other = make_user(role="lead"), make_user(role="lead")
    viewer = make_user(role="viewer")
    south_campaign = make_campaign(name="Support")
    now = timezone.now()
    mine_late = open_case(comment="Refund never came", name="Ravi", properties={"region": "South"})
    mine_soon = open_case(score=5, campaign=south_campaign)
    theirs = open_case(score=6)
    nobody = open_case(score=1, email="zed@example.net")
    done = open_case(score=2)
    for case, owner in [(mine_late, me), (mine_soon, me), (theirs, other), (done, me)]:
        services.assign(case, owner, by=me)
    Case.objects.filter(pk=mine_late.pk).update(due_at=now - timedelta(hours=1))
    Case.objects.filter(pk=mine_soon.pk).update(due_at=now + timedelta(hours=1))
    Case.objects.filter(pk=nobody.pk).update(due_at=now - timedelta(hours=2))
    services.set_status(done, Case.Status.RESOLVED, by=me)
    services.set_tags(theirs.answer, ["billing"], by=me)

    def ids(view="open", **filters):
        return [case.pk for case in services.inbox(me, view=view, filters=filters)]

    assert ids("mine") == [mine_late.pk, mine_soon.pk]
    assert ids("unassigned") == [nobody.pk]
    assert ids("overdue") == [nobody.pk, mine_late.pk]  # the most overdue first
    assert ids("open")[:2] == [nobody.pk, mine_late.pk] and len(ids("open")) == 4
    assert set(ids("all")) == {mine_late.pk, mine_soon.pk, theirs.pk, nobody.pk, done.pk}
    assert ids("all", status="closed") == [done.pk]
    assert ids("all", status="resolved") == [done.pk]
    assert ids(owner=str(other.pk)) == [theirs.pk]
    assert ids(owner="none") == [nobody.pk]
    assert ids(group="passive") == []
    assert ids(campaign=south_campaign.pk) == [mine_soon.pk]
    assert ids(tag="BILLING") == [theirs.pk]
    assert ids(property="region", value="south") == [mine_late.pk]
    assert ids(segment="region=SOUTH") == [mine_late.pk]
    assert ids(q="refund") == [mine_late.pk]
    assert ids(q="ravi") == [mine_late.pk]
    assert ids(q="zed@example") == [nobody.pk]
    assert ids(status="", owner=None) == ids()
    for view, filters in [
        ("nope", {}),
        ("open", {"status": "x"}),
        ("open", {"owner": "abc"}),
        ("open", {"q": "\x00"}),
    ]:
        with pytest.raises(ValueError):
            services.inbox(me, view=view, filters=filters)
    # Viewers read every case; someone signed out, none.
    assert len(services.inbox(viewer, view="all", filters={})) == 5
    from django.contrib.auth.models import AnonymousUser

    assert not services.queryset_for(AnonymousUser()).exists()


def test_nav_counts_take_one_query_then_none_and_follow_a_change_of_owner(django_assert_num_queries):
    me = make_user(role="lead")
    mine, nobody = open_case(), open_case()
    services.assign(mine, me, by=me)
    Case.objects.filter(pk=nobody.pk).update(due_at=timezone.now() - timedelta(hours=1))
    with django_assert_num_queries(1):
        counts = services.nav_counts(me)
    assert counts == {"mine": 1, "unassigned": 1, "overdue": 1, "mine_overdue": 0}
    with django_assert_num_queries(0):
        assert services.nav_counts(me) == counts
    services.assign(nobody, me, by=me)  # forgets my copy at once
    assert services.nav_counts(me) == {"mine": 2, "unassigned": 0, "overdue": 1, "mine_overdue": 1}
