"""`modelcard evaluate` on ProPublica's COMPAS data, checked against pandas, fairlearn, sklearn and statsmodels.

The data file is not in the repository: see ``tests/evaluate_helpers.py`` for where the tests look for it
(``MODELCARD_COMPAS_CSV``) and where to get it; without it these tests are skipped, saying so.
"""

from __future__ import annotations

import csv

import numpy as np
import pytest
import yaml
from evaluate_helpers import EXAMPLE, compas_frame

from modelcard.card.validate import load_card
from modelcard.cli import main

pd = pytest.importorskip("pandas")
fm = pytest.importorskip("fairlearn.metrics")
skm = pytest.importorskip("sklearn.metrics")
proportion = pytest.importorskip("statsmodels.stats.proportion")

RATES = {
    "base_rate": ("y", None),
    "selection_rate": ("p", None),
    "accuracy": ("correct", None),
    "tpr": ("p", ("y", 1)),
    "fnr": ("miss", ("y", 1)),
    "fpr": ("p", ("y", 0)),
    "tnr": ("reject", ("y", 0)),
    "precision": ("y", ("p", 1)),
    "npv": ("reject_y", ("p", 0)),
    "fdr": ("false", ("p", 1)),
    "for": ("y", ("p", 0)),
}


@pytest.fixture(scope="module")
def df():
    d = compas_frame()
    d["y"], d["p"] = d.two_year_recid, d.high_risk
    d["correct"] = (d.y == d.p).astype(int)
    d["miss"] = 1 - d.p
    d["reject"] = 1 - d.p
    d["reject_y"] = 1 - d.y
    d["false"] = 1 - d.y
    return d


@pytest.fixture(scope="module")
def fragment(df, tmp_path_factory):
    """The predictions file the example card audits, and the command run on it."""
    folder = tmp_path_factory.mktemp("compas")
    preds = folder / "predictions.csv"
    with open(preds, "w", newline="") as out:
        w = csv.writer(out)
        w.writerow(["race", "sex", "two_year_recid", "high_risk", "decile_score"])
        w.writerows(df[["race", "sex", "two_year_recid", "high_risk", "decile_score"]].itertuples(index=False))
    frag = folder / "compas.yaml"
    args = ["evaluate", str(preds), "--label", "two_year_recid", "--prediction", "high_risk"]
    args += ["--score", "decile_score", "--sensitive", "race", "--sensitive", "sex", "--intersectional"]
    args += ["--reference", "race=Caucasian", "--intersectional-reference", "within", "--dataset", "compas-2yr"]
    args += ["--threshold", "all:difference:-0.1:0.1", "-o", str(frag), "-q"]
    assert main(args) == 0
    return frag, yaml.safe_load(frag.read_text())


def groups(df):
    for keys in ([], ["race"], ["sex"], ["race", "sex"]):
        parts = [((), df)] if not keys else df.groupby(keys)
        for key, sub in parts:
            key = key if isinstance(key, tuple) else (key,)
            yield tuple(zip(keys, key)), sub


def test_every_rate_its_n_and_wilson_interval(fragment, df):
    _, data = fragment
    found = {(m["name"], tuple((m.get("slice") or {}).items())): m for m in data["metrics"]}
    checked = 0
    for key, sub in groups(df):
        for name, (col, given) in RATES.items():
            rows = sub if given is None else sub[sub[given[0]] == given[1]]
            k, n = int(rows[col].sum()), len(rows)
            m = found[(name, key)]
            assert m["n"] == n and m["small_sample"] == (n < 30), (name, key)
            if n == 0:
                assert m["value"] is None and m["undefined_reason"] and "confidence_interval" not in m
                continue
            assert abs(m["value"] - k / n) <= 1e-12, (name, key)
            lo, hi = proportion.proportion_confint(k, n, method="wilson")
            ci = m["confidence_interval"]
            assert ci["method"] == "wilson" and abs(ci["lower"] - lo) <= 1e-9 and abs(ci["upper"] - hi) <= 1e-9
            checked += 1
        tn, fp, fn, tp = skm.confusion_matrix(sub.y, sub.p, labels=[0, 1]).ravel()
        for name, count in (("tp", tp), ("fp", fp), ("fn", fn), ("tn", tn)):
            assert found[(name, key)]["value"] == count
    assert checked > 200  # every group is reported, however small


def test_balanced_accuracy_f1_and_auc_match_the_libraries(fragment, df):
    _, data = fragment
    found = {(m["name"], tuple((m.get("slice") or {}).items())): m for m in data["metrics"]}
    features = df[["race", "sex"]]
    mf = fm.MetricFrame(
        metrics={"balanced_accuracy": skm.balanced_accuracy_score, "f1": skm.f1_score},
        y_true=df.y,
        y_pred=df.p,
        sensitive_features=features,
    )
    for (race, sex), row in mf.by_group.iterrows():
        key = (("race", race), ("sex", sex))
        for name in ("balanced_accuracy", "f1"):
            m = found[(name, key)]
            if np.isnan(row[name]) or m["value"] is None:
                continue
            assert abs(m["value"] - row[name]) <= 1e-12
    for race, sub in df.groupby("race"):
        m = found[("auc", (("race", race),))]
        assert abs(m["value"] - skm.roc_auc_score(sub.y, sub.decile_score)) <= 1e-12
        assert m["confidence_interval"]["method"] == "hanley-mcneil-score"


