from django.conf import settings
from django.urls import include, path

from surveys import channels

from . import views
from .accounts import urls as accounts_urls
from .api import urls as api_keys_urls
from .audit import urls as audit_urls
from .webhooks import urls as webhooks_urls

# The "nps:" namespace: sign-in, settings, team and account (nps/accounts/urls.py), API keys
# (nps/api/urls.py), webhooks out (nps/webhooks/urls.py) and the health check.
nps_patterns = [
    *accounts_urls.urlpatterns,
    *api_keys_urls.urlpatterns,
    *webhooks_urls.urlpatterns,
    *audit_urls.urlpatterns,
    path("healthz", views.healthz, name="healthz"),
]

urlpatterns = [
    # First: the answer pages are the most requested, and patterns are tried in order.
    path("", include("responses.urls")),
    path("", include((nps_patterns, "nps"))),
    path("", include("dashboards.urls")),
    path("", include("surveys.urls")),
    # The native REST API; its views authenticate by API key (nps/api/native/).
    path("api/v1/", include("nps.api.native.urls")),
    # The Delighted-compatible API (nps/api/delighted/), also authenticated by API key.
    path("v1/", include("nps.api.delighted.urls")),
    # The providers' webhooks of every delivery channel (bounces, complaints, opt-outs), each authenticated
    # by its channel: for email only the configured ESP's, e.g. /anymail/postmark/tracking/
    # (surveys/channels/email/webhooks.py), none with SMTP or the demo's files.
    path("", include(channels.webhook_urls())),
    # The demo's host page of the on-site widget: 404 outside the demo workspace (nps/demo/onsite.py).
    path("demo/host/", include("nps.demo.onsite")),
    # The demo's phone simulator, only while texts go to files (nps/demo/phone.py).
    *([path("demo/phone/", include("nps.demo.phone"))] if settings.SMS_BACKEND == "file" else []),
    # The demo's Slack and Teams catcher, only in the demo (DEMO_ALERT_CATCHER needs DEBUG; nps/demo/slack.py).
    *([path("demo/slack/", include("nps.demo.slack"))] if settings.DEMO_ALERT_CATCHER else []),
    # Brand logos are public (emails and answer pages show them); other uploads (CSV imports) never are.
    path("media/brands/<path:path>", views.brand_media, name="brand_media"),
]

handler403 = "nps.views.permission_denied"
handler404 = "nps.views.page_not_found"
