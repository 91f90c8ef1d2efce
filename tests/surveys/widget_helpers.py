"""Sites and calls for the widget's tests (surveys/widget.py, responses/widget_api.py)."""

import json

from surveys.models import Campaign, Site
from tests.factories import make_campaign

ORIGIN = "https://app.example.com"


def make_site(*, campaign=None, **fields):
    fields.setdefault("name", "Dashboard")
    fields.setdefault("allowed_origins", [ORIGIN])
    fields.setdefault("sample_factor", 1.0)
    campaign = campaign or make_campaign(
        name="In-app widget", channels=["web"], status=Campaign.Status.RUNNING, throttle_days=30
    )
    return Site.objects.create(campaign=campaign, **fields)


def post(client, site, action, body, *, origin=ORIGIN, content_type="text/plain", **headers):
    """A widget call as widget.js makes it: JSON sent as text/plain from the host page's origin."""
    if origin is not None:
        headers["HTTP_ORIGIN"] = origin
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(f"/w/api/{site.key}/{action}", data=data, content_type=content_type, **headers)
