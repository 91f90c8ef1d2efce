import pytest

from tests.factories import make_user


@pytest.fixture
def sign_in(client):
    """Sign the test client in as a new user of the given role; returns the user."""

    def sign_in(role="admin", **fields):
        user = make_user(role=role, **fields)
        client.force_login(user)
        return user

    return sign_in
