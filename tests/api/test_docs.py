"""The OpenAPI schema and the docs page, served without any third-party host."""

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_openapi_schema_describes_every_resource_and_the_key_auth(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/v1/contacts",
        "/api/v1/contacts/{contact_id}",
        "/api/v1/survey-requests",
        "/api/v1/responses",
        "/api/v1/responses/{response_id}",
        "/api/v1/metrics",
        "/api/v1/unsubscribes",
        "/api/v1/bounces",
        "/api/v1/campaigns",
        "/api/v1/campaigns/{campaign_id}",
    } <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["KeyAuth"] == {"type": "http", "scheme": "bearer"}
    listing = schema["paths"]["/api/v1/responses"]["get"]
    assert {"200", "401", "403", "422", "429"} <= set(listing["responses"])


def test_docs_page_loads_only_local_assets(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert "OpenNPS API" in response.text
    assets = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert assets and all(url.startswith("/static/") for url in assets), assets
    for url in assets:
        assert finders.find(url.removeprefix("/static/")), url
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/people")
    assert response.status_code == 404
    assert response.json()["detail"] == "No API endpoint at /api/v1/people; see /api/v1/docs."


def test_method_a_path_does_not_take_is_json_405(client):
    response = client.put("/api/v1/contacts", "{}", content_type="application/json")

    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"
    assert response.json() == {
        "detail": "PUT is not allowed on /api/v1/contacts; use GET, POST.",
        "errors": [],
    }
