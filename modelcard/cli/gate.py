"""``modelcard gate CARD``"""

from __future__ import annotations

import argparse

from modelcard.cli import add_layer_options, add_quiet_option

DESCRIPTION = """Gate a release on its card. Every fairness result (and every spread with a
verdict) must pass; every performance requirement — test_methodology.requirements
in the card plus --require on the command line — must be met. Inconclusive and
not-run results block unless allowed; a card with nothing to check fails unless
--allow-empty. Exit status: 0 gate passed, 1 gate failed or card invalid,
2 usage error or unreadable file."""

EPILOG = """requirement syntax (--require, repeatable):
  accuracy>=0.65                the overall metric (no slice), every dataset it was measured on
  fpr<=0.35                     an upper bound
  accuracy[race=Caucasian]>=0.6 the metric on one slice (attr=value, comma-separated)
  accuracy[*]>=0.6              the overall metric and every slice
  accuracy@compas-test>=0.65    only on one dataset id (@DATASET/SPLIT for one split)"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.epilog = EPILOG
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.add_argument("card", metavar="CARD", help="the card (YAML or JSON)")
    add_layer_options(p)
    p.add_argument(
        "--require",
        dest="requirements",
        action="append",
        default=[],
        metavar="EXPR",
        help="a performance requirement, e.g. 'accuracy>=0.65' (repeatable; see below)",
    )
    p.add_argument(
        "--ci-must-clear",
        action="store_true",
        help="judge requirements on the confidence interval: its lower bound must clear a "
        "minimum, its upper bound a maximum (a straddling interval is inconclusive)",
    )
    p.add_argument(
        "--allow-inconclusive",
        action="store_true",
        help="do not block on inconclusive results (interval straddles the threshold)",
    )
    p.add_argument("--allow-not-run", action="store_true", help="do not block on results marked not_run")
    p.add_argument(
        "--allow-empty",
        action="store_true",
        help="pass a card that has nothing to gate (no fairness results, no requirements)",
    )
    p.add_argument(
        "--format",
        choices=("text", "json", "markdown"),
        default="text",
        help="text (default), json (stable keys, for CI) or markdown (for PR comments)",
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the report to FILE instead of standard output ('-'; the exit status is the same)",
    )
    add_quiet_option(p)


def run(args: argparse.Namespace) -> int:
    from modelcard.analysis.gate import gate_file
    from modelcard.cli import emit_reported, flag_of
    from modelcard.io.write import check_output
    from modelcard.report import report

    inputs = [args.card, *args.overlays]
    check_output(args.output, inputs)
    result = gate_file(
        args.card,
        overlays=args.overlays,
        sets=args.sets,
        requirements=args.requirements,
        allow_inconclusive=args.allow_inconclusive,
        allow_not_run=args.allow_not_run,
        allow_empty=args.allow_empty,
        ci_must_clear=args.ci_must_clear,
        requirement_label=flag_of("requirements"),
    )
    text = report("gate", result, args.format, flag=flag_of)
    emit_reported(
        args.output,
        text if text.endswith("\n") else text + "\n",
        f"gate report, {args.format}",
        inputs=inputs,
        quiet=args.quiet,
        detail="gate passed" if result.passed else "gate FAILED",
    )
    return 0 if result.passed else 1
