"""The theme pages (responses/themes/views.py): the list, a theme and its actions, rule themes, tagging."""

from django.urls import path

from . import views

urlpatterns = [
    path("themes/", views.theme_list, name="theme_list"),
    path("themes/<int:pk>/", views.theme_detail, name="theme_detail"),
    path("themes/<int:pk>/rename/", views.theme_rename, name="theme_rename"),
    path("themes/<int:pk>/hide/", views.theme_hide, name="theme_hide"),
    path("themes/<int:pk>/pin/", views.theme_pin, name="theme_pin"),
    path("themes/<int:pk>/words/", views.theme_words, name="theme_words"),
    path("themes/<int:pk>/merge/", views.theme_merge, name="theme_merge"),
    path("themes/<int:pk>/split/", views.theme_split, name="theme_split"),
    path("themes/<int:pk>/delete/", views.theme_delete, name="theme_delete"),
    path("themes/relearn/", views.theme_relearn, name="theme_relearn"),
    path("themes/runs/<int:pk>/", views.theme_run, name="theme_run"),
    path("themes/rules/new/", views.theme_new_rule, name="theme_new_rule"),
    path("themes/answers/<int:pk>/tag/", views.theme_tag, name="theme_tag"),
    path("themes/answers/<int:pk>/untag/<int:theme_pk>/", views.theme_untag, name="theme_untag"),
]
