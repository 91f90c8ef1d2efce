from django.urls import path

from . import import_views, views

app_name = "responses"
urlpatterns = [
    path("s", views.short_link, name="short_link"),  # /s?<short_token>: texts' links
    path("r/<str:token>/", views.answer, name="answer"),
    path("r/<str:token>/thanks/", views.thanks, name="thanks"),
    # str, not int: a malformed score gets the page's own message (400), not a generic 404.
    path("r/<str:token>/<str:score>/", views.answer, name="answer_score"),
    path("campaigns/<int:pk>/preview/answer/", views.campaign_preview_answer, name="campaign_preview_answer"),
    path("responses/phone/new/", views.phone_answer, name="phone_answer"),
    path("responses/import/", import_views.views["start"], name="import_start"),
    path("responses/import/<int:pk>/", import_views.views["detail"], name="import_detail"),
    path("responses/import/<int:pk>/map/", import_views.views["map"], name="import_map"),
    path("responses/import/<int:pk>/confirm/", import_views.views["confirm"], name="import_confirm"),
]
