"""B7: ``wams serve`` with 4 workers on PostgreSQL and 32 concurrent clients, against the
in-process API on the same database (the quality goal: ≥ 0.5 of in-process steps/s; p99
≤ 50 ms).

Each client drives whole cases over HTTP (the ten commands of B1, each with ``If-Match`` on the
version it was given), on loopback only. Afterwards every acknowledged step must be in the
history (each case's version is 1 + its acknowledged steps: no lost update) and the chain must
verify. The reference runs the same lifecycle through :class:`wams.api.Wams` in one process.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Any

from benchmarks import common, goals

SECRET = "wams-bench-secret-" + "0" * 32
#: cases one client drives alone after the rounds (its latency: nobody queued in front)
ALONE_CASES = 8

JAN = {"ref": "jan", "geboortedatum": "1985-04-12", "naam": "Jan Bakker"}
KB = {"ref": "kredietbank", "soort": "wgs.schuldhulpverlener"}
STEPS: list[tuple[str, dict[str, Any]]] = [
    ("domein", {"domein": "schuldhulp", "reden": "betalingsachterstanden",
                "client_akkoord": True}),
    ("vraag-gegevens", {"bij": KB, "categorie": "wgs.schuldenoverzicht", "over": "jan",
                        "doel": "onderzoek", "toelichting": "zicht op schulden",
                        "noodzaak": "bepalen of schuldhulp nodig is"}),
    ("vraag-gegevens", {"bij": KB, "categorie": "wgs.betalingsachterstanden", "over": "jan",
                        "doel": "onderzoek", "toelichting": "zicht op achterstanden",
                        "noodzaak": "bepalen of schuldhulp nodig is"}),
    ("dienst", {"persoon": "jan", "dienst": "participatiewet.algemene_bijstand",
                "status": "lopend"}),
    ("dienst", {"persoon": "jan", "dienst": "wgs.schuldhulpverlening", "status": "benodigd",
                "partij": KB}),
    ("terugkoppeling", {"samenvatting": "twee diensten en samenhang"}),
    ("werkplan", {"samenhang": "schulden verhinderen uitstroom", "coordinatie_helpt": True,
                  "afspraken": {"coordinatie": "wijkteam volgt voortgang",
                                "evaluatie": "na 3 maanden",
                                "beeindiging": "als schuldregeling loopt"}}),
    ("coordinator", {"type": "ambtenaar", "wie": "M. de Vries"}),
    ("sluit", {"terugvalafspraken": "contact opnemen met wijkteam"}),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_service(url: str, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    import httpx

    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from wams.cli import main; main()", "serve", "--db", url,
         "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        env={**os.environ, "WAMS_JWT_SECRET": SECRET}, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"B7: wams serve stopped (exit {proc.returncode})")
        try:
            if httpx.get(f"{base}/v2/ready", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop_service(proc)
    raise SystemExit("B7: wams serve did not become ready")


def stop_service(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def drive(base: str, clients: int, cases_per_client: int) -> dict[str, Any]:
    """``clients`` threads, each driving ``cases_per_client`` whole cases over HTTP/1.1 with a
    kept-alive connection of the standard library's client: the clients share the machine's
    cores with the service and PostgreSQL (on a deployment they run elsewhere), so they must
    take as little of them as a client can (httpx's took 2–2.6 ms of CPU a step here, more
    than the engine's own work; this one about a tenth of that)."""
    import http.client
    import json
    from urllib.parse import urlsplit

    from wams.service.auth import mint

    token = mint(SECRET, gemeente=common.GEMEENTE, user="bench", rol="medewerker", ttl=3600)
    where = urlsplit(base)
    prefix = f"/v2/gemeenten/{common.GEMEENTE}"
    latencies: list[float] = []
    acknowledged: dict[str, int] = {}
    errors: list[str] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        mine: list[float] = []
        conn = http.client.HTTPConnection(where.hostname, where.port, timeout=60)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

        def post(path: str, body: dict[str, Any], etag: str | None = None
                 ) -> tuple[int, dict[str, str], bytes]:
            t = time.perf_counter()
            conn.request("POST", path, json.dumps(body).encode(),
                         {**headers, "If-Match": etag} if etag else headers)
            r = conn.getresponse()
            answer = r.read()  # the whole answer, as a client that uses it would
            mine.append(time.perf_counter() - t)
            return r.status, {k.lower(): v for k, v in r.getheaders()}, answer

        try:
            for i in range(cases_per_client):
                status, head, answer = post(f"{prefix}/hulpvragen", {
                    "wet": "participatiewet", "client": {**JAN, "naam": f"Jan Bakker {n}-{i}"},
                    "vraag": "algemene bijstand", "aanleiding": "noemt betalingsachterstanden"})
                if status != 201:
                    errors.append(f"hulpvraag {status} {answer[:200]!r}")
                    return
                cid, etag, done = json.loads(answer)["casus"], head["etag"], 1
                for name, body in STEPS:
                    status, head, answer = post(f"{prefix}/casussen/{cid}/{name}", body, etag)
                    if status != 200:
                        errors.append(f"{name} {status} {answer[:200]!r}")
                        break
                    etag, done = head["etag"], done + 1
                with lock:
                    acknowledged[cid] = done
        except (OSError, http.client.HTTPException, ValueError, KeyError) as exc:
            errors.append(f"client {n}: {exc!r}")  # counted as a failure, never lost
        finally:
            conn.close()
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {"steps": len(latencies), "seconds": elapsed, "latencies": latencies,
            "steps_per_s": len(latencies) / elapsed if elapsed else 0.0,
            "p50_ms": _pct(latencies, 0.50), "p99_ms": _pct(latencies, 0.99),
            "acknowledged": acknowledged, "errors": errors}


def verify(url: str, acknowledged: dict[str, int]) -> list[str]:
    """Every acknowledged step is in the history, nothing more per case, the chain intact."""
    from wams.api import Wams

    problems = []
    with Wams.open(url) as w:
        versions = {c["id"]: c["version"] for c in w.cases(common.GEMEENTE)}
        for cid, done in acknowledged.items():
            if versions.get(cid) != done:
                problems.append(f"case {cid}: version {versions.get(cid)}, acknowledged {done}")
        report = w.audit(common.GEMEENTE)
        if not report["intact"]:
            problems.extend(report["breaks"])
    return problems


def in_process(url: str, cases: int, first: int = 0) -> float:
    """Steps/s of the same lifecycle through the Python API on the same database."""
    from wams.api import Wams

    with Wams.open(url) as w:
        started = time.perf_counter()
        for i in range(first, first + cases):
            common.check_lifecycle(common.lifecycle(w, common.GEMEENTE, i))
        return cases * common.COMMANDS_PER_CASE / (time.perf_counter() - started)


def _service_cpu(group: int) -> float:
    """CPU seconds used so far by the service's processes (its session: ``group``); 0 where
    /proc does not say (not Linux)."""
    total = 0
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        if int(fields[3]) == group:  # its process group: the service and its workers
            total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def reset(url: str) -> None:
    import sqlalchemy

    engine = sqlalchemy.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


def measure(url: str, *, workers: int = 4, clients: int = 32, rounds: int = 4,
            cases_per_client: int = 1) -> dict[str, Any]:
    """``rounds`` rounds, the service and the in-process API interleaved (the order swaps
    every round; the service idles while the reference runs), each side ``clients ×
    cases_per_client`` cases a round; the ratio is the median of the per-round ratios."""
    reset(url)
    proc, base = start_service(url, workers)
    served: list[dict[str, Any]] = []
    local: list[float] = []
    cases = clients * cases_per_client
    try:
        drive(base, 4, 1)  # warm every worker's caches and connections
        in_process(url, 2, first=10_000_000)  # and the reference's
        for r in range(rounds):
            for side in (("serve", "local") if r % 2 == 0 else ("local", "serve")):
                if side == "serve":
                    service0, client0 = _service_cpu(proc.pid), time.process_time()
                    served.append(drive(base, clients, cases_per_client))
                    served[-1]["service_cpu"] = _service_cpu(proc.pid) - service0
                    served[-1]["client_cpu"] = time.process_time() - client0
                else:
                    local.append(in_process(url, cases, first=r * cases))
        # The service's own latency, with nobody queued in front: one client, whole cases.
        alone = drive(base, 1, ALONE_CASES)
    finally:
        stop_service(proc)
    latencies = sorted(x for d in served for x in d["latencies"])
    acknowledged = {k: v for d in served for k, v in d["acknowledged"].items()}
    ratios = common.ratios([d["steps_per_s"] for d in served], local)
    steps = sum(d["steps"] for d in served) or 1
    return {"steps": len(latencies), "cases": cases * rounds,
            "steps_per_s": common.median([d["steps_per_s"] for d in served]),
            "in_process_steps_per_s": common.median(local),
            "ratio": common.median(ratios),
            "p50_ms": _pct(latencies, 0.50), "p99_ms": _pct(latencies, 0.99),
            "service_cpu_ms": 1000 * sum(d["service_cpu"] for d in served) / steps,
            "client_cpu_ms": 1000 * sum(d["client_cpu"] for d in served) / steps,
            "alone_p50_ms": alone["p50_ms"], "alone_p99_ms": alone["p99_ms"],
            "errors": [e for d in [*served, alone] for e in d["errors"]],
            "acknowledged": acknowledged,
            # the lone client's steps are checked too
            "problems": verify(url, {**acknowledged, **alone["acknowledged"]})}


def queue_note(r: dict[str, Any], clients: int = 32) -> str:
    """Why the p99 is what it is, in this run's figures: closed-loop clients each wait for
    their answer before they ask again, so (Little's law) the mean latency is clients /
    throughput whatever the service does; the p99 bound needs a throughput that even the
    in-process API (no HTTP at all) would have to reach. Beside it, one client alone: the
    latency of the service itself, with nobody queued in front."""
    bound = goals.GOALS["B7-p99"].bound
    mean = 1000 * clients / r["steps_per_s"] if r["steps_per_s"] else float("inf")
    return (f"[{clients} closed-loop clients: mean latency = {clients} / "
            f"{r['steps_per_s']:.0f} steps/s = {mean:.0f} ms (Little's law); p99 ≤ {bound:g} "
            f"ms needs ≥ {1000 * clients / bound:.0f} steps/s, the in-process API did "
            f"{r['in_process_steps_per_s']:.0f}; one client alone: p50 "
            f"{r['alone_p50_ms']:.1f}, p99 {r['alone_p99_ms']:.1f} ms]")


def _pct(ordered: list[float], p: float) -> float:
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else 0.0


def run(url: str, *, rounds: int = 4) -> list[str]:
    r = measure(url, rounds=max(2, rounds))
    if r["errors"] or r["problems"]:
        raise SystemExit(f"B7 FAILED: {(r['errors'] + r['problems'])[:3]}")
    p99 = goals.line("B7", f"serve p99 {r['p99_ms']:.1f} ms per step (p50 "
                     f"{r['p50_ms']:.1f} ms)", "B7-p99", r["p99_ms"], queue_note(r))
    return [common.line(
        "B7", f"serve {r['steps_per_s']:.0f} steps/s", f"in-process "
        f"{r['in_process_steps_per_s']:.0f} steps/s", r["ratio"], "B7",
        f"[4 workers, 32 clients; {r['cases']} cases a side in {max(2, rounds)} interleaved "
        f"rounds, median of per-round ratios; {r['steps']} steps served, every one verified "
        f"in the history, chain intact; CPU a served step: service {r['service_cpu_ms']:.2f} "
        f"ms, the clients {r['client_cpu_ms']:.2f} ms, on the same cores]"), p99]
