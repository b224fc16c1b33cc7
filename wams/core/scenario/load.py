"""Load a scenario file strictly: YAML → records → command records ready to execute.

Every problem becomes a :class:`ScenarioError` of one line (file, step, key, what to do). The
header and each step are structured separately so the error can say *which* step; list items
inside a step are counted from 1, like the steps (``inbreng[2].partij`` is the second item).
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import yaml

from wams.core import commands as c
from wams.core import settings
from wams.core.errors import InputError
from wams.core.intake import bad_choice, explain, first_leaf, is_placeholder, join_key, ref_record
from wams.core.law.checks import INDICATOREN
from wams.core.model import Partij, Persoon
from wams.core.scenario.format import (
    ACTIONS,
    FORMAAT,
    REFS,
    UPGRADE,
    Header,
    Scenario,
    ScenarioError,
    Stap,
    Tijd,
    Verwacht,
    kind,
    show,
    structure,
    suggest,
)

#: Input limits (documented in docs/scenarios.md): far above any real scenario (the bundled
#: library's largest file is 4 kB and 24 steps), low enough that checking a hostile file stays
#: fast and small. Above a limit: one line, exit 2.
MAX_BYTES = 256_000
MAX_STEPS = 1_000
MAX_DEPTH = 20


class _Unsupported(yaml.composer.ComposerError):
    """A limit of the format, not a YAML syntax error: reported without the syntax hint."""


class _NoDuplicateKeys:
    """Refuses a key written twice in one mapping: PyYAML would silently keep the last one,
    dropping e.g. the first of two ``vraag_gegevens`` in one step."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[object] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[attr-defined]
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key; the format will refuse it later
                continue
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None, None, f"sleutel {key!r} staat twee keer in dezelfde mapping",
                    key_node.start_mark)
        mapping: dict[Any, Any] = super().construct_mapping(  # type: ignore[misc]
            node, deep=deep)
        return mapping


def _refuse(event: Any, open_: list[int | None]) -> None:
    """Raise for a node that breaks a limit of the format: an alias (a few lines of aliases
    can expand to gigabytes when converted), the item after :data:`MAX_STEPS` in a list
    (stopped before the whole list is built), nesting deeper than :data:`MAX_DEPTH` (PyYAML
    composes recursively: deep nesting would be a RecursionError). ``open_``: per collection
    the node is in, outermost first, the items a list has so far (None: a mapping)."""
    mark = event.start_mark
    if isinstance(event, yaml.AliasEvent):
        raise _Unsupported(None, None, "ankers en aliassen (&naam, *naam) worden niet "
                           "ondersteund; schrijf de waarde uit", mark)
    if open_ and open_[-1] is not None:
        if open_[-1] >= MAX_STEPS:
            raise _Unsupported(
                None, None, f"een lijst met meer dan {MAX_STEPS} elementen; een scenario heeft "
                f"hoogstens {MAX_STEPS} stappen: splits het in meerdere bestanden", mark)
        open_[-1] += 1
    if len(open_) + 1 > MAX_DEPTH:
        raise _Unsupported(None, None, f"dieper genest dan {MAX_DEPTH} niveaus; een scenario "
                           "heeft zo'n diepte nooit nodig", mark)


