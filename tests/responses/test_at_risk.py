"""The at-risk flag and the contact's last score: kept from their answers by answered_at, whatever the order."""

from datetime import timedelta

import pytest
from django.utils import timezone

from responses import at_risk
from responses.models import FollowUpSettings
from surveys.models import Contact
from tests.factories import make_answer, make_campaign, make_contact

pytestmark = pytest.mark.django_db


def answered(contact, score, days_ago, campaign=None):
    """An answer given `days_ago` days ago, considered as the intake would when it arrives."""
    answer = make_answer(
        score=score, contact=contact, campaign=campaign, answered_at=timezone.now() - timedelta(days=days_ago)
    )
    at_risk.update_for(answer)
    return answer


def flag(contact):
    contact = Contact.objects.get(pk=contact.pk)
    return contact.last_score, contact.at_risk, contact.at_risk_reason


def test_assess_names_the_reason():
    assert at_risk.assess([4, 9], drop=3, streak=2) == "Score fell from 9 to 4"
    assert at_risk.assess([7, 9], drop=3, streak=2) == ""
    assert at_risk.assess([6, 5], drop=3, streak=2) == "2 detractor answers in a row"
    assert at_risk.assess([6, 5, 9], drop=3, streak=3) == ""
    assert at_risk.assess([3], drop=3, streak=2) == ""
    assert at_risk.assess([], drop=3, streak=2) == ""


def test_a_drop_flags_the_contact_and_a_recovery_clears_it():
    contact, campaign = make_contact(), make_campaign()
    answered(contact, 9, days_ago=60, campaign=campaign)
    assert flag(contact) == (9, False, "")
    answered(contact, 5, days_ago=30, campaign=campaign)
    assert flag(contact) == (5, True, "Score fell from 9 to 5")
    last = answered(contact, 8, days_ago=1, campaign=campaign)
    assert flag(contact) == (8, False, "")
    assert Contact.objects.get(pk=contact.pk).last_answered_at == last.answered_at


def test_two_detractor_answers_in_a_row_flag_the_contact():
    contact, campaign = make_contact(), make_campaign()
    answered(contact, 5, days_ago=20, campaign=campaign)
    assert flag(contact) == (5, False, "")
    answered(contact, 6, days_ago=10, campaign=campaign)
    assert flag(contact) == (6, True, "2 detractor answers in a row")


def test_an_older_answer_arriving_late_does_not_change_the_latest():
    """A history import loads last year's answers after this week's: the latest by answered_at counts."""
    contact, campaign = make_contact(), make_campaign()
    answered(contact, 10, days_ago=1, campaign=campaign)
    answered(contact, 2, days_ago=400, campaign=campaign)
    assert flag(contact) == (10, False, "")  # 2 → 10 is a rise, not a drop
    # …but an old answer that sits right before the latest one does count as its previous answer.
    answered(contact, 4, days_ago=3, campaign=campaign)
    answered(contact, 3, days_ago=0.5, campaign=campaign)
    assert flag(contact) == (3, True, "Score fell from 10 to 3")


def test_the_thresholds_come_from_the_settings():
    FollowUpSettings.objects.update_or_create(pk=1, defaults={"at_risk_drop": 5, "at_risk_streak": 3})
    contact, campaign = make_contact(), make_campaign()
    answered(contact, 9, days_ago=30, campaign=campaign)
    answered(contact, 5, days_ago=20, campaign=campaign)
    assert flag(contact) == (5, False, "")  # fell 4, the threshold is 5
    answered(contact, 4, days_ago=10, campaign=campaign)
    assert flag(contact) == (4, False, "")  # two detractors, three needed
    answered(contact, 0, days_ago=1, campaign=campaign)
    assert flag(contact) == (0, True, "3 detractor answers in a row")


def test_an_answer_without_a_contact_changes_nothing_and_the_contact_keeps_its_updated_at():
    at_risk.update_for(make_answer(score=0))  # no contact: nothing to do
    contact = make_contact()
    before = Contact.objects.get(pk=contact.pk).updated_at
    answered(contact, 3, days_ago=1)
    assert Contact.objects.get(pk=contact.pk).updated_at == before
