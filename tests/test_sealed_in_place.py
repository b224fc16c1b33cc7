"""A DBA with write access and no keys moves sealed values around or puts old ones back.

Every sealed value is bound to its place (municipality, table, row, column, and a case's
version: ``wams.core.privacy.places``), so the engine refuses each of these on read, before it
decides anything, and nothing is written. Raw SQL on both backends, no key used by the
attacker; the control (the same reads before the tampering) shows the reads themselves work.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from click.testing import CliRunner

from tests.helpers import WIJKTEAM, G, ok, raw_sql
from wams.cli import cli
from wams.core import commands as c
from wams.core.errors import TamperedError
from wams.core.model import Persoon
from wams.core.privacy import places
from wams.core.privacy.sealing import SealError

JAN = Persoon(ref="jan", rol="client", bsn="123456782", naam="Jan Plaats",
              geboortedatum=dt.date(1985, 4, 12))
EVA = Persoon(ref="eva", bsn="987654317", naam="Eva Buur", geboortedatum=dt.date(1990, 3, 3))


def route_a(w: Any) -> str:
    d = ok(w.hulpvraag(G, wet="participatiewet", client=JAN, vraag="algemene bijstand",
                       aanleiding="noemt betalingsachterstanden"))
    assert d.case_id is not None
    return str(d.case_id)


def _history_count(db_url: str) -> int:
    return int(raw_sql(db_url, "SELECT count(*) FROM history")[0][0])


def _entry(db_url: str, cid: str, step: str) -> int:
    [(n,)] = raw_sql(db_url, "SELECT chain_n FROM history WHERE case_id = :c AND step = :s "
                          "AND allowed = :t", c=cid, s=step, t=True)
    return int(n)


def _dienst(w: Any, cid: str) -> Any:
    return w.dienst(G, cid, persoon="jan", dienst="wgs.budgetbeheer", status="benodigd")


def test_an_older_state_put_back_over_a_case_is_refused(open_wams: Any, db_url: str) -> None:
    """The objection the issue names: the case from before ``bezwaar`` restored by hand would
    let the next step through. Put back alone, the state was sealed for an older version of
    the row; put back with its version and phase, the row is not the one the case's latest
    history entry committed to. Either way the step and the access report are refused."""
    w = open_wams()
    cid = route_a(w)
    [before] = raw_sql(db_url, "SELECT state, version, phase FROM cases WHERE id = :c", c=cid)
    ok(w.bezwaar(G, cid, persoon="jan"))
    assert not _dienst(w, cid).allowed  # control: the objection holds
    [(version,)] = raw_sql(db_url, "SELECT version FROM cases WHERE id = :c", c=cid)
    with w.engine.unit_of_work(G) as uow:  # the state alone, at the current version
        with pytest.raises(SealError, match="teruggezet"):
            uow.unseal(before.state, places.case_state(G, cid, version))
        assert uow.unseal(before.state, places.case_state(G, cid, before.version))
    w.close()
    entries = _history_count(db_url)
    for restore in ("UPDATE cases SET state = :s WHERE id = :c",
                    "UPDATE cases SET state = :s, version = :v, phase = :p WHERE id = :c"):
        raw_sql(db_url, restore, s=before.state, v=before.version, p=before.phase, c=cid)
        w = open_wams()
        with pytest.raises(TamperedError, match="teruggezet"):
            _dienst(w, cid)
        with pytest.raises(TamperedError):
            w.inzage_persoon(G, bsn=JAN.bsn, actor="balie", verzoek="AVG-1")
        w.close()
        assert _history_count(db_url) == entries  # refused before anything was decided


def test_sealed_values_moved_between_rows_of_one_key_are_refused(open_wams: Any,
                                                                 db_url: str) -> None:
    """Within one case (one data key): an entry's content onto another entry, a log record's
    purpose onto another log record, an entry's content into the case row."""
    w = open_wams()
    cid = route_a(w)
    ok(w.informeer(G, cid, personen=["jan"], wijze="brief"))
    ok(w.bezwaar(G, cid, persoon="jan"))
    w.case(G, cid, actor="x", purpose="behandeling", toelichting="eerste blik")
    w.case(G, cid, actor="x", purpose="behandeling", toelichting="tweede blik")
    report = w.inzage_persoon(G, bsn=JAN.bsn, actor="balie", verzoek="AVG-1")  # control
    assert len(report["casussen"][0]["gebeurtenissen"]) == 2
    assert {r["purpose"] for r in w.case_log(G, cid)} >= {"behandeling (eerste blik)"}
    w.close()
    informeer, bezwaar = _entry(db_url, cid, "informeer"), _entry(db_url, cid, "bezwaar")
    # The objection's content onto the entry of informing: one more "event" for the report.
    raw_sql(db_url, "UPDATE history SET content = (SELECT content FROM history h WHERE "
                 "h.case_id = :c AND h.chain_n = :b) WHERE case_id = :c AND chain_n = :i",
         c=cid, b=bezwaar, i=informeer)
    w = open_wams()
    with pytest.raises(SealError, match="history"):
        w.inzage_persoon(G, bsn=JAN.bsn, actor="balie", verzoek="AVG-2")
    w.close()

    reads = raw_sql(db_url, "SELECT id FROM processing_log WHERE case_id = :c AND "
                         "operation = 'consult' ORDER BY id", c=cid)
    first, second = reads[0][0], reads[-1][0]
    raw_sql(db_url, "UPDATE processing_log SET purpose = (SELECT purpose FROM processing_log l "
                 "WHERE l.id = :a) WHERE id = :b", a=first, b=second)
    w = open_wams()
    with pytest.raises(SealError, match="processing_log"):
        w.case_log(G, cid)
    w.close()

    raw_sql(db_url, "UPDATE cases SET state = (SELECT content FROM history h WHERE "
                 "h.case_id = :c AND h.chain_n = :b) WHERE id = :c", c=cid, b=bezwaar)
    w = open_wams()
    with pytest.raises(TamperedError):
        w.case(G, cid, actor="x", purpose="behandeling")
    w.close()
    result = CliRunner().invoke(cli, ["inzage", "--db", db_url, "--gemeente", G, "--bsn",
                                      JAN.bsn, "--verzoek", "V-9"])
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output


