"""THE verdict rule where it is used: validate's consistency check, gate, diff, render (issue 11 §1, §4).

Each use must give, for the same numbers, what :mod:`modelcard.schema.verdicts` gives; the edge cases of
the written definition (an interval touching a bound, wider than the band, one-sided bands, no interval,
point basis) are checked through the card checks, and multiplicity adjustments through stored levels.
"""

from __future__ import annotations

import copy
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelcard.analysis.diff import diff_cards
from modelcard.analysis.gate import gate_card
from modelcard.card.validate import validate_data
from modelcard.render import CardView
from modelcard.render.environment import template_globals
from modelcard.report.diff import diff_document, regression_text
from modelcard.report.gate import gate_document
from modelcard.schema.models import SCHEMA_VERSION
from modelcard.schema.verdicts import (
    Change,
    Verdict,
    decisive_disparity,
    holm_schedule_problem,
    judge,
    judge_card,
    shown_disparity,
)

P, F, INC, NR = "pass", "fail", "inconclusive", "not_run"


def result(
    interval: tuple[float, float] | None,
    value: float = 0.0,
    *,
    band: tuple[float | None, float | None] | None = (-0.1, 0.1),
    verdict: str = P,
    convention: str = "difference",
    level: float | None = None,
    group: str = "b",
) -> dict:
    d: dict = {"value": value}
    if interval is not None:
        d["confidence_interval"] = {"lower": interval[0], "upper": interval[1]}
        if level is not None:
            d["confidence_interval"]["level"] = level
    out: dict = {
        "metric": "fpr",
        "group": {"g": group},
        "reference_group": {"g": "a"},
        "value": 0.3,
        "disparity": {convention: d},
        "verdict": verdict,
    }
    if band is not None:
        th: dict = {"convention": convention}
        if band[0] is not None:
            th["min"] = band[0]
        if band[1] is not None:
            th["max"] = band[1]
        out["threshold"] = th
    return out


def card(results=(), spreads=(), *, basis: str | None = None, level: float | None = None, **fairness) -> dict:
    data: dict = {
        "card": {"schema_version": SCHEMA_VERSION},
        "model": {"name": "m", "version": "1"},
        "fairness": {"results": list(results), **fairness},
    }
    if spreads:
        data["fairness"]["spreads"] = list(spreads)
    tm: dict = {}
    if basis is not None:
        tm["verdict_basis"] = basis
    if level is not None:
        tm["confidence_intervals"] = {"method": "wilson", "level": level}
    if tm:
        data["test_methodology"] = tm
    return data


def problems(data: dict, code: str | None = None) -> list:
    model, diags = validate_data(data)
    assert model is not None, diags
    return [d for d in diags if code is None or d.code == code]


# --------------------------------------------------------------------------
# validate's consistency check follows the written definition


EDGE_CASES = [
    # (interval, value, band, rule's verdict)
    ((-0.05, 0.05), 0.0, (-0.1, 0.1), P),
    ((-0.1, 0.1), 0.0, (-0.1, 0.1), P),  # the interval is the band: bounds inclusive
    ((0.1, 0.3), 0.2, (-0.1, 0.1), INC),  # touching a bound from outside overlaps it
    ((0.1000001, 0.3), 0.2, (-0.1, 0.1), F),
    ((-0.238, 0.232), 0.055, (-0.1, 0.1), INC),  # issue 11: wider than the band (point estimate inside)
    ((-0.55, 0.62), 0.237, (-0.1, 0.1), INC),  # n = 1: wider than the band (point estimate outside)
    ((0.05, 0.2), 0.12, (-0.1, 0.1), INC),  # straddles
    ((0.8, 1.3), 1.0, (0.8, None), P),  # one-sided (four-fifths): touching the min from inside
    ((0.5, 0.79), 0.7, (0.8, None), F),
    ((0.7, 1.3), 0.9, (0.8, None), INC),
    ((-0.3, 0.05), 0.0, (None, 0.05), P),  # one-sided max
    ((0.06, 0.3), 0.1, (None, 0.05), F),
    (None, 0.0, (-0.1, 0.1), INC),  # no interval
    (None, 0.5, (-0.1, 0.1), INC),
]


