"""Run scenario files against the real engine and a real database, and compare each decision
with the step's ``verwacht``.

Each scenario gets a fresh private in-memory database unless a URL is given; with a URL every
scenario is run in that database (one :class:`~wams.api.Wams` per file, because each file
starts its own clock at its ``datum`` and time never runs backwards).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from wams.core import commands as c
from wams.core.errors import InputError, StepInputError
from wams.core.law.steps import Effect, step_of
from wams.core.model import Decision, Phase
from wams.core.scenario.format import Scenario, Stap, Tijd, Verwacht
from wams.core.scenario.load import load

if TYPE_CHECKING:
    from wams.api import Wams
    from wams.api_steps import Steps

#: Steps that act before a case exists; the engine answers them with case_id None.
_OPENERS = (c.Hulpvraag, c.Verzoek)
_NO_CASE = (c.Betrokkenheid, c.Melding, c.MeldingDoorgeven)


@attrs.frozen
class StepResult:
    n: int
    step: str
    decision: Decision
    failures: tuple[str, ...] = ()


@attrs.frozen
class ScenarioResult:
    file: str
    scenario: str
    steps: tuple[StepResult, ...]
    omschrijving: str | None = None

    @property
    def passed(self) -> bool:
        return not any(s.failures for s in self.steps)

    @property
    def failures(self) -> tuple[str, ...]:
        return tuple(f for s in self.steps for f in s.failures)


def run_scenario(scenario: Scenario | str | Path, url: str | None = None, explain: bool = False,
                 *, wams: Wams | None = None,
                 on_step: Callable[[StepResult], None] | None = None) -> ScenarioResult:
    """Run one scenario (a loaded :class:`Scenario` or a path) and check its expectations.

    ``url`` persists to that database instead of a private in-memory one. ``wams`` runs in an
    already open handle (its clock must not be past the scenario's ``datum``). Decisions always
    carry their rule ids and citations; ``explain`` is accepted for symmetry with the CLI flag.
    ``on_step`` is called after every step (for live progress).
    """
    del explain  # every StepResult keeps its full Decision; the CLI decides what to print
    if not isinstance(scenario, Scenario):
        scenario = load(scenario)
    own = wams is None
    if wams is None:
        from wams.api import Wams  # lazy: SQLAlchemy and the engine only when running
        from wams.core.clock import Clock

        wams = Wams.open(url or "sqlite://", clock=Clock(scenario.header.datum))
    else:
        wams.clock.set(scenario.header.datum)
    # Persons known only by their scenario id ("jan") are people of this run alone: in a shared
    # database the "jan" of another file, or of an earlier run, is someone else.
    try:
        restore = _apply_settings(wams, scenario)
        try:
            with wams.running_as(namespace=f"scenario:{uuid.uuid4().hex}:"):
                steps = run_steps(wams, scenario, on_step)
        finally:
            if url is not None or not own:
                _restore_settings(wams, scenario.header.gemeente, restore)
    finally:
        if own:
            wams.close()
    return ScenarioResult(scenario.path, scenario.title, tuple(steps),
                          scenario.header.omschrijving)


def run_many(scenarios: Iterable[Scenario], url: str | None = None,
             on_result: Callable[[ScenarioResult], None] | None = None) -> list[ScenarioResult]:
    results = []
    for scenario in scenarios:
        result = run_scenario(scenario, url)
        if on_result:
            on_result(result)
        results.append(result)
    return results


def run_steps(wams: Steps, scenario: Scenario,
              on_step: Callable[[StepResult], None] | None = None, *,
              strict: bool = False, mark: str | None = None,
              in_batch: bool = False) -> list[StepResult]:
    """The steps of ``scenario`` in ``wams`` (a handle or a batch), each compared with its
    ``verwacht``. ``strict`` (loading an archive): a step the catalogue cannot take, or an
    engine error, raises instead of failing the step, so the caller can undo the whole record.
    ``mark`` is the idempotency key of the first command: whether it is stored tells whether
    the record was (the batch commits all its steps or none). ``in_batch``: ``wams`` is a
    batch, told of each step whether the next one continues its case (so it may write the
    case's row once for the run; ``Batch.execute``'s ``case_continues``)."""
    gemeente = scenario.header.gemeente
    case_id: str | None = None
    phase: Phase | None = None
    melding: int | None = None  # the scenario's last melding, which melding_doorgeven means
    results: list[StepResult] = []
    continues: Sequence[bool | None] = _continuing(scenario.stappen) if in_batch \
        else [None] * len(scenario.stappen)
    for stap, more in zip(scenario.stappen, continues, strict=True):
        if isinstance(stap.command, c.MeldingDoorgeven) and stap.command.melding is None:
            stap = attrs.evolve(stap, command=attrs.evolve(stap.command, melding=melding))
        key = mark if not isinstance(stap.command, Tijd) else None
        if key is not None:
            mark = None
        try:
            decision = _execute(wams, gemeente, case_id, phase, stap, key, more)
        except Exception as exc:
            results.append(_failed(stap, exc, strict, case_id, phase))
            if on_step:
                on_step(results[-1])
            if isinstance(exc, InputError):
                continue
            break
        if isinstance(stap.command, _OPENERS) and decision.allowed and decision.case_id:
            case_id = decision.case_id
        if isinstance(stap.command, c.Melding) and decision.allowed and decision.report:
            melding = int(decision.report["melding"])  # type: ignore[call-overload]
        if decision.phase is not None and (decision.case_id == case_id or case_id is None):
            phase = decision.phase
        results.append(StepResult(stap.n, stap.action, decision, compare(stap, decision)))
        if on_step:
            on_step(results[-1])
    return results


def _failed(stap: Stap, exc: Exception, strict: bool, case_id: str | None,
            phase: Phase | None) -> StepResult:
    """The failed step of a step that raised ``exc``; raised on instead when ``strict`` (or,
    for an engine error, with WAMS_DEBUG set)."""
    if isinstance(exc, InputError):
        if strict:
            raise StepInputError(stap.n, stap.action, exc) from exc
        # Malformed for the catalogue (an unknown domain or party kind): nothing was stored,
        # so the scenario goes on; the step fails with the engine's own sentence.
        decision = Decision(False, "input.invalid", str(exc), (), (), step=stap.action,
                            case_id=case_id, phase=phase)
        return StepResult(stap.n, stap.action, decision, (
            f"stap {stap.n} ({stap.action}): ongeldige invoer: {exc}; verbeter het scenario",))
    if strict or os.environ.get("WAMS_DEBUG"):
        raise exc
    # An engine crash is a failed step, not a crashed run; the case state is unknown after
    # it, so the rest of this scenario is not run.
    decision = Decision(False, "error", f"{type(exc).__name__}: {exc}", (), (),
                        step=stap.action, case_id=case_id, phase=phase)
    return StepResult(stap.n, stap.action, decision, (
        (f"stap {stap.n} ({stap.action}): fout in de engine: {type(exc).__name__}: {exc}"
         " (zet WAMS_DEBUG=1 voor de traceback); de rest van het scenario is overgeslagen"),))


def _continuing(stappen: Sequence[Stap]) -> list[bool]:
    """Of each step, whether the next command (a ``tijd`` step is none) is an ordinary change
    of the same case: not the last, not one that opens a case or acts outside one."""
    out = [False] * len(stappen)
    following = False
    for i in range(len(stappen) - 1, -1, -1):
        out[i] = following
        command = stappen[i].command
        if not isinstance(command, Tijd):
            following = not isinstance(command, (*_OPENERS, *_NO_CASE)) \
                and step_of(command).effect is Effect.APPLY
    return out


def _execute(wams: Steps, gemeente: str, case_id: str | None, phase: Phase | None,
             stap: Stap, key: str | None = None, continues: bool | None = None) -> Decision:
    command = stap.command
    if isinstance(command, Tijd):
        if command.datum is not None:
            wams.clock.set(command.datum)
        else:
            wams.clock.advance(command.dagen or 0)
        return Decision(True, "ok", f"De klok staat nu op {wams.clock.today():%Y-%m-%d}.", (), (),
                        step="tijd", case_id=case_id, phase=phase)
    if isinstance(command, (*_OPENERS, *_NO_CASE)):
        case_id = None
    # Before a case exists the engine itself refuses (state.invalid_transition).
    if continues is None:
        return wams.execute(gemeente, case_id, command, idempotency_key=key)
    return wams.execute(gemeente, case_id, command, idempotency_key=key,
                        case_continues=continues)


def compare(stap: Stap, d: Decision) -> tuple[str, ...]:
    """The ways decision ``d`` differs from what the step expects (empty when it matches)."""
    where = f"stap {stap.n} ({stap.action})"
    v = stap.verwacht or Verwacht()
    out = _allowed_differs(stap, d, where)
    checks: tuple[tuple[str, str | None, str | None], ...] = (
        ("reden", v.reden, d.code), ("fase", v.fase, d.phase), ("werkplan", v.werkplan, d.werkplan))
    for key, want, actual in checks:
        if want is not None and want != actual:
            out.append(f"{where}: {key} verwacht '{want}', kreeg {_q(actual)}")
    missing = [r for r in v.citeert if r not in d.rule_ids]
    if missing:
        out.append(f"{where}: citeert verwacht {', '.join(missing)}, kreeg "
                   f"{', '.join(d.rule_ids) or 'geen regels'}")
    out += _counts_differ(v, d, where)
    missing = [s for s in v.signalen if s not in d.signalen]
    if missing:
        out.append(f"{where}: signalen verwacht {', '.join(missing)}, kreeg "
                   f"{', '.join(d.signalen) or 'geen signalen'}")
    if v.waarschuwing is not None and v.waarschuwing != (d.waarschuwing is not None):
        out.append(f"{where}: waarschuwing verwacht {'ja' if v.waarschuwing else 'nee'}, kreeg "
                   f"{d.waarschuwing or 'geen'}")
    return tuple(out)


def _allowed_differs(stap: Stap, d: Decision, where: str) -> list[str]:
    allowed = (stap.verwacht or Verwacht()).expects_allowed()
    if allowed is None or d.allowed == allowed:
        return []
    if stap.verwacht is None:
        return [f"{where}: geweigerd met '{d.code}' ({d.message}), maar de stap heeft geen "
                "'verwacht'; een stap zonder 'verwacht' moet toegestaan zijn"]
    got = "ja" if d.allowed else f"nee, '{d.code}': {d.message}"
    return [f"{where}: toegestaan verwacht {'ja' if allowed else 'nee'}, kreeg {got}"]


def _counts_differ(v: Verwacht, d: Decision, where: str) -> list[str]:
    out = []
    if v.verwerkingen is not None and d.verwerkingen != v.verwerkingen:
        out.append(f"{where}: verwerkingen verwacht {v.verwerkingen}, kreeg {d.verwerkingen}")
    if v.verwerkingen_min is not None and d.verwerkingen < v.verwerkingen_min:
        out.append(f"{where}: verwerkingen_min verwacht {v.verwerkingen_min}, kreeg "
                   f"{d.verwerkingen}")
    return out


def _q(value: object) -> str:
    return "niets" if value is None else f"'{value}'"


# -- municipal settings ----------------------------------------------------------------------


def _apply_settings(wams: Wams, scenario: Scenario) -> dict[str, object]:
    gemeente = scenario.header.gemeente
    previous: dict[str, object] = {}
    for key, value in scenario.header.instellingen.items():
        try:
            previous[key] = wams.setting(gemeente, key)
        except Exception:  # noqa: BLE001 - an unknown setting has no previous value
            previous[key] = None
        wams.set_setting(gemeente, key, value)
    return previous


def _restore_settings(wams: Wams, gemeente: str, previous: dict[str, object]) -> None:
    # In a shared database the settings are the municipality's, not the scenario's: put them
    # back so that the next file sees the defaults it was written against.
    for key, value in previous.items():
        try:
            wams.set_setting(gemeente, key, value)
        except Exception:  # noqa: BLE001, S110 - best effort; "unset" may be refused
            pass


# -- machine output ---------------------------------------------------------------------------


def as_json(results: Iterable[ScenarioResult]) -> list[dict[str, Any]]:
    """The machine output of docs/scenarios.md ("Machine output"): one object per file."""
    return [{
        "file": r.file,
        "scenario": r.scenario,
        "passed": r.passed,
        "steps": [{
            "n": s.n,
            "step": s.step,
            "allowed": s.decision.allowed,
            "reden": s.decision.code,
            "fase": s.decision.phase,
            "werkplan": s.decision.werkplan,
            "citeert": list(s.decision.rule_ids),
            "verwerkingen": s.decision.verwerkingen,
            "message": s.decision.message,
            "failures": list(s.failures),
        } for s in r.steps],
    } for r in results]


__all__ = ["ScenarioResult", "StepResult", "as_json", "compare", "run_many", "run_scenario"]
