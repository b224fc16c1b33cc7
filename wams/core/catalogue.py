"""What the plugins declared, collected once at startup, checked, and precompiled for lookups.

Decisions never call a contribution hook: they read the catalogue's tables, built once (a
decision costs no plugin call). Every record is attributed to the plugin that contributed it,
so a bad declaration is a startup error that names that plugin; the checks themselves are in
:mod:`wams.core.catalogue_checks`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs
import pluggy

from wams.core import catalogue_checks as checks
from wams.core.errors import CatalogueError
from wams.core.law.purposes import CORE_PURPOSES
from wams.core.law.records import (
    DataCategory,
    Doel,
    Domain,
    Entry,
    EntryRequest,
    KeyStore,
    Law,
    PartyKind,
    ProcessingActivity,
    ProvisionRule,
    Service,
    Signal,
    StepEvent,
)

if TYPE_CHECKING:
    import click


@attrs.frozen
class PluginInfo:
    name: str
    distribution: str
    version: str
    contributions: dict[str, int] = attrs.field(factory=dict, hash=False)


#: hook name → the catalogue section it fills (also the order of validation)
SECTIONS: tuple[tuple[str, str], ...] = (
    ("wams_domains", "domains"),
    ("wams_laws", "laws"),
    ("wams_party_kinds", "party_kinds"),
    ("wams_services", "services"),
    ("wams_data_categories", "categories"),
    ("wams_provision_rules", "provision_rules"),
    ("wams_signals", "signals"),
    ("wams_processing_activities", "activities"),
    ("wams_doelen", "purposes"),
)
_RECORD_TYPES: dict[str, type] = {
    "domains": Domain, "laws": Law, "party_kinds": PartyKind, "services": Service,
    "categories": DataCategory, "provision_rules": ProvisionRule, "signals": Signal,
    "activities": ProcessingActivity, "purposes": Doel,
}


@attrs.frozen
class Catalogue:
    """The checked catalogue, a frozen value: built once by :func:`build`, never changed
    after (its tables are read-only mappings). Qualified codes (``plugin.code``) for party
    kinds, services, categories, provision rules, activities and plugin purposes; global
    codes for laws and domains."""

    pm: pluggy.PluginManager = attrs.field(repr=False)
    plugins: tuple[PluginInfo, ...]
    domains: Mapping[str, Domain]
    laws: Mapping[str, Law]
    party_kinds: Mapping[str, PartyKind]
    services: Mapping[str, Service]
    categories: Mapping[str, DataCategory]
    provision_rules: Mapping[str, ProvisionRule]
    #: R05: the signals of each law that stay after the allow/block list
    signals: Mapping[str, tuple[Signal, ...]]
    activities: Mapping[str, ProcessingActivity]
    #: the closed vocabulary of purpose codes: the core's, then the plugins' (qualified)
    purposes: Mapping[str, Doel]
    #: (section, code) → the plugin that declared it
    origin: Mapping[tuple[str, str], str]
    #: category → the party kinds that may supply it (R14)
    suppliers: Mapping[str, frozenset[str]]
    sociaal: frozenset[str]
    #: (category, regime) → qualified provision rule codes, in load order (R17)
    provision_basis: Mapping[tuple[str, str], tuple[str, ...]]
    #: (core activity, category) → qualified plugin activity code (R36)
    activity_of: Mapping[tuple[str, str], str]
    #: law and domain codes of plugins the allow/block list switched off (their signals
    #: are silenced, not errors); ``unknown_switched_off`` when a switched-off plugin
    #: could not be asked (a third-party one is never loaded just to read its codes)
    switched_off: frozenset[str] = frozenset()
    unknown_switched_off: bool = False

    # -- lookups used by the policy -------------------------------------------------------

    def is_sociaal(self, domain: str) -> bool:
        return domain in self.sociaal

    def may_supply(self, party_kind: str, category: str) -> bool:
        return party_kind in self.suppliers.get(category, ())

    def signals_for(self, law: str) -> tuple[str, ...]:
        return tuple(s.domain for s in self.signals.get(law, ()))

    def plugin_of(self, section: str, code: str) -> str | None:
        return self.origin.get((section, code))

    def special_of(self, category: str | None) -> frozenset[str]:
        """The special kinds (health, criminal, minor) of a declared category; none for the
        core's own categories and for None."""
        declared = self.categories.get(category) if category else None
        return declared.special if declared is not None else frozenset()

    def provision_rule_for(self, category: str, regime: str | None,
                           supplier: str) -> tuple[str, ProvisionRule] | None:
        """R17: the first (code, rule) that lets a party of kind ``supplier`` provide
        ``category`` through ``regime``."""
        if regime is None:
            return None
        for code in self.provision_basis.get((category, regime), ()):
            rule = self.provision_rules[code]
            if not rule.suppliers or supplier in rule.suppliers:
                return code, rule
        return None

    def activity(self, core_activity: str, category: str | None) -> str:
        """The register entry a processing is logged under: the plugin activity that refines
        ``core_activity`` for ``category``, else the core activity itself."""
        if core_activity in self.activities:  # a plugin purpose names its own entry
            return core_activity
        if category is None:
            return core_activity
        return self.activity_of.get((core_activity, category), core_activity)

    # -- run-time hooks (entry, notification, keys, commands) -------------------------------
    # Core code calls a hook only here: one place that knows the contract's argument names.

    def entry(self, request: EntryRequest) -> Entry | None:
        """The mirror provision for ``request.law``: the answer of the plugin that implements
        ``wams_entry`` for it (a law with conditions of its own), else the default every
        registered law has: a law of kind ``sociaal`` opens paragraph 3a under its own
        provision (the Wmo 2015 itself, MvT §1.3; the others through their mirror
        provision), an ``aanpalend`` law never does (R01). None for a law nobody registered."""
        answer: Entry | None = self.pm.hook.wams_entry(request=request)
        if answer is not None:
            return answer
        law = self.laws.get(request.law)
        if law is None:
            return None
        return Entry(law=law.code, opens=law.kind == "sociaal", domain=law.domain,
                     provision=law.provision)

    def listens_after_step(self) -> bool:
        """Whether any plugin implements ``wams_after_step`` (the engine copies the case for
        them only then)."""
        return bool(self.pm.hook.wams_after_step.get_hookimpls())

    def after_step(self, event: StepEvent, events: list[StepEvent]) -> None:
        # ``case`` and ``decision`` are passed too for plugins written before contract 0.2
        self.pm.hook.wams_after_step(event=event, case=event.case, decision=event.decision,
                                     events=events)

    def key_store(self, url: str) -> KeyStore | None:
        store: KeyStore | None = self.pm.hook.wams_key_store(url=url)
        return store

    def add_commands(self, cli: click.Group) -> None:
        self.pm.hook.wams_commands(cli=cli)

    def versions(self) -> tuple[tuple[str, str], ...]:
        return tuple((p.name, p.version) for p in self.plugins)


