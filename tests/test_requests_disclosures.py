"""A request for data is a request, not a disclosure (issue 20).

Asking a party for a category tells the party who is being looked into, but moves no data:
only the party's answer does. A request that is never answered shows no disclosure in the
citizen's access report, in the case report or in its data-flow diagram; an answered one shows
exactly one, from the party to the municipality. Both reports and the diagram are built from
a scenario run into real SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from reports_helpers import strict_html, visible_text

from wams.core.scenario.library import BUNDLED

SCENARIO = """\
formaat: 2
scenario: Een vraag om gegevens{title}
regels: wams-2020
gemeente: "0599"
datum: 2027-02-01
personen:
  ilse: {{rol: client, geboortedatum: 1985-04-12, naam: Ilse Bakker, bsn: "111222333"}}
partijen:
  kredietbank: {{soort: wgs.schuldhulpverlener}}
stappen:
  - hulpvraag: {{wet: participatiewet, client: ilse, vraag: algemene bijstand,
                aanleiding: noemt betalingsachterstanden}}
  - domein: {{domein: schuldhulp, reden: betalingsachterstanden, client_akkoord: ja}}
  - vraag_gegevens: {{bij: kredietbank, categorie: wgs.schuldenoverzicht, over: ilse,
                     doel: onderzoek, noodzaak: bepalen of schuldhulp nodig is}}
    verwacht: {{toegestaan: ja}}
{answer}"""
ANSWER = """\
  - verstrekking: {bij: kredietbank, categorie: wgs.schuldenoverzicht, over: ilse,
                   besluit: verstrekt}
    verwacht: {toegestaan: ja}
"""
BSN = "111222333"
#: a bundled scenario with a casusoverleg in 0599 (provisions to parties under plugin entries)
BUNDLED_CASUSOVERLEG = BUNDLED / "participatiewet" / "reclassering-re-integratie.yaml"
CATEGORY = "wgs.schuldenoverzicht"


def _run(db_url: str, tmp_path: Path, answered: bool) -> tuple[Any, str]:
    from wams.api import Wams
    from wams.core.scenario.run import run_scenario

    file = tmp_path / "vraag.yaml"
    file.write_text(SCENARIO.format(title=" die wordt beantwoord" if answered else
                                    " die nooit wordt beantwoord",
                                    answer=ANSWER if answered else ""), encoding="utf-8")
    result = run_scenario(file, db_url)
    assert result.passed, result.failures
    w = Wams.open(db_url)
    # the names the municipality gives (a scenario's settings are put back after its run)
    w.set_setting("0599", "gemeente_naam", "Zuidhaven")
    w.set_setting("0599", "partij_namen", {"kredietbank": "Kredietbank Zuidhaven"})
    return w, w.cases("0599")[-1]["id"]


def _disclosures_in_access_report(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Processings that moved the requested category between the municipality and a party."""
    return [v for v in report["verwerkingen"] if v["categorie"] == CATEGORY
            and v["bewerking"] in ("provide", "collect")]


