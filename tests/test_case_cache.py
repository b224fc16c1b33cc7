"""The engine's case cache is bounded (least recently used dropped first), can be turned off
(a stateless service), and a bad setting is one clear error. Whatever it holds, every step
decides on the stored case: a cache that is off or too small changes no decision."""

from __future__ import annotations

import pytest

from benchmarks.common import GEMEENTE, check_lifecycle, lifecycle
from wams.core.engine.cache import CASE_CACHE_DEFAULT, CASE_CACHE_ENV, case_cache_size
from wams.core.errors import InputError


def test_the_cache_keeps_at_most_its_bound_and_drops_the_least_recently_used(open_wams,
                                                                             monkeypatch):
    monkeypatch.setenv(CASE_CACHE_ENV, "2")
    w = open_wams()
    ids = [w.hulpvraag(GEMEENTE, wet="participatiewet", client=_jan(i), vraag="bijstand",
                       aanleiding="betalingsachterstanden").case_id for i in range(3)]
    assert [w.engine.cached_case(c) is not None for c in ids] == [False, True, True]
    w.domein(GEMEENTE, ids[1], domein="schuldhulp", reden="achterstanden", client_akkoord=True)
    w.hulpvraag(GEMEENTE, wet="participatiewet", client=_jan(9), vraag="bijstand",
                aanleiding="betalingsachterstanden")
    # ids[1] was used after ids[2]: ids[2] goes first.
    assert w.engine.cached_case(ids[1]) is not None
    assert w.engine.cached_case(ids[2]) is None


@pytest.mark.parametrize("size", [0, 1])
def test_a_cache_off_or_tiny_decides_the_same_as_the_default(open_wams, monkeypatch, size):
    monkeypatch.setenv(CASE_CACHE_ENV, str(size))
    small = open_wams()
    monkeypatch.delenv(CASE_CACHE_ENV)
    default = open_wams()
    for k in range(2):  # interleaved cases: with a tiny cache every step reloads its case
        a = lifecycle(small, GEMEENTE, k)
        b = lifecycle(default, "0600", k)
        check_lifecycle(a)
        assert [(d.step, d.code, d.version) for d in a] == \
            [(d.step, d.code, d.version) for d in b]
    if size == 0:
        assert small.engine.cached_case(a[0].case_id) is None


def test_the_bound_comes_from_the_environment_and_a_bad_one_is_refused(monkeypatch):
    monkeypatch.delenv(CASE_CACHE_ENV, raising=False)
    assert case_cache_size() == CASE_CACHE_DEFAULT
    monkeypatch.setenv(CASE_CACHE_ENV, "0")
    assert case_cache_size() == 0
    assert case_cache_size(5) == 5
    for bad in ("veel", "-1", "1.5"):
        monkeypatch.setenv(CASE_CACHE_ENV, bad)
        with pytest.raises(InputError, match=CASE_CACHE_ENV):
            case_cache_size()
    for bad_size in (-1, True, 2.0):
        with pytest.raises(InputError, match="case_cache"):
            case_cache_size(bad_size)  # type: ignore[arg-type]


def _jan(i: int):  # type: ignore[no-untyped-def]
    from wams.core.model import Persoon
    from wams.testing import test_bsn

    return Persoon(ref="jan", bsn=test_bsn(i), naam=f"Jan {i}")
