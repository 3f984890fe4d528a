"""Every API route refuses callers without the right credential (routes enumerated from the app)."""

from __future__ import annotations

import re
import uuid

import httpx
from fastapi.routing import APIRoute
from sqlalchemy import update

from central import accounts, auth
from central.models import Kiosk
from central_support import http_client

PATH_VALUES = {
    "reference": str(uuid.uuid4()),
    "code": "HT01-2501-000001",
    "upload_id": str(uuid.uuid4()),
    "counter": "1",
    "document_id": str(uuid.uuid4()),
    "alert_id": "1",
}
GUARDS = {auth.kiosk: "kiosk", auth.staff: "staff", auth.anyone: "anyone"}


def guard_of(dependant) -> set[str]:
    found = {GUARDS[dependant.call]} if dependant.call in GUARDS else set()
    for sub in dependant.dependencies:
        found |= guard_of(sub)
    return found


def flat_routes(app):
    """(path, methods, route) of every route, also where FastAPI keeps included routers nested."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # FastAPI versions that flatten included routers themselves
        return [(r.path, r.methods, r) for r in app.routes]
    return [(c.path, c.methods, c.original_route) for c in iter_route_contexts(app.routes)]


def api_routes(app) -> list[tuple[str, str, str]]:
    routes = []
    for path, methods, route in flat_routes(app):
        if isinstance(route, APIRoute) and path.startswith("/api/v1"):
            guards = guard_of(route.dependant)
            assert len(guards) == 1, f"{path} must have exactly one credential check, has {guards}"
            guard = guards.pop()
            filled = re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES[m.group(1)], path)
            routes += [(method, filled, guard) for method in methods]
    return routes


_http = http_client()


def call(url: str, method: str, path: str, authorization: str | None) -> httpx.Response:
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    if authorization:
        headers["Authorization"] = authorization
    return _http.request(method, url + path, headers=headers, json={})


def test_every_route_needs_a_credential(site, service):
    routes = api_routes(service.app)
    assert len(routes) >= 25
    for method, path, _guard in routes:
        for authorization in (None, "Bearer mck_not-a-real-token", "Basic a2lvc2s6c2VjcmV0", "Bearer"):
            response = call(site.url, method, path, authorization)
            assert response.status_code == 401, (method, path, authorization, response.text)
            assert response.json()["error"] == "unauthorized"
            assert response.headers.get("WWW-Authenticate") == "Bearer"


def test_each_credential_only_opens_its_own_routes(site, service):
    kiosk_only = staff_only = 0
    for method, path, guard in api_routes(service.app):
        if guard == "staff":
            response = call(site.url, method, path, f"Bearer {site.kiosk_token}")
            assert response.status_code == 403 and response.json()["error"] == "staff_only", (method, path)
            staff_only += 1
        elif guard == "kiosk":
            response = call(site.url, method, path, f"Bearer {site.staff_token}")
            assert response.status_code == 403 and response.json()["error"] == "kiosk_only", (method, path)
            kiosk_only += 1
        else:
            for token in (site.kiosk_token, site.staff_token):
                response = call(site.url, method, path, f"Bearer {token}")
                assert response.status_code not in (401, 403), (method, path, response.text)
    assert kiosk_only >= 10 and staff_only >= 10


def test_a_disabled_kiosk_is_refused(site, service):
    token = accounts.add_account(service.db, "kiosk", f"{site.code}-retired", site.code)
    with service.db.write() as session:
        session.execute(update(Kiosk).where(Kiosk.name == f"{site.code}-retired").values(active=False))
    response = _http.get(site.url + "/api/v1/services", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_health_and_openapi_need_no_credential(site):
    health = _http.get(site.url + "/health")
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    spec = _http.get(site.url + "/openapi.json").json()
    assert "/api/v1/tickets" in spec["paths"]
    operation = spec["paths"]["/api/v1/tickets"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"])
    assert spec["components"]["securitySchemes"]["kiosk"]["scheme"] == "bearer"
