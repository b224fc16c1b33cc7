"""``wams archive load``: an existing archive through the rules, in batches, resumable.

The guarantee under test: a load killed at any moment (SIGKILL, no chance to clean up) leaves
only whole batches of whole cases, and the same command started again loads the rest, nothing
twice. Checked on both backends from the database itself (raw SQL), and with ``audit verify``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy

from benchmarks.b8 import load_command, record, write_archive
from benchmarks.common import COMMANDS_PER_CASE, GEMEENTE
from wams.api import Wams
from wams.core.clock import Clock

BATCH = 4


def _run(archive: Path, url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*load_command(str(archive), url, BATCH), *extra],
                          capture_output=True, text=True, timeout=600, check=False)


def _per_case(url: str) -> dict[str, int]:
    """Raw counts: cases, and the history entries and log records of each case."""
    db = sqlalchemy.create_engine(url)
    try:
        with db.connect() as conn:
            cases = conn.exec_driver_sql("SELECT count(*) FROM cases").scalar_one()
            entries = conn.exec_driver_sql(
                "SELECT count(*) FROM history WHERE case_id IS NOT NULL").scalar_one()
            log = conn.exec_driver_sql(
                "SELECT count(*) FROM processing_log WHERE case_id IS NOT NULL").scalar_one()
            uneven = conn.exec_driver_sql(
                "SELECT count(*) FROM (SELECT case_id FROM history WHERE case_id IS NOT NULL "
                f"GROUP BY case_id HAVING count(*) <> {COMMANDS_PER_CASE}) AS x").scalar_one()
            open_ = conn.exec_driver_sql(
                "SELECT count(*) FROM cases WHERE phase <> 'afgesloten'").scalar_one()
    finally:
        db.dispose()
    return {"cases": cases, "entries": entries, "log": log, "uneven": uneven, "open": open_}


def _whole(counts: dict[str, int], cases: int) -> None:
    assert counts["cases"] == cases
    assert counts["entries"] == cases * COMMANDS_PER_CASE
    assert counts["log"] == cases * 6  # the B1 lifecycle logs six processings
    assert counts["uneven"] == 0 and counts["open"] == 0


def test_killed_load_resumes_without_doubles(db_url: str, tmp_path: Path) -> None:
    total = 40
    archive = tmp_path / "archief.jsonl"
    write_archive(str(archive), total)
    Wams.open(db_url).close()  # the schema exists, so the parent can count while it loads
    child = subprocess.Popen(load_command(str(archive), db_url, BATCH),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and child.poll() is None:
            if _per_case(db_url)["cases"] >= 2 * BATCH:
                break
            time.sleep(0.02)
        assert child.poll() is None, "the load ended before it could be killed: enlarge it"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(30)
    killed = _per_case(db_url)
    # Only whole batches of whole cases survive the kill.
    assert 2 * BATCH <= killed["cases"] < total
    assert killed["cases"] % BATCH == 0
    _whole(killed, killed["cases"])

    again = _run(archive, db_url)
    assert again.returncode == 0, again.stderr
    assert f"{killed['cases']} overgeslagen" in again.stdout
    assert f"{total - killed['cases']} geladen" in again.stdout
    _whole(_per_case(db_url), total)

    # A third run finds everything loaded and stores nothing.
    third = _run(archive, db_url)
    assert third.returncode == 0 and "0 geladen" in third.stdout
    assert f"{total} overgeslagen" in third.stdout
    _whole(_per_case(db_url), total)
    with Wams.open(db_url, clock=Clock()) as w:
        assert w.audit(GEMEENTE)["intact"]
        names = {c["id"] for c in w.cases(GEMEENTE)}
    assert len(names) == total


def test_a_malformed_record_stops_before_its_batch(db_url: str, tmp_path: Path) -> None:
    """Bad input: one line naming file, line, step and key, exit 2; the batches before it stay,
    the batch holding it stores nothing; after the fix the same command goes on."""
    archive = tmp_path / "archief.jsonl"
    lines = [json.dumps(record(i)) for i in range(10)]
    bad = record(6)
    bad["stappen"][1]["domein"]["domein"] = ["geen", "tekst"]
    lines[6] = json.dumps(bad)
    archive.write_text("\n".join(lines) + "\n")
    done = _run(archive, db_url)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    line = done.stderr.strip().splitlines()[-1]
    assert "regel 7" in line and "stap 2 (domein)" in line and "'domein'" in line, line
    _whole(_per_case(db_url), BATCH)  # the first batch; the second held the bad record

    lines[6] = json.dumps(record(6))
    archive.write_text("\n".join(lines) + "\n")
    fixed = _run(archive, db_url)
    assert fixed.returncode == 0, fixed.stderr
    _whole(_per_case(db_url), 10)


def test_a_step_the_catalogue_cannot_take_undoes_its_batch(db_url: str,
                                                           tmp_path: Path) -> None:
    """An unknown domain is valid JSON and a valid scenario step, but the engine refuses it as
    input: the whole batch is undone (no half-written case), exit 2 naming the record."""
    archive = tmp_path / "archief.jsonl"
    bad = record(5)
    bad["stappen"][1]["domein"]["domein"] = "geen_domein"
    archive.write_text("\n".join(json.dumps(r) for r in
                                 [*(record(i) for i in range(5)), bad]) + "\n")
    done = _run(archive, db_url)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "regel 6" in done.stderr and "Z-0000005" in done.stderr
    _whole(_per_case(db_url), BATCH)


def test_refused_steps_are_stored_reported_and_not_repeated(db_url: str,
                                                            tmp_path: Path) -> None:
    """A step the rules refuse is kept as a refusal (as live) and printed; exit 1. Run again,
    the record is skipped: its refusal is not stored twice."""
    archive = tmp_path / "archief.jsonl"
    refused = record(1)
    del refused["stappen"][7]  # no werkplan: coordinator and sluit are refused (R22)
    archive.write_text(json.dumps(record(0)) + "\n" + json.dumps(refused) + "\n")
    done = _run(archive, db_url)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "regel 2 (zaak 'Z-0000001')" in done.stdout
    db = sqlalchemy.create_engine(db_url)

    def refusals() -> int:
        with db.connect() as conn:
            return int(conn.exec_driver_sql(
                "SELECT count(*) FROM history WHERE NOT allowed").scalar_one())

    try:
        first = refusals()
        assert first >= 1
        again = _run(archive, db_url)
        assert again.returncode == 0 and "2 overgeslagen" in again.stdout
        assert refusals() == first
    finally:
        db.dispose()


def test_help_names_the_format_and_the_resume(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from wams.cli import cli

    out = CliRunner().invoke(cli, ["archive", "load", "--help"]).output
    assert "JSON Lines" in out and "opnieuw" in out and "--batch" in out


@pytest.mark.parametrize("text", ["{niet json", "[1, 2]", '{"formaat": 2}'])
def test_bad_lines_are_one_line_and_exit_2(tmp_path: Path, text: str) -> None:
    archive = tmp_path / "archief.jsonl"
    archive.write_text(text + "\n")
    done = _run(archive, f"sqlite:///{tmp_path / 'a.db'}")
    assert done.returncode == 2
    assert "regel 1" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr



def test_a_load_keeps_no_case_in_memory_and_decides_as_a_kept_batch(
        open_wams: Any, tmp_path: Path) -> None:
    """The load does not keep its cases in the case cache (each is loaded whole in its batch;
    kept, an archive's last 10,000 cases stayed in memory for nothing), and what it stores is
    what a batch that keeps them stores."""
    from wams.archive import load

    archive = tmp_path / "archief.jsonl"
    write_archive(str(archive), 3 * BATCH + 1)
    w = open_wams()
    progress = load(w, archive, batch=BATCH)
    assert progress.loaded == 3 * BATCH + 1 and not progress.differing
    ids = [c["id"] for c in w.cases(GEMEENTE, limit=100)]
    assert len(ids) == 3 * BATCH + 1
    assert all(w.engine.cached_case(i) is None for i in ids)
    # A later step reads the case from the database: the same case the load stored.
    stored = w.case(GEMEENTE, ids[0], actor="medewerker", purpose="behandeling")
    assert stored.phase == "afgesloten" and stored.version == COMMANDS_PER_CASE

    # The default batch keeps its cases; a batch's steps decide the same either way.
    kept = open_wams()
    decisions = {}
    for keep in (True, False):
        with kept.batch(all_or_nothing=True, keep_cases=keep) as b:
            d = b.hulpvraag(GEMEENTE, wet="participatiewet", client=_client(keep),
                            vraag="bijstand", aanleiding="betalingsachterstanden")
            d2 = b.domein(GEMEENTE, d.case_id, domein="schuldhulp", reden="achterstanden",
                          client_akkoord=True)
        decisions[keep] = (d.code, d2.code, d2.version)
        assert (kept.engine.cached_case(d.case_id) is not None) is keep
    assert decisions[True] == decisions[False]


def _client(keep: bool):  # type: ignore[no-untyped-def]
    from wams.core.model import Persoon
    from wams.testing import test_bsn

    return Persoon(ref="jan", bsn=test_bsn(70 + keep), naam=f"Jan {keep}")


def test_the_command_run_in_a_callers_process_leaves_its_collector_as_it_was(
        db_url: str, tmp_path: Path) -> None:
    """The load freezes what it built to start (gc.freeze: the collector's full passes skip
    it); run in a caller's own process (CliRunner, an embedding), it unfreezes at the end."""
    import gc

    from click.testing import CliRunner

    from wams.cli import cli

    archive = tmp_path / "archief.jsonl"
    write_archive(str(archive), 2)
    before = gc.get_freeze_count()
    out = CliRunner().invoke(cli, ["archive", "load", str(archive), "--db", db_url, "--stil"])
    assert out.exit_code == 0, out.output
    assert gc.get_freeze_count() == before
