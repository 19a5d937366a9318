"""fairlearn MetricFrame results as a card fragment: the Python API and saved by_group tables, checked against fairlearn."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame, count, false_positive_rate, selection_rate
from sklearn.metrics import accuracy_score

from modelcard.diagnostics import CardError
from modelcard.interop import import_file
from modelcard.interop.fairlearn import from_metricframe
from modelcard.schema.models import ModelCard


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(7)
    n = 400
    y = rng.integers(0, 2, n)
    p = np.where(rng.random(n) < 0.7, y, 1 - y)
    sf = pd.DataFrame({"race": rng.choice(["A", "B", "C"], n), "sex": rng.choice(["F", "M"], n)})
    return MetricFrame(
        metrics={
            "accuracy": accuracy_score,
            "selection_rate": selection_rate,
            "fpr": false_positive_rate,
            "count": count,
        },
        y_true=y,
        y_pred=p,
        sensitive_features=sf,
    )


def _values(metrics):
    return {(m.name, tuple(sorted((m.slice or {}).items()))): m for m in metrics}


def _check_against(frame, metrics, with_overall=True):
    got = _values(metrics)
    for key, row in frame.by_group.iterrows():
        group = tuple(sorted(zip(frame.by_group.index.names, key)))
        for name in ("accuracy", "selection_rate", "fpr"):
            m = got.pop((name, group))
            expected = row[name]
            if math.isnan(expected):
                assert m.value is None and "undefined" in m.undefined_reason
            else:
                assert m.value == pytest.approx(expected, abs=1e-9)
            assert m.n == int(row["count"])
    if with_overall:
        for name in ("accuracy", "selection_rate", "fpr"):
            assert got.pop((name, ())).value == pytest.approx(frame.overall[name], abs=1e-9)
    assert not got


def test_from_metricframe_matches_fairlearn(frame):
    fragment = from_metricframe(frame, dataset="test", split="holdout")
    _check_against(frame, fragment.metrics)
    assert all(m.dataset == "test" and m.split == "holdout" for m in fragment.metrics)
    attrs = {a.name: set(a.values) for a in fragment.fairness.sensitive_attributes}
    assert attrs == {"race": {"A", "B", "C"}, "sex": {"F", "M"}}


def test_fragment_merges_into_a_card(frame):
    from modelcard.analysis.merge import merge_cards

    card = ModelCard.model_validate(
        {
            "card": {"schema_version": "1.1"},
            "model": {"name": "m", "version": "1"},
            "datasets": [{"id": "test", "name": "T", "role": "test"}],
        }
    )
    merged = merge_cards(card, from_metricframe(frame, dataset="test")).card
    assert len(merged.metrics) == 3 * (6 + 1)
    again = merge_cards(merged, from_metricframe(frame, dataset="test")).card  # same items: replaced, not added
    assert len(again.metrics) == len(merged.metrics)


@pytest.mark.parametrize("orient", ["csv", "table", "split", "columns", "records"])
def test_saved_by_group_tables_import(frame, orient, tmp_path):
    by_group = frame.by_group
    if orient == "csv":
        path = tmp_path / "by_group.csv"
        by_group.to_csv(path)
    elif orient == "records":
        path = tmp_path / "by_group.json"
        by_group.reset_index().to_json(path, orient="records", double_precision=15)
    else:
        path = tmp_path / "by_group.json"
        by_group.to_json(path, orient=orient, double_precision=15)
    result = import_file(path, "fairlearn")
    assert result.fragment and result.format == "fairlearn"
    metrics = list(
        ModelCard.model_validate(
            {"card": {"schema_version": "1.1"}, "model": {"name": "m", "version": "1"}, **result.data}
        ).metrics
    )
    if orient in ("split", "columns"):  # pandas drops the index names: fairlearn's default names stand in
        rename = {"sensitive_feature_0": "race", "sensitive_feature_1": "sex"}
        for m in metrics:
            m.slice = {rename[k]: v for k, v in m.slice.items()}
    _check_against(frame, metrics, with_overall=False)


def test_a_series_by_group_and_numeric_groups(tmp_path):
    mf = MetricFrame(metrics=accuracy_score, y_true=[1, 0, 1, 1], y_pred=[1, 1, 1, 0], sensitive_features=[1, 1, 2, 2])
    fragment = from_metricframe(mf)
    assert {(m.name, (m.slice or {}).get("sensitive_feature_0")) for m in fragment.metrics} == {
        ("accuracy_score", None),
        ("accuracy_score", "1"),
        ("accuracy_score", "2"),
    }
    path = tmp_path / "acc.csv"
    mf.by_group.to_csv(path)
    result = import_file(path)
    assert [m["slice"] for m in result.data["metrics"]] == [{"sensitive_feature_0": "1"}, {"sensitive_feature_0": "2"}]


@pytest.mark.parametrize(
    "content, message",
    [
        ("just,a,header\n", "needs a header"),
        ("race,accuracy\nA,0.5,9\n", "row has 3 cells"),
        ("race,note\nA,good\n", "every column holds text"),
        ('{"a": [1, 2]}', "not a MetricFrame.by_group table"),
        ("{", "invalid JSON"),
    ],
)
def test_what_is_not_a_by_group_table_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / ("t.json" if content.startswith("{") else "t.csv")
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CardError) as exc:
        import_file(path, "fairlearn")
    assert message in str(exc.value) and str(path) in str(exc.value)


def test_json_keeps_precision_it_is_given(tmp_path, frame):
    path = tmp_path / "t.json"
    path.write_text(frame.by_group.to_json(orient="table", double_precision=15), encoding="utf-8")
    data = json.loads(path.read_text())
    assert data["schema"]["primaryKey"] == ["race", "sex"]
    result = import_file(path, "fairlearn")
    assert len(result.data["metrics"]) == 18


def test_an_undefined_value_is_said_not_invented(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("race,fpr,count\nA,0.25,8\nB,nan,3\nC,,2\n", encoding="utf-8")
    metrics = {m["slice"]["race"]: m for m in import_file(path).data["metrics"]}
    assert metrics["A"]["value"] == 0.25 and metrics["A"]["n"] == 8
    for g in ("B", "C"):
        assert metrics[g]["value"] is None and "undefined" in metrics[g]["undefined_reason"]


@pytest.mark.parametrize(
    "name, content",
    [
        ("empty.csv", b""),
        ("bom.csv", b"\xef\xbb\xbf"),
        ("deep.json", b"[" * 100_000 + b"]" * 100_000),
        ("binary.csv", bytes(range(256)) * 4),
        ("utf16.csv", "race,acc\nA,0.5\n".encode("utf-16")),
        ("many.csv", b"g,m\n" + b"".join(b"%d,0.5\n" % i for i in range(10_050))),
        ("inf.csv", b"g,m\na,1e400\n"),
        ("odd.json", b'[{"g": "a", "m": 0.5}, 2]'),
        ("split.json", b'{"columns": ["m"], "data": [[0.1], 0.2], "index": [1]}'),
    ],
)
def test_odd_inputs_import_or_fail_cleanly(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    try:
        result = import_file(path, "fairlearn")
    except CardError as exc:
        assert exc.diagnostics and exc.diagnostics[0].file == str(path)
    else:
        ModelCard.model_validate(
            {"card": {"schema_version": "1.1"}, "model": {"name": "m", "version": "1"}, **result.data}
        )
