"""The gate every request passes before anything of it is read: who calls, how big the body
is, and one access-log line.

Authentication comes first, before the path's parameters, the query or the body are parsed:
without a valid token every protected endpoint answers 401 (``access.token``), whatever the
body, so a caller without one learns nothing about what the endpoint would accept. Then the
size of the body (above :data:`MAX_BODY`, announced or read: 413) and its nesting (JSON deeper
than :data:`~wams.service.body.MAX_DEPTH`: 400, before any parser, which would recurse).

The access log (logger ``wams.access``) has one line per request: method, the route's template
(``/v2/gemeenten/{gemeente}/casussen/{casus_id}``, never the filled-in path, which can hold a
case id), status, duration and the token's role. No user, no BSN, no query string: the
processing log is where who-did-what-to-whom is recorded, under the rules for personal data.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from litestar.types import ASGIApp, HTTPRequestEvent, Message, Receive, ReceiveMessage, Scope, Send

from wams.service.auth import Principal, TokenError, Verifier
from wams.service.body import MAX_DEPTH, nesting_depth
from wams.service.problems import ProblemError, problem_of, service_problem

#: the largest request body accepted (bytes); a step's body is well under 10 kB
MAX_BODY = 256_000

#: operations anyone may call (the document itself, liveness and readiness, what a problem
#: type means, and the retired version's answer, which only names its successor)
PUBLIC = frozenset({"health", "ready", "probleemtype", "vervallen"})

access_log = logging.getLogger("wams.access")


def _public(scope: Scope) -> bool:
    handler = scope.get("route_handler")
    operation = getattr(handler, "operation_id", None)
    # Litestar's own OpenAPI routes have no operation id of ours
    return operation in PUBLIC or "openapi" in str(getattr(handler, "paths", ""))


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def principal_in(scope: Scope) -> Principal | None:
    """The caller the gate let in (None on a public endpoint)."""
    state: dict[str, Any] = scope.get("state", {})
    principal = state.get("wams_principal")
    return principal if isinstance(principal, Principal) else None


def _too_large() -> ProblemError:
    return service_problem("body.too_large", f"de body is groter dan {MAX_BODY} bytes")


async def _checked_body(receive: Receive) -> Receive:
    """Read the whole body (at most MAX_BODY bytes) and check its nesting before any parser
    sees it: every JSON parser behind this recurses. The body is then replayed as is."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            raise _too_large()
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    raw = b"".join(chunks)
    if nesting_depth(raw) > MAX_DEPTH:
        raise service_problem("input.invalid", f"de JSON is dieper genest dan {MAX_DEPTH} "
                                               "niveaus; geen verzoek heeft dat nodig")
    sent = False

    async def replay() -> ReceiveMessage:
        nonlocal sent
        if not sent:
            sent = True
            return HTTPRequestEvent(type="http.request", body=raw, more_body=False)
        return await receive()

    return replay


def gate(app: ASGIApp) -> ASGIApp:
    """Litestar middleware: the token, then the body size, around every route."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 500}
        role = "-"

        async def send_logged(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = int(message["status"])
            await send(message)

        try:
            if not _public(scope):
                verifier: Verifier = scope["litestar_app"].state.verifier
                try:
                    principal = verifier.principal(_header(scope, b"authorization"))
                except TokenError as exc:
                    raise problem_of(exc) from None
                scope.setdefault("state", {})["wams_principal"] = principal
                role = principal.role
                length = _header(scope, b"content-length")
                if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
                    raise _too_large()
                if scope.get("method") in ("POST", "PUT", "PATCH", "DELETE"):
                    receive = await _checked_body(receive)
            await app(scope, receive, send_logged)
        except ProblemError as exc:
            status["code"] = exc.problem.status  # answered by the app's exception handler
            raise
        finally:
            access_log.info("%s %s %s %.1fms rol=%s", scope.get("method", "?"),
                            scope.get("path_template", "?"), status["code"],
                            (time.perf_counter() - started) * 1000, role)

    return middleware


__all__ = ["MAX_BODY", "PUBLIC", "gate", "principal_in"]
