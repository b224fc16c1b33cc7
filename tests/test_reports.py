"""The reports as pages: the case report (and its data-flow diagram), the citizen's access
report and the scenario run report, each rendered from bundled scenarios on real SQLite and
PostgreSQL, parsed as strict HTML and checked for what its reader may and may not see."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from reports_helpers import (
    LIBRARY,
    RECLASSERING_BSN,
    run_cases,
    self_contained,
    strict_html,
    visible_text,
)

from tests.helpers import unsealed
from wams.cli import cli
from wams.core.privacy.sealing import is_sealed

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots" / "flows"
SVG = "{http://www.w3.org/2000/svg}"
CSP_META = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@pytest.fixture
def cases(db_url: str) -> dict[str, tuple[str, str]]:
    return run_cases(db_url)


def _log(db_url: str, gemeente: str, case_id: str) -> list[dict[str, Any]]:
    from wams.api import Wams

    with Wams.open(db_url) as w:
        return w.case_log(gemeente, case_id)


def _report(db_url: str, *args: str) -> Any:
    return CliRunner().invoke(cli, ["report", *args[:1], "--db", db_url, *args[1:]])


def _check_page(html: str) -> Any:
    tree = strict_html(html)
    assert self_contained(html) == []
    meta = [m.get("content") for m in tree.iter("meta")
            if m.get("http-equiv") == "Content-Security-Policy"]
    assert meta == [CSP_META]
    assert "@media print" in html
    return tree


# -- the case report --------------------------------------------------------------------------


def test_case_report_shows_every_step_with_its_rules_and_logs_the_file(
        db_url: str, cases: dict[str, tuple[str, str]], tmp_path: Path) -> None:
    from wams.api import Wams
    from wams.core.law.rules import RULES

    gemeente, case_id = cases["voorwaarde"]
    before = len(_log(db_url, gemeente, case_id))
    out = tmp_path / "casus.html"
    result = _report(db_url, "case", "--gemeente", gemeente, case_id, "--actor", "anna",
                     "--doel", "behandeling", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out.resolve())
    assert "bevat persoonsgegevens" in result.stderr and str(out.resolve()) in result.stderr
    html = out.read_text(encoding="utf-8")
    tree = _check_page(html)
    with Wams.open(db_url) as w:
        steps = w.case_steps(gemeente, case_id)
    shown = tree.findall(".//div[@data-step]")
    assert [d.get("data-step") for d in shown] == [s["step"] for s in steps]
    assert [d.get("data-code") for d in shown] == [s["code"] for s in steps]
    refused = [s for s in steps if not s["allowed"]]
    assert refused and all(s["code"] in html for s in refused)
    # every cited rule with its title and its sources
    for rule_id in ("R16", "R29"):
        assert RULES[rule_id].title in html and RULES[rule_id].sources[0].labelled() in html
    assert "vervuiling van de woning" in html  # the dossier's content: a case worker's report
    # R36: the read is logged per person, and the file it went to is in the log
    log = _log(db_url, gemeente, case_id)
    reads = log[before:]
    assert reads and all(r["operation"] == "consult" and r["actor"] == "anna" for r in reads)
    # The purpose names the file (case_log shows it unsealed while the case lives) ...
    assert all(str(out.resolve()) in r["purpose"] for r in reads)
    # ... and at rest it is the caller's text, so sealed with the case.
    with Wams.open(db_url) as w, w.engine.unit_of_work(gemeente) as uow:
        stored = unsealed(uow, "processing_log",
                          lambda t: t.c.id.in_([r["id"] for r in reads]))
        assert stored and all(is_sealed(row["purpose"]) and str(out.resolve()) in (opened or "")
                              for row, opened in stored)
    assert os.stat(out).st_mode & 0o077 == 0  # owner-only: a copy of personal data


def test_privacy_officer_report_holds_no_case_content(
        db_url: str, cases: dict[str, tuple[str, str]], tmp_path: Path) -> None:
    gemeente, case_id = cases["voorwaarde"]
    before = _log(db_url, gemeente, case_id)
    out = tmp_path / "fg.html"
    result = _report(db_url, "case", "--gemeente", gemeente, case_id, "--actor", "fg-piet",
                     "--doel", "toezicht", "--rol", "fg", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "bevat persoonsgegevens" not in result.stderr
    html = out.read_text(encoding="utf-8")
    _check_page(html)
    text = visible_text(html)
    # no names, refs, birth dates or dossier text; persons as "betrokkene 1"
    for content in ("gerrit", "1958", "vervuiling", "geheugenproblemen"):
        assert content not in html.lower()
    assert "betrokkene 1" in text
    # organisations by their kind, numbered, not by their ref (also not in SVG attributes)
    assert "kredietbank" not in html.lower() and "partij 2 (schuldhulpverlener)" in text
    # the steps as decided and the flows are there
    assert "provision.condition_violated" in html and "<svg" in html
    # the dossier was not opened: nothing logged
    assert _log(db_url, gemeente, case_id) == before


def test_destroyed_case_report_says_only_that_and_lists_the_log(
        db_url: str, cases: dict[str, tuple[str, str]], tmp_path: Path) -> None:
    gemeente, case_id = cases["vernietigd"]
    log = _log(db_url, gemeente, case_id)
    out = tmp_path / "weg.html"
    result = _report(db_url, "case", "--gemeente", gemeente, case_id, "--actor", "anna",
                     "--doel", "behandeling", "-o", str(out))
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    tree = _check_page(html)
    notice = tree.find(".//div[@data-destroyed]")
    from wams.api import Wams

    with Wams.open(db_url) as w:
        destroyed_on = w.case_summary(gemeente, case_id)["destroyed_on"]
    assert notice is not None and notice.get("data-destroyed") == destroyed_on.isoformat()
    assert "vernietigd op" in visible_text(html)
    rows = tree.findall(".//table[@class='log']/tbody/tr")
    assert len(rows) == len(log) > 0
    # nothing else: no timeline, no diagram, no person, no werkplan
    assert tree.find(".//div[@data-step]") is None and "<svg" not in html
    for content in ("pieters", "1980-05-05", "werkplan vastgesteld"):
        assert content not in html.lower()
    # No ref of a person anywhere, the log's table included: after destruction nobody can tell
    # a party's ref from a person's, so none is shown (the page promises "betrokkene 1, 2").
    assert "jolanda" not in html.lower()
    assert "betrokkene 1" in visible_text(html)
    assert _log(db_url, gemeente, case_id) == log  # no content read: nothing to log


def test_case_report_marks_an_overdue_voortgang(
        db_url: str, cases: dict[str, tuple[str, str]]) -> None:
    from wams.api import Wams
    from wams.core.clock import Clock
    from wams.reports.case import case_report

    gemeente, case_id = cases["reclassering"]
    with Wams.open(db_url, clock=Clock(dt.date(2031, 1, 1))) as w:
        html = case_report(w, gemeente, case_id, actor="anna", doel="behandeling").html
    tree = strict_html(html)
    assert tree.find(".//span[@data-overdue='true']") is not None
    assert "te laat (R27)" in html


def test_case_report_escapes_what_a_caller_typed(db_url: str, tmp_path: Path) -> None:
    """A hostile aanleiding is text on the page, never markup."""
    from wams import Persoon, Wams
    from wams.core.clock import Clock
    from wams.reports.case import case_report

    evil = '<script>alert(1)</script><img src="http://evil.example/x">'
    with Wams.open(db_url, clock=Clock(dt.date(2027, 2, 1))) as w:
        # (a ref holds no space: a full name as ref is refused)
        d = w.hulpvraag("0599", wet="wmo", client=Persoon(ref="<script>alert(1)</script>"),
                        vraag=evil,
                        aanleiding=evil)
        html = case_report(w, "0599", d.case_id, actor=evil, doel="behandeling").html
    assert self_contained(html) == []
    assert "&lt;script&gt;" in html
    strict_html(html)


def test_report_of_another_municipality_is_refused_and_logs_nothing(
        db_url: str, cases: dict[str, tuple[str, str]], tmp_path: Path) -> None:
    gemeente, case_id = cases["voorwaarde"]
    before = _log(db_url, gemeente, case_id)
    out = tmp_path / "x.html"
    for rol in ("medewerker", "fg"):
        result = _report(db_url, "case", "--gemeente", "0599", case_id, "--actor", "anna",
                         "--doel", "behandeling", "--rol", rol, "-o", str(out))
        assert result.exit_code == 2
        assert "andere gemeente" in result.stderr and "Traceback" not in result.output
        assert not out.exists()
    assert _log(db_url, gemeente, case_id) == before


def test_a_report_that_cannot_be_written_reads_nothing(
        db_url: str, cases: dict[str, tuple[str, str]], tmp_path: Path) -> None:
    gemeente, case_id = cases["voorwaarde"]
    before = _log(db_url, gemeente, case_id)
    targets = [str(tmp_path / "geen-map" / "x.html"), str(tmp_path)]
    try:
        import weasyprint  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        targets.append(str(tmp_path / "x.pdf"))
    for target in targets:
        result = _report(db_url, "case", "--gemeente", gemeente, case_id, "--actor", "anna",
                         "--doel", "behandeling", "-o", target)
        assert result.exit_code == 2, result.output
        assert len(result.stderr.strip().splitlines()) == 1
    assert _log(db_url, gemeente, case_id) == before


# -- the data-flow diagram --------------------------------------------------------------------


def _diagram(db_url: str, gemeente: str, case_id: str) -> Any:
    from wams.api import Wams
    from wams.reports import flows

    with Wams.open(db_url) as w:
        case = w.case(gemeente, case_id, actor="test", purpose="behandeling")
        return flows.build(w.case_log(gemeente, case_id), w.case_steps(gemeente, case_id),
                           w.catalogue, persons={s: r for r, s in case.subjects.items()},
                           parties={r: p.partij.soort for r, p in case.parties.items()},
                           held=case.held, requests=case.requests)


@pytest.mark.parametrize("name", ["voorwaarde", "reclassering"])
def test_data_flow_diagram_matches_its_snapshot(
        db_url: str, cases: dict[str, tuple[str, str]], name: str) -> None:
    """Nodes and arrows per case, as a text outline. Regenerate on purpose with
    WAMS_UPDATE_SNAPSHOTS=1 and read the diff."""
    outline = "\n".join(_diagram(db_url, *cases[name]).outline()) + "\n"
    snapshot = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("WAMS_UPDATE_SNAPSHOTS"):
        snapshot.write_text(outline, encoding="utf-8")
    assert outline == snapshot.read_text(encoding="utf-8")


def test_the_svg_draws_exactly_the_diagram(
        db_url: str, cases: dict[str, tuple[str, str]]) -> None:
    from wams.api import Wams
    from wams.reports.case import case_report

    gemeente, case_id = cases["reclassering"]
    diagram = _diagram(db_url, gemeente, case_id)
    with Wams.open(db_url) as w:
        html = case_report(w, gemeente, case_id, actor="anna", doel="behandeling").html
    tree = strict_html(html)
    svg = tree.find(f".//{SVG}svg")
    assert svg is not None
    nodes = [g.get("data-node") for g in svg.iter(f"{SVG}g") if g.get("data-node")]
    assert nodes == [n.id for n in diagram.nodes]
    arrows = [(g.get("data-kind"), g.get("data-from"), g.get("data-to"),
               g.get("data-categorie"), "refused" in g.get("class", ""))
              for g in svg.iter(f"{SVG}g") if "flow" in (g.get("class") or "").split()]
    assert arrows == [(f.kind, f.source, f.target or "", f.categorie or "", f.refused)
                      for f in diagram.flows]
    # R12: the reclassering is a justice party and is marked; Wjsg data keeps its tag (R17)
    justice = [g for g in svg.iter(f"{SVG}g") if g.get("data-node") == "reclassering"]
    assert justice and "justitie" in justice[0].get("class").split()
    assert any(g.get("data-regime") == "Wjsg" and g.get("data-special") == "strafrechtelijk"
               for g in svg.iter(f"{SVG}g"))


def test_refused_flows_are_drawn_apart(db_url: str, cases: dict[str, tuple[str, str]]) -> None:
    from wams.reports import flows

    diagram = _diagram(db_url, *cases["voorwaarde"])
    assert diagram.refused and diagram.allowed
    layout = flows.layout(diagram)
    below = layout["separator"]
    assert below is not None
    for row in layout["rows"]:
        assert (row["y"] > below) == row["flow"].refused


# -- the citizen's access report --------------------------------------------------------------

#: English words that must not appear in a page for a Dutch citizen
ENGLISH = {"the", "and", "case", "step", "allowed", "refused", "consult", "provide", "collect",
           "change", "destroy", "data", "subject", "status", "none", "null", "true", "false",
           "report", "processing", "purpose", "recipient", "source", "actor", "ok"}


def _codes() -> set[str]:
    """Every internal code a citizen must never read."""
    from wams.core.law.reasons import REASONS
    from wams.core.law.steps import STEPS
    from wams.core.plugins import load_catalogue

    catalogue = load_catalogue()
    return ({c for c in REASONS if c != "ok"} | {s for s in STEPS if "_" in s}
            | set(catalogue.categories) | set(catalogue.party_kinds) | set(catalogue.services))


def test_citizen_report_is_plain_dutch_and_logged(
        db_url: str, cases: dict[str, tuple[str, str]], tmp_path: Path) -> None:
    gemeente, case_id = cases["reclassering"]
    before = _log(db_url, gemeente, case_id)
    out = tmp_path / "inzage.html"
    result = _report(db_url, "inzage", "--gemeente", gemeente, "--bsn", RECLASSERING_BSN,
                     "--verzoek", "AVG-2027-14", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "bevat persoonsgegevens" in result.stderr
    html = out.read_text(encoding="utf-8")
    tree = _check_page(html)
    text = visible_text(html)
    assert tree.find(".//section[@data-case]") is not None
    assert "Uw gegevens" in text and "Autoriteit Persoonsgegevens" in text
    # no reason code, step, category or party-kind code; no rule id; no English
    lowered = text.lower()
    leaked = sorted(c for c in _codes() if re.search(rf"(?<![\w.]){re.escape(c)}(?![\w])",
                                                      lowered))
    assert leaked == []
    assert re.search(r"\bR\d{2}\b", text) is None
    words = set(re.findall(r"[a-zà-ÿ]+", lowered))
    assert words & ENGLISH == set()
    # B1: short sentences in the explanation the page itself writes
    sentences = [s for s in re.split(r"(?<=[.?!])\s+", " ".join(
        p.text or "" for p in tree.iter("p"))) if s.strip()]
    lengths = [len(s.split()) for s in sentences]
    assert max(lengths) <= 25 and sum(lengths) / len(lengths) <= 14
    # the processings are there, and giving the report was logged with its file (R36)
    rows = tree.findall(".//tbody/tr")
    assert len(rows) >= len(before)
    from wams.api import Wams
    from wams.core.privacy.inzage import reference_in_log

    with Wams.open(db_url) as w:
        again = w.inzage_persoon(gemeente, bsn=RECLASSERING_BSN, actor="test", verzoek="AVG-2")
        # The log keeps the reference and the file as a keyed digest: found by whoever knows
        # them, never in clear (a path or a reference may name the person).
        logged = reference_in_log(w.engine, gemeente, "AVG-2027-14 (overzicht opgeslagen in "
                                                      f"bestand {out.resolve()})")
    doelen = [v["doel"] for v in again["verwerkingen"]]
    assert logged in doelen and not any(str(out.resolve()) in d for d in doelen), doelen


def test_citizen_report_of_a_destroyed_case_keeps_only_the_log(
        db_url: str, cases: dict[str, tuple[str, str]], tmp_path: Path) -> None:
    from wams.api import Wams
    from wams.reports.inzage import inzage_report

    gemeente, _ = cases["vernietigd"]
    with Wams.open(db_url) as w:
        html = inzage_report(w, gemeente, bsn="757491182", actor="balie", verzoek="AVG-9")
    text = visible_text(html)
    assert "Dit dossier is vernietigd" in text
    assert "Pieters" not in html and "Jolanda" not in html
    # what the casusoverleg gave her is told as given to her, not as her access report; after
    # destruction nobody can tell which participant was a party, but a request always went to
    # an organisation
    assert "gaf deze gegevens aan u." in text
    assert "De gemeente vroeg een organisatie om deze gegevens" in text
    assert "jolanda" not in text and "kredietbank" not in text
    strict_html(html)


# -- the scenario run report ------------------------------------------------------------------


def test_scenario_run_html_has_an_index_per_law_and_a_page_per_scenario(
        tmp_path: Path) -> None:
    bad = tmp_path / "lib" / "wmo" / "fout.yaml"
    bad.parent.mkdir(parents=True)
    source = (LIBRARY / "kern" / "r16-voorwaarde-geen-doorverstrekking.yaml").read_text(
        encoding="utf-8")
    bad.write_text(source.replace("verwacht: {toegestaan: nee", "verwacht: {toegestaan: ja",
                                  1), encoding="utf-8")
    assert bad.read_text(encoding="utf-8") != source
    good = tmp_path / "lib" / "kern" / "goed.yaml"
    good.parent.mkdir()
    good.write_text(source, encoding="utf-8")
    out = tmp_path / "html"
    result = CliRunner().invoke(cli, ["scenario", "run", str(tmp_path / "lib"),
                                      "--html", str(out)])
    assert result.exit_code == 1
    assert f"rapport: {out / 'index.html'}" in result.stderr
    pages = sorted(p.name for p in out.iterdir())
    assert pages == ["index.html", "kern--goed.html", "wmo--fout.html"]
    for page in pages:
        _check_page((out / page).read_text(encoding="utf-8"))
    index = strict_html((out / "index.html").read_text(encoding="utf-8"))
    laws = {tr.get("data-law"): [td.text for td in tr.findall("td")[1:6]]
            for tr in index.findall(".//tr[@data-law]")}
    steps = len(re.findall(r"^  - ", source, re.M))
    assert laws["kern"][:2] == ["1", "1"] and laws["wmo"][:2] == ["1", "0"]
    assert int(laws["kern"][2]) == steps
    assert int(laws["kern"][3]) + int(laws["kern"][4]) == steps
    failing = (out / "wmo--fout.html").read_text(encoding="utf-8")
    assert "verwachting niet gehaald" in failing
    assert "verwachting niet gehaald" not in (out / "kern--goed.html").read_text(
        encoding="utf-8")


def test_demo_html_covers_the_bundled_library(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = CliRunner().invoke(cli, ["demo", "--db", f"sqlite:///{tmp_path / 'd.db'}",
                                      "--html", str(out)])
    assert result.exit_code == 0, result.output
    library = sorted(LIBRARY.rglob("*.yaml"))
    assert len(list(out.glob("*--*.html"))) == len(library)
    index = strict_html((out / "index.html").read_text(encoding="utf-8"))
    assert {tr.get("data-law") for tr in index.findall(".//tr[@data-law]")} == \
        {p.parent.name for p in library}


# -- the content-free reads the reports are built on -------------------------------------------


def test_content_free_reads_stay_inside_their_municipality(
        db_url: str, cases: dict[str, tuple[str, str]]) -> None:
    from wams.api import Wams
    from wams.core.errors import InputError, WamsError

    gemeente, case_id = cases["voorwaarde"]
    with Wams.open(db_url) as w:
        before = len(w.case_log(gemeente, case_id))
        for read in (w.case_summary, w.case_steps, w.case_log, w.case_parties):
            with pytest.raises(WamsError, match="andere gemeente"):
                read("0599", case_id)
            with pytest.raises(InputError, match="bestaat niet"):
                read(gemeente, "geen-casus")
        steps = w.case_steps(gemeente, case_id)
        assert [s["allowed"] for s in steps].count(False) >= 1
        assert all("content" not in s for s in steps)
        assert w.case_parties(gemeente, case_id) == {
            "huisarts": "aanpalend.huisarts", "kredietbank": "wgs.schuldhulpverlener",
            "wijkteam": "wmo.wijkteam"}
        # none of them is a consult of the dossier
        assert len(w.case_log(gemeente, case_id)) == before


@pytest.mark.parametrize("rol", ["medewerker", "fg"])
def test_a_report_for_enforcement_or_by_nobody_is_refused_for_every_reader(
        db_url: str, cases: dict[str, tuple[str, str]], tmp_path: Path, rol: str) -> None:
    """R20 and R36 hold for the report as for the reads it is built on, also where the
    dossier itself is not opened (the privacy officer's report)."""
    gemeente, case_id = cases["voorwaarde"]
    before = _log(db_url, gemeente, case_id)
    out = tmp_path / "x.html"
    for actor, doel in (("anna", "opsporing van uitkeringsfraude"), ("anna", " "),
                        (" ", "casusbespreking")):
        result = _report(db_url, "case", "--gemeente", gemeente, case_id, "--actor", actor,
                         "--doel", doel, "--rol", rol, "-o", str(out))
        assert result.exit_code == 2, (doel, result.output)
        assert len(result.stderr.strip().splitlines()) == 1
        assert not out.exists()
    assert _log(db_url, gemeente, case_id) == before
