"""`evaluate` on hostile input: option ranges, the group limit, linear memory, and a predictions reader
that fails with file:line on binary, huge or degenerate files."""

from __future__ import annotations

import itertools
import os
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from modelcard.cli import main
from modelcard.diagnostics import UsageError
from modelcard.evaluation import metrics as M
from modelcard.evaluation.pipeline import (
    DEFAULT_MAX_GROUPS,
    MAX_BOOTSTRAP,
    _Versus,
    binary_column,
    check_option,
    compute,
    evaluate,
    evaluate_file,
)
from modelcard.io.tabular import MAX_LINE_BYTES, DataError

BASE = ["--label", "y", "--prediction", "p", "--sensitive", "g", "-q"]


def run(capsys, *argv):
    code = main(["evaluate", *map(str, argv)])
    out, err = capsys.readouterr()
    assert "internal error" not in err and "Traceback" not in err, err
    return code, out, err


@pytest.fixture
def small_csv(tmp_path) -> Path:
    path = tmp_path / "p.csv"
    path.write_text("y,p,g\n1,0,a\n0,0,b\n1,1,a\n0,1,b\n")
    return path


# --------------------------------------------------------------------------
# numeric options: a usage error (exit 2) before anything is read or written


@pytest.mark.parametrize(
    "option, value, piece",
    [
        ("--score-threshold", "nan", "finite"),
        ("--score-threshold", "inf", "finite"),
        ("--score-threshold", "-inf", "finite"),
        ("--score-threshold", "1e999", "finite"),
        ("--bootstrap", "-1", "from 0"),
        ("--bootstrap", str(MAX_BOOTSTRAP + 1), str(MAX_BOOTSTRAP)),
        ("--confidence", "0", "between 0 and 1"),
        ("--confidence", "1", "between 0 and 1"),
        ("--confidence", "-0.5", "between 0 and 1"),
        ("--confidence", "nan", "between 0 and 1"),
        ("--confidence", "inf", "between 0 and 1"),
        ("--min-group-size", "-1", "from 0"),
        ("--min-group-size", str(10**12), "from 0"),
        ("--seed", "-1", "from 0"),
        ("--seed", str(2**64), "from 0"),
        ("--max-groups", "0", "1 or more"),
        ("--max-groups", "-5", "1 or more"),
    ],
)
def test_numeric_options_are_range_checked(small_csv, tmp_path, capsys, option, value, piece):
    out = tmp_path / "fragment.yaml"
    extra = ["--score", "y"] if option == "--score-threshold" else []
    code, _, err = run(capsys, small_csv, *BASE, *extra, f"{option}={value}", "-o", out)
    assert code == 2, err
    assert option in err and piece in err, err
    assert not out.exists()
    assert sorted(os.listdir(tmp_path)) == ["p.csv"]


def test_score_threshold_nan_without_prediction(small_csv, capsys):
    """The reported case: predictions derived from scores with a NaN threshold."""
    code, _, err = run(
        capsys, small_csv, "--label", "y", "--score", "p", "--score-threshold", "nan", "--sensitive", "g"
    )
    assert code == 2 and "--score-threshold must be a finite number" in err


@pytest.mark.parametrize(
    "name, value",
    [
        ("bootstrap", 1.5),
        ("bootstrap", True),
        ("bootstrap", -1),
        ("bootstrap", MAX_BOOTSTRAP + 1),
        ("confidence", float("nan")),
        ("confidence", 1.0),
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
    ],
)
def test_api_options_are_range_checked(name, value):
    with pytest.raises(UsageError, match=name):
        check_option(name, value)
    y = np.array([1, 0, 1, 0])
    kwargs = {name: value}
    if name == "score_threshold":
        kwargs["scores"] = np.array([0.1, 0.2, 0.3, 0.4])
    with pytest.raises(UsageError, match=name):
        evaluate(y, None if name == "score_threshold" else y, {"g": np.array(list("abab"))}, **kwargs)


@pytest.mark.parametrize(
    "name, value",
    [
        ("bootstrap", 0),
        ("bootstrap", MAX_BOOTSTRAP),
        ("confidence", 1e-9),
        ("seed", 2**63 - 1),
        ("max_groups", 1),
        ("score_threshold", -1e300),
        ("min_group_size", 0),
        ("score_threshold", 3),
    ],
)
def test_api_options_in_range(name, value):
    assert check_option(name, value) == value


