"""Settings → Alerts (admins) and Account → Alert emails (everyone); included by responses/urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("settings/alerts/", views.alert_rule_list, name="alert_rule_list"),
    path("settings/alerts/new/", views.alert_rule_create, name="alert_rule_create"),
    path("settings/alerts/<int:pk>/", views.alert_rule_edit, name="alert_rule_edit"),
    path("settings/alerts/<int:pk>/delete/", views.alert_rule_delete, name="alert_rule_delete"),
    path("settings/alerts/<int:pk>/test/", views.alert_rule_test, name="alert_rule_test"),
    path("account/alerts/", views.alert_preferences, name="alert_preferences"),
]
