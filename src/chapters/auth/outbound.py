"""Outbound HTTP to addresses a tenant admin chose (identity providers): never to this host,
its private networks or cloud metadata services, unless the deployment allows it.

The check sits where connections are opened: a hostname is resolved once, every address it
resolves to is checked, and the connection goes to a checked address (TLS still verifies the
hostname). So a DNS answer that changes between a check and the request (DNS rebinding), a
redirect or a key-set URL elsewhere cannot reach a refused address: nothing is sent to it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class RefusedAddress(Exception):
    """The host is, or resolves to, an address outbound requests may not reach."""


def refusal_reason(address: IPAddress) -> str | None:
    """Why requests may not go to ``address`` (loopback, private …), or None if they may."""
    address = _embedded_ipv4(address) or address
    for reason, refused in (
        ("a loopback", address.is_loopback),
        ("a link-local", address.is_link_local),
        ("a multicast", address.is_multicast),
        ("an unspecified", address.is_unspecified),
        ("a reserved", address.is_reserved),
        ("a private", address.is_private),
        ("a non-public", not address.is_global),  # e.g. shared (carrier-grade NAT) space
    ):
        if refused:
            return f"{address} is {reason} address"
    return None


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (::ffff:127.0.0.1, 2002:7f00:1::, NAT64)."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped or address.sixtofour:
        return address.ipv4_mapped or address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


async def checked_addresses(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, if each of them may be reached."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError) as error:  # no such name; or one that is no host name
        raise httpcore.ConnectError(f"cannot resolve {host!r}: {error}") from error
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))  # the host, a str
    for text in addresses:
        # An address with a scope (fe80::1%eth0) is link-local anyway.
        reason = refusal_reason(ipaddress.ip_address(text.partition("%")[0]))
        if reason:
            raise RefusedAddress(f"{host} resolves to {reason}")
    return addresses


class _PublicOnlyBackend(httpcore.AsyncNetworkBackend):
    """Opens TCP connections only to checked addresses."""

    def __init__(self) -> None:
        self._backend = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                addresses = await checked_addresses(host, port)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host!r} timed out") from None
        error: Exception | None = None
        for address in addresses:
            try:
                return await self._backend.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as failed:
                error = failed
        raise error or httpcore.ConnectError(f"no address for {host!r}")

    async def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
        raise RefusedAddress("unix sockets are not reachable")

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


class _PublicOnlyTransport(httpx.AsyncHTTPTransport):
    def __init__(self) -> None:
        super().__init__(trust_env=False)  # a proxy would connect on our behalf, unchecked
        # httpx offers no way to pass a network backend: the same pool it builds, with ours.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=10,
            max_keepalive_connections=5,
            network_backend=_PublicOnlyBackend(),
        )


def outbound_client(*, timeout: float, allow_private_networks: bool) -> httpx.AsyncClient:
    """An HTTP client that follows no redirects and, unless ``allow_private_networks``,
    reaches public addresses only."""
    transport = None if allow_private_networks else _PublicOnlyTransport()
    return httpx.AsyncClient(
        timeout=timeout, follow_redirects=False, transport=transport, trust_env=False
    )