def test_a_record_moved_with_its_data_key_is_refused(open_wams: Any, db_url: str) -> None:
    """A value together with its data key onto another record (another case, another
    melding): it authenticates under its key, but not at the other row."""
    w = open_wams()
    a, b = route_a(w), route_a(w)
    ok(w.melding(G, melder=c.Melder("burger", "Buurman"), over=JAN, zorg="post stapelt op"))
    ok(w.melding(G, melder=c.Melder("burger", "Buurman"), over=EVA, zorg="geen verwarming"))
    [m_jan, m_eva] = [m["melding"] for m in w.meldingen(G)]
    w.close()
    raw_sql(db_url, "UPDATE cases SET (state, data_key) = (SELECT state, data_key FROM cases o "
                 "WHERE o.id = :a) WHERE id = :b", a=a, b=b)
    raw_sql(db_url, "UPDATE meldingen SET (content, data_key) = (SELECT content, data_key FROM "
                 "meldingen o WHERE o.id = :j) WHERE id = :e", j=m_jan, e=m_eva)
    w = open_wams()
    with pytest.raises(TamperedError):
        w.case(G, b, actor="x", purpose="behandeling")
    w.case(G, a, actor="x", purpose="behandeling")  # the original still reads
    with pytest.raises(SealError, match="meldingen"):
        w.melding_doorgeven(G, m_eva, aan=WIJKTEAM, doel="melding_onderzoeken",
                            reden="contact opnemen")
    w.close()


def test_plain_text_where_a_sealed_value_belongs_is_refused_on_read(open_wams: Any,
                                                                    db_url: str) -> None:
    """A DBA writes text of his own making, in clear, where a sealed value belongs: the
    content of a history entry (an event of the access report), a melding's content."""
    w = open_wams()
    cid = route_a(w)
    ok(w.informeer(G, cid, personen=["jan"], wijze="brief"))
    ok(w.melding(G, melder=c.Melder("burger", "Buurman"), over=EVA, zorg="geen verwarming"))
    [m] = [m["melding"] for m in w.meldingen(G)]
    w.close()
    informeer = _entry(db_url, cid, "informeer")
    raw_sql(db_url, "UPDATE history SET content = :t WHERE case_id = :c AND chain_n = :n",
         t='{"command": {"personen": []}}', c=cid, n=informeer)
    raw_sql(db_url, "UPDATE meldingen SET content = :t WHERE id = :m",
         t='{"over": {"ref": "eva"}, "zorg": "verzonnen"}', m=m)
    w = open_wams()
    with pytest.raises(SealError, match="onversleutelde tekst"):
        w.inzage_persoon(G, bsn=JAN.bsn, actor="balie", verzoek="AVG-3")
    with pytest.raises(SealError, match="onversleutelde tekst"):
        w.melding_doorgeven(G, m, aan=WIJKTEAM, doel="melding_onderzoeken",
                            reden="contact opnemen")
    w.close()
