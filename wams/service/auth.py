"""Bearer tokens: who calls, for which municipality, in which role.

A token is a JWT with the claims ``gemeente`` (CBS code), ``sub`` (the user, logged as the
actor) and ``rol`` (``medewerker``, ``coordinator``, ``partij:<ref>`` or ``fg``), ``iss`` (an
accepted issuer: ``WAMS_JWT_ISSUERS``, by default ``wams``, the issuer of ``wams token``),
``aud`` (``WAMS_JWT_AUDIENCE``, by default ``wams``) and ``exp`` at most
``WAMS_JWT_MAX_LIFETIME`` seconds ahead (default one hour: a stolen token is useful briefly).
HS256 with a shared secret is how the ZGW APIs authenticate suppliers; RS256 and ES256 are
checked against a JWKS file (the keys of an OIDC provider). The municipality comes from the
token only: the path must name the same one (R38).
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import attrs
import jwt

from wams.core.errors import TokenError
from wams.core.gemeente import is_gemeente
from wams.core.law.acting import PARTY_PREFIX, party_actor
from wams.core.settings import KIND

ROLES = ("medewerker", "coordinator", "fg", "beheer")
ASYMMETRIC = ("RS256", "ES256")


@attrs.frozen
class Principal:
    gemeente: str
    user: str
    role: str  # medewerker, coordinator, fg, or partij (with ``partij`` its ref)
    partij: str | None = None
    # The calling organisation (claim ``iss``): the entity of a foreign operation.
    issuer: str | None = None
    # A party token's kind as its issuer vouches for it (claim ``partij_soort``); the
    # municipality's registry (setting partij_soorten) goes first (wams.service.roles).
    soort: str | None = None

    @property
    def actor(self) -> str:
        """The actor the core logs: the party's ref is part of who acted."""
        return party_actor(self.partij, self.user) if self.partij else self.user


#: the audience a token must name when none is configured (``WAMS_JWT_AUDIENCE``)
DEFAULT_AUDIENCE = "wams"
#: the issuer of the tokens ``wams token`` mints; accepted unless ``WAMS_JWT_ISSUERS`` says
#: which issuers are
LOCAL_ISSUER = "wams"
#: the longest a token may live (seconds): ``exp`` at most this far after ``iat`` and after
#: now (``WAMS_JWT_MAX_LIFETIME``)
DEFAULT_MAX_LIFETIME = 3600
#: the longest claims: the actor logged is ``partij:<ref>:<sub>`` in a 200-character column
MAX_SUB, MAX_PARTY_REF, MAX_ISS = 100, 64, 200
#: an unknown ``kid`` re-reads the JWKS file at most this often (seconds): a key rotated at
#: the provider is picked up, and a flood of made-up kids costs one read a minute
JWKS_REREAD_SECONDS = 60.0


@attrs.define
class _Jwks:
    """The keys of the JWKS file, re-read on an unknown ``kid`` (at most once a minute)."""

    path: str | None
    keys: dict[str, Any] | None
    read_at: float = 0.0
    lock: threading.Lock = attrs.field(factory=threading.Lock)

    def find(self, kid: str | None) -> list[dict[str, Any]]:
        found = self._match(kid)
        if found or self.path is None:
            return found
        with self.lock:
            if time.monotonic() - self.read_at >= JWKS_REREAD_SECONDS:
                self.read_at = time.monotonic()
                try:
                    self.keys = json.loads(Path(self.path).read_text())
                except (OSError, ValueError):
                    pass  # keep the keys we had; the token is refused below
        return self._match(kid)

    def _match(self, kid: str | None) -> list[dict[str, Any]]:
        keys = (self.keys or {}).get("keys", [])
        return [k for k in keys if isinstance(k, dict) and (kid is None or k.get("kid") == kid)]


