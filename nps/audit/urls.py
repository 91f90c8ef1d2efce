"""The audit log pages; included by nps/urls.py in namespace "nps"."""

from django.urls import path

from . import views

urlpatterns = [
    path("settings/audit/", views.audit_log, name="audit_log"),
    path("settings/audit/export.csv", views.audit_export, name="audit_export"),
]
