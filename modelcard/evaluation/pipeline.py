"""Disaggregated performance and fairness results from predictions: a card fragment.

This is the Python API behind ``modelcard evaluate``::

    from modelcard.evaluation.pipeline import evaluate, evaluate_file

    fragment = evaluate_file("predictions.csv", label="y", prediction="y_hat", sensitive=["race", "sex"],
                             intersectional=True, references={"race": "Caucasian"},
                             thresholds={"fpr": {"convention": "difference", "min": -0.1, "max": 0.1}})
    fragment = evaluate({"y": y, "y_hat": y_hat, "race": race}, label="y", prediction="y_hat", sensitive=["race"])
    print(fragment.to_yaml())

The flow is one way: input columns are checked and converted
(:mod:`.inputs`), turned into mergeable sufficient statistics
(:mod:`.stats`), finalised into metrics, intervals, disparities, spreads and
criteria (:mod:`.finalize`), and mapped onto typed card sections with
verdicts by the one rule (:mod:`.fragment`, :mod:`modelcard.schema.verdicts`).
Another engine (e.g. one reading Parquet datasets or Spark tables) builds the
same statistics and calls :func:`finish`.

Options and their defaults: :class:`~modelcard.evaluation.options.EvaluateOptions`.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from modelcard.diagnostics import UsageError
from modelcard.evaluation import finalize as F
from modelcard.evaluation import stats as ST
from modelcard.evaluation.fragment import Context, Fragment, build
from modelcard.evaluation.inputs import Prepared, Source, check_usage, count_cells, prepare
from modelcard.evaluation.options import MAX_BOOTSTRAP_VALUES, EvaluateOptions
from modelcard.evaluation.thresholds import (
    ALL_METRICS,
    ThresholdCard,
    check_thresholds,
    load_threshold_card,
    thresholds_with_card,
)
from modelcard.io.tabular import DataError, listed, read_columns, shown
from modelcard.schema.types import group_text

# --------------------------------------------------------------------------
# metric names

#: every binary-classification metric in report order: confusion counts, rates and scores, then criteria
BINARY_ORDER = (*F.COUNT_METRICS, *F.BINARY_METRICS, *F.SCORE_METRICS, F.EQUALIZED_ODDS.name)
REGRESSION_ORDER = tuple(F.REGRESSION_METRICS)


def metric_names(
    metrics: Sequence[str] | None,
    task: str = "binary",
    *,
    have_scores: bool = False,
    probabilities: bool = True,
    available: Sequence[str] = (),
) -> tuple[str, ...]:
    """The metrics a run reports, in report order.

    Binary: the confusion counts, every rate, and with scores AUC, Brier score
    and ECE (the last two only when the scores are probabilities, in [0, 1],
    unless asked for), and ``equalized_odds`` (which needs ``tpr`` and ``fpr``,
    added when it is asked for).  Multiclass and regression: the finaliser's
    metrics (``available``); a name such as ``tpr`` selects ``tpr[c]`` for
    every class.  Unknown names and score metrics without scores are usage errors.
    """
    if task == "binary":
        order = BINARY_ORDER
        if metrics is None:  # Brier score and ECE need probabilities; AUC any scores
            return tuple(
                m for m in order if m not in F.SCORE_METRICS or (have_scores and (m == "auc" or probabilities))
            )
        names = set(dict.fromkeys(m.strip() for m in metrics))
        for m in names:
            if m not in order:
                raise UsageError(f"unknown metric '{m}'; choose from {', '.join(order)}")
            if m in F.SCORE_METRICS and not have_scores:
                raise UsageError(f"metric '{m}' needs scores (`score`)")
        if F.EQUALIZED_ODDS.name in names:
            names |= {"tpr", "fpr"}
        return tuple(m for m in order if m in names)
    order = REGRESSION_ORDER if task == "regression" else tuple(available)
    if metrics is None:
        return order
    wanted = list(dict.fromkeys(m.strip() for m in metrics))
    for m in wanted:
        if m not in order and not any(o.startswith(m + "[") for o in order):
            choices = sorted({o.split("[", 1)[0] for o in order})
            raise UsageError(f"unknown metric '{m}' for a {task} task; choose from {', '.join(choices)}")
    return tuple(o for o in order if o in wanted or o.split("[", 1)[0] in wanted)


# --------------------------------------------------------------------------
# statistics


@dataclass(frozen=True)
class EvaluationStats:
    """The sufficient statistics of one evaluation, as any engine builds them (see :mod:`.stats`).

    Exactly the statistics of ``task`` are set: binary ``confusion`` (and
    ``scores`` with a score column), ``multiclass``, or ``regression``.
    """

    task: str
    rows: int
    confusion: ST.ConfusionStats | None = None
    scores: ST.ScoreStats | None = None
    multiclass: ST.MulticlassStats | None = None
    regression: ST.RegressionStats | None = None
    decision_threshold: float | None = None
    warnings: tuple[str, ...] = ()

    @property
    def attributes(self) -> tuple[str, ...]:
        for st in (self.confusion, self.multiclass, self.regression):
            if st is not None:
                return st.attributes
        return ()

    @property
    def keys(self) -> tuple[tuple[str, ...], ...]:
        """The observed cells (combinations of attribute values)."""
        for st in (self.confusion, self.multiclass, self.regression):
            if st is not None:
                return st.keys
        return ()

    def probabilities(self) -> bool:
        """Whether the scores all lie in [0, 1] (so Brier score, ECE and calibration apply)."""
        s = self.scores
        return s is not None and bool((s.score_min >= 0).all() and (s.score_max <= 1).all())


def check_bootstrap_budget(replicates: int, size: int, what: str) -> None:
    """THE cap on bootstrap memory: ``replicates`` replicates of ``size`` statistics (over ``what``)."""
    if replicates * size > MAX_BOOTSTRAP_VALUES:
        raise UsageError(
            f"{replicates} replicates over {what} would keep {replicates * size:.3g} replicate values (more "
            f"than {MAX_BOOTSTRAP_VALUES:.3g}, about {MAX_BOOTSTRAP_VALUES * 8 / 2**30:.1f} GiB); use fewer "
            "replicates or fewer groups",
            option="bootstrap",
        )


def compute_stats(prepared: Prepared, options: EvaluateOptions) -> EvaluationStats:
    """The sufficient statistics of checked inputs, in memory (numpy)."""
    opts = options
    groups = prepared.encoded_groups()
    common = {"rows": prepared.rows, "decision_threshold": prepared.decision_threshold, "warnings": prepared.warnings}
    if prepared.task == "binary":
        boot = None
        if opts.bootstrap:
            cells = count_cells(prepared.groups)
            check_bootstrap_budget(opts.bootstrap, 4 * cells, f"{cells} groups")
            boot = ST.PoissonBootstrap(opts.bootstrap, opts.seed)
        confusion = ST.ConfusionStats.from_arrays(prepared.label, prepared.prediction, groups, bootstrap=boot)
        scores = None
        if prepared.scores is not None:
            scores = ST.ScoreStats.from_arrays(
                prepared.label, prepared.scores, groups, calibration_bins=opts.calibration_bins
            )
            if boot is not None:
                check_bootstrap_budget(opts.bootstrap, 2 * scores.value.size, "the distinct scores of every group")
                scores = ST.ScoreStats.from_arrays(
                    prepared.label, prepared.scores, groups, calibration_bins=opts.calibration_bins, bootstrap=boot
                )
        return EvaluationStats("binary", confusion=confusion, scores=scores, **common)  # type: ignore[arg-type]
    if opts.bootstrap:
        raise UsageError(
            f"the bootstrap is for binary classification; a {prepared.task} task uses closed-form intervals "
            "(leave out `bootstrap`)"
        )
    if prepared.task == "multiclass":
        classes = np.array(prepared.classes, dtype=object)
        multi = ST.MulticlassStats.from_arrays(
            classes[prepared.label], classes[prepared.prediction], groups, classes=prepared.classes
        )
        return EvaluationStats("multiclass", multiclass=multi, **common)  # type: ignore[arg-type]
    reg = ST.RegressionStats.from_arrays(prepared.label, prepared.prediction, groups)
    return EvaluationStats("regression", regression=reg, **common)  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# references


def _references(
    references: Mapping[Any, Any], attributes: tuple[str, ...], keys: Sequence[tuple[str, ...]], opts: EvaluateOptions
) -> dict[Any, Any]:
    """The user's references checked against the data, in the finaliser's form."""
    out: dict[Any, Any] = {}
    values = [sorted({k[i] for k in keys}) for i in range(len(attributes))]
    for key, value in references.items():
        attrs = (key,) if isinstance(key, str) else tuple(key)
        vals = (value,) if isinstance(value, str) else tuple(value)
        if len(attrs) != len(vals):
            raise UsageError(f"reference {attrs}: give one value per attribute")
        unknown = [a for a in attrs if a not in attributes]
        if unknown:
            raise UsageError(
                f"reference for '{unknown[0]}', which is not a sensitive attribute (sensitive: {', '.join(attributes)})"
            )
        vals = tuple(str(v) for v in vals)
        if len(attrs) == 1:
            i = attributes.index(attrs[0])
            if vals[0] not in values[i]:
                raise UsageError(
                    f"{attrs[0]}={vals[0]}: no such group; values of '{attrs[0]}': {listed(values[i], 20)}",
                    option="references",
                )
            out[attrs[0]] = vals[0]
            continue
        if set(attrs) != set(attributes) or len(attrs) != len(attributes):
            raise UsageError(
                "an intersectional reference must name every sensitive attribute: " + ", ".join(attributes)
            )
        if not opts.intersectional:
            raise UsageError("an intersectional reference needs the intersectional groups (`intersectional`)")
        pairs = dict(zip(attrs, vals))
        cell = tuple(pairs[a] for a in attributes)
        if cell not in set(keys):
            given = group_text(dict(zip(attributes, cell)), sep=",")
            raise UsageError(f"{given}: no rows in that intersection", option="references")
        out[attributes] = cell
    within = opts.intersectional and len(attributes) > 1 and opts.intersectional_reference == "within"
    if within and not any(isinstance(k, str) for k in out):
        raise UsageError(
            "`intersectional_reference` within compares each intersectional group with the reference value of "
            "an attribute within the same values of the others: give that reference in `references`, e.g. "
            f"{attributes[0]}=VALUE"
        )
    return out


# --------------------------------------------------------------------------
# statistics -> fragment


def _version() -> str:
    from modelcard import __version__

    return __version__


def finish(
    stats: EvaluationStats,
    options: EvaluateOptions,
    *,
    provenance: Mapping[str, Any] | None = None,
    thresholds_card: ThresholdCard | None = None,
) -> Fragment:
    """Finalise statistics (from any engine) into the card fragment: metrics, intervals, verdicts.

    ``options.thresholds_from`` (or the card already loaded from it,
    ``thresholds_card``) supplies the thresholds the card declares for metrics
    without their own (see :func:`~modelcard.evaluation.thresholds.card_thresholds`).
    """
    opts = options
    warnings = list(stats.warnings)
    probabilities = stats.probabilities()
    report: F.Report
    refs = _references(opts.references, stats.attributes, stats.keys, opts)
    common: dict[str, Any] = {
        "intersectional": opts.intersectional,
        "references": refs,
        "intersectional_reference": opts.intersectional_reference,
        "level": opts.confidence,
    }
    if stats.task == "binary":
        assert stats.confusion is not None
        names = metric_names(opts.metrics, "binary", have_scores=stats.scores is not None, probabilities=probabilities)
        if stats.scores is not None and not probabilities and opts.metrics is None:
            warnings.append(
                "the scores are not all in [0, 1], so they are not probabilities: Brier score, expected "
                "calibration error and calibration bins are not reported (AUC is)"
            )
        asked = [m for m in names if m in F.BINARY_METRICS or m in F.SCORE_METRICS]
        report = F.finalize_binary(
            stats.confusion,
            stats.scores if any(m in F.SCORE_METRICS for m in asked) else None,
            metrics=asked,
            ratio_method=opts.ratio_interval,
            auc_method=opts.auc_interval,
            bootstrap=bool(opts.bootstrap),
            **common,
        )
    elif stats.task == "multiclass":
        assert stats.multiclass is not None
        report = F.finalize_multiclass(stats.multiclass, ratio_method=opts.ratio_interval, **common)
        names = metric_names(opts.metrics, "multiclass", available=[d.name for d in report.metrics])
    else:
        assert stats.regression is not None
        report = F.finalize_regression(stats.regression, **common)
        names = metric_names(opts.metrics, "regression")
    judged = [n for n in names if n not in F.COUNT_METRICS]
    thresholds: Mapping[str, Any] = opts.thresholds
    origin: dict[str, Any] | None = None
    if opts.thresholds_from is not None:
        card = thresholds_card if thresholds_card is not None else opts.thresholds_from
        thresholds, taken = thresholds_with_card(thresholds, card, judged, dataset=opts.dataset)
        origin = {}
        if isinstance(opts.thresholds_from, (str, os.PathLike)):
            origin["card"] = os.path.basename(os.fspath(opts.thresholds_from))
        origin["metrics"] = taken
    checked = check_thresholds(thresholds, names, no_disparity=list(F.COUNT_METRICS))
    ctx = Context(
        options=opts,
        task=stats.task,
        rows=stats.rows,
        names=names,
        thresholds=checked,
        decision_threshold=stats.decision_threshold,
        calibration=probabilities and any(m in names for m in ("brier", "ece")),
        generator=f"modelcard evaluate {_version()}",
        provenance=dict(provenance or {}),
        thresholds_from=origin,
        warnings=tuple(warnings),
        bootstrap=opts.bootstrap if stats.task == "binary" else 0,
    )
    return build(report, ctx)


# --------------------------------------------------------------------------
# the API


def _columns_used(label: str, prediction: str | None, score: str | None, sensitive: Sequence[str]) -> list[str]:
    if isinstance(sensitive, str):
        raise UsageError("`sensitive` must be a list of column names, e.g. sensitive=['race']", option="sensitive")
    if not sensitive:
        raise UsageError("give at least one sensitive attribute column (`sensitive`)")
    twice = sorted({c for c in sensitive if list(sensitive).count(c) > 1})
    if twice:
        raise UsageError(f"sensitive attribute '{twice[0]}' is given twice")
    wanted = [label] + ([prediction] if prediction else []) + ([score] if score else []) + list(sensitive)
    dup = sorted({c for c in sensitive if wanted.count(c) > 1})
    if dup:
        raise UsageError(f"column '{dup[0]}' is used both as a sensitive attribute and as label/prediction/score")
    return wanted


def evaluate(
    columns: Mapping[str, Any],
    *,
    label: str,
    prediction: str | None = None,
    score: str | None = None,
    sensitive: Sequence[str],
    options: EvaluateOptions | None = None,
    source: Source | None = None,
    provenance: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> Fragment:
    """Evaluate predictions per group and return the card fragment.

    ``columns`` maps column names to values (numpy arrays, lists, pandas
    Series...; a pandas DataFrame is such a mapping); ``label``,
    ``prediction``, ``score`` and ``sensitive`` name the columns to use.
    Options are keyword arguments (see
    :class:`~modelcard.evaluation.options.EvaluateOptions`) or an ``options``
    object.  Without ``prediction``, ``score`` and ``score_threshold`` derive
    the predictions (score >= threshold).

    Bad options are a :class:`UsageError`, bad data a
    :class:`~modelcard.io.tabular.DataError` naming the column and row; more
    groups than ``max_groups`` is a DataError raised before any per-group work.
    """
    opts = EvaluateOptions.of(options, **kwargs)
    wanted = _columns_used(label, prediction, score, sensitive)
    check_usage(prediction, score, opts)
    absent = [c for c in wanted if c not in columns]
    if absent:
        raise UsageError(f"no column {', '.join(map(shown, absent))}; columns: {listed([str(c) for c in columns])}")
    card = None
    if opts.thresholds_from is not None:  # read first: a bad card fails before the data is touched
        card = load_threshold_card(opts.thresholds_from)
    return _evaluate(columns, label, prediction, score, sensitive, opts, source or Source(), provenance, card)


def _evaluate(
    columns: Mapping[str, Any],
    label: str,
    prediction: str | None,
    score: str | None,
    sensitive: Sequence[str],
    opts: EvaluateOptions,
    source: Source,
    provenance: Mapping[str, Any] | None,
    card: ThresholdCard | None,
) -> Fragment:
    prepared = prepare(
        columns, label=label, prediction=prediction, score=score, sensitive=list(sensitive), options=opts, source=source
    )
    stats = compute_stats(prepared, opts)
    return finish(stats, opts, provenance=provenance, thresholds_card=card)


def evaluate_file(
    path: str | os.PathLike[str],
    *,
    label: str,
    prediction: str | None = None,
    score: str | None = None,
    sensitive: Sequence[str],
    options: EvaluateOptions | None = None,
    engine: str = "auto",
    filter: Sequence[str] | str | None = None,
    spark_master: str | None = None,
    progress: bool | None = None,
    **kwargs: Any,
) -> Fragment:
    """Read a CSV or Parquet predictions file and :func:`evaluate` it (the fragment records the file's SHA-256).

    ``engine`` (``auto``, ``arrow``, ``spark``), ``filter`` and ``spark_master``: see
    :mod:`modelcard.evaluation.engines`; with ``auto`` the arrow engine reads the file (batches, flat
    memory) when pyarrow is installed, else the file is read into memory here.
    """
    from modelcard.evaluation import engines  # engine dispatch (issue 12)

    if engines.routes(path, engine, filter, spark_master):
        return engines.evaluate_source(  # type: ignore[no-any-return]
            path, label=label, prediction=prediction, score=score, sensitive=sensitive, options=options,
            engine=engine, filter=filter, spark_master=spark_master, progress=progress, **kwargs,
        )  # fmt: skip
    opts = EvaluateOptions.of(options, **kwargs)
    wanted = _columns_used(label, prediction, score, sensitive)
    check_usage(prediction, score, opts)
    card = None
    if opts.thresholds_from is not None:  # a bad card fails before the predictions are read
        card = load_threshold_card(opts.thresholds_from)
    table = read_columns(path, wanted)
    if table.rows == 0:
        raise DataError("no data rows after the header", file=table.source, line=2, code="empty")
    prov: dict[str, Any] = {
        "predictions": {"file": os.path.basename(os.fspath(path)), "sha256": _sha256(path)},
        "columns": {k: v for k, v in (("label", label), ("prediction", prediction), ("score", score)) if v}
        | {"sensitive": list(sensitive)},
    }
    if opts.positive is not None:
        prov["positive"] = opts.positive
    return _evaluate(table.columns, label, prediction, score, sensitive, opts, Source.of_table(table), prov, card)


def _sha256(path: str | os.PathLike[str]) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


__all__ = [
    "ALL_METRICS",
    "EvaluationStats",
    "Fragment",
    "compute_stats",
    "evaluate",
    "evaluate_file",
    "finish",
    "metric_names",
]
