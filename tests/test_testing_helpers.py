"""The pytest fixtures wams ships for plugin authors (``wams.testing``, entry point pytest11)."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import pluggy
import pytest

from wams import DataCategory, Domain, Law, PartyKind, Persoon, Service, Signal, hookimpl
from wams.core.catalogue import CatalogueError
from wams.core.scenario.library import BUNDLED

ROOT = Path(__file__).resolve().parent.parent

# With wams installed, pytest loads wams.testing through its pytest11 entry point; from a plain
# checkout (not installed) this module asks for it itself.
pytest_plugins = ["pytester"]
if not any(ep.value == "wams.testing" for ep in metadata.entry_points(group="pytest11")):
    pytest_plugins.append("wams.testing")


class Zorgboerderij:
    """A throwaway plugin: an adjacent domain with a party kind, a category and a service."""

    @hookimpl
    def wams_domains(self) -> list[Domain]:
        return [Domain(code="dagbesteding", name="dagbesteding op de boerderij", kind="aanpalend")]

    @hookimpl
    def wams_party_kinds(self) -> list[PartyKind]:
        return [PartyKind(code="boer", name="zorgboer", domain="dagbesteding")]

    @hookimpl
    def wams_data_categories(self) -> list[DataCategory]:
        return [DataCategory(code="aanwezigheid", name="aanwezigheid op de boerderij",
                             domain="dagbesteding", suppliers=("zorg.boer",))]

    @hookimpl
    def wams_services(self) -> list[Service]:
        return [Service(code="dagbesteding", name="dagbesteding", domain="dagbesteding")]

    @hookimpl
    def wams_signals(self) -> list[Signal]:
        return [Signal(law="wmo", domain="dagbesteding", question="Zoekt u dagbesteding?")]


def test_pytest11_entry_point_is_declared() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    section = text.split("[project.entry-points.pytest11]", 1)[1].split("\n[", 1)[0]
    assert 'wams = "wams.testing"' in section


def test_plugin_manager_is_fresh(wams_plugin_manager: pluggy.PluginManager) -> None:
    assert wams_plugin_manager.project_name == "wams"
    assert wams_plugin_manager.get_plugins() == set()
    assert hasattr(wams_plugin_manager.hook, "wams_laws")
    assert hasattr(wams_plugin_manager.hook, "wams_entry")


def test_register_plugin_builds_a_catalogue(register_plugin, wams_plugin_manager) -> None:
    build = register_plugin(Zorgboerderij, name="zorg")
    assert wams_plugin_manager.has_plugin("zorg")
    cat = build()
    assert "dagbesteding" in cat.domains
    assert cat.may_supply("zorg.boer", "zorg.aanwezigheid")
    assert "dagbesteding" in cat.signals_for("wmo")
    assert "zorg" in {p.name for p in cat.plugins}
    assert cat.plugin_of("services", "zorg.dagbesteding") == "zorg"
    # Allow/block pass through.
    assert "zorg" not in {p.name for p in build(block=["zorg"]).plugins}


def test_register_plugin_default_name_is_the_class(register_plugin) -> None:
    class Los:
        @hookimpl
        def wams_party_kinds(self) -> list[PartyKind]:
            return [PartyKind(code="buurtsportcoach", name="buurtsportcoach", domain="welzijn")]

    cat = register_plugin(Los)()
    assert "Los.buurtsportcoach" in cat.party_kinds


def test_register_plugin_rejects_an_unknown_hook(register_plugin) -> None:
    class Typo:
        @hookimpl
        def wams_lawz(self) -> list[Law]:
            return []

    with pytest.raises(pluggy.PluginValidationError, match="wams_lawz"):
        register_plugin(Typo, name="typo")


def test_register_plugin_errors_name_the_plugin(register_plugin) -> None:
    class Kapot:
        @hookimpl
        def wams_services(self) -> list[Service]:
            return [Service(code="x", name="x", domain="bestaat_niet")]

    with pytest.raises(CatalogueError, match="plugin 'kapot'.*onbekend domein 'bestaat_niet'"):
        register_plugin(Kapot, name="kapot")()


def test_register_plugin_unregisters_after_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_inner="""
        from wams import Domain, hookimpl

        class P:
            @hookimpl
            def wams_domains(self):
                return [Domain(code="sport", name="sport", kind="aanpalend")]

        seen = {}

        def test_one(register_plugin, wams_plugin_manager):
            register_plugin(P, name="p")
            seen["pm"] = wams_plugin_manager
            assert wams_plugin_manager.has_plugin("p")

        def test_two(wams_plugin_manager):
            assert not seen["pm"].has_plugin("p")    # unregistered in finally
            assert wams_plugin_manager is not seen["pm"]  # a fresh manager per test
    """)
    # In process: the inner session sees this checkout's wams, installed or not.
    result = pytester.runpytest_inprocess(*(() if _installed() else ("-p", "wams.testing")))
    result.assert_outcomes(passed=2)


def _installed() -> bool:
    return any(ep.value == "wams.testing" for ep in metadata.entry_points(group="pytest11"))


def test_wams_memory_is_in_memory(wams_memory) -> None:
    assert str(wams_memory.engine.db.url) == "sqlite://"
    d = wams_memory.hulpvraag("0599", wet="wmo", client=Persoon(ref="jan"), vraag="begeleiding",
                              aanleiding="eenzaamheid")
    assert d.allowed and d.phase == "onderzoek"
    assert wams_memory.cases("0599")[0]["id"] == d.case_id


@pytest.mark.wams_plugins(Zorgboerderij, name="zorg")
def test_wams_memory_with_marker_plugins(wams_memory) -> None:
    assert "zorg.aanwezigheid" in wams_memory.catalogue.categories
    d = wams_memory.hulpvraag("0599", wet="wmo", client=Persoon(ref="jan"), vraag="begeleiding",
                              aanleiding="eenzaam")
    assert "dagbesteding" in d.signalen


SCENARIO = {
    "formaat": 2,
    "scenario": "Dagbesteding op een zorgboerderij",
    "gemeente": "0599",
    "datum": "2027-02-01",
    "personen": {"jan": {"rol": "client", "geboortedatum": "1960-01-01"}},
    "partijen": {"boer": {"soort": "zorg.boer"}},
    "stappen": [
        {"hulpvraag": {"wet": "wmo", "client": "jan", "vraag": "dagbesteding",
                       "aanleiding": "zit veel alleen thuis"},
         "verwacht": {"toegestaan": "ja", "signalen": ["dagbesteding"]}},
        {"domein": {"domein": "dagbesteding", "reden": "wil buiten werken",
                    "client_akkoord": "ja"}},
        {"betrek_partij": {"partij": "boer", "aanleiding": "jan werkt er al een dag"}},
        {"vraag_gegevens": {"bij": "boer", "categorie": "zorg.aanwezigheid", "over": "jan",
                            "doel": "onderzoek", "toelichting": "zicht op ritme",
                            "noodzaak": "passende begeleiding"},
         "verwacht": {"toegestaan": "ja", "verwerkingen_min": 1}},
    ],
}


def test_scenario_runner_with_registered_plugin(register_plugin, wams_scenario_runner) -> None:
    register_plugin(Zorgboerderij, name="zorg")
    result = wams_scenario_runner(SCENARIO)
    assert result.passed, result.failures
    wams_scenario_runner.check(SCENARIO)


def test_scenario_runner_without_the_plugin_fails(wams_scenario_runner) -> None:
    result = wams_scenario_runner(SCENARIO)
    assert not result.passed
    with pytest.raises(pytest.fail.Exception, match="scenario expectations not met"):
        wams_scenario_runner.check(SCENARIO)


def test_scenario_runner_runs_files_and_text(wams_scenario_runner, tmp_path: Path) -> None:
    import yaml

    text = yaml.safe_dump(SCENARIO, allow_unicode=True)
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    plugin = __import__("wams.testing", fromlist=["named_plugin"]).named_plugin(
        Zorgboerderij, "zorg")
    assert wams_scenario_runner(path, plugins=[plugin]).passed
    assert wams_scenario_runner(text, plugins=[plugin]).passed
    assert [r.passed for r in wams_scenario_runner.run_all(tmp_path, plugins=[plugin])] == [True]


def test_scenario_runner_runs_bundled_scenarios(wams_scenario_runner) -> None:
    results = wams_scenario_runner.check(BUNDLED / "wgs")
    assert results and all(r.passed for r in results)
