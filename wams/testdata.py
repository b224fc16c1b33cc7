"""Test data that needs no test framework: the benchmarks (``pip install -e '.[bench]'``) use it
as well as the tests, and ``wams.testing`` (the pytest plugin) re-exports it."""

from __future__ import annotations


def test_bsn(i: int) -> str:
    """A distinct, elfproef-valid BSN per ``i`` for tests and benchmarks (the API refuses any
    BSN that fails the elfproef). Not a real person's: the range starts at 10000000x."""
    for j in range(10):
        prefix = f"{(10000000 + i * 10 + j) % 100000000:08d}"
        check = sum(int(prefix[k]) * (9 - k) for k in range(8)) % 11
        if check < 10:
            return prefix + str(check)
    raise AssertionError("unreachable: one of ten prefixes has a check digit below 10")


test_bsn.__test__ = False  # type: ignore[attr-defined]  # a helper, not a pytest test
