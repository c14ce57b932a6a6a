"""The agreement report (DESIGN sections 6 and 10.3): one taxonomy's figures, intervals, pairs and confusions.

The report cuts a taxonomy's ratings into blocks (one per multi-choice label, present or absent; the
categories of a single-choice taxonomy, their scale positions when ordinal, and one-vs-rest per label; the
whole label sets for MASI), asks the figure registry what each block needs, and builds those per-unit
statistics once. Their sums over every unit give the point values; their sums over resampled *items* give the
intervals, so all units of a drawn item travel together and errors that cluster inside an item widen the
interval as they should. Pairs of annotators are kept only when they share `min_shared` units.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..errors import AnnotatorError, UsageError
from . import coefficients as cf
from .bootstrap import bootstrap_sums, percentile_interval
from .data import LabelData
from .masi import masi_distances
from .registry import PAIR_FIGURES, Figure, Scale, Stats, figures_for, pair_figures_for, unit_rows
from .report_extras import anchoring_sections, reliability_section
from .selection import DEFAULT_MIN_ITEMS, choose_annotators
from .spans import span_agreement

DEFAULT_MIN_SHARED = 10


class Cancelled(AnnotatorError):
    """The caller's `cancel()` asked to stop; no report was made."""


@dataclass
class Block:
    """One annotator x unit matrix of category codes (-1 = missing) and the statistics its figures read."""

    scale: Scale
    codes: np.ndarray
    q: int
    items: np.ndarray          # the item (index) of each unit
    distances: np.ndarray | None = None
    rows: sp.csr_matrix = field(init=False)
    slices: dict[str, slice] = field(init=False)

    def build(self, pairs: np.ndarray) -> None:
        """Rows for each distinct column of codes once (a team of three has a few dozen), then one per unit."""
        if self.codes.shape[1] == 0:
            self.rows, self.slices = unit_rows(self.scale, self.codes, self.q, pairs, self.distances)
            return
        _, first, inverse = np.unique(_column_keys(self.codes, self.q), return_index=True, return_inverse=True)
        distinct, self.slices = unit_rows(self.scale, self.codes[:, first], self.q, pairs, self.distances)
        self.rows = distinct[inverse.reshape(-1)]

    def stats(self, sums: np.ndarray) -> Stats:
        sums = np.atleast_2d(sums)
        return Stats(self.q, self.codes.shape[0], {g: sums[:, s] for g, s in self.slices.items()}, self.distances)


def _column_keys(codes: np.ndarray, q: int) -> np.ndarray:
    """One integer per unit column that is equal exactly when the columns are (codes -1..q-1 in base q+1);
    past 62 bits (a crowd of hundreds) every column is its own key, which is what a crowd's columns are."""
    n_ann = codes.shape[0]
    if n_ann * np.log2(q + 1) >= 62:
        return np.arange(codes.shape[1])
    weights = (q + 1) ** np.arange(n_ann, dtype=np.int64)
    return weights @ (codes + 1)


@dataclass
class Evaluated:
    """A block's figures: point (value, reason) and resampled values, by figure name; pair figures likewise."""

    points: dict[str, tuple[float | None, str]]
    boot: dict[str, np.ndarray]
    pair_points: dict[str, np.ndarray]
    pair_boot: dict[str, np.ndarray]
    confusions: np.ndarray     # (kept pairs, q, q)


class _Progress:
    def __init__(self, total: int, progress: Callable[[int, int], None] | None, cancel: Callable[[], bool] | None):
        self.total, self.done, self.progress, self.cancel = total, 0, progress, cancel

    def check(self) -> None:
        if self.cancel is not None and self.cancel():
            raise Cancelled("agreement report cancelled")

    def step(self) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(min(self.done, self.total), self.total)
        self.check()


