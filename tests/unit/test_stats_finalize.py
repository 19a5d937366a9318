"""Sufficient statistics (modelcard.evaluation.stats) and the finaliser (.finalize) against fairlearn,
sklearn, statsmodels and scipy, on COMPAS and on synthetic data with the edge cases of issue 11.

Merge tests assert exact equality: statistics of the whole equal the sum of the statistics of any split.
"""

from __future__ import annotations

import math
import warnings
from functools import partial

import numpy as np
import pytest

from modelcard.evaluation import intervals as I
from modelcard.evaluation import stats as S
from modelcard.evaluation.finalize import (
    BINARY_METRICS,
    CONVENTIONS_TEXT,
    CRITERIA,
    finalize_binary,
    finalize_multiclass,
    finalize_regression,
)
from modelcard.schema.verdicts import Verdict, judge, judge_estimate

pd = pytest.importorskip("pandas")
fairlearn_metrics = pytest.importorskip("fairlearn.metrics")
skm = pytest.importorskip("sklearn.metrics")
proportion = pytest.importorskip("statsmodels.stats.proportion")
scipy_stats = pytest.importorskip("scipy.stats")

# --------------------------------------------------------------------------
# COMPAS


@pytest.fixture(scope="module")
def compas(compas_csv):
    df = pd.read_csv(compas_csv)
    df = df[
        (df.days_b_screening_arrest <= 30)
        & (df.days_b_screening_arrest >= -30)
        & (df.is_recid != -1)
        & (df.c_charge_degree != "O")
        & (df.score_text != "N/A")
    ].reset_index(drop=True)
    df["pred"] = (df.decile_score >= 5).astype(int)  # score_text Medium or High
    assert (df.pred == df.score_text.isin(["Medium", "High"]).astype(int)).all()
    df["score"] = df.decile_score / 10
    return df


@pytest.fixture(scope="module")
def compas_report(compas):
    g = {"race": compas.race.to_numpy(), "sex": compas.sex.to_numpy()}
    cs = S.ConfusionStats.from_arrays(compas.two_year_recid.to_numpy(), compas.pred.to_numpy(), g)
    ss = S.ScoreStats.from_arrays(compas.two_year_recid.to_numpy(), compas.score.to_numpy(), g)
    return finalize_binary(cs, ss, references={"race": "Caucasian"})


