"""The ``spark`` engine: statistics computed by Apache Spark aggregations; only small tables reach the driver.

Takes a ``pyspark.sql.DataFrame`` or a path (file, list of files or directory
of Parquet or CSV files, checked first exactly as the arrow engine checks
them) read with the active Spark session or a new one (``master``, default
``local[*]``).  No Python UDF runs on the executors; every statistic is a
``groupBy`` aggregation:

1. ``groupBy(sensitive…, label, prediction).count()``: the distinct raw
   values of every categorical column come to the driver, where the caller's
   decoder turns them into 0/1 labels, classes and group labels, exactly as
   the arrow engine does with the distinct values it sees.
2. Scores, one aggregation over every row: per (raw group, label, calibration
   bin, and the exponents of the score s, of b = (s − label)² and of b²), the
   rows, the extremes of s and b, and the long sums of the signed 26-bit high
   and low halves of each one's integer mantissa M (x = ±M·2**(E − 1075);
   exact below 2**36 rows a group).  The exponent comes from ``log2``
   corrected against an exact power of two (Java's ``pow(2, n)`` is exact),
   b's and b²'s from d = s − label's by one comparison each; each step is
   its own projection, so Spark computes it once per row.  The driver shifts
   the totals into the scaled integers of :mod:`modelcard.evaluation.stats`
   (:func:`~modelcard.evaluation.stats.exact_from_parts`).
3. The score table: ``groupBy(sensitive…, truncated score, label).count()``,
   at full precision for a group with few rows, else truncated to the
   narrowest mantissa width whose binades (rows per binade, from step 2) can
   hold 1.5 × ``max_distinct`` values — fine enough for the binning rule,
   which the driver applies (``ScoreStats.from_parts``); a group found to have
   fewer distinct values than the limit at that width is aggregated again
   finer.  The table comes back as Arrow data.
4. Regression: the ten exact sums per (group, quantity, exponent) likewise.

Per-row doubles (``(score − label)²``, ``e = prediction − truth``, ...) are
computed with the same IEEE operations in the same order as numpy, so the
sums are the same numbers.  The aggregations' generated Java methods are
large: a session started here lets the JIT compile them
(``-XX:-DontCompileHugeMethods``); in a session it did not start, Spark is
told to split such plans instead while the statistics are computed.

The driver then builds the same statistics objects as the other engines
(``from_counts``, ``from_parts``), so the finaliser gives identical results.
Not supported here: the Poisson bootstrap (row ids are not stable in Spark).
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from modelcard.diagnostics import UsageError
from modelcard.evaluation.engines import (
    DEFAULT_SPARK_MASTER,
    Decoder,
    Located,
    StatsRequest,
    StatsResult,
    is_path_list,
)
from modelcard.evaluation.engines.filters import Condition, check_columns
from modelcard.evaluation.stats import (
    EXACT_BITS,
    REGRESSION_EXTREMES,
    REGRESSION_SUMS,
    ConfusionStats,
    MulticlassStats,
    RegressionStats,
    ScoreStats,
    exact_from_parts,
    regression_terms,
)
from modelcard.io.tabular import DataError, listed, shown

#: most rows of an aggregated table brought to the driver (more means a column has far too many values)
MAX_COLLECT = 5_000_000
_PART = 18  # bits of each mantissa part summed as a long
_MASK = (1 << _PART) - 1
_HUGE_METHOD = "spark.sql.codegen.hugeMethodLimit"
_TASK_SAMPLE = 1000  # distinct label and prediction values looked at to infer the task


def _spark() -> tuple[Any, Any]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pyspark.sql.functions as F
            from pyspark.sql import SparkSession
    except ImportError:
        raise UsageError(
            "the spark engine needs PySpark (and a Java runtime); install it with pip install 'modelcard[spark]'"
        ) from None
    return SparkSession, F


# --------------------------------------------------------------------------
# sources


def _session(master: str | None) -> tuple[Any, bool]:
    """(session, created here): the active session, or a new one on ``master``."""
    SparkSession, _ = _spark()
    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        return active, False
    url = master or DEFAULT_SPARK_MASTER
    try:
        builder = (
            SparkSession.builder.master(url)
            .appName("modelcard evaluate")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.ansi.enabled", "false")
            # the aggregations' generated Java methods are large: let the JIT compile them (HotSpot leaves
            # methods over 8000 bytes of bytecode interpreted, about ten times slower, by default)
            .config("spark.driver.extraJavaOptions", "-XX:-DontCompileHugeMethods")
        )
        if url.startswith("local"):  # one machine: a few shuffle partitions, not 200 tiny tasks per aggregation
            builder = builder.config("spark.sql.shuffle.partitions", str(max(4, 2 * (os.cpu_count() or 1))))
        session = builder.getOrCreate()
    except Exception as exc:  # no Java, a bad master URL...
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UsageError(f"cannot start Spark (`spark_master` {master or DEFAULT_SPARK_MASTER}): {text}") from None
    session.sparkContext.setLogLevel("ERROR")
    return session, active is None


def _jit_huge(session: Any) -> bool:
    """Whether the session's driver JVM compiles huge methods (started with -XX:-DontCompileHugeMethods)."""
    try:
        opts = session.sparkContext.getConf().get("spark.driver.extraJavaOptions", "") or ""
    except Exception:  # Spark Connect: no SparkContext here
        return False
    return "-XX:-DontCompileHugeMethods" in opts


