"""Fuzz every operation of the OpenAPI schema against a live server: no 5xx, every answer as documented."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from nps.api import keys
from tests.factories import make_answer, make_campaign, make_contact

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Bounded: enough to find the classic crashes (huge ids, NUL bytes, odd dates) in well under a minute.
EXAMPLES = 25


@pytest.fixture
def fuzz_target(live_server, transactional_db, settings):
    settings.API_RATELIMIT = "1000000/m"
    running = make_campaign(name="Fuzzed", status="running")
    contact = make_contact(email="fuzz@example.com")
    make_answer(campaign=running, contact=contact, score=7)
    _key, raw = keys.create_api_key(name="Fuzzer", read_only=False)
    schema = schemathesis.openapi.from_url(live_server.url + "/api/v1/openapi.json")
    return schema, live_server.url, {"Authorization": f"Bearer {raw}"}


def _operations(schema):
    for result in schema.get_all_operations():
        yield result.ok()


@pytest.mark.parametrize("mode", [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE])
def test_every_operation_survives_fuzzing_and_matches_its_schema(fuzz_target, mode):
    schema, base_url, headers = fuzz_target
    operations = list(_operations(schema))
    assert len(operations) >= 15

    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case):
            checks = CHECKS if mode == schemathesis.GenerationMode.POSITIVE else CHECKS[:2]
            case.call_and_validate(base_url=base_url, headers=headers, checks=checks)

        run()
