"""Reading the processing log after the Logboek Dataverwerkingen read extension ("LDV lezen
API" 1.1.0): one query, filtering on ``traceId``, ``startTime``, ``endTime`` and the
``dpl.core.*`` attributes (at least one filter), answering the same records the export gives
(:func:`wams.core.privacy.logexport.record`), in the standard's camelCase shape.

Pagination, which the standard leaves to the implementer, is by keyset: records in the order
they were written, ``after`` the last one of the previous page (an opaque cursor: the position
in the municipality's log), at most ``limit`` per page.

Who may read: the privacy officer (``fg``) over the whole log of the municipality; anyone else
only on a person's own access request (AVG art. 15), with the request's reference, filtered on
that person's ``dpl.core.data_subject_id``, and that read is itself logged (R36) under the
activity ``inzage`` — the same route as the access report.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from sqlalchemy import or_, select

from wams.core.errors import InputError
from wams.core.ids import trace_id
from wams.core.law.lifecycle import PROVIDE, Processing
from wams.core.privacy import logexport
from wams.core.privacy.inzage import ACTIVITY, PURPOSE, REFERENCE, STEP
from wams.core.privacy.work import Operator
from wams.core.storage.repository import log

#: the filters of the standard's request body besides the dpl.core attributes
TIME_FILTERS = ("startTime", "endTime")
#: dpl.core attribute → the log column it is stored in (the processor: in the caller's JSON)
CORE_FILTERS = {
    "dpl.core.processing_activity_id": log.c.activity_id,
    "dpl.core.data_subject_id": log.c.subject,
    "dpl.core.data_subject_id_type": log.c.subject_type,
}
PROCESSOR = "dpl.core.foreign_operation.processor"
KNOWN = ("traceId", *TIME_FILTERS, *CORE_FILTERS, PROCESSOR)
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
_HEX32 = re.compile(r"[0-9a-f]{32}")
CAMEL = {"trace_id": "traceId", "span_id": "spanId", "parent_span_id": "parentSpanId",
         "start_time": "startTime", "end_time": "endTime"}


def _time(key: str, value: object) -> dt.datetime:
    if not isinstance(value, str):
        raise InputError(f"{key} is een tijdstip in RFC 3339 (2027-02-01T09:00:00Z); kreeg "
                         f"{value!r}")
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{key} is een tijdstip in RFC 3339 (2027-02-01T09:00:00Z); kreeg "
                         f"{value!r}") from None
    if when.tzinfo is None:
        raise InputError(f"{key} noemt een tijdzone (Z of +01:00); kreeg {value!r}")
    # stored times are naive UTC
    return when.astimezone(dt.timezone.utc).replace(tzinfo=None)


def check_filter(body: object) -> dict[str, Any]:
    """The request body as the standard defines it: an object with at least one of
    ``traceId``, ``startTime``, ``endTime`` and the ``dpl.core.*`` attributes, nothing else."""
    if not isinstance(body, dict) or not body:
        raise InputError("de zoekvraag is een object met minstens één van: " + ", ".join(KNOWN))
    unknown = sorted(k for k in body if k not in KNOWN)
    if unknown:
        raise InputError(f"onbekend filter {', '.join(map(repr, unknown))}; bekend zijn: "
                         + ", ".join(KNOWN))
    out: dict[str, Any] = {}
    for key, value in body.items():
        if key == "traceId":
            trace = value.replace("-", "").lower() if isinstance(value, str) else ""
            if not _HEX32.fullmatch(trace):
                raise InputError(f"traceId is 16 bytes in hex (32 tekens); kreeg {value!r}")
            out[key] = trace
        elif key in TIME_FILTERS:
            out[key] = _time(key, value)
        elif not isinstance(value, str) or not value or len(value) > 500:
            raise InputError(f"{key} is een tekst; kreeg {value!r}")
        else:
            out[key] = value
    return out


def read(engine: Operator, gemeente: str, body: object, *, after: str | None = None,
         limit: int = DEFAULT_LIMIT, actor: str, verzoek: str | None = None,
         everything: bool = False) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the records matching ``body``, and the cursor of the next page (None on
    the last). ``everything``: the privacy officer's read of the whole log; otherwise the read
    is a person's access request (``verzoek``, filtered on his data subject id) and logged."""
    wanted = check_filter(body)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
        raise InputError(f"limit is een heel getal van 1 tot en met {MAX_LIMIT}; kreeg {limit!r}")
    position = _cursor(after)
    if not everything:
        if not isinstance(verzoek, str) or not verzoek.strip():
            raise InputError("noem het kenmerk van het verzoek om inzage van de betrokkene "
                             "(verzoek); de lees-API is buiten de fg alleen zijn recht")
        if "dpl.core.data_subject_id" not in wanted:
            raise InputError("een inzageverzoek leest alleen de records van de betrokkene: "
                             "filter op dpl.core.data_subject_id")
    stmt = select(*logexport.COLUMNS).where(log.c.gemeente == gemeente)
    if "traceId" in wanted:
        stmt = stmt.where(log.c.trace_id == wanted["traceId"])
    if "startTime" in wanted:
        stmt = stmt.where(log.c.start_time >= wanted["startTime"])
    if "endTime" in wanted:
        stmt = stmt.where(log.c.end_time <= wanted["endTime"])
    for key, column in CORE_FILTERS.items():
        if key in wanted:
            stmt = stmt.where(column == wanted[key])
    if PROCESSOR in wanted:
        url = json.dumps(wanted[PROCESSOR])
        # stored as the caller's JSON: {"processor": ...} now, the draft's {"entity": ...} before
        stmt = stmt.where(or_(log.c.foreign_operation.contains(f'"processor": {url}'),
                              log.c.foreign_operation.contains(f'"entity": {url}')))
    if position is not None:
        stmt = stmt.where(log.c.id > position)
    stmt = stmt.order_by(log.c.id).limit(limit + 1)
    system = logexport.resource()
    with engine.unit_of_work(gemeente) as uow:
        rows = list(uow.store.conn.execute(stmt))
        page = rows[:limit]
        records = [camel(logexport.record(row, system)) for row in page]
        if not everything and page:
            # R36: the read on the person's request is a processing about him.
            subject, stype = page[0].subject, page[0].subject_type
            # The request's reference may name the person and belongs to no case: the log
            # keeps it as a keyed digest, as the access report does (inzage.reference_in_log).
            reference = uow.keyed_digest(REFERENCE, str(verzoek).strip())
            uow.write_log((Processing(PROVIDE, "betrokkene", ACTIVITY,
                                      f"{PURPOSE}, verzoek {reference}, via de lees-API",
                                      source="college", recipient="betrokkene"),),
                          step=STEP, trace=trace_id(), actor=actor,
                          subjects={"betrokkene": (subject, stype)})
    more = len(rows) > limit
    return records, (str(page[-1].id) if more and page else None)


def camel(record: dict[str, Any]) -> dict[str, Any]:
    """An export record in the read API's spelling (``traceId``, ``startTime``, ...): the same
    record, other key names."""
    return {CAMEL.get(k, k): v for k, v in record.items()}


def _cursor(after: str | None) -> int | None:
    if after is None or after == "":
        return None
    if not after.isdigit() or len(after) > 18:
        raise InputError(f"after is de cursor uit het vorige antwoord; kreeg {after!r}")
    return int(after)
