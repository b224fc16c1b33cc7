"""The scenario file format (``formaat: 1``): its records and the strict converter behind them.

Scenario files are a public, versioned format written by people (municipal domain experts,
plugin authors), so every mistake must come back as ONE line naming the file, the step and the
key, with what to do about it (docs/scenarios.md).

Why cattrs with one private converter: the records below *are* the format, so the loader, the
JSON Schema (:mod:`wams.core.scenario.schema`) and the runner cannot drift apart. The converter
is stricter than cattrs' defaults on purpose: ``str(5)`` and ``int("5")`` would silently accept
a value the author did not mean (``gemeente: 0363`` is the octal number 243 in YAML), so text
must be text, numbers numbers, and ja/nee ja/nee.

Loading (:func:`load`) lives in :mod:`wams.core.scenario.load`; this module only defines what a
valid file is.
"""

from __future__ import annotations

import datetime as dt
import difflib
import typing
from collections.abc import Mapping
from typing import Any, Literal, NewType

import attrs
import cattrs
from cattrs.errors import IterableValidationError, IterableValidationNote
from cattrs.gen import make_dict_structure_fn

from wams.core import commands as c
from wams.core.checks import VOORWAARDEN
from wams.core.errors import InputError
from wams.core.model import Partij, Persoon, elfproef, normalise_bsn

FORMAAT = 1
RULESET = "wams-2020"

#: A CBS municipality code: four digits, always written as a quoted string.
Gemeentecode = NewType("Gemeentecode", str)
#: A burgerservicenummer: nine digits as a string, checked with the elfproef.
Bsn = NewType("Bsn", str)
#: A scalar municipal setting (``bewaartermijn_maanden: 6``).
Setting = NewType("Setting", object)

Phase = Literal["intake", "beoordeling", "afgewezen", "onderzoek", "werkplan", "coordinatie",
                "afgesloten", "vernietigd"]
Grondslag = Literal["verplicht", "bevoegd", "geen_grondslag"]


class ScenarioError(Exception):
    """A scenario file is not valid. ``str(error)`` is one line: file, step, key, what to do."""

    def __init__(self, file: str, message: str, *, step: int | None = None,
                 action: str | None = None, key: str | None = None) -> None:
        self.file, self.step, self.action, self.key = file, step, action, key
        # One line, whatever the author typed into a value we quote back.
        self.message = " ".join(message.split())
        super().__init__(self.line())

    def line(self) -> str:
        parts = [self.file]
        if self.step is not None:
            parts.append(f"stap {self.step} ({self.action})" if self.action
                         else f"stap {self.step}")
        if self.key:
            parts.append(f"sleutel '{self.key}'")
        line = ": ".join([*parts, self.message])
        # Ids and keys are quoted back as typed; escape what would break the one line.
        return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in line)


class Invalid(ValueError):
    """Raised by the converter's hooks; its text is the Dutch explanation shown to the author."""


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

    formaat: Literal[1]
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
ACTIONS: dict[str, type] = {**c.STEPS, "tijd": Tijd}

#: Closed value sets of plain-text command fields (docs/scenarios.md, "Steps").
CHOICES: dict[tuple[type, str], tuple[str, ...]] = {
    (c.Hulpvraag, "bron"): ("client", "vroegsignalering", "data_analyse", "bestandskoppeling"),
    (c.Verstrekking, "besluit"): ("verstrekt", "gedeeltelijk", "geweigerd"),
    (c.Dienst, "status"): ("lopend", "benodigd"),
    (c.Coordinator, "type"): ("client", "partij", "ambtenaar"),
    (c.Casusoverleg, "bijeengeroepen_door"): ("college", "coordinator"),
    (c.Melder, "soort"): ("burger", "professional", "anoniem"),
    # list fields: every item must be one of these (R16)
    (c.Verstrekking, "voorwaarden"): VOORWAARDEN,
}

#: Plain-text command fields that name a declared id. Fields typed Persoon/Partij are ids too
#: (resolved to full records); these stay strings but must still be declared.
REFS: dict[tuple[type, str], str] = {
    (c.Informeer, "personen"): "persoon",
    (c.VraagGegevens, "over"): "persoon",
    (c.Verstrekking, "bij"): "partij",
    (c.Verstrekking, "over"): "persoon",
    (c.Hergebruik, "over"): "persoon",
    (c.Dienst, "persoon"): "persoon",
    (c.Inbreng, "partij"): "partij_of_college",  # "college": data the college holds itself
    (c.Inbreng, "over"): "persoon",
    (c.Casusoverleg, "deelnemers"): "deelnemer",
    (c.Taak, "partij"): "partij",
    (c.Bijdrage, "partij"): "partij",
    (c.Bezwaar, "persoon"): "persoon",
    (c.BesluitBezwaar, "persoon"): "persoon",
    (c.Inzage, "persoon"): "persoon",
}


