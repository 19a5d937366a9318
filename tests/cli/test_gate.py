"""`modelcard gate`: fairness verdicts, performance requirements, allowances, output formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modelcard.analysis.gate import format_markdown, format_text, gate_card, gate_file, parse_requirement
from modelcard.card.validate import load_card, validate_data
from modelcard.cli import main
from modelcard.diagnostics import CardError, UsageError

DATA = Path(__file__).parents[1] / "data" / "gate"
PASSING = DATA / "passing.yaml"
NOTHING = DATA / "nothing.yaml"
NOT_RUN = DATA / "not-run.yaml"
INVALID = DATA / "invalid.yaml"
LAYERING = Path(__file__).parents[1] / "data" / "layering"


def gate(capsys, *args: str) -> tuple[int, str, str]:
    rc = main(["gate", *map(str, args)])
    out = capsys.readouterr()
    return rc, out.out, out.err


def by_verdict(result) -> dict[str, int]:
    return {k: v for k, v in result.counts.items() if v}


# --------------------------------------------------------------------------
# the example card: fail, inconclusive and pass verdicts


def test_example_card_fails_on_its_fairness_results(example_path):
    result = gate_file(example_path)
    fairness = [c for c in result.checks if c.kind == "fairness"]
    assert {c.verdict for c in fairness} == {"fail", "inconclusive", "pass"}
    assert sum(c.verdict == "fail" for c in fairness) == 5
    assert sum(c.verdict == "inconclusive" for c in fairness) == 6
    assert not result.passed
    # the card's own requirement (accuracy >= 0.65 overall) is checked and met
    (req,) = [c for c in result.checks if c.kind == "requirement"]
    assert (req.metric, req.verdict, req.threshold_min, req.source) == (
        "accuracy",
        "pass",
        0.65,
        "test_methodology.requirements[0]",
    )


def test_example_card_cli_exit_1_with_summary_table(capsys, example_path):
    rc, out, _ = gate(capsys, example_path)
    assert rc == 1
    assert "CHECK" in out and "VERDICT" in out and "VALUE [95% CI]" in out
    assert "fairness fpr" in out and "race=African-American vs race=Caucasian" in out
    assert "+0.2032 [+0.1692, +0.2365]" in out and "difference in [-0.1, +0.1]" in out
    assert out.rstrip().splitlines()[-1].startswith("gate FAILED: 11 of 17 checks block")
    # failing rows are located in the card
    assert f"{example_path}:" in out


def test_allow_inconclusive_does_not_excuse_failures(capsys, example_path):
    rc, out, _ = gate(capsys, example_path, "--allow-inconclusive")
    assert rc == 1
    assert "INCONCLUSIVE (allowed)" in out
    assert "5 of 17 checks block" in out


# --------------------------------------------------------------------------
# pass, empty, not run, inconclusive


def test_passing_card_passes(capsys):
    rc, out, _ = gate(capsys, PASSING)
    assert rc == 0
    assert "gate PASSED: all 4 checks cleared" in out
    result = gate_file(PASSING)
    assert [c.kind for c in result.checks] == ["fairness", "spread", "requirement", "requirement"]


def test_nothing_to_gate_is_not_a_pass(capsys):
    rc, out, _ = gate(capsys, NOTHING)
    assert rc == 1 and "nothing to gate" in out and "--allow-empty" in out
    rc, out, _ = gate(capsys, NOTHING, "--allow-empty")
    assert rc == 0 and "nothing to gate" in out


def test_not_run_blocks_unless_allowed(capsys):
    rc, out, _ = gate(capsys, NOT_RUN)
    assert rc == 1 and "NOT RUN" in out and "--allow-not-run" in out
    assert f"{NOT_RUN}:16:7" in out  # located at the result
    rc, out, _ = gate(capsys, NOT_RUN, "--allow-not-run")
    assert rc == 0 and "NOT RUN (allowed)" in out


def test_inconclusive_blocks_unless_allowed(capsys):
    rc, _, _ = gate(capsys, PASSING, "--set", "fairness.results[0].verdict=inconclusive")
    assert rc == 1
    rc, _, _ = gate(capsys, PASSING, "--set", "fairness.results[0].verdict=inconclusive", "--allow-inconclusive")
    assert rc == 0


def test_failing_spread_fails_and_spread_without_verdict_is_computed_or_skipped():
    card = load_card(PASSING, sets=["fairness.spreads[0].verdict=fail", "fairness.spreads[0].difference.value=0.09"])
    assert [c.verdict for c in gate_card(card).checks if c.kind == "spread"] == ["fail"]
    data = load_card(PASSING).model_dump(exclude_unset=True)
    del data["fairness"]["spreads"][0]["verdict"]
    data["fairness"]["spreads"][0]["difference"]["value"] = 0.07
    card, _ = validate_data(data)
    (spread,) = [c for c in gate_card(card).checks if c.kind == "spread"]
    assert spread.verdict == "fail" and "computed" in spread.note
    del data["fairness"]["spreads"][0]["threshold"]
    card, _ = validate_data(data)
    assert [c for c in gate_card(card).checks if c.kind == "spread"] == []


# --------------------------------------------------------------------------
# performance requirements


def test_require_on_the_command_line(capsys):
    assert gate(capsys, PASSING, "--require", "accuracy>=0.85")[0] == 0
    rc, out, _ = gate(capsys, PASSING, "--require", "accuracy>=0.9")
    assert rc == 1 and "requirement accuracy" in out and ">= 0.9" in out and "FAIL" in out
    assert gate(capsys, PASSING, "--require", "fpr<=0.11")[0] == 1


def test_require_on_a_slice_and_on_every_slice():
    result = gate_file(PASSING, requirements=["accuracy[sex=female]>=0.86"])
    (c,) = [c for c in result.checks if c.source.startswith("--require")]
    assert (c.label, c.value, c.verdict) == ("sex=female", 0.85, "fail")
    result = gate_file(PASSING, requirements=["accuracy[*]>=0.86"])
    rows = [(c.label, c.verdict) for c in result.checks if c.source.startswith("--require")]
    assert rows == [("overall", "pass"), ("sex=female", "fail"), ("sex=male", "pass")]


def test_require_a_metric_the_card_lacks_is_missing_and_always_blocks(capsys):
    rc, out, _ = gate(capsys, PASSING, "--require", "recall>=0.5", "--allow-not-run", "--allow-inconclusive")
    assert rc == 1 and "MISSING" in out and "no 'recall' metric" in out
    result = gate_file(PASSING, requirements=["accuracy@validation>=0.5"])
    (c,) = [c for c in result.checks if c.verdict == "missing"]
    assert c.location == "--require accuracy@validation>=0.5"
    assert gate_file(PASSING, requirements=["accuracy@holdout>=0.5"]).passed


def test_ci_must_clear_turns_a_straddling_interval_inconclusive(capsys):
    # accuracy 0.86 [0.84, 0.88] against 0.85: the estimate clears, the interval does not
    result = gate_file(PASSING, requirements=["accuracy>=0.85"])
    (c,) = [c for c in result.checks if c.source.startswith("--require")]
    assert c.verdict == "pass" and "straddles" in c.note
    result = gate_file(PASSING, requirements=["accuracy>=0.85"], ci_must_clear=True)
    (c,) = [c for c in result.checks if c.source.startswith("--require")]
    assert c.verdict == "inconclusive" and c.basis == "confidence_interval" and not result.passed
    assert gate_file(PASSING, requirements=["accuracy>=0.85"], ci_must_clear=True, allow_inconclusive=True).passed
    # upper bound for a maximum: fpr 0.12 [0.10, 0.14] against 0.13
    assert gate(capsys, PASSING, "--require", "fpr<=0.13", "--ci-must-clear")[0] == 1
    assert gate(capsys, PASSING, "--require", "fpr<=0.15", "--ci-must-clear")[0] == 0


def test_ci_must_clear_without_an_interval_is_inconclusive():
    card = load_card(PASSING, sets=["test_methodology.requirements[0].basis=confidence_interval"])
    assert card.test_methodology.requirements[0].basis == "confidence_interval"
    card = load_card(NOTHING)
    result = gate_card(card, requirements=["accuracy>=0.5"], ci_must_clear=True)
    (c,) = result.checks
    assert c.verdict == "inconclusive" and "no confidence interval" in c.note


def test_card_requirement_failure_points_at_the_metric(capsys):
    rc, out, _ = gate(capsys, PASSING, "--set", "test_methodology.requirements[0].min=0.9")
    assert rc == 1
    assert f"{PASSING}:25:5: requirement accuracy overall: fail" in out


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


@pytest.mark.parametrize(
    "expr, message",
    [
        ("accuracy", "cannot read it"),
        ("accuracy>0.65", "write '>='"),
        ("accuracy=0.65", "use >= or <="),
        ("accuracy>=high", "'high' is not a number"),
        ("accuracy>=inf", "finite"),
        ("accuracy[sex]>=0.5", "attribute=value pairs"),
    ],
)
def test_bad_require_is_a_usage_error(expr, message, capsys):
    with pytest.raises(UsageError, match=message):
        parse_requirement(expr)
    rc, _, err = gate(capsys, PASSING, "--require", expr)
    assert rc == 2 and message in err


def test_requirement_schema_rules():
    base = {"card": {"schema_version": "1.0"}, "model": {"name": "m", "version": "1"}}
    for bad, message in [
        ({"metric": "acc"}, "min, max or both"),
        ({"metric": "acc", "min": 0.9, "max": 0.1}, "greater than max"),
        ({"metric": "acc", "min": 0.5, "slice": {"a": "b"}, "all_slices": True}, "not both"),
    ]:
        card, diags = validate_data({**base, "test_methodology": {"requirements": [bad]}})
        assert card is None and message in diags[0].message


# --------------------------------------------------------------------------
# layered cards through the gate (the release pipeline)


def test_gate_layers_fragments_first(capsys):
    base = LAYERING / "base.yaml"
    rc, out, _ = gate(capsys, base)
    assert rc == 1 and "NOT RUN" in out  # measurements not merged yet
    rc, out, _ = gate(
        capsys,
        base,
        "--with",
        LAYERING / "metrics.yaml",
        "--with",
        LAYERING / "fairness.yaml",
        "--require",
        "accuracy[*]>=0.8",
    )
    assert rc == 0, out


# --------------------------------------------------------------------------
# formats, errors, output file


def test_json_report_has_stable_keys(capsys, example_path):
    rc, out, _ = gate(capsys, example_path, "--format", "json", "--require", "accuracy>=0.6")
    assert rc == 1
    report = json.loads(out)
    assert list(report) == [
        "format",
        "file",
        "model",
        "passed",
        "status",
        "reason",
        "counts",
        "blocking",
        "total",
        "options",
        "checks",
    ]
    assert report["format"] == "modelcard-gate/1" and report["status"] == "fail" and report["passed"] is False
    assert report["counts"] == {"fail": 5, "missing": 0, "inconclusive": 6, "not_run": 0, "pass": 7}
    assert report["blocking"] == 11 and report["total"] == 18
    first = report["checks"][0]
    assert list(first) == [
        "kind",
        "metric",
        "label",
        "group",
        "reference_group",
        "slice",
        "dataset",
        "split",
        "convention",
        "value",
        "confidence_interval",
        "threshold",
        "basis",
        "source",
        "verdict",
        "blocking",
        "note",
        "path",
        "location",
    ]
    assert first["path"] == "fairness.results[0]" and first["location"].startswith(f"{example_path}:")
    assert first["threshold"] == {"min": -0.1, "max": 0.1}
    assert first["confidence_interval"] == {"lower": 0.1692, "upper": 0.2365, "level": 0.95}
    assert report["checks"][-1]["source"] == "--require accuracy>=0.6"


def test_markdown_report_for_pr_comments(capsys, example_path):
    rc, out, _ = gate(capsys, example_path, "--format", "markdown")
    assert rc == 1
    lines = out.splitlines()
    assert lines[0].startswith("### ❌ modelcard gate failed: COMPAS")
    table = [line for line in lines if line.startswith("|")]
    assert len(table) == 2 + 17
    assert all(line.count(" | ") == 6 for line in table[2:])
    assert "| ❌ | fairness fpr | race=African-American vs race=Caucasian |" in out


def test_markdown_escapes_table_breaking_text():
    card = load_card(PASSING, sets=["fairness.results[0].group.sex=a|b"])
    text = format_markdown(gate_card(card))
    row = next(line for line in text.splitlines() if "fairness selection_rate" in line)
    assert "sex=a\\|b" in row and row.count(" | ") == 6


def test_invalid_card_exit_1_with_located_errors(capsys):
    rc, out, err = gate(capsys, INVALID)
    assert rc == 1 and out == ""
    assert f"{INVALID}:13:16: error:" in err and "'maybe'" in err
    with pytest.raises(CardError):
        gate_file(INVALID)


def test_unreadable_card_exit_2(run_cli, tmp_path):
    proc = run_cli("gate", tmp_path / "missing.yaml")
    assert proc.returncode == 2 and "no such file" in proc.stderr and "Traceback" not in proc.stderr


def test_exit_codes_in_a_subprocess(run_cli, example_path):
    assert run_cli("gate", PASSING).returncode == 0
    assert run_cli("gate", example_path, "--format", "json").returncode == 1
    assert run_cli("gate", PASSING, "--require", "accuracy>0.5").returncode == 2


def test_output_file_gets_the_report_and_exit_code_is_kept(capsys, tmp_path):
    out = tmp_path / "gate.json"
    rc, stdout, _ = gate(capsys, NOT_RUN, "--format", "json", "-o", out)
    assert rc == 1 and stdout == ""
    assert json.loads(out.read_text())["counts"]["not_run"] == 1


def test_gate_card_api_without_document():
    result = gate_card(load_card(PASSING))
    assert result.passed and all(c.location == "" for c in result.checks)
    assert "gate PASSED" in format_text(result)


def test_not_run_with_threshold_and_numbers_is_judged(tmp_path, capsys):
    # the evaluation job had no threshold, so it wrote not_run; the hand-written card has one
    frag = tmp_path / "eval.yaml"
    frag.write_text(
        "fairness:\n  results:\n    - metric: selection_rate\n      group: {sex: female}\n"
        "      reference_group: {sex: male}\n      dataset: holdout\n      value: 0.30\n"
        "      disparity: {ratio: {value: 0.70, confidence_interval: {lower: 0.6, upper: 0.78}}}\n"
        "      verdict: not_run\n"
    )
    base = LAYERING / "base.yaml"
    result = gate_file(base, overlays=[frag], allow_not_run=True)
    (c,) = result.checks
    assert c.verdict == "fail" and "computed" in c.note and not result.passed
    assert c.location.startswith(f"{frag}:3:")
    rc, out, _ = gate(capsys, base, "--with", frag, "--allow-not-run")
    assert rc == 1 and "FAIL" in out
