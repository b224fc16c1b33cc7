"""What keeps wams flat at a large municipality's size (speed goal B5, issue 11), on both
backends: batches of commands (Wams.batch) store exactly what single commands store; the case
list pages by key; the retention run destroys in batches, each case still with its own proof,
log records and history entry; the access report's lookups use their indexes whether or not
ANALYZE ran. The speed itself is measured in benchmarks/b5.py, never here."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from tests.helpers import snapshot
from wams.core import commands as c
from wams.core.errors import ConflictError, InputError
from wams.core.law.hookspecs import hookimpl
from wams.core.model import Partij, Persoon
from wams.core.storage import audit_rows, projections, repository
from wams.core.storage.audit import verify_database
from wams.core.storage.repository import RIGHTS_PARAMS
from wams.testing import test_bsn

G = "0599"
THEIRS = "0363"


def _open_close(w: Any, i: int) -> str:
    d = w.hulpvraag(G, wet="wmo", client=Persoon("jan", bsn=test_bsn(i)),
                    vraag="begeleiding", aanleiding="vereenzaamt")
    assert d.allowed, d
    assert w.domein(G, d.case_id, domein="welzijn", reden="eenzaamheid",
                    client_akkoord=True).allowed
    assert w.sluit(G, d.case_id, terugvalafspraken="bel het wijkteam",
                   reden="cliënt verhuist").allowed
    return d.case_id


def _shape(w: Any) -> dict[str, Any]:
    """Row counts, and per step the history and log rows: what a run stores, id-free."""
    with w.engine.db.connect() as conn:
        steps = conn.execute(sa.text("select step, allowed, code, count(*) from history "
                                     "group by step, allowed, code order by step")).all()
        logged = conn.execute(sa.text("select name, operation, count(*) from processing_log "
                                      "group by name, operation order by name")).all()
    return {"counts": snapshot(w)["counts"], "steps": [tuple(r) for r in steps],
            "logged": [tuple(r) for r in logged]}


# -- Wams.batch ------------------------------------------------------------------------------


def test_a_batch_stores_exactly_what_single_commands_store(open_wams: Any, tmp_path: Any,
                                                           db_url: str) -> None:
    single = open_wams()
    for i in range(3):
        _open_close(single, i)
        single.case(G, single.cases(G)[-1]["id"], actor="medewerker", purpose="behandeling")
    expected = _shape(single)
    single.close()

    from wams.api import Wams
    from wams.core.clock import Clock

    other = f"sqlite:///{tmp_path / 'batched.db'}"
    with Wams.open(other, clock=Clock(dt.date(2027, 2, 1))) as batched:
        with batched.batch() as b:
            for i in range(3):
                case_id = _open_close(b, i)
                b.case(G, case_id, actor="medewerker", purpose="behandeling")
        assert _shape(batched) == expected
        report = verify_database(batched.engine.db, batched.engine.keys)
        # Three cases of three steps, and each logged read an entry of its own (its rows).
        assert report.intact and report.entries == 12


def test_a_failing_command_is_undone_alone_and_a_raising_block_stores_nothing(
        open_wams: Any) -> None:
    w = open_wams()
    case_id = _open_close(w, 0)
    before = snapshot(w)
    with w.batch() as b:
        d = b.hulpvraag(G, wet="wmo", client=Persoon("ans"), vraag="hulp", aanleiding="eenzaam")
        with pytest.raises(ConflictError):
            # A stale version: the engine raises after deciding; nothing of it may stay.
            b.domein(G, d.case_id, domein="welzijn", reden="x", client_akkoord=True,
                     expected_version=7)
        with pytest.raises(InputError):  # no such melding: raised, not stored
            b.execute(G, None, c.MeldingDoorgeven(Partij("wijkteam", "wmo.wijkteam"), "zorgen",
            424242, "melding_onderzoeken"))
        assert b.domein(G, d.case_id, domein="welzijn", reden="eenzaamheid",
                    client_akkoord=True).allowed
    after = snapshot(w)
    assert after["counts"]["cases"] == before["counts"]["cases"] + 1
    # hulpvraag and domein: two entries; the conflicting and the bad command left none.
    assert after["counts"]["history"] == before["counts"]["history"] + 2
    assert sorted(r["phase"] for r in w.cases(G)) == ["afgesloten", "onderzoek"]

    middle = snapshot(w)
    with pytest.raises(RuntimeError, match="stroom uit"), w.batch() as b:
        b.vernietig(G, case_id)  # refused (bewaartermijn not over): a stored refusal
        b.hulpvraag(G, wet="wmo", client=Persoon("kees"), vraag="hulp")
        raise RuntimeError("stroom uit")
    assert snapshot(w) == middle  # nothing of the block was stored
    # The engine's cached projections were rolled back too: the next step sees the truth.
    assert w.domein(G, d.case_id, domein="schuldhulp", reden="achterstanden",
                    client_akkoord=True).allowed
    assert verify_database(w.engine.db, w.engine.keys).intact


def test_inside_a_batch_only_steps_and_case_views_run(open_wams: Any) -> None:
    w = open_wams()
    with w.batch() as b:
        d = b.hulpvraag(G, wet="wmo", client=Persoon("jan"), vraag="hulp")
        for call in (lambda: b.cases(G), lambda: b.close(), lambda: b.batch(),
                     lambda: b.inzage_persoon(G, bsn=test_bsn(1), actor="x", verzoek="V"),
                     lambda: b.retention_run(G), lambda: b.set_setting(G, "x", 1)):
            with pytest.raises(InputError, match="binnen een batch"):
                call()
        assert b.case(G, d.case_id, actor="medewerker", purpose="behandeling").id == d.case_id
    assert [r["id"] for r in w.cases(G)] == [d.case_id]  # the handle still works after


def test_a_batch_offers_the_steps_and_case_and_refuses_everything_else(open_wams: Any) -> None:
    """Not a hand-written list: every public method of the handle that is not a step (or
    ``case``) is refused inside a batch with one InputError naming it, never a database
    error, and the batch's steps are still stored."""
    import inspect

    from wams.api import InBatch, Wams
    from wams.api_steps import Steps

    w = open_wams()
    steps = {n for n in vars(Steps) if not n.startswith("_")} | {"case"}
    others = sorted(n for n, _ in inspect.getmembers(Wams) if not n.startswith("_")
                    and n not in steps)
    # what the issue named: these raised SQLAlchemy's InvalidRequestError inside a batch
    assert {"case_summary", "case_steps", "party_view", "subscribe", "rotate_keys",
            "retention_run", "audit", "log_records"} <= set(others)
    with w.batch() as b:
        assert isinstance(b, InBatch)
        d = b.hulpvraag(G, wet="wmo", client=Persoon("jan"), vraag="hulp")
        for name in others:
            with pytest.raises(InputError, match=f"{name} kan niet binnen een batch"):
                getattr(b, name)
        for name in steps - {"clock"}:
            assert callable(getattr(b, name)), name
        assert b.clock is w.clock
    assert [r["id"] for r in w.cases(G)] == [d.case_id]


