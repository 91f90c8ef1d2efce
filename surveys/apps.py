from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = "Campaigns and delivery"

    def ready(self):
        from nps.webhooks import services as webhooks

        # Each channel connects its provider's signals (the email channel: anymail's tracking signal).
        from . import channels  # noqa: F401
        from .contacts import Eraser, register_eraser

        # Erasing a contact reaches the webhook deliveries about them (nps.webhooks sits below surveys, so
        # it is registered here): their data leaves the payloads, and those not sent yet are never sent.
        register_eraser(
            Eraser(
                noun="webhook event",
                count=webhooks.count_deliveries_about,
                erase=webhooks.redact_deliveries_about,
                detail="their name, email, phone, properties and notes are removed from the payload; "
                "events not sent yet are cancelled and never sent",
                where="in the webhook delivery log",
            )
        )

        from .channels.texting import privacy as texting_privacy
        from .privacy import register_exporter

        # A contact's texts and conversations go with them when erased, and come with their data export.
        register_eraser(texting_privacy.eraser)
        for exporter in texting_privacy.exporters:
            register_exporter(exporter)
