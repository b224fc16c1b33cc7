"""The JSON Schema of the scenario format, generated from the records the loader uses.

Generated, not written by hand, so it cannot drift from the loader: a test compares the shipped
``wams/schema/scenario-v2.json`` with :func:`json_schema`; after changing the format, refresh it
with ``wams scenario schema -o wams/schema/scenario-v2.json``. The schema describes the YAML as
written: persons and parties are ids (strings), ja/nee is a boolean or the word, dates are
``YYYY-MM-DD``. Some checks are only in the loader (declared ids, the elfproef, time moving
forward, known reason codes and rules); the schema says so in descriptions.
"""

from __future__ import annotations

import datetime as dt
import typing
from pathlib import Path
from typing import Any, Literal

import attrs

from wams.core.intake import ref_record
from wams.core.law.purposes import CORE_PURPOSES
from wams.core.model import Partij, Persoon
from wams.core.scenario import docs as scenario_docs
from wams.core.scenario.format import (
    ACTIONS,
    CHOICES,
    FORMAAT,
    REFS,
    Bsn,
    Gemeentecode,
    Header,
    Setting,
    Verwacht,
)

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "schema" / f"scenario-v{FORMAAT}.json"

_JA_NEE = {"oneOf": [{"type": "boolean"}, {"enum": ["ja", "nee"]}]}
_REF_TEXT = {
    "persoon": "id uit 'personen'",
    "partij": "id uit 'partijen'",
    "partij_of_college": "id uit 'partijen', of 'college' voor gegevens van het college zelf",
    "deelnemer": "id uit 'personen' of 'partijen'",
}


def json_schema() -> dict[str, Any]:
    """The schema (draft 2020-12) of scenario files of this ``formaat``."""
    defs: dict[str, Any] = {}
    root = _record(Header, defs)
    root["properties"]["stappen"] = {"type": "array", "minItems": 1,
                                     "items": {"$ref": "#/$defs/Stap"}}
    root["required"] = [*root["required"], "stappen"]
    _describe(root["properties"], "HEADER")
    verwacht = {**_type(Verwacht, defs),
                "description": "What the step must yield; absent keys are not checked."}
    _describe(defs["Verwacht"]["properties"], "VERWACHT")
    defs["Stap"] = {
        "description": "Precies één actie, en optioneel 'verwacht'.",
        "oneOf": [{"type": "object",
                   "properties": {name: {**_type(cls, defs),
                                         "description": scenario_docs.sentence("STEPS",
                                                                               name)},
                                  "verwacht": verwacht},
                   "required": [name], "additionalProperties": False}
                  for name, cls in ACTIONS.items()],
    }
    _describe_purposes(defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"wams scenario (formaat {FORMAAT})",
        "description": "Een casus stap voor stap, met wat elke stap moet opleveren "
                       "(docs/scenarios.md). Gegenereerd uit wams.core.scenario.format.",
        **root,
        "$defs": dict(sorted(defs.items())),
    }


def _describe_purposes(defs: dict[str, Any]) -> None:
    """``doel`` is a code of the closed vocabulary (core codes listed; a plugin's codes are
    qualified, ``wgs.schuldregeling``); ``toelichting`` is free text that decides nothing."""
    core = ", ".join(d.code for d in CORE_PURPOSES)
    for record in defs.values():
        props = record.get("properties", {})
        if "doel" in props and "toelichting" in props:
            props["doel"] = {**props["doel"], "description": (
                f"een doelcode (wams doelen): {core}, of een code <plugin>.<code>")}
            props["toelichting"] = {**props["toelichting"], "description": (
                "vrije tekst naast de doelcode; beslist niets, een handhavingswoord geeft een "
                "waarschuwing voor de FG")}


def _describe(properties: dict[str, Any], table: str) -> None:
    """Attach each key's sentence from ``table`` of :mod:`wams.core.scenario.docs`."""
    for key, schema in properties.items():
        properties[key] = {**schema, "description": scenario_docs.sentence(table, key)}


def _record(cls: type, defs: dict[str, Any]) -> dict[str, Any]:
    attrs.resolve_types(cls)
    props: dict[str, Any] = {}
    required: list[str] = []
    for field in attrs.fields(cls):
        args = typing.get_args(field.type)
        optional = type(None) in args
        inner = (next((a for a in args if a is not type(None)), field.type) if optional
                 else field.type)
        schema = _type(inner, defs)
        if (cls, field.name) in CHOICES:
            schema = {"enum": list(CHOICES[(cls, field.name)])}
        if (cls, field.name) in REFS:
            text = _REF_TEXT[REFS[(cls, field.name)]]
            if schema.get("type") == "array":
                schema = {**schema, "items": {**schema["items"], "description": text}}
            else:
                schema = {**schema, "description": text}
        if optional:
            schema = {"anyOf": [schema, {"type": "null"}]}
        props[field.name] = schema
        if field.default is attrs.NOTHING and not optional:
            required.append(field.name)
    out: dict[str, Any] = {"type": "object", "properties": props,
                           "additionalProperties": False}
    if required:
        out["required"] = required
    return out


def _type(typ: Any, defs: dict[str, Any]) -> dict[str, Any]:
    typ = ref_record(typ) or typ  # ``Persoon | str``: an id in the file either way
    if typ is Persoon:
        return {"type": "string", "description": _REF_TEXT["persoon"]}
    if typ is Partij:
        return {"type": "string", "description": _REF_TEXT["partij"]}
    if typ is Gemeentecode:
        return {"type": "string", "pattern": "^[0-9]{4}$", "description": "CBS-gemeentecode"}
    if typ is Bsn:
        return {"type": "string", "pattern": "^[0-9]{9}$",
                "description": "burgerservicenummer; de loader controleert de elfproef"}
    if typ is Setting:
        return {"anyOf": [{"type": ["integer", "string", "boolean"]},
                          {"type": "array", "items": {"type": "string"}},
                          {"type": "object", "additionalProperties": {"type": "string"}}]}
    if typ is bool:
        return dict(_JA_NEE)
    if typ is int:
        return {"type": "integer", "minimum": 0}
    if typ is str:
        return {"type": "string"}
    if typ is dt.date:
        return {"type": "string", "format": "date"}
    origin, args = typing.get_origin(typ), typing.get_args(typ)
    if origin is Literal:
        return {"enum": list(args)}
    if origin is tuple:
        return {"type": "array", "items": _type(args[0], defs)}
    if origin is dict:
        return {"type": "object", "additionalProperties": _type(args[1], defs)}
    if attrs.has(typ):
        if typ.__name__ not in defs:
            defs[typ.__name__] = {}  # reserve first: records may refer to each other
            defs[typ.__name__] = _record(typ, defs)
        return {"$ref": f"#/$defs/{typ.__name__}"}
    raise TypeError(f"no JSON Schema for {typ!r}; extend wams.core.scenario.schema._type")


__all__ = ["SCHEMA_PATH", "json_schema"]