def test_plugins_hear_of_a_batch_after_its_commit_with_the_case_as_it_was(
        db_url: str, clock: Any) -> None:
    from wams.api import Wams

    heard: list[tuple[str, str | None, int]] = []

    class Listener:
        @hookimpl
        def wams_after_step(self, case, decision, events):  # type: ignore[no-untyped-def]
            with w.engine.db.connect() as conn:
                stored = conn.execute(sa.text("select count(*) from history")).scalar_one()
            heard.append((decision.step, case.phase if case else None, stored))

    with Wams.open(db_url, clock=clock, plugins=[("listener", Listener())]) as w:
        with w.batch() as b:
            d = b.hulpvraag(G, wet="wmo", client=Persoon("jan"), vraag="hulp",
                            aanleiding="eenzaam")
            b.sluit(G, d.case_id, terugvalafspraken="bel", reden="verhuisd")
            assert heard == []  # nothing before the commit
        # Both stored when the plugins heard; each saw the case as its own step left it.
        assert heard == [("hulpvraag", "onderzoek", 2), ("sluit", "afgesloten", 2)]


# -- case list in pages ----------------------------------------------------------------------


def test_case_pages_follow_the_full_list_and_stay_in_their_municipality(
        open_wams: Any, clock: Any) -> None:
    w = open_wams()
    ids = []
    for i in range(7):
        if i in (3, 5):
            clock.advance(1)  # several cases share an opening day: the id breaks the tie
        ids.append(w.hulpvraag(G, wet="wmo", client=Persoon(f"p{i}"), vraag="hulp").case_id)
    theirs = w.hulpvraag(THEIRS, wet="wmo", client=Persoon("x"), vraag="hulp").case_id
    full = w.cases(G)
    assert {r["id"] for r in full} == set(ids)
    assert [(r["opened_on"], r["id"]) for r in full] == sorted(
        (r["opened_on"], r["id"]) for r in full)
    pages, after = [], None
    while True:
        page = w.cases(G, limit=3, after=after)
        pages.append([r["id"] for r in page])
        if len(page) < 3:
            break
        after = page[-1]["id"]
    assert [len(p) for p in pages] == [3, 3, 1]
    assert sum(pages, []) == [r["id"] for r in full] == [r["id"] for r in w.iter_cases(G)]
    assert [r["id"] for r in w.cases(G, after=full[4]["id"])] == [r["id"] for r in full[5:]]
    # R38: another municipality's case is no cursor here, and tells nothing about it.
    with pytest.raises(InputError, match="bestaat niet bij gemeente 0599"):
        w.cases(G, limit=3, after=theirs)
    for bad in (0, -1, True, "3"):
        with pytest.raises(InputError, match="limit"):
            w.cases(G, limit=bad)


