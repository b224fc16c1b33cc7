"""Issue 23: purpose codes are an enum in the OpenAPI document. Every ``doel`` a body or a query
takes lists exactly the codes its operation may name (the catalogue's ``gebruik``), no
enforcement wording is among them, a plugin's own codes appear, and a value outside the enum is
still refused by the service itself (400 with a suggestion, or R20's refusal), never stored.
The HTTP tests run on both backends (the ``wams`` fixture)."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from tests.service_helpers import MEDEWERKER, SECRET, G, step
from wams.core.law.purposes import CORE_PURPOSES, enforcement_term
from wams.service.app import create_app
from wams.service.auth import Verifier
from wams.service.document import document
from wams.service.purpose_enum import codes_for


def _doel_schemas(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(operationId, use, schema of its doel) for every operation that takes a doel."""
    schemas = doc["components"]["schemas"]
    found = []
    for item in doc["paths"].values():
        for method, op in item.items():
            use = "lezen" if method == "get" else op["operationId"]
            for p in op.get("parameters", []):
                if p["name"] == "doel":
                    found.append((op["operationId"], use, p["schema"]))
            ref = op.get("requestBody", {}).get("content", {}).get("application/json", {}) \
                .get("schema", {}).get("$ref")
            if ref:
                body = schemas[ref.rsplit("/", 1)[-1]]
                if "doel" in body.get("properties", {}):
                    found.append((op["operationId"], use, body["properties"]["doel"]))
    return found


def _enum(schema: dict[str, Any]) -> list[str]:
    strings = [a for a in schema.get("oneOf", [schema]) if a.get("type") == "string"]
    assert len(strings) == 1, schema
    return strings[0]["enum"]


def test_every_doel_is_the_enum_of_its_operation(wams: Any) -> None:
    doc = document()
    found = _doel_schemas(doc)
    operations = {op for op, _, _ in found}
    # every purpose-bearing step and the case read
    assert {"verzoek", "betrek_partij", "vraag_gegevens", "hergebruik", "casusoverleg",
            "melding_doorgeven", "export", "casus"} <= operations
    purposes = wams.catalogue.purposes
    for op, use, schema in found:
        codes = _enum(schema)
        assert codes == codes_for(purposes, use) and codes, op
        assert all(enforcement_term(c) is None for c in codes), (op, codes)
        assert "doelcode" in schema["description"], op


def test_the_enums_hold_the_plugins_codes_and_only_lawful_ones() -> None:
    everything = {c for _, _, s in _doel_schemas(document()) for c in _enum(s)}
    assert "wgs.schuldregeling" in everything  # a plugin's own purpose
    assert everything <= {d.code for d in CORE_PURPOSES} | {"wgs.schuldregeling"}
    for word in ("opsporing", "handhaving", "vervolging", "fraudeonderzoek"):
        assert word not in everything


def test_justice_purposes_only_where_r12_names_them() -> None:
    justice = {d.code for d in CORE_PURPOSES if d.justitie}
    for op, _, schema in _doel_schemas(document()):
        if op in ("export", "hergebruik", "casus"):
            assert not justice & set(_enum(schema)), op


def test_a_value_outside_the_enum_is_refused_by_the_service(wams: Any) -> None:
    ask = {"bij": {"ref": "wei", "soort": "participatiewet.werk_en_inkomen"},
           "categorie": "participatiewet.inkomen", "over": "jan",
           "toelichting": "zicht op inkomen", "noodzaak": "hoogte bijstand"}
    with TestClient(create_app(wams, Verifier(SECRET), webhooks=False)) as client:
        case_id = step(client, "hulpvraag", None, expect=201).json()["casus"]
        read = f"/v2/gemeenten/{G}/casussen/{case_id}"
        before = client.get(read, params={"doel": "behandeling"}, headers=MEDEWERKER).json()
        r = step(client, "vraag_gegevens", case_id, {**ask, "doel": "onderzoekk"}, expect=400)
        assert "bedoelde je 'onderzoek'" in r.text
        # enforcement wording is not in the enum either; the rules refuse it with R20
        r = step(client, "vraag_gegevens", case_id, {**ask, "doel": "fraudeonderzoek"},
                 expect=422)
        assert "purpose.enforcement_excluded" in r.text
        assert client.get(read, params={"doel": "opsporing"},
                          headers=MEDEWERKER).status_code == 422
        after = client.get(read, params={"doel": "behandeling"}, headers=MEDEWERKER).json()
        assert after == before
        step(client, "vraag_gegevens", case_id, {**ask, "doel": "onderzoek"})
