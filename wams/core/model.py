"""Domain records: who takes part in a case, what a decision says, and the case projection.

Values (``Persoon``, ``Partij``, ``Decision``) are frozen. The case projection (``Casus`` and
its parts) is the one mutable thing: the lifecycle changes it in place, and only after the
policy allowed the step, so a refusal can never leave half a change behind.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from typing import Literal, get_args

import attrs

from wams.core.errors import InputError

Phase = Literal[
    "intake", "beoordeling", "afgewezen", "onderzoek", "werkplan", "coordinatie",
    "afgesloten", "vernietigd",
]
Route = Literal["A", "B"]
Grondslag = Literal["verplicht", "bevoegd", "geen_grondslag"]
#: the phases in lifecycle order, for whoever lists them (the OpenAPI enums, the docs)
PHASES: tuple[Phase, ...] = get_args(Phase)


def elfproef(bsn: str) -> bool:
    """The BSN check: 9 ASCII digits, sum(d[i] * (9 - i) for i < 8) - d[8] divisible by 11."""
    if len(bsn) != 9 or not bsn.isascii() or not bsn.isdigit():
        return False
    d = [int(ch) for ch in bsn]
    return (sum(d[i] * (9 - i) for i in range(8)) - d[8]) % 11 == 0


def normalise_bsn(bsn: object) -> str | None:
    """R36: one person, one BSN spelling. Spaces (any whitespace, inside and around:
    "123 456 782", a non-breaking space from a word processor) and the
    dots of the written form ("1234.56.782") are not part of the number; what remains must be
    nine ASCII digits passing the elfproef, or the access report would miss records filed under
    another spelling and one person would be two (issue 23: identity by BSN). Anything else
    (a zero-width space, full-width digits, a hyphen) is refused, never guessed at."""
    if bsn is None:
        return None
    if not isinstance(bsn, str):
        raise InputError(f"een BSN is tekst van negen cijfers, kreeg {type(bsn).__name__}")
    digits = "".join(bsn.split()).replace(".", "")
    if not elfproef(digits):
        raise InputError(f"{bsn!r} is geen geldig BSN (negen cijfers die de elfproef "
                         "doorstaan)")
    return digits


@attrs.frozen
class Persoon:
    """A person named in a case. ``ref`` is the caller's own handle (a scenario id, a key in the
    supplier's system); ``bsn``, ``naam`` and ``geboortedatum`` are personal data and are gone
    after destruction."""

    ref: str
    rol: Literal["client", "gezinslid"] = "client"
    relatie: str | None = None
    geboortedatum: dt.date | None = None
    naam: str | None = None
    bsn: str | None = attrs.field(default=None, converter=normalise_bsn)


@attrs.frozen
class Partij:
    """A party: an organisation of a declared party kind (``soort`` is qualified,
    ``wgs.schuldhulpverlener``). ``hoedanigheid`` names the capacity of a party that works in
    two (R21), e.g. a wijkteam doing college tasks and free-access jeugdhulp."""

    ref: str
    soort: str
    naam: str | None = None
    hoedanigheid: str | None = None


@attrs.frozen
class Decision:
    """The answer to every step: allowed or not, why, and on which rules and sources.

    ``code`` is a stable reason code (``ok`` when allowed), ``message`` a Dutch sentence.
    ``trace_id`` is shared with the history entry and the processing-log records of the step.
    ``version`` is the case's version after the step (None outside a case): what a caller
    passes as ``expected_version`` next.
    """

    allowed: bool
    code: str
    message: str
    rule_ids: tuple[str, ...]
    citations: tuple[str, ...]
    step: str = ""
    # the footings among the citations that are not the memorandum's own word
    # (``aangekondigd``, ``ander_voorstel``, ``keuze``); the message says so too
    footings: tuple[str, ...] = ()
    case_id: str | None = None
    phase: Phase | None = None
    werkplan: str | None = None
    signalen: tuple[str, ...] = ()
    verwerkingen: int = 0
    trace_id: str = ""
    versions: tuple[tuple[str, str], ...] = ()
    # the case version after the step (what ``expected_version=`` compares with); None
    # outside a case
    version: int | None = None
    report: dict[str, object] | None = attrs.field(default=None, eq=False, repr=False)
    #: R20: the free text beside a purpose code names enforcement; a warning for the FG
    #: (``wams fg waarschuwingen``), never a refusal. Kept only sealed with the case.
    waarschuwing: str | None = attrs.field(default=None, eq=False)

    def __bool__(self) -> bool:
        return self.allowed


# -- the case projection --------------------------------------------------------------------


@attrs.define
class PersonState:
    persoon: Persoon
    # "client", "gezinslid" (drawn in with recorded samenhang, R10)
    role: str = "client"
    samenhang: str | None = None
    informed: bool = False
    # R09: None, "pending" (route B, until the college decides), "ended", "resumed"
    objection: str | None = None


@attrs.define
class DomainState:
    status: Literal["in", "refused"] = "in"
    reden: str | None = None
    client_akkoord: bool | None = None


@attrs.define
class PartyState:
    partij: Partij
    domain: str
    involved: bool = False
    aanleiding: str | None = None
    doel: str | None = None
    #: R26/R28: the party took the coordinating role on itself (its own step)
    akkoord_coordinatie: bool = False


@attrs.define
class Request:
    bij: str
    categorie: str
    over: str
    doel: str
    noodzaak: str
    answer: str | None = None


@attrs.define
class Held:
    """Data the college holds for the case: supplied by a party or reused (R18).

    ``regime`` tags the origin regime (R17); ``capacity`` the supplier's capacity (R21)."""

    categorie: str
    over: str
    bron: str
    voorwaarden: tuple[str, ...] = ()
    regime: str | None = None
    capacity: str | None = None
    # R17: the qualified code of the provision rule it was provided under, if any
    rule: str | None = None


