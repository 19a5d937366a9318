"""Closed-form intervals (modelcard.evaluation.intervals) against statsmodels, scipy and sklearn.

Coverage itself is studied in benchmarks/coverage.py; here every formula is
checked against an independent implementation and the edge cases (n = 1,
rate 0 or 1, reference count 0) against their documented behaviour.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from modelcard.evaluation import intervals as I

scipy_stats = pytest.importorskip("scipy.stats")
special = pytest.importorskip("scipy.special")
proportion = pytest.importorskip("statsmodels.stats.proportion")

GRID = [(0, 1), (1, 1), (0, 5), (5, 5), (1, 5), (3, 7), (0, 30), (30, 30), (13, 40), (500, 1000), (1, 2000)]


# --------------------------------------------------------------------------
# t distribution


@pytest.mark.parametrize("df", [1, 2, 3, 4.5, 7, 10, 29, 100, 333.3, 1999, 2000, 2001, 10_000, 1e6, 1e9])
def test_t_quantiles_match_scipy(df):
    for p in (0.0005, 0.005, 0.025, 0.05, 0.3, 0.5, 0.7, 0.95, 0.975, 0.995, 0.9995):
        assert I.t_ppf(p, df) == pytest.approx(scipy_stats.t.ppf(p, df), rel=1e-10, abs=1e-12)
    for t in (-30.0, -2.5, -0.1, 0.0, 0.7, 2.0, 12.0):
        assert I.t_cdf(t, df) == pytest.approx(scipy_stats.t.cdf(t, df), rel=1e-10, abs=1e-14)


def test_betainc_matches_scipy():
    for a, b, x in [(0.5, 0.5, 0.3), (2, 3, 0.9), (50, 0.5, 0.99), (0.5, 800, 0.001), (10, 10, 0.5), (3, 1, 1e-6)]:
        assert I.betainc(a, b, x) == pytest.approx(special.betainc(a, b, x), rel=1e-11, abs=1e-15)
    assert I.betainc(2, 3, 0) == 0.0 and I.betainc(2, 3, 1) == 1.0
    with pytest.raises(ValueError):
        I.betainc(0, 1, 0.5)


def test_t_value_and_errors():
    assert I.t_value(0.95, 10) == pytest.approx(2.2281388519649385)
    with pytest.raises(ValueError):
        I.t_ppf(1.0, 3)
    with pytest.raises(ValueError):
        I.t_ppf(0.5, 0)
    with pytest.raises(ValueError):
        I.z_value(1.0)


# --------------------------------------------------------------------------
# rates


@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_wilson_matches_statsmodels(level):
    for k, n in GRID:
        ours = I.wilson(k, n, level)
        lo, hi = proportion.proportion_confint(k, n, alpha=1 - level, method="wilson")
        assert (ours.lower, ours.upper) == pytest.approx((lo, hi), abs=1e-12)
        assert ours.method == "wilson" and ours.level == level


def test_wilson_never_collapses():
    for k, n in GRID:
        ci = I.wilson(k, n)
        assert ci.upper - ci.lower > 0.0
        assert ci.lower <= k / n <= ci.upper
    assert I.wilson(0, 5).lower == 0.0 and I.wilson(5, 5).upper == 1.0
    assert not I.wilson(0, 0) and "n = 0" in I.wilson(0, 0).reason
    with pytest.raises(ValueError):
        I.wilson(3, 2)


def test_newcombe_matches_statsmodels():
    pairs = [(a, b) for a in GRID for b in GRID][::3]
    for (k1, n1), (k2, n2) in pairs:
        ours = I.rate_difference(k1, n1, k2, n2)
        lo, hi = proportion.confint_proportions_2indep(k1, n1, k2, n2, method="newcomb", compare="diff")
        assert (ours.lower, ours.upper) == pytest.approx((lo, hi), abs=1e-12), (k1, n1, k2, n2)
        assert ours.upper > ours.lower
        assert ours.lower <= k1 / n1 - k2 / n2 <= ours.upper
    both_zero = I.rate_difference(0, 5, 0, 7)
    assert both_zero.lower < 0 < both_zero.upper  # both rates 0: not a point
    assert I.rate_difference(1, 1, 0, 1).method == "newcombe"


KOOPMAN_GRID = [
    (3, 10, 5, 12),
    (30, 100, 45, 90),
    (1, 20, 7, 30),
    (17, 40, 9, 41),
    (250, 1000, 300, 1000),
    (2, 3, 1, 4),
    (0, 10, 3, 10),
]


def test_koopman_matches_statsmodels():
    for k1, n1, k2, n2 in KOOPMAN_GRID:
        ours = I.rate_ratio(k1, n1, k2, n2, method="koopman")
        lo, hi = proportion.confint_proportions_2indep(
            k1, n1, k2, n2, method="score", compare="ratio", correction=False
        )
        assert ours.upper == pytest.approx(float(np.real(hi)), rel=1e-8)
        if k1 > 0:
            assert ours.lower == pytest.approx(float(np.real(lo)), rel=1e-8)
        else:
            assert ours.lower == 0.0 and abs(lo) < 1e-12


def _koopman_statistic(x1, n1, x2, n2, theta):
    """Koopman's (1984) chi-square, written as in the paper (an independent form of the score statistic)."""
    N = n1 + n2
    a = N * theta
    b = -(theta * (n1 + x2) + x1 + n2)
    c = x1 + x2
    p2 = (-b - math.sqrt(b * b - 4 * a * c)) / (2 * a)
    p1 = theta * p2
    return (x1 - n1 * p1) ** 2 / (n1 * p1 * (1 - p1)) * (1 + n1 * (theta - p1) / (n2 * (1 - p1)))


