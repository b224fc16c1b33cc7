"""Running the service: configuration from the environment, one application per worker.

``wams serve`` checks the configuration and migrates the database once in the parent, then
hands uvicorn the factory :func:`app_from_env`, which every worker process calls. uvicorn stops
gracefully on SIGTERM/SIGINT: it stops accepting, lets running requests finish (a step is
committed before its answer is sent, so an acknowledged step is never lost) and then the
application closes its database.
"""

from __future__ import annotations

import logging
import os

from litestar import Litestar

from wams.api import Wams
from wams.service.app import create_app
from wams.service.auth import Verifier
from wams.service.problems import PREFIX

ENV_SECRET = "WAMS_JWT_SECRET"
ENV_JWKS = "WAMS_JWKS_FILE"
ENV_AUDIENCE = "WAMS_JWT_AUDIENCE"
ENV_ISSUERS = "WAMS_JWT_ISSUERS"
ENV_MAX_LIFETIME = "WAMS_JWT_MAX_LIFETIME"
ENV_DATABASE = "WAMS_DATABASE_URL"


def verifier_from_env() -> Verifier:
    return Verifier.configured(os.environ.get(ENV_SECRET), os.environ.get(ENV_JWKS),
                               os.environ.get(ENV_AUDIENCE), os.environ.get(ENV_ISSUERS),
                               os.environ.get(ENV_MAX_LIFETIME))


def app_from_env() -> Litestar:
    """The factory uvicorn calls in each worker. ``WAMS_PUBLIC_URL``: where this service is
    reached (processing activity ids become its URLs); ``WAMS_OTLP_ENDPOINT``: export every
    log record over OTLP, failing closed (needs ``wams[otel]``)."""
    if os.environ.get("WAMS_ACCESS_LOG", "1") != "0":
        _log_access()
    wams = Wams.open(os.environ.get(ENV_DATABASE))
    public = os.environ.get("WAMS_PUBLIC_URL")
    # the ids point at this API's register, the version in the path (``.../v2``)
    wams.set_public_url(public.rstrip("/") + PREFIX if public else None)
    endpoint = os.environ.get("WAMS_OTLP_ENDPOINT")
    if endpoint:
        from wams.service.otel import otlp_sink

        wams.set_log_sink(otlp_sink(endpoint))
    return create_app(wams, verifier_from_env(),
                      webhooks=os.environ.get("WAMS_WEBHOOKS", "1") != "0")


def _log_access() -> None:
    """One line per request on stderr (wams.service.gate says what is in it: no personal
    data). ``WAMS_ACCESS_LOG=0`` turns it off."""
    access = logging.getLogger("wams.access")
    if not access.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
        access.addHandler(handler)
        access.setLevel(logging.INFO)
        access.propagate = False


def serve(*, url: str | None, host: str, port: int, workers: int,
          graceful_seconds: int = 30) -> None:
    import uvicorn

    if url:
        os.environ[ENV_DATABASE] = url
    verifier_from_env()  # a missing or weak key: one line, exit 2, before any worker starts
    Wams.open(os.environ.get(ENV_DATABASE)).close()  # migrate once, not in every worker
    uvicorn.run("wams.service.run:app_from_env", factory=True, host=host, port=port,
                workers=workers, timeout_graceful_shutdown=graceful_seconds,
                log_level=os.environ.get("WAMS_LOG_LEVEL", "warning"), access_log=False)