def check_options(n_boot: int, min_items: int, min_shared: int) -> None:
    """Usage errors for the report's options, each one line (the command line exits 2 on them)."""
    if n_boot < 0:
        raise UsageError(f"--bootstrap must be 0 (no intervals) or more resamples, got {n_boot}")
    if min_items < 1:
        raise UsageError(f"--min-items must be at least 1, got {min_items}")
    if min_shared < 1:
        raise UsageError(f"--min-shared must be at least 1, got {min_shared}")


def agreement_report(data: LabelData, annotators: list[str] | None = None, n_boot: int = 1000, seed: int = 0,
                     progress: Callable[[int, int], None] | None = None, cancel: Callable[[], bool] | None = None,
                     min_items: int = DEFAULT_MIN_ITEMS, min_shared: int = DEFAULT_MIN_SHARED,
                     humans: set[str] | None = None, reliability: str | None = "dawid-skene",
                     shown: pd.DataFrame | None = None, anchoring: list[str] | None = None) -> dict:
    """Every agreement figure of one taxonomy as the JSON object of DESIGN sections 7 and 10.3.

    `annotators` names exactly who counts; without it the default set of `choose_annotators` is used and the
    rest are listed under `annotators_left_out`. Multi-choice: figures per label, the overall figure the mean
    over labels where defined, plus MASI alpha over label sets. Single-choice: figures on the categories (and
    their scale positions when ordinal) plus one-vs-rest figures per label. `n_boot=0` skips intervals.
    `reliability` names the model whose per-annotator reliability is added (None skips it); `shown` (the
    project's suggestion records) with `anchoring` (metric names) adds the anchoring comparison per metric.
    """
    check_options(n_boot, min_items, min_shared)
    choice = choose_annotators(data, annotators, min_items, humans)
    chosen = choice.chosen
    tax = data.taxonomy
    data = data.restrict(chosen) if chosen else data.restrict(["\x00no one"])
    report: dict = {"taxonomy": tax.id, "choice": tax.choice, "scale": tax.scale, **choice.to_json(),
                    "min_shared": min_shared, "n_boot": n_boot, "seed": seed, "resampled": "items"}
    item_ids = _item_index(data)
    index = pd.Index(item_ids)
    blocks, shared, units, prevalence = (_multi_blocks if tax.choice == "multi" else _single_blocks)(
        data, chosen, index)
    ticker = _Progress(len(blocks) + 2, progress, cancel)
    ticker.check()

    n_ann = len(chosen)
    iu, ju = np.triu_indices(n_ann, k=1)
    pair_units = shared[iu, ju] if n_ann >= 2 else np.zeros(0)
    kept = pair_units >= min_shared
    pairs = np.column_stack([iu[kept], ju[kept]]).astype(np.int64)
    report["pairs_left_out"] = int((~kept).sum())
    report["units"] = int(sum(u for key, u in units.items() if key.startswith("kind:")))
    report["items"] = len(item_ids)

    results: dict[str, Evaluated] = {}
    for key, block in blocks.items():
        block.build(pairs)
        results[key] = _evaluate(block, np.asarray(block.rows.sum(axis=0)).reshape(1, -1), None, len(pairs))
        ticker.step()
    if n_boot > 0 and n_ann >= 2 and len(item_ids) > 0:
        _resample(blocks, results, len(item_ids), n_boot, seed, len(pairs))
    ticker.step()

    if tax.choice == "multi":
        _multi_entries(report, blocks, results, units, prevalence, n_boot, chosen)
    else:
        _single_entries(report, blocks, results, units, prevalence, n_boot, chosen)
    _pair_entries(report, blocks, results, chosen, pairs, pair_units[kept], n_boot)
    report["spans"] = span_agreement(data, chosen)
    if reliability is not None:
        report["reliability"] = reliability_section(data, reliability, chosen, seed=seed)
    if shown is not None and anchoring:
        report["anchoring"] = anchoring_sections(data, shown, anchoring, resamples=n_boot, seed=seed)
    ticker.step()
    return report


# --- blocks -----------------------------------------------------------------------------------------------------

