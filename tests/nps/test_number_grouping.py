"""Counts on staff pages carry thousands separators, grouped the workspace's way (NUMBER_GROUPING)."""

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template import Context, Template

from tests.factories import make_answer, make_campaign, make_user

ROOT = Path(__file__).resolve().parents[2]
INDIAN = (3, 2, 0)


@pytest.mark.parametrize(
    ("value", "international", "indian"),
    [
        (0, "0", "0"),
        (999, "999", "999"),
        (1000, "1,000", "1,000"),
        (15600, "15,600", "15,600"),
        (123456, "123,456", "1,23,456"),
        (1234567, "1,234,567", "12,34,567"),
        (123456789, "123,456,789", "12,34,56,789"),
        (-123456, "-123,456", "-1,23,456"),
        (-999, "-999", "-999"),
        (1234567.891, "1,234,567.891", "12,34,567.891"),
        (-100000.5, "-100,000.5", "-1,00,000.5"),
        (Decimal("9876543.21"), "9,876,543.21", "98,76,543.21"),
        ("15600", "15,600", "15,600"),
    ],
)
def test_counts_are_grouped_internationally_or_the_indian_way(settings, value, international, indian):
    assert intcomma(value) == international
    settings.NUMBER_GROUPING = INDIAN
    assert intcomma(value) == indian


def test_what_is_not_a_number_is_shown_as_it_is(settings):
    settings.NUMBER_GROUPING = INDIAN
    assert intcomma(None) == "None"
    assert intcomma("n/a") == "n/a"


def test_templates_group_by_the_setting(settings):
    template = Template("{% load humanize %}{{ n|intcomma }} · {{ x|floatformat:'2g' }}")
    context = Context({"n": 1234567, "x": 1234567.5})
    assert template.render(context) == "1,234,567 · 1,234,567.50"
    settings.NUMBER_GROUPING = INDIAN
    assert template.render(context) == "12,34,567 · 12,34,567.50"


def test_customer_languages_keep_their_own_separators(settings):
    from django.utils import translation

    settings.NUMBER_GROUPING = INDIAN
    with translation.override("de"):
        assert intcomma(1234567) == "1.234.567"


@pytest.mark.django_db
def test_the_campaign_list_shows_counts_with_separators_and_labels_the_all_time_nps(client, settings):
    from responses.models import Answer

    campaign = make_campaign(name="Support NPS")
    make_answer(score=10, campaign=campaign)
    Answer.objects.bulk_create(
        Answer(campaign=campaign, score=9 if i % 2 else 3, channel="email") for i in range(1233)
    )
    client.force_login(make_user())
    page = client.get("/campaigns/").text
    assert ">1,234<" in page
    assert "All-time NPS" in page
    detail = client.get(campaign.get_absolute_url()).text
    assert "All-time NPS" in detail and ">1,234<" in detail


@pytest.mark.parametrize("value", ["lakh", "3", ""])
def test_a_process_with_an_unknown_grouping_does_not_start(value):
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env.update(
        SECRET_KEY="x" * 50,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/unused",  # `check` opens no connection
        REDIS_URL="redis://127.0.0.1:6379/0",
        NUMBER_GROUPING=value,
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    if value == "":
        assert result.returncode == 0, result.stderr  # unset or empty: the default, international
    else:
        assert result.returncode != 0
        assert "NUMBER_GROUPING must be international or indian" in result.stderr
