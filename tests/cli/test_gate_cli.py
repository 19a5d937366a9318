"""`modelcard gate`: fairness verdicts, performance requirements, allowances, output formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modelcard.analysis.gate import gate_file, parse_requirement
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


# --------------------------------------------------------------------------
# the example card: fail, inconclusive and pass verdicts


def test_example_card_cli_exit_1_with_summary_table(capsys, example_path):
    rc, out, _ = gate(capsys, example_path)
    assert rc == 1
    assert "CHECK" in out and "VERDICT" in out and "VALUE [95% CI]" in out
    assert "fairness fpr" in out and "race=African-American vs race=Caucasian" in out
    assert "+0.2032 [+0.1692, +0.2365]" in out and "difference in [-0.1, +0.1]" in out
    assert out.rstrip().splitlines()[-1].startswith("gate FAILED: 47 of 58 checks block")
    # failing rows are located in the card
    assert f"{example_path}:" in out


def test_allow_inconclusive_does_not_excuse_failures(capsys, example_path):
    rc, out, _ = gate(capsys, example_path, "--allow-inconclusive")
    assert rc == 1
    assert "INCONCLUSIVE (allowed)" in out
    assert "16 of 58 checks block" in out


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
    # the ratio's interval [0.75, 1.01] straddles the four-fifths bound: the rule says inconclusive
    straddle = ["--set", "fairness.results[0].disparity.ratio.confidence_interval.lower=0.75"]
    verdict = ["--set", "fairness.results[0].verdict=inconclusive"]
    rc, _, _ = gate(capsys, PASSING, *straddle, *verdict)
    assert rc == 1
    rc, _, _ = gate(capsys, PASSING, *straddle, *verdict, "--allow-inconclusive")
    assert rc == 0
    # a stated verdict the numbers do not give is an invalid card, not a gate result
    rc, _, err = gate(capsys, PASSING, *verdict)
    assert rc == 1 and "verdict-mismatch" in err and "which gives 'pass'" in err


# --------------------------------------------------------------------------
# performance requirements


def test_require_on_the_command_line(capsys):
    assert gate(capsys, PASSING, "--require", "accuracy>=0.85")[0] == 0
    rc, out, _ = gate(capsys, PASSING, "--require", "accuracy>=0.9")
    assert rc == 1 and "requirement accuracy" in out and ">= 0.9" in out and "FAIL" in out
    assert gate(capsys, PASSING, "--require", "fpr<=0.11")[0] == 1


def test_require_a_metric_the_card_lacks_is_missing_and_always_blocks(capsys):
    rc, out, _ = gate(capsys, PASSING, "--require", "recall>=0.5", "--allow-not-run", "--allow-inconclusive")
    assert rc == 1 and "MISSING" in out and "no 'recall' metric" in out
    result = gate_file(PASSING, requirements=["accuracy@validation>=0.5"])
    (c,) = [c for c in result.checks if c.verdict == "missing"]
    assert c.location == "requirement accuracy@validation>=0.5"  # the CLI passes its own label
    assert gate_file(PASSING, requirements=["accuracy@holdout>=0.5"]).passed


def test_ci_must_clear_turns_a_straddling_interval_inconclusive(capsys):
    # accuracy 0.86 [0.84, 0.88] against 0.85: the estimate clears, the interval does not
    result = gate_file(PASSING, requirements=["accuracy>=0.85"])
    (c,) = [c for c in result.checks if c.source.startswith("requirement ")]
    assert c.verdict == "pass" and "straddles" in c.note
    result = gate_file(PASSING, requirements=["accuracy>=0.85"], ci_must_clear=True)
    (c,) = [c for c in result.checks if c.source.startswith("requirement ")]
    assert c.verdict == "inconclusive" and c.basis == "confidence_interval" and not result.passed
    assert gate_file(PASSING, requirements=["accuracy>=0.85"], ci_must_clear=True, allow_inconclusive=True).passed
    # upper bound for a maximum: fpr 0.12 [0.10, 0.14] against 0.13
    assert gate(capsys, PASSING, "--require", "fpr<=0.13", "--ci-must-clear")[0] == 1
    assert gate(capsys, PASSING, "--require", "fpr<=0.15", "--ci-must-clear")[0] == 0


def test_card_requirement_failure_points_at_the_metric(capsys):
    rc, out, _ = gate(capsys, PASSING, "--set", "test_methodology.requirements[0].min=0.9")
    assert rc == 1
    assert f"{PASSING}:25:5: requirement accuracy overall: fail" in out


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
    assert f"error: --require '{expr}'" in err  # the flag comes from the CLI, not the library


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
        "family",
        "checks",
    ]
    assert report["format"] == "modelcard-gate/1" and report["status"] == "fail" and report["passed"] is False
    assert report["counts"] == {"fail": 16, "missing": 0, "inconclusive": 31, "not_run": 0, "pass": 12}
    assert report["blocking"] == 47 and report["total"] == 59
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
    assert first["confidence_interval"] == {"lower": 0.16916889980141606, "upper": 0.23647266366231856, "level": 0.95}
    assert report["checks"][-1]["source"] == "--require accuracy>=0.6"


def test_markdown_report_for_pr_comments(capsys, example_path):
    rc, out, _ = gate(capsys, example_path, "--format", "markdown")
    assert rc == 1
    lines = out.splitlines()
    assert lines[0].startswith("### ❌ modelcard gate failed: COMPAS")
    table = [line for line in lines if line.startswith("|")]
    assert len(table) == 2 + 58
    assert all(line.count(" | ") == 6 for line in table[2:])
    assert "| ❌ | fairness fpr | race=African-American vs race=Caucasian |" in out


def test_invalid_card_exit_1_with_located_errors(capsys):
    rc, out, err = gate(capsys, INVALID)
    assert rc == 1 and out == ""
    assert f"{INVALID}:13:16: error:" in err and "'maybe'" in err
    with pytest.raises(CardError):
        gate_file(INVALID)


def test_unreadable_card_exit_2(run_cli, tmp_path):
    proc = run_cli("gate", tmp_path / "missing.yaml")
    assert proc.returncode == 2 and "no such file" in proc.stderr and "Traceback" not in proc.stderr


def test_output_file_gets_the_report_and_exit_code_is_kept(capsys, tmp_path):
    out = tmp_path / "gate.json"
    rc, stdout, _ = gate(capsys, NOT_RUN, "--format", "json", "-o", out)
    assert rc == 1 and stdout == ""
    assert json.loads(out.read_text())["counts"]["not_run"] == 1


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
