"""`modelcard gate`: fairness verdicts, performance requirements, allowances, output formats."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelcard.analysis.gate import gate_card, gate_file, parse_requirement
from modelcard.card.validate import load_card, validate_data
from modelcard.cli import main
from modelcard.report.gate import check_label, format_markdown, format_text

DATA = Path(__file__).parents[1] / "data" / "gate"

PASSING = DATA / "passing.yaml"

NOTHING = DATA / "nothing.yaml"


def gate(capsys, *args: str) -> tuple[int, str, str]:
    rc = main(["gate", *map(str, args)])
    out = capsys.readouterr()
    return rc, out.out, out.err


# --------------------------------------------------------------------------
# the example card: fail, inconclusive and pass verdicts


def test_example_card_fails_on_its_fairness_results(example_path):
    result = gate_file(example_path)
    fairness = [c for c in result.checks if c.kind == "fairness"]
    assert {c.verdict for c in fairness} == {"fail", "inconclusive", "pass"}
    assert sum(c.verdict == "fail" for c in fairness) == 10
    assert sum(c.verdict == "inconclusive" for c in fairness) == 31
    assert not result.passed
    # the card's own requirement (accuracy >= 0.65 overall) is checked and met
    (req,) = [c for c in result.checks if c.kind == "requirement"]
    assert (req.metric, req.verdict, req.threshold_min, req.source) == (
        "accuracy",
        "pass",
        0.65,
        "test_methodology.requirements[0]",
    )


# --------------------------------------------------------------------------
# pass, empty, not run, inconclusive


def test_failing_spread_fails_and_spread_without_verdict_is_computed_or_skipped():
    beyond = [
        "fairness.spreads[0].difference.value=0.09",
        "fairness.spreads[0].difference.confidence_interval.lower=0.07",
        "fairness.spreads[0].difference.confidence_interval.upper=0.11",
    ]
    card = load_card(PASSING, sets=["fairness.spreads[0].verdict=fail", *beyond])
    assert [c.verdict for c in gate_card(card).checks if c.kind == "spread"] == ["fail"]
    data = load_card(PASSING).model_dump(exclude_unset=True)
    del data["fairness"]["spreads"][0]["verdict"]
    data["fairness"]["spreads"][0]["difference"] = {
        "value": 0.07,
        "confidence_interval": {"lower": 0.06, "upper": 0.08},
    }
    card, _ = validate_data(data)
    (spread,) = [c for c in gate_card(card).checks if c.kind == "spread"]
    assert spread.verdict == "fail" and "computed" in spread.note and "lies outside the band" in spread.note
    # the same spread without its interval cannot be settled by the rule
    del data["fairness"]["spreads"][0]["difference"]["confidence_interval"]
    card, _ = validate_data(data)
    (spread,) = [c for c in gate_card(card).checks if c.kind == "spread"]
    assert spread.verdict == "inconclusive" and "no confidence interval" in spread.note
    del data["fairness"]["spreads"][0]["threshold"]
    card, _ = validate_data(data)
    assert [c for c in gate_card(card).checks if c.kind == "spread"] == []


# --------------------------------------------------------------------------
# performance requirements


def test_require_on_a_slice_and_on_every_slice():
    result = gate_file(PASSING, requirements=["accuracy[sex=female]>=0.86"])
    (c,) = [c for c in result.checks if c.source.startswith("requirement ")]
    assert (check_label(c), c.value, c.verdict) == ("sex=female", 0.85, "fail")
    result = gate_file(PASSING, requirements=["accuracy[*]>=0.86"])
    rows = [(check_label(c), c.verdict) for c in result.checks if c.source.startswith("requirement ")]
    assert rows == [("overall", "pass"), ("sex=female", "fail"), ("sex=male", "pass")]


def test_ci_must_clear_without_an_interval_is_inconclusive():
    card = load_card(PASSING, sets=["test_methodology.requirements[0].basis=confidence_interval"])
    assert card.test_methodology.requirements[0].basis == "confidence_interval"
    card = load_card(NOTHING)
    result = gate_card(card, requirements=["accuracy>=0.5"], ci_must_clear=True)
    (c,) = result.checks
    assert c.verdict == "inconclusive" and "no confidence interval" in c.note


def test_undefined_metric_value_is_inconclusive():
    data = load_card(NOTHING).model_dump(exclude_unset=True)
    data["metrics"][0] = {"name": "accuracy", "value": None, "undefined_reason": "no labels"}
    card, _ = validate_data(data)
    (c,) = gate_card(card, requirements=["accuracy>=0.5"]).checks
    assert c.verdict == "inconclusive" and c.note == "no labels"


@pytest.mark.parametrize(
    "expr, expected",
    [
        ("accuracy>=0.65", {"metric": "accuracy", "min": 0.65}),
        (" fpr <= 0.35 ", {"metric": "fpr", "max": 0.35}),
        (
            "accuracy[race=Caucasian, sex=Male]>=0.6",
            {"metric": "accuracy", "min": 0.6, "slice": {"race": "Caucasian", "sex": "Male"}},
        ),
        ("accuracy[*]>=0.6", {"metric": "accuracy", "min": 0.6, "all_slices": True}),
        (
            "accuracy@compas-2yr/test>=1e-1",
            {"metric": "accuracy", "min": 0.1, "dataset": "compas-2yr", "split": "test"},
        ),
    ],
)
def test_parse_requirement(expr, expected):
    assert parse_requirement(expr).model_dump(exclude_none=True) == expected


def test_requirement_schema_rules():
    base = {"card": {"schema_version": "1.1"}, "model": {"name": "m", "version": "1"}}
    for bad, message in [
        ({"metric": "acc"}, "min, max or both"),
        ({"metric": "acc", "min": 0.9, "max": 0.1}, "greater than max"),
        ({"metric": "acc", "min": 0.5, "slice": {"a": "b"}, "all_slices": True}, "not both"),
    ]:
        card, diags = validate_data({**base, "test_methodology": {"requirements": [bad]}})
        assert card is None and message in diags[0].message


# --------------------------------------------------------------------------
# formats, errors, output file


def test_markdown_escapes_table_breaking_text():
    card = load_card(PASSING, sets=["fairness.results[0].group.sex=a|b"])
    text = format_markdown(gate_card(card))
    row = next(line for line in text.splitlines() if "fairness selection_rate" in line)
    assert "sex=a\\|b" in row and row.count(" | ") == 6


def test_gate_card_api_without_document():
    result = gate_card(load_card(PASSING))
    assert result.passed and all(c.location == "" for c in result.checks)
    assert "gate PASSED" in format_text(result)
