"""Segment rollups follow the contacts' property names to their one spelling (surveys 0005).

Rows rolled up under "Plan" and "plan" are summed into one row under "plan", so "Split by" lists each
property once straight after the upgrade, without waiting for the nightly rebuild. The segment keys kept
on RollupState get the same spelling. Reversing does nothing: the old spellings are gone from the
contacts too.
"""

from django.db import migrations
from django.db.models import Sum

COUNTS = ["sent"] + [f"n{score}" for score in range(11)]
BUCKET = ["span", "day", "campaign_id", "channel", "value"]
BATCH = 2000


def property_key(name) -> str:
    # A frozen copy of surveys.contacts.property_key as of this migration.
    return " ".join(str(name).split()).lower()


def merge_spellings(apps, schema_editor):
    SegmentRollup = apps.get_model("dashboards", "SegmentRollup")
    RollupState = apps.get_model("dashboards", "RollupState")
    spellings = {}
    for key in SegmentRollup.objects.order_by().values_list("key", flat=True).distinct():
        spellings.setdefault(property_key(key), []).append(key)
    for canonical, keys in spellings.items():
        if keys == [canonical]:
            continue
        rows = SegmentRollup.objects.filter(key__in=keys)
        sums = rows.order_by().values(*BUCKET).annotate(**{f"sum_{field}": Sum(field) for field in COUNTS})
        merged = [
            SegmentRollup(
                key=canonical,
                **{field: bucket[field] for field in BUCKET},
                **{field: bucket[f"sum_{field}"] for field in COUNTS},
            )
            for bucket in sums
        ]
        rows.delete()
        SegmentRollup.objects.bulk_create(merged, batch_size=BATCH)
    for state in RollupState.objects.all():
        keys = list(dict.fromkeys(property_key(key) for key in state.segment_keys or []))
        if keys != state.segment_keys:
            state.segment_keys = keys
            state.save(update_fields=["segment_keys"])


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0004_rollup_month_rows"),
        ("surveys", "0005_contact_property_keys"),
    ]

    operations = [migrations.RunPython(merge_spellings, migrations.RunPython.noop)]
