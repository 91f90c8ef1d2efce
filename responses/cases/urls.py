"""The inbox, the case page and its actions, and an answer's permalink (responses/cases/views.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("cases/", views.inbox, name="case_inbox"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/assign/", views.case_assign, name="case_assign"),
    path("cases/<int:pk>/status/", views.case_status, name="case_status"),
    path("cases/<int:pk>/priority/", views.case_priority, name="case_priority"),
    path("cases/<int:pk>/due/", views.case_due, name="case_due"),
    path("cases/<int:pk>/note/", views.case_note, name="case_note"),
    path("cases/<int:pk>/tags/", views.case_tags, name="case_tags"),
    path("cases/<int:pk>/reply/", views.case_reply, name="case_reply"),
    path("responses/<int:pk>/", views.answer_detail, name="answer_detail"),
]