def _item_index(data: LabelData) -> list[str]:
    """The finished items in the order of the unit table (so with one unit per item, items draw as units)."""
    done = set(data.done["item_id"])
    return [i for i in pd.unique(data.units["item_id"]) if i in done]


def _codes(m: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(m), -1, m).astype(np.int64)


def _items_of(units: pd.DataFrame, index: pd.Index) -> np.ndarray:
    return index.get_indexer(units["item_id"]).astype(np.int64)


def _given_product(given: np.ndarray) -> np.ndarray:
    g = given.astype(float)
    return g @ g.T


def _multi_blocks(data: LabelData, chosen: list[str], index: pd.Index):
    tax = data.taxonomy
    blocks: dict[str, Block] = {}
    units: dict[str, int] = {}
    prevalence: dict[str, np.ndarray] = {}
    shared = np.zeros((len(chosen), len(chosen)))
    bit = {lab: k for k, lab in enumerate(tax.label_ids)}
    masks, mask_items = [], []
    for kind in dict.fromkeys(lab.target for lab in tax.labels):
        kind_units = data.units_for(kind)
        items = _items_of(kind_units, index)
        units[f"kind:{kind}"] = len(kind_units)
        mask = None
        for lab in tax.labels_on(kind):
            m = data.presence_matrix(lab.id, chosen)[0] if chosen else np.zeros((0, len(kind_units)))
            blocks[f"label:{lab.id}"] = Block("binary", _codes(m), 2, items)
            units[f"label:{lab.id}"] = m.shape[1]
            prevalence[lab.id] = m
            mask = np.where(np.isnan(m), np.nan, 0.0) if mask is None else mask
            mask = mask + np.where(m == 1, float(2 ** bit[lab.id]), 0.0)
        if mask is not None:
            shared += _given_product(~np.isnan(mask))
            masks.append(mask)
            mask_items.append(items)
    all_masks = np.concatenate(masks, axis=1) if masks else np.zeros((len(chosen), 0))
    codes, domain = cf.encode(all_masks)
    sets = [frozenset(lab for lab in tax.label_ids if int(code) >> bit[lab] & 1) for code in domain]
    blocks["sets"] = Block("sets", codes, len(sets),
                           np.concatenate(mask_items) if mask_items else np.zeros(0, dtype=np.int64),
                           masi_distances(sets))
    return blocks, shared, units, prevalence


def _single_blocks(data: LabelData, chosen: list[str], index: pd.Index):
    tax = data.taxonomy
    if chosen:
        m, unit_table, order = data.category_matrix(chosen)
    else:
        unit_table, order = data.units_for(tax.labels[0].target), tax.label_ids
        m = np.zeros((0, len(unit_table)))
    items = _items_of(unit_table, index)
    blocks: dict[str, Block] = {"categories": Block("nominal", _codes(m), len(order), items)}
    if tax.scale == "ordinal":
        scale = tax.scale_labels()
        position = np.array([scale.index(lab) if lab in scale else np.nan for lab in order], dtype=float)
        m_ord = np.full(m.shape, np.nan)
        given = ~np.isnan(m)
        m_ord[given] = position[m[given].astype(int)]
        blocks["ordinal"] = Block("ordinal", _codes(m_ord), len(scale), items)
    prevalence: dict[str, np.ndarray] = {}
    for k, lab in enumerate(order):
        one = np.where(np.isnan(m), np.nan, (m == k).astype(float))
        blocks[f"label:{lab}"] = Block("binary", _codes(one), 2, items)
        prevalence[lab] = one
    units = {"kind:" + tax.labels[0].target: m.shape[1], **{f"label:{lab}": m.shape[1] for lab in order}}
    return blocks, _given_product(~np.isnan(m)), units, prevalence


# --- figures, point and resampled ---------------------------------------------------------------------------------

