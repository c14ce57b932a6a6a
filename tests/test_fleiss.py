"""Fleiss' kappa against published worked examples and against its own per-unit-sum form."""

import numpy as np
import pytest

from annotator.core.stats.bootstrap import Undefined
from annotator.core.stats.fleiss import fleiss_from_sums, fleiss_kappa, fleiss_kappa_counts, fleiss_unit_rows

# Fleiss (1971), 30 patients each diagnosed by 6 psychiatrists into 5 categories (1 depression, 2 personality
# disorder, 3 schizophrenia, 4 neurosis, 5 other); the `diagnoses` data of R's irr package, one row a patient.
DIAGNOSES = np.array([
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5], [2, 2, 2, 4, 4, 4],
    [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4], [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5],
    [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4], [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5],
    [3, 3, 3, 3, 3, 5], [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4], [1, 4, 4, 4, 4, 5],
    [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4], [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
], dtype=float)

# Wikipedia, "Fleiss' kappa", worked example: 10 subjects, 14 raters, 5 categories; P-bar 0.378, P-e 0.213.
WIKIPEDIA = np.array([
    [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
])


def test_fleiss_1971_psychiatric_diagnoses():
    counts = np.stack([(DIAGNOSES == c).sum(axis=1) for c in range(1, 6)], axis=1)
    assert counts.sum(axis=0).tolist() == [26, 26, 30, 55, 43]  # the table's category totals
    assert fleiss_kappa(DIAGNOSES.T) == pytest.approx(0.4302445, abs=1e-7)
    assert fleiss_kappa_counts(counts) == pytest.approx(0.4302445, abs=1e-7)


def test_wikipedia_example():
    assert fleiss_kappa_counts(WIKIPEDIA) == pytest.approx(0.20993, abs=1e-5)
    assert round(fleiss_kappa_counts(WIKIPEDIA), 3) == 0.210


def test_units_someone_missed_are_left_out():
    m = DIAGNOSES.T.copy()
    extra = np.array([[1.0], [np.nan], [2.0], [2.0], [2.0], [2.0]])
    assert fleiss_kappa(np.hstack([m, extra])) == pytest.approx(fleiss_kappa(m), abs=1e-12)


def test_per_unit_sums_match_for_any_multiset_of_units():
    rng = np.random.default_rng(5)
    counts = np.stack([(DIAGNOSES == c).sum(axis=1) for c in range(1, 6)], axis=1).astype(float)
    rows = fleiss_unit_rows(counts, 6)
    for _ in range(20):
        pick = rng.integers(0, 30, size=30)
        assert fleiss_from_sums(rows[pick].sum(axis=0), 6)[0] == pytest.approx(
            fleiss_kappa_counts(counts[pick]), abs=1e-12)


def test_two_raters_binary_hand_worked():
    # units: (1,1), (0,0), (1,0), (0,0): P-bar = (1 + 1 + 0 + 1) / 4 = 0.75; p = (3/8, 5/8); P-e = 34/64
    m = np.array([[1, 0, 1, 0], [1, 0, 0, 0]], dtype=float)
    assert fleiss_kappa(m) == pytest.approx((0.75 - 34 / 64) / (1 - 34 / 64))


def test_undefined_cases_say_why():
    with pytest.raises(Undefined, match="fewer than two annotators"):
        fleiss_kappa(np.array([[1.0, 2.0, 1.0]]))
    with pytest.raises(Undefined, match="every annotator gave"):
        fleiss_kappa(np.array([[1.0, np.nan, 2.0], [1.0, 2.0, np.nan]]))
    with pytest.raises(Undefined, match="no variation"):
        fleiss_kappa(np.ones((3, 5)))


def test_bad_input_is_a_value_error():
    with pytest.raises(ValueError, match="same number of raters"):
        fleiss_kappa_counts([[1, 2], [2, 2]])
    with pytest.raises(ValueError, match="dimensions"):
        fleiss_kappa(np.ones(4))
    with pytest.raises(ValueError, match="negative"):
        fleiss_kappa_counts([[3, -1], [1, 1]])
