from django.urls import path

from . import link_views, site_views, views
from .channels.texting import views as texting_views

app_name = "surveys"
urlpatterns = [
    path("u/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("brands/", views.brand_list, name="brand_list"),
    path("brands/new/", views.brand_edit, name="brand_create"),
    path("brands/<int:pk>/", views.brand_edit, name="brand_edit"),
    path("brands/<int:pk>/delete/", views.brand_delete, name="brand_delete"),
    path("contacts/", views.contact_list, name="contact_list"),
    path("contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/suppressed/", views.suppression_list, name="suppression_list"),
    # Texting's staff pages (surveys/channels/texting/views.py).
    path("contacts/texts/", texting_views.received_texts, name="received_texts"),
    path("contacts/texts/<int:pk>/read/", texting_views.mark_read, name="mark_text_read"),
    # The on-site widget's sites (surveys/site_views.py).
    path("settings/sites/", site_views.site_list, name="site_list"),
    path("settings/sites/new/", site_views.site_create, name="site_create"),
    path("settings/sites/<int:pk>/", site_views.site_detail, name="site_detail"),
    path("settings/sites/<int:pk>/edit/", site_views.site_edit, name="site_edit"),
    path("settings/sites/<int:pk>/secret/", site_views.site_secret, name="site_secret"),
    path("settings/sites/<int:pk>/secret/regenerate/", site_views.site_regenerate, name="site_regenerate"),
    path("settings/sites/<int:pk>/delete/", site_views.site_delete, name="site_delete"),
    path("settings/texting/", texting_views.texting_settings, name="texting_settings"),
    path("settings/texting/quiet-hours/", texting_views.quiet_hours_list, name="quiet_hours"),
    path("settings/texting/quiet-hours/new/", texting_views.quiet_hours_create, name="quiet_hours_create"),
    path("settings/texting/quiet-hours/<int:pk>/", texting_views.quiet_hours_edit, name="quiet_hours_edit"),
    path(
        "settings/texting/quiet-hours/<int:pk>/delete/",
        texting_views.quiet_hours_delete,
        name="quiet_hours_delete",
    ),
    path("contacts/<int:pk>/", views.contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/delete/", views.contact_delete, name="contact_delete"),
    path("contacts/<int:pk>/export/", views.contact_export, name="contact_export"),
    path("contacts/import/", views.import_views["start"], name="import_start"),
    path("contacts/import/<int:pk>/", views.import_views["detail"], name="import_detail"),
    path("contacts/import/<int:pk>/map/", views.import_views["map"], name="import_map"),
    path("contacts/import/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("contacts/import/<int:pk>/confirm/", views.import_views["confirm"], name="import_confirm"),
    path("contacts/import/<int:pk>/rejected.csv", views.import_rejected, name="import_rejected"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_edit, name="campaign_create"),
    path("campaigns/text-counter/", views.campaign_text_counter, name="campaign_text_counter"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/launch/", views.campaign_launch, name="campaign_launch"),
    path("campaigns/<int:pk>/pause/", views.campaign_pause, name="campaign_pause"),
    path("campaigns/<int:pk>/resume/", views.campaign_resume, name="campaign_resume"),
    path("campaigns/<int:pk>/archive/", views.campaign_archive, name="campaign_archive"),
    path("campaigns/<int:pk>/audience/", views.campaign_audience, name="campaign_audience"),
    path("campaigns/<int:pk>/audience/count/", views.campaign_audience_count, name="campaign_audience_count"),
    path(
        "campaigns/<int:pk>/audience/values/", views.campaign_audience_values, name="campaign_audience_values"
    ),
    path("campaigns/<int:pk>/members/", views.campaign_members, name="campaign_members"),
    path("campaigns/<int:pk>/test/", views.campaign_test_send, name="campaign_test_send"),
    path("campaigns/<int:pk>/preview/", views.campaign_preview, name="campaign_preview"),
    # The public link's QR code and poster (surveys/link_views.py).
    path("campaigns/<int:pk>/qr.svg", link_views.qr_svg, name="campaign_qr_svg"),
    path("campaigns/<int:pk>/qr.png", link_views.qr_png, name="campaign_qr_png"),
    path("campaigns/<int:pk>/poster/", link_views.poster, name="campaign_poster"),
    # One frame per channel, e.g. /campaigns/1/preview/email/ (after "answer/", which is not a channel).
    path(
        "campaigns/<int:pk>/preview/<slug:channel>/",
        views.campaign_preview_channel,
        name="campaign_preview_channel",
    ),
]
