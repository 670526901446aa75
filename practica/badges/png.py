"""Badge images: a small PNG writer of our own, the medallion drawing, and baking.

Images are drawn with signed distance functions, so edges come out anti-aliased without
supersampling. Baking follows the Open Badges 2.0 Baking specification for PNG: one
uncompressed iTXt chunk with the keyword "openbadges", holding the assertion JSON,
placed before IEND.
"""

from __future__ import annotations

import math
import struct
import zlib
from dataclasses import dataclass
from functools import lru_cache

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
BAKING_KEYWORD = b"openbadges"
SIZE = 256


class PNGError(ValueError):
    """The bytes are not a PNG this module can read: bad signature, truncation or CRC."""


# --- chunks -----------------------------------------------------------------------------------


def chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def read_chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """Every chunk of `png` as (type, data), checking each CRC."""
    if not png.startswith(PNG_SIGNATURE):
        raise PNGError("Not a PNG file: the signature is missing.")
    chunks, at = [], len(PNG_SIGNATURE)
    while at < len(png):
        if at + 8 > len(png):
            raise PNGError("The PNG file is truncated.")
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind = png[at + 4 : at + 8]
        end = at + 8 + length
        if end + 4 > len(png):
            raise PNGError("The PNG file is truncated.")
        data = png[at + 8 : end]
        (crc,) = struct.unpack(">I", png[end : end + 4])
        if crc != zlib.crc32(kind + data) & 0xFFFFFFFF:
            raise PNGError(f"The CRC of a {kind.decode('latin-1')} chunk does not match.")
        chunks.append((kind, data))
        at = end + 4
        if kind == b"IEND":
            break
    if not chunks or chunks[-1][0] != b"IEND":
        raise PNGError("The PNG file has no IEND chunk.")
    return chunks


