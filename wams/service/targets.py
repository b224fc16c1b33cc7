"""Where a webhook may go: only to an address the municipality allows (setting
``webhook_adressen``: URL prefixes), and never into a private, loopback, link-local or otherwise
non-public network unless the municipality named that host itself, by its IP address or as
``localhost``, in an entry of the list (explicitly allowed).

Without this a user who may subscribe could make the service post to the cloud metadata
address (169.254.169.254), to the database port on loopback or into the municipality's own
network (server-side request forgery). IPv4 literals are read the way the network stack reads
them (``2852039166``, ``0xA9FEA9FE``, ``0251.0376.0251.0376``, ``127.1``), so a spelling cannot
slip past; a host name is resolved and every address it resolves to must be public. The check
runs when subscribing and again before every delivery (a name may resolve elsewhere later);
redirects are not followed. What remains: a name that resolves to a public address at the check
and to a private one a moment later, when the connection is made (noted in the docs).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import urlsplit

from wams.core.errors import TargetRefused

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: characters of an IPv4 literal in any of the legacy spellings inet_aton accepts
_LEGACY_V4 = re.compile(r"[0-9a-fA-FxX.]+", re.ASCII)


def literal_ip(host: str) -> IPAddress | None:
    """The address a host literal means, in every spelling the network stack accepts; None
    for a name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _LEGACY_V4.fullmatch(host) and any(ch.isdigit() for ch in host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            # digits and dots that are no address: refused rather than resolved as a name
            raise TargetRefused(f"{host!r} is geen geldig adres") from None
    return None


def _public(ip: IPAddress) -> bool:
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_global and not (mapped or ip).is_multicast


def _matches(url: str, prefix: str) -> bool:
    if not url.lower().startswith(prefix.lower()):
        return False
    rest = url[len(prefix):]
    # "https://host" must not allow "https://host.evil.example": a prefix ends at a boundary
    return prefix.endswith("/") or rest == "" or rest[0] in "/?#"


def check(url: str, allowed: list[str] | tuple[str, ...], *, resolve: bool = True) -> None:
    """Raise :class:`TargetRefused` unless ``url`` may receive webhooks."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 500:
        raise TargetRefused(f"{url!r} is geen http(s)-adres voor een webhook")
    if "@" in parts.netloc:
        raise TargetRefused("een webhook-adres bevat geen gebruikersnaam of wachtwoord")
    try:
        port = parts.port
    except ValueError:
        raise TargetRefused(f"{url!r} heeft geen geldige poort") from None
    entry = next((p for p in allowed if _matches(url, p)), None)
    if entry is None:
        raise TargetRefused("dit adres staat niet in de instelling webhook_adressen van de "
                            "gemeente; de beheerder voegt het daar toe")
    host = parts.hostname
    named = urlsplit(entry).hostname
    if named == host and (host == "localhost" or literal_ip(host) is not None):
        return  # the municipality named this host itself: explicitly allowed
    ip = literal_ip(host)
    if ip is not None:
        addresses = [ip]
    elif host == "localhost" or host.endswith(".localhost"):
        raise TargetRefused("localhost is alleen toegestaan als de gemeente het zelf noemt")
    elif not resolve:
        return
    else:
        try:
            infos = socket.getaddrinfo(host, port or (443 if parts.scheme == "https" else 80),
                                       type=socket.SOCK_STREAM)
        except OSError:
            raise TargetRefused(f"de host {host!r} is niet te vinden") from None
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    for address in addresses:
        if not _public(address):
            raise TargetRefused(f"{host!r} wijst naar een niet-openbaar adres ({address}); "
                                "dat mag alleen als de gemeente dat adres zelf in "
                                "webhook_adressen noemt")
