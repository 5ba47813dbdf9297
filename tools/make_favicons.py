#!/usr/bin/env python3
"""Draw the server's favicons (our own simple shapes) into jupyter_server_core/static/favicons.

Frontends link ``/static/favicons/<name>.ico`` (idle, busy animation, notebook, file,
terminal). Each icon is a PNG-in-ICO at 16 and 32 pixels, drawn here from code so that the
repository holds no artwork of other projects. Run again after changing a shape.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "packages/jupyter-server-core/src/jupyter_server_core/static/favicons"
RGBA = tuple[int, int, int, int]
ORANGE: RGBA = (243, 118, 38, 255)
GREY: RGBA = (97, 97, 97, 255)
WHITE: RGBA = (255, 255, 255, 255)
GREEN: RGBA = (76, 175, 80, 255)
CLEAR: RGBA = (0, 0, 0, 0)
Shape = Callable[[float, float], RGBA]


def disc(x: float, y: float) -> bool:
    return (x - 0.5) ** 2 + (y - 0.5) ** 2 <= 0.23


def idle(x: float, y: float) -> RGBA:
    return ORANGE if disc(x, y) else CLEAR


def busy(step: int) -> Shape:
    def shape(x: float, y: float) -> RGBA:
        if not disc(x, y):
            return CLEAR
        angle = (math.atan2(y - 0.5, x - 0.5) + math.pi / 2) % (2 * math.pi)
        return GREY if angle < step * 2 * math.pi / 3 else ORANGE
    return shape


def notebook(x: float, y: float) -> RGBA:
    if 0.32 < x < 0.68 and 0.3 < y < 0.7:
        return WHITE
    return idle(x, y)


def file(x: float, y: float) -> RGBA:
    inside = 0.2 < x < 0.8 and 0.1 < y < 0.9 and not (x > 0.6 and y < 0.3 and x - 0.6 > y - 0.1)
    if inside and 0.3 < x < 0.7 and any(abs(y - row) < 0.03 for row in (0.45, 0.6, 0.75)):
        return WHITE
    return GREY if inside else CLEAR


def terminal(x: float, y: float) -> RGBA:
    if not (0.08 < x < 0.92 and 0.15 < y < 0.85):
        return CLEAR
    arrow = 0.22 < x < 0.5 and abs(abs(y - 0.5) - (0.5 - x) * 0.9) < 0.06
    underline = 0.52 < x < 0.78 and 0.66 < y < 0.74
    return GREEN if (arrow or underline) else GREY


def png(shape: Shape, size: int) -> bytes:
    rows = []
    for j in range(size):
        row = bytearray([0])
        for i in range(size):
            # 4x4 supersampling for smooth edges
            acc = [0, 0, 0, 0]
            for sj in range(4):
                for si in range(4):
                    r, g, b, a = shape((i + (si + 0.5) / 4) / size, (j + (sj + 0.5) / 4) / size)
                    acc[0] += r * a
                    acc[1] += g * a
                    acc[2] += b * a
                    acc[3] += a
            alpha = acc[3] / 16
            row += bytes([int(acc[k] / acc[3]) if acc[3] else 0 for k in range(3)] + [int(alpha)])
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b"")


def ico(shape: Shape) -> bytes:
    images = [png(shape, size) for size in (16, 32)]
    out = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    for size, image in zip((16, 32), images):
        out += struct.pack("<BBBBHHII", size, size, 0, 0, 1, 32, len(image), offset)
        offset += len(image)
    return out + b"".join(images)


ICONS: dict[str, Shape] = {
    "favicon.ico": idle,
    "favicon-busy-1.ico": busy(1),
    "favicon-busy-2.ico": busy(2),
    "favicon-busy-3.ico": busy(3),
    "favicon-notebook.ico": notebook,
    "favicon-file.ico": file,
    "favicon-terminal.ico": terminal,
}


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for name, shape in ICONS.items():
        (OUT / name).write_bytes(ico(shape))
        print(OUT / name)
