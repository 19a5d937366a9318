"""``modelcard diff OLD NEW``"""

from __future__ import annotations

import argparse

from modelcard.cli import add_quiet_option

DESCRIPTION = """Compare two versions of a card. Shows which sections and fields changed
(by field path, with before/after values), which metrics moved (matched by
name, slice, dataset and split; with delta, direction from the metric's
higher_is_better, and whether the confidence intervals overlap) and which
fairness verdicts flipped or were added or removed.

Exit status: 0 when both cards load (whatever the differences), 1 when a card
is invalid, 2 usage error or unreadable file. With --exit-code: 1 when the
cards differ at all (like `git diff --exit-code`). With --fail-on-regression:
1 when a verdict got worse (e.g. pass -> fail or inconclusive), a new result
fails, a fairness result or metric was removed, or a metric worsened beyond
noise (its confidence intervals do not overlap)."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("old", metavar="OLD", help="the earlier card")
    p.add_argument("new", metavar="NEW", help="the later card")
    p.add_argument(
        "--format",
        choices=("text", "json", "markdown"),
        default="text",
        help="text (default), json (stable keys) or markdown (for PR comments)",
    )
    p.add_argument("--exit-code", action="store_true", help="exit 1 when the cards differ")
    p.add_argument(
        "--fail-on-regression", action="store_true", help="exit 1 when a verdict or metric regressed (see above)"
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the report to FILE instead of standard output ('-'); never to OLD or NEW",
    )
    add_quiet_option(p)


def run(args: argparse.Namespace) -> int:
    from modelcard.analysis.diff import diff_files
    from modelcard.cli import emit_reported
    from modelcard.io.write import check_output
    from modelcard.report import report

    inputs = [args.old, args.new]
    check_output(args.output, inputs)
    d = diff_files(args.old, args.new)
    text = report("diff", d, args.format)
    if not text.endswith("\n"):
        text += "\n"
    emit_reported(args.output, text, f"diff report, {args.format}", inputs=inputs, quiet=args.quiet)
    if args.exit_code and not d.identical:
        return 1
    if args.fail_on_regression and d.regressions:
        return 1
    return 0