@attrs.define
class Gedeeld:
    """Data shared with a participant of a casusoverleg (R30): which party (``aan``) now
    knows which category about whom, and who brought it in."""

    aan: str
    categorie: str
    over: str
    bron: str


@attrs.define
class Item:
    persoon: str
    dienst: str
    domain: str
    kind: str
    sociaal: bool
    status: str
    partij: str | None = None


@attrs.define
class WerkplanVersie:
    version: int
    grondslag: str
    samenhang: str
    coordinatie: str
    evaluatie: str
    beeindiging: str
    contactpersoon: str | None = None
    lopend: tuple[str, ...] = ()
    benodigd: tuple[str, ...] = ()
    adopted_on: dt.date | None = None
    uitkomsten: tuple[str, ...] = ()


@attrs.define
class Coordinatie:
    type: str
    wie: str
    since: dt.date


@attrs.define
class Verzoek:
    partij: str
    onderbouwing: str
    indicatoren: tuple[str, ...]
    helpt: str
    gegrond: bool | None = None
    motivering: str | None = None
    werkinstructie: str | None = None


@attrs.define
class Casus:
    """The current state of one case: a projection of its accepted steps."""

    id: str
    gemeente: str
    route: Route
    wet: str | None
    provision: str
    phase: Phase
    opened_on: dt.date
    version: int = 0
    persons: dict[str, PersonState] = attrs.Factory(dict)
    scope: dict[str, DomainState] = attrs.Factory(dict)
    parties: dict[str, PartyState] = attrs.Factory(dict)
    requests: list[Request] = attrs.Factory(list)
    held: list[Held] = attrs.Factory(list)
    gedeeld: list[Gedeeld] = attrs.Factory(list)
    items: list[Item] = attrs.Factory(list)
    werkplannen: list[WerkplanVersie] = attrs.Factory(list)
    coordinator: Coordinatie | None = None
    verzoek: Verzoek | None = None
    aanleiding: str | None = None
    samenspraak: list[str] = attrs.Factory(list)
    voortgang: list[dt.date] = attrs.Factory(list)
    bijdragen: list[str] = attrs.Factory(list)
    terugkoppeling: str | None = None
    terugvalafspraken: str | None = None
    closed_on: dt.date | None = None
    destroyed_on: dt.date | None = None
    pending_uitkomsten: list[str] = attrs.Factory(list)
    # ref → keyed pseudonym of every person ever in the case; survives destruction so the
    # processing log can still be reported (R33, R36). Holds no name, BSN or birth date.
    subjects: dict[str, str] = attrs.Factory(dict)
    subject_types: dict[str, str] = attrs.Factory(dict)

    @property
    def werkplan(self) -> WerkplanVersie | None:
        return self.werkplannen[-1] if self.werkplannen else None

    def in_case(self, ref: str) -> bool:
        return ref in self.persons

    def processable(self, halted_elsewhere: Collection[str] = ()) -> list[str]:
        """Persons whose data may still be processed: not halted or ended by a bezwaar (R09),
        here or (``halted_elsewhere``: refs) in another running case under the same BSN."""
        return [ref for ref, p in self.persons.items()
                if p.objection not in ("pending", "ended") and ref not in halted_elsewhere]

    def client(self) -> PersonState | None:
        for p in self.persons.values():
            if p.role == "client":
                return p
        return None


@attrs.frozen
class Caller:
    """The action at another application that called for this processing (W3C
    ``traceparent``): its trace is continued (our records carry its ``trace_id``, their
    ``parent_span_id`` is its span), and ``processor`` is the URL of its application
    (``dpl.core.foreign_operation.processor``: present, the parent is another application's
    action). ``read_api`` is the party's read API (``dpl.read.externalReadAPI_id``), where the
    municipality knows it (setting ``partij_lees_api``)."""

    trace_id: str | None = None
    span_id: str | None = None
    processor: str | None = None
    read_api: str | None = None

    def stored(self) -> str | None:
        """What the log row keeps of it (JSON; the trace and span are the row's own)."""
        kept = {k: v for k, v in (("processor", self.processor), ("read_api", self.read_api))
                if v}
        return json.dumps(kept, sort_keys=True) if kept else None
