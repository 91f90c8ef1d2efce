from django.urls import path

from . import views

app_name = "responses"
urlpatterns = [
    path("r/<str:token>/", views.answer, name="answer"),
    path("r/<str:token>/<int:score>/", views.answer, name="answer_score"),
]
