"""What every handler uses: the app's Wams and token verifier, the caller (R38), the headers
of the answer (ETag, traceparent) and the parameters several endpoints share."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, Response
from litestar.params import HeaderParameter, QueryParameter

from wams.api import Wams
from wams.core.engine import refusal as refused_decision
from wams.core.model import Decision
from wams.service.auth import Principal, TokenError, Verifier
from wams.service.gate import principal_in
from wams.service.problems import ProblemError, problem_of, refusal, service_problem
from wams.service.trace import TraceContext

GEMEENTE = "/gemeenten/{gemeente:str}"
CASUS = GEMEENTE + "/casussen/{casus_id:str}"

IdempotencyKey = Annotated[str | None, HeaderParameter(
    name="Idempotency-Key", required=False, max_length=100,
    description="Een herhaalde aanroep met dezelfde sleutel wordt één keer uitgevoerd.")]
IfMatch = Annotated[str | None, HeaderParameter(
    name="If-Match", required=False,
    description="De ETag (casusversie) waarop deze stap voortbouwt; verouderd: 412.")]
TraceParent = Annotated[str | None, HeaderParameter(
    name="traceparent", required=False,
    description="W3C trace context van de aanroepende organisatie (Logboek Dataverwerkingen).")]
Doel = Annotated[str, QueryParameter(name="doel", min_length=1, max_length=500,
                                description="Het doel waarvoor u inziet (wordt gelogd).")]


Limit = Annotated[int, QueryParameter(
    name="limit", required=False, ge=1, le=500,
    description="Hoeveel items per pagina (1 tot en met 500).")]
Na = Annotated[str | None, QueryParameter(
    name="na", required=False, min_length=1, max_length=100,
    description="De cursor van de volgende pagina: het laatste item van de vorige (zie "
                "'volgende' in het antwoord).")]
#: how many items a page has when the caller does not say
PAGE = 100


def page(request: Request[Any, Any, Any], name: str, items: list[Any], limit: int,
         cursor: Any) -> Response[dict[str, Any]]:
    """One page of a collection: ``items`` holds up to ``limit + 1`` items after the cursor;
    the answer has at most ``limit`` under ``name`` and, when there are more, ``volgende``
    (the next page's address) and a ``Link: <...>; rel="next"`` header (keyset pagination:
    the cursor is the last item, so a page stays right while items are added)."""
    following = None
    headers: dict[str, str] = {}
    if len(items) > limit:
        items = items[:limit]
        query = {k: v for k, v in request.query_params.items() if k not in ("na", "limit")}
        query.update(limit=str(limit), na=str(cursor(items[-1])))
        following = f"{request.url.path}?{urlencode(query)}"
        headers["Link"] = f'<{following}>; rel="next"'
    return Response({name: items, "volgende": following}, headers=headers)


def after_key(items: list[Any], key: Any, na: str | None, limit: int) -> list[Any]:
    """Keyset over a small collection read whole (subscriptions, meldingen, the register):
    the items with a key after ``na``, in key order, up to ``limit + 1``."""
    ordered = sorted(items, key=key)
    if na is not None and ordered:
        bound: Any = na
        if isinstance(key(ordered[0]), int):
            if not na.isdigit():
                raise service_problem("input.invalid", f"na is een nummer uit 'volgende', "
                                                       f"niet {na!r}")
            bound = int(na)
        ordered = [i for i in ordered if key(i) > bound]
    return ordered[:limit + 1]


def wams_of(request: Request[Any, Any, Any]) -> Wams:
    return request.app.state.wams


def principal_of(request: Request[Any, Any, Any], gemeente: str | None) -> Principal:
    principal = principal_in(request.scope)
    if principal is None:  # the gate lets public endpoints through without a token
        verifier: Verifier = request.app.state.verifier
        try:
            principal = verifier.principal(request.headers.get("authorization"))
        except TokenError as exc:
            raise problem_of(exc) from None
    if gemeente is not None and gemeente != principal.gemeente:
        # R38: the token's municipality is the only one; nothing of another is touched.
        raise denied("tenant.mismatch", "raadplegen")
    return principal


def denied(code: str, step: str) -> ProblemError:
    return refusal(refused_decision(None, step, code, "", ()))


def expected_version(if_match: str | None) -> int | None:
    if if_match is None or if_match.strip() == "*":
        return None
    tag = if_match.strip().removeprefix("W/").strip('"')
    if not tag.isdigit():
        raise service_problem("input.invalid",
                              f"If-Match {if_match!r} is geen ETag van een casus (\"3\")")
    return int(tag)


def headers_for(decision_or_version: Decision | int | None,
                trace: TraceContext | None) -> dict[str, str]:
    version = decision_or_version.version if isinstance(decision_or_version, Decision) \
        else decision_or_version
    headers = {}
    if version is not None:
        headers["ETag"] = f'"{version}"'
    if trace is not None:
        headers["traceparent"] = trace.outgoing()
    return headers


