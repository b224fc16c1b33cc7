"""The speed goals live in one table (benchmarks/goals.py) that says what the quality goals in
docs/contributing.md say, and every benchmark judges against it: no figure carries a goal of
its own, so a goal cannot go stale in one place and print "ok" for a miss."""

from __future__ import annotations

import re
from pathlib import Path

from benchmarks import goals

ROOT = Path(__file__).resolve().parents[1]


def _rows() -> dict[str, str]:
    text = (ROOT / "docs" / "contributing.md").read_text(encoding="utf-8")
    return {m.group(1): m.group(2) for m in re.finditer(r"^\| (B\d+p?) \|(.*)$", text, re.M)}


def _number(bound: float) -> str:
    return f"{bound:,.0f}" if bound >= 1000 else f"{bound:g}"


def test_every_goal_is_the_documented_one() -> None:
    rows = _rows()
    for key, goal in goals.GOALS.items():
        figure = key.split("-")[0]
        assert figure in rows, f"{key}: no row {figure} in docs/contributing.md"
        if key == "B8":  # documented as "1,000,000 cases in under an hour"
            assert "1,000,000 cases in under an hour" in rows[figure]
            assert goal.bound == 1_000_000 / 3600
            continue
        if key == "B3":  # documented in words: no more than one hook call
            assert "no more than one pluggy hook call" in rows[figure] and goal.bound == 1
            continue
        if key in ("B5-flat", "B5-memory"):  # "flat from N/10 to N", "in flat memory"
            assert "flat" in rows[figure]
            continue
        sign = "≥" if goal.at_least else "≤"
        assert f"{sign} {_number(goal.bound)}" in rows[figure], \
            f"{key}: goal {goal.text()} is not in the documented row {rows[figure]!r}"


def test_every_documented_speed_figure_has_a_goal() -> None:
    figures = {key.split("-")[0] for key in goals.GOALS}
    assert set(_rows()) == figures


def test_no_benchmark_keeps_a_goal_of_its_own() -> None:
    for path in sorted((ROOT / "benchmarks").glob("*.py")):
        if path.name == "goals.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*GOAL\w*\s*=", text, re.M), f"{path.name} defines a goal"
        assert not re.search(r"goal [≥≤<>] ?\d", text), \
            f"{path.name} writes a goal's number itself: use benchmarks.goals"


def test_a_figure_line_names_its_goal_verdict_and_the_load() -> None:
    ok = goals.line("B1", "wams 10 cmd/s  raw 12 cmd/s  ratio 0.83", "B1", 0.83)
    assert "goal ≥ 0.7  (ok)" in ok and re.search(r"\[load (\d+\.\d|\?)\]$", ok)
    missed = goals.line("B7", "serve p99 80 ms", "B7-p99", 80.0)
    assert "goal ≤ 50 ms  (MISSED)" in missed
    unjudged = goals.line("B2", "scaling", "B2-scaling", 0.9, judged=False)
    assert "(not judged)" in unjudged and "MISSED" not in unjudged


def test_the_benchmarks_run_without_pytest() -> None:
    """``pip install -e '.[bench]'`` installs no pytest: the archive B8 loads and B5's data
    (which need test BSNs) must not import it."""
    import subprocess
    import sys

    code = ("import sys; sys.modules['pytest'] = None\n"
            "from benchmarks import b5_data, b8, common\n"
            "assert b8.record(1)['personen']['jan']['bsn'] == b5_data.bsn(1)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr[-800:]


def test_an_unreachable_database_is_one_line_before_any_figure(capsys) -> None:
    """A wrong ``--pg`` stops the run at once with one line and exit 2 (it used to run the
    SQLite figures first and end at B2 in a traceback), the password not shown."""
    import benchmarks

    for url, says in (("postgresql+psycopg://bench:geheim@127.0.0.1:1/wams_bench",
                       "is the server running there?"),
                      ("sqlite:///x.db", "not a PostgreSQL URL")):
        assert benchmarks.main(["--only", "B1,B7", "--pg", url]) == 2
        out, err = capsys.readouterr()
        assert out == "" and err.count("\n") == 1 and says in err, err
        assert "geheim" not in err


def test_memory_growth_is_judged_only_past_the_page_caches() -> None:
    """B5's memory is flat when it stops growing with the archive; below the page cache its
    connections may fill (64 MiB each), growth from N/10 to N is that cache filling up (a
    2,000-case run: 82 -> 158 MB, 75 MB with a 2 MiB cache), so it is said, not judged."""
    from benchmarks import b5

    def figures(database_mb: float, audit_mb: float) -> dict[str, float]:
        f = {"inzage_p99": 0.003, "inzage_p50": 0.002, "inzage_raw_p99": 0.002,
             "inzage_raw_p50": 0.001, "inzage_checkpoint_p50": 0.001, "inzage_cli_p50": 0.7,
             "retention_cases": 100.0, "database_mb": database_mb}
        for run in ("cold", "warm"):
            f[f"retention_{run}_ms"], f[f"retention_{run}_raw_ms"] = 0.7, 0.4
        for name in ("case_list", "log_export", "audit_verify"):
            f.update({f"{name}_s": 1.0, f"{name}_raw_s": 0.5, f"{name}_rows": 1000.0,
                      f"{name}_mb": 80.0, f"{name}_raw_mb": 50.0})
        f["audit_verify_mb"] = audit_mb
        return f

    def audit_line(small_db: float) -> str:
        lines = b5.report({200: figures(small_db, 82.0), 2000: figures(10 * small_db, 158.0)},
                          200, 2000)
        return next(x for x in lines if "audit verify" in x)

    small = audit_line(10.0)
    assert "(ok)" in small and "growth not judged" in small, small
    large = audit_line(500.0)
    assert "(MISSED)" in large and "not judged" not in large, large


def test_b7s_latency_miss_is_explained_by_its_own_figures() -> None:
    """32 closed-loop clients wait for each answer before the next, so the mean latency is 32 /
    throughput whatever the service does: B7's p99 line says it with the run's own figures,
    what throughput the bound needs and what even the in-process API did, and the latency of
    one client alone."""
    from benchmarks import b7

    note = b7.queue_note({"steps_per_s": 320.0, "in_process_steps_per_s": 480.0,
                           "alone_p50_ms": 2.9, "alone_p99_ms": 18.5})
    assert "32 / 320 steps/s = 100 ms" in note, note
    assert "needs ≥ 640 steps/s, the in-process API did 480" in note, note
    assert "one client alone: p50 2.9, p99 18.5 ms" in note, note