def _evaluate(block: Block, sums: np.ndarray, previous: Evaluated | None, n_pairs: int) -> Evaluated:
    stats = block.stats(sums)
    values: dict[str, tuple[np.ndarray, np.ndarray]] = {f.name: f.compute(stats) for f in figures_for(block.scale, block.codes.shape[0])}
    conf = stats.confusions() if "pairs" in block.slices else np.zeros((len(sums), 0, block.q, block.q))
    pair_values = {p.name: p.compute(conf, block.q)[0] for p in pair_figures_for(block.scale)}
    if previous is None:
        points = {n: (None, str(r[0])) if not np.isfinite(v[0]) else (float(v[0]), "") for n, (v, r) in values.items()}
        return Evaluated(points, {}, {n: v[0] for n, v in pair_values.items()}, {}, conf[0])
    previous.boot = {n: v for n, (v, _r) in values.items()}
    previous.pair_boot = pair_values
    return previous


def _aggregate(rows: sp.csr_matrix, items: np.ndarray, n_items: int) -> sp.csr_matrix:
    """Per-unit rows summed per item: the bootstrap then draws items."""
    member = sp.csr_matrix((np.ones(len(items)), (items, np.arange(len(items)))), shape=(n_items, len(items)))
    return member @ rows


def _resample(blocks: dict[str, Block], results: dict[str, Evaluated], n_items: int, n_boot: int, seed: int,
              n_pairs: int) -> None:
    per_item = [_aggregate(b.rows, b.items, n_items) for b in blocks.values()]
    sums = bootstrap_sums(sp.hstack(per_item, format="csr"), n_boot, seed, groups=np.arange(n_items))
    start = 0
    for (key, block), part in zip(blocks.items(), per_item):
        _evaluate(block, sums[:, start:start + part.shape[1]], results[key], n_pairs)
        start += part.shape[1]


# --- the JSON ---------------------------------------------------------------------------------------------------------

def _put(target: dict, name: str, value: float | None, reason: str, resampled: np.ndarray | None,
         n_boot: int) -> None:
    """Write a figure, its interval and, when undefined, its reason into a JSON dict."""
    target[name] = None if value is None else float(value)
    ci = None
    if value is not None and resampled is not None and n_boot > 0:
        interval = percentile_interval(resampled, n_boot)
        ci = None if interval is None else [interval[0], interval[1]]
    target[f"{name}_ci"] = ci
    if value is None:
        target[f"{name}_reason"] = reason or "undefined"


def _nanmean_rows(values: np.ndarray) -> np.ndarray:
    """Mean of each row over its defined entries; NaN where none is defined."""
    if values.shape[1] == 0:
        return np.full(values.shape[0], np.nan)
    ok = np.isfinite(values)
    count = ok.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, np.where(ok, values, 0.0).sum(axis=1) / np.maximum(count, 1), np.nan)


def _mean_point(points: list[tuple[float | None, str]]) -> tuple[float | None, str]:
    defined = [v for v, _ in points if v is not None]
    if defined:
        return float(np.mean(defined)), ""
    reasons = sorted({r for _, r in points if r})
    return None, "undefined for every label" + (f" ({'; '.join(reasons)})" if reasons else "")


