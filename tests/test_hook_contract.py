"""The plugin contract as a plugin author meets it: every hook says since when it exists, the
core calls hooks in one place, ``wams_after_step`` hands over a typed :class:`StepEvent` (and
still serves a plugin written before it), a law needs no ``wams_entry`` of its own, and the
catalogue built from the hooks is a frozen value that its checks do not change."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path
from typing import Any

import attrs
import pytest

import wams
from wams.api import Wams
from wams.core.law import hookspecs
from wams.core.law.citations import Citation
from wams.core.law.hookspecs import hookimpl
from wams.core.law.records import Domain, Law, StepEvent
from wams.core.model import Persoon

ROOT = Path(__file__).resolve().parents[1]
G = "0599"


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split("."))


def test_every_hook_says_the_contract_version_it_came_in() -> None:
    specs = [name for name in dir(hookspecs) if name.startswith("wams_")]
    assert len(specs) >= 12
    for name in specs:
        doc = getattr(hookspecs, name).__doc__ or ""
        found = re.search(r"\bSince (\d+\.\d+)\b", doc)
        assert found, f"{name}: say 'Since X.Y.' in its docstring"
        assert _version(found.group(1)) <= _version(hookspecs.CONTRACT), name


def test_only_the_catalogue_calls_a_hook() -> None:
    callers = []
    for path in (ROOT / "wams").rglob("*.py"):
        if path.name == "catalogue.py" and path.parent.name == "core":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "hook" and \
                    isinstance(node.value, ast.Attribute) and node.value.attr == "pm":
                callers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert callers == [], "call hooks through wams.core.catalogue.Catalogue"


LAW = Citation("Wet proefzorg", "art. 1", footing="keuze")


class NewLaw:
    """A plugin that registers a law and no wams_entry: the default from its Law record."""

    @hookimpl
    def wams_domains(self) -> list[Domain]:
        return [Domain("proef", "proefdomein", "sociaal"), Domain("buur", "buurdomein",
                                                                  "aanpalend")]

    @hookimpl
    def wams_laws(self) -> list[Law]:
        return [Law("proefwet", "Wet proefzorg", "sociaal", LAW, domain="proef"),
                Law("buurwet", "Wet buurzorg", "aanpalend", LAW, domain="buur")]


class Listener:
    """A plugin written against contract 0.2: only the event."""

    def __init__(self) -> None:
        self.heard: list[StepEvent] = []

    @hookimpl
    def wams_after_step(self, event: StepEvent) -> None:
        self.heard.append(event)


class OldListener:
    """A plugin written before 0.2: case, decision and events as dicts."""

    def __init__(self) -> None:
        self.heard: list[tuple[str, list[Any], Any]] = []

    @hookimpl
    def wams_after_step(self, case: Any, decision: Any, events: list[Any]) -> None:
        self.heard.append((decision.step, [(e["step"], e.get("trace_id")) for e in events],
                           case))


def test_a_plugin_hears_each_step_as_a_typed_event_and_an_old_plugin_still_works() -> None:
    new, old = Listener(), OldListener()
    with Wams.open("sqlite://", plugins=[("nieuw", new), ("oud", old),
                                         ("proef", NewLaw())]) as w:
        w.clock.set(dt.date(2027, 2, 1))
        d = w.hulpvraag(G, wet="wmo", client=Persoon("jan"), vraag="hulp",
                        aanleiding="eenzaam")
        refused = w.hulpvraag(G, wet="buurwet", client=Persoon("piet"), vraag="hulp",
                              aanleiding="zorgen")  # an adjacent law opens nothing (R01)
        with w.batch() as b:
            b.domein(G, d.case_id, domein="welzijn", reden="eenzaamheid", client_akkoord=True)
    first, second, third = new.heard
    assert isinstance(first, StepEvent)
    assert (first.step, first.gemeente, first.case_id, first.trace_id) == (
        "hulpvraag", G, d.case_id, d.trace_id)
    assert first.decision == d and first.case is not None and first.case.id == d.case_id
    # a refusal is heard too, with nothing stored
    assert second.decision == refused and not second.decision.allowed
    # a batch's step after its commit, with the case as the step left it
    assert third.step == "domein" and third.case is not None and \
        "welzijn" in third.case.scope
    # the old plugin: the same steps, events as before (dict keys), [] for the refusal
    assert [h[0] for h in old.heard] == ["hulpvraag", "hulpvraag", "domein"]
    assert old.heard[0][1] == [("hulpvraag", d.trace_id)] and old.heard[1][1] == []
    assert old.heard[0][2] is not None and old.heard[0][2].id == d.case_id


@pytest.mark.parametrize("wet, opens", [("proefwet", True), ("buurwet", False)])
def test_a_law_without_wams_entry_opens_by_its_kind(wet: str, opens: bool) -> None:
    with Wams.open("sqlite://", plugins=[("proef", NewLaw())]) as w:
        w.clock.set(dt.date(2027, 2, 1))
        d = w.hulpvraag(G, wet=wet, client=Persoon("jan"), vraag="hulp", aanleiding="zorgen")
        assert d.allowed is opens, d.code
        if opens:
            assert d.case_id is not None


def test_the_built_in_laws_rely_on_the_default_entry() -> None:
    for plugin in ("wmo", "jeugdwet", "participatiewet", "wgs", "aanpalend"):
        source = (ROOT / "wams" / "plugins" / plugin / "__init__.py").read_text("utf-8")
        assert "def wams_entry" not in source, plugin


def test_the_contract_records_are_exported() -> None:
    for name in ("StepEvent", "Key", "KeyStore"):
        assert name in wams.__all__ and getattr(wams, name) is not None


def test_the_catalogue_is_a_frozen_value() -> None:
    from wams.core.plugins import load_catalogue

    cat = load_catalogue()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        cat.laws = {}  # type: ignore[misc]
    for table in (cat.laws, cat.domains, cat.party_kinds, cat.categories, cat.purposes,
                  cat.provision_basis, cat.activity_of, cat.signals, cat.origin):
        with pytest.raises(TypeError):
            table["x"] = None  # type: ignore[index]


def test_checking_the_catalogue_changes_nothing() -> None:
    from wams.core import catalogue_checks as checks
    from wams.core.plugins import load_catalogue

    cat = load_catalogue()
    tables = checks.Tables(
        domains=dict(cat.domains), laws=dict(cat.laws), party_kinds=dict(cat.party_kinds),
        services=dict(cat.services), categories=dict(cat.categories),
        provision_rules=dict(cat.provision_rules), activities=dict(cat.activities),
        purposes=dict(cat.purposes), signals=dict(cat.signals), origin=dict(cat.origin))
    before = attrs.asdict(tables, recurse=False)
    before = {k: dict(v) for k, v in before.items()}
    checks.check(tables)
    assert {k: dict(v) for k, v in attrs.asdict(tables, recurse=False).items()} == before
    assert checks.provision_basis(tables) == dict(cat.provision_basis)
    assert checks.activity_of(tables) == dict(cat.activity_of)


def test_a_switched_off_plugin_is_blocked_in_pluggy_and_a_plugin_passed_in_code_is_not() -> None:
    from wams.core.plugins import build_catalogue

    cat = build_catalogue(allow=["wmo", "jeugdwet", "participatiewet", "wgs"],
                          entry_points=False)
    assert cat.pm.is_blocked("aanpalend") and not cat.pm.has_plugin("aanpalend")
    assert "aanpalend" not in {p.name for p in cat.plugins}
    # passed in code under the blocked name: the allow list is for what is installed
    cat = build_catalogue([("aanpalend", NewLaw())],
                          allow=["wmo", "jeugdwet", "participatiewet", "wgs"],
                          entry_points=False)
    assert cat.pm.has_plugin("aanpalend") and "proefwet" in cat.laws
    # a block list naming it still blocks it
    cat = build_catalogue([("proef", NewLaw())], block=["proef"], entry_points=False)
    assert "proefwet" not in cat.laws