# --------------------------------------------------------------------------
# the group limit: counted first, refused before any per-group work


def _no_heavy_work(monkeypatch):
    def boom(*a, **k):
        raise AssertionError("per-group work started before the group limit was checked")

    monkeypatch.setattr(M, "cell_confusion", boom)
    monkeypatch.setattr(M, "bootstrap_cell_counts", boom)
    monkeypatch.setattr(M, "make_grouping", boom)


def test_default_group_limit_is_checked_before_any_work(monkeypatch):
    n = DEFAULT_MAX_GROUPS + 1
    y = np.arange(n) % 2
    ids = np.array([f"id{i}" for i in range(n)])
    _no_heavy_work(monkeypatch)
    with pytest.raises(DataError, match=r"column 'id' has 10001 distinct values: more than the limit of 10000"):
        evaluate(y, y, {"id": ids})


def test_group_limit_counts_combinations(monkeypatch):
    rng = np.random.default_rng(0)
    n = 5000
    a, b = rng.integers(0, 40, n).astype(str), rng.integers(0, 40, n).astype(str)
    y = rng.integers(0, 2, n)
    _no_heavy_work(monkeypatch)
    with pytest.raises(DataError, match=r"a, b combine into \d+ groups") as info:
        evaluate(y, y, {"a": a, "b": b}, max_groups=500)
    assert info.value.exit_code == 1
    monkeypatch.undo()
    frag = evaluate(y, y, {"a": a, "b": b}, max_groups=1600, bootstrap=0, validate=False)
    assert len(frag["fairness"]["sensitive_attributes"][0]["values"]) == 40


def test_group_limit_cli(tmp_path, capsys):
    path = tmp_path / "ids.csv"
    path.write_text("y,p,g\n" + "".join(f"{i % 2},{i % 3 % 2},id{i}\n" for i in range(60)))
    out = tmp_path / "f.yaml"
    code, _, err = run(capsys, path, *BASE, "--max-groups", "50", "-o", out)
    assert code == 1 and f"{path}: error: column 'g' has 60 distinct values" in err and "--max-groups" in err
    assert not out.exists()
    code, _, err = run(capsys, path, *BASE, "--max-groups", "60", "--bootstrap", "0", "-o", out)
    assert code == 0, err


def test_group_limit_through_evaluate_file(tmp_path):
    path = tmp_path / "ids.csv"
    path.write_text("y,p,g\n" + "".join(f"{i % 2},0,id{i}\n" for i in range(30)))
    with pytest.raises(DataError, match="limit of 20 groups"):
        evaluate_file(path, label="y", prediction="p", sensitive=["g"], max_groups=20)


def test_bootstrap_memory_budget_is_checked_before_the_draw(monkeypatch):
    n = 20000
    g = (np.arange(n) % 5000).astype(str)
    y = np.arange(n) % 2

    def boom(*a, **k):
        raise AssertionError("the bootstrap started before its size was checked")

    monkeypatch.setattr(M, "cell_confusion", boom)
    monkeypatch.setattr(M, "bootstrap_cell_counts", boom)
    with pytest.raises(UsageError, match="replicate values"):
        evaluate(y, y, {"g": g}, bootstrap=MAX_BOOTSTRAP)


# --------------------------------------------------------------------------
# linear memory and exact results


def test_many_groups_take_linear_memory():
    """5,000 groups with a bootstrap: the old cells x groups one-hot matrix alone took 200 MB (and
    B x cells x groups multiply-adds); per-group work now keeps a few (B, groups) arrays."""
    rng = np.random.default_rng(1)
    n, groups, b = 20000, 5000, 50
    y, p = rng.integers(0, 2, n), rng.integers(0, 2, n)
    g = rng.permutation(np.arange(n) % groups)
    tracemalloc.start()
    try:
        ev = compute(y, p, {"g": (g, np.array([f"g{i:04d}" for i in range(groups)]))}, bootstrap=b)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 40 * 2**20, peak / 2**20
    res = ev.groupings[1]
    assert res.grouping.size == groups
    assert (res.sizes == np.bincount(g, minlength=groups)).all()
    assert res.values["accuracy"].replicates().shape == (b, groups)


