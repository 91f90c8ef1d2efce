from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = "Campaigns and delivery"

    def ready(self):
        from . import receivers  # noqa: F401  (connects anymail's tracking signal)
