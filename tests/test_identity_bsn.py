"""Issue 23, item 2: a person is the same person across refs when his BSN is the same after
normalisation. The identity tricks a hostile caller tries: a second ref with the BSN spaced or
dotted, the same man under another ref after his bezwaar (in the same case and in another
running case), and a DBA who deletes the bezwaar's log record. Both backends (the ``wams`` and
``open_wams`` fixtures)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.helpers import (
    KREDIETBANK,
    OTHER_G,
    WIJKTEAM,
    G,
    adopt_werkplan,
    assert_chain_intact,
    log_rows,
    ok,
    refused,
)
from wams.core.engine.objections import OBJECTION_RECORD
from wams.core.errors import InputError
from wams.core.law.citations import CAVEATS
from wams.core.model import Persoon, normalise_bsn
from wams.core.storage import audit

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


# -- across cases (issue 23, item 2): the bezwaar binds the person, not the ref ---------------

MARIE_BSN = "100000009"


def _route_b_with_bsn(w: Any, g: str = G, ref: str = "jan", bsn: str = BSN) -> str:
    """A route-B case about ``ref`` (with his BSN), decided and informed: data may be asked."""
    client = Persoon(ref=ref, rol="client", bsn=bsn)
    ok(w.betrokkenheid(g, partij=WIJKTEAM, persoon=client, dienst="wmo.maatwerkvoorziening"))
    d = ok(w.verzoek(g, partij=WIJKTEAM, client=client, onderbouwing="dreigende huisuitzetting",
                     indicatoren=["basisbehoeften", "escalatie"], helpt="samenhang"))
    assert d.case_id is not None
    ok(w.besluit_verzoek(g, d.case_id, gegrond=True, motivering="indicatoren basisbehoeften",
                         werkinstructie="werkinstructie v2", indicatoren=["basisbehoeften"]))
    ok(w.informeer(g, d.case_id, personen=[ref], wijze="brief"))
    return d.case_id


def _partners_case(w: Any, g: str = G) -> str:
    """Marie's own hulpvraag (route A), with the schuldhulp domain in scope."""
    d = ok(w.hulpvraag(g, wet="participatiewet",
                       client=Persoon(ref="marie", rol="client", bsn=MARIE_BSN),
                       vraag="algemene bijstand", aanleiding="noemt betalingsachterstanden"))
    assert d.case_id is not None
    ok(w.domein(g, d.case_id, domein="schuldhulp", reden="achterstanden", client_akkoord=True))
    return d.case_id


def _ask_about(w: Any, cid: str, over: str, g: str = G, doel: str = "onderzoek") -> Any:
    return w.vraag_gegevens(g, cid, bij=KREDIETBANK, categorie="wgs.schuldenoverzicht",
                            over=over, doel=doel, toelichting="zicht op schulden",
                            noodzaak="schulden van het huishouden")


def test_a_bsn_written_with_dots_or_spaces_is_one_bsn() -> None:
    for written in ("123456782", "123 456 782", "1234.56.782", " 1234 . 56 . 782 "):
        assert Persoon(ref="x", bsn=written).bsn == BSN, written
    # what is not a way of writing it is refused, never guessed at
    for trick in ("123\u200b456782", "１２３４５６７８２", "123-456-782", "1234,56,782"):
        with pytest.raises(InputError):
            Persoon(ref="x", bsn=trick)


def test_one_pseudonym_per_bsn_across_refs_and_cases(wams: Any) -> None:
    first = _case(wams, ref="jan", bsn="1234.56.782")
    second = _case(wams, ref="j-anders", bsn=" 123 456 782")
    subjects = {r["subject"] for r in log_rows(wams) if r["case_id"] in (first, second)}
    assert len(subjects) == 1 and ":" in next(iter(subjects))


def test_a_bezwaar_in_one_case_halts_him_as_gezinslid_in_another(wams: Any) -> None:
    jans = _route_b_with_bsn(wams)
    ok(wams.bezwaar(G, jans, persoon="jan"))  # route B: halted until the college decides
    maries = _partners_case(wams)
    for written in ("1234.56.782", "123456782"):
        d = refused(wams, "objection.pending", lambda written=written: wams.gezinslid(
            G, maries, persoon=Persoon(ref="partner", rol="gezinslid", bsn=written),
            samenhang="woont samen, gedeelde schulden"), maries)
        assert "andere lopende casus" in d.message and jans not in d.message
        assert "keuze" in d.footings and CAVEATS["keuze"] in d.message
    # the college decides to go on (R09): then he may be drawn in
    ok(wams.besluit_bezwaar(G, jans, persoon="jan", doorgaan=True,
                            motivering="dreigende huisuitzetting weegt zwaarder",
                            indicatoren=["escalatie"]))
    ok(wams.gezinslid(G, maries, persoon=Persoon(ref="partner", rol="gezinslid", bsn=BSN),
                      samenhang="woont samen, gedeelde schulden"))
    ok(wams.informeer(G, maries, personen=["partner"], wijze="brief"))  # MvT §3.3.1
    ok(_ask_about(wams, maries, "partner"))


