from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "Dashboards"

    def ready(self):
        from responses.history_import import on_loaded
        from responses.themes.assign import on_changed

        from .tasks import refresh_rollups, theme_rollups_changed

        # Imported answer history shows in the dashboards at once, not at the next minute's refresh.
        on_loaded(refresh_rollups.delay)
        # Comments' themes changed (assigned, tagged, merged, re-learned): the theme rollup follows.
        on_changed(theme_rollups_changed)
