"""``modelcard evaluate PREDICTIONS --label COL --prediction COL --sensitive COL ...``"""

from __future__ import annotations

import argparse
import sys
from typing import Any

DESCRIPTION = """Read a predictions file (CSV, or Parquet with the [parquet] extra; or a directory of
them: see --engine) and write a card
fragment (YAML): overall and per-group metrics, each with n and a confidence interval that names
its method; fairness results comparing every group with a reference group (difference = group -
reference, ratio = group / reference); best-versus-worst spreads (max - min, min / max); named
fairness criteria; calibration within groups (with probability scores); and verdicts against the
thresholds you give or a card declares (--thresholds-from CARD), none by default (not_run).
Verdicts are decided on the confidence interval: pass when it lies inside the threshold band,
fail when it lies outside, inconclusive otherwise.

Binary classification (labels and predictions 0/1, true/false, or two values with --positive),
multiclass (class labels; one-vs-rest rates and macro averages) and regression (numbers: mean
error, MAE, RMSE, R2) are told apart from the columns, or set with --task.
Layer the fragment over a card with `modelcard validate card.yaml --with FRAGMENT`, or write it
into the card with `modelcard merge card.yaml --with FRAGMENT --in-place`.

Only empty cells (and NaN/null) are missing: 'NA', 'None', 'null' are real group names unless
--na-values lists them. Missing cells are errors (for sensitive columns, unless --missing-group).
Exit status: 0 written, 1 invalid data (with file:line), 2 usage error or unreadable file."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    from modelcard.evaluation.options import (
        ADJUSTMENTS,
        AUC_INTERVALS,
        BASES,
        DEFAULTS,
        INTERSECTIONAL_REFERENCES,
        RATIO_INTERVALS,
        TASKS,
    )

    p.add_argument(
        "predictions",
        metavar="PREDICTIONS",
        help="CSV (.tsv = tab-separated) or Parquet file, or a directory of them (Hive partitions included)",
    )
    p.add_argument("--label", required=True, metavar="COL", help="column with the true labels")
    p.add_argument("--prediction", metavar="COL", help="column with the predicted labels (or values)")
    p.add_argument(
        "--score",
        metavar="COL",
        help="column with scores (adds AUC and, for probabilities in [0, 1], Brier score, expected calibration "
        "error and calibration bins; with --score-threshold, predictions are score >= T)",
    )
    p.add_argument(
        "--score-threshold",
        type=float,
        metavar="T",
        help="derive predictions as score >= T (a finite number; not with --prediction)",
    )
    p.add_argument(
        "--sensitive", action="append", required=True, metavar="COL", help="sensitive attribute column (repeatable)"
    )
    p.add_argument("--task", choices=TASKS, help="the task (default: inferred from the label and prediction columns)")
    p.add_argument(
        "--intersectional", action="store_true", help="also report groups formed by combining all sensitive attributes"
    )
    p.add_argument(
        "--positive", metavar="VALUE", help="the positive class, when labels/predictions are not 0/1 or true/false"
    )
    p.add_argument(
        "--metrics",
        metavar="LIST",
        help="comma-separated metrics to report (default: all for the task; binary: tp, fp, fn, tn, base_rate, "
        "selection_rate, accuracy, balanced_accuracy, tpr, fnr, fpr, tnr, precision, npv, fdr, for, f1, ppr, "
        "with --score auc, brier, ece, and equalized_odds)",
    )
    p.add_argument(
        "--reference",
        action="append",
        default=[],
        metavar="ATTR=VALUE",
        help="reference group of an attribute (repeatable; default: its largest group); "
        "ATTR=VALUE,ATTR=VALUE sets the intersectional reference",
    )
    p.add_argument(
        "--intersectional-reference",
        choices=INTERSECTIONAL_REFERENCES,
        default=DEFAULTS.intersectional_reference,
        help="reference of each intersectional group: 'combined' (default: the combination of each attribute's "
        "reference), 'within' (the --reference value of an attribute with the same values of the others, "
        "e.g. each race x sex group against the reference race of the same sex), or 'largest'",
    )
    p.add_argument(
        "--threshold",
        action="append",
        default=[],
        metavar="METRIC:CONVENTION:MIN:MAX",
        help="acceptable disparity range, e.g. fpr:difference:-0.1:0.1 or selection_rate:ratio:0.8: "
        "(empty bound = none; one per metric; METRIC 'all' = every metric without its own; no default)",
    )
    p.add_argument(
        "--thresholds-from",
        metavar="CARD",
        help="use the thresholds CARD declares on its fairness results and spreads (one per metric) "
        "for metrics without their own --threshold; they take precedence over 'all:'",
    )
    p.add_argument(
        "--basis",
        choices=BASES,
        default=DEFAULTS.basis,
        help="what verdicts are decided on: the confidence 'interval' (default) or the 'point' estimate "
        "(recorded in the fragment's test methodology)",
    )
    p.add_argument(
        "--adjust",
        choices=ADJUSTMENTS,
        default=DEFAULTS.adjust,
        help="multiplicity adjustment of the intervals verdicts are decided on, over the family of results "
        "judged against a threshold (default: none, and the fragment says so)",
    )
    p.add_argument(
        "--min-group-size",
        type=int,
        default=DEFAULTS.min_group_size,
        metavar="N",
        help=f"flag values computed on fewer than N instances as small_sample (default {DEFAULTS.min_group_size})",
    )
    p.add_argument(
        "--confidence",
        type=float,
        default=DEFAULTS.confidence,
        metavar="LEVEL",
        help=f"confidence level of intervals, above 0.5 and at most 0.999 (default {DEFAULTS.confidence})",
    )
    p.add_argument(
        "--auc-interval",
        choices=AUC_INTERVALS,
        default=DEFAULTS.auc_interval,
        help=f"AUC interval method (default {DEFAULTS.auc_interval})",
    )
    p.add_argument(
        "--ratio-interval",
        choices=RATIO_INTERVALS,
        default=DEFAULTS.ratio_interval,
        help=f"interval method for ratios of rates (default {DEFAULTS.ratio_interval})",
    )
    p.add_argument(
        "--calibration-bins",
        type=int,
        default=DEFAULTS.calibration_bins,
        metavar="K",
        help=f"equal-width score bins for calibration (default {DEFAULTS.calibration_bins})",
    )
    p.add_argument(
        "--bootstrap",
        type=int,
        default=DEFAULTS.bootstrap,
        metavar="N",
        help="Poisson-bootstrap replicates: percentile intervals instead of the closed forms, and an interval "
        "for the expected calibration error (binary only; default 0 = none; at most 100000)",
    )
    p.add_argument("--seed", type=int, default=DEFAULTS.seed, metavar="S", help="bootstrap seed (default 0)")
    p.add_argument(
        "--max-groups",
        type=int,
        default=DEFAULTS.max_groups,
        metavar="N",
        help="refuse (before any work) more than N groups: distinct values of a sensitive column, or "
        f"observed combinations of them (default {DEFAULTS.max_groups})",
    )
    p.add_argument(
        "--na-values",
        metavar="LIST",
        help="comma-separated cell values that mean 'missing' (default: only empty cells; 'NA', 'None', "
        "'null' are otherwise real values)",
    )
    p.add_argument(
        "--missing-group",
        metavar="LABEL",
        help="report rows with a missing sensitive value as the group LABEL, which must not be a value of the "
        "column already (default: error)",
    )
    # -- engines (issue 12): large prediction logs
    p.add_argument(
        "--engine",
        choices=("auto", "arrow", "spark"),
        default="auto",
        help="how PREDICTIONS is read: 'arrow' in record batches with flat memory (a file, a directory of "
        "Parquet/CSV files, Hive-partitioned folders included); 'spark' with Apache Spark aggregations "
        "(pip install 'modelcard[spark]', a Java runtime); 'auto' (default): arrow when pyarrow is installed",
    )
    p.add_argument(
        "--filter",
        action="append",
        default=[],
        metavar="COND",
        help="keep the rows where COND holds: COL=VALUE, COL!=VALUE, COL<VALUE (<=, >, >=) or 'COL in A,B' "
        "(repeatable: all must hold); on a partition folder column (region=eu/) it skips whole folders",
    )
    p.add_argument(
        "--spark-master",
        metavar="URL",
        help="Spark master for --engine spark (default: the active session, else local[*])",
    )
    p.add_argument("--dataset", metavar="ID", help="id of the card's dataset these predictions come from")
    p.add_argument("--split", metavar="NAME", help="split name recorded with each result")
    p.add_argument(
        "-o",
        "--output",
        default="-",
        metavar="FRAGMENT",
        help="where to write the YAML fragment (default or '-': standard output)",
    )
    p.add_argument(
        "-q", "--quiet", action="store_true", help="do not print the summary, or what was written, on standard error"
    )


def _options(args: argparse.Namespace) -> dict[str, Any]:
    """The API options the arguments give (parsed, not yet range-checked)."""
    from modelcard.diagnostics import UsageError
    from modelcard.evaluation.thresholds import parse_reference, parse_threshold

    thresholds: dict[str, dict[str, Any]] = {}
    for spec in args.threshold:
        metric, th = parse_threshold(spec)
        if metric in thresholds:
            raise UsageError(f"--threshold: '{metric}' is given twice; one threshold per metric")
        thresholds[metric] = th
    references: dict[Any, Any] = {}
    for spec in args.reference:
        attrs, values = parse_reference(spec)
        key: Any = attrs[0] if len(attrs) == 1 else attrs
        if key in references:
            raise UsageError(f"--reference: '{','.join(attrs)}' is given twice")
        references[key] = values[0] if len(values) == 1 else values
    metrics = [m.strip() for m in args.metrics.split(",") if m.strip()] if args.metrics else None
    na_values = tuple(v for v in args.na_values.split(",")) if args.na_values is not None else ()
    return {
        "task": args.task,
        "positive": args.positive,
        "score_threshold": args.score_threshold,
        "metrics": metrics,
        "intersectional": args.intersectional,
        "references": references,
        "intersectional_reference": args.intersectional_reference,
        "thresholds": thresholds,
        "thresholds_from": args.thresholds_from,
        "min_group_size": args.min_group_size,
        "confidence": args.confidence,
        "bootstrap": args.bootstrap,
        "seed": args.seed,
        "calibration_bins": args.calibration_bins,
        "adjust": args.adjust,
        "basis": args.basis,
        "auc_interval": args.auc_interval,
        "ratio_interval": args.ratio_interval,
        "max_groups": args.max_groups,
        "dataset": args.dataset,
        "split": args.split,
        "missing_group": args.missing_group,
        "na_values": na_values,
    }


def run(args: argparse.Namespace) -> int:
    import os

    from modelcard.cli import report_written
    from modelcard.evaluation.options import EvaluateOptions
    from modelcard.io.write import check_output, emit

    options = EvaluateOptions.of(**_options(args))  # checked before anything is read (exit 2)
    inputs = [args.predictions, args.thresholds_from]
    check_output(args.output, inputs)  # fail before the work, not after

    from modelcard.evaluation.pipeline import evaluate_file

    fragment = evaluate_file(
        args.predictions,
        label=args.label,
        prediction=args.prediction,
        score=args.score,
        sensitive=args.sensitive,
        options=options,
        engine=args.engine,
        filter=args.filter,
        spark_master=args.spark_master,
        progress=None if not args.quiet else False,
    )
    name = os.path.basename(os.path.normpath(args.predictions))
    header = (
        f"Generated by `modelcard evaluate` from {name}.\n"
        "Layer it over a card: modelcard validate card.yaml --with THIS_FILE"
    )
    emit(args.output, fragment.to_yaml(header), inputs=inputs)
    if not args.quiet:
        _summary(fragment.to_data(), args.output)
    report_written(args.output, "card fragment", quiet=args.quiet)
    return 0


def _summary(fragment: dict[str, Any], output: str) -> None:
    from modelcard.report import report

    sys.stderr.write(report("evaluation", fragment, "text", output=output))
