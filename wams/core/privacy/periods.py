"""KEKs per destruction period: destruction that reaches the key store (R33, quality C7).

Deleting a record's data key makes its sealed values unreadable in the live database, but the
wrapped data key itself lingers wherever the database was copied before: an old tuple, a
``pg_wal`` segment, a SQLite WAL, a backup. Whoever holds the key file could unwrap it there
as long as the KEK that wrapped it lives. So no KEK outlives the records it wraps by more than
a month:

- a record still *open* (a case before it is closed) is wrapped by the KEK of the month it was
  opened in, key-store purpose ``kek:open:YYYY-MM``;
- a record whose bewaartermijn is known (a case once closed or rejected; a melding and a
  betrokkenheid from the start) is wrapped by the KEK of the month its bewaartermijn ends in,
  ``kek:YYYY-MM``; re-wrapped when it changes (the setting, a closure);
- ``wams retention run`` (:func:`settle`), after destroying what is due, moves every data key
  of a past month's period into the current open month (a record kept beyond its term: a
  betrokkenheid a route-B case rests on; still-open cases of an earlier month) and then
  *retires* each past period's KEK that nothing uses any more: the key store forgets it (the
  file store rewrites itself without it, fsynced, no copy beside it).

From then on no copy of the database made at any time opens a destroyed record, whoever holds
the live key file. The proof of destruction names the period and KEK id, and ``wams audit
verify`` reports a proof whose period is over while its KEK is still in the key store.

What stays: a *backup of the key store* taken before the retirement holds the KEK; the
retirement reaches it only when that backup is destroyed too (docs/operations.md: keep
key-store backups no longer than one period).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from sqlalchemy import and_, func, or_, select

from wams.core.clock import add_months
from wams.core.errors import KeyMissingError, SealError
from wams.core.law.policy import retention_ends
from wams.core.privacy.keystore import PERIOD_PURPOSE
from wams.core.privacy.sealing import KEK
from wams.core.privacy.work import Operator, UnitOfWork
from wams.core.settings import SETTINGS
from wams.core.storage.repository import cases, data_keys, involvements, meldingen, proofs

log = logging.getLogger("wams.retention")

OPEN = "open:"
#: the settings whose change moves records into another period
CASE_SETTING = "bewaartermijn_maanden"
RECORD_SETTINGS = {"meldingen": "bewaartermijn_meldingen_maanden",
                   "involvements": "bewaartermijn_betrokkenheid_maanden"}


def month(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def open_period(day: dt.date) -> str:
    """The period of a record opened on ``day`` and not yet closed."""
    return OPEN + month(day)


def is_past(period: str, today: dt.date) -> bool:
    """Whether ``period`` is over on ``today``: an open month before this one, or a month of
    bewaartermijn-ends before this one (everything in it is due)."""
    return period.removeprefix(OPEN) < month(today)


def months(uow: UnitOfWork, gemeente: str, key: str) -> int:
    raw = uow.store.setting(gemeente, key)
    return int(json.loads(raw)) if raw is not None else int(SETTINGS[key].default)


def record_period(uow: UnitOfWork, gemeente: str, table: str, at: dt.datetime) -> str:
    """The period of a melding or betrokkenheid recorded at ``at``: the month its own
    bewaartermijn ends in."""
    return month(add_months(at.date(), months(uow, gemeente, RECORD_SETTINGS[table])))


def case_period(closed_on: dt.date | None, bewaartermijn: int, today: dt.date) -> str:
    """The period of a case: its retention month once closed, else today's open month."""
    if closed_on is None:
        return open_period(today)
    return month(retention_ends(closed_on, bewaartermijn))


def place(uow: UnitOfWork, data_key: str, period: str) -> None:
    """Re-wrap ``data_key`` under the KEK of ``period`` unless it is already there."""
    uow.move_data_key(data_key, period)


def replace(uow: UnitOfWork, gemeente: str) -> int:
    """Put every record of ``gemeente`` in the period it falls in now (after a bewaartermijn
    changed, or for data keys wrapped before periods existed); returns how many moved."""
    today = uow.now.date()
    moved = 0
    n = months(uow, gemeente, CASE_SETTING)
    for data_key, closed_on, period in uow.store.conn.execute(
            select(cases.c.data_key, cases.c.closed_on, data_keys.c.period)
            .join(data_keys, data_keys.c.id == cases.c.data_key)
            .where(cases.c.gemeente == gemeente, cases.c.destroyed_on.is_(None))):
        wanted = case_period(closed_on, n, today)
        if period is None or (period != wanted and not (closed_on is None
                                                         and period.startswith(OPEN))):
            place(uow, data_key, wanted)
            moved += 1
    for table in (meldingen, involvements):
        for data_key, at, period in uow.store.conn.execute(
                select(table.c.data_key, table.c.at, data_keys.c.period)
                .join(data_keys, data_keys.c.id == table.c.data_key)
                .where(table.c.gemeente == gemeente)):
            wanted = record_period(uow, gemeente, table.name, at)
            if period != wanted:
                place(uow, data_key, wanted)
                moved += 1
    return moved


