"""What each role may do and see: one table, checked where the data is.

- ``medewerker``: a college official, every step of its municipality but a party's answer to a
  request addressed to it (``verstrekking``: only the party itself answers, R16, so an official
  cannot answer on its behalf and pre-empt its own answer) and the reads, each read with a
  purpose (R36);
- ``coordinator``: the steps and reads of the cases he coordinates (R27: follows progress,
  aligns parties, convenes casusoverleg, reports to the college); the college's own decisions
  stay with the college (R07 besluit_verzoek, R09 besluit_bezwaar, R26 appointing the
  coordinator, R33 destruction, R20 export);
- ``partij:<ref>``: answers only requests addressed to it (``verstrekking`` with ``bij`` its
  ref), records its own ``bijdrage`` (R28: its own decision) and its own consent to coordinate
  (``akkoord_coordinatie``, R26: nobody else can give it), and may start route B for itself
  (``betrokkenheid`` and ``verzoek`` as that party, R06), as the kind the municipality
  registered it with (setting ``partij_soorten``) or, where it did not, the kind its token's
  issuer vouches for (claim ``partij_soort``); without either it cannot present itself
  (``access.party_kind``); it sees only the party view of a case (what it supplied or what a
  casusoverleg shared with it, R19 and R30);
- ``fg`` (the privacy officer): the register, the log export and the audit; no case content;
- ``beheer`` (the municipality's administrator) and ``fg``: the webhook subscriptions (where
  ids of every step go, and to whom), nobody else; no case content, no steps.

The check runs inside the step's transaction (the core's ``authorize``), so a coordinator
replaced a moment ago is refused, and a refusal stores nothing (code ``access.role``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wams.core.engine import Authorize
from wams.core.law.steps import PARTY_STEPS, STEPS
from wams.core.model import Casus, Partij
from wams.service.auth import Principal

DENIED = "access.role"
PARTY_KIND = "access.party_kind"

#: the college's own decisions, which a coordinator may not take
COLLEGE_ONLY = frozenset(s.name for s in STEPS.values() if s.by_college)

#: steps only the party itself takes: its answer to a request addressed to it (R16), and
#: taking the coordinating role on itself (R26, R28: no doorzettingsmacht, MvT §1.4)
PARTY_ONLY = frozenset(s.name for s in STEPS.values() if s.only_that_party is not None)


#: reads (endpoint names) per role; "casus" is the full case for medewerker and coordinator
#: and the party view for a party
READS: dict[str, frozenset[str]] = {
    "medewerker": frozenset({"casussen", "casus", "register", "verwerkingsactiviteit",
                             "inzage_persoon", "meldingen"}),
    "coordinator": frozenset({"casus", "verwerkingsactiviteit"}),
    "partij": frozenset({"casus", "verwerkingsactiviteit"}),
    "fg": frozenset({"casussen", "register", "verwerkingsactiviteit", "logboek", "audit",
                     "abonnementen"}),
    "beheer": frozenset({"verwerkingsactiviteit", "abonnementen"}),
}


def may_read(principal: Principal, endpoint: str) -> bool:
    return endpoint in READS[principal.role]


def may_try_step(principal: Principal, step: str) -> bool:
    """Whether the role may try ``step`` at all (before any case is read)."""
    if principal.role == "medewerker":
        return step not in PARTY_ONLY
    if principal.role == "coordinator":
        return (step not in COLLEGE_ONLY and step not in PARTY_ONLY
                and STEPS[step].in_case)
    if principal.role == "partij":
        return step in PARTY_STEPS
    return False


def coordinates(principal: Principal, case: Casus | None) -> bool:
    return (principal.role == "coordinator" and case is not None
            and case.coordinator is not None and case.coordinator.wie == principal.user)


def reads_registry(principal: Principal) -> bool:
    """Whether :func:`step_check` for ``principal`` reads the municipality's registry of
    parties: only a party's own token presents a kind; every other role's check never does,
    so its request pays no read (nor a transaction of its own) for it."""
    return principal.role == "partij"


def step_check(principal: Principal, step: str,
               registry: Mapping[str, str] | None = None) -> Authorize:
    """The core's ``authorize`` for one step by ``principal``. ``registry``: the kind of each
    party as the municipality registered it (setting ``partij_soorten``)."""
    known = registry or {}

    def check(case: Casus | None, command: Any) -> str | None:
        if not may_try_step(principal, step):
            return DENIED
        if principal.role == "coordinator" and not coordinates(principal, case):
            return DENIED
        if principal.role == "partij":
            named = getattr(command, PARTY_STEPS[step])
            ref = named if isinstance(named, str) else getattr(named, "ref", None)
            if ref != principal.partij:
                return DENIED
            if isinstance(named, Partij):
                # Who the party is comes from the municipality (or its token's issuer),
                # never from its own request: else a justice party registers as a wijkteam
                # and opens a route-B case without the purpose R12 asks of it.
                kind = known.get(named.ref) or principal.soort
                if kind is None or named.soort != kind:
                    return PARTY_KIND
        # Whoever else names a registered party as another kind is refused by the core
        # itself (wams.core.law.checks.check_registered_kind), at every edge alike.
        return None
    return check


def read_check(principal: Principal) -> Authorize:
    """The core's ``authorize`` for reading the full case."""

    def check(case: Casus | None, _command: Any) -> str | None:
        if principal.role == "medewerker" or coordinates(principal, case):
            return None
        return DENIED
    return check
