"""``modelcard init [PATH]``"""

from __future__ import annotations

import argparse
import sys

HELP = "write a card skeleton to fill by hand (or interactively)"
DESCRIPTION = """Write a YAML card skeleton: every field carries the ABOUT ML / Model Cards
guidance question it answers as a comment, and TODO placeholders that
`modelcard validate --strict` reports until they are filled. The first line
points editors at the JSON Schema (a relative path when a schemas/ folder with
the schema is found above PATH, else the published URL). With --interactive,
a terminal wizard asks the questions section by section and writes the same
YAML with your answers. An existing file is never overwritten without --force."""

DEFAULT_PATH = "modelcard.yaml"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "path",
        nargs="?",
        default=DEFAULT_PATH,
        metavar="PATH",
        help=f"file to write (default: {DEFAULT_PATH}; '-' for standard output)",
    )
    p.add_argument("--name", help="model name to fill in")
    p.add_argument(
        "-i", "--interactive", action="store_true", help="ask the questions in the terminal and fill in the answers"
    )
    p.add_argument("--force", action="store_true", help="overwrite PATH if it exists")
    p.add_argument(
        "--schema-ref",
        metavar="URL_OR_PATH",
        help="what the '# yaml-language-server: $schema=' line points at "
        "(default: relative path to a local schemas/ file, else the published URL)",
    )


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from modelcard.authoring.skeleton import Skeleton, schema_ref_for
    from modelcard.diagnostics import UsageError
    from modelcard.io.write import check_output, emit

    to_stdout = args.path == "-"
    target = Path(args.path)
    if not to_stdout:
        if target.is_dir():
            raise UsageError(f"{target}: is a directory; give a file name, e.g. {target / DEFAULT_PATH}")
        if target.exists() and not args.force:
            raise UsageError(f"{target}: already exists; use --force to overwrite it")
        folder = target.parent if str(target.parent) else Path(".")
        if not folder.is_dir():
            raise UsageError(f"{target}: folder {folder} does not exist")
        if target.suffix.lower() not in (".yaml", ".yml"):
            raise UsageError(f"{target}: the skeleton is YAML; name the file *.yaml or *.yml")
        check_output(target)
    if args.name is not None and not args.name.strip():
        raise UsageError("--name must not be empty")
    ref = args.schema_ref or (schema_ref_for(target) if not to_stdout else None)
    if ref is None:
        from modelcard.schema.models import SCHEMA_ID

        ref = SCHEMA_ID

    skel = Skeleton(name=args.name)
    if args.interactive:
        from modelcard.authoring.wizard import Wizard

        if to_stdout:
            raise UsageError("--interactive writes a file; give PATH instead of '-'")
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise UsageError(
                "--interactive needs a terminal (stdin and stdout are not a TTY); "
                "run `modelcard init` without --interactive and edit the file instead"
            )
        if not Wizard(skel, target=str(target)).run():
            print("modelcard init: nothing written", file=sys.stderr)
            return 1
    emit(args.path, skel.text(schema_ref=ref))
    if to_stdout or not target.is_file():  # standard output, a device or a FIFO: nothing to re-read
        return 0
    from modelcard.card.validate import validate_file

    left = len(validate_file(target, strict=True).errors)
    todo = f"{left} field{'s' if left != 1 else ''} left to fill in" if left else "complete"
    print(
        f"wrote {target} ({todo}); `modelcard validate --strict {target}` lists what is missing, "
        f"`modelcard check {target}` scores it",
        file=sys.stderr,
    )
    return 0