def suggest(word: object, options: typing.Iterable[str]) -> str:
    """`` (bedoelde je 'x'?)`` for a near miss, else empty."""
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (bedoelde je '{close[0]}'?)" if close else ""


def show(value: object) -> str:
    """A value quoted back to the author, short and on one line."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def kind(value: object) -> str:
    """The YAML name of a value's type, in Dutch."""
    if value is None:
        return "niets (leeg)"
    for typ, name in ((bool, "ja/nee"), (int, "een getal"), (float, "een getal"),
                      (str, "tekst"), (dt.date, "een datum"), (Mapping, "een mapping"),
                      (list, "een lijst")):
        if isinstance(value, typ):
            return name
    return type(value).__name__


# -- the converter ---------------------------------------------------------------------------


def _text(value: object, _: object) -> str:
    if not isinstance(value, str):
        hint = ("; zet de waarde tussen aanhalingstekens"
                if isinstance(value, (int, float, dt.date)) else "")
        raise Invalid(f"verwacht tekst, kreeg {kind(value)} {show(value)}{hint}")
    return value


def _integer(value: object, _: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"verwacht een geheel getal, kreeg {kind(value)} {show(value)}")
    if value < 0:
        raise Invalid(f"{value} is negatief; geef 0 of meer")
    return value


def _ja_nee(value: object, _: object) -> bool:
    # YAML booleans (true/false, yes/no) and the Dutch words the format is written in.
    if isinstance(value, bool):
        return value
    if value in ("ja", "nee"):
        return value == "ja"
    raise Invalid(f"verwacht ja of nee, kreeg {kind(value)} {show(value)}")


def _date(value: object, _: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise Invalid(f"{show(value)} is geen datum; schrijf JJJJ-MM-DD, bijvoorbeeld 2027-02-01")


def _gemeente(value: object, _: object) -> str:
    if not isinstance(value, str):
        raise Invalid(f"de CBS-gemeentecode moet tekst zijn, kreeg {kind(value)} {show(value)}; "
                      'zet hem tussen aanhalingstekens, bijvoorbeeld gemeente: "0599"')
    if len(value) != 4 or not value.isdigit():
        raise Invalid(f"{show(value)} is geen CBS-gemeentecode; geef vier cijfers, "
                      'bijvoorbeeld "0599"')
    return value


def _bsn(value: object, _: object) -> str:
    if not isinstance(value, str):
        raise Invalid(f"een BSN moet tekst zijn, kreeg {kind(value)}; zet hem tussen "
                      "aanhalingstekens zodat voorloopnullen blijven staan")
    try:
        bsn = normalise_bsn(value)
    except InputError:
        bsn = None
    if bsn is None:
        raise Invalid(f"{show(value)} is geen geldig BSN (negen cijfers die de elfproef "
                      "doorstaan); gebruik een test-BSN zoals '111222333' of laat 'bsn' weg")
    return bsn


def _setting(value: object, _: object) -> object:
    if isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)  # a list of codes (indicatoren_extra)
    if isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str)
                                       for k, v in value.items()):
        return dict(value)  # per party (partij_namen, partij_lees_api)
    raise Invalid(f"een instelling is een getal, tekst, ja/nee, een lijst codes of per partij "
                  "een tekst, kreeg "
                  f"{kind(value)}")


def _ref(record: type) -> typing.Callable[[object, object], object]:
    where = "personen" if record is Persoon else "partijen"

    def structure(value: object, _: object) -> object:
        # A placeholder with only the id; scenario_load resolves it to the declared record.
        if not isinstance(value, str) or not value:
            raise Invalid(f"verwacht een id uit '{where}', kreeg {kind(value)} {show(value)}")
        if record is Persoon:
            return Persoon(ref=value)
        return Partij(ref=value, soort="")
    return structure


def _literal_factory(typ: Any) -> typing.Callable[[object, object], object]:
    options = typing.get_args(typ)

    def structure(value: object, _: object) -> object:
        # ``True == 1``: without the type check ``formaat: true`` would pass as formaat 1.
        for option in options:
            if type(value) is type(option) and value == option:
                return value
        listed = ", ".join(str(o) for o in options)
        raise Invalid(f"{show(value)} is niet toegestaan{suggest(value, map(str, options))}; "
                      f"kies uit: {listed}")
    return structure


def _sequence_factory(typ: Any,
                      converter: cattrs.Converter) -> typing.Callable[[object, object], object]:
    (item_type, _ellipsis) = typing.get_args(typ)

    def structure(value: object, _: object) -> tuple[object, ...]:
        # A bare string is iterable too: 'R22' must not become ('R', '2', '2').
        if not isinstance(value, (list, tuple)):
            raise Invalid(f"verwacht een lijst, kreeg {kind(value)} {show(value)}; "
                          "schrijf [a, b] of één '- a' per regel")
        items, errors = [], []
        for i, item in enumerate(value):
            try:
                items.append(converter.structure(item, item_type))
            except Exception as exc:  # noqa: BLE001 - collected with its index, like cattrs
                exc.__notes__ = [*getattr(exc, "__notes__", []),
                                 IterableValidationNote(f"@ index {i}", i, item_type)]
                errors.append(exc)
        if errors:
            raise IterableValidationError(f"While structuring {typ}", errors, typ)
        return tuple(items)
    return structure


