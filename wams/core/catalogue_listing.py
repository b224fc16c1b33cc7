"""The catalogue as plain data, per plugin: what ``wams catalogue``, ``wams plugins`` and
``docs/catalogue.md`` show.

Every code is written as a scenario or another plugin refers to it: qualified
(``wgs.schuldhulpverlener``) for party kinds, services, categories, provision rules and
processing activities; global (``schuldhulp``) for laws and domains.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from wams.core.catalogue import Catalogue
from wams.core.law.citations import Citation
from wams.core.law.purposes import PHASES

#: catalogue section → its Dutch label for people, in listing order
SECTIONS: dict[str, str] = {
    "laws": "wetten",
    "domains": "domeinen",
    "party_kinds": "partijsoorten",
    "services": "diensten en interventies",
    "categories": "gegevenscategorieën",
    "provision_rules": "verstrekkingsregels",
    "signals": "signalen",
    "activities": "verwerkingsactiviteiten",
    "purposes": "doelen",
}


def _plain(value: object) -> object:
    if isinstance(value, Citation):
        return value.labelled()
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _entry(code: str | None, record: Any) -> dict[str, Any]:
    data = {k: _plain(v) for k, v in attrs.asdict(record, recurse=False).items()}
    if code is not None:
        data["code"] = code
    return data


def listing(cat: Catalogue, plugin: str | None = None) -> dict[str, dict[str, list[Any]]]:
    """plugin name → section → entries (dicts of the record's fields, codes as written in
    scenarios), in the order the plugins were loaded. ``plugin`` keeps one plugin."""
    out: dict[str, dict[str, list[Any]]] = {
        p.name: {section: [] for section in SECTIONS} for p in cat.plugins
        if plugin is None or p.name == plugin}
    tables: dict[str, Mapping[str, Any]] = {
        "laws": cat.laws, "domains": cat.domains, "party_kinds": cat.party_kinds,
        "services": cat.services, "categories": cat.categories,
        "provision_rules": cat.provision_rules, "activities": cat.activities,
        "purposes": cat.purposes}
    for section, table in tables.items():
        for code, record in table.items():
            owner = cat.plugin_of(section, code)
            if owner in out:
                out[owner][section].append(_entry(code, record))
    for law, signals in cat.signals.items():
        for s in signals:
            owner = cat.plugin_of("signals", f"{law}:{s.domain}")
            if owner in out:
                out[owner]["signals"].append(_entry(None, s))
    return out


def codes(cat: Catalogue) -> dict[str, list[str]]:
    """section → every code a scenario may use in it (signals as ``law:domain``)."""
    found = {section: sorted(getattr(cat, section)) for section in SECTIONS
             if section != "signals"}
    found["signals"] = sorted(f"{law}:{s.domain}" for law, ss in cat.signals.items() for s in ss)
    return found


def purposes(cat: Catalogue) -> list[dict[str, Any]]:
    """The whole vocabulary of purpose codes, the core's first, each with its owner and the
    case phases it fits (``fasen``; None: its step's own phase rule decides, R19)."""
    return [{**_entry(code, d), "plugin": cat.plugin_of("purposes", code) or "kern",
             "fasen": sorted(PHASES[code]) if code in PHASES else None}
            for code, d in cat.purposes.items()]


__all__ = ["SECTIONS", "codes", "listing", "purposes"]