def test_a_later_bezwaar_halts_requests_about_him_in_every_running_case(wams: Any) -> None:
    maries = _partners_case(wams)
    ok(wams.gezinslid(G, maries, persoon=Persoon(ref="partner", rol="gezinslid", bsn=BSN),
                      samenhang="woont samen, gedeelde schulden"))
    ok(wams.informeer(G, maries, personen=["partner"], wijze="brief"))  # MvT §3.3.1
    ok(_ask_about(wams, maries, "partner"))
    jans = _route_b_with_bsn(wams)
    ok(wams.bezwaar(G, jans, persoon="jan"))
    refused(wams, "objection.pending", lambda: _ask_about(wams, maries, "partner"), maries)
    refused(wams, "objection.pending", lambda: wams.verstrekking(
        G, maries, bij=KREDIETBANK, categorie="wgs.schuldenoverzicht", over="partner",
        besluit="verstrekt"), maries)
    refused(wams, "objection.pending", lambda: wams.dienst(
        G, maries, persoon="partner", dienst="wgs.schuldhulpverlening", status="benodigd",
        partij=KREDIETBANK), maries)
    # Marie herself is not halted; a werkplan of her case records nothing about him
    ok(_ask_about(wams, maries, "marie"))
    ok(wams.dienst(G, maries, persoon="marie", dienst="participatiewet.algemene_bijstand",
                   status="lopend"))
    ok(wams.dienst(G, maries, persoon="marie", dienst="wgs.schuldhulpverlening",
                   status="benodigd", partij=KREDIETBANK))
    ok(wams.terugkoppeling(G, maries, samenvatting="twee diensten, samenhang"))
    d = adopt_werkplan(wams, maries)
    rows = [r for r in log_rows(wams) if r["trace_id"] == d.trace_id]
    assert len(rows) == 1  # marie only
    # once his case is closed the bezwaar no longer reaches into hers (a new case informs anew)
    ok(wams.sluit(G, jans, terugvalafspraken=None, reden="cliënt wil geen onderzoek"))
    ok(wams.coordinator(G, maries, type="ambtenaar", wie="M. de Vries"))
    ok(_ask_about(wams, maries, "partner", doel="coordinatie"))


def test_his_own_hulpvraag_is_not_halted_by_a_bezwaar_elsewhere(wams: Any) -> None:
    jans = _route_b_with_bsn(wams)
    ok(wams.bezwaar(G, jans, persoon="jan"))
    # he comes himself with a hulpvraag: the samenspraak of that case decides (MvT §3.3.1)
    own = _case(wams, ref="jan-zelf", bsn="1234.56.782")
    ok(wams.domein(G, own, domein="schuldhulp", reden="achterstanden", client_akkoord=True))
    ok(_ask_about(wams, own, "jan-zelf"))


def test_a_closed_case_no_longer_binds(wams: Any) -> None:
    jans = _route_b_with_bsn(wams)
    ok(wams.bezwaar(G, jans, persoon="jan"))
    ok(wams.sluit(G, jans, terugvalafspraken=None, reden="cliënt wil geen onderzoek"))
    maries = _partners_case(wams)
    ok(wams.gezinslid(G, maries, persoon=Persoon(ref="partner", rol="gezinslid", bsn=BSN),
                      samenhang="woont samen, gedeelde schulden"))
    ok(wams.informeer(G, maries, personen=["partner"], wijze="brief"))  # MvT §3.3.1
    ok(_ask_about(wams, maries, "partner"))


def test_route_a_bezwaar_ends_processing_elsewhere_too(wams: Any) -> None:
    jans = _case(wams)  # his own hulpvraag (route A)
    ok(wams.bezwaar(G, jans, persoon="jan"))  # route A: the bezwaar ends his processing
    maries = _partners_case(wams)
    refused(wams, "objection.ended", lambda: wams.gezinslid(
        G, maries, persoon=Persoon(ref="partner", rol="gezinslid", bsn="123 456 782"),
        samenhang="woont samen"), maries)


