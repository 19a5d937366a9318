"""``modelcard render CARD... [--format md|html|pdf] [-o OUT]``"""

from __future__ import annotations

import argparse

from modelcard.cli import add_layer_options

HELP = "render cards to Markdown, HTML or PDF (full card or one-page scorecard)"
DESCRIPTION = """Render a card as Markdown (for GitHub / Hugging Face), a self-contained HTML
page, or a PDF (needs the [pdf] extra). --layout scorecard gives a one-page summary:
key facts, intended and out-of-scope use, headline metrics, fairness verdicts and
completeness. With one CARD, -o names the output file (default: standard output).
With several CARDs or a directory, -o names a folder that receives one output per
card and an index page. Exit status: 0 rendered, 1 a card is invalid, 2 usage error,
unreadable file or template error."""

EPILOG = """examples:
  modelcard render examples/compas-recidivism.yaml --format html -o out/compas.html
  modelcard render examples/compas-recidivism.yaml --layout scorecard -o out/compas-scorecard.pdf
  modelcard render card.yaml --with metrics.yaml --set model.version=1.3.0 -o README.md
  modelcard render cards/ --format html -o site/          # one page per card + site/index.html

Markdown written with -o gets its charts as SVG files in <name>-charts/ beside it;
the tables hold the authoritative numbers. PDF dates follow SOURCE_DATE_EPOCH."""

EXTENSIONS = {"md": ".md", "html": ".html", "pdf": ".pdf"}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.epilog = EPILOG
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.add_argument("cards", nargs="+", metavar="CARD", help="card files (YAML or JSON) or directories of cards")
    p.add_argument("--format", "-f", choices=("md", "html", "pdf"), default=None,
                   help="output format (default: from the -o suffix, else md)")
    p.add_argument("-o", "--output", metavar="OUT",
                   help="output file (one card) or folder (several cards); default: standard output")
    p.add_argument("--layout", choices=("card", "scorecard"), default="card",
                   help="card: every section (default); scorecard: one-page summary")
    p.add_argument("--template", metavar="DIR",
                   help="folder of templates overriding the built-in ones by name (run in Jinja's sandbox)")
    add_layer_options(p)
    p.add_argument("--strict", action="store_true",
                   help="refuse to render a card that fails validate --strict")
    progress = p.add_mutually_exclusive_group()
    progress.add_argument("--progress", dest="progress", action="store_true", default=None,
                          help="show progress on standard error (default: only when it is a terminal)")
    progress.add_argument("--no-progress", dest="progress", action="store_false")


def run(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    from modelcard.diagnostics import CardError, ModelcardError, UsageError
    from modelcard.render_batch import (
        expand_cards,
        format_for,
        render_card,
        render_file,
        render_many,
        stderr_progress,
    )

    cards = expand_cards(args.cards)
    if not cards:
        raise UsageError("no card files found in " + ", ".join(args.cards))
    to_folder = bool(args.output) and (Path(args.output).is_dir() or args.output.endswith(("/", "\\")))
    many = len(cards) > 1 or any(Path(c).is_dir() for c in args.cards) or to_folder
    options = dict(overlays=args.overlays, sets=args.sets, template_dir=args.template, strict=args.strict)

    if many:
        if not args.output:
            raise UsageError("several cards need -o FOLDER (one output per card plus an index page)")
        fmt = args.format or "html"
        batch = render_many(args.cards, args.output, fmt, args.layout, progress=stderr_progress(args.progress),
                            **options)
        for out in batch.outputs:
            _warn_refused(out.card_path, out.refused)
        for path, exc in batch.failures:
            _print_error(exc, path)
        rendered, failed = len(batch.outputs), len(batch.failures)
        print(f"modelcard render: {rendered} card{'s' if rendered != 1 else ''} written to {args.output} "
              f"(index: {batch.index})" + (f"; {failed} failed" if failed else ""), file=sys.stderr)
        if not batch.failures:
            return 0
        return 1 if all(isinstance(e, CardError) for _, e in batch.failures) else 2

    card_path = cards[0]
    fmt = format_for(args.output, args.format)
    if args.output:
        out = render_file(card_path, args.output, fmt, args.layout, **options)
        _warn_refused(card_path, out.refused)
        return 0
    if fmt == "pdf" and sys.stdout.isatty():
        raise UsageError("refusing to write a PDF to a terminal: use -o FILE.pdf or redirect the output")
    _, rendered = render_card(card_path, fmt, args.layout, **options)
    _warn_refused(card_path, rendered.refused)
    if isinstance(rendered.content, bytes):
        sys.stdout.flush()
        sys.stdout.buffer.write(rendered.content)
        sys.stdout.buffer.flush()
    else:
        sys.stdout.write(rendered.content)
    del ModelcardError
    return 0


def _warn_refused(card_path: str, refused: list) -> None:
    import sys

    for ref in refused:
        shown = ref if len(ref) <= 80 else ref[:77] + "..."
        print(f"{card_path}: warning: not embedded: {shown} (only image files under the card's folder are "
              f"embedded; nothing is fetched from the network) [resource-refused]", file=sys.stderr)


def _print_error(exc, path: str) -> None:
    import sys

    if exc.diagnostics:
        for d in exc.diagnostics:
            print(str(d), file=sys.stderr)
    else:
        message = str(exc)
        print(message if message.startswith(path) else f"{path}: error: {message}", file=sys.stderr)
