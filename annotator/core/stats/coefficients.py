"""Chance-corrected agreement coefficients as pure functions of a few summed per-unit statistics.

Every figure here follows Gwet's general framework (Handbook of Inter-Rater Reliability, 2014; the irrCAC
package): an observed agreement `pa` over the units with two or more ratings, an agreement expected by chance
`pe` that each coefficient defines its own way, and `(pa - pe) / (1 - pe)`. Units may carry any number of
ratings, so a crowd design (each item rated by 10 of 200 workers) needs no complete block of annotators.

Each coefficient is written on *sums over units* of small per-unit rows (`*_rows`), so one code path serves the
point value (the rows summed once) and the bootstrap (the rows summed per resample, see `bootstrap_sums`):
every `*_from` function takes arrays whose first axis is the resample and returns (values, reasons), NaN with
the reason where a resample leaves the figure undefined.

The `*(m)` functions at the end take an annotator x unit matrix (NaN = missing) and give one number; their
doctests reproduce the outputs irrCAC publishes for its `cac.raw4raters` data and `cont3x3abstractors` table.
"""

from __future__ import annotations

from typing import Literal, Sequence

import numpy as np
import scipy.sparse as sp

from .bootstrap import Undefined

Weights = Literal["identity", "linear", "quadratic"]
Result = tuple[np.ndarray, np.ndarray]

FEW_ANNOTATORS = "fewer than two annotators"
FEW_UNITS = "fewer than two units with values from two annotators"
NO_PAIRABLE = "no unit has values from two annotators"
NO_VARIATION = "no variation: every annotator gave the same value on every unit"
ONE_CATEGORY = "the scale has fewer than two categories"
PAIR_FEW = "fewer than two units that both annotators gave"
PAIR_FLAT = "no variation: both annotators gave one and the same value"


# --- codes and counts ------------------------------------------------------------------------------------------

def as_matrix(m: object) -> np.ndarray:
    """An annotator x unit float matrix, checked: two dimensions, finite values or NaN."""
    arr = np.asarray(m, dtype=float)
    if arr.ndim != 2:
        raise ValueError(f"expected an annotator x unit matrix, got {arr.ndim} dimension(s)")
    if np.isinf(arr).any():
        raise ValueError("values must be finite numbers, with NaN for missing")
    return arr