_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def _read_uri(paths: list[str], request: StatsRequest, master: str | None) -> tuple[Any, list[str], Any, bool]:
    """A storage URI (hdfs://, s3a://, gs://...) read by Spark itself: Parquet, or CSV by its suffix."""
    session, created = _session(master)
    csv = all(p.lower().rstrip("/").endswith((".csv", ".tsv", ".tab")) for p in paths)
    try:
        if csv:
            sep = "\t" if paths[0].lower().endswith((".tsv", ".tab")) else ","
            df = session.read.option("header", True).option("multiLine", True).option("sep", sep).csv(*paths)
        else:
            df = session.read.parquet(*paths)
    except Exception as exc:
        if created:
            session.stop()
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"Spark cannot read it: {text}", file=paths[0], code="unreadable") from None
    missing = [c for c in request.columns if c not in df.columns]
    if missing:
        if created:
            session.stop()
        raise UsageError(
            f"{paths[0]}: no column {', '.join(map(shown, missing))}; available columns: {listed(list(df.columns))}"
        )
    return df, paths, session, created


def _read(source: Any, request: StatsRequest, session_master: str | None) -> tuple[Any, list[str], Any, bool]:
    """(DataFrame, files, session, session created here) for a path or list of paths."""
    from modelcard.evaluation.engines import arrow

    paths = [os.fspath(source)] if isinstance(source, (str, os.PathLike)) else [os.fspath(p) for p in source]
    if any(_URI.match(p) and not p.startswith("file://") for p in paths):
        return _read_uri(paths, request, session_master)
    plan = arrow._plan(source)
    wanted = request.columns
    arrow._check_schemas(plan, wanted)
    available = sorted(set().union(*[set(f.kinds) for f in plan.files]) | set(plan.partition_types))
    check_columns(request.conditions, available, "the data")
    files = [f.path for f in plan.files if arrow._partition_ok(f, plan, request.conditions)]
    if not files:
        raise DataError("no data rows match the filter", file=plan.root, code="empty")
    session, created = _session(session_master)
    from pyspark.sql.types import StringType, StructField, StructType

    reader = session.read.option("basePath", os.path.abspath(plan.root))
    paths = [os.path.abspath(p) for p in files]
    if plan.files[0].fmt == "parquet":
        df = reader.parquet(*paths)
    else:
        # explicit all-text schema with the header's names (stripped; a repeated name gets a suffix):
        # every cell is text, as the other engines read CSV
        header = plan.files[0].header
        seen: dict[str, int] = {}
        names = []
        for h in header:
            k = seen.get(h, 0)
            seen[h] = k + 1
            names.append(h if k == 0 else f"{h}__{k}")
        schema = StructType([StructField(n, StringType(), True) for n in names])
        sep = "\t" if plan.files[0].path.lower().endswith((".tsv", ".tab")) else ","
        df = (
            reader.option("header", True)
            .option("multiLine", True)
            .option("encoding", "UTF-8")
            .option("sep", sep)
            .option("mode", "FAILFAST")
            .schema(schema)
            .csv(*paths)
        )
        for h in dict.fromkeys(header):
            copies = [n for n, orig in zip(names, header) if orig == h][1:]
            if h in wanted:
                for other in copies:
                    _, F = _spark()
                    bad = df.where(~_q(F, h).eqNullSafe(_q(F, other))).limit(1).collect()
                    if bad:
                        raise DataError(
                            f"column '{h}' appears more than once in the header with different values "
                            f"({bad[0][h]!r} and {bad[0][other]!r}); rename one of them",
                            file=files[0],
                            code="duplicate-column",
                        )
    return df, files, session, created


# --------------------------------------------------------------------------
# filters


def _typed(value: str, dtype: Any, cond: Condition) -> Any:
    name = type(dtype).__name__
    if name in ("StringType", "VarcharType", "CharType"):
        return value
    if name == "BooleanType":
        low = value.strip().lower()
        if low not in ("true", "false", "1", "0"):
            raise UsageError(f"`filter` {cond.text!r}: {cond.column!r} is true/false, not {value!r}")
        return low in ("true", "1")
    try:
        if name in ("ByteType", "ShortType", "IntegerType", "LongType"):
            return int(value.strip())
        if name in ("FloatType", "DoubleType", "DecimalType"):
            return float(value.strip())
    except ValueError:
        raise UsageError(f"`filter` {cond.text!r}: {value!r} is not a value of {cond.column!r} ({dtype})") from None
    return value


def _filter(df: Any, conditions: Sequence[Condition]) -> Any:
    if not conditions:
        return df
    _, F = _spark()
    check_columns(conditions, list(df.columns), "the data")
    types = {f.name: f.dataType for f in df.schema.fields}
    for cond in conditions:
        col = _q(F, cond.column)
        vals = [_typed(v, types[cond.column], cond) for v in cond.values]
        if cond.op == "in":
            e = col.isin(vals)
        else:
            lit = F.lit(vals[0])
            e = {
                "=": col == lit,
                "!=": col != lit,
                "<": col < lit,
                "<=": col <= lit,
                ">": col > lit,
                ">=": col >= lit,
            }[cond.op]
        df = df.where(e)
    return df


# --------------------------------------------------------------------------
# collecting


def _collect(df: Any, what: str, limit: int = MAX_COLLECT) -> dict[str, list[Any]]:
    """Rows of a (small) aggregated DataFrame as columns of Python values (at most ``limit``)."""
    rows = df.limit(limit + 1)
    if hasattr(rows, "toArrow"):
        table = rows.toArrow()
        out = {name: table.column(name).to_pylist() for name in table.column_names}
        n = table.num_rows
    else:  # PySpark before 4.0
        got = rows.collect()
        out = {name: [r[name] for r in got] for name in df.columns}
        n = len(got)
    if n > limit:
        raise DataError(f"{what}: more than {limit} distinct combinations", file="", code="too-many-values")
    return out


