"""The scenario run report: an index with a summary per law and one page per scenario with
its timeline and, per step, whether the expectations were met.

Built from the results of :mod:`wams.core.scenario.run` alone (the decisions of the steps):
a scenario run reads no dossier, so these pages hold no case content.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from wams.core.law.rules import RULES
from wams.core.scenario.run import ScenarioResult
from wams.reports.case import rules_of
from wams.reports.render import render, write
from wams.reports.words import PHASE_LABELS, STEP_LABELS

INDEX = "index.html"


def law_of(result: ScenarioResult, root: Path | None) -> str:
    """The folder a scenario lives in (one per law, plus ``kern``), else ``overig``."""
    path = Path(result.file).resolve()
    if root is not None:
        try:
            parts = path.relative_to(root.resolve()).parts
        except ValueError:
            parts = ()
        if len(parts) > 1:
            return parts[0]
    return path.parent.name or "overig"


def page_name(result: ScenarioResult, root: Path | None) -> str:
    return f"{law_of(result, root)}--{Path(result.file).stem}.html"


def timeline(result: ScenarioResult) -> list[dict[str, Any]]:
    bands: list[dict[str, Any]] = []
    for s in result.steps:
        d = s.decision
        phase = d.phase or "-"
        entry = {"at": None, "step": s.step, "label": f"{s.n}. {STEP_LABELS.get(s.step, s.step)}",
                 "allowed": d.allowed, "code": d.code, "message": d.message,
                 "rules": rules_of(list(d.rule_ids)), "actor": None, "werkplan": d.werkplan,
                 "expectation": list(s.failures)}
        if not bands or bands[-1]["phase"] != phase:
            bands.append({"phase": phase, "label": PHASE_LABELS.get(phase, phase), "steps": []})
        bands[-1]["steps"].append(entry)
    return bands


def summary(results: Sequence[ScenarioResult], root: Path | None) -> list[dict[str, Any]]:
    """Per law: scenarios (passed), steps, allowed, refused, and the rules the decisions cite."""
    laws: dict[str, dict[str, Any]] = {}
    for r in results:
        law = laws.setdefault(law_of(r, root), {"scenarios": [], "passed": 0, "steps": 0,
                                                 "allowed": 0, "refused": 0, "rules": set()})
        law["scenarios"].append({"title": r.scenario, "page": page_name(r, root),
                                 "passed": r.passed, "steps": len(r.steps)})
        law["passed"] += r.passed
        law["steps"] += len(r.steps)
        law["allowed"] += sum(s.decision.allowed for s in r.steps)
        law["refused"] += sum(not s.decision.allowed for s in r.steps)
        law["rules"].update(i for s in r.steps for i in s.decision.rule_ids)
    order = list(RULES)
    return [{"law": name, **data, "rules": sorted(data["rules"], key=lambda i: (
        order.index(i) if i in order else len(order), i))}
        for name, data in sorted(laws.items())]


def write_run_report(results: Sequence[ScenarioResult], folder: str | Path,
                     root: Path | None = None) -> Path:
    """Write the index and one page per scenario into ``folder`` (created if need be); returns
    the index's path."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    laws = summary(results, root)
    covered = sorted({i for law in laws for i in law["rules"]})
    for r in results:
        write(out / page_name(r, root),
              render("run_scenario.html", result=r, law=law_of(r, root), timeline=timeline(r),
                     failures=len(r.failures)))
    index = out / INDEX
    write(index, render("run_index.html", laws=laws, total=len(results),
                        passed=sum(r.passed for r in results), covered=covered,
                        all_rules=len(RULES)))
    return index
