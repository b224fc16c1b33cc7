"""The readings of the memorandum (issue 23): the guarantees tried the way a hostile caller
would, on both backends (fixture ``wams``).

Each reading has its allowed and its refused bundled scenario (``wams/scenarios``) and its
reason code in ``tests/test_reasons.py``; here: every reason field under R04 whatever its
spelling, the closed values (hoedanigheid, a minor's representative, the betrokkenheid's
dienst) as one clear line with nothing stored, and the routes around a reading (the
casusoverleg as a detour around provision, a gezinslid brought in instead of requested).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.helpers import (
    JAN,
    JEUGDHULP,
    KREDIETBANK,
    WIJKTEAM,
    G,
    ok,
    refused,
    route_a,
    route_b,
)
from tests.test_revision2 import rejected
from wams.core import commands as c
from wams.core.law.checks import standard_screening
from wams.core.model import Partij, Persoon

PARTNER = Persoon("anna", rol="gezinslid", relatie="partner")

#: R04 as a caller would dress it up: case, hyphens and dashes of every kind, a zero-width
#: space, a soft hyphen, fullwidth letters, spaces between the words
SCREENINGS = (
    "standaardvragenlijst", "STANDAARD VRAGENLIJST", "standaard-vragenlijst",
    "standaard\u2013vragenlijst", "standaard\u2011vragenlijst", "standaard\u200bvragenlijst",
    "standaard\u00advragenlijst", "ｓｔａｎｄａａｒｄｖｒａｇｅｎｌｉｊｓｔ",
    "uitkomst van de zelfredzaamheids-matrix", "Standaard Screening", "brede uitvraag",
)


@pytest.mark.parametrize("text", SCREENINGS)
def test_a_screening_is_found_whatever_its_spelling(text: str) -> None:
    assert standard_screening(text)


@pytest.mark.parametrize("text", ("huurachterstand van drie maanden", "standaard",
                                  "vragenlijst over schulden ingevuld door de cliënt zelf",
                                  "de matrix van afspraken", None, "  "))
def test_a_concrete_reason_is_not_a_screening(text: str | None) -> None:
    assert not standard_screening(text)


def _in_case(build: Callable[[Any], str], call: Callable[[Any, str, str], Any]
             ) -> Callable[[Any, str], tuple[str | None, Callable[[], Any]]]:
    def prepare(w: Any, text: str) -> tuple[str | None, Callable[[], Any]]:
        cid = build(w)
        return cid, lambda: call(w, cid, text)
    return prepare


def _with_party(w: Any) -> str:
    cid = route_a(w)
    ok(w.domein(G, cid, domein="schuldhulp", reden="achterstanden", client_akkoord=True))
    ok(w.betrek_partij(G, cid, partij=KREDIETBANK))
    return cid


def _objection(w: Any) -> str:
    cid = route_b(w)
    ok(w.bezwaar(G, cid, persoon="jan"))
    return cid


def _verzoek(field: str) -> Callable[[Any, str], tuple[str | None, Callable[[], Any]]]:
    def prepare(w: Any, text: str) -> tuple[str | None, Callable[[], Any]]:
        ok(w.betrokkenheid(G, partij=WIJKTEAM, persoon=JAN, dienst="wmo.maatwerkvoorziening"))
        args = {"onderbouwing": "dreigende huisuitzetting", "helpt": "samenhang", field: text}
        return None, lambda: w.verzoek(G, partij=WIJKTEAM, client=JAN,
                                       indicatoren=["onderdak"], **args)
    return prepare


def _doorgeven(w: Any, text: str) -> tuple[str | None, Callable[[], Any]]:
    d = ok(w.melding(G, melder=c.Melder("burger", "Buurvrouw"), over=JAN,
                     zorg="post stapelt zich op"))
    melding = d.report["melding"]
    return None, lambda: w.melding_doorgeven(G, melding, aan=WIJKTEAM, reden=text,
                                             doel="melding_onderzoeken")


#: every text that says why a step is needed (R04 on every reason field, issue 23)
REASON_FIELDS: dict[str, Callable[[Any, str], tuple[str | None, Callable[[], Any]]]] = {
    "hulpvraag.aanleiding": lambda w, text: (None, lambda: w.hulpvraag(
        G, wet="wmo", client=JAN, vraag="hulp", aanleiding=text)),
    "aanleiding.omschrijving": _in_case(lambda w: route_a(w, aanleiding=False),
                                        lambda w, cid, t: w.aanleiding(G, cid, omschrijving=t)),
    "verzoek.onderbouwing": _verzoek("onderbouwing"),
    "verzoek.helpt": _verzoek("helpt"),
    "besluit_verzoek.motivering": _in_case(
        lambda w: route_b(w, decide=None),
        lambda w, cid, t: w.besluit_verzoek(G, cid, gegrond=True, motivering=t,
                                            werkinstructie="v2", indicatoren=["onderdak"])),
    "domein.reden": _in_case(route_a, lambda w, cid, t: w.domein(
        G, cid, domein="schuldhulp", reden=t, client_akkoord=True)),
    "gezinslid.samenhang": _in_case(route_a, lambda w, cid, t: w.gezinslid(
        G, cid, persoon=PARTNER, samenhang=t)),
    "betrek_partij.aanleiding": _in_case(
        lambda w: ok(w.domein(G, route_a(w), domein="schuldhulp", reden="achterstanden",
                              client_akkoord=True)).case_id,
        lambda w, cid, t: w.betrek_partij(G, cid, partij=KREDIETBANK, aanleiding=t)),
    "vraag_gegevens.noodzaak": _in_case(_with_party, lambda w, cid, t: w.vraag_gegevens(
        G, cid, bij=KREDIETBANK, categorie="wgs.schuldenoverzicht", over="jan",
        doel="onderzoek", noodzaak=t)),
    "hergebruik.reden": _in_case(route_a, lambda w, cid, t: w.hergebruik(
        G, cid, doel="hergebruik", categorie="participatiewet.inkomen", over="jan", reden=t)),
    "besluit_bezwaar.motivering": _in_case(_objection, lambda w, cid, t: w.besluit_bezwaar(
        G, cid, persoon="jan", doorgaan=True, motivering=t, indicatoren=["escalatie"])),
    "melding_doorgeven.reden": _doorgeven,
}


@pytest.mark.parametrize("field", sorted(REASON_FIELDS))
def test_every_reason_field_refuses_a_screening(wams: Any, field: str) -> None:
    """R04 (MvT §3.3.1): a standard screening in any reason field is refused with
    ``reason.standaardscreening``, whatever the spelling; nothing is stored."""
    for text in ("standaard\u2013vragenlijst", "Volgt uit de ZELFREDZAAMHEIDS\u200bMATRIX"):
        cid, call = REASON_FIELDS[field](wams, text)
        d = refused(wams, "reason.standaardscreening", call, cid)
        assert "R04" in d.rule_ids and "bron: MvT §3.3.1" in d.citations


def test_hoedanigheid_is_a_closed_value(wams: Any) -> None:
    """R21: a second capacity is namens_het_college or a declared party kind; free text is one
    clear line and nothing is stored, wherever the party enters."""
    for bad in ("namens het college", "Namens_het_college", "wijkteam (toeleiding)"):
        party = Partij("wt", "wmo.wijkteam", hoedanigheid=bad)
        err = rejected(wams, lambda party=party: wams.betrokkenheid(
            G, partij=party, persoon=JAN, dienst="wmo.maatwerkvoorziening"))
        assert "hoedanigheid" in str(err) and "namens_het_college" in str(err)
        cid = route_a(wams)
        rejected(wams, lambda party=party, cid=cid: wams.betrek_partij(G, cid, partij=party),
                 cid)
    both = Partij("wt", "wmo.wijkteam", hoedanigheid="jeugdwet.jeugdhulpaanbieder")
    ok(wams.betrokkenheid(G, partij=both, persoon=JAN, dienst="wmo.maatwerkvoorziening"))


def test_namens_het_college_cannot_ask_the_college_through_another_door(wams: Any) -> None:
    """The same organisation in its own capacity may ask (MvT §3.3.2); acting for the college
    it may not, also not by re-entering under a new ref."""
    for ref in ("wt", "wt-2"):
        namens = Partij(ref, "wmo.wijkteam", hoedanigheid="namens_het_college")
        ok(wams.betrokkenheid(G, partij=namens, persoon=JAN, dienst="wmo.clientondersteuning"))
        refused(wams, "verzoek.namens_college", lambda namens=namens: wams.verzoek(
            G, partij=namens, client=JAN, onderbouwing="huisuitzetting",
            indicatoren=["onderdak"], helpt="samenhang"))


def test_a_representative_informs_only_for_a_minor(wams: Any) -> None:
    """Our choice (the memorandum is silent on minors here): a minor is informed through his
    legal representative; for an adult, or without a birth date, that is one clear line."""
    cid = route_a(wams)
    adult = Persoon("anna", rol="gezinslid", relatie="partner",
                    geboortedatum=JAN.geboortedatum)
    unknown = Persoon("piet", rol="gezinslid", relatie="broer")
    for person in (adult, unknown):
        ok(wams.gezinslid(G, cid, persoon=person, samenhang="gezamenlijk huishouden"))
        err = rejected(wams, lambda person=person: wams.informeer(
            G, cid, personen=[person.ref], via_vertegenwoordiger=True), cid)
        assert "minderjarige" in str(err)
    kind = Persoon("emma", rol="gezinslid", relatie="kind", geboortedatum=dt_years_ago(wams, 9))
    ok(wams.gezinslid(G, cid, persoon=kind, samenhang="kind in het gezin"))
    d = ok(wams.informeer(G, cid, personen=["emma"], wijze="gesprek met moeder",
                          via_vertegenwoordiger=True))
    assert any(c.startswith("eigen keuze") for c in d.citations)


def dt_years_ago(w: Any, years: int) -> Any:
    today = w.clock.today()
    return today.replace(year=today.year - years)


def test_an_unknown_dienst_for_a_betrokkenheid_is_one_line(wams: Any) -> None:
    err = rejected(wams, lambda: wams.betrokkenheid(G, partij=WIJKTEAM, persoon=JAN,
                                                    dienst="maatwerk"))
    assert "maatwerk" in str(err)


def test_a_gezinslid_is_informed_before_every_way_in(wams: Any) -> None:
    """Route A (MvT §3.3.1): data about a gezinslid is neither requested, nor brought into a
    casusoverleg, nor reused before he is informed; after informeer all three go."""
    cid = _with_party(wams)
    ok(wams.gezinslid(G, cid, persoon=PARTNER, samenhang="schulden op beider naam"))
    tries = {
        "vraag_gegevens": lambda: wams.vraag_gegevens(
            G, cid, bij=KREDIETBANK, categorie="wgs.schuldenoverzicht", over="anna",
            doel="onderzoek", noodzaak="schulden op beider naam"),
        "casusoverleg": lambda: wams.casusoverleg(
            G, cid, doel="afstemming", bijeengeroepen_door="college",
            deelnemers=["jan", "kredietbank"],
            inbreng=[c.Inbreng("kredietbank", "wgs.schuldenoverzicht", "anna")]),
        "hergebruik": lambda: wams.hergebruik(
            G, cid, doel="hergebruik", categorie="participatiewet.inkomen", over="anna",
            reden="inkomen van de partner is bekend uit de bijstand"),
    }
    for call in tries.values():
        refused(wams, "inform.gezinslid_required", call, cid)
    ok(wams.informeer(G, cid, personen=["anna"], wijze="gesprek"))
    for step, call in tries.items():
        assert call().allowed, step


def test_a_casusoverleg_is_no_detour_around_provision(wams: Any) -> None:
    """MvT §3.2.4: what a party brings in is provision; a kind no rule lets break the regime
    (the GI for jeugdhulp data) is refused there as bilaterally, with nothing stored, and the
    kind the rule addresses brings it in under that rule."""
    mees = Persoon("mees", rol="client", geboortedatum=dt_years_ago(wams, 12))
    cid = ok(wams.hulpvraag(G, wet="jeugdwet", client=mees, vraag="opvoedondersteuning",
                            aanleiding="er loopt een ondertoezichtstelling")).case_id
    gi = Partij("gi", "jeugdwet.gecertificeerde_instelling")
    ok(wams.domein(G, cid, domein="kinderbescherming", reden="lopende ondertoezichtstelling",
                   client_akkoord=True))
    ok(wams.betrek_partij(G, cid, partij=gi))
    ok(wams.betrek_partij(G, cid, partij=JEUGDHULP))

    def bring(who: str) -> Any:
        return wams.casusoverleg(G, cid, doel="afstemming", bijeengeroepen_door="college",
                                 deelnemers=["gi", "jha"],
                                 inbreng=[c.Inbreng(who, "jeugdwet.jeugdhulpgegevens", "mees")])
    d = refused(wams, "provision.no_basis", lambda: bring("gi"), cid)
    assert "R17" in d.rule_ids
    d = ok(bring("jha"))
    assert "R17" in d.rule_ids and any("7.4.0" in c for c in d.citations)
