"""Version 2 of the HTTP API, against a real ``wams serve`` (SQLite and PostgreSQL): every JSON
key the service writes is Dutch, like the bodies it reads (the exceptions are the members a
standard names), a caller's refs inside a case are never renamed, and every ``/v1`` path
answers 410 naming its successor, except a processing activity's address, which version 1's
log records hold: that one is redirected (308) so the record keeps resolving."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.service_helpers import (
    BODIES,
    FG,
    JAN,
    MEDEWERKER,
    G,
    auth,
    coordination_case,
    served,
    step,
    step_path,
)
from wams.service.dutch import BY_DATA, KEYS, in_dutch

#: the English names version 1 wrote (the decision's, the case's, the summaries') and that
#: version 2 must never write; the standards' members (RFC 9457, Logboek Dataverwerkingen, the
#: register's ProcessingActivityVersion) are not among them
ENGLISH = set(KEYS) | {"allowed", "message", "rule_ids", "citations", "step", "report",
                       "case_id", "phase", "version", "secret", "entries", "breaks",
                       "opened_on", "closed_on", "destroyed_on", "persons", "parties"}


def keys_of(value: Any, under_data: bool = False) -> set[str]:
    """Every key of a JSON answer, except those of a mapping keyed by a caller's refs."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if not under_data:
                found.add(key)
            by_data = key in {KEYS[k] for k in BY_DATA} and isinstance(item, dict)
            if by_data:
                for inner in item.values():
                    found |= keys_of(inner)
            else:
                found |= keys_of(item)
    elif isinstance(value, list):
        for item in value:
            found |= keys_of(item)
    return found


@pytest.fixture
def base(db_url):
    with served(db_url) as base:
        yield base


def test_every_answer_has_dutch_keys(base):
    with httpx.Client(base_url=base, timeout=30) as client:
        answers: list[tuple[str, Any]] = []
        cid = coordination_case(client)
        for name in ("voortgang", "bijdrage", "inzage"):
            headers = auth("partij:wijkteam", "piet") if name == "bijdrage" else MEDEWERKER
            answers.append((name, step(client, name, cid, headers=headers).json()))
        refused = client.post(step_path("vernietig", cid), json={}, headers=MEDEWERKER)
        assert refused.status_code == 422
        answers.append(("vernietig (geweigerd)", refused.json()))
        denied = client.post(step_path("vernietig", cid), json={}, headers=FG)
        assert denied.status_code == 403
        answers.append(("vernietig (rol)", denied.json()))
        answers.append(("melding", step(client, "melding", None).json()))
        beheer = auth("beheer", "bea")
        reads = [
            (f"/v2/gemeenten/{G}/casussen", MEDEWERKER, {}),
            (f"/v2/gemeenten/{G}/casussen/{cid}", MEDEWERKER, {"doel": "behandeling"}),
            (f"/v2/gemeenten/{G}/casussen/{cid}", auth("partij:wijkteam", "piet"),
             {"doel": "behandeling"}),
            (f"/v2/gemeenten/{G}/meldingen", MEDEWERKER, {}),
            (f"/v2/gemeenten/{G}/logboek", FG, {"profiel": "audit"}),
            (f"/v2/gemeenten/{G}/audit", FG, {}),
            (f"/v2/gemeenten/{G}/abonnementen", beheer, {}),
            ("/v2/probleemtypen/access.role", {}, {}),
            ("/v2/health", {}, {}),
        ]
        for path, headers, params in reads:
            r = client.get(path, headers=headers, params=params)
            assert r.status_code == 200, (path, r.text)
            answers.append((path, r.json()))
        r = client.post(f"/v2/gemeenten/{G}/inzageverzoeken", headers=MEDEWERKER,
                        json={"ref": "jan", "casus": cid, "verzoek": "AVG-1"})
        assert r.status_code == 200, r.text
        answers.append(("inzageverzoek", r.json()))
        r = client.post(f"/v2/gemeenten/{G}/abonnementen", headers=beheer,
                        json={"url": "https://ontvanger.example/wams"})
        answers.append(("abonneren", r.json()))
        for where, answer in answers:
            english = keys_of(answer) & ENGLISH
            assert not english, (where, english)
        decision = answers[0][1]
        assert {"toegestaan", "code", "toelichting", "regels", "bronnen", "stap", "casus",
                "fase", "versie"} <= set(decision)
        case = client.get(f"/v2/gemeenten/{G}/casussen/{cid}", params={"doel": "behandeling"},
                          headers=MEDEWERKER).json()
        assert case["personen"]["jan"]["persoon"]["naam"] == "Jan Jansen"
        assert {"fase", "versie", "geopend_op", "partijen", "domeinen"} <= set(case)


