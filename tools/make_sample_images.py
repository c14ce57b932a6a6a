"""Draw the small PNG scenes that the sample captions describe.

The pictures are painted pixel by pixel with a tiny raster and a hand-made 5x7 bitmap font, then written with
zlib and struct only. No font files, no antialiasing and no library version can change a byte, so running the
script again reproduces the committed images exactly (tests/test_sample_data.py checks that).

Usage: python tools/make_sample_images.py [OUT_DIR]    (default: sample_data/images next to this script's repo)
"""

from __future__ import annotations

import math
import struct
import sys
import zlib
from pathlib import Path
from typing import Callable, Sequence

WIDTH, HEIGHT = 320, 240
Color = tuple[int, int, int]

WHITE: Color = (255, 255, 255)
BLACK: Color = (20, 20, 20)
GREY: Color = (128, 128, 128)
LIGHT_GREY: Color = (215, 215, 215)
RED: Color = (210, 40, 40)
DARK_RED: Color = (120, 20, 20)
ORANGE: Color = (240, 140, 30)
YELLOW: Color = (245, 210, 40)
GREEN: Color = (50, 160, 60)
DARK_GREEN: Color = (25, 95, 35)
BLUE: Color = (40, 90, 200)
NAVY: Color = (25, 40, 110)
SKY: Color = (170, 210, 240)
PURPLE: Color = (130, 60, 170)
BROWN: Color = (130, 85, 45)
TAN: Color = (205, 170, 120)
SEA: Color = (40, 110, 170)
SAND: Color = (235, 220, 170)

# Each glyph is 7 rows of 5 columns; "#" is ink. Drawn by hand for this project.
FONT: dict[str, tuple[str, ...]] = {
    "A": (".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"),
    "B": ("####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."),
    "C": (".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."),
    "D": ("####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####."),
    "E": ("#####", "#....", "#....", "####.", "#....", "#....", "#####"),
    "F": ("#####", "#....", "#....", "####.", "#....", "#....", "#...."),
    "G": (".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####"),
    "H": ("#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"),
    "I": (".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."),
    "J": ("..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."),
    "K": ("#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"),
    "L": ("#....", "#....", "#....", "#....", "#....", "#....", "#####"),
    "M": ("#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"),
    "N": ("#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#", "#...#"),
    "O": (".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."),
    "P": ("####.", "#...#", "#...#", "####.", "#....", "#....", "#...."),
    "Q": (".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#"),
    "R": ("####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"),
    "S": (".####", "#....", "#....", ".###.", "....#", "....#", "####."),
    "T": ("#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."),
    "U": ("#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."),
    "V": ("#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#.."),
    "W": ("#...#", "#...#", "#...#", "#.#.#", "#.#.#", "##.##", "#...#"),
    "X": ("#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#"),
    "Y": ("#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#.."),
    "Z": ("#####", "....#", "...#.", "..#..", ".#...", "#....", "#####"),
    "0": (".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."),
    "1": ("..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."),
    "2": (".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"),
    "3": ("####.", "....#", "....#", ".###.", "....#", "....#", "####."),
    "4": ("...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."),
    "5": ("#####", "#....", "####.", "....#", "....#", "#...#", ".###."),
    "6": ("..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."),
    "7": ("#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."),
    "8": (".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."),
    "9": (".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."),
    "%": ("##..#", "##..#", "...#.", "..#..", ".#...", "#..##", "#..##"),
    "-": (".....", ".....", ".....", "#####", ".....", ".....", "....."),
    ".": (".....", ".....", ".....", ".....", ".....", ".##..", ".##.."),
    " ": (".....",) * 7,
}


