"""Decisions as the engine gives and stores them: built from a verdict and a reason code,
kept in the history as JSON without the step's report, and read back for an idempotent retry.
"""

from __future__ import annotations

import json
from typing import Any

from wams.core.law import policy
from wams.core.law.citations import Citation, caveat, footings
from wams.core.law.lifecycle import Applied
from wams.core.law.reasons import reason
from wams.core.law.rules import citations
from wams.core.law.steps import Step
from wams.core.model import Casus, Decision
from wams.core.serialize import decision_record, encode, structure

Versions = tuple[tuple[str, str], ...]


def refusal(case: Casus | None, step: str, code: str, trace: str, versions: Versions,
            detail: str | None = None, werkplan: str | None = None,
            extra_rules: tuple[str, ...] = (),
            extra_sources: tuple[Citation, ...] = ()) -> Decision:
    # ``extra_sources``: what the refusal rests on beside its rules (our own choice where the
    # memorandum is silent, say; a plugin's provision rule), so the message carries that
    # footing's caveat too; the reading a code decides (its section and footing) comes first
    r = reason(code)
    rules = tuple(dict.fromkeys(r.rules + extra_rules))
    cited = tuple(dict.fromkeys(citations(rules) + r.sources + extra_sources))
    uncertain = footings(cited)
    return Decision(False, code, render(r.message, detail, uncertain), rules,
                    tuple(c.labelled() for c in cited), footings=uncertain, step=step,
                    case_id=case.id if case else None,
                    phase=case.phase if case else None, werkplan=werkplan,
                    trace_id=trace, versions=versions,
                    version=case.version if case else None)


def allowed(case: Casus | None, step: str, verdict: policy.Verdict, trace: str,
            versions: Versions, applied: Applied, extra: tuple[str, ...],
            signalen: tuple[str, ...], count: int, report: dict[str, Any] | None) -> Decision:
    cited = tuple(dict.fromkeys((verdict.only_sources or citations(verdict.rules))
                                + verdict.sources))
    uncertain = footings(cited)
    sources = tuple(dict.fromkeys(tuple(c.labelled() for c in cited) + extra))
    return Decision(True, "ok", render(reason("ok").message, verdict.detail, uncertain),
                    verdict.rules, sources, footings=uncertain, step=step,
                    case_id=case.id if case else None,
                    phase=case.phase if case else None, werkplan=applied.werkplan,
                    signalen=signalen, verwerkingen=count, trace_id=trace,
                    versions=versions, report=report,
                    version=case.version if case else None, waarschuwing=verdict.waarschuwing)


def join(message: str, detail: str | None) -> str:
    return f"{message} {detail}" if detail else message


def render(message: str, detail: str | None, uncertain: tuple[str, ...]) -> str:
    """The Dutch message: the reason's sentence, the step's detail, and a caveat for every
    footing that is not the memorandum's own word (announced, the 2023 bill, our choice)."""
    return join(join(message, detail), caveat(uncertain))


def werkplan_of(step: Step, case: Casus | None, cmd: Any) -> str | None:
    """The werkplan grondslag a refused werkplan or terugkoppeling step still reports (its
    record's ``werkplan``)."""
    if case is None or step.werkplan is None:
        return None
    return step.werkplan(case, cmd)


def to_json(decision: Decision, fingerprint: str | None = None) -> str:
    """The decision as the history keeps it: code, rule ids, sources, phase and counts, never
    the step's report or the message (personal data, and a detail may quote the caller; the
    detail is sealed with the case's content; the Dutch message is rendered when read). With
    an idempotency key also the keyed fingerprint of the command it answered, so a replay can
    tell the same command from another one."""
    data = decision_record(decision)
    if fingerprint is not None:
        data["command"] = fingerprint
    return encode(data)


def from_json(text: str, detail: str | None = None) -> tuple[Decision, str | None]:
    """The stored decision, its Dutch message rendered from its reason code (and the detail,
    when the caller still holds the case's key), and the fingerprint of its command (None when
    it kept none)."""
    data = json.loads(text)
    data["report"] = None
    fingerprint = data.pop("command", None)
    data["message"] = render(reason(data["code"]).message, detail,
                             tuple(data.get("footings", ())))
    return structure(data, Decision), fingerprint
