"""The arrow engine: statistics and fragments identical to the in-memory path, on COMPAS and on synthetic data
split into Parquet and CSV partitions; filters; bad inputs with clear errors naming the file.

(The Spark engine is tested against it in tests/e2e/test_spark.py.)
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from modelcard.diagnostics import UsageError
from modelcard.evaluation import stats as S
from modelcard.evaluation.engines import compute_stats, evaluate_source, routes
from modelcard.evaluation.engines.filters import parse_filter, parse_filters
from modelcard.evaluation.inputs import Source
from modelcard.evaluation.pipeline import evaluate
from modelcard.io.tabular import DataError, read_columns

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pacsv = pytest.importorskip("pyarrow.csv")

from evaluate_helpers import require_compas

COLS = {"label": "y", "prediction": "p", "score": "s", "sensitive": ["race", "sex"]}


def synthetic(n: int = 24_000, seed: int = 0):
    """A prediction log: 3 regions, race (5 values), sex, 0/1 label and prediction, a score in [0, 1]."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n).astype(np.int8)
    s = np.clip(np.round(0.35 * y + rng.random(n) * 0.65, 5), 0, 1)
    return pa.table(
        {
            "region": rng.choice(["eu", "us", "apac"], n, p=[0.5, 0.3, 0.2]),
            "race": rng.choice(["a", "b", "c", "d", "e"], n, p=[0.4, 0.3, 0.2, 0.09, 0.01]),
            "sex": rng.choice(["F", "M"], n),
            "y": y,
            "p": (s >= 0.5).astype(np.int8),
            "s": s,
            "t": rng.normal(size=n) * 10,  # regression truth
            "u": rng.normal(size=n) * 10 + rng.normal(size=n),  # regression prediction
        }
    )


def stats_of(table, *, max_distinct=S.MAX_DISTINCT):
    """The in-memory statistics of a table (the reference)."""
    cols = {c: table.column(c).to_numpy(zero_copy_only=False) for c in table.column_names}
    groups = {a: cols[a] for a in ("race", "sex")}
    conf = S.ConfusionStats.from_arrays(cols["y"], cols["p"], groups)
    score = S.ScoreStats.from_arrays(cols["y"], cols["s"], groups, max_distinct=max_distinct)
    return conf, score


def write_partitions(table, root: Path, fmt: str, parts_per_region: int = 2) -> Path:
    """region=<value>/part-<k>.<fmt> (Hive layout), rows split round-robin; returns the root."""
    regions = table.column("region").to_pylist()
    idx = np.arange(table.num_rows)
    for region in sorted(set(regions)):
        rows = idx[np.array(regions) == region]
        folder = root / f"region={region}"
        folder.mkdir(parents=True)
        for k in range(parts_per_region):
            part = table.take(pa.array(rows[k::parts_per_region])).drop_columns(["region"])
            path = folder / f"part-{k}.{fmt}"
            if fmt == "parquet":
                pq.write_table(part, path)
            else:
                pacsv.write_csv(part, path)
    (root / "_SUCCESS").write_text("")  # Spark's marker: skipped
    return root


# --------------------------------------------------------------------------
# identical results


@pytest.fixture(scope="module")
def compas_path():
    return str(require_compas())


def _in_memory_fragment(path, **kw):
    from modelcard.evaluation.engines import _provenance

    wanted = ["two_year_recid", "decile_score", "race", "sex"]
    table = read_columns(path, wanted)
    prov = _provenance(path, [path], "two_year_recid", None, "decile_score", ["race", "sex"])
    return evaluate(
        table.columns,
        label="two_year_recid",
        score="decile_score",
        sensitive=["race", "sex"],
        source=Source.of_table(table),
        provenance=prov,
        **kw,
    )


