"""``modelcard merge CARD --with FRAGMENT... [--set KEY=VALUE...] [-o OUT]``"""

from __future__ import annotations

import argparse
from typing import Literal

from modelcard.cli import add_layer_options, add_quiet_option, flag_text

DESCRIPTION = """Materialise a layered card: deep-merge card fragments (e.g. metrics and
fairness results written by an evaluation job) into a hand-written card, apply
--set values, validate the result and write it as one card, keys in schema
order. Nothing is written when the merged card is invalid.

With --in-place the card itself is updated instead: only what the fragments and
--set values change is rewritten; comments, key order, quoting and layout of
everything else stay byte for byte (new keys go after their predecessor in
schema order; JSON cards keep their indentation and key order). Exit status:
0 written, 1 merged card invalid, 2 usage error or unreadable file."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("card", metavar="CARD", help="the base card (YAML or JSON)")
    add_layer_options(p)
    p.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="write to OUT (YAML, or JSON when OUT ends in .json) instead of standard output ('-'); "
        "never over CARD or a fragment (see --in-place)",
    )
    p.add_argument(
        "-i",
        "--in-place",
        action="store_true",
        help="update CARD itself, keeping its comments and formatting; only changed values are rewritten",
    )
    p.add_argument("--format", choices=("yaml", "json"), help="output format (default: from the -o suffix, else yaml)")
    p.add_argument(
        "--strict", action="store_true", help="refuse to write unless the merged card also passes validate --strict"
    )
    add_quiet_option(p, "do not say what was written (warnings are still printed)")


def run(args: argparse.Namespace) -> int:
    import sys

    from modelcard.analysis.merge import merge_files, update_in_place
    from modelcard.cli import emit_reported
    from modelcard.diagnostics import UsageError
    from modelcard.io.write import check_output, is_stdio

    if args.in_place:
        if args.output is not None:
            raise UsageError("--in-place updates CARD itself; it cannot be combined with -o")
        if args.format is not None:
            raise UsageError("--in-place keeps CARD's own format; it cannot be combined with --format")
        if is_stdio(args.card):
            raise UsageError("--in-place needs CARD to be a file, not standard input")
        check_output(args.card, args.overlays)  # a fragment that is the card itself, a read-only card...
    else:
        check_output(args.output, [args.card, *args.overlays])
    result = merge_files(args.card, args.overlays, args.sets, strict=args.strict)
    for d in result.warnings:  # warnings: still written, but said
        print(flag_text(str(d)), file=sys.stderr)
    if args.in_place:
        if update_in_place(args.card, result):
            if not args.quiet:
                print(f"{args.card}: updated in place", file=sys.stderr)
        elif not args.quiet:
            print(f"{args.card}: already up to date; not rewritten", file=sys.stderr)
        return 0
    json_out = args.format == "json" or (args.format is None and (args.output or "").lower().endswith(".json"))
    fmt: Literal["yaml", "json"] = "json" if json_out else "yaml"
    sources = " + ".join([args.card, *args.overlays] + [f"--set {s}" for s in args.sets])
    header = f"Merged by `modelcard merge` from {sources}.\nEdit the sources, not this file."
    emit_reported(
        args.output,
        result.text(fmt, header=header),
        f"merged card, {fmt}",
        inputs=[args.card, *args.overlays],
        quiet=args.quiet,
    )
    return 0