@pytest.mark.parametrize("interval, value, band, rule", EDGE_CASES)
def test_stated_verdict_must_be_the_rules(interval, value, band, rule):
    conv = "ratio" if band[0] == 0.8 else "difference"
    for stated in (P, F, INC):
        data = card([result(interval, value, band=band, verdict=stated, convention=conv)])
        mismatch = problems(data, "verdict-mismatch")
        if stated == rule:
            assert mismatch == [], (stated, [str(d) for d in mismatch])
        else:
            (d,) = mismatch
            assert d.path == "fairness.results[0].verdict" and d.severity == "error"
            assert f"verdict '{stated}' disagrees with the verdict rule, which gives '{rule}'" in d.message
    assert judge(value, interval, *band) is Verdict(rule)


@pytest.mark.parametrize("interval, value, band, _rule", EDGE_CASES)
def test_point_basis_decides_on_the_estimate(interval, value, band, _rule):
    conv = "ratio" if band[0] == 0.8 else "difference"
    inside = (band[0] is None or value >= band[0]) and (band[1] is None or value <= band[1])
    right, wrong = (P, F) if inside else (F, P)
    assert problems(card([result(interval, value, band=band, verdict=right, convention=conv)], basis="point")) == []
    (d,) = problems(card([result(interval, value, band=band, verdict=wrong, convention=conv)], basis="point"))
    assert d.code == "verdict-mismatch" and "the estimate" in d.message


def test_no_interval_mismatch_says_how_to_fix_it():
    (d,) = problems(card([result(None, 0.0)]), "verdict-mismatch")
    assert "give the difference's confidence_interval" in d.message and "verdict_basis: point" in d.message


def test_not_run_and_no_threshold_are_not_judged():
    assert problems(card([result((0.5, 0.6), 0.55, verdict=NR)]), "verdict-mismatch") == []
    assert problems(card([result((0.5, 0.6), 0.55, band=None, verdict=P)]), "verdict-mismatch") == []


def test_spreads_get_the_same_rule_and_carry_their_interval():
    spread = {
        "metric": "fpr",
        "attributes": ["g"],
        "difference": {"value": 0.03, "confidence_interval": {"lower": -0.2, "upper": 0.25}},
        "threshold": {"convention": "difference", "max": 0.05},
        "verdict": P,
    }
    (d,) = problems(card(spreads=[spread]), "verdict-mismatch")
    assert d.path == "fairness.spreads[0].verdict" and "which gives 'inconclusive'" in d.message
    ok = copy.deepcopy(spread) | {"verdict": INC}
    assert problems(card(spreads=[ok]), "verdict-mismatch") == []
    missing = copy.deepcopy(spread) | {"threshold": {"convention": "ratio", "min": 0.8}}
    (d,) = problems(card(spreads=[missing]), "threshold-without-disparity")
    assert d.path == "fairness.spreads[0].threshold"


@settings(max_examples=60)
@given(
    lo=st.floats(-1, 1),
    width=st.floats(0, 1),
    bmin=st.one_of(st.none(), st.floats(-0.5, 0.5)),
    bwidth=st.floats(0, 0.5),
    upper_bounded=st.booleans(),
    basis=st.sampled_from(["interval", "point"]),
)
def test_every_use_agrees_with_judge(lo, width, bmin, bwidth, upper_bounded, basis):
    hi = lo + width
    value = (lo + hi) / 2
    bmax = ((bmin if bmin is not None else -0.5) + bwidth) if upper_bounded or bmin is None else None
    rule = judge(value, (lo, hi), bmin, bmax, basis=basis).value
    data = card([result((lo, hi), value, band=(bmin, bmax), verdict=rule)], basis=basis)
    model, diags = validate_data(data)
    assert model is not None and not [d for d in diags if d.code == "verdict-mismatch"]
    # the gate judges a not_run result with numbers by the same rule
    data["fairness"]["results"][0]["verdict"] = NR
    model, _ = validate_data(data)
    (check,) = gate_card(model).checks
    assert check.verdict == rule


# --------------------------------------------------------------------------
# which disparity decides


