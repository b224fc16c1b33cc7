"""Bearer tokens as a hostile caller would try them: HS256 with the shared secret, RS256 and
ES256 against a JWKS file; expired, unsigned, re-signed, algorithm-confused, or missing a claim."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from wams.service.auth import Principal, TokenError, Verifier, mint

SECRET = "s" * 40


def claims(**extra):
    now = int(time.time())
    return {"gemeente": "0599", "sub": "anna", "rol": "medewerker", "iat": now,
            "exp": now + 600, "iss": "wams", "aud": "wams", **extra}


def bearer(token: str) -> str:
    return f"Bearer {token}"


def test_hs256_with_the_shared_secret():
    v = Verifier(SECRET)
    assert v.principal(bearer(mint(SECRET, gemeente="0599", user="anna", rol="medewerker"))) \
        == Principal("0599", "anna", "medewerker", issuer="wams")
    p = v.principal(bearer(mint(SECRET, gemeente="0599", user="els", rol="partij:kredietbank")))
    assert (p.role, p.partij, p.actor) == ("partij", "kredietbank", "partij:kredietbank:els")


@pytest.mark.parametrize("token", [
    jwt.encode(claims(), "another secret that is long enough!!", algorithm="HS256"),
    jwt.encode(claims(exp=int(time.time()) - 3600), SECRET, algorithm="HS256"),
    jwt.encode(claims(), None, algorithm="none"),
    jwt.encode({k: v for k, v in claims().items() if k != "exp"}, SECRET, algorithm="HS256"),
    jwt.encode(claims(gemeente="599"), SECRET, algorithm="HS256"),
    jwt.encode(claims(rol="admin"), SECRET, algorithm="HS256"),
    jwt.encode(claims(rol="partij:"), SECRET, algorithm="HS256"),
    jwt.encode(claims(sub=" "), SECRET, algorithm="HS256"),
    "not.a.token",
    jwt.encode(claims(exp=int(time.time()) + 10 * 365 * 86400), SECRET, algorithm="HS256"),
    jwt.encode(claims(iat=int(time.time()) - 3000, exp=int(time.time()) + 3000), SECRET,
               algorithm="HS256"),
    jwt.encode({k: v for k, v in claims().items() if k != "iss"}, SECRET, algorithm="HS256"),
    jwt.encode({k: v for k, v in claims().items() if k != "aud"}, SECRET, algorithm="HS256"),
    jwt.encode(claims(iss="https://elders.example"), SECRET, algorithm="HS256"),
    jwt.encode(claims(aud="andere-dienst"), SECRET, algorithm="HS256"),
    jwt.encode(claims(sub="a" * 201), SECRET, algorithm="HS256"),
    jwt.encode(claims(rol="partij:" + "p" * 65), SECRET, algorithm="HS256"),
    jwt.encode(claims(iss="i" * 201), SECRET, algorithm="HS256"),
], ids=["other-secret", "expired", "alg-none", "no-exp", "bad-gemeente", "unknown-role",
        "party-without-ref", "blank-user", "garbage", "ten-years", "iat-to-exp-too-long",
        "no-iss", "no-aud", "other-iss", "other-aud", "long-sub", "long-party", "long-iss"])
def test_bad_tokens_are_refused(token):
    with pytest.raises(TokenError):
        Verifier(SECRET).principal(bearer(token))


def test_no_header_or_no_bearer_is_refused():
    for header in (None, "", "Basic YW5uYTp4", mint(SECRET, gemeente="0599", user="a",
                                                         rol="fg")):
        with pytest.raises(TokenError):
            Verifier(SECRET).principal(header)


def _jwks(tmp_path, *keys):
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": list(keys)}))
    return str(path)


def _public_jwk(key, kid, alg):
    jwk = json.loads(jwt.algorithms.get_default_algorithms()[alg].to_jwk(key.public_key()))
    return {**jwk, "kid": kid, "alg": alg}


def test_rs256_and_es256_against_a_jwks_file(tmp_path):
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    jwks = _jwks(tmp_path, _public_jwk(rsa_key, "r1", "RS256"), _public_jwk(ec_key, "e1",
                                                                             "ES256"))
    v = Verifier.configured(None, jwks)
    for key, kid, alg in ((rsa_key, "r1", "RS256"), (ec_key, "e1", "ES256")):
        token = jwt.encode(claims(), key, algorithm=alg, headers={"kid": kid})
        assert v.principal(bearer(token)).user == "anna"
    # a key the JWKS does not hold, and HS256 when only a JWKS is configured
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for token in (jwt.encode(claims(), other, algorithm="RS256", headers={"kid": "r1"}),
                  jwt.encode(claims(), other, algorithm="RS256", headers={"kid": "zz"}),
                  jwt.encode(claims(), SECRET, algorithm="HS256")):
        with pytest.raises(TokenError):
            v.principal(bearer(token))


def test_algorithm_confusion_is_refused(tmp_path):
    """An attacker signs HS256 with the (public) RSA key as the secret: never accepted."""
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = _public_jwk(rsa_key, "r1", "RS256")
    v = Verifier(SECRET, json.loads(open(_jwks(tmp_path, jwk)).read()))
    # PyJWT itself will not sign like this, so the token is put together by hand.
    def b64(data: bytes) -> bytes:
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    signing = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "r1"}).encode()) + b"." + \
        b64(json.dumps(claims()).encode())
    for secret in (json.dumps(jwk).encode(), jwk["n"].encode()):
        forged = signing + b"." + b64(hmac.new(secret, signing, hashlib.sha256).digest())
        with pytest.raises(TokenError):
            v.principal(bearer(forged.decode()))


def test_the_configuration_is_checked():
    with pytest.raises(ValueError):
        Verifier.configured(None, None)
    with pytest.raises(ValueError):
        Verifier.configured("kort", None)
    with pytest.raises(ValueError):
        Verifier.configured(SECRET, None, max_lifetime="10 jaar")
    v = Verifier.configured(SECRET, None, "andere", "https://idp.example, wams",
                            max_lifetime="120")
    with pytest.raises(TokenError):  # the configured audience is checked
        v.principal(bearer(mint(SECRET, gemeente="0599", user="a", rol="fg", ttl=60)))
    assert v.principal(bearer(mint(SECRET, gemeente="0599", user="a", rol="fg", ttl=60,
                                   audience="andere"))).role == "fg"
    assert v.principal(bearer(mint(SECRET, gemeente="0599", user="a", rol="fg", ttl=60,
                                   audience="andere", issuer="https://idp.example"))).issuer \
        == "https://idp.example"
    with pytest.raises(TokenError, match="langer geldig dan 120"):
        v.principal(bearer(mint(SECRET, gemeente="0599", user="a", rol="fg", ttl=600,
                                audience="andere")))


def test_an_unknown_kid_rereads_the_jwks_at_most_once_a_minute(tmp_path, monkeypatch):
    from wams.service import auth

    old = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    new = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = _jwks(tmp_path, _public_jwk(old, "k1", "RS256"))
    v = Verifier.configured(None, path)
    rotated = jwt.encode(claims(), new, algorithm="RS256", headers={"kid": "k2"})
    # the provider rotates: the new key appears in the file
    _jwks(tmp_path, _public_jwk(old, "k1", "RS256"), _public_jwk(new, "k2", "RS256"))
    clock = [1000.0]
    monkeypatch.setattr(auth.time, "monotonic", lambda: clock[0])
    v._keys.read_at = clock[0]  # read just now: a made-up kid does not re-read at once
    with pytest.raises(TokenError):
        v.principal(bearer(rotated))
    clock[0] += auth.JWKS_REREAD_SECONDS
    assert v.principal(bearer(rotated)).user == "anna"  # re-read: the new key is found
    reads = []
    monkeypatch.setattr(auth.Path, "read_text", lambda self: reads.append(1) or "{}")
    for n in range(50):  # a flood of made-up kids: no re-read within the minute
        with pytest.raises(TokenError):
            v.principal(bearer(jwt.encode(claims(), new, algorithm="RS256",
                                          headers={"kid": f"x{n}"})))
    assert reads == []