def test_aggregate_equals_one_hot_sum():
    rng = np.random.default_rng(2)
    cells, groups = 300, 17
    cell_to_group = rng.integers(0, groups, cells)
    cell_to_group[:groups] = np.arange(groups)
    values = rng.integers(0, 100, (5, cells, 4))
    onehot = np.zeros((cells, groups), dtype=np.int64)
    onehot[np.arange(cells), cell_to_group] = 1
    assert (M.aggregate(values, cell_to_group, groups) == np.einsum("bck,cg->bgk", values, onehot)).all()
    assert (M.aggregate(values[0], cell_to_group, groups + 2)[groups:] == 0).all()  # an empty group sums to 0


def test_make_cells_never_overflows():
    """Many attributes with many values: the combined key once overflowed int64 silently."""
    rng = np.random.default_rng(3)
    n = 4000
    cols = {f"a{k}": rng.integers(0, 3000, n).astype(str) for k in range(6)}  # 3000**6 > 2**63
    cols["a0"][:2] = "x"
    cols["a1"][:2] = "y"  # two identical rows: one cell
    for k in range(2, 6):
        cols[f"a{k}"][1] = cols[f"a{k}"][0]
    cells = M.make_cells(cols)
    rows = list(zip(*cols.values()))
    assert cells.values == sorted(set(rows))
    assert [cells.values[c] for c in cells.codes] == rows
    with pytest.raises(M.TooManyCells):
        M.make_cells(cols, max_cells=100)


def test_chunked_bootstrap_draws_the_same_resamples():
    rng = np.random.default_rng(4)
    n = 3000
    y, p = rng.integers(0, 2, n), rng.integers(0, 2, n)
    sens = {"a": rng.integers(0, 7, n).astype(str), "b": rng.integers(0, 3, n).astype(str)}
    ev = compute(y, p, sens, bootstrap=300, seed=9, intersectional=True)
    cells = M.make_cells(sens)
    draw = M.bootstrap_cell_counts(M.cell_confusion(cells, y, p), 300, np.random.default_rng(9))  # one draw
    for res in ev.groupings:
        counts = M.aggregate(draw, res.grouping.cell_to_group, res.grouping.size)
        expect = M.divide(*M.rate_parts(counts, M.RATE_METRICS["fpr"]))
        np.testing.assert_array_equal(res.values["fpr"].replicates(), expect)


def test_vectorised_intervals_equal_pairwise():
    rng = np.random.default_rng(5)
    n = 2000
    y, p = rng.integers(0, 2, n), rng.integers(0, 2, n)
    ev = compute(y, p, {"g": rng.integers(0, 9, n).astype(str)}, scores=rng.random(n), bootstrap=200)
    res = ev.groupings[1]
    z = M.z_value(0.95)
    for name in ("fpr", "auc"):
        mv = res.values[name]
        reps = mv.replicates()
        vs = _Versus.of(mv, 2, name, z, 0.95, reps)
        for j in range(res.grouping.size):
            one = _Versus.of(mv, 2, name, z, 0.95, reps, [j])
            for field in ("diff_lo", "diff_hi", "ratio_lo", "ratio_hi"):
                np.testing.assert_array_equal(getattr(vs, field)[j], getattr(one, field)[0])
            if name == "fpr":
                lo, hi = M.newcombe(mv.num[j], mv.n[j], mv.num[2], mv.n[2], z)
                assert (vs.diff_lo[j], vs.diff_hi[j]) == (lo, hi)
            else:
                lo, hi, _ = M.percentile_interval(reps[:, j] - reps[:, 2], 0.95)
                np.testing.assert_array_equal([vs.diff_lo[j], vs.diff_hi[j]], [lo, hi])


def test_non_binary_error_names_the_first_row_of_the_third_value():
    values = np.array(["0", "1"] * 50000 + [f"v{i}" for i in range(50000)], dtype=object)
    values[7] = "zz"
    with pytest.raises(DataError, match=r"row 8: value 'zz' makes 50003 distinct values"):
        binary_column(values, "label")


# --------------------------------------------------------------------------
# the predictions reader on hostile files: clear errors with file:line


