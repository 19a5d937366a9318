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

REPO = Path(__file__).resolve().parents[2]

EXAMPLE = REPO / "examples" / "compas-recidivism.yaml"


CARD_METRICS = ["selection_rate", "fpr", "fnr"]  # what the example card declares thresholds for

DIFF10 = {"convention": "difference", "min": -0.1, "max": 0.1}


def synthetic(n=3000, seed=5):
    rng = np.random.default_rng(seed)
    # the example card's six races: a fragment covering every group the card judges keeps its family whole
    races = ["African-American", "Caucasian", "Hispanic", "Other", "Asian", "Native American"]
    race = rng.choice(races, n, p=[0.4, 0.3, 0.1, 0.1, 0.05, 0.05])
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
    "--intersectional",
    "--reference",
    "race=Caucasian",
    "--intersectional-reference",
    "within",
    "--dataset",
    "compas-2yr",
]


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
    assert matched == 48  # fpr, fnr and selection_rate for race, sex and race x sex (each race within its sex)


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
    code, _, _ = run(capsys, predictions, *BASE, "--thresholds-from", bad, "-o", out)
    assert code == 1 and out.read_text() == "previous\n"


def test_help_lists_the_option(run_cli):
    proc = run_cli("evaluate", "--help")
    assert proc.returncode == 0 and "--thresholds-from CARD" in proc.stdout


# --------------------------------------------------------------------------
# real data: the example card's own audit


def test_compas_data_with_the_example_cards_thresholds_reproduces_its_verdicts(tmp_path, capsys, compas_csv):
    preds = tmp_path / "compas-predictions.csv"
    subprocess.run(
        [sys.executable, str(REPO / "examples" / "compas_predictions.py"), str(compas_csv), str(preds)],
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
        before = hand[(r.metric, tuple(r.group.items()))]
        # the card's verdicts are what the card's thresholds give on the real data, by the interval rule
        assert (r.verdict, r.value, r.disparity) == (before.verdict, before.value, before.disparity), (
            r.metric,
            r.group,
        )
        assert r.threshold == before.threshold
        compared += 1
    assert compared == 48
    assert merged.fairness.family_size == 57