class Canvas:
    """An RGB raster with just the filled shapes the scenes need; coordinates are pixels, y grows downwards."""

    def __init__(self, width: int = WIDTH, height: int = HEIGHT, background: Color = WHITE) -> None:
        self.width, self.height = width, height
        self.pixels = bytearray(bytes(background) * (width * height))

    def _put_row(self, y: int, x0: int, x1: int, color: Color) -> None:
        """Paint pixels x0..x1-1 of row y, clipped to the canvas."""
        if not 0 <= y < self.height:
            return
        x0, x1 = max(0, x0), min(self.width, x1)
        if x1 <= x0:
            return
        start = (y * self.width + x0) * 3
        self.pixels[start : start + (x1 - x0) * 3] = bytes(color) * (x1 - x0)

    def rect(self, x0: int, y0: int, x1: int, y1: int, color: Color) -> None:
        for y in range(y0, y1):
            self._put_row(y, x0, x1, color)

    def ellipse(self, cx: float, cy: float, rx: float, ry: float, color: Color) -> None:
        for y in range(math.floor(cy - ry), math.ceil(cy + ry) + 1):
            dy = (y + 0.5 - cy) / ry
            if abs(dy) > 1:
                continue
            half = rx * math.sqrt(1 - dy * dy)
            self._put_row(y, round(cx - half), round(cx + half), color)

    def circle(self, cx: float, cy: float, r: float, color: Color) -> None:
        self.ellipse(cx, cy, r, r, color)

    def polygon(self, points: Sequence[tuple[float, float]], color: Color) -> None:
        """Even-odd scanline fill, sampling each row at its pixel centres."""
        ys = [p[1] for p in points]
        for y in range(math.floor(min(ys)), math.ceil(max(ys)) + 1):
            yc = y + 0.5
            xs: list[float] = []
            for (xa, ya), (xb, yb) in zip(points, list(points[1:]) + [points[0]]):
                if (ya <= yc < yb) or (yb <= yc < ya):
                    xs.append(xa + (yc - ya) * (xb - xa) / (yb - ya))
            xs.sort()
            for left, right in zip(xs[::2], xs[1::2]):
                self._put_row(y, round(left), round(right), color)

    def line(self, x0: float, y0: float, x1: float, y1: float, width: float, color: Color) -> None:
        length = math.hypot(x1 - x0, y1 - y0) or 1.0
        nx, ny = -(y1 - y0) / length * width / 2, (x1 - x0) / length * width / 2
        self.polygon([(x0 + nx, y0 + ny), (x1 + nx, y1 + ny), (x1 - nx, y1 - ny), (x0 - nx, y0 - ny)], color)

    def regular_polygon(self, cx: float, cy: float, r: float, sides: int, color: Color, turn: float = 0.0) -> None:
        step = 2 * math.pi / sides
        self.polygon([(cx + r * math.cos(turn + i * step), cy + r * math.sin(turn + i * step)) for i in range(sides)],
                     color)

    def star(self, cx: float, cy: float, r_out: float, r_in: float, color: Color) -> None:
        pts = []
        for i in range(10):
            r = r_out if i % 2 == 0 else r_in
            a = -math.pi / 2 + i * math.pi / 5
            pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
        self.polygon(pts, color)

    def wedge(self, cx: float, cy: float, r: float, start_deg: float, end_deg: float, color: Color) -> None:
        """A pie slice; angles in degrees, clockwise from twelve o'clock."""
        pts = [(cx, cy)]
        n = max(2, int(abs(end_deg - start_deg) / 3))
        for i in range(n + 1):
            a = math.radians(start_deg + (end_deg - start_deg) * i / n) - math.pi / 2
            pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
        self.polygon(pts, color)

    def text(self, x: int, y: int, text: str, scale: int, color: Color) -> None:
        for i, ch in enumerate(text.upper()):
            glyph = FONT[ch]
            for row, bits in enumerate(glyph):
                for col, bit in enumerate(bits):
                    if bit == "#":
                        px, py = x + (i * 6 + col) * scale, y + row * scale
                        self.rect(px, py, px + scale, py + scale, color)

    def text_centered(self, cx: int, y: int, text: str, scale: int, color: Color) -> None:
        self.text(cx - text_width(text, scale) // 2, y, text, scale, color)

    def png(self) -> bytes:
        def chunk(kind: bytes, data: bytes) -> bytes:
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

        stride = self.width * 3
        raw = b"".join(b"\x00" + bytes(self.pixels[y * stride : (y + 1) * stride]) for y in range(self.height))
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9))
                + chunk(b"IEND", b""))


