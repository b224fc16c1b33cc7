"""The startup checks of the catalogue, and the lookup tables derived from what they passed.

:func:`check` reads the collected tables and changes nothing: a record that breaks a rule is a
:class:`~wams.core.errors.CatalogueError` naming its plugin, section and code. Each section has
one check function that yields its problems (the first one is reported), so a rule lives in one
place and adding a section is adding a function to :data:`CHECKS`. The derived tables (the
provision basis per category and regime, the register entry per activity and category, the
signals kept after a plugin was switched off) are built by their own functions, after the
checks, from the same read-only tables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs

from wams.core.errors import CatalogueError
from wams.core.law.citations import problems as citation_problems
from wams.core.law.purposes import enforcement_term
from wams.core.law.records import (
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
    Law,
    PartyKind,
    ProcessingActivity,
    ProvisionRule,
    Service,
    Signal,
)


@attrs.frozen
class Tables:
    """What the plugins declared, by section and (qualified) code, before any check; the
    signals by law in load order; ``origin`` is the plugin of each (section, code)."""

    domains: Mapping[str, Domain]
    laws: Mapping[str, Law]
    party_kinds: Mapping[str, PartyKind]
    services: Mapping[str, Service]
    categories: Mapping[str, DataCategory]
    provision_rules: Mapping[str, ProvisionRule]
    activities: Mapping[str, ProcessingActivity]
    purposes: Mapping[str, Doel]
    signals: Mapping[str, tuple[Signal, ...]]
    origin: Mapping[tuple[str, str], str]


Problems = Iterator[str]


def _kind(kind: str, allowed: tuple[str, ...]) -> Problems:
    if kind not in allowed:
        yield f"soort '{kind}' is geen {'/'.join(allowed)}"


def _domain(t: Tables, domain: str | None) -> Problems:
    if domain is not None and domain not in t.domains:
        yield f"onbekend domein '{domain}'"


def _party_kinds(t: Tables, suppliers: tuple[str, ...] | frozenset[str]) -> Problems:
    for supplier in suppliers:
        if supplier not in t.party_kinds:
            yield f"verstrekker '{supplier}' is geen bekende partijsoort"


def _categories(t: Tables, categories: tuple[str, ...] | frozenset[str]) -> Problems:
    for category in categories:
        if category not in t.categories:
            yield f"onbekende gegevenscategorie '{category}'"


def check_domain(t: Tables, d: Domain) -> Problems:
    yield from _kind(d.kind, DOMAIN_KINDS)


def check_law(t: Tables, law: Law) -> Problems:
    yield from _kind(law.kind, DOMAIN_KINDS)
    yield from _domain(t, law.domain)
    for problem in citation_problems(law.provision):
        yield f"bepaling (provision): {problem}"


def check_party_kind(t: Tables, pk: PartyKind) -> Problems:
    yield from _domain(t, pk.domain)


def check_service(t: Tables, s: Service) -> Problems:
    yield from _domain(t, s.domain)
    if s.kind not in SERVICE_KINDS:
        yield f"soort '{s.kind}' is geen dienst/interventie"
    # R37: no coercion inside the workflow; coercion only as an interventie with its own
    # legal basis (MvT §1.4, §2.2).
    if s.coercive and s.kind == "dienst":
        yield ("een gedwongen maatregel kan geen dienst zijn (R37); declareer hem als "
               "interventie met eigen wettelijke grondslag")
    if s.coercive and not s.legal_basis:
        yield "een gedwongen interventie noemt haar eigen wettelijke grondslag (R37)"


def check_category(t: Tables, c: DataCategory) -> Problems:
    yield from _domain(t, c.domain)
    if not c.suppliers:
        yield "geen partijsoort die deze gegevens mag verstrekken (R14)"
    yield from _party_kinds(t, c.suppliers)
    for special in c.special:
        if special not in SPECIAL_KINDS:
            yield f"bijzondere soort '{special}' is onbekend"
    if c.regime is not None and c.regime not in REGIMES:
        yield f"regime '{c.regime}' is geen {'/'.join(REGIMES)}"


def check_provision_rule(t: Tables, r: ProvisionRule) -> Problems:
    yield from _categories(t, r.categories)
    for o in r.overrides:
        if o not in OVERRIDABLE:
            yield f"overrides '{o}' is geen {'/'.join(OVERRIDABLE)}"
    if not r.citation:
        yield "geen bron (citation) genoemd"
    for cited in r.citation:
        for problem in citation_problems(cited):
            yield f"bron (citation): {problem}"
    yield from _party_kinds(t, r.suppliers)


def check_activity(t: Tables, a: ProcessingActivity) -> Problems:
    if a.part_of not in CORE_ACTIVITY_CODES:
        yield (f"part_of '{a.part_of}' is geen activiteit van de kern "
               f"({', '.join(CORE_ACTIVITY_CODES)})")
    yield from _categories(t, a.categories)


def check_purpose(t: Tables, d: Doel, plugin: str) -> Problems:
    """A plugin's purpose belongs to one of its own register entries and names no
    enforcement, investigation or prosecution (MvT §1.4, §2.2); only the core declares
    justice purposes."""
    term = enforcement_term(d.code, d.omschrijving)
    if term is not None:
        yield (f"noemt '{term}': handhaving, opsporing en vervolging zijn geen doel van de "
               "aanpak (MvT §1.4, §2.2) en kunnen niet worden gedeclareerd")
    if d.justitie:
        yield "alleen de kern declareert de doelen voor justitiepartijen (R12)"
    if t.origin.get(("activities", d.activiteit)) != plugin:
        yield (f"activiteit '{d.activiteit}' is geen verwerkingsactiviteit van deze plugin "
               "(wams_processing_activities)")
    if not d.grondslag or not d.grondslag.strip():
        yield "geen grondslag genoemd"
    if not d.omschrijving or not d.omschrijving.strip():
        yield "geen omschrijving"
    for use in d.gebruik:
        if use not in PURPOSE_USES:
            yield f"gebruik '{use}' is geen {'/'.join(PURPOSE_USES)}"


#: section → (its table, its check), in the order the sections are checked
CHECKS: tuple[tuple[str, Callable[[Tables], Mapping[str, Any]],
                    Callable[[Tables, Any], Problems]], ...] = (
    ("domains", lambda t: t.domains, check_domain),
    ("laws", lambda t: t.laws, check_law),
    ("party_kinds", lambda t: t.party_kinds, check_party_kind),
    ("services", lambda t: t.services, check_service),
    ("categories", lambda t: t.categories, check_category),
    ("provision_rules", lambda t: t.provision_rules, check_provision_rule),
    ("activities", lambda t: t.activities, check_activity),
)


def check(t: Tables) -> None:
    """Every record of every section against its rules; the first problem is a
    :class:`CatalogueError` naming the plugin, the section and the code."""
    for section, table, check_record in CHECKS:
        for code, record in table(t).items():
            _first(t, section, code, check_record(t, record))
    for code, purpose in t.purposes.items():
        plugin = t.origin.get(("purposes", code))
        if plugin is not None:  # the core's own purposes are not a plugin's declaration
            for problem in check_purpose(t, purpose, plugin):
                raise CatalogueError(f"plugin '{plugin}': doel '{code}': {problem}")


def _first(t: Tables, section: str, code: str, problems: Problems) -> None:
    for problem in problems:
        plugin = t.origin.get((section, code), "?")
        raise CatalogueError(f"plugin '{plugin}': {section} '{code}': {problem}")


# -- derived tables ---------------------------------------------------------------------------


def provision_basis(t: Tables) -> dict[tuple[str, str], tuple[str, ...]]:
    """(category, regime) → the qualified provision rules that lift it, in load order (R17)."""
    basis: dict[tuple[str, str], tuple[str, ...]] = {}
    for code, rule in t.provision_rules.items():
        for category in rule.categories:
            for regime in rule.overrides:
                if regime in REGIMES:
                    basis[(category, regime)] = (*basis.get((category, regime), ()), code)
    return basis


def activity_of(t: Tables) -> dict[tuple[str, str], str]:
    """(core activity, category) → the plugin activity that describes it in the register
    (R36); two activities for one pair is a startup error: one register line per processing."""
    found: dict[tuple[str, str], str] = {}
    for code, a in t.activities.items():
        for category in a.categories:
            first = found.setdefault((a.part_of, category), code)
            if first != code:
                _first(t, "activities", code, iter([
                    f"'{category}' onder '{a.part_of}' wordt al beschreven door '{first}'; "
                    "één registerregel per verwerking"]))
    return found


def kept_signals(t: Tables, switched_off: frozenset[str],
                 unknown_switched_off: bool) -> dict[str, tuple[Signal, ...]]:
    """R05: the signals that stay, each naming a law and a domain a plugin declares.

    A signal pointing nowhere is a startup error (a typo would otherwise silently ask
    nothing). The one exception is a plugin switched off by the allow/block list: its signals
    into the municipality's remaining plugins, and theirs into it, are left out, because
    switching a plugin off is a municipal choice, not a mistake.
    """
    kept: dict[str, tuple[Signal, ...]] = {}
    for law, signals in t.signals.items():
        ok = []
        for s in signals:
            missing = [(noun, code) for noun, code, table in
                       (("wet", s.law, t.laws), ("domein", s.domain, t.domains))
                       if code not in table]
            if not missing:
                ok.append(s)
                continue
            if all(code in switched_off or unknown_switched_off for _noun, code in missing):
                continue
            noun, code = missing[0]
            plugin = t.origin.get(("signals", f"{s.law}:{s.domain}"), "?")
            raise CatalogueError(
                f"plugin '{plugin}': signaal {s.law} → {s.domain}: onbekende {noun} '{code}'; "
                "geen geladen plugin declareert die (controleer de code)")
        if ok:
            kept[law] = tuple(ok)
    return kept
