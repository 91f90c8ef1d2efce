import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

# On PostgreSQL the database itself refuses to change or delete an audit entry, whoever asks (the app's
# own connection included); only TRUNCATE, which needs the table owner and runs no row trigger, can empty it.
CREATE_TRIGGER = """
CREATE FUNCTION nps_auditentry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'nps_auditentry is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER nps_auditentry_append_only BEFORE UPDATE OR DELETE ON nps_auditentry
    FOR EACH ROW EXECUTE FUNCTION nps_auditentry_append_only();
"""
DROP_TRIGGER = """
DROP TRIGGER IF EXISTS nps_auditentry_append_only ON nps_auditentry;
DROP FUNCTION IF EXISTS nps_auditentry_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_TRIGGER, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("nps", "0004_webhook_delivery_subject"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
                ("actor_label", models.CharField(max_length=300)),
                ("client_address", models.GenericIPAddressField(blank=True, null=True)),
                ("action", models.CharField(max_length=60)),
                ("object_type", models.CharField(max_length=40)),
                ("object_id", models.CharField(blank=True, max_length=40)),
                ("object_label", models.CharField(blank=True, max_length=300)),
                ("changes", models.JSONField(blank=True, default=dict)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-at", "-id"],
                "indexes": [
                    models.Index(fields=["at"], name="audit_at"),
                    models.Index(fields=["action", "at"], name="audit_action_at"),
                    models.Index(fields=["object_type", "at"], name="audit_type_at"),
                ],
            },
        ),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
