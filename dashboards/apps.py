from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "Dashboards"

    def ready(self):
        from responses.history_import import on_loaded

        from .tasks import refresh_rollups

        # Imported answer history shows in the dashboards at once, not at the next minute's refresh.
        on_loaded(refresh_rollups.delay)
