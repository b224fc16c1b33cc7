"""Case ids, data key ids and trace ids are UUIDv7 (RFC 9562): ordered by the moment they were
made, so the indexes keyed by them grow at their end instead of at a random leaf, and random in
their last 74 bits, so they stay unguessable and unique. Checked on the ids themselves and on
what the engine writes, read back with raw SQL on both backends."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any
from unittest import mock

import sqlalchemy
from hypothesis import given
from hypothesis import strategies as st

from wams.core import ids
from wams.core.model import Persoon
from wams.testing import test_bsn

G = "0599"
HEX32 = re.compile(r"[0-9a-f]{32}")


def _millis(value: str) -> int:
    return int(value[:12], 16)


def _is_v7(value: str) -> bool:
    parsed = uuid.UUID(value)
    return (HEX32.fullmatch(value) is not None and parsed.version == 7
            and parsed.variant == uuid.RFC_4122)


def test_an_id_is_a_uuid7_carrying_the_millisecond_it_was_made() -> None:
    before = time.time_ns() // 1_000_000
    made = ids.ordered_id()
    after = time.time_ns() // 1_000_000
    assert _is_v7(made)
    assert before <= _millis(made) <= after


@given(st.integers(min_value=0, max_value=(1 << 48) - 2), st.integers(min_value=1,
                                                                       max_value=10 ** 6))
def test_an_id_made_later_sorts_after_as_text(first: int, later_by: int) -> None:
    # As text, because the indexes compare the stored strings, not numbers.
    second = min(first + later_by, (1 << 48) - 1)
    made = []
    for millis in (first, second):
        with mock.patch.object(ids.time, "time_ns", return_value=millis * 1_000_000):
            made.append(ids.ordered_id())
    assert made[0] < made[1]
    assert [_millis(m) for m in made] == [first, second]


def test_ids_of_one_millisecond_differ_in_their_random_part(monkeypatch: Any) -> None:
    monkeypatch.setattr(ids.time, "time_ns", lambda: 1_765_000_000_000 * 1_000_000)
    made = [ids.ordered_id() for _ in range(5000)]
    assert len(set(made)) == len(made)
    assert all(_is_v7(m) and _millis(m) == 1_765_000_000_000 for m in made)
    # W3C trace-id: the right-most seven bytes are the random ones (Trace Context Level 2).
    assert len({m[-14:] for m in made}) == len(made)
    assert "0" * 32 not in made


def _open(w: Any, i: int) -> str:
    return str(w.hulpvraag(G, wet="participatiewet",
                           client=Persoon(ref="jan", bsn=test_bsn(700 + i), naam=f"Jan {i}"),
                           vraag="bijstand", aanleiding="betalingsachterstanden").case_id)


def test_what_the_engine_stores_is_keyed_by_ordered_ids(open_wams: Any, db_url: str) -> None:
    w = open_wams()
    opened = []
    for i in range(4):
        opened.append(_open(w, i))
        time.sleep(0.002)  # the next case in a later millisecond
    w.domein(G, opened[0], domein="schuldhulp", reden="achterstanden", client_akkoord=True)
    # What a DBA sees: every key the indexes are built on is a UUIDv7, and in the order the
    # engine wrote the rows the keys do not go back in time, so each insert lands at the end.
    db = sqlalchemy.create_engine(db_url)
    try:
        with db.connect() as conn:
            cases = [r[0] for r in conn.execute(sqlalchemy.text(
                "SELECT case_id FROM history WHERE step = 'hulpvraag' ORDER BY seq"))]
            keys = [r[0] for r in conn.execute(sqlalchemy.text(
                "SELECT data_key FROM cases"))]
            key_rows = [r[0] for r in conn.execute(sqlalchemy.text("SELECT id FROM data_keys"))]
            traces = [r[0] for r in conn.execute(sqlalchemy.text(
                "SELECT trace_id FROM processing_log ORDER BY id"))]
            history_traces = [r[0] for r in conn.execute(sqlalchemy.text(
                "SELECT trace_id FROM history WHERE case_id IS NOT NULL ORDER BY seq"))]
    finally:
        db.dispose()
    assert cases == opened == sorted(opened)
    assert keys and all(_is_v7(k) for k in keys + key_rows)
    assert traces and all(_is_v7(t) for t in traces + history_traces)
    assert [_millis(t) for t in traces] == sorted(_millis(t) for t in traces)
    assert [_millis(t) for t in history_traces] == sorted(_millis(t) for t in history_traces)
