"""Privacy operations on both backends: log export (Logboek), inzage (AVG art. 15), the
retention run (R33, quality C7), the meldpunt (R34, R35) and the CLI over them. The register
(AVG art. 30) has its own file: tests/test_register_versions.py."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from tests.helpers import assert_chain_intact, register_validator, unsealed
from wams.core import commands as c
from wams.core.model import Partij, Persoon
from wams.core.privacy import inzage, logexport

G = "0599"

JAN = Persoon("jan", bsn="123456782", naam="Jan Jansen", geboortedatum=dt.date(1985, 4, 12))
EVA = Persoon("eva", rol="gezinslid", relatie="dochter", bsn="987654317", naam="Eva Jansen",
              geboortedatum=dt.date(2012, 9, 30))
MEHMET = Persoon("mehmet", bsn="111222333", naam="Mehmet Yilmaz",
                 geboortedatum=dt.date(1966, 11, 2))
MELDER = "Piet Pietersen-Melder"
SECRETS = ("123456782", "Jan Jansen", "1985-04-12", "12-04-1985", "987654317", "Eva Jansen",
           "2012-09-30", MELDER)


def _rows(w: Any, sql: str) -> list[Any]:
    with w.engine.db.connect() as conn:
        return conn.execute(sa.text(sql)).all()


def _route_a(w: Any) -> str:
    d = w.hulpvraag(G, wet="participatiewet", client=JAN, vraag="algemene bijstand",
                    aanleiding="noemt betalingsachterstanden")
    assert d.allowed, d
    assert w.domein(G, d.case_id, domein="schuldhulp", reden="achterstanden",
                    client_akkoord=True).allowed
    assert w.gezinslid(G, d.case_id, persoon=EVA, samenhang="schoolverzuim door onrust thuis")
    return d.case_id


def _route_b(w: Any) -> str:
    zorg = Partij("zorgaanbieder", "wmo.zorgaanbieder")
    assert w.betrokkenheid(G, partij=zorg, persoon=MEHMET, dienst="wmo.maatwerkvoorziening")
    d = w.verzoek(G, partij=zorg, client=MEHMET,
                  onderbouwing="afsluiting van gas en licht dreigt; vermijdt alle post",
                  indicatoren=["basisbehoeften", "zorgmijding"],
                  helpt="schuldhulp en begeleiding samen voorkomen afsluiting")
    assert d.allowed, d
    case_id = d.case_id
    assert w.besluit_verzoek(G, case_id, gegrond=True, motivering="dreigende afsluiting",
                             werkinstructie="werkinstructie v1.1",
                             indicatoren=["basisbehoeften"]).allowed
    assert w.informeer(G, case_id, personen=["mehmet"], wijze="brief").allowed
    assert w.bezwaar(G, case_id, persoon="mehmet").allowed
    return case_id


def _close(w: Any, case_id: str) -> None:
    assert w.sluit(G, case_id, terugvalafspraken="bel het wijkteam bij nieuwe achterstand",
                   reden="cliënt verhuist")


# -- log export -------------------------------------------------------------------------------


def test_log_export_is_logboek_shaped_and_holds_no_personal_data(wams: Any) -> None:
    case_id = _route_a(wams)
    wams.melding(G, melder=c.Melder("burger", MELDER), over=JAN, zorg="post stapelt zich op")
    wams.case(G, case_id, actor="medewerker", purpose="behandeling")
    out = list(logexport.lines(wams.engine.db))
    assert len(out) == _rows(wams, "select count(*) from processing_log")[0][0] >= 5
    text = "\n".join(out)
    for secret in SECRETS:
        assert secret not in text, secret
    for line in out:
        rec = json.loads(line)
        assert re.fullmatch(r"[0-9a-f]{32}", rec["trace_id"])
        assert re.fullmatch(r"[0-9a-f]{16}", rec["span_id"])
        assert re.fullmatch(r"[0-9a-f]{16}", rec["parent_span_id"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", rec["start_time"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", rec["end_time"])
        assert rec["status"] == "Ok" and "status_code" not in rec
        assert rec["name"]
        assert rec["resource"]["attributes"]["service.name"] == "wams"
        assert rec["resource"]["attributes"]["wams.gemeente"] == G
        a = rec["attributes"]
        # 1.0.0: only established namespaces; wams' own context is in the audit profile
        assert set(a) == {"dpl.core.processing_activity_id", "dpl.core.data_subject_id",
                          "dpl.core.data_subject_id_type"}
        assert re.fullmatch(rf"urn:wams:{G}:verwerkingsactiviteit:[a-z_.]+:v\d+",
                            a["dpl.core.processing_activity_id"])
        assert re.fullmatch(r"[0-9a-f]{16}:[0-9a-f]{32}", a["dpl.core.data_subject_id"])
    audit = {r["span_id"]: r for r in wams.log_records(profile="audit")}
    assert all(audit[json.loads(x)["span_id"]]["gemeente"] == G for x in out)
    assert all("art. 6" in audit[json.loads(x)["span_id"]]["legal_basis"] for x in out)
    consults = [json.loads(x) for x in out if json.loads(x)["name"] == "raadplegen:raadplegen"]
    # Who acted is not in the record itself: the audit profile links it by span id.
    users = {a["span_id"]: a["user"] for a in wams.log_records(profile="audit")}
    assert {users[r["span_id"]] for r in consults} == {"medewerker"}
    assert "medewerker" not in "".join(out)


def test_log_export_filters_by_gemeente_and_date(open_wams: Any, clock: Any) -> None:
    w = open_wams()
    _route_a(w)
    w.hulpvraag("0363", wet="wmo", client=Persoon("kees"), vraag="hulp bij het huishouden")
    clock.set(dt.date(2027, 3, 1))
    w.hulpvraag(G, wet="wmo", client=Persoon("ans"), vraag="begeleiding")
    every = list(logexport.records(w.engine.db))
    ours = list(logexport.records(w.engine.db, gemeente=G))
    later = list(logexport.records(w.engine.db, gemeente=G, since=dt.date(2027, 2, 15)))
    assert {r["resource"]["attributes"]["wams.gemeente"] for r in every} == {G, "0363"}
    assert ours and all(r["resource"]["attributes"]["wams.gemeente"] == G for r in ours)
    assert len(later) == 1 and later[0]["start_time"].startswith("2027-03-01")
    assert [r["span_id"] for r in w.log_records(gemeente=G)] == [r["span_id"] for r in ours]


# -- inzage -----------------------------------------------------------------------------------


def test_inzage_across_cases_with_objection_and_informing(wams: Any) -> None:
    a = _route_a(wams)
    b = _route_b(wams)
    # Mehmet also turns up in a route A case later: one report covers both.
    d = wams.hulpvraag(G, wet="wgs", client=MEHMET, vraag="schulden regelen")
    assert d.allowed
    before = _rows(wams, "select count(*) from processing_log")[0][0]
    report = wams.inzage_persoon(G, bsn=MEHMET.bsn, actor="medewerker",
                                 verzoek="AVG-2027-014")
    assert [c_["casus"] for c_ in report["casussen"]] == [b, d.case_id]
    route_b = report["casussen"][0]
    assert route_b["geinformeerd"] is True and route_b["bezwaar"] == "pending"
    assert [e["wat"].split(" (")[0] for e in route_b["gebeurtenissen"]] == [
        "geïnformeerd over de voorgenomen verwerking en de AVG-rechten",
        "verzoek om de verwerking te stoppen"]
    assert a not in {c_["casus"] for c_ in report["casussen"]}
    for v in report["verwerkingen"]:
        assert v["wanneer"] and v["doel"] and v["grondslag"] and v["door"]
    assert {v["casus"] for v in report["verwerkingen"]} >= {b, d.case_id}
    # Giving the report is a processing too.
    after = _rows(wams, "select count(*) from processing_log")[0][0]
    assert after == before + 1
    last = _rows(wams, "select operation, activity_id, recipient, case_id from processing_log "
                       "order by id desc")[0]
    assert last[0] == "provide" and ":inzage:" in last[1] and last[2] == "betrokkene"
    text = inzage.render_nl(report)
    assert "R08" in text and "R09" in text and b in text and "verzamelen" in text
    assert MEHMET.bsn not in text and MEHMET.naam not in json.dumps(report)
    # By ref, for a person without a BSN; another municipality sees nothing (R38).
    ans = wams.hulpvraag(G, wet="wmo", client=Persoon("ans"), vraag="begeleiding").case_id
    assert len(wams.inzage_persoon(G, ref="ans", case_id=ans, actor="x",
                                   verzoek="y")["casussen"]) == 1
    other = wams.inzage_persoon("0363", bsn=MEHMET.bsn, actor="x", verzoek="y")
    assert other["casussen"] == [] and other["verwerkingen"] == []


def test_inzage_needs_one_identifier_and_the_request(wams: Any) -> None:
    from wams.core.errors import InputError

    for kwargs in ({}, {"bsn": JAN.bsn, "ref": "x"}, {"ref": "x"}, {"bsn": "1"}):
        with pytest.raises(InputError):
            wams.inzage_persoon(G, actor="a", verzoek="b", **kwargs)
    with pytest.raises(InputError):
        wams.inzage_persoon(G, bsn=JAN.bsn, actor="a", verzoek=" ")
    with pytest.raises(TypeError):  # a free purpose is not a parameter at all (Revision 2)
        wams.inzage_persoon(G, bsn=JAN.bsn, actor="a", purpose="opsporing")  # type: ignore


# -- retention run ----------------------------------------------------------------------------


def _snapshot(w: Any) -> tuple[Any, ...]:
    return (_rows(w, "select id, phase, state, version from cases order by id"),
            _rows(w, "select seq, content, entry_hash from history order by seq"),
            _rows(w, "select count(*) from processing_log"),
            _rows(w, "select count(*) from destruction_proofs"))


def test_retention_run_dry_run_then_real(open_wams: Any, clock: Any) -> None:
    w = open_wams()
    a = _route_a(w)
    _close(w, a)
    running = w.hulpvraag(G, wet="wmo", client=Persoon("ans"), vraag="begeleiding").case_id
    w.set_setting("0363", "bewaartermijn_maanden", 24)
    other = w.hulpvraag("0363", wet="wmo", client=Persoon("kees"), vraag="hulp").case_id
    assert w.sluit("0363", other, terugvalafspraken="x")
    clock.set(dt.date(2028, 2, 1))  # 12 months after closure: 0599 expired, 0363 not
    before = _snapshot(w)
    seen: list[tuple[int, int]] = []
    planned = w.retention_run(dry_run=True, progress=lambda n, t, _: seen.append((n, t)))
    assert [(p["gemeente"], p["case_id"]) for p in planned] == [(G, a)]
    assert planned[0]["verloopt_op"] == dt.date(2028, 2, 1)
    assert seen == [(1, 1)]
    assert _snapshot(w) == before  # a dry run changes nothing

    log_before = _rows(w, "select count(*) from processing_log")[0][0]
    done = w.retention_run(progress=lambda n, t, _: seen.append((n, t)))
    assert [d["vernietigd"] for d in done] == [True]
    phases = dict(_rows(w, "select id, phase from cases"))
    assert phases == {a: "vernietigd", running: "intake", other: "afgesloten"}
    proof = _rows(w, "select case_id, bewaartermijn_maanden, persons, actor "
                     "from destruction_proofs")
    with w.engine.unit_of_work(None) as uow:  # who acted: by pseudonym (register of actors)
        run = uow.keyed_digest("actor", "bewaartermijn", "0599")
    assert proof == [(a, 12, 2, run)]
    # The log is kept, plus one destroy record per person, as a single vernietig writes.
    destroyed = _rows(w, "select operation, actor from processing_log where case_id = "
                         f"'{a}' and operation = 'destroy'")
    assert len(destroyed) == 2 and {r[1] for r in destroyed} == {run}
    assert _rows(w, "select count(*) from processing_log")[0][0] == log_before + 2
    # Every earlier entry's content is gone (its key first); the vernietig entry carries none.
    assert _rows(w, f"select step, content from history where case_id = '{a}' "
                    "and content is not null") == []
    assert _rows(w, f"select data_key, state from cases where id = '{a}'")[0][0] is None
    assert_chain_intact(w)
    # The person can still get his access report (R36).
    report = w.inzage_persoon(G, bsn=JAN.bsn, actor="x", verzoek="AVG-1")
    assert report["casussen"][0]["vernietigd"] == "2028-02-01"
    assert w.retention_run() == []  # nothing left to do


def test_retention_run_scoped_to_one_gemeente(open_wams: Any, clock: Any) -> None:
    w = open_wams()
    mine = w.hulpvraag(G, wet="wmo", client=Persoon("ans"), vraag="begeleiding").case_id
    theirs = w.hulpvraag("0363", wet="wmo", client=Persoon("kees"), vraag="hulp").case_id
    _close(w, mine)
    assert w.sluit("0363", theirs, terugvalafspraken="x")
    clock.set(dt.date(2028, 6, 1))
    assert [d["case_id"] for d in w.retention_run("0363")] == [theirs]
    assert dict(_rows(w, "select id, phase from cases")) == {mine: "afgesloten",
                                                             theirs: "vernietigd"}


def test_c7_no_personal_data_in_sqlite_files_after_destruction(db_url: str, open_wams: Any,
                                                               clock: Any) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("C7 inspects the SQLite files")
    w = open_wams()
    a = _route_a(w)
    _close(w, a)
    path = Path(db_url.removeprefix("sqlite:///"))
    files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
    raw = b"".join(f.read_bytes() for f in files if f.exists())
    assert JAN.naam.encode() not in raw  # sealed from the start (tests/test_at_rest.py)
    assert b"data_keys" in raw
    clock.set(dt.date(2028, 3, 1))
    assert w.retention_run()[0]["vernietigd"]
    for when in ("open", "closed"):
        if when == "closed":
            w.close()
        raw = b"".join(f.read_bytes() for f in files if f.exists())
        for secret in ("123456782", "Jan Jansen", "1985-04-12", "12-04-1985", "19850412",
                       "987654317", "Eva Jansen", "2012-09-30"):
            assert secret.encode() not in raw, (when, secret)


# -- meldpunt ---------------------------------------------------------------------------------


def test_melder_identity_never_in_log_or_history(wams: Any) -> None:
    d = wams.melding(G, melder=c.Melder("burger", MELDER), over=JAN,
                     zorg="de post stapelt zich op")
    assert d.allowed and d.case_id is None
    assert _rows(wams, "select count(*) from cases")[0][0] == 0  # R35
    [m] = wams.meldingen(G)
    refused = wams.melding_doorgeven(G, m["melding"], aan=Partij("wijkteam", "wmo.wijkteam"),
    doel="melding_onderzoeken", reden=" ")
    assert not refused.allowed and refused.code == "reason.missing"
    assert "R34" in refused.rule_ids
    ok = wams.melding_doorgeven(G, m["melding"], aan=Partij("wijkteam", "wmo.wijkteam"),
    doel="melding_onderzoeken",
                                reden="contact opnemen voor een hulpvraag")
    assert ok.allowed and ok.report["zorg"] == "de post stapelt zich op"
    assert MELDER not in json.dumps(ok.report)
    with wams.engine.unit_of_work(G) as uow:  # the reason is sealed with the melding
        provide = [(r["operation"], r["recipient"], purpose, r["activity_id"], r["source"])
                   for r, purpose in unsealed(uow, "processing_log", lambda t: t.c.name.like(
                       "melding_doorgeven%"))]
    assert provide == [("provide", "wijkteam", "melding_onderzoeken",
                        f"urn:wams:{G}:verwerkingsactiviteit:meldpunt:v1", "meldpunt")]
    for row in _rows(wams, "select * from processing_log"):
        assert MELDER not in " ".join(str(v) for v in row)
    for content, decision in _rows(wams, "select content, decision from history"):
        assert MELDER not in (content or "") and MELDER not in decision
    [(naam,)] = _rows(wams, "select naam from melders")
    assert MELDER not in naam  # sealed under the melding's key
    with wams.engine.unit_of_work(G) as uow:
        assert [text for _, text in unsealed(uow, "melders")] == [MELDER]
    assert wams.meldingen(G)[0]["doorgegeven"] == 1
    # The meldpunt shows up in the person's access report, the reporter does not.
    report = wams.inzage_persoon(G, bsn=JAN.bsn, actor="x", verzoek="AVG-1")
    assert report["meldingen"][0]["melding"] == m["melding"]
    assert MELDER not in json.dumps(report)


def test_melding_doorgeven_stays_in_its_gemeente(wams: Any) -> None:
    from wams.core.errors import InputError

    wams.melding(G, melder=c.Melder("anoniem"), over=JAN, zorg="zorgen")
    [m] = wams.meldingen(G)
    with pytest.raises(InputError):
        wams.melding_doorgeven("0363", m["melding"], aan=Partij("wijkteam", "wmo.wijkteam"),
        doel="melding_onderzoeken", reden="contact")
    assert wams.meldingen("0363") == []


# -- CLI --------------------------------------------------------------------------------------


def _cli(*args: str) -> Any:
    from wams.cli.privacy import main

    return CliRunner().invoke(main, list(args))


def test_cli_privacy_commands(db_url: str, open_wams: Any, clock: Any) -> None:
    w = open_wams()
    a = _route_a(w)
    _close(w, a)
    w.close()

    exported = _cli("log", "export", "--db", db_url, "--gemeente", G)
    assert exported.exit_code == 0, exported.output
    assert all(json.loads(x)["resource"]["attributes"]["wams.gemeente"] == G
               for x in exported.output.splitlines())

    reg = _cli("register", "--db", db_url, "--gemeente", G, "--format", "json")
    assert reg.exit_code == 0, reg.output
    validator = register_validator()
    entries = json.loads(reg.output)[G]  # {gemeente: [versions]}, with or without --gemeente
    assert entries and all(not list(validator.iter_errors(e)) for e in entries)
    text = _cli("register", "--db", db_url, "--gemeente", G)
    assert "gemeentelijke keuze" in text.output and "P12M" in text.output

    shown = _cli("case", "show", "--db", db_url, "--gemeente", G, a, "--actor", "medewerker",
                 "--doel", "behandeling")
    assert shown.exit_code == 0 and "bezwaar (R09)" in shown.output
    listed = _cli("case", "list", "--db", db_url, "--gemeente", G)
    assert a in listed.output and "gemeentelijke keuze" in listed.output

    report = _cli("inzage", "--db", db_url, "--gemeente", G, "--bsn", JAN.bsn, "--verzoek",
                  "AVG-7", "--format", "json")
    assert report.exit_code == 0, report.output
    handelingen = [v["handeling"] for v in json.loads(report.output)["verwerkingen"]]
    assert "raadplegen:raadplegen" in handelingen  # case show was a logged read

    dry = _cli("retention", "run", "--db", db_url, "--dry-run")
    assert dry.exit_code == 0 and "geen casussen over de bewaartermijn" in dry.output

    bad = _cli("inzage", "--db", db_url, "--gemeente", "599", "--bsn", "1", "--verzoek", "AVG-7")
    assert bad.exit_code == 2 and len(bad.output.strip().splitlines()) == 1
    assert "Traceback" not in bad.output
    missing = _cli("case", "show", "--db", db_url, "--gemeente", G, "bestaatniet", "--actor",
                   "a", "--doel", "behandeling")
    assert missing.exit_code == 2 and "bestaat niet" in missing.output


def test_cli_case_show_reports_overdue_voortgang() -> None:
    from wams.core.law.voortgang import voortgang_status
    from wams.core.model import Casus, Coordinatie

    case = Casus(id="x", gemeente=G, route="A", wet="wmo", provision="p", phase="coordinatie",
                 opened_on=dt.date(2027, 1, 1))
    case.coordinator = Coordinatie("ambtenaar", "wijkteam", dt.date(2027, 1, 10))
    assert voortgang_status(case, dt.date(2027, 4, 10), 3)["te_laat"] is False
    assert voortgang_status(case, dt.date(2027, 4, 11), 3)["te_laat"] is True
    case.voortgang.append(dt.date(2027, 4, 1))
    assert voortgang_status(case, dt.date(2027, 4, 11), 3) == {
        "laatste": dt.date(2027, 4, 1), "uiterlijk": dt.date(2027, 7, 1), "te_laat": False}