def _frame(df, by):
    y, p = df.two_year_recid, df.pred
    fm = fairlearn_metrics
    metrics = {
        "selection_rate": fm.selection_rate,
        "accuracy": skm.accuracy_score,
        "balanced_accuracy": skm.balanced_accuracy_score,
        "tpr": fm.true_positive_rate,
        "fnr": fm.false_negative_rate,
        "fpr": fm.false_positive_rate,
        "tnr": fm.true_negative_rate,
        "precision": partial(skm.precision_score, zero_division=np.nan),
        "f1": partial(skm.f1_score, zero_division=np.nan),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn on groups with one class or no positive predictions
        return fm.MetricFrame(metrics=metrics, y_true=y, y_pred=p, sensitive_features=df[list(by)])


def _key(index_value) -> tuple:
    return index_value if isinstance(index_value, tuple) else (index_value,)


@pytest.mark.parametrize("by", [("race",), ("sex",), ("race", "sex")])
def test_compas_metrics_match_fairlearn_and_sklearn(compas, compas_report, by):
    frame = _frame(compas, by)
    grouping = compas_report.grouping(by)
    assert [g.group for g in grouping.groups] == [_key(k) for k in frame.by_group.index]
    for idx, row in frame.by_group.iterrows():
        gr = grouping.group(_key(idx))
        for name, expected in row.items():
            if gr.metrics[name].value is None:  # sklearn/fairlearn fill 0 (or nan) where we say undefined
                # ... and sklearn's balanced accuracy of a one-class group is that class's recall
                assert gr.metrics[name].undefined_reason, (idx, name)
                assert expected == 0 or math.isnan(expected) or name == "balanced_accuracy", (idx, name)
                continue
            assert gr.metrics[name].value == pytest.approx(expected, abs=1e-12), (idx, name)
        sub = compas[(compas[list(by)] == pd.Series(_key(idx), index=list(by))).all(axis=1)]
        tn, fp, fn, tp = skm.confusion_matrix(sub.two_year_recid, sub.pred, labels=[0, 1]).ravel()
        assert gr.counts == (tn, fp, fn, tp) and gr.n == len(sub)
        m = gr.metrics
        assert m["base_rate"].value == pytest.approx(sub.two_year_recid.mean())
        for name, num, den in (("npv", tn, tn + fn), ("fdr", fp, fp + tp), ("for", fn, fn + tn)):
            if den == 0:
                assert m[name].value is None and "(T" in m[name].undefined_reason
            else:
                assert m[name].value == pytest.approx(num / den)
        assert m["ppr"].value == pytest.approx(sub.pred.sum() / compas.pred.sum())  # Aequitas' PPR
        if sub.two_year_recid.nunique() == 2:
            assert m["auc"].value == pytest.approx(skm.roc_auc_score(sub.two_year_recid, sub.score), abs=1e-12)
        assert m["brier"].value == pytest.approx(skm.brier_score_loss(sub.two_year_recid, sub.score), abs=1e-12)
        # every rate interval is statsmodels' Wilson interval
        for name in ("selection_rate", "tpr", "fpr", "precision", "accuracy"):
            est = m[name]
            if est.value is None:
                assert est.interval is None and est.n == 0
                continue
            k = round(est.value * est.n)
            lo, hi = proportion.proportion_confint(k, est.n, method="wilson")
            assert (est.interval.lower, est.interval.upper) == pytest.approx((lo, hi), abs=1e-12)
            assert est.interval.method == "wilson"


def test_compas_disparities(compas, compas_report):
    race = compas_report.grouping(("race",))
    assert race.reference_note == "reference group given by the user"
    c = race.comparison("fpr", ("African-American",))
    assert c.reference == ("Caucasian",)
    aa = compas[(compas.race == "African-American") & (compas.two_year_recid == 0)]
    ca = compas[(compas.race == "Caucasian") & (compas.two_year_recid == 0)]
    k1, n1, k2, n2 = int(aa.pred.sum()), len(aa), int(ca.pred.sum()), len(ca)
    assert c.difference.value == pytest.approx(k1 / n1 - k2 / n2)
    lo, hi = proportion.confint_proportions_2indep(k1, n1, k2, n2, method="newcomb", compare="diff")
    assert (c.difference.interval.lower, c.difference.interval.upper) == pytest.approx((lo, hi), abs=1e-12)
    assert c.difference.interval.method == "newcombe"
    assert c.ratio.value == pytest.approx((k1 / n1) / (k2 / n2))
    lo, hi = proportion.confint_proportions_2indep(k1, n1, k2, n2, method="score", compare="ratio", correction=False)
    assert (c.ratio.interval.lower, c.ratio.interval.upper) == pytest.approx((lo, hi), rel=1e-8)
    assert c.ratio.interval.method == "koopman"
    # conventions text for the methodology
    assert "group − reference" in CONVENTIONS_TEXT and "min / max" in CONVENTIONS_TEXT


@pytest.mark.parametrize("by", [("race",), ("sex",), ("race", "sex")])
def test_compas_spreads_and_criteria_match_fairlearn(compas, compas_report, by):
    """Spreads are over the groups whose value is defined; fairlearn counts an undefined rate as 0, so the
    comparison drops, for each metric, the groups where it is undefined (race × sex has one-class cells)."""
    fm = fairlearn_metrics
    grouping = compas_report.grouping(by)
    frame = _frame(compas, by)
    for name in frame.by_group.columns:
        values = {g.group: g.metrics[name].value for g in grouping.groups}
        kept = [v for k, v in frame.by_group[name].items() if values[_key(k)] is not None]
        s = grouping.spread(name)
        if name == "balanced_accuracy":
            kept = [v for v in values.values() if v is not None]  # sklearn scores one-class groups differently
        assert s.difference.value == pytest.approx(max(kept) - min(kept), abs=1e-12), name
        assert s.ratio.value == pytest.approx(min(kept) / max(kept), abs=1e-12), name
        assert s.difference.interval is not None and s.difference.interval.contains(s.difference.value)
        assert s.groups_compared == len(kept)
    # the named criteria: fairlearn's functions on the rows of the groups where the rates are defined
    keys = compas[list(by)].apply(tuple, axis=1)
    both = {
        g.group for g in grouping.groups if g.metrics["tpr"].value is not None and g.metrics["fpr"].value is not None
    }
    sub = compas[keys.isin(both)]
    y, p, sf = sub.two_year_recid, sub.pred, sub[list(by)]
    crit = {c.criterion.name: c for c in grouping.criteria}
    assert set(crit) == set(CRITERIA)
    assert crit["demographic_parity"].spread.difference.value == pytest.approx(
        fm.demographic_parity_difference(compas.two_year_recid, compas.pred, sensitive_features=compas[list(by)])
    )
    assert crit["demographic_parity"].spread.ratio.value == pytest.approx(
        fm.demographic_parity_ratio(compas.two_year_recid, compas.pred, sensitive_features=compas[list(by)])
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if len(both) == len(grouping.groups):  # every group has both classes
            assert crit["equal_opportunity"].spread.difference.value == pytest.approx(
                fm.equal_opportunity_difference(y, p, sensitive_features=sf)
            )
            assert crit["equal_opportunity"].spread.ratio.value == pytest.approx(
                fm.equal_opportunity_ratio(y, p, sensitive_features=sf)
            )
        eo = crit["equalized_odds"].spread
        assert eo.difference.value == pytest.approx(fm.equalized_odds_difference(y, p, sensitive_features=sf))
        assert eo.ratio.value == pytest.approx(fm.equalized_odds_ratio(y, p, sensitive_features=sf))
    assert eo.difference.interval.lower <= eo.difference.value <= eo.difference.interval.upper
    assert crit["predictive_parity"].spread.metric == "precision"
    for c in CRITERIA.values():
        assert len(c.definition) > 80
    # group-vs-reference equalized odds: the larger |difference| of TPR and FPR
    for c in crit["equalized_odds"].comparisons:
        t = grouping.comparison("tpr", c.group).difference.value
        f = grouping.comparison("fpr", c.group).difference.value
        if t is not None and f is not None:
            assert c.difference.value == pytest.approx(max(abs(t), abs(f)))
            assert c.difference.interval.lower <= c.difference.value <= c.difference.interval.upper


def test_compas_spread_intervals(compas_report):
    # two groups (sex): the interval of the max-vs-min difference, folded to |d|
    sex = compas_report.grouping(("sex",)).spread("fpr")
    assert sex.method == "extremes" and sex.groups_compared == 2
    assert "newcombe" in sex.difference.interval.method
    # six races: per-group Wilson intervals at 1 - 0.05/6, range bounds
    race = compas_report.grouping(("race",))
    s = race.spread("selection_rate")
    assert s.method == "simultaneous" and s.groups_compared == 6
    lows, highs = [], []
    for g in race.groups:
        est = g.metrics["selection_rate"]
        ci = I.wilson(round(est.value * est.n), est.n, 1 - 0.05 / 6)
        lows.append(ci.lower)
        highs.append(ci.upper)
    assert s.difference.interval.lower == pytest.approx(max(0.0, max(lows) - min(highs)))
    assert s.difference.interval.upper == pytest.approx(max(highs) - min(lows))
    assert s.ratio.interval.lower <= s.ratio.value <= s.ratio.interval.upper <= 1.0


def test_compas_calibration_and_auc(compas, compas_report):
    race = compas_report.grouping(("race",))
    for cal in race.calibration:
        sub = compas[compas.race == cal.group[0]]
        bins = np.clip(np.floor(sub.score * 10), 0, 9).astype(int)
        ece = 0.0
        for b, part in sub.groupby(bins):
            ece += len(part) / len(sub) * abs(part.two_year_recid.mean() - part.score.mean())
            rb = cal.bins[b]
            assert rb.n == len(part) and rb.positives == part.two_year_recid.sum()
            assert rb.mean_score == pytest.approx(part.score.mean())
            lo, hi = proportion.proportion_confint(rb.positives, rb.n, method="wilson")
            assert (rb.observed.interval.lower, rb.observed.interval.upper) == pytest.approx((lo, hi))
        assert cal.ece.value == pytest.approx(ece, abs=1e-12)
        assert cal.ece.interval is None and "bootstrap" in cal.ece.no_interval_reason
        assert cal.brier.value == pytest.approx(skm.brier_score_loss(sub.two_year_recid, sub.score))
    # Brier: t interval where each class has >= 10 rows, else the Wilson bound (Native American: n = 11)
    na = race.group(("Native American",)).metrics["brier"]
    assert na.interval.method == "wilson-bound"
    aa = compas[compas.race == "African-American"]
    loss = (aa.score - aa.two_year_recid) ** 2
    ci = race.group(("African-American",)).metrics["brier"].interval
    ref = scipy_stats.t.interval(0.95, len(loss) - 1, loc=loss.mean(), scale=scipy_stats.sem(loss))
    assert (ci.lower, ci.upper) == pytest.approx(ref, rel=1e-9)
    auc = race.group(("African-American",)).metrics["auc"]
    assert auc.interval.method == "hanley-mcneil-score" and auc.interval.contains(auc.value)
    assert auc.note is None  # ten distinct scores: exact


def test_compas_intersectional_references(compas):
    g = {"race": compas.race.to_numpy(), "sex": compas.sex.to_numpy()}
    cs = S.ConfusionStats.from_arrays(compas.two_year_recid.to_numpy(), compas.pred.to_numpy(), g)
    within = finalize_binary(
        cs, metrics=["fpr"], references={"race": "Caucasian"}, intersectional_reference="within"
    ).grouping(("race", "sex"))
    for c in within.comparisons:
        assert c.reference == ("Caucasian", c.group[1])
    assert ("Caucasian", "Male") not in {c.group for c in within.comparisons}
    assert "within the same sex" in within.reference_note
    combined = finalize_binary(cs, metrics=["fpr"], references={"race": "Caucasian"}).grouping(("race", "sex"))
    assert {c.reference for c in combined.comparisons} == {("Caucasian", "Male")}  # Male is the larger sex
    largest = finalize_binary(cs, metrics=["fpr"]).grouping(("race",))
    assert {c.reference for c in largest.comparisons} == {("African-American",)}
    assert "largest group (n = 3175)" in largest.reference_note
    with pytest.raises(ValueError, match="no such group"):
        finalize_binary(cs, references={"race": "Martian"})
    with pytest.raises(ValueError, match="not an attribute"):
        finalize_binary(cs, references={"age": "30"})


# --------------------------------------------------------------------------
# edge cases on synthetic data


def _stats(rows):
    """rows: (group, label, prediction, score)."""
    g = np.array([r[0] for r in rows])
    y = np.array([r[1] for r in rows])
    p = np.array([r[2] for r in rows])
    s = np.array([r[3] for r in rows], dtype=float)
    return S.ConfusionStats.from_arrays(y, p, {"g": g}), S.ScoreStats.from_arrays(y, s, {"g": g})


def test_edge_cases():
    rows = (
        [("one", 1, 1, 0.9)]  # n = 1
        + [("nopos", 0, i % 2, 0.2) for i in range(6)]  # zero positive labels
        + [("noneg", 1, 1, 0.8) for _ in range(5)]  # zero negatives; rate 1
        + [("flat", i % 2, 0, 0.5) for i in range(8)]  # all predictions equal (0)
        + [("big", i % 3 == 0, i % 4 == 0, (i % 10) / 10) for i in range(60)]
    )
    cs, ss = _stats(rows)
    rep = finalize_binary(cs, ss, references={"g": "big"})
    gr = rep.grouping(("g",))
    one = gr.group(("one",)).metrics
    assert one["tpr"].value == 1.0 and one["fpr"].value is None and "no negative labels" in one["fpr"].undefined_reason
    for name in ("tpr", "selection_rate", "accuracy", "precision", "f1"):
        ci = one[name].interval
        assert ci.lower < ci.upper, name  # n = 1: never a point
    assert one["auc"].value is None and one["balanced_accuracy"].value is None
    assert one["brier"].interval.method == "wilson-bound" and one["brier"].interval.upper > 0.01
    nopos = gr.group(("nopos",)).metrics
    assert nopos["tpr"].value is None and nopos["fpr"].value == 0.5 and nopos["base_rate"].value == 0.0
    assert nopos["base_rate"].interval.lower == 0.0 < nopos["base_rate"].interval.upper
    noneg = gr.group(("noneg",)).metrics
    assert noneg["tpr"].value == 1.0 and noneg["tpr"].interval.upper == 1.0 > noneg["tpr"].interval.lower
    assert noneg["tnr"].value is None
    flat = gr.group(("flat",)).metrics
    assert flat["selection_rate"].value == 0.0 and flat["precision"].value is None
    assert flat["auc"].value == 0.5  # all scores tied
    # comparisons: undefined values give reasons; a reference rate 0 gives an undefined ratio with [L, inf)
    c = gr.comparison("tpr", ("nopos",))
    assert c.difference.value is None and "the group's tpr is undefined" in c.difference.undefined_reason
    rep2 = finalize_binary(cs, ss, references={"g": "flat"}, metrics=["selection_rate"])
    c = rep2.grouping(("g",)).comparison("selection_rate", ("noneg",))
    assert c.ratio.value is None and "reference group's selection_rate is 0" in c.ratio.undefined_reason
    assert c.ratio.interval.upper == math.inf and c.ratio.interval.lower > 1
    assert judge_estimate(c.ratio, {"min": 0.8, "max": 1.25}).verdict is Verdict.FAIL
    assert c.difference.value == 1.0 and c.difference.interval.lower < 1.0
    both_zero = rep2.grouping(("g",)).comparison("selection_rate", ("one",))
    assert both_zero.ratio.interval is not None  # 1/1 vs 0/8: [L, inf)
    zero_zero = finalize_binary(cs, references={"g": "flat"}, metrics=["fdr"]).grouping(("g",))
    assert zero_zero.comparison("fdr", ("one",)).ratio.value is None


def test_verdicts_on_small_groups():
    """The issue's example: n = 11 cannot pass a ±0.1 band however close the estimates are."""
    y = np.r_[[1] * 11, [1] * 200, [0] * 200]
    p = np.r_[[1] * 8 + [0] * 3, [1] * 140 + [0] * 60, [0] * 140 + [1] * 60]  # accuracy 8/11 vs 0.7
    g = np.r_[["small"] * 11, ["large"] * 400]
    rep = finalize_binary(S.ConfusionStats.from_arrays(y, p, {"g": g}), metrics=["accuracy"])
    c = rep.grouping(("g",)).comparison("accuracy", ("small",))
    ci = c.difference.interval
    assert ci.lower < -0.1 and ci.upper > 0.1
    assert judge(c.difference.value, ci, -0.1, 0.1) is Verdict.INCONCLUSIVE
    # at_level recomputes the same interval family at another level (for Bonferroni / Holm)
    wider = c.difference.at_level(0.99)
    assert wider.level == 0.99 and wider.lower < ci.lower and wider.upper > ci.upper


def test_large_distinct_scores_are_binned_with_a_bound():
    rng = np.random.default_rng(2)
    n = 4000
    y = rng.integers(0, 2, n)
    s = rng.random(n) * 0.5 + y * 0.3
    g = np.where(rng.random(n) < 0.5, "a", "b")
    exact = S.ScoreStats.from_arrays(y, s, {"g": g})
    binned = S.ScoreStats.from_arrays(y, s, {"g": g}, max_distinct=100)
    assert exact.exact.all() and not binned.exact.any()
    assert (np.bincount(binned.cell) <= 100).all()
    cs = S.ConfusionStats.from_arrays(y, (s > 0.5).astype(int), {"g": g})
    e = finalize_binary(cs, exact, metrics=["auc", "brier"]).grouping(("g",))
    b = finalize_binary(cs, binned, metrics=["auc", "brier"]).grouping(("g",))
    for key in (("a",), ("b",)):
        truth = e.group(key).metrics["auc"].value
        m = e.group(key).metrics
        assert truth == pytest.approx(skm.roc_auc_score(y[g == key[0]], s[g == key[0]]))
        approx = b.group(key).metrics["auc"]
        bound = float(approx.note.split("±")[1].split(" ")[0])
        assert abs(approx.value - truth) <= bound
        assert b.group(key).metrics["brier"].value == m["brier"].value  # Brier uses exact sums, not bins


# --------------------------------------------------------------------------
# merging


def _chunks(n, rng, parts=5):
    cuts = np.sort(rng.choice(np.arange(1, n), parts - 1, replace=False))
    return list(zip([0, *cuts], [*cuts, n]))


def _merge(items, rng):
    items = list(items)
    order = rng.permutation(len(items))
    total = items[order[0]]
    for i in order[1:]:
        total = items[i] + total if rng.random() < 0.5 else total + items[i]
    return total


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_merge_of_chunks_equals_whole(seed):
    rng = np.random.default_rng(seed)
    n = 3000
    race = rng.choice(["a", "b", "c", "d"], n, p=[0.5, 0.3, 0.19, 0.01])
    sex = rng.choice(["F", "M"], n)
    y = rng.integers(0, 2, n)
    p = rng.integers(0, 2, n)
    s = np.round(rng.random(n), 4)
    yr = rng.normal(size=n) * 1e3
    pr = yr + rng.standard_t(3, size=n)
    cls_t = rng.choice(["x", "y", "z"], n)
    cls_p = rng.choice(["x", "y", "w"], n)
    boot = S.PoissonBootstrap(7, seed=seed)

    def g(a, b):
        return {"race": race[a:b], "sex": sex[a:b]}

    whole = [
        S.ConfusionStats.from_arrays(y, p, g(0, n), bootstrap=boot),
        S.ScoreStats.from_arrays(y, s, g(0, n), max_distinct=150, bootstrap=boot),
        S.RegressionStats.from_arrays(yr, pr, g(0, n)),
        S.MulticlassStats.from_arrays(cls_t, cls_p, g(0, n)),
    ]
    chunks = _chunks(n, rng)
    parts = [
        [
            S.ConfusionStats.from_arrays(y[a:b], p[a:b], g(a, b), bootstrap=boot, row_ids=a),
            S.ScoreStats.from_arrays(y[a:b], s[a:b], g(a, b), max_distinct=150, bootstrap=boot, row_ids=a),
            S.RegressionStats.from_arrays(yr[a:b], pr[a:b], g(a, b)),
            S.MulticlassStats.from_arrays(cls_t[a:b], cls_p[a:b], g(a, b)),
        ]
        for a, b in chunks
    ]
    for k in range(4):
        merged = _merge([part[k] for part in parts], rng)
        assert merged == whole[k], type(whole[k]).__name__
    assert not whole[1].exact.all()  # binning was exercised
    # finalising merged statistics gives identical numbers
    a = finalize_binary(whole[0], whole[1], metrics=["tpr", "auc", "brier", "ece"])
    b = finalize_binary(
        _merge([x[0] for x in parts], rng), _merge([x[1] for x in parts], rng), metrics=["tpr", "auc", "brier", "ece"]
    )
    assert a == b


def test_marginals_equal_direct_statistics():
    rng = np.random.default_rng(5)
    n = 2000
    race, sex = rng.choice(list("abc"), n), rng.choice(["F", "M"], n)
    y, p = rng.integers(0, 2, n), rng.integers(0, 2, n)
    s = rng.random(n)
    both = {"race": race, "sex": sex}
    assert S.ConfusionStats.from_arrays(y, p, both).marginal(["race"]) == S.ConfusionStats.from_arrays(
        y, p, {"race": race}
    )
    assert S.ScoreStats.from_arrays(y, s, both, max_distinct=300).marginal(["sex"]) == S.ScoreStats.from_arrays(
        y, s, {"sex": sex}, max_distinct=300
    )
    overall = S.ConfusionStats.from_arrays(y, p, both).marginal(())
    assert overall.keys == ((),) and overall.counts.sum() == n


def test_exact_sums():
    rng = np.random.default_rng(9)
    values = np.concatenate(
        [rng.normal(size=1000) * 10.0 ** rng.integers(-300, 300, 1000), [5e-324, -5e-324, 0.0, -0.0, 1.7e308]]
    )
    group = rng.integers(0, 3, values.size)
    sums = S.exact_sums(values, group, 3)
    from fractions import Fraction

    for k in range(3):
        exact = sum((Fraction(float(v)) for v in values[group == k]), Fraction(0))
        assert Fraction(int(sums[k]), 2**1130) == exact
        assert S.exact_value(sums)[k] == float(exact)
    m, v = S.exact_mean_var(
        *S.exact_sums(np.array([1.0, 2.0, 4.0]), np.zeros(3, int), 1)[:1],
        S.exact_sums(np.array([1.0, 4.0, 16.0]), np.zeros(3, int), 1)[0],
        3,
    )
    assert (m, v) == (7 / 3, pytest.approx(np.var([1, 2, 4], ddof=1)))


def test_bootstrap_weights_are_poisson_and_stable():
    boot = S.PoissonBootstrap(200, seed=3)
    w = boot.weights(np.arange(5000))
    assert w.shape == (200, 5000)
    assert w.mean() == pytest.approx(1.0, abs=0.01) and w.var() == pytest.approx(1.0, abs=0.02)
    assert (boot.weights(np.arange(100, 200)) == w[:, 100:200]).all()
    assert not (S.PoissonBootstrap(200, seed=4).weights(np.arange(5000)) == w).all()
    with pytest.raises(ValueError):
        S.PoissonBootstrap(0)


def test_bootstrap_intervals():
    rng = np.random.default_rng(1)
    n = 1500
    g = rng.choice(["a", "b"], n)
    y = rng.integers(0, 2, n)
    s = np.clip(y * 0.3 + rng.random(n) * 0.7, 0, 1).round(3)
    boot = S.PoissonBootstrap(300, seed=1)
    cs = S.ConfusionStats.from_arrays(y, (s > 0.5).astype(int), {"g": g}, bootstrap=boot)
    ss = S.ScoreStats.from_arrays(y, s, {"g": g}, bootstrap=boot)
    rep = finalize_binary(cs, ss, metrics=["tpr", "auc", "ece"], bootstrap=True).grouping(("g",))
    closed = finalize_binary(cs, ss, metrics=["tpr", "auc", "ece"]).grouping(("g",))
    for key in (("a",), ("b",)):
        bt, cl = rep.group(key).metrics, closed.group(key).metrics
        assert bt["tpr"].interval.method == "poisson-bootstrap-percentile"
        # percentile and Wilson intervals of a rate with n ~ 375 agree to about a percentage point
        assert bt["tpr"].interval.lower == pytest.approx(cl["tpr"].interval.lower, abs=0.02)
        assert bt["ece"].interval is not None and bt["ece"].interval.contains(bt["ece"].value)
        assert bt["auc"].interval.method == "poisson-bootstrap-percentile"
        assert cl["auc"].interval.method == "hanley-mcneil-score"
        assert cl["ece"].interval.method == "poisson-bootstrap-percentile"  # ECE: replicates whenever present
        assert bt["auc"].interval.lower == pytest.approx(cl["auc"].interval.lower, abs=0.02)
    with pytest.raises(ValueError, match="PoissonBootstrap"):
        finalize_binary(S.ConfusionStats.from_arrays(y, y, {"g": g}), bootstrap=True)


def test_bad_inputs():
    with pytest.raises(ValueError, match="only 0 and 1"):
        S.ConfusionStats.from_arrays([0, 2], [0, 1], {"g": ["a", "b"]})
    with pytest.raises(ValueError, match="has 3 values"):
        S.ConfusionStats.from_arrays([0, 1, 1], [0, 1], {"g": ["a", "b"]})
    with pytest.raises(ValueError, match="missing value"):
        S.ConfusionStats.from_arrays([0, 1], [0, 1], {"g": np.array([1.0, np.nan])})
    with pytest.raises(ValueError, match="finite"):
        S.ScoreStats.from_arrays([0, 1], [0.1, np.inf], {"g": ["a", "b"]})
    with pytest.raises(ValueError, match="different attributes"):
        S.ConfusionStats.from_arrays([0], [0], {"g": ["a"]}) + S.ConfusionStats.from_arrays([0], [0], {"h": ["a"]})
    with pytest.raises(TypeError):
        S.ConfusionStats.from_arrays([0], [0], {"g": ["a"]}) + S.RegressionStats.from_arrays([0.0], [0.0], {"g": ["a"]})
    with pytest.raises(ValueError, match="unknown metric"):
        finalize_binary(S.ConfusionStats.from_arrays([0], [0], {"g": ["a"]}), metrics=["auc_pr"])
    with pytest.raises(ValueError, match="needs scores"):
        finalize_binary(S.ConfusionStats.from_arrays([0], [0], {"g": ["a"]}), metrics=["auc"])
    with pytest.raises(ValueError, match="confidence level"):
        finalize_binary(S.ConfusionStats.from_arrays([0], [0], {"g": ["a"]}), level=95)
    # labels that read the same as text are one group
    cs = S.ConfusionStats.from_arrays([0, 1, 1], [0, 1, 0], {"g": np.array([1, "1", 2], dtype=object)})
    assert cs.keys == (("1",), ("2",)) and list(cs.n) == [2, 1]


# --------------------------------------------------------------------------
# multiclass and regression


def test_multiclass_matches_sklearn():
    rng = np.random.default_rng(4)
    n = 3000
    t = rng.choice(["cat", "dog", "eel"], n, p=[0.5, 0.3, 0.2])
    p = np.where(rng.random(n) < 0.6, t, rng.choice(["cat", "dog", "eel"], n))
    g = rng.choice(["a", "b"], n)
    rep = finalize_multiclass(S.MulticlassStats.from_arrays(t, p, {"g": g}), references={"g": "a"})
    gr = rep.grouping(("g",))
    labels = ["cat", "dog", "eel"]
    for key in (("a",), ("b",)):
        m = gr.group(key).metrics
        tt, pp = t[g == key[0]], p[g == key[0]]
        assert m["accuracy"].value == pytest.approx(skm.accuracy_score(tt, pp))
        rec = skm.recall_score(tt, pp, labels=labels, average=None)
        pre = skm.precision_score(tt, pp, labels=labels, average=None)
        f1 = skm.f1_score(tt, pp, labels=labels, average=None)
        for i, c in enumerate(labels):
            assert m[f"tpr[{c}]"].value == pytest.approx(rec[i])
            assert m[f"precision[{c}]"].value == pytest.approx(pre[i])
            assert m[f"f1[{c}]"].value == pytest.approx(f1[i])
        assert m["macro_recall"].value == pytest.approx(skm.balanced_accuracy_score(tt, pp))
        assert m["macro_precision"].value == pytest.approx(skm.precision_score(tt, pp, average="macro"))
        assert m["macro_f1"].value == pytest.approx(skm.f1_score(tt, pp, average="macro"))
        assert m["macro_recall"].interval.contains(m["macro_recall"].value)
        assert m["macro_f1"].interval is None and "share rows" in m["macro_f1"].no_interval_reason
    c = gr.comparison("tpr[dog]", ("b",))
    assert c.difference.interval.method == "newcombe"
    # a class missing from a group makes its macro average undefined
    rep = finalize_multiclass(S.MulticlassStats.from_arrays(["x", "y", "x"], ["x", "y", "y"], {"g": ["a", "a", "b"]}))
    assert rep.grouping(("g",)).group(("b",)).metrics["macro_recall"].value is None


def test_regression_matches_sklearn_and_scipy():
    rng = np.random.default_rng(6)
    n = 1200
    g = rng.choice(["a", "b", "c"], n)
    y = rng.normal(size=n) * 3 + 10
    pred = y + rng.normal(size=n) + (g == "b") * 0.5
    rep = finalize_regression(S.RegressionStats.from_arrays(y, pred, {"g": g}), references={"g": "a"})
    gr = rep.grouping(("g",))
    for key in (("a",), ("b",), ("c",)):
        m = gr.group(key).metrics
        yy, pp = y[g == key[0]], pred[g == key[0]]
        e = pp - yy
        assert m["mae"].value == pytest.approx(skm.mean_absolute_error(yy, pp), rel=1e-12)
        assert m["rmse"].value == pytest.approx(math.sqrt(skm.mean_squared_error(yy, pp)), rel=1e-12)
        assert m["r2"].value == pytest.approx(skm.r2_score(yy, pp), rel=1e-12)
        assert m["mean_error"].value == pytest.approx(e.mean(), rel=1e-12)
        ref = scipy_stats.t.interval(0.95, e.size - 1, loc=e.mean(), scale=scipy_stats.sem(e))
        assert (m["mean_error"].interval.lower, m["mean_error"].interval.upper) == pytest.approx(ref, rel=1e-9)
        a = np.abs(e)
        ref = scipy_stats.t.interval(0.95, a.size - 1, loc=a.mean(), scale=scipy_stats.sem(a))
        assert (m["mae"].interval.lower, m["mae"].interval.upper) == pytest.approx(ref, rel=1e-9)
        assert m["r2"].interval.contains(m["r2"].value) and m["rmse"].interval.contains(m["rmse"].value)
    c = gr.comparison("mean_error", ("b",))
    eb, ea = (pred - y)[g == "b"], (pred - y)[g == "a"]
    ref = scipy_stats.ttest_ind(eb, ea, equal_var=False).confidence_interval(0.95)
    assert (c.difference.interval.lower, c.difference.interval.upper) == pytest.approx((ref.low, ref.high))
    assert c.ratio.value is None and "not meaningful" in c.ratio.undefined_reason
    assert gr.comparison("mae", ("b",)).ratio.interval is not None


def test_regression_r2_delta_method_variance():
    """The delta-method variance equals a numerical Jacobian of R² over the sample moments."""
    from modelcard.evaluation.finalize import _r2_bounds

    rng = np.random.default_rng(8)
    y = rng.normal(size=300)
    pred = 0.7 * y + rng.normal(size=300) * 0.5
    st = S.RegressionStats.from_arrays(y, pred, {"g": np.zeros(300, int)})
    r2, lo, hi = _r2_bounds(st, 0.95)
    e2 = (pred - y) ** 2
    X = np.stack([e2, y, y * y], axis=1)
    mu = X.mean(axis=0)

    def f(m):
        return 1 - m[0] / (m[2] - m[1] ** 2)

    h = 1e-6
    grad = np.array([(f(mu + h * np.eye(3)[i]) - f(mu - h * np.eye(3)[i])) / (2 * h) for i in range(3)])
    var = grad @ np.cov(X, rowvar=False) @ grad / 300
    half = scipy_stats.t.ppf(0.975, 299) * math.sqrt(var)
    assert r2[0] == pytest.approx(skm.r2_score(y, pred))
    assert (lo[0], hi[0]) == pytest.approx((r2[0] - half, min(1.0, r2[0] + half)), rel=1e-6)


def test_regression_edge_cases():
    rep = finalize_regression(
        S.RegressionStats.from_arrays(
            [1.0, 2.0, 3.0, 3.0, 3.0], [1.5, 2.5, 3.5, 3.0, 3.0], {"g": ["one", "same", "same", "flat", "flat"]}
        )
    )
    gr = rep.grouping(("g",))
    one = gr.group(("one",)).metrics
    assert one["mae"].value == 0.5 and one["mae"].interval is None and "n = 1" in one["mae"].no_interval_reason
    assert one["r2"].value is None
    same = gr.group(("same",)).metrics
    assert same["mean_error"].interval is None and "sample variance 0" in same["mean_error"].no_interval_reason
    flat = gr.group(("flat",)).metrics
    assert flat["r2"].value is None and "do not vary" in flat["r2"].undefined_reason
    assert flat["rmse"].value == 0.0 and flat["rmse"].interval is None


def test_metric_definitions_are_complete():
    for d in BINARY_METRICS.values():
        assert d.description and d.formula and d.undefined_reason and d.interval_method
