"""The load test of B7 as a correctness test: ``wams serve`` with 4 workers on PostgreSQL and
32 concurrent clients driving whole cases (loopback only). No lost update (each case's version
is 1 + its acknowledged steps), every acknowledged step in the history, the chain intact.

The bounded version (one case per client) runs with the suite; the soak (``-m slow``) drives
ten per client. The speed figure itself is benchmarks/b7.py (``python -m benchmarks --only B7``).
"""

from __future__ import annotations

import pytest

from benchmarks import b7


def _postgres(db_url: str) -> str:
    if not db_url.startswith("postgresql"):
        pytest.skip("B7 runs on PostgreSQL (several workers on one database)")
    return db_url


def _check(result: dict) -> None:
    assert result["errors"] == [], result["errors"][:3]
    assert result["problems"] == [], result["problems"][:3]
    assert result["steps"] == 10 * len(result["acknowledged"])
    assert all(done == 10 for done in result["acknowledged"].values())


def test_bounded_load_loses_no_step(db_url):
    result = b7.measure(_postgres(db_url), workers=4, clients=32, rounds=1,
                       cases_per_client=1)
    assert len(result["acknowledged"]) == 32
    _check(result)


@pytest.mark.slow
def test_soak_loses_no_step(db_url):
    result = b7.measure(_postgres(db_url), workers=4, clients=32, rounds=1,
                       cases_per_client=10)
    assert len(result["acknowledged"]) == 320
    _check(result)
