"""Check the catalogue codes a scenario names against the catalogue of the loaded plugins.

The loader (:mod:`wams.core.scenario.load`) checks the format alone; whether
``wgs.schuldhulpverlener`` or ``schuldhulp`` exist depends on the plugins installed, so this
check takes a :class:`~wams.core.catalogue.Catalogue`. ``wams scenario check`` and
``wams scenario run`` both apply it, so a file that ``check`` calls valid never stops ``run``
with an unknown party kind.

A step whose ``verwacht`` expects a refusal may name an unknown code on purpose (testing
``entry.law_unknown`` or ``category.undeclared`` is the point of such a step), so its command's
codes are not checked; party kinds in ``partijen`` and the domains of ``verwacht.signalen`` are
always checked.
"""

from __future__ import annotations

from typing import Any

import attrs

from wams.core import commands as c
from wams.core.catalogue import Catalogue
from wams.core.scenario.format import Scenario, ScenarioError, show, suggest

#: (command record, field) → the catalogue section its value must be a code of
CODE_FIELDS: dict[tuple[type, str], str] = {
    (c.Hulpvraag, "wet"): "laws",
    (c.Domein, "domein"): "domains",
    (c.VraagGegevens, "categorie"): "categories",
    (c.Verstrekking, "categorie"): "categories",
    (c.Hergebruik, "categorie"): "categories",
    (c.Inbreng, "categorie"): "categories",
    (c.Dienst, "dienst"): "services",
    (c.Betrokkenheid, "dienst"): "services",
    # purpose codes from the closed vocabulary (core and plugins; ``wams doelen``)
    **{(cls, "doel"): "purposes" for cls in (c.Verzoek, c.BetrekPartij, c.VraagGegevens,
                                             c.Hergebruik, c.Casusoverleg, c.MeldingDoorgeven,
                                             c.Export)},
}
#: section → how an author reads it
_NOUN = {"laws": "wet", "domains": "domein", "categories": "gegevenscategorie",
         "services": "dienst of interventie", "party_kinds": "partijsoort",
         "purposes": "doelcode"}


def check_codes(scenario: Scenario, cat: Catalogue) -> None:
    """Raise a one-line :class:`ScenarioError` for the first code the catalogue lacks."""
    path = scenario.path
    for ref, spec in scenario.header.partijen.items():
        _known(cat, "party_kinds", spec.soort, path, key=f"partijen.{ref}.soort")
    for stap in scenario.stappen:
        where = {"step": stap.n, "action": stap.action}
        if stap.verwacht is not None:
            for i, domain in enumerate(stap.verwacht.signalen, 1):
                _known(cat, "domains", domain, path, key=f"verwacht.signalen[{i}]", **where)
        if stap.verwacht is not None and stap.verwacht.expects_allowed() is not True:
            continue
        if attrs.has(type(stap.command)):
            _walk(cat, stap.command, "", path, where)


def _walk(cat: Catalogue, record: Any, prefix: str, path: str, where: dict[str, Any]) -> None:
    for field in attrs.fields(type(record)):
        value = getattr(record, field.name)
        section = CODE_FIELDS.get((type(record), field.name))
        if section is not None and isinstance(value, str):
            _known(cat, section, value, path, key=prefix + field.name, **where)
        elif isinstance(value, tuple):
            for i, item in enumerate(value, 1):
                if attrs.has(type(item)):
                    _walk(cat, item, f"{prefix}{field.name}[{i}].", path, where)


def _known(cat: Catalogue, section: str, code: str, path: str, **where: Any) -> None:
    table: dict[str, Any] = getattr(cat, section)
    if code in table:
        return
    plugins = ", ".join(p.name for p in cat.plugins) or "geen"
    listing = "wams doelen" if section == "purposes" else "wams catalogue"
    raise ScenarioError(path, f"{show(code)} is geen bekende {_NOUN[section]}"
                              f"{suggest(code, table)}; zie '{listing}' (geladen plugins: "
                              f"{plugins})", **where)


__all__ = ["CODE_FIELDS", "check_codes"]
