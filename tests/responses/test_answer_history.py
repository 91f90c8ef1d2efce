"""A second tap changes nothing until the customer confirms; every change of score is kept in the answer's
history, with the comment written for it (docs/answer-links.md)."""

import re
from datetime import timedelta

import pytest
from django.test import Client

from nps.accounts.roles import Role
from responses import pages, services
from responses.cases.services import open_or_update_for
from responses.cases.views import _describe
from responses.models import Answer, AnswerRevision, CaseEvent, CaseRule
from tests.factories import make_answer, make_contact, make_user

from .helpers import make_sent_invitation

pytestmark = pytest.mark.django_db

PRAISE = "Great support, Priya fixed it in minutes"


def answered_nine(client, **fields):
    """The story's start: the customer tapped 9 in the email and sent a comment."""
    invitation = make_sent_invitation(**fields)
    client.post(invitation.answer_path(), {"score": "9", "comment": PRAISE})
    return invitation


def test_a_second_score_link_shows_the_saved_answer_and_changes_nothing(client):
    invitation = answered_nine(client)
    response = client.get(invitation.answer_path(3))
    assert response.status_code == 200
    page = response.text
    assert "You have already answered" in page
    assert PRAISE in page
    assert re.search(r'<span class="badge">9</span>', page)
    assert '<button type="submit" name="confirm" value="change">Change my score to 3</button>' in page
    assert "Keep 9</button>" in page
    # Nothing on this page records by itself: no autosave, no script.
    assert "data-autosave" not in page and "answer.js" not in page
    assert invitation.token not in page
    answer = Answer.objects.get()
    assert (answer.score, answer.comment) == (9, PRAISE)
    assert not AnswerRevision.objects.exists()


def test_the_link_of_the_saved_score_shows_the_answer_without_recording(client):
    invitation = answered_nine(client)
    page = client.get(invitation.answer_path(9)).text
    assert re.search(r'id="score-9" value="9" checked', page)
    assert f"{PRAISE}</textarea>" in page
    assert "data-autosave" not in page and "You have already answered" not in page


def test_scanners_fetching_every_link_of_an_answered_mail_change_nothing(client):
    invitation = answered_nine(client)
    links = [invitation.answer_path(score) for score in range(11)] + [invitation.answer_path()]
    for _ in range(2):
        for link in links:
            assert client.head(link).status_code == 200
            assert client.get(link).status_code == 200
    answer = Answer.objects.get()
    assert (answer.score, answer.comment, answer.suspected_scanner) == (9, PRAISE, False)
    assert not AnswerRevision.objects.exists()


def test_confirming_keeps_the_old_score_and_its_comment_and_offers_the_comment_back(client):
    invitation = answered_nine(client)
    response = client.post(invitation.answer_path(3), {"score": "3", "confirm": "change"})
    assert response.status_code == 200
    page = response.text
    assert re.search(r'id="score-3" value="3" checked', page)
    assert f"{PRAISE}</textarea>" in page
    assert "You wrote this with a 9 — update it if it changed." in page
    assert 'id="comment-note" class="note" data-score="9">' in page  # shown, not hidden
    assert "Thank you, your score is saved. Tell us more below.</p>" in page
    assert "Your score is saved when you press Send." not in page  # it is saved already
    assert "data-autosave" not in page

    answer = Answer.objects.get()
    assert (answer.score, answer.comment, answer.suspected_scanner) == (3, "", False)
    (revision,) = answer.revisions.all()
    assert (revision.score, revision.comment, revision.new_score, revision.source) == (9, PRAISE, 3, "link")

    # Opened again later, the page still offers the comment with the score it was written for.
    again = client.get(invitation.answer_path()).text
    assert f"{PRAISE}</textarea>" in again and "You wrote this with a 9" in again

    # Send: the comment (updated or not) now goes with the 3; the history keeps the 9's.
    client.post(invitation.answer_path(), {"score": "3", "comment": "Billing is a mess"})
    answer.refresh_from_db()
    assert (answer.score, answer.comment) == (3, "Billing is a mess")
    assert list(answer.revisions.values_list("score", "comment")) == [(9, PRAISE)]
    page = client.get(invitation.answer_path()).text
    assert "Billing is a mess</textarea>" in page and "You wrote this with a 9" not in page


def test_keep_changes_nothing_and_thanks(client):
    invitation = answered_nine(client)
    response = client.post(invitation.answer_path(3), {"score": "3", "confirm": "keep"})
    assert response.status_code == 302
    assert response["Location"] == f"/r/{invitation.token}/thanks/"
    answer = Answer.objects.get()
    assert (answer.score, answer.comment) == (9, PRAISE)
    assert not AnswerRevision.objects.exists()


@pytest.mark.parametrize(
    "data",
    [{"score": "3", "confirm": "maybe"}, {"score": "11", "confirm": "change"}, {"confirm": "change"}],
    ids=["unknown-choice", "bad-score", "no-score"],
)
def test_a_bad_confirmation_is_400_and_writes_nothing(client, data):
    invitation = answered_nine(client)
    response = client.post(invitation.answer_path(3), data)
    assert response.status_code == 400
    assert "Choose a score from 0 to 10." in response.text
    assert (Answer.objects.get().score, AnswerRevision.objects.count()) == (9, 0)


