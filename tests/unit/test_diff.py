"""`modelcard diff`: fields changed, metrics moved, verdicts flipped, exit codes, formats."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelcard.analysis.diff import diff_cards, diff_files, field_changes
from modelcard.card.validate import load_card
from modelcard.cli import main
from modelcard.report.diff import change_label, format_markdown, format_text, metric_label, regression_text

DATA = Path(__file__).parents[1] / "data" / "diff"

OLD = DATA / "old.yaml"

NEW = DATA / "new.yaml"


def diff(capsys, *args: str) -> tuple[int, str, str]:
    rc = main(["diff", *map(str, args)])
    out = capsys.readouterr()
    return rc, out.out, out.err


@pytest.fixture(scope="module")
def d():
    return diff_files(OLD, NEW)


def test_reordering_identified_items_is_not_a_change(tmp_path):
    text = OLD.read_text()
    swapped = text.replace(
        '  - id: holdout\n    name: Loan applications hold-out set\n    role: test\n    version: "2026-09"\n'
        "  - id: train\n    name: Loan applications 2019-2025\n    role: training\n",
        "  - id: train\n    name: Loan applications 2019-2025\n    role: training\n"
        '  - id: holdout\n    name: Loan applications hold-out set\n    role: test\n    version: "2026-09"\n',
    )
    assert swapped != text
    (tmp_path / "swapped.yaml").write_text(swapped)
    assert diff_files(OLD, tmp_path / "swapped.yaml").identical


def test_field_changes_by_path(d):
    changes = {(f.change, f.path): (f.old, f.new) for f in d.fields}
    assert changes[("changed", "model.version")] == ("2.1.0", "2.2.0")
    assert changes[("added", "model.repository")] == (None, "https://example.org/loan-approval")
    assert changes[("changed", "datasets[holdout].version")] == ("2026-09", "2026-10")
    assert changes[("removed", "intended_use.primary_uses[]")] == ("Ranking applications for manual review.", None)
    assert ("added", "intended_use.primary_uses[]") in changes
    # prose of a metric is a field change; its numbers are reported as a metric move
    assert changes[("changed", "metrics[accuracy; sex=female; holdout].description")] == (
        "Women only.",
        "Women only, self-reported.",
    )
    assert not any(f.path.startswith("fairness.results") or f.path.endswith(".value") for f in d.fields)
    assert d.sections == {"model": 2, "intended_use": 2, "datasets": 1, "metrics": 6, "fairness": 5}


def test_metric_moves_direction_and_noise(d):
    moves = {(m.name, m.change, metric_label(m)): m for m in d.metrics}
    acc = moves[("accuracy", "moved", "accuracy overall holdout")]
    assert (acc.old_value, acc.new_value, acc.delta) == (0.80, 0.86, 0.06)
    assert (acc.direction, acc.ci_overlap, acc.noise, acc.regression) == ("improved", False, "beyond noise", False)
    fpr = moves[("fpr", "moved", "fpr overall holdout")]
    assert (fpr.direction, fpr.ci_overlap, fpr.noise, fpr.regression) == ("worsened", True, "within noise", False)
    sel = moves[("selection_rate", "moved", "selection_rate overall holdout")]
    assert (sel.direction, sel.noise) == ("down", "no CI")  # no higher_is_better in its definition
    assert moves[("fnr", "removed", "fnr overall holdout")].regression
    assert moves[("accuracy", "added", "accuracy sex=male holdout")].new_value == 0.88
    assert d.metrics_unchanged == 1


def test_worsening_beyond_noise_is_a_regression(tmp_path):
    new = tmp_path / "new.yaml"
    new.write_text(
        OLD.read_text().replace(
            "value: 0.12\n    confidence_interval: {lower: 0.10, upper: 0.14}",
            "value: 0.20\n    confidence_interval: {lower: 0.18, upper: 0.22}",
        )
    )
    result = diff_files(OLD, new)
    (m,) = result.metrics
    assert (m.direction, m.noise, m.regression) == ("worsened", "beyond noise", True)
    assert result.regressions == [m]
    assert [regression_text(r) for r in result.regressions] == [
        "metric fpr overall holdout: worsened beyond noise (0.12 -> 0.2)"
    ]


def test_undefined_values(tmp_path):
    new = tmp_path / "new.yaml"
    new.write_text(OLD.read_text().replace("    value: 0.2\n", "    value: null\n    undefined_reason: no positives\n"))
    (m,) = diff_files(OLD, new).metrics
    assert (m.direction, m.delta, m.noise) == ("now undefined", None, "")


def test_verdict_flips_additions_and_removals(d):
    rows = {(v.kind, v.metric, change_label(v), v.change): v for v in d.verdicts}
    flip = rows[("fairness", "fpr", "age=young vs age=middle", "flipped")]
    assert (flip.old, flip.new, flip.old_value, flip.new_value, flip.regression) == ("pass", "fail", 0.03, 0.08, True)
    assert rows[("fairness", "fpr", "age=old vs age=middle", "removed")].old == "pass"
    assert rows[("fairness", "fnr", "sex=female vs sex=male", "added")].new == "fail"
    assert rows[("spread", "fpr", "spread over age", "flipped")].new == "fail"
    moved = rows[("fairness", "selection_rate", "sex=female vs sex=male", "moved")]
    assert (moved.old, moved.new, moved.old_value, moved.new_value, moved.regression) == (
        "pass",
        "pass",
        0.95,
        0.93,
        False,
    )
    assert d.verdicts_unchanged == 0


@pytest.mark.parametrize(
    "old, new, regression",
    [
        ("pass", "fail", True),
        ("pass", "inconclusive", True),
        ("pass", "not_run", True),
        ("inconclusive", "fail", True),
        ("fail", "pass", False),
        ("inconclusive", "pass", False),
        ("fail", "inconclusive", False),
        ("not_run", "inconclusive", False),
    ],
)
def test_which_flips_are_regressions(old, new, regression):
    from modelcard.analysis.diff import VerdictChange

    assert VerdictChange("fairness", "fpr", "flipped", old=old, new=new).regression is regression


def test_diff_example_against_a_changed_copy(tmp_path, example_path):
    text = example_path.read_text()
    changed = text.replace("      upper: 0.4484\n    n: 1514", "      upper: 0.4484\n    n: 1515", 1)
    (tmp_path / "new.yaml").write_text(changed)
    result = diff_files(example_path, tmp_path / "new.yaml")
    # n of a fairness result is part of its measurement: no field change, no verdict flip, numbers unchanged
    assert result.fields == [] and result.verdicts == []
    old_card = load_card(example_path)
    assert diff_cards(old_card, old_card).identical
    assert "no differences" in format_text(diff_cards(old_card, old_card))
    assert "No differences." in format_markdown(diff_cards(old_card, old_card))


def test_field_changes_on_plain_data():
    old = {"model": {"name": "m", "tags": ["a", "b"], "inputs": [{"name": "x"}]}, "x-k": 1}
    new = {"model": {"name": "m", "tags": ["b", "c"], "inputs": [{"name": "y"}, {"name": "z"}]}, "x-k": 1.0}
    got = [(f.change, f.path, f.old, f.new) for f in field_changes(old, new)]
    assert got == [
        ("removed", "model.tags[]", "a", None),
        ("added", "model.tags[]", None, "c"),
        ("changed", "model.inputs[0].name", "x", "y"),
        ("added", "model.inputs[1]", None, {"name": "z"}),
    ]
    assert field_changes({"a": True}, {"a": 1}) == field_changes({"a": True}, {"a": 1})
    assert [f.change for f in field_changes({"a": True}, {"a": 1})] == ["changed"]
