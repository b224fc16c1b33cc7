"""One way in: the one converter that turns what a caller sent into a command record.

Every edge builds its commands here: the Python API (:class:`wams.api.Wams`'s step methods),
the scenario loader and the HTTP service. One converter means one set of rules for what a value
may be, whichever edge it came through: text must be text, numbers numbers, ja/nee ja/nee
(``str(5)`` or ``int("5")`` would accept a value the caller did not mean), a closed value set
is checked, an unknown key is refused with a suggestion, and every record is built by its own
class, so the attrs converters and validators run (``Persoon.bsn``'s normalisation and
elfproef, R36). Without that, a BSN that fails the elfproef once opened a case over HTTP that
could never be read again.

A person or party is a full record (a mapping, or a :class:`~wams.core.model.Persoon` /
:class:`~wams.core.model.Partij` from Python) or, where the step allows it, a bare ref (a
string). A string in a field that needs a full record becomes a placeholder with only the
ref: the scenario loader resolves it against the file's ``personen`` and ``partijen``; the
service and the Python API take a person's ref as the whole person (``{"ref": "jan"}``) and
refuse a party without its kind (:func:`command`).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import difflib
import functools
import typing
from collections.abc import Iterator, Mapping
from typing import Any, Literal, NewType

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    BaseValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn

from wams.core import commands as c
from wams.core.caller_text import opaque_ref, unicode_text
from wams.core.errors import InputError, Invalid
from wams.core.gemeente import is_gemeente
from wams.core.law.checks import VOORWAARDEN
from wams.core.law.steps import COMMANDS
from wams.core.model import Partij, Persoon, normalise_bsn

#: A CBS municipality code: four digits, always written as a quoted string.
Gemeentecode = NewType("Gemeentecode", str)
#: A burgerservicenummer: nine digits as a string, checked with the elfproef.
Bsn = NewType("Bsn", str)
#: A scalar municipal setting (``bewaartermijn_maanden: 6``).
Setting = NewType("Setting", object)


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
    return unicode_text(value)


def _integer(value: object, _: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"verwacht een geheel getal, kreeg {kind(value)} {show(value)}")
    if value < 0:
        raise Invalid(f"{value} is negatief; geef 0 of meer")
    return value


def _ja_nee(value: object, _: object) -> bool:
    # JSON and Python booleans; a scenario file may also write the Dutch words it is written
    # in (ja/nee: YAML does not know them), and only a scenario file (scenario_words).
    if isinstance(value, bool):
        return value
    if _SCENARIO_WORDS.get() and value in ("ja", "nee"):
        return value == "ja"
    raise Invalid(f"verwacht ja of nee (true of false), kreeg {kind(value)} {show(value)}")


#: whether booleans may be spelled ja/nee (the scenario format's words; never over HTTP or
#: from Python, where "nee" is a string and a string is not a boolean)
_SCENARIO_WORDS: contextvars.ContextVar[bool] = contextvars.ContextVar("scenario_words",
                                                                       default=False)


@contextlib.contextmanager
def scenario_words() -> Iterator[None]:
    """Within this block booleans may be written ja/nee (the scenario loader's block)."""
    token = _SCENARIO_WORDS.set(True)
    try:
        yield
    finally:
        _SCENARIO_WORDS.reset(token)


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
    if not is_gemeente(value):
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
                exc.add_note(IterableValidationNote(f"@ index {i}", i, item_type))
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
                exc.add_note(IterableValidationNote(f"@ key {key!r}", str(key), value_type))
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
        if isinstance(value, cls):  # built in Python: checked again, field by field
            value = {f.name: getattr(value, f.name) for f in attrs.fields(cls)}
        if not isinstance(value, Mapping):
            raise Invalid(f"verwacht een mapping met sleutels, kreeg {kind(value)} {show(value)}")
        value = dict(value)
        for name in nullable:
            value.setdefault(name, None)
        return generated(value, cls)
    return structure


def _is_literal(typ: Any) -> bool:
    return typing.get_origin(typ) is Literal


def _is_sequence(typ: Any) -> bool:
    args = typing.get_args(typ)
    return typing.get_origin(typ) is tuple and len(args) == 2 and args[1] is Ellipsis


def _is_mapping(typ: Any) -> bool:
    return typing.get_origin(typ) is dict


# -- persons and parties ---------------------------------------------------------------------


def placeholder(record: type, ref: str) -> Any:
    """A person or party named by its ref only (what a string in a record field becomes)."""
    return Persoon(ref=ref) if record is Persoon else Partij(ref=ref, soort="")


def is_placeholder(value: object) -> bool:
    return isinstance(value, (Persoon, Partij)) and value == placeholder(type(value), value.ref)


@functools.cache  # asked for every field of every step of an archive's records
def ref_record(typ: Any) -> type | None:
    """Persoon/Partij for a field typed ``Persoon | str`` (a record or a bare ref)."""
    args = set(typing.get_args(typ)) - {type(None)}
    for record in (Persoon, Partij):
        if args == {record, str}:
            return record
    return None


def _ref(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"verwacht een id uit '{where}' of een volledig record, kreeg "
                      f"{kind(value)} {show(value)}")
    return unicode_text(value)


def _person_or_party(record: type, converter: cattrs.Converter, *, bare_ref: bool,
                     ) -> typing.Callable[[object, object], object]:
    """A Persoon/Partij: a record as is (Python), a mapping built by the class itself (so its
    converters run: BSN normalisation and elfproef), or a string: the bare ref where the field
    allows one (``bare_ref``), else a placeholder."""
    where = "personen" if record is Persoon else "partijen"
    build = _record_factory(record, converter)

    def structure(value: object, _: object) -> object:
        if isinstance(value, (record, Mapping)):
            try:
                built = build(value, record)
            except InputError as exc:  # raised by the class's own converter (normalise_bsn)
                raise Invalid(str(exc)) from None
            if record is Persoon:
                opaque_ref(built.ref)  # type: ignore[attr-defined]
            return built
        ref = _ref(value, where)
        if record is Persoon:
            opaque_ref(ref)
        return ref if bare_ref else placeholder(record, ref)
    return structure


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True)
    for typ, hook in ((str, _text), (int, _integer), (bool, _ja_nee), (dt.date, _date),
                      (Gemeentecode, _gemeente), (Bsn, _bsn), (Setting, _setting)):
        conv.register_structure_hook(typ, hook)
    for record in (Persoon, Partij):
        conv.register_structure_hook(record, _person_or_party(record, conv, bare_ref=False))
    conv.register_structure_hook_factory(_is_literal, _literal_factory)
    conv.register_structure_hook_factory(
        lambda t: ref_record(t) is not None and type(None) not in typing.get_args(t),
        lambda t: _person_or_party(ref_record(t) or Persoon, conv, bare_ref=True))
    conv.register_structure_hook_factory(_is_sequence, lambda t: _sequence_factory(t, conv))
    conv.register_structure_hook_factory(_is_mapping, lambda t: _mapping_factory(t, conv))
    conv.register_structure_hook_factory(
        lambda t: attrs.has(t) and t not in (Persoon, Partij),
        lambda t: _record_factory(t, conv))
    return conv


