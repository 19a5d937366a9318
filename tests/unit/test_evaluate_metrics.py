"""The numpy core of `modelcard evaluate` against fairlearn/scikit-learn and published values."""

from __future__ import annotations

import numpy as np
import pytest

from modelcard.evaluation import metrics as M
from modelcard.evaluation.pipeline import compute, evaluate

fairlearn_metrics = pytest.importorskip("fairlearn.metrics")
skm = pytest.importorskip("sklearn.metrics")
pd = pytest.importorskip("pandas")

TOL = 1e-12

FAIRLEARN = {
    "selection_rate": lambda y, p: fairlearn_metrics.selection_rate(y, p),
    "accuracy": lambda y, p: skm.accuracy_score(y, p),
    "tpr": lambda y, p: fairlearn_metrics.true_positive_rate(y, p),
    "fnr": lambda y, p: fairlearn_metrics.false_negative_rate(y, p),
    "fpr": lambda y, p: fairlearn_metrics.false_positive_rate(y, p),
    "tnr": lambda y, p: fairlearn_metrics.true_negative_rate(y, p),
    "precision": lambda y, p: skm.precision_score(y, p, zero_division=np.nan),
}


def synthetic(n=6000, seed=7):
    rng = np.random.default_rng(seed)
    race = rng.choice(np.array(["A", "B", "C", "D"]), n, p=[0.5, 0.3, 0.15, 0.05])
    sex = rng.choice(np.array(["F", "M"]), n, p=[0.4, 0.6])
    base = {"A": 0.3, "B": 0.5, "C": 0.4, "D": 0.6}
    y = (rng.random(n) < np.vectorize(base.get)(race)).astype(np.int8)
    # scores with many ties (rounded) and a group-dependent shift
    scores = np.round(np.clip(0.35 * y + rng.normal(0.4, 0.2, n) + 0.05 * (sex == "M"), 0, 1), 2)
    pred = (scores >= 0.5).astype(np.int8)
    return y, pred, scores, {"race": race, "sex": sex}


@pytest.fixture(scope="module")
def data():
    return synthetic()


@pytest.fixture(scope="module")
def core(data):
    y, p, s, sens = data
    return compute(y, p, sens, scores=s, intersectional=True, bootstrap=0)


def _frames(y, p, s, features):
    rates = fairlearn_metrics.MetricFrame(metrics=FAIRLEARN, y_true=y, y_pred=p, sensitive_features=features)
    auc = fairlearn_metrics.MetricFrame(
        metrics={"auc": skm.roc_auc_score}, y_true=y, y_pred=s, sensitive_features=features
    )
    return rates, auc


@pytest.mark.parametrize("attributes", [("race",), ("sex",), ("race", "sex")])
def test_every_metric_matches_fairlearn_per_group(data, core, attributes):
    y, p, s, sens = data
    res = next(r for r in core.groupings if r.grouping.attributes == attributes)
    features = pd.DataFrame({a: sens[a] for a in attributes})
    rates, auc = _frames(y, p, s, features)
    by_group = pd.concat([rates.by_group, auc.by_group], axis=1)
    assert len(by_group) == res.grouping.size
    for j, values in enumerate(res.grouping.groups):
        key = values[0] if len(values) == 1 else values
        row = by_group.loc[key]
        for name in (*FAIRLEARN, "auc"):
            ours = res.values[name].value[j]
            assert abs(ours - row[name]) <= TOL, (name, values, ours, row[name])


def test_overall_matches_fairlearn(data, core):
    y, p, s, sens = data
    rates, auc = _frames(y, p, s, pd.DataFrame({"race": sens["race"]}))
    overall = core.groupings[0]
    assert overall.grouping.attributes == ()
    for name in FAIRLEARN:
        assert abs(overall.values[name].value[0] - rates.overall[name]) <= TOL
    assert abs(overall.values["auc"].value[0] - auc.overall["auc"]) <= TOL


