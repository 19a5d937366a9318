"""`modelcard diff`: fields changed, metrics moved, verdicts flipped, exit codes, formats."""

from __future__ import annotations

import json
from pathlib import Path

from modelcard.analysis.diff import diff_files
from modelcard.cli import main

DATA = Path(__file__).parents[1] / "data" / "diff"

OLD = DATA / "old.yaml"

NEW = DATA / "new.yaml"

GATE = Path(__file__).parents[1] / "data" / "gate"


def diff(capsys, *args: str) -> tuple[int, str, str]:
    rc = main(["diff", *map(str, args)])
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_identical_cards(capsys, example_path):
    rc, out, _ = diff(capsys, example_path, example_path, "--exit-code", "--fail-on-regression")
    assert rc == 0 and out.rstrip().endswith("no differences")
    assert diff_files(example_path, example_path).identical


def test_text_output(capsys):
    rc, out, _ = diff(capsys, OLD, NEW)
    assert rc == 0  # differences alone do not fail without --exit-code
    assert out.startswith(f"--- {OLD} (loan-approval 2.1.0)\n+++ {NEW} (loan-approval 2.2.0)\n")
    assert '  ~ model.version: "2.1.0" -> "2.2.0"' in out
    assert '  + model.repository: "https://example.org/loan-approval"' in out
    assert "pass -> fail" in out and "beyond noise" in out and "within noise" in out
    assert "5 regressions:" in out


def test_exit_code_options(capsys, tmp_path):
    assert diff(capsys, OLD, NEW, "--exit-code")[0] == 1
    assert diff(capsys, OLD, NEW, "--fail-on-regression")[0] == 1
    # a pure improvement differs but does not regress
    better = tmp_path / "better.yaml"
    better.write_text(
        OLD.read_text()
        .replace('version: "2.1.0"', 'version: "2.1.1"')
        .replace(
            "value: 0.80\n    confidence_interval: {lower: 0.78, upper: 0.82}",
            "value: 0.90\n    confidence_interval: {lower: 0.88, upper: 0.92}",
        )
    )
    assert diff(capsys, OLD, better, "--fail-on-regression")[0] == 0
    assert diff(capsys, OLD, better, "--exit-code")[0] == 1


def test_json_output_has_stable_keys(capsys):
    rc, out, _ = diff(capsys, OLD, NEW, "--format", "json")
    assert rc == 0
    report = json.loads(out)
    assert list(report) == [
        "format",
        "old",
        "new",
        "identical",
        "sections",
        "fields",
        "metrics",
        "metrics_unchanged",
        "verdicts",
        "verdicts_unchanged",
        "regressions",
    ]
    assert report["format"] == "modelcard-diff/1" and report["identical"] is False
    assert report["new"]["model"] == {"name": "loan-approval", "version": "2.2.0"}
    acc = report["metrics"][0]
    assert list(acc) == [
        "name",
        "slice",
        "dataset",
        "split",
        "change",
        "old",
        "new",
        "delta",
        "direction",
        "higher_is_better",
        "ci_overlap",
        "noise",
        "regression",
    ]
    assert acc["old"] == {"value": 0.8, "confidence_interval": {"lower": 0.78, "upper": 0.82}}
    assert report["verdicts"][0]["old"] == "pass" and report["verdicts"][0]["new"] == "fail"
    assert len(report["regressions"]) == 5


def test_markdown_output(capsys):
    rc, out, _ = diff(capsys, OLD, NEW, "--format", "markdown")
    assert rc == 0
    assert out.startswith("### ⚠️ modelcard diff: loan-approval 2.1.0 → 2.2.0")
    assert "#### Fairness results" in out and "#### Metrics" in out and "<details><summary>Fields (6)" in out
    assert "| fairness fpr | age=young vs age=middle | flipped | pass → fail |" in out


def test_output_file(capsys, tmp_path):
    out = tmp_path / "diff.md"
    rc, stdout, _ = diff(capsys, OLD, NEW, "--format", "markdown", "--fail-on-regression", "-o", out)
    assert rc == 1 and stdout == "" and "modelcard diff" in out.read_text()


def test_invalid_and_unreadable_cards(capsys, run_cli, tmp_path):
    rc, out, err = diff(capsys, OLD, GATE / "invalid.yaml")
    assert rc == 1 and out == "" and f"{GATE / 'invalid.yaml'}:13:16: error:" in err
    proc = run_cli("diff", OLD, tmp_path / "missing.yaml")
    assert proc.returncode == 2 and "no such file" in proc.stderr and "Traceback" not in proc.stderr