def test_a_callers_refs_are_never_renamed(base):
    """A person whose ref is one of the English names the service renames keeps his ref:
    refs are data, only the keys of the records are the service's."""
    with httpx.Client(base_url=base, timeout=30) as client:
        body = {**BODIES["hulpvraag"], "client": {**JAN, "ref": "phase"}}
        cid = step(client, "hulpvraag", None, body, expect=201).json()["casus"]
        step(client, "gezinslid", cid, {"persoon": {"ref": "version", "rol": "gezinslid",
                                                    "relatie": "kind"},
                                        "samenhang": "woont in"})
        case = client.get(f"/v2/gemeenten/{G}/casussen/{cid}", params={"doel": "behandeling"},
                          headers=MEDEWERKER).json()
        assert set(case["personen"]) == {"phase", "version"}
        assert case["personen"]["phase"]["persoon"]["ref"] == "phase"
        assert set(case["pseudoniemen"]) == {"phase", "version"}


def test_in_dutch_renames_records_not_data():
    case = {"phase": "onderzoek", "persons": {"role": {"role": "client"}},
            "scope": {"items": {"status": "in"}}, "requests": [{"answer": None}]}
    assert in_dutch(case) == {"fase": "onderzoek", "personen": {"role": {"rol": "client"}},
                              "domeinen": {"items": {"status": "in"}},
                              "gegevensverzoeken": [{"antwoord": None}]}


def test_version_1_is_gone_and_says_where_to(base):
    with httpx.Client(base_url=base, timeout=30, follow_redirects=False) as client:
        for method, path, body in (
                ("GET", f"/v1/gemeenten/{G}/casussen", None),
                ("POST", f"/v1/gemeenten/{G}/hulpvragen", BODIES["hulpvraag"]),
                ("POST", f"/v1/gemeenten/{G}/hulpvragen", None),
                ("DELETE", f"/v1/gemeenten/{G}/abonnementen/1", None),
                ("GET", "/v1", None), ("GET", "/v1/openapi.json", None)):
            for headers in ({}, MEDEWERKER):  # with a token or without: the same answer
                r = client.request(method, path, json=body, headers=headers)
                assert r.status_code == 410, (method, path, r.status_code, r.text)
                assert r.headers["content-type"].startswith("application/problem+json")
                problem = r.json()
                assert problem["code"] == "api.version_gone"
                assert problem["type"] == "/v2/probleemtypen/api.version_gone"
                successor = "/v2" + path.removeprefix("/v1")
                assert successor in problem["detail"]
                assert r.headers["link"] == f'<{successor}>; rel="successor-version"'
                assert r.headers["api-version"] == "2.0.0"
        assert client.get("/v2/probleemtypen/api.version_gone").json()["status"] == 410
        # a processing activity's address in a version 1 log record still resolves
        r = client.get(f"/v1/verwerkingsactiviteiten/{G}:onderzoek:v1")
        assert r.status_code == 308
        assert r.headers["location"] == f"/v2/verwerkingsactiviteiten/{G}:onderzoek:v1"
        followed = client.get(r.headers["location"], headers=MEDEWERKER)
        assert followed.status_code == 200 and followed.json()["code"] == "onderzoek"
        # nothing was stored by any of it
        assert client.get(f"/v2/gemeenten/{G}/casussen", headers=MEDEWERKER
                          ).json()["casussen"] == []
