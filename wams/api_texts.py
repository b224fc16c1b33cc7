"""The Dutch texts wams writes for people, from what the API returns: the access report
(AVG art. 15), the register (AVG art. 30) and the retention run's lines about destruction
periods. ``wams inzage``, ``wams register`` and ``wams retention run`` print these; a Python
caller gets the same text from the same call."""

from __future__ import annotations

from typing import Any

from wams.core.catalogue import Catalogue


def inzage_text(report: dict[str, Any]) -> str:
    """:meth:`wams.Wams.inzage_persoon`'s report as Dutch text, for the person and the
    employee who hands it over."""
    from wams.core.privacy import inzage

    return inzage.render_nl(report)


def inzage_json(report: dict[str, Any]) -> str:
    """The same report as indented JSON (``wams inzage --format json``)."""
    from wams.core.privacy import inzage

    return inzage.to_json(report)


def register_text(entries: list[dict[str, Any]], gemeente: str, months: int,
                  catalogue: Catalogue | None = None) -> str:
    """:meth:`wams.Wams.register`'s entries as the register for people, with the
    municipality's bewaartermijn (``months``) and the categories' names from ``catalogue``."""
    from wams.core.privacy import register

    return register.render_text(entries, gemeente, months, catalogue)


def period_line(item: dict[str, Any]) -> str:
    """One line about one destruction period :meth:`wams.Wams.retire_periods` looked at."""
    from wams.core.privacy import periods

    return periods.line(item)