def test_decisive_and_shown_disparity():
    model, _ = validate_data(card([result((0.7, 0.9), 0.8, band=(0.8, None), convention="ratio", verdict=INC)]))
    (r,) = model.fairness.results
    assert decisive_disparity(r)[0] == "ratio" and decisive_disparity(r)[1].value == 0.8
    r2 = r.model_copy(update={"threshold": r.threshold.model_copy(update={"convention": "difference"})})
    assert decisive_disparity(r2) == ("difference", None)  # the threshold's disparity is missing
    assert shown_disparity(r2)[0] == "ratio"  # what is shown falls back to the one given
    r3 = r.model_copy(update={"threshold": None})
    assert decisive_disparity(r3)[0] == "ratio"
    r4 = r.model_copy(update={"disparity": None, "threshold": None})
    assert decisive_disparity(r4) == (None, None)


# --------------------------------------------------------------------------
# family and multiplicity adjustment (issue 11 §4)


def _family(level: float | None, n: int = 3, **fairness) -> dict:
    return card(
        [result((-0.05, 0.05), 0.0, level=level, group=f"g{i}") for i in range(n)],
        level=0.95,
        family_size=n,
        **fairness,
    )


def test_bonferroni_requires_the_adjusted_level_of_every_deciding_interval():
    required = 1 - 0.05 / 3
    assert problems(_family(required, adjustment="bonferroni")) == []
    assert problems(_family(0.999, adjustment="bonferroni")) == []
    mismatch = problems(_family(0.95, adjustment="bonferroni"), "verdict-mismatch")
    assert len(mismatch) == 3
    assert "below the 0.983333 the adjustment requires" in mismatch[0].message
    # an interval that states no level has the card's (0.95): too narrow as well
    assert len(problems(_family(None, adjustment="bonferroni"), "verdict-mismatch")) == 3
    # without an adjustment the stored intervals decide as they are
    assert problems(_family(0.95, adjustment="none")) == []


def test_holm_levels_must_follow_the_step_down_schedule():
    a = 0.05
    assert holm_schedule_problem([1 - a / 3, 1 - a / 2, 1 - a], [True, True, True], 0.95) is None
    # stops at rank 2: ranks 2 and 3 share its level and are unsettled
    assert holm_schedule_problem([1 - a / 3, 1 - a / 2, 1 - a / 2], [True, False, False], 0.95) is None
    assert holm_schedule_problem([1 - a / 3, 1 - a / 2, None], [True, True, False], 0.95) is None
    assert "should have level" in holm_schedule_problem([0.95, 0.95, 0.95], [True, True, True], 0.95)
    assert "step-down stops" in holm_schedule_problem([1 - a / 3, 1 - a / 2, 1 - a / 2], [True, False, True], 0.95)
    data = _family(0.95, adjustment="holm")
    (d,) = problems(data, "adjusted-level")
    assert d.severity == "error" and d.path == "fairness.results[0].disparity.difference.confidence_interval.level"
    for i, lv in enumerate([1 - a / 3, 1 - a / 2, 1 - a]):
        data["fairness"]["results"][i]["disparity"]["difference"]["confidence_interval"]["level"] = lv
    assert problems(data) == []


def test_family_size_is_checked_and_stated():
    data = _family(0.95, n=3)
    data["fairness"]["family_size"] = 5
    (d,) = problems(data)
    assert d.code == "family-size" and d.severity == "warning" and "judges 3" in d.message
    model, _ = validate_data(_family(0.95))
    judged = judge_card(model)
    assert judged.family_size == 3 and "3 results and spreads judged" in judged.family_text()
    gate = gate_card(model)
    assert gate.family["size"] == 3 and gate.family["adjustment"] == "none"
    assert gate_document(gate)["family"] == gate.family
    model, _ = validate_data(_family(1 - 0.05 / 3, adjustment="bonferroni"))
    assert "Bonferroni" in judge_card(model).family_text()
    assert gate_card(model).family["min_level"] == pytest.approx(1 - 0.05 / 3)
    # an adjustment on point-estimate verdicts does nothing, and says so
    point = _family(0.95, adjustment="holm")
    point["test_methodology"]["verdict_basis"] = "point"
    assert [d.code for d in problems(point)] == ["adjustment-unused"]


# --------------------------------------------------------------------------
# gate: requirements use the same rule


