"""The OTLP exporter: every processing-log record leaves as a span with its own ids (never
sampled), and when the collector refuses, the step fails closed: 503, nothing stored."""

from __future__ import annotations

from litestar.testing import TestClient
from opentelemetry.sdk.trace.export import SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tests.helpers import snapshot
from tests.service_helpers import BODIES, MEDEWERKER, SECRET, G, step, step_path
from wams.service import otel
from wams.service.app import create_app
from wams.service.auth import Verifier


class Refusing(InMemorySpanExporter):
    def export(self, spans):  # type: ignore[no-untyped-def]
        return SpanExportResult.FAILURE


def test_every_record_is_exported_with_its_ids(wams):
    exporter = InMemorySpanExporter()
    wams.set_log_sink(otel.sink(exporter))
    with TestClient(create_app(wams, Verifier(SECRET), webhooks=False)) as client:
        cid = step(client, "hulpvraag", None, expect=201).json()["casus"]
        step(client, "domein", cid)
        client.get(f"/v2/gemeenten/{G}/casussen/{cid}", params={"doel": "behandeling"},
                   headers=MEDEWERKER)
    records = list(wams.log_records(gemeente=G))
    exported = exporter.get_finished_spans()
    assert len(exported) == len(records) >= 2  # the hulpvraag and the read
    by_span = {format(s.context.span_id, "016x"): s for s in exported}
    for rec in records:
        span = by_span[rec["span_id"]]
        assert format(span.context.trace_id, "032x") == rec["trace_id"]
        assert span.name == rec["name"]
        assert span.attributes["dpl.core.processing_activity_id"] == \
            rec["attributes"]["dpl.core.processing_activity_id"]


def test_a_refusing_collector_fails_the_step_closed(wams):
    with TestClient(create_app(wams, Verifier(SECRET), webhooks=False)) as client:
        cid = step(client, "hulpvraag", None, expect=201).json()["casus"]
        wams.set_log_sink(otel.sink(Refusing()))
        before = snapshot(wams, cid)
        # hergebruik logs a processing (R18): its record cannot be exported
        r = client.post(step_path("hergebruik", cid), json=BODIES["hergebruik"],
                        headers=MEDEWERKER)
        assert r.status_code == 503 and r.json()["code"] == "service.unavailable"
        r = client.get(f"/v2/gemeenten/{G}/casussen/{cid}", params={"doel": "behandeling"},
                       headers=MEDEWERKER)
        assert r.status_code == 503
        assert snapshot(wams, cid) == before  # neither the step nor the read is stored
        wams.set_log_sink(None)
        step(client, "hergebruik", cid)  # the collector back: the same step goes through
