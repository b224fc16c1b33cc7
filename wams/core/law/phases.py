"""Phases and allowed transitions: one explicit table (docs/scenarios.md).

``STEP_PHASES`` says in which phases a step may run at all; ``TRANSITIONS`` which phase a step
moves the case to. Everything else in the engine asks these two tables: a case changes phase
only through :func:`move` (and is opened only in a phase :func:`opening_phase` allows), which
refuse an edge the table does not list, so the table cannot drift from what the engine does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wams.core.model import PHASES, Phase

if TYPE_CHECKING:
    from wams.core.model import Casus

RUNNING: frozenset[str] = frozenset({"onderzoek", "werkplan", "coordinatie"})
ALL_PHASES: tuple[Phase, ...] = PHASES
ENDED: frozenset[str] = frozenset({"afgesloten", "afgewezen"})
ANY: frozenset[str] = frozenset(ALL_PHASES)

# Steps that open a case, or live outside one (R35: a melding opens nothing).
OPENING = frozenset({"hulpvraag", "verzoek"})
OUTSIDE_CASE = frozenset({"betrokkenheid", "melding", "melding_doorgeven"})

#: step → phases in which it may run (inside a case)
STEP_PHASES: dict[str, frozenset[str]] = {
    "aanleiding": frozenset({"intake"}),
    "besluit_verzoek": frozenset({"beoordeling"}),
    **{step: RUNNING for step in (
        "informeer", "samenspraak", "domein", "gezinslid", "betrek_partij", "vraag_gegevens",
        "verstrekking", "hergebruik", "dienst", "bijdrage", "bezwaar", "besluit_bezwaar",
        "export", "casusoverleg", "voortgang")},
    "terugkoppeling": frozenset({"onderzoek"}),
    "werkplan": frozenset({"werkplan", "coordinatie"}),
    "coordinator": frozenset({"werkplan", "coordinatie"}),
    # a party may take the coordinating role on itself once the onderzoek runs (R26, R28)
    "akkoord_coordinatie": RUNNING,
    # MvT §3.1.4: a case with no coordinated approach may be closed from intake or onderzoek.
    "sluit": frozenset({"intake", "onderzoek", "werkplan", "coordinatie"}),
    "vernietig": ENDED,
    "inzage": ANY,
    # R28: taak is refused in every phase with its own reason, never a phase error.
    "taak": ANY,
}

#: (phase, step) → next phase, for the steps that move a case. A step that names more than one
#: target (besluit_verzoek, terugkoppeling) picks by its outcome; the table lists every edge.
TRANSITIONS: dict[tuple[str | None, str], frozenset[str]] = {
    (None, "hulpvraag"): frozenset({"intake", "onderzoek"}),
    (None, "verzoek"): frozenset({"beoordeling"}),
    ("intake", "aanleiding"): frozenset({"onderzoek"}),
    ("beoordeling", "besluit_verzoek"): frozenset({"onderzoek", "afgewezen"}),
    ("onderzoek", "terugkoppeling"): frozenset({"werkplan", "afgesloten"}),
    ("werkplan", "coordinator"): frozenset({"coordinatie"}),
    ("intake", "sluit"): frozenset({"afgesloten"}),
    ("onderzoek", "sluit"): frozenset({"afgesloten"}),
    ("werkplan", "sluit"): frozenset({"afgesloten"}),
    ("coordinatie", "sluit"): frozenset({"afgesloten"}),
    ("afgesloten", "vernietig"): frozenset({"vernietigd"}),
    ("afgewezen", "vernietig"): frozenset({"vernietigd"}),
}


def allowed_in(step: str, phase: str) -> bool:
    return phase in STEP_PHASES.get(step, frozenset())


def phase_refusal(step: str, phase: str) -> str:
    """The reason code for a step tried in a phase that does not allow it.

    Route B before the college decided → ``verzoek.not_decided``; after it rejected the
    verzoek → ``verzoek.rejected`` (only vernietig and inzage remain); otherwise
    ``state.invalid_transition``.
    """
    if phase == "beoordeling":
        return "verzoek.not_decided"
    if phase == "afgewezen":
        return "verzoek.rejected"
    return "state.invalid_transition"


def can_move(phase: str | None, step: str, target: str) -> bool:
    return target in TRANSITIONS.get((phase, step), frozenset())


def opening_phase(step: str, phase: Phase) -> Phase:
    """The phase a case opened by ``step`` starts in, checked against the table."""
    if not can_move(None, step, phase):
        raise RuntimeError(f"de fasetabel kent geen opening door {step} in fase {phase}")
    return phase


def move(case: Casus, step: str, target: Phase) -> None:
    """Move ``case`` to ``target`` by ``step``: only along an edge of :data:`TRANSITIONS`
    (a step that tries another is a bug in the engine, never the caller's doing). Staying in
    the phase is no move (a second coordinator in coordinatie)."""
    if case.phase == target:
        return
    if not can_move(case.phase, step, target):
        raise RuntimeError(f"de fasetabel kent geen overgang {case.phase} → {target} door "
                           f"{step}")
    case.phase = target
