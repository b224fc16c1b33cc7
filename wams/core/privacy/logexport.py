"""Export of the processing log as JSON lines: records of Logboek Dataverwerkingen 1.0.0.

One line per processing per person (R36): ``trace_id``, ``span_id``, ``parent_span_id``,
``name``, ``start_time``/``end_time`` (ISO 8601 UTC, ms), ``status`` (``Unset``/``Ok``/``Error``),
``resource`` (which system logged it, and for which municipality) and ``attributes`` with only
established namespaces: ``dpl.core.processing_activity_id``, ``dpl.core.data_subject_id``,
``dpl.core.data_subject_id_type``, ``dpl.core.foreign_operation.processor`` where another
application called, ``dpl.read.externalReadAPI_id`` where a party's request started the
processing and its read API is known. The person is the keyed pseudonym already in the log:
an export carries no BSN, name or birth date. What wams knows besides (case, category,
purpose, legal basis, source, recipient, operation, who acted) is no established extension:
it is in the audit profile (``profile="audit"``), linked by span id.

Rows written before 1.0.0 keep their stored values (the keyed chain covers them): the export
maps the draft's ``STATUS_CODE_OK`` to ``Ok`` and its ``foreign_operation {trace_id, span_id,
entity}`` to the ``processor`` attribute (the entity).

Streaming: rows come through a server-side cursor (PostgreSQL) or stepped SQLite statement in
batches of :data:`BATCH`, so memory stays flat over 20 million records (quality B5). On a SQLite
file the export reads on its own autocommit connection: a WAL reader blocks no writer, where the
engine's ``BEGIN IMMEDIATE`` would hold the write lock for the whole export.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Iterator
from typing import Any

import sqlalchemy
from sqlalchemy import create_engine, select
from sqlalchemy.pool import NullPool

from wams.core.privacy.processing import DRAFT_STATUS
from wams.core.privacy.sealing import is_sealed
from wams.core.storage.repository import log

BATCH = 2000
SERVICE_NAME = "wams"

COLUMNS = (log.c.id, log.c.gemeente, log.c.trace_id, log.c.span_id, log.c.parent_span_id,
            log.c.name, log.c.operation, log.c.start_time, log.c.end_time, log.c.status_code,
            log.c.activity_id, log.c.subject, log.c.subject_type, log.c.case_id,
            log.c.category, log.c.purpose, log.c.legal_basis, log.c.source, log.c.recipient,
            log.c.actor, log.c.foreign_operation)


def timestamp(when: dt.datetime) -> str:
    """ISO 8601 in UTC with milliseconds (``2027-02-01T09:00:00.000Z``); stored times are
    naive UTC."""
    if when.tzinfo is not None:
        when = when.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return when.isoformat(timespec="milliseconds") + "Z"


#: what the export shows for a purpose that is sealed with its case (the caller's free text)
SEALED_PURPOSE = "(vrije tekst: versleuteld in het dossier)"


def record(row: Any, resource: dict[str, Any]) -> dict[str, Any]:
    """One log row as a Logboek Dataverwerkingen 1.0.0 record. Who acted is not in it (the
    standard: no user data in the record itself); the audit profile (:func:`audit_record`)
    links it by span id."""
    attributes: dict[str, Any] = {
        "dpl.core.processing_activity_id": row.activity_id,
        "dpl.core.data_subject_id": row.subject,
        "dpl.core.data_subject_id_type": row.subject_type,
    }
    caller = _caller(row.foreign_operation)
    if caller.get("processor"):
        attributes["dpl.core.foreign_operation.processor"] = caller["processor"]
    if caller.get("read_api"):
        attributes["dpl.read.externalReadAPI_id"] = caller["read_api"]
    rec: dict[str, Any] = {
        "trace_id": row.trace_id,
        "span_id": row.span_id,
        "name": row.name,
        "start_time": timestamp(row.start_time),
        "end_time": timestamp(row.end_time),
        "status": DRAFT_STATUS.get(row.status_code, row.status_code),
        "resource": {"attributes": {**resource["attributes"], "wams.gemeente": row.gemeente}},
        "attributes": attributes,
    }
    if row.parent_span_id:
        rec["parent_span_id"] = row.parent_span_id
    return rec


def _caller(stored: str | None) -> dict[str, str]:
    """The stored caller of a row: ``{processor, read_api}``, or the draft's
    ``{trace_id, span_id, entity}`` (the entity was the caller's application)."""
    if not stored:
        return {}
    value = json.loads(stored)
    if "entity" in value and "processor" not in value:
        return {"processor": value["entity"]}
    return {k: v for k, v in value.items() if k in ("processor", "read_api")}


def audit_record(row: Any, resource: dict[str, Any],
                 who: Callable[[str, str], str] | None = None) -> dict[str, Any]:
    """The audit profile of one log row: what wams knows of the processing besides the
    Logboek record (no established extension carries it), linked to the record by its span
    id. The caller's free-text purpose is sealed with its case and is not exported. The log
    keeps who acted as a pseudonym; ``who(gemeente, pseudonym)`` names the actor (the
    register of actors, :mod:`wams.core.privacy.actors`)."""
    user = who(row.gemeente, row.actor) if who is not None else row.actor
    return {"trace_id": row.trace_id, "span_id": row.span_id, "gemeente": row.gemeente,
            "start_time": timestamp(row.start_time), "user": user,
            "operation": row.operation, "case_id": row.case_id, "category": row.category,
            # A free-text purpose is sealed with its case: the export (which leaves wams)
            # says so instead of carrying ciphertext; the activity names the purpose.
            "purpose": SEALED_PURPOSE if is_sealed(row.purpose) else row.purpose,
            "legal_basis": row.legal_basis, "source": row.source, "recipient": row.recipient}


PROFILES = {"logboek": record, "audit": audit_record}


def _since(value: dt.date | dt.datetime | None) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value, dt.time())


