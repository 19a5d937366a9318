"""Layered cards: merge semantics, --set, located errors, and `modelcard merge`."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from modelcard.card.layering import apply_set, merge, parse_set_path
from modelcard.card.validate import load_card, load_document, validate_file
from modelcard.diagnostics import CardError, UsageError
from modelcard.io.source import load, loads

DATA = Path(__file__).parents[1] / "data" / "layering"

BASE = DATA / "base.yaml"

METRICS = DATA / "metrics.yaml"

FAIRNESS = DATA / "fairness.yaml"

BAD = DATA / "bad-fragment.yaml"

LISTS = DATA / "replace-lists.yaml"


def metric(card, name, slice_=None):
    found = [m for m in card.metrics if m.name == name and (dict(m.slice) if m.slice else None) == slice_]
    assert len(found) == 1, found
    return found[0]


# --------------------------------------------------------------------------
# merge semantics


def test_metrics_matched_by_identity_updated_and_appended():
    card = load_card(BASE, overlays=[METRICS])
    assert [(m.name, dict(m.slice or {})) for m in card.metrics] == [
        ("accuracy", {}),
        ("accuracy", {"sex": "female"}),
        ("accuracy", {"sex": "male"}),
    ]
    assert metric(card, "accuracy").value == 0.86
    assert metric(card, "accuracy", {"sex": "female"}).value == 0.85
    assert metric(card, "accuracy", {"sex": "male"}).value == 0.87


def test_new_measurement_replaces_old_one_whole_but_keeps_prose():
    card = load_card(BASE, overlays=[METRICS])
    overall = metric(card, "accuracy")
    # the fragment gave value and n but no interval: the old [0.78, 0.82] must not survive next to 0.86
    assert overall.confidence_interval is None
    assert overall.n == 5000
    assert overall.description == "Overall accuracy on the hold-out set."


def test_fairness_result_merged_keeps_threshold_and_notes_replaces_measurement():
    card = load_card(BASE, overlays=[FAIRNESS])
    (r,) = card.fairness.results
    assert r.verdict == "pass"
    assert r.value == 0.41 and r.undefined_reason is None
    assert r.disparity.ratio.value == 0.953
    assert r.threshold.min == 0.8 and r.threshold.convention == "ratio"
    assert r.notes == "Four-fifths rule, agreed with legal."


def test_fairness_results_match_on_reference_group_and_dataset():
    base = load(BASE)
    other_ref = loads(
        "fairness:\n  results:\n    - metric: selection_rate\n      group: {sex: female}\n"
        "      reference_group: {sex: other}\n      dataset: holdout\n      value: 0.4\n"
        "      verdict: pass\n",
        "frag.yaml",
    )
    merged = merge(base, other_ref)
    assert len(merged.data["fairness"]["results"]) == 2  # different reference group: a new result
    no_dataset = loads(
        "fairness:\n  results:\n    - metric: selection_rate\n      group: {sex: female}\n"
        "      reference_group: {sex: male}\n      value: 0.4\n      verdict: pass\n",
        "frag.yaml",
    )
    assert len(merge(base, no_dataset).data["fairness"]["results"]) == 2


def test_datasets_matched_by_id():
    card = load_card(BASE, overlays=[METRICS])
    assert [d.id for d in card.datasets] == ["holdout", "train"]
    holdout = card.dataset("holdout")
    assert holdout.sha256.startswith("0f343b09") and holdout.name == "Loan applications hold-out set"
    assert holdout.version == "2026-10"


def test_other_lists_are_replaced_and_extensions_kept():
    card = load_card(BASE, overlays=[LISTS])
    assert card.intended_use.primary_uses == ["Ranking applications for manual review only."]
    assert card.model.extensions == {"x-owner": "ml-platform", "x-build": 1234}
    assert load_card(BASE).model.extensions == {"x-owner": "risk-team"}
    # an extension in the base survives a fragment that does not mention it
    card = load_card(BASE, overlays=[METRICS])
    assert card.model.extensions == {"x-owner": "risk-team"}
    assert card.model.model_dump()["x-owner"] == "risk-team"


def test_fragments_apply_in_order_then_sets():
    first = loads("model:\n  version: '3.0'\n", "a.yaml")
    second = loads("model:\n  version: '4.0'\n", "b.yaml")
    doc = merge(merge(load(BASE), first), second)
    assert doc.data["model"]["version"] == "4.0"
    doc = apply_set(doc, "model.version=5.0")
    assert doc.data["model"]["version"] == "5.0"


def test_null_in_fragment_clears_a_value():
    doc = merge(load(BASE), loads("intended_use:\n  primary_uses: null\n", "f.yaml"))
    assert doc.data["intended_use"]["primary_uses"] is None


def test_slice_labels_match_whatever_their_yaml_type():
    base = loads("metrics:\n  - name: acc\n    slice: {decile: 5, adult: true}\n    value: 0.5\n", "b.yaml")
    frag = loads("metrics:\n  - name: acc\n    slice: {adult: 'true', decile: '5'}\n    value: 0.6\n", "f.yaml")
    merged = merge(base, frag).data["metrics"]
    assert len(merged) == 1 and merged[0]["value"] == 0.6


def test_non_mapping_items_never_match_and_do_not_crash():
    base = loads("metrics:\n  - just text\n  - name: acc\n    value: 0.5\n", "b.yaml")
    frag = loads("metrics:\n  - other text\n", "f.yaml")
    merged = merge(base, frag).data["metrics"]
    assert merged == ["just text", {"name": "acc", "value": 0.5}, "other text"]


def test_merge_does_not_modify_its_inputs():
    base, frag = load(BASE), load(METRICS)
    before = (copy.deepcopy(base.data), copy.deepcopy(frag.data))
    merge(base, frag)
    apply_set(base, "model.version=9")
    assert (base.data, frag.data) == before


# --------------------------------------------------------------------------
# locations


def test_errors_in_a_fragment_point_at_the_fragment():
    report = validate_file(BASE, overlays=[BAD])
    assert not report.ok
    where = {(Path(d.file).name, d.line, d.col, d.path) for d in report.errors}
    assert ("bad-fragment.yaml", 4, 12, "metrics[0].value") in where
    assert ("bad-fragment.yaml", 7, 5, "metrics[2].colour") in where


def test_base_nodes_keep_base_positions_after_merge():
    doc = load_document(BASE, [METRICS, FAIRNESS])
    assert Path(doc.pos(("model", "name")).file).name == "base.yaml"
    assert doc.pos(("model", "name")).line == 8
    assert Path(doc.pos(("metrics", 2, "value")).file).name == "metrics.yaml"
    assert doc.pos(("metrics", 2, "value")).line == 15
    # the threshold of a merged result still comes from the base
    assert Path(doc.pos(("fairness", "results", 0, "threshold")).file).name == "base.yaml"


def test_missing_required_field_in_fragment_item_is_located_in_fragment(tmp_path):
    frag = tmp_path / "frag.yaml"
    frag.write_text("metrics:\n  - name: f1\n    dataset: holdout\n")
    with pytest.raises(CardError) as exc:
        load_card(BASE, overlays=[frag])
    (d,) = exc.value.diagnostics
    assert d.file == str(frag) and d.line == 2 and "value" in d.message


def test_a_new_measurement_without_verdict_is_reported_not_silently_stale(tmp_path):
    frag = tmp_path / "numbers-only.yaml"
    frag.write_text(
        "fairness:\n  results:\n    - metric: selection_rate\n      group: {sex: female}\n"
        "      reference_group: {sex: male}\n      dataset: holdout\n      value: 0.41\n"
        "      disparity: {ratio: {value: 0.95}}\n"
    )
    with pytest.raises(CardError) as exc:
        load_card(BASE, overlays=[frag])
    (d,) = exc.value.diagnostics
    assert "verdict" in d.message and d.file == str(frag) and d.line == 3


def test_set_errors_point_at_the_set():
    report = validate_file(BASE, sets=["metrics[0].value=abc"])
    (d,) = report.errors
    assert d.file == "set metrics[0].value" and d.path == "metrics[0].value"  # no CLI flag in the library


# --------------------------------------------------------------------------
# --set


def test_set_values_take_the_schema_type():
    doc = load_document(
        BASE,
        sets=[
            "metrics[0].value=0.9",
            "model.version=1.10",
            "metrics[0].n=12",
            "card.date=2026-11-25",
            "model.x-build=7",
        ],
    )
    assert doc.data["metrics"][0]["value"] == 0.9 and isinstance(doc.data["metrics"][0]["value"], float)
    assert doc.data["model"]["version"] == "1.10"
    assert doc.data["metrics"][0]["n"] == 12
    assert str(doc.data["card"]["date"]) == "2026-11-25"
    assert doc.data["model"]["x-build"] == "7"  # extensions have no schema: text stays text
    card = load_card(BASE, sets=["metrics[0].value=0.9", "model.version=1.10"])
    assert card.metrics[0].value == 0.9 and card.model.version == "1.10"


def test_set_on_nested_paths_creates_missing_mappings():
    doc = load_document(
        BASE,
        sets=["environmental_impact.hours=2.5", "metrics[1].slice.age=young", "fairness.results[0].group.sex=woman"],
    )
    assert doc.data["environmental_impact"] == {"hours": 2.5}
    assert doc.data["metrics"][1]["slice"] == {"sex": "female", "age": "young"}
    assert doc.data["fairness"]["results"][0]["group"] == {"sex": "woman"}


def test_set_through_list_into_missing_section_then_schema_reports_the_rest():
    with pytest.raises(CardError) as exc:
        load_card(BASE, sets=["metrics[1].confidence_interval.lower=0.7"])
    (d,) = exc.value.diagnostics
    assert "upper" in d.message and d.file.startswith("set ")


@pytest.mark.parametrize(
    "assignment, message",
    [
        ("model.verison=2", "did you mean 'version'"),
        ("modle.version=2", "did you mean 'model'"),
        ("metrics[7].value=1", "metrics[7] does not exist in the card (it has 2 items)"),
        ("datasets[0].provenance.sources[0].name=x", "does not exist in the card"),
        ("metrics.value=1", "metrics is a list; use an index"),
        ("model[0]=1", "model is a section, not a list"),
        ("model.name.first=x", "model.name holds a single value"),
        ("model.version", "expected KEY.PATH=VALUE"),
        ("=1", "must start with a section name"),
        ("[0].x=1", "must start with a section name"),
        ("model..version=1", "cannot read key path"),
        ("model.=1", "cannot read key path"),
        ("metrics[0]value=1", "cannot read key path"),
        ("metrics[-1].value=1", "cannot read key path"),
    ],
)
def test_bad_set_is_a_usage_error(assignment, message):
    with pytest.raises(UsageError) as exc:
        load_document(BASE, sets=[assignment])
    assert message in str(exc.value)
    assert UsageError.exit_code == 2


def test_parse_set_path():
    assert parse_set_path("metrics[0].confidence_interval.lower") == ("metrics", 0, "confidence_interval", "lower")
    assert parse_set_path("fairness.results[12].group.race") == ("fairness", "results", 12, "group", "race")
    assert parse_set_path("model.x-build") == ("model", "x-build")
