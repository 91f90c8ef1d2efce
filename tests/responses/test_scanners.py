"""Mail security gateways fetch every link of a mail with GET and HEAD: none of that may count."""

import re
from datetime import timedelta

import pytest
from django.core import mail

from responses import services
from responses.models import Answer
from surveys import delivery
from surveys.models import Campaign, Invitation, Suppression
from tests.factories import make_campaign, make_invitation

from .helpers import make_sent_invitation

pytestmark = pytest.mark.django_db


def fake_email_body(invitation) -> str:
    """The links a survey mail carries: eleven scores, the plain page and an unsubscribe link."""
    links = [invitation.answer_url(score) for score in range(11)] + [invitation.answer_url()]
    links.append(f"http://testserver/u/{invitation.token}/")  # unsubscribe, served by the delivery pages
    return "\n".join(f'<a href="{link}">link</a>' for link in links)


def test_link_scanner_fetching_every_link_records_no_answer(client):
    invitation = make_sent_invitation(sent_ago=timedelta(seconds=2))
    body = fake_email_body(invitation)
    links = re.findall(r'href="http://testserver([^"]+)"', body)
    assert len(links) == 13
    for link in links:
        for _ in range(2):  # at delivery and again at click time
            client.head(link)
            client.get(link)
    assert not Answer.objects.exists()
    invitation.refresh_from_db()
    assert invitation.state == "sent"


def test_scanner_fetching_every_link_of_a_sent_email_records_nothing(client):
    """The real message: both parts and the List-Unsubscribe header, each link with HEAD and GET, twice."""
    campaign = make_campaign(status=Campaign.Status.RUNNING)
    invitation = make_invitation(campaign=campaign)
    delivery.send_invitation(invitation.pk)
    (message,) = mail.outbox
    ((html, _),) = message.alternatives
    text = html + "\n" + message.body + "\n" + message.extra_headers["List-Unsubscribe"]
    links = sorted(set(re.findall(r"http://testserver(/[^\s\"<>]*)", text)))
    expected = {invitation.answer_path(score) for score in range(11)} | {f"/u/{invitation.token}/"}
    assert expected <= set(links), links
    for _ in range(2):  # at delivery and again at click time
        for link in links:
            assert client.head(link).status_code < 500, link
            assert client.get(link).status_code < 500, link

    assert not Answer.objects.exists()
    assert not Suppression.objects.exists()
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.SENT


def test_automatic_answer_seconds_after_delivery_is_flagged(client):
    invitation = make_sent_invitation(sent_ago=timedelta(seconds=3))
    client.post(invitation.answer_path(), {"score": "10", "source": "link"})
    assert Answer.objects.get().suspected_scanner


def test_every_score_link_auto_posted_in_a_row_is_flagged(client):
    invitation = make_sent_invitation(sent_ago=timedelta(hours=2))
    client.post(invitation.answer_path(), {"score": "0", "source": "link"})
    assert not Answer.objects.get().suspected_scanner
    client.post(invitation.answer_path(), {"score": "1", "source": "link"})
    assert Answer.objects.get().suspected_scanner


def test_customers_own_action_clears_the_flag(client):
    invitation = make_sent_invitation(sent_ago=timedelta(seconds=3))
    client.post(invitation.answer_path(), {"score": "10", "source": "link"})
    client.post(invitation.answer_path(), {"score": "9", "comment": "Great"})
    answer = Answer.objects.get()
    assert (answer.score, answer.comment, answer.suspected_scanner) == (9, "Great", False)


def test_changing_the_score_on_the_page_is_never_flagged(client):
    invitation = make_sent_invitation(sent_ago=timedelta(seconds=3))
    client.post(invitation.answer_path(), {"score": "3", "source": "page"})
    client.post(invitation.answer_path(), {"score": "6", "source": "page"})
    assert not Answer.objects.get().suspected_scanner


def test_record_score_refuses_out_of_range():
    invitation = make_invitation()
    with pytest.raises(ValueError, match="0–10"):
        services.record_score(invitation, score=11)
    assert not Answer.objects.exists()


def test_save_comment_needs_a_score_first():
    invitation = make_invitation()
    with pytest.raises(Answer.DoesNotExist):
        services.save_comment(invitation, comment="hi")
