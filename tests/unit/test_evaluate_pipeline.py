"""`modelcard.evaluation.pipeline.evaluate`: verdicts against the whole interval, ratios of small rates."""

from __future__ import annotations

import numpy as np
import pytest

from modelcard.evaluation.pipeline import evaluate

proportion = pytest.importorskip("statsmodels.stats.proportion")


def test_verdicts_follow_the_interval():
    rng = np.random.default_rng(0)
    n = 20000
    g = np.array(["big", "far", "near", "tiny"])[rng.choice(4, n, p=[0.5, 0.25, 0.2499, 0.0001])]
    y = rng.integers(0, 2, n)
    # selection rates: big 0.30, far 0.60 (fails +-0.1), near 0.32 (passes), tiny: few rows (inconclusive)
    rate = np.select([g == "big", g == "far", g == "near"], [0.30, 0.60, 0.32], 0.5)
    p = (rng.random(n) < rate).astype(int)
    frag = evaluate(
        {"y": y, "p": p, "g": g},
        label="y",
        prediction="p",
        sensitive=["g"],
        metrics=["selection_rate"],
        references={"g": "big"},
        thresholds={"selection_rate": {"convention": "difference", "min": -0.1, "max": 0.1}},
    )
    verdicts = {r.group["g"]: r.verdict for r in frag.fairness.results}
    assert verdicts == {"far": "fail", "near": "pass", "tiny": "inconclusive"}
    (spread,) = frag.fairness.spreads
    # best vs worst group: the tiny group is an extreme one; its wide interval keeps the spread from passing
    assert spread.difference.value >= 0.25 and spread.verdict in ("fail", "inconclusive")
    ci = spread.difference.confidence_interval
    assert ci.lower <= spread.difference.value <= ci.upper and "simultaneous" in ci.method
    if "tiny" not in (spread.max_group["g"], spread.min_group["g"]):
        assert spread.verdict == "fail"


def test_ratio_of_a_small_reference_rate_has_a_closed_form_interval():
    """A reference rate of 1/20 once made a bootstrap ratio interval [lo, +inf); Koopman's score interval
    is finite, written with its method, and decides the verdict."""
    g = np.array(["ref"] * 20 + ["b"] * 200)
    y = np.zeros(220, dtype=int)
    p = np.array([1] + [0] * 19 + [1, 0] * 100)  # fpr: ref 1/20 = 0.05, b 0.5
    columns = {"y": y, "p": p, "g": g}
    kw = {"label": "y", "prediction": "p", "sensitive": ["g"], "metrics": ["fpr"], "references": {"g": "ref"}}
    frag = evaluate(columns, thresholds={"fpr": {"convention": "ratio", "min": 0.8, "max": 1.25}}, **kw)
    (res,) = frag.fairness.results
    ratio = res.disparity.ratio
    assert ratio.value == pytest.approx(10.0)
    lo, hi = proportion.confint_proportions_2indep(100, 200, 1, 20, method="score", compare="ratio", correction=False)
    ci = ratio.confidence_interval
    assert (
        ci.method == "koopman" and ci.lower == pytest.approx(lo, rel=1e-6) and ci.upper == pytest.approx(hi, rel=1e-6)
    )
    assert res.verdict == "fail"  # the whole interval lies above 1.25
    frag = evaluate(columns, thresholds={"fpr": {"convention": "ratio", "min": 0.8}}, **kw)
    assert frag.fairness.results[0].verdict == "pass"
