"""Who acted: a keyed pseudonym in every row that outlives a case, the name only in the register
of actors, sealed under a key of its own (both backends).

An insider with a copy of the database — raw SQL, the raw bytes of the SQLite file and its WAL,
a ``pg_dump``, PostgreSQL's heap files and ``pg_wal`` after a CHECKPOINT — finds no official's
name, while the case's steps, the access report and the audit profile of the log export still
name who acted and ``wams audit verify`` stays intact. Erasing an actor leaves the pseudonym and
an intact chain. A DBA who deletes a register row or its key, moves a sealed name onto another
actor's row or writes a name in clear is caught, never shown a wrong name.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from tests.helpers import G, ok, raw_sql
from tests.test_at_rest import PG_DUMP, _datadir, _files
from wams.cli import cli
from wams.core import commands as c
from wams.core.errors import TamperedError
from wams.core.model import Persoon

NAMING = ("history", "processing_log", "destruction_proofs")


class Officials:
    """Unique names per run (a shared server's WAL holds other databases' writes too)."""

    def __init__(self) -> None:
        tag = uuid.uuid4().hex[:8]
        self.opener = f"Pieterjan{tag} Ambtenaarsma"
        self.reader = f"Klaasje{tag} Kijker"
        self.inzager = f"Ina{tag} Inzage"
        self.melder_actor = f"Mel{tag} Meldpunt"

    def all(self) -> list[str]:
        return [self.opener, self.reader, self.inzager, self.melder_actor]

    def fragments(self) -> list[str]:
        """The names and each first name alone (the unique part)."""
        return [*self.all(), *(n.split()[0] for n in self.all())]


def _run(w: Any, x: Officials, clock: Any) -> str:
    jan = Persoon(ref="jan", rol="client", bsn="123456782", naam="Jan Register",
                  geboortedatum=dt.date(1985, 4, 12))
    d = ok(w.hulpvraag(G, wet="participatiewet", client=jan, vraag="algemene bijstand",
                       aanleiding="noemt betalingsachterstanden", actor=x.opener))
    cid = str(d.case_id)
    w.case(G, cid, actor=x.reader, purpose="behandeling")
    ok(w.melding(G, melder=c.Melder("burger", "Buur"), over=jan, zorg="zorgen",
                 actor=x.melder_actor))
    w.inzage_persoon(G, bsn="123456782", actor=x.inzager, verzoek="V-1")
    ok(w.sluit(G, cid, terugvalafspraken="geen", reden="cliënt verhuist", actor=x.opener))
    return cid


def _pseudonyms_only(db_url: str, x: Officials) -> None:
    for table in NAMING:
        stored = {a for (a,) in raw_sql(db_url, f"SELECT DISTINCT actor FROM {table}")}
        assert all(a.startswith("hmac:") for a in stored), (table, stored)
    dumped = " ".join(str(r) for table in (*NAMING, "actors", "data_keys", "destroyed_rows")
                      for r in raw_sql(db_url, f"SELECT * FROM {table}"))
    assert not [f for f in x.fragments() if f in dumped]


def _search(raw: bytes, x: Officials, where: str) -> None:
    found = [f for f in x.fragments() if f.encode() in raw]
    assert not found, f"{where}: {found}"


def _raw_files(w: Any, db_url: str, x: Officials) -> None:
    """The raw bytes an insider copies: the SQLite file and its WAL (a reader open), or a
    pg_dump, the heap files and pg_wal after a CHECKPOINT."""
    url = sa.engine.make_url(db_url)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        _search(_files(path, Path(f"{path}-wal"), Path(f"{path}-shm")), x, "sqlite")
        return
    with w.engine.db.connect() as conn:
        conn.exec_driver_sql("CHECKPOINT")
        oid = conn.exec_driver_sql(
            "SELECT oid FROM pg_database WHERE datname = current_database()").scalar()
    dump = subprocess.run([PG_DUMP, "-h", url.host or "127.0.0.1", "-p", str(url.port or 5432),
                           "-U", url.username or "postgres", url.database or "postgres"],
                          capture_output=True, check=True).stdout
    assert b"actors" in dump  # the dump is real
    _search(dump, x, "pg_dump")
    datadir = _datadir()
    heap = sorted(p for p in (datadir / "base" / str(oid)).iterdir() if p.is_file())
    _search(_files(*heap), x, "heap files")
    for segment in sorted(p for p in (datadir / "pg_wal").iterdir() if p.is_file()):
        _search(segment.read_bytes(), x, f"pg_wal {segment.name}")


def _verify(db_url: str) -> Any:
    result = CliRunner().invoke(cli, ["audit", "verify", "--db", db_url])
    assert "interne fout" not in result.output and "Traceback" not in result.output
    return result


def test_no_officials_name_in_the_database_yet_every_report_names_who_acted(
        open_wams: Any, db_url: str, clock: Any) -> None:
    x = Officials()
    w = open_wams()
    cid = _run(w, x, clock)
    _pseudonyms_only(db_url, x)
    _raw_files(w, db_url, x)

    assert {s["actor"] for s in w.case_steps(G, cid)} == {x.opener}
    report = w.inzage_persoon(G, bsn="123456782", actor=x.inzager, verzoek="V-2")
    assert {x.opener, x.reader, x.melder_actor, x.inzager} <= \
        {v["door"] for v in report["verwerkingen"]}
    users = {r["user"] for r in w.log_records(gemeente=G, profile="audit")}
    assert {x.opener, x.reader, x.melder_actor, x.inzager} <= users
    # the Logboek records themselves carry no actor at all (the standard's record)
    assert not any("user" in r for r in w.log_records(gemeente=G))
    # one register entry per actor, each a sealed name under its own data key
    [(entries, keys)] = raw_sql(db_url, "SELECT count(*), count(DISTINCT data_key) FROM actors")
    assert entries == keys >= 4
    assert _verify(db_url).exit_code == 0

    # destruction: its proof names the actor by pseudonym too; the chain stays intact
    clock.set(dt.date(2040, 1, 1))
    w2 = open_wams(clock=clock)
    assert [i["case_id"] for i in w2.retention_run(G)] == [cid]
    _pseudonyms_only(db_url, x)
    assert raw_sql(db_url, "SELECT count(*) FROM destruction_proofs")[0][0] == 1
    assert {s["actor"] for s in w2.case_steps(G, cid)} == {x.opener, "bewaartermijn"}
    assert _verify(db_url).exit_code == 0


def test_an_erased_actor_stays_a_pseudonym_and_the_chain_stays_intact(
        open_wams: Any, db_url: str, clock: Any) -> None:
    x = Officials()
    w = open_wams()
    cid = _run(w, x, clock)
    [(pseudonym,)] = raw_sql(db_url, "SELECT DISTINCT actor FROM history WHERE case_id = :c "
                             "AND step = 'hulpvraag'", c=cid)
    [(data_key,)] = raw_sql(db_url, "SELECT data_key FROM actors WHERE pseudonym = :p",
                            p=pseudonym)
    w.close()
    run = CliRunner().invoke(cli, ["actor", "wis", "--db", db_url, "--gemeente", G,
                                   "--naam", x.opener, "--door", "fg"])
    assert run.exit_code == 0 and "1 vermelding gewist" in run.output, run.output
    assert raw_sql(db_url, "SELECT count(*) FROM actors WHERE pseudonym = :p",
                   p=pseudonym) == [(0,)]
    assert raw_sql(db_url, "SELECT count(*) FROM data_keys WHERE id = :k", k=data_key) == [(0,)]
    assert {t for (t,) in raw_sql(db_url, "SELECT row_table FROM destroyed_rows")} == \
        {"actors", "data_keys"}
    assert _verify(db_url).exit_code == 0

    w = open_wams()
    shown = {s["actor"] for s in w.case_steps(G, cid)}
    assert shown == {f"gewist uit het actorenregister ({pseudonym})"}
    report = w.inzage_persoon(G, bsn="123456782", actor=x.inzager, verzoek="V-3")
    doors = {v["door"] for v in report["verwerkingen"]}
    assert x.opener not in doors and f"gewist uit het actorenregister ({pseudonym})" in doors
    assert x.reader in doors  # the others keep their names
    again = CliRunner().invoke(cli, ["actor", "wis", "--db", db_url, "--gemeente", G,
                                     "--naam", x.opener, "--door", "fg"])
    assert again.exit_code == 0 and "geen actor" in again.output
    empty = CliRunner().invoke(cli, ["actor", "wis", "--db", db_url, "--gemeente", G,
                                     "--naam", " ", "--door", "fg"])
    assert empty.exit_code == 2 and "Traceback" not in empty.output


def test_a_register_row_deleted_moved_or_written_in_clear_is_caught(
        open_wams: Any, db_url: str, clock: Any) -> None:
    x = Officials()
    w = open_wams()
    cid = _run(w, x, clock)
    w.close()
    rows = {p: (k, n, chain_n) for p, k, n, chain_n in raw_sql(
        db_url, "SELECT pseudonym, data_key, naam, chain_n FROM actors")}
    [(opener,)] = raw_sql(db_url, "SELECT DISTINCT actor FROM history WHERE case_id = :c "
                          "AND step = 'hulpvraag'", c=cid)
    other = next(p for p in rows if p != opener)

    # another actor's sealed name moved onto the opener's row: refused, not a wrong name
    raw_sql(db_url, "UPDATE actors SET naam = :n WHERE pseudonym = :p", n=rows[other][1],
            p=opener)
    w = open_wams()
    with pytest.raises(TamperedError):
        w.case_steps(G, cid)
    # a name written in clear: refused as well
    raw_sql(db_url, "UPDATE actors SET naam = 'Iemand Anders' WHERE pseudonym = :p", p=opener)
    with pytest.raises(TamperedError, match="onversleutelde"):
        w.case_steps(G, cid)
    assert _verify(db_url).exit_code == 1  # the row differs from what its entry committed to
    raw_sql(db_url, "UPDATE actors SET naam = :n WHERE pseudonym = :p", n=rows[opener][1],
            p=opener)
    assert {s["actor"] for s in w.case_steps(G, cid)} == {x.opener}
    assert _verify(db_url).exit_code == 0

    # the row deleted around wams (an erasure without a record): the chain breaks
    raw_sql(db_url, "DELETE FROM actors WHERE pseudonym = :p", p=opener)
    assert _verify(db_url).exit_code == 1
    raw_sql(db_url, "INSERT INTO actors (gemeente, pseudonym, data_key, naam, chain_n) "
            "VALUES (:g, :p, :k, :n, :c)", g=G, p=opener, k=rows[opener][0], n=rows[opener][1],
            c=rows[opener][2])
    assert _verify(db_url).exit_code == 0  # put back exactly as it was: intact again
    # its data key deleted around wams: named, with the actor whose key it was
    raw_sql(db_url, "DELETE FROM data_keys WHERE id = :k", k=rows[opener][0])
    result = _verify(db_url)
    assert result.exit_code == 1 and f"actor {opener}" in result.output, result.output


def test_two_processes_meeting_a_new_actor_at_once_register_it_once(
        open_wams: Any, db_url: str, clock: Any) -> None:
    """Two engines (two processes' connections) meet the same new actors at the same moment:
    the register takes each once, neither command fails, and the chain stays intact."""
    import threading

    first, second = open_wams(), open_wams()
    _run(first, Officials(), clock)  # the person whose access report they give
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def reads(w: Any) -> None:
        try:
            for i in range(6):
                start.wait(timeout=30)
                # an access report: no case read first, its log row is its first write
                w.inzage_persoon(G, bsn="123456782", actor=f"Nieuwe Medewerker {i}",
                                 verzoek=f"V-{i}")
        except BaseException as exc:  # reported below, with the others
            errors.append(exc)

    threads = [threading.Thread(target=reads, args=(w,)) for w in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    [(entries, names)] = raw_sql(db_url, "SELECT count(*), count(DISTINCT pseudonym) FROM "
                                 "actors")
    assert entries == names
    read_by = {v["door"] for v in first.inzage_persoon(G, bsn="123456782", actor="fg",
                                                       verzoek="V-9")["verwerkingen"]}
    assert {f"Nieuwe Medewerker {i}" for i in range(6)} <= read_by
    assert _verify(db_url).exit_code == 0


def test_an_actor_erased_in_the_running_engine_is_registered_again_when_he_acts_again(
        open_wams: Any, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # The engine keeps a known actor's pseudonym at hand (a bounded memo): erasing him in the
    # same process must still make his next command register him anew, and a memo that
    # overflows must not lose anyone's registration.
    from wams.core.privacy import actors

    monkeypatch.setattr(actors, "ACTORS_HELD", 2)
    x = Officials()
    w = open_wams()
    jan = Persoon(ref="jan", rol="client", bsn="123456782", naam="Jan Register")
    cid = str(ok(w.hulpvraag(G, wet="participatiewet", client=jan, vraag="bijstand",
                             aanleiding="achterstanden", actor=x.opener)).case_id)
    for who in (x.reader, x.inzager, x.opener, x.reader):  # past the memo's bound
        w.case(G, cid, actor=who, purpose="behandeling")
    [(opener,)] = raw_sql(db_url, "SELECT actor FROM history WHERE step = 'hulpvraag'")

    def registered() -> set[str]:
        return {p for (p,) in raw_sql(db_url, "SELECT pseudonym FROM actors")}

    assert len(registered()) == 3 and opener in registered()
    assert w.erase_actor(G, x.opener, actor="fg") == 1
    assert opener not in registered()
    w.case(G, cid, actor=x.opener, purpose="behandeling")
    assert opener in registered()
    doors = [s["actor"] for s in w.case_steps(G, cid)]
    assert doors[0] == x.opener  # his name again, from his new entry
    assert _verify(db_url).exit_code == 0
