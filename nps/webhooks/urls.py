"""Settings → Webhooks; included by nps/urls.py in namespace "nps"."""

from django.urls import path

from . import views

urlpatterns = [
    path("settings/webhooks/", views.webhook_list, name="webhook_list"),
    path("settings/webhooks/new/", views.webhook_create, name="webhook_create"),
    path("settings/webhooks/<int:pk>/", views.webhook_detail, name="webhook_detail"),
    path("settings/webhooks/<int:pk>/delete/", views.webhook_delete, name="webhook_delete"),
    path("settings/webhooks/<int:pk>/test/", views.webhook_test, name="webhook_test"),
    path("settings/webhooks/<int:pk>/rotate/", views.webhook_rotate, name="webhook_rotate"),
]