@pytest.mark.parametrize(
    "content, code, pieces",
    [
        (b"", 1, [":1: error:", "empty"]),
        (b"\xef\xbb\xbf", 1, [":1: error:", "empty"]),
        (b"y,p,g\n", 1, [":2: error:", "no data rows"]),
        (b"y,p,g\n\n\n\n", 1, [":2: error:", "no data rows"]),
        (b"y,p,g\n1,0,a\x00b\n0,0,b\n", 1, [":2: error:", "NUL byte"]),
        (b"y,p\x00,g\n1,0,a\n", 1, [":1: error:", "NUL byte"]),
        (b"y,p,g\n1,0,a\n" + b"x" * (MAX_LINE_BYTES + 1), 1, [":3: error:", "longer than 4 MiB"]),
        (b"y,p,g\n1,0,a\n" + b"x," * (MAX_LINE_BYTES // 2 + 1) + b"\n", 1, [":3: error:", "longer than 4 MiB"]),
        (b"y,p,g\r\n1,0,a\r\n" + b"x" * 200_000 + b"\r\n", 1, [":3: error:", "field larger than field limit"]),
        (b"\x1f\x8b\x08\x00" + bytes(range(128, 256)) * 10, 1, [":1: error:", "NUL byte"]),  # gzip
        ("y,p,g\n1,0,a\n".encode("utf-16"), 1, [":1: error:", "NUL byte", "UTF-16"]),
        (b"y,p,g\n1,0,a\n0,1,\xe9t\xe9\n", 1, [":3: error:", "not UTF-8"]),
        (b'y,p,g\n1,0,"a\n0,1,b\n', 1, ["malformed CSV"]),
        (b"y,p,g\n1,0\n", 1, [":2: error:", "2 fields but the header has 3"]),
    ],
)
def test_hostile_predictions_files(tmp_path, capsys, content, code, pieces):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    got, _, err = run(capsys, path, *BASE, "-o", tmp_path / "f.yaml")
    assert got == code, err
    for piece in pieces:
        assert piece in err, (piece, err)
    assert not (tmp_path / "f.yaml").exists()


def test_many_columns_and_odd_names(tmp_path, capsys):
    names = [f"c{i}" for i in range(100_000)] + ["\x1b[31mred", "n" * 100_000]
    path = tmp_path / "wide.csv"
    path.write_text(",".join(names) + "\n" + ",".join("1" for _ in names) + "\n")
    code, _, err = run(capsys, path, *BASE)
    assert code == 2 and "no columns 'y', 'p', 'g'" in err
    assert "\x1b" not in err and len(err) < 2000, err[:300]
    names[:3] = ["y", "p", "g"]
    path.write_text(",".join(names) + "\n" + ",".join("1" for _ in names) + "\n")
    code, out, err = run(capsys, path, *BASE, "--bootstrap", "0")
    assert code == 0, err


def test_control_characters_in_values_are_escaped_in_messages(tmp_path, capsys):
    path = tmp_path / "esc.csv"
    path.write_text("y,p,g\n1,0,a\n0,1,b\n\x1b]0;pwned\x07" + "z" * 500 + ",1,a\n")
    code, _, err = run(capsys, path, *BASE)
    assert code == 1 and "esc.csv:4:" in err
    assert "\x1b" not in err and "\x07" not in err and "z" * 100 not in err


def test_every_combination_of_degenerate_columns(tmp_path, capsys):
    """Single class, single group, one row: defined results or undefined ones, never a crash."""
    for y, p, g in itertools.product(["0", "1", "01"], ["0", "1", "10"], ["a", "ab"]):
        rows = [(y[i % len(y)], p[i % len(p)], g[i % len(g)]) for i in range(max(len(y), len(p), len(g)))]
        path = tmp_path / "d.csv"
        path.write_text("y,p,g,s\n" + "".join(f"{a},{b},{c},0.5\n" for a, b, c in rows))
        code, _, err = run(capsys, path, *BASE, "--score", "s", "--bootstrap", "20", "--min-group-size", "0")
        assert code == 0, (rows, err)


def test_summary_never_sends_escape_sequences_to_the_terminal(tmp_path, capsys):
    """Group labels come from the predictions file; the summary on standard error shows them escaped."""
    path = tmp_path / "esc.csv"
    path.write_text("y,p,g\n1,0,\x1b[31mRED\u202e\n0,1,b\n1,1,\x1b[31mRED\u202e\n")
    code = main(
        [
            "evaluate",
            str(path),
            "--label",
            "y",
            "--prediction",
            "p",
            "--sensitive",
            "g",
            "--bootstrap",
            "0",
            "-o",
            str(tmp_path / "f.yaml"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 0, err
    assert "reference g=\\x1b[31mRED\\u202e" in err
    assert "\x1b" not in err and "\u202e" not in err
