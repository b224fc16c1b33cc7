"""The JSON wams writes for every step (the case state, the decision, the sealed content) is the
text the standard library would write (``ensure_ascii=False``, no spaces, keys in their order),
only faster (orjson), and reads back to the same value. Property-tested over the values a case
holds: text in every script, whole numbers, booleans, nulls, lists and nested mappings. Text
that is not Unicode never gets this far (tests/test_unicode_input.py)."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wams.core import serialize

# Whole numbers within 64 bits: what a case holds (versions, counts); text without surrogates.
SCALARS = st.none() | st.booleans() | st.integers(min_value=-(2 ** 63), max_value=2 ** 64 - 1) \
    | st.text()
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=5)
                      | st.dictionaries(st.text(), inner, max_size=5), max_leaves=40)


@given(VALUES)
def test_the_text_is_the_standard_librarys_and_reads_back(value: Any) -> None:
    written = serialize.encode({"v": value})
    assert written == json.dumps({"v": value}, ensure_ascii=False, separators=(",", ":"))
    assert orjson.loads(written) == json.loads(written) == {"v": value}


@given(st.dictionaries(st.integers(min_value=-1000, max_value=1000) | st.booleans(),
                       st.text(), max_size=5))
def test_keys_that_are_not_text_are_written_as_the_standard_library_does(value: Any) -> None:
    assert serialize.encode(value) == json.dumps(value, ensure_ascii=False,
                                                 separators=(",", ":"))


def test_a_lone_surrogate_is_refused_not_written() -> None:
    with pytest.raises(TypeError):
        serialize.encode({"v": "\ud800"})
