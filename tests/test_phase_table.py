"""The phase table is what the engine does: a case changes phase only through
``steps.move`` along an edge of the step's record; take an edge out of the record and the step
that used it can no longer move a case."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import attrs
import pytest

from wams.api import Wams
from wams.core.law import steps
from wams.core.model import PHASES, Persoon

ROOT = Path(__file__).resolve().parents[1]


def test_only_the_phase_table_sets_a_phase() -> None:
    setters = []
    for path in (ROOT / "wams").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = node.targets if isinstance(node, ast.Assign) else \
                [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr == "phase":
                    setters.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    # the one assignment: phases.enter, which only steps.move calls
    assert [s.split(":")[0] for s in setters] == ["wams/core/law/phases.py"], \
        f"change a phase with wams.core.law.steps.move, not at {setters}"
    callers = [f"{p.relative_to(ROOT)}" for p in (ROOT / "wams").rglob("*.py")
               if "phases.enter(" in p.read_text(encoding="utf-8")]
    assert callers == ["wams/core/law/steps.py"]


def test_every_edge_the_engine_takes_is_in_the_table() -> None:
    for (source, step), targets in steps.TRANSITIONS.items():
        assert targets <= set(PHASES), (source, step)
        if source is None:
            assert steps.STEPS[step].opens_case, step
        else:
            assert source in steps.STEPS[step].phases, (source, step)


def _without_edge(name: str, before: str) -> dict[str, steps.Step]:
    record = steps.STEPS[name]
    moves = {p: t for p, t in record.moves.items() if p != before}
    return {**steps.STEPS, name: attrs.evolve(record, moves=moves)}


def test_an_edge_taken_out_of_the_table_is_an_edge_the_engine_cannot_take(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from wams.core.engine import handlers

    with Wams.open("sqlite://") as w:
        w.clock.set(dt.date(2027, 2, 1))
        d = w.hulpvraag("0599", wet="wmo", client=Persoon("jan"), vraag="hulp",
                        aanleiding="eenzaam")
        assert d.phase == "onderzoek"
        monkeypatch.setattr(handlers, "STEPS", _without_edge("sluit", "onderzoek"))
        with pytest.raises(RuntimeError, match="fasetabel kent geen overgang onderzoek"):
            w.sluit("0599", d.case_id, terugvalafspraken="huisarts", reden="klaar")
        monkeypatch.undo()
        # nothing of the refused move was stored: the case is where it was
        assert w.case_summary("0599", d.case_id)["phase"] == "onderzoek"
        assert w.sluit("0599", d.case_id, terugvalafspraken="huisarts", reden="klaar").allowed


def test_a_case_is_opened_only_in_a_phase_its_step_lists(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from wams.core.engine import handlers

    with Wams.open("sqlite://") as w:
        w.clock.set(dt.date(2027, 2, 1))
        record = steps.STEPS["hulpvraag"]
        monkeypatch.setattr(handlers, "STEPS", {
            **steps.STEPS, "hulpvraag": attrs.evolve(record, moves={
                None: frozenset({"intake"})})})
        with pytest.raises(RuntimeError, match="fasetabel kent geen opening door hulpvraag"):
            w.hulpvraag("0599", wet="wmo", client=Persoon("jan"), vraag="hulp",
                        aanleiding="eenzaam")
        monkeypatch.undo()
        assert list(w.cases("0599")) == []
