"""What one command asks of its database (speed goals B1, B2): its writes and one read, on both
backends. Counted, not timed.

A command on a case reads its case's (gemeente, version, data key) and its municipality's chain
head in one statement (``heads.read_with_case``) and then writes: the log rows, the case row,
the history entry, the head. Nothing is read twice, and a second writer between two commands
(another process with a cached copy of the case) is still seen: the read is of the database,
not of the cache, so the chain and the log stay exactly as they would be without it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from benchmarks.common import GEMEENTE, check_lifecycle, lifecycle
from tests.statements import Counter
from wams.core.errors import ConflictError
from wams.core.model import Persoon
from wams.testing import test_bsn

WRITES = ("INSERT", "UPDATE", "DELETE")
#: around each command on SQLite (on PostgreSQL the driver opens and ends it, uncounted)
TRANSACTION = ("BEGIN IMMEDIATE", "COMMIT")


def _per_command(w: Any, monkeypatch: pytest.MonkeyPatch, run: Any) -> list[tuple[str, list[str]]]:
    """(step, statements) of every command ``run`` issues."""
    counter = Counter()
    marks: list[tuple[str, int]] = []
    execute = w.engine.execute

    def marking(gemeente: str, case_id: str | None, command: object, **kw: Any) -> Any:
        marks.append((type(command).__name__, len(counter.texts)))
        return execute(gemeente, case_id, command, **kw)
    monkeypatch.setattr(w.engine, "execute", marking)
    detach = counter.attach(w)
    try:
        run()
    finally:
        detach()
        monkeypatch.undo()
    ends = [m[1] for m in marks[1:]] + [len(counter.texts)]
    return [(name, [t.strip() for t in counter.texts[start:end]])
            for (name, start), end in zip(marks, ends, strict=True)]


def test_a_command_on_a_case_costs_its_writes_and_one_read(
        open_wams: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    w = open_wams()
    check_lifecycle(lifecycle(w, GEMEENTE, 0))  # the municipality's head exists
    commands = _per_command(w, monkeypatch, lambda: check_lifecycle(lifecycle(w, GEMEENTE, 1)))
    assert len(commands) == 10
    entering: list[str] = []
    for name, texts in commands[1:]:  # every command after the one that opens the case
        body = [t for t in texts if t not in TRANSACTION]
        reads = [t for t in body if t.startswith("SELECT")]
        writes = [t for t in body if t.startswith(WRITES)]
        # A step that moves its case's data key to another destruction period (the closing
        # one) reads that key's row once, to re-wrap it.
        moves = sum(t.startswith("UPDATE data_keys") for t in writes)
        # A step that brings a party into the case reads the municipality's settings once:
        # who the party is comes from its registry (partij_soorten, R06/R12); once in, the
        # case holds the party to its kind and no later step reads it again.
        registry = [t for t in reads if "FROM settings" in t]
        entering += [name] * len(registry)
        assert len(reads) == 1 + moves + len(registry), (name, reads)
        assert all("FROM data_keys" in t for t in reads[1:] if t not in registry), (name, reads)
        assert "FROM chain_heads LEFT OUTER JOIN cases" in " ".join(reads[0].split()), reads
        assert reads + writes == body, (name, body)  # nothing else: no savepoint, no pragma
        assert [t for t in writes if "chain_heads" in t] == writes[-1:], (name, writes)
        assert sum("INTO history" in t for t in writes) == 1, (name, writes)
        assert sum(t.startswith("UPDATE cases") for t in writes) == 1, (name, writes)
        if w.engine.dialect == "sqlite":
            assert (texts[0], texts[-1]) == TRANSACTION, (name, texts)
    assert entering == ["VraagGegevens"], entering  # the kredietbank enters, once
    # The case is opened with its writes and the head read alone (there is no case to join).
    opening = [t for t in commands[0][1] if t not in TRANSACTION]
    assert [t for t in opening if t.startswith("SELECT")] == [
        t for t in opening if t.startswith("SELECT chain_heads.chain_n, chain_heads.entry_hash ")
        and "JOIN" not in t], opening
    assert w.audit(GEMEENTE)["intact"]


def test_a_read_that_is_logged_reads_its_case_once(
        open_wams: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Raadplegen: the case, the head and the data key its log rows are sealed under in one
    statement (the data key was read a second time before)."""
    w = open_wams()
    cid = lifecycle(w, GEMEENTE, 0)[0].case_id

    def statements(actor: str) -> list[str]:
        counter = Counter()
        detach = counter.attach(w)
        try:
            w.engine.view_case(GEMEENTE, cid, actor=actor, purpose="behandeling")
        finally:
            detach()
        return [t.strip() for t in counter.texts]

    # An actor's first act asks the register of actors once and writes its entry (the name
    # sealed under a data key of its own: privacy/actors.py); never again in this process.
    first = statements("consulent")
    assert [t for t in first if t.startswith("SELECT") and "FROM actors" in t], first
    assert [t for t in first if t.startswith("INSERT INTO actors")], first
    reads = [t for t in statements("consulent") if t.startswith("SELECT")]
    assert len(reads) == 1 and "JOIN cases" in reads[0], reads
    assert w.audit(GEMEENTE)["intact"]


