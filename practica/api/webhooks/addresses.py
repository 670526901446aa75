"""Where a webhook may point: public HTTPS hosts only (no server-side request forgery).

The host is resolved and every address it resolves to must be a public one; the delivery
then connects to the address that was checked, so a DNS answer that changes between the
check and the request (rebinding) cannot send it inside. `WEBHOOKS_ALLOW_LOOPBACK` lets
tests and the demo deliver to a receiver on this machine (over plain http there too).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError


def _refusal(address: ipaddress._BaseAddress) -> str:
    if address.is_loopback:
        return "a loopback address (this server itself)"
    if address.is_private:
        return "a private network address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_reserved or address.is_unspecified:
        return "a reserved address"
    return "an address that is not on the public internet"


def check_url(url: str) -> tuple[str, int, list[str]]:
    """(host, port, checked addresses) for a deliverable URL; ValidationError otherwise."""
    parts = urlsplit(url)
    allow_loopback = settings.WEBHOOKS_ALLOW_LOOPBACK
    if parts.scheme not in ("https", "http"):
        raise ValidationError({"url": "Use an https:// address."})
    if parts.username or parts.password:
        raise ValidationError({"url": "Leave the user name and password out of the address."})
    host = parts.hostname or ""
    if not host:
        raise ValidationError({"url": "Give the address of the receiving server."})
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise ValidationError({"url": "The port number is not valid."}) from None
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise ValidationError({"url": f"“{host}” does not resolve to any address."}) from None
    addresses = sorted({info[4][0] for info in infos})
    for raw in addresses:
        address = ipaddress.ip_address(raw.split("%")[0])
        if getattr(address, "ipv4_mapped", None):
            address = address.ipv4_mapped
        if address.is_global:
            continue
        if allow_loopback and address.is_loopback:
            continue
        raise ValidationError(
            {
                "url": f"“{host}” points to {_refusal(address)} ({raw}), which webhooks may not reach."
            }
        )
    if parts.scheme == "http" and not (
        allow_loopback and all(ipaddress.ip_address(a).is_loopback for a in addresses)
    ):
        raise ValidationError(
            {"url": "Use an https:// address: deliveries are signed, not hidden."}
        )
    return host, port, addresses