def test_compas_fragment_identical_to_in_memory(compas_path):
    kw = {"score_threshold": 5, "intersectional": True, "references": {"race": "Caucasian"}}
    memory = _in_memory_fragment(compas_path, **kw).to_data()
    for batch_rows in (None, 997):
        fragment = evaluate_source(
            compas_path,
            label="two_year_recid",
            score="decile_score",
            sensitive=["race", "sex"],
            engine="arrow",
            progress=False,
            **kw,
        )
        if batch_rows is None:
            assert fragment.to_data() == memory
        else:  # statistics from small batches are the same statistics
            a = compute_stats(compas_path, label="two_year_recid", score="decile_score", score_threshold=5,
                              sensitive=["race", "sex"], batch_rows=batch_rows, progress=False)  # fmt: skip
            b = compute_stats(compas_path, label="two_year_recid", score="decile_score", score_threshold=5,
                              sensitive=["race", "sex"], progress=False)  # fmt: skip
            assert a.confusion == b.confusion and a.scores == b.scores and a.rows == b.rows == 7214


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_partitioned_dataset_equals_whole(tmp_path, fmt):
    table = synthetic()
    root = write_partitions(table, tmp_path / "data", fmt)
    conf, score = stats_of(table, max_distinct=500)
    for batch_rows in (None, 1500):
        got = compute_stats(root, **COLS, max_distinct=500, batch_rows=batch_rows, progress=False)
        assert got.rows == table.num_rows
        assert got.confusion == conf
        assert got.scores == score
        assert not got.scores.exact.all()  # binning exercised
        assert len(got.files) == 6 and all("_SUCCESS" not in f for f in got.files)
    # a list of files, and one file, give the same as the folder
    files = sorted(str(p) for p in root.rglob(f"*.{fmt}"))
    assert compute_stats(files, **COLS, max_distinct=500, progress=False).scores == score
    single = tmp_path / f"all.{fmt}"
    (pq.write_table if fmt == "parquet" else pacsv.write_csv)(table, single)
    assert compute_stats(single, **COLS, max_distinct=500, progress=False).confusion == conf


def test_partition_column_as_attribute_and_filters(tmp_path):
    table = synthetic(9000, seed=1)
    root = write_partitions(table, tmp_path / "d", "parquet")
    regions = np.array(table.column("region").to_pylist())
    got = compute_stats(root, label="y", prediction="p", sensitive=["region"], progress=False)
    ref = S.ConfusionStats.from_arrays(table.column("y").to_numpy(), table.column("p").to_numpy(), {"region": regions})
    assert got.confusion == ref
    eu = table.filter(pa.array(regions == "eu"))
    got = compute_stats(root, **COLS, filter=["region=eu"], progress=False)
    assert got.confusion == stats_of(eu)[0] and len(got.files) == 2  # the other folders are skipped
    got = compute_stats(root, **COLS, filter=["region in eu, us", "s >= 0.5"], progress=False)
    keep = np.isin(regions, ["eu", "us"]) & (table.column("s").to_numpy() >= 0.5)
    assert got.confusion == stats_of(table.filter(pa.array(keep)))[0]
    with pytest.raises(UsageError, match="no column 'nope'"):
        compute_stats(root, **COLS, filter=["nope=1"], progress=False)
    with pytest.raises(UsageError, match="is not a value of 's'"):
        compute_stats(root, **COLS, filter=["s>=high"], progress=False)
    with pytest.raises(DataError, match="no data rows match the filter"):
        compute_stats(root, **COLS, filter=["region=mars"], progress=False)


def test_in_memory_tables_and_dataframes():
    table = synthetic(5000, seed=2)
    conf, score = stats_of(table)
    assert compute_stats(table, **COLS, progress=False).scores == score
    assert compute_stats(table.to_batches(max_chunksize=700)[0], **COLS, progress=False).rows == 700
    pd = pytest.importorskip("pandas")
    df = table.to_pandas()
    assert isinstance(df, pd.DataFrame)
    assert compute_stats(df, **COLS, progress=False).confusion == conf
    reader = pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=999))
    assert compute_stats(reader, **COLS, progress=False).confusion == conf


def test_regression_and_multiclass(tmp_path):
    table = synthetic(6000, seed=3)
    path = tmp_path / "r.parquet"
    pq.write_table(table, path)
    cols = {c: table.column(c).to_numpy(zero_copy_only=False) for c in table.column_names}
    groups = {"race": cols["race"], "sex": cols["sex"]}
    got = compute_stats(path, label="t", prediction="u", sensitive=["race", "sex"], task="regression", progress=False)
    assert got.regression == S.RegressionStats.from_arrays(cols["t"], cols["u"], groups)
    got = compute_stats(path, label="race", prediction="region", sensitive=["sex"], task="multiclass", progress=False)
    assert got.multiclass == S.MulticlassStats.from_arrays(cols["race"], cols["region"], {"sex": cols["sex"]})
    # the task inferred from the first batch's values
    assert compute_stats(path, label="t", prediction="u", sensitive=["sex"], task=None, progress=False).task == (
        "regression"
    )


