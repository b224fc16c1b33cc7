"""One step, one record: everything keyed by step is derived from ``wams.core.law.steps``.

A step-keyed table written anywhere else drifts from the record (a step added to one and not
the other); a ``step == "..."`` test elsewhere is a rule about a step that its record does not
show. Both are found here by reading the source, and the derived views are checked against the
records they come from."""

from __future__ import annotations

import ast
from pathlib import Path

import attrs
import pytest

from wams.core.law import acting, steps
from wams.core.law.reasons import REASONS
from wams.core.law.steps import STEPS, Effect, Where
from wams.core.scenario import docs as scenario_docs
from wams.core.scenario.format import ACTIONS

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "wams" / "core" / "law" / "steps.py"
NAMES = frozenset(STEPS)

#: dict literals keyed by words that happen to be step names, but mean something else
NOT_STEP_KEYED = {
    ("wams/reports/flows.py", "KIND_LABELS"): "kinds of data flow (a verzoek is the question)",
    ("wams/service/descriptions.py", "PROPERTIES"): "JSON property names of the bodies",
}


def _names_a_step(node: ast.AST) -> bool:
    """``step``, ``x.step``, ``row["step"]``, ``some_step``: an expression holding a step name."""
    if isinstance(node, ast.Name):
        return node.id.endswith("step")
    if isinstance(node, ast.Attribute):
        return node.attr.endswith("step")
    if isinstance(node, ast.Subscript):
        key = node.slice
        return isinstance(key, ast.Constant) and key.value in ("step", "stap")
    return False


def _strings(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return {e.value for e in node.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)}
    return set()


def step_comparisons(source: str, names: frozenset[str] = NAMES) -> list[int]:
    """Lines comparing an expression holding a step name with a literal step name."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_names_a_step(s) for s in sides) and any(_strings(s) & names for s in sides):
                found.append(node.lineno)
    return found


def step_keyed_tables(source: str, names: frozenset[str] = NAMES) -> list[tuple[int, str]]:
    """(line, assigned name) of every dict literal with three or more step names as keys."""
    found = []
    for node in ast.walk(ast.parse(source)):
        value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
        if not isinstance(value, ast.Dict):
            continue
        keys = {k.value for k in value.keys if isinstance(k, ast.Constant)
                and isinstance(k.value, str)}
        if len(keys & names) >= 3:
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            found.append((node.lineno, target.id if isinstance(target, ast.Name) else "?"))
    return found


def _sources() -> list[Path]:
    return [p for p in sorted((ROOT / "wams").rglob("*.py"))
            if p != TABLE and "migrations" not in p.parts]


def test_no_step_is_tested_by_its_name_outside_the_table() -> None:
    found = [f"{p.relative_to(ROOT)}:{line}" for p in _sources()
             for line in step_comparisons(p.read_text(encoding="utf-8"))]
    assert found == [], "give the step's record a field and read it there"


def test_no_step_keyed_table_is_written_outside_the_table() -> None:
    found = [f"{p.relative_to(ROOT)}:{line} {name}" for p in _sources()
             for line, name in step_keyed_tables(p.read_text(encoding="utf-8"))
             if (p.relative_to(ROOT).as_posix(), name) not in NOT_STEP_KEYED]
    assert found == [], "derive it from wams.core.law.steps.STEPS"


def test_the_finders_find_what_they_look_for() -> None:
    source = ('if step == "werkplan":\n    pass\n'
              'if s["step"] in ("bezwaar", "sluit"):\n    pass\n'
              'if kind == "werkplan":\n    pass\n'
              'WORDS = {"werkplan": 1, "sluit": 2, "bezwaar": 3}\n'
              'OTHER = {"werkplan": 1, "sluit": 2}\n')
    assert step_comparisons(source) == [1, 3]
    assert step_keyed_tables(source) == [(7, "WORDS")]


# -- the derived views are the records' ------------------------------------------------------


def test_the_scenario_format_the_service_and_the_reports_read_the_records() -> None:
    from wams.reports import flows, words
    from wams.service import descriptions, roles, step_endpoints

    assert {k: v for k, v in ACTIONS.items() if k in STEPS} == dict(steps.COMMANDS)
    assert set(ACTIONS) - set(STEPS) == {"tijd"}  # the runner's own action
    for name, step in STEPS.items():
        assert scenario_docs.sentence("STEPS", name) == step.doc
        assert descriptions.OPERATIONS[name] == step.omschrijving
        assert words.STEP_LABELS[name] == step.label
        assert flows.FLOW_STEPS.get(name) == step.flow
        assert (name in roles.PARTY_ONLY) == (step.only_that_party is not None)
        assert (name in roles.COLLEGE_ONLY) == step.by_college
    paths = {path.replace(":str", ""): h.operation_id for h in step_endpoints.handlers()
             for path in h.paths}
    where = {True: "/gemeenten/{gemeente}/casussen/{casus_id}", False: "/gemeenten/{gemeente}"}
    assert paths == {f"{where[s.in_case]}/{s.http}": s.name for s in STEPS.values()
                     if s.http is not None}
    assert STEPS["melding_doorgeven"].http is None  # its own resource: .../{melding}/doorgeven


def test_phases_and_edges_are_the_records() -> None:
    assert dict(steps.STEP_PHASES) == {n: s.phases for n, s in STEPS.items() if s.in_case}
    assert steps.OPENING == {n for n, s in STEPS.items() if s.where is Where.OPENS}
    for name, step in STEPS.items():
        assert bool(step.moves.get(None)) == step.opens_case, name
        assert all(before is None or before in step.phases for before in step.moves), name
        if step.in_case:
            assert step.phases, f"{name}: inside a case a step names the phases it runs in"


def test_every_record_is_complete_for_what_it_says() -> None:
    for name, step in STEPS.items():
        assert step.doc and step.omschrijving and step.label, name
        if step.effect is Effect.APPLY:
            # an APPLY step without a lifecycle function must never be allowed (taak, R28)
            assert step.apply is not None or step.decide.__name__ == "taak", name
        if step.effect is Effect.OPEN:
            assert step.route in ("A", "B"), name
        if step.only_that_party is not None:
            assert step.party_field is not None, name
            assert step.only_that_party in REASONS, name
            assert step.only_that_party in acting.ONLY_THAT_PARTY, name
        if step.party_field is not None:
            assert step.party_field in attrs.fields_dict(step.command), name


def test_a_command_that_is_no_step_is_bad_input() -> None:
    from wams.core.errors import InputError

    with pytest.raises(InputError, match="geen stap van de levenscyclus"):
        steps.step_of(object())


def test_the_python_api_has_a_typed_method_per_step_with_the_records_keys() -> None:
    import inspect

    from wams.api import Wams

    # passing a melding on names the melding as the service does, by its id in the "path"
    by_id = {"melding_doorgeven": ("melding", "melding_id")}
    for name, step in STEPS.items():
        method = getattr(Wams, name, None)
        assert method is not None, f"wams/api_steps.py: add the method {name}"
        params = inspect.signature(method).parameters
        keys = {p for p, v in params.items() if v.kind is v.KEYWORD_ONLY} - {"actor"}
        fields = set(attrs.fields_dict(step.command))
        if name in by_id:
            key, positional = by_id[name]
            fields.discard(key)
            assert positional in params, name
        assert keys == fields, name
        assert ("case_id" in params) == step.in_case, name
