"""``modelcard check CARD [--profile ...]``"""

from __future__ import annotations

import argparse
import sys

from modelcard.cli import add_layer_options

DESCRIPTION = """Report which items of a documentation standard a card covers, as a score
and a checklist: aboutml (Partnership on AI's ABOUT ML documentation questions,
the default), modelcards (Mitchell et al.'s nine sections), datasheets (Gebru
et al.'s seven sections, asked of every dataset), eu-gpai (the Model
Documentation Form of the GPAI Code of Practice: EU AI Act Art. 53, Annexes XI
and XII; missing items listed by the form's numbers) or eu-annex-iv (Annex IV
technical documentation of high-risk systems; eu-ai-act is its former name).
Items the schema has no field for are listed as such and count as not covered.
Exit status: 0, or 1 when the card is invalid or the score is below
--min-score; 2 for usage errors."""

PROFILE_NAMES = ("aboutml", "modelcards", "datasheets", "eu-gpai", "eu-annex-iv", "eu-ai-act")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("card", metavar="CARD", help="card file (YAML or JSON)")
    p.add_argument("--profile", choices=PROFILE_NAMES, default="aboutml", help="standard to check against")
    p.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="output format (github = workflow annotations on the card file)",
    )
    p.add_argument(
        "--min-score",
        type=_score,
        metavar="X",
        help="exit 1 when the score is below X (0..1, or a percentage such as 80%%)",
    )
    add_layer_options(p)


def _score(text: str) -> float:
    raw = text.strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number between 0 and 1 (or a percentage)") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"'{text}' is outside 0..1 (or 0%..100%)")
    return value


def run(args: argparse.Namespace) -> int:
    from modelcard.analysis.completeness import assess
    from modelcard.card.validate import load_card
    from modelcard.report import report
    from modelcard.report.completeness import shortfall_text

    card = load_card(args.card, overlays=args.overlays, sets=args.sets)  # CardError -> located, exit 1
    result = assess(card, args.profile)
    print(
        report(
            "completeness",
            result,
            args.format,
            card=args.card,
            min_score=args.min_score,
            color=args.format == "text" and sys.stdout.isatty(),
        )
    )
    below = result.below(args.min_score)
    if below and args.format != "json":
        print(f"\n{shortfall_text(result, args.min_score)}", file=sys.stderr)
    return 1 if below else 0
