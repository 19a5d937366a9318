"""``modelcard render CARD... [--format md|html|pdf] [-o OUT]``"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from modelcard.cli import add_layer_options, add_quiet_option, flag_text

if TYPE_CHECKING:
    from modelcard.diagnostics import ModelcardError

DESCRIPTION = """Render a card as Markdown (for GitHub / Hugging Face), a self-contained HTML
page, or a PDF (needs the [pdf] extra). --layout scorecard gives a one-page summary:
key facts, intended and out-of-scope use, headline metrics, fairness verdicts and
completeness. --layout eu-gpai-form gives the Model Documentation Form of the EU
GPAI Code of Practice (AI Act Art. 53) filled from the card, empty items marked;
--audience downstream|ai-office|national-authority keeps the items meant for
that audience. With one CARD, -o names the output file (default: standard output).
With several CARDs or a directory, -o names a folder that receives one output per
card and an index page. Exit status: 0 rendered, 1 a card is invalid or a template
broke a limit (--template-timeout, --max-output), 2 usage error, unreadable file or
template error (syntax, sandbox, a file outside the template folder)."""

EPILOG = """examples:
  modelcard render examples/compas-recidivism.yaml --format html -o out/compas.html
  modelcard render examples/compas-recidivism.yaml --layout scorecard -o out/compas-scorecard.pdf
  modelcard render examples/small-gpai-model.yaml --layout eu-gpai-form --audience downstream -o form.pdf
  modelcard render card.yaml --with metrics.yaml --set model.version=1.3.0 -o README.md
  modelcard render cards/ --format html -o site/          # one page per card + site/index.html

