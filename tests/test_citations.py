"""Citations as records with their footing: well-formed everywhere, and ``bron`` only where the
memorandum says it.

The memorandum's text is not part of the repository; point ``WAMS_MEMORANDUM`` at a copy (as for
``tests/test_rules_table.py``) and the test over its text runs: every ``bron`` citation names
sections that exist, and every number its provision names (an article, a paragraph) occurs in
one of those sections. Without the text the hard-coded section list still checks the sections.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.test_rules_table import MEMORANDUM_ENV, MVT_SECTIONS
from wams.core.catalogue import CatalogueError
from wams.core.engine.handlers import ROUTE_B_PROVISION
from wams.core.law.citations import (
    ANDER_VOORSTEL,
    FOOTINGS,
    Citation,
    caveat,
    footings,
    problems,
)
from wams.core.law.hookspecs import hookimpl
from wams.core.law.policy import INZAGE_SOURCES
from wams.core.law.records import Law, ProvisionRule
from wams.core.law.rules import RULES
from wams.core.plugins import load_catalogue
from wams.testing import named_plugin

_HEADING = re.compile(r"^\s*(\d+(?:\.\d+)+)\s+[A-Z]")
_NUMBER = re.compile(r"\d+(?:\.\d+)*[a-z]?")


def _every_citation() -> list[tuple[str, Citation]]:
    cat = load_catalogue()
    found = [(f"rule {r.id}", c) for r in RULES.values() for c in r.sources]
    found += [(f"law {code}", law.provision) for code, law in cat.laws.items()]
    found += [(f"provision rule {code}", c) for code, r in cat.provision_rules.items()
              for c in r.citation]
    found += [("inzage", c) for c in INZAGE_SOURCES]
    return found


def _sections(text: str) -> dict[str, str]:
    """section number → its text, subsections included (a section says what they say)."""
    lines = text.splitlines()
    starts = [(i, m.group(1)) for i, line in enumerate(lines) if (m := _HEADING.match(line))]
    out = {}
    for n, (i, number) in enumerate(starts):
        end = next((j for j, other in starts[n + 1:] if not other.startswith(number + ".")),
                   len(lines))
        out[number] = "\n".join(lines[i:end])
    return out


def test_every_citation_is_well_formed() -> None:
    for what, c in _every_citation():
        assert problems(c) == [], f"{what}: {c!r}: {problems(c)}"
        assert c.footing in FOOTINGS
        for section in c.sections:
            assert section.removeprefix("§") in MVT_SECTIONS, f"{what}: {c.text()}"


def test_route_b_provision_is_the_paragraph_the_memorandum_names() -> None:
    assert ROUTE_B_PROVISION == "bron: Wmo 2015, nieuwe paragraaf 3a (voorstel; MvT §1.3, §3.3.2)"


def test_no_citation_uses_an_inferred_number() -> None:
    # "Wmo 2015 §2.3a" was inferred; the memorandum says "een nieuwe paragraaf 3a" (§1.3)
    for what, c in _every_citation():
        assert "2.3a" not in c.text(), what
        assert "hoofdstuk 5" not in c.text(), what
        assert "Raad van State" not in c.text(), what


def test_every_bron_citation_says_only_what_its_sections_say() -> None:
    name = os.environ.get(MEMORANDUM_ENV)
    if not name:
        pytest.skip(f"set {MEMORANDUM_ENV} to the memorandum's text")
    sections = _sections(Path(name).read_text(encoding="utf-8"))
    assert set(sections) == MVT_SECTIONS
    checked = 0
    for what, c in _every_citation():
        if c.footing != "bron":
            continue
        texts = []
        for section in c.sections:
            number = section.removeprefix("§")
            assert number in sections, f"{what}: {c.text()} cites a section that does not exist"
            texts.append(sections[number])
        for number in _NUMBER.findall(c.provision if c.instrument != "MvT" else ""):
            assert any(re.search(rf"(?<![\d.]){re.escape(number)}(?![\d])", t) for t in texts), \
                f"{what}: {c.text()} names {number}, which its sections do not"
        checked += 1
    assert checked > 40


def test_secrecy_breaking_rules_are_announced_not_sourced() -> None:
    # MvT §3.2.3: "bestaan er geen bepalingen die het mogelijk maken ... zo nodig met
    # doorbreking van ... geheimhoudingsplichten"; §3.3 announces the regulation for §3.4.
    cat = load_catalogue()
    for code, rule in cat.provision_rules.items():
        if any(o != "doelbinding" for o in rule.overrides):
            assert "aangekondigd" in {c.footing for c in rule.citation}, code
            assert not any(c.footing == "bron" and c.sections == ("§3.2.3",)
                           and c.instrument == "MvT" for c in rule.citation), code


def test_article_7_4_0_addresses_jeugdhulpaanbieder_and_jeugdhulpverlener_only() -> None:
    cat = load_catalogue()
    for code, rule in cat.provision_rules.items():
        if any("7.4.0" in c.provision for c in rule.citation):
            assert rule.suppliers, code
            for supplier in rule.suppliers:
                assert supplier.split(".", 1)[1] in ("jeugdhulpaanbieder", "jeugdhulpverlener"), \
                    f"{code}: art. 7.4.0 does not address {supplier}"


def test_inzage_rests_on_6_1_c_with_article_15_as_the_right() -> None:
    texts = [c.text() for c in INZAGE_SOURCES]
    assert any("onderdeel c" in t for t in texts) and any("artikel 15" in t for t in texts)
    assert not any("30" in t for t in texts)


def test_caveats_name_every_uncertain_footing() -> None:
    cited = [Citation("MvT", "§3.3.1", "bron", ("§3.3.1",)),
             Citation(ANDER_VOORSTEL, "x", "ander_voorstel"), Citation("wams", "y", "keuze")]
    assert footings(cited) == ("ander_voorstel", "keuze")
    text = caveat(footings(cited)) or ""
    assert "Kamerstuk 36 295" in text and "eigen keuze" in text
    assert caveat(()) is None


@pytest.mark.parametrize("bad, match", [
    ("Wmo 2015 hoofdstuk 5 (voorstel); MvT §3.2.3", "geen Citation"),
    (Citation("Wmo 2015", "x", "vermoedelijk", ("§3.3",)), "grondslag 'vermoedelijk'"),
    (Citation("Wmo 2015", "x", "bron"), "noemt de sectie"),
    (Citation("Wmo 2015", "x", "bron", ("3.3",)), "geen '§<nummer>'"),
    (Citation("Wet X", "x", "ander_voorstel"), "alleen 'Wams 2023"),
    (Citation("", "x", "keuze"), "verplicht"),
])
def test_malformed_plugin_citation_is_one_clear_startup_error(bad: Any, match: str) -> None:
    class Bad:
        @hookimpl
        def wams_provision_rules(self) -> list[ProvisionRule]:
            return [ProvisionRule(code="slecht", citation=bad,
                                  categories=("wmo.ondersteuningsbehoefte",))]

    with pytest.raises(CatalogueError, match=match) as info:
        load_catalogue([named_plugin(Bad(), "slecht")])
    message = str(info.value)
    assert message.startswith("plugin 'slecht': provision_rules 'slecht.slecht'"), message
    assert "\n" not in message


def test_malformed_law_provision_is_a_startup_error() -> None:
    class Bad:
        @hookimpl
        def wams_laws(self) -> list[Law]:
            return [Law("wet_x", "Wet X", "aanpalend", "art. 1", "onderwijs")]  # type: ignore[arg-type]

    with pytest.raises(CatalogueError, match="laws 'wet_x': bepaling"):
        load_catalogue([named_plugin(Bad(), "slecht")])
