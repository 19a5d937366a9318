"""`modelcard evaluate`: the command line, its errors, and the fragment in a card."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from modelcard.card.validate import validate_file
from modelcard.cli import main

REPO = Path(__file__).resolve().parents[2]

EXAMPLE = REPO / "examples" / "compas-recidivism.yaml"

METRICS = ("selection_rate", "accuracy", "tpr", "fnr", "fpr", "tnr", "precision", "auc")


def write_csv(path: Path, header, rows) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def synthetic_rows(n=3000, seed=11):
    rng = np.random.default_rng(seed)
    # the example card's six races: a fragment covering every group the card judges keeps its family whole
    races = ["African-American", "Caucasian", "Hispanic", "Other", "Asian", "Native American"]
    race = rng.choice(races, n, p=[0.4, 0.3, 0.1, 0.1, 0.05, 0.05])
    sex = rng.choice(["Female", "Male"], n, p=[0.2, 0.8])
    y = (rng.random(n) < 0.45).astype(int)
    score = np.clip(np.round(rng.normal(4 + 2.5 * y + (race == "African-American"), 2.5)), 1, 10).astype(int)
    pred = (score >= 5).astype(int)
    return [[r, s, int(a), int(b), int(c)] for r, s, a, b, c in zip(race, sex, y, pred, score)]


@pytest.fixture(scope="module")
def predictions(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("evaluate") / "preds.csv"
    return write_csv(path, ["race", "sex", "label", "pred", "score"], synthetic_rows())


BASE = ["--label", "label", "--prediction", "pred", "--sensitive", "race"]


def run(capsys, *argv):
    code = main(["evaluate", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def test_fragment_merges_into_example_card_and_validates_strict(predictions, tmp_path, capsys):
    frag = tmp_path / "fragment.yaml"
    thresholds = [a for m in METRICS for a in ("--threshold", f"{m}:difference:-0.1:0.1")]
    code, out, err = run(
        capsys,
        predictions,
        *BASE,
        "--sensitive",
        "sex",
        "--intersectional",
        "--score",
        "score",
        "--reference",
        "race=Caucasian",
        "--intersectional-reference",
        "within",
        "--dataset",
        "compas-2yr",
        "--metrics",
        ",".join(METRICS),
        *thresholds,
        "--bootstrap",
        "50",
        "-o",
        frag,
    )
    assert code == 0, err
    assert out == ""
    assert "reference race=Caucasian: reference group given by the user" in err
    data = yaml.safe_load(frag.read_text())
    assert {"test_methodology", "metrics", "fairness"} <= set(data)
    report = validate_file(EXAMPLE, overlays=[frag], strict=True)
    assert report.ok, [str(d) for d in report.diagnostics]
    # and via the validate command, as a user would
    assert main(["validate", "--strict", str(EXAMPLE), "--with", str(frag)]) == 0
    # every group is reported, with its verdict against the user's threshold
    verdicts = {r["verdict"] for r in data["fairness"]["results"]}
    assert verdicts <= {"pass", "fail", "inconclusive"} and "not_run" not in verdicts
    groups = {tuple(r["group"].items()) for r in data["fairness"]["results"]}
    assert (("race", "African-American"), ("sex", "Female")) in groups


def test_without_thresholds_verdicts_are_not_run(predictions, capsys):
    code, out, _ = run(capsys, predictions, *BASE, "--bootstrap", "0")
    assert code == 0
    data = yaml.safe_load(out)
    assert {r["verdict"] for r in data["fairness"]["results"]} == {"not_run"}
    assert all("threshold" not in r for r in data["fairness"]["results"])
    # default reference: the largest group, and the output says so
    refs = {r["reference_group"]["race"] for r in data["fairness"]["results"]}
    assert refs == {"African-American"}
    assert "largest group" in data["fairness"]["results"][0]["notes"]
    assert data["x-evaluate"]["reference_groups"][0]["group"] == {"race": "African-American"}


def test_output_is_deterministic_and_stdout_equals_file(predictions, tmp_path, capsys):
    args = [predictions, *BASE, "--score", "score", "--bootstrap", "30", "--seed", "3"]
    code, out1, _ = run(capsys, *args)
    code2, out2, _ = run(capsys, *args, "-o", "-")
    assert code == code2 == 0 and out1 == out2
    frag = tmp_path / "f.yaml"
    assert run(capsys, *args, "-o", frag)[0] == 0
    assert frag.read_text() == out1
    assert "&id" not in out1  # no YAML anchors: every entry reads on its own


def test_yes_no_labels_with_positive(tmp_path, capsys):
    rows = [["a", "yes", "no"], ["a", "no", "no"], ["b", "yes", "yes"], ["b", "no", "yes"]] * 5
    path = write_csv(tmp_path / "yn.csv", ["g", "label", "pred"], rows)
    code, out, err = run(
        capsys,
        path,
        "--label",
        "label",
        "--prediction",
        "pred",
        "--sensitive",
        "g",
        "--positive",
        "yes",
        "--bootstrap",
        "0",
    )
    assert code == 0, err
    data = yaml.safe_load(out)
    sel = {m["slice"]["g"]: m["value"] for m in data["metrics"] if m["name"] == "selection_rate" and "slice" in m}
    assert sel == {"a": 0.0, "b": 1.0}


def test_score_threshold_derives_predictions(tmp_path, capsys):
    rows = [["a", 1, 0.9], ["a", 0, 0.4], ["b", 1, 0.6], ["b", 0, 0.7], ["b", 1, 0.2]]
    path = write_csv(tmp_path / "s.csv", ["g", "label", "p"], rows)
    code, out, err = run(
        capsys,
        path,
        "--label",
        "label",
        "--score",
        "p",
        "--score-threshold",
        "0.5",
        "--sensitive",
        "g",
        "--bootstrap",
        "0",
        "--min-group-size",
        "0",
    )
    assert code == 0, err
    data = yaml.safe_load(out)
    overall = {m["name"]: m for m in data["metrics"] if "slice" not in m}
    assert overall["selection_rate"]["value"] == 3 / 5
    assert overall["auc"]["value"] == 3 / 6  # pairs (pos > neg): 0.9>0.4, 0.9>0.7, 0.6>0.4
    defs = {d["name"]: d for d in data["test_methodology"]["metric_definitions"]}
    assert defs["fpr"]["decision_threshold"] == 0.5


def test_missing_group_option(tmp_path, capsys):
    rows = [["a", 1, 1], ["", 0, 1], ["NA", 1, 0], ["b", 0, 0]]
    path = write_csv(tmp_path / "m.csv", ["g", "label", "pred"], rows)
    args = ["--label", "label", "--prediction", "pred", "--sensitive", "g", "--missing-group", "(missing)"]
    code, out, err = run(capsys, path, *args)
    assert code == 0
    data = yaml.safe_load(out)
    # only the empty cell is missing: 'NA' is a group of its own unless --na-values says otherwise
    assert data["fairness"]["sensitive_attributes"][0]["values"] == ["(missing)", "NA", "a", "b"]
    assert "1 row(s) with a missing value are reported as the group '(missing)'" in err
    code, out, _ = run(capsys, path, *args, "--na-values", "NA")
    assert yaml.safe_load(out)["fairness"]["sensitive_attributes"][0]["values"] == ["(missing)", "a", "b"]


def test_undefined_values_are_null_with_reason(tmp_path, capsys):
    # group c has no positive labels: tpr/fnr undefined; reference a has no predicted positives... for fpr = 0
    rows = ([["a", 1, 0], ["a", 0, 0]] * 20) + ([["b", 1, 1], ["b", 0, 1]] * 20) + [["c", 0, 1], ["c", 0, 0]]
    path = write_csv(tmp_path / "u.csv", ["g", "label", "pred"], rows)
    code, out, err = run(
        capsys,
        path,
        "--label",
        "label",
        "--prediction",
        "pred",
        "--sensitive",
        "g",
        "--reference",
        "g=a",
        "--threshold",
        "tpr:difference:-0.1:0.1",
        "--threshold",
        "fpr:ratio:0.8:1.25",
    )
    assert code == 0, err
    data = yaml.safe_load(out)
    tpr_c = next(m for m in data["metrics"] if m["name"] == "tpr" and m.get("slice") == {"g": "c"})
    assert tpr_c["value"] is None and "no positive labels" in tpr_c["undefined_reason"]
    assert tpr_c["n"] == 0 and tpr_c["small_sample"] is True and "confidence_interval" not in tpr_c
    res = next(r for r in data["fairness"]["results"] if r["metric"] == "tpr" and r["group"] == {"g": "c"})
    assert res["disparity"]["difference"]["value"] is None
    assert "undefined" in res["disparity"]["difference"]["undefined_reason"]
    assert res["verdict"] == "inconclusive"
    # reference fpr is 0 (a never predicts positive): the ratio is undefined, never a filled number
    res = next(r for r in data["fairness"]["results"] if r["metric"] == "fpr" and r["group"] == {"g": "b"})
    assert res["reference_value"] == 0.0
    assert res["disparity"]["ratio"]["value"] is None
    assert "division by zero" in res["disparity"]["ratio"]["undefined_reason"]
    assert res["disparity"]["difference"]["value"] == 1.0
    assert res["verdict"] == "inconclusive"
    # small groups are flagged, not hidden
    small = {m["slice"]["g"] for m in data["metrics"] if m.get("small_sample") and "slice" in m}
    assert "c" in small
    assert validate_file(EXAMPLE, overlays=[_save(tmp_path, out)]).ok


def _save(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "frag.yaml"
    p.write_text(text)
    return p


def test_intersectional_reference(predictions, capsys):
    code, out, err = run(
        capsys,
        predictions,
        *BASE,
        "--sensitive",
        "sex",
        "--intersectional",
        "--reference",
        "race=Hispanic,sex=Female",
        "--bootstrap",
        "0",
        "--metrics",
        "fpr",
    )
    assert code == 0, err
    data = yaml.safe_load(out)
    refs = {tuple(r["reference_group"].items()) for r in data["fairness"]["results"] if len(r["group"]) == 2}
    assert refs == {(("race", "Hispanic"), ("sex", "Female"))}
    assert {m["name"] for m in data["metrics"]} == {"fpr"}


def test_parquet_input_matches_csv(predictions, tmp_path, capsys):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    with open(predictions, newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    cols = {h: [r[i] for r in body] for i, h in enumerate(header)}
    table = pa.table(
        {
            "race": cols["race"],
            "sex": cols["sex"],
            "label": [c == "1" for c in cols["label"]],  # booleans
            "pred": [int(c) for c in cols["pred"]],  # integers
            "score": [float(c) for c in cols["score"]],
        }
    )
    path = tmp_path / "preds.parquet"
    pq.write_table(table, path)
    args = [*BASE, "--score", "score", "--bootstrap", "20"]
    code, from_csv, _ = run(capsys, predictions, *args)
    code2, from_parquet, err = run(capsys, path, *args)
    assert code == code2 == 0, err
    a, b = yaml.safe_load(from_csv), yaml.safe_load(from_parquet)
    assert a["metrics"] == b["metrics"] and a["fairness"] == b["fairness"]


def test_parquet_without_pyarrow_names_the_extra(tmp_path, capsys, monkeypatch):
    path = tmp_path / "p.parquet"
    path.write_bytes(b"PAR1" + b"\0" * 16 + b"PAR1")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    code, _, err = run(capsys, path, *BASE)
    assert code == 2
    assert "modelcard[parquet]" in err


ERRORS = [
    # (csv text, extra args, exit code, expected pieces of the message)
    (
        "label,pred,race\n1,0,a\n0,1,b\n2,1,a\n",
        [],
        1,
        ["bad.csv:4:", "column 'label', row 3 (line 4)", "'2'", "at most two"],
    ),
    ("label,pred,race\n1,0,a\n,1,b\n", [], 1, ["bad.csv:3:", "column 'label'", "missing value"]),
    ("label,pred,race\n1,0,a\n0,nan,b\n", [], 1, ["bad.csv:3:", "column 'pred'", "missing value"]),
    ("label,pred,race\nyes,no,a\nno,yes,b\n", [], 1, ["column 'label'", "--positive"]),
    ("label,pred,race\n1,0,a\n0,1,\n", [], 1, ["bad.csv:3:", "column 'race'", "--missing-group"]),
    (
        "label,pred,race,score\n1,0,a,0.5\n0,1,b,high\n",
        ["--score", "score"],
        1,
        ["bad.csv:3:", "column 'score'", "'high' is not a number"],
    ),
    ("label,pred,race\n1,0,a\n0,1\n", [], 1, ["bad.csv:3:", "2 fields but the header has 3"]),
    ("label,pred,race\n", [], 1, ["no data rows"]),
    ("", [], 1, ["empty"]),
    (
        "label,pred,race\n1,0,a\n",
        ["--sensitive", "sexx"],
        2,
        ["no column 'sexx'", "available columns: label, pred, race"],
    ),
    ("label,pred,label2,race\n1,0,1,a\n", ["--label", "lable"], 2, ["'lable' (did you mean 'label'?)"]),
    (
        "label,pred,race,race\n1,0,a,a\n0,1,b,c\n",
        [],
        1,
        ["bad.csv:3:", "'race' appears more than once", "columns 3 and 4", "'b' and 'c'"],
    ),
    (b"label,pred,race\n1,0,a\n0,1,\xe9\n", [], 1, ["bad.csv:3:", "not UTF-8"]),
    ("label,pred,race\n1,0,a\n0,1,b\n", ["--reference", "race=zz"], 2, ["no such group", "a, b"]),
    ("label,pred,race\n1,0,a\n0,1,b\n", ["--reference", "sex=F"], 2, ["not a sensitive attribute"]),
    ("label,pred,race\n1,0,a\n0,1,b\n", ["--threshold", "fpr:difference:0.1"], 2, ["METRIC:CONVENTION:MIN:MAX"]),
    ("label,pred,race\n1,0,a\n0,1,b\n", ["--threshold", "fpr:difference:0.2:0.1"], 2, ["greater than maximum"]),
    ("label,pred,race\n1,0,a\n0,1,b\n", ["--threshold", "auc:difference:-1:1"], 2, ["unknown metric 'auc'"]),
    ("label,pred,race\n1,0,a\n0,1,b\n", ["--threshold", "fpr:ratio::"], 2, ["a minimum, a maximum or both"]),
    ("label,pred,race\n1,0,a\n0,1,b\n", ["--metrics", "fpr,f2"], 2, ["unknown metric 'f2'"]),
    ("label,pred,race\n1,0,a\n0,1,b\n", ["--metrics", "auc"], 2, ["needs scores"]),
    ("label,pred,race\n1,0,a\n0,1,b\n", ["--confidence", "95"], 2, ["--confidence", "at most 0.999"]),
    ("label,pred,race\n1,0,a\n0,1,b\n", ["--confidence", "0.5"], 2, ["--confidence", "above 0.5"]),
    (
        "label,pred,race,s\n1,0,a,0.2\n0,1,b,0.7\n",
        ["--score", "s", "--score-threshold", "0.5"],
        2,
        ["--prediction", "--score-threshold", "not both"],
    ),
    ("label,pred,race\n1,0,a\n0,1,b\n", ["--sensitive", "label"], 2, ["both as a sensitive attribute"]),
]


@pytest.mark.parametrize("text,extra,code,pieces", ERRORS)
def test_errors(tmp_path, capsys, text, extra, code, pieces):
    path = tmp_path / "bad.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    out_file = tmp_path / "out.yaml"
    got, _, err = run(
        capsys, path, "--label", "label", "--prediction", "pred", "--sensitive", "race", *extra, "-o", out_file
    )
    assert got == code, err
    for piece in pieces:
        assert piece in err, (piece, err)
    assert "Traceback" not in err
    assert not out_file.exists()  # nothing half-written


def test_identical_duplicate_columns_are_accepted(tmp_path, capsys):
    # ProPublica's COMPAS file repeats decile_score and priors_count with the same values
    path = tmp_path / "dup.csv"
    path.write_text("label,decile_score,race,decile_score\n1,7,a,7\n0,3,b,3\n1,5,b,5\n")
    code, out, err = run(
        capsys,
        path,
        "--label",
        "label",
        "--score",
        "decile_score",
        "--score-threshold",
        "5",
        "--sensitive",
        "race",
        "--bootstrap",
        "0",
    )
    assert code == 0, err
    overall = next(m for m in yaml.safe_load(out)["metrics"] if m["name"] == "selection_rate" and "slice" not in m)
    assert overall["value"] == 2 / 3


def test_failed_run_keeps_previous_output(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("label,pred,race\n1,0,a\n7,1,b\n8,1,b\n")
    out_file = tmp_path / "out.yaml"
    out_file.write_text("previous: content\n")
    code, _, _ = run(capsys, path, *BASE, "-o", out_file)
    assert code == 1
    assert out_file.read_text() == "previous: content\n"


def test_unreadable_inputs(tmp_path, capsys):
    code, _, err = run(capsys, tmp_path / "nope.csv", *BASE)
    assert code == 2 and "no such file" in err
    code, _, err = run(capsys, tmp_path, *BASE)
    assert code == 2 and "directory" in err
    good = write_csv(tmp_path / "g.csv", ["label", "pred", "race"], [[1, 0, "a"]])
    code, _, err = run(capsys, good, *BASE, "-o", tmp_path / "missing-dir" / "f.yaml")
    assert code == 2 and "does not exist" in err


def test_non_utf8_file_is_reported_without_traceback(tmp_path, run_cli):
    path = tmp_path / "latin.csv"
    path.write_bytes("label,pred,race\n1,0,Fran\u00e7ais\n".encode("latin-1"))
    proc = run_cli("evaluate", path, *BASE, cwd=REPO)
    assert proc.returncode == 1
    assert "UTF-8" in proc.stderr and "Traceback" not in proc.stderr


def test_missing_label_column_lists_columns(tmp_path, run_cli):
    path = write_csv(tmp_path / "p.csv", ["y", "yhat", "race"], [[1, 1, "a"]])
    proc = run_cli("evaluate", path, *BASE, cwd=REPO)
    assert proc.returncode == 2
    assert "available columns: y, yhat, race" in proc.stderr and "Traceback" not in proc.stderr


def test_threshold_all_applies_to_metrics_without_their_own(predictions, capsys):
    code, out, err = run(
        capsys,
        predictions,
        *BASE,
        "--bootstrap",
        "0",
        "--metrics",
        "fpr,fnr,precision",
        "--threshold",
        "all:difference:-0.1:0.1",
        "--threshold",
        "precision:ratio:0.8:",
    )
    assert code == 0, err
    data = yaml.safe_load(out)
    conventions = {r["metric"]: r["threshold"] for r in data["fairness"]["results"]}
    assert conventions["fpr"] == {"convention": "difference", "min": -0.1, "max": 0.1}
    assert conventions["fnr"] == {"convention": "difference", "min": -0.1, "max": 0.1}
    assert conventions["precision"] == {"convention": "ratio", "min": 0.8}
    assert "not_run" not in {r["verdict"] for r in data["fairness"]["results"]}


def test_more_usage_errors(predictions, capsys):
    code, _, err = run(capsys, predictions, *BASE, "--sensitive", "race")
    assert code == 2 and "given twice" in err
    code, _, err = run(capsys, predictions, *BASE, "--seed", "-1")
    assert code == 2 and "seed" in err
    code, _, err = run(capsys, predictions, *BASE, "--bootstrap", "-5")
    assert code == 2 and "bootstrap" in err
