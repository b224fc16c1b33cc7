"""The records plugins contribute: frozen attrs values, one shape per kind of contribution.

Plugins return these from the contribution hooks in :mod:`wams.core.law.hookspecs`. Codes are
*local* to the plugin (``schuldhulpverlener``); the catalogue qualifies them with the plugin's
name (``wgs.schuldhulpverlener``), which is how scenarios and other plugins refer to them.
Domain and law codes are global and unqualified (``schuldhulp``, ``participatiewet``), because
the law itself names them, not a plugin.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Protocol

import attrs

from wams.core.law.citations import Citation, as_citations

if TYPE_CHECKING:
    from wams.core.model import Casus, Decision

DomainKind = Literal["sociaal", "aanpalend"]
ServiceKind = Literal["dienst", "interventie"]
Special = Literal["health", "criminal", "minor"]
Regime = Literal["beroepsgeheim", "Wpg", "Wjsg"]

DOMAIN_KINDS: tuple[str, ...] = ("sociaal", "aanpalend")
SERVICE_KINDS: tuple[str, ...] = ("dienst", "interventie")
SPECIAL_KINDS: tuple[str, ...] = ("health", "criminal", "minor")
REGIMES: tuple[str, ...] = ("beroepsgeheim", "Wpg", "Wjsg")
#: what a provision rule may break through (R17, MvT §3.2.3): purpose binding or a regime
OVERRIDABLE: tuple[str, ...] = ("doelbinding", *REGIMES)
#: the core's processing activities (the codes the engine logs); a plugin activity refines one
CORE_ACTIVITY_CODES: tuple[str, ...] = (
    "onderzoek", "beoordeling_verzoek", "hergebruik", "werkplan", "casusoverleg", "meldpunt",
    "inzage", "vernietiging", "export", "raadplegen",
)
#: where a purpose code may be named: the purpose-bearing steps, and ``lezen`` for every read
#: that takes a purpose (viewing or listing cases, case reports, exporting the log)
PURPOSE_USES: tuple[str, ...] = (
    "verzoek", "betrek_partij", "vraag_gegevens", "hergebruik", "casusoverleg",
    "melding_doorgeven", "export", "lezen",
)


def _tuple(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(value)  # type: ignore[arg-type]


def _frozenset(value: object) -> frozenset[str]:
    return frozenset(_tuple(value))


@attrs.frozen
class Law:
    """A law a plugin registers.

    ``kind="sociaal"`` laws (Wmo 2015, Jeugdwet, Participatiewet, Wgs) may open the integrated
    approach through their mirror provision; ``kind="aanpalend"`` laws never open a case (R01).
    ``domain`` is the law's own domain, put in scope by a hulpvraag under it.
    ``provision`` cites the provision that applies paragraph 3a (the carrier's own paragraph for
    the Wmo, the mirror provision (*spiegelbepaling*) for the others), as a
    :class:`~wams.core.law.citations.Citation` with its footing.
    """

    code: str
    name: str
    kind: DomainKind
    provision: Citation
    domain: str | None = None


@attrs.frozen
class Domain:
    """One of the 6 domains of the sociaal domein or the 8 adjacent domains (MvT §2.2)."""

    code: str
    name: str
    kind: DomainKind


@attrs.frozen
class PartyKind:
    """A kind of party working in one domain. ``justice`` marks criminal-justice parties (R12)."""

    code: str
    name: str
    domain: str
    justice: bool = False


@attrs.frozen
class Service:
    """A dienst (service, help, care) or interventie (another action, possibly coercive).

    A coercive item must be an interventie with its own ``legal_basis`` (R37); the catalogue
    refuses a coercive dienst at startup.
    """

    code: str
    name: str
    domain: str
    kind: ServiceKind = "dienst"
    coercive: bool = False
    legal_basis: str | None = None


@attrs.frozen
class DataCategory:
    """A category of personal data that may be processed for a case (R14).

    ``suppliers`` are qualified party-kind codes (``aanpalend.huisarts``) that may supply it.
    ``special`` marks special categories (health, criminal, minors); ``regime`` the
    confidentiality regime the data comes from (kept as an origin tag, R17).
    """

    code: str
    name: str
    domain: str
    suppliers: tuple[str, ...] = attrs.field(converter=_tuple)
    special: frozenset[str] = attrs.field(default=frozenset(), converter=_frozenset)
    regime: str | None = None


@attrs.frozen
class ProvisionRule:
    """A legal provision that lets a party supply data for the integrated approach (R16, R17).

    ``categories`` are qualified category codes it covers; ``overrides`` the purpose binding or
    regimes it breaks through *only* for this purpose (MvT §3.2.3), from
    :data:`OVERRIDABLE`. A category under a regime is provided only under a rule that covers it,
    overrides that regime and addresses the supplying party (``suppliers``; empty: every party
    that may supply the category) (R17); the decision cites ``citation``: one
    :class:`~wams.core.law.citations.Citation` or several, each with its footing (a provision that
    breaks through secrecy for the integrated approach is ``aangekondigd``: MvT §3.3 announces
    it for §3.4, which the consultation text lacks).
    """

    code: str
    citation: tuple[Citation, ...] = attrs.field(converter=as_citations)
    categories: tuple[str, ...] = attrs.field(converter=_tuple)
    overrides: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    description: str = ""
    # qualified party kinds the provision addresses; empty: every supplier of its categories
    suppliers: tuple[str, ...] = attrs.field(default=(), converter=_tuple)


@attrs.frozen
class Signal:
    """A question that may always be asked after a hulpvraag under ``law`` (R05, MvT §3.3.1):
    does the cliënt need anything in ``domain``?"""

    law: str
    domain: str
    question: str


@attrs.frozen
class ProcessingActivity:
    """An entry of the register of processing activities (AVG art. 30).

    ``part_of`` is the core activity it refines (:data:`CORE_ACTIVITY_CODES`): processing of
    one of its ``categories`` under that core activity is logged under this entry (R36), so
    the log points at the register entry that describes it."""

    code: str
    name: str
    purpose: str
    categories: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    data_subjects: tuple[str, ...] = attrs.field(default=("client", "gezinslid"), converter=_tuple)
    version: int = 1
    part_of: str = "onderzoek"


@attrs.frozen
class Doel:
    """A purpose a plugin adds to the closed vocabulary of purposes (since 0.2, ``wams_doelen``).

    Purpose-bearing steps and reads name a purpose by *code*; the decision reads the code, never
    the free-text ``toelichting`` beside it. A plugin's purpose belongs to one of its own
    processing activities (``activiteit``, its local code from ``wams_processing_activities``):
    processing for this purpose is logged under that register entry, with ``grondslag`` as the
    legal basis the register shows. ``gebruik`` lists where the code may be named
    (:data:`PURPOSE_USES`). The catalogue qualifies the code as ``<plugin>.<code>``.

    Enforcement, investigation and prosecution are no purpose of the approach (MvT §1.4, §2.2):
    a code or description naming one is a startup error, and a plugin cannot declare a
    justice purpose (R12's three are the core's)."""

    code: str
    omschrijving: str
    activiteit: str
    grondslag: str
    gebruik: tuple[str, ...] = attrs.field(
        default=("vraag_gegevens", "betrek_partij", "hergebruik", "casusoverleg"),
        converter=_tuple)
    #: R12: a purpose a justice party may be involved for; only the core declares these
    justitie: bool = False


@attrs.frozen
class EntryRequest:
    """What a plugin's :func:`wams_entry` hook is asked: may this hulpvraag open paragraph 3a?"""

    law: str
    vraag: str
    aanleiding: str | None = None


