"""Saved answers open and update follow-up cases through the fan-out (Celery runs in process in tests)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from nps.webhooks import services as webhooks
from nps.webhooks.models import WebhookDelivery, WebhookEndpoint
from responses import fanout
from responses.cases import intake, tasks
from responses.models import Answer, AssignmentRule, Case, CaseEvent, CaseRule
from responses.services import create_response, record_score, save_comment, submit_answer, update_response
from surveys.contacts import erase_contact
from surveys.models import Contact
from tests.factories import make_answer, make_campaign, make_contact, make_user

from .helpers import make_sent_invitation

pytestmark = pytest.mark.django_db
Kind = CaseEvent.Kind


def timeline(case):
    return [(event.kind, event.data.get("from"), event.data.get("to")) for event in case.events.all()]


@pytest.fixture
def hooks():
    """An endpoint listening to case events (on a closed local port: deliveries are recorded, never sent)."""
    endpoint = WebhookEndpoint.objects.create(
        url="http://127.0.0.1:9/hook", events=["case.created", "case.updated"]
    )
    webhooks.forget_endpoints()
    return endpoint


def test_follow_up_listens_to_the_fan_out_after_the_webhooks():
    names = [consumer.name for consumer in fanout._consumers]
    # Webhooks before follow-up; the themes consumer (which only acts without a beat) in any place.
    assert [name for name in names if name != "themes"] == ["webhooks", "follow_up"]
    assert "themes" in names


def test_a_detractor_on_the_answer_page_opens_one_case_that_follows_their_changes(
    client, django_capture_on_commit_callbacks, hooks
):
    lead = make_user(role="lead")
    AssignmentRule.objects.create(property="region", value="SOUTH").owners.add(lead)
    invitation = make_sent_invitation(contact=make_contact(properties={"Region": "south"}))
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(invitation.answer_path(), {"score": "3"})

    case = Case.objects.get()
    answer = Answer.objects.get()
    assert (case.answer, case.contact, case.campaign) == (answer, invitation.contact, invitation.campaign)
    assert (case.score, case.group, case.status, case.priority) == (3, "detractor", "new", "normal")
    assert case.rule.name == "Every detractor"
    assert case.owner == lead  # region south → the lead, ignoring case
    assert before + timedelta(hours=48) <= case.due_at <= timezone.now() + timedelta(hours=48)
    assert timeline(case) == [(Kind.OPENED, None, None), (Kind.OWNER, None, lead.name)]
    contact = Contact.objects.get(pk=invitation.contact_id)
    assert (contact.last_score, contact.at_risk) == (3, False)

    # The customer changes their mind, then explains: the same case follows, each change on its timeline.
    with django_capture_on_commit_callbacks(execute=True):
        record_score(invitation, score=5)
        save_comment(invitation, comment="Invoices arrive late")
    with django_capture_on_commit_callbacks(execute=True):
        record_score(invitation, score=9)  # no longer a detractor: the case stays, the lead decides
    case.refresh_from_db()
    assert Case.objects.count() == 1
    assert (case.score, case.group) == (9, "promoter")
    assert timeline(case)[2:] == [
        (Kind.SCORE, 3, 5),
        (Kind.COMMENT, "", "Invoices arrive late"),
        (Kind.SCORE, 5, 9),
        # The comment was written for the 5: it stays with that score in the answer's history.
        (Kind.COMMENT, "Invoices arrive late", ""),
    ]

    deliveries = list(WebhookDelivery.objects.order_by("pk").values_list("event_type", flat=True))
    assert deliveries[0] == "case.created"
    assert deliveries.count("case.created") == 1
    # The owner chosen at the opening is in case.created; then score, comment, score and comment.
    assert deliveries.count("case.updated") == 4
    created = WebhookDelivery.objects.get(event_type="case.created").payload["event_data"]
    assert (str(created["id"]), created["score"]) == (str(case.pk), 3)


def test_rules_apply_in_position_order_and_disabled_rules_open_nothing(django_capture_on_commit_callbacks):
    CaseRule.objects.update(position=10)  # the default "Every detractor"
    CaseRule.objects.create(
        name="Refunds", position=1, priority="urgent", conditions={"keywords": ["refund"]}
    )
    CaseRule.objects.create(name="Off", position=0, enabled=False, priority="low", conditions={})
    campaign = make_campaign(channels=["phone"])
    with django_capture_on_commit_callbacks(execute=True):
        refund = create_response(
            contact=make_contact(), campaign=campaign, score=2, comment="I want a refund"
        )
        plain = create_response(contact=make_contact(), campaign=campaign, score=2, comment="Meh")
        promoter = create_response(contact=make_contact(), campaign=campaign, score=10, comment="Great")
    assert Case.objects.get(answer=refund).priority == "urgent"
    assert Case.objects.get(answer=refund).rule.name == "Refunds"
    assert Case.objects.get(answer=plain).priority == "normal"
    assert not Case.objects.filter(answer=promoter).exists()

    # A promoter who later mentions a refund (an API update) gets a case then.
    with django_capture_on_commit_callbacks(execute=True):
        update_response(promoter, comment="Great, but where is my refund?")
    assert Case.objects.get(answer=promoter).rule.name == "Refunds"


def test_considering_an_answer_twice_changes_nothing_more():
    contact = make_contact()
    answer = make_answer(score=1, contact=contact, comment="Broken")
    intake.consider_answer(answer.pk, created=True)
    intake.consider_answer(answer.pk)
    case = Case.objects.get()
    assert timeline(case) == [(Kind.OPENED, None, None)]
    assert case.events.get().data == {"score": 1, "comment": "Broken", "rule": "Every detractor"}
    intake.consider_answer(10**9)  # gone: nothing happens


def test_history_and_erased_answers_open_no_case_but_history_keeps_the_last_score():
    contact = make_contact()
    old = make_answer(score=2, contact=contact, external_id="delighted:1", answered_at=timezone.now())
    intake.consider_answer(old.pk, created=True)
    assert not Case.objects.exists()
    assert Contact.objects.get(pk=contact.pk).last_score == 2

    anonymous = make_answer(score=0, contact=None)
    intake.consider_answer(anonymous.pk)
    assert not Case.objects.exists()


def test_answering_again_shows_on_the_earlier_case(django_capture_on_commit_callbacks):
    contact = make_contact()
    with django_capture_on_commit_callbacks(execute=True):
        first = submit_answer(make_sent_invitation(contact=contact), score=4, comment="Slow")
    with django_capture_on_commit_callbacks(execute=True):
        again = submit_answer(make_sent_invitation(contact=contact), score=9, comment="Much better")
    case = Case.objects.get(answer=first)
    assert not Case.objects.filter(answer=again).exists()
    event = case.events.get(kind=Kind.ANSWERED_AGAIN)
    assert (event.data, event.text) == ({"answer": again.pk, "from": 4, "to": 9}, "Much better")
    intake.consider_answer(again.pk)
    assert case.events.filter(kind=Kind.ANSWERED_AGAIN).count() == 1


def test_the_sweep_makes_good_a_lost_task_and_remembers_where_it_stopped(django_assert_max_num_queries):
    # An answer saved while Redis was down: nothing was queued (the factory announces nothing).
    lost = make_answer(score=2, contact=make_contact())
    tasks.sweep_follow_up()
    assert Case.objects.get().answer == lost

    # Overdue cases are marked by the same sweep.
    Case.objects.update(due_at=timezone.now() - timedelta(minutes=1))
    tasks.sweep_follow_up()
    assert Case.objects.get().events.filter(kind=Kind.OVERDUE).count() == 1
    assert Case.objects.get().overdue_alerted_at is not None

    # An answer changed long before the watermark is not read again; one changed after it is.
    old = make_answer(score=0, contact=make_contact(), updated_at=timezone.now() - timedelta(hours=1))
    changed = make_answer(score=0, contact=make_contact())
    tasks.sweep_follow_up()
    assert not Case.objects.filter(answer=old).exists()
    assert Case.objects.filter(answer=changed).exists()
    assert Case.objects.count() == 2


def test_erasing_a_contact_deletes_their_cases_and_exports_them_first(django_capture_on_commit_callbacks):
    from surveys.privacy import contact_document

    contact = make_contact()
    with django_capture_on_commit_callbacks(execute=True):
        answer = submit_answer(make_sent_invitation(contact=contact), score=2, comment="Rude agent")
    case = Case.objects.get()
    from responses.cases import services

    services.add_note(case, "Called, left a voicemail", by=make_user(role="lead", name="Lee"))
    document = contact_document(contact)
    assert [(c["id"], c["status"], [n["text"] for n in c["notes"]]) for c in document["cases"]] == [
        (case.pk, "new", ["Called, left a voicemail"])
    ]

    with django_capture_on_commit_callbacks(execute=True):
        erase_contact(contact)
    assert not Case.objects.exists()
    assert not CaseEvent.objects.exists()
    assert Answer.objects.get(pk=answer.pk).contact is None
    tasks.sweep_follow_up()  # the anonymised answer was just updated: still no case for nobody
    assert not Case.objects.exists()
