import json

import pytest

from nps.api import keys


class ApiClient:
    """The Django test client speaking JSON with an API key."""

    def __init__(self, client, key: str | None):
        self.client = client
        self.key = key

    def _headers(self):
        return {"Authorization": f"Bearer {self.key}"} if self.key else {}

    def get(self, path, params=None):
        return self.client.get(path, params or {}, headers=self._headers())

    def post(self, path, body=None):
        return self.client.post(
            path, json.dumps(body or {}), content_type="application/json", headers=self._headers()
        )

    def patch(self, path, body=None):
        return self.client.patch(
            path, json.dumps(body or {}), content_type="application/json", headers=self._headers()
        )

    def delete(self, path):
        return self.client.delete(path, headers=self._headers())


@pytest.fixture
def api(client, db):
    """A client with a new read-write key."""
    _key, raw = keys.create_api_key(name="Tests", read_only=False)
    return ApiClient(client, raw)


@pytest.fixture
def read_api(client, db):
    """A client with a new read-only key."""
    _key, raw = keys.create_api_key(name="Reporting", read_only=True)
    return ApiClient(client, raw)
