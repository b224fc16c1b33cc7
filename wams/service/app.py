"""The HTTP service: one endpoint per lifecycle step and per read, under ``/v2``.

Bodies are the scenario keys of the step (a person or party that enters the case in full,
``{"ref": ..., ...}``; elsewhere its ref). The municipality is the token's; the path names it
too, and a path naming another one is refused (R38). A step answers with its decision and the
case version as ``ETag``; ``If-Match`` makes the step conditional on that version (stale: 412,
nothing stored); ``Idempotency-Key`` makes a retry safe (applied once, per user). Every answer
carries ``API-Version``; errors and refusals are problem documents (``problems``).

Version 1 is gone: every ``/v1`` path answers 410 with the ``/v2`` path as its successor
(``Link: <...>; rel="successor-version"``), except a processing activity's address, which the
processing log of version 1 wrote into its records: that one is redirected (308), so a record
keeps resolving.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import HttpMethod, Litestar, Request, Response, Router, route
from litestar.datastructures import ResponseHeader
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi import OpenAPIConfig
from litestar.response import Redirect

from wams.api import Wams
from wams.core.errors import WamsError
from wams.service import ldv, openapi, reads, step_endpoints
from wams.service.auth import Verifier
from wams.service.gate import MAX_BODY, gate
from wams.service.problems import (
    API_VERSION,
    PREFIX,
    PROBLEM_JSON,
    Probleem,
    ProblemError,
    body,
    problem_of,
    service_problem,
)
from wams.service.webhooks import Deliverer

log = logging.getLogger("wams.service")


# -- errors ------------------------------------------------------------------------------


def problem_response(problem: Probleem, headers: dict[str, str] | None = None,
                     ) -> Response[Any]:
    return Response(body(problem), status_code=problem.status, media_type=PROBLEM_JSON,
                    headers={"API-Version": API_VERSION, **(headers or {})})


def on_problem(_: Request[Any, Any, Any], exc: ProblemError) -> Response[Any]:
    return problem_response(exc.problem, exc.headers)


def on_validation(_: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    extra = exc.extra if isinstance(exc.extra, list) else []
    lines = [f"{e.get('key', '?')}: {e.get('message', '')}" for e in extra
             if isinstance(e, dict)]
    detail = "; ".join(lines) or str(exc.detail)
    return problem_response(service_problem("input.invalid", detail).problem)


def on_wams_error(_: Request[Any, Any, Any], exc: WamsError) -> Response[Any]:
    """Every error of the family, by its class (``problems.problem_of``)."""
    problem = problem_of(exc)
    return problem_response(problem.problem, problem.headers)


#: the framework's own refusals, in Dutch (its "Not Found" and the like are never shown)
FRAMEWORK = {404: ("not_found", f"Er is geen bron op dit pad; zie {PREFIX}/openapi.json."),
             405: ("method.not_allowed", "Deze methode kan niet op dit pad; zie "
                                         f"{PREFIX}/openapi.json."),
             413: ("body.too_large", "De body is te groot.")}


def on_http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    kind, detail = FRAMEWORK.get(exc.status_code, (None, None))
    if kind is None and exc.status_code < 500:
        kind = "input.invalid"  # Litestar's parameter checks: their detail names the key
        detail = str(exc.detail)
    if kind is None:
        log.error("HTTP %s: %s", exc.status_code, exc.detail)
        kind = "service.error"
    return problem_response(service_problem(kind, detail).problem)


def on_error(_: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("onverwachte fout in de dienst")
    return problem_response(service_problem("service.error").problem)


#: the retired major version (its paths answer :func:`gone`)
RETIRED = "/v1"


@route([RETIRED, RETIRED + "/{rest:path}"], operation_id="vervallen", include_in_schema=False,
       http_method=[HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH,
                    HttpMethod.DELETE], sync_to_thread=False)
def gone(request: Request[Any, Any, Any]) -> Redirect:
    """Every path of version 1: 410 naming its successor; a processing activity's address
    (held by version 1's log records) 308 to its successor, so a record keeps resolving."""
    successor = PREFIX + request.url.path.removeprefix(RETIRED)
    if request.method == HttpMethod.GET and request.url.path.startswith(
            f"{RETIRED}/verwerkingsactiviteiten/"):
        return Redirect(successor, status_code=308)
    problem = service_problem("api.version_gone", f"versie 1 is vervallen: gebruik {successor} "
                                                  "(de JSON-sleutels zijn nu Nederlands)")
    problem.headers["Link"] = f'<{successor}>; rel="successor-version"'
    raise problem


def create_app(wams: Wams, verifier: Verifier, *, debug: bool = False, webhooks: bool = True,
               webhook_interval: float = 0.5, webhook_backoff: float = 1.0) -> Litestar:
    """The application over an open :class:`~wams.api.Wams`; it closes it at shutdown.
    ``webhooks``: run a deliverer for the subscriptions (see :mod:`wams.service.webhooks`)."""
    deliverer = Deliverer(wams, interval=webhook_interval, backoff=webhook_backoff) \
        if webhooks else None

    def start() -> None:
        if deliverer is not None:
            deliverer.start()

    def close() -> None:
        # uvicorn has let the running requests finish; then the deliverer, then the database.
        if deliverer is not None:
            deliverer.stop()
        wams.close()

    current = Router(path=PREFIX, route_handlers=[*step_endpoints.handlers(), *reads.handlers(),
                                                  *ldv.handlers()])
    app = Litestar(
        route_handlers=[current, gone],
        exception_handlers={ProblemError: on_problem, ValidationException: on_validation,
                            WamsError: on_wams_error, HTTPException: on_http,
                            Exception: on_error},
        response_headers=[ResponseHeader(name="API-Version", value=API_VERSION,
                                         description="De volledige versie van de API.")],
        on_startup=[start], on_shutdown=[close], debug=debug,
        # the token before anything of the request is parsed (wams.service.gate)
        middleware=[gate], request_max_body_size=MAX_BODY,
        # Generated by Litestar, finished for the ADR and served at /v2/openapi.json only.
        openapi_config=OpenAPIConfig(title="wams", version=API_VERSION, path=PREFIX,
                                     render_plugins=[openapi.FinishedDocument(
                                         wams.catalogue.purposes)]))
    app.state.wams = wams
    app.state.verifier = verifier
    return app