class _StrictLoader(_NoDuplicateKeys, yaml.SafeLoader):
    """PyYAML's own SafeLoader (where libyaml is missing), checking the limits of
    :func:`_refuse` while it composes, before each node is built."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._open: list[int | None] = []

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]  # untyped in the stubs
        _refuse(event, self._open)
        self._open.append(0 if isinstance(event, yaml.SequenceStartEvent) else None)
        try:
            return super().compose_node(parent, index)
        finally:
            self._open.pop()


#: libyaml's parser and composer (PyYAML's C extension, part of every PyYAML wheel): it reads
#: a bundled scenario in 0.7 ms where PyYAML's own took 4.9 ms, a quarter of a
#: ``wams scenario run --bundled``. It composes in C, where no limit can be checked while it
#: composes, so :func:`_check_limits` reads its events first (a flat stream: nothing nested
#: is built before its depth is known). The constructor is PyYAML's, in Python, either way.
_C_LOADER = getattr(yaml, "CSafeLoader", None)


def _check_limits(text: str) -> None:
    assert _C_LOADER is not None, "only where libyaml is installed"
    open_: list[int | None] = []
    for event in yaml.parse(text, Loader=_C_LOADER):
        if isinstance(event, yaml.CollectionEndEvent):
            open_.pop()
        elif isinstance(event, yaml.NodeEvent):
            _refuse(event, open_)
            if isinstance(event, yaml.CollectionStartEvent):
                open_.append(0 if isinstance(event, yaml.SequenceStartEvent) else None)


def _parse(text: str) -> Any:
    if _C_LOADER is not None:
        try:
            _check_limits(text)
            return yaml.load(text, Loader=_StrictCLoader)
        except yaml.YAMLError:
            # A file libyaml refuses is read again by PyYAML's own loader, so the line a user
            # gets is the one it always was (libyaml words its errors differently, and stops
            # nesting at 1,000 levels while scanning ahead, before this format's 20 are seen).
            pass
    return yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass


if _C_LOADER is not None:
    class _StrictCLoader(_NoDuplicateKeys, _C_LOADER):  # type: ignore[misc,valid-type]
        """libyaml's SafeLoader, refusing a key written twice (the limits: _check_limits)."""


def load(path: str | Path) -> Scenario:
    """Read and validate one scenario file."""
    name = str(path)
    try:
        size = Path(path).stat().st_size
        if size > MAX_BYTES:
            raise ScenarioError(name, f"het bestand is {size} bytes; een scenario is hoogstens "
                                      f"{MAX_BYTES} bytes: splits het in meerdere bestanden")
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(name, f"kan niet gelezen worden ({exc.__class__.__name__}: "
                                  f"{getattr(exc, 'strerror', None) or exc}); "
                                  "controleer het pad") from None
    return loads(text, name)


