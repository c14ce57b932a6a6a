"""Inter-annotator agreement (DESIGN section 6): the figures, and the report the command line and app show.

The figures are pure functions over an annotator x unit matrix of values (NaN = the annotator gave nothing on
that unit). Each raises `Undefined` with the reason when the data cannot define it, so a report can print the
reason instead of a NaN. Cohen's kappa comes from scikit-learn and Krippendorff's alpha from the `krippendorff`
package; Fleiss' kappa and MASI alpha are written here and tested on published and hand-worked examples.

Intervals use the fast bootstrap: each figure is also written as a function of per-unit sums (`*_rows` build
the per-unit rows, `*_from_sums` turn summed rows into the figure, one value per resample). Those forms are
tested equal to the library calls on random data, and the report uses the library calls for its point values.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Callable, Hashable, Iterable, Literal, Sequence

import krippendorff
import numpy as np
from sklearn.metrics import cohen_kappa_score

from ..errors import AnnotatorError, NotFound
from .bootstrap import Undefined, bootstrap_sums, percentile_interval, unit_groups
from .data import LabelData
from .fleiss import fleiss_from_sums, fleiss_kappa, fleiss_unit_rows

Level = Literal["nominal", "ordinal"]
Weights = Literal["linear", "quadratic"] | None

FEW_ANNOTATORS = "fewer than two annotators"
NO_VARIATION = "no variation: every annotator gave the same value on every unit"


# --- matrices and value codes --------------------------------------------------------------------------------

def as_matrix(m: object) -> np.ndarray:
    """An annotator x unit float matrix, checked: two dimensions, finite values or NaN."""
    arr = np.asarray(m, dtype=float)
    if arr.ndim != 2:
        raise ValueError(f"expected an annotator x unit matrix, got {arr.ndim} dimension(s)")
    if np.isinf(arr).any():
        raise ValueError("values must be finite numbers, with NaN for missing")
    return arr


def encode(m: np.ndarray, domain: Sequence[float] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of a matrix's values (-1 = missing) and the sorted value domain they index."""
    present = ~np.isnan(m)
    values = m[present]
    dom = np.unique(values) if domain is None else np.unique(np.asarray(domain, dtype=float))
    codes = np.full(m.shape, -1, dtype=np.int64)
    if values.size:
        pos = np.clip(np.searchsorted(dom, values), 0, max(len(dom) - 1, 0))
        if len(dom) == 0 or not np.array_equal(dom[pos], values):
            raise ValueError("the matrix holds values outside the given value domain")
        codes[present] = pos
    return codes, dom


def value_counts(codes: np.ndarray, n_values: int) -> np.ndarray:
    """units x values: how many annotators gave each value on each unit."""
    counts = np.zeros((codes.shape[1], n_values))
    for row in codes:
        units = np.nonzero(row >= 0)[0]
        counts[units, row[units]] += 1
    return counts


def _first_reason(values: np.ndarray, reasons: np.ndarray) -> tuple[float | None, str]:
    value = float(values[0])
    return (value, "") if np.isfinite(value) else (None, str(reasons[0]))


def _raise_if_undefined(values: np.ndarray, reasons: np.ndarray) -> float:
    value, reason = _first_reason(values, reasons)
    if value is None:
        raise Undefined(reason)
    return value


# --- percent agreement -----------------------------------------------------------------------------------------

def percent_agreement(m: np.ndarray) -> float:
    """Over every annotator pair and every unit both gave a value, the share of equal values.

    >>> m = np.array([[1, 1, 0, np.nan], [1, 0, 0, 1], [1, 1, 0, 1]])
    >>> percent_agreement(m)  # equal pairs per unit 3/3, 1/3, 3/3, 1/1: 8 of 10
    0.8
    """
    m = as_matrix(m)
    if m.shape[0] < 2:
        raise Undefined(FEW_ANNOTATORS)
    codes, dom = encode(m)
    sums = agreement_rows(value_counts(codes, len(dom))).sum(axis=0, keepdims=True)
    return _raise_if_undefined(*percent_from_sums(sums))


def agreement_rows(counts: np.ndarray) -> np.ndarray:
    """Per unit: [has a pair, annotator pairs with values, pairs with equal values]."""
    given = counts.sum(axis=1)
    pairs = given * (given - 1) / 2
    agreeing = (counts * (counts - 1) / 2).sum(axis=1)
    return np.column_stack([pairs > 0, pairs, agreeing]).astype(float)


