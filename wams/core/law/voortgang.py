"""R27: the coordinator reports on progress to the college at an interval the municipality
chooses (a municipal setting, default three months). One place computes when the next report
is due and whether it is overdue, for ``wams case show`` and the case report alike."""

from __future__ import annotations

import datetime as dt
from typing import Any

from wams.core.law.policy import retention_ends
from wams.core.model import Casus


def voortgang_status(case: Casus, today: dt.date, months: int) -> dict[str, Any] | None:
    """When the coordinator's next progress report is due and whether it is overdue; None
    outside the coordination phase. Counted from the last report, or from the appointment."""
    if case.coordinator is None or case.phase != "coordinatie":
        return None
    last = max(case.voortgang) if case.voortgang else None
    since = last or case.coordinator.since
    due = retention_ends(since, months)
    return {"laatste": last, "uiterlijk": due, "te_laat": today > due}