Markdown written with -o gets its charts as SVG files in <name>-charts/ beside it, each
image with alt text giving its numbers; --inline-charts puts them into the page instead.
The tables hold the authoritative numbers. PDF dates follow SOURCE_DATE_EPOCH."""

EXTENSIONS = {"md": ".md", "html": ".html", "pdf": ".pdf"}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.epilog = EPILOG
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.add_argument("cards", nargs="+", metavar="CARD", help="card files (YAML or JSON) or directories of cards")
    p.add_argument(
        "--format",
        "-f",
        choices=("md", "html", "pdf"),
        default=None,
        help="output format (default: from the -o suffix, else md)",
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="output file (one card) or folder (several cards); default or '-': standard output",
    )
    p.add_argument(
        "--layout",
        choices=("card", "scorecard", "eu-gpai-form"),
        default="card",
        help="card: every section (default); scorecard: one-page summary; eu-gpai-form: the EU GPAI "
        "Model Documentation Form",
    )
    p.add_argument(
        "--audience",
        choices=("downstream", "ai-office", "national-authority"),
        default=None,
        help="with --layout eu-gpai-form: only the items of the form meant for downstream providers, the AI "
        "Office or national competent authorities (default: every item, each marked with its audiences)",
    )
    p.add_argument(
        "--template",
        metavar="DIR",
        help="folder of templates overriding the built-in ones by name (run in a sandbox: plain card "
        "data, no files outside DIR, bounded time and output)",
    )
    p.add_argument(
        "--template-timeout",
        metavar="SECONDS",
        type=_seconds,
        default=None,
        help="stop a rendering that takes longer than this (default: 10); exit status 1",
    )
    p.add_argument(
        "--max-output",
        metavar="SIZE",
        type=_size,
        default=None,
        help="stop a rendering whose output grows larger than SIZE, in bytes or with a unit "
        "such as 512KiB or 64MiB (default: 64MiB); exit status 1",
    )
    p.add_argument(
        "--inline-charts",
        action="store_true",
        help='Markdown: put the charts into the page as <img src="data:image/svg+xml;base64,..."> images '
        "instead of SVG files beside it, for hosts that show such images (GitHub does not)",
    )
    add_layer_options(p)
    p.add_argument("--strict", action="store_true", help="refuse to render a card that fails validate --strict")
    progress = p.add_mutually_exclusive_group()
    progress.add_argument(
        "--progress",
        dest="progress",
        action="store_true",
        default=None,
        help="show progress on standard error (default: only when it is a terminal)",
    )
    progress.add_argument("--no-progress", dest="progress", action="store_false")
    add_quiet_option(p)


def run(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    from modelcard.cli import report_written
    from modelcard.diagnostics import CardError, UsageError
    from modelcard.io.write import check_output, emit, is_stdio
    from modelcard.render.batch import (
        expand_cards,
        format_for,
        render_card,
        render_file,
        render_inputs,
        render_many,
        stderr_progress,
    )
    from modelcard.render.sandbox import TemplateLimitError

    cards = expand_cards(args.cards)
    if not cards:
        raise UsageError("no card files found in " + ", ".join(args.cards))
    if is_stdio(args.output):
        args.output = None
    to_folder = bool(args.output) and (Path(args.output).is_dir() or args.output.endswith(("/", "\\")))
    many = len(cards) > 1 or any(Path(c).is_dir() for c in args.cards) or to_folder
    options = {
        "overlays": args.overlays,
        "sets": args.sets,
        "template_dir": args.template,
        "strict": args.strict,
        "template_timeout": args.template_timeout,
        "max_output": args.max_output,
        "audience": args.audience,
        "inline_charts": args.inline_charts,
    }
    if args.audience is not None and args.layout != "eu-gpai-form":
        raise UsageError("--audience applies only to --layout eu-gpai-form")

    if many:
        if not args.output:
            raise UsageError("several cards need -o FOLDER (one output per card plus an index page)")
        fmt = args.format or "html"
        _check_inline(args, fmt)
        batch = render_many(
            args.cards, args.output, fmt, args.layout, progress=stderr_progress(args.progress), **options
        )
        for out in batch.outputs:
            _warn_refused(out.card_path, out.refused)
        for path, exc in batch.failures:
            _print_error(exc, path)
        rendered, failed = len(batch.outputs), len(batch.failures)
        if not args.quiet:
            print(
                f"modelcard render: {rendered} card{'s' if rendered != 1 else ''} written to {args.output} "
                f"(index: {batch.index})" + (f"; {failed} failed" if failed else ""),
                file=sys.stderr,
            )
        if not batch.failures:
            return 0
        # 1 when every failure is an invalid card or a template that broke a limit (time, size), else 2
        return 1 if all(isinstance(e, (CardError, TemplateLimitError)) for _, e in batch.failures) else 2

    card_path = cards[0]
    fmt = format_for(args.output, args.format)
    _check_inline(args, fmt)
    if args.output:
        out = render_file(card_path, args.output, fmt, args.layout, **options)
        _warn_refused(card_path, out.refused)
        report_written(args.output, fmt if args.layout == "card" else f"{fmt} {args.layout}", quiet=args.quiet)
        return 0
    if fmt == "pdf" and sys.stdout.isatty():
        raise UsageError("refusing to write a PDF to a terminal: use -o FILE.pdf or redirect the output")
    inputs = render_inputs(card_path, args.overlays, args.template)
    check_output(None, inputs)  # standard output redirected into an input (>> card.yaml)
    _, page = render_card(card_path, fmt, args.layout, **options)
    _warn_refused(card_path, page.refused)
    emit(None, page.content, inputs=inputs)  # PDF bytes go to sys.stdout.buffer
    return 0


def _check_inline(args: argparse.Namespace, fmt: str) -> None:
    """--inline-charts is for Markdown: refused before any card is read, not once per card."""
    if args.inline_charts and fmt != "md":
        from modelcard.diagnostics import UsageError

        raise UsageError(f"--inline-charts applies to Markdown only (--format md); {fmt.upper()} always inlines charts")


def _seconds(text: str) -> float:
    import math

    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


_UNITS = {
    "": 1,
    "b": 1,
    "k": 1024,
    "kb": 1024,
    "kib": 1024,
    "m": 1024**2,
    "mb": 1024**2,
    "mib": 1024**2,
    "g": 1024**3,
    "gb": 1024**3,
    "gib": 1024**3,
}


def _size(text: str) -> int:
    """``65536``, ``512KiB``, ``64MiB``, ``1G`` (binary units) -> bytes."""
    import re

    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", text)
    unit = match.group(2).lower() if match else None
    if match is None or unit not in _UNITS or int(float(match.group(1)) * _UNITS[unit]) <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size (e.g. 1048576, 512KiB, 64MiB)")
    return int(float(match.group(1)) * _UNITS[unit])


def _warn_refused(card_path: str, refused: list[str]) -> None:
    import sys

    from modelcard.safe_text import neutralise

    for ref in refused:  # card text, decoded by the HTML parser (``&#x1b;``): shown escaped, never acted on
        shown = ref if len(ref) <= 80 else ref[:77] + "..."
        line = (
            f"{card_path}: warning: not embedded: {shown} (only image files under the card's folder are "
            f"embedded; nothing is fetched from the network) [resource-refused]"
        )
        print(neutralise(line, terminal=True), file=sys.stderr)


def _print_error(exc: ModelcardError, path: str) -> None:
    import sys

    if exc.diagnostics:
        for d in exc.diagnostics:
            print(flag_text(str(d)), file=sys.stderr)
    else:
        from modelcard.cli import error_text
        from modelcard.safe_text import neutralise

        message = error_text(exc)
        line = message if message.startswith(path) else f"{path}: error: {message}"
        print(neutralise(line, terminal=True), file=sys.stderr)  # a path found in a folder may hold anything
