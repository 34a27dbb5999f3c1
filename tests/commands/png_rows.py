"""Enough of a PNG decoder to look at a screenshot's pixels (8-bit RGB or RGBA, not interlaced), with zlib only."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunks(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    assert data.startswith(SIGNATURE), "not a PNG"
    position = len(SIGNATURE)
    while position < len(data):
        (length,) = struct.unpack(">I", data[position:position + 4])
        kind, body = data[position + 4:position + 8], data[position + 8:position + 8 + length]
        assert zlib.crc32(kind + body) == struct.unpack(">I", data[position + 8 + length:position + 12 + length])[0]
        yield kind, body
        position += 12 + length


def _add(a: bytes, b: bytes) -> bytes:
    """Bytewise (a + b) mod 256, with big-integer arithmetic (the Up filter, at C speed)."""
    low, high = int.from_bytes(b"\x7f" * len(a), "big"), int.from_bytes(b"\x80" * len(a), "big")
    x, y = int.from_bytes(a, "big"), int.from_bytes(b, "big")
    return (((x & low) + (y & low)) ^ ((x ^ y) & high)).to_bytes(len(a), "big")


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def rows(data: bytes) -> tuple[int, int, Iterator[list[tuple[int, ...]]]]:
    """(width, height, the rows of pixels top to bottom, decoded lazily)."""
    header = b"".join(body for kind, body in _chunks(data) if kind == b"IHDR")
    width, height, depth, colour, _compression, _filter, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0, "only 8-bit RGB(A), not interlaced"
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(body for kind, body in _chunks(data) if kind == b"IDAT"))
    stride = width * channels

    def decode() -> Iterator[list[tuple[int, ...]]]:
        previous = bytes(stride)
        for y in range(height):
            kind, line = raw[y * (stride + 1)], raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)]
            if kind == 0:
                row = bytes(line)
            elif kind == 2:
                row = _add(line, previous)
            else:
                out = bytearray(line)
                for i in range(stride):
                    left = out[i - channels] if i >= channels else 0
                    up = previous[i]
                    corner = previous[i - channels] if i >= channels else 0
                    guess = left if kind == 1 else (left + up) // 2 if kind == 3 else _paeth(left, up, corner)
                    out[i] = (out[i] + guess) & 0xFF
                row = bytes(out)
            previous = row
            yield [tuple(row[i:i + 3]) for i in range(0, stride, channels)]

    return width, height, decode()