def text_width(text: str, scale: int) -> int:
    return (len(text) * 6 - 1) * scale


# ---------------------------------------------------------------- scenes


def shapes_row(c: Canvas) -> None:
    """Four shapes in a row on white: red circle, blue square, green triangle, yellow star."""
    c.rect(0, 180, WIDTH, HEIGHT, LIGHT_GREY)
    c.circle(45, 130, 30, RED)
    c.rect(95, 100, 155, 160, BLUE)
    c.polygon([(205, 100), (240, 160), (170, 160)], GREEN)
    c.star(280, 130, 34, 14, YELLOW)


def balloons(c: Canvas) -> None:
    """Five balloons on strings over a lawn: red, blue, red, green, yellow from left to right."""
    c.rect(0, 0, WIDTH, HEIGHT, SKY)
    c.rect(0, 195, WIDTH, HEIGHT, GREEN)
    colours = [RED, BLUE, RED, GREEN, YELLOW]
    for i, colour in enumerate(colours):
        x = 50 + i * 55
        y = 70 + (25 if i % 2 else 0)
        c.line(x, y + 30, 160, 200, 1.5, GREY)
        c.ellipse(x, y, 22, 28, colour)
        c.polygon([(x - 4, y + 31), (x + 4, y + 31), (x, y + 25)], colour)
    c.rect(155, 195, 165, 215, BROWN)  # the stake the strings are tied to


def stop_sign(c: Canvas) -> None:
    """A red octagonal STOP sign on a grey pole against a pale sky with a green verge."""
    c.rect(0, 0, WIDTH, HEIGHT, SKY)
    c.rect(0, 200, WIDTH, HEIGHT, GREEN)
    c.rect(154, 110, 166, 220, GREY)
    c.regular_polygon(160, 90, 66, 8, WHITE, turn=math.pi / 8)
    c.regular_polygon(160, 90, 60, 8, RED, turn=math.pi / 8)
    c.text_centered(160, 76, "STOP", 4, WHITE)


def bar_chart(c: Canvas) -> None:
    """A titled bar chart, SALES, with bars A=3, B=7, C=5, D=2 in blue on a light grid."""
    c.text_centered(160, 10, "SALES", 3, BLACK)
    base, unit = 205, 20
    for v in range(0, 9):
        c.rect(40, base - v * unit, 300, base - v * unit + 1, LIGHT_GREY)
        if v % 2 == 0:
            c.text(22, base - v * unit - 3, str(v), 1, BLACK)
    c.rect(38, 45, 40, base + 1, BLACK)
    c.rect(38, base, 300, base + 2, BLACK)
    for i, (name, value) in enumerate([("A", 3), ("B", 7), ("C", 5), ("D", 2)]):
        x = 60 + i * 60
        c.rect(x, base - value * unit, x + 40, base, BLUE)
        c.text_centered(x + 20, base + 8, name, 2, BLACK)


def traffic_light(c: Canvas) -> None:
    """A traffic light on a pole with the top (red) lamp lit; amber and green lamps dark."""
    c.rect(0, 0, WIDTH, HEIGHT, SKY)
    c.rect(0, 205, WIDTH, HEIGHT, GREY)
    c.rect(154, 170, 166, 215, BLACK)
    c.rect(125, 20, 195, 175, BLACK)
    c.circle(160, 50, 20, RED)
    c.circle(160, 97, 20, (90, 70, 20))
    c.circle(160, 144, 20, (20, 60, 25))


def house(c: Canvas) -> None:
    """A tan house with a red roof, a blue door and two windows; a tree on its left, a sun top right."""
    c.rect(0, 0, WIDTH, HEIGHT, SKY)
    c.rect(0, 190, WIDTH, HEIGHT, GREEN)
    c.circle(280, 40, 24, YELLOW)
    c.rect(50, 120, 62, 195, BROWN)
    c.circle(56, 105, 30, DARK_GREEN)
    c.rect(120, 110, 250, 195, TAN)
    c.polygon([(110, 112), (185, 55), (260, 112)], RED)
    c.rect(170, 145, 198, 195, BLUE)
    c.rect(132, 125, 158, 150, WHITE)
    c.rect(212, 125, 238, 150, WHITE)