#: The one converter; every edge goes through :func:`structure` or :func:`command`.
_converter = _make_converter()


def structure(value: object, cls: type) -> Any:
    """``value`` as a ``cls`` record, or the converter's error (see :func:`explain`)."""
    return _converter.structure(value, cls)


# -- errors → one line ---------------------------------------------------------------------


def first_leaf(exc: BaseException) -> tuple[list[str | int], BaseException]:
    """The path to the first real error in cattrs' exception groups. An unknown key is
    reported before a missing one: ``overr`` next to a missing ``over`` is one typo."""
    keys: list[str | int] = []
    # cattrs' groups (ClassValidationError, IterableValidationError); on 3.10 they come
    # from the exceptiongroup backport, hence BaseValidationError rather than the builtin.
    while isinstance(exc, BaseValidationError) and exc.exceptions:
        exc = min(exc.exceptions, key=lambda e: not isinstance(e, ForbiddenExtraKeysError))
        for note in getattr(exc, "__notes__", ()):
            if isinstance(note, AttributeValidationNote):
                keys.append(note.name)
            elif isinstance(note, IterableValidationNote):
                keys.append(note.index)
    return keys, exc


def explain(leaf: BaseException, more_keys: typing.Sequence[str] = ()) -> tuple[str, str | None]:
    """The Dutch sentence for a converter error, and the offending key where the error is an
    unknown one (``more_keys``: keys the record's reader allows beyond its fields)."""
    if isinstance(leaf, ForbiddenExtraKeysError):
        extra = min(leaf.extra_fields, key=str)
        options = [*(f.name for f in attrs.fields(leaf.cl)), *more_keys]
        # ``{omschrijving: a, b}`` makes ``b`` a key: the usual cause of a key with spaces.
        comma = ((" (een komma binnen {...} begint een nieuwe sleutel: zet tekst met een komma "
                  "tussen aanhalingstekens)") if isinstance(extra, str) and " " in extra else "")
        message = (f"onbekende sleutel{suggest(extra, options)}{comma}; verwijder hem of "
                   f"verbeter de naam (toegestaan: {', '.join(options)})")
        return message, str(extra)
    if isinstance(leaf, (Invalid, InputError)):
        return str(leaf), None
    if isinstance(leaf, KeyError):
        return "ontbreekt; voeg hem toe", None
    return f"ongeldige waarde ({leaf.__class__.__name__}: {leaf})", None


