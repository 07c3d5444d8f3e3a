"""public_addresses: every refused address class, the allowed-network seam, the parsers."""

from __future__ import annotations

import asyncio
import ipaddress
import socket

import pytest

from marketnav.services.public_addresses import (
    allowed_networks,
    is_public,
    refusal,
    resolve,
    static_hosts,
)

REFUSED = {
    # IPv4
    "10.0.0.1": "private",
    "10.255.255.255": "private",
    "172.16.0.1": "private",
    "172.31.255.254": "private",
    "192.168.1.1": "private",
    "127.0.0.1": "loopback",
    "127.0.0.2": "loopback",
    "127.255.255.254": "loopback",
    "169.254.169.254": "cloud metadata",
    "169.254.0.1": "link-local",
    "0.0.0.0": "unspecified",
    "0.1.2.3": "this network",
    "224.0.0.1": "multicast",
    "239.255.255.250": "multicast",
    "240.0.0.1": "reserved",
    "255.255.255.255": "broadcast",
    "100.64.0.1": "carrier-grade NAT",
    "100.127.255.254": "carrier-grade NAT",
    "198.18.0.1": "benchmarking",
    "198.19.255.254": "benchmarking",
    "192.0.2.1": "documentation",
    "198.51.100.7": "documentation",
    "203.0.113.9": "documentation",
    "192.0.0.8": "IETF protocol",
    # IPv6
    "::1": "loopback",
    "::": "unspecified",
    "fe80::1": "link-local",
    "fe80::1%eth0": "link-local",
    "fc00::1": "unique-local",
    "fd12:3456::1": "unique-local",
    "fec0::1": "site-local",
    "ff02::1": "multicast",
    "ff0e::1": "multicast",
    "2001:db8::1": "documentation",
    "100::1": "discard-only",
    "2001::1": "IETF protocol",
    "64:ff9b:1::1": "local-use NAT64",
    "::7f00:1": "reserved",
    # IPv6 forms that carry a refused IPv4 address
    "::ffff:127.0.0.1": "IPv4-mapped form of 127.0.0.1, a loopback",
    "::ffff:10.0.0.1": "IPv4-mapped form of 10.0.0.1, a private",
    "::ffff:169.254.169.254": "IPv4-mapped form of 169.254.169.254, a link-local",
    "::ffff:0.0.0.0": "IPv4-mapped form of 0.0.0.0, the unspecified",
    "2002:7f00:1::1": "6to4 form of 127.0.0.1, a loopback",
    "2002:c0a8:101::": "6to4 form of 192.168.1.1, a private",
    "2002:a9fe:a9fe::1": "6to4 form of 169.254.169.254",
    "64:ff9b::7f00:1": "NAT64 form of 127.0.0.1, a loopback",
    "64:ff9b::a00:1": "NAT64 form of 10.0.0.1, a private",
    "64:ff9b::6440:1": "NAT64 form of 100.64.0.1, a carrier-grade NAT",
}
PUBLIC = (
    "93.184.215.14",
    "8.8.8.8",
    "1.1.1.1",
    "172.32.0.1",  # just outside 172.16/12
    "100.128.0.1",  # just outside 100.64/10
    "2606:4700::1111",
    "2a00:1450:4001:82b::200e",
    "::ffff:93.184.215.14",  # mapped forms of public addresses are public
    "2002:5db8:d70e::1",
    "64:ff9b::5db8:d70e",
)


@pytest.mark.parametrize(("text", "why"), sorted(REFUSED.items()))
def test_refused_address_classes(text, why):
    ip = ipaddress.ip_address(text)
    assert not is_public(ip)
    assert why in refusal(ip)


@pytest.mark.parametrize("text", PUBLIC)
def test_public_addresses_pass(text):
    ip = ipaddress.ip_address(text)
    assert is_public(ip)
    assert refusal(ip) is None


def test_allowed_networks_let_an_address_through_and_nothing_else():
    allowed = allowed_networks(" 127.0.0.2/32, fd00::/8 ,")
    assert allowed == (ipaddress.ip_network("127.0.0.2/32"), ipaddress.ip_network("fd00::/8"))
    assert is_public(ipaddress.ip_address("127.0.0.2"), allowed)
    assert is_public(ipaddress.ip_address("fd00::5"), allowed)
    assert is_public(ipaddress.ip_address("::ffff:127.0.0.2"), allowed)
    assert not is_public(ipaddress.ip_address("127.0.0.1"), allowed)
    assert not is_public(ipaddress.ip_address("169.254.169.254"), allowed)
    assert not is_public(ipaddress.ip_address("fc00::1"), allowed)
    assert allowed_networks("") == ()


@pytest.mark.parametrize("bad", ["127.0.0.300/32", "10.0.0.1/8", "nonsense", "10.0.0.0/33"])
def test_a_bad_cidr_says_which_and_how(bad):
    with pytest.raises(ValueError, match="WEB_FETCH_ALLOWED_NETWORKS") as err:
        allowed_networks(f"127.0.0.2/32,{bad}")
    assert repr(bad) in str(err.value)
    assert "CIDR" in str(err.value)


def test_static_hosts_parse_and_refuse_bad_entries():
    assert static_hosts("Acme.TEST=127.0.0.2, beta.test = ::1,,") == {
        "acme.test": "127.0.0.2",
        "beta.test": "::1",
    }
    assert static_hosts("") == {}
    with pytest.raises(ValueError, match="host=ip"):
        static_hosts("acme.test")
    with pytest.raises(ValueError, match="not an IP address"):
        static_hosts("acme.test=acme.example")


def test_resolve_static_hosts_literals_and_dns():
    hosts = {"acme.test": "127.0.0.2"}
    run = asyncio.run
    assert run(resolve("ACME.test.", 80, static_hosts=hosts)) == [ipaddress.ip_address("127.0.0.2")]
    assert run(resolve("10.0.0.1", 80, static_hosts=hosts)) == [ipaddress.ip_address("10.0.0.1")]
    assert run(resolve("[::1]", 80, static_hosts=hosts)) == [ipaddress.ip_address("::1")]
    assert ipaddress.ip_address("127.0.0.1") in run(resolve("localhost", 80, static_hosts={}))
    with pytest.raises(OSError):
        run(resolve("nowhere.invalid", 80, static_hosts={}))
    assert issubclass(socket.gaierror, OSError)
