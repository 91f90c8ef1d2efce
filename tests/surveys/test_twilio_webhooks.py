"""Twilio's webhooks at their real paths: signed, forged, unsigned, replayed, malformed, rate-limited."""

from urllib.parse import urlencode

import pytest
from django.core import checks
from django.http import QueryDict
from django.urls import reverse

from surveys.models import Suppression, TextMessage
from tests.factories import make_contact
from tests.surveys.twilio_requests import (
    EMPTY_TWIML,
    FORM,
    INBOUND,
    STATUS,
    inbound_params,
    new_sid,
    post_signed,
    sign,
    status_params,
)

pytestmark = pytest.mark.django_db


def test_the_paths_an_operator_pastes_into_twilio():
    assert reverse("twilio_inbound") == INBOUND
    assert reverse("twilio_status") == STATUS


def test_signed_inbound_text_is_recorded_and_answered_with_empty_twiml(client):
    params = inbound_params("Hello there")
    response = post_signed(client, INBOUND, params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.decode() == EMPTY_TWIML
    message = TextMessage.objects.get(provider_sid=params["MessageSid"])
    assert (message.direction, message.channel, message.body) == ("in", "sms", "Hello there")
    assert (message.from_number, message.to_number) == ("+14155550100", "+15005550006")


@pytest.mark.parametrize("path", [INBOUND, STATUS])
def test_unsigned_request_is_refused_and_changes_nothing(client, path):
    params = inbound_params("STOP") if path == INBOUND else status_params(new_sid(), "delivered")
    response = post_signed(client, path, params, signature="")
    assert response.status_code == 403
    assert not TextMessage.objects.exists()
    assert not Suppression.objects.exists()


@pytest.mark.parametrize("path", [INBOUND, STATUS])
def test_forged_signature_is_refused(client, path):
    params = (
        inbound_params("STOP") if path == INBOUND else status_params(new_sid(), "failed", error_code="21610")
    )
    response = post_signed(client, path, params, signature="bm90IGEgc2lnbmF0dXJlIGF0IGFsbA==")
    assert response.status_code == 403
    assert not TextMessage.objects.exists()
    assert not Suppression.objects.exists()


def test_signature_made_with_another_token_is_refused(client):
    response = post_signed(client, INBOUND, inbound_params("STOP"), token="someone-elses-auth-token")
    assert response.status_code == 403
    assert not Suppression.objects.exists()


def test_signature_of_other_parameters_is_refused(client):
    """A signed request whose body was changed on the way (here: STOP turned into START) is refused."""
    params = inbound_params("hello")
    signature = sign(INBOUND, params)
    response = post_signed(client, INBOUND, {**params, "Body": "STOP"}, signature=signature)
    assert response.status_code == 403
    assert not TextMessage.objects.exists()


def test_signature_for_the_other_webhook_is_refused(client):
    params = inbound_params("STOP")
    response = post_signed(client, INBOUND, params, signature=sign(STATUS, params))
    assert response.status_code == 403


def test_signature_over_the_url_django_sees_instead_of_the_public_one_is_refused(client, settings):
    """Behind a proxy: Twilio signs the public URL; a request signed for another host does not pass."""
    params = inbound_params("STOP")
    as_django_sees_it = sign(INBOUND, params)  # over http://testserver/webhooks/twilio/inbound/
    settings.PUBLIC_BASE_URL = "https://nps.example.com"
    assert post_signed(client, INBOUND, params, signature=as_django_sees_it).status_code == 403
    assert not Suppression.objects.exists()
    response = post_signed(client, INBOUND, params)  # signed over https://nps.example.com/webhooks/…
    assert response.status_code == 200
    assert Suppression.objects.filter(address="+14155550100").exists()


def test_query_string_is_part_of_the_signed_url(client):
    params = inbound_params("hi")
    path = INBOUND + "?tenant=acme"
    signed = sign(INBOUND, params, query="tenant=acme")
    assert (
        client.post(path, urlencode(params), content_type=FORM, HTTP_X_TWILIO_SIGNATURE=signed).status_code
        == 200
    )
    params = inbound_params("hi again")
    unsigned_query = sign(INBOUND, params)
    response = client.post(path, urlencode(params), content_type=FORM, HTTP_X_TWILIO_SIGNATURE=unsigned_query)
    assert response.status_code == 403


def test_without_an_auth_token_every_webhook_is_closed(client, settings):
    params = inbound_params("STOP")
    signature = sign(INBOUND, params, token="")
    settings.TWILIO_AUTH_TOKEN = ""
    response = post_signed(client, INBOUND, params, signature=signature)
    assert response.status_code == 403
    assert "TWILIO_AUTH_TOKEN" in response.text
    assert not Suppression.objects.exists()


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_other_methods_are_not_allowed(client, method):
    response = getattr(client, method)(INBOUND)
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_replayed_inbound_text_is_recorded_once(client):
    contact = make_contact(phone="+14155550100")
    params = inbound_params("STOP")
    assert post_signed(client, INBOUND, params).status_code == 200
    Suppression.objects.all().delete()  # an admin lifted it meanwhile
    assert post_signed(client, INBOUND, params).status_code == 200
    assert TextMessage.objects.filter(contact=contact).count() == 1
    assert not Suppression.objects.exists()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"Body": "STOP\x00"}, "NUL"),
        ({"From": "+14155550100\x00"}, "NUL"),
        ({"Extra\x00": "1"}, "NUL"),
        ({"MessageSid": ""}, "MessageSid"),
        ({"MessageSid": "SM' OR 1=1 --"}, "MessageSid"),
        ({"MessageSid": "SM" + "a" * 80}, "MessageSid"),
        ({"From": ""}, "From"),
        ({"From": "not a number"}, "From is not a phone number"),
        ({"From": "whatsapp:hello"}, "From is not a phone number"),
        ({"From": "+1" + "5" * 200}, "From is not a phone number"),
        ({"To": "+1" + "5" * 200}, "To"),
        ({"Body": "x" * 6401}, "Body"),
    ],
)
def test_malformed_inbound_is_a_400_with_the_reason(client, change, reason):
    params = {key: value for key, value in {**inbound_params("hello"), **change}.items() if value != ""}
    response = post_signed(client, INBOUND, params)
    assert response.status_code == 400
    assert reason in response.text
    assert not TextMessage.objects.exists()


