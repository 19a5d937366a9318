"""``modelcard evaluate PREDICTIONS --label COL --prediction COL --sensitive COL ...``"""

from __future__ import annotations

import argparse
import sys

HELP = "compute per-group metrics and fairness results from a predictions file (writes a card fragment)"
DESCRIPTION = """Read a predictions file (CSV, or Parquet with the [parquet] extra) and write a card
fragment (YAML) with overall and per-group metrics (selection_rate, accuracy, tpr, fnr, fpr,
tnr, precision, and auc with --score), each with n and a confidence interval; fairness results
comparing every group with a reference group (difference and ratio); best-versus-worst spreads;
and verdicts against the thresholds you give, or that a card declares (--thresholds-from CARD);
none by default: verdicts are then not_run.
Layer the fragment over a card with `modelcard validate card.yaml --with FRAGMENT` or
`modelcard render card.yaml --with FRAGMENT`.

Labels and predictions must be 0/1 or true/false, or two values with --positive naming the
positive one. Missing cells are errors (for sensitive columns, unless --missing-group).
Exit status: 0 written, 1 invalid data (with file:line), 2 usage error or unreadable file."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("predictions", metavar="PREDICTIONS", help="CSV (.tsv = tab-separated) or Parquet file")
    p.add_argument("--label", required=True, metavar="COL", help="column with the true labels")
    p.add_argument("--prediction", metavar="COL", help="column with the predicted labels")
    p.add_argument(
        "--score",
        metavar="COL",
        help="column with scores (adds AUC; with --score-threshold, "
        "predictions are score >= T when --prediction is not given)",
    )
    p.add_argument("--score-threshold", type=float, metavar="T", help="decision threshold on --score (a finite number)")
    p.add_argument(
        "--sensitive", action="append", required=True, metavar="COL", help="sensitive attribute column (repeatable)"
    )
    p.add_argument(
        "--intersectional", action="store_true", help="also report groups formed by combining all sensitive attributes"
    )
    p.add_argument(
        "--positive", metavar="VALUE", help="the positive class, when labels/predictions are not 0/1 or true/false"
    )
    p.add_argument(
        "--metrics",
        metavar="LIST",
        help="comma-separated metrics to report (default: all of selection_rate, accuracy, tpr, fnr, "
        "fpr, tnr, precision, and auc with --score)",
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
        "--threshold",
        action="append",
        default=[],
        metavar="METRIC:CONVENTION:MIN:MAX",
        help="acceptable disparity range, e.g. fpr:difference:-0.1:0.1 or selection_rate:ratio:0.8: "
        "(empty bound = none; one per metric; METRIC 'all' = every metric without its own; "
        "no default)",
    )
    p.add_argument(
        "--thresholds-from",
        metavar="CARD",
        help="use the thresholds CARD declares on its fairness results and spreads (one per metric) "
        "for metrics without their own --threshold; they take precedence over 'all:'",
    )
    p.add_argument(
        "--min-group-size",
        type=int,
        default=30,
        metavar="N",
        help="flag values computed on fewer than N instances as small_sample (default 30)",
    )
    p.add_argument(
        "--confidence",
        type=float,
        default=0.95,
        metavar="LEVEL",
        help="confidence level of intervals, between 0 and 1 (default 0.95)",
    )
    p.add_argument(
        "--bootstrap",
        type=int,
        default=1000,
        metavar="N",
        help="bootstrap resamples for AUC and ratio intervals (default 1000; 0 = none; at most 100000)",
    )
    p.add_argument("--seed", type=int, default=0, metavar="S", help="bootstrap seed (default 0)")
    p.add_argument(
        "--max-groups",
        type=int,
        metavar="N",
        help="refuse (before any work) more than N groups: distinct values of a sensitive column, or "
        "observed combinations of them (default 10000)",
    )
    p.add_argument("--dataset", metavar="ID", help="id of the card's dataset these predictions come from")
    p.add_argument("--split", metavar="NAME", help="split name recorded with each result")
    p.add_argument(
        "--missing-group",
        metavar="LABEL",
        help="report rows with a missing sensitive value as the group LABEL (default: error)",
    )
    p.add_argument(
        "-o",
        "--output",
        default="-",
        metavar="FRAGMENT",
        help="where to write the YAML fragment (default or '-': standard output)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="do not print the summary on standard error")


def run(args: argparse.Namespace) -> int:
    import os

    from modelcard.diagnostics import UsageError
    from modelcard.evaluation.pipeline import (
        check_option,
        dump_fragment,
        evaluate_file,
        parse_reference,
        parse_threshold,
    )
    from modelcard.io.write import check_output, emit

    for option in ("confidence", "bootstrap", "min_group_size", "seed", "max_groups", "score_threshold"):
        value = getattr(args, option)
        if value is not None:  # range-checked before anything is read (exit 2)
            check_option(option, value, flag="--" + option.replace("_", "-"))
    thresholds: dict[str, dict] = {}
    for spec in args.threshold:
        metric, th = parse_threshold(spec)
        if metric in thresholds:
            raise UsageError(f"--threshold: '{metric}' is given twice; one threshold per metric")
        thresholds[metric] = th
    references: dict = {}
    for spec in args.reference:
        attrs, values = parse_reference(spec)
        key = attrs[0] if len(attrs) == 1 else attrs
        if key in references:
            raise UsageError(f"--reference: '{','.join(attrs)}' is given twice")
        references[key] = values[0] if len(values) == 1 else values
    metrics = [m.strip() for m in args.metrics.split(",") if m.strip()] if args.metrics else None
    inputs = [args.predictions, args.thresholds_from]
    check_output(args.output, inputs)  # fail before the work, not after
    provenance: dict = {}
    if args.thresholds_from:  # read before the predictions: a bad card fails fast
        from modelcard.evaluation.pipeline import metric_names, thresholds_with_card

        names = metric_names(metrics, args.score is not None)
        thresholds, taken = thresholds_with_card(thresholds, args.thresholds_from, names, dataset=args.dataset)
        provenance["thresholds_from"] = {"card": os.path.basename(args.thresholds_from), "metrics": taken}

    fragment = evaluate_file(
        args.predictions,
        label=args.label,
        prediction=args.prediction,
        score=args.score,
        sensitive=args.sensitive,
        positive=args.positive,
        score_threshold=args.score_threshold,
        metrics=metrics,
        intersectional=args.intersectional,
        references=references,
        thresholds=thresholds,
        min_group_size=args.min_group_size,
        confidence=args.confidence,
        bootstrap=args.bootstrap,
        seed=args.seed,
        dataset=args.dataset,
        split=args.split,
        missing_group=args.missing_group,
        provenance=provenance,
        **({} if args.max_groups is None else {"max_groups": args.max_groups}),
    )

    name = os.path.basename(args.predictions)
    header = (
        f"Generated by `modelcard evaluate` from {name}.\n"
        "Layer it over a card: modelcard validate card.yaml --with THIS_FILE"
    )
    emit(args.output, dump_fragment(fragment, header=header), inputs=inputs)
    if not args.quiet:
        _summary(fragment, args.output)
    return 0


def _summary(fragment: dict, output: str) -> None:
    from collections import Counter

    from modelcard.safe_text import neutralise

    class out:  # group labels come from the predictions file: never let them drive the terminal
        @staticmethod
        def write(text: str) -> None:
            sys.stderr.write(neutralise(text, terminal=True))

    info = fragment.get("x-evaluate", {})
    for ref in info.get("reference_groups", []):
        group = ", ".join(f"{k}={v}" for k, v in ref["group"].items())
        print(f"reference {group}: {ref['why']}", file=out)
    small = sorted(
        {tuple(m["slice"].items()) for m in fragment.get("metrics", []) if m.get("small_sample") and m.get("slice")}
    )
    if small:
        shown = "; ".join(", ".join(f"{k}={v}" for k, v in s) for s in small[:8])
        print(
            f"small samples (n < {info.get('min_group_size')}) in {len(small)} group(s): {shown}"
            + (" ..." if len(small) > 8 else ""),
            file=out,
        )
    if "thresholds_from" in info:
        taken = info["thresholds_from"]["metrics"]
        print(
            f"thresholds from {info['thresholds_from']['card']}: "
            + (", ".join(taken) if taken else "none declared for the metrics evaluated"),
            file=out,
        )
    results = fragment.get("fairness", {}).get("results", [])
    verdicts = Counter(r["verdict"] for r in results)
    text = ", ".join(f"{v} {verdicts[v]}" for v in ("pass", "fail", "inconclusive", "not_run") if verdicts[v])
    where = "standard output" if output == "-" else output
    print(
        f"{len(fragment.get('metrics', []))} metric values and {len(results)} fairness results "
        f"({text or 'none'}) written to {where}",
        file=out,
    )
