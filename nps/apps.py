from django.apps import AppConfig


class NpsConfig(AppConfig):
    name = "nps"
    verbose_name = "OpenNPS accounts"
