"""The ``modelcard`` command line: a thin layer over the Python API.

Each sub-command lives in its own module under ``modelcard.cli`` and exposes
``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``.
Command modules import only ``argparse`` at module level; the API they call
is imported inside ``run`` so that a fast command never pays for a slow one
(``validate`` does not import Jinja or WeasyPrint).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

#: sub-command name -> module, in the order ``--help`` lists them
COMMANDS = {
    "validate": "modelcard.cli.validate",
    "check": "modelcard.cli.check",
    "schema": "modelcard.cli.schema",
    "init": "modelcard.cli.init",
    "render": "modelcard.cli.render",
    "evaluate": "modelcard.cli.evaluate",
    "gate": "modelcard.cli.gate",
    "diff": "modelcard.cli.diff",
    "merge": "modelcard.cli.merge",
    "import": "modelcard.cli.importer",
    "export": "modelcard.cli.export",
    "edit": "modelcard.cli.edit",
}


def add_layer_options(p: argparse.ArgumentParser) -> None:
    """``--with FRAGMENT`` and ``--set KEY=VALUE``: layered cards, the same for every command."""
    p.add_argument(
        "--with",
        dest="overlays",
        action="append",
        default=[],
        metavar="FRAGMENT",
        help="layer a card fragment (e.g. generated metrics) over the card, in order (repeatable)",
    )
    p.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="then set one value, e.g. model.version=1.2.0 (repeatable)",
    )


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # exit 2 with a one-line message, as argparse does, minus noise
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    from modelcard import __version__

    parser = _Parser(prog="modelcard", description="Typed, validated model cards.")
    parser.add_argument("--version", action="version", version=f"modelcard {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name, module_name in COMMANDS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:  # command not built yet
                continue
            raise
        p = sub.add_parser(name, help=module.HELP, description=getattr(module, "DESCRIPTION", module.HELP))
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from modelcard.diagnostics import ModelcardError
    from modelcard.safe_text import neutralise

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except ModelcardError as exc:
        for d in exc.diagnostics:
            print(str(d), file=sys.stderr)
        if not exc.diagnostics:
            print(neutralise(f"modelcard: error: {exc}", terminal=True), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("modelcard: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (e.g. `| head`); exit quietly
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        except OSError:
            pass
        return 1
    except Exception as exc:  # a bug in modelcard itself: be brief unless asked
        if os.environ.get("MODELCARD_DEBUG"):
            raise
        print(
            neutralise(f"modelcard: internal error: {type(exc).__name__}: {exc}", terminal=True) + "\n"
            "  (set MODELCARD_DEBUG=1 to see the traceback, and please report it)",
            file=sys.stderr,
        )
        return 2
