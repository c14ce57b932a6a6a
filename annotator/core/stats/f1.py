"""How well an automated metric matches the human annotators: per-label precision, recall and F1 (DESIGN 6).

The humans' answer for a unit (its gold) is the adjudicated answer where a reviewer gave one, else the strict
majority of the annotators who finished the item. The same scoring is then applied to each annotator against the
majority of the others, so a metric's F1 can be read beside what a single careful human reaches (the human
ceiling): a metric at 0.6 F1 is poor when humans reach 0.9 and good when they reach 0.62.

Counting is done here, and the figures are divided from the counts exactly as scikit-learn divides them (the tests
hold them to scikit-learn), so they mean what the field means by them.
A figure that cannot be computed (no positive predicted, no gold positive) is None with a `<name>_reason`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score

from ..errors import NotFound
from .calibration import calibration_by_label
from .data import LabelData

GOLD_COLUMNS = ["item_id", "target", "label", "value", "source"]
SWEEP_GRID = tuple(round(0.05 * i, 2) for i in range(1, 21))  # 0.05, 0.10, ..., 1.00
NO_LABEL = ""  # single-choice: the metric gave no label with a positive score on the unit


# --- gold ------------------------------------------------------------------------------------------------------

def _target_kind(target: str) -> str:
    return "item" if target == "item" else target.split(":", 1)[0]


def _adjudicated(data: LabelData, target_kind: str) -> tuple[set[tuple[str, str]], pd.DataFrame]:
    """Adjudicated units of one target kind, and the gold rows on them."""
    gu = data.gold_units
    units = {(i, t) for i, t in zip(gu["item_id"], gu["target"]) if _target_kind(t) == target_kind}
    g = data.gold
    rows = g[[(i, t) in units for i, t in zip(g["item_id"], g["target"])]] if len(g) else g
    return units, rows


class _Answers:
    """Every annotator's answers as annotator x unit matrices, built once per label and shared by the gold and
    by each leave-one-out majority of the human ceiling (building them is the slow part)."""

    def __init__(self, data: LabelData):
        self.data = data
        self.everyone = data.annotators
        self.row = {a: k for k, a in enumerate(self.everyone)}
        self._presence: dict[str, tuple[np.ndarray, pd.DataFrame]] = {}
        self._categories: tuple[np.ndarray, pd.DataFrame] | None = None

    def presence(self, label: str, annotators: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
        if not self._presence:
            self._presence = self.data.presence_matrices(None, self.everyone)
        matrix, units = self._presence[label]
        return matrix[[self.row[a] for a in annotators]], units

    def categories(self, annotators: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
        if self._categories is None:
            matrix, units, _ = self.data.category_matrix(self.everyone)
            self._categories = (matrix, units)
        matrix, units = self._categories
        return matrix[[self.row[a] for a in annotators]], units


def _multi_gold(answers: _Answers, annotators: list[str], adjudicate: bool) -> pd.DataFrame:
    """One row per (unit, label) that has any answer: value 1/0, or None for an exact tie (`tie` True).

    The columns are gathered as arrays label by label and made into one frame at the end: the human ceiling
    asks for this table twice per annotator, and a frame per label made pandas indexing most of a report's time."""
    data = answers.data
    columns: dict[str, list[np.ndarray]] = {name: [] for name in ("item_id", "target", "label", "value", "source",
                                                                    "tie")}
    settled: dict[str, tuple[set[tuple[str, str]], pd.DataFrame]] = {}
    for lab in data.taxonomy.labels:
        if annotators:
            matrix, units = answers.presence(lab.id, annotators)
            given = (~np.isnan(matrix)).sum(axis=0)
            yes = np.nansum(matrix, axis=0)
        else:
            units = data.units_for(lab.target)
            given = yes = np.zeros(len(units))
        keep = given > 0
        items = units["item_id"].to_numpy(dtype=object)[keep]
        targets = units["target"].to_numpy(dtype=object)[keep]
        given, yes = given[keep], yes[keep]
        tie = 2 * yes == given
        value = np.where(2 * yes > given, 1, 0).astype(object)
        value[tie] = None
        source = np.full(len(items), "majority", dtype=object)
        if adjudicate:
            if lab.target not in settled:
                settled[lab.target] = _adjudicated(data, lab.target)
            adj_units, adj_rows = settled[lab.target]
            if adj_units:
                mine = adj_rows["label"] == lab.id
                on = set(zip(adj_rows.loc[mine, "item_id"], adj_rows.loc[mine, "target"]))
                free = np.array([k not in adj_units for k in zip(items, targets)], dtype=bool)
                adj = sorted(adj_units)
                items = np.concatenate([items[free], np.array([i for i, _ in adj], dtype=object)])
                targets = np.concatenate([targets[free], np.array([t for _, t in adj], dtype=object)])
                value = np.concatenate([value[free], np.array([int(k in on) for k in adj], dtype=object)])
                tie = np.concatenate([tie[free], np.zeros(len(adj), dtype=bool)])
                source = np.concatenate([source[free], np.full(len(adj), "adjudicated", dtype=object)])
        for name, column in (("item_id", items), ("target", targets), ("value", value), ("source", source),
                             ("tie", tie), ("label", np.full(len(items), lab.id, dtype=object))):
            columns[name].append(column)
    if not columns["label"]:
        return pd.DataFrame(columns=GOLD_COLUMNS + ["tie"])
    joined = {name: np.concatenate(parts) for name, parts in columns.items()}
    return pd.DataFrame({"item_id": pd.Series(joined["item_id"], dtype=object),
                         "target": pd.Series(joined["target"], dtype=object),
                         "label": pd.Series(joined["label"], dtype="str"),
                         "value": pd.Series(joined["value"], dtype=object),
                         "source": pd.Series(joined["source"], dtype="str"),
                         "tie": pd.Series(joined["tie"], dtype=bool)})