def _mapping_factory(typ: Any,
                     converter: cattrs.Converter) -> typing.Callable[[object, object], object]:
    (_key_type, value_type) = typing.get_args(typ)

    def structure(value: object, _: object) -> dict[str, object]:
        if not isinstance(value, Mapping):
            raise Invalid(f"verwacht een mapping (id: {{...}}), kreeg {kind(value)}")
        result, errors = {}, []
        for key, item in value.items():
            try:
                if (not isinstance(key, str) or not key or key == "college"
                        or any(ch.isspace() or not ch.isprintable() for ch in key)):
                    raise Invalid(f"{show(key)} is geen bruikbaar id; gebruik een woord zonder "
                                  "spaties (en niet 'college', dat is gereserveerd)")
                result[key] = converter.structure(item, value_type)
            except Exception as exc:  # noqa: BLE001 - collected with its key, like cattrs
                exc.__notes__ = [*getattr(exc, "__notes__", []),
                                 IterableValidationNote(f"@ key {key!r}", str(key), value_type)]
                errors.append(exc)
        if errors:
            raise IterableValidationError(f"While structuring {typ}", errors, typ)
        return result
    return structure


def _record_factory(cls: type,
                    converter: cattrs.Converter) -> typing.Callable[[object, object], object]:
    generated: typing.Callable[[Any, Any], Any] = make_dict_structure_fn(
        cls, converter, _cattrs_forbid_extra_keys=True)
    attrs.resolve_types(cls)
    # Commands declare some optional-in-the-format fields without a default (``onderbouwing:
    # str | None``): the author may leave them out to test the refusal, so they default to None.
    nullable = [f.name for f in attrs.fields(cls)
                if f.default is attrs.NOTHING and type(None) in typing.get_args(f.type)]

    def structure(value: object, _: object) -> object:
        if value is None:  # ``vernietig:`` with nothing after it means ``vernietig: {}``
            value = {}
        if not isinstance(value, Mapping):
            raise Invalid(f"verwacht een mapping met sleutels, kreeg {kind(value)} {show(value)}")
        value = dict(value)
        for name in nullable:
            value.setdefault(name, None)
        return generated(value, cls)
    return structure


def ref_record(typ: Any) -> type | None:
    """Persoon/Partij for a field typed ``Persoon | str`` (a record or a bare ref): a scenario
    names a declared id there, and the loader hands the engine the full record."""
    args = set(typing.get_args(typ)) - {type(None)}
    for record in (Persoon, Partij):
        if args == {record, str}:
            return record
    return None


def _is_literal(typ: Any) -> bool:
    return typing.get_origin(typ) is Literal


def _is_sequence(typ: Any) -> bool:
    args = typing.get_args(typ)
    return typing.get_origin(typ) is tuple and len(args) == 2 and args[1] is Ellipsis


def _is_mapping(typ: Any) -> bool:
    return typing.get_origin(typ) is dict


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True)
    for typ, hook in ((str, _text), (int, _integer), (bool, _ja_nee), (dt.date, _date),
                      (Gemeentecode, _gemeente), (Bsn, _bsn), (Setting, _setting),
                      (Persoon, _ref(Persoon)), (Partij, _ref(Partij))):
        conv.register_structure_hook(typ, hook)
    conv.register_structure_hook_factory(_is_literal, _literal_factory)
    conv.register_structure_hook_factory(
        lambda t: ref_record(t) is not None and type(None) not in typing.get_args(t),
        lambda t: _ref(ref_record(t) or Persoon))
    conv.register_structure_hook_factory(_is_sequence, lambda t: _sequence_factory(t, conv))
    conv.register_structure_hook_factory(_is_mapping, lambda t: _mapping_factory(t, conv))
    conv.register_structure_hook_factory(
        lambda t: attrs.has(t) and t not in (Persoon, Partij),
        lambda t: _record_factory(t, conv))
    return conv


#: The one converter for scenario files; private to the scenario modules.
_converter = _make_converter()


def structure(value: object, cls: type) -> Any:
    return _converter.structure(value, cls)


__all__ = ["ACTIONS", "CHOICES", "FORMAAT", "REFS", "RULESET", "Bsn", "Gemeentecode", "Header",
           "Invalid", "PartijSpec", "PersoonSpec", "Scenario", "ScenarioError", "Setting",
           "Stap", "Tijd", "Verwacht", "elfproef", "structure"]
