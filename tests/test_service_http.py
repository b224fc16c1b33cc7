"""A real ``wams serve`` on a loopback port (SQLite and PostgreSQL) driven over HTTP with httpx:
a whole case, refusals as problem documents, idempotent retries, a stale If-Match, the headers
(API-Version, ETag, traceparent), a graceful stop that loses no acknowledged step."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from tests.service_helpers import (
    BODIES,
    COORDINATOR,
    FG,
    MEDEWERKER,
    OTHER_G,
    G,
    auth,
    coordination_case,
    served,
    step,
    step_path,
)


@pytest.fixture
def base(db_url):
    with served(db_url) as base:
        yield base


def entries(client: httpx.Client) -> int:
    r = client.get(f"/v2/gemeenten/{G}/audit", headers=FG)
    assert r.status_code == 200 and r.json()["intact"], r.text
    return int(r.json()["schakels"])


def test_a_whole_case_over_http(base):
    with httpx.Client(base_url=base, timeout=30) as client:
        cid = coordination_case(client)
        r = client.get(f"/v2/gemeenten/{G}/casussen/{cid}", params={"doel": "behandeling"},
                       headers=auth("coordinator", COORDINATOR))
        assert r.status_code == 200 and r.json()["fase"] == "coordinatie"
        version = int(r.headers["etag"].strip('"'))
        assert r.headers["api-version"] == "2.0.0"

        # a step conditional on the version it read: accepted, the ETag moves on
        r = client.post(step_path("voortgang", cid), json=BODIES["voortgang"],
                        headers={**auth("coordinator", COORDINATOR), "If-Match": f'"{version}"'})
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["toegestaan"], body["code"], body["versie"]) == (True, "ok", version + 1)
        assert r.headers["etag"] == f'"{version + 1}"'
        assert r.headers["traceparent"].split("-")[1] == body["trace_id"]
        assert body["regels"] and body["bronnen"] and body["toelichting"]

        # a stale If-Match: 412, nothing stored
        before = entries(client)
        r = client.post(step_path("voortgang", cid), json=BODIES["voortgang"],
                        headers={**MEDEWERKER, "If-Match": f'"{version}"'})
        assert r.status_code == 412 and r.json()["code"] == "version.stale"
        assert r.headers["content-type"].startswith("application/problem+json")
        assert entries(client) == before

        # an idempotent retry: the same answer, applied once
        key = {**auth("partij:kredietbank", "els"), "Idempotency-Key": "bijdrage-1"}
        bijdrage = {"partij": "kredietbank", "omschrijving": "start schuldregeling"}
        first = client.post(step_path("bijdrage", cid), json=bijdrage, headers=key)
        assert first.status_code == 200, first.text
        after_first = entries(client)
        again = client.post(step_path("bijdrage", cid), json=bijdrage, headers=key)
        assert again.status_code == 200 and again.json() == first.json()
        assert entries(client) == after_first
        seen = client.get(f"/v2/gemeenten/{G}/casussen/{cid}", params={"doel": "behandeling"},
                          headers=auth("partij:kredietbank", "els")).json()
        assert seen["bijdragen"] == ["start schuldregeling"]

        # a refusal by the rules: 422, the reason code as type, with rules and sources
        r = client.post(step_path("sluit", cid), json={"terugvalafspraken": None},
                        headers=MEDEWERKER)
        assert r.status_code == 422
        problem = r.json()
        assert problem["code"] == "closure.no_terugvalafspraken"
        assert problem["regels"] == ["R32"] and problem["detail"] and problem["title"]
        assert problem["casus"] == cid and problem["status"] == 422

        # another municipality's token: refused (R38), nothing stored
        before = entries(client)
        r = client.post(step_path("sluit", cid), json=BODIES["sluit"],
                        headers=auth("medewerker", "bob", gemeente=OTHER_G))
        assert r.status_code == 403 and r.json()["code"] == "tenant.mismatch"
        assert entries(client) == before

        r = client.post(step_path("sluit", cid), json=BODIES["sluit"], headers=MEDEWERKER)
        assert r.status_code == 200 and r.json()["fase"] == "afgesloten"
        assert entries(client) > before

        log = client.get(f"/v2/gemeenten/{G}/logboek", headers=FG).json()["records"]
        assert any(rec["name"].endswith(":raadplegen") and rec["status"] == "Ok"
                   for rec in log)


def test_bad_input_and_tokens_are_problems(base):
    with httpx.Client(base_url=base, timeout=30) as client:
        r = client.post(step_path("hulpvraag", None), json={"wet": "wmo"}, headers=MEDEWERKER)
        assert r.status_code == 400 and r.json()["code"] == "input.invalid"
        assert "client" in r.json()["detail"]
        r = client.post(step_path("hulpvraag", None), content=b"{nope", headers=MEDEWERKER)
        assert r.status_code == 400
        # A key the step does not have is refused, not dropped: a typo'd key would otherwise
        # silently lose a value the rules rely on. Nothing is stored.
        before = entries(client)
        r = client.post(step_path("hulpvraag", None),
                        json={**BODIES["hulpvraag"], "aanleidng": "x"}, headers=MEDEWERKER)
        assert r.status_code == 400 and r.json()["code"] == "input.invalid", r.text
        assert "'aanleidng'" in r.json()["detail"] and "bedoelde je 'aanleiding'" in \
            r.json()["detail"]
        nested = {**BODIES["hulpvraag"], "client": {**BODIES["hulpvraag"]["client"],
                                                    "geboortedatun": "1985-04-12"}}
        r = client.post(step_path("hulpvraag", None), json=nested, headers=MEDEWERKER)
        assert r.status_code == 400 and "'client.geboortedatun'" in r.json()["detail"], r.text
        assert entries(client) == before
        r = client.post(step_path("hulpvraag", None), json=BODIES["hulpvraag"])
        assert r.status_code == 401 and r.json()["code"] == "access.token"
        forged = {"Authorization": MEDEWERKER["Authorization"][:-4] + "AAAA"}
        r = client.post(step_path("hulpvraag", None), json=BODIES["hulpvraag"], headers=forged)
        assert r.status_code == 401
        r = client.get("/v2/gemeenten/0599/casussen/onbekend", params={"doel": "behandeling"},
                       headers=MEDEWERKER)
        assert r.status_code == 404 and "bestaat niet" in r.json()["detail"]
        assert client.get("/v2/health").json() == {"status": "ok"}
        doc = client.get("/v2/openapi.json")
        assert doc.status_code == 200 and doc.json()["openapi"].startswith("3.1")


def test_a_graceful_stop_loses_no_acknowledged_step(db_url):
    """SIGTERM while a client streams steps: every step acknowledged before the stop is in the
    case (its version) and in the history; the chain verifies."""
    acknowledged: list[int] = []

    def stream(base: str, cid: str) -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            for i in range(10_000):
                try:
                    r = client.post(step_path("samenspraak", cid),
                                    json={"omschrijving": f"gesprek {i}"}, headers=MEDEWERKER)
                except httpx.HTTPError:
                    return
                if r.status_code != 200:
                    return
                acknowledged.append(r.json()["versie"])

    with served(db_url, workers=2) as base:
        with httpx.Client(base_url=base, timeout=30) as client:
            cid = step(client, "hulpvraag", None, expect=201).json()["casus"]
        writer = threading.Thread(target=stream, args=(base, cid))
        writer.start()
        deadline = time.monotonic() + 30
        while len(acknowledged) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
    writer.join(timeout=60)
    assert len(acknowledged) >= 20
    with served(db_url) as base, httpx.Client(base_url=base, timeout=30) as client:
        r = client.get(f"/v2/gemeenten/{G}/casussen/{cid}", params={"doel": "behandeling"},
                       headers=MEDEWERKER)
        assert r.status_code == 200
        stored = r.json()
        assert stored["versie"] >= max(acknowledged)
        assert len(stored["samenspraak"]) >= len(acknowledged)
        assert client.get(f"/v2/gemeenten/{G}/audit", headers=FG).json()["intact"]
