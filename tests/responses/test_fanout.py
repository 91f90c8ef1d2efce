"""The answer fan-out: every saved answer reaches the registered consumers after the commit, and only then."""

import pytest
from django.db import transaction

from responses import fanout, hotpath
from responses.fanout import AnswerEvent, Consumer
from responses.models import Answer
from responses.services import create_response, record_score, save_comment, submit_answer, update_response
from tests.factories import make_campaign, make_contact

from .helpers import make_sent_invitation


class Recorder:
    """A consumer for tests: records what it receives; `wanting` is its answer to wants()."""

    def __init__(self, name="recorder", wanting=True):
        self.name, self.wanting = name, wanting
        self.events: list[AnswerEvent] = []
        self.asked = 0

    def wants(self) -> bool:
        self.asked += 1
        return self.wanting

    def receive(self, event: AnswerEvent) -> None:
        self.events.append(event)

    @property
    def consumer(self) -> Consumer:
        return Consumer(self.name, self.wants, self.receive)

    def seen(self) -> list[tuple[int, str]]:
        return [(e.answer_id, "created" if e.created else "updated") for e in self.events]


@pytest.fixture
def only(monkeypatch):
    """Replace the registered consumers (webhooks) by these, for one test."""

    def only(*recorders: Recorder) -> None:
        monkeypatch.setattr(fanout, "_consumers", [])
        for recorder in recorders:
            fanout.register(recorder.consumer)

    return only


def test_webhooks_then_follow_up_then_themes_are_the_registered_consumers():
    names = [consumer.name for consumer in fanout._consumers]
    # Webhooks before follow-up; the themes consumer (which only acts without a beat) in any place.
    assert [name for name in names if name != "themes"] == ["webhooks", "follow_up"]
    assert "themes" in names


@pytest.mark.django_db(transaction=True)
def test_a_consumer_receives_created_then_updated_after_each_commit(only):
    recorder = Recorder()
    only(recorder)
    invitation = make_sent_invitation()
    with transaction.atomic():
        answer = record_score(invitation, score=3)
        assert recorder.events == []  # not before the commit
    assert recorder.seen() == [(answer.pk, "created")]

    record_score(invitation, score=8)
    save_comment(invitation, comment="Quick support")
    assert recorder.seen() == [(answer.pk, "created"), (answer.pk, "updated"), (answer.pk, "updated")]


@pytest.mark.django_db(transaction=True)
def test_phone_and_api_writes_are_announced_too(only):
    recorder = Recorder()
    only(recorder)
    contact, campaign = make_contact(), make_campaign(channels=["phone"])
    answer = create_response(contact=contact, campaign=campaign, score=7, comment="Fine")
    update_response(answer, notes="Called back")
    other = submit_answer(make_sent_invitation(), score=10, comment="Great")
    assert recorder.seen() == [
        (answer.pk, "created"),
        (answer.pk, "updated"),
        (other.pk, "created"),  # the Send button: the score, then the comment
        (other.pk, "updated"),
    ]


@pytest.mark.django_db(transaction=True)
def test_nothing_is_received_on_rollback(only):
    recorder = Recorder()
    only(recorder)
    invitation = make_sent_invitation()
    with pytest.raises(RuntimeError), transaction.atomic():
        record_score(invitation, score=9)
        raise RuntimeError("the page failed after the score was stored")
    assert not Answer.objects.exists()
    assert recorder.events == []
    with transaction.atomic():
        record_score(invitation, score=9)
        with pytest.raises(RuntimeError), transaction.atomic():  # a savepoint rolled back
            save_comment(invitation, comment="never stored")
            raise RuntimeError
    assert recorder.seen() == [(Answer.objects.get().pk, "created")]


@pytest.mark.django_db(transaction=True)
def test_a_failing_consumer_fails_neither_the_answer_nor_the_others(only, caplog):
    def fail(event):
        raise ConnectionError("alerts are down")

    recorder = Recorder()
    only(Recorder("first"), recorder)
    fanout.register(Consumer("broken", lambda: True, fail))
    fanout.register(Recorder("last").consumer)  # registered after the broken one
    answer = record_score(make_sent_invitation(), score=2)
    assert Answer.objects.get().score == 2
    assert recorder.seen() == [(answer.pk, "created")]
    assert fanout._consumers[-1].name == "last"
    assert "Answer consumer 'broken' failed" in caplog.text


@pytest.mark.django_db
@pytest.mark.parametrize("consumers", [[], [Recorder(wanting=False)]], ids=["none", "not-wanting"])
def test_nobody_listening_keeps_the_hot_path_to_one_query(
    only,
    consumers,
    django_assert_num_queries,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    only(*consumers)
    invitation = make_sent_invitation()
    with django_capture_on_commit_callbacks() as created, django_assert_num_queries(1):
        record_score(invitation, score=9)  # the upsert, nothing else
    with django_capture_on_commit_callbacks() as updated, django_assert_num_queries(1):
        record_score(invitation, score=9)  # the same score again: the upsert touches it
    # A change of score is no longer the one-click path: it locks the answer and keeps its history.
    with django_capture_on_commit_callbacks() as changed, django_assert_max_num_queries(5):
        record_score(invitation, score=7)
    assert created == updated == changed == []
    assert all(recorder.events == [] for recorder in consumers)


@pytest.mark.django_db
def test_a_listener_costs_the_page_at_most_the_is_it_new_question(
    only, django_assert_num_queries, django_capture_on_commit_callbacks
):
    recorder = Recorder()
    only(recorder)
    invitation = make_sent_invitation()
    with django_capture_on_commit_callbacks(execute=True), django_assert_num_queries(2):
        record_score(invitation, score=9)  # does an answer exist? then the upsert
    # The answer page's own lookup has joined the answer in: the question costs nothing.
    found = hotpath.find_invitation(invitation.token, "record")
    with django_capture_on_commit_callbacks(execute=True), django_assert_num_queries(1):
        record_score(found, score=9, source="link", automatic=True)
    with django_capture_on_commit_callbacks(execute=True):
        record_score(found, score=4, source="link", automatic=True)  # a change: kept in the history
    assert [created for _, created in recorder.seen()] == ["created", "updated", "updated"]
    assert list(Answer.objects.get().revisions.values_list("score", "new_score", "source")) == [
        (9, 4, "link")
    ]
