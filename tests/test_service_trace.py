"""Logboek Dataverwerkingen over the wire: an incoming W3C traceparent is recorded as the
records' foreign_operation (with the caller's organisation from the token's ``iss``), the answer
carries the step's own trace in ``traceparent``, and who acted is only in the audit profile."""

from __future__ import annotations

import jwt
from litestar.testing import TestClient

from tests.service_helpers import BODIES, FG, SECRET, G, step_path
from wams.service.app import create_app
from wams.service.auth import Verifier

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"


def _token(**claims):
    import time

    now = int(time.time())
    body = {"gemeente": G, "sub": "anna", "rol": "medewerker", "exp": now + 600, **claims}
    return {"Authorization": f"Bearer {jwt.encode(body, SECRET, algorithm='HS256')}"}


def test_traceparent_in_and_out(wams):
    with TestClient(create_app(wams, Verifier(SECRET))) as client:
        headers = {**_token(iss="https://leverancier.example"),
                   "traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"}
        r = client.post(step_path("hulpvraag", None), json=BODIES["hulpvraag"], headers=headers)
        assert r.status_code == 201, r.text
        version, trace, span, flags = r.headers["traceparent"].split("-")
        assert (version, trace, flags) == ("00", r.json()["trace_id"], "01") and len(span) == 16
        records = client.get(f"/v1/gemeenten/{G}/logboek", headers=FG).json()["records"]
        mine = [rec for rec in records if rec["trace_id"] == trace]
        assert mine and all(rec["foreign_operation"] == {
            "trace_id": CALLER_TRACE, "span_id": CALLER_SPAN,
            "entity": "https://leverancier.example"} for rec in mine)
        # who acted: not in the records, in the audit profile by span id
        assert "anna" not in str(records)
        audit = client.get(f"/v1/gemeenten/{G}/logboek", params={"profiel": "audit"},
                           headers=FG).json()["records"]
        users = {a["span_id"]: a["user"] for a in audit}
        assert {users[rec["span_id"]] for rec in mine} == {"anna"}


def test_a_malformed_or_absent_traceparent_starts_a_new_trace(wams):
    with TestClient(create_app(wams, Verifier(SECRET))) as client:
        for bad in ("garbage", f"00-{'0' * 32}-{CALLER_SPAN}-01", None):
            headers = {**_token(), **({"traceparent": bad} if bad else {})}
            r = client.post(step_path("hulpvraag", None), json=BODIES["hulpvraag"],
                            headers=headers)
            assert r.status_code == 201
            trace = r.json()["trace_id"]
            records = client.get(f"/v1/gemeenten/{G}/logboek", headers=FG).json()["records"]
            assert all("foreign_operation" not in rec for rec in records
                       if rec["trace_id"] == trace)


def test_processing_activity_ids_are_urls_that_resolve_here(wams):
    import json
    from pathlib import Path

    import jsonschema

    from tests.service_helpers import MEDEWERKER, OTHER_G, auth

    wams.set_public_url("http://wams.test/")
    with TestClient(create_app(wams, Verifier(SECRET), webhooks=False)) as client:
        r = client.post(step_path("hulpvraag", None), json=BODIES["hulpvraag"],
                        headers=MEDEWERKER)
        assert r.status_code == 201
        records = client.get(f"/v1/gemeenten/{G}/logboek", headers=FG).json()["records"]
        ids = {rec["attributes"]["dpl.core.processing_activity_id"] for rec in records}
        assert ids and all(i.startswith(f"http://wams.test/v1/verwerkingsactiviteiten/{G}:")
                           for i in ids)
        doc = json.loads((Path(__file__).resolve().parents[1] / "wams" / "schema" /
                          "rvva-openapi.json").read_text(encoding="utf-8"))
        validator = jsonschema.Draft202012Validator(
            doc["components"]["schemas"]["ProcessingActivityVersion"],
            format_checker=jsonschema.FormatChecker())
        for activity in ids:
            path = activity.removeprefix("http://wams.test")
            entry = client.get(path, headers=MEDEWERKER)
            assert entry.status_code == 200, entry.text
            assert entry.json()["id"] == activity
            validator.validate({k: v for k, v in entry.json().items()
                                if k not in ("id", "code")})
            # another municipality's token does not see 0599's register (R38)
            other = client.get(path, headers=auth("medewerker", "bob", gemeente=OTHER_G))
            assert other.status_code == 404
