"""The agreement figures: published worked examples, hand-worked cases, and the libraries on random data."""

import itertools

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from annotator.core.stats.agreement import (
    alpha_from_coincidences, alpha_from_distance_sums, coincidence_rows, cohen_kappa_mean, cohen_kappa_pairs,
    confusion_rows, distance_rows, encode, kappa_from_confusions, krippendorff_alpha, masi_alpha,
    masi_distance, percent_agreement, value_counts,
)
from annotator.core.stats.bootstrap import Undefined

nan = np.nan

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", the 4-observer, 12-unit example.
KRIPPENDORFF_4x12 = np.array([
    [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
])
# The 3-coder, 15-unit example of the krippendorff package's documentation (nominal 0.691358).
THREE_CODERS = np.array([
    [nan, nan, nan, nan, nan, 3, 4, 1, 2, 1, 1, 3, 3, nan, 3],
    [1, nan, 2, 1, 3, 3, 4, 3, nan, nan, nan, nan, nan, nan, nan],
    [nan, nan, 2, 1, 3, 4, 4, nan, 2, 1, 1, 3, 3, nan, 4],
])


def random_matrix(rng, annotators, units, values, missing=0.2):
    m = rng.integers(0, values, size=(annotators, units)).astype(float)
    m[rng.random(m.shape) < missing] = nan
    return m


def from_table(table):
    """Two annotators' values from a confusion table (rows: first annotator)."""
    a, b = [], []
    for (i, j), count in np.ndenumerate(np.asarray(table)):
        a += [i] * count
        b += [j] * count
    return np.array([a, b], dtype=float)


# --- published examples ---------------------------------------------------------------------------------------

def test_krippendorff_published_example():
    assert round(krippendorff_alpha(KRIPPENDORFF_4x12, "nominal"), 3) == 0.743
    assert round(krippendorff_alpha(KRIPPENDORFF_4x12, "ordinal"), 3) == 0.815
    assert krippendorff_alpha(THREE_CODERS, "nominal") == pytest.approx(0.691358, abs=1e-6)


def test_krippendorff_coincidence_form_on_published_example():
    codes, dom = encode(KRIPPENDORFF_4x12)
    sums = coincidence_rows(value_counts(codes, len(dom))).sum(axis=0)
    assert round(alpha_from_coincidences(sums, "nominal")[0][0], 3) == 0.743
    assert round(alpha_from_coincidences(sums, "ordinal")[0][0], 3) == 0.815


def test_cohen_textbook_example():
    # Wikipedia, "Cohen's kappa": 50 proposals, 20 yes-yes, 5 yes-no, 10 no-yes, 15 no-no; p_o 0.7, p_e 0.5.
    m = from_table([[15, 10], [5, 20]])
    assert cohen_kappa_pairs(m)[0].kappa == pytest.approx(0.4)
    assert percent_agreement(m) == pytest.approx(0.7)


def test_cohen_sas_example_unweighted_and_linear():
    # SAS PROC FREQ's worked 3x3 example (also in statsmodels' tests): simple 0.4842, linear weighted 0.4701.
    m = from_table([[0, 4, 1], [0, 8, 0], [0, 1, 5]])
    assert cohen_kappa_pairs(m)[0].kappa == pytest.approx(0.4842, abs=1e-4)
    assert cohen_kappa_pairs(m, "linear", [0, 1, 2])[0].kappa == pytest.approx(0.4701, abs=1e-4)


# --- hand-worked cases ----------------------------------------------------------------------------------------

def test_masi_distance_levels():
    assert masi_distance(set(), set()) == 0
    assert masi_distance({"a"}, {"a"}) == 0
    assert masi_distance({"a", "b"}, {"a"}) == pytest.approx(1 - 0.5 * 2 / 3)
    assert masi_distance({"a", "b"}, {"b", "c"}) == pytest.approx(1 - (1 / 3) * (1 / 3))
    assert masi_distance({"a"}, {"b"}) == 1
    assert masi_distance(set(), {"b"}) == 1


def test_masi_alpha_hand_worked():
    # Units ({x},{x}), ({x,y},{x}), ({},{y}); six pairable values.
    # D_o = (2*0 + 2*(2/3) + 2*1) / 6 = 5/9.
    # D_e: unordered value pairs {x}-{x} 3x0, {x}-{x,y} 3x(2/3), {x}-{} 3x1, {x}-{y} 3x1, {x,y}-{} 1,
    #      {x,y}-{y} 2/3, {}-{y} 1: sum 32/3, ordered 64/3, over 6*5 -> 32/45.  alpha = 1 - (5/9)/(32/45) = 7/32.
    sets = [[{"x"}, {"x", "y"}, set()], [{"x"}, {"x"}, {"y"}]]
    assert masi_alpha(sets) == pytest.approx(7 / 32, abs=1e-12)


def test_masi_alpha_skips_missing_and_needs_pairs():
    sets = [[{"x"}, {"x", "y"}, set(), None], [{"x"}, {"x"}, {"y"}, {"x"}]]
    assert masi_alpha(sets) == pytest.approx(7 / 32, abs=1e-12)
    with pytest.raises(Undefined, match="two units"):
        masi_alpha([[{"x"}, None], [{"y"}, {"x"}]])
    with pytest.raises(ValueError, match="one entry"):
        masi_alpha([[{"x"}], [{"y"}, {"x"}]])


def test_masi_with_equal_sets_only_differences_matches_nominal_alpha():
    rng = np.random.default_rng(11)
    codes_m = random_matrix(rng, 3, 60, 4)
    codes, dom = encode(codes_m)
    nominal = 1.0 - np.eye(len(dom))
    rows = distance_rows(value_counts(codes, len(dom)), nominal)
    value = alpha_from_distance_sums(rows.sum(axis=0), nominal)[0][0]
    assert value == pytest.approx(krippendorff.alpha(codes_m, level_of_measurement="nominal"), abs=1e-9)


def test_percent_agreement_counts_every_pair():
    m = np.array([[1, 1, 0, nan], [1, 0, 0, 1], [1, 1, 0, 1]])
    assert percent_agreement(m) == pytest.approx(8 / 10)


# --- the libraries on random data -------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(6))
def test_against_libraries_on_random_data(seed):
    rng = np.random.default_rng(seed)
    m = random_matrix(rng, 2 + seed % 3, 80, 2 + seed % 4)
    codes, dom = encode(m)
    counts = value_counts(codes, len(dom))
    for level in ("nominal", "ordinal"):
        expected = krippendorff.alpha(m, level_of_measurement=level)
        assert krippendorff_alpha(m, level) == pytest.approx(expected, abs=1e-9)
        fast = alpha_from_coincidences(coincidence_rows(counts).sum(axis=0), level)[0][0]
        assert fast == pytest.approx(expected, abs=1e-9)
    pairs = cohen_kappa_pairs(m)
    for pk, (i, j) in zip(pairs, itertools.combinations(range(m.shape[0]), 2)):
        both = ~np.isnan(m[i]) & ~np.isnan(m[j])
        assert pk.units == both.sum()
        assert pk.kappa == pytest.approx(cohen_kappa_score(m[i, both], m[j, both]), abs=1e-9)
        for weights in (None, "linear", "quadratic"):
            conf = confusion_rows(codes, i, j, len(dom)).sum(axis=0).reshape(len(dom), len(dom))
            fast = kappa_from_confusions(conf, weights)[0][0]
            ref = cohen_kappa_score(m[i, both], m[j, both], labels=list(dom), weights=weights)
            assert fast == pytest.approx(ref, abs=1e-9)
    assert cohen_kappa_mean(m) == pytest.approx(np.mean([p.kappa for p in pairs]), abs=1e-12)
    equal = total = 0
    for i, j in itertools.combinations(range(m.shape[0]), 2):
        both = ~np.isnan(m[i]) & ~np.isnan(m[j])
        equal += (m[i, both] == m[j, both]).sum()
        total += both.sum()
    assert percent_agreement(m) == pytest.approx(equal / total, abs=1e-12)


def test_linear_kappa_keeps_unused_middle_categories_in_place():
    # Nobody used category 2 of 0..3: the full scale must be passed so 1 and 3 stay two steps apart.
    m = np.array([[0, 1, 3, 3, 0, 1], [0, 3, 3, 1, 1, 1]], dtype=float)
    full = cohen_kappa_pairs(m, "linear", [0, 1, 2, 3])[0].kappa
    assert full == pytest.approx(cohen_kappa_score(m[0], m[1], labels=[0, 1, 2, 3], weights="linear"))
    assert full != pytest.approx(cohen_kappa_score(m[0], m[1], weights="linear"))


# --- undefined and bad input ------------------------------------------------------------------------------------

@pytest.mark.parametrize("fn", [percent_agreement, cohen_kappa_mean, krippendorff_alpha])
def test_one_annotator_is_undefined(fn):
    with pytest.raises(Undefined, match="fewer than two annotators"):
        fn(np.array([[1.0, 0.0, 1.0]]))


def test_no_variation_and_too_few_units_are_undefined_not_nan():
    same = np.ones((3, 6))
    with pytest.raises(Undefined, match="no variation"):
        krippendorff_alpha(same)
    with pytest.raises(Undefined, match="no pair"):
        cohen_kappa_mean(same)
    assert cohen_kappa_pairs(same)[0].kappa is None
    assert percent_agreement(same) == 1.0
    one_unit = np.array([[1.0, nan], [0.0, 1.0]])
    with pytest.raises(Undefined, match="fewer than two units"):
        percent_agreement(one_unit)
    with pytest.raises(Undefined, match="fewer than two units"):
        krippendorff_alpha(one_unit)
    assert cohen_kappa_pairs(one_unit)[0].reason.startswith("fewer than two units")


def test_bad_input_raises_value_error():
    with pytest.raises(ValueError, match="dimension"):
        percent_agreement(np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="finite"):
        krippendorff_alpha(np.array([[1.0, np.inf], [1.0, 0.0]]))
    with pytest.raises(ValueError, match="level"):
        krippendorff_alpha(np.ones((2, 3)), "interval")
    with pytest.raises(ValueError, match="weights"):
        cohen_kappa_pairs(np.ones((2, 3)), "cubic")
    with pytest.raises(ValueError, match="outside"):
        encode(np.array([[1.0, 5.0]]), [1.0, 2.0])
