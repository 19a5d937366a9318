"""Every figure `evaluate` writes into a fragment, against an independent implementation.

fairlearn (MetricFrame, demographic parity / equalized odds), scikit-learn (confusion matrices, AUC,
Brier score, calibration curves, multiclass and regression metrics), statsmodels (Wilson, Newcombe,
Koopman intervals) and scipy (t and Welch intervals), on synthetic data, plus the edge cases of
issue 11: zero positives, zero negatives, n = 1, all predictions equal, rates of 0 or 1.
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np
import pytest

from modelcard.card.validate import validate_data
from modelcard.evaluation.pipeline import evaluate

pd = pytest.importorskip("pandas")
fm = pytest.importorskip("fairlearn.metrics")
skm = pytest.importorskip("sklearn.metrics")
calibration = pytest.importorskip("sklearn.calibration")
proportion = pytest.importorskip("statsmodels.stats.proportion")
scipy_stats = pytest.importorskip("scipy.stats")

TOL = 1e-12
STUB = {"card": {"schema_version": "1.1"}, "model": {"name": "m", "version": "1"}}


def synthetic(n=6000, seed=7):
    rng = np.random.default_rng(seed)
    race = rng.choice(np.array(["A", "B", "C", "D"]), n, p=[0.5, 0.3, 0.15, 0.05])
    sex = rng.choice(np.array(["F", "M"]), n, p=[0.4, 0.6])
    base = {"A": 0.3, "B": 0.5, "C": 0.4, "D": 0.6}
    y = (rng.random(n) < np.vectorize(base.get)(race)).astype(np.int8)
    logit = 1.4 * y - 0.7 + 0.3 * (sex == "M") + rng.normal(0, 1, n)
    score = 1 / (1 + np.exp(-logit))  # probabilities, continuous (no ties at calibration bin edges)
    pred = (score + rng.normal(0, 0.05, n) >= 0.5).astype(np.int8)  # not a function of the score alone
    return {"y": y, "p": pred, "s": score, "race": race, "sex": sex}


@pytest.fixture(scope="module")
def data():
    return synthetic()


@pytest.fixture(scope="module")
def frag(data):
    return evaluate(data, label="y", prediction="p", score="s", sensitive=["race", "sex"], intersectional=True)


def by_slice(fragment):
    return {(m.name, tuple((m.slice or {}).items())): m for m in fragment.metrics}


def results(fragment):
    return {(r.metric, tuple(r.group.items())): r for r in fragment.fairness.results}


def spreads(fragment):
    return {(s.metric, tuple(s.attributes)): s for s in fragment.fairness.spreads}


def _confusion(y, p):
    tn, fp, fn, tp = skm.confusion_matrix(y, p, labels=[0, 1]).ravel()
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn}


def _nan_div(a, b):
    return a / b if b else float("nan")


def reference_metrics(y, p, s):
    """Each metric by an independent library (or from sklearn's confusion matrix for npv, fdr, for)."""
    c = _confusion(y, p)
    return {
        **{k: float(v) for k, v in c.items()},
        "base_rate": float(np.mean(y)),
        "selection_rate": fm.selection_rate(y, p),
        "accuracy": skm.accuracy_score(y, p),
        "balanced_accuracy": skm.balanced_accuracy_score(y, p),
        "tpr": fm.true_positive_rate(y, p),
        "fnr": fm.false_negative_rate(y, p),
        "fpr": fm.false_positive_rate(y, p),
        "tnr": fm.true_negative_rate(y, p),
        "precision": skm.precision_score(y, p, zero_division=np.nan),
        "npv": _nan_div(c["tn"], c["tn"] + c["fn"]),
        "fdr": _nan_div(c["fp"], c["fp"] + c["tp"]),
        "for": _nan_div(c["fn"], c["fn"] + c["tn"]),
        "f1": skm.f1_score(y, p, zero_division=np.nan),
        "auc": skm.roc_auc_score(y, s),
        "brier": skm.brier_score_loss(y, s),
    }


def ece(y, s, bins=10):
    """Expected calibration error with pandas: n-weighted |observed rate − mean score| over [k/B, (k+1)/B) bins."""
    df = pd.DataFrame({"y": y, "s": s, "b": pd.cut(s, np.linspace(0, 1, bins + 1), right=False)})
    g = df.groupby("b", observed=True).agg(n=("y", "size"), obs=("y", "mean"), mean=("s", "mean"))
    return float((g.n * (g.obs - g["mean"]).abs()).sum() / g.n.sum())


@pytest.mark.parametrize("attributes", [(), ("race",), ("sex",), ("race", "sex")])
def test_every_metric_per_group_matches_the_libraries(data, frag, attributes):
    found = by_slice(frag)
    df = pd.DataFrame(data)
    groups = [((), df)] if not attributes else df.groupby(list(attributes))
    checked = 0
    for key, sub in groups:
        key = key if isinstance(key, tuple) else (key,)
        slice_ = tuple(zip(attributes, key))
        want = reference_metrics(sub.y.to_numpy(), sub.p.to_numpy(), sub.s.to_numpy())
        want["ece"] = ece(sub.y.to_numpy(), sub.s.to_numpy())
        want["ppr"] = sub.p.sum() / df.p.sum()
        for name, expected in want.items():
            m = found[(name, slice_)]
            assert abs(m.value - expected) <= TOL, (name, slice_, m.value, expected)
            checked += 1
    assert checked >= 21


def test_wilson_intervals_and_n_match_statsmodels(data, frag):
    df = pd.DataFrame(data)
    parts = {
        "selection_rate": (lambda d: d.p.sum(), len),
        "tpr": (lambda d: d.p[d.y == 1].sum(), lambda d: (d.y == 1).sum()),
    }
    parts["fpr"] = (lambda d: d.p[d.y == 0].sum(), lambda d: (d.y == 0).sum())
    parts["precision"] = (lambda d: d.y[d.p == 1].sum(), lambda d: (d.p == 1).sum())
    parts["for"] = (lambda d: d.y[d.p == 0].sum(), lambda d: (d.p == 0).sum())
    found = by_slice(frag)
    for race, sub in df.groupby("race"):
        for name, (k, n) in parts.items():
            m = found[(name, (("race", race),))]
            lo, hi = proportion.proportion_confint(int(k(sub)), int(n(sub)), alpha=0.05, method="wilson")
            assert m.n == int(n(sub))
            assert m.confidence_interval.method == "wilson" and m.confidence_interval.level == 0.95
            assert abs(m.confidence_interval.lower - lo) <= 1e-10 and abs(m.confidence_interval.upper - hi) <= 1e-10


def test_disparities_and_their_intervals_match_statsmodels(data, frag):
    df = pd.DataFrame(data)
    ref = "A"  # the largest group: the default reference
    for r in frag.fairness.results:
        if list(r.group) != ["race"] or r.metric not in ("fpr", "selection_rate"):
            continue
        assert r.reference_group == {"race": ref} and "largest group" in r.notes
        g, rf = df[df.race == r.group["race"]], df[df.race == ref]
        if r.metric == "fpr":
            k1, n1, k2, n2 = g.p[g.y == 0].sum(), (g.y == 0).sum(), rf.p[rf.y == 0].sum(), (rf.y == 0).sum()
        else:
            k1, n1, k2, n2 = g.p.sum(), len(g), rf.p.sum(), len(rf)
        d, q = r.disparity.difference, r.disparity.ratio
        assert abs(d.value - (k1 / n1 - k2 / n2)) <= TOL and abs(q.value - (k1 / n1) / (k2 / n2)) <= TOL
        lo, hi = proportion.confint_proportions_2indep(k1, n1, k2, n2, method="newcomb", compare="diff")
        assert d.confidence_interval.method == "newcombe"
        assert abs(d.confidence_interval.lower - lo) <= 1e-9 and abs(d.confidence_interval.upper - hi) <= 1e-9
        lo, hi = proportion.confint_proportions_2indep(
            k1, n1, k2, n2, method="score", compare="ratio", correction=False
        )
        assert q.confidence_interval.method == "koopman"
        assert abs(q.confidence_interval.lower - lo) <= 1e-6 * lo and abs(q.confidence_interval.upper - hi) <= 1e-6 * hi


def test_auc_brier_and_disparities_of_scores(data, frag):
    df = pd.DataFrame(data)
    for r in frag.fairness.results:
        if list(r.group) == ["sex"] and r.metric in ("auc", "brier"):
            g, rf = df[df.sex == r.group["sex"]], df[df.sex == r.reference_group["sex"]]
            f = skm.roc_auc_score if r.metric == "auc" else skm.brier_score_loss
            assert abs(r.disparity.difference.value - (f(g.y, g.s) - f(rf.y, rf.s))) <= TOL
            assert abs(r.disparity.ratio.value - f(g.y, g.s) / f(rf.y, rf.s)) <= TOL
            assert r.disparity.difference.confidence_interval.method == ("mover" if r.metric == "auc" else "welch")
    brier = by_slice(frag)[("brier", (("sex", "F"),))]
    sub = df[df.sex == "F"]
    loss = (sub.s - sub.y) ** 2
    lo, hi = scipy_stats.t.interval(0.95, len(loss) - 1, loc=loss.mean(), scale=scipy_stats.sem(loss))
    assert brier.confidence_interval.method == "t"
    assert abs(brier.confidence_interval.lower - lo) <= 1e-9 and abs(brier.confidence_interval.upper - hi) <= 1e-9


def test_calibration_bins_match_sklearn(data, frag):
    df = pd.DataFrame(data)
    cal = {tuple((c.slice or {}).items()): c for c in frag.fairness.calibration}
    assert len(cal) == 1 + 4 + 2 + 8
    for race, sub in df.groupby("race"):
        c = cal[(("race", race),)]
        assert c.n == len(sub) and len(c.bins) == 10 and c.binning == "10 equal-width bins over [0, 1]"
        prob_true, prob_pred = calibration.calibration_curve(sub.y, sub.s, n_bins=10, strategy="uniform")
        filled = [b for b in c.bins if b.n]
        assert len(filled) == len(prob_true)
        for b, t, m in zip(filled, prob_true, prob_pred):
            assert abs(b.observed - t) <= TOL and abs(b.mean_score - m) <= 1e-12
            lo, hi = proportion.proportion_confint(b.positives, b.n, method="wilson")
            assert abs(b.confidence_interval.lower - lo) <= 1e-10 and abs(b.confidence_interval.upper - hi) <= 1e-10
        assert sum(b.n for b in c.bins) == len(sub)


def test_spreads_match_fairlearn(data, frag):
    df = pd.DataFrame(data)
    found = spreads(frag)
    metrics = {
        "selection_rate": fm.selection_rate,
        "tpr": fm.true_positive_rate,
        "fpr": fm.false_positive_rate,
        "precision": partial(skm.precision_score, zero_division=np.nan),
        "accuracy": skm.accuracy_score,
    }
    for attrs in (("race",), ("sex",), ("race", "sex")):
        features = df[list(attrs)]
        mf = fm.MetricFrame(metrics=metrics, y_true=df.y, y_pred=df.p, sensitive_features=features)
        diff, ratio = mf.difference(method="between_groups"), mf.ratio(method="between_groups")
        for name in metrics:
            sp = found[(name, attrs)]
            assert abs(sp.difference.value - diff[name]) <= TOL and abs(sp.ratio.value - ratio[name]) <= TOL
            assert sp.difference.confidence_interval is not None  # the interval that decides the spread
        # named criteria: fairlearn's own functions
        dp_d = fm.demographic_parity_difference(df.y, df.p, sensitive_features=features)
        dp_r = fm.demographic_parity_ratio(df.y, df.p, sensitive_features=features)
        eo_d = fm.equalized_odds_difference(df.y, df.p, sensitive_features=features)
        eo_r = fm.equalized_odds_ratio(df.y, df.p, sensitive_features=features)
        assert abs(found[("selection_rate", attrs)].difference.value - dp_d) <= TOL
        assert abs(found[("selection_rate", attrs)].ratio.value - dp_r) <= TOL
        assert abs(found[("equalized_odds", attrs)].difference.value - eo_d) <= TOL
        assert abs(found[("equalized_odds", attrs)].ratio.value - eo_r) <= TOL


def test_equalized_odds_group_vs_reference(data, frag):
    df = pd.DataFrame(data)
    res = results(frag)
    rate = lambda d, cls: d.p[d.y == cls].mean()  # noqa: E731
    ref = df[df.race == "A"]
    for race in ("B", "C", "D"):
        g = df[df.race == race]
        r = res[("equalized_odds", (("race", race),))]
        dt, df_ = rate(g, 1) - rate(ref, 1), rate(g, 0) - rate(ref, 0)
        assert abs(r.disparity.difference.value - max(abs(dt), abs(df_))) <= TOL
        ratios = [rate(g, 1) / rate(ref, 1), rate(g, 0) / rate(ref, 0)]
        assert abs(r.disparity.ratio.value - min(min(x, 1 / x) for x in ratios)) <= TOL
        assert r.value is None and "TPR and FPR" in r.undefined_reason


def test_methodology_states_definitions_conventions_criteria_and_methods(frag):
    tm = frag.test_methodology
    names = [d.name for d in tm.metric_definitions]
    assert names[:4] == ["tp", "fp", "fn", "tn"] and {"ppr", "auc", "brier", "ece", "equalized_odds"} <= set(names)
    assert "difference = group − reference" in tm.conventions and "ratio = group / reference" in tm.conventions
    assert "max − min" in tm.conventions and "min / max" in tm.conventions
    assert "No multiplicity adjustment" in tm.conventions and tm.verdict_basis == "interval"
    assert [c.name for c in tm.fairness_criteria] == [
        "demographic_parity",
        "equal_opportunity",
        "equalized_odds",
        "predictive_parity",
        "calibration_within_groups",
    ]
    assert all(c.definition for c in tm.fairness_criteria)
    assert tm.confidence_intervals.method == "mixed"
    assert frag.fairness.adjustment == "none" and frag.fairness.family_size == 0
    # every interval in the fragment names its method
    for m in frag.metrics:
        assert (m.confidence_interval is None) or m.confidence_interval.method
        assert m.confidence_interval is not None or m.no_interval_reason or m.value is None
    ece_metric = by_slice(frag)[("ece", ())]
    assert ece_metric.confidence_interval is None and "closed-form" in ece_metric.no_interval_reason


def test_fragment_validates_strictly_as_part_of_a_card(frag):
    card, diagnostics = validate_data(STUB | frag.to_data(), "fragment", strict=False)
    assert card is not None, [str(d) for d in diagnostics if d.severity == "error"]
    problems = [d for d in diagnostics if d.code not in ("missing-recommended",)]
    assert not problems, [str(d) for d in problems[:5]]


def test_bootstrap_gives_percentile_intervals_and_an_ece_interval(data):
    small = {k: v[:1500] for k, v in data.items()}
    frag = evaluate(small, label="y", prediction="p", score="s", sensitive=["sex"], bootstrap=200, seed=3)
    again = evaluate(small, label="y", prediction="p", score="s", sensitive=["sex"], bootstrap=200, seed=3)
    other = evaluate(small, label="y", prediction="p", score="s", sensitive=["sex"], bootstrap=200, seed=4)
    assert frag.to_data() == again.to_data() and frag.to_data() != other.to_data()
    found = by_slice(frag)
    assert found[("ece", ())].confidence_interval.method == "poisson-bootstrap-percentile"
    assert found[("tpr", ())].confidence_interval.method == "poisson-bootstrap-percentile"
    assert frag.test_methodology.seeds == [3] and frag.test_methodology.confidence_intervals.bootstrap_samples == 200


# --------------------------------------------------------------------------
# verdicts: the rule, adjustments, basis


def test_adjusted_intervals_are_statsmodels_at_the_adjusted_level(data):
    th = {"selection_rate": {"convention": "difference", "min": -0.1, "max": 0.1}}
    kw = {"label": "y", "prediction": "p", "sensitive": ["race"], "metrics": ["selection_rate"], "thresholds": th}
    plain = evaluate(data, **kw)
    bonf = evaluate(data, adjust="bonferroni", **kw)
    holm = evaluate(data, adjust="holm", **kw)
    m = plain.fairness.family_size
    assert m == 4 and bonf.fairness.family_size == 4 and bonf.fairness.adjustment == "bonferroni"  # 3 results + spread
    df = pd.DataFrame(data)
    ref = df[df.race == "A"]
    for r in bonf.fairness.results:
        g = df[df.race == r.group["race"]]
        ci = r.disparity.difference.confidence_interval
        assert ci.level == pytest.approx(1 - 0.05 / m, abs=1e-15)
        lo, hi = proportion.confint_proportions_2indep(
            g.p.sum(), len(g), ref.p.sum(), len(ref), method="newcomb", compare="diff", alpha=0.05 / m
        )
        assert abs(ci.lower - lo) <= 1e-9 and abs(ci.upper - hi) <= 1e-9
    # adjusted verdicts are never more decided than unadjusted ones; Holm is between
    rank = {"pass": 0, "fail": 0, "inconclusive": 1}
    for a, b, c in zip(plain.fairness.results, holm.fairness.results, bonf.fairness.results):
        assert rank[a.verdict] <= rank[b.verdict] <= rank[c.verdict]
    for f in (plain, bonf, holm):
        _, diagnostics = validate_data(STUB | f.to_data(), "fragment")
        assert not [d for d in diagnostics if d.severity == "error"], [str(d) for d in diagnostics]


def test_point_basis_judges_the_estimate(data):
    th = {"all": {"convention": "difference", "min": -0.02, "max": 0.02}}
    f = evaluate(
        data, label="y", prediction="p", sensitive=["race"], metrics=["tpr", "fpr"], thresholds=th, basis="point"
    )
    assert f.test_methodology.verdict_basis == "point" and "point estimate" in f.test_methodology.conventions
    for r in f.fairness.results:
        inside = -0.02 <= r.disparity.difference.value <= 0.02
        assert r.verdict == ("pass" if inside else "fail")


def test_verdicts_follow_the_whole_interval():
    rng = np.random.default_rng(0)
    n = 20000
    g = np.array(["big", "far", "near", "tiny"])[rng.choice(4, n, p=[0.5, 0.25, 0.2499, 0.0001])]
    rate = np.select([g == "big", g == "far", g == "near"], [0.30, 0.60, 0.32], 0.5)
    data = {"y": rng.integers(0, 2, n), "p": (rng.random(n) < rate).astype(int), "g": g}
    th = {"selection_rate": {"convention": "difference", "min": -0.1, "max": 0.1}}
    f = evaluate(
        data,
        label="y",
        prediction="p",
        sensitive=["g"],
        metrics=["selection_rate"],
        references={"g": "big"},
        thresholds=th,
    )
    verdicts = {r.group["g"]: r.verdict for r in f.fairness.results}
    assert verdicts == {"far": "fail", "near": "pass", "tiny": "inconclusive"}
    tiny = next(r for r in f.fairness.results if r.group["g"] == "tiny")
    ci = tiny.disparity.difference.confidence_interval
    assert ci.lower <= 0.1 < ci.upper and "straddles a bound" in tiny.notes  # overlaps the band: not settled
    (sp,) = f.fairness.spreads
    assert sp.verdict in ("fail", "inconclusive") and sp.difference.confidence_interval.method.startswith("wilson")


# --------------------------------------------------------------------------
# edge cases


def edge_data():
    """nopos: no positive labels; noneg: no negative labels; one: a single row; allpos: every prediction 1;
    ref: the reference, FPR 0 (no false positives) and selection rate 0.5."""
    rows = []
    rows += [("ref", 1, 1, 0.9)] * 20 + [("ref", 0, 0, 0.2)] * 20
    rows += [("nopos", 0, 1, 0.6)] * 5 + [("nopos", 0, 0, 0.1)] * 15
    rows += [("noneg", 1, 1, 0.8)] * 12 + [("noneg", 1, 0, 0.3)] * 3
    rows += [("one", 1, 0, 0.4)]
    rows += [("allpos", 1, 1, 0.7)] * 6 + [("allpos", 0, 1, 0.6)] * 4
    g, y, p, s = map(np.array, zip(*rows))
    return {"g": g, "y": y, "p": p, "s": s}


@pytest.fixture(scope="module")
def edge():
    th = {
        "all": {"convention": "difference", "min": -0.1, "max": 0.1},
        "fpr": {"convention": "ratio", "min": 0.8, "max": 1.25},
    }
    return evaluate(
        edge_data(), label="y", prediction="p", score="s", sensitive=["g"], references={"g": "ref"}, thresholds=th
    )


def test_undefined_values_have_reasons_never_filled_numbers(edge):
    m = by_slice(edge)
    assert (
        m[("tpr", (("g", "nopos"),))].value is None
        and "no positive labels" in m[("tpr", (("g", "nopos"),))].undefined_reason
    )
    assert m[("auc", (("g", "nopos"),))].value is None and m[("auc", (("g", "noneg"),))].value is None
    assert (
        m[("fpr", (("g", "noneg"),))].value is None
        and "no negative labels" in m[("fpr", (("g", "noneg"),))].undefined_reason
    )
    assert (
        m[("npv", (("g", "allpos"),))].value is None
        and "no negative predictions" in m[("npv", (("g", "allpos"),))].undefined_reason
    )
    assert m[("tpr", (("g", "nopos"),))].n == 0 and m[("tpr", (("g", "nopos"),))].small_sample is True


@pytest.mark.parametrize(
    "name, group, value",
    [
        ("base_rate", "nopos", 0.0),
        ("base_rate", "noneg", 1.0),
        ("selection_rate", "allpos", 1.0),
        ("fpr", "ref", 0.0),
        ("accuracy", "one", 0.0),
    ],
)
def test_rates_of_0_or_1_and_n1_get_intervals_that_do_not_collapse(edge, name, group, value):
    m = by_slice(edge)[(name, (("g", group),))]
    assert m.value == value
    ci = m.confidence_interval
    assert ci.lower < ci.upper and ci.lower <= value <= ci.upper
    k, n = round(value * m.n), m.n
    lo, hi = proportion.proportion_confint(k, n, method="wilson")
    assert abs(ci.lower - lo) <= 1e-10 and abs(ci.upper - hi) <= 1e-10


def test_n1_group_is_judged_by_its_wide_interval(edge):
    res = results(edge)
    # one row against a reference rate of 0.5: the interval spans the band, never a fail from the point alone
    for name in ("selection_rate", "base_rate"):
        r = res[(name, (("g", "one"),))]
        ci = r.disparity.difference.confidence_interval
        assert abs(r.disparity.difference.value) == 0.5 and ci.lower < -0.1 and ci.upper > 0.1
        assert r.verdict == "inconclusive"
    # one wrong row against a reference that is right 40 times out of 40: even n = 1 settles it
    r = res[("accuracy", (("g", "one"),))]
    assert r.disparity.difference.confidence_interval.upper < -0.1 and r.verdict == "fail"


def test_ratio_against_a_zero_reference_rate(edge):
    r = results(edge)[("fpr", (("g", "nopos"),))]
    assert r.reference_value == 0.0 and r.disparity.difference.value == 0.25
    ratio = r.disparity.ratio
    assert ratio.value is None and ratio.confidence_interval is None
    assert "division by zero" in ratio.undefined_reason and "+∞" in ratio.undefined_reason
    assert r.verdict == "inconclusive"  # judged on what the card records: no interval
    lo, _ = proportion.confint_proportions_2indep(5, 20, 0, 20, method="score", compare="ratio", correction=False)
    assert f"[{lo:.4g}, +∞]" in ratio.undefined_reason


def test_all_predictions_equal_and_a_single_class():
    data = {"y": np.array([0, 1] * 10), "p": np.ones(20, int), "g": np.array(["a"] * 10 + ["b"] * 10)}
    f = evaluate(data, label="y", prediction="p", sensitive=["g"])
    m = by_slice(f)
    assert m[("selection_rate", ())].value == 1.0 and m[("tnr", ())].value == 0.0
    sp = spreads(f)[("selection_rate", ("g",))]
    assert sp.difference.value == 0.0 and sp.ratio.value == 1.0 and sp.difference.confidence_interval.upper > 0
    one_class = {"y": np.zeros(8, int), "p": np.zeros(8, int), "g": np.array(["a", "b"] * 4)}
    f = evaluate(one_class, label="y", prediction="p", sensitive=["g"])
    assert by_slice(f)[("tpr", ())].value is None


def test_edge_fragment_validates(edge):
    card, diagnostics = validate_data(STUB | edge.to_data(), "edge")
    assert card is not None and not [d for d in diagnostics if d.severity == "error"], [str(d) for d in diagnostics]


# --------------------------------------------------------------------------
# multiclass and regression


def test_multiclass_per_class_and_macro_match_sklearn():
    rng = np.random.default_rng(2)
    n = 3000
    g = rng.choice(np.array(["u", "v"]), n)
    y = rng.choice(np.array(["cat", "dog", "eel"]), n, p=[0.5, 0.3, 0.2])
    p = np.where(rng.random(n) < 0.7, y, rng.choice(np.array(["cat", "dog", "eel"]), n))
    f = evaluate({"y": y, "p": p, "g": g}, label="y", prediction="p", sensitive=["g"])
    assert f.info.task == "multiclass"
    m = by_slice(f)
    labels = ["cat", "dog", "eel"]
    for grp in ("u", "v"):
        sel = g == grp
        key = (("g", grp),)
        rec = skm.recall_score(y[sel], p[sel], labels=labels, average=None)
        pre = skm.precision_score(y[sel], p[sel], labels=labels, average=None)
        f1 = skm.f1_score(y[sel], p[sel], labels=labels, average=None)
        mcm = skm.multilabel_confusion_matrix(y[sel], p[sel], labels=labels)
        for i, c in enumerate(labels):
            (tn, fp), _ = mcm[i]
            assert abs(m[(f"tpr[{c}]", key)].value - rec[i]) <= TOL
            assert abs(m[(f"precision[{c}]", key)].value - pre[i]) <= TOL
            assert abs(m[(f"f1[{c}]", key)].value - f1[i]) <= TOL
            assert abs(m[(f"fpr[{c}]", key)].value - fp / (fp + tn)) <= TOL
        assert abs(m[("accuracy", key)].value - skm.accuracy_score(y[sel], p[sel])) <= TOL
        assert abs(m[("macro_recall", key)].value - skm.recall_score(y[sel], p[sel], average="macro")) <= TOL
        assert abs(m[("macro_precision", key)].value - skm.precision_score(y[sel], p[sel], average="macro")) <= TOL
        assert abs(m[("macro_f1", key)].value - skm.f1_score(y[sel], p[sel], average="macro")) <= TOL
    assert any(r.metric == "tpr[dog]" for r in f.fairness.results)
    card, diagnostics = validate_data(STUB | f.to_data(), "multiclass")
    assert card is not None and not [d for d in diagnostics if d.severity == "error"]


def test_regression_metrics_and_intervals_match_sklearn_and_scipy():
    rng = np.random.default_rng(3)
    n = 800
    g = rng.choice(np.array(["u", "v"]), n)
    y = rng.normal(10, 3, n)
    p = y + rng.normal(0.5 * (g == "v"), 1 + (g == "v"), n)
    f = evaluate({"y": y, "p": p, "g": g}, label="y", prediction="p", sensitive=["g"], references={"g": "u"})
    assert f.info.task == "regression"
    m = by_slice(f)
    for grp in ("u", "v"):
        sel = g == grp
        key = (("g", grp),)
        e = p[sel] - y[sel]
        assert abs(m[("mae", key)].value - skm.mean_absolute_error(y[sel], p[sel])) <= 1e-12
        assert abs(m[("rmse", key)].value - math.sqrt(skm.mean_squared_error(y[sel], p[sel]))) <= 1e-12
        assert abs(m[("r2", key)].value - skm.r2_score(y[sel], p[sel])) <= 1e-12
        me = m[("mean_error", key)]
        assert abs(me.value - e.mean()) <= 1e-12
        lo, hi = scipy_stats.t.interval(0.95, e.size - 1, loc=e.mean(), scale=scipy_stats.sem(e))
        assert me.confidence_interval.method == "t"
        assert abs(me.confidence_interval.lower - lo) <= 1e-9 and abs(me.confidence_interval.upper - hi) <= 1e-9
    r = results(f)[("mean_error", (("g", "v"),))]
    ev, eu = (p - y)[g == "v"], (p - y)[g == "u"]
    ci = scipy_stats.ttest_ind(ev, eu, equal_var=False).confidence_interval(0.95)
    d = r.disparity.difference
    assert d.confidence_interval.method == "welch"
    assert abs(d.confidence_interval.lower - ci.low) <= 1e-8 and abs(d.confidence_interval.upper - ci.high) <= 1e-8
    assert r.disparity.ratio.value is None  # a mean error can be negative: no ratio
    card, diagnostics = validate_data(STUB | f.to_data(), "regression")
    assert card is not None and not [d for d in diagnostics if d.severity == "error"]
