"""The units where annotators did not all say the same: the work list for adjudication."""

from __future__ import annotations

import re

from .data import LabelData

_DIGITS = re.compile(r"(\d+)")


def sort_key(text: str) -> tuple:
    """Natural order, so `criterion:c2` comes before `criterion:c10`."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in _DIGITS.split(str(text)))


def disagreements(data: LabelData, annotators: list[str] | None = None) -> list[dict]:
    """Every unit on which the chosen annotators who finished its item gave different answers.

    Multi-choice: different label sets on the unit; single-choice: different categories (a finished annotator
    who chose none counts as the empty answer). Units finished by fewer than two chosen annotators are not
    listed. Each entry is {"item_id", "target", "labels": {annotator: [labels in taxonomy order]}}, sorted by
    item then target.
    """
    chosen = annotators or data.annotators
    data = data.restrict(chosen)
    tax = data.taxonomy
    order = {lab: k for k, lab in enumerate(tax.label_ids)}
    kind_of = {lab.id: lab.target for lab in tax.labels}
    rank = {a: k for k, a in enumerate(chosen)}

    finishers: dict[str, list[str]] = {}
    for item, ann in zip(data.done["item_id"], data.done["annotator"]):
        finishers.setdefault(item, []).append(ann)
    given: dict[tuple[str, str, str], list[str]] = {}
    for item, ann, target, label in zip(data.labels["item_id"], data.labels["annotator"], data.labels["target"],
                                        data.labels["label"]):
        if label in order:
            given.setdefault((item, target, ann), []).append(label)

    out = []
    kinds = list(dict.fromkeys(kind_of.values()))
    for kind in kinds:
        units = data.units_for(kind)
        for item, target in zip(units["item_id"], units["target"]):
            who = sorted(finishers.get(item, []), key=rank.__getitem__)
            if len(who) < 2:
                continue
            answers = {a: sorted((lab for lab in given.get((item, target, a), []) if kind_of[lab] == kind),
                                 key=order.__getitem__) for a in who}
            if len({tuple(v) for v in answers.values()}) > 1:
                out.append({"item_id": item, "target": target, "labels": answers})
    out.sort(key=lambda d: (sort_key(d["item_id"]), sort_key(d["target"])))
    return out
