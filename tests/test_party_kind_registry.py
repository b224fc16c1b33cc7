"""Who a party is comes from the municipality's registry (setting ``partij_soorten``), in the
core: the Python API, the scenario runner and the service refuse alike a command that names a
registered party as another kind, with the same reason code (``access.party_kind``), Dutch
sentence and rules (R06, R12), and nothing of the command is stored (both backends).

The hostile callers: a justice party entering as a wijkteam (route B without the justice
purpose R12 asks), a medewerker drawing the kredietbank in as a wijkteam (so that it would
receive what only a wijkteam may), a party named in a list field, and a scenario file that
declares a registered party with the kind it would like to have."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from tests.service_helpers import BODIES, JAN, MEDEWERKER, G, auth, served, step_path
from wams.api import Wams
from wams.core.clock import Clock
from wams.core.model import Partij
from wams.core.scenario.load import from_data
from wams.core.scenario.run import run_scenario

REGISTRY = {"politie": "aanpalend.politie", "kredietbank": "wgs.schuldhulpverlener"}
AS_WIJKTEAM = {"ref": "politie", "soort": "wmo.wijkteam"}
BANK_AS_WIJKTEAM = {"ref": "kredietbank", "soort": "wmo.wijkteam"}
JAN2 = {"ref": "jan2", "bsn": "111222333", "naam": "Jan Tweede"}

#: (step, body) refused at every edge; None as case: a step outside a case
REFUSED: list[tuple[str, dict[str, Any]]] = [
    ("betrokkenheid", {"partij": AS_WIJKTEAM, "persoon": JAN2,
                       "dienst": "wmo.maatwerkvoorziening"}),
    ("verzoek", {**BODIES["verzoek"], "partij": AS_WIJKTEAM, "client": JAN2}),
    ("betrek_partij", {**BODIES["betrek_partij"], "partij": BANK_AS_WIJKTEAM}),
    ("vraag_gegevens", {**BODIES["vraag_gegevens"], "bij": AS_WIJKTEAM}),
]
OUTSIDE = {"betrokkenheid", "verzoek"}


def rows(url: str) -> dict[str, int]:
    """How many rows every table of the case data holds (the history apart: a refusal is
    recorded there, without its payload, as every refusal by the rules is; and so is who
    tried, by pseudonym, with the name in the register of actors under a key of its own)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            found = {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
                     for t in ("cases", "involvements", "processing_log")}
            found["data_keys"] = conn.execute(sa.text(
                "SELECT count(*) FROM data_keys WHERE id NOT IN (SELECT data_key FROM actors)")
                ).scalar_one()
            return found
    finally:
        engine.dispose()


def through_python(w: Wams, cid: str, step: str, body: dict[str, Any]) -> Any:
    method = getattr(w, step)
    return method(G, **body) if step in OUTSIDE else method(G, cid, **body)


def a_case(w: Wams) -> str:
    d = w.hulpvraag(G, **{**BODIES["hulpvraag"], "client": JAN})
    for step in ("informeer", "domein"):
        assert through_python(w, d.case_id, step, BODIES[step]).allowed
    return str(d.case_id)


@pytest.fixture
def base(db_url):
    with served(db_url) as base:
        yield base


def test_every_edge_refuses_a_party_named_as_another_kind(base, db_url, open_wams):
    w: Wams = open_wams()
    w.set_setting(G, "partij_soorten", REGISTRY)
    cid = a_case(w)
    with httpx.Client(base_url=base, timeout=30) as client:
        for step, body in REFUSED:
            before = rows(db_url)
            version = w.case_summary(G, cid)["version"]
            d = through_python(w, cid, step, body)
            assert not d.allowed and d.code == "access.party_kind", (step, d)
            assert {"R06", "R12"} <= set(d.rule_ids)
            assert "bij de gemeente bekend als" in d.message
            r = client.post(step_path(step, None if step in OUTSIDE else cid), json=body,
                            headers=MEDEWERKER)
            assert r.status_code == 403, (step, r.text)
            problem = r.json()
            assert (problem["code"], problem["regels"]) == (d.code, list(d.rule_ids))
            assert problem["detail"] == d.message
            # nothing of either attempt was stored: no case, no record, no log row, no step
            assert rows(db_url) == before, step
            assert w.case_summary(G, cid)["version"] == version
        # the raw bytes: the refused person's BSN and name are nowhere in the database
        engine = sa.create_engine(db_url)
        try:
            with engine.connect() as conn:
                for table in ("cases", "involvements", "history", "processing_log"):
                    dump = str(conn.execute(sa.text(f"SELECT * FROM {table}")).all())
                    assert "111222333" not in dump and "Jan Tweede" not in dump, table
        finally:
            engine.dispose()


def test_as_what_it_is_it_goes_on_and_meets_the_rules(db_url, open_wams):
    """The registry fixes the kind; the rules of that kind then apply (R12: a justice party's
    verzoek needs a justice purpose)."""
    w: Wams = open_wams()
    w.set_setting(G, "partij_soorten", REGISTRY)
    itself = {"ref": "politie", "soort": "aanpalend.politie"}
    d = w.betrokkenheid(G, partij=itself, persoon=JAN2, dienst="aanpalend.wijkagentinterventie")
    assert d.allowed, d
    d = w.verzoek(G, **{**BODIES["verzoek"], "partij": itself, "client": JAN2})
    assert not d.allowed and "R12" in d.rule_ids and d.code != "access.party_kind"
    # a party the registry does not name is the kind the command says (the case then fixes
    # it: check_party_identity)
    d = w.betrokkenheid(G, partij={"ref": "buurtteam", "soort": "wmo.wijkteam"},
                        persoon=JAN2, dienst="wmo.maatwerkvoorziening")
    assert d.allowed, d