def test_cli_case_list_pages(db_url: str, open_wams: Any) -> None:
    from wams.cli.privacy import main

    w = open_wams()
    for i in range(3):
        w.hulpvraag(G, wet="wmo", client=Persoon(f"p{i}"), vraag="hulp")
    full = [r["id"] for r in w.cases(G)]
    run = CliRunner()
    first = run.invoke(main, ["case", "list", "--db", db_url, "--gemeente", G, "--limit", "2"])
    assert first.exit_code == 0, first.output
    assert full[0] in first.output and full[2] not in first.output
    assert f"2 casussen; volgende pagina: --after {full[1]}" in first.output
    rest = run.invoke(main, ["case", "list", "--db", db_url, "--gemeente", G, "--after",
                             full[1]])
    assert rest.exit_code == 0 and full[2] in rest.output and full[0] not in rest.output
    assert rest.output.rstrip().endswith("\n1 casus")
    bad = run.invoke(main, ["case", "list", "--db", db_url, "--gemeente", G, "--after", "nope"])
    assert bad.exit_code == 2 and len(bad.output.strip().splitlines()) == 1
    zero = run.invoke(main, ["case", "list", "--db", db_url, "--gemeente", G, "--limit", "0"])
    assert zero.exit_code == 2


# -- the retention run in batches ------------------------------------------------------------


def test_retention_in_batches_gives_each_case_its_own_proof_records_and_entry(
        open_wams: Any, clock: Any) -> None:
    from wams.core.privacy import retention

    w = open_wams()
    ids = [_open_close(w, i) for i in range(5)]
    clock.set(dt.date(2028, 3, 1))
    log_before = snapshot(w)["counts"]["processing_log"]
    seen: list[tuple[int, int, int]] = []

    def progress(n: int, total: int, item: dict[str, Any]) -> None:
        # Called once the case's batch is stored: the database already shows it destroyed.
        with w.engine.db.connect() as conn:
            destroyed = conn.execute(sa.text("select count(*) from cases where phase = "
                                             "'vernietigd'")).scalar_one()
        seen.append((n, total, destroyed))

    done = retention.run(w.engine, G, progress=progress, batch=2)
    assert sorted(d["case_id"] for d in done) == sorted(ids)
    assert all(d["vernietigd"] for d in done)
    assert seen == [(1, 5, 2), (2, 5, 2), (3, 5, 4), (4, 5, 4), (5, 5, 5)]
    with w.engine.db.connect() as conn:
        proofs = conn.execute(sa.text("select case_id, history_entries from "
                                      "destruction_proofs order by case_id")).all()
        entries = conn.execute(sa.text("select case_id, count(*) from history where step = "
                                       "'vernietig' group by case_id order by case_id")).all()
        left = conn.execute(sa.text("select count(*) from history where content is not null "
                                    "and step <> 'vernietig'")).scalar_one()
    assert [(p[0], p[1]) for p in proofs] == [(i, 3) for i in sorted(ids)]
    assert [tuple(e) for e in entries] == [(i, 1) for i in sorted(ids)]
    assert left == 0
    # One destroy record per person per case, as a single vernietig writes.
    assert snapshot(w)["counts"]["processing_log"] == log_before + 5
    assert verify_database(w.engine.db, w.engine.keys).intact
    with pytest.raises(InputError, match="batch"):
        retention.run(w.engine, G, batch=0)


