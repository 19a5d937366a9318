"""`modelcard evaluate --thresholds-from CARD`: thresholds a hand-written card declares become the defaults."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from modelcard.card.validate import load_card
from modelcard.diagnostics import CardError, UsageError
from modelcard.evaluation import thresholds as T
from modelcard.evaluation.pipeline import evaluate
from modelcard.schema.models import Threshold

REPO = Path(__file__).resolve().parents[2]

EXAMPLE = REPO / "examples" / "compas-recidivism.yaml"

CARD_METRICS = ["selection_rate", "fpr", "fnr"]  # what the example card declares thresholds for

DIFF10 = {"convention": "difference", "min": -0.1, "max": 0.1}


def synthetic(n=3000, seed=5):
    rng = np.random.default_rng(seed)
    race = rng.choice(["African-American", "Caucasian", "Hispanic", "Other"], n, p=[0.45, 0.35, 0.12, 0.08])
    sex = rng.choice(["Female", "Male"], n, p=[0.2, 0.8])
    y = (rng.random(n) < 0.45).astype(int)
    score = np.clip(np.round(rng.normal(4 + 2.5 * y + 1.2 * (race == "African-American"), 2.5)), 1, 10).astype(int)
    return race, sex, y, (score >= 5).astype(int), score


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


def plain(thresholds):
    """Thresholds as plain dicts (the card's come as Threshold models)."""
    return {k: v.model_dump(exclude_none=True) if isinstance(v, Threshold) else v for k, v in thresholds.items()}


def card_thresholds(*args, **kwargs):
    return plain(T.card_thresholds(*args, **kwargs))


def thresholds_with_card(*args, **kwargs):
    merged, taken = T.thresholds_with_card(*args, **kwargs)
    return plain(merged), taken


def write(tmp_path, text, name="card.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


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
    assert "choose one for 'fpr' with `thresholds`" in second.message and "--" not in second.message
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
    race, _, y, p, _ = synthetic(800)
    frag = evaluate(
        {"y": y, "p": p, "race": race},
        label="y",
        prediction="p",
        sensitive=["race"],
        references={"race": "Caucasian"},
        thresholds=explicit,
        thresholds_from=EXAMPLE,
    ).to_data()
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
