"""One way in (wams.core.intake): the same input through the three edges — a real ``wams serve``
over HTTP, the Python API (:class:`Wams`) and the scenario runner — gives the same answer and
stores the same thing, bad inputs included, on SQLite and PostgreSQL.

And the probe that found the hole: BSN variants over HTTP (bad ones refused, a spaced one the
same person), then every case read, the access report and a retention run.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import httpx
import pytest
import sqlalchemy as sa

from tests.service_helpers import (
    BODIES,
    COORDINATOR,
    FG,
    JAN,
    KREDIETBANK,
    MEDEWERKER,
    WIJKTEAM,
    G,
    auth,
    served,
    step_path,
)
from wams.api import Wams
from wams.core import commands as c
from wams.core import intake
from wams.core.clock import Clock
from wams.core.errors import InputError
from wams.core.intake import ref_record
from wams.core.law.steps import COMMANDS
from wams.core.model import Partij, Persoon
from wams.core.scenario.format import ScenarioError
from wams.core.scenario.load import from_data
from wams.core.scenario.run import run_scenario
from wams.core.serialize import unstructure

BSN = "111222333"
JAN_BSN = {**JAN, "bsn": "111 222 333"}  # spaced: the same person as BSN
WIJKTEAM_TOKEN = auth("partij:wijkteam", "piet")

#: the route-B lifecycle (step, body, the HTTP caller's token)
LIFECYCLE: list[tuple[str, dict[str, Any], dict[str, str]]] = [
    ("betrokkenheid", {**BODIES["betrokkenheid"], "persoon": JAN_BSN}, WIJKTEAM_TOKEN),
    ("verzoek", {**BODIES["verzoek"], "client": JAN_BSN}, WIJKTEAM_TOKEN),
    ("besluit_verzoek", BODIES["besluit_verzoek"], MEDEWERKER),
    ("informeer", BODIES["informeer"], MEDEWERKER),
    ("domein", BODIES["domein"], MEDEWERKER),
    ("vraag_gegevens", BODIES["vraag_gegevens"], MEDEWERKER),
    ("verstrekking", BODIES["verstrekking"], WIJKTEAM_TOKEN),
    ("dienst", {"persoon": "jan", "dienst": "wmo.maatwerkvoorziening", "status": "lopend",
                "partij": WIJKTEAM}, MEDEWERKER),
    ("dienst", {"persoon": "jan", "dienst": "wgs.schuldhulpverlening", "status": "benodigd",
                "partij": KREDIETBANK}, MEDEWERKER),
    ("terugkoppeling", BODIES["terugkoppeling"], MEDEWERKER),
    ("werkplan", BODIES["werkplan"], MEDEWERKER),
    ("coordinator", BODIES["coordinator"], MEDEWERKER),
    ("casusoverleg", BODIES["casusoverleg"], auth("coordinator", COORDINATOR)),
    ("voortgang", BODIES["voortgang"], auth("coordinator", COORDINATOR)),
    ("bijdrage", BODIES["bijdrage"], WIJKTEAM_TOKEN),
    ("bezwaar", BODIES["bezwaar"], MEDEWERKER),
    ("besluit_bezwaar", {**BODIES["besluit_bezwaar"], "indicatoren": ["basisbehoeften"]},
     MEDEWERKER),
    ("sluit", BODIES["sluit"], MEDEWERKER),
]

#: bad inputs, one per kind of mistake, each refused by the one converter at every edge
BAD: list[tuple[str, dict[str, Any], str]] = [
    ("verzoek", {**BODIES["verzoek"], "client": {**JAN, "bsn": "123456789"}}, "client"),
    ("verzoek", {**BODIES["verzoek"], "indicatoren": "basisbehoeften"}, "indicatoren"),
    ("besluit_verzoek", {**BODIES["besluit_verzoek"], "gegrond": 1}, "gegrond"),
    ("domein", {**BODIES["domein"], "domain": "schuldhulp"}, "domain"),
    ("informeer", {"personen": "jan"}, "personen"),
    ("verstrekking", {**BODIES["verstrekking"], "besluit": "misschien"}, "besluit"),
    ("werkplan", {**BODIES["werkplan"], "afspraken": {"evaluatie": 3}}, "afspraken.evaluatie"),
    ("casusoverleg", {**BODIES["casusoverleg"],
                      "inbreng": [{"partij": "college", "categorie": "x"}]}, "inbreng[1].over"),
]


#: route A through the steps the route-B lifecycle does not take, a refusal included
ROUTE_A: list[tuple[str, dict[str, Any]]] = [
    ("hulpvraag", {"wet": "participatiewet", "client": JAN_BSN, "vraag": "algemene bijstand"}),
    ("aanleiding", {"omschrijving": "noemt betalingsachterstanden"}),
    ("informeer", BODIES["informeer"]),
    ("samenspraak", BODIES["samenspraak"]),
    ("domein", BODIES["domein"]),
    ("gezinslid", BODIES["gezinslid"]),
    ("betrek_partij", BODIES["betrek_partij"]),
    ("hergebruik", BODIES["hergebruik"]),
    ("dienst", {**BODIES["dienst"], "partij": KREDIETBANK}),
    ("terugkoppeling", BODIES["terugkoppeling"]),
    ("werkplan", BODIES["werkplan"]),
    ("coordinator", BODIES["coordinator"]),
    ("taak", {"partij": "kredietbank", "omschrijving": "schuldregeling"}),
    ("inzage", BODIES["inzage"]),
    ("export", BODIES["export"]),
    ("sluit", BODIES["sluit"]),
    ("vernietig", {}),  # refused: the bewaartermijn has not passed
    ("melding", {**BODIES["melding"], "over": JAN_BSN}),
]


def decided(d: Any) -> tuple[Any, ...]:
    if isinstance(d, dict):  # a decision over HTTP, or a refusal's problem document
        return (d.get("toegestaan", False), d["code"], d.get("fase"), tuple(d["regels"]))
    return (d.allowed, d.code, d.phase, tuple(d.rule_ids))


# -- the three edges ------------------------------------------------------------------------


def over_http(client: httpx.Client, cid: str | None, step: str, body: dict[str, Any],
              headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    r = client.post(step_path(step, cid), json=body, headers=headers)
    return r.status_code, r.json()


def through_python(w: Wams, cid: str | None, step: str, body: dict[str, Any]) -> Any:
    method = getattr(w, step)
    if step in COMMANDS and COMMANDS[step] in (c.Hulpvraag, c.Verzoek, c.Betrokkenheid,
                                             c.Melding):
        return method(G, **body)
    return method(G, cid, **body)


def as_scenario(steps: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """The same steps as a scenario file: persons and parties declared once, named by id."""
    personen: dict[str, Any] = {}
    partijen: dict[str, Any] = {}
    stappen = []
    for step, body in steps:
        cls = COMMANDS[step]
        hints = attrs.resolve_types(cls)
        out = dict(body)
        for field in attrs.fields(hints):
            value = body.get(field.name)
            record = ref_record(field.type) or next(
                (r for r in (Persoon, Partij) if r in (field.type, *getattr(
                    field.type, "__args__", ()))), None)
            if isinstance(value, dict) and record is not None:
                spec = {k: v for k, v in value.items() if k != "ref"}
                (personen if record is Persoon else partijen)[value["ref"]] = spec
                out[field.name] = value["ref"]
        stappen.append({step: out})
    return {"formaat": 2, "scenario": "parity", "gemeente": G, "datum": dt.date(2027, 2, 1),
            "personen": personen, "partijen": partijen, "stappen": stappen}


@pytest.fixture
def base(db_url):
    with served(db_url) as base:
        yield base


def comparable(case: Any) -> Any:
    """The stored case without what differs by nature between runs: its id and version, the
    dates (the served process runs on today's clock, the others on the scenario's) and the
    pseudonyms (a person without a BSN is someone of this case alone; with one they are
    compared apart)."""
    def scrub(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: scrub(v) for k, v in value.items()
                    if k not in ("id", "version", "subjects")}
        if isinstance(value, list):
            return [scrub(v) for v in value]
        if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-":
            return "<datum>"
        return value
    return scrub(unstructure(case))


def test_every_step_answers_and_stores_the_same_at_every_edge(base, open_wams):
    w: Wams = open_wams()
    with httpx.Client(base_url=base, timeout=30) as client:
        http_cid = py_cid = None
        http_answers, py_answers = [], []
        for step, body, headers in LIFECYCLE:
            status, answer = over_http(client, http_cid, step, body, headers)
            assert status in (200, 201), (step, answer)
            http_cid = http_cid or answer.get("casus") if step == "verzoek" else http_cid
            d = through_python(w, py_cid, step, body)
            py_cid = d.case_id if step == "verzoek" else py_cid
            http_answers.append(decided(answer))
            py_answers.append(decided(d))
        assert http_answers == py_answers

        # the scenario runner, same input
        with Wams.open("sqlite://", clock=Clock(dt.date(2027, 2, 1))) as own:
            result = run_scenario(from_data(as_scenario([(s, b) for s, b, _ in LIFECYCLE])),
                                  wams=own)
            assert [decided(r.decision) for r in result.steps] == py_answers
            scenario_cid = result.steps[1].decision.case_id
            scenario_case = own.case(G, scenario_cid, actor="test", purpose="behandeling")

        # what is stored: the same case through every edge
        http_case = w.case(G, http_cid, actor="test", purpose="behandeling")
        py_case = w.case(G, py_cid, actor="test", purpose="behandeling")
        assert comparable(http_case) == comparable(py_case) == comparable(scenario_case)
        assert http_case.persons["jan"].persoon.bsn == BSN

        # bad inputs: the same sentence at every edge, nothing stored
        before = client.get(f"/v2/gemeenten/{G}/audit", headers=FG).json()["schakels"]
        for step, body, key in BAD:
            status, answer = over_http(client, http_cid, step, body, MEDEWERKER)
            assert status == 400 and answer["code"] == "input.invalid", (step, answer)
            assert answer["detail"].startswith(f"sleutel '{key}'"), (step, answer["detail"])
            with pytest.raises(InputError) as python_error:
                through_python(w, py_cid, step, body)
            assert str(python_error.value) == answer["detail"]
            sentence = answer["detail"].split(": ", 1)[1]
            if step == "verzoek" and key == "client":
                continue  # a scenario declares the person once, above: see the next test
            with pytest.raises(ScenarioError) as scenario_error:
                from_data(as_scenario([(step, body)]))
            assert f"sleutel '{key}': {sentence}" in str(scenario_error.value)
        after = client.get(f"/v2/gemeenten/{G}/audit", headers=FG).json()["schakels"]
        assert after == before


def test_route_a_answers_and_stores_the_same_at_every_edge(base, open_wams):
    w: Wams = open_wams()
    with httpx.Client(base_url=base, timeout=30) as client:
        http_cid = py_cid = None
        http_answers, py_answers = [], []
        for step, body in ROUTE_A:
            status, answer = over_http(client, http_cid, step, body, MEDEWERKER)
            assert status in (200, 201, 422), (step, answer)
            d = through_python(w, py_cid, step, body)
            if step == "hulpvraag":
                http_cid, py_cid = answer["casus"], d.case_id
            http_answers.append(decided(answer))
            py_answers.append(decided(d))
        assert http_answers == py_answers
        assert py_answers[-2][:2] == (False, "retention.not_expired")
        with Wams.open("sqlite://", clock=Clock(dt.date(2027, 2, 1))) as own:
            result = run_scenario(from_data(as_scenario(ROUTE_A)), wams=own)
            assert [decided(r.decision) for r in result.steps] == py_answers
            scenario_case = own.case(G, result.steps[0].decision.case_id, actor="test",
                                     purpose="behandeling")
        http_case = w.case(G, http_cid, actor="test", purpose="behandeling")
        py_case = w.case(G, py_cid, actor="test", purpose="behandeling")
        assert comparable(http_case) == comparable(py_case) == comparable(scenario_case)
        # the same BSN, written with spaces, is the same person (R36)
        assert http_case.subjects["jan"] == py_case.subjects["jan"]


def test_a_scenario_refuses_the_bad_bsn_where_the_person_is_declared():
    data = as_scenario([("hulpvraag", {**BODIES["hulpvraag"],
                                       "client": {**JAN, "bsn": "123456789"}})])
    with pytest.raises(ScenarioError, match="personen.jan.bsn"):
        from_data(data)
    data["stappen"][0]["hulpvraag"]["client"] = {"ref": "jan", "naam": "Jan"}
    with pytest.raises(ScenarioError, match="verwacht een id uit 'personen'"):
        from_data({**data, "personen": {"jan": {"rol": "client"}}})


def test_python_values_of_the_wrong_type_are_refused_not_coerced(open_wams):
    w: Wams = open_wams()
    d = w.hulpvraag(G, wet="wmo", client=Persoon("jan"), vraag="hulp", aanleiding="valt")
    with pytest.raises(InputError, match="sleutel 'client_akkoord'"):
        w.domein(G, d.case_id, domein="schuldhulp", reden="x", client_akkoord="nee ")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="sleutel 'partij': noem hier de volledige partij"):
        w.verzoek(G, partij="wijkteam", client=Persoon("jan"),  # type: ignore[arg-type]
                  onderbouwing="zorgen")
    with pytest.raises(InputError, match="sleutel 'aanleidng'.*bedoelde je 'aanleiding'"):
        w.hulpvraag(G, wet="wmo", client=Persoon("jan"), vraag="hulp", aanleidng="x")
    with pytest.raises(InputError, match="onbekende stap"):
        intake.command("hulpvraagg", {})


def test_bsn_probe_every_case_found_nothing_unreadable(base, db_url, open_wams):
    """The probe of the issue: BSN variants over HTTP, then read, inzage, retention."""
    with httpx.Client(base_url=base, timeout=30) as client:
        made = []
        for bsn in ("123456789", "12345", "abc", "", " 111222333", "111 222 333", BSN):
            body = {**BODIES["hulpvraag"], "client": {**JAN, "bsn": bsn}}
            r = client.post(step_path("hulpvraag", None), json=body, headers=MEDEWERKER)
            if bsn.replace(" ", "") == BSN:
                assert r.status_code == 201, r.text
                made.append(r.json()["casus"])
            else:
                assert r.status_code == 400 and "geen geldig BSN" in r.json()["detail"], r.text
        for cid in made:
            r = client.get(f"/v2/gemeenten/{G}/casussen/{cid}", params={"doel": "behandeling"},
                           headers=MEDEWERKER)
            assert r.status_code == 200, r.text
            assert client.post(step_path("sluit", cid), json=BODIES["sluit"],
                               headers=MEDEWERKER).status_code == 200
        r = client.get(f"/v2/gemeenten/{G}/casussen", headers=MEDEWERKER)
        assert r.status_code == 200
    w: Wams = open_wams()
    report = w.inzage_persoon(G, bsn=BSN, actor="loket", verzoek="AVG-1")
    assert {case["casus"] for case in report["casussen"]} == set(made)
    w.close()
    # every case is past its term a year on; retention destroys all of them
    later = open_wams(clock=Clock(dt.date.today() + dt.timedelta(days=3 * 366)))
    items = later.retention_run(G)
    assert {i["case_id"] for i in items if i["vernietigd"]} == set(made)


def test_retention_names_a_case_it_cannot_destroy_and_goes_on(open_wams, db_url):
    w: Wams = open_wams()
    ids = []
    for n in range(3):
        d = w.hulpvraag(G, wet="wmo", client=Persoon(f"p{n}"), vraag="hulp", aanleiding="x")
        w.sluit(G, d.case_id, terugvalafspraken="belt", reden="cliënt verhuist")
        ids.append(d.case_id)
    # A DBA damages one case's stored state (or its key is gone): it cannot be read.
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE cases SET state = :junk WHERE id = :id"),
                     {"junk": "bm90IGEgY2FzZQ==", "id": ids[1]})
    engine.dispose()
    w.close()
    later = open_wams(clock=Clock(dt.date(2027, 2, 1) + dt.timedelta(days=3 * 366)))
    items = {i["case_id"]: i for i in later.retention_run(G)}
    assert items[ids[0]]["vernietigd"] and items[ids[2]]["vernietigd"]
    assert not items[ids[1]]["vernietigd"]
    assert items[ids[1]]["reden"].startswith("fout bij vernietigen")
