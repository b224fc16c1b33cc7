"""A case's row written once for a run of its steps in an all-or-nothing batch
(``case_continues``, ``wams.core.engine.case_rows``), and never a row the chain does not vouch
for: not when the caller keeps the promise, not when he breaks it (another case, a read, the
batch's end, a refused step), not with the case cache off, not when a DBA changes the row
while the batch holds it. Checked from the database itself (statements on the engine's
connection, raw SQL, ``audit``), on both backends.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.b8 import write_archive
from benchmarks.common import COMMANDS_PER_CASE, GEMEENTE
from tests.helpers import raw_sql
from tests.statements import Counter
from wams import archive
from wams.api import Wams
from wams.core.clock import Clock
from wams.core.commands import Afspraken
from wams.core.engine.case_rows import STORED
from wams.core.errors import ConflictError, InputError
from wams.core.model import Decision, Partij, Persoon
from wams.core.serialize import case_to_json
from wams.testdata import test_bsn

KB = Partij(ref="kredietbank", soort="wgs.schuldhulpverlener")
OTHER = "0600"
#: what each step of the lifecycle leaves (phase), in order
PHASES = ("onderzoek", "onderzoek", "onderzoek", "onderzoek", "onderzoek", "onderzoek",
          "onderzoek", "werkplan", "coordinatie", "afgesloten")


def _steps(i: int) -> list[Callable[[Any, str | None, bool], Decision]]:
    """The ten steps of one case (speed goal B1's lifecycle), each as (handle, case id,
    case_continues) → decision."""
    jan = Persoon(ref="jan", geboortedatum=dt.date(1985, 4, 12), naam=f"Jan Bakker {i}",
                  bsn=test_bsn(i))
    g = GEMEENTE
    return [
        lambda b, cid, more: b.hulpvraag(g, wet="participatiewet", client=jan,
                                         vraag="algemene bijstand",
                                         aanleiding="noemt betalingsachterstanden",
                                         case_continues=more),
        lambda b, cid, more: b.domein(g, cid, domein="schuldhulp", reden="achterstanden",
                                      client_akkoord=True, case_continues=more),
        lambda b, cid, more: b.vraag_gegevens(g, cid, bij=KB, categorie="wgs.schuldenoverzicht",
                                              over="jan", doel="onderzoek",
                                              toelichting="zicht op schulden",
                                              noodzaak="bepalen of schuldhulp nodig is",
                                              case_continues=more),
        lambda b, cid, more: b.vraag_gegevens(g, cid, bij=KB,
                                              categorie="wgs.betalingsachterstanden",
                                              over="jan", doel="onderzoek",
                                              toelichting="zicht op achterstanden",
                                              noodzaak="bepalen of schuldhulp nodig is",
                                              case_continues=more),
        lambda b, cid, more: b.dienst(g, cid, persoon="jan",
                                      dienst="participatiewet.algemene_bijstand",
                                      status="lopend", case_continues=more),
        lambda b, cid, more: b.dienst(g, cid, persoon="jan", dienst="wgs.schuldhulpverlening",
                                      status="benodigd", partij=KB, case_continues=more),
        lambda b, cid, more: b.terugkoppeling(g, cid, samenvatting="twee diensten",
                                              case_continues=more),
        lambda b, cid, more: b.werkplan(g, cid, samenhang="schulden verhinderen uitstroom",
                                        coordinatie_helpt=True,
                                        afspraken=Afspraken("wijkteam volgt", "na 3 maanden",
                                                            "als schuldregeling loopt"),
                                        case_continues=more),
        lambda b, cid, more: b.coordinator(g, cid, type="ambtenaar", wie="M. de Vries",
                                           case_continues=more),
        lambda b, cid, more: b.sluit(g, cid, terugvalafspraken="contact met wijkteam",
                                     case_continues=more),
    ]


def _run(b: Any, i: int, upto: int = COMMANDS_PER_CASE, *, last_continues: bool = False,
         case_id: str | None = None) -> tuple[str, list[Decision]]:
    """The first ``upto`` steps of case ``i``, each promising that the next continues the
    case, the last one only if ``last_continues``."""
    out = []
    for n, step in enumerate(_steps(i)[:upto]):
        if case_id is None and n > 0:
            raise AssertionError("the case was not opened")
        d = step(b, case_id, n < upto - 1 or last_continues)
        assert d.allowed, (d.step, d.code, d.message)
        case_id = d.case_id or case_id
        out.append(d)
    assert case_id is not None
    return case_id, out


def _case_writes(counter: Counter) -> tuple[int, int]:
    inserts = sum(1 for t in counter.texts if t.lstrip().upper().startswith("INSERT INTO CASES"))
    updates = sum(1 for t in counter.texts if t.lstrip().upper().startswith("UPDATE CASES"))
    return inserts, updates


def _row(db_url: str, case_id: str) -> Any:
    return raw_sql(db_url, "SELECT phase, version FROM cases WHERE id = :c", c=case_id)[0]


def _projecting(db_url: str, case_id: str) -> list[tuple[str, int]]:
    """(step, chain_n) of every entry of the case that committed to its row."""
    return [(r[0], r[1]) for r in raw_sql(
        db_url, "SELECT step, chain_n FROM history WHERE case_id = :c "
        "AND projection_ref IS NOT NULL ORDER BY chain_n", c=case_id)]


def _entries(db_url: str, case_id: str) -> list[str]:
    return [r[0] for r in raw_sql(db_url, "SELECT step FROM history WHERE case_id = :c "
                                          "ORDER BY chain_n", c=case_id)]


@contextmanager
def _counting(w: Wams) -> Iterator[Counter]:
    """The statements on the engine's connection while the block runs."""
    counter = Counter()
    detach = counter.attach(w)
    try:
        yield counter
    finally:
        detach()


