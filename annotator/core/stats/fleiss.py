"""Fleiss' kappa (Fleiss 1971): chance-corrected agreement of a fixed number of raters per unit.

Written here rather than borrowed because it has to run on per-unit sums for the fast bootstrap; the same
two-step formula (mean pairwise agreement per unit against the agreement expected from the pooled category
shares) serves the plain call and the resampled one.
"""

from __future__ import annotations

import numpy as np

from .bootstrap import Undefined


def fleiss_kappa_counts(counts: np.ndarray) -> float:
    """Fleiss' kappa of a units x categories table of how many raters put each unit in each category.

    Every row must sum to the same number of raters. Fleiss' psychiatric diagnoses (30 patients, 6 raters,
    5 diagnoses; the `diagnoses` data of R's irr package) give 0.430; the 10-subject, 14-rater table of the
    Wikipedia article gives 0.210:

    >>> table = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    ...          [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
    >>> round(fleiss_kappa_counts(table), 3)
    0.21
    """
    counts = np.asarray(counts, dtype=float)
    if counts.ndim != 2:
        raise ValueError(f"expected a units x categories table, got {counts.ndim} dimensions")
    if (counts < 0).any():
        raise ValueError("category counts cannot be negative")
    raters = counts.sum(axis=1)
    if len(raters) and not np.all(raters == raters[0]):
        raise ValueError("Fleiss' kappa needs the same number of raters on every unit")
    n_raters = int(raters[0]) if len(raters) else 0
    sums = fleiss_unit_rows(counts, n_raters).sum(axis=0, keepdims=True)
    value, reason = _kappa_with_reason(sums, n_raters)
    if reason:
        raise Undefined(reason)
    return value


def fleiss_kappa(m: np.ndarray) -> float:
    """Fleiss' kappa of an annotator x unit matrix (NaN = missing), over the units every annotator gave.

    >>> m = np.array([[1, 2, 3, 1], [1, 2, 3, 2], [1, 2, 1, 1]], dtype=float)
    >>> round(fleiss_kappa(m), 4)  # 5/11, worked by hand
    0.4545
    """
    m = np.asarray(m, dtype=float)
    if m.ndim != 2:
        raise ValueError(f"expected an annotator x unit matrix, got {m.ndim} dimensions")
    if m.shape[0] < 2:
        raise Undefined("fewer than two annotators")
    complete = m[:, ~np.isnan(m).any(axis=0)]
    if complete.shape[1] < 2:
        raise Undefined("fewer than two units that every annotator gave")
    domain, codes = np.unique(complete, return_inverse=True)
    codes = codes.reshape(complete.shape)
    counts = np.zeros((complete.shape[1], len(domain)))
    for row in codes:
        counts[np.arange(len(row)), row] += 1
    return fleiss_kappa_counts(counts)


def fleiss_unit_rows(value_counts: np.ndarray, n_raters: int) -> np.ndarray:
    """Per-unit sums behind Fleiss' kappa: [complete, agreeing rater pairs x 2, category counts...].

    `value_counts` is units x categories; units not rated by all `n_raters` contribute zeros, so Fleiss' kappa
    over any multiset of units is `fleiss_from_sums` of the summed rows.
    """
    value_counts = np.asarray(value_counts, dtype=float)
    complete = value_counts.sum(axis=1) == n_raters
    rows = np.zeros((value_counts.shape[0], 2 + value_counts.shape[1]))
    rows[complete, 0] = 1.0
    rows[complete, 1] = (value_counts[complete] * (value_counts[complete] - 1)).sum(axis=1)
    rows[complete, 2:] = value_counts[complete]
    return rows


def fleiss_from_sums(sums: np.ndarray, n_raters: int) -> np.ndarray:
    """Fleiss' kappa for each row of summed `fleiss_unit_rows` (NaN where undefined)."""
    values, _ = _kappa_vector(np.atleast_2d(np.asarray(sums, dtype=float)), n_raters)
    return values


def _kappa_vector(sums: np.ndarray, n_raters: int) -> tuple[np.ndarray, np.ndarray]:
    units, agreeing, totals = sums[:, 0], sums[:, 1], sums[:, 2:]
    values = np.full(len(sums), np.nan)
    reasons = np.full(len(sums), "", dtype=object)
    if n_raters < 2:
        reasons[:] = "fewer than two annotators"
        return values, reasons
    few = units < 2
    reasons[few] = "fewer than two units that every annotator gave"
    with np.errstate(divide="ignore", invalid="ignore"):
        observed = agreeing / (units * n_raters * (n_raters - 1))
        shares = totals / (units * n_raters)[:, None]
        expected = (shares ** 2).sum(axis=1)
        flat = ~few & (expected >= 1 - 1e-12)
        reasons[flat] = "no variation: every annotator gave the same value on every unit"
        ok = ~few & ~flat
        values[ok] = (observed[ok] - expected[ok]) / (1 - expected[ok])
    return values, reasons


def _kappa_with_reason(sums: np.ndarray, n_raters: int) -> tuple[float, str]:
    values, reasons = _kappa_vector(sums, n_raters)
    return float(values[0]), str(reasons[0])
