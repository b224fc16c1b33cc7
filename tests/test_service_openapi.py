"""The OpenAPI 3.1 document: generated, served at /v2/openapi.json, committed as
wams/schema/openapi.json (this test fails when it is out of date) and shaped for the NL API
Design Rules (CI also lints it with the ADR Spectral ruleset, see .ci/run)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from litestar.testing import TestClient

from tests.service_helpers import SECRET
from wams.service.app import create_app
from wams.service.auth import Verifier
from wams.service.document import document

COMMITTED = Path(__file__).resolve().parents[1] / "wams" / "schema" / "openapi.json"


def test_the_committed_document_is_current():
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert committed == document(), (
        "wams/schema/openapi.json is out of date: run "
        "`python -m wams.service.document` and commit it")


def test_the_service_serves_it(wams):
    with TestClient(create_app(wams, Verifier(SECRET))) as client:
        r = client.get("/v2/openapi.json")
    assert r.status_code == 200 and r.headers["api-version"] == "2.0.0"
    assert r.json() == json.loads(COMMITTED.read_text(encoding="utf-8"))


def test_the_document_follows_the_design_rules():
    doc = document()
    assert doc["openapi"].startswith("3.1")
    assert doc["servers"] == [{"url": "/v2", "description": "deze dienst"}]
    assert set(doc["info"]["contact"]) == {"name", "email", "url"}
    for path, item in doc["paths"].items():
        assert path == path.rstrip("/") and "_" not in re.sub(r"\{[^}]+\}", "", path), path
        for method, op in item.items():
            for status, response in op["responses"].items():
                if status[0] in "23":
                    assert "API-Version" in response["headers"], (path, method, status)
                else:
                    assert list(response["content"]) == ["application/problem+json"]
            if method == "post" or op.get("parameters"):
                assert op["operationId"] in ("ready",) or "400" in op["responses"], path
    # one endpoint per lifecycle step (melding_doorgeven has its own resource)
    from wams.core.law.steps import STEPS

    operations = {op["operationId"] for item in doc["paths"].values() for op in item.values()}
    assert set(STEPS) <= operations