def test_another_municipality_is_another_controller(wams: Any) -> None:
    jans = _route_b_with_bsn(wams)
    ok(wams.bezwaar(G, jans, persoon="jan"))
    maries = _partners_case(wams, OTHER_G)
    ok(wams.gezinslid(OTHER_G, maries,
                      persoon=Persoon(ref="partner", rol="gezinslid", bsn=BSN),
                      samenhang="woont samen, gedeelde schulden"))
    ok(wams.informeer(OTHER_G, maries, personen=["partner"], wijze="brief"))  # MvT §3.3.1
    ok(_ask_about(wams, maries, "partner", OTHER_G))
    here = {r["subject"] for r in log_rows(wams) if r["case_id"] == jans}
    there = {r["subject"] for r in log_rows(wams) if r["case_id"] == maries}
    assert here and there and not here & there


def test_without_a_bsn_a_ref_is_only_a_handle(wams: Any) -> None:
    # no BSN, no identity to carry: the same ref in another case is another person
    jans = _route_b_with_bsn(wams)
    ok(wams.bezwaar(G, jans, persoon="jan"))
    maries = _partners_case(wams)
    ok(wams.gezinslid(G, maries, persoon=Persoon(ref="jan", rol="gezinslid"),
                      samenhang="woont samen"))
    ok(wams.informeer(G, maries, personen=["jan"], wijze="brief"))  # MvT §3.3.1
    ok(_ask_about(wams, maries, "jan"))


def test_a_dba_who_deletes_the_bezwaar_record_is_caught(open_wams: Any, db_url: str) -> None:
    # The cases a person objected in are found through his log records. A DBA who deletes the
    # record to let the second case go on breaks the chain that covers it ('wams audit verify').
    w = open_wams()
    jans = _route_b_with_bsn(w)
    ok(w.bezwaar(G, jans, persoon="jan"))
    assert_chain_intact(w)
    engine = sa.create_engine(db_url)
    try:
        with engine.begin() as conn:
            gone = conn.execute(sa.text("DELETE FROM processing_log WHERE name = :n"),
                                {"n": OBJECTION_RECORD}).rowcount
    finally:
        engine.dispose()
    assert gone == 1
    with w.engine.unit_of_work(None) as uow:
        report = audit.verify(uow.store.conn, w.engine.keys)
    assert not report.intact


def test_a_new_verzoek_about_him_does_not_escape_his_bezwaar(wams: Any) -> None:
    # The party files a second verzoek about the objector under another ref: the college may
    # decide on it, but nothing about him is asked or supplied while his bezwaar stands
    jans = _route_b_with_bsn(wams)
    ok(wams.bezwaar(G, jans, persoon="jan"))
    again = _route_b_with_bsn(wams, ref="j-opnieuw", bsn=" 123 456 782 ")
    assert again != jans
    ok(wams.domein(G, again, domein="schuldhulp", reden="achterstanden"))
    refused(wams, "objection.pending", lambda: _ask_about(wams, again, "j-opnieuw"), again)
    refused(wams, "objection.pending", lambda: wams.dienst(
        G, again, persoon="j-opnieuw", dienst="wgs.schuldhulpverlening", status="benodigd",
        partij=KREDIETBANK), again)
    # the college decides on the first bezwaar: to stop (route B, doorgaan nee) binds on
    ok(wams.besluit_bezwaar(G, jans, persoon="jan", doorgaan=False))
    refused(wams, "objection.ended", lambda: _ask_about(wams, again, "j-opnieuw"), again)


# -- the normalisation as a property: one number, however it is spaced or dotted ---------------

@st.composite
def _valid_bsn(draw: st.DrawFn) -> str:
    head = draw(st.lists(st.integers(0, 9), min_size=8, max_size=8))
    last = sum(d * (9 - i) for i, d in enumerate(head)) % 11
    assume(last < 10)
    return "".join(map(str, head)) + str(last)


@st.composite
def _spelled(draw: st.DrawFn) -> tuple[str, str]:
    bsn = draw(_valid_bsn())
    seps = draw(st.lists(st.sampled_from(["", "", " ", ".", "\u00a0", "\t"]), min_size=10,
                         max_size=10))
    return bsn, "".join(s + ch for s, ch in zip(seps, bsn, strict=False)) + seps[9]


@settings(max_examples=200, deadline=None)
@given(_spelled())
def test_every_spacing_of_a_bsn_is_that_bsn(spelled: tuple[str, str]) -> None:
    bsn, written = spelled
    assert normalise_bsn(written) == bsn


@settings(max_examples=200, deadline=None)
@given(_spelled(), st.integers(0, 12), st.one_of(
    st.characters(blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc"),
                  blacklist_characters=".0123456789"),
    st.sampled_from(["\u200b", "\u034f", "\ufeff", "-", ",", "０", "٣", "\u2011"])))
def test_any_other_character_in_a_bsn_is_refused(spelled: tuple[str, str], at: int,
                                                  trick: str) -> None:
    _, written = spelled
    at = min(at, len(written))
    with pytest.raises(InputError):
        normalise_bsn(written[:at] + trick + written[at:])
