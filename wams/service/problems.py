"""What the service answers: a step's decision as JSON, and every error or refusal as an
RFC 9457 problem document (``application/problem+json``) whose ``type`` is the address of the
reason code's documentation on this service (``/v2/probleemtypen/<code>``) and whose ``code``
is the code itself. Every JSON key the service writes is Dutch (``toegestaan``, ``regels``,
``fase``), like the bodies it reads; the exceptions are the members a standard names (RFC 9457's
``type``/``title``/``status``/``detail``/``instance``, the Logboek Dataverwerkingen records).

Refusals by the rules are 422 (the request was understood; the law says no), refusals by role
or municipality 403, bad input 400, a missing or bad token 401, a stale ``If-Match`` 412.
"""

from __future__ import annotations

from typing import Any

import attrs

from wams.core.errors import Refused, WamsError
from wams.core.model import Decision

PROBLEM_JSON = "application/problem+json"
#: the major version in every path (NL API Design Rules /core/uri-version); the only place
#: it is spelled. Version 1 (English keys in the decision) is gone: see ``gone``.
PREFIX = "/v2"
#: the full version, in the ``API-Version`` header of every answer
API_VERSION = "2.0.0"
#: where a problem type is documented: ``type`` is this path plus the code, a URI reference
#: that resolves on the service itself (GET: the code's sentence, rules and sources)
PROBLEM_TYPES = f"{PREFIX}/probleemtypen/"

#: the service's own problem types, beside the reason codes of the rules (wams.core.law.reasons)
SERVICE_PROBLEMS: dict[str, tuple[int, str]] = {
    "input.invalid": (400, "De invoer is niet bruikbaar."),
    "access.token": (401, "Geen geldig token: meld u aan met een bearer-token."),
    "not_found": (404, "Deze bron bestaat niet."),
    "method.not_allowed": (405, "Deze methode is hier niet toegestaan."),
    "body.too_large": (413, "De body is te groot."),
    "version.stale": (412, "De casus is intussen gewijzigd; er is niets opgeslagen. Lees de "
                           "casus opnieuw (ETag) en probeer het nog eens."),
    "service.unavailable": (503, "De dienst is (nog) niet beschikbaar."),
    "api.version_gone": (410, "Deze versie van de API bestaat niet meer; gebruik /v2."),
    "service.error": (500, "Er ging iets mis in de dienst; er is niets opgeslagen dat niet "
                           "bevestigd is."),
}

FORBIDDEN_CODES = frozenset({"access.role", "access.party_kind", "tenant.mismatch"})


@attrs.frozen
class Besluit:
    """A step's decision (``Decision``) as the service returns it, with Dutch keys."""

    toegestaan: bool
    code: str
    toelichting: str
    regels: list[str]
    bronnen: list[str]
    stap: str
    trace_id: str
    casus: str | None = None
    fase: str | None = None
    versie: int | None = None
    werkplan: str | None = None
    signalen: list[str] = attrs.Factory(list)
    verwerkingen: int = 0
    rapport: dict[str, Any] | None = None


@attrs.frozen
class Probleem:
    """An RFC 9457 problem document (its own members keep the RFC's names); for a refusal it
    also carries the decision's fields, in Dutch as in :class:`Besluit`."""

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    code: str | None = None
    regels: list[str] | None = None
    bronnen: list[str] | None = None
    stap: str | None = None
    casus: str | None = None
    fase: str | None = None
    versie: int | None = None
    trace_id: str | None = None


class ProblemError(Exception):
    """Raised anywhere in a handler; answered as a problem document. Not an error of wams'
    family (``wams.core.errors``) but the service's answer to one, already made: what
    :func:`problem_of` returns."""

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
        regels=list(d.rule_ids), bronnen=list(d.citations), stap=d.step, casus=d.case_id,
        fase=d.phase, versie=d.version, trace_id=d.trace_id))


def service_problem(kind: str, detail: str | None = None) -> ProblemError:
    status, title = SERVICE_PROBLEMS[kind]
    return ProblemError(Probleem(type=PROBLEM_TYPES + kind, title=title, status=status,
                                 detail=detail, code=kind))


def problem_of(exc: WamsError) -> ProblemError:
    """The service's one mapping of an error of the family to its answer: a refusal by its
    decision's reason code (403 or 422), any other error by its class's status and problem
    type (``WamsError.http_status``, ``WamsError.problem``), its sentence as the detail."""
    if isinstance(exc, Refused):
        return refusal(exc.decision)
    problem = service_problem(exc.problem, " ".join(str(exc).split()) or None)
    return ProblemError(attrs.evolve(problem.problem, status=exc.http_status))


def body(problem: Probleem) -> dict[str, Any]:
    """The problem as JSON, without the members it does not have."""
    return {k: v for k, v in attrs.asdict(problem).items() if v is not None}
