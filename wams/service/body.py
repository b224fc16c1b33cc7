"""A step's request body, read through the one way in (:mod:`wams.core.intake`).

Litestar would build the command record itself (msgspec fills the attrs fields without calling
the class), which skips the records' converters: a BSN that fails the elfproef opened a case
that could never be read again. :class:`CommandBody` is a Litestar DTO that hands the raw JSON
to :func:`wams.core.intake.command` instead, the same converter the Python API and the scenario
loader use, so a bad value is a 400 naming its key and nothing is stored. The OpenAPI schema of
the body stays the one Litestar generates from the command record.

The nesting of the JSON is limited before it gets here (:data:`MAX_DEPTH`, checked by the gate
for every body): the parser recurses, and a body nested a thousand deep must be a 400, not a
500.
"""

from __future__ import annotations

import json
from collections.abc import Generator
from typing import Any

from litestar.dto import AbstractDTO, DTOFieldDefinition
from litestar.openapi.spec import Reference, Schema
from litestar.typing import FieldDefinition

from wams.core import intake
from wams.core.errors import InputError
from wams.core.law.steps import BY_COMMAND

#: the deepest JSON a body may be; the deepest step (casusoverleg's inbreng) needs 3
MAX_DEPTH = 20


def nesting_depth(raw: bytes) -> int:
    """How deep the arrays and objects of a JSON text nest (strings skipped), in one pass
    without recursion, so it is safe on any input."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def parse_json(raw: bytes) -> Any:
    """The body as JSON, or an InputError of one line (bad JSON, too deeply nested)."""
    # The gate (wams.service.gate) has checked the nesting already (MAX_DEPTH).
    try:
        return json.loads(raw or b"null")
    except (ValueError, RecursionError) as exc:
        raise InputError(f"de body is geen geldige JSON: {exc}") from None


class CommandBody(AbstractDTO[Any]):
    """``dto=CommandBody[<command record>]`` on a step handler."""

    @classmethod
    def generate_field_definitions(cls, model_type: type[Any],
                                   ) -> Generator[DTOFieldDefinition, None, None]:
        yield from ()

    @classmethod
    def detect_nested_field(cls, field_definition: FieldDefinition) -> bool:
        return False

    @classmethod
    def create_for_field_definition(cls, field_definition: FieldDefinition, handler_id: str,
                                    backend_cls: Any = None) -> None:
        return None  # no Litestar backend: decoding is intake's

    @classmethod
    def create_openapi_schema(cls, field_definition: FieldDefinition, handler_id: str,
                              schema_creator: Any) -> Reference | Schema:
        schema: Reference | Schema = schema_creator.for_field_definition(
            FieldDefinition.from_annotation(
                cls.model_type, kwarg_definition=field_definition.kwarg_definition))
        return schema

    def decode_bytes(self, value: bytes) -> Any:
        return self.decode_builtins(parse_json(value))

    def decode_builtins(self, value: Any) -> Any:
        if value is None:
            value = {}
        return intake.command(BY_COMMAND[self.model_type].name, value)
