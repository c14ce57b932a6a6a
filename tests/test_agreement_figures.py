"""The agreement coefficients: irrCAC's and other published outputs, hand-worked cases, and the libraries
(statsmodels, krippendorff, scikit-learn) on random complete and crowd-style incomplete designs."""

import itertools

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

from annotator.core.stats import coefficients as cf
from annotator.core.stats.bootstrap import Undefined
from annotator.core.stats.masi import masi_alpha, masi_distance

nan = np.nan

# irrCAC's cac.raw4raters (its README), raters as rows: no rater rated every unit.
RAW4 = np.array([
    [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, nan],
    [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 3],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
])
# irrCAC's cont3x3abstractors: two abstractors' 100 ratings as a contingency table.
CONT3x3 = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]
# irrCAC's distrib.6raters: per subject, how many of 6 raters chose each of 5 categories.
DIST6 = np.array([
    [0, 0, 0, 6, 0], [0, 3, 0, 0, 3], [0, 1, 4, 0, 1], [0, 0, 0, 0, 6], [0, 3, 0, 3, 0], [2, 0, 4, 0, 0],
    [0, 0, 4, 0, 2], [2, 0, 3, 1, 0], [2, 0, 0, 4, 0], [0, 0, 0, 0, 6], [1, 0, 0, 5, 0], [1, 1, 0, 4, 0],
    [0, 3, 3, 0, 0], [1, 0, 0, 5, 0], [0, 2, 0, 3, 1],
])
# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", 4 observers, 12 units.
KRIPPENDORFF_4x12 = np.array([
    [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
])
# Fleiss (1971), 30 patients each diagnosed by 6 psychiatrists into 5 categories (R irr's `diagnoses`).
DIAGNOSES = np.array([
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5], [2, 2, 2, 4, 4, 4],
    [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4], [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5],
    [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4], [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5],
    [3, 3, 3, 3, 3, 5], [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4], [1, 4, 4, 4, 4, 5],
    [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4], [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
], dtype=float).T


def from_counts(table):
    """A units x categories count table as a raters x units matrix (raters in category order per unit)."""
    table = np.asarray(table)
    return np.column_stack([np.repeat(np.arange(table.shape[1]), row) for row in table]).astype(float)


# --- published outputs -------------------------------------------------------------------------------------------

def test_irrcac_raw4raters_every_coefficient():
    assert np.array_equal(cf.IRRCAC_RAW4, RAW4, equal_nan=True)  # the docstrings' copy is the published data
    assert cf.percent_agreement(RAW4) == pytest.approx(0.8181818, abs=1e-7)
    assert cf.gwet_ac(RAW4) == pytest.approx(0.77544, abs=5e-6)
    assert cf.fleiss_kappa(RAW4) == pytest.approx(0.76117, abs=5e-6)
    assert cf.krippendorff_alpha(RAW4) == pytest.approx(0.74342, abs=5e-6)
    assert cf.conger_kappa(RAW4) == pytest.approx(0.76282, abs=5e-6)
    assert cf.brennan_prediger(RAW4) == pytest.approx(0.77273, abs=5e-6)


def test_irrcac_raw4raters_chance_terms():
    """irrCAC prints pe beside each coefficient: check them too, so the formula and not a coincidence matches."""
    codes, dom = cf.encode(RAW4)
    counts = cf.value_counts(codes, len(dom))
    agree, shares = cf.agreement_rows(counts).sum(axis=0), cf.share_rows(counts).sum(axis=0)
    pa = cf.percent_from(agree)[0][0]
    for value, pe in ((cf.gwet_from(agree, shares, np.eye(5))[0][0], 0.1903212),
                      (cf.fleiss_from(agree, shares, np.eye(5))[0][0], 0.2387153),
                      (cf.conger_from(agree, cf.rater_rows(codes, 5).sum(axis=0), np.eye(5))[0][0], 0.2334252)):
        assert (pa - value) / (1 - value) == pytest.approx(pe, abs=1e-7)


def test_irrcac_cont3x3abstractors():
    m = cf.table_to_matrix(CONT3x3)
    assert cf.cohen_kappa(m) == pytest.approx(0.7964094, abs=1e-7)
    assert cf.scott_pi(m) == pytest.approx(0.7962397, abs=1e-7)
    assert cf.gwet_ac(m) == pytest.approx(0.8493305, abs=1e-7)
    assert cf.brennan_prediger(m) == pytest.approx(0.835, abs=1e-9)
    assert cf.krippendorff_alpha(m) == pytest.approx(0.7972585, abs=1e-7)
    assert cf.percent_agreement(m) == pytest.approx(0.89, abs=1e-12)
    assert cf.conger_kappa(m) == pytest.approx(0.7964094, abs=1e-7)  # Conger's kappa is Cohen's for two


def test_irrcac_distrib_6raters():
    m = from_counts(DIST6)
    assert cf.gwet_ac(m) == pytest.approx(0.4448007, abs=1e-7)
    assert cf.fleiss_kappa(m) == pytest.approx(0.4139265, abs=1e-7)
    assert cf.krippendorff_alpha(m) == pytest.approx(0.4204384, abs=1e-7)
    assert cf.brennan_prediger(m) == pytest.approx(0.4388889, abs=1e-7)


def test_fleiss_1971_and_krippendorff_2011():
    assert cf.fleiss_kappa(DIAGNOSES) == pytest.approx(0.4302445, abs=1e-7)
    assert round(cf.krippendorff_alpha(KRIPPENDORFF_4x12, "nominal"), 3) == 0.743
    assert round(cf.krippendorff_alpha(KRIPPENDORFF_4x12, "ordinal"), 3) == 0.815
    assert round(cf.krippendorff_alpha(KRIPPENDORFF_4x12, "interval"), 3) == 0.849


def test_cohen_textbook_and_sas_weighted():
    # Wikipedia, "Cohen's kappa": 20 yes-yes, 5 yes-no, 10 no-yes, 15 no-no; SAS PROC FREQ's 3x3 example.
    assert cf.cohen_kappa(cf.table_to_matrix([[15, 10], [5, 20]])) == pytest.approx(0.4)
    sas = cf.table_to_matrix([[0, 4, 1], [0, 8, 0], [0, 1, 5]])
    assert cf.cohen_kappa(sas) == pytest.approx(0.4842, abs=1e-4)
    assert cf.cohen_kappa(sas, "linear") == pytest.approx(0.4701, abs=1e-4)


def test_percent_agreement_is_per_unit_not_pooled():
    # Units with 3, 3 and 2 ratings: pooled pairs give 5/7, per-unit shares (1 + 1/3 + 1) / 3 = 7/9.
    m = np.array([[1, 1, 0], [1, 0, 0], [1, 1, nan]])
    assert cf.percent_agreement(m) == pytest.approx(7 / 9)


# --- MASI ---------------------------------------------------------------------------------------------------------

def test_masi_distance_levels():
    assert masi_distance(set(), set()) == 0
    assert masi_distance({"a", "b"}, {"a"}) == pytest.approx(1 - 0.5 * 2 / 3)
    assert masi_distance({"a", "b"}, {"b", "c"}) == pytest.approx(1 - (1 / 3) * (1 / 3))
    assert masi_distance({"a"}, {"b"}) == 1


def test_masi_alpha_hand_worked_and_missing():
    # Units ({x},{x}), ({x,y},{x}), ({},{y}): D_o = 5/9, D_e = 32/45, alpha = 7/32.
    assert masi_alpha([[{"x"}, {"x", "y"}, set()], [{"x"}, {"x"}, {"y"}]]) == pytest.approx(7 / 32, abs=1e-12)
    assert masi_alpha([[{"x"}, {"x", "y"}, set(), None], [{"x"}, {"x"}, {"y"}, {"x"}]]) == \
        pytest.approx(7 / 32, abs=1e-12)
    with pytest.raises(Undefined, match="two units"):
        masi_alpha([[{"x"}, None], [{"y"}, {"x"}]])


# --- the libraries on random data ----------------------------------------------------------------------------------

def complete(rng, raters, units, q, agree=0.6):
    truth = rng.integers(0, q, units)
    m = np.where(rng.random((raters, units)) < agree, truth, rng.integers(0, q, (raters, units)))
    return m.astype(float)


def crowd(rng, workers, units, per_unit, q, agree=0.6):
    """Each unit rated by `per_unit` of `workers`, chosen at random: the design of Snow et al. (2008)."""
    m = np.full((workers, units), nan)
    full = complete(rng, workers, units, q, agree)
    for u in range(units):
        who = rng.choice(workers, per_unit, replace=False)
        m[who, u] = full[who, u]
    return m


def counts_of(m, q):
    codes, _ = cf.encode(m, np.arange(q))
    return cf.value_counts(codes, q)


@pytest.mark.parametrize("seed", range(8))
def test_complete_designs_against_the_libraries(seed):
    rng = np.random.default_rng(seed)
    q = 2 + seed % 4
    m = complete(rng, 2 + seed % 4, 60, q)
    table = counts_of(m, q)
    cats = np.arange(q)
    assert cf.fleiss_kappa(m, cats) == pytest.approx(sm_fleiss(table, method="fleiss"), abs=1e-9)
    assert cf.brennan_prediger(m, categories=cats) == pytest.approx(sm_fleiss(table, method="randolph"), abs=1e-9)
    for level in ("nominal", "ordinal", "interval"):
        assert cf.krippendorff_alpha(m, level, cats) == pytest.approx(
            krippendorff.alpha(m, level_of_measurement=level, value_domain=cats), abs=1e-9)
    conf = cf.all_pair_confusions(cf.encode(m, cats)[0], q)
    for i, j in itertools.combinations(range(m.shape[0]), 2):
        for weights, sk in (("identity", None), ("linear", "linear"), ("quadratic", "quadratic")):
            ours = cf.kappa_from_confusions(conf[i, j], cf.weight_matrix(q, weights))[0]
            assert float(ours) == pytest.approx(cohen_kappa_score(m[i], m[j], labels=cats, weights=sk), abs=1e-9)
    if m.shape[0] == 2:
        assert cf.scott_pi(m, cats) == pytest.approx(sm_fleiss(table), abs=1e-9)
        assert cf.conger_kappa(m, cats) == pytest.approx(cohen_kappa_score(m[0], m[1]), abs=1e-9)


@pytest.mark.parametrize("seed", range(6))
def test_crowd_designs_against_the_libraries(seed):
    rng = np.random.default_rng(100 + seed)
    q = 2 + seed % 3
    m = crowd(rng, workers=40, units=150, per_unit=5, q=q)
    cats = np.arange(q)
    # every unit has the same number of ratings: the generalised Fleiss' kappa is the classical one
    assert cf.fleiss_kappa(m, cats) == pytest.approx(sm_fleiss(counts_of(m, q)), abs=1e-9)
    assert cf.brennan_prediger(m, categories=cats) == pytest.approx(
        sm_fleiss(counts_of(m, q), method="randolph"), abs=1e-9)
    for level in ("nominal", "ordinal", "interval"):
        assert cf.krippendorff_alpha(m, level, cats) == pytest.approx(
            krippendorff.alpha(m, level_of_measurement=level, value_domain=cats), abs=1e-9)
    # and with a few ratings dropped (units of 2..5 ratings), alpha still agrees with the library
    m[rng.random(m.shape) < 0.15] = nan
    assert cf.krippendorff_alpha(m, "nominal", cats) == pytest.approx(
        krippendorff.alpha(m, level_of_measurement="nominal", value_domain=cats), abs=1e-9)


def reference_gwet(m, q, weights):
    """Gwet's AC1/AC2 written out unit by unit from Gwet (2014), chapter 2, independent of the vector form."""
    w = cf.weight_matrix(q, weights)
    pa_units, pi = [], np.zeros(q)
    rated = 0
    for u in range(m.shape[1]):
        vals = m[~np.isnan(m[:, u]), u].astype(int)
        if len(vals) == 0:
            continue
        rated += 1
        r = np.bincount(vals, minlength=q)
        pi += r / len(vals)
        if len(vals) >= 2:
            pa_units.append(sum(r[k] * (w[k] @ r - 1) for k in range(q)) / (len(vals) * (len(vals) - 1)))
    pi /= rated
    pa = np.mean(pa_units)
    pe = w.sum() / (q * (q - 1)) * np.sum(pi * (1 - pi))
    return (pa - pe) / (1 - pe)


@pytest.mark.parametrize("seed", range(5))
def test_gwet_against_a_unit_by_unit_reference(seed):
    rng = np.random.default_rng(200 + seed)
    q = 3 + seed % 2
    m = crowd(rng, 20, 80, 4, q)
    m[rng.random(m.shape) < 0.1] = nan
    for weights in ("identity", "linear", "quadratic"):
        assert cf.gwet_ac(m, weights, np.arange(q)) == pytest.approx(reference_gwet(m, q, weights), abs=1e-12)


def test_unused_categories_keep_their_place():
    # Nobody used category 2 of 0..3: passing the scale keeps 1 and 3 two steps apart and q = 4 for AC1.
    m = np.array([[0, 1, 3, 3, 0, 1], [0, 3, 3, 1, 1, 1]], dtype=float)
    full = cf.cohen_kappa(m, "linear", [0, 1, 2, 3])
    assert full == pytest.approx(cohen_kappa_score(m[0], m[1], labels=[0, 1, 2, 3], weights="linear"))
    assert cf.brennan_prediger(m, categories=[0, 1, 2, 3]) != pytest.approx(cf.brennan_prediger(m))


# --- undefined and bad input ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("fn", [cf.percent_agreement, cf.fleiss_kappa, cf.krippendorff_alpha, cf.gwet_ac])
def test_one_annotator_is_undefined(fn):
    with pytest.raises(Undefined, match="fewer than two annotators"):
        fn(np.array([[1.0, 0.0, 1.0]]))


def test_no_variation_kappa_is_undefined_but_ac1_is_one():
    same = np.zeros((3, 6))
    with pytest.raises(Undefined, match="no variation"):
        cf.krippendorff_alpha(same, categories=[0, 1])
    with pytest.raises(Undefined, match="no variation"):
        cf.fleiss_kappa(same, categories=[0, 1])
    assert cf.gwet_ac(same, categories=[0, 1]) == 1.0  # the kappa paradox AC1 avoids
    with pytest.raises(Undefined, match="fewer than two units"):
        cf.fleiss_kappa(np.array([[1.0, nan], [0.0, 1.0]]))


def test_bad_input_raises_value_error():
    with pytest.raises(ValueError, match="dimension"):
        cf.percent_agreement(np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="finite"):
        cf.krippendorff_alpha(np.array([[1.0, np.inf], [1.0, 0.0]]))
    with pytest.raises(ValueError, match="level"):
        cf.krippendorff_alpha(np.ones((2, 3)), "ratio")
    with pytest.raises(ValueError, match="weights"):
        cf.weight_matrix(3, "cubic")
    with pytest.raises(ValueError, match="outside"):
        cf.encode(np.array([[1.0, 5.0]]), [1.0, 2.0])
