"""Schemathesis against the central service's own ``/openapi.json``: no 500, no answer off its schema.

The service runs for real on loopback (SQLite). Every operation in the document gets generated
requests, valid and invalid, sent with the credential the operation asks for (staff routes with the
staff token, the rest with the kiosk token). Bounded to a few examples per operation so the whole run
stays within about a minute; ``FUZZ_EXAMPLES=200`` for a long run.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from central import embedded
from central.settings import Settings

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture(scope="module")
def fuzzed_central(tmp_path_factory):
    # Look-ups are limited per kiosk; the fuzzer is one kiosk making many on purpose.
    settings_ = Settings(data_dir=tmp_path_factory.mktemp("central-openapi"), lookup_limit=1_000_000)
    service = embedded.start(settings=settings_)
    yield service
    service.stop()


def fuzz(operation, central) -> None:
    token = central.staff_token if operation.path.startswith("/api/v1/staff") else central.kiosk_token

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        headers = {"Authorization": f"Bearer {token}"}
        key = (case.headers or {}).get("Idempotency-Key")
        if key is not None:
            headers["Idempotency-Key"] = key
        case.call_and_validate(base_url=central.url, headers=headers, timeout=30, checks=CHECKS)

    run()


@pytest.mark.slow
def test_no_operation_answers_500_or_off_its_schema(fuzzed_central):
    schema = schemathesis.openapi.from_url(f"{fuzzed_central.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30, "the document lists the service's operations"
    failures = []
    for operation in operations:
        try:
            fuzz(operation, fuzzed_central)
        except Exception as err:  # every operation is tried; all failures are reported together
            failures.append(f"{operation.method.upper()} {operation.path}: {str(err)[:1500]}")
    assert failures == [], "\n\n".join(failures)
