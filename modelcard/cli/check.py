"""``modelcard check CARD [--profile ...]``"""

from __future__ import annotations

import argparse
import sys

from modelcard.cli import add_layer_options

HELP = "score how completely a card covers a documentation standard"
DESCRIPTION = """Report which items of a documentation standard a card covers, as a score
and a checklist: aboutml (Partnership on AI's ABOUT ML documentation questions,
the default), modelcards (Mitchell et al.'s nine sections), datasheets (Gebru
et al.'s seven sections, asked of every dataset) or eu-ai-act (Annex IV
technical documentation). Items the schema has no field for are listed as
such and count as not covered. Exit status: 0, or 1 when the card is invalid
or the score is below --min-score; 2 for usage errors."""

PROFILE_NAMES = ("aboutml", "modelcards", "datasheets", "eu-ai-act")


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


def format_text(result, *, color: bool = False) -> str:
    """The checklist as text: score line, then one ✓/✗ line per item."""

    def paint(code: str, s: str) -> str:
        return f"\033[{code}m{s}\033[0m" if color else s

    lines = [f"{result.title}: {result.covered}/{result.total} items covered ({result.score:.0%})"]
    if result.reference:
        lines.append(f"  {result.reference}")
    lines.append("")
    for item in result.items:
        mark = paint("32", "✓") if item.covered else paint("31", "✗")
        lines.append(f"{mark} {item.title}")
        if item.covered:
            shown = item.fields[:4]
            more = f", … (+{len(item.fields) - 4})" if len(item.fields) > 4 else ""
            lines.append(f"    from {', '.join(shown)}{more}")
        elif not item.coverable:
            lines.append(f"    {item.question}")
            lines.append(f"    not expressible in this card: {item.note}")
        else:
            lines.append(f"    {item.question}")
            lines.append(f"    missing: {'; '.join(item.missing)}")
            if item.note:
                lines.append(f"    note: {item.note}")
    uncoverable = result.total - result.coverable
    if uncoverable:
        lines.append("")
        lines.append(
            f"{uncoverable} item{'s' if uncoverable != 1 else ''} of this standard cannot be "
            f"expressed in the card schema; the highest reachable score is "
            f"{result.coverable / result.total:.0%}."
        )
    return "\n".join(lines)


def format_github(result, card: str, below: bool) -> str:
    """GitHub Actions annotations: a notice with the score, a warning per item not covered."""
    from modelcard.report.diagnostics import _escape_github as esc

    title = esc(f"modelcard check {result.profile}", prop=True)
    where = f"file={esc(card, prop=True)}"
    level = "error" if below else "notice"
    lines = [
        f"::{level} {where},title={title}::"
        + esc(f"{result.title}: {result.covered}/{result.total} items covered ({result.score:.0%})")
    ]
    for item in result.items:
        if item.covered:
            continue
        why = f"missing {'; '.join(item.missing)}" if item.coverable else f"not expressible: {item.note}"
        lines.append(f"::warning {where},title={title}::" + esc(f"{item.title}: {why}"))
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    import json

    from modelcard.analysis.completeness import assess
    from modelcard.card.validate import load_card

    card = load_card(args.card, overlays=args.overlays, sets=args.sets)  # CardError -> located, exit 1
    result = assess(card, args.profile)
    below = args.min_score is not None and result.score + 1e-12 < args.min_score
    if args.format == "json":
        data = result.to_dict()
        data["card"] = args.card
        if args.min_score is not None:
            data["min_score"] = args.min_score
            data["passed"] = not below
        print(json.dumps(data, indent=2, ensure_ascii=False))
    elif args.format == "github":
        print(format_github(result, args.card, below))
    else:
        print(format_text(result, color=sys.stdout.isatty()))
    if below and args.format != "json":
        print(f"\nscore {result.score:.0%} is below the required {args.min_score:.0%}", file=sys.stderr)
    return 1 if below else 0
