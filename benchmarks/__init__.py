"""Speed figures of the quality goals (B1, B1p, B2–B8), each a ratio measured side
by side in one run against a reference doing the same work. Run ``python -m benchmarks [--only
B1,B3] [--pg URL] [--scale N]`` from the source tree. Never part of the test suite's
pass/fail."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence

FIGURES = ("B1", "B1p", "B2", "B3", "B4", "B5", "B5pg", "B6", "B7", "B8", "B8pg")
PG_ENVS = ("WAMS_BENCH_POSTGRES_URL", "WAMS_TEST_POSTGRES_URL")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    p.add_argument("--only", help="comma-separated figures, e.g. B1,B3 (default: all)")
    p.add_argument("--pg", help="PostgreSQL URL for B2, B5pg, B7 and B8pg (default: "
                                "$WAMS_BENCH_POSTGRES_URL or $WAMS_TEST_POSTGRES_URL); its "
                                "tables are dropped and recreated")
    p.add_argument("--cases", type=int, default=300, help="cases per round for B1/B1p (300)")
    p.add_argument("--rounds", type=int, default=5, help="interleaved rounds (5)")
    p.add_argument("--scale", type=int, default=2000,
                   help="B5: cases of the municipality (2000, about a minute; measured at "
                        "N/10 and N; documented up to 1000000 = 20,000,000 log records)")
    p.add_argument("--pg-scale", type=int, default=None,
                   help="B5pg: cases of the PostgreSQL municipality (default: --scale, at most "
                        "10000: generating costs ~15 ms a case there)")
    p.add_argument("--load-cases", type=int, default=None,
                   help="B8: cases of the archive `wams archive load` loads (default: --scale, "
                        "at most 20000; `python -m benchmarks.b8 --cases 1000000` for the "
                        "million)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    only = FIGURES if not args.only else tuple(
        f.strip() for f in args.only.replace(" ", "").split(",") if f.strip())
    unknown = [f for f in only if f.upper() not in {x.upper() for x in FIGURES}]
    if unknown:
        print(f"unknown figure(s) {', '.join(unknown)}; choose from {', '.join(FIGURES)}",
              file=sys.stderr)
        return 2
    wanted = {f.upper() for f in only}
    problem = _pg_problem(args) if wanted & {"B2", "B5PG", "B7", "B8PG"} else None
    if problem:
        print(problem, file=sys.stderr)
        return 2
    for fid in FIGURES:
        if fid.upper() not in wanted:
            continue
        for text in _run(fid, args):
            print(text, flush=True)
    return 0


def _pg_url(args: argparse.Namespace) -> str | None:
    return args.pg or next((os.environ[e] for e in PG_ENVS if os.environ.get(e)), None)


def _pg_problem(args: argparse.Namespace) -> str | None:
    """One line when the PostgreSQL figures cannot reach their database (before any figure
    runs, so a long run does not stop at B2 with a traceback)."""
    url = _pg_url(args)
    if not url:
        return None  # each PostgreSQL figure says it is skipped
    import sqlalchemy

    try:
        parsed = sqlalchemy.make_url(url)
    except sqlalchemy.exc.ArgumentError as exc:
        return f"--pg {url}: not a database URL ({exc})"
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() != "postgresql":
        return f"--pg {shown}: not a PostgreSQL URL (postgresql+psycopg://USER@HOST:PORT/DB)"
    engine = sqlalchemy.create_engine(parsed)
    try:
        with engine.connect():
            return None
    except sqlalchemy.exc.DBAPIError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        what_to_do = (f"create it first (createdb {parsed.database})"
                      if "does not exist" in reason else "is the server running there?")
        return f"--pg {shown}: cannot connect ({reason}); {what_to_do}, or pass another --pg"
    finally:
        engine.dispose()


@contextlib.contextmanager
def pg_key_file() -> Iterator[None]:
    """PostgreSQL needs a named key store: unless ``$WAMS_KEY_FILE`` names one, a throwaway
    key file for the run (its databases are dropped and recreated too). Set in the
    environment, so worker processes and ``wams serve`` use the same one."""
    if os.environ.get("WAMS_KEY_FILE"):
        yield
        return
    with tempfile.TemporaryDirectory(prefix="wams-bench-keys-") as d:
        os.environ["WAMS_KEY_FILE"] = os.path.join(d, "wams.keys")
        try:
            yield
        finally:
            del os.environ["WAMS_KEY_FILE"]


def _run(fid: str, args: argparse.Namespace) -> list[str]:
    if fid == "B1":
        from benchmarks import b1
        return b1.run(cases=args.cases, rounds=args.rounds)
    if fid == "B1p":
        from benchmarks import b1p
        return b1p.run(cases=max(args.cases // 3, 20), rounds=args.rounds)
    if fid in ("B2", "B7", "B5pg", "B8pg"):
        url = _pg_url(args)
        if not url:
            return [f"{fid} skipped: no PostgreSQL (pass --pg URL or set "
                    "WAMS_BENCH_POSTGRES_URL)"]
        with pg_key_file():
            if fid == "B2":
                from benchmarks import b2
                return b2.run(url, rounds=min(args.rounds, 3))
            if fid == "B5pg":
                from benchmarks import b5_pg
                return b5_pg.run(url, args.pg_scale or min(args.scale, 10_000))
            if fid == "B8pg":
                from benchmarks import b8
                return b8.run(args.load_cases or min(args.scale, 20_000), url=url, fid="B8pg")
            from benchmarks import b7
            return b7.run(url, rounds=max(2, args.rounds - 1))
    if fid == "B3":
        from benchmarks import b3
        return b3.run(rounds=args.rounds)
    if fid == "B4":
        from benchmarks import b4
        return b4.run()
    if fid == "B5":
        from benchmarks import b5
        return b5.run(args.scale)
    if fid == "B8":
        from benchmarks import b8
        return b8.run(args.load_cases or min(args.scale, 20_000))
    from benchmarks import b6
    return b6.run(rounds=args.rounds)