# -- the plans of the lookups that must stay flat --------------------------------------------


def _plan(conn: sa.Connection, stmt: Any, params: dict[str, Any]) -> str:
    compiled = stmt.compile(dialect=conn.dialect)
    values = compiled.construct_params(params)
    if conn.dialect.name == "sqlite":
        args: Any = tuple(values[n] for n in compiled.positiontup)
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + compiled.string, args).all()
        return "\n".join(str(r[-1]) for r in rows)
    rows = conn.exec_driver_sql("EXPLAIN " + compiled.string, values).all()
    return "\n".join(r[0] for r in rows)


PARAMS = {"g": G, "s": "pseudoniem", "id": "abc", "c": "abc", "o": dt.date(2027, 2, 1),
          "n": 50, **RIGHTS_PARAMS}


LOOKUPS = {**repository.INDEXED_LOOKUPS, **projections.INDEXED_LOOKUPS,
           **audit_rows.INDEXED_LOOKUPS}


def _one_entry(line: str, dialect: str) -> bool:
    """A plan line on the chain index that fetches one entry by (gemeente, chain_n)."""
    if dialect == "sqlite":
        return "(gemeente=? AND chain_n=?)" in line
    return "Index Scan using uq_history_chain" in line and "Backward" not in line


def test_flat_lookups_use_their_indexes_before_and_after_analyze(open_wams: Any) -> None:
    w = open_wams()
    with w.batch() as b:
        # One municipality's long history: the chain index is a tempting wrong road.
        for i in range(60):
            _open_close(b, i)
    dialect = w.engine.dialect
    for analyzed in (False, True):
        with w.engine.db.connect() as conn, conn.begin():
            if analyzed:
                conn.exec_driver_sql("ANALYZE")
            if dialect == "postgresql":
                # The test tables are small enough for a sequential scan or a sort of the
                # whole municipality to be cheapest; forbidding both shows which index the
                # planner takes for the query (at archive size the costs choose it anyway).
                conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
                conn.exec_driver_sql("SET LOCAL enable_sort = off")
            case_key = "sqlite_autoindex_cases_1" if dialect == "sqlite" else "pk_cases"
            for name, (stmt, index) in LOOKUPS.items():
                if index == repository.PRIMARY_KEY:
                    index = case_key
                plan = _plan(conn, stmt, PARAMS)
                assert index in plan, (name, analyzed, plan)
                if name in projections.INDEXED_LOOKUPS:  # the case row itself by its key
                    assert case_key in plan, (name, analyzed, plan)
                # The chain index only to fetch one entry by its key, never walked.
                assert all(_one_entry(line, dialect) for line in plan.splitlines()
                           if "uq_history_chain" in line or "autoindex_history_1" in line), \
                    (name, plan)
                if dialect == "sqlite":
                    assert "SCAN" not in plan and "TEMP B-TREE" not in plan, (name, plan)
                else:
                    assert "Seq Scan" not in plan and "Sort" not in plan, (name, plan)
                if name == "next case page":  # the keyset is a range of the index
                    assert "opened_on" in plan.split("Filter")[0], plan


# -- the processing log partitioned by month (PostgreSQL) ------------------------------------


