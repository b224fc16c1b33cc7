"""The plugin manager: built-ins, entry points, the allow/block list, and startup validation.

The five law plugins are registered through the same manager as third-party ones and are also
declared as entry points (group ``wams``); an entry point whose name is already registered is
the built-in itself and is not loaded twice.
"""

from __future__ import annotations

import functools
import importlib
import os
from collections.abc import Iterable
from importlib import metadata

import pluggy

from wams.core.catalogue import Catalogue, PluginInfo, build
from wams.core.errors import CatalogueError
from wams.core.law import hookspecs

BUILTINS: tuple[str, ...] = ("wmo", "jeugdwet", "participatiewet", "wgs", "aanpalend")
ENTRY_POINT_GROUP = "wams"
ALLOW_ENV = "WAMS_PLUGINS_ALLOW"
BLOCK_ENV = "WAMS_PLUGINS_BLOCK"


def _names(value: str | None) -> set[str] | None:
    if value is None or not value.strip():
        return None
    return {n.strip() for n in value.split(",") if n.strip()}


@functools.cache
def wams_version() -> str:
    # Read once a process: importlib.metadata parses the package's METADATA with the email
    # parser on every call (0.4 ms, an eighth of opening a new in-memory database, which a
    # scenario run does once a scenario), and a process runs the code it started with even
    # when the package is upgraded under it.
    try:
        return metadata.version("wams")
    except metadata.PackageNotFoundError:  # running from a source tree
        return "0+unknown"


def _named(entry: object) -> tuple[str, object]:
    """An in-process plugin and the name its codes are qualified with: ``(name, plugin)``,
    else its ``wams_plugin_name`` attribute, else its module's last name or its class name."""
    if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], str):
        return entry[0], entry[1]
    name = getattr(entry, "wams_plugin_name", None) or getattr(entry, "__name__", None) \
        or type(entry).__name__
    return str(name).rsplit(".", 1)[-1], entry


def make_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    return pm


_CACHE: dict[tuple[object, ...], Catalogue] = {}


def load_catalogue(extra_plugins: Iterable[object] | None = None, *,
                   allow: Iterable[str] | None = None,
                   block: Iterable[str] | None = None,
                   entry_points: bool = True) -> Catalogue:
    """The catalogue of the installed plugins (see :func:`build_catalogue`).

    Without extra plugins the result is kept per process, keyed by the allow/block lists in
    force: reading entry points and calling every hook costs more than a whole scenario, and
    what is installed does not change while a process runs. Extra plugins always build anew.
    """
    if extra_plugins:
        return build_catalogue(extra_plugins, allow=allow, block=block,
                               entry_points=entry_points)
    key = (tuple(allow) if allow is not None else os.environ.get(ALLOW_ENV),
           tuple(block) if block is not None else os.environ.get(BLOCK_ENV), entry_points)
    found = _CACHE.get(key)
    if found is None:
        found = _CACHE[key] = build_catalogue(None, allow=allow, block=block,
                                              entry_points=entry_points)
    return found