def test_without_javascript_the_page_says_send_saves_the_score(client):
    invitation = make_sent_invitation()
    page = client.get(invitation.answer_path(9)).text
    assert '<noscript><p class="status">Your score is saved when you press Send.</p></noscript>' in page


def test_changing_the_score_on_the_page_keeps_the_history(client):
    """On the page showing their answer, picking another score is the customer's own act: saved at once."""
    invitation = answered_nine(client)
    page = client.get(invitation.answer_path()).text
    assert 'id="comment-note" class="note" data-score="9" hidden>' in page  # the script shows it on a change
    client.post(invitation.answer_path(), {"score": "6", "source": "page"})
    client.post(invitation.answer_path(), {"score": "7", "source": "page"})
    answer = Answer.objects.get()
    assert (answer.score, answer.comment) == (7, "")
    assert list(answer.revisions.values_list("score", "comment", "new_score", "source")) == [
        (9, PRAISE, 6, "page"),
        (6, "", 7, "page"),
    ]


def test_send_with_another_score_without_javascript_keeps_the_history(client):
    invitation = answered_nine(client)
    Client().post(invitation.answer_path(), {"score": "4", "comment": "Changed my mind"})
    answer = Answer.objects.get()
    assert (answer.score, answer.comment) == (4, "Changed my mind")
    assert list(answer.revisions.values_list("score", "comment", "source")) == [(9, PRAISE, "page")]


def test_the_same_score_again_writes_no_history(client):
    invitation = answered_nine(client)
    client.post(invitation.answer_path(), {"score": "9", "source": "page"})
    client.post(invitation.answer_path(9), {"score": "9", "confirm": "change"})
    assert not AnswerRevision.objects.exists()
    assert Answer.objects.get().comment == PRAISE


def test_a_first_answer_keeps_its_query_budget_and_its_memo(client, django_assert_num_queries):
    first, second = make_sent_invitation(), make_sent_invitation()
    pages._blank_answer_page.cache_clear()
    with django_assert_num_queries(1):  # the invitation with everything: the page comes from the memo after
        client.get(first.answer_path(8))
    with django_assert_num_queries(1):
        client.get(second.answer_path(8))
    assert pages._blank_answer_page.cache_info().hits == 1
    client.post(second.answer_path(), {"score": "8", "source": "link"})  # reads the webhook list (kept 5 s)
    with django_assert_num_queries(2):  # the lookup, then the upsert (the answer's absence is joined in)
        client.post(first.answer_path(), {"score": "8", "source": "link"})
    assert not AnswerRevision.objects.exists()


def test_an_automatic_post_after_another_score_is_kept_in_the_history_and_flagged(client):
    """A scanner sandbox running every link of a mail in a row: flagged as before, and nothing is lost."""
    invitation = make_sent_invitation(sent_ago=timedelta(hours=2))
    client.post(invitation.answer_path(), {"score": "0", "source": "link"})
    client.post(invitation.answer_path(), {"score": "1", "source": "link"})
    answer = Answer.objects.get()
    assert (answer.score, answer.suspected_scanner) == (1, True)
    assert list(answer.revisions.values_list("score", "new_score", "source")) == [(0, 1, "link")]


def test_the_api_change_keeps_the_history_and_the_comment():
    answer = make_answer(score=8, comment="Good value")
    services.update_response(answer, score=5)
    answer.refresh_from_db()
    assert (answer.score, answer.comment) == (5, "Good value")
    assert list(answer.revisions.values_list("score", "comment", "new_score", "source")) == [
        (8, "Good value", 5, "api")
    ]


def test_the_permalink_shows_every_score_with_its_comment(client):
    invitation = answered_nine(client, contact=make_contact(name="Ana Lima"))
    client.post(invitation.answer_path(3), {"score": "3", "confirm": "change"})
    client.post(invitation.answer_path(), {"score": "3", "comment": "Billing is a mess"})
    answer = Answer.objects.get()
    client.force_login(make_user(role=Role.LEAD))
    page = client.get(f"/responses/{answer.pk}/").text
    section = page.split('id="changes-title"')[1].split("</section>")[0]
    assert "2 scores" in section
    assert section.index(PRAISE) < section.index("Billing is a mess")
    assert '<span class="badge badge-promoter">9</span>' in section
    assert '<span class="badge badge-detractor">3</span> <small class="muted">(now)</small>' in section
    assert "(Score link in the message)" in section


def test_an_unchanged_answer_has_no_history_section(client):
    answer = make_answer(score=9, comment="Fine")
    client.force_login(make_user(role=Role.VIEWER))
    page = client.get(f"/responses/{answer.pk}/").text
    assert "History of this answer" not in page


def test_the_case_timeline_says_the_comment_stayed_with_the_earlier_score(client):
    CaseRule.objects.all().delete()
    CaseRule.objects.create(name="Everyone", conditions={})
    invitation = answered_nine(client, contact=make_contact())
    answer = Answer.objects.get()
    case = open_or_update_for(answer, created=True)
    client.post(invitation.answer_path(3), {"score": "3", "confirm": "change"})
    open_or_update_for(answer, created=False)
    events = list(case.events.exclude(kind=CaseEvent.Kind.OPENED))
    assert [(e.kind, _describe(e)) for e in events if e.kind in ("score", "comment")] == [
        ("score", "Score changed from 9 to 3"),
        ("comment", "Comment kept with the earlier score 9 (in the answer's history)"),
    ]
