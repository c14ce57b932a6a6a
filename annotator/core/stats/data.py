"""The tables every statistic reads: one taxonomy's units, completions, labels, gold and predictions.

Agreement, F1, calibration and the alternative annotator test all start from a `LabelData`, whether it was
built from a project or from a labels CSV alone, so both paths compute the same figures the same way.
Span labels are already mapped onto the units they lie in (DESIGN section 3); the raw spans are kept apart
for character-level agreement.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..taxonomy import Taxonomy

UNIT_COLUMNS = ["item_id", "target", "kind"]
DONE_COLUMNS = ["item_id", "annotator"]
LABEL_COLUMNS = ["item_id", "annotator", "target", "label"]
SPAN_COLUMNS = ["item_id", "annotator", "field", "start", "end", "label"]
GOLD_COLUMNS = ["item_id", "target", "label"]
GOLD_UNIT_COLUMNS = ["item_id", "target"]
PREDICTION_COLUMNS = ["item_id", "metric", "target", "label", "score"]
SCORED_COLUMNS = ["item_id", "metric"]


def empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


@dataclass(frozen=True)
class LabelData:
    """One taxonomy's annotations as tables (all string columns except `score`, `start`, `end`).

    units:       item_id, target, kind   every unit of the done items: `item` for each item, and
                                          `criterion:<cid>` / `step:<sid>` rows (kind `criterion` / `step`)
    done:        item_id, annotator      who finished which item for this taxonomy
    labels:      item_id, annotator, target, label   labels on units (spans mapped to their unit),
                                          only for done (item, annotator) pairs, one row per distinct label
    spans:       item_id, annotator, field, start, end, label   the raw span labels
    field_lengths: {(item_id, field): number of characters} for the fields spans point into (empty from CSV)
    gold:        item_id, target, label   adjudicated labels; gold_units lists every adjudicated unit
                                          (a unit adjudicated to "no label" is in gold_units with no gold row)
    predictions: item_id, metric, target, label, score;  scored: item_id, metric (items each metric scored)
    """

    taxonomy: Taxonomy
    units: pd.DataFrame
    done: pd.DataFrame
    labels: pd.DataFrame
    spans: pd.DataFrame = field(default_factory=lambda: empty(SPAN_COLUMNS))
    field_lengths: dict[tuple[str, str], int] = field(default_factory=dict)
    gold: pd.DataFrame = field(default_factory=lambda: empty(GOLD_COLUMNS))
    gold_units: pd.DataFrame = field(default_factory=lambda: empty(GOLD_UNIT_COLUMNS))
    predictions: pd.DataFrame = field(default_factory=lambda: empty(PREDICTION_COLUMNS))
    scored: pd.DataFrame = field(default_factory=lambda: empty(SCORED_COLUMNS))

    @property
    def annotators(self) -> list[str]:
        return sorted(self.done["annotator"].unique().tolist())

    @property
    def metrics(self) -> list[str]:
        return sorted(self.scored["metric"].unique().tolist())

    def restrict(self, annotators: list[str] | None) -> "LabelData":
        """The same data with only the chosen annotators (None keeps everyone)."""
        if not annotators:
            return self
        keep = set(annotators)
        return LabelData(
            taxonomy=self.taxonomy,
            units=self.units,
            done=self.done[self.done["annotator"].isin(keep)].reset_index(drop=True),
            labels=self.labels[self.labels["annotator"].isin(keep)].reset_index(drop=True),
            spans=self.spans[self.spans["annotator"].isin(keep)].reset_index(drop=True),
            field_lengths=self.field_lengths,
            gold=self.gold,
            gold_units=self.gold_units,
            predictions=self.predictions,
            scored=self.scored,
        )

    def at_item_level(self) -> "LabelData":
        """The same annotations asked one level up: "does this item show label L anywhere?".

        Rubric-level diagnostics (RIFT's own result files label whole rubrics) can then be compared with
        people who labelled criteria. A label is on the item when it is on any of its units; a metric's score
        is its highest score on any unit; an item's gold counts only when every unit of it was adjudicated."""
        from ..errors import UsageError

        if self.taxonomy.choice != "multi":
            raise UsageError("only a multi-choice taxonomy can be read at the item level")
        tax = self.taxonomy.model_copy(deep=True)
        for lab in tax.labels:
            lab.target = "item"
        units = self.units[self.units["kind"] == "item"].reset_index(drop=True)
        labels = self.labels.assign(target="item").drop_duplicates(ignore_index=True)
        per_item = self.units.groupby("item_id").size()
        settled = self.gold_units.groupby("item_id").size()
        whole = [i for i, n in settled.items() if n >= per_item.get(i, 0)]
        gold = self.gold[self.gold["item_id"].isin(whole)].assign(target="item").drop_duplicates(ignore_index=True)
        gold_units = pd.DataFrame({"item_id": whole, "target": "item"}, columns=GOLD_UNIT_COLUMNS)
        preds = self.predictions
        if len(preds):
            preds = (preds.assign(target="item").groupby(["item_id", "metric", "target", "label"], as_index=False)
                     ["score"].max())[PREDICTION_COLUMNS]
        return LabelData(taxonomy=tax, units=units, done=self.done, labels=labels, gold=gold,
                         gold_units=gold_units, predictions=preds, scored=self.scored)

    def units_for(self, target_kind: str) -> pd.DataFrame:
        """Units of one target kind (`item`, `criterion`, `step`) on items somebody finished."""
        done_items = set(self.done["item_id"])
        u = self.units
        return u[(u["kind"] == target_kind) & u["item_id"].isin(done_items)].reset_index(drop=True)

    def presence_matrix(self, label: str, annotators: list[str] | None = None) -> tuple[np.ndarray, pd.DataFrame]:
        """annotator x unit matrix for a multi-choice label: 1 given, 0 deliberately absent (annotator finished
        the item), NaN missing (annotator did not finish it). Returns the matrix and its unit table."""
        return self.presence_matrices([label], annotators)[label]

    def presence_matrices(self, labels: list[str] | None = None, annotators: list[str] | None = None
                          ) -> dict[str, tuple[np.ndarray, pd.DataFrame]]:
        """`presence_matrix` of several labels (default: all), sharing the work that depends only on the
        label's target kind (its units, who finished them, where each label row falls): reports that read every
        label paid for it once per label. Labels of one target kind share their unit table: do not change it."""
        annotators = annotators or self.annotators
        labels = self.taxonomy.label_ids if labels is None else labels
        who = pd.Index(annotators)  # index lookups, not a Python call per row
        done = self.done[self.done["annotator"].isin(who)]
        given = self.labels[self.labels["annotator"].isin(who) & self.labels["label"].isin(labels)]
        given_rows = who.get_indexer(given["annotator"])
        given_keys = pd.MultiIndex.from_frame(given[["item_id", "target"]]) if len(given) else None
        by_label = given.reset_index(drop=True).groupby("label").indices if len(given) else {}
        kinds: dict[str, tuple[pd.DataFrame, np.ndarray, np.ndarray]] = {}
        out: dict[str, tuple[np.ndarray, pd.DataFrame]] = {}
        for label in labels:
            target = self.taxonomy.label(label).target
            if target not in kinds:
                units = self.units_for(target)
                # every unit of an item an annotator finished is a deliberate 0 until a label says 1
                blank = np.full((len(annotators), len(units)), np.nan)
                cells = units[["item_id"]].reset_index().merge(done, on="item_id")
                blank[who.get_indexer(cells["annotator"]), cells["index"].to_numpy(dtype=int)] = 0.0
                index = pd.MultiIndex.from_frame(units[["item_id", "target"]])
                cols = index.get_indexer(given_keys) if given_keys is not None else np.zeros(0, dtype=int)
                kinds[target] = (units, blank, cols)
            units, blank, cols = kinds[target]
            matrix = blank.copy()
            rows = by_label.get(label, np.zeros(0, dtype=int))
            ok = rows[cols[rows] >= 0]
            matrix[given_rows[ok], cols[ok]] = 1.0
            out[label] = (matrix, units)
        return out

    def category_matrix(self, annotators: list[str] | None = None) -> tuple[np.ndarray, pd.DataFrame, list[str]]:
        """annotator x unit matrix for a single-choice taxonomy: the index of the chosen label in
        taxonomy order, NaN where the annotator gave none (not finished, or finished without choosing).
        Returns the matrix, its unit table and the label order."""
        annotators = annotators or self.annotators
        tax = self.taxonomy
        order = tax.label_ids
        target_kind = tax.labels[0].target
        units = self.units_for(target_kind)
        index = pd.MultiIndex.from_frame(units[["item_id", "target"]])
        matrix = np.full((len(annotators), len(units)), np.nan)
        pos = {a: i for i, a in enumerate(annotators)}
        code = {lab: i for i, lab in enumerate(order)}
        given = self.labels[self.labels["annotator"].isin(pos) & self.labels["label"].isin(code)]
        given = given.merge(self.done, on=["item_id", "annotator"])
        if len(given):
            cols = index.get_indexer(pd.MultiIndex.from_frame(given[["item_id", "target"]]))
            rows = given["annotator"].map(pos).to_numpy()
            vals = given["label"].map(code).to_numpy(dtype=float)
            ok = cols >= 0
            matrix[rows[ok], cols[ok]] = vals[ok]
        return matrix, units, order


def map_span_to_units(item_steps: list[tuple[str, str]], field_name: str, start: int, end: int,
                      label_target: str) -> list[str]:
    """The unit targets a span counts on.

    A span inside a step (`field` = step id) counts on that step; a span over the whole `trace` text (steps
    joined by a blank line) counts on every step it overlaps; a span on an item-level field (`caption`,
    `prompt`, `problem`) counts on the item when its label is an item label.
    """
    if label_target == "item":
        return ["item"]
    step_ids = [sid for sid, _ in item_steps]
    if field_name in step_ids:
        return [f"step:{field_name}"] if label_target == "step" else []
    if field_name == "trace" and label_target == "step":
        hits, offset = [], 0
        for sid, text in item_steps:
            lo, hi = offset, offset + len(text)
            if start < hi and end > lo:
                hits.append(f"step:{sid}")
            offset = hi + 2
        return hits
    return []
