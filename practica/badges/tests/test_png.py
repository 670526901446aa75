import json
import zlib

import pytest

from practica.badges import png
from practica.badges.tests.helpers import baked_text, png_chunks


def test_written_png_has_valid_chunks_and_the_pixels_given():
    pixels = bytes([255, 0, 0, 255, 0, 255, 0, 128] * 2)
    data = png.write_png(2, 2, pixels)
    chunks = png_chunks(data)
    assert [kind for kind, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    raw = zlib.decompress(chunks[1][1])
    assert raw == b"\x00" + pixels[:8] + b"\x00" + pixels[8:]


def test_badge_image_is_a_256_pixel_rgba_png():
    data = png.badge_png(png.Design("#0f766e", "star", pips=2))
    header = png_chunks(data)[0][1]
    assert header[:8] == (256).to_bytes(4, "big") * 2
    assert header[8:10] == bytes([8, 6])  # 8 bits, RGBA


def test_baking_puts_one_uncompressed_openbadges_itxt_chunk_before_iend():
    image = png.badge_png(png.Design("#7c3aed", "check"))
    assertion = json.dumps({"id": "http://127.0.0.1:8000/badges/assertions/x.json", "é": "ü"})
    baked = png.bake(png.bake(image, "an earlier badge"), assertion)
    chunks = png_chunks(baked)
    assert [kind for kind, _ in chunks][-2:] == [b"iTXt", b"IEND"]
    assert baked_text(baked) == [assertion]
    assert png.unbake(baked) == assertion
    assert png.unbake(image) is None


def test_a_damaged_png_is_refused():
    data = bytearray(png.badge_png(png.Design("#1d4ed8", "star")))
    data[40] ^= 0xFF
    with pytest.raises(png.PNGError, match="CRC"):
        png.read_chunks(bytes(data))
    with pytest.raises(png.PNGError, match="signature"):
        png.read_chunks(b"GIF89a")
