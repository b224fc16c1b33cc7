"""The plugin manager: built-ins, entry points, the allow/block list, and startup validation.

The five law plugins are registered through the same manager as third-party ones and are also
declared as entry points (group ``wams``); an entry point whose name is already registered is
the built-in itself and is not loaded twice.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable
from importlib import metadata

import pluggy

from wams.core import hookspecs
from wams.core.catalogue import Catalogue, CatalogueError, PluginInfo, build

BUILTINS: tuple[str, ...] = ("wmo", "jeugdwet", "participatiewet", "wgs", "aanpalend")
ENTRY_POINT_GROUP = "wams"
ALLOW_ENV = "WAMS_PLUGINS_ALLOW"
BLOCK_ENV = "WAMS_PLUGINS_BLOCK"


def _names(value: str | None) -> set[str] | None:
    if value is None or not value.strip():
        return None
    return {n.strip() for n in value.split(",") if n.strip()}


def wams_version() -> str:
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
    for name in BUILTINS:
        if wanted(name):
            pm.register(importlib.import_module(f"wams.plugins.{name}"), name=name)
            infos[name] = PluginInfo(name, "wams", version)
    if entry_points:
        for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
            if ep.name in infos or not wanted(ep.name) or pm.has_plugin(ep.name):
                continue
            try:
                plugin = ep.load()
            except Exception as exc:  # a broken third-party plugin must name itself
                raise CatalogueError(f"plugin '{ep.name}': laden mislukt: {exc}") from exc
            pm.register(plugin, name=ep.name)
            dist = ep.dist
            infos[ep.name] = PluginInfo(ep.name, dist.name if dist else "?",
                                        dist.version if dist else "?")
    for entry in extra_plugins or ():
        name, plugin = _named(entry)
        # Passed in code on purpose: the allow list (meant for what is installed) does not
        # filter it; a block list naming it still does.
        if name not in blocked:
            try:
                pm.register(plugin, name=name)
            except ValueError as exc:  # pluggy: the name or the object is registered already
                raise CatalogueError(f"plugin '{name}': is al geregistreerd ({exc}); geef hem "
                                     "een eigen naam: (naam, plugin)") from exc
            infos[name] = PluginInfo(name, "(in process)", "-")
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise CatalogueError(f"plugin '{pm.get_name(exc.plugin)}': {exc}") from exc
    return build(pm, infos)
