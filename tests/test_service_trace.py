"""Logboek Dataverwerkingen 1.0.0 over the wire: an incoming W3C traceparent is continued (the
step's records carry the caller's trace, their parent is the caller's span, and
``dpl.core.foreign_operation.processor`` names the caller's application from the token's
``iss``), the answer carries that trace in ``traceparent``, a party's request names the party's
read API (``dpl.read.externalReadAPI_id``), and who acted is only in the audit profile."""

from __future__ import annotations

import uuid

import jwt
from litestar.testing import TestClient

from tests.service_helpers import BODIES, FG, SECRET, G, step_path
from wams.service.app import create_app
from wams.service.auth import Verifier

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"
ISSUERS = frozenset({"wams", "https://leverancier.example"})


def _token(**claims):
    import time

    now = int(time.time())
    body = {"gemeente": G, "sub": "anna", "rol": "medewerker", "exp": now + 600, "iss": "wams",
            "aud": "wams", **claims}
    return {"Authorization": f"Bearer {jwt.encode(body, SECRET, algorithm='HS256')}"}


def test_traceparent_in_and_out(wams):
    with TestClient(create_app(wams, Verifier(SECRET, issuers=ISSUERS))) as client:
        headers = {**_token(iss="https://leverancier.example"),
                   "traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"}
        r = client.post(step_path("hulpvraag", None), json=BODIES["hulpvraag"], headers=headers)
        assert r.status_code == 201, r.text
        version, trace, span, flags = r.headers["traceparent"].split("-")
        assert (version, trace, flags) == ("00", r.json()["trace_id"], "01") and len(span) == 16
        # the caller's trace is continued, not replaced
        assert trace == CALLER_TRACE and span != CALLER_SPAN
        records = client.get(f"/v2/gemeenten/{G}/logboek", headers=FG).json()["records"]
        mine = [rec for rec in records if rec["trace_id"] == trace]
        assert mine and all(rec["parent_span_id"] == CALLER_SPAN and rec["attributes"][
            "dpl.core.foreign_operation.processor"] == "https://leverancier.example"
            for rec in mine)
        assert all("foreign_operation" not in rec and "dpl.read.externalReadAPI_id"
                   not in rec["attributes"] for rec in mine)
        # who acted: not in the records, in the audit profile by span id
        assert "anna" not in str(records)
        audit = client.get(f"/v2/gemeenten/{G}/logboek", params={"profiel": "audit"},
                           headers=FG).json()["records"]
        users = {a["span_id"]: a["gebruiker"] for a in audit}
        assert {users[rec["span_id"]] for rec in mine} == {"anna"}


def test_a_malformed_or_absent_traceparent_starts_a_new_trace(wams):
    with TestClient(create_app(wams, Verifier(SECRET, issuers=ISSUERS))) as client:
        for bad in ("garbage", f"00-{'0' * 32}-{CALLER_SPAN}-01", None):
            headers = {**_token(), **({"traceparent": bad} if bad else {})}
            r = client.post(step_path("hulpvraag", None), json=BODIES["hulpvraag"],
                            headers=headers)
            assert r.status_code == 201
            trace = r.json()["trace_id"]
            # wams' own trace: time-ordered (UUIDv7, wams.core.ids), so the log's trace index
            # grows at its end
            assert trace != CALLER_TRACE and uuid.UUID(trace).version == 7
            records = client.get(f"/v2/gemeenten/{G}/logboek", headers=FG).json()["records"]
            mine = [rec for rec in records if rec["trace_id"] == trace]
            assert mine and all(
                "dpl.core.foreign_operation.processor" not in rec["attributes"]
                and rec["parent_span_id"] != CALLER_SPAN for rec in mine)


def test_a_partys_request_names_its_read_api_where_it_is_known(wams):
    """dpl.read.externalReadAPI_id (LDV extension "lezen"): on records of processing a party's
    request started, when the municipality set the party's read API; not otherwise."""
    from tests.service_helpers import auth

    read_api = "https://wijkteam.example/lezenapi/v1"
    wijkteam = auth("partij:wijkteam", "piet")
    with TestClient(create_app(wams, Verifier(SECRET))) as client:
        seen = {}
        for known in (False, True):
            if known:
                wams.set_setting(G, "partij_lees_api", {"wijkteam": read_api})
            for name, headers in (("betrokkenheid", wijkteam), ("hulpvraag", None)):
                r = client.post(step_path(name, None), json=BODIES[name],
                                headers=headers or auth("medewerker", "anna"))
                assert r.status_code in (200, 201), r.text
                records = client.get(f"/v2/gemeenten/{G}/logboek", headers=FG).json()["records"]
                mine = [rec for rec in records if rec["trace_id"] == r.json()["trace_id"]]
                assert mine
                seen[(name, known)] = {rec["attributes"].get("dpl.read.externalReadAPI_id")
                                       for rec in mine}
        assert seen == {("betrokkenheid", False): {None}, ("hulpvraag", False): {None},
                        ("betrokkenheid", True): {read_api}, ("hulpvraag", True): {None}}
        # the setting names an https URL per party ref; anything else is refused
        import pytest

        from wams.core.errors import InputError
        for bad in ({"kredietbank": "http://x"}, {"kredietbank": "ftp://x"}, ["x"], "x"):
            with pytest.raises(InputError):
                wams.set_setting(G, "partij_lees_api", bad)


def test_processing_activity_ids_are_urls_that_resolve_here(wams):
    import json
    from pathlib import Path

    import jsonschema

    from tests.service_helpers import MEDEWERKER, OTHER_G, auth

    wams.set_public_url("http://wams.test/v2")  # the API's address, version included
    with TestClient(create_app(wams, Verifier(SECRET), webhooks=False)) as client:
        r = client.post(step_path("hulpvraag", None), json=BODIES["hulpvraag"],
                        headers=MEDEWERKER)
        assert r.status_code == 201
        records = client.get(f"/v2/gemeenten/{G}/logboek", headers=FG).json()["records"]
        ids = {rec["attributes"]["dpl.core.processing_activity_id"] for rec in records}
        assert ids and all(i.startswith(f"http://wams.test/v2/verwerkingsactiviteiten/{G}:")
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