def _single_gold(answers: _Answers, annotators: list[str], adjudicate: bool) -> pd.DataFrame:
    """One row per unit with an answer: `label` the plurality category (None and `tie` True on an exact tie)."""
    data = answers.data
    order = data.taxonomy.label_ids
    if annotators:
        matrix, units = answers.categories(annotators)
    else:
        units = data.units_for(data.taxonomy.labels[0].target)
        matrix = np.full((0, len(units)), np.nan)
    counts = np.stack([(matrix == k).sum(axis=0) for k in range(len(order))]) if len(units) else \
        np.zeros((len(order), 0))
    top = counts.max(axis=0) if len(units) else np.zeros(0)
    n_top = (counts == top).sum(axis=0)
    winner = counts.argmax(axis=0)
    rows = []
    for j, (item, target) in enumerate(zip(units["item_id"], units["target"])):
        if top[j] == 0:
            continue
        tie = bool(n_top[j] > 1)
        rows.append({"item_id": item, "target": target, "label": None if tie else order[winner[j]],
                     "source": "majority", "tie": tie})
    df = pd.DataFrame(rows, columns=["item_id", "target", "label", "source", "tie"])
    if adjudicate:
        adj_units, adj_rows = _adjudicated(data, data.taxonomy.labels[0].target)
        if adj_units:
            df = df[[(i, t) not in adj_units for i, t in zip(df["item_id"], df["target"])]]
            chosen = adj_rows[adj_rows["label"].isin(order)].groupby(["item_id", "target"])["label"].agg(list)
            extra = []
            for (item, target), labels in chosen.items():
                if len(set(labels)) == 1:  # a reviewer's "no label" or several labels is no single-choice answer
                    extra.append({"item_id": item, "target": target, "label": labels[0],
                                  "source": "adjudicated", "tie": False})
            df = pd.concat([df, pd.DataFrame(extra, columns=df.columns)], ignore_index=True)
    return df


