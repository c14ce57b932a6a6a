"""Percentile bootstrap intervals over units, and the `Undefined` signal a figure raises.

Every agreement figure is computed over units (the columns of an annotator x unit matrix), so an interval comes
from resampling columns with replacement. Two paths share one stream of resampled column indices, so for the
same seed they give the same interval:

* `bootstrap_ci` calls any figure function once per resample: simple, and right for figures that are not sums.
* `bootstrap_sums` is the fast path for figures that are functions of per-unit sums (agreeing pairs, confusion
  and coincidence matrices): a resample is then a weighted sum of per-unit rows, so a thousand resamples cost a
  few matrix products instead of a thousand calls.
"""

from __future__ import annotations

from typing import Callable, Iterator

import numpy as np
import scipy.sparse as sp


class Undefined(ValueError):
    """A figure cannot be computed on this data (too few annotators or units, no variation).

    The message is the reason reports show in place of the number. Bootstrap resamples that raise it are skipped.
    """


# A resample is kept only when its figure is defined; below this share of defined resamples the interval would
# describe a different population than the figure (e.g. only the resamples that happened to catch a rare label).
MIN_DEFINED_SHARE = 0.5

# Index arrays are drawn in blocks of about this many entries, bounding memory whatever the number of units.
_BLOCK_ENTRIES = 2_000_000


def resample_blocks(n_units: int, n: int, seed: int) -> Iterator[np.ndarray]:
    """Yield (b, n_units) arrays of column indices, n rows in all, from one seeded stream.

    Both bootstrap paths draw through here, so equal seeds mean equal resamples.
    """
    if n_units < 1:
        raise ValueError("cannot resample an empty set of units")
    if n < 1:
        raise ValueError(f"the number of resamples must be positive, got {n}")
    rng = np.random.default_rng(seed)
    rows = max(1, _BLOCK_ENTRIES // n_units)
    done = 0
    while done < n:
        b = min(rows, n - done)
        yield rng.integers(0, n_units, size=(b, n_units))
        done += b


def percentile_interval(values: np.ndarray, n: int, level: float = 0.95) -> tuple[float, float] | None:
    """The percentile interval of the defined (finite) resampled values, or None when too few are defined."""
    if not 0 < level < 1:
        raise ValueError(f"the confidence level must lie strictly between 0 and 1, got {level}")
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if len(values) < 2 or len(values) < MIN_DEFINED_SHARE * n:
        return None
    tail = (1 - level) / 2 * 100
    lo, hi = np.percentile(values, [tail, 100 - tail])
    return float(lo), float(hi)


def bootstrap_ci(stat_fn: Callable[[np.ndarray], float], matrix: np.ndarray, n: int = 1000, seed: int = 0,
                 level: float = 0.95) -> tuple[float, float] | None:
    """Percentile bootstrap interval of `stat_fn` over the units (columns) of an annotator x unit matrix.

    Resamples on which `stat_fn` raises `Undefined` (or returns None or NaN) are skipped; when fewer than half of
    the resamples are defined the interval is None.

    >>> m = np.array([[1, 0, 1, 1, 0, 1, 0, 0], [1, 0, 1, 0, 0, 1, 0, 1]], dtype=float)
    >>> lo, hi = bootstrap_ci(lambda x: float(np.mean(x[0] == x[1])), m, n=200, seed=1)
    >>> 0 <= lo <= 0.75 <= hi <= 1
    True
    """
    matrix = np.asarray(matrix, dtype=float)
    if matrix.ndim != 2:
        raise ValueError(f"expected an annotator x unit matrix, got {matrix.ndim} dimensions")
    values = np.full(n, np.nan)
    row = 0
    for block in resample_blocks(matrix.shape[1], n, seed):
        for idx in block:
            try:
                value = stat_fn(matrix[:, idx])
            except Undefined:
                value = None
            values[row] = np.nan if value is None else value
            row += 1
    return percentile_interval(values, n, level)


def bootstrap_sums(unit_rows: np.ndarray, n: int = 1000, seed: int = 0, groups: np.ndarray | None = None
                   ) -> np.ndarray:
    """Column sums of per-unit rows for each of n resamples of the units: an (n, k) array.

    Without `groups`, `unit_rows` has one row per unit and units with equal rows are merged first. With
    `groups` (one entry per unit), `unit_rows` holds one row per group and `groups[u]` names the row of unit u;
    callers that know which units are alike (equal value codes) pass it and skip the merge; sparse rows (a
    scipy matrix, for wide statistics such as every pair's confusion cells) need it. Either way each
    resample only counts how often each distinct row was drawn, and the draws are exactly those `bootstrap_ci`
    makes with the same seed and number of units.
    """
    sparse = sp.issparse(unit_rows)
    if not sparse:
        unit_rows = np.asarray(unit_rows, dtype=float)
    if unit_rows.ndim != 2:
        raise ValueError("expected a units x statistics array")
    if sparse and groups is None:
        raise ValueError("sparse rows need their groups (equal rows are not merged)")
    if groups is None:
        distinct, pattern = np.unique(unit_rows, axis=0, return_inverse=True)
    else:
        distinct, pattern = unit_rows, np.asarray(groups)
        if pattern.size and (pattern.min() < 0 or pattern.max() >= distinct.shape[0]):
            raise ValueError("groups must index the rows of unit_rows")
    pattern = pattern.reshape(-1)
    n_units = len(pattern)
    n_patterns = distinct.shape[0]
    out = np.empty((n, unit_rows.shape[1]))
    row = 0
    for block in resample_blocks(n_units, n, seed):
        b = len(block)
        flat = (np.arange(b)[:, None] * n_patterns + pattern[block]).ravel()
        counts = np.bincount(flat, minlength=b * n_patterns).reshape(b, n_patterns)
        out[row:row + b] = (distinct.T @ counts.T).T if sparse else counts @ distinct
        row += b
    return out


def unit_groups(*codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group units (columns) whose integer codes agree in every given matrix.

    Returns the first column of each group and, per unit, its group: per-unit rows then need building only for
    the representatives, which is what makes a million label decisions cheap (a few hundred distinct patterns).
    """
    stacked = np.vstack([np.atleast_2d(c) for c in codes]).T
    if stacked.shape[0] == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    small = stacked.astype(np.int16 if stacked.max() < 2**15 else np.int64)
    _, first, inverse = np.unique(small, axis=0, return_index=True, return_inverse=True)
    return first, inverse.reshape(-1)
