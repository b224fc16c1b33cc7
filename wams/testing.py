"""pytest fixtures for wams plugin authors, registered under the ``pytest11`` entry point.

With wams installed, every pytest run has these fixtures; nothing to import:

``wams_plugin_manager``
    A fresh pluggy manager with the wams hookspecs and no plugins.
``register_plugin``
    ``register_plugin(plugin, name=None)`` registers a throwaway plugin (a module, a class or an
    instance) for this test only, checks its hook names, and returns a function that builds the
    catalogue with it (built-ins, entry points and every plugin registered so far). Everything
    is unregistered when the test ends, pass or fail.
``wams_plugins``
    The extra plugins ``wams_memory`` is opened with: those of the ``wams_plugins`` marker
    (``@pytest.mark.wams_plugins(MyPlugin, name="mijn")``); override the fixture to choose
    them yourself.
``wams_memory``
    A :class:`~wams.api.Wams` on a private in-memory SQLite database, closed after the test.
``wams_scenario_runner``
    Runs scenario files, folders, YAML text or mappings (as docs/scenarios.md describes) against the
    real engine with the plugins of ``wams_plugins`` and ``register_plugin``; ``.check(...)``
    fails the test with every failed expectation.

This module is imported by every pytest session on a machine where wams is installed, so it
imports nothing heavy at module level.
"""

from __future__ import annotations

import datetime as dt
import inspect
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

# A BSN per number, for plugin authors' tests (defined without pytest: the benchmarks use it).
from wams.testdata import test_bsn as test_bsn

if TYPE_CHECKING:
    import pluggy

    from wams.api import Wams
    from wams.core.catalogue import Catalogue
    from wams.core.scenario.run import ScenarioResult

MARKER = "wams_plugins"
#: The date a ``wams_memory`` clock starts at (the bill's assumed entry into force is later;
#: any fixed date keeps tests reproducible).
MEMORY_DATE = dt.date(2027, 1, 1)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}(*plugins, name=None): extra wams plugins for the wams_memory and "
                   "wams_scenario_runner fixtures (wams.testing)")


def named_plugin(plugin: object, name: str | None = None) -> object:
    """``plugin`` as an object wams registers under ``name``.

    wams names an in-process plugin after its ``__name__`` (the last part of a module's dotted
    name) or its class, and qualifies the plugin's codes with that name. A test of a plugin
    whose entry point is ``leerplicht`` but whose module is ``wams_leerplicht`` needs the name
    of the entry point, so the codes match (``leerplicht.verzuimdossier``). A class is
    instantiated first.
    """
    if inspect.isclass(plugin):
        plugin = plugin()
    if name is None:
        return plugin
    hooks = {attr: getattr(plugin, attr) for attr in dir(plugin) if attr.startswith("wams_")}
    return types.SimpleNamespace(__name__=name, **hooks)


def _not_installed(plugins: Iterable[object]) -> list[object]:
    """Drop plugins already loaded through an installed entry point of the same name.

    A plugin author who ran ``pip install -e .`` gets the plugin from its entry point; also
    registering it in process would register the name twice.
    """
    from importlib import metadata

    installed = {ep.name for ep in metadata.entry_points(group="wams")}
    return [p for p in plugins if _default_name(p) not in installed]


class _Registry:
    """The plugins registered for one test (shared by the fixtures of that test)."""

    def __init__(self) -> None:
        self.plugins: list[object] = []


@pytest.fixture
def _wams_registry() -> _Registry:
    return _Registry()


@pytest.fixture
def wams_plugin_manager() -> pluggy.PluginManager:
    """A fresh pluggy manager with the wams hookspecs and no plugins registered."""
    from wams.core.plugins import make_manager

    return make_manager()


@pytest.fixture
def register_plugin(wams_plugin_manager: pluggy.PluginManager,
                    _wams_registry: _Registry) -> Iterator[Callable[..., Callable[..., Catalogue]]]:
    """Register a throwaway plugin for this test; returns a catalogue builder.

    ::

        def test_my_law(register_plugin):
            class Mijn:
                @hookimpl
                def wams_laws(self):
                    return [Law(code="mijnwet", name="Mijn wet", kind="aanpalend",
                                provision="Mijn wet art. 1", domain="onderwijs")]

            catalogue = register_plugin(Mijn, name="mijn")()
            assert "mijnwet" in catalogue.laws
    """
    from wams.core.plugins import load_catalogue

    names: list[str] = []

    def build(**kwargs: Any) -> Catalogue:
        return load_catalogue(extra_plugins=_not_installed(_wams_registry.plugins), **kwargs)

    def register(plugin: object, name: str | None = None) -> Callable[..., Catalogue]:
        obj = named_plugin(plugin, name)
        plugin_name = name or _default_name(obj)
        # Registering in a manager with the hookspecs fails fast on a misspelt hook name.
        wams_plugin_manager.register(obj, name=plugin_name)
        wams_plugin_manager.check_pending()
        names.append(plugin_name)
        _wams_registry.plugins.append(obj)
        return build

    try:
        yield register
    finally:
        for plugin_name in names:
            if wams_plugin_manager.has_plugin(plugin_name):
                wams_plugin_manager.unregister(name=plugin_name)
        _wams_registry.plugins.clear()


