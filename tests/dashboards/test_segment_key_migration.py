"""Upgrading to one spelling of property names: the segment rollups of "Plan" and "plan" become one."""

import importlib
from datetime import date

import pytest
from django.apps import apps

from dashboards.models import RollupState, SegmentRollup
from tests.factories import make_campaign

pytestmark = pytest.mark.django_db


def merge_spellings():
    migration = importlib.import_module("dashboards.migrations.0005_segment_rollup_property_keys")
    migration.merge_spellings(apps, None)


def rollup(campaign, key, value, *, day=date(2026, 11, 2), sent=0, **scores):
    return SegmentRollup.objects.create(
        campaign=campaign, day=day, channel="email", key=key, value=value, sent=sent, **scores
    )


def test_rows_of_two_spellings_are_summed_under_the_one_spelling():
    campaign = make_campaign()
    rollup(campaign, "Plan", "pro", sent=4, n9=2, n3=1)
    rollup(campaign, "plan", "pro", sent=6, n9=1, n10=1)
    rollup(campaign, " PLAN ", "free", sent=1, n0=1)
    rollup(campaign, "region", "south", sent=2, n7=1)
    RollupState.objects.create(pk=1, segment_keys=["Plan", "plan", "region"])

    merge_spellings()

    rows = {
        (row.key, row.value): (row.sent, row.n0, row.n3, row.n7, row.n9, row.n10)
        for row in SegmentRollup.objects.all()
    }
    assert rows == {
        ("plan", "pro"): (10, 0, 1, 0, 3, 1),
        ("plan", "free"): (1, 1, 0, 0, 0, 0),
        ("region", "south"): (2, 0, 0, 1, 0, 0),
    }
    assert RollupState.objects.get().segment_keys == ["plan", "region"]


def test_rollups_already_in_one_spelling_are_left_alone():
    campaign = make_campaign()
    kept = rollup(campaign, "plan", "pro", sent=3, n9=3)

    merge_spellings()

    assert list(SegmentRollup.objects.values_list("pk", "sent", "n9")) == [(kept.pk, 3, 3)]
