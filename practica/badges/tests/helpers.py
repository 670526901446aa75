"""A checker of the Open Badges 2.0 required fields, and an independent PNG chunk reader.

Both are written from the specifications rather than from the code under test, so the
tests do not check the badges app against itself.
"""

from __future__ import annotations

import re
import struct
import zlib
from datetime import datetime

from django.conf import settings

CONTEXT = "https://w3id.org/openbadges/v2"

# Open Badges 2.0, "Badge Objects": the properties each object must have.
REQUIRED = {
    "Assertion": ["id", "type", "recipient", "badge", "verification", "issuedOn"],
    "BadgeClass": ["id", "type", "name", "description", "image", "criteria", "issuer"],
    "Issuer": ["id", "type", "name", "url", "email"],
}
IDENTITY_REQUIRED = ["type", "identity", "hashed"]


def is_our_url(value) -> bool:
    return isinstance(value, str) and value.startswith(settings.SITE_URL + "/")


def check_open_badge(document: dict, kind: str) -> list[str]:
    """Every way `document` falls short of an Open Badges 2.0 `kind`; empty when it is fine."""
    problems = []
    if document.get("@context") != CONTEXT:
        problems.append(f"@context is {document.get('@context')!r}, not {CONTEXT!r}")
    if document.get("type") != kind:
        problems.append(f"type is {document.get('type')!r}, not {kind!r}")
    problems += [f"{kind} lacks {field}" for field in REQUIRED[kind] if field not in document]
    if not is_our_url(document.get("id")):
        problems.append(f"id {document.get('id')!r} is not an absolute URL on this site")
    if kind == "Assertion":
        recipient = document.get("recipient", {})
        problems += [f"recipient lacks {f}" for f in IDENTITY_REQUIRED if f not in recipient]
        if recipient.get("hashed") is not True:
            problems.append("recipient is not hashed (a boolean true)")
        if not re.fullmatch(r"sha256\$[0-9a-f]{64}", recipient.get("identity", "")):
            problems.append("recipient identity is not sha256$<hex>")
        if recipient.get("type") != "email":
            problems.append("recipient type is not email")
        if document.get("verification", {}).get("type") not in ("hosted", "HostedBadge"):
            problems.append("verification is not hosted")
        if not is_our_url(document.get("badge")):
            problems.append("badge is not a URL on this site")
        try:
            issued = datetime.fromisoformat(document.get("issuedOn", ""))
        except ValueError:
            problems.append("issuedOn is not ISO 8601")
        else:
            if issued.tzinfo is None:
                problems.append("issuedOn has no time zone")
    if kind == "BadgeClass":
        criteria = document.get("criteria", {})
        if not (criteria.get("narrative") or criteria.get("id")):
            problems.append("criteria has neither narrative nor id")
        for field in ("image", "issuer"):
            if not is_our_url(document.get(field)):
                problems.append(f"{field} is not a URL on this site")
    if kind == "Issuer" and "@" not in document.get("email", ""):
        problems.append("email is not an address")
    return problems


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """The chunks of a PNG, asserting the signature and every CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length : at + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, f"bad CRC in {kind!r}"
        chunks.append((kind, body))
        at += 12 + length
    return chunks


def baked_text(data: bytes) -> list[str]:
    """The text of every "openbadges" iTXt chunk, checking it is uncompressed."""
    texts = []
    for kind, body in png_chunks(data):
        if kind == b"iTXt" and body.startswith(b"openbadges\x00"):
            rest = body[len(b"openbadges\x00") :]
            assert rest[0] == 0, "compressed iTXt"
            _language, _, rest = rest[2:].partition(b"\x00")
            _translated, _, text = rest.partition(b"\x00")
            texts.append(text.decode("utf-8"))
    return texts
