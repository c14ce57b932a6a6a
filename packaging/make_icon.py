"""Draw the application icon: PNGs at 256, 128, 64 and 32 pixels and a Windows .ico holding all four.

The drawing is the same picture as the app's window icon (a blue card with three lines of text and two coloured
label dots), redrawn here at each size rather than scaled from one bitmap, so small sizes stay crisp. The PNG and
ICO files are written by this script itself (not by matplotlib's or Pillow's savers) so that no version string or
timestamp ends up in them: running it twice, or on another machine with the same matplotlib, gives identical bytes
and the committed icons only change when the picture does.

Run from anywhere: `python packaging/make_icon.py [OUTPUT_FOLDER]` (default: the `icons` folder beside it).
"""

from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # drawn off screen; no display needed

import numpy as np  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Circle, FancyBboxPatch  # noqa: E402

SIZES = (256, 128, 64, 32)
NAME = "annotator"

# The picture, in a 64 x 64 box with y growing downwards (as in the SVG window icon).
CARD = {"x": 6, "y": 6, "w": 52, "h": 52, "radius": 10, "color": "#1f6feb"}
TEXT_LINES = ((15, 17, 34, 5), (15, 29, 24, 5), (15, 41, 28, 5))  # x, y, width, height
LINE_COLOR = "#ffffff"
DOTS = ((47, 31.5, 5, "#e69f00"), (51, 43.5, 5, "#009e73"))  # centre x, centre y, radius, colour


def render(size: int) -> np.ndarray:
    """The icon as a size x size x 4 array of 8-bit RGBA, transparent outside the card."""
    fig = Figure(figsize=(1, 1), dpi=size, facecolor=(0, 0, 0, 0))
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 64)
    ax.set_ylim(64, 0)  # flip so the coordinates above read like the SVG's
    ax.set_axis_off()
    ax.patch.set_alpha(0)

    def rounded(x: float, y: float, w: float, h: float, r: float, color: str) -> None:
        ax.add_patch(FancyBboxPatch((x + r, y + r), w - 2 * r, h - 2 * r,
                                    boxstyle=f"round,pad={r}", linewidth=0, facecolor=color))

    rounded(CARD["x"], CARD["y"], CARD["w"], CARD["h"], CARD["radius"], CARD["color"])
    for x, y, w, h in TEXT_LINES:
        rounded(x, y, w, h, 2, LINE_COLOR)
    for cx, cy, r, color in DOTS:
        ax.add_patch(Circle((cx, cy), r, linewidth=0, facecolor=color))

    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba()).copy()
    if pixels.shape != (size, size, 4):
        raise RuntimeError(f"matplotlib drew {pixels.shape[1]}x{pixels.shape[0]} pixels, expected {size}x{size}")
    return pixels


def png_bytes(pixels: np.ndarray) -> bytes:
    """A minimal PNG (RGBA, 8 bits, no filter, no metadata chunks) of the given pixels."""
    height, width, _ = pixels.shape

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit depth, colour type 6 = RGBA
    raw = b"".join(b"\x00" + pixels[row].astype(np.uint8).tobytes() for row in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows icon file whose images are the PNGs themselves (allowed since Windows Vista)."""
    sizes = sorted(pngs, reverse=True)
    header = struct.pack("<HHH", 0, 1, len(sizes))  # reserved, type 1 = icon, image count
    offset = len(header) + 16 * len(sizes)
    entries, images = b"", b""
    for size in sizes:
        data = pngs[size]
        side = 0 if size >= 256 else size  # a 0 in the one-byte width and height fields means 256
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        images += data
        offset += len(data)
    return header + entries + images


def write_icons(folder: Path) -> list[Path]:
    """Write every icon file into folder; the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    pngs = {size: png_bytes(render(size)) for size in SIZES}
    written = []
    for size, data in pngs.items():
        path = folder / f"{NAME}-{size}.png"
        path.write_bytes(data)
        written.append(path)
    ico = folder / f"{NAME}.ico"
    ico.write_bytes(ico_bytes(pngs))
    written.append(ico)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]) if args else Path(__file__).resolve().parent / "icons"
    for path in write_icons(folder):
        print(f"{path.name}: {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
