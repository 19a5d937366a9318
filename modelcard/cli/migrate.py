"""``modelcard migrate CARD [-o OUT | --in-place]``"""

from __future__ import annotations

import argparse

from modelcard.cli import add_quiet_option, flag_text

DESCRIPTION = """Upgrade a card written for an earlier schema version (1.0) to the current one:
set card.schema_version, recompute every stated fairness verdict from the card's
own numbers under the current verdict rule (a disparity whose interval covers the
band, or that has no interval, is inconclusive unless test_methodology.verdict_basis
is point), rewrite doi: links as https://doi.org/ links and move other links that
are no longer allowed (ftp:, s3:...) into an x-original-<field> key. One line per
change goes to standard error. The card's comments, key order and layout are kept.
Nothing is written when the migrated card is invalid. Migrating twice changes
nothing more. Exit status: 0 done, 1 the card is invalid, 2 usage error or
unreadable file."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("card", metavar="CARD", help="the card to upgrade (YAML or JSON; '-' for standard input)")
    p.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="write the upgraded card to OUT instead of standard output ('-'); never over CARD (see --in-place); "
        "JSON when OUT ends in .json, else YAML",
    )
    p.add_argument(
        "-i",
        "--in-place",
        action="store_true",
        help="upgrade CARD itself, keeping its comments and formatting; only changed values are rewritten",
    )
    add_quiet_option(p, "do not say what was written (the changes are still listed)")


def run(args: argparse.Namespace) -> int:
    import sys

    from modelcard.card.migrate import migrate_text
    from modelcard.cli import emit_reported
    from modelcard.diagnostics import UsageError
    from modelcard.io.inplace import is_json
    from modelcard.io.serialize import card_text
    from modelcard.io.source import decode, display_name, read_bytes
    from modelcard.io.write import check_output, is_stdio, write_output

    if args.in_place:
        if args.output is not None:
            raise UsageError("--in-place upgrades CARD itself; it cannot be combined with -o")
        if is_stdio(args.card):
            raise UsageError("--in-place needs CARD to be a file, not standard input")
        check_output(args.card)  # a read-only card, a directory, a device...
    else:
        check_output(args.output, [args.card])
    raw = read_bytes(args.card)  # read once: what is migrated is what is written back
    name = display_name(args.card)
    result = migrate_text(decode(raw, name), name)
    if result.layout_lost and args.in_place:  # nothing is written: say so before listing any change
        raise UsageError(f"{name}: {result.layout_lost}; write the migrated card elsewhere with -o")
    for d in [*result.changes, *result.warnings]:
        print(flag_text(str(d)), file=sys.stderr)
    if result.layout_lost:
        print(f"{name}: written anew, comments not kept: {result.layout_lost}", file=sys.stderr)
    if args.in_place:
        if not result.changed:
            print(f"{name}: already at schema {result.to_version}; not rewritten", file=sys.stderr)
            return 0
        bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
        write_output(args.card, bom + result.text.encode("utf-8"))
        if not args.quiet:
            print(
                f"{name}: migrated in place ({len(result.changes)} change{'s' if len(result.changes) != 1 else ''})",
                file=sys.stderr,
            )
        return 0
    text = result.text
    out_json = (args.output or "").lower().endswith(".json")
    if args.output and not is_stdio(args.output) and out_json != is_json(text, name):
        text = card_text(result.data, "json" if out_json else "yaml")  # another format: written anew
    if not result.changed:
        print(f"{name}: already at schema {result.to_version}; nothing to change", file=sys.stderr)
    changes = len(result.changes)
    emit_reported(
        args.output,
        text,
        f"card, schema {result.to_version}",
        inputs=[args.card],
        quiet=args.quiet,
        detail=f"{changes} change{'s' if changes != 1 else ''}",
    )
    return 0
