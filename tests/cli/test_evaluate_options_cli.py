"""`modelcard evaluate`'s options of issue 11: tasks, input semantics, adjustment, basis, calibration,
per-stratum references and interval methods, through the command line."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
import yaml

from modelcard.card.validate import validate_data
from modelcard.cli import main

STUB = {"card": {"schema_version": "1.1"}, "model": {"name": "m", "version": "1"}}


def write_csv(path: Path, header, rows) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def run(capsys, *argv):
    code = main(["evaluate", *map(str, argv)])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err, err
    return code, out, err


def valid(text: str) -> dict:
    data = yaml.safe_load(text)
    card, diagnostics = validate_data(STUB | data, "fragment")
    assert card is not None and not [d for d in diagnostics if d.severity == "error"], [str(d) for d in diagnostics]
    return data


@pytest.fixture(scope="module")
def binary(tmp_path_factory) -> Path:
    rng = np.random.default_rng(5)
    n = 2000
    g = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
    sex = rng.choice(["F", "M"], n)
    y = (rng.random(n) < 0.4).astype(int)
    s = 1 / (1 + np.exp(-(1.5 * y - 0.6 + rng.normal(0, 1, n))))
    p = (s >= 0.5).astype(int)
    path = tmp_path_factory.mktemp("options") / "preds.csv"
    return write_csv(path, ["g", "sex", "y", "p", "s"], zip(g, sex, y, p, np.round(s, 6)))


BASE = ["--label", "y", "--prediction", "p", "--sensitive", "g"]


# --------------------------------------------------------------------------
# input semantics (issue 11 §6)


def test_na_like_values_are_real_groups_unless_na_values_says_so(tmp_path, capsys):
    rows = [[v, i % 2, (i // 2) % 2] for i, v in enumerate(["None", "NA", "null", "N/A", "x"] * 8)]
    path = write_csv(tmp_path / "na.csv", ["g", "y", "p"], rows)
    code, out, err = run(capsys, path, *BASE)
    assert code == 0, err
    values = yaml.safe_load(out)["fairness"]["sensitive_attributes"][0]["values"]
    assert values == ["N/A", "NA", "None", "null", "x"]
    code, _, err = run(capsys, path, *BASE, "--na-values", "None,NA,null,N/A")
    assert code == 1 and "missing value in a sensitive attribute" in err and "--missing-group" in err
    code, out, err = run(capsys, path, *BASE, "--na-values", "None,NA,null,N/A", "--missing-group", "unknown")
    assert code == 0, err
    assert yaml.safe_load(out)["fairness"]["sensitive_attributes"][0]["values"] == ["unknown", "x"]


def test_missing_group_must_not_merge_into_an_existing_group(tmp_path, capsys):
    path = write_csv(tmp_path / "m.csv", ["g", "y", "p"], [["a", 1, 1], ["", 0, 1], ["b", 1, 0], ["b", 0, 0]])
    out = tmp_path / "f.yaml"
    code, _, err = run(capsys, path, *BASE, "--missing-group", "b", "-o", out)
    assert code == 2 and "already has a group 'b'" in err and not out.exists()
    assert run(capsys, path, *BASE, "--missing-group", "(missing)", "-o", out)[0] == 0


def test_whitespace_in_group_labels_is_a_warning_with_the_count(tmp_path, capsys):
    rows = [["Male", 1, 1], [" Male", 0, 1], ["Male ", 1, 0], ["Female", 0, 0], ["Female", 1, 1]]
    path = write_csv(tmp_path / "w.csv", ["g", "y", "p"], rows)
    code, out, err = run(capsys, path, *BASE)
    assert code == 0
    assert "warning: column 'g': 2 row(s) have a group label with leading or trailing whitespace" in err
    data = yaml.safe_load(out)
    assert data["fairness"]["sensitive_attributes"][0]["values"] == [" Male", "Female", "Male", "Male "]
    assert any("whitespace" in w for w in data["x-evaluate"]["warnings"])


def test_score_threshold_with_prediction_and_confidence_range_are_usage_errors(binary, tmp_path, capsys):
    out = tmp_path / "f.yaml"
    code, _, err = run(capsys, binary, *BASE, "--score", "s", "--score-threshold", "0.5", "-o", out)
    assert code == 2 and "--score-threshold" in err and not out.exists()
    for level in ("0.5", "0.9991", "1", "0.3"):
        code, _, err = run(capsys, binary, *BASE, "--confidence", level, "-o", out)
        assert code == 2 and "--confidence must be a number above 0.5 and at most 0.999" in err and not out.exists()
    code, out_text, err = run(capsys, binary, *BASE, "--confidence", "0.999")
    assert code == 0 and yaml.safe_load(out_text)["test_methodology"]["confidence_intervals"]["level"] == 0.999


# --------------------------------------------------------------------------
# tasks


def test_task_is_inferred_or_given(tmp_path, capsys):
    rng = np.random.default_rng(1)
    g = rng.choice(["u", "v"], 300)
    classes = rng.choice(["low", "mid", "high"], 300)
    path = write_csv(tmp_path / "mc.csv", ["g", "y", "p"], zip(g, classes, np.roll(classes, 1)))
    code, out, err = run(capsys, path, *BASE)
    assert code == 0, err
    data = valid(out)
    assert data["x-evaluate"]["task"] == "multiclass"
    assert {"tpr[low]", "macro_f1"} <= {m["name"] for m in data["metrics"]}
    ints = write_csv(tmp_path / "ints.csv", ["g", "y", "p"], zip(g, rng.integers(0, 4, 300), rng.integers(0, 4, 300)))
    code, _, err = run(capsys, ints, *BASE)
    assert code == 2 and "--task=multiclass" in err and "--task=regression" in err
    code, out, err = run(capsys, ints, *BASE, "--task", "regression")
    assert code == 0 and yaml.safe_load(out)["x-evaluate"]["task"] == "regression"
    code, out, err = run(capsys, ints, *BASE, "--task", "multiclass", "--metrics", "accuracy,tpr")
    names = {m["name"] for m in yaml.safe_load(out)["metrics"]}
    assert code == 0 and names == {"accuracy", "tpr[0]", "tpr[1]", "tpr[2]", "tpr[3]"}


def test_regression_reports_errors_and_disparities(tmp_path, capsys):
    rng = np.random.default_rng(2)
    g = rng.choice(["u", "v"], 400)
    y = rng.normal(5, 2, 400)
    p = y + rng.normal(0.3 * (g == "v"), 1, 400)
    path = write_csv(tmp_path / "reg.csv", ["g", "y", "p"], zip(g, np.round(y, 4), np.round(p, 4)))
    code, out, err = run(capsys, path, *BASE, "--threshold", "mae:difference:-0.5:0.5")
    assert code == 0, err
    data = valid(out)
    assert {m["name"] for m in data["metrics"]} == {"mean_error", "mae", "rmse", "r2"}
    mae = [r for r in data["fairness"]["results"] if r["metric"] == "mae"]
    assert mae and all(r["verdict"] in ("pass", "fail", "inconclusive") for r in mae)
    code, _, err = run(capsys, path, *BASE, "--bootstrap", "10")
    assert code == 2 and "bootstrap" in err


# --------------------------------------------------------------------------
# verdicts: adjustment and basis


def test_adjustment_and_family_size_are_stated(binary, capsys):
    args = [binary, *BASE, "--metrics", "fpr,fnr", "--threshold", "all:difference:-0.05:0.05"]
    code, out, err = run(capsys, *args)
    plain = valid(out)
    assert (
        plain["fairness"]["adjustment"] == "none" and plain["fairness"]["family_size"] == 6
    )  # 2 x (2 results + spread)
    assert "No multiplicity adjustment" in plain["test_methodology"]["conventions"]
    assert "family of 6 results and spreads judged against a threshold; multiplicity adjustment: none" in err
    for method in ("bonferroni", "holm"):
        code, out, err = run(capsys, *args, "--adjust", method)
        data = valid(out)
        assert code == 0 and data["fairness"]["adjustment"] == method and data["fairness"]["family_size"] == 6
        levels = {r["disparity"]["difference"]["confidence_interval"]["level"] for r in data["fairness"]["results"]}
        assert min(levels) > 0.95
        if method == "bonferroni":
            assert levels == {1 - 0.05 / 6}


def test_point_basis_is_recorded(binary, capsys):
    _, out, _ = run(
        capsys, binary, *BASE, "--metrics", "fpr", "--threshold", "fpr:difference:-0.05:0.05", "--basis", "point"
    )
    data = valid(out)
    assert data["test_methodology"]["verdict_basis"] == "point"
    for r in data["fairness"]["results"]:
        inside = -0.05 <= r["disparity"]["difference"]["value"] <= 0.05
        assert r["verdict"] == ("pass" if inside else "fail")


# --------------------------------------------------------------------------
# scores, calibration, references, interval methods


def test_calibration_bins_and_auc_interval_method(binary, capsys):
    code, out, err = run(capsys, binary, *BASE, "--score", "s", "--calibration-bins", "5", "--auc-interval", "delong")
    assert code == 0, err
    data = valid(out)
    cal = data["fairness"]["calibration"]
    assert len(cal) == 4 and all(len(c["bins"]) == 5 for c in cal)
    assert cal[0]["bins"][0]["lower"] == 0.0 and cal[0]["bins"][-1]["upper"] == 1.0
    auc = [m for m in data["metrics"] if m["name"] == "auc"]
    assert {m["confidence_interval"]["method"] for m in auc} == {"delong"}
    assert [c["name"] for c in data["test_methodology"]["fairness_criteria"]][-1] == "calibration_within_groups"


def test_intersectional_reference_within_each_stratum(binary, capsys):
    args = [binary, *BASE, "--sensitive", "sex", "--intersectional", "--metrics", "fpr", "--reference", "g=a"]
    code, out, err = run(capsys, *args, "--intersectional-reference", "within")
    assert code == 0, err
    data = valid(out)
    inter = [r for r in data["fairness"]["results"] if len(r["group"]) == 2]
    assert len(inter) == 4
    assert all(r["reference_group"] == {"g": "a", "sex": r["group"]["sex"]} for r in inter)
    assert "reference g=a, sex=F: reference group: g=a within the same sex" in err
    code, _, err = run(
        capsys, binary, *BASE, "--sensitive", "sex", "--intersectional", "--intersectional-reference", "within"
    )
    assert code == 2 and "--reference" in err
