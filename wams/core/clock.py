"""The clock decisions run on. Retention periods and report deadlines are legal time, so the
engine never calls ``datetime.now()`` itself: it asks a Clock, which scenarios and tests set."""

from __future__ import annotations

import datetime as dt


class Clock:
    """Wall-clock time (UTC) unless :meth:`set` fixed it. Time only moves forward."""

    def __init__(self, start: dt.date | dt.datetime | None = None) -> None:
        self._fixed: dt.datetime | None = None
        if start is not None:
            self.set(start)

    def now(self) -> dt.datetime:
        if self._fixed is not None:
            return self._fixed
        return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)

    def today(self) -> dt.date:
        return self.now().date()

    @property
    def fixed(self) -> bool:
        return self._fixed is not None

    def set(self, when: dt.date | dt.datetime) -> None:
        if not isinstance(when, dt.datetime):
            when = dt.datetime.combine(when, dt.time(9, 0))
        if self._fixed is not None and when < self._fixed:
            raise ValueError(f"de tijd kan niet terug: {when:%Y-%m-%d} "
                             f"ligt voor {self._fixed:%Y-%m-%d}")
        self._fixed = when

    def advance(self, days: int) -> None:
        if days < 0:
            raise ValueError("de tijd kan niet terug: dagen moet 0 of meer zijn")
        self.set(self.now() + dt.timedelta(days=days))


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole calendar months (negative: back), clamped to the month's end:
    31 January + 1 month is 28 or 29 February. Bewaartermijnen are counted this way."""
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has a 28th")
