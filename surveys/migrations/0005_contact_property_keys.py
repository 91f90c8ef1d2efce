"""Contact property names get their one spelling (surveys.contacts.property_key): trimmed, inner whitespace
collapsed to one space, lower-case. "Plan" and "plan" become one property, "plan".

When one contact holds two spellings of a name, one value is kept. PostgreSQL's jsonb keeps no order of
writing, so which spelling was written last cannot be known; the value kept is the first of:
a non-empty value under the spelling that is already the one spelling (what the API, forms and demo
write), then a non-empty value under another spelling (in sorted order of the spellings), then an empty
one. Saved audience filters (Campaign.audience_filter) are rewritten the same way.

Batched and not atomic: each batch commits on its own, so a million contacts are not held locked in one
transaction, and running it again after an interruption finishes the job. Reversing does nothing (the
old spellings are gone; the data stays valid). The dashboards' segment rollups pick the new names up at
their nightly rebuild, or at once with `manage.py rebuild_rollups`.
"""

from django.db import migrations, transaction

BATCH = 2000
# On PostgreSQL only the contacts with a name that may not be in its one spelling are read: a name made
# of lower-case ASCII letters, digits and "_", single spaces between words, is already right.
MAY_NEED_WORK = (
    "jsonb_typeof(properties) = 'object' AND EXISTS ("
    "SELECT 1 FROM jsonb_object_keys(properties) k WHERE k !~ '^[a-z0-9_]+( [a-z0-9_]+)*$')"
)


def property_key(name) -> str:
    # A frozen copy of surveys.contacts.property_key as of this migration.
    return " ".join(str(name).split()).lower()


def one_spelling(properties):
    """The properties with one spelling per name, or None when they already have it."""
    if not isinstance(properties, dict) or all(property_key(name) == name for name in properties):
        return None

    def rank(name):
        return (properties[name] not in (None, ""), property_key(name) == name)

    # Later names overwrite earlier ones, so the value kept is the last of its name: the best ranked, and
    # among equals (a stable sort of the names in reverse order) the first spelling in sorted order.
    result = {}
    for name in sorted(sorted(properties, reverse=True), key=rank):
        result[property_key(name)] = properties[name]
    return result


def rewrite_property_names(apps, schema_editor):
    Contact = apps.get_model("surveys", "Contact")
    Campaign = apps.get_model("surveys", "Campaign")
    postgres = schema_editor.connection.vendor == "postgresql"
    last = 0
    while True:
        batch = Contact.objects.using(schema_editor.connection.alias).filter(pk__gt=last).order_by("pk")
        if postgres:
            batch = batch.extra(where=[MAY_NEED_WORK])  # noqa: S610 (a constant, no input)
        rows = list(batch.values_list("pk", "properties")[:BATCH])
        if not rows:
            break
        last = rows[-1][0]
        changed = [
            Contact(pk=pk, properties=new)
            for pk, properties in rows
            if (new := one_spelling(properties)) is not None
        ]
        if changed:
            with transaction.atomic(using=schema_editor.connection.alias):
                Contact.objects.using(schema_editor.connection.alias).bulk_update(changed, ["properties"])
    for campaign in Campaign.objects.using(schema_editor.connection.alias).exclude(audience_filter={}):
        if (new := one_spelling(campaign.audience_filter)) is not None:
            campaign.audience_filter = new
            campaign.save(update_fields=["audience_filter"])


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("surveys", "0004_invitation_provider_index_state_check")]

    operations = [migrations.RunPython(rewrite_property_names, migrations.RunPython.noop, elidable=True)]
