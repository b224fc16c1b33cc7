"""The bundled scenario library is a test suite of its own: every file passes, every rule is
cited, and every rule with both outcomes is shown allowed and refused (issue: the engine)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from wams.core.law.reasons import REASONS
from wams.core.law.rules import RULES
from wams.core.scenario.library import BUNDLED
from wams.core.scenario.load import load
from wams.core.scenario.run import run_scenario

LIBRARY = BUNDLED
FILES = sorted(LIBRARY.rglob("*.yaml"))
FOLDERS = ("kern", "wmo", "jeugdwet", "participatiewet", "wgs", "aanpalend")

# Rules that by their nature only allow (no reason code refuses on them) or only refuse.
ONLY_ALLOWED = {"R02", "R05", "R13", "R17", "R18", "R31", "R34", "R36", "R37", "R38"}
ONLY_REFUSED = {"R14", "R21"}


def test_library_size_and_layout() -> None:
    assert len(FILES) >= 60
    # The library ships in the package; a scenario added at the old place would not.
    stray = Path(__file__).resolve().parent.parent / "scenarios"
    assert not stray.exists(), "move scenarios/ into wams/scenarios/ (the bundled library)"
    for folder in FOLDERS:
        assert list((LIBRARY / folder).glob("*.yaml")), f"no scenarios in wams/scenarios/{folder}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(LIBRARY)))
def test_scenario_passes(path: Path) -> None:
    result = run_scenario(path)
    assert result.passed, "\n".join(result.failures)


def _citations() -> dict[str, set[bool]]:
    """rule id → the outcomes (allowed True / refused False) under which scenarios cite it."""
    seen: dict[str, set[bool]] = defaultdict(set)
    for path in FILES:
        for stap in load(path).stappen:
            v = stap.verwacht
            if v is None:
                continue
            allowed = v.expects_allowed()
            for rule_id in v.citeert:
                seen[rule_id].add(allowed is not False)
    return seen


def test_every_rule_is_cited() -> None:
    assert set(RULES) <= set(_citations()), sorted(set(RULES) - set(_citations()))


def test_rules_are_shown_allowed_and_refused() -> None:
    seen = _citations()
    for rule_id in RULES:
        wanted = {True} if rule_id in ONLY_ALLOWED else {False} if rule_id in ONLY_REFUSED \
            else {True, False}
        assert wanted <= seen[rule_id], f"{rule_id}: cited only as {seen[rule_id]}"


def test_reason_codes_appear_as_refusals() -> None:
    codes = {stap.verwacht.reden for path in FILES for stap in load(path).stappen
             if stap.verwacht is not None and stap.verwacht.reden}
    # tenant.mismatch cannot arise inside one scenario (one municipality), nor access.role
    # (a scenario has no callers with roles or tokens: the service's), nor
    # access.party_answers and access.party_consents (a scenario names no actor; a party's
    # answer and its consent to coordinate are the party's own); tests cover them.
    assert set(REASONS) - {"ok", "tenant.mismatch", "access.role",
                           "access.party_answers", "access.party_consents"} <= codes