def _expand_single(per_unit: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """Per-unit categories as per-(unit, label) 0/1 rows, the shape calibration and the multi-choice path share."""
    rows = []
    for item, target, chosen, source, tie in per_unit[["item_id", "target", "label", "source", "tie"]].itertuples(
            index=False):
        for lab in order:
            rows.append({"item_id": item, "target": target, "label": lab,
                         "value": None if tie else int(lab == chosen), "source": source, "tie": tie})
    return pd.DataFrame(rows, columns=GOLD_COLUMNS + ["tie"])


def _model_gold(data: LabelData, annotators: list[str], method: str) -> pd.DataFrame:
    """A reliability model's answers in the majority gold's shape, adjudicated units taking the reviewer's answer
    (a single-choice unit only when the reviewer chose exactly one label)."""
    from .reliability import model_gold

    table = model_gold(data, method, annotators).table
    settled = set(zip(data.gold_units["item_id"], data.gold_units["target"]))
    if not settled:
        return table
    table = table[[(i, t) not in settled for i, t in zip(table["item_id"], table["target"])]]
    on = data.gold.groupby(["item_id", "target"])["label"].agg(set).to_dict() if len(data.gold) else {}
    single = data.taxonomy.choice == "single"
    rows = []
    for item, target in sorted(settled):
        chosen = on.get((item, target), set())
        if single and len(chosen) != 1:
            continue  # "no label" or several labels is no single-choice answer
        for lab in data.taxonomy.labels:
            if _target_kind(target) == lab.target:
                rows.append({"item_id": item, "target": target, "label": lab.id, "value": int(lab.id in chosen),
                             "source": "adjudicated", "tie": False})
    return pd.concat([table, pd.DataFrame(rows, columns=table.columns)], ignore_index=True)


def _gold_table(answers: _Answers, annotators: list[str], adjudicate: bool = True, method: str = "majority"
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(gold rows without ties, tied rows). Multi-choice ties are (unit, label) pairs; single-choice ties are units
    (one row per unit in the tied table). `method` other than `majority` names a reliability model (DESIGN 10.5)
    that decides the units nobody adjudicated."""
    data = answers.data
    if method != "majority":
        table = _model_gold(data, annotators, method)
        ties = table[table["tie"].astype(bool)]
        if data.taxonomy.choice == "single":
            ties = ties.drop_duplicates(["item_id", "target"])
        gold = table[~table["tie"].astype(bool)].drop(columns="tie").reset_index(drop=True)
        gold["value"] = gold["value"].astype(int)
        return gold, ties.reset_index(drop=True)
    if data.taxonomy.choice == "single":
        per_unit = _single_gold(answers, annotators, adjudicate)
        ties = per_unit[per_unit["tie"]]
        gold = _expand_single(per_unit[~per_unit["tie"]], data.taxonomy.label_ids)
    else:
        table = _multi_gold(answers, annotators, adjudicate)
        ties = table[table["tie"]]
        gold = table[~table["tie"]]
    gold = gold.drop(columns="tie").reset_index(drop=True)
    gold["value"] = gold["value"].astype(int)
    return gold, ties.reset_index(drop=True)


def gold_labels(data: LabelData, annotators: list[str] | None = None, method: str = "majority"
                ) -> tuple[pd.DataFrame, int]:
    """The humans' answer per (unit, label): columns item_id, target, label, value (1 on / 0 off), source
    (`adjudicated` or `majority`), and the number of answers an exact tie left out.

    Multi-choice: each (unit, label) pair is decided on its own by strict majority of those who finished the
    item, so a tie is counted per pair. Single-choice: the plurality category decides the unit (a tie at the top
    leaves the whole unit out and counts once) and is given as one row per label, 1 for the chosen one.
    """
    data = data.restrict(annotators)
    gold, ties = _gold_table(_Answers(data), data.annotators, method=method)
    return gold, len(ties)


# --- scoring ---------------------------------------------------------------------------------------------------

def figures_from_counts(tp: int, fp: int, fn: int, units: int) -> dict[str, Any]:
    """Precision, recall and F1 from the counts, exactly as scikit-learn's `precision_recall_fscore_support`
    (binary, `zero_division=nan`) computes them: the same integer ratios, so the same floats.

    Counting first and dividing here lets a report score every label (and every annotator of the human ceiling)
    from one pass over its arrays; one scikit-learn call per label cost more than all the rest of the report.
    The tests hold these figures to scikit-learn on random data."""
    out: dict[str, Any] = {"precision": None, "recall": None, "f1": None, "support": tp + fn,
                           "tp": tp, "fp": fp, "fn": fn, "units": units}
    if units == 0:
        for name in ("precision", "recall", "f1"):
            out[f"{name}_reason"] = "no unit has both a human answer and a metric score"
        return out
    if tp + fp:
        out["precision"] = float(tp / (tp + fp))
    else:
        out["precision_reason"] = "the metric predicted no positive"
    if tp + fn:
        out["recall"] = float(tp / (tp + fn))
    else:
        out["recall_reason"] = "no gold positive"
    if 2 * tp + fp + fn:
        out["f1"] = float(2 * tp / (2 * tp + fp + fn))
    else:
        out["f1_reason"] = "no gold positive and no predicted positive"
    return out


def binary_figures(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, Any]:
    """Precision, recall, F1 (scikit-learn's definitions) and the counts behind them, for 0/1 arrays."""
    y_true = np.asarray(y_true, dtype=int)
    y_pred = np.asarray(y_pred, dtype=int)
    tp = int(((y_true == 1) & (y_pred == 1)).sum())
    fp = int(((y_true == 0) & (y_pred == 1)).sum())
    fn = int(((y_true == 1) & (y_pred == 0)).sum())
    return figures_from_counts(tp, fp, fn, int(len(y_true)))


def label_figures(codes: np.ndarray, y_true: np.ndarray, y_pred: np.ndarray, labels: list[str]
                  ) -> dict[str, dict[str, Any]]:
    """`binary_figures` of every label at once: `codes` gives each row's label as an index into `labels`, and
    the per-label counts come from one `bincount` each instead of a filter and a call per label."""
    n = len(labels)
    codes = np.asarray(codes, dtype=int)
    y_true = np.asarray(y_true, dtype=bool)
    y_pred = np.asarray(y_pred, dtype=bool)
    rows = np.bincount(codes, minlength=n)
    tp = np.bincount(codes[y_true & y_pred], minlength=n)
    fp = np.bincount(codes[~y_true & y_pred], minlength=n)
    fn = np.bincount(codes[y_true & ~y_pred], minlength=n)
    return {lab: figures_from_counts(int(tp[k]), int(fp[k]), int(fn[k]), int(rows[k])) for k, lab in enumerate(labels)}


def _summary(per_label: dict[str, dict[str, Any]], y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, Any]:
    """micro figures over the pooled (unit, label) decisions; macro F1 over labels anybody marked positive."""
    micro = binary_figures(y_true, y_pred)
    used = [v["f1"] for v in per_label.values() if v["tp"] + v["fp"] + v["fn"] > 0 and v["f1"] is not None]
    out: dict[str, Any] = {"micro_precision": micro["precision"], "micro_recall": micro["recall"],
                           "micro_f1": micro["f1"],
                           "macro_f1": float(np.mean(used)) if used else None}
    if micro["f1"] is None:
        out["micro_f1_reason"] = micro.get("f1_reason")
    if not used:
        out["macro_f1_reason"] = "no label has a gold or predicted positive"
    return out


def _scored_items(data: LabelData, metric: str) -> set[str]:
    items = set(data.scored.loc[data.scored["metric"] == metric, "item_id"])
    items |= set(data.predictions.loc[data.predictions["metric"] == metric, "item_id"])
    if not items:
        known = ", ".join(data.metrics) or "none"
        raise NotFound(f"metric {metric!r} scored no item of taxonomy {data.taxonomy.id!r} (metrics: {known})")
    return items


def _with_scores(gold: pd.DataFrame, data: LabelData, metric: str) -> pd.DataFrame:
    """Gold rows with the metric's score for the same (unit, label); a scored pair without a row scores 0."""
    p = data.predictions[data.predictions["metric"] == metric]
    scores = (pd.to_numeric(p["score"], errors="coerce").fillna(1.0)
              .groupby([p["item_id"], p["target"], p["label"]]).max().rename("score").reset_index())
    merged = gold.merge(scores, on=["item_id", "target", "label"], how="left")
    merged["score"] = merged["score"].fillna(0.0).astype(float)
    return merged


def _error_rows(rows: pd.DataFrame, ascending: bool) -> list[dict[str, Any]]:
    rows = rows.sort_values(["score", "item_id", "target", "label"], ascending=[ascending, True, True, True])
    return [{"item_id": i, "target": t, "label": lab, "score": float(s)}
            for i, t, lab, s in rows[["item_id", "target", "label", "score"]].itertuples(index=False)]


def _ratio(num: np.ndarray, den: np.ndarray) -> list[float | None]:
    return [float(n / d) if d else None for n, d in zip(num, den)]


def _sweep(table: pd.DataFrame, labels: list[str]) -> dict[str, Any]:
    """Per label, precision, recall and F1 at each distinct score and on a 0.05 grid, and the threshold with
    the best F1 (the lowest one when several tie), so a user can see what a different cut would buy.

    Counted for all thresholds at once from the sorted scores (hundreds of thresholds would otherwise mean
    hundreds of passes); the figures are scikit-learn's definitions, and the tests hold them to
    `binary_figures` at every point."""
    out: dict[str, Any] = {}
    for lab in labels:
        part = table[table["label"] == lab]
        y = part["value"].to_numpy(dtype=int)
        s = part["score"].to_numpy(dtype=float)
        thresholds = np.array(sorted({round(float(t), 6) for t in s if t > 0} | set(SWEEP_GRID)))
        order = np.argsort(s)
        s_sorted, y_sorted = s[order], y[order]
        first = np.searchsorted(s_sorted, thresholds, side="left")  # units from here on are predicted positive
        positives_after = np.concatenate([np.cumsum(y_sorted[::-1])[::-1], [0]])
        tp = positives_after[first]
        predicted = len(s) - first
        fp = predicted - tp
        fn = int(y.sum()) - tp
        precision = _ratio(tp, tp + fp)
        recall = _ratio(tp, tp + fn)
        f1 = _ratio(2 * tp, 2 * tp + fp + fn)
        points = [[float(t), p, r, f] for t, p, r, f in zip(thresholds, precision, recall, f1)]
        best_t, best_f = None, None
        for t, _, _, f in points:
            if f is not None and (best_f is None or f > best_f + 1e-12):
                best_t, best_f = t, f
        out[lab] = {"best_threshold": best_t, "best_f1": best_f, "points": points}
    return out


def _multi_scores(table: pd.DataFrame, labels: list[str], threshold: float
                  ) -> tuple[dict[str, dict[str, Any]], np.ndarray, np.ndarray]:
    y_true = table["value"].to_numpy(dtype=int)
    y_pred = (table["score"] >= threshold).to_numpy(dtype=int)
    codes = pd.Index(labels).get_indexer(table["label"])
    known = codes >= 0  # a row of a label outside the list is in the pooled figures, in no label's
    per_label = label_figures(codes[known], y_true[known] == 1, y_pred[known] == 1, labels)
    return per_label, y_true, y_pred


def _single_predictions(table: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """Per unit: gold category, the metric's category (highest score, earlier label on equal scores; none when
    no label has a positive score) and both scores."""
    columns = ["item_id", "target", "gold", "predicted", "predicted_score", "gold_score"]
    if table.empty:
        return pd.DataFrame(columns=columns)
    keys = ["item_id", "target"]
    ranked = table.assign(rank=table["label"].map({lab: i for i, lab in enumerate(order)}))
    top = (ranked.sort_values(keys + ["score", "rank"], ascending=[True, True, False, True])
           .drop_duplicates(keys)[keys + ["label", "score"]]
           .rename(columns={"label": "predicted", "score": "predicted_score"}))
    top.loc[top["predicted_score"] <= 0, "predicted"] = NO_LABEL
    gold = (table[table["value"] == 1][keys + ["label", "score"]]
            .drop_duplicates(keys).rename(columns={"label": "gold", "score": "gold_score"}))
    units = gold.merge(top, on=keys, how="inner").sort_values(keys).reset_index(drop=True)
    units["predicted_score"] = units["predicted_score"].astype(float)
    units["gold_score"] = units["gold_score"].astype(float)
    return units[columns]


def _single_scores(units: pd.DataFrame, order: list[str]
                   ) -> tuple[dict[str, dict[str, Any]], np.ndarray, np.ndarray, float | None]:
    per_label = {}
    gold = units["gold"].to_numpy(dtype=object)
    pred = units["predicted"].to_numpy(dtype=object)
    index = pd.Index(order)
    gold_code, pred_code = index.get_indexer(gold), index.get_indexer(pred)  # -1: no label / not in the list
    n = len(order)
    hit = gold_code == pred_code
    gold_n = np.bincount(gold_code[gold_code >= 0], minlength=n)
    pred_n = np.bincount(pred_code[pred_code >= 0], minlength=n)
    tp = np.bincount(gold_code[hit & (gold_code >= 0)], minlength=n)
    for k, lab in enumerate(order):  # every unit is a 0/1 decision for every label
        per_label[lab] = figures_from_counts(int(tp[k]), int(pred_n[k] - tp[k]), int(gold_n[k] - tp[k]), len(gold))
    y_true = np.concatenate([(gold == lab).astype(int) for lab in order]) if order else np.zeros(0, int)
    y_pred = np.concatenate([(pred == lab).astype(int) for lab in order]) if order else np.zeros(0, int)
    accuracy = float(accuracy_score(list(gold), list(pred))) if len(gold) else None
    return per_label, y_true, y_pred, accuracy


def _human_ceiling(answers: _Answers, items: set[str]) -> dict[str, Any]:
    """Each annotator's labels scored against the strict majority (plurality, single-choice) of the others, on
    the units that annotator finished of the items the metric scored, and the ceiling pooled over them.

    The ceiling counts tp/fp/fn of every annotator's units together (DESIGN 10.4): an annotator with two items
    weighs two items' worth. A mean over annotators would give a newcomer's two items the weight of a colleague's
    two hundred, and the ceiling would fall or rise with whoever tried the tool for ten minutes. Adjudicated gold
    is not used: a reviewer may be one of the annotators."""
    data = answers.data
    annotators = data.annotators
    if len(annotators) < 2:
        return {"annotators": {}, "micro_f1": None, "macro_f1": None,
                "reason": "the human ceiling needs at least two annotators"}
    single = data.taxonomy.choice == "single"
    order = data.taxonomy.label_ids
    result: dict[str, Any] = {}
    scored: list[pd.DataFrame] = []
    for ann in annotators:
        others = [a for a in annotators if a != ann]
        ref, _ = _gold_table(answers, others, adjudicate=False)
        ref = ref[ref["item_id"].isin(items)]
        own, _ = _gold_table(answers, [ann], adjudicate=False)  # one annotator's "majority" is their own answer
        own = own.rename(columns={"value": "own"})[["item_id", "target", "label", "own"]]
        both = ref.merge(own, on=["item_id", "target", "label"], how="left")
        if single:
            both["own"] = both["own"].fillna(0)  # finished the item without choosing: no category
            both = both.rename(columns={"own": "score"})
            units = _single_predictions(both, order)
            done = set(zip(own["item_id"], own["target"]))
            units = units[[k in done for k in zip(units["item_id"], units["target"])]]
            scored.append(units)
        else:
            units = both.dropna(subset=["own"]).rename(columns={"own": "score"})
            scored.append(units)
        result[ann] = _ceiling_entry(units, order, single)
    out: dict[str, Any] = {"annotators": result, "pooled": "tp, fp and fn of every annotator's units together"}
    pooled = _ceiling_entry(pd.concat(scored, ignore_index=True), order, single)
    out.update({k: v for k, v in pooled.items() if k != "labels"})
    out["labels"] = pooled["labels"]
    return out


def describe_ceiling(ceiling: dict[str, Any]) -> str:
    """One sentence on what the human ceiling rests on, for every place that shows it beside a metric's figures."""
    people = ceiling.get("annotators") or {}
    if ceiling.get("reason") or not people:
        return f"No human ceiling: {ceiling.get('reason', 'no annotator could be scored')}."
    counts = ", ".join(f"{name} {entry['units']}" for name, entry in people.items())
    return (f"The human ceiling scores each of {len(people)} annotators against the majority of the others on the "
            f"units they finished ({counts}) and adds up tp, fp and fn over all of them, so an annotator with few "
            f"units weighs only those units.")


def _ceiling_entry(units: pd.DataFrame, order: list[str], single: bool) -> dict[str, Any]:
    """Figures of human answers against a reference: single-choice, one row per unit (gold, predicted);
    multi-choice, one row per (unit, label) with the reference `value` and the human's 0/1 as `score`."""
    if single:
        per_label, y_true, y_pred, acc = _single_scores(units, order)
        return {"units": len(units), "labels": per_label, **_summary(per_label, y_true, y_pred), "accuracy": acc}
    per_label, y_true, y_pred = _multi_scores(units, order, 0.5)  # a human's 0/1 answer
    return {"units": int(units[["item_id", "target"]].drop_duplicates().shape[0]) if len(units) else 0,
            "labels": per_label, **_summary(per_label, y_true, y_pred)}


def f1_report(data: LabelData, metric: str, threshold: float = 0.5,
              annotators: list[str] | None = None, gold: str = "majority") -> dict[str, Any]:
    """The F1 JSON of DESIGN section 7 for one metric against the chosen annotators (default: all).

    Only units on items the metric scored and with a human answer count. Multi-choice: a (unit, label) is
    predicted when its score >= threshold. Single-choice: the unit's predicted label is the one with the highest
    score (the threshold is not used) and `accuracy` is added. For a metric with graded scores (any strictly
    between 0 and 1) each label also gets `ece`, `brier` and `reliability` from the calibration module, on
    the same gold.
    """
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must lie in [0, 1], got {threshold}")
    data = data.restrict(annotators)
    tax = data.taxonomy
    items = _scored_items(data, metric)
    answers = _Answers(data)
    method = gold
    gold, ties = _gold_table(answers, data.annotators, method=method)
    gold = gold[gold["item_id"].isin(items)]
    table = _with_scores(gold, data, metric)
    order = tax.label_ids
    report: dict[str, Any] = {"metric": metric, "taxonomy": tax.id, "choice": tax.choice,
                              "threshold": threshold, "gold": method,
                              "annotators": data.annotators,
                              "units": int(table[["item_id", "target"]].drop_duplicates().shape[0]),
                              "ties_excluded": int(ties["item_id"].isin(items).sum())}
    if tax.choice == "single":
        units = _single_predictions(table, order)
        per_label, y_true, y_pred, acc = _single_scores(units, order)
        report["labels"] = per_label
        report.update(_summary(per_label, y_true, y_pred))
        report["accuracy"] = acc
        if acc is None:
            report["accuracy_reason"] = "no unit has both a human answer and a metric score"
        wrong = units[units["gold"] != units["predicted"]]
        report["errors"] = {
            "false_positives": [
                {"item_id": r.item_id, "target": r.target, "label": r.predicted, "score": r.predicted_score,
                 "gold": r.gold} for r in wrong[wrong["predicted"] != NO_LABEL]
                .sort_values("predicted_score", ascending=False).itertuples()],
            "false_negatives": [
                {"item_id": r.item_id, "target": r.target, "label": r.gold, "score": r.gold_score,
                 "predicted": r.predicted or None} for r in wrong.sort_values("gold_score").itertuples()],
        }
        report["sweep"] = {}
        report["sweep_reason"] = "single-choice predictions take the highest score; no threshold to sweep"
    else:
        per_label, y_true, y_pred = _multi_scores(table, order, threshold)
        report["labels"] = per_label
        report.update(_summary(per_label, y_true, y_pred))
        predicted = table["score"] >= threshold
        report["errors"] = {
            "false_positives": _error_rows(table[predicted & (table["value"] == 0)], ascending=False),
            "false_negatives": _error_rows(table[~predicted & (table["value"] == 1)], ascending=True),
        }
        graded = table["score"].between(0, 1, inclusive="neither").any()
        report["sweep"] = _sweep(table, order) if graded else {}
        if not graded:
            report["sweep_reason"] = "the metric gives only 0/1 scores; every threshold gives the same figures"
    if table["score"].between(0, 1, inclusive="neither").any():
        _add_calibration(report, data, metric, gold)
    report["human_ceiling"] = _human_ceiling(answers, items)
    return report


def _add_calibration(report: dict[str, Any], data: LabelData, metric: str, gold: pd.DataFrame) -> None:
    """`ece`, `brier` and `reliability` per label (DESIGN 7) for metrics with graded scores, on the same gold."""
    for label, cal in calibration_by_label(data, metric, gold[["item_id", "target", "label", "value"]]).items():
        entry = report["labels"].get(label)
        if entry is None:
            continue
        entry.update({k: cal.get(k) for k in ("ece", "brier", "reliability")})
        if cal.get("reason"):
            entry["calibration_reason"] = cal["reason"]