def proof_fields(wrapped_by: tuple[str, str | None] | None) -> dict[str, str | None]:
    """What a proof of destruction records of the KEK that wrapped a destroyed data key
    (``wrapped_by``: its KEK id and period; None: there was no key)."""
    if wrapped_by is None:
        return {"kek_period": None, "kek_id": None}
    return {"kek_period": wrapped_by[1], "kek_id": wrapped_by[0]}


# -- the retention run: retiring what is over ----------------------------------------------


def settle(engine: Operator, gemeente: str | None = None) -> list[dict[str, Any]]:
    """After the retention run's destruction: move every data key still in a past period
    into the current open month, then retire each past period's KEK (and the KEK of before
    periods) that no data key uses. Returns one dict per period: gemeente, periode,
    sleutels (the retired key ids) or, when it could not be retired, reden."""
    today = engine.clock.today()
    with engine.unit_of_work(None) as uow:
        found = sorted({r[0] for r in uow.store.conn.execute(
            select(data_keys.c.gemeente).distinct())} | {r[0] for r in uow.store.conn.execute(
                select(proofs.c.gemeente).distinct())})
    done: list[dict[str, Any]] = []
    for g in [gemeente] if gemeente else found:
        stuck = _move_past(engine, g, today)
        done += _retire(engine, g, today, stuck)
    return done


def _move_past(engine: Operator, gemeente: str, today: dt.date) -> set[str | None]:
    """Move the data keys of past periods (and of before periods) into today's open month;
    returns the periods holding a data key that could not be moved (unreadable)."""
    stuck: set[str | None] = set()
    with engine.unit_of_work(gemeente) as uow:
        if uow.store.conn.execute(select(data_keys.c.id).where(
                data_keys.c.gemeente == gemeente, data_keys.c.period.is_(None)).limit(1)
                ).first() is not None:
            replace(uow, gemeente)
        here = open_period(today)
        rows = uow.store.conn.execute(
            select(data_keys.c.id, data_keys.c.period)
            .where(data_keys.c.gemeente == gemeente, data_keys.c.period != here,
                   or_(data_keys.c.period.like(OPEN + "%"),
                       data_keys.c.period < month(today)))).all()
        for row in rows:
            try:
                with uow.store.conn.begin_nested():
                    uow.move_data_key(row.id, here)
            except (KeyMissingError, SealError) as exc:
                # Named, and its period is not retired: retiring would lose it for good.
                log.error("bewaartermijn: gegevenssleutel %s van %s niet te verplaatsen: %s",
                          row.id, gemeente, type(exc).__name__)
                stuck.add(row.period)
    return stuck


def _retire(engine: Operator, gemeente: str, today: dt.date,
            stuck: set[str | None]) -> list[dict[str, Any]]:
    done: list[dict[str, Any]] = []
    keys = engine.keys
    for purpose in keys.purposes(gemeente):
        if purpose == KEK:
            period: str | None = None
        elif PERIOD_PURPOSE.match(purpose):
            period = purpose.removeprefix(KEK + ":")
            if not is_past(period, today):
                continue
        else:
            continue
        item: dict[str, Any] = {"gemeente": gemeente, "periode": period or "zonder periode"}
        # Counted again now, after the move committed: a data key wrapped meanwhile by a
        # transaction that began before the move keeps its KEK.
        with engine.unit_of_work(gemeente) as uow:
            users = uow.store.conn.execute(select(func.count()).select_from(data_keys).where(
                and_(data_keys.c.gemeente == gemeente,
                     data_keys.c.period.is_(None) if period is None
                     else data_keys.c.period == period))).scalar_one()
        if period in stuck or users:
            item["reden"] = f"{users} gegevenssleutel(s) nog in deze periode"
        else:
            key = keys.current(gemeente, purpose)
            keys.retire(gemeente, purpose, key.id)
            item["sleutels"] = [key.id]
        done.append(item)
    return done



def line(item: dict[str, Any]) -> str:
    """One line of ``wams retention run`` about one period :func:`settle` looked at."""
    what = (f"sleutel {', '.join(item['sleutels'])} ingetrokken" if "sleutels" in item
            else f"sleutel niet ingetrokken ({item['reden']})")
    return f"{item['gemeente']} periode {item['periode']}: {what}"