def _intact(w: Wams) -> None:
    report = w.audit()
    assert report["intact"], report["breaks"]


def test_a_run_of_steps_writes_its_case_row_once(open_wams: Any, db_url: str) -> None:
    w = open_wams()
    with _counting(w) as counter, w.batch(all_or_nothing=True) as b:
        cid, decisions = _run(b, 1)
        other, _ = _run(b, 2)
    assert _case_writes(counter) == (2, 0)  # one INSERT a case, no UPDATE
    # The decisions count versions as before; the row holds the last.
    assert [d.version for d in decisions] == list(range(1, COMMANDS_PER_CASE + 1))
    assert tuple(_row(db_url, cid)) == ("afgesloten", COMMANDS_PER_CASE)
    # Every step is in the history; only the last committed to a row, the one stored.
    assert len(_entries(db_url, cid)) == COMMANDS_PER_CASE
    assert [s for s, _ in _projecting(db_url, cid)] == ["sluit"]
    assert [s for s, _ in _projecting(db_url, other)] == ["sluit"]
    _intact(w)
    case = w.case(GEMEENTE, cid, actor="test", purpose="behandeling")
    assert case.phase == "afgesloten" and case.version == COMMANDS_PER_CASE


def test_without_the_promise_every_step_writes_its_row(open_wams: Any, db_url: str) -> None:
    """The old way stays the default; and a batch with a savepoint per step never holds (a
    step undone alone would leave a held row behind), whatever the caller promises."""
    w = open_wams()
    with _counting(w) as counter:
        with w.batch(all_or_nothing=True) as b:
            for step_ in _steps(1)[:1]:
                cid = step_(b, None, False).case_id
            for step_ in _steps(1)[1:]:
                assert step_(b, cid, False).allowed
        with w.batch() as b:  # savepoints: the promise is ignored
            cid2, _ = _run(b, 2)
    assert _case_writes(counter) == (2, 2 * (COMMANDS_PER_CASE - 1))
    assert len(_projecting(db_url, cid)) == COMMANDS_PER_CASE
    assert len(_projecting(db_url, cid2)) == COMMANDS_PER_CASE
    _intact(w)


def _open_other_case(b: Any) -> None:
    _run(b, 9, 1)