@pytest.mark.parametrize("answered", [False, True], ids=["unanswered", "answered"])
def test_a_request_is_no_disclosure_and_an_answer_is_exactly_one(
        db_url: str, tmp_path: Path, answered: bool) -> None:
    from wams.reports import flows
    from wams.reports.case import case_report
    from wams.reports.inzage import inzage_report

    w, case_id = _run(db_url, tmp_path, answered)
    try:
        # the log: the request is a request, to the party, for the category, with its purpose
        log = w.case_log("0599", case_id)
        asked = [r for r in log if r["operation"] == "request"]
        assert [(r["recipient"], r["category"], r["name"]) for r in asked] == [
            ("kredietbank", CATEGORY, "vraag_gegevens:opvragen")]
        assert all(r["operation"] != "provide" or r["category"] != CATEGORY for r in log)

        # the access report (data): one disclosure only when answered, from the party
        report = w.inzage_persoon("0599", bsn=BSN, actor="balie", verzoek="AVG-1")
        moved = _disclosures_in_access_report(report)
        assert [(v["bewerking"], v["bron"], v["ontvanger"]) for v in moved] == (
            [("collect", "kredietbank", "college")] if answered else [])

        # the citizen's page: the request in words, the party by its name, no "doorgegeven"
        html = inzage_report(w, "0599", bsn=BSN, actor="balie", verzoek="AVG-2")
        text = visible_text(html)
        strict_html(html)
        assert "De gemeente vroeg Kredietbank Zuidhaven om deze gegevens" in text
        assert "er zijn nog geen gegevens gegeven" in text
        given = text.count("Kredietbank Zuidhaven gaf deze gegevens aan de gemeente")
        assert given == (1 if answered else 0)
        assert "doorgegeven" not in text and "kredietbank " not in text
        assert "Gemeente Zuidhaven" in text

        # the case report's diagram: the request dashed ("vraagt"), a disclosure only if answered
        page = case_report(w, "0599", case_id, actor="anna", doel="behandeling")
        diagram = flows.build(log, w.case_steps("0599", case_id), w.catalogue,
                              persons={}, requests=())
        kinds = [(f.kind, f.source, f.target) for f in diagram.disclosures
                 if f.categorie == CATEGORY]
        assert kinds == ([("verstrekking", "kredietbank", "college")] if answered else [])
        assert [f.kind for f in diagram.allowed if f.categorie == CATEGORY
                and f not in diagram.disclosures] == ["verzoek"]
        tree = strict_html(page.html)
        svg = "{http://www.w3.org/2000/svg}"
        drawn = [g for g in tree.iter(f"{svg}g")
                 if "flow" in (g.get("class") or "").split()
                 and g.get("data-categorie") == CATEGORY]
        assert sorted(g.get("data-kind") for g in drawn) == (
            ["verstrekking", "verzoek"] if answered else ["verzoek"])
        labels = " ".join("".join(t.itertext()) for g in drawn for t in g.iter(f"{svg}text"))
        assert "vraagt: overzicht van schulden" in labels
        assert ("nog niet beantwoord" in labels) == (not answered)
    finally:
        w.close()


def test_a_request_logged_before_requests_were_requests_still_reads_as_one(
        db_url: str, tmp_path: Path) -> None:
    """A database of the earlier version logged a request as ``vraag_gegevens:verstrekken``
    (operation provide). The row stays as it is (the keyed chain covers it); the access report
    still calls it a request, not a disclosure."""
    from sqlalchemy import update

    from wams.core.storage.repository import log
    from wams.reports.inzage import inzage_report

    w, _ = _run(db_url, tmp_path, answered=False)
    try:
        with w.engine.db.begin() as conn:  # the row as the earlier version wrote it
            conn.execute(update(log).where(log.c.operation == "request").values(
                operation="provide", name="vraag_gegevens:verstrekken"))
        report = w.inzage_persoon("0599", bsn=BSN, actor="balie", verzoek="AVG-3")
        assert _disclosures_in_access_report(report) == []
        text = visible_text(inzage_report(w, "0599", bsn=BSN, actor="balie", verzoek="AVG-4"))
        assert "De gemeente vroeg Kredietbank Zuidhaven om deze gegevens" in text
        assert "gaf deze gegevens aan Kredietbank" not in text
        assert "Kredietbank Zuidhaven gaf" not in text
    finally:
        w.close()


def test_the_registers_recipients_are_what_its_activities_disclose(
        db_url: str, tmp_path: Path) -> None:
    """Every log record that tells or gives a party something (a request, a provision to a
    party) points at a register entry whose recipients are not "only the college"; the text
    register names every category of every entry (none left out as "… en N andere")."""
    from wams.core.privacy import register
    from wams.core.privacy.processing import activity_code
    from wams.core.scenario.run import run_scenario

    assert run_scenario(BUNDLED_CASUSOVERLEG, db_url).passed
    w, _ = _run(db_url, tmp_path, answered=True)
    try:
        entries = {e["code"]: e for e in w.register("0599")}
        audit = {a["span_id"]: a for a in w.log_records(gemeente="0599", profile="audit")}
        outward = [r for r in w.log_records(gemeente="0599")
                   if audit[r["span_id"]]["operation"] in ("request", "provide")
                   and audit[r["span_id"]]["recipient"] not in (None, "college", "betrokkene")]
        assert outward
        for r in outward:
            entry = entries[activity_code(r["attributes"]["dpl.core.processing_activity_id"])]
            assert entry["recipients"]["legalRole"] == "ThirdParty", entry["code"]
            assert "Disclose" in entry["processingOptions"], entry["code"]
        text = register.render_text(list(entries.values()), "0599", 12, w.catalogue)
        assert " andere gegevenscategorieën" not in text
        names = {**register.CORE_CATEGORIES,
                 **{code: c.name for code, c in w.catalogue.categories.items()}}
        for e in entries.values():
            for code in e["personalData"]["categories"]:
                assert names.get(code, code) in text, (e["code"], code)
    finally:
        w.close()
