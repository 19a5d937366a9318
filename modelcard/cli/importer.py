"""``modelcard import [--from FORMAT] SOURCE -o CARD.yaml``"""

from __future__ import annotations

import argparse
import sys

HELP = "import a card from a Hugging Face README, Model Card Toolkit JSON or CycloneDX BOM"
DESCRIPTION = """Convert SOURCE into a modelcard YAML card. The format is detected from the
file (README .md = huggingface; JSON with bomFormat = cyclonedx; JSON with model_details = mct)
unless --from names it. Anything without a card field is kept under x-<format> keys, and each
such decision is reported as a warning on standard error. Exit status: 0 imported, 1 the source
is invalid (or had warnings, with --strict), 2 usage error or unreadable file."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", metavar="SOURCE", help="file to import")
    p.add_argument(
        "--from", dest="fmt", choices=("huggingface", "mct", "cyclonedx"), help="format of SOURCE (default: detect)"
    )
    p.add_argument("-o", "--output", metavar="CARD", help="write the card here (default or '-': standard output)")
    p.add_argument("--name", help="model name to use instead of the one derived from the source")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors: write nothing, exit 1")
    p.add_argument("-q", "--quiet", action="store_true", help="do not print warnings")


def run(args: argparse.Namespace) -> int:
    from modelcard.interop import card_yaml, import_file
    from modelcard.io.write import check_output, emit, is_stdio

    check_output(args.output, [args.source])
    result = import_file(args.source, args.fmt, name=args.name)
    if not args.quiet or args.strict:
        for w in result.warnings:
            print(str(w), file=sys.stderr)
    if args.strict and result.warnings:
        print(f"modelcard import: {len(result.warnings)} warning(s) with --strict; nothing written", file=sys.stderr)
        return 1
    emit(args.output, card_yaml(result), inputs=[args.source])
    if not is_stdio(args.output) and not args.quiet:
        n = len(result.warnings)
        print(
            f"{args.output}: imported from {args.source} ({result.format})" + (f" with {n} warning(s)" if n else ""),
            file=sys.stderr,
        )
    return 0
