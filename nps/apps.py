from django.apps import AppConfig


class NpsConfig(AppConfig):
    name = "nps"
    verbose_name = "OpenNPS accounts"

    def ready(self):
        from . import clientip, ratelimit

        # A rate setting that is not a rate stops every process at start-up, naming the setting.
        ratelimit.check_settings()
        # So does a trusted proxy that is not an address or a network.
        clientip.check_settings()
