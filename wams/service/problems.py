"""What the service answers: a step's decision as JSON, and every error or refusal as an
RFC 9457 problem document (``application/problem+json``) whose ``type`` is the address of the
reason code's documentation on this service (``/v1/probleemtypen/<code>``) and whose ``code``
is the code itself.

Refusals by the rules are 422 (the request was understood; the law says no), refusals by role
or municipality 403, bad input 400, a missing or bad token 401, a stale ``If-Match`` 412.
"""

from __future__ import annotations

from typing import Any

import attrs

from wams.core.model import Decision

PROBLEM_JSON = "application/problem+json"
#: where a problem type is documented: ``type`` is this path plus the code, a URI reference
#: that resolves on the service itself (GET: the code's sentence, rules and sources)
PROBLEM_TYPES = "/v1/probleemtypen/"
API_VERSION = "1.0.0"

#: the service's own problem types, beside the reason codes of the rules (wams.core.reasons)
SERVICE_PROBLEMS: dict[str, tuple[int, str]] = {
    "input.invalid": (400, "De invoer is niet bruikbaar."),
    "access.token": (401, "Geen geldig token: meld u aan met een bearer-token."),
    "not_found": (404, "Deze bron bestaat niet."),
    "method.not_allowed": (405, "Deze methode is hier niet toegestaan."),
    "body.too_large": (413, "De body is te groot."),
    "version.stale": (412, "De casus is intussen gewijzigd; er is niets opgeslagen. Lees de "
                           "casus opnieuw (ETag) en probeer het nog eens."),
    "service.unavailable": (503, "De dienst is (nog) niet beschikbaar."),
    "service.error": (500, "Er ging iets mis in de dienst; er is niets opgeslagen dat niet "
                           "bevestigd is."),
}

FORBIDDEN_CODES = frozenset({"access.role", "access.party_kind", "tenant.mismatch"})


@attrs.frozen
class Besluit:
    """A step's decision (``Decision``) as the service returns it."""

    allowed: bool
    code: str
    message: str
    rule_ids: list[str]
    citations: list[str]
    step: str
    trace_id: str
    case_id: str | None = None
    phase: str | None = None
    version: int | None = None
    werkplan: str | None = None
    signalen: list[str] = attrs.Factory(list)
    verwerkingen: int = 0
    report: dict[str, Any] | None = None


@attrs.frozen
class Probleem:
    """An RFC 9457 problem document; for a refusal it also carries the decision's fields."""

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    code: str | None = None
    rule_ids: list[str] | None = None
    citations: list[str] | None = None
    step: str | None = None
    case_id: str | None = None
    phase: str | None = None
    version: int | None = None
    trace_id: str | None = None


class ProblemError(Exception):
    """Raised anywhere in a handler; answered as a problem document."""

    def __init__(self, problem: Probleem, headers: dict[str, str] | None = None) -> None:
        super().__init__(problem.detail or problem.title)
        self.problem = problem
        self.headers = headers or {}


def besluit(d: Decision) -> Besluit:
    return Besluit(d.allowed, d.code, d.message, list(d.rule_ids), list(d.citations), d.step,
                   d.trace_id, d.case_id, d.phase, d.version, d.werkplan, list(d.signalen),
                   d.verwerkingen, d.report)


def refusal(d: Decision) -> ProblemError:
    status = 403 if d.code in FORBIDDEN_CODES else 422
    return ProblemError(Probleem(
        type=PROBLEM_TYPES + d.code, title="Geweigerd" if status == 422 else "Geen toegang",
        status=status, detail=d.message, instance=f"urn:wams:trace:{d.trace_id}", code=d.code,
        rule_ids=list(d.rule_ids), citations=list(d.citations), step=d.step,
        case_id=d.case_id, phase=d.phase, version=d.version, trace_id=d.trace_id))


def service_problem(kind: str, detail: str | None = None) -> ProblemError:
    status, title = SERVICE_PROBLEMS[kind]
    return ProblemError(Probleem(type=PROBLEM_TYPES + kind, title=title, status=status,
                                 detail=detail, code=kind))


def body(problem: Probleem) -> dict[str, Any]:
    """The problem as JSON, without the members it does not have."""
    return {k: v for k, v in attrs.asdict(problem).items() if v is not None}
