"""``modelcard export CARD --to FORMAT -o OUT``"""

from __future__ import annotations

import argparse

from modelcard.cli import add_layer_options

HELP = "export a card as a Hugging Face README, CycloneDX 1.6 ML-BOM or SPDX 3.0 AI package"
DESCRIPTION = """Export a validated card. huggingface: README.md with YAML front matter
(model-index from metrics) and Markdown sections; what the README cannot express is embedded
under the 'modelcard' front-matter key unless --no-embed. cyclonedx: CycloneDX 1.6 JSON BOM
with a machine-learning-model component and its modelCard. spdx: SPDX 3.0.1 JSON-LD with an
ai_AIPackage. Output is deterministic (set SOURCE_DATE_EPOCH to pin the timestamp).
Exit status: 0 written, 1 invalid card, 2 usage error or unreadable file."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("card", metavar="CARD", help="card file (YAML or JSON)")
    p.add_argument(
        "--to", dest="fmt", required=True, choices=("huggingface", "cyclonedx", "spdx"), help="output format"
    )
    p.add_argument("-o", "--output", metavar="OUT", help="write here (default or '-': standard output)")
    add_layer_options(p)
    p.add_argument(
        "--no-embed", action="store_true", help="huggingface: do not embed the fields a README cannot express"
    )


def run(args: argparse.Namespace) -> int:
    from modelcard.card.validate import load_card
    from modelcard.interop import export_card
    from modelcard.io.write import check_output, emit

    inputs = [args.card, *args.overlays]
    check_output(args.output, inputs)
    card = load_card(args.card, overlays=args.overlays, sets=args.sets)
    emit(args.output, export_card(card, args.fmt, embed=not args.no_embed), inputs=inputs)
    return 0