def test_a_scenario_cannot_declare_a_registered_party_as_another_kind():
    scenario = {
        "formaat": 2, "scenario": "registry", "gemeente": G, "datum": dt.date(2027, 2, 1),
        "instellingen": {"partij_soorten": REGISTRY},
        "personen": {"jan": {k: v for k, v in JAN.items() if k != "ref"}},
        "partijen": {"kredietbank": {"soort": "wmo.wijkteam"}},
        "stappen": [
            {"hulpvraag": {**BODIES["hulpvraag"], "client": "jan"}},
            {"informeer": BODIES["informeer"]},
            {"domein": BODIES["domein"]},
            {"betrek_partij": {**BODIES["betrek_partij"], "partij": "kredietbank"}},
        ],
    }
    with Wams.open("sqlite://", clock=Clock(dt.date(2027, 2, 1))) as w:
        result = run_scenario(from_data(scenario), wams=w)
        last = result.steps[-1].decision
        assert (last.allowed, last.code) == (False, "access.party_kind")
        assert {"R06", "R12"} <= set(last.rule_ids)
        case = w.case(G, result.steps[0].decision.case_id, actor="test", purpose="behandeling")
        assert "kredietbank" not in case.parties


def log_actors(url: str) -> list[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [r[0] for r in conn.execute(sa.text(
                "SELECT actor FROM history WHERE step = 'verstrekking' ORDER BY seq"))]
    finally:
        engine.dispose()


def test_only_the_party_answers_a_request_addressed_to_it(base, db_url, open_wams):
    """R16 in the core: the answer to a data request is the party's own, through every edge.
    An official, the college, another party (by its actor, or by its token over HTTP) is
    refused and nothing is stored; the party itself answers, and the history names it."""
    w: Wams = open_wams()
    cid = a_case(w)
    asked = {"bij": {"ref": "kredietbank", "soort": "wgs.schuldhulpverlener"},
             "categorie": "wgs.schuldenoverzicht", "over": "jan", "doel": "onderzoek",
             "toelichting": "zicht op schulden", "noodzaak": "achterstanden"}
    assert through_python(w, cid, "vraag_gegevens", asked).allowed
    answer = {"bij": "kredietbank", "categorie": "wgs.schuldenoverzicht", "over": "jan",
              "besluit": "verstrekt"}
    with httpx.Client(base_url=base, timeout=30) as client:
        for actor in ("anna", "college", "partij:wijkteam:wim", "kredietbank", "partij::x"):
            before, version = rows(db_url), w.case_summary(G, cid)["version"]
            d = w.verstrekking(G, cid, **answer, actor=actor)
            assert (d.allowed, d.code) == (False, "access.party_answers"), actor
            assert "R16" in d.rule_ids and "kredietbank" in d.message
            assert rows(db_url) == before and w.case_summary(G, cid)["version"] == version
        for headers in (MEDEWERKER, auth("partij:wijkteam", "wim")):
            r = client.post(step_path("verstrekking", cid), json=answer, headers=headers)
            assert r.status_code == 403, r.text
        assert rows(db_url) == before
        # the party itself, over HTTP with its own token
        r = client.post(step_path("verstrekking", cid), json=answer,
                        headers=auth("partij:kredietbank", "piet"))
        assert r.status_code == 200 and r.json()["toegestaan"], r.text
    assert [s["actor"] for s in w.case_steps(G, cid)
            if s["step"] == "verstrekking"][-1] == "partij:kredietbank:piet"
    assert log_actors(db_url)[-1].startswith("hmac:")  # the history keeps a pseudonym


def test_a_melding_cannot_reach_a_justice_party_named_as_a_wijkteam(base, db_url, open_wams):
    """The meldpunt's passing-on names its recipient in full: an enforcement body named as a
    wijkteam (to get a melding without the justice purpose R12 asks) is refused by the
    registry, in Python and over HTTP, and nothing is passed on."""
    w: Wams = open_wams()
    w.set_setting(G, "partij_soorten", {"recherche": "aanpalend.sociale_recherche"})
    d = w.melding(G, melder={"soort": "burger"}, over=JAN2, zorg="vervuiling woning")
    melding = d.report["melding"] if d.report else None
    assert d.allowed and melding is not None
    disguised = {"aan": {"ref": "recherche", "soort": "wmo.wijkteam"},
                 "doel": "melding_onderzoeken", "reden": "huisbezoek voorbereiden"}
    before = rows(db_url)
    refused = w.melding_doorgeven(G, melding, aan=Partij("recherche", "wmo.wijkteam"),
                                  doel="melding_onderzoeken", reden="huisbezoek voorbereiden")
    assert (refused.allowed, refused.code) == (False, "access.party_kind")
    with httpx.Client(base_url=base, timeout=30) as client:
        r = client.post(f"/v2/gemeenten/{G}/meldingen/{melding}/doorgiften", json=disguised,
                        headers=MEDEWERKER)
        assert r.status_code == 403 and r.json()["code"] == "access.party_kind", r.text
        listed = client.get(f"/v2/gemeenten/{G}/meldingen", headers=MEDEWERKER).json()
    assert rows(db_url) == before
    assert [m["doorgegeven"] for m in listed["meldingen"]] == [0]
