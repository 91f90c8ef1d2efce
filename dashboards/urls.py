from django.urls import path

from . import views

app_name = "dashboards"
urlpatterns = [
    path("", views.home, name="home"),
    path("comments/", views.comments_page, name="comments"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("views/", views.saved_views, name="saved_views"),
    path("views/new/", views.saved_view_create, name="saved_view_create"),
    path("views/<int:pk>/", views.saved_view_edit, name="saved_view_edit"),
    path("views/<int:pk>/delete/", views.saved_view_delete, name="saved_view_delete"),
    path("views/<int:pk>/share/", views.share_links, name="share_links"),
    path("share-links/<int:pk>/revoke/", views.share_link_revoke, name="share_link_revoke"),
    path("s/<str:token>/", views.shared, name="shared"),
    path("account/digest/", views.digest_settings, name="digest_settings"),
    path("account/digest/preview/", views.digest_preview, name="digest_preview"),
    path("account/digest/send/", views.digest_send_now, name="digest_send_now"),
]
