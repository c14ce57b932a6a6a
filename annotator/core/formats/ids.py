"""Ids for records that come without one."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def stable_id(kind: str, content: dict[str, Any]) -> str:
    """An id derived from the record's content, so importing the same file twice yields the same ids.

    The content is hashed as canonical JSON (sorted keys), so the order of fields in the file does not matter;
    twelve hex digits keep ids short to read while a clash stays unlikely for millions of records.
    """
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return f"{kind}-{hashlib.sha256(canonical.encode('utf-8', 'surrogatepass')).hexdigest()[:12]}"
