from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("surveys", "0004_invitation_provider_index_state_check")]

    operations = []