def test_fragment_values_match_fairlearn(data):
    """The numbers written into the fragment (not only the core arrays) are fairlearn's."""
    y, p, s, sens = data
    frag = evaluate(y, p, sens, scores=s, intersectional=True, bootstrap=20)
    rates, auc = _frames(y, p, s, pd.DataFrame(sens))
    by_group = pd.concat([rates.by_group, auc.by_group], axis=1)
    checked = 0
    for m in frag["metrics"]:
        if set(m.get("slice", {})) == {"race", "sex"}:
            expected = by_group.loc[(m["slice"]["race"], m["slice"]["sex"])][m["name"]]
            assert abs(m["value"] - expected) <= TOL
            checked += 1
    assert checked == 8 * 8
    # disparities: fairlearn's difference/ratio to a reference, one group at a time
    frame = fairlearn_metrics.MetricFrame(metrics=FAIRLEARN, y_true=y, y_pred=p, sensitive_features=sens["race"])
    for r in frag["fairness"]["results"]:
        if list(r["group"]) == ["race"] and r["metric"] != "auc":
            g, ref = r["group"]["race"], r["reference_group"]["race"]
            want = frame.by_group.loc[g, r["metric"]] - frame.by_group.loc[ref, r["metric"]]
            assert abs(r["disparity"]["difference"]["value"] - want) <= TOL
            want = frame.by_group.loc[g, r["metric"]] / frame.by_group.loc[ref, r["metric"]]
            assert abs(r["disparity"]["ratio"]["value"] - want) <= TOL


def test_spreads_match_fairlearn_between_groups(data):
    y, p, s, sens = data
    frag = evaluate(y, p, sens, scores=s, bootstrap=0)
    frame = fairlearn_metrics.MetricFrame(metrics=FAIRLEARN, y_true=y, y_pred=p, sensitive_features=sens["race"])
    diff = frame.difference(method="between_groups")
    ratio = frame.ratio(method="between_groups")
    for sp in frag["fairness"]["spreads"]:
        if sp["attributes"] == ["race"] and sp["metric"] in FAIRLEARN:
            assert abs(sp["difference"]["value"] - diff[sp["metric"]]) <= TOL
            assert abs(sp["ratio"]["value"] - ratio[sp["metric"]]) <= TOL


def test_auc_ties_and_single_group():
    y = np.array([0, 0, 1, 1, 0, 1, 1, 0])
    s = np.array([0.1, 0.5, 0.5, 0.9, 0.5, 0.5, 0.2, 0.2])
    g = np.zeros(8, dtype=np.int64)
    lay = M.rank_layout(s, g, 1)
    auc, n1, n0 = M.auc_by_group(lay, y)
    assert abs(auc[0] - skm.roc_auc_score(y, s)) <= TOL
    assert (n1[0], n0[0]) == (4, 4)


# --------------------------------------------------------------------------
# intervals against published values


def test_wilson_published_values():
    z = M.z_value(0.95)
    lo, hi = M.wilson(81, 263, z)  # Newcombe (1998a), example
    assert (round(float(lo), 4), round(float(hi), 4)) == (0.2553, 0.3662)
    lo, hi = M.wilson(0, 10, z)
    assert float(lo) == 0.0 and round(float(hi), 4) == 0.2775
    lo, hi = M.wilson(10, 10, z)
    assert round(float(lo), 4) == 0.7225 and float(hi) == 1.0
    lo, hi = M.wilson(0, 0, z)
    assert np.isnan(lo) and np.isnan(hi)


@pytest.mark.parametrize(
    "k1,n1,k2,n2,lower,upper",
    [
        # Newcombe (1998b), Statistics in Medicine 17:873-890, Table II, method 10
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (6, 7, 2, 7, 0.0582, 0.8062),
        (5, 56, 0, 29, -0.0381, 0.1926),
        (0, 10, 0, 20, -0.1611, 0.2775),
        (10, 10, 0, 20, 0.6791, 1.0000),
    ],
)
def test_newcombe_published_values(k1, n1, k2, n2, lower, upper):
    lo, hi = M.newcombe(k1, n1, k2, n2, M.z_value(0.95))
    assert (round(float(lo), 4), round(float(hi), 4)) == (lower, upper)


