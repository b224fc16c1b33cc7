"""The scenario file format (``formaat: 2``): its records and the strict converter behind them.

Scenario files are a public, versioned format written by people (municipal domain experts,
plugin authors), so every mistake must come back as ONE line naming the file, the step and the
key, with what to do about it (docs/scenarios.md).

Why cattrs records: the records below *are* the format, so the loader, the JSON Schema
(:mod:`wams.core.scenario.schema`) and the runner cannot drift apart. They are read by the one
converter every edge uses (:mod:`wams.core.intake`: the Python API and the HTTP service too),
which is stricter than cattrs' defaults on purpose: ``str(5)`` and ``int("5")`` would silently
accept a value the author did not mean (``gemeente: 0363`` is the octal number 243 in YAML), so
text must be text, numbers numbers, and ja/nee ja/nee.

Loading (:func:`load`) lives in :mod:`wams.core.scenario.load`; this module only defines what a
valid file is.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import attrs

from wams.core import commands as c
from wams.core import intake
from wams.core.errors import ScenarioError
from wams.core.intake import (
    CHOICES,
    Bsn,
    Gemeentecode,
    Invalid,
    Setting,
    kind,
    show,
    suggest,
)
from wams.core.law.steps import COMMANDS
from wams.core.model import Grondslag, Phase, elfproef

#: 2: purposes are codes (``doel: onderzoek``) with free text under ``toelichting``, and
#: ``melding_doorgeven.aan`` names a party. Files of formaat 1 are refused with what to change:
#: a free-text ``doel`` cannot be mapped to a code without reading the text, which is what
#: formaat 2 exists to stop.
FORMAAT = 2
#: the one-line instruction for a file of an older format
UPGRADE = ("formaat 1 wordt niet meer gelezen: zet 'formaat: 2', schrijf bij elk 'doel' een "
           "doelcode (zie 'wams doelen', bv. onderzoek) en zet de tekst onder 'toelichting'; "
           "hergebruik, casusoverleg en melding_doorgeven noemen nu ook een doel, en "
           "melding_doorgeven.aan is een id uit 'partijen'")
RULESET = "wams-2020"



# -- the file's records --------------------------------------------------------------------


@attrs.frozen
class PersoonSpec:
    """An entry under ``personen``; becomes a :class:`~wams.core.model.Persoon` with ``ref=id``."""

    rol: Literal["client", "gezinslid"]
    relatie: str | None = None
    geboortedatum: dt.date | None = None
    naam: str | None = None
    bsn: Bsn | None = None


@attrs.frozen
class PartijSpec:
    """An entry under ``partijen``; ``soort`` is qualified, ``wgs.schuldhulpverlener``."""

    soort: str
    naam: str | None = None
    hoedanigheid: str | None = None


@attrs.frozen
class Header:
    """Everything of a scenario file except ``stappen``, which are read one by one so that each
    error can name its step."""

    formaat: Literal[2]
    scenario: str
    gemeente: Gemeentecode
    datum: dt.date
    regels: Literal["wams-2020"] = "wams-2020"
    omschrijving: str | None = None
    personen: dict[str, PersoonSpec] = attrs.Factory(dict)
    partijen: dict[str, PartijSpec] = attrs.Factory(dict)
    instellingen: dict[str, Setting] = attrs.Factory(dict)


@attrs.frozen
class Tijd:
    """The ``tijd`` step: moves the scenario's clock forward. Not a command: the runner does it."""

    datum: dt.date | None = None
    dagen: int | None = None


@attrs.frozen
class Verwacht:
    """What a step must yield. Absent keys are not checked; see :meth:`expects_allowed`."""

    toegestaan: bool | None = None
    reden: str | None = None
    fase: Phase | None = None
    werkplan: Grondslag | None = None
    citeert: tuple[str, ...] = ()
    verwerkingen: int | None = None
    verwerkingen_min: int | None = None
    signalen: tuple[str, ...] = ()
    #: R20: whether the step's free text earns a warning for the FG (formaat 2)
    waarschuwing: bool | None = None

    def expects_allowed(self) -> bool | None:
        """``toegestaan`` if given; else allowed, unless a refusal code is expected (then the
        code alone decides)."""
        if self.toegestaan is not None:
            return self.toegestaan
        if self.reden is not None and self.reden != "ok":
            return None
        return True


@attrs.frozen
class Stap:
    """One step: ``n`` counts from 1, ``action`` is the scenario key (``vraag_gegevens``) and
    ``command`` the record to execute, with persons and parties already resolved."""

    n: int
    action: str
    command: Any
    verwacht: Verwacht | None = None


@attrs.frozen
class Scenario:
    path: str
    header: Header
    stappen: tuple[Stap, ...]

    @property
    def title(self) -> str:
        return self.header.scenario


#: step key → record class; ``tijd`` is the runner's own step.
ACTIONS: dict[str, type] = {**COMMANDS, "tijd": Tijd}

#: Plain-text command fields that name a declared id (their ``metadata`` in
#: :mod:`wams.core.commands` says of what). Fields typed Persoon/Partij are ids too (resolved to
#: full records); these stay strings but must still be declared.
REFS: dict[tuple[type, str], str] = {
    (cls, f.name): f.metadata[c.REF]
    for cls in (*COMMANDS.values(), c.Inbreng) for f in attrs.fields(cls) if c.REF in f.metadata
}


def structure(value: object, cls: type) -> Any:
    """A scenario record from YAML, through the one converter (:mod:`wams.core.intake`), with
    the format's spelling of booleans (ja/nee)."""
    with intake.scenario_words():
        return intake.structure(value, cls)


__all__ = ["ACTIONS", "CHOICES", "FORMAAT", "REFS", "RULESET", "Bsn", "Gemeentecode", "Header",
           "Invalid", "PartijSpec", "PersoonSpec", "Scenario", "ScenarioError", "Setting",
           "Stap", "Tijd", "Verwacht", "elfproef", "kind", "show", "structure", "suggest"]