def _metric_card(value: float, lo: float, hi: float, basis: str | None = None) -> dict:
    req: dict = {"metric": "fpr", "min": 0.18, "max": 0.22}
    if basis:
        req["basis"] = basis
    return {
        "card": {"schema_version": SCHEMA_VERSION},
        "model": {"name": "m", "version": "1"},
        "test_methodology": {"requirements": [req]},
        "metrics": [{"name": "fpr", "value": value, "confidence_interval": {"lower": lo, "upper": hi}}],
    }


def test_requirement_whose_interval_is_wider_than_the_bar_is_inconclusive_on_the_interval_basis():
    model, _ = validate_data(_metric_card(0.2, 0.1, 0.3, "confidence_interval"))
    (c,) = gate_card(model).checks
    assert c.verdict == INC and "wider than the bar" in c.note  # was judged 'pass' by its estimate
    model, _ = validate_data(_metric_card(0.2, 0.1, 0.3))  # the default basis: the estimate
    (c,) = gate_card(model).checks
    assert c.verdict == P and "wider than the bar" in c.note
    model, _ = validate_data(_metric_card(0.25, 0.23, 0.27, "confidence_interval"))
    (c,) = gate_card(model).checks
    assert c.verdict == F


# --------------------------------------------------------------------------
# diff: compare(), never an improvement when the gap grew


def _one(interval, value, verdict):
    model, diags = validate_data(card([result(interval, value, verdict=verdict)]))
    assert model is not None and not [d for d in diags if d.severity == "error"], diags
    return model


def test_fail_to_inconclusive_with_a_grown_gap_is_not_an_improvement():
    old = _one((0.15, 0.25), 0.2, F)
    softer = _one((-0.5, 1.0), 0.25, INC)  # further out, but a much wider interval (a smaller sample)
    (v,) = diff_cards(old, softer).verdicts
    assert (v.change, v.assessment, v.improvement, v.regression) == ("flipped", Change.AMBIGUOUS, False, False)
    assert "interval widened" in v.reason
    better = _one((0.05, 0.2), 0.12, INC)  # moved towards the band
    (v,) = diff_cards(old, better).verdicts
    assert (v.assessment, v.improvement) == (Change.IMPROVED, True)
    worse = _one((0.25, 0.35), 0.3, F)  # same verdict, further out
    d = diff_cards(old, worse)
    (v,) = d.verdicts
    assert (v.change, v.assessment, v.regression) == ("moved", Change.REGRESSED, True)
    assert d.regressions == [v] and regression_text(v) == "fairness fpr g=b vs g=a: " + v.reason
    assert diff_document(d)["verdicts"][0]["assessment"] == "regressed"


# --------------------------------------------------------------------------
# render: the marks are the Verdict enum's, and the rule is stated


def test_render_view_states_basis_family_and_uses_the_verdict_marks():
    assert {v.value: v.icon for v in Verdict} == template_globals()["verdict_marks"]
    model, _ = validate_data(_family(1 - 0.05 / 3, adjustment="bonferroni"))
    view = CardView(model)
    assert "basis: interval" in view.verdict_rule and "3 results and spreads" in view.verdict_family
    assert "Bonferroni" in view.verdict_family
    point = _family(0.95)
    point["test_methodology"]["verdict_basis"] = "point"
    model, _ = validate_data(point)
    assert "basis: point" in CardView(model).verdict_rule
    bare, _ = validate_data({"card": {"schema_version": SCHEMA_VERSION}, "model": {"name": "m", "version": "1"}})
    assert CardView(bare).verdict_rule == ""


def test_scorecard_keeps_the_worst_verdicts_by_severity():
    rows = [result((0.0, 0.05), 0.02, verdict=P, group=f"p{i}") for i in range(3)]
    rows += [result((0.5, 0.6), 0.55, verdict=F, group="f"), result((0.0, 0.5), 0.2, verdict=INC, group="i")]
    model, _ = validate_data(card(rows))
    view = CardView(model, scorecard_limit=2)
    assert [r.verdict for r in view.scorecard_results] == [F, INC]
    assert view.scorecard_omitted == {P: 3}


def test_a_card_without_fairness_has_an_empty_family():
    model, _ = validate_data({"card": {"schema_version": SCHEMA_VERSION}, "model": {"name": "m", "version": "1"}})
    judged = judge_card(model)
    assert judged.family_size == 0 and not math.isnan(judged.level) and judged.members == []
