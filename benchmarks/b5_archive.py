"""B5's reads on an archive loaded by B8: ``python -m benchmarks.b5_archive --db PATH``.

B5 generates its own municipality through ``Wams.batch`` (with 14 logged views a case and an
expired tenth for retention): about 150 cases a second on this machine, so hours at 1,000,000
cases. An archive loaded by ``wams archive load`` (B8) holds the same lifecycle per case, with
the same persons (client ``jan`` with the BSN ``test_bsn(i)`` of case ``i``), only without
the views; on it, B5's reads are measured as B5 measures them: the access report through the
API interleaved lookup by lookup with raw sqlite3 doing the same reads and write, the CLI's
access report, and the case list, log export and audit verify as child processes against raw
children reading the same rows.

Retention is not measured here: every case of B8's archive is closed on the same day, so a
retention run would destroy the whole archive at once. Its cost per case is B5's figure at
its own scale, and ``tests/test_record_retention_cost.py`` bounds its statements and (on
SQLite) its VM instructions per destroyed case at ten times the archive.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Sequence

from benchmarks import b5, b5_data, goals
from benchmarks.common import GEMEENTE


def cases_in(path: str) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM cases WHERE gemeente = ?",
                                (GEMEENTE,)).fetchone()[0])
    finally:
        conn.close()


def run(path: str) -> list[str]:
    n = cases_in(path)
    f = b5.measure_reads(b5_data.Generated(path, n, 0.0, [], []))
    ms = lambda s: f"{s * 1000:.2f} ms"  # noqa: E731
    ratio = f["inzage_p99"] / f["inzage_raw_p99"]
    p99, raw = goals.GOALS["B5-inzage-p99"], goals.GOALS["B5-inzage-raw"]
    ok = p99.met(f["inzage_p99"] * 1000) and raw.met(ratio)
    lines = [f"B5  on B8's archive of {n} cases: inzage API p99 {ms(f['inzage_p99'])} "
             f"(p50 {ms(f['inzage_p50'])})  raw p99 {ms(f['inzage_raw_p99'])} "
             f"(p50 {ms(f['inzage_raw_p50'])})  ratio {ratio:.2f}  goal p99 {p99.text()} and "
             f"{raw.text()} raw  ({'ok' if ok else 'MISSED'})  [{goals.load()}]",
             f"B5  on B8's archive of {n} cases: inzage CLI p50 {ms(f['inzage_cli_p50'])} wall "
             f"(interpreter start included; see B6)  [{goals.load()}]"]
    memory = goals.GOALS["B5-memory"]
    for name, what in (("case_list", "case list"), ("log_export", "log export"),
                       ("audit_verify", "audit verify")):
        rows = f[f"{name}_rows"]
        per, raw_per = f[f"{name}_s"] / rows * 1e6, f[f"{name}_raw_s"] / rows * 1e6
        lines.append(
            f"B5  on B8's archive of {n} cases: {what} {per:.1f} µs per row over {rows:.0f} "
            f"rows  raw {raw_per:.1f} µs  ratio {per / raw_per:.2f} (no goal)  peak "
            f"{f[f'{name}_mb']:.0f} MB (raw {f[f'{name}_raw_mb']:.0f})  goal {memory.text()}  "
            f"({'ok' if memory.met(f[f'{name}_mb']) else 'MISSED'})  [{goals.load()}]")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.b5_archive", description=__doc__)
    p.add_argument("--db", required=True, help="the SQLite file B8 loaded (its path)")
    args = p.parse_args(argv)
    for line in run(args.db):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
