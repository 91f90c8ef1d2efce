from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("surveys", "0003_contact_import")]

    operations = [
        # Provider events (bounces, complaints) name the message by the provider's id: the lookup
        # Invitation.objects.filter(provider_message_id=…) in surveys.channels.invitation_for_event.
        # Partial: rows not sent yet (queued in bulk) have no id and cost nothing here.
        migrations.AddIndex(
            model_name="invitation",
            index=models.Index(
                condition=models.Q(("provider_message_id", ""), _negated=True),
                fields=["provider_message_id"],
                name="invitation_provider_message",
            ),
        ),
        # The values of Invitation.State.
        migrations.AddConstraint(
            model_name="invitation",
            constraint=models.CheckConstraint(
                condition=models.Q(("state__in", ["queued", "sending", "sent", "failed", "suppressed"])),
                name="invitation_state_known",
            ),
        ),
    ]
