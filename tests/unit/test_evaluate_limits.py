"""`evaluate` on hostile input through the API: option ranges, the group limit checked before any work,
the bootstrap budget, linear memory, and located errors in huge columns."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from modelcard.diagnostics import UsageError
from modelcard.evaluation import finalize as F
from modelcard.evaluation import stats as ST
from modelcard.evaluation.inputs import GroupColumn, binary_column, count_cells
from modelcard.evaluation.options import DEFAULT_MAX_GROUPS, DEFAULTS, MAX_BOOTSTRAP, EvaluateOptions, check_option
from modelcard.evaluation.pipeline import evaluate, evaluate_file
from modelcard.io.tabular import DataError


def columns(y, p=None, **groups):
    return {"y": np.asarray(y), "p": np.asarray(y if p is None else p), **groups}


# --------------------------------------------------------------------------
# numeric options: a usage error (exit 2) before anything is read or written


@pytest.mark.parametrize(
    "name, value",
    [
        ("bootstrap", 1.5),
        ("bootstrap", True),
        ("bootstrap", -1),
        ("bootstrap", MAX_BOOTSTRAP + 1),
        ("confidence", float("nan")),
        ("confidence", 1.0),
        ("confidence", 0.5),
        ("confidence", 0.9995),
        ("confidence", "0.9"),
        ("confidence", True),
        ("min_group_size", 2.5),
        ("seed", -3),
        ("seed", 1.0),
        ("max_groups", 0),
        ("max_groups", 10.0),
        ("score_threshold", float("nan")),
        ("score_threshold", float("inf")),
        ("score_threshold", 10**400),
        ("score_threshold", "0.5"),
        ("calibration_bins", 0),
        ("calibration_bins", 10**6),
        ("adjust", "sidak"),
        ("basis", "estimate"),
        ("task", "ranking"),
        ("intersectional_reference", "nearest"),
    ],
)
def test_api_options_are_range_checked(name, value):
    with pytest.raises(UsageError, match=name):
        check_option(name, value)
    kwargs = {name: value}
    data = columns([1, 0, 1, 0], g=np.array(list("abab")), s=np.array([0.1, 0.2, 0.3, 0.4]))
    prediction = None if name == "score_threshold" else "p"
    with pytest.raises(UsageError, match=name):
        evaluate(data, label="y", prediction=prediction, score="s", sensitive=["g"], **kwargs)


@pytest.mark.parametrize(
    "name, value",
    [
        ("bootstrap", 0),
        ("bootstrap", MAX_BOOTSTRAP),
        ("confidence", 0.999),
        ("confidence", 0.5000001),
        ("seed", 2**63 - 1),
        ("max_groups", 1),
        ("score_threshold", -1e300),
        ("min_group_size", 0),
        ("score_threshold", 3),
        ("calibration_bins", 1),
        ("adjust", "holm"),
    ],
)
def test_api_options_in_range(name, value):
    assert check_option(name, value) == value


def test_defaults_live_in_one_place():
    assert EvaluateOptions() == DEFAULTS
    assert (DEFAULTS.min_group_size, DEFAULTS.confidence, DEFAULTS.bootstrap, DEFAULTS.max_groups) == (
        30,
        0.95,
        0,
        10000,
    )
    assert (DEFAULTS.adjust, DEFAULTS.basis, DEFAULTS.calibration_bins) == ("none", "interval", 10)
    with pytest.raises(UsageError, match="unknown option 'bootstrap_samples'"):
        EvaluateOptions.of(bootstrap_samples=3)


# --------------------------------------------------------------------------
# the group limit: counted first, refused before any per-group work


def _no_heavy_work(monkeypatch):
    def boom(*a, **k):
        raise AssertionError("per-group work started before the group limit was checked")

    monkeypatch.setattr(ST.ConfusionStats, "from_arrays", boom)
    monkeypatch.setattr(ST.ScoreStats, "from_arrays", boom)
    monkeypatch.setattr(F, "finalize_binary", boom)


def test_default_group_limit_is_checked_before_any_work(monkeypatch):
    n = DEFAULT_MAX_GROUPS + 1
    y = np.arange(n) % 2
    ids = np.array([f"id{i}" for i in range(n)])
    _no_heavy_work(monkeypatch)
    with pytest.raises(DataError, match=r"column 'id' has 10001 distinct values: more than the limit of 10000"):
        evaluate(columns(y, id=ids), label="y", prediction="p", sensitive=["id"])


def test_group_limit_counts_combinations(monkeypatch):
    rng = np.random.default_rng(0)
    n = 5000
    a, b = rng.integers(0, 40, n).astype(str), rng.integers(0, 40, n).astype(str)
    y = rng.integers(0, 2, n)
    _no_heavy_work(monkeypatch)
    with pytest.raises(DataError, match=r"a, b combine into \d+ groups") as info:
        evaluate(columns(y, a=a, b=b), label="y", prediction="p", sensitive=["a", "b"], max_groups=500)
    assert info.value.exit_code == 1
    monkeypatch.undo()
    frag = evaluate(
        columns(y, a=a, b=b), label="y", prediction="p", sensitive=["a", "b"], max_groups=1600, metrics=["accuracy"]
    )
    assert len(frag.fairness.sensitive_attributes[0].values) == 40


def test_group_limit_through_evaluate_file(tmp_path):
    path = tmp_path / "ids.csv"
    path.write_text("y,p,g\n" + "".join(f"{i % 2},0,id{i}\n" for i in range(30)))
    with pytest.raises(DataError, match="limit of 20 groups"):
        evaluate_file(path, label="y", prediction="p", sensitive=["g"], max_groups=20)


def test_bootstrap_memory_budget_is_checked_before_the_draw(monkeypatch):
    n = 20000
    g = (np.arange(n) % 5000).astype(str)
    y = np.arange(n) % 2
    _no_heavy_work(monkeypatch)
    with pytest.raises(UsageError, match="replicate values"):
        evaluate(columns(y, g=g), label="y", prediction="p", sensitive=["g"], bootstrap=MAX_BOOTSTRAP)


# --------------------------------------------------------------------------
# linear memory and exact results


def test_many_groups_take_linear_memory():
    """5,000 groups with a bootstrap: statistics, replicates and results stay a few arrays per group."""
    rng = np.random.default_rng(1)
    n, groups, b = 20000, 5000, 50
    y, p = rng.integers(0, 2, n), rng.integers(0, 2, n)
    g = np.array([f"g{i:04d}" for i in range(groups)])[rng.permutation(np.arange(n) % groups)]
    tracemalloc.start()
    try:
        frag = evaluate(
            columns(y, p, g=g), label="y", prediction="p", sensitive=["g"], metrics=["accuracy"], bootstrap=b
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 200 * 2**20, peak / 2**20
    assert len(frag.metrics) == 1 + groups and len(frag.fairness.results) == groups - 1
    assert frag.metrics[0].confidence_interval.method == "poisson-bootstrap-percentile"


def test_count_cells_never_overflows_and_agrees_with_the_statistics():
    """Many attributes with many values: a combined key would overflow int64."""
    rng = np.random.default_rng(3)
    n = 4000
    cols = {f"a{k}": rng.integers(0, 3000, n).astype(str) for k in range(6)}  # 3000**6 > 2**63
    cols["a0"][:2] = "x"
    cols["a1"][:2] = "y"  # two identical rows: one cell
    for k in range(2, 6):
        cols[f"a{k}"][1] = cols[f"a{k}"][0]
    encoded = {}
    for k, v in cols.items():
        cats, codes = np.unique(v, return_inverse=True)
        encoded[k] = GroupColumn(codes.astype(np.int64), [str(c) for c in cats])
    rows = set(zip(*cols.values()))
    assert count_cells(encoded) == len(rows) == n - 1
    _, keys, _ = ST.encode_cells(cols)
    assert len(keys) == len(rows)


def test_non_binary_error_names_the_first_row_of_the_third_value():
    values = np.array(["0", "1"] * 50000 + [f"v{i}" for i in range(50000)], dtype=object)
    values[7] = "zz"
    with pytest.raises(DataError, match=r"row 8: value 'zz' makes 50003 distinct values"):
        binary_column(values, "label")
