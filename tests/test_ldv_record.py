"""Every exported record is a Logboek Dataverwerkingen 1.0.0 record: validated against a JSON
Schema written from the standard's text (tests/schemas/ldv-record-1.0.0.json), on SQLite and
PostgreSQL, for a whole bundled scenario with a party's answer, a consult, an access report
and a destruction; a row written in the draft's shape (before 1.0.0) exports as 1.0.0 too; the
OTLP spans carry exactly the records' attributes and status."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from sqlalchemy import update

from wams.core.privacy import logexport
from wams.core.scenario.library import BUNDLED

SCHEMA = json.loads((Path(__file__).resolve().parent / "schemas" / "ldv-record-1.0.0.json")
                    .read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
#: a full cycle: requests, answers, casusoverleg, closing and destruction (R33)
FULL_CYCLE = BUNDLED / "wgs" / "schuldhulp-en-budgetbeheer-volledige-cyclus.yaml"


def _exported(db_url: str) -> tuple[Any, list[dict[str, Any]]]:
    from wams.api import Wams
    from wams.core.scenario.run import run_scenario

    assert run_scenario(FULL_CYCLE, db_url).passed
    w = Wams.open(db_url)
    w.inzage_persoon("0200", bsn="757491182", actor="balie", verzoek="AVG-1")
    return w, [json.loads(line) for line in logexport.lines(w.engine.db)]


def test_every_exported_record_validates_against_the_1_0_0_schema(db_url: str) -> None:
    w, records = _exported(db_url)
    try:
        assert len(records) > 10
        for rec in records:
            VALIDATOR.validate(rec)
        assert {r["status"] for r in records} == {"Ok"}
        names = {r["name"] for r in records}
        assert {"vraag_gegevens:opvragen", "verstrekking:verzamelen",
                "vernietig:vernietigen", "inzage:verstrekken"} <= names
        # the audit profile has the rest, one entry per record, linked by span id
        audit = {a["span_id"]: a for a in w.log_records(profile="audit")}
        assert set(audit) == {r["span_id"] for r in records}
    finally:
        w.close()


def test_the_schema_refuses_the_drafts_shape_and_unknown_namespaces() -> None:
    """The schema is not a rubber stamp: the draft's record and a wams namespace fail it."""
    good = {"trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "span_id": "00f067aa0ba902b7",
            "name": "hulpvraag:verzamelen", "start_time": "2027-02-01T09:00:00.000Z",
            "end_time": "2027-02-01T09:00:00.000Z", "status": "Ok",
            "attributes": {"dpl.core.processing_activity_id": "urn:wams:0599:x",
                           "dpl.core.data_subject_id": "ab", "dpl.core.data_subject_id_type":
                           "pseudoniem"}}
    VALIDATOR.validate(good)
    bad = [
        {**good, "status": "STATUS_CODE_OK"},
        {**{k: v for k, v in good.items() if k != "status"}, "status_code": "STATUS_CODE_OK"},
        {**good, "foreign_operation": {"trace_id": "a", "span_id": "b", "entity": "c"}},
        {**good, "attributes": {**good["attributes"], "dpl.wams.case_id": "x"}},
        {**good, "attributes": {**good["attributes"], "dpl.core.data_subject_id": "111222333"}},
        {**good, "attributes": {k: v for k, v in good["attributes"].items()
                                if k != "dpl.core.data_subject_id_type"}},
    ]
    for record in bad:
        assert not VALIDATOR.is_valid(record), record


def test_a_row_in_the_drafts_shape_exports_as_1_0_0(db_url: str) -> None:
    """Rows written before 1.0.0 keep their stored values (the keyed chain covers them); the
    export maps the draft's status and foreign_operation (its entity is the processor)."""
    from wams.api import Wams
    from wams.core.model import Persoon
    from wams.core.storage.repository import log

    with Wams.open(db_url) as w:
        w.hulpvraag("0599", wet="wmo", client=Persoon("jan"), vraag="hulp thuis")
        with w.engine.db.begin() as conn:  # as a DBA would find a row of the draft
            conn.execute(update(log).values(
                status_code="STATUS_CODE_OK", foreign_operation=json.dumps(
                    {"trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
                     "span_id": "00f067aa0ba902b7",
                     "entity": "https://leverancier.example"})))
        records = list(logexport.records(w.engine.db))
    assert records
    for rec in records:
        VALIDATOR.validate(rec)
        assert rec["status"] == "Ok"
        assert rec["attributes"]["dpl.core.foreign_operation.processor"] == \
            "https://leverancier.example"


def test_otlp_spans_carry_the_records_attributes_and_status(db_url: str) -> None:
    pytest.importorskip("opentelemetry.sdk")
    from opentelemetry.trace import StatusCode

    from wams.service.otel import spans

    w, records = _exported(db_url)
    w.close()
    sent = spans(records)
    assert len(sent) == len(records)
    for span, rec in zip(sent, records, strict=True):
        assert dict(span.attributes) == rec["attributes"]
        assert span.status.status_code is StatusCode.OK
        assert f"{span.context.trace_id:032x}" == rec["trace_id"]
        assert f"{span.context.span_id:016x}" == rec["span_id"]
        assert f"{span.parent.span_id:016x}" == rec["parent_span_id"]
        assert dict(span.resource.attributes).items() >= rec["resource"]["attributes"].items()
