"""Character-level agreement on span labels: do annotators mark the same stretches of text?

Unit-level figures already count a span on the step or item it lies in; this asks the finer question. Each
character of a field that anyone marked with the label is a unit, valued 1 inside an annotator's spans of that
label and 0 outside, for the annotators who finished the item. Krippendorff's nominal alpha over those
characters is the usual reading of span agreement (Krippendorff's unitizing alpha reduces to it when every
character is a unit).
"""

from __future__ import annotations

import numpy as np

from dataclasses import replace
from typing import Mapping

import pandas as pd

from ..model import Item
from .bootstrap import Undefined
from .coefficients import krippendorff_alpha
from .data import LABEL_COLUMNS, UNIT_COLUMNS, LabelData, map_span_to_units


def span_matrix(data: LabelData, label: str, annotators: list[str]) -> tuple[np.ndarray, int]:
    """annotator x character matrix of one label's spans over every field anyone put it on; and the field count.

    Every field's length must be in `data.field_lengths` (`span_lengths_missing` says when it is not).
    """
    spans = data.spans[data.spans["annotator"].isin(annotators)]
    finished = set(zip(data.done["item_id"], data.done["annotator"]))
    spans = spans[[(i, a) in finished for i, a in zip(spans["item_id"], spans["annotator"])]]
    mine = spans[spans["label"] == label]
    fields = sorted(set(zip(mine["item_id"], mine["field"])))
    pos = {a: k for k, a in enumerate(annotators)}
    blocks = []
    for item, field_name in fields:
        on_field = spans[(spans["item_id"] == item) & (spans["field"] == field_name)]
        length = data.field_lengths[(item, field_name)]
        block = np.full((len(annotators), length), np.nan)
        for a, name in enumerate(annotators):
            if (item, name) in finished:
                block[a] = 0.0
        of_label = on_field[on_field["label"] == label]
        for name, start, end in zip(of_label["annotator"], of_label["start"], of_label["end"]):
            lo, hi = max(0, int(start)), min(length, int(end))
            block[pos[name], lo:hi] = 1.0
        blocks.append(block)
    if not blocks:
        return np.zeros((len(annotators), 0)), 0
    return np.hstack(blocks), len(fields)


UNKNOWN_LENGTH = ("the text length of a marked field is unknown (labels CSV alone): give the project, "
                  "or the items with --items FILE")


def span_lengths_missing(data: LabelData, label: str, annotators: list[str]) -> bool:
    """Whether some field the label's spans point into has no known length.

    Cutting a text at its last span end (all a labels CSV tells) makes every unmarked tail vanish and the
    figure meaningless, so such a figure is left undefined instead."""
    spans = data.spans[(data.spans["label"] == label) & data.spans["annotator"].isin(annotators)]
    return any((i, f) not in data.field_lengths for i, f in zip(spans["item_id"], spans["field"]))


def span_agreement(data: LabelData, annotators: list[str] | None = None) -> dict[str, dict]:
    """Per label with any span: {"alpha", "characters", "fields", "spans"} (alpha None with `alpha_reason`).

    Spans on a step (`span:<step>:a-b`) count like spans on any other field."""
    chosen = annotators or data.annotators
    spans = data.spans[data.spans["annotator"].isin(chosen)]
    out: dict[str, dict] = {}
    present = set(spans["label"])
    for label in [lab for lab in data.taxonomy.label_ids if lab in present]:
        n_spans = int((spans["label"] == label).sum())
        if span_lengths_missing(data, label, chosen):
            fields = spans[spans["label"] == label]
            out[label] = {"alpha": None, "characters": None, "spans": n_spans, "alpha_reason": UNKNOWN_LENGTH,
                          "fields": len(set(zip(fields["item_id"], fields["field"])))}
            continue
        m, n_fields = span_matrix(data, label, chosen)
        entry: dict = {"alpha": None, "characters": int(m.shape[1]), "fields": n_fields, "spans": n_spans}
        try:
            entry["alpha"] = krippendorff_alpha(m, "nominal")
        except Undefined as exc:
            entry["alpha_reason"] = str(exc)
        out[label] = entry
    return out


def with_items(data: LabelData, items: Mapping[str, Item]) -> LabelData:
    """What a labels CSV alone lacks, taken from the items themselves (`--items FILE`).

    Each marked field's text length, so span figures are defined; every criterion and step of a finished item
    as a unit (an unlabelled one is a deliberate "absent", as in a project); and spans over a whole trace
    counted on the steps they overlap, as the project counts them."""
    lengths = dict(data.field_lengths)
    mapped = []
    finished = set(zip(data.done["item_id"], data.done["annotator"]))
    for row in data.spans.itertuples(index=False):
        item = items.get(row.item_id)
        if item is None:
            continue
        text = item.field_text(row.field)
        if text is not None:
            lengths[(row.item_id, row.field)] = len(text)
        if row.label not in data.taxonomy.label_ids or (row.item_id, row.annotator) not in finished:
            continue
        steps = [(s.id, s.text) for s in item.steps]
        for unit in map_span_to_units(steps, row.field, int(row.start), int(row.end),
                                      data.taxonomy.label(row.label).target):
            mapped.append((row.item_id, row.annotator, unit, row.label))
    kinds = {lab.target for lab in data.taxonomy.labels}
    extra_units = [(item_id, f"{kind}:{unit.id}", kind)
                   for item_id in sorted(set(data.done["item_id"])) if item_id in items
                   for kind, units in (("criterion", items[item_id].criteria), ("step", items[item_id].steps))
                   if kind in kinds for unit in units]
    units = pd.concat([data.units, pd.DataFrame(extra_units, columns=UNIT_COLUMNS)], ignore_index=True)
    labels = pd.concat([data.labels, pd.DataFrame(mapped, columns=LABEL_COLUMNS)], ignore_index=True)
    return replace(data, field_lengths=lengths, units=units.drop_duplicates(ignore_index=True),
                   labels=labels.drop_duplicates(ignore_index=True))
