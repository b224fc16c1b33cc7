"""A scenario's YAML is read by libyaml (PyYAML's C extension) where it is installed, and by
PyYAML's own loader otherwise or where libyaml refuses the text: both must give the same data,
refuse the same texts with the same line, and hold the format's limits (no alias, no nesting
deeper than 20, no list longer than 1,000) before anything is built."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from wams.core.scenario import load as scenario_load
from wams.core.scenario.format import ScenarioError

pytestmark = pytest.mark.skipif(scenario_load._C_LOADER is None,
                                reason="PyYAML without libyaml: only its own loader runs")

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                            max_size=12), st.dates())
DATA = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                            min_size=1, max_size=6), inner, max_size=4)), max_leaves=30)


def _python(text: str) -> Any:
    return yaml.load(text, Loader=scenario_load._StrictLoader)


def _outcome(read: Any, text: str) -> tuple[str, Any]:
    try:
        return "data", read(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return "refused", (type(exc).__name__, getattr(exc, "problem", None),
                           mark and (mark.line, mark.column))


@settings(max_examples=300, deadline=None)
@given(DATA, st.sampled_from([{}, {"default_flow_style": True}, {"default_flow_style": False}]))
def test_both_loaders_read_the_same_data(data: Any, style: dict[str, Any]) -> None:
    text = yaml.safe_dump({"x": data}, allow_unicode=True, **style)
    assert _outcome(scenario_load._parse, text) == _outcome(_python, text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["[", "]", "{", "}", ":", ",", "&a ", "*a", "- ", "\n", "  ",
                                 "x", "'", '"', "#", "? ", "!!str ", "1"]), max_size=40))
def test_both_loaders_refuse_the_same_broken_texts(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert _outcome(scenario_load._parse, text) == _outcome(_python, text)


@pytest.mark.parametrize(("text", "problem"), [
    ("a: " + "[" * 30 + "]" * 30, "dieper genest dan 20 niveaus"),
    ("a: " + "[" * 5000 + "]" * 5000, "dieper genest dan 20 niveaus"),
    ("a:\n" + "".join(f"{'  ' * i}b{i}:\n" for i in range(1, 25)) + "  " * 25 + "c",
     "dieper genest dan 20 niveaus"),
    ("x: &a [1]\ny: *a\n", "ankers en aliassen"),
    # the billion laughs: composed by libyaml this would be shared nodes, built it is 10^9
    ("a: &a ['x','x','x','x','x','x','x','x','x','x']\n"
     + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 10)}]\n"
               for i in range(8)), "ankers en aliassen"),
    ("s:\n" + "- 1\n" * 1001, "een lijst met meer dan 1000 elementen"),
])
def test_the_limits_hold_on_the_fast_path(text: str, problem: str,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Refused before libyaml composes anything, with the line PyYAML's loader gives; the
    fast path's own check is tried alone too (libyaml must never be handed the text)."""
    with pytest.raises(ScenarioError, match=problem):
        scenario_load.loads(text)
    composed: list[str] = []

    class Watched(scenario_load._StrictCLoader):  # type: ignore[misc,name-defined]
        def get_single_node(self) -> Any:
            composed.append(text)
            return super().get_single_node()

    monkeypatch.setattr(scenario_load, "_StrictCLoader", Watched)
    with pytest.raises(yaml.YAMLError):
        scenario_load._check_limits(text)
    with pytest.raises(yaml.YAMLError):
        scenario_load._parse(text)
    assert composed == [], "libyaml composed a text past the limits"


def test_a_key_written_twice_is_refused_by_libyamls_loader_too() -> None:
    text = "a: 1\nb: {c: 1, c: 2}\n"
    with pytest.raises(yaml.constructor.ConstructorError, match="sleutel 'c' staat twee keer"):
        yaml.load(text, Loader=scenario_load._StrictCLoader)
    with pytest.raises(ScenarioError, match=r"regel 2, kolom 11: geen geldige YAML \(sleutel 'c'"):
        scenario_load.loads(text)


def test_a_valid_file_is_read_by_libyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path is the one taken: PyYAML's own loader is not asked for a valid file."""
    class Refuses(scenario_load._StrictLoader):  # type: ignore[misc]
        def __init__(self, stream: str) -> None:
            raise AssertionError("PyYAML's own loader read a valid file")

    monkeypatch.setattr(scenario_load, "_StrictLoader", Refuses)
    text = ("formaat: 2\nscenario: x\ngemeente: '0599'\ndatum: 2027-01-01\n"
            "personen: {jan: {rol: client}}\nstappen:\n"
            "  - hulpvraag: {wet: wmo, client: jan, vraag: hulp, aanleiding: valt}\n")
    assert scenario_load.loads(text).header.gemeente == "0599"
