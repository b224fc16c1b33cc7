"""The service commands: ``wams serve`` (the HTTP API) and ``wams token`` (an HS256 token for
a user, for trying the service and for tests). Both need the extra ``wams[api]``."""

from __future__ import annotations

import os

import click

from wams.core.errors import InputError as ServiceError  # one line, exit 2 (wams.cli)


def _service_module(name: str) -> object:
    try:
        return __import__(f"wams.service.{name}", fromlist=[name])
    except ImportError as exc:
        raise ServiceError(
            f"de dienst heeft de extra 'api' nodig: pip install 'wams[api]' ({exc.name} "
            "ontbreekt)") from None


@click.command()
@click.option("--db", "url", metavar="URL", help="Database (standaard $WAMS_DATABASE_URL).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
def serve(url: str | None, host: str, port: int, workers: int) -> None:
    """De HTTP-dienst onder /v2 (tokens: $WAMS_JWT_SECRET of $WAMS_JWKS_FILE)."""
    if url is not None and not url.strip():
        raise ServiceError("--db is leeg; geef de URL van de database op (of laat --db weg "
                           "voor $WAMS_DATABASE_URL)")
    run = _service_module("run")
    try:
        run.serve(url=url, host=host, port=port, workers=workers)  # type: ignore[attr-defined]
    except ValueError as exc:
        raise ServiceError(str(exc)) from None


@click.command()
@click.option("--gemeente", required=True, help="CBS-code van de gemeente.")
@click.option("--user", "user", required=True, help="De gebruiker (claim sub; wordt gelogd).")
@click.option("--rol", required=True, help="medewerker, coordinator, fg, beheer of partij:<ref>.")
@click.option("--ttl", default=3600, show_default=True, type=click.IntRange(60, 86400),
              help="Geldigheid in seconden (de dienst aanvaardt hoogstens "
                   "$WAMS_JWT_MAX_LIFETIME, standaard 3600).")
@click.option("--soort", default=None, metavar="PLUGIN.SOORT",
              help="Bij partij:<ref>: de soort van de partij (claim partij_soort); de "
                   "instelling partij_soorten van de gemeente gaat voor.")
def token(gemeente: str, user: str, rol: str, ttl: int, soort: str | None) -> None:
    """Een HS256-token met $WAMS_JWT_SECRET, voor één gebruiker in één rol."""
    auth = _service_module("auth")
    secret = os.environ.get("WAMS_JWT_SECRET")
    if not secret:
        raise ServiceError("zet WAMS_JWT_SECRET (dezelfde als die van wams serve)")
    # A TokenError is a WamsError: one line and exit 2 (wams.cli).
    click.echo(auth.mint(secret, gemeente=gemeente, user=user,  # type: ignore[attr-defined]
                         rol=rol, ttl=ttl, soort=soort))
