"""The one Jinja2 environment of the reports, the page rules, and writing a page to a file."""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

#: What a report page may load: nothing but its own inline style (and data: images). The
#: pages declare it in a meta tag, so a browser enforces it even when opened from disk.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

NO_PDF = ("een PDF maken vraagt het pakket weasyprint, dat niet is geïnstalleerd; schrijf HTML "
          "(-o rapport.html) en druk die af vanuit de browser (er is een afdrukopmaak)")

MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december")


def datum(value: Any) -> str:
    """A date as people write it in Dutch: ``3 februari 2027``."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def moment(value: Any) -> str:
    """A date and time: ``3 februari 2027, 09:30``."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        return datum(value)
    return f"{datum(value)}, {value:%H:%M}"


_env = Environment(loader=PackageLoader("wams.reports", "templates"),
                   autoescape=select_autoescape(("html", "svg")), undefined=StrictUndefined,
                   trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
_env.filters["datum"] = datum
_env.filters["moment"] = moment
_env.globals["CSP"] = CSP


def render(template: str, **context: Any) -> str:
    return _env.get_template(template).render(**context)


def target(path: str | os.PathLike[str]) -> Path:
    """The absolute path a report will be written to; its folder must exist already, so a
    typing error fails before anything is read (and logged)."""
    out = Path(path).expanduser().resolve()
    if not out.parent.is_dir():
        raise FileNotFoundError(f"map {out.parent} bestaat niet; maak hem eerst aan")
    if out.suffix.lower() == ".pdf" and importlib.util.find_spec("weasyprint") is None:
        raise ImportError(NO_PDF)
    if out.is_dir():
        raise IsADirectoryError(f"{out} is een map; geef een bestandsnaam, bv. {out}/rapport.html")
    return out


def write(path: Path, html: str) -> None:
    # Owner-only: a report with personal data is a copy outside the database.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(html)


def write_pdf(path: Path, html: str) -> None:
    """A PDF when a PDF library happens to be installed (weasyprint); wams does not depend on
    one. Without it: ImportError with what to do instead."""
    try:
        import weasyprint  # type: ignore[import-not-found]
    except ImportError:
        raise ImportError(NO_PDF) from None
    pdf = weasyprint.HTML(string=html).write_pdf()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pdf)
