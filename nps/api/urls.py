"""The Settings → API keys pages; nps/urls.py includes them in the "nps" namespace (nps:api_keys, …).

The APIs' own URLs are native/urls.py (/api/v1/) and delighted/urls.py (/v1/).
"""

from django.urls import path

from . import views

urlpatterns = [
    path("settings/api-keys/", views.api_keys, name="api_keys"),
    path("settings/api-keys/new/", views.create_api_key, name="create_api_key"),
    path("settings/api-keys/<int:pk>/revoke/", views.revoke_api_key, name="revoke_api_key"),
]
