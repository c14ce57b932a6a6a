"""The percentile bootstrap over units: seeded, skips undefined resamples, fast path equal to the plain one."""

import numpy as np
import pytest

from annotator.core.stats import bootstrap
from annotator.core.stats.coefficients import (
    agreement_rows, alpha_from, coincidence_rows, encode, krippendorff_alpha, percent_agreement, percent_from,
    value_counts,
)
from annotator.core.stats.bootstrap import (
    Undefined, bootstrap_ci, bootstrap_sums, percentile_interval, resample_blocks,
)


def matrix(seed=0, units=60):
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 2, units)
    m = np.where(rng.random((3, units)) < 0.8, truth, 1 - truth).astype(float)
    m[rng.random(m.shape) < 0.1] = np.nan
    return m


def test_seeded_and_reproducible():
    m = matrix()
    one = bootstrap_ci(percent_agreement, m, n=300, seed=4)
    assert one == bootstrap_ci(percent_agreement, m, n=300, seed=4)
    assert one != bootstrap_ci(percent_agreement, m, n=300, seed=5)
    lo, hi = one
    assert lo <= percent_agreement(m) <= hi


def test_interval_matches_resampling_by_hand():
    m = matrix(1)
    rng = np.random.default_rng(3)
    idx = rng.integers(0, m.shape[1], size=(200, m.shape[1]))
    values = [percent_agreement(m[:, row]) for row in idx]
    expected = np.percentile(values, [2.5, 97.5])
    assert bootstrap_ci(percent_agreement, m, n=200, seed=3) == pytest.approx(tuple(expected))


def test_fast_sums_give_the_same_interval(monkeypatch):
    m = matrix(2, units=80)
    codes, dom = encode(m)
    counts = value_counts(codes, len(dom))
    rows = np.hstack([agreement_rows(counts), coincidence_rows(counts)])
    for block in (2_000_000, 500):  # also across several index blocks
        monkeypatch.setattr(bootstrap, "_BLOCK_ENTRIES", block)
        sums = bootstrap_sums(rows, n=250, seed=6)
        pa = percentile_interval(percent_from(sums[:, :2])[0], 250)
        alpha = percentile_interval(alpha_from(sums[:, 2:])[0], 250)
        assert pa == pytest.approx(bootstrap_ci(percent_agreement, m, n=250, seed=6), abs=1e-12)
        assert alpha == pytest.approx(bootstrap_ci(krippendorff_alpha, m, n=250, seed=6), abs=1e-9)


def test_undefined_resamples_are_skipped_and_too_few_give_none():
    m = np.zeros((2, 30))
    m[0, 0] = 1.0

    def needs_unit_zero_twice(x):
        if (x[0] == 1).sum() < 2:
            raise Undefined("unit 0 drawn fewer than twice")
        return 1.0

    assert bootstrap_ci(needs_unit_zero_twice, m, n=400, seed=0) is None  # P(two or more draws) is about 0.26

    def needs_unit_zero(x):
        if (x[0] == 1).sum() < 1:
            raise Undefined("unit 0 not drawn")
        return float((x[0] == 1).sum())

    lo, hi = bootstrap_ci(needs_unit_zero, m, n=400, seed=0)  # P(drawn) is about 0.64
    assert 1.0 <= lo <= hi
    assert bootstrap_ci(lambda x: None, m, n=50) is None


def test_bad_arguments():
    with pytest.raises(ValueError, match="level"):
        percentile_interval(np.arange(10.0), 10, level=1.5)
    with pytest.raises(ValueError, match="positive"):
        next(resample_blocks(5, 0, 0))
    with pytest.raises(ValueError, match="empty"):
        next(resample_blocks(0, 10, 0))
    with pytest.raises(ValueError, match="matrix"):
        bootstrap_ci(percent_agreement, np.ones(5))
