"""One blueprint per resource: each registered, each behind the same checks."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import auth, set_up_books

API = Path(__file__).resolve().parents[2] / "ledger" / "web" / "api"


def _api_rules(app: Flask) -> list[tuple[str, str]]:
    """Every API route with one of its methods, its path filled in with sample values."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith("api-docs."):
            continue
        path = re.sub(r"<(id|seq|int):[^>]+>", "1", rule.rule)
        path = re.sub(r"<[^>]+>", "X", path)
        routes.extend((method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"}))
    return routes


def test_every_resource_module_has_its_blueprint_registered(app: Flask) -> None:
    modules = {p.stem for p in API.glob("*.py") if re.search(r"^blp = api_blueprint\(", p.read_text(), re.M)}
    assert len(modules) >= 12
    assert modules <= set(app.blueprints)


def test_every_api_route_wants_a_token_before_anything_else(app: Flask, client: FlaskClient) -> None:
    routes = _api_rules(app)
    assert len(routes) >= 40
    for method, path in routes:
        response = client.open(path, method=method, data="not json", content_type="text/plain")
        assert response.status_code == 401, (method, path, response.status_code)
        assert response.get_json()["code"] == "unauthorized"


def test_every_api_write_wants_a_json_body(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    writes = [(m, p) for m, p in _api_rules(app) if m in ("POST", "PUT", "PATCH")]
    assert len(writes) >= 15
    for method, path in writes:
        response = client.open(path, method=method, data="{}", content_type="text/plain", headers=auth(books.treasurer))
        assert response.status_code == 415, (method, path, response.status_code)


def test_the_openapi_document_tags_each_operation_with_its_resource(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    tags = {t["name"] for t in document["tags"]}
    assert {"donations", "disbursements", "approvals", "entries", "audit_log"} <= tags
    operations = [op for item in document["paths"].values() for op in item.values() if isinstance(op, dict)]
    assert operations and all(op.get("tags") and set(op["tags"]) <= tags for op in operations)
