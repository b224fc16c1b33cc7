"""B8: loading an existing archive through the rules, with the documented command.

An archive of N cases (JSON Lines, one case a line: the B1 lifecycle written as a scenario
document, see docs/archief.md) is generated, then loaded by ``wams archive load`` in a child
process into a fresh database; the rate is cases a second over the whole run (start-up
included), against the goal of 1,000,000 cases in under an hour. The result is checked: the
number of cases and history entries, and ``audit verify``.

Run alone: ``python -m benchmarks.b8 --cases 1000000 --db sqlite:////big/disk/a.db`` (writes the
archive beside the database; resumes a load that was stopped when started again).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from typing import Any

from benchmarks import goals
from benchmarks.common import COMMANDS_PER_CASE, GEMEENTE, START


def record(i: int, *, gemeente: str = GEMEENTE, day: dt.date = START) -> dict[str, Any]:
    """Case ``i`` of a generated archive: the ten commands of the B1 lifecycle."""
    from wams.testdata import test_bsn

    vraag = {"bij": "kredietbank", "over": "jan", "doel": "onderzoek",
             "noodzaak": "bepalen of schuldhulp nodig is"}
    return {
        "formaat": 2, "scenario": f"Z-{i:07d}", "gemeente": gemeente, "datum": day.isoformat(),
        "personen": {"jan": {"rol": "client", "geboortedatum": "1985-04-12",
                             "naam": f"Jan Bakker {i}", "bsn": test_bsn(i)}},
        "partijen": {"kredietbank": {"soort": "wgs.schuldhulpverlener"}},
        "stappen": [
            {"hulpvraag": {"wet": "participatiewet", "client": "jan",
                           "vraag": "algemene bijstand",
                           "aanleiding": "noemt betalingsachterstanden"}},
            {"domein": {"domein": "schuldhulp", "reden": "betalingsachterstanden",
                        "client_akkoord": True}},
            {"vraag_gegevens": {**vraag, "categorie": "wgs.schuldenoverzicht",
                                "toelichting": "zicht op schulden"}},
            {"vraag_gegevens": {**vraag, "categorie": "wgs.betalingsachterstanden",
                                "toelichting": "zicht op achterstanden"}},
            {"dienst": {"persoon": "jan", "dienst": "participatiewet.algemene_bijstand",
                        "status": "lopend"}},
            {"dienst": {"persoon": "jan", "dienst": "wgs.schuldhulpverlening",
                        "status": "benodigd", "partij": "kredietbank"}},
            {"terugkoppeling": {"samenvatting": "twee diensten en samenhang"}},
            {"werkplan": {"samenhang": "schulden verhinderen uitstroom",
                          "coordinatie_helpt": True,
                          "afspraken": {"coordinatie": "wijkteam volgt voortgang",
                                        "evaluatie": "na 3 maanden",
                                        "beeindiging": "als schuldregeling loopt"}}},
            {"coordinator": {"type": "ambtenaar", "wie": "M. de Vries"}},
            {"sluit": {"terugvalafspraken": "contact opnemen met wijkteam"}},
        ],
    }


def write_archive(path: str, cases: int, start: int = 0) -> None:
    """An archive file of ``cases`` generated cases (numbered from ``start``)."""
    with open(path, "w", encoding="utf-8") as f:
        for i in range(start, start + cases):
            f.write(json.dumps(record(i), separators=(",", ":")) + "\n")


def load_command(archive: str, url: str, batch: int = 500) -> list[str]:
    """``wams archive load`` as a child process runs it."""
    return [sys.executable, "-c", "from wams.cli import main; main()", "archive", "load",
            archive, "--db", url, "--batch", str(batch)]


def run(cases: int, url: str | None = None, directory: str | None = None,
        fid: str = "B8") -> list[str]:
    """``fid`` B8pg: ``url`` is a PostgreSQL database, emptied first (its goal is B8's: "the
    same rate on PostgreSQL")."""
    from benchmarks.common import fresh_sqlite, tempdir

    if fid == "B8pg" and url is not None:
        from benchmarks.b7 import reset
        reset(url)

    with tempdir() as tmp:
        where = directory or tmp
        archive = os.path.join(where, f"archief-{cases}.jsonl")
        if not os.path.exists(archive):
            write_archive(archive, cases)
        if url is None:
            url = f"sqlite:///{fresh_sqlite(where, f'b8-{cases}.db')}"
        start = time.perf_counter()
        cpu = _child_cpu()
        done = subprocess.run([*load_command(archive, url), "--stil"], stdout=subprocess.PIPE,
                              text=True, check=False)
        seconds = time.perf_counter() - start
        cpu = _child_cpu() - cpu
        if done.returncode != 0:
            raise SystemExit(f"B8: wams archive load ended with {done.returncode}: "
                             f"{done.stdout[-500:]}")
        _check(url, cases)
    rate = cases / seconds
    return [goals.line(
        fid, f"wams archive load {rate:.0f} cases/s ({cases} cases of {COMMANDS_PER_CASE} "
              f"commands in {seconds:.0f} s, the command in a child process, start-up included; "
              f"1,000,000 would take {1_000_000 / rate / 3600:.2f} h)",
        "B8", rate, f"[its CPU, the loader's and its reader's: {cpu / cases * 1000:.2f} ms a "
                    f"case, {cases / cpu:.0f} cases "
                    "per CPU-second; cases and audit verify checked]")]


def _child_cpu() -> float:
    """CPU seconds (user + system) of the finished children: the load's own work, which the
    other processes of a shared machine do not stretch."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _check(url: str, cases: int) -> None:
    from wams.api import Wams

    with Wams.open(url) as w:
        found = sum(1 for _ in w.iter_cases(GEMEENTE))
        audit = w.audit(GEMEENTE)
    if found != cases or not audit.get("intact"):
        raise SystemExit(f"B8: {found} cases loaded of {cases}; audit {audit}")


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.b8", description=__doc__)
    p.add_argument("--cases", type=int, default=2000)
    p.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    p.add_argument("--dir", help="where the archive (and the SQLite file) go")
    args = p.parse_args(argv)
    for text in run(args.cases, args.db, args.dir):
        print(text, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
