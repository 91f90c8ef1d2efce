"""The hand-built lookup returns the same rows and values the ORM would."""

import pytest

from responses import hotpath
from tests.factories import make_answer, make_campaign, make_contact, make_invitation

pytestmark = pytest.mark.django_db


def test_lookup_matches_the_orm_and_makes_one_query(django_assert_num_queries):
    campaign = make_campaign(translations={"hi": {"question": "क्या आप {brand} की सिफ़ारिश करेंगे?"}})
    invitation = make_invitation(
        campaign=campaign,
        contact=make_contact(language="hi"),
        state="sent",
        texts={"thank_you_message": "धन्यवाद"},
    )
    make_answer(invitation=invitation, score=6, comment="Slow")

    with django_assert_num_queries(1):
        found = hotpath.find_invitation(invitation.token)
        assert found.campaign.translations == campaign.translations
        assert found.texts == {"thank_you_message": "धन्यवाद"}
        assert found.contact.language == "hi"
        assert (found.answer.score, found.answer.comment) == (6, "Slow")
        assert found.text("question", "hi") == "क्या आप Acme की सिफ़ारिश करेंगे?"
        assert found.campaign.brand.accent_color == campaign.brand.accent_color


def test_lookup_without_an_answer_caches_its_absence(django_assert_num_queries):
    invitation = make_invitation(state="sent")
    with django_assert_num_queries(1):
        found = hotpath.find_invitation(invitation.token)
        assert not hasattr(found, "answer")


def test_unknown_token_is_none():
    assert hotpath.find_invitation("not-a-token") is None


def test_record_lookup_reads_no_brand_and_no_texts(django_assert_num_queries):
    """Storing a score from the page's script needs neither: they stay deferred, as with .only()."""
    invitation = make_invitation(state="sent", texts={"question": "Snapshot?"})
    make_answer(invitation=invitation, score=3, comment="")
    with django_assert_num_queries(1):
        found = hotpath.find_invitation(invitation.token, "record")
        assert found.answer.score == 3
        assert (found.campaign_id, found.contact_id, found.channel) == (
            invitation.campaign_id,
            invitation.contact_id,
            invitation.channel,
        )
    assert "texts" in found.get_deferred_fields()
    assert "translations" in found.campaign.get_deferred_fields()
    assert not type(found.campaign).brand.is_cached(found.campaign)
    # Anything else is still there, one query away, exactly as the ORM would have it.
    with django_assert_num_queries(1):
        assert found.texts == {"question": "Snapshot?"}
