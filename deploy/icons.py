"""The skill's store icons, drawn from geometry: a white circular arrow (coming back,
recovering) on a teal disc. Standard library only (zlib for the PNG stream).

    python deploy/icons.py OUT_DIR     # writes icon-108.png and icon-512.png

The same sizes always give the same pixels, so the icons are made by the package build
rather than kept as binary files beside the code they come from. `read_png` reads back
what `png` writes (and any 8-bit, non-interlaced PNG), for the package check.
"""

from __future__ import annotations

import math
import struct
import sys
import zlib
from functools import cache
from pathlib import Path

SIZES = {"small": 108, "large": 512}  # what the Alexa skill store asks for
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

BACKGROUND = (22, 120, 110)  # teal
EMBLEM = (255, 255, 255)

# The emblem, in units of the icon's width (the centre is 0.5, 0.5).
DISC = 0.47  # radius of the background disc
RING = 0.27  # radius of the arrow's centre line
STROKE = 0.085  # width of the arrow's line
GAP_START, GAP_END = math.radians(35), math.radians(95)  # the opening, anticlockwise from +x
HEAD = 0.11  # the arrowhead's half-width, and its length is 1.6 times that


def _coverage(distance: float) -> float:
    """How much of a pixel a shape covers, from the signed distance (in pixels) of its
    centre to the shape's edge: anti-aliasing over one pixel."""
    return min(1.0, max(0.0, 0.5 - distance))


def _arc_distance(x: float, y: float) -> float:
    """Signed distance to the arrow's stroke: a ring with the gap cut out, round ends."""
    angle = math.atan2(y, x) % math.tau
    if not GAP_START < angle < GAP_END:
        return abs(math.hypot(x, y) - RING) - STROKE / 2
    ends = ((RING * math.cos(a), RING * math.sin(a)) for a in (GAP_START, GAP_END))
    return min(math.hypot(x - ex, y - ey) for ex, ey in ends) - STROKE / 2


def _head_corners() -> tuple[tuple[float, float], ...]:
    """The arrowhead: a triangle where the arc meets the gap, pointing on along the arc
    (anticlockwise, into the gap)."""
    ex, ey = RING * math.cos(GAP_START), RING * math.sin(GAP_START)
    tx, ty = -math.sin(GAP_START), math.cos(GAP_START)  # anticlockwise tangent
    nx, ny = math.cos(GAP_START), math.sin(GAP_START)  # outward normal
    tip = (ex + tx * HEAD * 1.6, ey + ty * HEAD * 1.6)
    return (tip, (ex + nx * HEAD, ey + ny * HEAD), (ex - nx * HEAD, ey - ny * HEAD))


def _triangle_distance(x: float, y: float, corners: tuple[tuple[float, float], ...]) -> float:
    """Signed distance to a triangle's edges (exact near the edges, where it matters)."""
    (ax, ay), (bx, by), (cx, cy) = corners
    sign = 1.0 if (bx - ax) * (cy - ay) - (by - ay) * (cx - ax) > 0 else -1.0
    distances = []
    for (px, py), (qx, qy) in (((ax, ay), (bx, by)), ((bx, by), (cx, cy)), ((cx, cy), (ax, ay))):
        length = math.hypot(qx - px, qy - py)
        distances.append(-sign * ((qx - px) * (y - py) - (qy - py) * (x - px)) / length)
    return max(distances)


def draw(size: int) -> bytes:
    """RGBA pixels, row by row, of the icon at `size` x `size`."""
    corners = _head_corners()
    pixels = bytearray()
    for row in range(size):
        # y grows upwards in the emblem's geometry.
        y = 0.5 - (row + 0.5) / size
        for column in range(size):
            x = (column + 0.5) / size - 0.5
            disc = _coverage((math.hypot(x, y) - DISC) * size)
            emblem = max(
                _coverage(_arc_distance(x, y) * size),
                _coverage(_triangle_distance(x, y, corners) * size),
            )
            colour = (round(b + (e - b) * emblem) for b, e in zip(BACKGROUND, EMBLEM, strict=True))
            pixels.extend((*colour, round(255 * disc)))
    return bytes(pixels)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@cache
def png(size: int) -> bytes:
    """The icon as a PNG file: 8-bit RGBA, no filtering, no timestamp (the bytes depend on
    the pixels alone)."""
    pixels, stride = draw(size), size * 4
    raw = b"".join(b"\x00" + pixels[row * stride : (row + 1) * stride] for row in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 9))
        + _chunk(b"IEND", b"")
    )


def write_icons(folder: Path) -> dict[str, Path]:
    """icon-108.png and icon-512.png in `folder`, by the store's name for each size."""
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, size in SIZES.items():
        path = folder / f"icon-{size}.png"
        path.write_bytes(png(size))
        written[name] = path
    return written


class NotAnImage(ValueError):
    pass


def read_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and the unfiltered rows (RGBA or RGB, 8-bit) of a PNG; NotAnImage
    for anything else, including a truncated or corrupt file."""
    if not data.startswith(PNG_SIGNATURE):
        raise NotAnImage("no PNG signature")
    position, chunks = len(PNG_SIGNATURE), []
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        crc = data[position + 8 + length : position + 12 + length]
        if len(body) != length or len(crc) != 4:
            raise NotAnImage("truncated chunk")
        if struct.unpack(">I", crc)[0] != zlib.crc32(kind + body):
            raise NotAnImage(f"bad checksum in {kind!r}")
        chunks.append((kind, body))
        position += 12 + length
    if not chunks or chunks[0][0] != b"IHDR" or chunks[-1][0] != b"IEND":
        raise NotAnImage("chunks out of order")
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    channels = {2: 3, 6: 4}.get(colour)
    if depth != 8 or channels is None or interlace:
        raise NotAnImage("not an 8-bit RGB or RGBA image without interlacing")
    try:
        raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    except zlib.error as error:
        raise NotAnImage(f"image data does not decompress: {error}") from error
    stride = width * channels
    if len(raw) != height * (stride + 1):
        raise NotAnImage("image data is not width x height")
    rows: list[bytes] = []
    previous = bytes(stride)
    for index in range(height):
        line = raw[index * (stride + 1) : (index + 1) * (stride + 1)]
        rows.append(previous := _unfilter(line[0], bytearray(line[1:]), previous, channels))
    return width, height, rows


def _unfilter(kind: int, line: bytearray, previous: bytes, step: int) -> bytes:
    if kind == 0:
        return bytes(line)
    for i in range(len(line)):
        left = line[i - step] if i >= step else 0
        up, corner = previous[i], previous[i - step] if i >= step else 0
        if kind == 1:
            line[i] = (line[i] + left) & 0xFF
        elif kind == 2:
            line[i] = (line[i] + up) & 0xFF
        elif kind == 3:
            line[i] = (line[i] + (left + up) // 2) & 0xFF
        elif kind == 4:
            estimate = left + up - corner
            distances = (abs(estimate - left), abs(estimate - up), abs(estimate - corner))
            nearest = (left, up, corner)[distances.index(min(distances))]
            line[i] = (line[i] + nearest) & 0xFF
        else:
            raise NotAnImage(f"unknown row filter {kind}")
    return bytes(line)


if __name__ == "__main__":
    for path in write_icons(Path(sys.argv[1] if len(sys.argv) > 1 else ".")).values():
        print(path)
