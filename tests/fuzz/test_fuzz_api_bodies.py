"""Random JSON (and not-JSON) bodies to every write route of the central service: never a 500.

Each POST and PUT of the service's OpenAPI document gets bodies drawn by hypothesis: any JSON value,
objects with the route's own field names holding values of every type, and raw bytes that are not
JSON at all, sent with the credential the route asks for. The answer must be a 4xx (or a success)
with the contract's ``{"error", "message"}`` body on errors; never a 5xx.
"""

from __future__ import annotations

import os
import uuid

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from central import embedded
from central.settings import Settings

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
PATH_VALUES = {"reference": str(uuid.UUID(int=7)), "upload_id": str(uuid.UUID(int=8)), "code": "HT01-2611-000001",
               "counter": "1", "alert_id": "1"}

scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**63, 2**63),
                    st.floats(allow_nan=False, allow_infinity=False),  # the client cannot send NaN or infinity
                    st.text(max_size=40), st.sampled_from(["A", "HT-KS", "2026-11-22", "001099012345", "", "\x00"]))
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=15)


def field_names(schema: dict, operation: dict) -> list[str]:
    ref = (operation.get("requestBody", {}).get("content", {}).get("application/json", {})
           .get("schema", {}).get("$ref", ""))
    model = schema["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {}) if ref else {}
    return sorted(model.get("properties", {})) or ["service", "id_number", "score"]


def bodies(names: list[str]):
    shaped = st.dictionaries(st.sampled_from(names), json_values, max_size=len(names) + 1)
    raw = st.one_of(st.binary(max_size=200), st.sampled_from([b"", b"{", b"[]", b"null", b'{"a":1}{', b"\xff\xfe",
                                                             b'{"score": 1e999}', b'"' + b"x" * 10000 + b'"']))
    return st.one_of(json_values.map(lambda v: ("json", v)), shaped.map(lambda v: ("json", v)),
                     raw.map(lambda v: ("raw", v)))


@pytest.fixture(scope="module")
def central(tmp_path_factory):
    settings_ = Settings(data_dir=tmp_path_factory.mktemp("central-bodies"), lookup_limit=1_000_000)
    service = embedded.start(settings=settings_)
    yield service
    service.stop()


def fuzz_route(http: httpx.Client, method: str, path: str, names: list[str], token: str) -> None:
    url = path.format(**PATH_VALUES)

    @given(body=bodies(names))
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def run(body):
        kind, value = body
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())}
        if kind == "json":
            answer = http.request(method, url, json=value, headers=headers)
        else:
            headers["Content-Type"] = "application/json"
            answer = http.request(method, url, content=value, headers=headers)
        assert answer.status_code < 500, f"{method} {path} {value!r:.300}: {answer.status_code} {answer.text[:300]}"
        if answer.status_code >= 400:
            error = answer.json()
            assert isinstance(error.get("error"), str) and isinstance(error.get("message"), str), answer.text[:300]

    run()


@pytest.mark.slow
def test_no_body_makes_a_write_route_fail_with_500(central):
    with httpx.Client(base_url=central.url, timeout=30) as http:
        schema = http.get("/openapi.json").json()
        routes = [(method.upper(), path, operation) for path, operations in schema["paths"].items()
                  for method, operation in operations.items() if method in ("post", "put")]
        assert len(routes) >= 15
        failures = []
        for method, path, operation in routes:
            token = central.staff_token if path.startswith("/api/v1/staff") else central.kiosk_token
            try:
                fuzz_route(http, method, path, field_names(schema, operation), token)
            except Exception as err:  # every route is tried; all failures are reported together
                failures.append(f"{method} {path}: {str(err)[:1200]}")
    assert failures == [], "\n\n".join(failures)
