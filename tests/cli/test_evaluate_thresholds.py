"""`modelcard evaluate --thresholds-from CARD`: thresholds a hand-written card declares become the defaults."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from modelcard.card.validate import load_card
from modelcard.cli import main
from modelcard.diagnostics import CardError, UsageError
from modelcard.evaluation.pipeline import card_thresholds, evaluate, thresholds_with_card

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "compas-recidivism.yaml"
COMPAS = REPO.parent / "shared" / "data" / "compas" / "compas-scores-two-years.csv"
CARD_METRICS = ["selection_rate", "fpr", "fnr"]  # what the example card declares thresholds for
DIFF10 = {"convention": "difference", "min": -0.1, "max": 0.1}


def synthetic(n=3000, seed=5):
    rng = np.random.default_rng(seed)
    race = rng.choice(["African-American", "Caucasian", "Hispanic", "Other"], n, p=[0.45, 0.35, 0.12, 0.08])
    sex = rng.choice(["Female", "Male"], n, p=[0.2, 0.8])
    y = (rng.random(n) < 0.45).astype(int)
    score = np.clip(np.round(rng.normal(4 + 2.5 * y + 1.2 * (race == "African-American"), 2.5)), 1, 10).astype(int)
    return race, sex, y, (score >= 5).astype(int), score


@pytest.fixture(scope="module")
def predictions(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("thresholds") / "preds.csv"
    race, sex, y, p, score = synthetic()
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["race", "sex", "two_year_recid", "high_risk", "decile_score"])
        w.writerows(zip(race, sex, y, p, score))
    return path


def card_text(results_yaml: str, spreads_yaml: str = "") -> str:
    text = (
        'card: {schema_version: "1.0"}\nmodel: {name: m, version: "1"}\n'
        "datasets:\n- {id: d1, name: D1, role: test}\n- {id: d2, name: D2, role: test}\n"
        "fairness:\n  results:\n" + results_yaml
    )
    if spreads_yaml:
        text += "  spreads:\n" + spreads_yaml
    return text


def result(metric, group, threshold, dataset=None):
    out = (
        f"  - metric: {metric}\n    group: {{race: {group}}}\n    reference_group: {{race: Caucasian}}\n"
        f"    value: 0.3\n    threshold: {threshold}\n    verdict: not_run\n"
    )
    return out + (f"    dataset: {dataset}\n" if dataset else "")


def write(tmp_path, text, name="card.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(capsys, *argv):
    code = main(["evaluate", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


BASE = [
    "--label",
    "two_year_recid",
    "--prediction",
    "high_risk",
    "--sensitive",
    "race",
    "--sensitive",
    "sex",
    "--reference",
    "race=Caucasian",
    "--dataset",
    "compas-2yr",
    "--bootstrap",
    "50",
]


# --------------------------------------------------------------------------
# API


def test_example_card_declares_difference_thresholds_for_three_metrics():
    assert card_thresholds(EXAMPLE) == dict.fromkeys(CARD_METRICS, DIFF10)
    assert card_thresholds(load_card(EXAMPLE), metrics=["fpr", "auc"]) == {"fpr": DIFF10}
    assert card_thresholds(EXAMPLE, dataset="another-dataset") == {}  # every entry is on compas-2yr


def test_spreads_count_and_rationale_is_kept_when_unique(tmp_path):
    path = write(
        tmp_path,
        card_text(
            result("fpr", "Hispanic", "{convention: ratio, min: 0.8, rationale: Four-fifths rule.}")
            + result("fpr", "Other", "{convention: ratio, min: 0.8}"),
            "  - {metric: fpr, attributes: [race], threshold: {convention: ratio, min: 0.8}}\n"
            "  - {metric: auc, attributes: [race], threshold: {convention: difference, min: -0.05, max: 0.05}}\n",
        ),
    )
    assert card_thresholds(path) == {
        "fpr": {"convention": "ratio", "min": 0.8, "rationale": "Four-fifths rule."},
        "auc": {"convention": "difference", "min": -0.05, "max": 0.05},
    }


def test_different_thresholds_for_one_metric_are_a_located_usage_error(tmp_path):
    path = write(
        tmp_path,
        card_text(
            result("fpr", "Hispanic", "{convention: difference, min: -0.1, max: 0.1}")
            + result("fpr", "Other", "{convention: difference, min: -0.1, max: 0.1}")
            + result("fpr", "African-American", "{convention: ratio, min: 0.8}")
            + result("fnr", "Other", "{convention: difference, min: -0.1, max: 0.1}")
        ),
    )
    with pytest.raises(UsageError) as exc:
        card_thresholds(path)
    diags = exc.value.diagnostics
    assert exc.value.exit_code == 2 and len(diags) == 2
    assert {d.code for d in diags} == {"threshold-conflict"}
    first, second = diags
    assert (first.file, first.line) == (str(path), 12) and first.path == "fairness.results[0].threshold"
    assert "2 different thresholds for 'fpr'" in first.message
    assert "difference in [-0.1, 0.1] on group race=Hispanic (and 1 more entry)" in first.message
    assert second.line == 24 and "ratio in [0.8, +inf] on group race=African-American" in second.message
    assert "--threshold fpr:CONVENTION:MIN:MAX" in second.message
    # a conflict only matters for a metric that takes the card's threshold
    assert card_thresholds(path, metrics=["fnr"]) == {"fnr": DIFF10}
    merged, taken = thresholds_with_card({"fpr": {"convention": "ratio", "min": 0.9}}, path, ["fpr", "fnr"])
    assert merged == {"fpr": {"convention": "ratio", "min": 0.9}, "fnr": DIFF10} and taken == ["fnr"]


def test_dataset_scopes_the_thresholds(tmp_path):
    path = write(
        tmp_path,
        card_text(
            result("fpr", "Hispanic", "{convention: difference, min: -0.1, max: 0.1}", dataset="d1")
            + result("fpr", "Other", "{convention: difference, min: -0.2, max: 0.2}", dataset="d2")
        ),
    )
    with pytest.raises(UsageError):
        card_thresholds(path)
    assert card_thresholds(path, dataset="d2") == {"fpr": {"convention": "difference", "min": -0.2, "max": 0.2}}


def test_precedence_explicit_metric_then_card_then_all():
    explicit = {"fpr": {"convention": "ratio", "min": 0.8}, "all": {"convention": "difference", "max": 0.3}}
    merged, taken = thresholds_with_card(explicit, EXAMPLE, ["selection_rate", "accuracy", "fpr", "fnr"])
    assert taken == ["selection_rate", "fnr"]
    assert merged == {
        "fpr": {"convention": "ratio", "min": 0.8},
        "all": {"convention": "difference", "max": 0.3},
        "selection_rate": DIFF10,
        "fnr": DIFF10,
    }
    race, sex, y, p, _ = synthetic(800)
    frag = evaluate(
        y,
        p,
        {"race": race},
        references={"race": "Caucasian"},
        bootstrap=0,
        thresholds=explicit,
        thresholds_from=EXAMPLE,
    )
    th = {r["metric"]: r["threshold"] for r in frag["fairness"]["results"]}
    assert th["fpr"] == {"convention": "ratio", "min": 0.8}
    assert th["fnr"] == th["selection_rate"] == DIFF10
    assert th["accuracy"] == th["precision"] == {"convention": "difference", "max": 0.3}
    assert frag["x-evaluate"]["thresholds_from"] == {"card": EXAMPLE.name, "metrics": ["selection_rate", "fnr"]}


def test_invalid_card_raises_its_located_errors(tmp_path):
    path = write(tmp_path, 'card: {schema_version: "1.0"}\nmodel: {name: m}\n')
    with pytest.raises(CardError) as exc:
        card_thresholds(path)
    assert exc.value.exit_code == 1 and exc.value.diagnostics[0].file == str(path)
    assert exc.value.diagnostics[0].line == 2


# --------------------------------------------------------------------------
# CLI


def test_fragment_gets_the_verdicts_explicit_thresholds_would_give(predictions, tmp_path, capsys):
    a, b, c = tmp_path / "from-card.yaml", tmp_path / "explicit.yaml", tmp_path / "none.yaml"
    code, _, err = run(capsys, predictions, *BASE, "--thresholds-from", EXAMPLE, "-o", a)
    assert code == 0, err
    assert f"thresholds from {EXAMPLE.name}: selection_rate, fnr, fpr" in err
    explicit = [x for m in CARD_METRICS for x in ("--threshold", f"{m}:difference:-0.1:0.1")]
    assert run(capsys, predictions, *BASE, *explicit, "-o", b)[0] == 0
    assert run(capsys, predictions, *BASE, "-o", c)[0] == 0
    from_card, by_hand, without = (yaml.safe_load(p.read_text()) for p in (a, b, c))
    assert from_card["x-evaluate"].pop("thresholds_from") == {
        "card": EXAMPLE.name,
        "metrics": ["selection_rate", "fnr", "fpr"],
    }
    assert from_card == by_hand
    verdicts = {r["verdict"] for r in from_card["fairness"]["results"] if r["metric"] in CARD_METRICS}
    assert "not_run" not in verdicts and verdicts & {"pass", "fail"}
    assert {r["verdict"] for r in without["fairness"]["results"]} == {"not_run"}


def test_merged_example_card_has_real_verdicts_and_validates_strict(predictions, tmp_path, capsys):
    frag = tmp_path / "frag.yaml"
    code, _, err = run(
        capsys, predictions, *BASE, "--metrics", ",".join(CARD_METRICS), "--thresholds-from", EXAMPLE, "-o", frag
    )
    assert code == 0, err
    hand = load_card(EXAMPLE)
    merged = load_card(EXAMPLE, overlays=[frag], strict=True)  # verdicts agree with the numbers and thresholds
    ours = {
        (r["metric"], tuple(r["group"].items()), tuple(r["reference_group"].items())): r
        for r in yaml.safe_load(frag.read_text())["fairness"]["results"]
    }
    matched = 0
    for before, after in zip(hand.fairness.results, merged.fairness.results):
        key = (after.metric, tuple(after.group.items()), tuple(after.reference_group.items()))
        assert after.threshold == before.threshold  # the card's hand-written threshold stays
        if key in ours:
            assert after.verdict == ours[key]["verdict"] != "not_run"
            matched += 1
    assert matched == 12  # race and sex results for fpr, fnr and selection_rate


def test_explicit_threshold_wins_over_the_card(predictions, tmp_path, capsys):
    frag = tmp_path / "frag.yaml"
    code, _, err = run(
        capsys, predictions, *BASE, "--thresholds-from", EXAMPLE, "--threshold", "fpr:ratio:0.8:1.25", "-o", frag
    )
    assert code == 0 and "thresholds from compas-recidivism.yaml: selection_rate, fnr\n" in err
    th = {r["metric"]: r.get("threshold") for r in yaml.safe_load(frag.read_text())["fairness"]["results"]}
    assert th["fpr"] == {"convention": "ratio", "min": 0.8, "max": 1.25} and th["fnr"] == DIFF10
    assert th["accuracy"] is None


def test_card_without_thresholds_for_the_metrics_says_so(predictions, tmp_path, capsys):
    code, _, err = run(
        capsys, predictions, *BASE, "--metrics", "accuracy", "--thresholds-from", EXAMPLE, "-o", tmp_path / "f.yaml"
    )
    assert code == 0 and "thresholds from compas-recidivism.yaml: none declared for the metrics evaluated" in err


def test_conflict_exits_2_located_without_output(predictions, tmp_path, capsys):
    card = write(
        tmp_path,
        card_text(
            result("fpr", "Hispanic", "{convention: difference, max: 0.1}")
            + result("fpr", "Other", "{convention: difference, max: 0.2}")
        ),
    )
    out = tmp_path / "frag.yaml"
    code, stdout, err = run(capsys, predictions, *BASE, "--thresholds-from", card, "-o", out)
    assert code == 2 and not out.exists() and stdout == ""
    lines = err.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith(f"{card}:12:") and lines[1].startswith(f"{card}:18:")
    assert "Traceback" not in err and "[threshold-conflict]" in lines[0]
    # choosing the threshold on the command line resolves it
    code, _, err = run(
        capsys, predictions, *BASE, "--thresholds-from", card, "--threshold", "fpr:difference:-0.1:0.1", "-o", out
    )
    assert code == 0 and out.exists()


def test_bad_or_missing_card_fails_before_reading_predictions(tmp_path, capsys):
    bad = write(tmp_path, "card: {schema_version: '1.0'}\nmodel: {name: m, version: 1}\nfairness: {results: 3}\n")
    missing_predictions = tmp_path / "absent.csv"  # never reached: the card is checked first
    out = tmp_path / "frag.yaml"
    code, _, err = run(capsys, missing_predictions, *BASE, "--thresholds-from", bad, "-o", out)
    assert code == 1 and f"{bad}:3:" in err and "Traceback" not in err and not out.exists()
    code, _, err = run(capsys, missing_predictions, *BASE, "--thresholds-from", tmp_path / "nope.yaml", "-o", out)
    assert code == 2 and "nope.yaml" in err and not out.exists()


def test_previous_output_kept_when_the_card_is_bad(predictions, tmp_path, capsys):
    out = tmp_path / "frag.yaml"
    out.write_text("previous\n")
    bad = write(tmp_path, "card: [\n")
    code, _, err = run(capsys, predictions, *BASE, "--thresholds-from", bad, "-o", out)
    assert code == 1 and out.read_text() == "previous\n"


def test_subprocess_help_lists_the_option():
    proc = subprocess.run(
        [sys.executable, "-m", "modelcard", "evaluate", "--help"], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert proc.returncode == 0 and "--thresholds-from CARD" in proc.stdout


# --------------------------------------------------------------------------
# real data: the example card's own audit


@pytest.mark.skipif(not COMPAS.is_file(), reason=f"COMPAS data not found at {COMPAS}")
def test_compas_data_with_the_example_cards_thresholds_reproduces_its_verdicts(tmp_path, capsys):
    preds = tmp_path / "compas-predictions.csv"
    subprocess.run(
        [sys.executable, str(REPO / "examples" / "compas_predictions.py"), str(COMPAS), str(preds)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    frag = tmp_path / "compas-eval.yaml"
    code, _, err = run(
        capsys, preds, *BASE, "--metrics", ",".join(CARD_METRICS), "--thresholds-from", EXAMPLE, "-o", frag
    )
    assert code == 0, err
    hand = {(r.metric, tuple(r.group.items())): r for r in load_card(EXAMPLE).fairness.results}
    merged = load_card(EXAMPLE, overlays=[frag], strict=True)
    compared = 0
    for r in merged.fairness.results:
        before = hand.get((r.metric, tuple(r.group.items())))
        if before is None or len(r.group) > 1 or r.metric == "selection_rate":
            continue
        # the card's hand-made fpr/fnr verdicts are what the card's thresholds give on the real data
        assert r.verdict == before.verdict, (r.metric, r.group)
        assert r.threshold == before.threshold
        compared += 1
    assert compared == 8
