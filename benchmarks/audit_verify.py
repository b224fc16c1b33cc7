"""How long ``wams audit verify`` takes per 1,000,000 history entries, and its peak memory.

Not a ratio like B1-B3: the audit has no competitor to compare with. It is a sizing figure for
operations (how long the weekly verify takes, docs/audit.md).

The history is generated in bulk rather than by driving the engine (a million commands would
take an hour on this machine): each entry is built with the chain's own functions and the real
chain key from a key file, exactly as ``Store.append_history`` builds it, with one
processing-log row in its write set (the log is the largest covered table). The verifier
accepts it as intact, which the script checks. Then ``wams audit verify`` runs in a child
process, timed, and the child's peak RSS is read with ``getrusage``; run at two sizes, equal
peaks show that memory stays flat.

    python -m benchmarks.audit_verify --entries 1000000 --db sqlite:////tmp/audit.db
    python -m benchmarks.audit_verify --entries 1000000 \\
        --db postgresql+psycopg://postgres@127.0.0.1:55432/bench
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
from typing import Any

import sqlalchemy as sa

from wams.core.privacy.keystore import FileKeyStore
from wams.core.storage import chain, migrate
from wams.core.storage.coverage import ChainKeys, WriteSet
from wams.core.storage.repository import heads, history, log

GEMEENTEN = ("0599", "0363", "0518", "0344")
BATCH = 10_000


def _reset(url: str) -> None:
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
    else:
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
        engine.dispose()
    migrate.upgrade(url)


def generate(url: str, entries: int, keys: ChainKeys) -> None:
    """``entries`` chained entries spread over four municipalities, each with content and one
    log row, inserted in batches of 10,000."""
    engine = sa.create_engine(url)
    start = dt.datetime(2027, 2, 1, 9, 0)
    per = entries // len(GEMEENTEN)
    with engine.begin() as conn:
        for g in GEMEENTEN:
            key_id, key = keys.current(g)
            prev = chain.GENESIS
            rows: list[dict[str, Any]] = []
            logs: list[dict[str, Any]] = []
            for n in range(1, per + 1):
                at = start + dt.timedelta(seconds=n)
                trace = f"{n:032x}"
                entry = {"gemeente": g, "trace_id": trace, "span_id": f"{n:016x}",
                         "parent_span_id": None, "name": "wams.werkplan", "operation": "store",
                         "start_time": at, "end_time": at, "status_code": "STATUS_CODE_OK",
                         "activity_id": f"urn:wams:{g}:verwerkingsactiviteit:werkplan:v1",
                         "subject": f"{n:064x}", "subject_type": "bsn",
                         "case_id": f"{n % 5000:032x}", "category": None,
                         "purpose": "werkplan opstellen", "legal_basis": "AVG art. 6 lid 1e",
                         "source": None, "recipient": None, "actor": "college",
                         "chain_n": n}
                ws = WriteSet(n, prev, key_id, key)
                ws.add_row("processing_log", entry)
                content = '{"omschrijving":"werkplan met afspraken over schulden"}'
                salt = chain.salt()
                digest = chain.content_digest(content, salt)
                writes = chain.writes_digest(key, ws.rows)
                decision = '{"step":"werkplan","allowed":true,"code":"ok"}'
                h = chain.entry_hash(
                    key, key_id=key_id, prev_hash=prev, gemeente=g, chain_n=n,
                    case_id=entry["case_id"], at=at, step="werkplan", allowed=True, code="ok",
                    actor="college", trace_id=trace, idempotency_key=None, decision=decision,
                    content_digest=digest, writes_digest=writes, projection_ref=None,
                    projection_digest=None)
                rows.append({"gemeente": g, "chain_n": n, "case_id": entry["case_id"],
                             "at": at, "step": "werkplan", "allowed": True, "code": "ok",
                             "actor": "college", "trace_id": trace, "idempotency_key": None,
                             "decision": decision, "content": content, "content_salt": salt,
                             "content_digest": digest, "prev_hash": prev, "entry_hash": h,
                             "key_id": key_id, "writes_digest": writes,
                             "projection_ref": None, "projection_digest": None})
                logs.append(entry)
                prev = h
                if len(rows) == BATCH:
                    conn.execute(sa.insert(history), rows)
                    conn.execute(sa.insert(log), logs)
                    rows, logs = [], []
            if rows:
                conn.execute(sa.insert(history), rows)
                conn.execute(sa.insert(log), logs)
            conn.execute(sa.insert(heads), {"gemeente": g, "chain_n": per, "entry_hash": prev})
    engine.dispose()


def measure(url: str, key_file: str) -> tuple[float, int, str]:
    """Seconds, the child's peak RSS in KiB and the last output line of ``wams audit
    verify``."""
    env = {**os.environ, "WAMS_KEY_FILE": key_file}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "wams.cli", "audit", "verify", "--db", url],
                          env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if done.returncode != 0:
        raise SystemExit(f"audit verify failed: {done.stdout}{done.stderr}")
    # ru_maxrss of children is the largest child so far: grows only if this one was larger.
    return seconds, max(peak, before), done.stdout.strip().splitlines()[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--db", default=f"sqlite:///{tempfile.gettempdir()}/wams-audit.db")
    args = parser.parse_args(argv)
    key_file = os.path.join(tempfile.mkdtemp(), "wams.keys")
    _reset(args.db)
    t0 = time.perf_counter()
    generate(args.db, args.entries, ChainKeys(FileKeyStore(key_file)))
    print(f"generated {args.entries} entries in {time.perf_counter() - t0:.0f} s")
    seconds, peak_kib, verdict = measure(args.db, key_file)
    per_million = seconds * 1_000_000 / args.entries
    print(f"audit verify: {seconds:.1f} s ({per_million:.0f} s per 1,000,000 entries), "
          f"peak RSS {peak_kib / 1024:.0f} MiB; {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
