"""Issue 23: a purpose code is checked against the case's phase (R19, with our own choice of
which code belongs to which phase). A caller cannot ask data "for the onderzoek" once the
onderzoek is over, nor "for the werkplan" or "for the coördinatie" before there is one: the
refusal says which codes fit, stores nothing, and says it rests on our own choice (keuze).
Both backends (the ``wams`` fixture)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import (
    POLITIE,
    WERK_INKOMEN,
    G,
    build,
    ok,
    refused,
)
from wams.core.law.citations import CAVEATS
from wams.core.law.purposes import PHASES, fits_phase, for_phase

#: phase → (codes that fit, codes refused there)
EXPECTED = {
    "onderzoek": ({"onderzoek"}, {"werkplan", "coordinatie"}),
    "werkplan": ({"werkplan"}, {"onderzoek", "coordinatie"}),
    "coordinatie": ({"werkplan", "coordinatie"}, {"onderzoek"}),
}


def _ask(w: Any, cid: str, doel: str) -> Any:
    return w.vraag_gegevens(G, cid, bij=WERK_INKOMEN, categorie="participatiewet.inkomen",
                            over="jan", doel=doel, toelichting="zicht op inkomen",
                            noodzaak="hoogte bijstand")


@pytest.mark.parametrize("route", ["A", "B"])
@pytest.mark.parametrize("phase", sorted(EXPECTED))
def test_a_data_request_names_a_purpose_of_the_phase(wams: Any, phase: str, route: str) -> None:
    cid = build(wams, phase, route=route)
    if route == "B":
        ok(wams.domein(G, cid, domein="participatie", reden="inkomen onzeker"))
    fitting, wrong = EXPECTED[phase]
    for doel in sorted(wrong):
        d = refused(wams, "purpose.phase_mismatch", lambda doel=doel: _ask(wams, cid, doel), cid)
        assert f"'{phase}'" in d.message and doel in d.message
        assert "kies " + " of ".join(for_phase(phase)) in d.message
        # R19 is the memorandum's; which code fits which phase is ours, and the message says so
        assert "keuze" in d.footings and CAVEATS["keuze"] in d.message
        assert any(c.startswith("eigen keuze: wams") for c in d.citations)
    for doel in sorted(fitting):
        ok(_ask(wams, cid, doel))


def test_betrek_partij_with_a_purpose_of_another_phase_is_refused(wams: Any) -> None:
    cid = build(wams, "onderzoek")
    refused(wams, "purpose.phase_mismatch", lambda: wams.betrek_partij(
        G, cid, partij=WERK_INKOMEN, doel="coordinatie"), cid)
    ok(wams.betrek_partij(G, cid, partij=WERK_INKOMEN, doel="onderzoek"))


def test_a_justice_purpose_names_no_phase(wams: Any) -> None:
    # R12's purposes accompany a justice party in any running phase (MvT §2.2)
    cid = build(wams, "werkplan")
    ok(wams.domein(G, cid, domein="openbare_orde_veiligheid", reden="dreiging",
                   client_akkoord=True))
    ok(wams.betrek_partij(G, cid, partij=POLITIE, aanleiding="zorgen over recidive",
                          doel="voorkomen_recidive"))


def test_the_phase_table_covers_only_running_phases_and_lifecycle_codes() -> None:
    from wams.core.law.purposes import CORE_PURPOSES
    from wams.core.model import PHASES as ALL_PHASES

    codes = {d.code for d in CORE_PURPOSES}
    assert set(PHASES) <= codes
    for phases in PHASES.values():
        assert phases <= set(ALL_PHASES)
    # a code without a phase entry fits every phase (its step's own phase rule decides)
    assert all(fits_phase("hergebruik", p) for p in ALL_PHASES)
    assert not fits_phase("onderzoek", "coordinatie")


def test_a_verzoek_asks_for_an_onderzoek_only(wams: Any) -> None:
    # no werkplan or coördinatie exists before the college decided on the verzoek: naming one
    # is bad input (not a code for a verzoek), nothing stored, the onderzoek's code suggested
    from tests.helpers import JAN, WIJKTEAM, snapshot
    from wams.core.errors import InputError

    ok(wams.betrokkenheid(G, partij=WIJKTEAM, persoon=JAN, dienst="wmo.maatwerkvoorziening"))
    before = snapshot(wams)
    for doel in ("werkplan", "coordinatie"):
        with pytest.raises(InputError, match="hoort niet bij verzoek; kies uit: onderzoek"):
            wams.verzoek(G, partij=WIJKTEAM, client=JAN, onderbouwing="dreigende huisuitzetting",
                         indicatoren=["basisbehoeften"], helpt="samenhang", doel=doel)
    assert snapshot(wams)["counts"] == before["counts"]
    ok(wams.verzoek(G, partij=WIJKTEAM, client=JAN, onderbouwing="dreigende huisuitzetting",
                    indicatoren=["basisbehoeften"], helpt="samenhang", doel="onderzoek"))


def test_wams_doelen_names_the_phases_of_each_code() -> None:
    import json

    from click.testing import CliRunner

    from wams.cli import cli

    result = CliRunner().invoke(cli, ["doelen", "--json"])
    assert result.exit_code == 0, result.output
    listed = {e["code"]: e for e in json.loads(result.output)["doelen"]}
    assert {code: listed[code]["fasen"] for code in PHASES} == {
        code: sorted(phases) for code, phases in PHASES.items()}
    assert listed["hergebruik"]["fasen"] is None
    assert "verzoek" not in listed["werkplan"]["gebruik"]
    text = CliRunner().invoke(cli, ["doelen"]).output
    assert "in fase coordinatie, werkplan (R19)" in text
