"""Issue 23 (part A, item 2, in part): a person is the same person across refs when his BSN is
the same after normalisation. The identity tricks: a second ref with the BSN spaced, after a
bezwaar, and in another case. Both backends (the ``wams`` fixture)."""

from __future__ import annotations

from typing import Any

from tests.helpers import G, ok
from wams.core.model import Persoon

BSN = "123456782"


def _case(w: Any, ref: str = "jan", bsn: str = BSN) -> str:
    d = ok(w.hulpvraag(G, wet="participatiewet", client=Persoon(ref=ref, rol="client", bsn=bsn),
                       vraag="algemene bijstand", aanleiding="noemt betalingsachterstanden"))
    assert d.case_id is not None
    return d.case_id


def test_a_second_ref_for_a_known_bsn_is_refused(wams: Any) -> None:
    cid = _case(wams)
    for trick in (BSN, "123 456 782", " 123456782 "):
        d = wams.gezinslid(G, cid, persoon=Persoon(ref="j2", rol="gezinslid", bsn=trick),
                           samenhang="woont in")
        assert not d.allowed and d.code == "family.already_in_case", trick
        assert d.verwerkingen == 0
    ok(wams.gezinslid(G, cid, persoon=Persoon(ref="emma", rol="gezinslid", bsn="111222333"),
                      samenhang="woont in"))


def test_after_a_bezwaar_he_does_not_come_back_under_another_ref(wams: Any) -> None:
    cid = _case(wams)
    ok(wams.bezwaar(G, cid, persoon="jan"))
    d = wams.gezinslid(G, cid, persoon=Persoon(ref="vader", rol="gezinslid",
                                               bsn="123 456 782"), samenhang="woont in")
    assert not d.allowed and d.code == "family.already_in_case"


def test_another_case_is_another_case_but_inzage_finds_both(wams: Any) -> None:
    first = _case(wams)
    second = _case(wams, ref="j-anders", bsn="123 456 782")
    assert first != second
    d = ok(wams.inzage(G, None, persoon=Persoon(ref="x", bsn=BSN)))
    cases = {v.get("casus") for v in (d.report or {}).get("verwerkingen", [])}
    assert {first, second} <= cases
