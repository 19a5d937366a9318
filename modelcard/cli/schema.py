"""``modelcard schema``"""

from __future__ import annotations

import argparse

from modelcard.cli import add_quiet_option

DESCRIPTION = """Print the JSON Schema of a card (generated from the Pydantic models), or write
it with -o (missing folders are created: `modelcard schema -o schemas/modelcard-1.1.schema.json`
vendors it into a project, and `modelcard init` then points new cards at it). --install-path
prints where the schema installed with modelcard lives, for editor settings that need a file."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    out = p.add_mutually_exclusive_group()
    out.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write to FILE instead of standard output ('-'), creating missing folders",
    )
    out.add_argument(
        "--install-path",
        action="store_true",
        help="print the path of the schema file installed with modelcard (works offline) and exit",
    )
    add_quiet_option(p)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from modelcard.cli import emit_reported
    from modelcard.diagnostics import UnreadableError, UsageError
    from modelcard.io.write import check_output, is_stdio
    from modelcard.schema.jsonschema import schema_path, schema_text

    if args.install_path:
        installed = schema_path().resolve()
        if not installed.is_file():
            raise UnreadableError(f"{installed}: the installed schema is missing; reinstall modelcard")
        print(installed)
        return 0
    if not is_stdio(args.output):
        folder = Path(args.output).parent
        if not folder.exists() and not folder.is_symlink():
            try:
                folder.mkdir(parents=True)
            except OSError as exc:
                raise UsageError(f"{args.output}: cannot create folder {folder}: {exc.strerror or exc}") from None
    check_output(args.output)
    emit_reported(args.output, schema_text(), "JSON Schema", quiet=args.quiet)
    return 0