def _open_case(w: Any) -> str:
    jan = Persoon(ref="jan", geboortedatum=dt.date(1985, 4, 12), naam="Jan Bakker",
                  bsn=test_bsn(1))
    d = w.hulpvraag(GEMEENTE, wet="participatiewet", client=jan, vraag="algemene bijstand",
                    aanleiding="noemt betalingsachterstanden")
    assert d.allowed, d
    return str(d.case_id)


def test_a_second_writer_between_two_commands_is_seen(open_wams: Any) -> None:
    """Two engines (two processes of a service) with the case in their caches: each command
    reads the version and the head from the database, so neither decides on a stale copy or
    chains onto a stale head, on both backends."""
    a, b = open_wams(), open_wams()
    cid = _open_case(a)
    b.engine.view_case(GEMEENTE, cid, actor="consulent", purpose="behandeling")  # b caches it
    version = b.engine.cached_case(cid).version  # type: ignore[union-attr]
    assert a.domein(GEMEENTE, cid, domein="schuldhulp", reden="betalingsachterstanden",
                    client_akkoord=True).allowed
    # b's copy is a version behind: b reads the new version, reloads, and chains on a's entry.
    d = b.dienst(GEMEENTE, cid, persoon="jan", dienst="participatiewet.algemene_bijstand",
                 status="lopend")
    assert d.allowed, d
    assert b.engine.cached_case(cid).version == version + 2  # type: ignore[union-attr]
    assert "schuldhulp" in b.engine.cached_case(cid).scope  # type: ignore[union-attr]
    # A caller holding the old version is refused as before, in either engine.
    with pytest.raises(ConflictError):
        a.terugkoppeling(GEMEENTE, cid, samenvatting="x", expected_version=version)
    for w in (a, b):
        report = w.audit(GEMEENTE)
        assert report["intact"], report


def test_a_command_on_an_unknown_or_foreign_case_writes_nothing(open_wams: Any) -> None:
    """The one read finds no case (or another municipality's): refused, nothing stored, and
    the head it read (on PostgreSQL: locked) is left as it was."""
    w = open_wams()
    cid = lifecycle(w, GEMEENTE, 0)[0].case_id
    with w.engine.unit_of_work(None) as uow:
        before = uow.store.conn.exec_driver_sql("SELECT count(*) FROM history").scalar()
    unknown = w.terugkoppeling(GEMEENTE, "0" * 32, samenvatting="x")
    foreign = w.terugkoppeling("0600", cid, samenvatting="x")
    assert (unknown.allowed, unknown.code) == (False, "state.invalid_transition")
    assert (foreign.allowed, foreign.code) == (False, "tenant.mismatch")
    with w.engine.unit_of_work(None) as uow:
        after = uow.store.conn.exec_driver_sql("SELECT count(*) FROM history").scalar()
    assert after == before
    assert w.audit()["intact"]
