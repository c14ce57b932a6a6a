"""The formats `--format` can name, and how `auto` tells them apart by a record's fields."""

from __future__ import annotations

from typing import Any

from .adapter import Adapter
from .items import CSV_COLUMNS, convert_item
from .rift import convert_rift, convert_rift_results
from .rubric_sets import CHECKLIST_FIELDS, convert_checklist, convert_healthbench, convert_researchrubrics
from .step_labels import convert_prm800k, convert_processbench

FORMATS: dict[str, Adapter] = {
    a.name: a for a in (
        Adapter("items", "items in the canonical shape (JSONL, JSON list or CSV)", convert_item, reads_csv=True),
        Adapter("prm800k", "PRM800K step-rated solutions", convert_prm800k),
        Adapter("processbench", "ProcessBench traces with the earliest wrong step", convert_processbench),
        Adapter("healthbench", "HealthBench-style rubrics (chat prompt, rubrics with points)", convert_healthbench),
        Adapter("researchrubrics", "ResearchRubrics-style rubrics (rubrics with axis and weight)",
                convert_researchrubrics),
        Adapter("checklist", "a prompt with a checklist of requirements", convert_checklist),
        Adapter("rift", "RIFT bring-your-own rubric JSONL (input_context, rubric_text)", convert_rift),
        Adapter("rift-results", "RIFT-style result JSONL (rubric_text, labels, votes, metadata)",
                convert_rift_results),
    )
}

_ITEM_FIELDS = {"kind", "criteria", "prompt", "image", "caption", "problem", "trace", "steps"}


def format_of_record(record: dict[str, Any]) -> str | None:
    """The format whose published fields this record has, or None."""
    keys = set(record)
    if isinstance(record.get("question"), dict) and isinstance(record.get("label"), dict):
        return "prm800k"
    if "rubric_text" in keys:
        return "rift-results" if keys & {"labels", "votes"} else "rift"
    if isinstance(record.get("rubrics"), list):
        first = next((r for r in record["rubrics"] if isinstance(r, dict)), {})
        if "weight" in first or "axis" in first:
            return "researchrubrics"
        if "points" in first or isinstance(record.get("prompt"), list) or "prompt_id" in keys:
            return "healthbench"
        return "researchrubrics"
    label = record.get("label")
    if {"problem", "steps"} <= keys and isinstance(label, int) and not isinstance(label, bool):
        return "processbench"
    if keys & set(CHECKLIST_FIELDS) and "criteria" not in keys:
        return "checklist"
    if keys & _ITEM_FIELDS:
        return "items"
    return None


def format_of_header(columns: list[str]) -> str | None:
    return "items" if set(columns) & set(CSV_COLUMNS) - {"id", "source", "meta"} else None