def test_koopman_bounds_solve_the_score_equation():
    z2 = I.z_value(0.95) ** 2
    for k1, n1, k2, n2 in KOOPMAN_GRID + [(5, 10, 10, 10), (9, 10, 4, 10)]:  # p1 < 1: no boundary MLE
        ci = I.rate_ratio(k1, n1, k2, n2, method="koopman")
        for bound in (ci.lower, ci.upper):
            if 0 < bound < math.inf:
                assert _koopman_statistic(k1, n1, k2, n2, bound) == pytest.approx(z2, rel=1e-6)


def _donner_zou(p1, l1, u1, p2, l2, u2):
    """MOVER-R as printed in Donner & Zou (2012), for the cases where its denominators are positive."""
    lower = (p1 * p2 - math.sqrt((p1 * p2) ** 2 - l1 * u2 * (2 * p1 - l1) * (2 * p2 - u2))) / (u2 * (2 * p2 - u2))
    upper = (p1 * p2 + math.sqrt((p1 * p2) ** 2 - u1 * l2 * (2 * p1 - u1) * (2 * p2 - l2))) / (l2 * (2 * p2 - l2))
    return lower, upper


def test_mover_wilson_ratio_matches_donner_zou():
    for k1, n1, k2, n2 in [(30, 100, 45, 90), (17, 40, 9, 41), (250, 1000, 300, 1000), (8, 10, 9, 10)]:
        w1, w2 = I.wilson(k1, n1), I.wilson(k2, n2)
        lo, hi = _donner_zou(k1 / n1, w1.lower, w1.upper, k2 / n2, w2.lower, w2.upper)
        ci = I.rate_ratio(k1, n1, k2, n2, method="mover-wilson")
        assert (ci.lower, ci.upper) == pytest.approx((lo, hi), rel=1e-10)


@pytest.mark.parametrize("method", ["koopman", "mover-wilson"])
def test_ratio_edge_cases(method):
    # reference rate 0: the point ratio is undefined, the interval is [L, +inf) and says so
    ci = I.rate_ratio(3, 10, 0, 12, method=method)
    assert 0 < ci.lower < math.inf and ci.upper == math.inf and "unbounded" in ci.note
    # both 0: nothing to say
    none = I.rate_ratio(0, 10, 0, 12, method=method)
    assert not none and "both rates are 0" in none.reason
    # group rate 0: lower bound 0, finite upper
    ci = I.rate_ratio(0, 10, 3, 10, method=method)
    assert ci.lower == 0.0 and 0 < ci.upper < math.inf
    # n = 1 and rates of 1: real intervals, containing the estimate
    for k1, n1, k2, n2 in [(1, 1, 1, 1), (1, 1, 1, 3), (5, 5, 5, 5), (1, 2, 1, 1)]:
        ci = I.rate_ratio(k1, n1, k2, n2, method=method)
        assert ci.lower < ci.upper and ci.contains((k1 / n1) / (k2 / n2))
    with pytest.raises(ValueError):
        I.rate_ratio(1, 2, 1, 2, method="wald")


def test_shares_and_counts():
    # conditional binomial: Wilson for k1 / (k1 + k2) mapped to the odds
    lo, hi = I.conditional_count_ratio_bounds(30, 20, 0.95)
    w = I.wilson(30, 50)
    assert (float(lo), float(hi)) == pytest.approx((w.lower / (1 - w.lower), w.upper / (1 - w.upper)))
    lo, hi = I.conditional_count_ratio_bounds(5, 0, 0.95)
    assert float(hi) == math.inf and float(lo) > 0
    # multinomial difference: contains the estimate, narrower than the independent (Newcombe) one when
    # the shares are negatively correlated? No: wider (the correlation is negative, so var adds up)
    lo, hi = I.dependent_share_difference_bounds(30, 20, 100, 0.95)
    ind = I.rate_difference(30, 100, 20, 100)
    assert lo < 0.1 < hi and (hi - lo) > (ind.upper - ind.lower)
    lo, hi = I.dependent_share_difference_bounds(0, 0, 10, 0.95)
    assert lo < 0 < hi


