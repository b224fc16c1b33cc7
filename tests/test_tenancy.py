"""Quality C5 / R38: every read path, tried from a second municipality, shows nothing of the
first. The first municipality gets a rich dossier (a case with a gezinslid, data, a
werkplan, a melding, a betrokkenheid); then each read path of the API and the CLI is asked from
0363, and its whole output is searched for anything that identifies 0599's data."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from click.testing import CliRunner

from wams.cli import cli
from wams.core import commands as c
from wams.core.engine import Refused
from wams.core.model import Partij, Persoon

OURS, THEIRS = "0599", "0363"
JAN = Persoon("jan", geboortedatum=dt.date(1985, 4, 12), naam="Jan Veenstra", bsn="111222333")
EMMA = Persoon("emma", rol="gezinslid", relatie="kind", geboortedatum=dt.date(2013, 9, 1))
KB = Partij("kredietbank", "wgs.schuldhulpverlener")
RECLASSERING = Partij("reclassering", "aanpalend.reclassering")


def _dossier(w: Any) -> dict[str, Any]:
    d = w.hulpvraag(OURS, wet="participatiewet", client=JAN, vraag="bijstand",
                    aanleiding="achterstanden")
    cid = d.case_id
    assert w.domein(OURS, cid, domein="schuldhulp", reden="achterstanden", client_akkoord=True)
    assert w.gezinslid(OURS, cid, persoon=EMMA, samenhang="thuissituatie")
    assert w.vraag_gegevens(OURS, cid, bij=KB, categorie="wgs.schuldenoverzicht", over="jan",
                            doel="onderzoek", toelichting="zicht op schulden",
                            noodzaak="schuldhulp nodig?")
    assert w.verstrekking(OURS, cid, bij="kredietbank", categorie="wgs.schuldenoverzicht",
                          over="jan", besluit="verstrekt")
    assert w.dienst(OURS, cid, persoon="jan", dienst="participatiewet.algemene_bijstand",
                    status="lopend")
    assert w.dienst(OURS, cid, persoon="emma", dienst="wgs.budgetbeheer", status="benodigd")
    assert w.melding(OURS, melder=c.Melder("burger", "Buurvrouw Bep"), over=JAN,
                     zorg="vervuilde woning")
    assert w.betrokkenheid(OURS, partij=RECLASSERING, persoon=JAN,
                           dienst="aanpalend.reclasseringstoezicht")
    w.case(OURS, cid, actor="consulent", purpose="behandeling")
    with w.engine.unit_of_work(OURS) as uow:
        rows = uow.store.conn.exec_driver_sql(
            "SELECT DISTINCT subject FROM processing_log WHERE gemeente = '0599'").fetchall()
    # Anything of these in another municipality's output is a leak.
    return {"case_id": cid, "secrets": [cid, JAN.naam, JAN.bsn, "1985-04-12", "Buurvrouw Bep",
                                        "vervuilde woning", *(r[0] for r in rows)]}


def _no_leak(output: object, secrets: list[str]) -> None:
    text = output if isinstance(output, str) else json.dumps(output, default=str)
    for secret in secrets:
        assert secret not in text, f"{secret!r} of {OURS} seen from {THEIRS}"


def test_api_read_paths_across_municipalities(wams: Any) -> None:
    w = wams
    ours = _dossier(w)
    secrets, cid = ours["secrets"], ours["case_id"]
    assert w.cases(THEIRS) == []
    with pytest.raises(Refused) as refused:
        w.case(THEIRS, cid, actor="x", purpose="behandeling")
    assert refused.value.decision.code == "tenant.mismatch"
    for step in (c.Inzage("jan"), c.Inzage(JAN), c.Export("evaluatie")):
        d = w.execute(THEIRS, cid, step)
        assert (d.allowed, d.code, d.report) == (False, "tenant.mismatch", None)
    report = w.inzage_persoon(THEIRS, bsn=JAN.bsn, actor="x", verzoek="AVG-1")
    assert report["casussen"] == [] and report["verwerkingen"] == []
    _no_leak({k: v for k, v in report.items() if k != "betrokkene"}, secrets)
    # Outside a case too: an inzage step in 0363 about the same BSN finds nothing of 0599.
    d = w.execute(THEIRS, None, c.Inzage(JAN))
    # Only 0363's own inzage of a moment ago is there.
    assert d.allowed
    assert {r["handeling"] for r in d.report["verwerkingen"]} <= {"inzage:verstrekken"}
    _no_leak(d.report, secrets)
    assert w.meldingen(THEIRS) == []
    _no_leak(list(w.log_records(gemeente=THEIRS)), secrets)
    _no_leak(w.register(THEIRS), secrets)
    assert w.retention_run(THEIRS, dry_run=True) == []
    # A verzoek from 0363 cannot lean on 0599's betrokkenheid (R06 per municipality).
    d = w.verzoek(THEIRS, partij=RECLASSERING, client=JAN, onderbouwing="zorgen",
                  indicatoren=["veiligheid"], helpt="afstemming")
    assert d.code == "verzoek.party_not_involved"


def test_cli_read_paths_across_municipalities(wams: Any, db_url: str) -> None:
    ours = _dossier(wams)
    secrets, cid = ours["secrets"], ours["case_id"]
    runner = CliRunner()
    calls = [
        ["case", "list", "--db", db_url, "--gemeente", THEIRS],
        ["inzage", "--db", db_url, "--gemeente", THEIRS, "--bsn", JAN.bsn, "--verzoek", "AVG-7",
         "--format", "json"],
        ["log", "export", "--db", db_url, "--gemeente", THEIRS],
        ["register", "--db", db_url, "--gemeente", THEIRS, "--format", "json"],
        ["retention", "run", "--db", db_url, "--gemeente", THEIRS, "--dry-run"],
        ["audit", "verify", "--db", db_url, "--gemeente", THEIRS],
    ]
    for args in calls:
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 0, (args, result.output)
        _no_leak(result.output, [s for s in secrets if s != cid or args[0] != "audit"])
    shown = runner.invoke(cli, ["case", "show", "--db", db_url, "--gemeente", THEIRS, cid,
                                "--actor", "x", "--doel", "behandeling"])
    assert shown.exit_code == 2
    _no_leak(shown.output, secrets[1:])
