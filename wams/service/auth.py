"""Bearer tokens: who calls, for which municipality, in which role.

A token is a JWT with the claims ``gemeente`` (CBS code), ``sub`` (the user, logged as the
actor) and ``rol`` (``medewerker``, ``coordinator``, ``partij:<ref>`` or ``fg``), and ``exp``.
HS256 with a shared secret is how the ZGW APIs authenticate suppliers; RS256 and ES256 are
checked against a JWKS file (the keys of an OIDC provider). The municipality comes from the
token only: the path must name the same one (R38).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import attrs
import jwt

ROLES = ("medewerker", "coordinator", "fg")
PARTY_PREFIX = "partij:"
ASYMMETRIC = ("RS256", "ES256")


class TokenError(Exception):
    """The token is missing, malformed, expired, badly signed or lacks a claim (HTTP 401)."""


@attrs.frozen
class Principal:
    gemeente: str
    user: str
    role: str  # medewerker, coordinator, fg, or partij (with ``partij`` its ref)
    partij: str | None = None
    # The calling organisation (claim ``iss``): the entity of a foreign operation.
    issuer: str | None = None

    @property
    def actor(self) -> str:
        """The actor the core logs: the party's ref is part of who acted."""
        return f"{PARTY_PREFIX}{self.partij}:{self.user}" if self.partij else self.user


@attrs.frozen
class Verifier:
    """Checks tokens with a shared secret (HS256) and/or the keys of a JWKS file."""

    secret: str | None = None
    jwks: dict[str, Any] | None = None
    audience: str | None = None
    leeway: int = 30

    @classmethod
    def configured(cls, secret: str | None, jwks_file: str | None,
                   audience: str | None = None) -> Verifier:
        if not secret and not jwks_file:
            raise ValueError("geef WAMS_JWT_SECRET of WAMS_JWKS_FILE: zonder sleutel kan de "
                             "dienst geen token controleren")
        if secret is not None and len(secret) < 32:
            raise ValueError("WAMS_JWT_SECRET is te kort: gebruik minstens 32 tekens")
        jwks = json.loads(Path(jwks_file).read_text()) if jwks_file else None
        return cls(secret or None, jwks, audience or None)

    def principal(self, header: str | None) -> Principal:
        if not header or not header.startswith("Bearer "):
            raise TokenError("geen bearer-token meegestuurd (Authorization: Bearer ...)")
        token = header[len("Bearer "):].strip()
        try:
            claims = self._decode(token)
        except jwt.PyJWTError as exc:
            raise TokenError(f"token ongeldig: {exc}") from None
        return principal_from(claims)

    def _decode(self, token: str) -> dict[str, Any]:
        alg = jwt.get_unverified_header(token).get("alg")
        options = {"require": ["exp", "sub"]}
        common: dict[str, Any] = {"audience": self.audience, "leeway": self.leeway,
                                  "options": {**options, "verify_aud": bool(self.audience)}}
        if alg == "HS256" and self.secret:
            return jwt.decode(token, self.secret, algorithms=["HS256"], **common)
        if alg in ASYMMETRIC and self.jwks:
            kid = jwt.get_unverified_header(token).get("kid")
            keys = [k for k in self.jwks.get("keys", []) if kid is None or k.get("kid") == kid]
            if not keys:
                raise jwt.InvalidKeyError(f"geen sleutel '{kid}' in de JWKS")
            key = jwt.PyJWK(keys[0], algorithm=alg).key
            return jwt.decode(token, key, algorithms=[alg], **common)
        # Never "none", and never HS256 with a public key as the secret (alg confusion).
        raise jwt.InvalidAlgorithmError(f"algoritme {alg!r} wordt niet geaccepteerd")


def principal_from(claims: dict[str, Any]) -> Principal:
    gemeente, user, role = claims.get("gemeente"), claims.get("sub"), claims.get("rol")
    issuer = claims.get("iss") if isinstance(claims.get("iss"), str) else None
    if not isinstance(gemeente, str) or len(gemeente) != 4 or not gemeente.isdigit():
        raise TokenError("het token noemt geen gemeente (claim 'gemeente', vier cijfers)")
    if not isinstance(user, str) or not user.strip():
        raise TokenError("het token noemt geen gebruiker (claim 'sub')")
    if isinstance(role, str) and role.startswith(PARTY_PREFIX) and role[len(PARTY_PREFIX):]:
        return Principal(gemeente, user, "partij", role[len(PARTY_PREFIX):], issuer)
    if role not in ROLES:
        raise TokenError("het token noemt geen bekende rol (claim 'rol': medewerker, "
                         "coordinator, fg of partij:<ref>)")
    return Principal(gemeente, user, str(role), issuer=issuer)


def mint(secret: str, *, gemeente: str, user: str, rol: str, ttl: int = 3600,
         audience: str | None = None) -> str:
    """An HS256 token (``wams token``; tests). The claims are checked like any other."""
    now = int(time.time())
    claims: dict[str, Any] = {"gemeente": gemeente, "sub": user, "rol": rol, "iat": now,
                              "exp": now + ttl}
    if audience:
        claims["aud"] = audience
    principal_from(claims)
    return jwt.encode(claims, secret, algorithm="HS256")
