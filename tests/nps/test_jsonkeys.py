"""Contact properties are read by name as object keys, even names made of digits (nps/jsonkeys.py)."""

import pytest

from nps.jsonkeys import PropertyKey, PropertyText
from surveys.models import Contact
from tests.factories import make_answer, make_contact, make_user

pytestmark = pytest.mark.django_db


def test_a_property_named_with_digits_is_a_key_not_an_array_index():
    wanted = make_contact(properties={"2024": "Gold", "region": "South"})
    make_contact(properties={"2024": "Silver"})
    found = Contact.objects.alias(tier=PropertyText("2024", "properties")).filter(tier__iexact="gold")
    assert list(found) == [wanted]
    has = Contact.objects.alias(tier=PropertyKey("2024", "properties")).filter(tier__isnull=False)
    assert has.count() == 2


def test_a_name_too_large_for_an_integer_is_no_database_error(client):
    make_contact(properties={"9223372036854775808": "x"})
    huge = Contact.objects.alias(v=PropertyText("9223372036854775808", "properties")).filter(v="x")
    assert huge.count() == 1
    make_answer(score=2, contact=make_contact(properties={"2024": "Gold"}))
    client.force_login(make_user(role="lead"))
    for url in ("/contacts/", "/cases/"):
        response = client.get(url, {"property": "9223372036854775808", "value": "x"})
        assert response.status_code == 200, url
    cases = client.get("/cases/", {"view": "all", "property": "2024", "value": "gold"})
    assert cases.status_code == 200