def test_fragments_identical_for_file_and_partitions(tmp_path):
    table = synthetic(8000, seed=4)
    single = tmp_path / "one.parquet"
    pq.write_table(table, single)
    root = write_partitions(table, tmp_path / "parts", "parquet")
    kw = {"label": "y", "prediction": "p", "score": "s", "sensitive": ["race", "sex"], "intersectional": True}
    a = evaluate_source(single, progress=False, **kw).to_data()
    b = evaluate_source(root, progress=False, **kw).to_data()
    a["x-evaluate"].pop("predictions")
    b["x-evaluate"].pop("predictions")
    assert a == b


def test_progress_bar(tmp_path, capsys):
    pytest.importorskip("tqdm")
    path = tmp_path / "p.parquet"
    pq.write_table(synthetic(3000, seed=5), path)
    compute_stats(path, **COLS, progress=True)
    err = capsys.readouterr().err
    assert "rows" in err and "3.00k" in err


def test_routing():
    assert routes("x.csv") and not routes({"y": [1]}) and routes({"y": [1]}, engine="arrow")
    assert routes(["a.parquet", "b.parquet"]) and routes("x.csv", filter=["a=1"])


# --------------------------------------------------------------------------
# bad inputs


def test_missing_column_in_one_partition(tmp_path):
    table = synthetic(3000, seed=6)
    root = write_partitions(table, tmp_path / "d", "parquet")
    bad = root / "region=us" / "part-1.parquet"
    pq.write_table(pq.read_table(bad).drop_columns(["sex"]), bad)
    with pytest.raises(UsageError, match=r"region=us/part-1\.parquet: no column 'sex'"):
        compute_stats(root, **COLS, progress=False)


def test_type_drift_between_files(tmp_path):
    table = synthetic(3000, seed=7)
    root = write_partitions(table, tmp_path / "d", "parquet")
    bad = root / "region=eu" / "part-1.parquet"
    t = pq.read_table(bad)
    pq.write_table(t.set_column(t.schema.get_field_index("race"), "race", pa.array(range(t.num_rows))), bad)
    with pytest.raises(DataError, match="column 'race' holds number values here but text values") as err:
        compute_stats(root, **COLS, progress=False)
    assert err.value.diagnostics[0].file.endswith("region=eu/part-1.parquet")


def test_empty_partitions(tmp_path):
    table = synthetic(3000, seed=8)
    root = write_partitions(table, tmp_path / "d", "parquet")
    # a part with no rows (as Spark writes for an empty partition) is fine
    pq.write_table(table.slice(0, 0).drop_columns(["region"]), root / "region=eu" / "part-9.parquet")
    assert compute_stats(root, **COLS, progress=False).rows == 3000
    # a 0-byte file is not Parquet: an error naming it
    (root / "region=us" / "part-8.parquet").write_bytes(b"")
    with pytest.raises(DataError, match="empty file") as err:
        compute_stats(root, **COLS, progress=False)
    assert err.value.diagnostics[0].file.endswith("part-8.parquet")
    empty = tmp_path / "nothing"
    (empty / "region=eu").mkdir(parents=True)
    with pytest.raises(UsageError, match="without data files"):
        compute_stats(empty, **COLS, progress=False)
    only_empty = tmp_path / "zero.parquet"
    pq.write_table(table.slice(0, 0), only_empty)
    with pytest.raises(DataError, match="no data rows"):
        compute_stats(only_empty, **COLS, progress=False)


def test_corrupt_and_mixed_files(tmp_path):
    table = synthetic(2000, seed=9)
    root = write_partitions(table, tmp_path / "d", "parquet")
    (root / "region=eu" / "part-0.parquet").write_bytes(b"PAR1" + b"\x00" * 100)
    with pytest.raises(DataError, match="cannot read Parquet") as err:
        compute_stats(root, **COLS, progress=False)
    assert err.value.diagnostics[0].file.endswith("part-0.parquet")
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    pq.write_table(table, mixed / "a.parquet")
    pacsv.write_csv(table, mixed / "b.csv")
    with pytest.raises(UsageError, match="mixed file formats"):
        compute_stats(mixed, **COLS, progress=False)