def test_missing_from_is_a_400(client):
    params = inbound_params("hello")
    del params["From"]
    response = post_signed(client, INBOUND, params)
    assert response.status_code == 400
    assert "From is missing" in response.text


def test_huge_request_is_refused_before_it_is_read(client):
    params = inbound_params("hello", MediaUrl0="https://example.com/" + "a" * 200_000)
    response = post_signed(client, INBOUND, params)
    assert response.status_code == 400
    assert "too large" in response.text
    assert not TextMessage.objects.exists()


def test_longest_real_text_in_a_non_latin_script_is_taken(client):
    body = "९" * 1600  # Devanagari: 3 bytes a character, 9 once percent-encoded
    params = inbound_params(body)
    assert post_signed(client, INBOUND, params).status_code == 200
    assert TextMessage.objects.get().body == body


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"MessageStatus": "", "SmsStatus": ""}, "MessageStatus"),
        ({"ErrorCode": "21610; DROP TABLE"}, "ErrorCode"),
        ({"ErrorCode": "٢١٦١٠"}, "ErrorCode"),
        ({"MessageSid": ""}, "MessageSid"),
        ({"MessageStatus": "deliv\x00ered"}, "NUL"),
    ],
)
def test_malformed_status_callback_is_a_400(client, change, reason):
    params = {key: value for key, value in {**status_params(new_sid(), "failed"), **change}.items() if value}
    response = post_signed(client, STATUS, params)
    assert response.status_code == 400
    assert reason in response.text


def test_status_of_a_text_we_never_sent_is_accepted_and_changes_nothing(client):
    response = post_signed(client, STATUS, status_params(new_sid(), "failed", error_code="21610"))
    assert response.status_code == 200
    assert response.content.decode() == EMPTY_TWIML
    assert not Suppression.objects.exists()


@pytest.mark.usefixtures("rate_window")
def test_requests_are_rate_limited_per_client_address(client, settings):
    settings.TWILIO_WEBHOOK_RATELIMIT = "2/m"
    for _ in range(2):
        assert post_signed(client, INBOUND, inbound_params("hi")).status_code == 200
    over = post_signed(client, INBOUND, inbound_params("hi"))
    assert over.status_code == 429
    assert int(over["Retry-After"]) >= 1
    # A forged header does not make another client: the peer is not a trusted proxy.
    spoofed = post_signed(client, INBOUND, inbound_params("hi"), HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert spoofed.status_code == 429
    other = post_signed(client, INBOUND, inbound_params("hi"), REMOTE_ADDR="198.51.100.10")
    assert other.status_code == 200
    assert TextMessage.objects.count() == 3


@pytest.mark.usefixtures("rate_window")
def test_forged_requests_count_against_the_limit_too(client, settings):
    settings.TWILIO_WEBHOOK_RATELIMIT = "3/m"
    for _ in range(3):
        assert (
            post_signed(client, STATUS, status_params(new_sid(), "sent"), signature="forged").status_code
            == 403
        )
    assert post_signed(client, STATUS, status_params(new_sid(), "sent")).status_code == 429


# The system check ----------------------------------------------------------------------------------


def _twilio_check_messages():
    return [
        m for m in checks.run_checks(tags=[checks.Tags.security]) if m.id in ("surveys.E002", "surveys.W002")
    ]


def test_twilio_without_auth_token_stops_production(settings):
    settings.SMS_BACKEND, settings.DEBUG, settings.TWILIO_AUTH_TOKEN = "twilio", False, ""
    [message] = _twilio_check_messages()
    assert message.id == "surveys.E002"
    assert "TWILIO_AUTH_TOKEN" in message.msg


def test_twilio_without_auth_token_warns_with_debug(settings):
    settings.SMS_BACKEND, settings.DEBUG, settings.TWILIO_AUTH_TOKEN = "twilio", True, ""
    [message] = _twilio_check_messages()
    assert message.id == "surveys.W002"


@pytest.mark.parametrize(
    "configured",
    [
        {"SMS_BACKEND": "twilio"},  # the token is set
        {"SMS_BACKEND": "twilio", "TWILIO_ACCOUNT_SID": "", "TWILIO_AUTH_TOKEN": ""},  # texting not in use
        {"SMS_BACKEND": "file", "TWILIO_AUTH_TOKEN": ""},  # the demo's files
    ],
)
def test_no_message_when_twilio_is_configured_or_unused(settings, configured):
    settings.DEBUG = False
    for name, value in configured.items():
        setattr(settings, name, value)
    assert _twilio_check_messages() == []


def test_repeated_parameter_is_a_400(client):
    params = inbound_params("hello")
    body = urlencode(params) + "&Body=STOP"
    signature = sign(INBOUND, QueryDict(body))
    response = client.post(INBOUND, body, content_type=FORM, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 400
    assert "repeated" in response.text
    assert not Suppression.objects.exists()


def test_unreadable_multipart_body_is_a_400(client):
    response = client.post(
        INBOUND,
        b"--nope\r\ngarbage",
        content_type="multipart/form-data; boundary=",
        HTTP_X_TWILIO_SIGNATURE="x",
    )
    assert response.status_code == 400
    assert not TextMessage.objects.exists()
