"""Where a caption item's image lives: a file beside the data file, never anything on a network.

The path is checked before anything is opened, so a data file cannot make the app reach a URL or read files
outside the folder the user chose to import from.
"""

from __future__ import annotations

import re
from pathlib import Path

# The first bytes of the picture formats Qt reads without plug-ins; anything else is refused before import.
_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG", b"GIF87a": "GIF", b"GIF89a": "GIF", b"BM": "BMP",
}
_URL = re.compile(r"^(?:https?|ftp|ftps|data|file|s3|gs):", re.I)


def resolve_image(value: str, data_file: Path) -> tuple[str | None, str | None]:
    """(absolute path, None) for a usable image path, else (None, why it is refused)."""
    text = value.strip()
    if not text:
        return None, "is empty"
    if "\x00" in text:
        return None, "holds a NUL character, which no file name can hold"
    if _URL.match(text) or text.startswith("//"):
        return None, f"{text!r} is a URL; images are read only from disk, never fetched (give a path relative " \
                     "to the data file)"
    folder = data_file.resolve().parent
    given = Path(text)
    candidate = (given if given.is_absolute() else folder / given).resolve()
    if not candidate.is_relative_to(folder):
        return None, f"{text!r} points outside the data file's folder; keep images in that folder or below it"
    if not candidate.is_file():
        return None, f"{text!r} not found (looked for {candidate.relative_to(folder).as_posix()} beside the data file)"
    if image_format(candidate) is None:
        return None, f"{text!r} is not a PNG, JPEG, GIF, BMP or WebP picture"
    return str(candidate), None


def image_format(path: Path) -> str | None:
    """The picture format a file's first bytes announce, or None."""
    with path.open("rb") as handle:
        head = handle.read(12)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    for magic, name in _SIGNATURES.items():
        if head.startswith(magic):
            return name
    return None
