"""The ``modelcard`` command line: a thin layer over the Python API.

Each sub-command lives in its own module under ``modelcard.cli`` and exposes
``add_arguments(parser)``, ``run(args) -> int`` and optionally ``DESCRIPTION``;
its one-line help is in :data:`COMMANDS`.  Only the module of the command
being run is imported (``modelcard --help`` imports none), and command modules
import only ``argparse`` at module level: the API they call is imported inside
``run``, so a fast command never pays for a slow one (``validate`` imports
neither Jinja, WeasyPrint, numpy nor the importers and exporters).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import os
import re
import sys
from collections.abc import Iterator, Sequence
from typing import NoReturn

#: sub-command name -> (module, one-line help), in the order ``--help`` lists them
COMMANDS = {
    "validate": ("modelcard.cli.validate", "check cards against the schema and the card rules"),
    "check": ("modelcard.cli.check", "score how completely a card covers a documentation standard"),
    "schema": ("modelcard.cli.schema", "print the card JSON Schema"),
    "init": ("modelcard.cli.init", "write a card skeleton to fill by hand (or interactively)"),
    "render": (
        "modelcard.cli.render",
        "render cards to Markdown, HTML or PDF (full card, one-page scorecard, EU GPAI documentation form)",
    ),
    "evaluate": (
        "modelcard.cli.evaluate",
        "compute per-group metrics and fairness results from a predictions file (writes a card fragment)",
    ),
    "gate": ("modelcard.cli.gate", "fail a release when fairness or performance checks fail or were not run"),
    "diff": ("modelcard.cli.diff", "compare two cards: fields changed, metrics moved, verdicts flipped"),
    "merge": ("modelcard.cli.merge", "layer fragments and --set values over a card and write the merged card"),
    "migrate": ("modelcard.cli.migrate", "upgrade a card to the current schema version"),
    "import": (
        "modelcard.cli.importer",
        "import a card from a Hugging Face README, Model Card Toolkit JSON, CycloneDX BOM or fairlearn table",
    ),
    "export": (
        "modelcard.cli.export",
        "export a card as a Hugging Face README, CycloneDX 1.6 ML-BOM, SPDX 3.0 AI package or MCT JSON",
    ),
    "edit": ("modelcard.cli.edit", "edit a card in a browser form, with live validation and preview"),
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


@contextlib.contextmanager
def start_up() -> Iterator[None]:
    """Import a command's modules inside ``with start_up():`` for a faster start.

    Importing the schema creates tens of thousands of objects that live until exit and almost no
    garbage, yet the cyclic collector would scan them again and again as they pile up.  It is off
    while the block runs; then they are frozen (:func:`gc.freeze`: never scanned again) and it is
    back on for the command's work.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


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


#: the command-line flag of an API parameter, where it is not simply the parameter with dashes
#: (``missing_group`` -> ``--missing-group``); the library never names flags in its messages (see
#: :func:`error_text`)
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


#: how a library message names an API parameter: in backquotes, `score_threshold`
_PARAMETER = re.compile(r"`([a-z][a-z0-9_]*)`")


#: the API parameters of the command being run (its arguments, and the API names of :data:`OPTION_FLAGS`),
#: set by :func:`main`: :func:`flag_text` shows only these as flags, so that a card's own text quoted in a
#: message (``got '`approved`'``) is shown as written; None outside :func:`main` (every name is shown as a flag)
_parameters: frozenset[str] | None = None


def flag_text(text: str) -> str:
    """A library message in the command line's words: each API parameter it names (`score_threshold`)
    becomes its flag (``--score-threshold``)."""
    known = _parameters

    def flag(m: re.Match[str]) -> str:
        name = m.group(1)
        return flag_of(name) if known is None or name in known else m.group(0)

    return _PARAMETER.sub(flag, text)