# --------------------------------------------------------------------------
# derived rates


def test_f1_interval():
    from sklearn.metrics import f1_score

    y = np.array([1, 1, 1, 0, 0, 0, 1, 0, 1, 1])
    p = np.array([1, 0, 1, 1, 0, 0, 1, 0, 0, 1])
    tp, fp, fn = int(((y == 1) & (p == 1)).sum()), int(((y == 0) & (p == 1)).sum()), int(((y == 1) & (p == 0)).sum())
    f1 = f1_score(y, p)
    lo, hi = I.f1_bounds(tp, fp, fn, 0.95)
    w = I.wilson(tp, tp + fp + fn)
    assert (float(lo), float(hi)) == pytest.approx((2 * w.lower / (1 + w.lower), 2 * w.upper / (1 + w.upper)))
    assert lo < f1 < hi
    lo, hi = I.f1_bounds(5, 0, 0, 0.95)  # perfect: F1 = 1, interval below 1
    assert float(lo) < 1 == float(hi)
    lo, hi = I.f1_bounds(0, 3, 2, 0.95)  # F1 = 0
    assert float(lo) == 0 < float(hi)
    assert np.isnan(I.f1_bounds(0, 0, 0, 0.95)[0])


def test_balanced_accuracy_interval():
    lo, hi = I.balanced_accuracy_bounds(8, 2, 30, 10, 0.95)
    value = (8 / 10 + 30 / 40) / 2
    assert lo < value < hi
    t, s = I.wilson(8, 10), I.wilson(30, 40)
    assert float(lo) == pytest.approx((0.8 + 0.75 - math.hypot(0.8 - t.lower, 0.75 - s.lower)) / 2)
    lo, hi = I.balanced_accuracy_bounds(1, 0, 1, 0, 0.95)  # n = 2, perfect
    assert 0 < float(lo) < 1 == float(hi)


# --------------------------------------------------------------------------
# AUC


def _delong_direct(pos_scores, neg_scores):
    """DeLong et al. (1988) by their definition: placement values over all pairs (O(n1 n0))."""
    x = np.asarray(pos_scores, float)[:, None]
    y = np.asarray(neg_scores, float)[None, :]
    psi = (x > y) + 0.5 * (x == y)
    auc = psi.mean()
    v10 = psi.mean(axis=1)
    v01 = psi.mean(axis=0)
    return auc, v10.var(ddof=1) / len(v10) + v01.var(ddof=1) / len(v01)


def _table(groups, scores, labels):
    """Per (group, distinct score) counts, sorted, as ScoreStats keeps them."""
    order = np.lexsort((scores, groups))
    g, s, y = groups[order], scores[order], labels[order]
    key_new = np.ones(len(g), bool)
    key_new[1:] = (g[1:] != g[:-1]) | (s[1:] != s[:-1])
    starts = np.flatnonzero(key_new)
    pos = np.add.reduceat(y, starts)
    tot = np.add.reduceat(np.ones_like(y), starts)
    return g[starts], tot - pos, pos


def test_auc_and_delong_variance_match_independent_implementations():
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    n = 900
    groups = rng.integers(0, 3, n)
    labels = rng.integers(0, 2, n)
    scores = np.round(rng.normal(size=n) + labels * (0.5 + groups * 0.4), 1)  # many ties
    g, neg, pos = _table(groups, scores, labels)
    parts = I.auc_parts(g, neg, pos, 3)
    for k in range(3):
        m = groups == k
        assert parts.auc[k] == pytest.approx(roc_auc_score(labels[m], scores[m]), abs=1e-12)
        auc, var = _delong_direct(scores[m & (labels == 1)], scores[m & (labels == 0)])
        assert parts.auc[k] == pytest.approx(auc, abs=1e-12)
        assert parts.delong_var[k] == pytest.approx(var, rel=1e-9)
        assert parts.positives[k] == labels[m].sum() and parts.negatives[k] == (1 - labels[m]).sum()


