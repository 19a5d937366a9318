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
from typing import NoReturn

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
    "migrate": "modelcard.cli.migrate",
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


def add_quiet_option(p: argparse.ArgumentParser, help: str = "do not say what was written") -> None:
    """``-q/--quiet``: silence the ``wrote FILE (...)`` line (and, where a command says so, its notices)."""
    p.add_argument("-q", "--quiet", action="store_true", help=help)


def _size_text(size: int) -> str:
    """``812 B``, ``5.3 KB``, ``57 KB``, ``12 MB`` (binary units)."""
    if size < 1024:
        return f"{size} B"
    value = size / 1024
    for unit in ("KB", "MB"):
        if value < 1024:
            return f"{value:.0f} {unit}" if value >= 10 else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def report_written(path: str | os.PathLike[str] | None, kind: str, *, quiet: bool = False, detail: str = "") -> None:
    """Say on standard error what a command wrote: ``wrote out/card.html (html, 57 KB)``.

    Every command that writes a file calls this once it is written (``detail`` is added after a
    semicolon). Nothing is said for standard output (``-`` or no ``-o``), for a device or a FIFO
    (nothing to measure: ``-o /dev/null``), or with ``quiet``.
    """
    import stat

    from modelcard.safe_text import neutralise

    if quiet or path is None or os.fspath(path) == "-":
        return
    try:
        st = os.stat(path)
    except OSError:
        return
    if not stat.S_ISREG(st.st_mode):
        return
    text = f"wrote {os.fspath(path)} ({kind}, {_size_text(st.st_size)})" + (f"; {detail}" if detail else "")
    print(neutralise(text, terminal=True), file=sys.stderr)


def emit_reported(
    output: str | None,
    data: str | bytes,
    kind: str,
    *,
    inputs: Sequence[str | os.PathLike[str] | None] = (),
    quiet: bool = False,
    detail: str = "",
) -> None:
    """Write ``data`` with the one safe writer (``modelcard.io.write.emit``), then :func:`report_written`."""
    from modelcard.io.write import emit

    emit(output, data, inputs=inputs)
    report_written(output, kind, quiet=quiet, detail=detail)


#: the command-line flag of an API parameter a library error names in ``exc.option``, where it is not
#: simply the parameter with dashes (``missing_group`` -> ``--missing-group``); the library never names
#: flags in its messages, the CLI puts the flag in front
OPTION_FLAGS = {
    "sets": "--set",
    "overlays": "--with",
    "requirements": "--require",
    "references": "--reference",
    "thresholds": "--threshold",
    "from_": "--from",
}


def flag_of(option: str) -> str:
    """The command-line flag of API parameter ``option``: ``"sets"`` -> ``--set``."""
    return OPTION_FLAGS.get(option) or "--" + option.strip("_").replace("_", "-")


def error_text(exc: BaseException) -> str:
    """An error's message with the command-line flag its value came from in front, when it names one."""
    option = getattr(exc, "option", None)
    return f"{flag_of(option)} {exc}" if option else str(exc)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # exit 2 with a one-line message, as argparse does, minus noise
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
            print(neutralise(f"modelcard: error: {error_text(exc)}", terminal=True), file=sys.stderr)
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
