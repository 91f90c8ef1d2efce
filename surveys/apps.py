from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = "Campaigns and delivery"

    def ready(self):
        # Each channel connects its provider's signals (the email channel: anymail's tracking signal).
        from . import channels  # noqa: F401