def _read_it(b: Any, cid: str) -> None:
    b.case(GEMEENTE, cid, actor="test", purpose="behandeling")


def _other_municipality(b: Any) -> None:
    jan = Persoon(ref="jan", geboortedatum=dt.date(1985, 4, 12), naam="Jan", bsn=test_bsn(8))
    b.hulpvraag(OTHER, wet="participatiewet", client=jan, vraag="algemene bijstand")


@pytest.mark.parametrize("then", ["another case", "a read", "another municipality",
                                  "the batch ends"])
def test_a_broken_promise_costs_an_entry_not_the_guarantee(open_wams: Any, db_url: str,
                                                           then: str) -> None:
    """The caller said the next command continues the case, then did something else: the
    held row is written first, under an entry of its own, and the chain vouches for it."""
    w = open_wams()
    upto = 8  # up to the werkplan
    with w.batch(all_or_nothing=True) as b:
        cid, decisions = _run(b, 1, upto, last_continues=True)
        if then == "another case":
            _open_other_case(b)
        elif then == "a read":
            _read_it(b, cid)
        elif then == "another municipality":
            _other_municipality(b)
    assert tuple(_row(db_url, cid)) == (PHASES[upto - 1], upto)
    assert _projecting(db_url, cid) == [(STORED, _projecting(db_url, cid)[0][1])]
    entries = _entries(db_url, cid)
    assert entries[-1] == STORED and len(entries) == upto + 1
    _intact(w)
    # The case goes on from there, in a batch of its own and on its own.
    with w.batch(all_or_nothing=True) as b:
        for step_ in _steps(1)[upto:]:
            assert step_(b, cid, False).allowed
    assert tuple(_row(db_url, cid)) == ("afgesloten", COMMANDS_PER_CASE)
    _intact(w)


def test_a_refused_step_after_held_ones_leaves_the_row_of_the_last_allowed(
        open_wams: Any, db_url: str) -> None:
    w = open_wams()
    with w.batch(all_or_nothing=True) as b:
        cid, _ = _run(b, 1, 3, last_continues=True)
        # coordinator before a werkplan: refused by the rules, and it ends the run
        refused = b.coordinator(GEMEENTE, cid, type="ambtenaar", wie="M. de Vries")
        assert not refused.allowed
    assert tuple(_row(db_url, cid)) == ("onderzoek", 3)
    steps = _entries(db_url, cid)
    assert steps[-2:] == ["coordinator", STORED]
    assert [s for s, _ in _projecting(db_url, cid)] == [STORED]
    _intact(w)


def test_a_refused_step_inside_the_run_keeps_the_row_held(open_wams: Any, db_url: str) -> None:
    """A refusal changes nothing; the run goes on and its last step writes the row once."""
    w = open_wams()
    with _counting(w) as counter, w.batch(all_or_nothing=True) as b:
        cid, _ = _run(b, 1, 3, last_continues=True)
        refused = b.coordinator(GEMEENTE, cid, type="ambtenaar", wie="M. de Vries",
                                case_continues=True)
        assert not refused.allowed
        rest = _steps(1)[3:]
        for n, step_ in enumerate(rest):
            assert step_(b, cid, n < len(rest) - 1).allowed
    assert _case_writes(counter) == (1, 0)
    assert tuple(_row(db_url, cid)) == ("afgesloten", COMMANDS_PER_CASE)
    assert [s for s, _ in _projecting(db_url, cid)] == ["sluit"]
    _intact(w)


