"""The Logboek Dataverwerkingen read API (LDV lezen 1.1.0) on both backends: the standard's
filters (traceId, startTime/endTime, every dpl.core attribute, at least one), the standard's
answer (the records the export gives, camelCase), keyset pages, problem+json for bad input,
the role fg over the whole log and a medewerker only on a person's access request (logged)."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from tests.helpers import raw_sql
from tests.service_helpers import BODIES, FG, MEDEWERKER, OTHER_G, SECRET, G, auth, step_path
from wams.core.privacy import logexport, logread
from wams.core.privacy.inzage import reference_in_log
from wams.service.app import create_app
from wams.service.auth import Verifier

PATH = f"/v2/gemeenten/{G}/processing-activities"
CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"
CALLER_APP = "https://leverancier.example"
ISSUERS = frozenset({"wams", CALLER_APP})  # tokens of the caller's own issuer too


def _steps(wams: Any, client: TestClient) -> str:
    """A few steps: one called from another application (its trace continued)."""
    for i in range(3):
        body = {**BODIES["hulpvraag"], "client": {**BODIES["hulpvraag"]["client"],
                                                  "ref": f"p{i}"}}
        assert client.post(step_path("hulpvraag", None), json=body,
                           headers=MEDEWERKER).status_code == 201
    r = client.post(step_path("hulpvraag", None), json=BODIES["hulpvraag"], headers={
        **_token(iss=CALLER_APP), "traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"})
    assert r.status_code == 201, r.text
    return r.json()["trace_id"]


def _token(**claims: Any) -> dict[str, str]:
    import time

    import jwt

    now = int(time.time())
    body = {"gemeente": G, "sub": "anna", "rol": "medewerker", "exp": now + 600, "iss": "wams",
            "aud": "wams", **claims}
    return {"Authorization": f"Bearer {jwt.encode(body, SECRET, algorithm='HS256')}"}


def _read(client: TestClient, body: Any, headers: dict[str, str] = FG,
          **params: Any) -> Any:
    return client.post(PATH, json=body, headers=headers, params=params)


def test_a_record_found_by_trace_id_is_the_record_the_export_gives(wams: Any) -> None:
    with TestClient(create_app(wams, Verifier(SECRET, issuers=ISSUERS))) as client:
        trace = _steps(wams, client)
        r = _read(client, {"traceId": trace})
        assert r.status_code == 200, r.text
        assert r.headers["api-version"]
        found = r.json()["processingActivities"]
        exported = [logread.camel(rec) for rec in logexport.records(wams.engine.db, gemeente=G)
                    if rec["trace_id"] == trace]
        assert found and found == exported
        assert {rec["traceId"] for rec in found} == {CALLER_TRACE}
        assert all(rec["parentSpanId"] == CALLER_SPAN for rec in found)
        # the standard's UUID spelling of a trace id finds the same
        dashed = f"{trace[:8]}-{trace[8:12]}-{trace[12:16]}-{trace[16:20]}-{trace[20:]}"
        assert _read(client, {"traceId": dashed.upper()}).json()["processingActivities"] == found


def test_every_filter_of_the_standard_narrows_the_answer(wams: Any) -> None:
    with TestClient(create_app(wams, Verifier(SECRET, issuers=ISSUERS))) as client:
        _steps(wams, client)
        every = [logread.camel(r) for r in logexport.records(wams.engine.db, gemeente=G)]
        one = every[-1]
        for key in ("dpl.core.processing_activity_id", "dpl.core.data_subject_id",
                    "dpl.core.data_subject_id_type"):
            value = one["attributes"][key]
            got = _read(client, {key: value}, limit=1000).json()["processingActivities"]
            assert got == [r for r in every if r["attributes"][key] == value], key
        called = _read(client, {"dpl.core.foreign_operation.processor": CALLER_APP},
                       limit=1000).json()["processingActivities"]
        assert called and called == [r for r in every if r["attributes"].get(
            "dpl.core.foreign_operation.processor") == CALLER_APP]
        start = one["startTime"]
        assert _read(client, {"startTime": start}, limit=1000).json()[
            "processingActivities"] == [r for r in every if r["startTime"] >= start]
        assert _read(client, {"endTime": "2000-01-01T00:00:00Z"}).json()[
            "processingActivities"] == []
        # another municipality's records are never in the answer
        assert all(r["resource"]["attributes"]["wams.gemeente"] == G for r in every)


def test_pages_follow_each_other_without_gap_or_overlap(wams: Any) -> None:
    with TestClient(create_app(wams, Verifier(SECRET, issuers=ISSUERS))) as client:
        _steps(wams, client)
        every = _read(client, {"startTime": "2000-01-01T00:00:00Z"}, limit=1000).json()[
            "processingActivities"]
        assert len(every) >= 4
        pages, after = [], None
        while True:
            params = {"limit": 3, **({"after": after} if after else {})}
            r = _read(client, {"startTime": "2000-01-01T00:00:00Z"}, **params)
            assert r.status_code == 200, r.text
            pages.append(r.json()["processingActivities"])
            after = r.json()["metadata"]["next"]
            assert ("link" in r.headers) == (after is not None)
            if after is None:
                break
        assert [rec for page in pages for rec in page] == every
        assert all(1 <= len(page) <= 3 for page in pages)


def test_bad_input_is_a_problem_document(wams: Any) -> None:
    with TestClient(create_app(wams, Verifier(SECRET, issuers=ISSUERS))) as client:
        for body in ({}, [], "x", {"traceId": "nope"}, {"startTime": "gisteren"},
                     {"startTime": "2027-01-01T00:00:00"}, {"dpl.wams.case_id": "x"},
                     {"dpl.core.data_subject_id": 5}):
            r = _read(client, body)
            assert r.status_code == 400, (body, r.text)
            assert r.headers["content-type"].startswith("application/problem+json")
        for params in ({"limit": 0}, {"limit": 1001}, {"after": "x"}):
            r = _read(client, {"startTime": "2000-01-01T00:00:00Z"}, **params)
            assert r.status_code == 400, (params, r.text)


def test_only_fg_reads_the_log_and_a_medewerker_only_on_a_persons_request(wams: Any) -> None:
    with TestClient(create_app(wams, Verifier(SECRET, issuers=ISSUERS))) as client:
        _steps(wams, client)
        everything = _read(client, {"startTime": "2000-01-01T00:00:00Z"}, limit=1000).json()[
            "processingActivities"]
        subject = everything[0]["attributes"]["dpl.core.data_subject_id"]
        for headers in (auth("coordinator", "mdevries"), auth("partij:wijkteam", "piet"),
                        auth("fg", "frits", gemeente=OTHER_G)):
            assert _read(client, {"dpl.core.data_subject_id": subject},
                         headers=headers).status_code == 403
        # a medewerker: not without the request's reference, not beyond the person
        assert _read(client, {"dpl.core.data_subject_id": subject},
                     headers=MEDEWERKER).status_code == 400
        assert _read(client, {"startTime": "2000-01-01T00:00:00Z"}, headers=MEDEWERKER,
                     verzoek="AVG-7").status_code == 400
        before = len(list(wams.log_records(gemeente=G)))
        r = _read(client, {"dpl.core.data_subject_id": subject}, headers=MEDEWERKER,
                  verzoek="AVG-7")
        assert r.status_code == 200, r.text
        mine = r.json()["processingActivities"]
        assert mine and {x["attributes"]["dpl.core.data_subject_id"] for x in mine} == {subject}
        # the read on his request is a processing about him (R36), by the medewerker
        after = list(wams.log_records(gemeente=G, profile="audit"))
        assert len(after) == before + 1
        # who: named through the register of actors; the reference only as a keyed digest
        # (it may name the person and belongs to no case, so no destruction reaches it)
        assert after[-1]["user"] == "anna" and "AVG-7" not in after[-1]["purpose"]
        assert reference_in_log(wams.engine, G, "AVG-7") in after[-1]["purpose"]
        assert "AVG-7" not in str(raw_sql(wams.engine.db.url.render_as_string(
            hide_password=False), "SELECT purpose, actor FROM processing_log"))
        records = list(wams.log_records(gemeente=G))
        assert records[-1]["attributes"]["dpl.core.data_subject_id"] == subject
