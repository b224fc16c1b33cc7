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
redirects are not followed.

The delivery is pinned to what was checked (:class:`Target`): the name is resolved once per
delivery, every address it gave is checked, and the connection goes to the checked address
(the URL's host replaced by it, the name kept in ``Host`` and as the TLS server name, so the
certificate is still verified against the name). A name that answers a public address to the
check and a private one a moment later (DNS rebinding) cannot reach the private one: nothing
asks the resolver a second time.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import attrs

from wams.core.errors import TargetRefused

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: characters of an IPv4 literal in any of the legacy spellings inet_aton accepts
_LEGACY_V4 = re.compile(r"[0-9a-fA-FxX.]+", re.ASCII)


#: a host name and port → the addresses it resolves to (text); one call per check
Resolver = Callable[[str, int], list[str]]


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]).split("%")[0] for info in infos]


@attrs.frozen
class Target:
    """A checked webhook address and the address to connect to: the one the check saw."""

    url: str
    host: str
    address: IPAddress

    def pinned(self) -> tuple[str, dict[str, str], dict[str, Any]]:
        """The URL to connect to (the checked address for the host), the ``Host`` header and
        the request extensions (the TLS server name: the certificate must match the name)."""
        import httpx

        original = httpx.URL(self.url)
        url = str(original.copy_with(host=str(self.address)))
        extensions: dict[str, Any] = {}
        if original.scheme == "https":
            extensions["sni_hostname"] = self.host
        name = f"[{self.host}]" if ":" in self.host else self.host  # IPv6: brackets
        host = name if original.port is None else f"{name}:{original.port}"
        return url, {"Host": host}, extensions


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


def _port(url: str) -> int:
    """The port ``url`` names (or its scheme's); refused unless it is an http(s) URL without
    user or password."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 500:
        raise TargetRefused(f"{url!r} is geen http(s)-adres voor een webhook")
    if "@" in parts.netloc:
        raise TargetRefused("een webhook-adres bevat geen gebruikersnaam of wachtwoord")
    try:
        return parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise TargetRefused(f"{url!r} heeft geen geldige poort") from None


def _addresses(host: str, port: int, explicit: bool,
               resolver: Resolver | None) -> list[IPAddress] | None:
    """The addresses ``host`` stands for (None: not resolved, a check of the form only)."""
    ip = literal_ip(host)
    if ip is not None:
        return [ip]
    if host == "localhost" or host.endswith(".localhost"):
        if not explicit:
            raise TargetRefused("localhost is alleen toegestaan als de gemeente het zelf noemt")
        return _resolved(host, port, resolver) if resolver is not None else []
    if resolver is None:
        return None
    return _resolved(host, port, resolver)


def check(url: str, allowed: list[str] | tuple[str, ...], *,
          resolver: Resolver | None = system_resolver) -> Target | None:
    """Raise :class:`TargetRefused` unless ``url`` may receive webhooks; the :class:`Target`
    to connect to (None when ``resolver`` is None: a check of the form only)."""
    port = _port(url)
    entry = next((p for p in allowed if _matches(url, p)), None)
    if entry is None:
        raise TargetRefused("dit adres staat niet in de instelling webhook_adressen van de "
                            "gemeente; de beheerder voegt het daar toe")
    host = urlsplit(url).hostname or ""
    # the municipality named this host itself (by IP address, or as localhost): explicitly
    # allowed, whatever range it is in
    explicit = urlsplit(entry).hostname == host and (
        host == "localhost" or literal_ip(host) is not None)
    addresses = _addresses(host, port, explicit, resolver)
    if addresses is None:
        return None
    for address in addresses:
        if not explicit and not _public(address):
            raise TargetRefused(f"{host!r} wijst naar een niet-openbaar adres ({address}); "
                                "dat mag alleen als de gemeente dat adres zelf in "
                                "webhook_adressen noemt")
    return Target(url, host, addresses[0]) if addresses else None


def _resolved(host: str, port: int, resolver: Resolver) -> list[IPAddress]:
    try:
        found = [ipaddress.ip_address(a) for a in resolver(host, port)]
    except (OSError, ValueError):
        raise TargetRefused(f"de host {host!r} is niet te vinden") from None
    if not found:
        raise TargetRefused(f"de host {host!r} is niet te vinden")
    return found
