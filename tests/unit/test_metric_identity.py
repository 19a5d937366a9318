"""No two metrics of a card may be indistinguishable: a validation rule, located in the card."""

from __future__ import annotations

from modelcard.card.validate import validate_file


def _card(tmp_path, metrics: str):
    path = tmp_path / "card.yaml"
    path.write_text(
        "card: {schema_version: '1.1'}\nmodel: {name: m, version: '1'}\n"
        "datasets:\n- {id: t, name: T, role: test}\nmetrics:\n" + metrics,
        encoding="utf-8",
    )
    return path


def test_two_metrics_that_cannot_be_told_apart_are_an_error_with_location(tmp_path):
    path = _card(
        tmp_path,
        "- {name: precision, value: 0.5, dataset: t}\n- {name: precision, value: 0.6, dataset: t}\n",
    )
    report = validate_file(path)
    (d,) = [d for d in report.diagnostics if d.code == "duplicate-metric"]
    assert d.severity == "error" and d.line == 7 and d.path == "metrics[1]"
    assert "cannot be told apart from metrics[0]" in d.message


def test_what_tells_metrics_apart(tmp_path):
    path = _card(
        tmp_path,
        "- {name: precision, value: 0.5, dataset: t, display_name: Precision Macro}\n"
        "- {name: precision, value: 0.6, dataset: t, display_name: Precision Micro}\n"
        "- {name: precision, value: 0.6, dataset: t, args: {average: weighted}}\n"
        "- {name: precision, value: 0.6, dataset: t, config: macro}\n"
        "- {name: precision, value: 0.6, dataset: t, split: test}\n"
        "- {name: precision, value: 0.6, dataset: t, slice: {sex: F}}\n"
        "- {name: precision, value: 0.6}\n",
    )
    assert not [d for d in validate_file(path).diagnostics if d.code == "duplicate-metric"]
    # a slice label written as a number or as text is the same label
    path = _card(
        tmp_path, "- {name: f1, value: 0.5, slice: {decile: 5}}\n- {name: f1, value: 0.6, slice: {decile: '5'}}\n"
    )
    assert [d.code for d in validate_file(path).diagnostics if d.code == "duplicate-metric"] == ["duplicate-metric"]