def build(pm: pluggy.PluginManager, infos: dict[str, PluginInfo], *,
          switched_off: frozenset[str] = frozenset(),
          unknown_switched_off: bool = False) -> Catalogue:
    """Call every contribution hook once per plugin, attribute and check what comes back,
    then derive the lookup tables: the catalogue, as a frozen value.

    ``switched_off`` are the law and domain codes of plugins the allow/block list excluded
    (see :func:`wams.core.catalogue_checks.kept_signals`)."""
    collected: dict[str, list[tuple[str, Any]]] = {}
    counts: dict[str, dict[str, int]] = {name: {} for name in infos}
    for hook_name, section in SECTIONS:
        hook = getattr(pm.hook, hook_name)
        items: list[tuple[str, Any]] = []
        expected = _RECORD_TYPES[section].__name__
        for impl in hook.get_hookimpls():
            plugin = pm.get_name(impl.plugin) or repr(impl.plugin)
            result = _contribution(plugin, hook_name, expected, impl.function)
            for n, record in enumerate(result, start=1):
                if not isinstance(record, _RECORD_TYPES[section]):
                    raise CatalogueError(
                        f"plugin '{plugin}': {hook_name} gaf als record {n} een "
                        f"{type(record).__name__}, verwacht {expected}")
                items.append((plugin, record))
            if plugin in counts:
                counts[plugin][section] = counts[plugin].get(section, 0) + len(result)
        collected[section] = items
    tables = _tables(collected)
    checks.check(tables)
    # The declared tables go in as read-only views of the dicts _tables built for them (no
    # one else holds those dicts); the signals are the ones kept after the allow/block list.
    declared: dict[str, Any] = {
        field.name: MappingProxyType(getattr(tables, field.name))
        for field in attrs.fields(checks.Tables) if field.name != "signals"}
    return Catalogue(
        pm=pm,
        plugins=tuple(attrs.evolve(info, contributions=counts[name])
                      for name, info in infos.items()),
        **declared,
        signals=MappingProxyType(checks.kept_signals(tables, switched_off,
                                                     unknown_switched_off)),
        suppliers=MappingProxyType({code: frozenset(c.suppliers)
                                    for code, c in tables.categories.items()}),
        sociaal=frozenset(code for code, d in tables.domains.items() if d.kind == "sociaal"),
        provision_basis=MappingProxyType(checks.provision_basis(tables)),
        activity_of=MappingProxyType(checks.activity_of(tables)),
        switched_off=switched_off, unknown_switched_off=unknown_switched_off)


