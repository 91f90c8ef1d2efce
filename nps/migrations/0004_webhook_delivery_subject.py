from django.db import migrations, models


def fill_contact_ids(apps, schema_editor):
    """Deliveries made before this migration: the contact they are about, read from their payload, so that
    erasing that person reaches them too (test events, person id "0", stay without one)."""
    WebhookDelivery = apps.get_model("nps", "WebhookDelivery")
    changed = []
    for delivery in WebhookDelivery.objects.only("pk", "payload").iterator(chunk_size=2000):
        data = (delivery.payload or {}).get("event_data") or {}
        person = data.get("person")
        person_id = person.get("id") if isinstance(person, dict) else person
        person_id = person_id or data.get("person_id")
        if isinstance(person_id, str) and person_id.isascii() and person_id.isdigit() and int(person_id):
            delivery.contact_id = int(person_id)
            changed.append(delivery)
        if len(changed) >= 2000:
            WebhookDelivery.objects.bulk_update(changed, ["contact_id"])
            changed = []
    WebhookDelivery.objects.bulk_update(changed, ["contact_id"])


class Migration(migrations.Migration):
    dependencies = [("nps", "0003_webhooks")]

    operations = [
        migrations.AddField(
            model_name="webhookdelivery",
            name="contact_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="webhookdelivery",
            name="redacted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="webhookdelivery",
            index=models.Index(
                condition=models.Q(("contact_id__isnull", False)),
                fields=["contact_id"],
                name="webhookdelivery_contact",
            ),
        ),
        migrations.RunPython(fill_contact_ids, migrations.RunPython.noop, elidable=True),
    ]
