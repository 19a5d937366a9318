"""``modelcard init [PATH]``"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from modelcard.cli import add_quiet_option

DESCRIPTION = """Write a YAML card skeleton: every field carries the ABOUT ML / Model Cards
guidance question it answers as a comment, and TODO placeholders that
`modelcard validate --strict` reports until they are filled. The first line
points editors at the JSON Schema so that they find it offline: a relative path
to schemas/modelcard-<version>.schema.json when the project has one (write it
with `modelcard schema -o schemas/...`), else the schema installed with
modelcard (`modelcard schema --install-path`). With --interactive, a terminal
wizard asks the questions section by section and writes the same YAML with
your answers; Ctrl-C offers to save them, and --resume continues. An existing
file is never overwritten without --force."""

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
    p.add_argument(
        "--resume",
        action="store_true",
        help="with --interactive: continue a wizard session saved on Ctrl-C (PATH and its .PATH.wizard.json)",
    )
    p.add_argument("--force", action="store_true", help="overwrite PATH if it exists")
    p.add_argument(
        "--schema-ref",
        metavar="URL_OR_PATH",
        help="what the '# yaml-language-server: $schema=' line points at "
        "(default: relative path to the project's schemas/ file, else the schema installed with modelcard)",
    )
    add_quiet_option(p)


def state_path(target: Path) -> Path:
    """Where a wizard session saved on Ctrl-C is kept: ``.NAME.wizard.json`` beside the card."""
    return target.with_name(f".{target.name}.wizard.json")


def run(args: argparse.Namespace) -> int:
    from modelcard.authoring.skeleton import Skeleton, schema_ref_for
    from modelcard.diagnostics import UsageError
    from modelcard.io.write import check_output

    to_stdout = args.path == "-"
    target = Path(args.path)
    if args.resume and not args.interactive:
        raise UsageError("--resume continues an interactive session; add --interactive")
    resume = None
    if not to_stdout:
        if target.is_dir():
            raise UsageError(f"{target}: is a directory; give a file name, e.g. {target / DEFAULT_PATH}")
        if args.resume:
            resume = _saved_session(target, force=args.force)
        elif target.exists() and not args.force:
            raise UsageError(f"{target}: already exists; use --force to overwrite it")
        folder = target.parent if str(target.parent) else Path(".")
        if not folder.is_dir():
            raise UsageError(f"{target}: folder {folder} does not exist")
        if target.suffix.lower() not in (".yaml", ".yml"):
            raise UsageError(f"{target}: the skeleton is YAML; name the file *.yaml or *.yml")
        check_output(target)
    if args.name is not None and not args.name.strip():
        raise UsageError("--name must not be empty")
    ref = args.schema_ref or schema_ref_for(target if not to_stdout else Path(DEFAULT_PATH))

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
        wizard = Wizard(
            skel, target=str(target), resume=resume, remaining=lambda s: _left(s.text(schema_ref=ref), target)
        )
        outcome = wizard.run()
        if outcome == "abort":
            print("modelcard init: nothing written", file=sys.stderr)
            return 1
        if outcome == "save":
            _save(target, skel.text(schema_ref=ref), wizard.state(), quiet=args.quiet)
            return 130
    text = skel.text(schema_ref=ref)
    _write(args.path, text, ref, quiet=args.quiet)
    if not to_stdout:
        state_path(target).unlink(missing_ok=True)
    return 0


def _left(text: str, target: Path) -> int:
    """How many errors `modelcard validate --strict` reports for ``text`` (the card's fields left to fill in)."""
    from modelcard.card.validate import validate_document
    from modelcard.io.source import loads

    _, diagnostics = validate_document(loads(text, str(target)), strict=True)
    return sum(1 for d in diagnostics if d.severity == "error")


def _write(path: str, text: str, ref: str, *, quiet: bool) -> None:
    from modelcard.cli import emit_reported

    left = _left(text, Path(path))
    todo = f"{left} field{'s' if left != 1 else ''} left to fill in" if left else "complete"
    emit_reported(
        path,
        text,
        "card skeleton" if left else "card",
        quiet=quiet,
        detail=f"{todo} (`modelcard validate --strict {path}` lists them); editors read the schema at {ref}",
    )


def _save(target: Path, text: str, state: dict[str, Any], *, quiet: bool) -> None:
    """Write the card with the answers so far and the session beside it, for ``--resume``."""
    import hashlib
    import json

    from modelcard.io.write import write_output

    state = dict(state, card_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())
    write_output(target, text)
    write_output(state_path(target), json.dumps(state, indent=1, ensure_ascii=False) + "\n")
    if not quiet:
        print(
            f"saved the answers so far to {target}; continue with `modelcard init {target} --interactive --resume`",
            file=sys.stderr,
        )


def _saved_session(target: Path, *, force: bool) -> dict[str, Any]:
    """The session saved for ``target``; refused when there is none or the card changed since (unless ``force``)."""
    import hashlib
    import json

    from modelcard.diagnostics import UsageError
    from modelcard.io.source import read_bytes

    saved = state_path(target)
    if not saved.is_file():
        raise UsageError(
            f"{target}: no saved wizard session to resume ({saved} not found); "
            f"start one with `modelcard init {target} --interactive`"
        )
    try:
        state = json.loads(read_bytes(saved).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise UsageError(f"{saved}: not a saved wizard session (unreadable JSON); delete it and start again") from None
    if not isinstance(state, dict):
        raise UsageError(f"{saved}: not a saved wizard session; delete it and start again")
    if target.is_file() and not force:
        digest = hashlib.sha256(read_bytes(target)).hexdigest()
        if digest != state.get("card_sha256"):
            raise UsageError(
                f"{target}: changed since the wizard saved it; --resume would replace your edits "
                "(use --force to continue anyway)"
            )
    return state
