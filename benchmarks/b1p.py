"""B1p: the B1 lifecycle through wams vs SpiffWorkflow 3.x running the same ten steps as a BPMN
process (lifecycle.bpmn: ten user tasks in sequence), persisting its serialised workflow state
after every step in its own transaction, in a file SQLite database with the engine's settings
(WAL, synchronous=NORMAL, BEGIN IMMEDIATE). Like wams (which caches the case projection), the
workflow object stays in memory between steps; each step completes the ready task with the
command's payload as task data, runs the engine steps, serialises and writes."""

from __future__ import annotations

import os
import time

from benchmarks import b1, common, reference

BPMN = os.path.join(os.path.dirname(__file__), "lifecycle.bpmn")


def _spiff():  # type: ignore[no-untyped-def]
    try:
        from SpiffWorkflow.bpmn.parser import BpmnParser
        from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
        from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
        from SpiffWorkflow.util.task import TaskState
    except ImportError:
        return None
    return BpmnParser, BpmnWorkflowSerializer, BpmnWorkflow, TaskState


def spiff_round(path: str, payloads: list[dict], cases: int, reload: bool = False) -> float:
    """``reload``: read and deserialise the workflow from the database before every step, as
    a service must that keeps no state between requests (several processes, quality B2).
    wams is then run with its case cache off (``case_cache=0``): it reads, unseals and parses
    its case before every step too."""
    BpmnParser, Serializer, BpmnWorkflow, TaskState = _spiff()
    parser = BpmnParser()
    parser.add_bpmn_file(BPMN)
    spec = parser.get_spec("wams_lifecycle")
    serializer = Serializer()
    conn = reference.sqlite_connect(path)
    conn.execute("CREATE TABLE IF NOT EXISTS workflows (id TEXT PRIMARY KEY, "
                 "version INTEGER NOT NULL, state TEXT NOT NULL)")

    def one(i: int) -> None:
        wf = BpmnWorkflow(spec)
        wf.do_engine_steps()
        wid = f"case-{i}"
        for n, payload in enumerate(payloads):
            if reload and n > 0:
                (text,) = conn.execute("SELECT state FROM workflows WHERE id = ?",
                                       (wid,)).fetchone()
                wf = serializer.deserialize_json(text)
            task = wf.get_tasks(state=TaskState.READY, manual=True)[0]
            task.data.update(payload)
            task.run()
            wf.do_engine_steps()
            state = serializer.serialize_json(wf)
            conn.execute("BEGIN IMMEDIATE")
            if n == 0:
                conn.execute("INSERT INTO workflows (id, version, state) VALUES (?, 1, ?)",
                             (wid, state))
            else:
                conn.execute("UPDATE workflows SET state = ?, version = version + 1 "
                             "WHERE id = ?", (state, wid))
            conn.execute("COMMIT")
        if not wf.is_completed():
            raise SystemExit("B1p: the BPMN process did not complete")

    try:
        one(0)  # warm (not timed)
        t0 = time.perf_counter()
        for i in range(1, cases + 1):
            one(i)
        elapsed = time.perf_counter() - t0
    finally:
        conn.close()
    return cases * common.COMMANDS_PER_CASE / elapsed


def run(cases: int = 100, rounds: int = 5) -> list[str]:
    if _spiff() is None:
        return ["B1p skipped: pip install -e '.[bench]'"]
    with common.tempdir() as d:
        tpl = common.fresh_sqlite(d, "template.db")
        steps = reference.harvest(f"sqlite:///{tpl}", lambda: reference.sqlite_dbapi(tpl),
                                  common.GEMEENTE, "?")
        # The task data of each step: the command payload wams keeps in its history.
        payloads = [{"step": s.name, "command": s.content} for s in steps]
        e, s = common.interleave(
            rounds, lambda: b1.engine_round(common.fresh_sqlite(d, "engine.db"), cases),
            lambda: spiff_round(common.fresh_sqlite(d, "spiff.db"), payloads, cases))
        # For scale, not for the goal: the B1 raw reference (wams' writes in bare sqlite3)
        # against the same SpiffWorkflow run.
        r, s2 = common.interleave(
            max(1, rounds // 2), lambda: b1.raw_round(common.fresh_sqlite(d, "raw.db"), steps,
                                                      cases),
            lambda: spiff_round(common.fresh_sqlite(d, "spiff.db"), payloads, cases))
        e3, s3 = common.interleave(
            max(1, rounds // 2),
            lambda: b1.engine_round(common.fresh_sqlite(d, "engine.db"), cases, case_cache=0),
            lambda: spiff_round(common.fresh_sqlite(d, "spiff.db"), payloads, cases, True))
    ratio = common.median(common.ratios(e, s))
    raw_ratio = common.median(common.ratios(r, s2))
    reload_ratio = common.median(common.ratios(e3, s3))
    return [common.line("B1p", f"wams {common.median(e):.0f} cmd/s",
                        f"spiff {common.median(s):.0f} cmd/s", ratio, "B1p",
                        f"[{cases} cases × 10 cmds, {rounds} rounds, median; "
                        f"B1 raw reference / spiff = {raw_ratio:.2f}]"),
            common.line("B1p", f"wams {common.median(e3):.0f} cmd/s",
                        f"spiff reloading {common.median(s3):.0f} cmd/s", reload_ratio,
                        "B1p-stateless", "[stateless: wams' case cache off (case_cache=0), "
                        "spiff reads and deserialises its state before every step]")]