def test_auc_edge_cases():
    # one positive, one negative; perfectly separated; one class missing; an empty group
    g = np.array([0, 0, 1, 1, 2])
    neg = np.array([1, 0, 3, 0, 4])
    pos = np.array([0, 1, 0, 2, 0])
    parts = I.auc_parts(g, neg, pos, 4)
    assert list(parts.auc[:2]) == [1.0, 1.0] and np.isnan(parts.auc[2]) and np.isnan(parts.auc[3])
    assert np.isnan(parts.delong_var[0])  # n1 = n0 = 1: DeLong's variance undefined
    assert parts.delong_var[1] == 0.0  # separated: DeLong's variance is 0 -> Wald collapses
    lo, hi = I.auc_bounds(parts, 0.95)  # the default score interval does not collapse
    assert 0 < lo[0] < hi[0] == 1.0 and 0 < lo[1] < hi[1] == 1.0
    assert np.isnan(lo[2]) and np.isnan(lo[3])
    dlo, dhi = I.auc_bounds(parts, 0.95, "delong")
    assert np.isnan(dlo[0]) and dlo[1] == dhi[1] == 1.0
    with pytest.raises(ValueError):
        I.auc_bounds(parts, 0.95, "bootstrap")


def test_hanley_mcneil_score_solves_its_equation():
    z = I.z_value(0.95)
    for auc, n1, n0 in [(0.8, 30, 70), (0.55, 5, 9), (0.97, 200, 800), (0.3, 12, 12)]:
        lo, hi = I.hanley_mcneil_score_bounds(auc, n1, n0, 0.95)
        N = (n1 + n0) / 2
        for theta in (float(lo), float(hi)):
            v = (
                theta
                * (1 - theta)
                / (n1 * n0)
                * (1 + (N - 1) * (1 - theta) / (2 - theta) + (N - 1) * theta / (1 + theta))
            )
            assert (auc - theta) ** 2 == pytest.approx(z * z * v, rel=1e-8)
        assert lo < auc < hi
    # Hanley & McNeil's variance for the same inputs as their formula with Q1, Q2
    a, n1, n0 = 0.8, 30, 70
    q1, q2 = a / (2 - a), 2 * a * a / (1 + a)
    hm = (a * (1 - a) + (n1 - 1) * (q1 - a * a) + (n0 - 1) * (q2 - a * a)) / (n1 * n0)
    assert float(I.hanley_mcneil_variance(a, n1, n0)) == pytest.approx(hm)


# --------------------------------------------------------------------------
# means


def test_t_and_welch_match_scipy():
    rng = np.random.default_rng(1)
    a, b = rng.normal(0, 1, 12), rng.normal(0.5, 2, 7)
    lo, hi = I.t_mean_bounds(a.mean(), a.std(ddof=1), a.size, 0.95)
    ref = scipy_stats.t.interval(0.95, a.size - 1, loc=a.mean(), scale=scipy_stats.sem(a))
    assert (float(lo), float(hi)) == pytest.approx(ref, rel=1e-10)
    lo, hi = I.welch_bounds(a.mean(), a.std(ddof=1), a.size, b.mean(), b.std(ddof=1), b.size, 0.9)
    ref = scipy_stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.9)
    assert (float(lo), float(hi)) == pytest.approx((ref.low, ref.high), rel=1e-9)


def test_mean_interval_edge_cases():
    assert not I.mean_interval(1.0, math.nan, 1) and "n = 1" in I.mean_interval(1.0, 0.0, 1).reason
    assert "sample variance 0" in I.mean_interval(1.0, 0.0, 5).reason
    ci = I.mean_interval(1.0, 0.5, 5)
    assert ci.method == "t" and ci.lower < 1 < ci.upper
    # Brier: n = 1 and equal losses fall back to the Wilson bound, which never collapses
    for mean, sd, n in [(0.0, 0.0, 1), (0.25, 0.0, 1), (0.0, 0.0, 40), (0.09, 0.0, 3)]:
        ci = I.bounded_mean_interval(mean, sd, n)
        assert ci.method == "wilson-bound" and ci.lower <= mean <= ci.upper and ci.upper > ci.lower
    ci = I.bounded_mean_interval(0.2, 0.1, 50)
    assert ci.method == "t"
    assert I.bounded_mean_interval(0.2, 0.1, 50, use_t=False).method == "wilson-bound"
    lo, hi = I.log_t_mean_bounds(2.0, 1.0, 10, 0.95)
    half = I.t_value(0.95, 9) * 1.0 / (2.0 * math.sqrt(10))
    assert (float(lo), float(hi)) == pytest.approx((2 * math.exp(-half), 2 * math.exp(half)))
    assert np.isnan(I.log_t_mean_bounds(0.0, 0.0, 10, 0.95)[0])


def test_interval_type():
    with pytest.raises(ValueError):
        I.Interval(0.3, 0.2, 0.95, "x")
    with pytest.raises(ValueError):
        I.Interval(math.nan, 0.2, 0.95, "x")
    with pytest.raises(ValueError):
        I.Interval(0.1, 0.2, 1.5, "x")
    ci = I.Interval(0.1, math.inf, 0.95, "koopman")
    assert not ci.bounded and ci.contains(5.0) and not ci.contains(0.0)
    assert not I.NoInterval("because", "t", 0.95)
