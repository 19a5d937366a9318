"""``modelcard merge CARD --with FRAGMENT... [--set KEY=VALUE...] [-o OUT]``"""

from __future__ import annotations

import argparse

from modelcard.cli import add_layer_options

HELP = "layer fragments and --set values over a card and write the merged card"
DESCRIPTION = """Materialise a layered card: deep-merge card fragments (e.g. metrics and
fairness results written by an evaluation job) into a hand-written card, apply
--set values, validate the result and write it as one card, keys in schema
order. Nothing is written when the merged card is invalid. Exit status:
0 written, 1 merged card invalid, 2 usage error or unreadable file."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("card", metavar="CARD", help="the base card (YAML or JSON)")
    add_layer_options(p)
    p.add_argument("-o", "--output", metavar="OUT",
                   help="write to OUT (YAML, or JSON when OUT ends in .json) instead of standard output")
    p.add_argument("--format", choices=("yaml", "json"),
                   help="output format (default: from the -o suffix, else yaml)")
    p.add_argument("--strict", action="store_true",
                   help="refuse to write unless the merged card also passes validate --strict")


def run(args: argparse.Namespace) -> int:
    import sys

    from modelcard.diagnostics import CardError
    from modelcard.serialize import card_text
    from modelcard.validation import load_document, validate_document

    doc = load_document(args.card, args.overlays, args.sets)
    card, diagnostics = validate_document(doc, strict=args.strict)
    errors = [d for d in diagnostics if d.severity == "error"]
    if card is None or errors:
        raise CardError(errors or diagnostics)
    for d in diagnostics:  # warnings: still written, but said
        print(str(d), file=sys.stderr)
    fmt = args.format or ("json" if (args.output or "").lower().endswith(".json") else "yaml")
    sources = " + ".join([args.card, *args.overlays] + [f"--set {s}" for s in args.sets])
    header = f"Merged by `modelcard merge` from {sources}.\nEdit the sources, not this file."
    text = card_text(doc.data, fmt, header=header)
    if args.output:
        from modelcard.fileio import atomic_write

        atomic_write(args.output, text)
    else:
        sys.stdout.write(text)
    return 0
