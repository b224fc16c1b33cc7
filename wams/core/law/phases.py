"""The phases of a case: the groups the step table names, and the one place a phase is set.

Which phases a step may run in and which phase changes it may make are fields of its record
(:mod:`wams.core.law.steps`); a case changes phase only through
:func:`wams.core.law.steps.move`, which refuses an edge the record does not list and then
calls :func:`enter` here, so the table cannot drift from what the engine does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wams.core.model import PHASES, Phase

if TYPE_CHECKING:
    from wams.core.model import Casus

#: the phases of a case at work: the onderzoek and after it, until it is closed
RUNNING: frozenset[Phase] = frozenset({"onderzoek", "werkplan", "coordinatie"})
#: a case closed or rejected: only destruction and the access report remain
ENDED: frozenset[Phase] = frozenset({"afgesloten", "afgewezen"})
ANY: frozenset[Phase] = frozenset(PHASES)


def phase_refusal(phase: str) -> str:
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


def enter(case: Casus, target: Phase) -> None:
    """Put ``case`` in phase ``target``: the one assignment of a phase. Only
    :func:`wams.core.law.steps.move` calls it, after checking the step's edges."""
    case.phase = target
