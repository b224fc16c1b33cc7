"""Make the two screenshots the README shows (docs/report-case.png, docs/report-inzage.png)
from bundled scenarios, in headless Chromium: ``.venv/bin/python tests/make_screenshots.py``.
Not a test; the browser tests live in test_reports_browser.py."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from chromium import visit  # noqa: E402
from reports_helpers import OFFICIAL, RECLASSERING_BSN, name_parties, run_cases  # noqa: E402

DOCS = Path(__file__).resolve().parent.parent / "docs"


def main() -> None:
    from wams.api import Wams
    from wams.reports.case import case_report
    from wams.reports.inzage import inzage_report

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'wams.db'}"
        cases = run_cases(url)
        name_parties(url)
        gemeente, case_id = cases["voorwaarde"]
        with Wams.open(url) as w:
            pages = {
                "report-case": case_report(w, gemeente, case_id, actor="anna",
                                           doel="behandeling").html,
                "report-inzage": inzage_report(w, "0599", bsn=RECLASSERING_BSN,
                                               verzoek="AVG-2027-14", actor=OFFICIAL,
                                               path=Path(tmp) / "report-inzage.html"),
            }
        for name, html in pages.items():
            page = Path(tmp) / f"{name}.html"
            page.write_text(html, encoding="utf-8")
            clip = (0, 0, 1100, 1700, 0.7) if name == "report-case" else (0, 0, 1100, 1300, 0.7)
            seen = visit(page, 1100, 1000, clip=clip)
            assert not seen.console_errors and not seen.requests
            (DOCS / f"{name}.png").write_bytes(seen.screenshot)
            print(DOCS / f"{name}.png", len(seen.screenshot), "bytes")


if __name__ == "__main__":
    main()