def test_held_steps_need_no_case_cache(open_wams: Any, db_url: str,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A stateless engine (cache off) reads each case from its row: a held case is read from
    the batch, not from a row that is not written yet (or an older one)."""
    monkeypatch.setenv("WAMS_CASE_CACHE", "0")
    w = open_wams()
    assert len(w.engine._cases) == 0 and w.engine._cases.size == 0
    with w.batch(all_or_nothing=True) as b:
        cid, _ = _run(b, 1)
    assert tuple(_row(db_url, cid)) == ("afgesloten", COMMANDS_PER_CASE)
    _intact(w)


def test_a_failed_batch_stores_nothing_it_held(open_wams: Any, db_url: str) -> None:
    w = open_wams()
    before = [raw_sql(db_url, f"SELECT count(*) FROM {t}")[0][0]
              for t in ("cases", "history", "processing_log", "data_keys")]
    with pytest.raises(RuntimeError), w.batch(all_or_nothing=True) as b:
        _run(b, 1, 5, last_continues=True)
        raise RuntimeError("de batch breekt af")
    after = [raw_sql(db_url, f"SELECT count(*) FROM {t}")[0][0]
             for t in ("cases", "history", "processing_log", "data_keys")]
    assert after == before


def test_a_dba_who_edits_the_written_row_is_caught(open_wams: Any, db_url: str) -> None:
    w = open_wams()
    with w.batch(all_or_nothing=True) as b:
        cid, _ = _run(b, 1)
        other, _ = _run(b, 2)
    _intact(w)
    # the other case's sealed state swapped in, then a phase set back
    raw_sql(db_url, "UPDATE cases SET state = (SELECT state FROM cases WHERE id = :o) "
                    "WHERE id = :c", o=other, c=cid)
    report = w.audit()
    assert not report["intact"]
    assert any(f"casus {cid}" in line and "wijkt af" in line for line in report["breaks"])


def test_a_row_changed_around_wams_while_held_is_a_conflict(open_wams: Any, db_url: str) -> None:
    """PostgreSQL: a held row is not locked until it is written (the municipality's chain head
    is, so no writer through wams gets in between). A DBA's UPDATE meanwhile is caught by the
    version check of the write: the batch stores nothing."""
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite: the batch holds the database's write lock; a DBA waits")
    w = open_wams()
    with w.batch(all_or_nothing=True) as b:
        cid, _ = _run(b, 1, 2)  # a case written and committed
    history = raw_sql(db_url, "SELECT count(*) FROM history")[0][0]
    with pytest.raises(ConflictError), w.batch(all_or_nothing=True) as b:
        for step_ in _steps(1)[2:4]:
            assert step_(b, cid, True).allowed
        raw_sql(db_url, "UPDATE cases SET version = 99 WHERE id = :c", c=cid)
        _steps(1)[4](b, cid, False)
    assert tuple(_row(db_url, cid)) == ("onderzoek", 99)  # the DBA's edit, nothing of ours
    assert raw_sql(db_url, "SELECT count(*) FROM history")[0][0] == history


@pytest.mark.parametrize("value", ["ja", 1, None])
def test_case_continues_is_yes_or_no(open_wams: Any, value: object) -> None:
    w = open_wams()
    with pytest.raises(InputError, match="case_continues"):
        _steps(1)[0](w, None, value)  # type: ignore[arg-type]
    with w.batch(all_or_nothing=True) as b:
        with pytest.raises(InputError, match="case_continues"):
            _steps(1)[0](b, None, value)  # type: ignore[arg-type]
    assert w.audit()["entries"] == 0


def test_outside_a_batch_the_promise_changes_nothing(open_wams: Any, db_url: str) -> None:
    w = open_wams()
    cid, _ = _run(w, 1, 3)
    assert tuple(_row(db_url, cid)) == ("onderzoek", 3)
    assert len(_projecting(db_url, cid)) == 3
    _intact(w)


def test_an_archive_load_writes_each_case_row_once(open_wams: Any, db_url: str,
                                                   tmp_path: Path) -> None:
    """``wams archive load`` promises for every step of a record but its last."""
    path = tmp_path / "archief.jsonl"
    write_archive(str(path), 6)
    w = open_wams()
    with _counting(w) as counter:
        progress = archive.load(w, path, batch=4)
    assert progress.loaded == 6 and progress.differing == 0
    assert _case_writes(counter) == (6, 0)
    projecting = raw_sql(db_url, "SELECT step, count(*) FROM history WHERE projection_ref "
                                 "IS NOT NULL GROUP BY step")
    assert [tuple(r) for r in projecting] == [("sluit", 6)]
    assert raw_sql(db_url, "SELECT min(version), max(version) FROM cases")[0] == (10, 10)
    _intact(w)


@st.composite
def _schedules(draw: st.DrawFn) -> tuple[list[tuple[int, int]], list[bool]]:
    """Two cases' steps (each a prefix of the lifecycle, in order) interleaved at random, and
    a promise or none with each step: kept, broken by the other case, or left at the end."""
    lengths = [draw(st.integers(1, COMMANDS_PER_CASE)) for _ in range(2)]
    order = draw(st.permutations([c for c, n in enumerate(lengths) for _ in range(n)]))
    seen = [0, 0]
    schedule = []
    for c in order:
        schedule.append((c, seen[c]))
        seen[c] += 1
    return schedule, draw(st.lists(st.booleans(), min_size=len(schedule),
                                   max_size=len(schedule)))


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(plan=_schedules())
def test_whatever_is_promised_the_rows_are_those_of_one_write_a_step(
        plan: tuple[list[tuple[int, int]], list[bool]], key_file: str) -> None:
    """The same steps in a batch without promises and with any promises, kept or broken: the
    same decisions, the same rows (phase, version, state as read back), an intact chain whose
    latest projecting entry of each case commits to its row."""
    schedule, promises = plan

    def run(promising: bool) -> tuple[list[Any], list[Any]]:
        w = Wams.open("sqlite://", key_file=key_file, clock=Clock(dt.date(2027, 2, 1)))
        try:
            ids: list[str | None] = [None, None]
            decisions = []
            with w.batch(all_or_nothing=True) as b:
                for (c, n), promise in zip(schedule, promises, strict=True):
                    d = _steps(c + 1)[n](b, ids[c], promise and promising)
                    ids[c] = ids[c] or d.case_id
                    decisions.append((d.allowed, d.code, d.phase, d.version))
            _intact(w)
            rows = []
            for cid in ids:
                case = w.case(GEMEENTE, cid or "", actor="test", purpose="behandeling")
                state = json.loads(case_to_json(case))
                # what differs between two runs by nature: the id, pseudonyms scoped by it
                for own in ("id", "subjects"):
                    state.pop(own)
                rows.append(state)
            return decisions, rows
        finally:
            w.close()

    assert run(True) == run(False)


def test_an_access_report_after_held_steps_finds_the_case(open_wams: Any, db_url: str) -> None:
    """The access report reads the case's row from the database, as every step that is not
    an ordinary change of the case does: the held row is written first, then reported."""
    w = open_wams()
    with w.batch(all_or_nothing=True) as b:
        cid, _ = _run(b, 1, 4, last_continues=True)
        report = b.inzage(GEMEENTE, cid, persoon="jan", case_continues=True)
    assert report.allowed and report.report is not None
    assert cid in json.dumps(report.report, default=str)
    assert _entries(db_url, cid)[-2:] == [STORED, "inzage"]
    # the report is recorded with the case: its step writes the row on from the written one
    assert [s for s, _ in _projecting(db_url, cid)] == [STORED, "inzage"]
    assert tuple(_row(db_url, cid)) == ("onderzoek", 5)
    _intact(w)


def test_destruction_after_held_steps_destroys_the_written_row(open_wams: Any, db_url: str,
                                                               clock: Clock) -> None:
    w = open_wams()
    with w.batch(all_or_nothing=True) as b:
        cid, _ = _run(b, 1, last_continues=True)  # the sluit promises a next ordinary step
        clock.set(clock.today() + dt.timedelta(days=366 * 30))
        gone = b.vernietig(GEMEENTE, cid)
    assert gone.allowed, gone.code
    assert _entries(db_url, cid)[-2:] == [STORED, "vernietig"]
    assert _projecting(db_url, cid)[-1][0] == "vernietig"
    assert tuple(_row(db_url, cid)) == ("vernietigd", COMMANDS_PER_CASE + 1)
    _intact(w)
