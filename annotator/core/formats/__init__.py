"""Input format readers (DESIGN section 4): files in, validated `Record`s out, every problem reported by line.

    for record in read_records("rubrics.jsonl"):   # format told by the fields; InputError at the end if bad
        ...

Each format is one module of `adapters`; `FORMATS` is what the registry found there.
"""

from .adapter import Adapter
from .adapters.rift_results import RiftVerdict, read_rift_results
from .ids import stable_id
from .reader import check_files, detect_format, read_records
from .registry import FORMATS, format_help
from .rubric_text import split_rubric
from .step_ratings import STEP_RATING
from .trace_text import split_trace

__all__ = [
    "FORMATS", "STEP_RATING", "Adapter", "RiftVerdict", "check_files", "detect_format", "format_help",
    "read_records", "read_rift_results", "split_rubric", "split_trace", "stable_id",
]
