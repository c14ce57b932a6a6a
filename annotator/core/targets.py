"""Targets (DESIGN section 3): `item`, `criterion:<cid>`, `step:<sid>`, `span:<field>:<start>-<end>`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

TargetKind = Literal["item", "criterion", "step", "span"]

_SPAN = re.compile(r"^span:(?P<field>.+):(?P<start>\d+)-(?P<end>\d+)$")


@dataclass(frozen=True)
class Target:
    kind: TargetKind
    ref: str = ""  # criterion or step id; the field of a span
    start: int = 0
    end: int = 0

    def __str__(self) -> str:
        if self.kind == "item":
            return "item"
        if self.kind == "span":
            return f"span:{self.ref}:{self.start}-{self.end}"
        return f"{self.kind}:{self.ref}"


def parse_target(text: str) -> Target:
    """Parse a target string; raise ValueError with the reason when it is not one."""
    text = (text or "").strip()
    if text in ("", "item"):
        return Target("item")
    m = _SPAN.match(text)
    if m:
        start, end = int(m["start"]), int(m["end"])
        if end <= start:
            raise ValueError(f"span {text!r} ends before it starts")
        return Target("span", m["field"], start, end)
    kind, sep, ref = text.partition(":")
    if sep and ref and kind in ("criterion", "step"):
        return Target(kind, ref)  # type: ignore[arg-type]
    raise ValueError(f"{text!r} is not a target (item, criterion:ID, step:ID or span:FIELD:START-END)")


def criterion(cid: str) -> str:
    return f"criterion:{cid}"


def step(sid: str) -> str:
    return f"step:{sid}"


def span(field: str, start: int, end: int) -> str:
    return f"span:{field}:{start}-{end}"