def _contribution(plugin: str, hook_name: str, expected: str,
                  function: Callable[[], Any]) -> list[Any]:
    """Call one plugin's contribution hook; whatever goes wrong names the plugin and the hook.

    A record built with a wrong keyword fails inside the plugin (attrs raises TypeError
    ``__init__() got an unexpected keyword argument``); a single record instead of a list
    would otherwise be iterated field by field.
    """
    try:
        result = function()
    except Exception as exc:
        raise CatalogueError(
            f"plugin '{plugin}': {hook_name} faalt bij het maken van zijn records "
            f"({type(exc).__name__}: {exc}); controleer de velden van {expected} "
            "(docs/hooks.md, 'Records')") from exc
    if result is None:
        return []
    if isinstance(result, (list, tuple)):
        return list(result)
    shown = type(result).__name__
    raise CatalogueError(f"plugin '{plugin}': {hook_name} gaf één {shown} in plaats van een "
                         f"lijst; geef een lijst terug: [{expected}(...), ...]")


def _qualify(plugin: str, code: str) -> str:
    return f"{plugin}.{code}"


def _tables(collected: dict[str, list[tuple[str, Any]]]) -> checks.Tables:
    """The collected records by section and code; a code declared twice is a startup error
    naming both plugins."""
    origin: dict[tuple[str, str], str] = {}
    tables: dict[str, dict[str, Any]] = {section: {} for _hook, section in SECTIONS}
    tables["purposes"] = {d.code: d for d in CORE_PURPOSES}

    def put(section: str, code: str, plugin: str, record: Any) -> None:
        if code in tables[section]:
            first = origin[(section, code)]
            raise CatalogueError(
                f"plugin '{plugin}': {section} '{code}' is al gedeclareerd door plugin "
                f"'{first}'; kies een andere code")
        tables[section][code] = record
        origin[(section, code)] = plugin

    for section in ("domains", "laws"):  # global codes, fixed by the bill
        for plugin, record in collected[section]:
            put(section, record.code, plugin, record)
    for section in ("party_kinds", "services", "categories", "provision_rules", "activities",
                    "purposes"):
        for plugin, record in collected[section]:
            if section == "purposes":  # its activity is the plugin's own, qualified alike
                record = attrs.evolve(record, activiteit=_qualify(plugin, record.activiteit))
            put(section, _qualify(plugin, record.code), plugin, record)
    signals: dict[str, list[Signal]] = {}
    for plugin, s in collected["signals"]:
        signals.setdefault(s.law, []).append(s)
        origin.setdefault(("signals", f"{s.law}:{s.domain}"), plugin)
    return checks.Tables(
        domains=tables["domains"], laws=tables["laws"], party_kinds=tables["party_kinds"],
        services=tables["services"], categories=tables["categories"],
        provision_rules=tables["provision_rules"], activities=tables["activities"],
        purposes=tables["purposes"], signals={law: tuple(v) for law, v in signals.items()},
        origin=origin)


Loader = Callable[[], Catalogue]