def join_key(keys: typing.Iterable[str | int]) -> str:
    """``inbreng[2].partij``: list items counted from 1, like the steps."""
    out = ""
    for key in keys:
        if isinstance(key, int):
            out += f"[{key + 1}]"
        elif key:
            out += f".{key}" if out else str(key)
    return out


def bad_choice(record: Any, prefix: str = "") -> tuple[str, str] | None:
    """The first value outside its closed set (:data:`CHOICES`) in ``record`` and its nested
    records: (key, sentence), or None."""
    for field in attrs.fields(type(record)):
        value = getattr(record, field.name)
        options = CHOICES.get((type(record), field.name))
        items = value if isinstance(value, tuple) else (value,)
        for i, item in enumerate(items, start=1):
            if options and item is not None and item not in options:
                key = prefix + field.name + (f"[{i}]" if isinstance(value, tuple) else "")
                return key, (f"{show(item)} is niet toegestaan{suggest(item, options)}; "
                             f"kies uit: {', '.join(options)}")
        nested = value if isinstance(value, tuple) else (value,)
        for i, item in enumerate(nested, start=1):
            if attrs.has(type(item)) and not isinstance(item, (Persoon, Partij)):
                where = f"{prefix}{field.name}" + (f"[{i}]" if isinstance(value, tuple) else "")
                found = bad_choice(item, where + ".")
                if found:
                    return found
    return None


def command(step: str, data: object) -> Any:
    """The command record of ``step`` from ``data`` (a mapping of the step's keys, as a
    JSON body or the Python API's keywords carry them), or one :class:`InputError` line
    naming the key. Persons and parties that enter the case are full records here."""
    cls = COMMANDS.get(step)
    if cls is None:
        raise InputError(f"onbekende stap {show(step)}{suggest(step, COMMANDS)}")
    try:
        record = structure(data, cls)
    except Exception as exc:  # noqa: BLE001 - every converter failure becomes one line
        keys, leaf = first_leaf(exc)
        message, extra = explain(leaf)
        key = join_key([*keys, extra] if extra is not None else keys)
        raise InputError(f"sleutel '{key}': {message}" if key else message) from None
    found = bad_choice(record)
    if found is None:
        found = _placeholder_in(record)
    if found is not None:
        raise InputError(f"sleutel '{found[0]}': {found[1]}")
    return record


def _placeholder_in(record: Any, prefix: str = "") -> tuple[str, str] | None:
    # Outside a scenario nothing resolves a bare ref where a party enters: its kind is needed
    # (a person with only a ref is a whole record: {"ref": "jan"}).
    for field in attrs.fields(type(record)):
        value = getattr(record, field.name)
        if isinstance(value, Partij) and is_placeholder(value):
            return prefix + field.name, (f"noem hier de volledige partij ({{ref, soort, ...}}), "
                                         f"niet alleen {show(value.ref)}")
    return None


__all__ = ["CHOICES", "Bsn", "Gemeentecode", "Invalid", "Setting", "bad_choice", "command",
           "explain", "first_leaf", "is_placeholder", "join_key", "kind", "placeholder",
           "ref_record", "scenario_words", "show", "structure", "suggest"]
