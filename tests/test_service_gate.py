"""The gate in front of every endpoint, against a real ``wams serve`` (SQLite and PostgreSQL):
without a valid token every protected path answers 401 problem+json whatever the body or the
query; with one, a body over the size limit is 413 and JSON nested too deep is 400, never 500;
the access log has a line per request and no personal data."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.service_helpers import BODIES, JAN, MEDEWERKER, G, served, step_path
from wams.service.gate import MAX_BODY

PUBLIC = {"/health", "/ready", "/openapi.json", "/probleemtypen/{code}"}


@pytest.fixture
def base(db_url):
    with served(db_url) as base:
        yield base


def protected_operations(client: httpx.Client) -> list[tuple[str, str]]:
    doc = client.get("/v2/openapi.json").json()
    ops = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if path not in PUBLIC:
                filled = re.sub(r"\{gemeente\}", G, path)
                for param in op.get("parameters", []):
                    if param["in"] == "path" and param["name"] != "gemeente":
                        value = "1" if param["schema"].get("type") == "integer" else "onbekend"
                        filled = filled.replace("{" + param["name"] + "}", value)
                ops.append((method.upper(), "/v2" + filled))
    return ops


def test_without_a_token_every_protected_path_is_401_whatever_the_body(base):
    with httpx.Client(base_url=base, timeout=30) as client:
        ops = protected_operations(client)
        assert len(ops) >= 38
        bodies = [b"", b"{nope", b"[" * 1000 + b"]" * 1000, b'{"wet": 5}',
                  b"x" * (MAX_BODY + 10)]
        for method, path in ops:
            for body in bodies:
                r = client.request(method, path, content=body,
                                   params={"doel": "", "limit": "x"},
                                   headers={"Content-Type": "application/json"})
                assert r.status_code == 401, (method, path, body[:10], r.status_code, r.text)
                assert r.headers["content-type"].startswith("application/problem+json")
                assert r.json()["code"] == "access.token"
        # a forged token is no token
        forged = {"Authorization": MEDEWERKER["Authorization"][:-4] + "AAAA"}
        for method, path in ops:
            r = client.request(method, path, content=b"{nope", headers=forged)
            assert r.status_code == 401, (method, path, r.text)


def test_after_the_token_size_and_nesting_limits_never_a_500(base):
    with httpx.Client(base_url=base, timeout=30) as client:
        path = step_path("hulpvraag", None)
        r = client.post(path, content=b"x" * (MAX_BODY + 1), headers=MEDEWERKER)
        assert r.status_code == 413 and r.json()["code"] == "body.too_large", r.text
        r = client.post(path, content=b"[" * 1000 + b"]" * 1000, headers=MEDEWERKER)
        assert r.status_code == 400 and "genest" in r.json()["detail"], r.text
        deep = b'{"client": ' * 50 + b"1" + b"}" * 50
        r = client.post(path, content=deep, headers=MEDEWERKER)
        assert r.status_code == 400, r.text
        for ops in protected_operations(client):
            method, target = ops
            r = client.request(method, target, content=b"[" * 5000 + b"]" * 5000,
                               headers={**MEDEWERKER, "Content-Type": "application/json"})
            assert r.status_code < 500, (method, target, r.status_code, r.text)


def test_the_access_log_has_a_line_per_request_and_no_personal_data(db_url, tmp_path):
    log = str(tmp_path / "serve.log")
    with served(db_url, log=log) as base, httpx.Client(base_url=base, timeout=30) as c:
        body = {**BODIES["hulpvraag"], "client": {**JAN, "bsn": "111222333"}}
        r = c.post(step_path("hulpvraag", None), json=body, headers=MEDEWERKER)
        cid = r.json()["casus"]
        c.get(f"/v2/gemeenten/{G}/casussen/{cid}", params={"doel": "behandeling"},
              headers=MEDEWERKER)
        c.get(f"/v2/gemeenten/{G}/casussen")
    with open(log) as f:
        out = f.read()
    lines = [line for line in out.splitlines() if "wams.access" in line]
    assert any("POST /v2/gemeenten/{gemeente}/hulpvragen 201" in line for line in lines), out
    assert any("/casussen/{casus_id} 200" in line for line in lines), out
    assert any("/casussen 401" in line for line in lines), out
    for secret in ("111222333", "Jan Jansen", "anna", cid, "geheim-doel"):
        assert secret not in "\n".join(lines)
