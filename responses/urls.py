from django.urls import path

from . import import_views, kiosk_views, link_views, views, widget_api, widget_assets
from .alerts import urls as alert_urls
from .cases import settings_urls as follow_up_settings_urls
from .cases import urls as case_urls
from .themes import urls as theme_urls

app_name = "responses"
urlpatterns = [
    path("s", views.short_link, name="short_link"),  # /s?<short_token>: texts' links
    path("r/<str:token>/", views.answer, name="answer"),
    # The public link of a campaign (responses/public_link.py); its QR code and poster are staff pages.
    path("l/<str:token>/", link_views.public_link, name="link"),
    path("l/<str:token>/thanks/", link_views.link_thanks, name="link_thanks"),
    path("r/<str:token>/thanks/", views.thanks, name="thanks"),
    # str, not int: a malformed score gets the page's own message (400), not a generic 404.
    path("r/<str:token>/<str:score>/", views.answer, name="answer_score"),
    # The on-site widget's script (responses/widget_assets.py), also where Delighted's loader looks.
    path("w/widget.js", widget_assets.widget_js, name="widget_js"),
    path("w/<str:site_key>/delighted.js", widget_assets.delighted_js, name="widget_delighted_js"),
    path("k/<str:token>/", kiosk_views.kiosk_page, name="kiosk"),
    path("k/<str:token>/answers", kiosk_views.kiosk_answers, name="kiosk_answers"),
    path("k/<str:token>/sw.js", kiosk_views.kiosk_worker, name="kiosk_worker"),
    # The on-site widget's JSON API (responses/widget_api.py), called from the sites' own origins.
    path("w/api/<str:site_key>/survey", widget_api.survey, name="widget_survey"),
    path("w/api/<str:site_key>/answer", widget_api.answer, name="widget_answer"),
    path("w/api/<str:site_key>/dismiss", widget_api.dismiss, name="widget_dismiss"),
    path("campaigns/<int:pk>/preview/answer/", views.campaign_preview_answer, name="campaign_preview_answer"),
    path("responses/phone/new/", views.phone_answer, name="phone_answer"),
    path("responses/import/", import_views.views["start"], name="import_start"),
    path("responses/import/<int:pk>/", import_views.views["detail"], name="import_detail"),
    path("responses/import/<int:pk>/map/", import_views.views["map"], name="import_map"),
    path("responses/import/<int:pk>/confirm/", import_views.views["confirm"], name="import_confirm"),
    # Follow-up: the inbox, cases, answers' permalinks; the admins' rules; alerts (docs/follow-up.md).
    *case_urls.urlpatterns,
    *follow_up_settings_urls.urlpatterns,
    *alert_urls.urlpatterns,
    # Comment themes: the list, a theme, rule themes, tagging, re-learning (docs/themes.md).
    *theme_urls.urlpatterns,
]
