"""Tests of the wams-leerplicht plugin, written the way a plugin author writes them.

The fixtures (``register_plugin``, ``wams_memory``, ``wams_scenario_runner``) come from
``wams.testing`` through pytest's ``pytest11`` entry point: installing wams is enough, nothing is
imported from it here. Run with the plugin installed (``pip install -e '.[test]'``); the
``wams_plugins`` marker also makes the tests work from a plain checkout of the source.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import wams_leerplicht

from wams import Persoon

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"

pytestmark = pytest.mark.wams_plugins(wams_leerplicht, name="leerplicht")


def test_catalogue_has_the_rmc(register_plugin) -> None:
    catalogue = register_plugin(wams_leerplicht, name="leerplicht")()
    assert catalogue.laws["leerplichtwet_rmc"].kind == "aanpalend"
    assert catalogue.party_kinds["leerplicht.rmc_coordinator"].domain == "onderwijs"
    assert catalogue.may_supply("leerplicht.rmc_coordinator", "leerplicht.verzuimdossier")
    assert catalogue.may_supply("aanpalend.leerplichtambtenaar", "leerplicht.verzuimdossier")
    assert not catalogue.may_supply("aanpalend.school", "leerplicht.verzuimdossier")
    assert "onderwijs" in catalogue.signals_for("participatiewet")
    assert "leerplicht" in {p.name for p in catalogue.plugins}


def test_rmc_cannot_open_a_case(wams_memory) -> None:
    d = wams_memory.hulpvraag("0363", wet="leerplichtwet_rmc", client=Persoon(ref="lotte"),
                              vraag="terug naar school", aanleiding="melding")
    assert not d.allowed and d.code == "entry.adjacent_cannot_open"


def test_scenarios(wams_scenario_runner) -> None:
    results = wams_scenario_runner.check(SCENARIOS)
    assert len(results) >= 2