def _default_name(plugin: object) -> str:
    # The same rule as wams.core.plugins.load_catalogue for in-process plugins.
    name = getattr(plugin, "__name__", None) or type(plugin).__name__
    return str(name).rsplit(".", 1)[-1]


@pytest.fixture
def wams_plugins(request: pytest.FixtureRequest) -> list[object]:
    """Extra plugins for ``wams_memory`` and ``wams_scenario_runner``: from the marker."""
    plugins: list[object] = []
    for mark in request.node.iter_markers(MARKER):
        name = mark.kwargs.get("name")
        plugins += [named_plugin(p, name) for p in mark.args]
    return plugins


@pytest.fixture
def wams_memory(wams_plugins: list[object]) -> Iterator[Wams]:
    """A Wams on a private in-memory SQLite database (``sqlite://``), closed after the test.

    Its clock is fixed at :data:`MEMORY_DATE`; move it with ``wams_memory.clock.advance(days)``.
    """
    from wams.api import Wams
    from wams.core.clock import Clock

    w = Wams.open("sqlite://", clock=Clock(MEMORY_DATE),
                  plugins=_not_installed(wams_plugins) or None)
    try:
        yield w
    finally:
        w.close()


class ScenarioRunner:
    """Runs scenarios with the real runner (:mod:`wams.core.scenario.run`)."""

    def __init__(self, plugins: Callable[[], list[object]]) -> None:
        self._plugins = plugins

    def __call__(self, source: str | Path | Mapping[str, Any],
                 plugins: Iterable[object] = ()) -> ScenarioResult:
        """Run one scenario: a file path, YAML text, or a mapping as YAML would give it."""
        from wams.api import Wams
        from wams.core.clock import Clock
        from wams.core.scenario.run import run_scenario

        scenario = _load(source)
        extra = _not_installed([*self._plugins(), *plugins])
        if not extra:
            return run_scenario(scenario)
        w = Wams.open("sqlite://", clock=Clock(scenario.header.datum), plugins=extra)
        try:
            return run_scenario(scenario, wams=w)
        finally:
            w.close()

    run = __call__

    def run_all(self, *paths: str | Path, plugins: Iterable[object] = ()) -> list[ScenarioResult]:
        """Run every ``*.yaml``/``*.yml`` file under the given files and folders."""
        files: list[Path] = []
        for p in map(Path, paths):
            files += sorted(f for f in p.rglob("*") if f.suffix in (".yaml", ".yml")) \
                if p.is_dir() else [p]
        return [self(f, plugins) for f in files]

    def check(self, *sources: str | Path | Mapping[str, Any],
              plugins: Iterable[object] = ()) -> list[ScenarioResult]:
        """Run scenarios (folders too) and fail the test with every failed expectation."""
        results: list[ScenarioResult] = []
        for source in sources:
            if isinstance(source, (str, Path)) and Path(source).is_dir():
                results += self.run_all(source, plugins=plugins)
            else:
                results.append(self(source, plugins))
        failed = [f"{r.file}: {f}" for r in results for f in r.failures]
        if failed:
            pytest.fail("scenario expectations not met:\n  " + "\n  ".join(failed),
                        pytrace=False)
        return results


def _load(source: str | Path | Mapping[str, Any]) -> Any:
    from wams.core.scenario.load import from_data, load, loads

    if isinstance(source, Mapping):
        return from_data(dict(source), "<scenario>")
    if isinstance(source, Path) or "\n" not in source:
        return load(source)
    return loads(source, "<scenario>")


@pytest.fixture
def wams_scenario_runner(wams_plugins: list[object],
                         _wams_registry: _Registry) -> ScenarioRunner:
    """Run scenarios against the real engine with this test's extra plugins.

    ::

        def test_my_scenarios(wams_scenario_runner):
            wams_scenario_runner.check("scenarios/")   # fails with every unmet 'verwacht'
            result = wams_scenario_runner({"formaat": 2, ...})
            assert result.passed
    """
    return ScenarioRunner(lambda: [*wams_plugins, *_wams_registry.plugins])
