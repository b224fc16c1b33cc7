"""What the plugins declared, collected once at startup, checked, and precompiled for lookups.

Decisions never call a hook: they read these dictionaries (quality B3). Every record is
attributed to the plugin that contributed it, so a bad declaration is a startup error that
names that plugin.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs
import pluggy

from wams.core.citations import problems as citation_problems
from wams.core.errors import CatalogueError
from wams.core.purposes import CORE_PURPOSES, enforcement_term
from wams.core.records import (
    CORE_ACTIVITY_CODES,
    DOMAIN_KINDS,
    OVERRIDABLE,
    PURPOSE_USES,
    REGIMES,
    SERVICE_KINDS,
    SPECIAL_KINDS,
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


class Catalogue:
    """The validated catalogue. Qualified codes (``plugin.code``) for party kinds, services,
    categories, provision rules and activities; global codes for laws and domains."""

    def __init__(self, pm: pluggy.PluginManager, plugins: list[PluginInfo]) -> None:
        self.pm = pm
        self.plugins = plugins
        self.domains: dict[str, Domain] = {}
        self.laws: dict[str, Law] = {}
        self.party_kinds: dict[str, PartyKind] = {}
        self.services: dict[str, Service] = {}
        self.categories: dict[str, DataCategory] = {}
        self.provision_rules: dict[str, ProvisionRule] = {}
        self.signals: dict[str, tuple[Signal, ...]] = {}
        self.activities: dict[str, ProcessingActivity] = {}
        #: the closed vocabulary of purpose codes: the core's, then the plugins' (qualified)
        self.purposes: dict[str, Doel] = {d.code: d for d in CORE_PURPOSES}
        self.origin: dict[tuple[str, str], str] = {}  # (section, code) → plugin name
        self.suppliers: dict[str, frozenset[str]] = {}
        self.sociaal: frozenset[str] = frozenset()
        # (category, regime) → qualified provision rule codes, in load order (R17)
        self.provision_basis: dict[tuple[str, str], tuple[str, ...]] = {}
        # (core activity, category) → qualified plugin activity code (R36)
        self.activity_of: dict[tuple[str, str], str] = {}
        #: law and domain codes of plugins the allow/block list switched off (their signals
        #: are silenced, not errors); ``unknown_switched_off`` when a switched-off plugin
        #: could not be asked (a third-party one is never loaded just to read its codes)
        self.switched_off: frozenset[str] = frozenset()
        self.unknown_switched_off = False

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
        return self.pm.hook.wams_key_store(url=url)

    def add_commands(self, cli: click.Group) -> None:
        self.pm.hook.wams_commands(cli=cli)

    def versions(self) -> tuple[tuple[str, str], ...]:
        return tuple((p.name, p.version) for p in self.plugins)


def build(pm: pluggy.PluginManager, infos: dict[str, PluginInfo], *,
          switched_off: frozenset[str] = frozenset(),
          unknown_switched_off: bool = False) -> Catalogue:
    """Call every contribution hook once per plugin, attribute and check what comes back.

    ``switched_off`` are the law and domain codes of plugins the allow/block list excluded
    (see :func:`_check_signals`)."""
    cat = Catalogue(pm, list(infos.values()))
    cat.switched_off, cat.unknown_switched_off = switched_off, unknown_switched_off
    collected: dict[str, list[tuple[str, Any]]] = {}
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
            if plugin in infos:
                infos[plugin].contributions[section] = infos[plugin].contributions.get(
                    section, 0) + len(result)
        collected[section] = items
    _fill(cat, collected)
    _validate(cat)
    return cat


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


def _fill(cat: Catalogue, collected: dict[str, list[tuple[str, Any]]]) -> None:
    def put(section: str, table: dict[str, Any], code: str, plugin: str, record: Any) -> None:
        if code in table:
            first = cat.origin[(section, code)]
            raise CatalogueError(
                f"plugin '{plugin}': {section} '{code}' is al gedeclareerd door plugin "
                f"'{first}'; kies een andere code")
        table[code] = record
        cat.origin[(section, code)] = plugin

    for plugin, d in collected["domains"]:
        put("domains", cat.domains, d.code, plugin, d)
    for plugin, law in collected["laws"]:
        put("laws", cat.laws, law.code, plugin, law)
    qualified: list[tuple[str, dict[str, Any]]] = [
        ("party_kinds", cat.party_kinds), ("services", cat.services),
        ("categories", cat.categories), ("provision_rules", cat.provision_rules),
        ("activities", cat.activities), ("purposes", cat.purposes),
    ]
    for section, table in qualified:
        for plugin, record in collected[section]:
            if section == "purposes":  # its activity is the plugin's own, qualified alike
                record = attrs.evolve(record, activiteit=_qualify(plugin, record.activiteit))
            put(section, table, _qualify(plugin, record.code), plugin, record)
    signals: dict[str, list[Signal]] = {}
    for plugin, s in collected["signals"]:
        signals.setdefault(s.law, []).append(s)
        cat.origin.setdefault(("signals", f"{s.law}:{s.domain}"), plugin)
    cat.signals = {law: tuple(v) for law, v in signals.items()}
    cat.suppliers = {code: frozenset(c.suppliers) for code, c in cat.categories.items()}
    cat.sociaal = frozenset(code for code, d in cat.domains.items() if d.kind == "sociaal")


def _validate(cat: Catalogue) -> None:
    def fail(section: str, code: str, what: str) -> None:
        plugin = cat.origin.get((section, code), "?")
        raise CatalogueError(f"plugin '{plugin}': {section} '{code}': {what}")

    def known_domain(section: str, code: str, domain: str | None) -> None:
        if domain is not None and domain not in cat.domains:
            fail(section, code, f"onbekend domein '{domain}'")

    for code, d in cat.domains.items():
        if d.kind not in DOMAIN_KINDS:
            fail("domains", code, f"soort '{d.kind}' is geen {'/'.join(DOMAIN_KINDS)}")
    for code, law in cat.laws.items():
        if law.kind not in DOMAIN_KINDS:
            fail("laws", code, f"soort '{law.kind}' is geen {'/'.join(DOMAIN_KINDS)}")
        known_domain("laws", code, law.domain)
        for problem in citation_problems(law.provision):
            fail("laws", code, f"bepaling (provision): {problem}")
    for code, pk in cat.party_kinds.items():
        known_domain("party_kinds", code, pk.domain)
    for code, s in cat.services.items():
        known_domain("services", code, s.domain)
        if s.kind not in SERVICE_KINDS:
            fail("services", code, f"soort '{s.kind}' is geen dienst/interventie")
        # R37: no coercion inside the workflow; coercion only as an interventie with its own
        # legal basis (MvT §1.4, §2.2).
        if s.coercive and s.kind == "dienst":
            fail("services", code, "een gedwongen maatregel kan geen dienst zijn (R37); "
                 "declareer hem als interventie met eigen wettelijke grondslag")
        if s.coercive and not s.legal_basis:
            fail("services", code, "een gedwongen interventie noemt haar eigen wettelijke "
                 "grondslag (R37)")
    for code, c in cat.categories.items():
        known_domain("categories", code, c.domain)
        if not c.suppliers:
            fail("categories", code, "geen partijsoort die deze gegevens mag verstrekken (R14)")
        for supplier in c.suppliers:
            if supplier not in cat.party_kinds:
                fail("categories", code, f"verstrekker '{supplier}' is geen bekende partijsoort")
        for special in c.special:
            if special not in SPECIAL_KINDS:
                fail("categories", code, f"bijzondere soort '{special}' is onbekend")
        if c.regime is not None and c.regime not in REGIMES:
            fail("categories", code, f"regime '{c.regime}' is geen {'/'.join(REGIMES)}")
    for code, r in cat.provision_rules.items():
        for cc in r.categories:
            if cc not in cat.categories:
                fail("provision_rules", code, f"onbekende gegevenscategorie '{cc}'")
        for o in r.overrides:
            if o not in OVERRIDABLE:
                fail("provision_rules", code, f"overrides '{o}' is geen "
                     f"{'/'.join(OVERRIDABLE)}")
        if not r.citation:
            fail("provision_rules", code, "geen bron (citation) genoemd")
        for cited in r.citation:
            for problem in citation_problems(cited):
                fail("provision_rules", code, f"bron (citation): {problem}")
        for supplier in r.suppliers:
            if supplier not in cat.party_kinds:
                fail("provision_rules", code,
                     f"verstrekker '{supplier}' is geen bekende partijsoort")
        for cc in r.categories:
            for o in r.overrides:
                if o in REGIMES:
                    cat.provision_basis[(cc, o)] = (*cat.provision_basis.get((cc, o), ()), code)
    _check_signals(cat)
    for code, a in cat.activities.items():
        if a.part_of not in CORE_ACTIVITY_CODES:
            fail("activities", code, f"part_of '{a.part_of}' is geen activiteit van de kern "
                 f"({', '.join(CORE_ACTIVITY_CODES)})")
        for cc in a.categories:
            if cc not in cat.categories:
                fail("activities", code, f"onbekende gegevenscategorie '{cc}'")
            first = cat.activity_of.setdefault((a.part_of, cc), code)
            if first != code:
                fail("activities", code, f"'{cc}' onder '{a.part_of}' wordt al beschreven door "
                     f"'{first}'; één registerregel per verwerking")
    _check_purposes(cat)


def _check_purposes(cat: Catalogue) -> None:
    """A plugin's purpose belongs to one of its own register entries and names no enforcement,
    investigation or prosecution (MvT §1.4, §2.2); only the core declares justice purposes."""
    for code, d in cat.purposes.items():
        plugin = cat.origin.get(("purposes", code))
        if plugin is None:
            continue  # the core's own

        def fail(what: str, code: str = code, plugin: str = plugin) -> None:
            raise CatalogueError(f"plugin '{plugin}': doel '{code}': {what}")

        term = enforcement_term(d.code, d.omschrijving)
        if term is not None:
            fail(f"noemt '{term}': handhaving, opsporing en vervolging zijn geen doel van de "
                 "aanpak (MvT §1.4, §2.2) en kunnen niet worden gedeclareerd")
        if d.justitie:
            fail("alleen de kern declareert de doelen voor justitiepartijen (R12)")
        if cat.origin.get(("activities", d.activiteit)) != plugin:
            fail(f"activiteit '{d.activiteit}' is geen verwerkingsactiviteit van deze plugin "
                 "(wams_processing_activities)")
        if not d.grondslag or not d.grondslag.strip():
            fail("geen grondslag genoemd")
        if not d.omschrijving or not d.omschrijving.strip():
            fail("geen omschrijving")
        for use in d.gebruik:
            if use not in PURPOSE_USES:
                fail(f"gebruik '{use}' is geen {'/'.join(PURPOSE_USES)}")


def _check_signals(cat: Catalogue) -> None:
    """R05: a signal names a law and a domain that a plugin declares.

    A signal pointing nowhere is a startup error (a typo would otherwise silently ask
    nothing). The one exception is a plugin switched off by the allow/block list: its signals
    into the municipality's remaining plugins, and theirs into it, are silenced, because
    switching a plugin off is a municipal choice, not a mistake.
    """
    kept: dict[str, tuple[Signal, ...]] = {}
    for law, sigs in cat.signals.items():
        ok = []
        for s in sigs:
            missing = [(noun, code) for noun, code, table in
                       (("wet", s.law, cat.laws), ("domein", s.domain, cat.domains))
                       if code not in table]
            if not missing:
                ok.append(s)
                continue
            if all(code in cat.switched_off or cat.unknown_switched_off
                   for _noun, code in missing):
                continue
            noun, code = missing[0]
            plugin = cat.origin.get(("signals", f"{s.law}:{s.domain}"), "?")
            raise CatalogueError(
                f"plugin '{plugin}': signaal {s.law} → {s.domain}: onbekende {noun} '{code}'; "
                "geen geladen plugin declareert die (controleer de code)")
        if ok:
            kept[law] = tuple(ok)
    cat.signals = kept


Loader = Callable[[], Catalogue]