def error_text(exc: BaseException) -> str:
    """An error's message in the command line's words (:func:`flag_text`), with the flag its value came
    from (``exc.option``) in front unless the message names it already.

    The library never names command-line flags: ``UsageError("'x': not a number", option="bootstrap")``
    reads ``--bootstrap 'x': not a number`` here, and ``"`positive` names the positive class..."``
    reads ``--positive names the positive class...``.
    """
    message = str(exc)
    option = getattr(exc, "option", None)
    text = flag_text(message)
    return f"{flag_of(option)} {text}" if option and f"`{option}`" not in message else text


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # exit 2 with a one-line message, as argparse does, minus noise
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


#: :func:`build_parser`'s default: every command with its arguments
ALL = "*"


def build_parser(only: str | None = ALL) -> argparse.ArgumentParser:
    """The ``modelcard`` parser, with the arguments of command ``only`` (:data:`ALL`: of every command).

    Adding a command's arguments imports its module.  With ``only=None`` every command is listed
    without arguments (enough for ``modelcard --help`` and for naming an unknown command); with a
    command name, the parser knows that command alone, so running it imports no other command.
    """
    from modelcard import __version__

    parser = _Parser(prog="modelcard", description="Typed, validated model cards.")
    parser.add_argument("--version", action="version", version=f"modelcard {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name, (module_name, help) in COMMANDS.items():
        if only is None:
            sub.add_parser(name, help=help)  # listed in --help; never parses anything
        elif only in (ALL, name):
            module = importlib.import_module(module_name)
            p = sub.add_parser(name, help=help, description=getattr(module, "DESCRIPTION", help))
            module.add_arguments(p)
            p.set_defaults(_run=module.run)
    return parser


#: set to 1 to let the command line load pydantic plugins (the Python API always does, as pydantic decides)
PYDANTIC_PLUGINS_ENV = "MODELCARD_PYDANTIC_PLUGINS"


def _without_pydantic_plugins() -> None:
    """The command line does not load pydantic plugins unless asked (``MODELCARD_PYDANTIC_PLUGINS=1``).

    Finding them means scanning the entry points of every installed distribution when the first
    validator is built: about 30 ms of a 200 ms ``validate`` in an environment of 125 packages, paid by
    every pre-commit run (and importing :mod:`importlib.metadata` for it, as much again), for observability
    hooks (such as logfire's) that a one-shot command has no use for.  A ``PYDANTIC_DISABLE_PLUGINS`` the
    user set is left as it is.
    """
    if os.environ.get(PYDANTIC_PLUGINS_ENV, "") in ("", "0") and "PYDANTIC_DISABLE_PLUGINS" not in os.environ:
        os.environ["PYDANTIC_DISABLE_PLUGINS"] = "__all__"
        # pydantic imports its plugin loader (and with it importlib.metadata, ~14 ms) even when plugins are
        # disabled; with them disabled the loader's one function returns no plugins, so a module holding
        # just that function stands in for it.  Only if pydantic has not loaded the real one, and only
        # under the name pydantic imports (another version of pydantic that looks elsewhere is unaffected).
        import types

        stand_in = types.ModuleType("pydantic.plugin._loader", "no plugins: the modelcard command line disabled them")
        stand_in.get_plugins = lambda: ()  # type: ignore[attr-defined]
        sys.modules.setdefault("pydantic.plugin._loader", stand_in)


def main(argv: Sequence[str] | None = None) -> int:
    from modelcard.diagnostics import ModelcardError
    from modelcard.safe_text import neutralise

    argv = sys.argv[1:] if argv is None else list(argv)
    _without_pydantic_plugins()
    # the command comes first (the top level has only --help and --version): build and import it alone
    parser = build_parser(argv[0] if argv and argv[0] in COMMANDS else None)
    args = parser.parse_args(argv)
    global _parameters
    _parameters = frozenset(k for k in vars(args) if not k.startswith("_")) | frozenset(OPTION_FLAGS)
    try:
        return int(args._run(args) or 0)
    except ModelcardError as exc:
        for d in exc.diagnostics:
            print(flag_text(str(d)), file=sys.stderr)
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
    finally:
        _parameters = None
