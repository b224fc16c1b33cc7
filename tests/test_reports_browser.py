"""Each kind of report opened in headless Chromium, as a person would look at it: the page
loads, a screenshot shows something, the console has no error and the page asks the network
for nothing (not even a blocked request). Chromium is the Debian package; see chromium.py."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest
from chromium import visit
from click.testing import CliRunner
from reports_helpers import OFFICIAL, RECLASSERING_BSN, name_parties, run_cases

from wams.cli import cli
from wams.core.scenario.library import BUNDLED


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One page of every kind, from bundled scenarios (SQLite: the browser checks the page,
    the backends are covered by test_reports.py)."""
    root = tmp_path_factory.mktemp("pages")
    url = f"sqlite:///{root / 'wams.db'}"
    cases = run_cases(url)
    runner = CliRunner()
    out: dict[str, Path] = {}
    for name, extra in (("case", ()), ("fg", ("--rol", "fg"))):
        gemeente, case_id = cases["voorwaarde"]
        out[name] = root / f"{name}.html"
        result = runner.invoke(cli, ["report", "case", "--db", url, "--gemeente", gemeente,
                                     case_id, "--actor", "anna", "--doel", "behandeling", *extra,
                                     "-o", str(out[name])])
        assert result.exit_code == 0, result.output
    gemeente, case_id = cases["vernietigd"]
    out["destroyed"] = root / "destroyed.html"
    assert runner.invoke(cli, ["report", "case", "--db", url, "--gemeente", gemeente, case_id,
                               "--actor", "anna", "--doel", "behandeling", "-o",
                               str(out["destroyed"])]).exit_code == 0
    out["inzage"] = root / "inzage.html"
    name_parties(url)
    assert runner.invoke(cli, ["report", "inzage", "--db", url, "--gemeente", "0599",
                               "--bsn", RECLASSERING_BSN, "--verzoek", "AVG-1", "--actor",
                               OFFICIAL, "-o", str(out["inzage"])]).exit_code == 0
    html = root / "run"
    lib = BUNDLED / "kern"
    assert runner.invoke(cli, ["scenario", "run", str(lib), "--html", str(html)]).exit_code == 0
    out["run-index"] = html / "index.html"
    out["run-scenario"] = next(html.glob("*--r16-*.html"))
    return out


@pytest.mark.parametrize("kind", ["case", "fg", "destroyed", "inzage", "run-index",
                                  "run-scenario"])
def test_page_opens_in_chromium_without_errors_or_requests(
        pages: dict[str, Path], kind: str, tmp_path: Path) -> None:
    seen = visit(pages[kind])
    assert seen.console_errors == ()
    assert seen.requests == ()
    width, height = _png_size(seen.screenshot)
    assert width >= 1000 and height >= 300
    # a blank page compresses to almost nothing; a page with text and lines does not
    assert len(seen.screenshot) > 20_000
    (tmp_path / f"{kind}.png").write_bytes(seen.screenshot)


def test_the_browser_check_catches_a_page_that_loads_or_runs_something(
        tmp_path: Path) -> None:
    """The check itself, tried on a page that breaks the rules."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html lang="nl"><head><title>x</title></head><body>'
                   '<img src="http://127.0.0.1:9/x.png" alt="">'
                   '<script>console.error("kapot")</script></body></html>', encoding="utf-8")
    seen = visit(bad)
    assert "kapot" in seen.console_errors
    assert seen.requests == ("http://127.0.0.1:9/x.png",)


def test_the_citizen_sees_no_path_official_ref_or_rule_and_sees_how_long(
        pages: dict[str, Path]) -> None:
    """The access report as rendered: the file it was written to, the official who made it,
    a person's or a party's ref and a rule id stay out of the body (the legal sources are in
    the footnotes); the retention period is there (AVG art. 15(1)(d))."""
    seen = visit(pages["inzage"], 1100, 1000)
    text = seen.body_text
    assert "Wat er met uw gegevens is gedaan" in text
    assert str(pages["inzage"].parent) not in text and ".html" not in text
    assert OFFICIAL not in text.lower() and "jolien" not in text.lower()
    # refs as the case spells them (lower case); a name a municipality gives may contain them
    for ref in ("rachid", "reclassering", "werkeninkomen", "reintegratie", "college"):
        assert re.search(rf"(?<![\w-]){ref}(?![\w-])", text) is None, ref
    assert re.search(r"\bR\d{2}\b", text) is None
    assert re.search(r"maanden nadat uw dossier is gesloten", text)
    assert "Gemeente Rotterdam" in text and "Reclassering Nederland" in text