def test_bad_values_name_the_file_and_line(tmp_path):
    table = synthetic(2000, seed=10)
    root = write_partitions(table, tmp_path / "d", "csv")
    bad = root / "region=us" / "part-1.csv"
    lines = bad.read_text().splitlines()
    lines[5] = lines[5].replace(lines[5].split(",")[2], "maybe", 1)  # the label column ("y") of data row 5
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError) as err:
        compute_stats(root, **COLS, progress=False)
    d = err.value.diagnostics[0]
    assert d.file.endswith("region=us/part-1.csv") and d.line == 6 and "column 'y'" in str(err.value)
    ragged = root / "region=eu" / "part-0.csv"
    ragged.write_text(ragged.read_text() + "1,2\n")
    with pytest.raises(DataError, match="fields but the header has") as err:
        compute_stats(root, **COLS, progress=False)
    assert err.value.diagnostics[0].file.endswith("region=eu/part-0.csv")


def test_partition_layout_must_agree(tmp_path):
    table = synthetic(2000, seed=11)
    root = write_partitions(table, tmp_path / "d", "parquet")
    pq.write_table(table.drop_columns(["region"]), root / "stray.parquet")
    with pytest.raises(DataError, match="not in a 'region=VALUE' folder"):
        compute_stats(root, **COLS, progress=False)


def test_usage_errors():
    with pytest.raises(UsageError, match="engine must be one of"):
        compute_stats("x.csv", **COLS, engine="duckdb")
    with pytest.raises(UsageError, match="given twice"):
        compute_stats("x.csv", label="y", prediction="p", sensitive=["a", "a"])
    with pytest.raises(UsageError, match="`spark_master` applies"):
        compute_stats(synthetic(10), **COLS, spark_master="local[1]")
    with pytest.raises(UsageError, match="cannot read predictions from a int"):
        compute_stats(3, **COLS)
    with pytest.raises(UsageError, match="standard input"):
        compute_stats("-", **COLS)


@pytest.mark.parametrize(
    "spec,column,op,values",
    [
        ("region=eu", "region", "=", ("eu",)),
        ("year >= 2020", "year", ">=", ("2020",)),
        ("name='a b'", "name", "=", ("a b",)),
        ("region in eu, 'x,y'", "region", "in", ("eu", "x,y")),
        ("a==b=c", "a", "=", ("b=c",)),
    ],
)
def test_filter_parsing(spec, column, op, values):
    c = parse_filter(spec)
    assert (c.column, c.op, c.values) == (column, op, values)


@pytest.mark.parametrize("spec", ["", "=x", "x=", "x in ", "justtext", "a\x00=1", "__import__('os')"])
def test_filter_parsing_refuses(spec):
    with pytest.raises(UsageError):
        parse_filters([spec])


def test_no_pandas_import_on_the_file_path(tmp_path):
    """Reading a CSV or Parquet file does not import pandas (a second of start-up)."""
    import subprocess
    import sys

    path = tmp_path / "p.parquet"
    pq.write_table(synthetic(500), path)
    code = (
        "import sys; from modelcard.evaluation.engines import compute_stats;"
        f"compute_stats({str(path)!r}, label='y', prediction='p', score='s', sensitive=['race'], progress=False);"
        "print('pandas' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ | {})
    assert out.stdout.strip() == "False", out.stderr


def test_bad_numbers_point_at_their_row():
    t = pa.table({"y": [0, 1, 1, 0], "p": [0, 1, 0, 0], "s": [0.5, 0.25, float("inf"), 0.2], "g": ["a", "b", "a", "b"]})
    with pytest.raises(DataError, match=r"column 's', row 3: score .*inf.* is not a finite number"):
        compute_stats(t, label="y", prediction="p", score="s", sensitive=["g"], progress=False)
    t = pa.table({"y": [0, 1], "p": [0, 1], "s": [0.5, None], "g": ["a", "b"]})
    with pytest.raises(DataError, match=r"column 's', row 2: missing score"):
        compute_stats(t, label="y", prediction="p", score="s", sensitive=["g"], progress=False)
    t = pa.table({"y": [0, 2], "p": [0, 1], "g": ["a", "b"]})
    with pytest.raises(DataError, match=r"column 'y', row 2: value '2' makes 3 distinct values|column 'y'"):
        compute_stats(t, label="y", prediction="p", sensitive=["g"], progress=False)