@attrs.frozen
class Entry:
    """A plugin's answer to :class:`EntryRequest`: the mirror provision that opens the lifecycle.

    ``opens=False`` with a reason means the law is the plugin's but it cannot open a case
    (an adjacent law).
    """

    law: str
    opens: bool
    domain: str | None
    provision: Citation


@attrs.frozen
class StepEvent:
    """What ``wams_after_step`` tells a plugin about one step (since 0.2): the step, its
    municipality, case and trace, the :class:`~wams.core.model.Decision` and a copy of the
    case after it (``None`` for a step outside a case). Sent after the commit, also for a
    refusal (``decision.allowed`` is false; nothing was stored but the refusal itself).

    Plugins written before 0.2 got the events as dicts with the keys ``step`` and
    ``trace_id``: ``event["step"]`` still answers (and ``event.get("trace_id")``), so they
    keep working."""

    step: str
    gemeente: str
    case_id: str | None
    trace_id: str
    decision: Decision
    case: Casus | None = attrs.field(default=None, eq=False, repr=False)

    #: the keys the dicts of before 0.2 had
    LEGACY_KEYS = ("step", "trace_id")

    def __getitem__(self, key: str) -> str:
        if key not in self.LEGACY_KEYS:
            raise KeyError(key)
        return str(getattr(self, key))

    def get(self, key: str, default: str | None = None) -> str | None:
        return self[key] if key in self.LEGACY_KEYS else default


# -- the key store (hook wams_key_store) ----------------------------------------------------


@attrs.frozen(repr=False)
class Key:
    """One key: its id (recorded beside everything made with it) and 32 random bytes."""

    id: str
    material: bytes

    def __repr__(self) -> str:  # never print key material into a log or a traceback
        return f"Key(id={self.id!r})"


class KeyStore(Protocol):
    """Where the keys of every municipality live. Implementations must be safe to share
    between threads; :class:`~wams.core.privacy.keystore.FileKeyStore` is also safe between
    processes."""

    def current(self, gemeente: str, purpose: str) -> Key:
        """The key in force for ``purpose`` in ``gemeente``, created on first use."""
        ...

    def get(self, gemeente: str, purpose: str, key_id: str) -> Key:
        """The key ``key_id`` (current or rotated out);
        :class:`~wams.core.errors.KeyMissingError` naming the key store (:meth:`describe`)
        when it is not there."""
        ...

    def rotate(self, gemeente: str, purpose: str) -> Key:
        """Make a new key the current one; the old keys stay readable through :meth:`get`."""
        ...

    def describe(self) -> str:
        """Where the keys are, for error messages (e.g. the file path)."""
        ...

    def retire(self, gemeente: str, purpose: str, key_id: str) -> None:
        """Delete the key ``key_id`` for good: whatever was made with it can no longer be
        read, in any copy of the database. Never the current pseudonym or chain key; the
        current key of a KEK purpose only once nothing uses it, and then the purpose goes
        with it (a period's KEK is retired whole). The caller checks first that nothing still
        needs it (``wams retention run``, ``wams keys retire``)."""
        ...

    def purposes(self, gemeente: str) -> list[str]:
        """The purposes ``gemeente`` holds keys for (so the retention run finds every period
        KEK, also one no data key names any more)."""
        ...
