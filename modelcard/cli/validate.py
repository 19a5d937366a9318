"""``modelcard validate PATH...``"""

from __future__ import annotations

import argparse
import sys

from modelcard.cli import add_layer_options

DESCRIPTION = """Validate one or more cards (YAML or JSON). Directories are searched for
*.yaml, *.yml and *.json cards. Schema errors and the card rules on the parts
that are valid are reported in one run, in line order. Fragments (partial
cards layered with --with) are validated as fragments: files that declare
`kind: fragment` at the top, files named *.fragment.yaml|yml|json, and files
matching a --fragment pattern; their keys and types are checked, but no field
is required. Exit status: 0 all valid, 1 any invalid, 2 usage error or
unreadable file."""

#: file names validated as fragments without declaring it (besides --fragment patterns)
DEFAULT_FRAGMENT_PATTERNS = ("*.fragment.yaml", "*.fragment.yml", "*.fragment.json")

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
    p.add_argument(
        "--fragment",
        dest="fragment_patterns",
        action="append",
        default=[],
        metavar="GLOB",
        help="validate files matching GLOB (e.g. 'metrics/*.yaml', matched against the path and the file name) "
        "as fragments; repeatable (files declaring 'kind: fragment' and *.fragment.yaml are fragments anyway)",
    )
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


def is_fragment(path: str, patterns: list[str]) -> bool:
    """Whether ``path`` is validated as a fragment: a pattern matches it, or it declares ``kind: fragment``."""
    import fnmatch
    from pathlib import PurePath

    if path == "-":
        return False
    posix = PurePath(path).as_posix()
    name = PurePath(path).name
    for pattern in (*DEFAULT_FRAGMENT_PATTERNS, *patterns):
        if fnmatch.fnmatch(posix, pattern) or fnmatch.fnmatch(name, pattern) or PurePath(posix).match(pattern):
            return True
    from modelcard.card.partial import declares_fragment
    from modelcard.io.write import open_regular

    try:
        with open_regular(path) as f:
            head = f.read(1 << 20)
    except Exception:
        return False  # unreadable: validated (and reported) as a card
    return declares_fragment(head)


def run(args: argparse.Namespace) -> int:
    from modelcard.cli import start_up

    with start_up():  # validate's start is what pre-commit hooks wait for
        from modelcard.card.validate import validate_files
        from modelcard.report import report

    files = expand_paths(args.paths)
    if not files:
        print("modelcard validate: no card files found in " + ", ".join(args.paths), file=sys.stderr)
        return 2
    fragments = {f for f in files if is_fragment(f, args.fragment_patterns)}
    cards = [f for f in files if f not in fragments]
    by_file = dict(
        zip(cards, validate_files(cards, strict=args.strict, overlays=args.overlays, sets=args.sets, jobs=args.jobs))
    )
    if fragments:
        from modelcard.card.partial import validate_fragment_file

        by_file.update((f, validate_fragment_file(f, strict=args.strict)) for f in fragments)
    reports = [by_file[f] for f in files]
    text = report("validation", reports, args.format, quiet=args.quiet)
    if text:
        print(text)
    if any(r.unreadable for r in reports):
        return 2
    return 0 if all(r.ok for r in reports) else 1