def test_differences_are_newcombe_and_ratios_koopman(fragment, df):
    _, data = fragment
    ref = df[df.race == "Caucasian"]
    checked = 0
    for r in data["fairness"]["results"]:
        if r["metric"] != "fpr" or list(r["group"]) != ["race"]:
            continue
        g = df[df.race == r["group"]["race"]]
        k1, n1 = int(g.p[g.y == 0].sum()), int((g.y == 0).sum())
        k2, n2 = int(ref.p[ref.y == 0].sum()), int((ref.y == 0).sum())
        lo, hi = proportion.confint_proportions_2indep(k1, n1, k2, n2, method="newcomb", compare="diff")
        d = r["disparity"]["difference"]
        assert d["confidence_interval"]["method"] == "newcombe"
        assert (
            abs(d["confidence_interval"]["lower"] - lo) <= 1e-9 and abs(d["confidence_interval"]["upper"] - hi) <= 1e-9
        )
        lo, hi = proportion.confint_proportions_2indep(
            k1, n1, k2, n2, method="score", compare="ratio", correction=False
        )
        q = r["disparity"]["ratio"]["confidence_interval"]
        assert q["method"] == "koopman" and abs(q["lower"] / lo - 1) <= 1e-6 and abs(q["upper"] / hi - 1) <= 1e-6
        checked += 1
    assert checked == 5


def test_intersectional_groups_are_compared_within_their_sex(fragment):
    _, data = fragment
    inter = [r for r in data["fairness"]["results"] if len(r["group"]) == 2]
    assert inter
    for r in inter:
        assert r["reference_group"] == {"race": "Caucasian", "sex": r["group"]["sex"]}
        assert "within the same sex" in r["notes"]


def test_scores_that_are_not_probabilities_get_no_calibration(fragment):
    _, data = fragment
    assert "calibration" not in data["fairness"]
    assert not {"brier", "ece"} & {m["name"] for m in data["metrics"]}
    assert any("not probabilities" in w for w in data["x-evaluate"]["warnings"])


def test_the_example_card_holds_these_figures(fragment):
    """The example card's computed parts are exactly what the command computes (regenerated, not hand-made)."""
    path, data = fragment
    card = load_card(EXAMPLE)
    ours = {
        (r["metric"], tuple(r["group"].items()), tuple(r["reference_group"].items())): r
        for r in data["fairness"]["results"]
    }
    compared = 0
    for r in card.fairness.results:
        mine = ours[(r.metric, tuple(r.group.items()), tuple(r.reference_group.items()))]
        assert r.value == mine["value"] and r.n == mine["n"]
        assert r.disparity.difference.value == mine["disparity"]["difference"]["value"]
        if r.disparity.difference.value is not None:
            assert r.disparity.difference.confidence_interval.method == "newcombe"
        else:  # e.g. the FPR of Native American women: none was not re-arrested
            assert r.disparity.difference.undefined_reason and r.verdict == "inconclusive"
        assert r.verdict == mine["verdict"]
        compared += 1
    assert compared == 48  # selection_rate, fpr and fnr for every group of race, sex and race x sex
    assert card.fairness.family_size == 57 and card.fairness.adjustment == "none"
    merged = load_card(EXAMPLE, overlays=[path], strict=True)
    assert len(merged.fairness.results) == len(data["fairness"]["results"])


def test_ppr_and_named_criteria_match_fairlearn(fragment, df):
    _, data = fragment
    found = {(m["name"], tuple((m.get("slice") or {}).items())): m for m in data["metrics"]}
    for race, sub in df.groupby("race"):
        assert abs(found[("ppr", (("race", race),))]["value"] - sub.p.sum() / df.p.sum()) <= 1e-12
    spreads = {(s["metric"], tuple(s["attributes"])): s for s in data["fairness"]["spreads"]}
    for attrs in (("race",), ("sex",), ("race", "sex")):
        features = df[list(attrs)]
        for metric, fn in (
            ("selection_rate", fm.demographic_parity_difference),
            ("equalized_odds", fm.equalized_odds_difference),
        ):
            sp = spreads[(metric, attrs)]
            assert abs(sp["difference"]["value"] - fn(df.y, df.p, sensitive_features=features)) <= 1e-12
            assert sp["difference"]["confidence_interval"]["method"]  # the interval that decides it, named
        ratio = fm.demographic_parity_ratio(df.y, df.p, sensitive_features=features)
        assert abs(spreads[("selection_rate", attrs)]["ratio"]["value"] - ratio) <= 1e-12
    criteria = [c["name"] for c in data["test_methodology"]["fairness_criteria"]]
    assert criteria == ["demographic_parity", "equal_opportunity", "equalized_odds", "predictive_parity"]