def test_z_value():
    assert abs(M.z_value(0.95) - 1.959963984540054) < 1e-12
    assert abs(M.z_value(0.9) - 1.6448536269514722) < 1e-12


# --------------------------------------------------------------------------
# bootstrap


def test_cell_count_bootstrap_keeps_cell_sizes():
    counts = np.array([[10, 5, 3, 2], [0, 0, 0, 0], [1, 0, 0, 0]])
    reps = M.bootstrap_cell_counts(counts, 50, np.random.default_rng(1))
    assert reps.shape == (50, 3, 4)
    assert (reps.sum(axis=2) == counts.sum(axis=1)).all()
    assert (reps[:, 2] == [1, 0, 0, 0]).all()


@pytest.mark.parametrize("kind", ["ties", "deciles", "continuous"])
def test_auc_bootstrap_replicates_equal_weighted_sklearn(data, kind):
    """Each replicate's AUC is sklearn's AUC of the same resample (given as sample weights).

    ``ties``: resampled by row index; ``deciles`` (few distinct scores): by multinomial
    draws over distinct scores; ``continuous``: every row is its own atom.
    """
    y, p, s, sens = data
    y, s = y[:1500], s[:1500]
    if kind == "deciles":
        s = np.ceil(s * 10)
    elif kind == "continuous":
        s = s + np.random.default_rng(1).random(s.size) * 1e-3
    sens = {k: v[:1500] for k, v in sens.items()}
    cells = M.make_cells(sens)
    order = np.argsort(s, kind="stable")
    grouping = M.make_grouping(cells, ("race",))
    lay = M.rank_layout(s, grouping.group_of_rows(cells), grouping.size, order)
    boot = M.AucBootstrap(cells, y, s, order)
    rng = np.random.default_rng(3)
    w = boot.draw(4, np.random.default_rng(3)).T  # (replicates, atoms)
    reps = boot.replicates([lay], 4, rng, max_cells=10**9)[0]
    rows = boot.atom_row
    group = grouping.group_of_rows(cells)[rows]
    for i in range(4):
        # resampling is stratified by cell and class: class counts per cell are unchanged
        for c in range(cells.count):
            for cls in (0, 1):
                mask = (cells.codes[rows] == c) & (y[rows] == cls)
                assert w[i, mask].sum() == ((cells.codes == c) & (y == cls)).sum()
        for j in range(grouping.size):
            m = group == j
            want = skm.roc_auc_score(y[rows][m], s[rows][m], sample_weight=w[i, m])
            assert abs(reps[i, j] - want) <= 1e-12


def test_bootstrap_is_seeded(data):
    y, p, s, sens = data
    a = evaluate(y, p, sens, scores=s, bootstrap=30, seed=5)
    b = evaluate(y, p, sens, scores=s, bootstrap=30, seed=5)
    c = evaluate(y, p, sens, scores=s, bootstrap=30, seed=6)
    assert a == b
    auc = lambda f: [m["confidence_interval"] for m in f["metrics"] if m["name"] == "auc"]  # noqa: E731
    assert auc(a) != auc(c)
    assert a["test_methodology"]["seeds"] == [5]


def test_percentile_interval_undefined_replicates():
    reps = np.array([[0.1, np.nan], [0.2, np.nan], [0.3, 0.5], [0.4, np.inf]])
    lo, hi, undefined = M.percentile_interval(reps, 0.95)
    assert 0.1 <= lo[0] < hi[0] <= 0.4
    assert np.isnan(lo[1]) and np.isnan(hi[1])
    assert undefined.tolist() == [0.0, 0.75]
