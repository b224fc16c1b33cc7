"""The step endpoints: one per lifecycle step, a POST with the step's scenario keys as body.

A step that opens a case or stands outside one is posted to the municipality's collection
(``/gemeenten/{gemeente}/hulpvragen``); every other to its case
(``/gemeenten/{gemeente}/casussen/{casus_id}/besluit-verzoek``). The role is checked twice:
whether it may try the step at all (before anything is read), and inside the transaction
against the stored case (``roles.step_check``).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, post
from litestar.params import FromPath, JSONBody
from litestar.types import ControllerRouterHandler

from wams.core.law.steps import STEPS, Step
from wams.core.settings import PARTIJ_LEES_API, PARTIJ_SOORTEN
from wams.service import roles
from wams.service.body import CommandBody
from wams.service.http import (
    CASUS,
    GEMEENTE,
    IdempotencyKey,
    IfMatch,
    TraceParent,
    denied,
    expected_version,
    headers_for,
    principal_of,
    wams_of,
)
from wams.service.problems import PREFIX, Besluit, besluit, refusal, service_problem
from wams.service.trace import TraceContext


def post_step(request: Request[Any, Any, Any], gemeente: str, casus_id: str | None,
             step: str, command: object, idempotency_key: str | None,
             if_match: str | None, traceparent: str | None) -> Response[Besluit]:
    principal = principal_of(request, gemeente)
    if not roles.may_try_step(principal, step):
        raise denied(roles.DENIED, step)
    key = f"{principal.actor}|{idempotency_key}" if idempotency_key else None
    trace = TraceContext.incoming(traceparent)
    wams = wams_of(request)
    registry = wams.setting(gemeente, PARTIJ_SOORTEN) if roles.reads_registry(principal) \
        else None
    # A ConflictError (another writer, or a stale If-Match) is 412 version.stale (app.py).
    d = wams.execute(
        gemeente, casus_id, command, actor=principal.actor, idempotency_key=key,
        expected_version=expected_version(if_match),
        authorize=roles.step_check(principal, step,
                                   registry if isinstance(registry, dict) else None),
        caller=trace.caller(principal.issuer, read_api_of(request, principal)))
    trace = trace.for_decision(d)
    if not d.allowed and casus_id is not None and d.case_id is None \
            and d.code == "state.invalid_transition":
        raise service_problem("not_found", d.message)  # the case does not exist: 404
    if not d.allowed:
        problem = refusal(d)
        problem.headers.update(headers_for(d, trace))
        raise problem
    headers = headers_for(d, trace)
    if STEPS[step].opens_case:  # 201 with the new case's address
        headers["Location"] = f"{PREFIX}/gemeenten/{gemeente}/casussen/{d.case_id}"
        return Response(besluit(d), status_code=201, headers=headers)
    return Response(besluit(d), status_code=200, headers=headers)


def read_api_of(request: Request[Any, Any, Any], principal: Any) -> str | None:
    """The read API (Logboek Dataverwerkingen, extension "lezen") of the party whose request
    this is, where the municipality knows it (setting ``partij_lees_api``)."""
    if principal.partij is None:
        return None
    known = wams_of(request).setting(principal.gemeente, PARTIJ_LEES_API)
    return known.get(principal.partij) if isinstance(known, dict) else None


# -- step endpoints, one per step ----------------------------------------------------------


def _step_handler(record: Step, path: str) -> ControllerRouterHandler:
    step, cls, in_case = record.name, record.command, record.in_case
    if in_case:
        def handler(request: Request[Any, Any, Any], gemeente: str, casus_id: str, data: Any,
                    idempotency_key: IdempotencyKey = None, if_match: IfMatch = None,
                    traceparent: TraceParent = None) -> Response[Besluit]:
            return post_step(request, gemeente, casus_id, step, data, idempotency_key,
                             if_match, traceparent)
    else:
        def handler(request: Request[Any, Any, Any], gemeente: str,  # type: ignore[misc]
                    data: Any, idempotency_key: IdempotencyKey = None,
                    if_match: IfMatch = None, traceparent: TraceParent = None,
                    ) -> Response[Besluit]:
            return post_step(request, gemeente, None, step, data, idempotency_key, if_match,
                             traceparent)

    # The body's type is the step's command record, built by the one way in (CommandBody:
    # wams.core.intake, never Litestar's own decoding); the module's annotations are
    # strings, so the resolved ones are given here.
    handler.__annotations__ = {
        "request": Request[Any, Any, Any], "gemeente": FromPath[str], "data": JSONBody[cls],  # type: ignore[misc,valid-type]
        "idempotency_key": IdempotencyKey, "if_match": IfMatch, "traceparent": TraceParent,
        "return": Response[Besluit], **({"casus_id": FromPath[str]} if in_case else {})}
    handler.__name__ = handler.__qualname__ = step
    return post(path, operation_id=step, summary=f"Stap {step}", sync_to_thread=True,
                status_code=201 if record.opens_case else 200, tags=["stappen"],
                dto=CommandBody[cls], return_dto=None)(handler)  # type: ignore[misc]


def handlers() -> list[ControllerRouterHandler]:
    """One endpoint per step the table gives a path: a collection of the municipality for a
    step that opens a case or stands outside one, an action below the case otherwise."""
    return [_step_handler(step, f"{CASUS if step.in_case else GEMEENTE}/{step.http}")
            for step in STEPS.values() if step.http is not None]
