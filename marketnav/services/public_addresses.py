"""Which IP addresses the server may contact: the public internet only.

Everything that opens a connection to a URL someone else chose (webhooks, the web-discovery
page fetcher) asks `is_public` about every address the host resolves to, so a URL can never
reach the deployment itself, its private network or the cloud metadata service.
`allowed_networks` and `static_hosts` parse the test and intranet seams
(`WEB_FETCH_ALLOWED_NETWORKS`, `WEB_FETCH_HOSTS`).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Mapping, Sequence

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Explicit lists next to `is_global`: what `is_global` covers changed between Python
# releases (and it calls multicast global), so the refusals must not depend on the patch level.
# The first match names the reason; more specific networks come first.
_V4: tuple[tuple[str, str], ...] = (
    ("169.254.169.254/32", "a link-local address (the cloud metadata service)"),
    ("0.0.0.0/8", "a 'this network' address"),
    ("10.0.0.0/8", "a private address"),
    ("100.64.0.0/10", "a carrier-grade NAT address"),
    ("127.0.0.0/8", "a loopback address"),
    ("169.254.0.0/16", "a link-local address"),
    ("172.16.0.0/12", "a private address"),
    ("192.0.0.0/24", "an IETF protocol address"),
    ("192.0.2.0/24", "a documentation address"),
    ("192.88.99.0/24", "a 6to4 relay address"),
    ("192.168.0.0/16", "a private address"),
    ("198.18.0.0/15", "a benchmarking address"),
    ("198.51.100.0/24", "a documentation address"),
    ("203.0.113.0/24", "a documentation address"),
    ("224.0.0.0/4", "a multicast address"),
    ("255.255.255.255/32", "the broadcast address"),
    ("240.0.0.0/4", "a reserved address"),
)
_V6: tuple[tuple[str, str], ...] = (
    ("::1/128", "a loopback address"),
    ("::/96", "a reserved address"),  # IPv4-compatible (deprecated) and ::
    ("64:ff9b:1::/48", "a local-use NAT64 address"),
    ("100::/64", "a discard-only address"),
    ("2001:db8::/32", "a documentation address"),
    ("3fff::/20", "a documentation address"),
    ("2001::/23", "an IETF protocol address"),  # includes Teredo, whose client is obfuscated
    ("fc00::/7", "a unique-local address"),
    ("fe80::/10", "a link-local address"),
    ("fec0::/10", "a site-local address"),
    ("ff00::/8", "a multicast address"),
)
_V4_NETS = tuple((ipaddress.IPv4Network(net), why) for net, why in _V4)
_V6_NETS = tuple((ipaddress.IPv6Network(net), why) for net, why in _V6)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, str] | None:
    """The IPv4 address an IPv6 form carries (mapped, 6to4, NAT64), with the form's name."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped, "an IPv4-mapped form"
    if ip.sixtofour is not None:
        return ip.sixtofour, "a 6to4 form"
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF), "a NAT64 form"
    return None


def _kind(ip: IPAddress) -> str | None:
    """Why `ip` is not a public address ("a loopback address" ...), or None when it is."""
    if ip.is_unspecified:
        return "the unspecified address"
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            # The packet ends up at the IPv4 address, so that decides.
            inner, form = embedded
            why = _kind(inner)
            return None if why is None else f"{form} of {inner}, {why}"
        nets: Sequence[tuple[IPNetwork, str]] = _V6_NETS
    else:
        nets = _V4_NETS
    for net, why in nets:
        if ip in net:
            return why
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_private:
        return "a private address"
    if ip.is_reserved:
        return "a reserved address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.scope_id:
        return "a scoped (link-local) address"
    if not ip.is_global:
        return "not a globally routable address"
    return None


def _allowed(ip: IPAddress, allowed: Sequence[IPNetwork]) -> bool:
    # `in` is simply False across IP versions, so mixed lists need no care.
    if any(ip in net for net in allowed):
        return True
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        return embedded is not None and any(embedded[0] in net for net in allowed)
    return False


def refusal(ip: IPAddress, allowed: Sequence[IPNetwork] = ()) -> str | None:
    """Why `ip` may not be contacted ("a loopback address" ...), or None when it may."""
    if _allowed(ip, allowed):
        return None
    return _kind(ip)


def is_public(ip: IPAddress, allowed: Sequence[IPNetwork] = ()) -> bool:
    """True when the server may contact `ip`: a public address, or one inside `allowed`."""
    return refusal(ip, allowed) is None


def allowed_networks(text: str) -> tuple[IPNetwork, ...]:
    """Comma-separated CIDRs ("127.0.0.2/32, fd00::/8") as networks; ValueError on a bad one."""
    networks = []
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=True))
        except ValueError as err:
            raise ValueError(
                f"WEB_FETCH_ALLOWED_NETWORKS: {part!r} is not a network in CIDR form "
                f"(like 127.0.0.2/32 or fd00::/8): {err}"
            ) from None
    return tuple(networks)


def static_hosts(text: str) -> dict[str, str]:
    """Parse "host=ip,host=ip" as {host: ip} (host lower-cased); ValueError on a bad entry."""
    hosts: dict[str, str] = {}
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        host, sep, address = part.partition("=")
        host, address = host.strip().lower().rstrip("."), address.strip().strip("[]")
        if not sep or not host:
            raise ValueError(f"WEB_FETCH_HOSTS: {part!r} is not in the form host=ip")
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise ValueError(
                f"WEB_FETCH_HOSTS: {address!r} (for {host}) is not an IP address"
            ) from None
        hosts[host] = address
    return hosts


def literal(host: str) -> IPAddress | None:
    """The address when `host` is an IP literal ("10.0.0.1", "[::1]"), else None."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


async def resolve(host: str, port: int, *, static_hosts: Mapping[str, str]) -> list[IPAddress]:
    """Every address of `host` (static hosts first, an IP literal is itself); OSError if none."""
    address = literal(host)
    if address is not None:
        return [address]
    name = host.lower().rstrip(".")
    if name in static_hosts:
        return [ipaddress.ip_address(static_hosts[name])]
    infos = await asyncio.get_running_loop().getaddrinfo(
        name, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )
    found: list[IPAddress] = []
    for info in infos:
        ip = ipaddress.ip_address(info[4][0])
        if ip not in found:
            found.append(ip)
    if not found:
        raise socket.gaierror(socket.EAI_NONAME, f"{host} has no address")
    return found
