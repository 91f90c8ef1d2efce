from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from nps.accounts.roles import Role
from tests.factories import make_answer, make_campaign, make_contact, make_user

pytestmark = pytest.mark.django_db


def test_comments_newest_first_coloured_by_group(client):
    campaign = make_campaign(name="Support NPS")
    now = timezone.now()
    make_answer(score=2, campaign=campaign, comment="Slow replies", answered_at=now - timedelta(days=2))
    make_answer(score=10, campaign=campaign, comment="Lovely team", answered_at=now - timedelta(hours=1))
    make_answer(score=8, campaign=campaign, comment="")
    client.force_login(make_user(role=Role.VIEWER))
    response = client.get("/comments/")
    assert response.status_code == 200
    text = response.text
    assert text.index("Lovely team") < text.index("Slow replies")
    assert 'class="comment comment-promoter"' in text
    assert 'class="comment comment-detractor"' in text
    assert text.count('class="comment comment-') == 2  # the answer without a comment is not listed


def test_filters_by_group_score_and_campaign(client):
    kept, other = make_campaign(name="Kept"), make_campaign(name="Other")
    make_answer(score=3, campaign=kept, comment="Kept detractor")
    make_answer(score=9, campaign=kept, comment="Kept promoter")
    make_answer(score=3, campaign=other, comment="Other detractor")
    client.force_login(make_user(role=Role.VIEWER))
    response = client.get("/comments/", {"group": "detractor", "campaign": kept.pk})
    assert "Kept detractor" in response.text
    assert "Kept promoter" not in response.text
    assert "Other detractor" not in response.text
    response = client.get("/comments/", {"score": "9"})
    assert "Kept promoter" in response.text
    assert "detractor" not in response.text.split('<ul class="comment-list')[1]


def test_filters_by_date_and_segment(client):
    campaign = make_campaign()
    pro = make_contact(properties={"plan": "pro"})
    free = make_contact(properties={"plan": "free"})
    make_answer(score=5, campaign=campaign, contact=pro, comment="Pro customer here")
    make_answer(score=5, campaign=campaign, contact=free, comment="Free customer here")
    make_answer(
        score=5, campaign=campaign, comment="Ancient", answered_at=timezone.now() - timedelta(days=400)
    )
    client.force_login(make_user(role=Role.VIEWER))
    response = client.get("/comments/", {"period": "30d", "segment": "plan:pro"})
    assert "Pro customer here" in response.text
    assert "Free customer here" not in response.text
    assert "Ancient" not in response.text
    assert "Ancient" in client.get("/comments/", {"period": "all"}).text


def test_full_text_search_finds_a_word_in_a_comment(client):
    assert connection.vendor == "postgresql"
    make_answer(score=4, comment="The invoices were wrong twice")
    make_answer(score=4, comment="Delivery was late")
    client.force_login(make_user(role=Role.VIEWER))
    response = client.get("/comments/", {"q": "invoices"})
    assert "The invoices were wrong twice" in response.text
    assert "Delivery was late" not in response.text
    # websearch syntax: several words must all appear; nothing matches → a friendly empty state.
    response = client.get("/comments/", {"q": "late delivery"})
    assert "Delivery was late" in response.text
    response = client.get("/comments/", {"q": "refund"})
    assert "No comment contains “refund”" in response.text


def test_search_is_served_by_the_gin_index():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'answer_comment_fts'")
        (definition,) = cursor.fetchone()
    assert "gin" in definition and "to_tsvector('simple'::regconfig" in definition
    from dashboards.comments import search_comments
    from dashboards.filters import Filters

    with connection.cursor() as cursor:
        # A tiny table whose statistics depend on the tests before: leave the planner only the bitmap scans a
        # GIN index serves (no sequential scan, no plain index scan of another index in the sort's order).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    assert "answer_comment_fts" in search_comments(Filters(), text="invoices").explain()


def test_paginates_without_counting(client):
    campaign = make_campaign()
    now = timezone.now()
    for i in range(30):
        make_answer(
            score=9,
            campaign=campaign,
            comment=f"Comment number {i:02d}",
            answered_at=now - timedelta(minutes=i),
        )
    client.force_login(make_user(role=Role.VIEWER))
    first = client.get("/comments/")
    assert "Comment number 00" in first.text and "Comment number 25" not in first.text
    assert "Older →" in first.text
    second = client.get("/comments/", {"page": 2})
    assert "Comment number 25" in second.text and "Comment number 29" in second.text
    assert "← Newer" in second.text and "Older →" not in second.text


def test_lead_gets_a_link_to_the_contact_and_its_properties(client):
    contact = make_contact(name="Asha Rao", email="asha@example.com", properties={"plan": "pro"})
    make_answer(score=3, contact=contact, comment="Too expensive")
    client.force_login(make_user(role=Role.LEAD))
    response = client.get("/comments/")
    assert f'href="/contacts/{contact.pk}/"' in response.text
    assert "asha@example.com" in response.text
    assert "<dt>plan</dt><dd>pro</dd>" in response.text


def test_viewer_sees_the_name_only(client):
    contact = make_contact(name="Asha Rao", email="asha@example.com", properties={"plan": "pro"})
    make_answer(score=3, contact=contact, comment="Too expensive")
    client.force_login(make_user(role=Role.VIEWER))
    response = client.get("/comments/")
    assert "Asha Rao" in response.text
    assert "asha@example.com" not in response.text
    assert f"/contacts/{contact.pk}/" not in response.text
    assert "<dt>plan</dt>" not in response.text


def test_bad_filter_is_a_400_with_the_reason(client):
    client.force_login(make_user(role=Role.VIEWER))
    response = client.get("/comments/", {"score": "11"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    response = client.get("/comments/", {"period": "custom", "start": "2026-05-02", "end": "2026-05-01"})
    assert response.status_code == 400
    assert "The start date is after the end date." in response.text


def test_signed_out_goes_to_sign_in(client):
    response = client.get("/comments/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_comment_page_queries_do_not_grow_with_the_comments(client, django_assert_max_num_queries):
    campaign = make_campaign()
    for i in range(25):
        make_answer(score=i % 11, campaign=campaign, contact=make_contact(), comment=f"Comment {i}")
    client.force_login(make_user(role=Role.LEAD))
    with django_assert_max_num_queries(8):
        response = client.get("/comments/")
    assert response.text.count('class="comment comment-') == 25