def _prevalence(m: np.ndarray, chosen: list[str]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for a, name in enumerate(chosen):
        given = m[a][~np.isnan(m[a])]
        out[name] = float(given.mean()) if given.size else None
    return out


def _figure_entry(figures: list[Figure], result: Evaluated, n_boot: int) -> dict:
    entry: dict = {}
    for fig in figures:
        value, reason = result.points[fig.name]
        boot = result.boot.get(fig.name) if fig.bootstrap else None
        _put(entry, fig.name, value, reason, boot, n_boot)
    return entry


def _label_entries(report: dict, blocks, results, units, prevalence, n_boot: int, chosen: list[str]) -> list[str]:
    labels = [k.removeprefix("label:") for k in blocks if k.startswith("label:")]
    out: dict[str, dict] = {}
    for lab in labels:
        entry = _figure_entry(figures_for("binary", len(chosen)), results[f"label:{lab}"], n_boot)
        entry["units"] = int(units[f"label:{lab}"])
        entry["prevalence"] = _prevalence(prevalence[lab], chosen)
        out[lab] = entry
    report["labels"] = out
    return labels


def _multi_entries(report: dict, blocks, results, units, prevalence, n_boot: int, chosen: list[str]) -> None:
    labels = _label_entries(report, blocks, results, units, prevalence, n_boot, chosen)
    overall: dict = {}
    for fig in figures_for("binary", len(chosen)):
        value, reason = _mean_point([results[f"label:{lab}"].points[fig.name] for lab in labels])
        boots = [results[f"label:{lab}"].boot[fig.name] for lab in labels if fig.name in results[f"label:{lab}"].boot]
        _put(overall, fig.name, value, reason, _nanmean_rows(np.column_stack(boots)) if boots else None, n_boot)
    overall.update(_figure_entry(figures_for("sets", len(chosen)), results["sets"], n_boot))
    report["overall"] = overall


def _single_entries(report: dict, blocks, results, units, prevalence, n_boot: int, chosen: list[str]) -> None:
    overall = _figure_entry(figures_for("nominal", len(chosen)), results["categories"], n_boot)
    if "ordinal" in results:
        overall.update(_figure_entry(figures_for("ordinal", len(chosen)), results["ordinal"], n_boot))
    report["overall"] = overall
    _label_entries(report, blocks, results, units, prevalence, n_boot, chosen)


def _pair_entries(report: dict, blocks, results, chosen: list[str], pairs: np.ndarray, units: np.ndarray,
                  n_boot: int) -> None:
    """The kept pairs' figures (the mean over labels for multi-choice) and their confusion matrices."""
    if report["choice"] == "multi":
        sources = [k for k in blocks if k.startswith("label:")]
    else:
        sources = ["categories"] + (["ordinal"] if "ordinal" in blocks else [])
    columns: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}
    for fig in PAIR_FIGURES:
        mine = [results[k] for k in sources if blocks[k].scale in fig.scales]
        if not mine:
            continue
        point = _nanmean_rows(np.column_stack([r.pair_points[fig.name] for r in mine])) if len(pairs) else \
            np.zeros(0)
        boot = None
        if mine[0].pair_boot:
            stacked = np.stack([r.pair_boot[fig.name] for r in mine], axis=2)  # resamples, pairs, sources
            boot = np.stack([_nanmean_rows(stacked[:, k, :]) for k in range(len(pairs))], axis=1) if len(pairs) \
                else None
        columns[fig.name] = (point, boot)
    entries = []
    for k, (i, j) in enumerate(pairs):
        entry: dict = {"a": chosen[i], "b": chosen[j], "units": int(units[k])}
        for name, (point, boot) in columns.items():
            value = float(point[k]) if np.isfinite(point[k]) else None
            _put(entry, name, value, cf.PAIR_FLAT, None if boot is None else boot[:, k], n_boot)
        entries.append(entry)
    report["pairs"] = entries

    confusion: dict[str, dict] = {}
    for k, (i, j) in enumerate(pairs):
        key = f"{chosen[i]}|{chosen[j]}"
        if report["choice"] == "multi":
            by_label = {s.removeprefix("label:"): results[s].confusions[k].astype(int).tolist() for s in sources}
            total = np.sum([results[s].confusions[k] for s in sources], axis=0).astype(int).tolist() if sources \
                else [[0, 0], [0, 0]]
            confusion[key] = {"labels": ["absent", "present"], "matrix": total, "by_label": by_label}
        else:
            order = [s.removeprefix("label:") for s in blocks if s.startswith("label:")]
            confusion[key] = {"labels": order, "matrix": results["categories"].confusions[k].astype(int).tolist()}
    report["confusion"] = confusion