def exit_sign(c: Canvas) -> None:
    """A green motorway sign reading EXIT 12 with an arrow, on two posts, above a road."""
    c.rect(0, 0, WIDTH, HEIGHT, SKY)
    c.rect(0, 190, WIDTH, HEIGHT, GREY)
    c.rect(0, 210, WIDTH, 214, WHITE)
    c.rect(80, 120, 88, 195, GREY)
    c.rect(232, 120, 240, 195, GREY)
    c.rect(50, 40, 270, 130, WHITE)
    c.rect(54, 44, 266, 126, GREEN)
    c.text_centered(160, 58, "EXIT 12", 4, WHITE)
    c.polygon([(200, 100), (230, 100), (230, 92), (246, 107), (230, 122), (230, 114), (200, 114)], WHITE)


def mugs(c: Canvas) -> None:
    """Three mugs on a wooden table, left to right: orange, blue, purple; the blue one is the tallest."""
    c.rect(0, 0, WIDTH, HEIGHT, (235, 230, 220))
    c.rect(0, 160, WIDTH, HEIGHT, BROWN)
    for x, top, colour in [(50, 105, ORANGE), (135, 85, BLUE), (220, 110, PURPLE)]:
        c.ellipse(x + 58, (top + 160) / 2, 14, 16, colour)
        c.ellipse(x + 58, (top + 160) / 2, 7, 9, (235, 230, 220))
        c.rect(x, top, x + 55, 165, colour)


def pie_chart(c: Canvas) -> None:
    """A pie chart titled COMMUTE: BUS 50%, CAR 30%, BIKE 20%, with a legend on the right."""
    c.text(20, 10, "COMMUTE", 2, BLACK)
    c.wedge(110, 130, 80, 0, 180, BLUE)
    c.wedge(110, 130, 80, 180, 288, ORANGE)
    c.wedge(110, 130, 80, 288, 360, GREY)
    for i, (name, colour) in enumerate([("BUS 50%", BLUE), ("CAR 30%", ORANGE), ("BIKE 20%", GREY)]):
        y = 90 + i * 30
        c.rect(210, y, 224, y + 14, colour)
        c.text(230, y + 4, name, 1, BLACK)


def clock(c: Canvas) -> None:
    """A round wall clock with numerals 12, 3, 6 and 9, showing three o'clock, on a pale green wall."""
    c.rect(0, 0, WIDTH, HEIGHT, (210, 230, 210))
    c.circle(160, 120, 100, BLACK)
    c.circle(160, 120, 94, WHITE)
    for hour in range(12):
        a = math.radians(hour * 30) - math.pi / 2
        c.line(160 + 84 * math.cos(a), 120 + 84 * math.sin(a), 160 + 92 * math.cos(a), 120 + 92 * math.sin(a), 3,
               BLACK)
    c.text_centered(160, 38, "12", 2, BLACK)
    c.text(228, 113, "3", 2, BLACK)
    c.text_centered(160, 190, "6", 2, BLACK)
    c.text(83, 113, "9", 2, BLACK)
    c.line(160, 120, 160, 50, 4, BLACK)   # minute hand on twelve
    c.line(160, 120, 212, 120, 6, BLACK)  # hour hand on three
    c.circle(160, 120, 6, RED)


def harbour(c: Canvas) -> None:
    """Two sailboats with white sails on the sea, a red-and-white lighthouse on a rock on the right, a sun."""
    c.rect(0, 0, WIDTH, 140, SKY)
    c.rect(0, 140, WIDTH, HEIGHT, SEA)
    c.circle(60, 40, 20, YELLOW)
    for x, y in [(70, 170), (160, 150)]:
        c.polygon([(x - 30, y), (x + 30, y), (x + 20, y + 14), (x - 20, y + 14)], BROWN)
        c.rect(x - 1, y - 60, x + 2, y, BLACK)
        c.polygon([(x + 3, y - 58), (x + 3, y - 4), (x + 34, y - 4)], WHITE)
        c.polygon([(x - 2, y - 48), (x - 2, y - 4), (x - 24, y - 4)], WHITE)
    c.ellipse(270, 150, 45, 20, GREY)
    for i in range(4):
        c.rect(258 - i, 60 + i * 20, 282 + i, 80 + i * 20, RED if i % 2 == 0 else WHITE)
    c.rect(262, 44, 278, 60, YELLOW)
    c.polygon([(256, 46), (284, 46), (270, 30)], RED)