def _collect_table(df: Any, what: str, limit: int) -> Any:
    """Rows of an aggregated DataFrame as a pyarrow Table (at most ``limit``): the score table, which may
    be large, stays columnar."""
    import pyarrow as pa

    rows = df.limit(limit + 1)
    if hasattr(rows, "toArrow"):
        table = rows.toArrow()
    else:  # PySpark before 4.0
        got = rows.collect()
        table = pa.table({name: [r[name] for r in got] for name in df.columns})
    if table.num_rows > limit:
        raise DataError(f"{what}: more than {limit} distinct combinations", file="", code="too-many-values")
    return table


def _combos(table: Any, keys: list[str]) -> tuple[np.ndarray, list[tuple[Any, ...]]]:
    """(index of each row's combination of the ``keys`` columns, each combination's raw key), vectorised."""
    import pyarrow.compute as pc

    code = np.zeros(table.num_rows, dtype=np.int64)
    values = []
    for kk in keys:
        enc = pc.dictionary_encode(table.column(kk).combine_chunks(), null_encoding="encode")
        dictionary = enc.dictionary.to_pylist()
        code = code * len(dictionary) + np.asarray(enc.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
        values.append(dictionary)
    present, inverse = np.unique(code, return_inverse=True)
    combos = []
    for c in present.tolist():
        raw = []
        for dictionary in reversed(values):
            c, i = divmod(c, len(dictionary))
            raw.append(dictionary[i])
        combos.append(tuple(_raw_key(v) for v in reversed(raw)))
    return inverse.reshape(-1), combos


def _q(F: Any, name: str) -> Any:
    """The column named ``name`` exactly (quoted: a dot or a backtick in a name is not Spark syntax)."""
    return F.col("`" + name.replace("`", "``") + "`")


def _objects(values: Sequence[Any]) -> np.ndarray:
    arr = np.empty(len(values), dtype=object)
    arr[:] = list(values)
    return arr


class _Where:
    """Locates a raw value in the data (a small Spark job, on errors only)."""

    def __init__(self, df: Any, files: Sequence[str]) -> None:
        self.df = df
        self.files = list(files)

    def file_of(self, column: str, value: Any) -> str:
        if len(self.files) == 1:
            return self.files[0]
        try:
            _, F = _spark()
            col = _q(F, column)
            cond = col.isNull() if value is None else col == F.lit(value)
            got = self.df.where(cond).select(F.input_file_name().alias("f")).limit(1).collect()
            return str(got[0]["f"]).removeprefix("file://") if got and got[0]["f"] else ""
        except Exception:
            return ""

    def source(self, column: str, values: Sequence[Any]) -> Located:
        def place(i: int) -> tuple[str, int] | None:
            return None

        where = self

        class _Src(Located):
            def error(self, column: str, row: int | None, message: str, code: str) -> DataError:
                file = ""
                if row is not None and 0 <= row < len(values):
                    file = where.file_of(column, values[row])
                text = f"column '{column}': {message}"
                return DataError(text, file=file or (where.files[0] if len(where.files) == 1 else ""), code=code)

        return _Src(self.files[0] if len(self.files) == 1 else "", place)


def _decode_column(
    values: Sequence[Any], column: str, kind: str, decoder: Decoder, where: _Where, what: str = ""
) -> list[Any]:
    """Decoded value per distinct raw value (as the arrow engine decodes them)."""
    distinct: dict[Any, int] = {}
    order: list[Any] = []
    for v in values:
        key = ("nan",) if isinstance(v, float) and v != v else (type(v).__name__, v)
        if key not in distinct:
            distinct[key] = len(order)
            order.append(v)
    arr = _objects(order)
    src = where.source(column, order)
    if kind == "binary":
        dec = list(np.asarray(decoder.binary(arr, column, src)).tolist())
    elif kind == "labels":
        dec = list(decoder.labels(arr, column, src))
    elif kind == "classes":
        dec = list(decoder.classes(arr, column, src))
    else:
        dec = list(np.asarray(decoder.numbers(arr, column, src, what)).tolist())
    out = []
    for v in values:
        key = ("nan",) if isinstance(v, float) and v != v else (type(v).__name__, v)
        out.append(dec[distinct[key]])
    return out


# --------------------------------------------------------------------------
# exact doubles in Spark SQL


def _exponent(F: Any, av: Any) -> Any:
    """floor(log2(av)) for av > 0, exactly (log2 corrected against exact powers of two)."""
    e = F.floor(F.log2(av)).cast("int")
    e = F.when(F.pow(F.lit(2.0), e.cast("double")) > av, e - 1).otherwise(e)
    return F.when(F.pow(F.lit(2.0), (e + 1).cast("double")) <= av, e + 1).otherwise(e)


def _mantissa_parts(F: Any, x: Any) -> tuple[Any, Any, Any, Any, Any]:
    """(biased exponent E, sign, three 18-bit parts of the mantissa M) of a finite double: x = ±M·2**(E − 1075)."""
    av = F.abs(x)
    e = _exponent(F, av)
    big_e = F.when(av == 0.0, F.lit(1)).otherwise(F.greatest(e + 1023, F.lit(1)))
    mant = F.when(av == 0.0, F.lit(0).cast("long")).otherwise(
        (av / F.pow(F.lit(2.0), (big_e - 1075).cast("double"))).cast("long")
    )
    sign = F.when(x < 0.0, F.lit(-1).cast("long")).otherwise(F.lit(1).cast("long"))
    p2 = F.shiftright(mant, 2 * _PART)
    p1 = F.shiftright(mant, _PART).bitwiseAND(F.lit(_MASK))
    p0 = mant.bitwiseAND(F.lit(_MASK))
    return big_e, sign, p2, p1, p0


def _exact_sums_table(df: Any, F: Any, keys: list[str], quantities: dict[str, Any], extra: Sequence[Any] = ()) -> Any:
    """Per (keys…, extra…, quantity, E): the long sums of the signed 18-bit mantissa parts of each quantity."""
    structs = [
        F.struct(F.lit(i).alias("q"), col.cast("double").alias("v"), *list(extra))
        for i, col in enumerate(quantities.values())
    ]
    exploded = df.select(*[F.col(k) for k in keys], F.explode(F.array(*structs)).alias("t"))
    v = F.col("t.v")
    big_e, sign, p2, p1, p0 = _mantissa_parts(F, v)
    cols = [F.col(k) for k in keys] + [F.col("t.q").alias("q")]
    if extra:
        cols.append(F.col("t.bin").alias("bin"))
    return (
        exploded.select(
            *cols,
            big_e.alias("e"),
            (sign * p2).alias("p2"),
            (sign * p1).alias("p1"),
            (sign * p0).alias("p0"),
        )
        .groupBy(*[*keys, "q", *(["bin"] if extra else []), "e"])
        .agg(F.sum("p2").alias("s2"), F.sum("p1").alias("s1"), F.sum("p0").alias("s0"))
    )


def _msum(s2: Any, s1: Any, s0: Any) -> int:
    return (int(s2 or 0) << (2 * _PART)) + (int(s1 or 0) << _PART) + int(s0 or 0)


# --------------------------------------------------------------------------
# the engine


def _check_numbers(
    df: Any, F: Any, column: str, ref: str, as_double: Any, decoder: Decoder, where: _Where, what: str
) -> None:
    """A missing, NaN, infinite or non-numeric cell (of ``column``, ``ref`` in ``df``) is the decoder's error."""
    bad = df.where(as_double.isNull() | F.isnan(as_double) | (F.abs(as_double) == float("inf")))
    got = bad.select(F.col(ref).alias("v")).limit(1).collect()
    if got:
        value = got[0]["v"]
        decoder.numbers(_objects([value]), column, where.source(column, [value]), what)
        raise DataError(
            f"column '{column}': {what} {shown(str(value))} is not a finite number",
            file=where.file_of(column, value),
            code="not-finite",
        )


def _as_double(F: Any, df: Any, column: str) -> Any:
    dtype = type(df.schema[column].dataType).__name__
    col = F.col(column)
    if dtype in ("StringType", "VarcharType", "CharType"):
        col = F.trim(col)
    return col.cast("double")


def compute(source: Any, request: StatsRequest, decoder: Decoder, *, master: str | None = None) -> StatsResult:
    """Statistics of a Spark DataFrame or of a path read with Spark (see the module docstring)."""
    if request.bootstrap is not None:
        raise UsageError(
            "the Poisson bootstrap needs stable row ids, which Spark does not give: use closed-form intervals "
            "(no `bootstrap`) or the arrow engine"
        )
    _SparkSession, _F = _spark()
    created = False
    session = None
    files: list[str] = []
    if is_path_list(source):
        df, files, session, created = _read(source, request, master)
        name = files[0] if len(files) == 1 else os.fspath(source) if isinstance(source, (str, os.PathLike)) else ""
    else:
        if master is not None:
            raise UsageError("`spark_master` applies when Spark reads a path; a DataFrame runs in its own session")
        df = source
        name = "<Spark DataFrame>"
        missing = [c for c in request.columns if c not in df.columns]
        if missing:
            raise UsageError(
                f"the DataFrame has no column {', '.join(map(shown, missing))}; columns: {listed(list(df.columns))}"
            )
    conf = None if created or _jit_huge(df.sparkSession) else df.sparkSession.conf
    limit = None if conf is None else conf.get(_HUGE_METHOD, None)
    try:
        if conf is not None:  # a session we did not start, whose JIT may leave huge methods interpreted:
            conf.set(_HUGE_METHOD, "8000")  # let Spark split such plans instead (restored below)
        df = _filter(df, request.conditions)
        return _compute(df, request, decoder, _Where(df, files or [name]), files)
    finally:
        if conf is not None:
            if limit is None:
                conf.unset(_HUGE_METHOD)
            else:
                conf.set(_HUGE_METHOD, limit)
        if created and session is not None:
            session.stop()


def _compute(df: Any, request: StatsRequest, decoder: Decoder, where: _Where, files: list[str]) -> StatsResult:
    _, F = _spark()
    r = request
    sens = list(r.sensitive)
    if r.task is None:
        if r.prediction is None:
            task = "binary"
        else:
            vals = []
            for c in (r.label, r.prediction):
                got = df.select(_q(F, c).alias("v")).distinct().limit(_TASK_SAMPLE).collect()
                vals.append(_objects([g["v"] for g in got]))
            task = decoder.task(vals[0], vals[1])
        r = r.with_task(task)
    aliases = {c: f"_s{i}" for i, c in enumerate(sens)}
    ref = {"label": "_label", "prediction": "_prd", "score": "_score"}  # internal names of the columns
    named = [(r.label, ref["label"]), (r.prediction, ref["prediction"]), (r.score, ref["score"])]
    base = df.select(
        *[_q(F, c).alias(aliases[c]) for c in sens], *[_q(F, c).alias(a) for c, a in named if c is not None]
    )
    keys = list(aliases.values())
    result = StatsResult(task=r.task or "binary", files=tuple(files), engine="spark")

    def group_labels(table: dict[str, list[Any]]) -> dict[str, Any]:
        return {c: _objects(_decode_column(table[aliases[c]], c, "labels", decoder, where)) for c in sens}

    if r.task == "binary":
        score_d = _as_double(F, base, ref["score"]) if r.score else None
        if r.prediction:
            pname, pred_col = ref["prediction"], F.col(ref["prediction"])
        else:  # predictions derived from scores
            assert score_d is not None and r.score_threshold is not None
            pname = "_pred"
            pred_col = (score_d >= F.lit(float(r.score_threshold))).cast("int").alias(pname)
            result.decision_threshold = float(r.score_threshold)
        counts = _collect(base.groupBy(*keys, ref["label"], pred_col).count(), "label and prediction values")
        if not counts["count"]:
            raise DataError(
                "no data rows" + (" match the filter" if r.conditions else ""),
                file=where.files[0] if where.files else "",
                code="empty",
            )
        groups = group_labels(counts)
        y = _decode_column(counts[ref["label"]], r.label, "binary", decoder, where)
        if r.score:  # first: a bad score is reported before the predictions derived from it are used
            assert score_d is not None
            y01 = _map_column(F, ref["label"], _binary_map(counts[ref["label"]], y))
            cell_of = _cells_from(counts, keys, sens, groups)
            result.scores = _score_stats(base, F, r, keys, sens, score_d, y01, decoder, where, cell_of)
        if r.prediction:
            p = np.array(_decode_column(counts[pname], r.prediction, "binary", decoder, where))
        else:
            p = np.array(counts[pname], dtype=np.int64)
        result.confusion = ConfusionStats.from_counts(np.array(y), p, groups, np.array(counts["count"]))
        result.rows = int(sum(counts["count"]))
    elif r.task == "multiclass":
        counts = _collect(base.groupBy(*keys, ref["label"], ref["prediction"]).count(), "class values")
        if not counts["count"]:
            raise DataError("no data rows", file=where.files[0] if where.files else "", code="empty")
        groups = group_labels(counts)
        truth = _decode_column(counts[ref["label"]], r.label, "classes", decoder, where)
        predicted = _decode_column(counts[ref["prediction"]], r.prediction or "", "classes", decoder, where)
        result.multiclass = MulticlassStats.from_counts(
            _objects(truth), _objects(predicted), groups, np.array(counts["count"]), classes=r.classes
        )
        result.rows = int(sum(counts["count"]))
    else:
        result.regression, result.rows = _regression_stats(base, F, r, keys, sens, decoder, where, ref)
    return result


def _binary_map(raw: Sequence[Any], decoded: Sequence[Any]) -> list[tuple[Any, int]]:
    seen: dict[Any, int] = {}
    out = []
    for v, d in zip(raw, decoded):
        key = ("nan",) if isinstance(v, float) and v != v else (type(v).__name__, v)
        if key not in seen:
            seen[key] = int(d)
            out.append((v, int(d)))
    return out


def _map_column(F: Any, column: str, mapping: Sequence[tuple[Any, int]]) -> Any:
    """The decoded 0/1 value of each row, from the (raw value, 0/1) pairs the driver decoded."""
    col = F.col(column)
    expr = None
    for raw, val in mapping:
        cond = col.isNull() if raw is None else col.eqNullSafe(F.lit(raw))
        expr = F.when(cond, F.lit(val)) if expr is None else expr.when(cond, F.lit(val))
    assert expr is not None
    return expr.otherwise(F.lit(None)).cast("int")


def _raw_key(v: Any) -> Any:
    return ("nan",) if isinstance(v, float) and v != v else (type(v).__name__, v)


def _cells_from(
    table: dict[str, list[Any]], keys: list[str], sens: list[str], labels: dict[str, Any]
) -> dict[tuple[Any, ...], tuple[str, ...]]:
    """The cell (group labels) of each raw combination of sensitive values in an aggregated table."""
    out: dict[tuple[Any, ...], tuple[str, ...]] = {}
    for i in range(len(table[keys[0]])):
        raw = tuple(_raw_key(table[k][i]) for k in keys)
        out[raw] = tuple(str(labels[c][i]) for c in sens)
    return out


def _raw_cells(
    df: Any, F: Any, keys: list[str], sens: list[str], decoder: Decoder, where: _Where
) -> dict[tuple[Any, ...], tuple[str, ...]]:
    """The cell of each raw combination of sensitive values (one aggregation)."""
    combos = _collect(df.groupBy(*keys).count(), "sensitive values")
    labels = {c: _decode_column(combos[k], c, "labels", decoder, where) for c, k in zip(sens, keys)}
    return _cells_from(combos, keys, sens, labels)


def _stage(df: Any, **cols: Any) -> Any:
    """``df`` with the named columns added (one projection: Spark computes each once per row, and later
    stages reference them by name instead of repeating their expressions)."""
    return df.select("*", *[c.alias(n) for n, c in cols.items()])


def _exponents(df: Any, F: Any, x: str, name: str, guess: Any = None, power: Any = None) -> Any:
    """``df`` with ``_e{name}`` = floor(log2|x|) and ``_p{name}`` = 2.0 ** that, exactly, for normal x: log2
    (or the ``guess`` with its exact ``power``, when given and not null) corrected against an exact power of
    two (Java's ``pow(2, n)`` is exact)."""
    av = F.abs(F.col(x))
    lg = F.floor(F.log2(av)).cast("int")
    if guess is None:
        df = _stage(df, **{f"_g{name}": lg})
        df = _stage(df, **{f"_h{name}": F.pow(F.lit(2.0), F.col(f"_g{name}").cast("double"))})
    else:
        df = _stage(df, **{f"_g{name}": F.coalesce(guess, lg)})
        df = _stage(
            df,
            **{
                f"_h{name}": F.when(guess.isNotNull(), power).otherwise(
                    F.pow(F.lit(2.0), F.col(f"_g{name}").cast("double"))
                )
            },
        )
    g, h = F.col(f"_g{name}"), F.col(f"_h{name}")
    low, high = h > av, h * F.lit(2.0) <= av
    return _stage(
        df,
        **{
            f"_e{name}": F.when(low, g - 1).when(high, g + 1).otherwise(g),
            f"_p{name}": F.when(low, h / F.lit(2.0)).when(high, h * F.lit(2.0)).otherwise(h),
        },
    )


_NORMAL = 2.0**-1022
_HALF_SUB = 2.0**537  # 2**1074 in two exact steps (no overflow)


def _split(df: Any, F: Any, x: str, name: str, bad: Any) -> Any:
    """``df`` with the biased exponent ``_be{name}`` and the signed high and low parts ``_hi{name}``,
    ``_lo{name}`` of the mantissa M of the finite double ``x`` (x = ±M·2**(E − 1075)), from its exponent
    ``_e{name}`` and ``_p{name}`` = 2**that: M = |x| / p · 2**52, exact (subnormals: E = 1, M = |x|·2**1074);
    the high part is M >> 26, the low part its last 26 bits.  Rows where ``bad`` holds get zeros.  (In
    stages, so that each generated Java method stays small enough for the JIT compiler.)"""
    av = F.abs(F.col(x))
    normal = av >= F.lit(_NORMAL)
    big_e = F.when(bad, F.lit(1)).when(normal, F.col(f"_e{name}") + 1023).otherwise(F.lit(1))
    mant = (
        F.when(bad, F.lit(0.0))
        .when(normal, av / F.col(f"_p{name}") * F.lit(2.0**52))
        .otherwise(av * F.lit(_HALF_SUB) * F.lit(_HALF_SUB))
        .cast("long")
    )
    df = _stage(df, **{f"_be{name}": big_e, f"_m{name}": F.when(F.col(x) < 0.0, -mant).otherwise(mant)})
    m = F.col(f"_m{name}")
    return _stage(df, **{f"_hi{name}": F.shiftright(m, 26), f"_lo{name}": m.bitwiseAND(F.lit((1 << 26) - 1))})


def _combo_value(F: Any, keys: list[str], values: dict[tuple[Any, ...], Any]) -> Any:
    """A column: the value listed for each row's raw combination of sensitive values (null when not listed)."""
    expr = None
    for raw, value in values.items():
        cond = None
        for k, v in zip(keys, raw):
            c = F.col(k).isNull() if v is None else F.col(k).eqNullSafe(F.lit(v))
            cond = c if cond is None else cond & c
        assert cond is not None
        expr = F.when(cond, F.lit(value)) if expr is None else expr.when(cond, F.lit(value))
    assert expr is not None
    return expr.otherwise(F.lit(None))


def _width(binades: dict[int, int], max_distinct: int) -> int:
    """Mantissa bits at which to aggregate one combination's scores: 53 (exact) when it has few rows, else the
    narrowest width at which its rows could hold 1.5 × ``max_distinct`` distinct values (at most the rows of
    each binade, 2**(w − 1) values per binade), so that the table is fine enough for the binning rule to
    narrow it (checked after the fact) and no larger than that."""
    if sum(binades.values()) <= 1.5 * max_distinct:
        return EXACT_BITS
    for w in range(1, EXACT_BITS):
        if sum(min(n, 1 << (w - 1)) for n in binades.values()) >= 1.5 * max_distinct:
            return w
    return EXACT_BITS


def _score_stats(
    base: Any,
    F: Any,
    r: StatsRequest,
    keys: list[str],
    sens: list[str],
    score: Any,
    y01: Any,
    decoder: Decoder,
    where: _Where,
    cell_of: dict[tuple[Any, ...], tuple[str, ...]],
) -> ScoreStats:
    """Score statistics in two aggregations over the rows.

    1. Per (combination, label, calibration bin, exponents of the score, of its squared error b and of b²):
       rows, score and b extremes and the long sums of the mantissa parts of score, b and b² — exact sums
       (:func:`_split`), calibration counts, and how many rows each binade of scores holds.
    2. Per (combination, label, score truncated to a width per combination): rows — the score table, at
       full precision for combinations with few rows, else at the narrowest width that keeps more distinct
       values than the limit (:func:`_width`; a combination with fewer after all is aggregated again finer),
       which the driver bins as :meth:`ScoreStats.from_parts` does for any table.
    """
    import pyarrow as pa

    k = r.calibration_bins
    data = base.select(*keys, (score + F.lit(0.0)).alias("_s"), y01.alias("_y"))
    s, y = F.col("_s"), F.col("_y")
    bad = s.isNull() | F.isnan(s) | (F.abs(s) == float("inf"))
    binc = F.least(F.greatest(F.floor(s * F.lit(float(k))), F.lit(0)), F.lit(k - 1)).cast("int")
    rows = _stage(data, _bad=bad, _bin=binc, _d=s - y.cast("double"))
    rows = _exponents(rows, F, "_s", "s")
    # the error d = s − y: s itself for label 0; b = d² and b² from d's exponent (a comparison each)
    rows = _exponents(rows, F, "_d", "d", F.when(y == 0, F.col("_es")), F.col("_ps"))
    rows = _stage(rows, _b=F.col("_d") * F.col("_d"))
    rows = _stage(rows, _q=F.col("_b") * F.col("_b"))
    for x, name, base_e, base_p in (("_b", "b", "_ed", "_pd"), ("_q", "q", "_eb", "_pb")):
        e, pw = F.col(base_e), F.col(base_p)
        sq = pw * pw
        up = sq * F.lit(2.0) <= F.col(x)
        ok = e > F.lit(-500)  # p² normal: the exponent of x = d² (or b²) is 2e or 2e + 1
        rows = _exponents(
            rows,
            F,
            x,
            name,
            F.when(ok, F.when(up, e * 2 + 1).otherwise(e * 2)),
            F.when(up, sq * F.lit(2.0)).otherwise(sq),
        )
    parts = {"s": "_s", "b": "_b", "q": "_q"}
    for name, x in parts.items():
        rows = _split(rows, F, x, name, F.col("_bad"))
    cols = [*keys, y, "_bin", "_bad"]
    for name in parts:
        cols += [f"_be{name}", f"_hi{name}", f"_lo{name}"]
    cols += [s, "_b", "_q"]
    aggs = [F.count(F.lit(1)).alias("n")]
    for name in parts:
        aggs += [F.sum(f"_hi{name}").alias(f"h{name}"), F.sum(f"_lo{name}").alias(f"l{name}")]
    aggs += [
        F.min("_s").alias("smin"),
        F.max("_s").alias("smax"),
        F.min("_b").alias("bmin"),
        F.max("_b").alias("bmax"),
        F.max(F.abs("_q")).alias("qmax"),
    ]
    small = _collect(
        rows.select(*cols).groupBy(*keys, "_y", "_bin", "_bad", "_bes", "_beb", "_beq").agg(*aggs), "groups"
    )
    if any(small["_bad"]):
        _check_numbers(base, F, r.score or "", "_score", score, decoder, where, "score")
    if any(v is not None and not np.isfinite(v) for v in small["qmax"] + small["bmax"]):
        raise DataError(
            "'scores' are too large: their squared errors overflow",
            file=where.files[0] if len(where.files) == 1 else "",
            code="invalid-data",
        )
    # rows per binade of scores, per raw combination: the width of its table
    binades: dict[tuple[Any, ...], dict[int, int]] = {}
    raw_of: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for i in range(len(small["n"])):
        raw = tuple(small[kk][i] for kk in keys)
        rk = tuple(_raw_key(v) for v in raw)
        raw_of[rk] = raw
        per = binades.setdefault(rk, {})
        per[int(small["_bes"][i])] = per.get(int(small["_bes"][i]), 0) + int(small["n"][i])
    widths = {rk: _width(per, r.max_distinct) for rk, per in binades.items()}

    def score_table(todo: dict[tuple[Any, ...], int]) -> Any:
        w = F.col("_w")
        sel = _stage(data, _w=_combo_value(F, keys, {raw_of[rk]: bits for rk, bits in todo.items()}).cast("int"))
        sel = _exponents(sel.where(w.isNotNull()), F, "_s", "s")
        step = F.pow(F.lit(2.0), F.greatest(F.col("_es") - w + 1, F.lit(-1074)).cast("double"))
        q = F.signum(s) * (F.floor(F.abs(s) / step).cast("double") * step)
        q = F.when((w >= EXACT_BITS) | (s == 0.0), s).otherwise(q) + F.lit(0.0)
        return _collect_table(
            sel.select(*keys, y, q.alias("_q")).groupBy(*keys, "_q", "_y").count(),
            "score values",
            max(MAX_COLLECT, 4 * r.max_distinct * len(todo)),
        )

    table = score_table(widths)
    while True:  # a combination whose table is too coarse to bin (fewer distinct values than the limit): finer
        combo, combos = _combos(table, keys)
        q_all = table.column("_q").to_numpy()
        again = {}
        for i, rk in enumerate(combos):
            if widths[rk] < EXACT_BITS and np.unique(q_all[combo == i]).size <= r.max_distinct:
                # full precision when its rows are few enough to collect, else 8 bits finer at a time
                rows = sum(binades[rk].values())
                again[rk] = EXACT_BITS if rows <= 50 * r.max_distinct else min(EXACT_BITS, widths[rk] + 8)
        if not again:
            break
        widths.update(again)
        redo = score_table(again)
        keep = ~np.isin(combo, [i for i, rk in enumerate(combos) if rk in again])
        table = pa.concat_tables([table.filter(pa.array(keep)), redo.select(table.column_names)])
    cells = sorted(set(cell_of.values()))
    index = {c: i for i, c in enumerate(cells)}
    g = len(cells)

    def cell_idx(tab: dict[str, list[Any]]) -> np.ndarray:
        return np.array(
            [index[cell_of[tuple(_raw_key(tab[kk][i]) for kk in keys)]] for i in range(len(tab[keys[0]]))],
            dtype=np.int64,
        )

    bits = np.full(g, EXACT_BITS, dtype=np.int64)
    for rk, bb in widths.items():
        i = index[cell_of[rk]]
        bits[i] = min(bits[i], bb)
    combo, combos = _combos(table, keys)
    tc = np.array([index[cell_of[rk]] for rk in combos], dtype=np.int64)[combo] if combos else combo
    ty = table.column("_y").to_numpy().astype(np.int64)
    cnt = table.column("count").to_numpy().astype(np.int64)
    sc = cell_idx(small)
    sy = np.array(small["_y"], dtype=np.int64)
    sbin = np.array(small["_bin"], dtype=np.int64)
    n = np.array(small["n"], dtype=np.int64)
    cal_n = np.zeros((g, k), dtype=np.int64)
    cal_pos = np.zeros((g, k), dtype=np.int64)
    np.add.at(cal_n, (sc, sbin), n)
    np.add.at(cal_pos, (sc, sbin), n * sy)
    ext = {}
    for name, fill, ufunc in (
        ("bmin", np.inf, np.minimum),
        ("bmax", -np.inf, np.maximum),
        ("smin", np.inf, np.minimum),
        ("smax", -np.inf, np.maximum),
    ):
        out = np.full(g, fill)
        ufunc.at(out, sc, np.array(small[name], dtype=np.float64) + 0.0)
        ext[name] = out
    sums = {}
    for name, group, size in (("b", sc, g), ("q", sc, g), ("s", sc * k + sbin, g * k)):
        msum = [(int(h or 0) << 26) + int(lo or 0) for h, lo in zip(small[f"h{name}"], small[f"l{name}"])]
        sums[name] = exact_from_parts(group, np.array(small[f"_be{name}"], dtype=np.int64), msum, size)
    return ScoreStats.from_parts(
        tuple(sens),
        cells,
        cell=tc,
        value=table.column("_q").to_numpy().astype(np.float64),
        neg=np.where(ty == 0, cnt, 0),
        pos=np.where(ty == 1, cnt, 0),
        bits=bits,
        brier_sum=sums["b"],
        brier_sq_sum=sums["q"],
        brier_min=ext["bmin"],
        brier_max=ext["bmax"],
        score_min=ext["smin"],
        score_max=ext["smax"],
        cal_n=cal_n,
        cal_pos=cal_pos,
        cal_sum=sums["s"].reshape(g, k),
        calibration_bins=k,
        max_distinct=r.max_distinct,
    )


def _unkey(key: Any) -> Any:
    """The raw value of a :func:`_raw_key`."""
    return float("nan") if key == ("nan",) else key[1]


def _regression_stats(
    base: Any,
    F: Any,
    r: StatsRequest,
    keys: list[str],
    sens: list[str],
    decoder: Decoder,
    where: _Where,
    ref: dict[str, str],
) -> tuple[RegressionStats, int]:
    yd = _as_double(F, base, ref["label"])
    pd = _as_double(F, base, ref["prediction"])
    _check_numbers(base, F, r.label, ref["label"], yd, decoder, where, "label")
    _check_numbers(base, F, r.prediction or "", ref["prediction"], pd, decoder, where, "prediction")
    data = base.select(*keys, yd.alias("_y"), pd.alias("_p"))
    y, p = F.col("_y") + F.lit(0.0), F.col("_p") + F.lit(0.0)
    terms = regression_terms(y, p, absolute=F.abs)
    cols = data.select(*keys, *[t.alias(f"_{n}") for n, t in terms.items()])
    aggs = [F.count(F.lit(1)).alias("n")]
    for name in REGRESSION_EXTREMES:
        aggs += [F.min(f"_{name}").alias(f"min_{name}"), F.max(f"_{name}").alias(f"max_{name}")]
    for name in REGRESSION_SUMS:
        aggs.append(F.max(F.abs(f"_{name}")).alias(f"abs_{name}"))
    small = _collect(cols.groupBy(*keys).agg(*aggs), "groups")
    if not small["n"]:
        raise DataError("no data rows", file=where.files[0] if where.files else "", code="empty")
    for name in REGRESSION_SUMS:
        if any(v is not None and not np.isfinite(v) for v in small[f"abs_{name}"]):
            raise DataError(
                f"values are too large: the per-row product {name} overflows float64",
                file=where.files[0] if len(where.files) == 1 else "",
                code="invalid-data",
            )
    sums = _collect(
        _exact_sums_table(cols, F, keys, {n: F.col(f"_{n}") for n in REGRESSION_SUMS}),
        "sums",
    )
    cell_of = _raw_cells(base, F, keys, sens, decoder, where)
    cells = sorted(set(cell_of.values()))
    index = {c: i for i, c in enumerate(cells)}
    g = len(cells)

    def cell_idx(table: dict[str, list[Any]]) -> np.ndarray:
        return np.array(
            [index[cell_of[tuple(_raw_key(table[kk][i]) for kk in keys)]] for i in range(len(table[keys[0]]))],
            dtype=np.int64,
        )

    sc = cell_idx(small)
    n = np.zeros(g, dtype=np.int64)
    np.add.at(n, sc, np.array(small["n"], dtype=np.int64))
    extremes = {}
    for name in REGRESSION_EXTREMES:
        lo = np.full(g, np.inf)
        hi = np.full(g, -np.inf)
        np.minimum.at(lo, sc, np.array(small[f"min_{name}"], dtype=np.float64) + 0.0)
        np.maximum.at(hi, sc, np.array(small[f"max_{name}"], dtype=np.float64) + 0.0)
        extremes[name] = (lo, hi)
    ec = cell_idx(sums)
    q = np.array(sums["q"], dtype=np.int64)
    expo = np.array(sums["e"], dtype=np.int64)
    msum = [_msum(a, b, c) for a, b, c in zip(sums["s2"], sums["s1"], sums["s0"])]
    out_sums = {}
    for i, name in enumerate(REGRESSION_SUMS):
        sel = np.flatnonzero(q == i)
        out_sums[name] = exact_from_parts(ec[sel], expo[sel], [msum[j] for j in sel], g)
    return RegressionStats.from_parts(tuple(sens), cells, n, out_sums, extremes), int(n.sum())


__all__ = ["MAX_COLLECT", "compute"]
