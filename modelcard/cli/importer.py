"""``modelcard import [--from FORMAT] SOURCE -o CARD.yaml``"""

from __future__ import annotations

import argparse
import sys

from modelcard.interop.base import import_formats

DESCRIPTION = """Convert SOURCE into a modelcard YAML card. The format is detected from the
file (README .md = huggingface; JSON with bomFormat = cyclonedx; JSON with model_details = mct;
.csv = fairlearn) unless --from names it. fairlearn reads MetricFrame.by_group saved with
to_csv() or to_json() and writes a fragment (per-group metrics) to merge into a card with
`modelcard merge CARD --with FRAGMENT`. Anything without a card field is kept under x-<format>
keys, and each such decision is reported as a warning on standard error. Exit status: 0 imported,
1 the source is invalid or not in that format (or had warnings, with --strict), 2 usage error or
unreadable file."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", metavar="SOURCE", help="file to import")
    p.add_argument("--from", dest="fmt", choices=import_formats(), help="format of SOURCE (default: detect)")
    p.add_argument("-o", "--output", metavar="CARD", help="write the card here (default or '-': standard output)")
    p.add_argument("--name", help="model name to use instead of the one derived from the source")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors: write nothing, exit 1")
    p.add_argument("-q", "--quiet", action="store_true", help="do not print warnings or what was written")


def run(args: argparse.Namespace) -> int:
    from modelcard.cli import flag_text, report_written
    from modelcard.interop import card_yaml, import_file
    from modelcard.io.write import check_output, emit

    check_output(args.output, [args.source])
    result = import_file(args.source, args.fmt, name=args.name)
    if not args.quiet or args.strict:
        for w in result.warnings:
            print(flag_text(str(w)), file=sys.stderr)
    if args.strict and result.warnings:
        print(f"modelcard import: {len(result.warnings)} warning(s) with --strict; nothing written", file=sys.stderr)
        return 1
    emit(args.output, card_yaml(result), inputs=[args.source])
    n = len(result.warnings)
    report_written(
        args.output,
        "fragment" if result.fragment else "card",
        quiet=args.quiet,
        detail=f"imported from {args.source} ({result.format})" + (f" with {n} warning(s)" if n else ""),
    )
    return 0
