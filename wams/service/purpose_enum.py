"""Purpose codes in the OpenAPI document: every ``doel`` a body or a query takes is an ``enum``
of the codes that may be named there, so a generated client offers the closed vocabulary and a
schema-driven tester (schemathesis) sends codes, not prose.

Why per operation and not one shared list: a code belongs to the steps that may name it
(``Doel.gebruik``; ``lezen`` for reads), and a justice purpose may be named only where R12
allows it. The enum is read from the running catalogue, so a plugin's own codes
(``<plugin>.<code>``) appear in the document of a service that loads the plugin; the committed
document holds the built-in plugins' codes. The enum describes the input; the rules still
decide (an allowed code can be refused for its phase or its recipient).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wams.core.law.records import Doel

#: what a read names as its use (``Doel.gebruik``); steps are named by their operationId
READ_USE = "lezen"
NOTE = "Een doelcode uit het gesloten vocabulaire van de catalogus (`wams doelen`)."
#: added where the body has a ``toelichting`` beside its ``doel``
FREE_TEXT = "Vrije tekst hoort in `toelichting` en beslist niets."


def codes_for(purposes: Mapping[str, Doel], use: str) -> list[str]:
    """The codes that may be named in ``use`` (a step, or ``lezen``), sorted."""
    return sorted(code for code, d in purposes.items() if use in d.gebruik)


def apply(doc: dict[str, Any], purposes: Mapping[str, Doel]) -> None:
    """Give every ``doel`` of ``doc`` (request bodies and query parameters) its enum."""
    schemas = doc.get("components", {}).get("schemas", {})
    for item in doc.get("paths", {}).values():
        for method, op in item.items():
            if not isinstance(op, dict):
                continue
            use = READ_USE if method == "get" else op.get("operationId", "")
            for parameter in op.get("parameters", []):
                if parameter.get("name") == "doel" and parameter.get("in") == "query":
                    _restrict(parameter["schema"], codes_for(purposes, use), NOTE)
                    parameter["description"] = parameter["schema"]["description"]
            ref = (op.get("requestBody", {}).get("content", {}).get("application/json", {})
                   .get("schema", {}).get("$ref", ""))
            body = schemas.get(ref.rsplit("/", 1)[-1]) if ref else None
            if body is not None and "doel" in body.get("properties", {}):
                note = f"{NOTE} {FREE_TEXT}" if "toelichting" in body["properties"] else NOTE
                _restrict(body["properties"]["doel"], codes_for(purposes, use), note)


def _restrict(schema: dict[str, Any], codes: list[str], note: str) -> None:
    """The string alternative of ``schema`` (plain, or in a oneOf with null) becomes an enum;
    length limits go, the enum says it all."""
    text = schema.get("description")
    schema["description"] = f"{text} {note}" if text else note
    for alternative in schema.get("oneOf", [schema]):
        if alternative.get("type") == "string":
            for limit in ("minLength", "maxLength"):
                alternative.pop(limit, None)
            alternative["enum"] = codes


__all__ = ["FREE_TEXT", "NOTE", "READ_USE", "apply", "codes_for"]
