"""Theme pages (STUB: helper D replaces it; the names stay)."""

from django.http import Http404
from django.urls import path


def _todo(request, **kwargs):
    raise Http404


urlpatterns = [
    path("themes/", _todo, name="theme_list"),
    path("themes/<int:pk>/", _todo, name="theme_detail"),
    path("themes/relearn/", _todo, name="theme_relearn"),
    path("themes/runs/<int:pk>/", _todo, name="theme_run"),
    path("themes/rules/new/", _todo, name="theme_new_rule"),
    path("themes/answers/<int:pk>/tag/", _todo, name="theme_tag"),
    path("themes/answers/<int:pk>/untag/<int:theme_pk>/", _todo, name="theme_untag"),
]