def write_png(width: int, height: int, rgba: bytes | bytearray) -> bytes:
    """An 8-bit RGBA PNG of `rgba` (rows top to bottom, four bytes a pixel)."""
    stride = width * 4
    raw = b"".join(b"\x00" + bytes(rgba[y * stride : (y + 1) * stride]) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


# --- baking -----------------------------------------------------------------------------------


def _is_badge_itxt(kind: bytes, data: bytes) -> bool:
    return kind == b"iTXt" and data.split(b"\x00", 1)[0] == BAKING_KEYWORD


def bake(png: bytes, text: str) -> bytes:
    """`png` with `text` (the assertion JSON) in an uncompressed "openbadges" iTXt chunk.

    An image may hold one such chunk only, so any earlier one is replaced.
    """
    chunks = [c for c in read_chunks(png) if not _is_badge_itxt(*c)]
    # keyword, NUL, compression flag 0, method 0, empty language tag and translated
    # keyword (each NUL-terminated), then the UTF-8 text.
    itxt = BAKING_KEYWORD + b"\x00\x00\x00\x00\x00" + text.encode("utf-8")
    out = [PNG_SIGNATURE]
    for kind, data in chunks:
        if kind == b"IEND":
            out.append(chunk(b"iTXt", itxt))
        out.append(chunk(kind, data))
    return b"".join(out)


def unbake(png: bytes) -> str | None:
    """The text baked into `png`, or None when it holds no badge."""
    for kind, data in read_chunks(png):
        if _is_badge_itxt(kind, data):
            keyword, rest = data.split(b"\x00", 1)
            compressed, _method = rest[0], rest[1]
            language, rest = rest[2:].split(b"\x00", 1)
            _translated, text = rest.split(b"\x00", 1)
            return (zlib.decompress(text) if compressed else text).decode("utf-8")
    return None


# --- drawing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Design:
    """What a badge image shows: its colour, a glyph ("check" or "star") and 0–3 pips."""

    colour: str
    glyph: str
    pips: int = 0


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _mix(colour: tuple[int, int, int], other: tuple[int, int, int], amount: float):
    return tuple(round(c + (o - c) * amount) for c, o in zip(colour, other, strict=True))


class Canvas:
    def __init__(self, size: int) -> None:
        self.size = size
        self.pixels = bytearray(size * size * 4)

    def fill(self, box: tuple[float, float, float, float], colour, distance) -> None:
        """Paint `colour` where `distance(x, y)` (signed, negative inside) says, within box."""
        r, g, b = colour
        x0, y0, x1, y1 = box
        x0, y0 = max(0, int(x0) - 1), max(0, int(y0) - 1)
        x1, y1 = min(self.size, int(x1) + 2), min(self.size, int(y1) + 2)
        px = self.pixels
        for y in range(y0, y1):
            cy = y + 0.5
            for x in range(x0, x1):
                coverage = 0.5 - distance(x + 0.5, cy)
                if coverage <= 0:
                    continue
                alpha = 1.0 if coverage >= 1 else coverage
                i = (y * self.size + x) * 4
                below = px[i + 3] / 255
                out = alpha + below * (1 - alpha)
                for channel, value in ((0, r), (1, g), (2, b)):
                    px[i + channel] = round(
                        (value * alpha + px[i + channel] * below * (1 - alpha)) / out
                    )
                px[i + 3] = round(out * 255)

    def circle(self, cx: float, cy: float, radius: float, colour) -> None:
        self.fill(
            (cx - radius, cy - radius, cx + radius, cy + radius),
            colour,
            lambda x, y: math.hypot(x - cx, y - cy) - radius,
        )

    def polygon(self, points: list[tuple[float, float]], colour) -> None:
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        self.fill(
            (min(xs), min(ys), max(xs), max(ys)), colour, lambda x, y: _polygon_sdf(x, y, points)
        )

    def stroke(self, points: list[tuple[float, float]], width: float, colour) -> None:
        """A polyline with round joins and caps."""
        half = width / 2
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        segments = list(zip(points, points[1:], strict=False))
        self.fill(
            (min(xs) - half, min(ys) - half, max(xs) + half, max(ys) + half),
            colour,
            lambda x, y: min(_segment_distance(x, y, a, b) for a, b in segments) - half,
        )


def _segment_distance(x, y, a, b) -> float:
    ax, ay = a
    ex, ey = b[0] - ax, b[1] - ay
    wx, wy = x - ax, y - ay
    t = max(0.0, min(1.0, (wx * ex + wy * ey) / (ex * ex + ey * ey)))
    return math.hypot(wx - ex * t, wy - ey * t)


def _polygon_sdf(x: float, y: float, points: list[tuple[float, float]]) -> float:
    """Signed distance from (x, y) to a simple polygon: negative inside."""
    nearest, sign = math.inf, 1.0
    j = len(points) - 1
    for i in range(len(points)):
        xi, yi = points[i]
        xj, yj = points[j]
        nearest = min(nearest, _segment_distance(x, y, (xi, yi), (xj, yj)))
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            sign = -sign
        j = i
    return sign * nearest


def _star(cx: float, cy: float, outer: float, inner: float) -> list[tuple[float, float]]:
    points = []
    for n in range(10):
        radius = outer if n % 2 == 0 else inner
        angle = -math.pi / 2 + n * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


@lru_cache(maxsize=64)
def badge_png(design: Design) -> bytes:
    """The badge image for `design`: a medallion on two ribbon tails, 256 px square."""
    base = _rgb(design.colour)
    dark = _mix(base, (0, 0, 0), 0.35)
    light = _mix(base, (255, 255, 255), 0.82)
    white = (255, 255, 255)
    canvas = Canvas(SIZE)
    cx, cy = SIZE / 2, 108
    # Ribbon tails behind the medallion, each with a notched end.
    canvas.polygon([(84, 150), (118, 168), (98, 246), (84, 228), (64, 234)], dark)
    canvas.polygon([(172, 150), (138, 168), (158, 246), (172, 228), (192, 234)], dark)
    canvas.circle(cx, cy, 98, dark)
    canvas.circle(cx, cy, 92, light)
    canvas.circle(cx, cy, 82, base)
    if design.glyph == "star":
        star_y = cy - (8 if design.pips else 0)
        canvas.polygon(_star(cx, star_y, 44, 19), white)
    else:
        canvas.stroke([(cx - 34, cy + 2), (cx - 10, cy + 26), (cx + 36, cy - 24)], 17, white)
    for n in range(design.pips):
        offset = (n - (design.pips - 1) / 2) * 22
        canvas.circle(cx + offset, cy + 56, 6.5, white)
    return write_png(SIZE, SIZE, canvas.pixels)
