"""Issue 23 (part A): purposes are codes. The C10 probe: enforcement wordings never become a
purpose the rules accept, and care purposes are accepted however they are worded -- because
the decision reads the code, not the text. Both backends (the ``wams`` fixture)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import KREDIETBANK, G, ok, route_a
from wams.core.catalogue import CatalogueError
from wams.core.errors import InputError
from wams.core.law.purposes import CORE_PURPOSES, normalise
from wams.core.law.records import Doel, ProcessingActivity
from wams.core.plugins import build_catalogue
from wams.core.scenario.format import ScenarioError
from wams.core.scenario.load import loads

#: ≥ 50 ways to write enforcement, investigation or prosecution
ENFORCEMENT = (
    "opsporing", "Opsporing", "OPSPORING", "opsp.", "op-sporing", "op\u2010sporing",
    "op\u034fsporing", "op\u200bsporing", "\u043epsporing", "Ｏｐｓｐｏｒｉｎｇ", "opsporen",
    "handhaving", "handhaven", "handh.", "Handhaving Participatiewet", "rechtmatigheidscontrole",
    "rechtmatigheid", "terugvorderen", "terugvordering", "vervolging", "strafvervolging",
    "de verdachte vervolgen", "strafzaak", "strafrecht", "fraude", "fraudeonderzoek",
    "fraud investigation", "investigation", "enforcement", "prosecution", "prosecute",
    "sociale recherche", "recherche", "boete", "boete opleggen", "sanctie", "sancties opleggen",
    "proces-verbaal", "pv opmaken", "controle", "toezicht op naleving", "uitkeringsfraude",
    "zwartwerk opsporen", "inlichtingenplicht schending", "bestuurlijke boete", "aangifte doen",
    "verhoor", "dagvaarding", "OM", "politieonderzoek", "opsporingsonderzoek", "strafbaar feit",
    "vervolg\u00adging", "h\u0430ndhaving",
)
#: ≥ 20 care purposes, some worded like enforcement
CARE = (
    "schulden opsporen en in beeld brengen", "CJIB-boetes regelen", "woning handhaven",
    "de lopende leerplichthandhaving afstemmen", "zicht op schulden", "ontruiming voorkomen",
    "afsluiting energie voorkomen", "budgetbeheer laten slagen", "passende begeleiding",
    "terugkeer naar school voorbereiden", "dubbele hulp voorkomen", "inkomen zeker stellen",
    "schuldregeling voorbereiden", "beslagvrije voet herstellen", "zorg afstemmen",
    "eenzaamheid doorbreken", "veiligheid van het kind", "vervolgafspraak plannen",
    "huurachterstand oplossen", "boetes van het CJIB in een regeling opnemen",
    "sancties van de uitkering voorkomen",
)


def test_the_probe_has_its_size() -> None:
    assert len(set(ENFORCEMENT)) >= 50 and len(set(CARE)) >= 20


def _request(w: Any, cid: str, **kw: Any) -> Any:
    return w.vraag_gegevens(G, cid, bij=KREDIETBANK, categorie="wgs.schuldenoverzicht",
                            over="jan", noodzaak="bepalen of schuldhulp nodig is", **kw)


def test_no_enforcement_wording_is_a_purpose_the_rules_accept(wams: Any) -> None:
    cid = route_a(wams)
    ok(wams.domein(G, cid, domein="schuldhulp", reden="achterstanden", client_akkoord=True))
    for text in ENFORCEMENT:
        for step in ("vraag_gegevens", "export"):
            try:
                d = (_request(wams, cid, doel=text) if step == "vraag_gegevens"
                     else wams.export(G, cid, doel=text))
            except InputError:
                continue  # not a code: bad input, nothing stored
            assert not d.allowed, text
            assert d.code == "purpose.enforcement_excluded" and d.verwerkingen == 0, text
        with pytest.raises(Exception):  # noqa: B017 - InputError or Refused, never a read
            wams.case(G, cid, actor="anna", purpose=text)


def test_care_purposes_are_accepted_whatever_the_words(wams: Any) -> None:
    cid = route_a(wams)
    ok(wams.domein(G, cid, domein="schuldhulp", reden="achterstanden", client_akkoord=True))
    for text in CARE:
        assert _request(wams, cid, doel="onderzoek", toelichting=text).allowed, text
    # and enforcement text beside a lawful code is only a warning
    warned = _request(wams, cid, doel="onderzoek", toelichting="rechtmatigheidscontrole")
    assert warned.allowed and warned.waarschuwing is not None
    from wams.core.privacy import purpose_warnings

    listed = purpose_warnings.listing(wams.engine, G)
    assert any(f["waarschuwing"] == warned.waarschuwing for f in listed)


def test_a_bad_code_is_one_line_with_a_suggestion(wams: Any) -> None:
    cid = route_a(wams)
    ok(wams.domein(G, cid, domein="schuldhulp", reden="achterstanden", client_akkoord=True))
    with pytest.raises(InputError, match="bedoelde je 'onderzoek'"):
        _request(wams, cid, doel="onderzoeken")


def _plugin(doel: Doel) -> object:
    from wams.core.law.hookspecs import hookimpl

    class Bad:
        @hookimpl
        def wams_processing_activities(self) -> list[ProcessingActivity]:
            return [ProcessingActivity(code="act", name="a", purpose="p")]

        @hookimpl
        def wams_doelen(self) -> list[Doel]:
            return [doel]
    return Bad()


@pytest.mark.parametrize("doel, says", [
    (Doel("fraude", "fraude opsporen", "act", "AVG"), "fraud"),
    (Doel("controle", "Rechtmatigheidscontrole", "act", "AVG"), "rechtmatigheid"),
    (Doel("recidive", "recidive", "act", "AVG", justitie=True), "R12"),
    (Doel("x", "x", "onbekend", "AVG"), "activiteit"),
])
def test_a_plugin_cannot_declare_enforcement(doel: Doel, says: str) -> None:
    with pytest.raises(CatalogueError, match=says) as exc:
        build_catalogue([("slecht", _plugin(doel))], entry_points=False)
    assert "plugin 'slecht'" in str(exc.value)


def test_formaat_1_is_refused_with_what_to_change() -> None:
    with pytest.raises(ScenarioError, match="formaat: 2.*toelichting"):
        loads("formaat: 1\nscenario: x\ngemeente: '0599'\ndatum: 2027-01-01\nstappen: []\n",
              "x.yaml")


def test_every_core_purpose_is_free_of_enforcement() -> None:
    from wams.core.law.purposes import enforcement_term

    assert all(enforcement_term(d.code, d.omschrijving) is None for d in CORE_PURPOSES)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=40),
       st.integers(min_value=0, max_value=40))
def test_plain_ascii_is_normalised_as_any_text_is(text: str, at: int) -> None:
    """ASCII text takes a short way through normalise (no format characters, no confusables,
    NFKC the identity): it must end where the full way ends. A zero-width space (a format
    character, removed) sends the same text the full way."""
    at = min(at, len(text))
    assert normalise(text) == normalise(text[:at] + "\u200b" + text[at:])
