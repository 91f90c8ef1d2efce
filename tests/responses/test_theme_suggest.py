"""Hand tags teach the suggestions (responses/themes/suggest.py): a classifier per theme, from people's tags."""

import io

import numpy as np
import pytest

from nps.accounts.roles import Role
from responses.models import AnswerTheme, Theme, ThemeClassifier
from responses.themes import services, suggest
from responses.themes.text import normalise
from tests.factories import make_answer, make_user

pytestmark = pytest.mark.django_db

Source = AnswerTheme.Source

REFUNDS = [
    "I am still waiting for my refund",
    "refund never arrived",
    "they refused to refund me",
    "where is my refund?",
    "refund took three weeks",
    "asked for a refund twice",
    "no refund after returning the item",
    "the refund was less than I paid",
    "refund process is a nightmare",
    "please refund my money",
    "still no refund, very disappointed",
    "refund was promised but never came",
    "my refund got lost somewhere",
    "refund request ignored",
    "slow refund, bad experience",
    "refund only as store credit",
    "had to call five times for a refund",
    "refund status unknown",
    "waiting on refund since May",
    "the refund finally came after a month",
]
DELIVERY = [
    "delivery was late by a week",
    "the courier left the parcel outside",
    "package arrived damaged",
    "delivery guy was rude",
    "parcel went to the wrong address",
    "shipping took forever",
    "the box was crushed on arrival",
    "courier never rang the bell",
    "tracking showed delivered but nothing came",
    "delivery slot was missed",
    "late shipping again",
    "the parcel was soaking wet",
    "courier was very late",
    "delivered to my neighbour without notice",
    "shipping cost too high for such a slow delivery",
    "package lost in transit",
    "delivery window of ten hours is useless",
    "courier threw the box over the fence",
    "parcel arrived two days late",
    "the delivery driver could not find the house",
]


@pytest.fixture
def lead():
    return make_user(role=Role.LEAD)


def _tagged(lead, refunds=REFUNDS, delivery=DELIVERY):
    refund_theme = Theme.objects.create(name="Refunds", kind=Theme.Kind.RULE)
    delivery_theme = Theme.objects.create(label="delivery, courier")
    for text in refunds:
        AnswerTheme.objects.create(
            answer=make_answer(comment=text, score=2), theme=refund_theme, source=Source.HAND, tagged_by=lead
        )
    for text in delivery:
        AnswerTheme.objects.create(
            answer=make_answer(comment=text, score=4), theme=delivery_theme, source=Source.AUTO
        )
    return refund_theme, delivery_theme


def test_it_learns_a_separable_set_and_suggests_only_what_it_is_sure_of(lead):
    refunds, delivery = _tagged(lead)
    classifier = suggest.train(refunds)
    assert classifier is not None
    assert (classifier.positives, classifier.negatives) == (20, 20)
    assert classifier.precision >= 0.9
    with np.load(io.BytesIO(bytes(classifier.model)), allow_pickle=False) as arrays:  # no pickle inside
        assert set(arrays.files) == {"index", "value", "intercept"}

    suggester = suggest.Suggester.load()
    found = suggester.predict([normalise("Where is my REFUND??"), normalise("the courier was late"), ""])
    assert [theme_id for theme_id, _ in found[0]] == [refunds.pk]
    assert all(p >= suggest.MIN_PROBABILITY for _, p in found[0])
    assert found[1] == [] and found[2] == []


def test_too_few_tags_train_nothing(lead):
    refunds, _ = _tagged(lead, refunds=REFUNDS[: suggest.MIN_TAGS - 1])
    assert suggest.train(refunds) is None
    assert not ThemeClassifier.objects.exists()
    assert suggest.Suggester.load().predict([normalise("refund please")]) == [[]]


def test_too_few_negatives_train_nothing(lead):
    refunds, _ = _tagged(lead, delivery=DELIVERY[:5])
    assert suggest.train(refunds) is None


def test_a_poor_classifier_or_an_inactive_theme_suggests_nothing(lead):
    refunds, _ = _tagged(lead)
    suggest.train(refunds)
    ThemeClassifier.objects.filter(theme=refunds).update(precision=suggest.MIN_PRECISION - 0.01)
    assert not suggest.Suggester.load()
    ThemeClassifier.objects.filter(theme=refunds).update(precision=0.95)
    Theme.objects.filter(pk=refunds.pk).update(hidden=True)
    assert not suggest.Suggester.load()


def test_train_all_trains_the_ready_and_drops_the_rest(lead):
    refunds, delivery = _tagged(lead)
    ThemeClassifier.objects.create(theme=delivery, model=b"", precision=0.9)  # it has no hand tags now
    assert suggest.train_all() == 1
    assert list(ThemeClassifier.objects.values_list("theme_id", flat=True)) == [refunds.pk]


def test_hand_removals_are_negatives(lead):
    refunds, _ = _tagged(lead, delivery=[])
    for text in DELIVERY:
        services.untag_answer(make_answer(comment=text), refunds, by=lead)
    texts, labels = suggest.training_set(refunds)
    assert labels.count(1) == 20 and labels.count(0) == 20
    assert normalise(DELIVERY[0]) in texts


def test_tagging_retrains_after_commit(lead, django_capture_on_commit_callbacks):
    refunds, _ = _tagged(lead, refunds=REFUNDS[:-1])
    assert not ThemeClassifier.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.tag_answer(make_answer(comment=REFUNDS[-1]), refunds, by=lead)
    assert ThemeClassifier.objects.get(theme=refunds).positives == 20
