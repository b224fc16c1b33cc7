"""The phase table is what the engine does: a case changes phase only through
``phases.move`` along an edge of ``TRANSITIONS``; take an edge out of the table and the step
that used it can no longer move a case."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from wams.api import Wams
from wams.core.law import phases
from wams.core.model import Persoon

ROOT = Path(__file__).resolve().parents[1]


def test_only_the_phase_table_sets_a_phase() -> None:
    setters = []
    for path in (ROOT / "wams").rglob("*.py"):
        if path.name == "phases.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = node.targets if isinstance(node, ast.Assign) else \
                [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr == "phase":
                    setters.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert setters == [], "change a phase with wams.core.law.phases.move"


def test_every_edge_the_engine_takes_is_in_the_table() -> None:
    for (source, step), targets in phases.TRANSITIONS.items():
        assert targets <= set(phases.ALL_PHASES), (source, step)
        if source is not None:
            assert phases.allowed_in(step, source), (source, step)


def test_an_edge_taken_out_of_the_table_is_an_edge_the_engine_cannot_take(
        monkeypatch: pytest.MonkeyPatch) -> None:
    with Wams.open("sqlite://") as w:
        w.clock.set(dt.date(2027, 2, 1))
        d = w.hulpvraag("0599", wet="wmo", client=Persoon("jan"), vraag="hulp",
                        aanleiding="eenzaam")
        assert d.phase == "onderzoek"
        monkeypatch.setitem(phases.TRANSITIONS, ("onderzoek", "sluit"), frozenset())
        with pytest.raises(RuntimeError, match="fasetabel kent geen overgang onderzoek"):
            w.sluit("0599", d.case_id, terugvalafspraken="huisarts", reden="klaar")
        monkeypatch.undo()
        # nothing of the refused move was stored: the case is where it was
        assert w.case_summary("0599", d.case_id)["phase"] == "onderzoek"
        assert w.sluit("0599", d.case_id, terugvalafspraken="huisarts", reden="klaar").allowed
