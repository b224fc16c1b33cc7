"""Serialisation at the edges: one private cattrs converter for the case projection and the
command payloads kept in the history. The models themselves carry no ``to_dict``."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

import cattrs
import orjson
from cattrs.gen import make_dict_unstructure_fn, override

from wams.core.model import Casus, Decision

T = TypeVar("T")

# omit_if_default: the case state is written on every step; empty lists and None fields
# need not be (structuring fills them in again), which keeps the JSON and its encoding small.
_conv = cattrs.Converter(forbid_extra_keys=True, omit_if_default=True)
_conv.register_unstructure_hook(dt.date, lambda d: d.isoformat())
_conv.register_structure_hook(dt.date, lambda v, _: dt.date.fromisoformat(v))
_conv.register_unstructure_hook(dt.datetime, lambda d: d.isoformat())
_conv.register_structure_hook(dt.datetime, lambda v, _: dt.datetime.fromisoformat(v))
_conv.register_unstructure_hook(frozenset, lambda s: sorted(s))


def _dumps(data: Any) -> str:
    # The text the standard library writes with ensure_ascii=False and no spaces (keys in their
    # order; non-string keys as strings, as json.dumps does; tests/test_serialize_json.py),
    # ten times faster. Text that is not Unicode (a lone surrogate) raises TypeError; the
    # intake refuses it first.
    return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS).decode()


# A decision as the history keeps it: without the step's report (personal data) and the message
# (rendered from the code when read), in one pass: no copy of the decision, no report
# unstructured only to be dropped.
_decision_record = make_dict_unstructure_fn(
    Decision, _conv, _cattrs_omit_if_default=True, message=override(omit=True),
    report=override(omit=True),
    # R20: a purpose warning is kept only sealed with the step's content, never in clear
    waarschuwing=override(omit=True))


def decision_record(decision: Decision) -> dict[str, Any]:
    """The decision's fields as the history stores them (no message, no report)."""
    return _decision_record(decision)


def dumps(obj: Any) -> str:
    return _dumps(_conv.unstructure(obj))


def encode(data: dict[str, Any]) -> str:
    """JSON of values that are plain already (a :func:`decision_record`): not walked again."""
    return _dumps(data)


def case_to_json(case: Casus) -> str:
    return _dumps(_conv.unstructure(case))


def case_from_json(text: str) -> Casus:
    return _conv.structure(orjson.loads(text), Casus)


def unstructure(obj: Any) -> Any:
    return _conv.unstructure(obj)


def structure(data: Any, cls: type[T]) -> T:
    return _conv.structure(data, cls)