def _run_script(url: str, statements: list[str]) -> None:
    """As psql would: the statements one by one on an autocommit connection."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            try:
                for statement in statements:
                    conn.exec_driver_sql(statement)
            except sa.exc.DBAPIError:
                conn.exec_driver_sql("ROLLBACK")
                raise
    finally:
        engine.dispose()


def test_the_log_partitioned_by_month_keeps_working(db_url: str, open_wams: Any,
                                                    clock: Any) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("partitions are a PostgreSQL feature")
    from wams.core.privacy import logexport
    from wams.core.storage import migrate, partition

    w = open_wams()
    jan = Persoon("jan", bsn="123456782")
    d = w.hulpvraag(G, wet="wmo", client=jan, vraag="hulp", aanleiding="eenzaam")
    before = [r["handeling"] for r in w.inzage_persoon(G, bsn=jan.bsn, actor="x",
                                                       verzoek="V-1")["verwerkingen"]]
    # A first month before the newest record is refused by the CHECK, and nothing changes.
    with pytest.raises(sa.exc.DBAPIError, match="check constraint"):
        _run_script(db_url, partition.conversion(dt.date(2027, 1, 1)))
    assert migrate.check(db_url) == []

    _run_script(db_url, partition.conversion(dt.date(2027, 3, 1), 2))
    w.close()
    w = open_wams()  # the schema check on open accepts the partitioned log
    clock.set(dt.date(2027, 3, 15))
    assert w.domein(G, d.case_id, domein="welzijn", reden="eenzaamheid",
                    client_akkoord=True).allowed
    w.case(G, d.case_id, actor="medewerker", purpose="behandeling")  # a logged read
    clock.set(dt.date(2027, 9, 1))  # past the months made ready: the default partition
    assert w.sluit(G, d.case_id, terugvalafspraken="bel", reden="verhuisd").allowed
    w.case(G, d.case_id, actor="medewerker", purpose="behandeling")
    with w.engine.db.connect() as conn:
        where = dict(conn.exec_driver_sql(
            "select tableoid::regclass::text, count(*) from processing_log group by 1").all())
    assert set(where) == {"processing_log_before", "processing_log_2027_03",
                          "processing_log_later"}
    report = w.inzage_persoon(G, bsn=jan.bsn, actor="x", verzoek="V-2")
    handelingen = [r["handeling"] for r in report["verwerkingen"]]
    assert handelingen[:len(before)] == before and len(handelingen) >= len(before) + 3
    stamps = [r["wanneer"] for r in report["verwerkingen"]]
    assert stamps == sorted(stamps)
    assert len(list(logexport.records(w.engine.db, gemeente=G))) == sum(where.values()) + 1
    assert verify_database(w.engine.db, w.engine.keys).intact
    assert migrate.check(db_url) == []  # the partitions are the log, not strange tables
    with w.engine.db.connect() as conn, conn.begin():
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        stmt, index = repository.INDEXED_LOOKUPS["log records of a person"]
        plan = _plan(conn, stmt, PARAMS)
    # Every month is searched through its own copy of ix_log_subject.
    assert "Seq Scan" not in plan and "ix_log_subject_before" in plan, plan
    assert plan.count("Index Scan") == 4, plan


def test_partition_script_prints_sql_or_one_clear_error(capsys: Any) -> None:
    from wams.core.storage import partition

    assert partition.main(["--add", "--first", "2027-11", "--months", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "CREATE TABLE processing_log_2027_11 PARTITION OF processing_log FOR VALUES FROM "
        "('2027-11-01') TO ('2027-12-01');",
        "CREATE TABLE processing_log_2027_12 PARTITION OF processing_log FOR VALUES FROM "
        "('2027-12-01') TO ('2028-01-01');",
        "CREATE TABLE processing_log_2028_01 PARTITION OF processing_log FOR VALUES FROM "
        "('2028-01-01') TO ('2028-02-01');"]
    assert partition.main(["--first", "2027-11"]) == 0
    script = capsys.readouterr().out
    assert script.startswith("BEGIN;") and script.rstrip().endswith("COMMIT;")
    with pytest.raises(SystemExit) as bad:
        partition.main(["--first", "2027-13"])
    assert bad.value.code == 2 and "YYYY-MM" in capsys.readouterr().err


def test_cli_retention_run_shows_a_progress_bar_on_long_runs(db_url: str, open_wams: Any,
                                                              clock: Any) -> None:
    from wams.cli.privacy import main

    w = open_wams()
    with w.batch() as b:
        ids = [_open_close(b, i) for i in range(50)]
    w.close()
    done = CliRunner().invoke(main, ["retention", "run", "--db", db_url, "--op", "2028-03-01"])
    assert done.exit_code == 0, done.output
    # The bar, on stderr (off a terminal click prints only its label; on one it moves).
    assert done.output.splitlines()[0] == "nagaan"
    assert sum(1 for line in done.output.splitlines() if "zou vernietigd" in line) == len(ids)
