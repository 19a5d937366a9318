"""The verdict rule (modelcard.schema.verdicts) against its written definition (issue 11 §1)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelcard.evaluation import intervals as I
from modelcard.schema.verdicts import (
    Assessment,
    Band,
    Change,
    Verdict,
    adjusted_level,
    adjusted_levels,
    compare,
    decision_p_value,
    holm_levels,
    judge,
    judge_detail,
    judge_estimate,
    judge_spread,
)

P, F, INC, NR = Verdict.PASS, Verdict.FAIL, Verdict.INCONCLUSIVE, Verdict.NOT_RUN


# --------------------------------------------------------------------------
# the rule


def test_issue_example_interval_wider_than_band_is_inconclusive():
    # n = 11, accuracy difference +0.055 with CI [-0.238, +0.232], band [-0.1, 0.1]: was 'pass'
    assert judge(0.055, (-0.238, 0.232), -0.1, 0.1) is INC
    assert "wider than the band" in judge_detail(0.055, (-0.238, 0.232), -0.1, 0.1).reason


def test_n1_groups_are_inconclusive_not_fail():
    # one row per group: Newcombe's interval for 1/1 - 0/1 spans most of [-1, 1]
    ci = I.rate_difference(1, 1, 0, 1)
    assert ci.lower < -0.1 and ci.upper > 0.1
    assert judge(1.0, ci, -0.1, 0.1) is INC


@pytest.mark.parametrize(
    "interval, verdict",
    [
        ((-0.05, 0.05), P),
        ((-0.1, 0.1), P),  # exactly the band: bounds are inclusive
        ((0.1, 0.3), INC),  # touches the max: overlap, not outside
        ((-0.3, -0.1), INC),  # touches the min
        ((0.1000001, 0.3), F),
        ((-0.3, -0.1000001), F),
        ((0.05, 0.2), INC),  # straddles the max
        ((-0.5, 0.5), INC),  # covers the whole band
        ((0.0, 0.0), P),  # a point interval inside
        ((0.2, 0.2), F),
    ],
)
def test_two_sided_band(interval, verdict):
    assert judge(sum(interval) / 2, interval, -0.1, 0.1) is verdict


@pytest.mark.parametrize(
    "interval, verdict",
    [
        ((0.85, 1.2), P),
        ((0.8, 5.0), P),
        ((0.5, 0.79), F),
        ((0.7, 0.9), INC),
        ((0.8, math.inf), P),
        ((0.5, 0.8), INC),
    ],
)
def test_one_sided_min_band(interval, verdict):
    # four-fifths rule: ratio >= 0.8
    assert judge(1.0, interval, 0.8, None) is verdict


@pytest.mark.parametrize(
    "interval, verdict",
    [
        ((-1.0, 0.1), P),
        ((0.1, 0.4), INC),
        ((0.11, 0.4), F),
        ((-math.inf, 0.05), P),
        ((1.2, math.inf), F),
    ],
)
def test_one_sided_max_band(interval, verdict):
    assert judge(0.0, interval, None, 0.1) is verdict


def test_without_interval_inconclusive_unless_point_basis():
    assert judge(0.05, None, -0.1, 0.1) is INC
    assert judge(0.05, None, -0.1, 0.1, basis="point") is P
    assert judge(0.5, None, -0.1, 0.1, basis="point") is F
    assert judge(0.1, None, -0.1, 0.1, basis="point") is P  # inclusive
    # point basis ignores the interval
    assert judge(0.05, (-0.5, 0.5), -0.1, 0.1, basis="point") is P
    assert judge_detail(0.05, None, -0.1, 0.1, basis="point").basis == "point"


def test_undefined_value():
    # undefined (e.g. ratio with reference rate 0) and no interval: a threshold was asked, so inconclusive
    assert judge(None, None, 0.8, 1.25) is INC
    assert judge(float("nan"), None, 0.8, 1.25) is INC
    assert judge(None, None, 0.8, 1.25, basis="point") is INC
    # ... but a one-sided interval [L, inf) still decides when it lies beyond the band
    assert judge(None, (1.5, math.inf), 0.8, 1.25) is F
    assert judge(None, (0.9, math.inf), 0.8, None) is P
    assert judge(None, (0.9, math.inf), 0.8, 1.25) is INC


def test_no_band_is_not_run():
    assert judge(0.5, (0.4, 0.6), None, None) is NR
    assert judge(None, None, None, None) is NR


def test_bad_inputs_are_errors():
    with pytest.raises(ValueError, match="greater than max"):
        judge(0.0, (0, 0), 0.2, 0.1)
    with pytest.raises(ValueError, match="basis"):
        judge(0.0, (0, 0), 0, 1, basis="estimate")
    with pytest.raises(ValueError, match="lower bound"):
        judge(0.0, (0.3, 0.1), -1, 1)
    with pytest.raises(ValueError, match="finite"):
        Band(float("nan"), 1)
    # nan bounds mean "no interval"
    assert judge(0.0, (float("nan"), 0.1), -1, 1) is INC
    assert judge(0.0, I.NoInterval("why", "wilson", 0.95), -1, 1) is INC


finite = st.floats(-10, 10, allow_nan=False)


@settings(max_examples=400, deadline=None)
@given(a=finite, b=finite, lo=st.one_of(st.none(), finite), hi=st.one_of(st.none(), finite))
def test_rule_matches_written_definition(a, b, lo, hi):
    """pass iff every point of [l, u] is acceptable; fail iff none is; otherwise inconclusive."""
    low, u = min(a, b), max(a, b)
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    verdict = judge((low + u) / 2, (low, u), lo, hi)
    if lo is None and hi is None:
        assert verdict is NR
        return
    band_lo = -math.inf if lo is None else lo
    band_hi = math.inf if hi is None else hi
    all_inside = band_lo <= low and u <= band_hi
    none_inside = u < band_lo or low > band_hi  # [low, u] ∩ [band_lo, band_hi] is empty
    assert verdict is (P if all_inside else F if none_inside else INC)


def test_schema_objects_and_spreads():
    from modelcard.schema.models import ConfidenceInterval, Disparity, DisparityValue, GroupSpread, Threshold

    th = Threshold(convention="difference", min=-0.1, max=0.1)
    dv = DisparityValue(value=0.055, confidence_interval=ConfidenceInterval(lower=-0.238, upper=0.232))
    assert judge_estimate(dv, th).verdict is INC
    assert judge_spread(Disparity(difference=dv), th).verdict is INC
    spread = GroupSpread(
        metric="fpr",
        attributes=["race"],
        difference=DisparityValue(value=0.2, confidence_interval=ConfidenceInterval(lower=0.15, upper=0.25)),
        ratio=DisparityValue(value=0.5),
    )
    assert judge_spread(spread, th).verdict is F
    assert judge_spread(spread, Threshold(convention="ratio", min=0.8)).verdict is INC  # no interval
    assert judge_spread(spread, Threshold(convention="ratio", min=0.8), basis="point").verdict is F
    assert judge_spread(spread, None).verdict is NR
    assert judge_estimate(None, th).verdict is INC


def test_verdict_enum():
    assert Verdict("pass") is P and P == "pass" and str(F) == "fail" and f"{INC}" == "inconclusive"
    order = sorted(Verdict, key=lambda v: v.severity)
    assert order == [P, NR, INC, F]
    assert F.worse_than(INC) and INC.worse_than("not_run") and NR.worse_than(P) and not P.worse_than(F)
    assert {v.icon for v in Verdict} and P.label == "Pass" and NR.label == "Not run"
    assert all(v.description for v in Verdict)


# --------------------------------------------------------------------------
# diff semantics


def A(verdict, value, interval=None, lo=-0.1, hi=0.1):
    return Assessment(verdict, value, interval, lo, hi)


def test_fail_to_inconclusive_with_grown_gap_is_not_an_improvement():
    old = A("fail", 0.2, (0.15, 0.25))
    new = A("inconclusive", 0.3, (-0.2, 0.8))  # smaller sample: wide interval, estimate further out
    r = compare(old, new)
    assert r.change is Change.AMBIGUOUS
    assert "widened" in r.reason and r.old_gap == pytest.approx(0.1) and r.new_gap == pytest.approx(0.2)


@pytest.mark.parametrize(
    "old, new, change",
    [
        (A("fail", 0.2, (0.15, 0.25)), A("inconclusive", 0.12, (0.05, 0.19)), Change.IMPROVED),
        (A("fail", 0.2, (0.15, 0.25)), A("pass", 0.0, (-0.05, 0.05)), Change.IMPROVED),
        (A("inconclusive", 0.05, (-0.05, 0.15)), A("pass", 0.05, (0.0, 0.1)), Change.IMPROVED),
        (A("pass", 0.0, (-0.05, 0.05)), A("inconclusive", 0.0, (-0.2, 0.2)), Change.REGRESSED),
        (A("pass", 0.0, (-0.05, 0.05)), A("fail", 0.3, (0.2, 0.4)), Change.REGRESSED),
        (A("inconclusive", 0.5, (-0.5, 1.5)), A("fail", 0.15, (0.12, 0.18)), Change.AMBIGUOUS),
        (A("inconclusive", 0.12, (0.05, 0.2)), A("fail", 0.2, (0.15, 0.25)), Change.REGRESSED),
        (A("fail", 0.2, (0.15, 0.25)), A("fail", 0.3, (0.25, 0.35)), Change.REGRESSED),
        (A("fail", 0.3, (0.25, 0.35)), A("fail", 0.2, (0.15, 0.25)), Change.IMPROVED),
        (A("fail", 0.3, (0.25, 0.35)), A("fail", 0.3, (0.2, 0.4)), Change.UNCHANGED),
        (A("pass", 0.0, (-0.05, 0.05)), A("pass", 0.08, (0.07, 0.09)), Change.UNCHANGED),
        (A("not_run", 0.0), A("not_run", 0.5), Change.UNCHANGED),
        (A("not_run", 0.0, lo=None, hi=None), A("pass", 0.0, (-0.05, 0.05)), Change.AMBIGUOUS),
        (A("fail", 0.2, (0.15, 0.25)), A("pass", 0.2, (0.15, 0.25), lo=-0.3, hi=0.3), Change.AMBIGUOUS),
        (A("fail", 0.2, (0.15, 0.25)), A("inconclusive", None, None), Change.AMBIGUOUS),
        (A("pass", 0.0, (-0.05, 0.05)), A("inconclusive", None, None), Change.REGRESSED),
    ],
)
def test_compare(old, new, change):
    assert compare(old, new).change is change


# --------------------------------------------------------------------------
# multiplicity


def test_adjusted_level():
    assert adjusted_level(0.95, 10, "none") == 0.95
    assert adjusted_level(0.95, 10, "bonferroni") == pytest.approx(0.995)
    assert adjusted_level(0.95, 10, "holm", rank=1) == pytest.approx(0.995)
    assert adjusted_level(0.95, 10, "holm", rank=10) == pytest.approx(0.95)
    assert adjusted_level(0.95, 1, "bonferroni") == 0.95
    assert adjusted_level(0.95, 0, "bonferroni") == 0.95
    with pytest.raises(ValueError):
        adjusted_level(0.95, 10, "sidak")
    with pytest.raises(ValueError):
        adjusted_level(1.0, 10, "none")
    with pytest.raises(ValueError):
        adjusted_level(0.95, 10, "holm", rank=11)
    assert adjusted_levels([0.1, 0.2], 0.9, "bonferroni") == pytest.approx([0.95, 0.95])


def test_holm_levels_match_statsmodels_rejections():
    import numpy as np
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(3)
    for _ in range(40):  # multipletests is slow to call (tens of ms)
        m = int(rng.integers(1, 12))
        ps = list(np.where(rng.random(m) < 0.5, rng.random(m) * 0.02, rng.random(m)))
        levels = holm_levels(ps, 0.95)
        ours = [p <= 1 - lv for p, lv in zip(ps, levels)]
        theirs = multipletests(ps, alpha=0.05, method="holm")[0]
        assert ours == list(theirs)
    assert holm_levels([0.001, 0.04, 0.03, 0.2], 0.95) == pytest.approx(
        [1 - 0.05 / 4, 1 - 0.05 / 3, 1 - 0.05 / 3, 1 - 0.05 / 3]
    )
    assert holm_levels([None, 0.001], 0.95) == pytest.approx([1 - 0.05, 1 - 0.05 / 2])


def test_decision_p_value_of_a_wald_interval():
    from statistics import NormalDist

    se = 0.05

    def at(value):
        return lambda lv: (
            value - NormalDist().inv_cdf(0.5 + lv / 2) * se,
            value + NormalDist().inv_cdf(0.5 + lv / 2) * se,
        )

    for value, lo, hi in ((0.02, None, 0.1), (0.2, None, 0.1), (0.95, 0.8, None)):
        dist = (hi - value) if hi is not None and value <= hi else (value - hi) if hi is not None else value - lo
        expected = 2 * (1 - NormalDist().cdf(abs(dist) / se))
        assert decision_p_value(at(value), lo, hi) == pytest.approx(expected, rel=1e-6)
    # two-sided band: pass needs both ends inside, so the nearer bound decides
    expected = 2 * (1 - NormalDist().cdf(0.04 / se))
    assert decision_p_value(at(0.06), -0.1, 0.1) == pytest.approx(expected, rel=1e-6)
    # an interval that never settles (estimate on the bound) has p = 1; no band: 1
    assert decision_p_value(lambda lv: (0.1 - lv, 0.1 + lv), -1, 0.1) == 1.0
    assert decision_p_value(at(0.0), None, None) == 1.0


def test_judge_family_adjusts_intervals():
    from modelcard.evaluation.finalize import Estimate
    from modelcard.schema.verdicts import judge_family

    def est(k1, n1, k2, n2):
        ci = I.rate_difference(k1, n1, k2, n2)
        return Estimate(
            k1 / n1 - k2 / n2, ci, None, None, None, None, lambda lv: I.rate_difference(k1, n1, k2, n2, lv) or None
        )

    band = {"min": -0.1, "max": 0.1}
    items = [
        (est(480, 1000, 300, 1000), band),  # clearly outside
        (est(305, 1000, 300, 1000), band),  # clearly inside
        (est(355, 1000, 300, 1000), band),  # inside, near the bound
        (est(355, 1000, 300, 1000), None),
    ]  # no threshold
    none = judge_family(items, 0.95, "none")
    bonf = judge_family(items, 0.95, "bonferroni")
    holm = judge_family(items, 0.95, "holm")
    assert [j.verdict for j in none] == [F, P, P, NR]
    assert [j.verdict for j in bonf] == [F, P, INC, NR]  # 1 − 0.05/3 widens the third past the bound
    assert bonf[0].level == pytest.approx(1 - 0.05 / 3)
    assert bonf[0].interval.width > none[0].interval.width
    # Holm: the clear results are settled first (the inside one has the smaller p-value: 1 − α/3, then the
    # outside one: 1 − α/2), and the third is judged at 1 − α
    assert [j.verdict for j in holm] == [F, P, P, NR]
    assert [h.level for h in holm[:3]] == pytest.approx([1 - 0.05 / 2, 1 - 0.05 / 3, 0.95])
    assert holm[1].p_value < holm[0].p_value < 1e-3 and 0.01 < holm[2].p_value < 0.05
    # a stored interval without at_level is used only if computed at the adjusted level or higher
    from modelcard.schema.models import ConfidenceInterval, DisparityValue

    dv = DisparityValue(value=0.3, confidence_interval=ConfidenceInterval(lower=0.2, upper=0.4, level=0.95))
    assert judge_family([(dv, band), (dv, band)], 0.95, "bonferroni")[0].verdict is INC
    assert judge_family([(dv, band)], 0.95, "bonferroni")[0].verdict is F  # family of one: no adjustment
    assert judge_family([(dv, band), (dv, band)], 0.95, "bonferroni", basis="point")[0].verdict is F
