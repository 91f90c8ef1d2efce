"""Case and alert rule conditions: what a rule accepts, which answers it matches, how it reads."""

import pytest

from responses.cases.rules import Conditions, describe, matches, mentions, parse, to_json
from responses.models import Answer
from surveys.models import Contact
from tests.factories import make_campaign


def answer(score=3, comment="", channel="email", campaign_id=1, properties=None):
    contact = Contact(email="a@example.com", properties=properties or {}) if properties is not None else None
    return Answer(score=score, comment=comment, channel=channel, campaign_id=campaign_id, contact=contact)


def test_empty_conditions_match_every_answer_and_store_as_an_empty_dict():
    conditions = parse({})
    assert conditions == Conditions()
    assert to_json(conditions) == {}
    assert all(matches(conditions, answer(score)) for score in range(11))


def test_a_full_rule_round_trips_through_its_json():
    raw = {
        "groups": ["passive", "detractor", "detractor"],
        "score_min": 2,
        "score_max": "8",
        "has_comment": True,
        "campaign_ids": [4, "5"],
        "channels": ["sms", "email"],
        "property": " region ",
        "property_values": "South, north ,south",
        "keywords": ["refund", "  cancel  my   account "],
    }
    conditions = parse(raw)
    assert conditions.groups == ("detractor", "passive")  # worst first, repeats dropped
    assert conditions.property_values == ("South", "north")
    assert conditions.keywords == ("refund", "cancel my account")
    stored = to_json(conditions)
    assert stored == {
        "groups": ["detractor", "passive"],
        "score_min": 2,
        "score_max": 8,
        "has_comment": True,
        "campaign_ids": [4, 5],
        "channels": ["sms", "email"],
        "property": "region",
        "property_values": ["South", "north"],
        "keywords": ["refund", "cancel my account"],
    }
    assert parse(stored) == conditions


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([], "Conditions must be an object."),
        ({"colour": "red"}, "Unknown condition: colour."),
        ({"groups": ["angry"]}, "Unknown group: angry"),
        ({"groups": 3}, "Groups must be a list."),
        ({"channels": ["fax"]}, "Unknown channel: fax."),
        ({"score_min": 11}, "The lowest score must be a whole number from 0 to 10."),
        ({"score_max": True}, "The highest score must be a whole number from 0 to 10."),
        ({"score_min": 8, "score_max": 3}, "The lowest score is above the highest score."),
        ({"has_comment": "yes"}, "must be true or false"),
        ({"campaign_ids": ["x"]}, "Campaigns must be a list of campaign ids."),
        ({"campaign_ids": [10**12]}, "Campaigns must be a list of campaign ids."),
        ({"property": "region"}, "Give the values of “region” that match."),
        ({"property_values": ["South"]}, "Give the property whose values these are."),
        ({"keywords": ["ref\x00und"]}, "NUL"),
        ({"keywords": ["x" * 101]}, "longer than 100"),
        ({"keywords": [f"k{n}" for n in range(51)]}, "at most 50"),
    ],
)
def test_bad_conditions_are_refused_with_a_readable_message(raw, message):
    with pytest.raises(ValueError, match=message):
        parse(raw)


def test_groups_scores_comment_campaign_and_channel_narrow_the_match():
    detractors_with_comment = parse({"groups": ["detractor"], "has_comment": True})
    assert matches(detractors_with_comment, answer(3, "Slow"))
    assert not matches(detractors_with_comment, answer(3, "   "))
    assert not matches(detractors_with_comment, answer(7, "Slow"))

    scores = parse({"score_min": 4, "score_max": 6})
    assert [s for s in range(11) if matches(scores, answer(s))] == [4, 5, 6]

    where = parse({"campaign_ids": [7], "channels": ["sms"]})
    assert matches(where, answer(campaign_id=7, channel="sms"))
    assert not matches(where, answer(campaign_id=8, channel="sms"))
    assert not matches(where, answer(campaign_id=7, channel="email"))


def test_property_matches_ignoring_case_and_spaces_and_never_without_a_contact():
    south = parse({"property": "Region", "property_values": ["south", "West"]})
    assert matches(south, answer(properties={"region": "  SOUTH "}))
    assert matches(south, answer(properties={"REGION": "west"}))
    assert not matches(south, answer(properties={"region": "North"}))
    assert not matches(south, answer(properties={}))
    assert not matches(south, answer(properties=None))  # no contact
    assert matches(parse({"property": "tier", "property_values": ["2"]}), answer(properties={"tier": 2}))


def test_keywords_are_whole_words_or_phrases_ignoring_case():
    assert mentions("I want a REFUND now", ("refund",))
    assert not mentions("I was refunded", ("refund",))
    assert mentions("Please cancel\nmy account!", ("cancel my account",))
    assert not mentions("cancel your account", ("cancel my account",))
    assert mentions("c++ support is weak", ("c++",))
    rule = parse({"keywords": ["price", "expensive"]})
    assert matches(rule, answer(9, "Too expensive."))
    assert not matches(rule, answer(9, ""))


@pytest.mark.django_db
def test_describe_reads_like_a_sentence():
    campaign = make_campaign(name="Quarterly NPS")
    text = describe(
        parse(
            {
                "groups": ["detractor"],
                "has_comment": True,
                "campaign_ids": [campaign.pk],
                "property": "region",
                "property_values": ["South"],
            }
        )
    )
    assert text == "Detractors with a comment on Quarterly NPS, region = South"
    assert describe(parse({})) == "Every answer"
    assert (
        describe(
            parse({"groups": ["passive", "detractor"], "score_max": 5, "keywords": ["refund", "cancel"]})
        )
        == "Detractors and passives scoring 5 or less mentioning “refund” or “cancel”"
    )
    assert describe(parse({"channels": ["sms", "whatsapp"], "score_min": 9})) == (
        "Every answer scoring 9 or more by SMS or WhatsApp"
    )