def line_chart(c: Canvas) -> None:
    """A line chart, TEMP, over MON-FRI: 4, 6, 8, 7, 3, rising to a peak on Wednesday then falling."""
    c.text_centered(170, 10, "TEMP", 3, BLACK)
    base, unit = 200, 18
    c.rect(40, 45, 42, base + 1, BLACK)
    c.rect(40, base, 305, base + 2, BLACK)
    for v in (2, 4, 6, 8):
        c.rect(43, base - v * unit, 305, base - v * unit + 1, LIGHT_GREY)
        c.text(26, base - v * unit - 3, str(v), 1, BLACK)
    values = [4, 6, 8, 7, 3]
    points = [(70 + i * 55, base - v * unit) for i, v in enumerate(values)]
    for (xa, ya), (xb, yb) in zip(points, points[1:]):
        c.line(xa, ya, xb, yb, 3, RED)
    for (x, y), day in zip(points, ["MON", "TUE", "WED", "THU", "FRI"]):
        c.circle(x, y, 5, DARK_RED)
        c.text_centered(x, base + 10, day, 1, BLACK)


def parking(c: Canvas) -> None:
    """A car park seen from above: four cars in marked bays (red, white, blue, red), one bay empty, a P sign."""
    c.rect(0, 0, WIDTH, HEIGHT, (90, 90, 95))
    for i in range(6):
        c.rect(20 + i * 50, 100, 23 + i * 50, 200, WHITE)
    c.rect(20, 197, 273, 200, WHITE)
    for bay, colour in [(0, RED), (1, WHITE), (3, BLUE), (4, RED)]:
        x = 30 + bay * 50
        c.rect(x, 115, x + 30, 185, colour)
        c.rect(x + 4, 125, x + 26, 140, NAVY)
        c.rect(x + 4, 165, x + 26, 175, NAVY)
    c.rect(250, 20, 300, 70, BLUE)
    c.text_centered(275, 31, "P", 4, WHITE)
    c.rect(273, 70, 277, 95, LIGHT_GREY)


def fruit(c: Canvas) -> None:
    """A white plate on a blue tablecloth holding three red apples and two oranges; a knife beside the plate."""
    c.rect(0, 0, WIDTH, HEIGHT, (70, 110, 180))
    c.ellipse(150, 125, 110, 85, WHITE)
    c.ellipse(150, 125, 95, 72, (240, 240, 240))
    for x, y in [(110, 100), (160, 95), (130, 145)]:
        c.circle(x, y, 24, RED)
        c.rect(x - 1, y - 30, x + 2, y - 20, BROWN)
    for x, y in [(185, 140), (205, 105)]:
        c.circle(x, y, 20, ORANGE)
    c.rect(282, 50, 290, 130, LIGHT_GREY)
    c.rect(281, 130, 291, 195, BLACK)


SCENES: dict[str, Callable[[Canvas], None]] = {
    "shapes_row": shapes_row,
    "balloons": balloons,
    "stop_sign": stop_sign,
    "bar_chart": bar_chart,
    "traffic_light": traffic_light,
    "house": house,
    "exit_sign": exit_sign,
    "mugs": mugs,
    "pie_chart": pie_chart,
    "clock": clock,
    "harbour": harbour,
    "line_chart": line_chart,
    "parking": parking,
    "fruit": fruit,
}


def render(name: str) -> bytes:
    canvas = Canvas()
    SCENES[name](canvas)
    return canvas.png()


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent / "sample_data" / "images"
    out.mkdir(parents=True, exist_ok=True)
    for name in SCENES:
        (out / f"{name}.png").write_bytes(render(name))
    print(f"wrote {len(SCENES)} images to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
