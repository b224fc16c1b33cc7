"""What the report tests share: the bundled scenarios they render, run into a real database,
and a strict HTML check (html5lib, which raises on every parse error)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from wams.core.scenario.library import BUNDLED

LIBRARY = BUNDLED

#: name → (bundled file, municipality): chosen for what each shows
CASES = {
    # provisions with a condition, a special category under a regime, a refused casusoverleg
    "voorwaarde": ("kern/r16-voorwaarde-geen-doorverstrekking.yaml", "0202"),
    # a justice party (R12) that coordinates; the client has a BSN (for the citizen report)
    "reclassering": ("participatiewet/reclassering-re-integratie.yaml", "0599"),
    # the full cycle, destroyed at the end (R33)
    "vernietigd": ("wgs/schuldhulp-en-budgetbeheer-volledige-cyclus.yaml", "0200"),
}
RECLASSERING_BSN = "432319487"
#: the official who hands the citizen his access report (never named on it)
OFFICIAL = "jolien.de.vries"


def name_parties(url: str) -> None:
    """The names the municipality of the reclassering case gives itself and its parties, as a
    citizen reads them (settings ``gemeente_naam``, ``partij_namen``)."""
    from wams.api import Wams

    with Wams.open(url) as w:
        w.set_setting("0599", "gemeente_naam", "Rotterdam")
        w.set_setting("0599", "partij_namen", {
            "reclassering": "Reclassering Nederland", "werkeninkomen": "Werk en Inkomen",
            "reintegratie": "het re-integratiebedrijf"})


def run_cases(url: str) -> dict[str, tuple[str, str]]:
    """Run the chosen scenarios into ``url``; name → (gemeente, case id of its last case)."""
    from wams.api import Wams
    from wams.core.scenario.run import run_scenario

    found = {}
    for name, (file, gemeente) in CASES.items():
        result = run_scenario(LIBRARY / file, url)
        assert result.passed, result.failures
        with Wams.open(url) as w:
            found[name] = (gemeente, w.cases(gemeente)[-1]["id"])
    return found


def strict_html(text: str) -> Any:
    """Parse as HTML5, failing on any parse error; the document tree (ElementTree)."""
    import html5lib

    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(text)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("style", "title", "script"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "title", "script"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """What a reader sees: the text outside style, title and script."""
    p = _Text()
    p.feed(html)
    return re.sub(r"\s+", " ", " ".join(p.parts)).strip()


def self_contained(html: str) -> list[str]:
    """Everything in a page that could load from elsewhere or run: should be empty."""
    problems = []
    if re.search(r"<script\b", html, re.I):
        problems.append("script element")
    for m in re.finditer(r"\b(?:src|href|xlink:href|action|poster|data)\s*=\s*\"([^\"]*)\"",
                         html, re.I):
        value = m.group(1)
        if re.match(r"^(?:[a-z][a-z0-9+.-]*:|//)", value, re.I) \
                and not value.startswith("data:"):
            problems.append(f"external reference {value}")
    for m in re.finditer(r"url\(([^)]*)\)", html):
        if not m.group(1).strip("'\" ").startswith(("#", "data:")):
            problems.append(f"css url {m.group(1)}")
    if "@import" in html or "@font-face" in html:
        problems.append("css import or font")
    if re.search(r"\son[a-z]+\s*=", html, re.I):
        problems.append("event handler attribute")
    return problems