def encode(m: np.ndarray, domain: Sequence[float] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of a matrix's values (-1 = missing) and the sorted value domain they index.

    Pass `domain` (every category of the scale) when some category may go unused: the chance terms of
    Gwet's AC1 and Brennan-Prediger depend on how many categories there are, not only on those seen.
    """
    m = as_matrix(m)
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


def value_counts(codes: np.ndarray, q: int) -> np.ndarray:
    """units x categories: how many annotators gave each category on each unit (irrCAC's `agree.mat`)."""
    n_units = codes.shape[1]
    given = codes >= 0
    cells = (np.broadcast_to(np.arange(n_units), codes.shape)[given] * q + codes[given])
    return np.bincount(cells, minlength=n_units * q).reshape(n_units, q).astype(float)


def weight_matrix(q: int, weights: Weights = "identity") -> np.ndarray:
    """Agreement weights between categories 0..q-1: 1 on the diagonal, less the further apart (irrCAC's)."""
    idx = np.arange(q, dtype=float)
    gap = np.abs(idx[:, None] - idx[None, :])
    if weights == "identity" or q < 2:
        return (gap == 0).astype(float)
    if weights == "linear":
        return 1 - gap / (q - 1)
    if weights == "quadratic":
        return 1 - (gap / (q - 1)) ** 2
    raise ValueError(f"weights must be 'identity', 'linear' or 'quadratic', got {weights!r}")


def _fail(shape: int, reason: str = "") -> tuple[np.ndarray, np.ndarray]:
    """NaN values with `reason` for each of `shape` resamples (callers fill in the defined ones)."""
    return np.full(shape, np.nan), np.full(shape, reason, dtype=object)


# --- per-unit rows ----------------------------------------------------------------------------------------------

def agreement_rows(counts: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Per unit: [has two or more ratings, the unit's (weighted) share of agreeing rating pairs]."""
    r = counts.sum(axis=1)
    pairable = r >= 2
    weighted = counts if weights is None else counts @ weights.T
    agree = np.zeros(len(counts))
    c = counts[pairable]
    agree[pairable] = (c * (weighted[pairable] - 1)).sum(axis=1) / (r[pairable] * (r[pairable] - 1))
    return np.column_stack([pairable.astype(float), agree])


def share_rows(counts: np.ndarray) -> np.ndarray:
    """Per unit: [rated at all, each category's share of the unit's ratings] (the chance term of Fleiss/AC1)."""
    r = counts.sum(axis=1)
    rated = r >= 1
    shares = np.zeros_like(counts, dtype=float)
    shares[rated] = counts[rated] / r[rated, None]
    return np.column_stack([rated.astype(float), shares])


def coincidence_rows(counts: np.ndarray) -> np.ndarray:
    """Per unit: [pairable, its q x q coincidences flattened] (Krippendorff); units with one value add nothing."""
    r = counts.sum(axis=1)
    pairable = r >= 2
    q = counts.shape[1]
    o = np.zeros((len(counts), q, q))
    c = counts[pairable]
    o[pairable] = (c[:, :, None] * c[:, None, :] - c[:, :, None] * np.eye(q)) / (r[pairable] - 1)[:, None, None]
    return np.column_stack([pairable.astype(float), o.reshape(len(counts), q * q)])


def _one_hot(units: np.ndarray, columns: np.ndarray, shape: tuple[int, int], sparse: bool):
    if sparse:
        return sp.csr_matrix((np.ones(len(units)), (units, columns)), shape=shape)
    rows = np.zeros(shape)
    rows[units, columns] = 1.0
    return rows


def rater_rows(codes: np.ndarray, q: int, sparse: bool = False):
    """Per unit, each annotator's category as a one-hot block of q columns (Conger's per-rater margins).

    A crowd has hundreds of annotators and ten ratings a unit: `sparse=True` keeps only the ones."""
    n_ann, n_units = codes.shape
    a, u = np.nonzero(codes >= 0)
    return _one_hot(u, a * q + codes[a, u], (n_units, n_ann * q), sparse)


def pair_rows(codes: np.ndarray, pairs: np.ndarray, q: int, sparse: bool = False):
    """Per unit, for each pair (i, j) of `pairs` (k x 2), the one-hot cell of the pair's confusion matrix."""
    n_units = codes.shape[1]
    shape = (n_units, len(pairs) * q * q)
    if len(pairs) == 0:
        return _one_hot(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), shape, sparse)
    ci, cj = codes[pairs[:, 0]], codes[pairs[:, 1]]
    k, u = np.nonzero((ci >= 0) & (cj >= 0))
    return _one_hot(u, k * q * q + ci[k, u] * q + cj[k, u], shape, sparse)


def all_pair_confusions(codes: np.ndarray, q: int) -> np.ndarray:
    """Every pair's confusion matrix at once: an (annotators, annotators, q, q) array from one matrix product."""
    n_ann, n_units = codes.shape
    onehot = np.zeros((n_ann * q, n_units))
    a, u = np.nonzero(codes >= 0)
    onehot[a * q + codes[a, u], u] = 1.0
    return (onehot @ onehot.T).reshape(n_ann, q, n_ann, q).transpose(0, 2, 1, 3)


# --- figures from summed rows (first axis: resamples) -----------------------------------------------------------

def percent_from(agree: np.ndarray) -> Result:
    """Fleiss' P-bar (irrCAC's `pa`): the mean over units with two or more ratings of their agreeing pairs."""
    agree = np.atleast_2d(agree)
    values, reasons = _fail(len(agree))
    none = agree[:, 0] < 1
    reasons[none] = NO_PAIRABLE
    values[~none] = agree[~none, 1] / agree[~none, 0]
    return values, reasons


def _corrected(pa: np.ndarray, pe: np.ndarray, pairable: np.ndarray, flat_reason: str = NO_VARIATION) -> Result:
    values, reasons = _fail(len(pa))
    few = pairable < 2
    reasons[few] = FEW_UNITS
    flat = ~few & ~(pe < 1 - 1e-12)
    reasons[flat] = flat_reason
    ok = ~few & ~flat
    values[ok] = (pa[ok] - pe[ok]) / (1 - pe[ok])
    return values, reasons


def _chance_shares(shares: np.ndarray) -> np.ndarray:
    shares = np.atleast_2d(shares)
    with np.errstate(invalid="ignore", divide="ignore"):
        return shares[:, 1:] / shares[:, :1]


def fleiss_from(agree: np.ndarray, shares: np.ndarray, weights: np.ndarray) -> Result:
    """Fleiss' generalised kappa (irrCAC's `fleiss.kappa.raw`): pe from the mean per-unit category shares."""
    agree = np.atleast_2d(agree)
    pi = _chance_shares(shares)
    pe = np.einsum("bk,kl,bl->b", pi, weights, pi)
    return _corrected(percent_from(agree)[0], pe, agree[:, 0])


def gwet_from(agree: np.ndarray, shares: np.ndarray, weights: np.ndarray) -> Result:
    """Gwet's AC1 (identity weights) or AC2: pe = sum(w) / (q(q-1)) * sum_k pi_k (1 - pi_k)."""
    agree = np.atleast_2d(agree)
    q = weights.shape[0]
    if q < 2:
        return _fail(len(agree), ONE_CATEGORY)
    pi = _chance_shares(shares)
    pe = weights.sum() / (q * (q - 1)) * (pi * (1 - pi)).sum(axis=1)
    return _corrected(percent_from(agree)[0], pe, agree[:, 0])


def brennan_prediger_from(agree: np.ndarray, weights: np.ndarray) -> Result:
    """Brennan and Prediger's coefficient: chance is a uniform pick among the q categories, pe = sum(w) / q^2."""
    agree = np.atleast_2d(agree)
    q = weights.shape[0]
    if q < 2:
        return _fail(len(agree), ONE_CATEGORY)
    pe = np.full(len(agree), weights.sum() / q ** 2)
    return _corrected(percent_from(agree)[0], pe, agree[:, 0])


def conger_from(agree: np.ndarray, raters: np.ndarray, weights: np.ndarray) -> Result:
    """Conger's kappa (irrCAC's `conger.kappa.raw`): pe from each annotator's own category shares.

    pe = sum_kl w_kl (pbar_k pbar_l - s2_kl / r), pbar the mean over annotators of their shares and s2 their
    covariance. Annotators with no rating in a resample are left out of it (their shares are undefined).
    """
    agree = np.atleast_2d(agree)
    q = weights.shape[0]
    raters = np.atleast_2d(raters).reshape(len(agree), -1, q)
    totals = raters.sum(axis=2)
    active = totals > 0
    r = active.sum(axis=1).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(active[:, :, None], raters / np.where(active, totals, 1)[:, :, None], 0.0)
        mean = p.sum(axis=1) / r[:, None]
        outer = np.einsum("bgk,bgl->bkl", p, p)
        s2 = (outer - r[:, None, None] * mean[:, :, None] * mean[:, None, :]) / (r - 1)[:, None, None]
        pe = ((mean[:, :, None] * mean[:, None, :] - s2 / r[:, None, None]) * weights).sum(axis=(1, 2))
    values, reasons = _corrected(percent_from(agree)[0], pe, agree[:, 0])
    few = r < 2
    values[few], reasons[few] = np.nan, FEW_ANNOTATORS
    return values, reasons


def _ordinal_distances(n_c: np.ndarray) -> np.ndarray:
    """Krippendorff's ordinal metric for each row of value totals: (sum of totals from c to k - (n_c+n_k)/2)^2."""
    v = n_c.shape[1]
    i, k = np.meshgrid(np.arange(v), np.arange(v), indexing="ij")
    lo, hi = np.minimum(i, k), np.maximum(i, k)
    cum = np.cumsum(n_c, axis=1)
    between = cum[:, hi] - cum[:, lo] + n_c[:, lo]
    return (between - (n_c[:, i] + n_c[:, k]) / 2) ** 2


Level = Literal["nominal", "ordinal", "interval"]


def alpha_from(coincidences: np.ndarray, level: Level = "nominal") -> Result:
    """Krippendorff's alpha from summed `coincidence_rows`: 1 - (n - 1) sum(o d) / sum(n_c n_k d).

    `interval` uses the squared difference of category positions, which is also irrCAC's alpha with quadratic
    weights (alpha does not change when every distance is scaled by one factor).
    """
    sums = np.atleast_2d(coincidences)
    q = int(round(np.sqrt(sums.shape[1] - 1)))
    o = sums[:, 1:].reshape(len(sums), q, q)
    n_c = o.sum(axis=2)
    n = n_c.sum(axis=1)
    if level == "ordinal":
        d = _ordinal_distances(n_c)
    elif level == "interval":
        idx = np.arange(q, dtype=float)
        d = np.broadcast_to((idx[:, None] - idx[None, :]) ** 2, o.shape)
    elif level == "nominal":
        d = np.broadcast_to(1.0 - np.eye(q), o.shape)
    else:
        raise ValueError(f"level must be 'nominal', 'ordinal' or 'interval', got {level!r}")
    return alpha_from_parts(sums[:, 0], (o * d).sum(axis=(1, 2)),
                            (n_c[:, :, None] * n_c[:, None, :] * d).sum(axis=(1, 2)), n)


def alpha_from_parts(pairable: np.ndarray, observed: np.ndarray, expected: np.ndarray, n: np.ndarray) -> Result:
    """alpha = 1 - (n - 1) observed / expected, with the reasons where it is undefined."""
    values, reasons = _fail(len(pairable))
    few = pairable < 2
    reasons[few] = FEW_UNITS
    flat = ~few & (expected <= 1e-12 * np.maximum(n, 1) ** 2)
    reasons[flat] = NO_VARIATION
    ok = ~few & ~flat
    values[ok] = 1 - (n[ok] - 1) * observed[ok] / expected[ok]
    return values, reasons


def scott_from(coincidences: np.ndarray, n_annotators: int, weights: np.ndarray) -> Result:
    """Scott's pi of two annotators over the units both gave: pe from their pooled category shares."""
    sums = np.atleast_2d(coincidences)
    if n_annotators != 2:
        return _fail(len(sums), "Scott's pi is for two annotators (Fleiss' kappa generalises it)")
    q = weights.shape[0]
    o = sums[:, 1:].reshape(len(sums), q, q)
    n_c = o.sum(axis=2)
    total = n_c.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        pa = (o * weights).sum(axis=(1, 2)) / total
        share = n_c / total[:, None]
        pe = np.einsum("bk,kl,bl->b", share, weights, share)
    return _corrected(pa, pe, sums[:, 0], PAIR_FLAT)


def kappa_from_confusions(confusions: np.ndarray, weights: np.ndarray) -> Result:
    """Cohen's kappa of each (..., q, q) confusion matrix with agreement weights: 1 - observed / expected
    weighted disagreement (scikit-learn's `cohen_kappa_score` with the matching weights)."""
    conf = np.asarray(confusions, dtype=float)
    shape = conf.shape[:-2]
    conf = conf.reshape(-1, *conf.shape[-2:])
    d = 1.0 - weights
    total = conf.sum(axis=(1, 2))
    values, reasons = _fail(len(conf))
    few = total < 2
    reasons[few] = PAIR_FEW
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = conf.sum(axis=2)[:, :, None] * conf.sum(axis=1)[:, None, :] / total[:, None, None]
        observed_d = (d * conf).sum(axis=(1, 2))
        expected_d = (d * expected).sum(axis=(1, 2))
    flat = ~few & (expected_d <= 1e-12 * np.maximum(total, 1))
    reasons[flat] = PAIR_FLAT
    ok = ~few & ~flat
    values[ok] = 1 - observed_d[ok] / expected_d[ok]
    return values.reshape(shape), reasons.reshape(shape)


def pair_percent_from(confusions: np.ndarray) -> Result:
    """Each pair's share of units given the same value, from its confusion matrix."""
    conf = np.asarray(confusions, dtype=float)
    total = conf.sum(axis=(-2, -1))
    values = np.full(total.shape, np.nan)
    reasons = np.full(total.shape, "", dtype=object)
    none = total < 1
    reasons[none] = PAIR_FEW
    values[~none] = np.trace(conf, axis1=-2, axis2=-1)[~none] / total[~none]
    return values, reasons


def mean_over_pairs(values: np.ndarray, reasons: np.ndarray) -> Result:
    """Per resample (rows), the mean of the pairs' (columns) defined values; undefined when none is defined."""
    values = np.atleast_2d(values)
    ok = np.isfinite(values)
    count = ok.sum(axis=1)
    out = np.full(len(values), np.nan)
    why = np.full(len(values), "", dtype=object)
    has = count > 0
    out[has] = np.where(ok, values, 0.0).sum(axis=1)[has] / count[has]
    if values.shape[1] == 0:
        why[:] = "no pair of annotators shares enough units"
    else:
        first = np.atleast_2d(reasons)[:, 0]
        why[~has] = [f"no pair of annotators has a defined kappa ({r})" for r in first[~has]]
    return out, why


# --- one number from a matrix (the published examples) ------------------------------------------------------------

# irrCAC's `cac.raw4raters` (its README), raters as rows and NaN where a rater skipped a subject: the docstrings
# below reproduce irrCAC's published value of each coefficient on it.
IRRCAC_RAW4 = np.array([
    [1, 2, 3, 3, 2, 1, 4, 1, 2, np.nan, np.nan, np.nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, np.nan, np.nan],
    [np.nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 3],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, np.nan],
])

def _point(result: Result) -> float:
    value, reason = float(result[0][0]), str(result[1][0])
    if not np.isfinite(value):
        raise Undefined(reason)
    return value


def _counts(m: object, categories: Sequence[float] | None) -> tuple[np.ndarray, np.ndarray]:
    m = as_matrix(m)
    if m.shape[0] < 2:
        raise Undefined(FEW_ANNOTATORS)
    codes, dom = encode(m, categories)
    return codes, value_counts(codes, len(dom))


def percent_agreement(m: object) -> float:
    """Per-unit percent agreement averaged over units with two or more ratings (Fleiss' P-bar, irrCAC `pa`).

    irrCAC's `cac.raw4raters` (`IRRCAC_RAW4`: 4 raters, 12 units, some ratings missing) gives 0.8181818:

    >>> round(percent_agreement(IRRCAC_RAW4), 7)
    0.8181818
    """
    _, counts = _counts(m, None)
    return _point(percent_from(agreement_rows(counts).sum(axis=0)))


def fleiss_kappa(m: object, categories: Sequence[float] | None = None) -> float:
    """Fleiss' kappa generalised to any number of ratings per unit (irrCAC's `fleiss.kappa.raw`).

    >>> round(fleiss_kappa(IRRCAC_RAW4), 5)  # irrCAC: 0.76117
    0.76117
    """
    codes, counts = _counts(m, categories)
    w = weight_matrix(counts.shape[1])
    return _point(fleiss_from(agreement_rows(counts).sum(axis=0), share_rows(counts).sum(axis=0), w))


def gwet_ac(m: object, weights: Weights = "identity", categories: Sequence[float] | None = None) -> float:
    """Gwet's AC1 (AC2 with linear or quadratic weights on ordered categories; irrCAC's `gwet.ac1.raw`).

    >>> round(gwet_ac(IRRCAC_RAW4), 5)  # irrCAC: 0.77544
    0.77544
    """
    codes, counts = _counts(m, categories)
    w = weight_matrix(counts.shape[1], weights)
    return _point(gwet_from(agreement_rows(counts, w).sum(axis=0), share_rows(counts).sum(axis=0), w))


def brennan_prediger(m: object, weights: Weights = "identity", categories: Sequence[float] | None = None) -> float:
    """Brennan and Prediger's coefficient (irrCAC's `bp.coeff.raw`).

    >>> round(brennan_prediger(IRRCAC_RAW4), 5)  # irrCAC: 0.77273
    0.77273
    """
    codes, counts = _counts(m, categories)
    w = weight_matrix(counts.shape[1], weights)
    return _point(brennan_prediger_from(agreement_rows(counts, w).sum(axis=0), w))


def conger_kappa(m: object, categories: Sequence[float] | None = None) -> float:
    """Conger's kappa, Cohen's kappa generalised to several annotators (irrCAC's `conger.kappa.raw`).

    >>> round(conger_kappa(IRRCAC_RAW4), 5)  # irrCAC: 0.76282
    0.76282
    """
    codes, counts = _counts(m, categories)
    q = counts.shape[1]
    return _point(conger_from(agreement_rows(counts).sum(axis=0), rater_rows(codes, q).sum(axis=0),
                              weight_matrix(q)))


def krippendorff_alpha(m: object, level: Level = "nominal", categories: Sequence[float] | None = None) -> float:
    """Krippendorff's alpha over every unit with two or more values (irrCAC's `krippen.alpha.raw`).

    >>> round(krippendorff_alpha(IRRCAC_RAW4), 5)  # irrCAC: 0.74342
    0.74342
    """
    codes, counts = _counts(m, categories)
    return _point(alpha_from(coincidence_rows(counts).sum(axis=0), level))


def scott_pi(m: object, categories: Sequence[float] | None = None) -> float:
    """Scott's pi of two annotators over the units both gave (irrCAC's `scott2.table`).

    irrCAC's `cont3x3abstractors` table (rows one abstractor, columns the other) gives 0.7962397:

    >>> rows = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]
    >>> m = table_to_matrix(rows)
    >>> round(scott_pi(m), 7)
    0.7962397
    """
    codes, counts = _counts(m, categories)
    return _point(scott_from(coincidence_rows(counts).sum(axis=0), codes.shape[0], weight_matrix(counts.shape[1])))


def cohen_kappa(m: object, weights: Weights = "identity", categories: Sequence[float] | None = None) -> float:
    """Cohen's kappa of two annotators over the units both gave.

    >>> rows = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]
    >>> round(cohen_kappa(table_to_matrix(rows)), 7)  # irrCAC kappa2.table: 0.7964094
    0.7964094
    """
    codes, counts = _counts(m, categories)
    if codes.shape[0] != 2:
        raise ValueError("Cohen's kappa is for two annotators")
    q = counts.shape[1]
    conf = all_pair_confusions(codes, q)[0, 1]
    return _point(tuple(a.reshape(1) for a in kappa_from_confusions(conf, weight_matrix(q, weights))))


def table_to_matrix(table: Sequence[Sequence[int]]) -> np.ndarray:
    """A two-annotator contingency table (rows: the first annotator) as a 2 x units matrix of category codes.

    >>> table_to_matrix([[1, 2], [0, 1]]).tolist()
    [[0.0, 0.0, 0.0, 1.0], [0.0, 1.0, 1.0, 1.0]]
    """
    t = np.asarray(table, dtype=int)
    a, b = np.nonzero(t)
    reps = t[a, b]
    return np.vstack([np.repeat(a, reps), np.repeat(b, reps)]).astype(float)