def percent_from_sums(sums: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    sums = np.atleast_2d(sums)
    values = np.full(len(sums), np.nan)
    reasons = np.full(len(sums), "", dtype=object)
    few = sums[:, 0] < 2
    reasons[few] = "fewer than two units that two annotators both gave"
    values[~few] = sums[~few, 2] / sums[~few, 1]
    return values, reasons


# --- Cohen's kappa -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PairKappa:
    """Cohen's kappa of annotators `a` and `b` (row indices) over the `units` both gave a value on."""

    a: int
    b: int
    units: int
    kappa: float | None
    reason: str = ""


def _check_weights(weights: Weights) -> None:
    if weights not in (None, "linear", "quadratic"):
        raise ValueError(f"weights must be None, 'linear' or 'quadratic', got {weights!r}")


def cohen_kappa_pairs(m: np.ndarray, weights: Weights = None, labels: Sequence[float] | None = None
                      ) -> list[PairKappa]:
    """Cohen's kappa (scikit-learn's `cohen_kappa_score`) for every pair of annotators, over the units both gave.

    `labels` is the full ordered scale; pass it with weights so a category nobody used keeps its place.
    The textbook example (Wikipedia, "Cohen's kappa": 20 yes-yes, 5 yes-no, 10 no-yes, 15 no-no) gives 0.4:

    >>> a = [1] * 25 + [0] * 25
    >>> b = [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15
    >>> cohen_kappa_pairs(np.array([a, b]))[0].kappa
    0.4
    """
    m = as_matrix(m)
    _check_weights(weights)
    out = []
    for i in range(m.shape[0]):
        for j in range(i + 1, m.shape[0]):
            both = ~np.isnan(m[i]) & ~np.isnan(m[j])
            n = int(both.sum())
            if n < 2:
                out.append(PairKappa(i, j, n, None, "fewer than two units that both annotators gave"))
                continue
            y1, y2 = m[i, both], m[j, both]
            if np.unique(np.concatenate([y1, y2])).size < 2:
                out.append(PairKappa(i, j, n, None, "no variation: both annotators gave one and the same value"))
                continue
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                kappa = float(cohen_kappa_score(y1, y2, labels=None if labels is None else list(labels),
                                                weights=weights))
            if np.isfinite(kappa):
                out.append(PairKappa(i, j, n, round(kappa, 15)))
            else:
                out.append(PairKappa(i, j, n, None, "no variation: both annotators gave one and the same value"))
    return out


def cohen_kappa_mean(m: np.ndarray, weights: Weights = None, labels: Sequence[float] | None = None) -> float:
    """The mean of Cohen's kappa over the annotator pairs where it is defined."""
    m = as_matrix(m)
    if m.shape[0] < 2:
        raise Undefined(FEW_ANNOTATORS)
    pairs = cohen_kappa_pairs(m, weights, labels)
    defined = [p.kappa for p in pairs if p.kappa is not None]
    if not defined:
        raise Undefined(f"no pair of annotators has a defined kappa ({pairs[0].reason})")
    return float(np.mean(defined))


def confusion_rows(codes: np.ndarray, i: int, j: int, n_values: int) -> np.ndarray:
    """Per unit, the one-hot cell (value of i, value of j) of the pair's confusion matrix, flattened."""
    rows = np.zeros((codes.shape[1], n_values * n_values))
    both = np.nonzero((codes[i] >= 0) & (codes[j] >= 0))[0]
    rows[both, codes[i, both] * n_values + codes[j, both]] = 1.0
    return rows


def _weight_matrix(n_values: int, weights: Weights) -> np.ndarray:
    idx = np.arange(n_values)
    gap = np.abs(idx[:, None] - idx[None, :]).astype(float)
    if weights is None:
        return (gap > 0).astype(float)
    return gap if weights == "linear" else gap ** 2


def kappa_from_confusions(confusions: np.ndarray, weights: Weights = None) -> tuple[np.ndarray, np.ndarray]:
    """Cohen's kappa of each (n, V, V) confusion matrix: 1 - observed / expected weighted disagreement."""
    _check_weights(weights)
    conf = np.asarray(confusions, dtype=float)
    if conf.ndim == 2:
        conf = conf[None]
    w = _weight_matrix(conf.shape[-1], weights)
    total = conf.sum(axis=(1, 2))
    values = np.full(len(conf), np.nan)
    reasons = np.full(len(conf), "", dtype=object)
    few = total < 2
    reasons[few] = "fewer than two units that both annotators gave"
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = conf.sum(axis=2)[:, :, None] * conf.sum(axis=1)[:, None, :] / total[:, None, None]
        observed_d = (w * conf).sum(axis=(1, 2))
        expected_d = (w * expected).sum(axis=(1, 2))
    flat = ~few & (expected_d <= 1e-12 * np.maximum(total, 1))
    reasons[flat] = "no variation: both annotators gave one and the same value"
    ok = ~few & ~flat
    values[ok] = 1 - observed_d[ok] / expected_d[ok]
    return values, reasons


# --- Krippendorff's alpha --------------------------------------------------------------------------------------

def krippendorff_alpha(m: np.ndarray, level: Level = "nominal", value_domain: Sequence[float] | None = None
                       ) -> float:
    """Krippendorff's alpha (the `krippendorff` package) over all units, missing values allowed.

    Krippendorff's worked example (4 observers, 12 units; "Computing Krippendorff's alpha-reliability", 2011):

    >>> nan = np.nan
    >>> m = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan], [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    ...      [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan], [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
    >>> round(krippendorff_alpha(m, "nominal"), 3), round(krippendorff_alpha(m, "ordinal"), 3)
    (0.743, 0.815)
    """
    m = as_matrix(m)
    if level not in ("nominal", "ordinal"):
        raise ValueError(f"level must be 'nominal' or 'ordinal', got {level!r}")
    if m.shape[0] < 2:
        raise Undefined(FEW_ANNOTATORS)
    pairable = (~np.isnan(m)).sum(axis=0) >= 2
    if pairable.sum() < 2:
        raise Undefined("fewer than two units with values from two annotators")
    values = m[:, pairable]
    if np.unique(values[~np.isnan(values)]).size < 2:
        raise Undefined(NO_VARIATION)
    domain = None if value_domain is None else np.asarray(value_domain, dtype=float)
    return float(krippendorff.alpha(reliability_data=m, level_of_measurement=level, value_domain=domain))


def coincidence_rows(counts: np.ndarray) -> np.ndarray:
    """Per unit: [pairable, its V x V coincidences flattened]; units with one value add nothing."""
    given = counts.sum(axis=1)
    pairable = given >= 2
    o = np.zeros((counts.shape[0], counts.shape[1], counts.shape[1]))
    c = counts[pairable]
    o[pairable] = (c[:, :, None] * c[:, None, :] - c[:, :, None] * np.eye(counts.shape[1])) \
        / (given[pairable] - 1)[:, None, None]
    return np.column_stack([pairable.astype(float), o.reshape(len(counts), -1)])


def _ordinal_distances(n_c: np.ndarray) -> np.ndarray:
    """Krippendorff's ordinal metric for each row of value totals: (sum of totals from c to k - (n_c+n_k)/2)^2."""
    v = n_c.shape[1]
    i, k = np.meshgrid(np.arange(v), np.arange(v), indexing="ij")
    lo, hi = np.minimum(i, k), np.maximum(i, k)
    cum = np.cumsum(n_c, axis=1)
    between = cum[:, hi] - cum[:, lo] + n_c[:, lo]
    return (between - (n_c[:, i] + n_c[:, k]) / 2) ** 2


def alpha_from_coincidences(sums: np.ndarray, level: Level = "nominal") -> tuple[np.ndarray, np.ndarray]:
    """Krippendorff's alpha from summed `coincidence_rows`: 1 - (n - 1) sum(o d) / sum(n_c n_k d)."""
    sums = np.atleast_2d(sums)
    v = int(round(np.sqrt(sums.shape[1] - 1)))
    o = sums[:, 1:].reshape(len(sums), v, v)
    n_c = o.sum(axis=2)
    n = n_c.sum(axis=1)
    d = _ordinal_distances(n_c) if level == "ordinal" else np.broadcast_to(1.0 - np.eye(v), o.shape)
    return _alpha(sums[:, 0], (o * d).sum(axis=(1, 2)), (n_c[:, :, None] * n_c[:, None, :] * d).sum(axis=(1, 2)), n)


def _alpha(pairable: np.ndarray, observed: np.ndarray, expected: np.ndarray, n: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray]:
    values = np.full(len(pairable), np.nan)
    reasons = np.full(len(pairable), "", dtype=object)
    few = pairable < 2
    reasons[few] = "fewer than two units with values from two annotators"
    flat = ~few & (expected <= 1e-12 * np.maximum(n, 1) ** 2)
    reasons[flat] = NO_VARIATION
    ok = ~few & ~flat
    values[ok] = 1 - (n[ok] - 1) * observed[ok] / expected[ok]
    return values, reasons


# --- MASI alpha over label sets --------------------------------------------------------------------------------

def masi_distance(a: Iterable[Hashable], b: Iterable[Hashable]) -> float:
    """Passonneau's MASI distance of two label sets: 1 - Jaccard x monotonicity.

    Monotonicity is 1 for equal sets, 2/3 when one holds the other, 1/3 when they overlap otherwise, 0 when
    disjoint. Two empty sets are equal (distance 0).

    >>> round(masi_distance({"x", "y"}, {"x"}), 4)  # Jaccard 1/2, subset 2/3
    0.6667
    """
    a, b = set(a), set(b)
    if a == b:
        return 0.0
    shared = len(a & b)
    jaccard = shared / len(a | b)
    if a <= b or b <= a:
        monotonicity = 2 / 3
    elif shared:
        monotonicity = 1 / 3
    else:
        monotonicity = 0.0
    return 1.0 - jaccard * monotonicity


def masi_alpha(sets: Sequence[Sequence[Iterable[Hashable] | None]]) -> float:
    """Krippendorff's alpha with the MASI distance, over an annotator x unit grid of label sets (None = missing).

    alpha = 1 - D_o / D_e over the pairable values (units with sets from two or more annotators). Hand-worked
    in the tests: sets ({x},{x}), ({x,y},{x}), ({},{y}) give 1 - (5/9) / (32/45) = 7/32.

    >>> round(masi_alpha([[{"x"}, {"x", "y"}, set()], [{"x"}, {"x"}, {"y"}]]), 5)
    0.21875
    """
    grid = [list(row) for row in sets]
    if len(grid) < 2:
        raise Undefined(FEW_ANNOTATORS)
    width = len(grid[0])
    if any(len(row) != width for row in grid):
        raise ValueError("every annotator needs one entry (a label set or None) per unit")
    distinct: dict[frozenset, int] = {}
    codes = np.full((len(grid), width), -1, dtype=np.int64)
    for a, row in enumerate(grid):
        for u, value in enumerate(row):
            if value is not None:
                codes[a, u] = distinct.setdefault(frozenset(value), len(distinct))
    return masi_alpha_from_codes(codes, list(distinct))


def masi_alpha_from_codes(codes: np.ndarray, domain: Sequence[frozenset]) -> float:
    """MASI alpha of an annotator x unit matrix of codes into `domain`, a list of label sets (-1 = missing)."""
    distances = masi_distances(domain)
    rows = distance_rows(value_counts(codes, len(domain)), distances)
    return _raise_if_undefined(*alpha_from_distance_sums(rows.sum(axis=0, keepdims=True), distances))


def masi_distances(domain: Sequence[frozenset]) -> np.ndarray:
    """The MASI distance between every two label sets of a domain."""
    d = np.zeros((len(domain), len(domain)))
    for i, a in enumerate(domain):
        for j in range(i + 1, len(domain)):
            d[i, j] = d[j, i] = masi_distance(a, domain[j])
    return d


def distance_rows(counts: np.ndarray, distances: np.ndarray) -> np.ndarray:
    """Per unit, for alpha with a fixed distance: [pairable, sum of coincidences x distance, value counts]."""
    given = counts.sum(axis=1)
    pairable = given >= 2
    observed = np.zeros(len(counts))
    c = counts[pairable]
    observed[pairable] = ((c @ distances) * c).sum(axis=1) / (given[pairable] - 1)
    return np.column_stack([pairable.astype(float), observed, counts * pairable[:, None]])


def alpha_from_distance_sums(sums: np.ndarray, distances: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    sums = np.atleast_2d(sums)
    n_c = sums[:, 2:]
    expected = ((n_c @ distances) * n_c).sum(axis=1)
    return _alpha(sums[:, 0], sums[:, 1], expected, n_c.sum(axis=1))


# --- the report ------------------------------------------------------------------------------------------------

class Cancelled(AnnotatorError):
    """The caller's `cancel()` asked to stop; no report was made."""


FIGURES = ("percent_agreement", "cohen_kappa_mean", "fleiss_kappa", "krippendorff_alpha")
ORDINAL_FIGURES = ("krippendorff_alpha_ordinal", "cohen_kappa_linear_mean")


class _Block:
    """One matrix's figures: point values from the libraries, and per-unit rows for the fast bootstrap.

    `nominal` blocks carry percent agreement, Cohen's kappa, Fleiss' kappa and nominal alpha; `ordinal` blocks
    carry linearly weighted kappa and ordinal alpha.
    """

    def __init__(self, m: np.ndarray, domain: Sequence[float], scale: Level = "nominal"):
        self.m = m
        self.scale = scale
        self.codes, self.domain = encode(m, domain)
        self.v = len(self.domain)
        self.pairs = [(i, j) for i in range(m.shape[0]) for j in range(i + 1, m.shape[0])]
        self.counts = value_counts(self.codes, self.v)
        self.widths: list[int] = []

    def point(self) -> tuple[dict[str, tuple[float | None, str]], list[PairKappa], list[tuple[float | None, str]]]:
        """Figures, pair kappas and pair percent agreements on the whole data."""
        figures: dict[str, tuple[float | None, str]] = {}
        labels = list(self.domain)
        if self.scale == "nominal":
            figures["percent_agreement"] = _call(percent_agreement, self.m)
            figures["cohen_kappa_mean"] = _call(cohen_kappa_mean, self.m)
            figures["fleiss_kappa"] = _call(fleiss_kappa, self.m)
            figures["krippendorff_alpha"] = _call(krippendorff_alpha, self.m, "nominal")
            pairs = cohen_kappa_pairs(self.m)
        else:
            figures["cohen_kappa_linear_mean"] = _call(cohen_kappa_mean, self.m, "linear", labels)
            figures["krippendorff_alpha_ordinal"] = _call(krippendorff_alpha, self.m, "ordinal", labels)
            pairs = cohen_kappa_pairs(self.m, "linear", labels)
        pair_pa = [_call(percent_agreement, self.m[[i, j]]) for i, j in self.pairs]
        return figures, pairs, pair_pa

    def confusion(self, i: int, j: int) -> np.ndarray:
        return confusion_rows(self.codes, i, j, self.v).sum(axis=0).reshape(self.v, self.v)

    def rows(self, cols: np.ndarray | None = None) -> np.ndarray:
        """Per-unit rows for the fast bootstrap, for the given unit columns (default: all)."""
        codes = self.codes if cols is None else self.codes[:, cols]
        counts = self.counts if cols is None else self.counts[cols]
        parts = []
        if self.scale == "nominal":
            parts.append(agreement_rows(counts))
            parts.append(fleiss_unit_rows(counts, self.m.shape[0]))
        parts += [confusion_rows(codes, i, j, self.v) for i, j in self.pairs]
        parts.append(coincidence_rows(counts))
        self.widths = [p.shape[1] for p in parts]
        return np.hstack(parts)

    def resampled(self, sums: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
        """Figures per resample, plus (resamples x pairs) kappa and percent agreement."""
        cuts = np.cumsum([0] + self.widths)
        part = [sums[:, cuts[k]:cuts[k + 1]] for k in range(len(self.widths))]
        out: dict[str, np.ndarray] = {}
        if self.scale == "nominal":
            out["percent_agreement"] = percent_from_sums(part[0])[0]
            out["fleiss_kappa"] = fleiss_from_sums(part[1], self.m.shape[0])
            part = part[2:]
        weights: Weights = None if self.scale == "nominal" else "linear"
        confusions = [p.reshape(len(sums), self.v, self.v) for p in part[:-1]]
        kappas = np.column_stack([kappa_from_confusions(c, weights)[0] for c in confusions]) \
            if confusions else np.full((len(sums), 0), np.nan)
        pair_pa = np.full((len(sums), len(confusions)), np.nan)
        for k, c in enumerate(confusions):
            total = c.sum(axis=(1, 2))
            ok = total >= 2
            pair_pa[ok, k] = np.trace(c, axis1=1, axis2=2)[ok] / total[ok]
        kappa_mean = _nanmean_rows(kappas)
        alpha = alpha_from_coincidences(part[-1], self.scale)[0]
        if self.scale == "nominal":
            out["cohen_kappa_mean"] = kappa_mean
            out["krippendorff_alpha"] = alpha
        else:
            out["cohen_kappa_linear_mean"] = kappa_mean
            out["krippendorff_alpha_ordinal"] = alpha
        return out, kappas, pair_pa


def _call(fn: Callable[..., float], *args: object) -> tuple[float | None, str]:
    try:
        return fn(*args), ""
    except Undefined as exc:
        return None, str(exc)


def _nanmean_rows(values: np.ndarray) -> np.ndarray:
    """Mean of each row over its defined entries; NaN where none is defined."""
    if values.shape[1] == 0:
        return np.full(values.shape[0], np.nan)
    ok = np.isfinite(values)
    total = np.where(ok, values, 0.0).sum(axis=1)
    count = ok.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


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


def _mean_figure(values: list[tuple[float | None, str]]) -> tuple[float | None, str]:
    defined = [v for v, _ in values if v is not None]
    if defined:
        return float(np.mean(defined)), ""
    reasons = sorted({r for _, r in values if r})
    return None, "undefined for every label" + (f" ({'; '.join(reasons)})" if reasons else "")


def _prevalence(m: np.ndarray, annotators: list[str]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for a, name in enumerate(annotators):
        given = m[a][~np.isnan(m[a])]
        out[name] = float(given.mean()) if given.size else None
    return out


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


def _chosen(data: LabelData, annotators: list[str] | None) -> list[str]:
    known = data.annotators
    if not annotators:
        return known
    missing = [a for a in annotators if a not in known]
    if missing:
        raise NotFound(f"no finished items for taxonomy {data.taxonomy.id!r} by: {', '.join(missing)}")
    if len(set(annotators)) != len(annotators):
        raise ValueError("an annotator is named twice")
    return list(annotators)


def agreement_report(data: LabelData, annotators: list[str] | None = None, n_boot: int = 1000, seed: int = 0,
                     progress: Callable[[int, int], None] | None = None,
                     cancel: Callable[[], bool] | None = None) -> dict:
    """Every agreement figure of one taxonomy as the JSON object of DESIGN section 7.

    Multi-choice taxonomies: figures per label on its presence matrix, the overall figure the unweighted mean
    over labels where defined, plus MASI alpha over the label sets. Single-choice: figures on the categories
    (ordinal scales add ordinal alpha and linearly weighted kappa without `outside_scale` labels) and one-vs-rest
    figures per label. Intervals resample units within each target kind, the same resample serving every label
    of that kind, so the overall interval accounts for labels sharing units. `n_boot=0` skips intervals.
    """
    from .spans import span_agreement  # spans.py uses the figures above, so it is imported on use

    if n_boot < 0:
        raise ValueError("n_boot cannot be negative")
    chosen = _chosen(data, annotators)
    data = data.restrict(chosen)
    tax = data.taxonomy
    report: dict = {"taxonomy": tax.id, "annotators": chosen, "choice": tax.choice, "scale": tax.scale,
                    "n_boot": n_boot, "seed": seed}
    if tax.choice == "multi":
        kinds = list(dict.fromkeys(lab.target for lab in tax.labels))
        ticker = _Progress(len(tax.labels) + len(kinds) + 1, progress, cancel)
        ticker.check()
        _multi_choice(data, chosen, kinds, n_boot, seed, report, ticker)
    else:
        ticker = _Progress(len(tax.labels) + 3, progress, cancel)
        ticker.check()
        _single_choice(data, chosen, n_boot, seed, report, ticker)
    report["spans"] = span_agreement(data, chosen)
    ticker.step()
    return report


def _pair_entries(chosen: list[str], units: dict[tuple[int, int], int],
                  kappas: dict[tuple[int, int], list[tuple[float | None, str]]],
                  pas: dict[tuple[int, int], list[tuple[float | None, str]]],
                  kappa_boot: dict[tuple[int, int], np.ndarray], pa_boot: dict[tuple[int, int], np.ndarray],
                  n_boot: int, extra: dict[tuple[int, int], dict] | None = None) -> list[dict]:
    entries = []
    for (i, j), n in units.items():
        entry: dict = {"a": chosen[i], "b": chosen[j], "units": int(n)}
        value, reason = _mean_figure(pas[(i, j)])
        _put(entry, "percent_agreement", value, reason, pa_boot.get((i, j)), n_boot)
        value, reason = _mean_figure(kappas[(i, j)])
        _put(entry, "cohen_kappa", value, reason, kappa_boot.get((i, j)), n_boot)
        if extra and (i, j) in extra:
            entry.update(extra[(i, j)])
        entries.append(entry)
    return entries


def _multi_choice(data: LabelData, chosen: list[str], kinds: list[str], n_boot: int, seed: int, report: dict,
                  ticker: _Progress) -> None:
    tax = data.taxonomy
    n_ann = len(chosen)
    pairs = [(i, j) for i in range(n_ann) for j in range(i + 1, n_ann)]
    blocks: dict[str, _Block] = {}
    matrices: dict[str, np.ndarray] = {}
    kind_labels: dict[str, list[str]] = {k: [lab.id for lab in tax.labels_on(k)] for k in kinds}
    kind_units: dict[str, int] = {}
    pair_units = {p: 0 for p in pairs}
    masks: dict[str, np.ndarray] = {}
    bit = {lab: k for k, lab in enumerate(tax.label_ids)}
    for kind in kinds:
        mask = None
        for label in kind_labels[kind]:
            m, units = data.presence_matrix(label, chosen)
            matrices[label] = m
            blocks[label] = _Block(m, [0.0, 1.0])
            if mask is None:
                mask = np.where(np.isnan(m), np.nan, 0.0)
            mask = mask + np.where(m == 1, float(2 ** bit[label]), 0.0)
        kind_units[kind] = mask.shape[1] if mask is not None else 0
        masks[kind] = mask if mask is not None else np.zeros((n_ann, 0))
        for i, j in pairs:
            pair_units[(i, j)] += int((~np.isnan(masks[kind][i]) & ~np.isnan(masks[kind][j])).sum())
    report["units"] = int(sum(kind_units.values()))

    # MASI over label sets: one code per distinct set, pooled over every target kind.
    all_masks = np.concatenate([masks[k] for k in kinds], axis=1) if kinds else np.zeros((n_ann, 0))
    mask_codes, mask_domain = encode(all_masks)
    set_domain = [frozenset(lab for lab in tax.label_ids if int(code) >> bit[lab] & 1) for code in mask_domain]
    set_distances = masi_distances(set_domain)
    masi = _call(masi_alpha_from_codes, mask_codes, set_domain) if n_ann >= 2 else (None, FEW_ANNOTATORS)

    # Point figures per label.
    label_points: dict[str, dict[str, tuple[float | None, str]]] = {}
    pair_kappas: dict[tuple[int, int], list[tuple[float | None, str]]] = {p: [] for p in pairs}
    pair_pas: dict[tuple[int, int], list[tuple[float | None, str]]] = {p: [] for p in pairs}
    for label in tax.label_ids:
        figures, kappas, pas = blocks[label].point()
        label_points[label] = figures
        for k, p in enumerate(pairs):
            pair_kappas[p].append((kappas[k].kappa, kappas[k].reason))
            pair_pas[p].append(pas[k])
        ticker.step()

    # Resampled figures: one resample of each kind's units serves all its labels and MASI.
    boot: dict[str, dict[str, np.ndarray]] = {}
    boot_pair_kappa: dict[str, np.ndarray] = {}
    boot_pair_pa: dict[str, np.ndarray] = {}
    masi_sums = None
    if n_boot > 0 and n_ann >= 2:
        offset = 0
        for kind in kinds:
            width = kind_units[kind]
            if width == 0:
                ticker.step()
                continue
            kind_codes = mask_codes[:, offset:offset + width]
            offset += width
            # Units with equal codes in every label have equal rows: build rows once per distinct pattern.
            first, groups = unit_groups(kind_codes, *(blocks[label].codes for label in kind_labels[kind]))
            parts = [blocks[label].rows(first) for label in kind_labels[kind]]
            parts.append(distance_rows(value_counts(kind_codes[:, first], len(set_domain)), set_distances))
            sums = bootstrap_sums(np.hstack(parts), n_boot, seed, groups=groups)
            start = 0
            for label, part in zip(kind_labels[kind], parts):
                figures, kappas, pair_pa = blocks[label].resampled(sums[:, start:start + part.shape[1]])
                boot[label] = figures
                boot_pair_kappa[label] = kappas
                boot_pair_pa[label] = pair_pa
                start += part.shape[1]
            masi_sums = sums[:, start:] if masi_sums is None else masi_sums + sums[:, start:]
            ticker.step()
    else:
        for _ in kinds:
            ticker.step()

    labels_out: dict[str, dict] = {}
    for label in tax.label_ids:
        entry: dict = {}
        for name in FIGURES:
            value, reason = label_points[label][name]
            _put(entry, name, value, reason, boot.get(label, {}).get(name), n_boot)
        entry["units"] = int(matrices[label].shape[1])
        entry["prevalence"] = _prevalence(matrices[label], chosen)
        labels_out[label] = entry

    overall: dict = {}
    for name in FIGURES:
        value, reason = _mean_figure([label_points[lab][name] for lab in tax.label_ids])
        resampled = None
        if boot:
            resampled = _nanmean_rows(np.column_stack([boot[lab][name] for lab in tax.label_ids if lab in boot]))
        _put(overall, name, value, reason, resampled, n_boot)
    masi_boot = alpha_from_distance_sums(masi_sums, set_distances)[0] if masi_sums is not None else None
    _put(overall, "masi_alpha", masi[0], masi[1], masi_boot, n_boot)
    report["overall"] = overall
    report["labels"] = labels_out

    kappa_boot: dict[tuple[int, int], np.ndarray] = {}
    pa_boot: dict[tuple[int, int], np.ndarray] = {}
    if boot_pair_kappa:
        for k, p in enumerate(pairs):
            kappa_boot[p] = _nanmean_rows(np.column_stack([boot_pair_kappa[lab][:, k] for lab in boot_pair_kappa]))
            pa_boot[p] = _nanmean_rows(np.column_stack([boot_pair_pa[lab][:, k] for lab in boot_pair_pa]))
    report["pairs"] = _pair_entries(chosen, pair_units, pair_kappas, pair_pas, kappa_boot, pa_boot, n_boot)

    confusion: dict[str, dict] = {}
    for k, (i, j) in enumerate(pairs):
        by_label = {lab: blocks[lab].confusion(i, j).astype(int).tolist() for lab in tax.label_ids}
        total = np.sum([np.array(v) for v in by_label.values()], axis=0).astype(int).tolist()
        confusion[f"{chosen[i]}|{chosen[j]}"] = {"labels": ["absent", "present"], "matrix": total,
                                                 "by_label": by_label}
    report["confusion"] = confusion


def _single_choice(data: LabelData, chosen: list[str], n_boot: int, seed: int, report: dict,
                   ticker: _Progress) -> None:
    tax = data.taxonomy
    n_ann = len(chosen)
    pairs = [(i, j) for i in range(n_ann) for j in range(i + 1, n_ann)]
    m, units, order = data.category_matrix(chosen)
    report["units"] = int(m.shape[1])
    nominal = _Block(m, np.arange(len(order), dtype=float))
    ordinal = None
    if tax.scale == "ordinal":
        scale = tax.scale_labels()
        position = np.array([scale.index(lab) if lab in scale else np.nan for lab in order], dtype=float)
        m_ord = np.full(m.shape, np.nan)
        given = ~np.isnan(m)
        m_ord[given] = position[m[given].astype(int)]
        ordinal = _Block(m_ord, np.arange(len(scale), dtype=float), "ordinal")
    one_vs_rest = {lab: _Block(np.where(np.isnan(m), np.nan, (m == k).astype(float)), [0.0, 1.0])
                   for k, lab in enumerate(order)}
    ticker.step()

    blocks: list[_Block] = [nominal] + ([ordinal] if ordinal else []) + list(one_vs_rest.values())
    points = [b.point() for b in blocks]
    ticker.step()
    resampled: list[tuple[dict[str, np.ndarray], np.ndarray, np.ndarray] | None] = [None] * len(blocks)
    if n_boot > 0 and n_ann >= 2 and m.shape[1] > 0:
        first, groups = unit_groups(nominal.codes)  # the category codes decide every block's rows
        parts = [b.rows(first) for b in blocks]
        sums = bootstrap_sums(np.hstack(parts), n_boot, seed, groups=groups)
        start = 0
        for k, (b, part) in enumerate(zip(blocks, parts)):
            resampled[k] = b.resampled(sums[:, start:start + part.shape[1]])
            start += part.shape[1]
    ticker.step()

    overall: dict = {}
    names = list(FIGURES) + (list(ORDINAL_FIGURES) if ordinal else [])
    sources = [0] * len(FIGURES) + ([1] * len(ORDINAL_FIGURES) if ordinal else [])
    for name, src in zip(names, sources):
        value, reason = points[src][0][name]
        boot = resampled[src][0][name] if resampled[src] else None
        _put(overall, name, value, reason, boot, n_boot)
    report["overall"] = overall

    labels_out: dict[str, dict] = {}
    first = 2 if ordinal else 1
    for k, lab in enumerate(order):
        entry: dict = {}
        b = first + k
        for name in FIGURES:
            value, reason = points[b][0][name]
            _put(entry, name, value, reason, resampled[b][0][name] if resampled[b] else None, n_boot)
        entry["units"] = int(m.shape[1])
        entry["prevalence"] = _prevalence(one_vs_rest[lab].m, chosen)
        labels_out[lab] = entry
        ticker.step()
    report["labels"] = labels_out

    pair_units = {(i, j): int((~np.isnan(m[i]) & ~np.isnan(m[j])).sum()) for i, j in pairs}
    kappas = {p: [(points[0][1][k].kappa, points[0][1][k].reason)] for k, p in enumerate(pairs)}
    pas = {p: [points[0][2][k]] for k, p in enumerate(pairs)}
    kappa_boot = {p: resampled[0][1][:, k] for k, p in enumerate(pairs)} if resampled[0] else {}
    pa_boot = {p: resampled[0][2][:, k] for k, p in enumerate(pairs)} if resampled[0] else {}
    extra: dict[tuple[int, int], dict] = {}
    if ordinal:
        for k, p in enumerate(pairs):
            linear = points[1][1][k]
            entry: dict = {}
            _put(entry, "cohen_kappa_linear", linear.kappa, linear.reason,
                 resampled[1][1][:, k] if resampled[1] else None, n_boot)
            extra[p] = entry
    report["pairs"] = _pair_entries(chosen, pair_units, kappas, pas, kappa_boot, pa_boot, n_boot, extra)
    report["confusion"] = {f"{chosen[i]}|{chosen[j]}": {"labels": list(order),
                                                        "matrix": nominal.confusion(i, j).astype(int).tolist()}
                           for i, j in pairs}
