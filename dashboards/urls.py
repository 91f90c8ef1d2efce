from django.urls import path

from . import extra_views, views

app_name = "dashboards"
urlpatterns = [
    path("", views.home, name="home"),
    # Comments, saved views, share links, export and digest (extra_views).
    path("comments/", extra_views.comments_page, name="comments"),
    path("export.csv", extra_views.export_csv, name="export_csv"),
    path("views/", extra_views.saved_views, name="saved_views"),
    path("views/new/", extra_views.saved_view_create, name="saved_view_create"),
    path("views/<int:pk>/", extra_views.saved_view_edit, name="saved_view_edit"),
    path("views/<int:pk>/delete/", extra_views.saved_view_delete, name="saved_view_delete"),
    path("views/<int:pk>/share/", extra_views.share_links, name="share_links"),
    path("share-links/<int:pk>/revoke/", extra_views.share_link_revoke, name="share_link_revoke"),
    path("s/<str:token>/", extra_views.shared, name="shared"),
    path("account/digest/", extra_views.digest_settings, name="digest_settings"),
]
