"""Engines: sufficient statistics from data that need not fit in memory.

:func:`compute_stats` reads the label, prediction, score and sensitive columns
of a predictions source and returns the mergeable statistics of
:mod:`modelcard.evaluation.stats` (:class:`StatsResult`); the one finaliser
turns them into results, whichever engine built them.

* ``arrow`` (:mod:`.arrow`): pyarrow reads a file, a list of files or a
  directory of Parquet or CSV files (Hive-partitioned folders included) in
  record batches; statistics are built per batch and merged, so memory stays
  flat as rows grow.  Also takes a pyarrow Table or RecordBatchReader, or a
  pandas or polars DataFrame.
* ``spark`` (:mod:`.spark`): Apache Spark aggregates a ``pyspark.sql.DataFrame``
  (or a path read by Spark) with ``groupBy``; only the small table of
  statistics reaches the driver, and the same statistics objects are built
  from it (``from_counts``/``from_parts``).
* ``auto``: ``spark`` for a Spark DataFrame, else ``arrow``.

How raw cells become values — labels to 0/1 (``positive``), group labels
(missing values, NA tokens), numbers — is the caller's rule, passed as a
:class:`Decoder` (the evaluate pipeline's own, by default).  Engines apply it
to the *distinct* raw values of each column (seen so far, across all batches
or as Spark returns them), never row by row, and errors point at the file and
row of a value's first occurrence.  The results are identical across engines
and to the in-memory path: counts are exact, float sums are exact (see
:mod:`modelcard.evaluation.stats`), and binning depends only on the data.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np

from modelcard.diagnostics import UsageError
from modelcard.evaluation import inputs
from modelcard.evaluation.engines.filters import Condition, parse_filters
from modelcard.evaluation.inputs import Missing, Source
from modelcard.evaluation.stats import (
    DEFAULT_CALIBRATION_BINS,
    MAX_DISTINCT,
    ConfusionStats,
    MulticlassStats,
    PoissonBootstrap,
    RegressionStats,
    ScoreStats,
)
from modelcard.io.tabular import DataError

ENGINES = ("auto", "arrow", "spark")
TASKS = ("binary", "multiclass", "regression")
DEFAULT_SPARK_MASTER = "local[*]"

__all__ = [
    "DEFAULT_SPARK_MASTER",
    "ENGINES",
    "TASKS",
    "Decoder",
    "InputsDecoder",
    "Located",
    "StatsRequest",
    "StatsResult",
    "compute_stats",
    "evaluate_source",
    "group_warnings",
    "routes",
]


# --------------------------------------------------------------------------
# what to compute


@dataclass(frozen=True)
class StatsRequest:
    """The columns to read and the statistics to build (checked by :meth:`check`)."""

    label: str
    sensitive: tuple[str, ...]
    prediction: str | None = None
    score: str | None = None
    task: str | None = "binary"  # None: inferred from the label and prediction values
    score_threshold: float | None = None
    calibration_bins: int = DEFAULT_CALIBRATION_BINS
    max_distinct: int = MAX_DISTINCT
    max_groups: int | None = None
    bootstrap: PoissonBootstrap | None = None
    classes: tuple[str, ...] | None = None
    conditions: tuple[Condition, ...] = ()

    @property
    def columns(self) -> list[str]:
        """Every column read, without repeats, in the order label, prediction, score, sensitive."""
        cols = [self.label, self.prediction, self.score, *self.sensitive]
        return list(dict.fromkeys(c for c in cols if c))

    def check(self) -> None:
        if self.task is not None and self.task not in TASKS:
            raise UsageError(f"task must be one of {', '.join(TASKS)}, not {self.task!r}")
        if isinstance(self.sensitive, str) or not self.sensitive:
            raise UsageError("give at least one sensitive attribute column (a list of column names)")
        twice = sorted({c for c in self.sensitive if self.sensitive.count(c) > 1})
        if twice:
            raise UsageError(f"sensitive attribute '{twice[0]}' is given twice")
        others = [c for c in (self.label, self.prediction, self.score) if c]
        dup = sorted(set(others) & set(self.sensitive))
        if dup:
            raise UsageError(f"column '{dup[0]}' is used both as a sensitive attribute and as label/prediction/score")
        if self.prediction is not None and self.score_threshold is not None:
            raise UsageError(
                "give either a prediction column or a score threshold (which derives predictions), not both"
            )
        if self.prediction is None:
            if self.task not in (None, "binary"):
                raise UsageError(f"a {self.task} task needs a prediction column")
            if self.score is None or self.score_threshold is None:
                raise UsageError("give a prediction column, or a score column with a score threshold")
        if self.task not in (None, "binary"):
            if self.score is not None:
                raise UsageError(f"scores are for binary classification; the task is {self.task}")
            if self.bootstrap is not None:
                raise UsageError(f"the bootstrap is for binary classification; the task is {self.task}")

    def with_task(self, task: str) -> StatsRequest:
        """This request with its task decided (and checked again)."""
        out = replace(self, task=task)
        out.check()
        return out


@dataclass
class StatsResult:
    """Statistics of all rows read (those of ``task``; the others None), with what the fragment records.

    Field for field what :class:`modelcard.evaluation.pipeline.EvaluationStats`
    takes (``task``, ``rows``, the statistics, ``decision_threshold``,
    ``warnings``), plus the files read and the engine.
    """

    task: str = "binary"
    rows: int = 0
    confusion: ConfusionStats | None = None
    scores: ScoreStats | None = None
    multiclass: MulticlassStats | None = None
    regression: RegressionStats | None = None
    decision_threshold: float | None = None
    warnings: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    engine: str = ""

    def evaluation_fields(self) -> dict[str, Any]:
        """The keyword arguments of ``EvaluationStats``."""
        return {
            "task": self.task,
            "rows": self.rows,
            "confusion": self.confusion,
            "scores": self.scores,
            "multiclass": self.multiclass,
            "regression": self.regression,
            "decision_threshold": self.decision_threshold,
            "warnings": self.warnings,
        }


# --------------------------------------------------------------------------
# decoding raw values


class Located(Source):
    """Points a problem with the i-th value handed to a decoder at the file and row where it occurs.

    A :class:`~modelcard.evaluation.inputs.Source` whose file may differ per
    value: ``places(i)`` gives (file, 0-based row) of value i, or None.
    """

    def __init__(self, file: str, places: Callable[[int], tuple[str, int] | None], label: str = "row") -> None:
        super().__init__(file, None)
        object.__setattr__(self, "_places", places)
        object.__setattr__(self, "_label", label)

    def error(self, column: str, row: int | None, message: str, code: str) -> DataError:
        place = None if row is None else self._places(row)  # type: ignore[attr-defined]
        file = place[0] if place is not None else self.file
        where, line = "", None
        if place is not None:
            where = f"{self._label} {place[1] + 1}"  # type: ignore[attr-defined]
            if self._label == "row" and file.lower().endswith((".csv", ".tsv", ".tab", ".txt")):  # type: ignore[attr-defined]
                from modelcard.io.tabular import csv_line_of_row

                line = csv_line_of_row(file, place[1])
                if line is not None:
                    where += f" (line {line})"
        text = f"column '{column}'" + (f", {where}" if where else "") + f": {message}"
        return DataError(text, file=file, line=line, code=code)


class Decoder(Protocol):
    """How raw cells become values; each method gets an array of raw values (Python objects, None = null).

    Engines call these with the *distinct* values of a column (all seen so
    far), except :meth:`numbers`, which gets the rows of a batch when the
    engine's fast number parsing declines them (missing or odd cells).
    """

    def binary(self, values: np.ndarray, column: str, source: Source) -> np.ndarray:
        """0/1 per value (labels and predictions of a binary task)."""
        ...

    def labels(self, values: np.ndarray, column: str, source: Source) -> list[str]:
        """The group label of each value of a sensitive attribute."""
        ...

    def numbers(self, values: np.ndarray, column: str, source: Source, what: str) -> np.ndarray:
        """float64 per value (scores, regression labels and predictions); ``what`` names them in messages."""
        ...

    def classes(self, values: np.ndarray, column: str, source: Source) -> list[str]:
        """The class name of each value (multiclass labels and predictions)."""
        ...

    def task(self, label: np.ndarray, prediction: np.ndarray) -> str:
        """The task inferred from distinct label and prediction values."""
        ...


class InputsDecoder:
    """The rules of :mod:`modelcard.evaluation.inputs` (the in-memory path's), with evaluate's options."""

    def __init__(
        self, positive: str | None = None, missing_group: str | None = None, na_values: Sequence[str] = ()
    ) -> None:
        self.positive = positive
        self.missing_group = missing_group
        self.missing = Missing.of(tuple(na_values))  # group labels and class names
        self.numeric = Missing.of(tuple(na_values), numeric=True)  # binary labels, predictions, numbers

    @classmethod
    def of(cls, options: Any) -> InputsDecoder:
        """The decoder for an :class:`~modelcard.evaluation.options.EvaluateOptions`."""
        return cls(options.positive, options.missing_group, options.na_values)

    def binary(self, values: np.ndarray, column: str, source: Source) -> np.ndarray:
        return inputs.binary_column(values, column, self.positive, source, self.numeric)

    def labels(self, values: np.ndarray, column: str, source: Source) -> list[str]:
        g = inputs.sensitive_column(values, column, self.missing_group, source, self.missing)
        return [g.categories[c] for c in g.codes.tolist()]

    def numbers(self, values: np.ndarray, column: str, source: Source, what: str) -> np.ndarray:
        return inputs.number_column(values, column, source, self.numeric, what)

    def classes(self, values: np.ndarray, column: str, source: Source) -> list[str]:
        codes, classes = inputs.class_column(values, column, source, self.missing)
        return [classes[c] for c in codes.tolist()]

    def task(self, label: np.ndarray, prediction: np.ndarray) -> str:
        return inputs.infer_task(label, prediction, positive=self.positive, missing=self.numeric)


# --------------------------------------------------------------------------
# the entry point


def _is_spark_frame(obj: Any) -> bool:
    mod = type(obj).__module__ or ""
    return mod.split(".")[0] == "pyspark" and type(obj).__name__ == "DataFrame"


def choose_engine(source: Any, engine: str = "auto") -> str:
    """The engine for ``source``: as given, or with ``auto`` ``spark`` for a Spark DataFrame and ``arrow`` else."""
    if engine not in ENGINES:
        raise UsageError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    spark_frame = _is_spark_frame(source)
    if engine == "auto":
        return "spark" if spark_frame else "arrow"
    if engine == "arrow" and spark_frame:
        raise UsageError("a Spark DataFrame is read with the spark engine (engine='spark' or 'auto')")
    return engine


def compute_stats(
    source: Any,
    *,
    label: str,
    sensitive: Sequence[str],
    prediction: str | None = None,
    score: str | None = None,
    task: str | None = "binary",
    engine: str = "auto",
    filter: Sequence[str | Condition] | str | None = None,
    decoder: Decoder | None = None,
    positive: str | None = None,
    missing_group: str | None = None,
    na_values: Sequence[str] = (),
    score_threshold: float | None = None,
    calibration_bins: int = DEFAULT_CALIBRATION_BINS,
    max_distinct: int = MAX_DISTINCT,
    max_groups: int | None = None,
    bootstrap: PoissonBootstrap | None = None,
    classes: Sequence[str] | None = None,
    spark_master: str | None = None,
    progress: bool | None = None,
    batch_rows: int | None = None,
) -> StatsResult:
    """Statistics of a predictions source, computed by an engine.

    ``source``: a path (file or directory) or a list of paths, a pyarrow
    Table or RecordBatchReader, a pandas or polars DataFrame (``arrow``), or a
    ``pyspark.sql.DataFrame`` (``spark``; a path is then read by Spark).
    ``filter``: conditions such as ``"region=eu"`` (see
    :mod:`.filters`).  ``decoder`` turns raw cells into values (default: the
    rules of :mod:`modelcard.evaluation.inputs` with ``positive``,
    ``missing_group`` and ``na_values``; :meth:`InputsDecoder.of` builds it from
    evaluate's options).  ``task`` None: inferred from the label and
    prediction values of the first batch (arrow) or of the data (spark).
    ``progress``: a progress bar on standard error (default: when it is a
    terminal; arrow engine).  Bad input is a :class:`DataError` (exit 1) or
    :class:`UsageError` (exit 2) naming the file.
    """
    request = StatsRequest(
        label=label,
        sensitive=tuple(sensitive),
        prediction=prediction,
        score=score,
        task=task,
        score_threshold=score_threshold,
        calibration_bins=calibration_bins,
        max_distinct=max_distinct,
        max_groups=max_groups,
        bootstrap=bootstrap,
        classes=None if classes is None else tuple(str(c) for c in classes),
        conditions=parse_filters(filter),
    )
    request.check()
    dec: Decoder = decoder if decoder is not None else InputsDecoder(positive, missing_group, na_values)
    which = choose_engine(source, engine)
    if which == "spark":
        from modelcard.evaluation.engines import spark

        return spark.compute(source, request, dec, master=spark_master)
    if spark_master is not None:
        raise UsageError("`spark_master` applies to the spark engine only", option="spark_master")
    from modelcard.evaluation.engines import arrow

    return arrow.compute(source, request, dec, progress=progress, batch_rows=batch_rows)


def is_path_list(source: Any) -> bool:
    return isinstance(source, (str, os.PathLike)) or (
        isinstance(source, (list, tuple)) and bool(source) and all(isinstance(s, (str, os.PathLike)) for s in source)
    )


# --------------------------------------------------------------------------
# the whole evaluation from a source (the CLI's and evaluate_file's engine path)


def group_warnings(result: StatsResult, missing_group: str | None) -> tuple[str, ...]:
    """The in-memory path's warnings about group labels, from the statistics: labels with surrounding
    whitespace (kept as written: groups of their own) and rows reported under ``missing_group``."""
    from modelcard.io.tabular import shown

    st: Any = result.confusion or result.multiclass or result.regression
    if st is None:
        return ()
    if isinstance(st, ConfusionStats):
        rows = st.n
    elif isinstance(st, MulticlassStats):
        rows = st.counts.sum(axis=(1, 2))
    else:
        rows = st.n
    out = []
    for i, name in enumerate(st.attributes):
        per: dict[str, int] = {}
        for key, n in zip(st.keys, rows.tolist()):
            per[key[i]] = per.get(key[i], 0) + int(n)
        odd = sorted(c for c in per if c != c.strip())
        if odd:
            count = sum(per[c] for c in odd)
            out.append(
                f"column '{name}': {count} row(s) have a group label with leading or trailing whitespace "
                f"({', '.join(shown(c) for c in odd[:5])}{', ...' if len(odd) > 5 else ''}); they are kept as "
                "written, so they form groups of their own"
            )
        if missing_group is not None and per.get(missing_group):
            out.append(
                f"column '{name}': {per[missing_group]} row(s) with a missing value are reported as the group "
                f"{shown(str(missing_group))}"
            )
    return tuple(out)


def _sha256_files(paths: Sequence[str]) -> str:
    import hashlib

    h = hashlib.sha256()
    for p in paths:
        with open(p, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 22), b""):
                h.update(block)
    return h.hexdigest()


class _Digest:
    """The SHA-256 of one file, computed on a background thread while the statistics are (hashlib releases
    the GIL); a daemon thread, so a failed evaluation does not wait for it."""

    def __init__(self, path: str) -> None:
        import threading

        self.value: str | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(path,), name="modelcard-sha256", daemon=True)
        self.thread.start()

    def _run(self, path: str) -> None:
        try:
            self.value = _sha256_files([path])
        except BaseException as exc:  # re-raised by result(), on the caller's thread
            self.error = exc

    def result(self) -> str:
        self.thread.join()
        if self.error is not None:
            raise self.error
        assert self.value is not None
        return self.value


def _provenance(
    source: Any,
    files: Sequence[str],
    label: str,
    prediction: str | None,
    score: str | None,
    sensitive: Sequence[str],
    digest: _Digest | None = None,
) -> dict[str, Any]:
    """What the fragment records about the input: one file and its SHA-256, as the in-memory path does; for
    several files their number and the SHA-256 of their manifest (one ``SHA-256  path`` line per file, paths
    relative to the folder, in the order read)."""
    import hashlib

    if isinstance(source, (str, os.PathLike)) and os.path.isfile(source):
        predictions: dict[str, Any] = {
            "file": os.path.basename(os.fspath(source)),
            "sha256": digest.result() if digest is not None else _sha256_files([os.fspath(source)]),
        }
    elif files:
        folder = os.fspath(source) if isinstance(source, (str, os.PathLike)) else None
        root = (
            os.path.abspath(folder)
            if folder
            else os.path.commonpath([os.path.dirname(os.path.abspath(f)) for f in files])
        )
        manifest = "".join(f"{_sha256_files([f])}  {os.path.relpath(os.path.abspath(f), root)}\n" for f in files)
        predictions = {"files": len(files), "sha256": hashlib.sha256(manifest.encode()).hexdigest()}
        if folder:
            predictions = {"folder": os.path.basename(os.path.normpath(folder))} | predictions
    else:
        predictions = {"source": type(source).__name__}
    columns = {k: v for k, v in (("label", label), ("prediction", prediction), ("score", score)) if v}
    return {"predictions": predictions, "columns": columns | {"sensitive": list(sensitive)}}


def evaluate_source(
    source: Any,
    *,
    label: str,
    prediction: str | None = None,
    score: str | None = None,
    sensitive: Sequence[str],
    options: Any = None,
    engine: str = "auto",
    filter: Sequence[str | Condition] | str | None = None,
    spark_master: str | None = None,
    progress: bool | None = None,
    provenance: Any = None,
    **kwargs: Any,
) -> Any:
    """The card fragment of a source read by an engine: :func:`compute_stats` with the in-memory path's
    input rules (:class:`InputsDecoder`), then the pipeline's finaliser (``pipeline.finish``).

    ``options``/``kwargs`` as for ``modelcard.evaluation.pipeline.evaluate``.
    """
    from modelcard.evaluation import pipeline as P
    from modelcard.evaluation.options import EvaluateOptions
    from modelcard.evaluation.thresholds import load_threshold_card

    opts = EvaluateOptions.of(options, **kwargs)
    if isinstance(sensitive, str):
        raise UsageError("`sensitive` must be a list of column names, e.g. sensitive=['race']", option="sensitive")
    inputs.check_usage(prediction, score, opts)
    card = load_threshold_card(opts.thresholds_from) if opts.thresholds_from is not None else None
    boot = PoissonBootstrap(opts.bootstrap, opts.seed) if opts.bootstrap else None
    one_file = isinstance(source, (str, os.PathLike)) and os.path.isfile(source)
    digest = _Digest(os.fspath(source)) if one_file else None  # hashed while the statistics are computed
    result = compute_stats(
        source,
        label=label,
        sensitive=list(sensitive),
        prediction=prediction,
        score=score,
        task=opts.task,
        engine=engine,
        filter=filter,
        decoder=InputsDecoder.of(opts),
        score_threshold=opts.score_threshold,
        calibration_bins=opts.calibration_bins,
        max_groups=opts.max_groups,
        bootstrap=boot,
        spark_master=spark_master,
        progress=progress,
    )
    if boot is not None:
        size = 0 if result.confusion is None else 4 * result.confusion.size
        size = max(size, 0 if result.scores is None else 2 * int(result.scores.value.size))
        P.check_bootstrap_budget(opts.bootstrap, size, "the statistics of every group")
    inputs.check_task(result.task, None, opts.positive)
    fields = result.evaluation_fields()
    fields["warnings"] = tuple(fields["warnings"]) + group_warnings(result, opts.missing_group)
    stats = P.EvaluationStats(**fields)
    prov = _provenance(source, result.files, label, prediction, score, sensitive, digest)
    if opts.positive is not None:
        prov["positive"] = opts.positive
    prov |= dict(provenance or {})
    return P.finish(stats, opts, provenance=prov, thresholds_card=card)


def routes(data: Any, engine: str = "auto", filter: Any = None, spark_master: str | None = None) -> bool:
    """Whether ``evaluate`` reads ``data`` with an engine rather than in memory: always when an engine,
    a filter or a Spark master is given, or ``data`` is a Spark DataFrame, a directory or a list of paths;
    for a file path, when pyarrow (the arrow engine) is installed.  Never imports pyarrow or PySpark."""
    import importlib.util

    if engine != "auto" or filter or spark_master is not None or _is_spark_frame(data):
        return True
    if isinstance(data, (list, tuple)) and is_path_list(data):
        return True
    if isinstance(data, (str, os.PathLike)):
        return os.path.isdir(data) or importlib.util.find_spec("pyarrow") is not None
    return False