@attrs.frozen
class Verifier:
    """Checks tokens with a shared secret (HS256) and/or the keys of a JWKS file.

    Every token must name ``iss`` (one of ``issuers``; by default only the tokens ``wams
    token`` mints) and ``aud`` (``audience``), carry ``exp`` no more than ``max_lifetime``
    seconds ahead (and after ``iat``), and keep its claims within bounds."""

    secret: str | None = None
    jwks: dict[str, Any] | None = None
    audience: str | None = DEFAULT_AUDIENCE
    leeway: int = 30
    issuers: frozenset[str] = frozenset({LOCAL_ISSUER})
    max_lifetime: int = DEFAULT_MAX_LIFETIME
    jwks_file: str | None = None
    _keys: _Jwks = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_keys", _Jwks(self.jwks_file, self.jwks, time.monotonic()))

    @classmethod
    def configured(cls, secret: str | None, jwks_file: str | None,
                   audience: str | None = None, issuers: str | None = None,
                   max_lifetime: str | int | None = None) -> Verifier:
        if not secret and not jwks_file:
            raise ValueError("geef WAMS_JWT_SECRET of WAMS_JWKS_FILE: zonder sleutel kan de "
                             "dienst geen token controleren")
        if secret is not None and len(secret) < 32:
            raise ValueError("WAMS_JWT_SECRET is te kort: gebruik minstens 32 tekens")
        jwks = json.loads(Path(jwks_file).read_text()) if jwks_file else None
        accepted = frozenset(i.strip() for i in (issuers or "").split(",") if i.strip())
        lifetime = DEFAULT_MAX_LIFETIME
        if max_lifetime not in (None, ""):
            if not str(max_lifetime).isdigit() or not 60 <= int(str(max_lifetime)) <= 86400:
                raise ValueError("WAMS_JWT_MAX_LIFETIME is een aantal seconden van 60 tot en "
                                 f"met 86400, niet {max_lifetime!r}")
            lifetime = int(str(max_lifetime))
        return cls(secret or None, jwks, audience or DEFAULT_AUDIENCE, issuers=accepted or
                   frozenset({LOCAL_ISSUER}), max_lifetime=lifetime, jwks_file=jwks_file)

    def principal(self, header: str | None) -> Principal:
        if not header or not header.startswith("Bearer "):
            raise TokenError("geen bearer-token meegestuurd (Authorization: Bearer ...)")
        token = header[len("Bearer "):].strip()
        try:
            claims = self._decode(token)
        except jwt.PyJWTError as exc:
            raise TokenError(f"token ongeldig: {exc}") from None
        self._check_lifetime(claims)
        if claims.get("iss") not in self.issuers:
            raise TokenError("het token komt niet van een geaccepteerde uitgever (claim 'iss'; "
                             "zie WAMS_JWT_ISSUERS)")
        return principal_from(claims)

    def _check_lifetime(self, claims: dict[str, Any]) -> None:
        exp, iat = claims.get("exp"), claims.get("iat")
        now = time.time()
        if not isinstance(exp, (int, float)) or exp - now > self.max_lifetime + self.leeway:
            raise TokenError(f"het token is langer geldig dan {self.max_lifetime} seconden "
                             "(claim 'exp'); vraag een kortlevend token")
        if isinstance(iat, (int, float)) and exp - iat > self.max_lifetime:
            raise TokenError(f"het token is langer geldig dan {self.max_lifetime} seconden "
                             "(claims 'iat' en 'exp')")

    def _decode(self, token: str) -> dict[str, Any]:
        if len(token) > 8192:
            raise jwt.DecodeError("het token is te lang")
        header = jwt.get_unverified_header(token)
        alg = header.get("alg")
        options = {"require": ["exp", "sub", "iss", "aud"]}
        common: dict[str, Any] = {"audience": self.audience, "leeway": self.leeway,
                                  "options": options}
        if alg == "HS256" and self.secret:
            return jwt.decode(token, self.secret, algorithms=["HS256"], **common)
        if alg in ASYMMETRIC and (self.jwks or self.jwks_file):
            kid = header.get("kid")
            keys = self._keys.find(kid if isinstance(kid, str) else None)
            if not keys:
                raise jwt.InvalidKeyError(f"geen sleutel '{kid}' in de JWKS")
            key = jwt.PyJWK(keys[0], algorithm=alg).key
            return jwt.decode(token, key, algorithms=[alg], **common)
        # Never "none", and never HS256 with a public key as the secret (alg confusion).
        raise jwt.InvalidAlgorithmError(f"algoritme {alg!r} wordt niet geaccepteerd")


def principal_from(claims: dict[str, Any]) -> Principal:
    gemeente, user, role = claims.get("gemeente"), claims.get("sub"), claims.get("rol")
    issuer = claims.get("iss") if isinstance(claims.get("iss"), str) else None
    if not is_gemeente(gemeente):
        raise TokenError("het token noemt geen gemeente (claim 'gemeente', vier cijfers)")
    if not isinstance(user, str) or not user.strip() or len(user) > MAX_SUB \
            or not user.isprintable():
        raise TokenError(f"het token noemt geen bruikbare gebruiker (claim 'sub': 1 tot "
                         f"{MAX_SUB} tekens)")
    if issuer is not None and len(issuer) > MAX_ISS:
        raise TokenError(f"de claim 'iss' is langer dan {MAX_ISS} tekens")
    if isinstance(role, str) and role.startswith(PARTY_PREFIX) and role[len(PARTY_PREFIX):]:
        ref = role[len(PARTY_PREFIX):]
        if len(ref) > MAX_PARTY_REF or not ref.isprintable():
            raise TokenError(f"de partij in de claim 'rol' is langer dan {MAX_PARTY_REF} tekens")
        soort = claims.get("partij_soort")
        if soort is not None and (not isinstance(soort, str) or not KIND.fullmatch(soort)):
            raise TokenError("de claim 'partij_soort' is geen partijsoort (<plugin>.<soort>)")
        return Principal(gemeente, user, "partij", ref, issuer, soort)
    if role not in ROLES:
        raise TokenError("het token noemt geen bekende rol (claim 'rol': medewerker, "
                         "coordinator, fg, beheer of partij:<ref>)")
    return Principal(gemeente, user, str(role), issuer=issuer)


def mint(secret: str, *, gemeente: str, user: str, rol: str, ttl: int = 3600,
         audience: str = DEFAULT_AUDIENCE, issuer: str = LOCAL_ISSUER,
         soort: str | None = None) -> str:
    """An HS256 token (``wams token``; tests). The claims are checked like any other.
    ``soort``: a party token's kind (claim ``partij_soort``)."""
    now = int(time.time())
    claims: dict[str, Any] = {"gemeente": gemeente, "sub": user, "rol": rol, "iat": now,
                              "exp": now + ttl, "iss": issuer, "aud": audience}
    if soort is not None:
        claims["partij_soort"] = soort
    principal_from(claims)
    return jwt.encode(claims, secret, algorithm="HS256")
