"""MASI distance between label sets, and Krippendorff's alpha with it: agreement on whole multi-choice answers.

A multi-choice answer is a set of labels; two sets that overlap should count as closer than two that share
nothing. Passonneau's MASI (Measuring Agreement on Set-valued Items) gives that partial credit.
"""

from __future__ import annotations

from typing import Hashable, Iterable, Sequence

import numpy as np

from .bootstrap import Undefined
from .coefficients import FEW_ANNOTATORS, alpha_from_parts, value_counts


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


def masi_distances(domain: Sequence[frozenset]) -> np.ndarray:
    """The MASI distance between every two label sets of a domain."""
    d = np.zeros((len(domain), len(domain)))
    for i, a in enumerate(domain):
        for j in range(i + 1, len(domain)):
            d[i, j] = d[j, i] = masi_distance(a, domain[j])
    return d


def masi_alpha(sets: Sequence[Sequence[Iterable[Hashable] | None]]) -> float:
    """Krippendorff's alpha with the MASI distance, over an annotator x unit grid of label sets (None = missing).

    alpha = 1 - D_o / D_e over the pairable values (units with sets from two or more annotators). Hand-worked
    in the tests: sets ({x},{x}), ({x,y},{x}), ({},{y}) give 1 - (5/9) / (32/45) = 7/32.

    >>> round(masi_alpha([[{"x"}, {"x", "y"}, set()], [{"x"}, {"x"}, {"y"}]]), 5)
    0.21875
    """
    from .registry import masi_rows

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
    distances = masi_distances(list(distinct))
    sums = masi_rows(value_counts(codes, len(distinct)), distances).sum(axis=0, keepdims=True)
    n_c = sums[:, 2:]
    values, reasons = alpha_from_parts(sums[:, 0], sums[:, 1], ((n_c @ distances) * n_c).sum(axis=1),
                                       n_c.sum(axis=1))
    if not np.isfinite(values[0]):
        raise Undefined(str(reasons[0]))
    return float(values[0])
