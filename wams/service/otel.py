"""An optional OTLP exporter of the processing log (``wams[otel]``, opentelemetry-sdk).

Every Logboek record becomes one span with the record's own trace and span ids, sent inside the
step's transaction, before it commits: never sampled (each record is exported, the sampler is
not even consulted), and failing closed: when the collector does not take the records, the sink
raises, the transaction rolls back and the step is not stored (the service answers 503). The
database log stays the record of account; the export is its copy in the organisation's
observability stack. Configure with ``WAMS_OTLP_ENDPOINT`` (``http://collector:4318/v1/traces``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from wams.core.errors import ExportFailed

RecordSink = Callable[[list[dict[str, Any]]], None]


def _nanos(timestamp: str) -> int:
    when = dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    return int(when.timestamp() * 1_000_000_000)


def spans(records: list[dict[str, Any]]) -> list[Any]:
    """The Logboek records as OpenTelemetry spans: their ids, status and attributes kept,
    exactly the attributes of the export (``dpl.core.*``, ``dpl.read.*``)."""
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import ReadableSpan
    from opentelemetry.trace import SpanContext, TraceFlags
    from opentelemetry.trace.status import Status, StatusCode

    out = []
    for rec in records:
        def context(span: str, trace: str = rec["trace_id"]) -> SpanContext:
            return SpanContext(trace_id=int(trace, 16), span_id=int(span, 16),
                               is_remote=False, trace_flags=TraceFlags(TraceFlags.SAMPLED))

        attributes = {k: v for k, v in rec["attributes"].items() if v is not None}
        status = {"Ok": StatusCode.OK, "Error": StatusCode.ERROR}.get(rec["status"],
                                                                       StatusCode.UNSET)
        out.append(ReadableSpan(
            name=rec["name"], context=context(rec["span_id"]),
            parent=context(rec["parent_span_id"]) if rec.get("parent_span_id") else None,
            resource=Resource.create(rec["resource"]["attributes"]), attributes=attributes,
            status=Status(status), start_time=_nanos(rec["start_time"]),
            end_time=_nanos(rec["end_time"])))
    return out


def sink(exporter: Any) -> RecordSink:
    """A log sink over an OpenTelemetry span exporter; raises when it does not succeed."""
    from opentelemetry.sdk.trace.export import SpanExportResult

    def send(records: list[dict[str, Any]]) -> None:
        try:
            result = exporter.export(spans(records))
        except Exception as exc:
            raise ExportFailed(f"OTLP-export mislukt: {exc}") from exc
        if result is not SpanExportResult.SUCCESS:
            raise ExportFailed("OTLP-export niet geaccepteerd door de collector")
    return send


def otlp_sink(endpoint: str, timeout: float = 5.0) -> RecordSink:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return sink(OTLPSpanExporter(endpoint=endpoint, timeout=timeout))
