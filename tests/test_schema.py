"""The OpenAPI schema: valid, complete, and generated without a warning; the docs page answers."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from config.env import BACKEND_DIR

pytestmark = pytest.mark.django_db

MAIN_PATHS = {
    "/api/v1/auth/token/": {"post", "delete"},
    "/api/v1/auth/register/": {"post"},
    "/api/v1/me/": {"get", "put", "patch"},
    "/api/v1/printers/": {"get", "post"},
    "/api/v1/printers/{id}/": {"get", "put", "patch", "delete"},
    "/api/v1/printers/{id}/regenerate_token/": {"post"},
    "/api/v1/printer/events/": {"post"},
    "/api/v1/events/": {"get"},
    "/api/v1/events/{id}/": {"get"},
    "/api/v1/notification_settings/": {"get", "post"},
    "/api/v1/notification_settings/{id}/": {"get", "put", "patch", "delete"},
    "/api/v1/notification_settings/available_plugins/": {"get"},
    "/api/v1/notification_settings/{id}/send_test_message/": {"post"},
    "/api/v1/deliveries/": {"get"},
    "/api/v1/deliveries/{id}/": {"get"},
}
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "options", "head", "trace"}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        resp = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert resp.status_code == 200, resp.content
    assert resp["Content-Type"].startswith("application/vnd.oai.openapi+json")
    return resp.json()


def test_schema_is_a_valid_openapi_document(schema):
    validate_schema(schema)  # raises on any violation of the OpenAPI 3 specification
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Printbell API"


def test_schema_lists_the_main_paths_and_methods(schema):
    for path, methods in MAIN_PATHS.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]) & HTTP_METHODS, path


def test_schema_describes_filters_and_ids_as_integers(schema):
    params = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/deliveries/"]["get"]["parameters"]}
    assert params["event"]["type"] == params["channel"]["type"] == "integer"
    assert set(params["status"]["enum"]) == {"pending", "sending", "sent", "failed", "skipped"}
    printer_param = next(p for p in schema["paths"]["/api/v1/printers/{id}/"]["get"]["parameters"] if p["name"] == "id")
    assert printer_param["schema"]["type"] == "integer"


def test_schema_names_the_printer_token_and_the_user_token_apart(schema):
    schemes = schema["components"]["securitySchemes"]
    ingest = schema["paths"]["/api/v1/printer/events/"]["post"]["security"]
    printer_scheme = next(iter(ingest[0]))

    assert schemes[printer_scheme] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes[printer_scheme].get("description", ""),
    }
    user_schemes = {name for item in schema["paths"]["/api/v1/printers/"]["get"]["security"] for name in item}
    assert printer_scheme not in user_schemes
    assert any(schemes[name].get("name") == "Authorization" for name in user_schemes)


def test_printer_token_appears_only_in_the_answers_that_issue_it(schema):
    printers = schema["paths"]["/api/v1/printers/"]
    created = printers["post"]["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    listed = printers["get"]["responses"]["200"]["content"]["application/json"]["schema"]["items"]["$ref"]

    assert "auth_token" in schema["components"]["schemas"][created]["properties"]
    assert "auth_token" not in schema["components"]["schemas"][listed.rsplit("/", 1)[-1]]["properties"]


def test_generating_the_schema_raises_no_warning_or_error(django_db_blocker):
    GENERATOR_STATS.reset()
    with django_db_blocker.unblock():
        SchemaGenerator().get_schema(request=None, public=True)

    assert dict(GENERATOR_STATS._warn_cache) == {}
    assert dict(GENERATOR_STATS._error_cache) == {}


def test_spectacular_validate_fail_on_warn_passes(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings"}
    out = tmp_path / "schema.yaml"

    result = subprocess.run(
        [sys.executable, str(BACKEND_DIR / "manage.py"), "spectacular", "--validate", "--fail-on-warn", "--file", out],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert "/api/v1/deliveries/" in out.read_text()


def test_docs_page_answers():
    resp = APIClient().get("/api/docs/")

    assert resp.status_code == 200
    assert b"swagger" in resp.content.lower()
    assert b"/api/schema/" in resp.content


def test_docs_page_needs_no_internet():
    """Self-hosted servers are often offline: Swagger UI comes from this server, not a CDN."""
    resp = APIClient().get("/api/docs/")
    assert b"cdn.jsdelivr.net" not in resp.content and b"unpkg.com" not in resp.content
    assert b"/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in resp.content
    asset = APIClient().get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert asset.status_code == 200
