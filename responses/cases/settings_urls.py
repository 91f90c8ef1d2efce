"""Settings → Follow-up (admins): targets, at-risk thresholds, case rules and assignment rules."""

from django.urls import path

from . import settings_views as views

urlpatterns = [
    path("settings/follow-up/", views.followup_settings, name="followup_settings"),
    path("settings/follow-up/rules/", views.case_rule_list, name="case_rule_list"),
    path("settings/follow-up/rules/new/", views.case_rule_create, name="case_rule_create"),
    path("settings/follow-up/rules/<int:pk>/", views.case_rule_edit, name="case_rule_edit"),
    path("settings/follow-up/rules/<int:pk>/delete/", views.case_rule_delete, name="case_rule_delete"),
    path("settings/follow-up/rules/<int:pk>/toggle/", views.case_rule_toggle, name="case_rule_toggle"),
    path("settings/follow-up/rules/<int:pk>/move/", views.case_rule_move, name="case_rule_move"),
    path("settings/follow-up/assignment/", views.assignment_list, name="assignment_list"),
    path("settings/follow-up/assignment/new/", views.assignment_create, name="assignment_create"),
    path("settings/follow-up/assignment/<int:pk>/", views.assignment_edit, name="assignment_edit"),
    path("settings/follow-up/assignment/<int:pk>/delete/", views.assignment_delete, name="assignment_delete"),
    path("settings/follow-up/assignment/<int:pk>/move/", views.assignment_move, name="assignment_move"),
]
