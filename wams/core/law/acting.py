"""Who acts for a party: the actor a party's steps are taken by, and the core's checks on it.

Every step names its actor (R36: who did it). An actor ``partij:<ref>`` (or
``partij:<ref>:<who>``, the service's form: the party and the person at the party) acts *as*
that party; any other actor is the municipality (an official, the college, a batch job). Two
rules follow, checked in the core so that the Python API, a scenario file and the service
answer alike:

- only the party a data request is addressed to answers it (R16: the supplying party decides
  whether and on which conditions it provides; an official recording an answer would decide
  in its place, and the party's own answer would then meet a request already answered);
- a party acts only as itself: where a party's step names the party taking it (its route-B
  ``verzoek`` and ``betrokkenheid``, its ``bijdrage``), it names the actor's own party;
- only the party itself takes the coordinating role on itself (``akkoord_coordinatie``, R26/R28:
  no doorzettingsmacht, MvT §1.4; "wie de coördinerende rol op zich neemt", §3.3.3): nobody,
  the college included, gives that consent for it.

The memorandum does not say how a party's answer reaches the college (MvT §3.3.1 speaks of
the request, §3.2.3 of the supplier weighing what is necessary); that it is the party's own act
is our reading of R16. An embedding application that does not name an actor for a
``verstrekking`` records the answer as the party's (:func:`default_actor`): it is the party's
answer it relays.
"""

from __future__ import annotations

from wams.core.law.checks import Verdict, no
from wams.core.law.steps import BY_COMMAND, Step
from wams.core.model import Partij

#: how an actor names the party it acts as
PARTY_PREFIX = "partij:"

#: the actor of a step when its caller names none
DEFAULT_ACTOR = "college"


def party_actor(ref: str, who: str | None = None) -> str:
    """The actor of a step taken as party ``ref`` (by ``who`` at that party, if known)."""
    return f"{PARTY_PREFIX}{ref}:{who}" if who else f"{PARTY_PREFIX}{ref}"


def acting_party(actor: str) -> str | None:
    """The ref of the party ``actor`` acts as; None for the municipality's own actors."""
    if not actor.startswith(PARTY_PREFIX):
        return None
    ref = actor[len(PARTY_PREFIX):].split(":", 1)[0]
    return ref or None


def named_party(step: Step, cmd: object) -> str | None:
    """The ref of the party a party's step names as the one taking it (None for other steps;
    the field is the step record's ``party_field``)."""
    if step.party_field is None:
        return None
    value = getattr(cmd, step.party_field, None)
    return value.ref if isinstance(value, Partij) else value if isinstance(value, str) else None


def default_actor(cmd: object) -> str:
    """Who acts when the caller does not say: for a step only its party may take (a
    ``verstrekking``: the party answering; an ``akkoord_coordinatie``: the party consenting;
    the embedding application relays the party's own act), that party, else the college."""
    step = BY_COMMAND.get(type(cmd))
    if step is not None and step.only_that_party is not None:
        ref = named_party(step, cmd)
        if ref:
            return party_actor(ref)
    return DEFAULT_ACTOR


#: the refusal of a step only the named party may take, per reason code (R16, R26/R28)
ONLY_THAT_PARTY = {
    "access.party_answers": "Het verzoek om gegevens is aan partij '{named}' gericht; alleen "
                            "zij beantwoordt het.",
    "access.party_consents": "Alleen partij '{named}' zelf kan de coördinerende rol op zich "
                             "nemen.",
}


def check_acting_party(step: Step, cmd: object, actor: str) -> Verdict | None:
    """R16/R06: a request is answered by the party it is addressed to, and a party acts only
    as itself. A refusal, or None."""
    named = named_party(step, cmd)
    acting = acting_party(actor)
    if step.only_that_party is not None and acting != named:
        return no(step.only_that_party,
                  ONLY_THAT_PARTY[step.only_that_party].format(named=named))
    if acting is not None and named is not None and acting != named:
        return no("access.party_kind",
                  f"Een partij treedt alleen voor zichzelf op, niet als partij '{named}'.")
    return None