def build_catalogue(extra_plugins: Iterable[object] | None = None, *,
                   allow: Iterable[str] | None = None,
                   block: Iterable[str] | None = None,
                   entry_points: bool = True) -> Catalogue:
    """Register built-ins, entry points and ``extra_plugins``, then build and check the catalogue.

    ``extra_plugins`` are objects or ``(name, object)`` pairs; the name qualifies their codes.
    ``allow``/``block`` default to the comma-separated environment variables
    ``WAMS_PLUGINS_ALLOW``/``WAMS_PLUGINS_BLOCK``: a municipality can switch a plugin off.
    """
    allowed = set(allow) if allow is not None else _names(os.environ.get(ALLOW_ENV))
    blocked = set(block) if block is not None else (_names(os.environ.get(BLOCK_ENV)) or set())

    def wanted(name: str) -> bool:
        return name not in blocked and (allowed is None or name in allowed)

    pm = make_manager()
    infos: dict[str, PluginInfo] = {}
    version = wams_version()
    found = list(metadata.entry_points(group=ENTRY_POINT_GROUP)) if entry_points else []
    extra = [_named(entry) for entry in extra_plugins or ()]
    _check_names(allowed, blocked, [*BUILTINS, *(ep.name for ep in found),
                                    *(name for name, _ in extra)])
    # The allow/block lists become pluggy's own blocking: a blocked name never registers.
    for name in [*BUILTINS, *(ep.name for ep in found)]:
        if not wanted(name):
            pm.set_blocked(name)
    switched_off: set[str] = set()
    for name in BUILTINS:
        module = importlib.import_module(f"wams.plugins.{name}")
        if pm.register(module, name=name) is None:  # blocked
            switched_off |= _law_and_domain_codes(module)
        else:
            infos[name] = PluginInfo(name, "wams", version)
    unknown_switched_off = _register_installed(pm, found, infos)
    _register_passed(pm, extra, blocked, infos)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise CatalogueError(f"plugin '{pm.get_name(exc.plugin)}': {exc}") from exc
    return build(pm, infos, switched_off=frozenset(switched_off),
                 unknown_switched_off=unknown_switched_off)


def _register_installed(pm: pluggy.PluginManager, found: list[metadata.EntryPoint],
                        infos: dict[str, PluginInfo]) -> bool:
    """Register the installed plugins (entry points) that are not blocked; whether a blocked
    one was among them (its codes are unknown: nothing of it was loaded)."""
    unknown_switched_off = False
    for ep in found:
        if ep.name in infos or pm.has_plugin(ep.name):
            continue
        if pm.is_blocked(ep.name):
            unknown_switched_off = True
            continue
        try:
            plugin = ep.load()
        except Exception as exc:  # a broken third-party plugin must name itself
            raise CatalogueError(f"plugin '{ep.name}': laden mislukt: {exc}") from exc
        pm.register(plugin, name=ep.name)
        dist = ep.dist
        infos[ep.name] = PluginInfo(ep.name, dist.name if dist else "?",
                                    dist.version if dist else "?")
    return unknown_switched_off


def _register_passed(pm: pluggy.PluginManager, extra: list[tuple[str, object]],
                     blocked: set[str], infos: dict[str, PluginInfo]) -> None:
    """Register the plugins passed in code. Passed on purpose: the allow list (meant for what
    is installed) does not filter them; a block list naming one still does."""
    for name, plugin in extra:
        if name in blocked:
            continue
        if pm.is_blocked(name):  # only the allow list blocked it, which code overrides
            pm.unblock(name)
        try:
            pm.register(plugin, name=name)
        except ValueError as exc:  # pluggy: the name or the object is registered already
            raise CatalogueError(f"plugin '{name}': is al geregistreerd ({exc}); geef hem "
                                 "een eigen naam: (naam, plugin)") from exc
        infos[name] = PluginInfo(name, "(in process)", "-")


def _check_names(allowed: set[str] | None, blocked: set[str], known: list[str]) -> None:
    """An allow or block list naming a plugin that is not installed is a startup error:
    ``WAMS_PLUGINS_ALLOW=WMO`` would otherwise load nothing and say nothing."""
    import difflib

    for variable, names in ((ALLOW_ENV, allowed or set()), (BLOCK_ENV, blocked)):
        for name in sorted(names - set(known)):
            close = difflib.get_close_matches(name.lower(), known, n=1, cutoff=0.6)
            hint = f" (bedoelde je '{close[0]}'?)" if close else ""
            raise CatalogueError(f"{variable} noemt plugin '{name}', maar die is niet "
                                 f"geïnstalleerd{hint}; bekend zijn: "
                                 + ", ".join(dict.fromkeys(known)))


def _law_and_domain_codes(module: object) -> set[str]:
    """The law and domain codes a switched-off built-in declares (its hooks are plain
    functions without arguments; nothing is registered)."""
    codes: set[str] = set()
    for hook in ("wams_laws", "wams_domains"):
        function = getattr(module, hook, None)
        if callable(function):
            codes |= {record.code for record in function() or ()}
    return codes
