"""Values the audit cannot even read, named by their row before the audit reads them.

With write access a DBA can put text that is no date into a SQLite date column, text into a
number or a flag (SQLite does not type its columns), or a salt that is no hex into
``history.content_salt``; reading such a row raises inside the database driver (or compares
text with a number), and the audit would end in an internal error instead of saying where. So
before the chains are streamed, one SQL pass per table finds every such value and names its
table, row and column; the audit then reports them as breaks and stops (nothing later can be
trusted to be read). PostgreSQL enforces its column types itself, so only the salts are
checked there.

Also: every data key a living record needs must still be there. Deleting a ``data_keys`` row
destroys the record without a proof; the record itself (its ``data_key``) is covered by the
chain, so a record whose key is gone and that was not destroyed is named here. And every
destroyed record's KEK must be gone from the key store once its period is over.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import (
    Boolean,
    Connection,
    Date,
    DateTime,
    Integer,
    Table,
    Text,
    and_,
    exists,
    func,
    inspect,
    or_,
    select,
)

from wams.core.storage.audit_rows import Problem
from wams.core.storage.repository import (
    cases,
    data_keys,
    history,
    involvements,
    meldingen,
    proofs,
)
from wams.core.storage.tables import Base

_DATE = "[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]"
_TIME = " [0-2][0-9]:[0-5][0-9]:[0-5][0-9]*"
_HEX = set("0123456789abcdef")


def _identity(table: Table, row: object) -> str:
    keys = [c.name for c in table.primary_key.columns]
    return ", ".join(f"{k} {getattr(row, k)}" for k in keys)


def _glob(raw: Any, pattern: str) -> Any:
    return raw.op("GLOB", is_comparison=True)(pattern)


def _readable(raw: Any, is_time: bool) -> Any:
    """What the SQLite driver parses: ``YYYY-MM-DD`` (a date column may carry more after it),
    or for a timestamp either that alone or followed by `` HH:MM:SS[.ffffff]``; and a real
    calendar day and time (SQLite's own ``date()``/``datetime()`` say NULL otherwise)."""
    day = func.date(func.substr(raw, 1, 10)).isnot(None)
    if not is_time:
        return and_(day, _glob(raw, _DATE + "*"))
    return and_(day, or_(and_(_glob(raw, _DATE), func.length(raw) == 10),
                         and_(_glob(raw, _DATE + _TIME),
                              func.datetime(func.substr(raw, 1, 19)).isnot(None))))


def _unreadable(column: Any, raw: Any) -> tuple[Any, str] | None:
    """The condition under which a value of ``column`` (``raw``: read as text) is not what
    its type says, and what it should have been; None for a type the driver takes as is."""
    if isinstance(column.type, (Date, DateTime)):
        is_time = isinstance(column.type, DateTime)
        return ~_readable(raw, is_time), "tijdstip" if is_time else "datum"
    if isinstance(column.type, Boolean):
        return func.typeof(column) != "integer", "0 of 1 (onwaar of waar)"
    if isinstance(column.type, Integer):
        # A chain number that is text would end the audit in a comparison of text and
        # number: named here instead.
        return func.typeof(column) != "integer", "geheel getal"
    return None


def _malformed_dates(conn: Connection, gemeente: str | None) -> Iterator[Problem]:
    """Dates, timestamps, numbers and booleans SQLite stored as something else: one pass
    over each table, every such column at once."""
    inspector = inspect(conn)
    tables = set(inspector.get_table_names())
    for table in Base.metadata.sorted_tables:
        if "gemeente" not in table.c or table.name not in tables:
            continue  # a table of a later revision (a migration verifies an older schema)
        # The columns the database has (a migration verifies an older schema than the model).
        present = {c["name"] for c in inspector.get_columns(table.name)}
        checks = []
        for column in table.c:
            if column.name not in present:
                continue
            # Read as text: the driver's own conversion is what fails on these values.
            raw = column.cast(Text())
            found = _unreadable(column, raw)
            if found is not None:
                checks.append((column, raw, and_(column.isnot(None), found[0]), found[1]))
        if not checks:
            continue
        stmt = (select(table.c.gemeente, *table.primary_key.columns,
                       *(raw.label(f"raw_{i}") for i, (_, raw, _, _) in enumerate(checks)),
                       *(bad.label(f"bad_{i}") for i, (_, _, bad, _) in enumerate(checks)))
                .where(or_(*(bad for _, _, bad, _ in checks))))
        if gemeente is not None:
            stmt = stmt.where(table.c.gemeente == gemeente)
        for row in conn.execute(stmt):
            values = row._mapping
            for i, (column, _, _, should) in enumerate(checks):
                if values[f"bad_{i}"]:
                    yield Problem(row.gemeente, None,
                                  f"{column.name} '{values[f'raw_{i}']}' is geen {should} "
                                  "(buiten wams om geschreven)",
                                  f"{table.name} {_identity(table, row)}")


def _malformed_salts(conn: Connection, gemeente: str | None) -> Iterator[Problem]:
    stmt = select(history.c.gemeente, history.c.seq, history.c.chain_n,
                  history.c.content_salt).where(history.c.content_salt.isnot(None))
    if gemeente is not None:
        stmt = stmt.where(history.c.gemeente == gemeente)
    for row in conn.execution_options(yield_per=1000).execute(stmt):
        salt = row.content_salt
        if not isinstance(salt, str) or len(salt) % 2 or not set(salt) <= _HEX:
            yield Problem(row.gemeente, row.chain_n,
                          f"content_salt '{salt}' is geen hex (buiten wams om geschreven)",
                          f"history seq {row.seq}")


def malformed(conn: Connection, gemeente: str | None) -> list[Problem]:
    """Every value the audit could not read, by table, row and column."""
    found = list(_malformed_salts(conn, gemeente))
    if conn.dialect.name == "sqlite":
        found.extend(_malformed_dates(conn, gemeente))
    return found


def missing_data_keys(conn: Connection, gemeente: str | None,
                      covered: Iterable[str] | None = None) -> Iterator[Problem]:
    """Every living case, melding and betrokkenheid (and actor in the register) whose data
    key row is gone (or belongs to another municipality): destroyed without a proof of
    destruction. ``covered``: the covered tables of an older schema (a migration)."""
    actors = Base.metadata.tables["actors"]
    kinds: list[tuple[Table, Any, str, Any]] = [
        (cases, cases.c.id, "casus", cases.c.destroyed_on.is_(None)),
        (meldingen, meldingen.c.id, "melding", None),
        (involvements, involvements.c.id, "betrokkenheid", None)]
    if covered is None or "actors" in covered:
        kinds.append((actors, actors.c.pseudonym, "actor", None))
    for table, ident, name, living in kinds:
        present = exists().where(data_keys.c.id == table.c.data_key,
                                 data_keys.c.gemeente == table.c.gemeente)
        conditions = [table.c.data_key.isnot(None), ~present]
        if living is not None:
            conditions.append(living)
        stmt = select(table.c.gemeente, ident.label("ident"), table.c.data_key).where(
            and_(*conditions))
        if gemeente is not None:
            stmt = stmt.where(table.c.gemeente == gemeente)
        for row in conn.execute(stmt.order_by(table.c.gemeente, ident)):
            yield Problem(row.gemeente, None,
                          f"de gegevenssleutel {row.data_key} ontbreekt in data_keys: "
                          "vernietigd zonder bewijs van vernietiging (rij verwijderd of "
                          "vervangen)", f"{name} {row.ident}")


def unretired(conn: Connection, source: Any, gemeente: str | None,
              today: dt.date) -> Iterator[Problem]:
    """Every proof of destruction whose KEK period is over (``wams.core.privacy.periods``)
    while the KEK that wrapped the destroyed data key is still in the key store ``source``:
    whoever holds the key file could still open that record in an old copy of the
    database. (Proofs from before schema 0010 name no KEK.)"""
    month = f"{today.year:04d}-{today.month:02d}"
    p = proofs.c.kek_period
    stmt = (select(proofs.c.gemeente, proofs.c.case_id, proofs.c.chain_n, p, proofs.c.kek_id)
            .where(proofs.c.kek_id.isnot(None),
                   or_(and_(~p.like("open:%"), p < month),
                       and_(p.like("open:%"), p < f"open:{month}")))
            .order_by(proofs.c.gemeente, proofs.c.id))
    if gemeente is not None:
        stmt = stmt.where(proofs.c.gemeente == gemeente)
    for row in conn.execute(stmt):
        try:
            source.get(row.gemeente, f"kek:{row.kek_period}", row.kek_id)
        except Exception:  # noqa: BLE001 - the store's KeyMissingError: retired, as it should
            continue
        yield Problem(row.gemeente, row.chain_n,
                      f"de periode {row.kek_period} is voorbij maar haar sleutel "
                      f"{row.kek_id} staat nog in de sleutelopslag: wie het sleutelbestand "
                      "heeft, opent de vernietigde gegevens nog in een oude kopie van de "
                      "database ('wams retention run' trekt haar in)",
                      f"bewijs {row.case_id}")