def resource() -> dict[str, Any]:
    """Which system logged the records (the Logboek ``resource``)."""
    from wams.core.plugins import wams_version

    return {"attributes": {"service.name": SERVICE_NAME, "service.version": wams_version()}}


def records(db: sqlalchemy.Engine, *, gemeente: str | None = None,
            since: dt.date | dt.datetime | None = None, profile: str = "logboek",
            who: Callable[[str, str], str] | None = None) -> Iterator[dict[str, Any]]:
    """Stream the log as Logboek records (or, ``profile="audit"``, who acted per span,
    named by ``who``: see :func:`audit_record`), oldest first (by insertion)."""
    shape: Callable[[Any, dict[str, Any]], dict[str, Any]] = PROFILES[profile]
    if profile == "audit":
        shape = functools.partial(audit_record, who=who)
    system = resource()
    stmt = select(*COLUMNS).order_by(log.c.id)
    if gemeente is not None:
        stmt = stmt.where(log.c.gemeente == gemeente)
    start = _since(since)
    if start is not None:
        stmt = stmt.where(log.c.start_time >= start)
    reader, own = _reader(db)
    try:
        with reader.connect() as conn:
            result = conn.execution_options(yield_per=BATCH).execute(stmt)
            for row in result:
                yield shape(row, system)
    finally:
        if own:
            reader.dispose()


def lines(db: sqlalchemy.Engine, **options: Any) -> Iterator[str]:
    """The export as JSON lines (one record per line, no trailing newline)."""
    for rec in records(db, **options):
        yield json.dumps(rec, ensure_ascii=False, separators=(",", ":"))


def _reader(db: sqlalchemy.Engine) -> tuple[sqlalchemy.Engine, bool]:
    if db.dialect.name == "sqlite" and db.url.database not in (None, "", ":memory:"):
        return create_engine(db.url, poolclass=NullPool, isolation_level="AUTOCOMMIT"), True
    # PostgreSQL: yield_per streams through a server-side cursor. An in-memory SQLite has one
    # connection and nobody else to block.
    return db, False
