"""The spark engine (PySpark, local mode) gives exactly the statistics and fragments of the arrow engine.

One Spark session (``local[1]``) for the module; small data, so the whole file runs in well under a minute
once the JVM is up.  Skipped, saying why, when PySpark or a Java runtime is missing
(``pip install 'modelcard[spark]'``; .ci/run installs ``default-jre-headless``).
"""

from __future__ import annotations

import shutil
import warnings

import numpy as np
import pytest

from modelcard.diagnostics import UsageError
from modelcard.evaluation import stats as S
from modelcard.evaluation.engines import compute_stats, evaluate_source

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from evaluate_helpers import require_compas

COLS = {"label": "y", "prediction": "p", "score": "s", "sensitive": ["race", "sex"]}


@pytest.fixture(scope="module")
def spark():
    if shutil.which("java") is None:
        pytest.skip("no Java runtime (java) on PATH: the spark engine needs one (apt install default-jre-headless)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sql = pytest.importorskip("pyspark.sql", reason="PySpark is not installed: pip install 'modelcard[spark]'")
    session = (
        sql.SparkSession.builder.master("local[1]")
        .appName("modelcard tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def synthetic(n: int, seed: int):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n).astype(np.int8)
    s = np.clip(0.35 * y + rng.random(n) * 0.65, 0, 1)  # continuous: every value distinct
    s[:5] = [0.0, 1.0, 0.5, 0.5, 5e-324]
    return pa.table(
        {
            "region": rng.choice(["eu", "us"], n),
            "race": rng.choice(["a", "b", "c"], n, p=[0.5, 0.4, 0.1]),
            "sex": rng.choice(["F", "M"], n),
            "y": y,
            "p": (s >= 0.5).astype(np.int8),
            "s": s,
            "t": rng.normal(size=n) * 3,
            "u": rng.normal(size=n) * 3,
            "k": rng.choice(["x", "y", "z"], n),
        }
    )


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """region=<r>/part-<k>.parquet, 3000 rows."""
    table = synthetic(3000, seed=1)
    root = tmp_path_factory.mktemp("spark") / "data"
    regions = np.array(table.column("region").to_pylist())
    for r in ("eu", "us"):
        folder = root / f"region={r}"
        folder.mkdir(parents=True)
        rows = np.flatnonzero(regions == r)
        for k in range(2):
            pq.write_table(table.take(pa.array(rows[k::2])).drop_columns(["region"]), folder / f"part-{k}.parquet")
    return root, table


def test_binary_statistics_equal_arrow(spark, dataset):
    root, _ = dataset
    # max_distinct 300: every group is binned (binary search of the mantissa width, in Spark SQL)
    arrow = compute_stats(root, **COLS, max_distinct=300, progress=False)
    got = compute_stats(spark.read.parquet(str(root)), **COLS, engine="spark", max_distinct=300)
    assert not arrow.scores.exact.all()  # the large groups are binned
    assert got.confusion == arrow.confusion
    assert got.scores == arrow.scores
    assert got.rows == arrow.rows == 3000
    # exact (unbinned) scores, a filter on the partition column, predictions from a score threshold
    kw = {"label": "y", "score": "s", "score_threshold": 0.5, "sensitive": ["race"], "filter": ["region=eu"]}
    a = compute_stats(root, **kw, progress=False)
    b = compute_stats(spark.read.parquet(str(root)), **kw, engine="spark")
    assert a.scores.exact.all() and b.scores == a.scores and b.confusion == a.confusion
    # few distinct scores among many rows: the first table is too coarse to bin, and Spark aggregates it
    # again finer; negative, zero and subnormal scores among them
    rng = np.random.default_rng(4)
    vals = np.concatenate([np.round(rng.random(60), 4), [0.0, -0.25, 5e-324, 1e-300]])
    rows = [("a" if i % 3 else "b", int(rng.integers(0, 2)), float(vals[i % vals.size])) for i in range(2000)]
    df = spark.createDataFrame(rows, "race string, y int, s double")
    kw = {"label": "y", "score": "s", "score_threshold": 0.5, "sensitive": ["race"], "max_distinct": 20}
    table = pa.table({"race": [r[0] for r in rows], "y": [r[1] for r in rows], "s": [r[2] for r in rows]})
    a = compute_stats(table, **kw, progress=False)
    b = compute_stats(df, **kw, engine="spark")
    assert not a.scores.exact.all() and b.scores == a.scores and b.confusion == a.confusion
    # one score per binade: the rows per binade promise more distinct values than there are, so the table
    # is aggregated again at full precision
    rows = [("a" if i % 3 else "b", i % 2, 1.3 * 2.0 ** -(i % 15 + 1)) for i in range(2000)]
    df = spark.createDataFrame(rows, "race string, y int, s double")
    table = pa.table({"race": [r[0] for r in rows], "y": [r[1] for r in rows], "s": [r[2] for r in rows]})
    kw["max_distinct"] = 40
    a = compute_stats(table, **kw, progress=False)
    b = compute_stats(df, **kw, engine="spark")
    assert a.scores.exact.all() and b.scores == a.scores and b.confusion == a.confusion


def test_regression_and_multiclass_equal_arrow(spark, dataset):
    root, _ = dataset
    df = spark.read.parquet(str(root))
    kw = {"label": "t", "prediction": "u", "sensitive": ["race", "sex"], "task": "regression"}
    assert compute_stats(df, engine="spark", **kw).regression == compute_stats(root, progress=False, **kw).regression
    kw = {"label": "k", "prediction": "race", "sensitive": ["sex"], "task": "multiclass"}
    assert compute_stats(df, engine="spark", **kw).multiclass == compute_stats(root, progress=False, **kw).multiclass


def test_compas_fragment_equal_arrow(spark):
    path = str(require_compas())
    kw = {
        "label": "two_year_recid",
        "score": "decile_score",
        "score_threshold": 5,
        "sensitive": ["race", "sex"],
        "intersectional": True,
    }
    a = evaluate_source(path, engine="arrow", progress=False, **kw).to_data()
    b = evaluate_source(path, engine="spark", **kw).to_data()  # CSV read by Spark, all columns as text
    assert a == b


def test_bad_inputs(spark, dataset):
    root, _ = dataset
    df = spark.read.parquet(str(root))
    with pytest.raises(UsageError, match="no column 'nope'"):
        compute_stats(df, label="y", prediction="p", sensitive=["nope"], engine="spark")
    with pytest.raises(UsageError, match="Poisson bootstrap"):
        compute_stats(df, **COLS, engine="spark", bootstrap=S.PoissonBootstrap(10))
    bad = spark.createDataFrame([("a", 1, 0, 0.5), ("b", 2, 1, 0.25)], ["race", "y", "p", "s"])
    with pytest.raises(Exception, match="column 'y'"):
        compute_stats(bad, label="y", prediction="p", sensitive=["race"], engine="spark")
    nulls = spark.createDataFrame([("a", 1, 0, None), ("b", 0, 1, 0.25)], "race string, y int, p int, s double")
    with pytest.raises(Exception, match="missing score"):
        compute_stats(nulls, label="y", prediction="p", score="s", sensitive=["race"], engine="spark")


def test_odd_column_names(spark):
    rows = [("a", 1, 0, 0.25), ("b", 0, 0, 0.5), ("a", 1, 1, 0.75), ("b", 1, 1, 0.75)] * 5
    names = ["race.x", "y`", "p q", "s"]
    df = spark.createDataFrame(rows, names)
    table = pa.table({n: [r[i] for r in rows] for i, n in enumerate(names)})
    kw = {"label": "y`", "prediction": "p q", "score": "s", "sensitive": ["race.x"], "filter": ["race.x=a"]}
    got = compute_stats(df, engine="spark", **kw)
    want = compute_stats(table, progress=False, **kw)
    assert got.confusion == want.confusion and got.scores == want.scores and got.rows == 10


def test_public_api_takes_a_spark_dataframe(spark, dataset):
    import modelcard

    root, _ = dataset
    kw = {"label": "y", "prediction": "p", "score": "s", "sensitive": ["race"], "intersectional": False}
    a = modelcard.evaluate(spark.read.parquet(str(root)), **kw).to_data()
    b = modelcard.evaluate(str(root), engine="spark", **kw).to_data()
    c = modelcard.evaluate(str(root), **kw).to_data()  # arrow
    for d in (a, b, c):
        d["x-evaluate"].pop("predictions")
    assert a == b == c