def loads(text: str, path: str = "<scenario>") -> Scenario:
    """Validate a scenario given as YAML text; ``path`` is only used in messages."""
    if len(text) > MAX_BYTES:
        raise ScenarioError(path, f"de tekst is {len(text)} tekens; een scenario is hoogstens "
                                  f"{MAX_BYTES} bytes: splits het in meerdere bestanden")
    try:
        data = _parse(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"regel {mark.line + 1}, kolom {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        if isinstance(exc, _Unsupported):
            raise ScenarioError(path, f"{where}{problem}") from None
        raise ScenarioError(path, f"{where}geen geldige YAML ({problem}); controleer inspringing, "
                                  "dubbele punten en aanhalingstekens") from None
    return from_data(data, path)


def from_data(data: object, path: str = "<scenario>") -> Scenario:
    """Validate an already parsed scenario (a mapping as YAML gives it)."""
    if not isinstance(data, Mapping):
        raise ScenarioError(path, f"het bestand bevat {kind(data)}, geen scenario; begin met "
                                  f"'formaat: {FORMAAT}' en de andere sleutels uit "
                                  "docs/scenarios.md")
    raw = dict(data)
    if type(raw.get("formaat")) is int and raw["formaat"] < FORMAAT:
        raise ScenarioError(path, UPGRADE, key="formaat")
    steps_raw = raw.pop("stappen", None)
    header: Header = _structure(raw, Header, path)
    if "stappen" not in data:
        raise ScenarioError(path, "ontbreekt; voeg een lijst 'stappen' toe", key="stappen")
    if not isinstance(steps_raw, list) or not steps_raw:
        raise ScenarioError(path, f"verwacht een lijst met minstens één stap, kreeg "
                                  f"{kind(steps_raw)}; schrijf '- hulpvraag: {{...}}'",
                            key="stappen")
    if len(steps_raw) > MAX_STEPS:
        raise ScenarioError(path, f"{len(steps_raw)} stappen; een scenario heeft er hoogstens "
                                  f"{MAX_STEPS}: splits het in meerdere bestanden",
                            key="stappen")
    _check_ids(header, path)
    for key, value in header.instellingen.items():
        try:
            settings.check(key, value)
        except InputError as exc:
            raise ScenarioError(path, f"{exc}", key=f"instellingen.{key}") from None
    refs = _Refs(header, path)
    clock = header.datum
    steps = []
    extra = header.instellingen.get(settings.INDICATOREN_EXTRA)
    indicatoren = (*INDICATOREN, *(extra if isinstance(extra, tuple) else ()))
    for n, raw_step in enumerate(steps_raw, start=1):
        step = _step(raw_step, n, path, refs, clock)
        _check_indicatoren(step, indicatoren, path)
        if isinstance(step.command, Tijd):
            try:
                clock = step.command.datum or clock + dt.timedelta(days=step.command.dagen or 0)
            except OverflowError:
                raise ScenarioError(path, f"{step.command.dagen} dagen na {clock} valt buiten de "
                                    "kalender; neem een kleiner aantal dagen", step=n,
                                    action="tijd", key="dagen") from None
        steps.append(step)
    return Scenario(path=path, header=header, stappen=tuple(steps))


# -- one step ----------------------------------------------------------------------------------


def _step(raw: object, n: int, path: str, refs: _Refs, clock: dt.date) -> Stap:
    if not isinstance(raw, Mapping):
        raise ScenarioError(path, f"een stap is een mapping met één actie, kreeg {kind(raw)} "
                                  f"{show(raw)}; schrijf '- hulpvraag: {{...}}'", step=n)
    actions = [k for k in raw if k != "verwacht"]
    for key in actions:
        if key not in ACTIONS:
            raise ScenarioError(path, f"onbekende stap{suggest(key, ACTIONS)}; kies uit "
                                      f"{', '.join(ACTIONS)}", step=n, key=str(key))
    if not actions:
        raise ScenarioError(path, "de stap heeft geen actie; een stap heeft precies één actie, "
                                  "zoals 'hulpvraag' of 'vraag_gegevens'", step=n)
    if len(actions) > 1:
        raise ScenarioError(path, f"twee acties in één stap ({', '.join(actions)}); zet elke "
                                  "actie in een eigen stap", step=n, key=actions[1])
    action = actions[0]
    where = {"step": n, "action": action}
    command = _structure(raw[action], ACTIONS[action], path, **where)
    if isinstance(command, Tijd):
        _check_tijd(command, clock, path, where)
    else:
        _check_choices(command, "", path, where)
        command = refs.resolve(command, "", where)
    verwacht = None
    if "verwacht" in raw:
        verwacht = _structure(raw["verwacht"], Verwacht, path, prefix="verwacht", **where)
        _check_verwacht(verwacht, path, where)
    return Stap(n=n, action=action, command=command, verwacht=verwacht)


def _check_indicatoren(step: Stap, allowed: tuple[str, ...], path: str) -> None:
    # R06/R09: indicators are codes of MvT §2.2 or of the werkinstructie (indicatoren_extra).
    for i, code in enumerate(getattr(step.command, "indicatoren", ()), start=1):
        if code not in allowed:
            raise ScenarioError(path, f"{show(code)} is geen indicator{suggest(code, allowed)}; "
                                      f"kies uit: {', '.join(allowed)} (of voeg hem toe onder "
                                      "instellingen.indicatoren_extra)", step=step.n,
                                action=step.action, key=f"indicatoren[{i}]")


def _check_tijd(tijd: Tijd, clock: dt.date, path: str, where: dict[str, Any]) -> None:
    if (tijd.datum is None) == (tijd.dagen is None):
        raise ScenarioError(path, "geef precies één van 'datum' (JJJJ-MM-DD) of 'dagen'", **where)
    if tijd.datum is not None and tijd.datum < clock:
        raise ScenarioError(path, f"{tijd.datum} ligt voor de klok ({clock}); de tijd gaat "
                                  "alleen vooruit: kies een latere datum", key="datum", **where)


def _check_choices(record: Any, prefix: str, path: str, where: dict[str, Any]) -> None:
    found = bad_choice(record, prefix)
    if found is not None:
        raise ScenarioError(path, found[1], key=found[0], **where)


def _check_verwacht(verwacht: Verwacht, path: str, where: dict[str, Any]) -> None:
    # The code tables are optional imports so a scenario can be checked while they evolve.
    try:
        from wams.core.law.reasons import REASONS
        from wams.core.law.rules import RULES
    except ImportError:  # pragma: no cover
        return
    if verwacht.reden is not None and verwacht.reden not in REASONS:
        raise ScenarioError(path, f"{show(verwacht.reden)} is geen bekende redencode"
                                  f"{suggest(verwacht.reden, REASONS)}; zie de lijst in "
                                  "docs/reason-codes.md", key="verwacht.reden", **where)
    for i, rule_id in enumerate(verwacht.citeert, start=1):
        if rule_id not in RULES:
            raise ScenarioError(path, f"{show(rule_id)} is geen regel van wams-2020"
                                      f"{suggest(rule_id, RULES)}; gebruik R01 t/m R38 "
                                      "(zie 'wams rules')", key=f"verwacht.citeert[{i}]", **where)


# -- persons and parties -------------------------------------------------------------------


def _check_ids(header: Header, path: str) -> None:
    both = sorted(set(header.personen) & set(header.partijen))
    if both:
        raise ScenarioError(path, f"id {show(both[0])} staat zowel onder 'personen' als onder "
                                  "'partijen'; geef ze verschillende namen",
                            key=f"partijen.{both[0]}")
    for ref, spec in header.partijen.items():
        plugin, dot, code = spec.soort.partition(".")
        if not (dot and plugin and code):
            raise ScenarioError(path, f"{show(spec.soort)} is geen gekwalificeerde partijsoort; "
                                      "schrijf <plugin>.<soort>, bijvoorbeeld "
                                      "wgs.schuldhulpverlener", key=f"partijen.{ref}.soort")


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    # Resolved once per record class: evaluating the annotations is a fifth of reading a
    # record (an archive holds a million of them).
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    return hints


#: what :meth:`_Refs._value` answers for a field it leaves as it is
_UNCHANGED = object()


class _Refs:
    """Resolves the ids a step uses against the scenario's ``personen`` and ``partijen``."""

    def __init__(self, header: Header, path: str) -> None:
        self.header, self.path = header, path

    def resolve(self, record: Any, prefix: str, where: dict[str, Any]) -> Any:
        changes: dict[str, object] = {}
        hints = _hints(type(record))
        for field in attrs.fields(type(record)):
            value = getattr(record, field.name)
            resolved = self._value(type(record), field.name, value, hints[field.name],
                                   prefix + field.name, where)
            if resolved is not _UNCHANGED:
                changes[field.name] = resolved
        if isinstance(record, c.Coordinator) and record.type in ("client", "partij"):
            self.check(record.wie, "persoon" if record.type == "client" else "partij",
                       f"{prefix}wie", where)
        return attrs.evolve(record, **changes) if changes else record

    def _value(self, cls: type, name: str, value: Any, hint: Any, key: str,
               where: dict[str, Any]) -> object:
        """Field ``name`` of a ``cls`` with its ids resolved (``_UNCHANGED``: as it is)."""
        if isinstance(value, (Persoon, Partij, str)):
            declared = self._declared(value, hint, key, where)
            if declared is not _UNCHANGED:
                return declared
        if (cls, name) in REFS and value is not None:
            role = REFS[(cls, name)]
            for i, ref in enumerate(value if isinstance(value, tuple) else (value,), 1):
                self.check(ref, role, f"{key}[{i}]" if isinstance(value, tuple) else key,
                           where)
        elif isinstance(value, tuple) and value and attrs.has(type(value[0])):
            return tuple(self.resolve(item, f"{key}[{i}].", where)
                         for i, item in enumerate(value, 1))
        return _UNCHANGED

    def _declared(self, value: Persoon | Partij | str, hint: Any, key: str,
                  where: dict[str, Any]) -> object:
        """A person or party field (by its value, or a string field typed as one) as the
        record declared under ``personen``/``partijen``; ``_UNCHANGED`` for any other."""
        if isinstance(value, (Persoon, Partij)) and not is_placeholder(value):
            # A scenario names who takes part by id; the record is declared once above.
            where_ = "personen" if isinstance(value, Persoon) else "partijen"
            raise ScenarioError(self.path, f"verwacht een id uit '{where_}', kreeg een "
                                           "mapping; declareer hem daar en noem hier zijn id",
                                key=key, **where)
        if isinstance(value, Persoon) or (isinstance(value, str)
                                          and ref_record(hint) is Persoon):
            return self.persoon(value if isinstance(value, str) else value.ref, key, where)
        if isinstance(value, Partij) or (isinstance(value, str) and ref_record(hint) is Partij):
            return self.partij(value if isinstance(value, str) else value.ref, key, where)
        return _UNCHANGED

    def persoon(self, ref: str, key: str, where: dict[str, Any]) -> Persoon:
        self.check(ref, "persoon", key, where)
        spec = self.header.personen[ref]
        return Persoon(ref=ref, rol=spec.rol, relatie=spec.relatie,
                       geboortedatum=spec.geboortedatum, naam=spec.naam, bsn=spec.bsn)

    def partij(self, ref: str, key: str, where: dict[str, Any]) -> Partij:
        self.check(ref, "partij", key, where)
        spec = self.header.partijen[ref]
        return Partij(ref=ref, soort=spec.soort, naam=spec.naam, hoedanigheid=spec.hoedanigheid)

    def check(self, ref: str, role: str, key: str, where: dict[str, Any]) -> None:
        personen, partijen = self.header.personen, self.header.partijen
        if role == "persoon" and ref in personen:
            return
        if role in ("partij", "partij_of_college") and ref in partijen:
            return
        if role == "partij_of_college" and ref == "college":
            return
        if role == "deelnemer" and (ref in personen or ref in partijen):
            return
        if role == "persoon" and ref in partijen:
            msg = f"{show(ref)} is een partij, geen persoon; noem hier een id uit 'personen'"
        elif role != "persoon" and role != "deelnemer" and ref in personen:
            msg = f"{show(ref)} is een persoon, geen partij; noem hier een id uit 'partijen'"
        else:
            section = {"persoon": "personen", "deelnemer": "personen' of 'partijen"}.get(
                role, "partijen")
            known = {"persoon": personen, "deelnemer": [*personen, *partijen]}.get(role, partijen)
            noun = {"persoon": "persoon", "deelnemer": "deelnemer"}.get(role, "partij")
            msg = (f"{noun} {show(ref)} is niet gedeclareerd onder '{section}'"
                   f"{suggest(ref, known)}; voeg hem toe of verbeter de naam")
        raise ScenarioError(self.path, msg, key=key, **where)


# -- cattrs errors → one line --------------------------------------------------------------


def _structure(value: object, cls: type, path: str, *, prefix: str = "", step: int | None = None,
               action: str | None = None) -> Any:
    try:
        return structure(value, cls)
    except Exception as exc:  # noqa: BLE001 - every converter failure becomes one line
        keys, leaf = first_leaf(exc)
        message, extra = explain(leaf, ["stappen"] if cls is Header else [])
        if extra is not None:
            keys.append(extra)
        key = join_key([prefix, *keys] if prefix else keys)
        raise ScenarioError(path, message, step=step, action=action, key=key or None) from None


__all__ = ["from_data", "load", "loads"]
