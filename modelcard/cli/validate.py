"""``modelcard validate PATH...``"""

from __future__ import annotations

import argparse
import sys

from modelcard.cli import add_layer_options

HELP = "check cards against the schema and the card rules"
DESCRIPTION = """Validate one or more cards (YAML or JSON). Directories are searched for
*.yaml, *.yml and *.json cards. Exit status: 0 all valid, 1 any invalid,
2 usage error or unreadable file."""

CARD_SUFFIXES = (".yaml", ".yml", ".json")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="card files or directories")
    p.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="output format (github = workflow annotations)",
    )
    p.add_argument(
        "--strict", action="store_true", help="also fail on missing recommended fields, placeholders and warnings"
    )
    add_layer_options(p)
    p.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    p.add_argument(
        "-j",
        "--jobs",
        type=_positive_int,
        default=None,
        metavar="N",
        help="worker processes for large batches (default: one per CPU core from 64 cards on; 1 = no workers)",
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def expand_paths(paths: list[str]) -> list[str]:
    """Files as given; directories expanded to the card files below them, sorted."""
    from pathlib import Path

    out: list[str] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            out.extend(str(f) for f in sorted(p.rglob("*")) if f.suffix.lower() in CARD_SUFFIXES and f.is_file())
        else:
            out.append(raw)
    return out


def run(args: argparse.Namespace) -> int:
    from modelcard.card.validate import validate_files
    from modelcard.report.diagnostics import FORMATTERS

    files = expand_paths(args.paths)
    if not files:
        print("modelcard validate: no card files found in " + ", ".join(args.paths), file=sys.stderr)
        return 2
    reports = validate_files(files, strict=args.strict, overlays=args.overlays, sets=args.sets, jobs=args.jobs)
    fmt = args.format
    text = FORMATTERS[fmt](reports, quiet=args.quiet) if fmt == "text" else FORMATTERS[fmt](reports)
    if text:
        print(text)
    if any(r.unreadable for r in reports):
        return 2
    return 0 if all(r.ok for r in reports) else 1
