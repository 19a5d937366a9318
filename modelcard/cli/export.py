"""``modelcard export CARD --to FORMAT -o OUT``"""

from __future__ import annotations

import argparse
import sys

from modelcard.cli import add_layer_options
from modelcard.interop.base import export_formats

DESCRIPTION = """Export a validated card. huggingface: README.md with YAML front matter
(licence, tags, base model, model-index from metrics...) and Markdown sections, always loadable by
huggingface_hub; what the README cannot express is embedded under the 'modelcard' front-matter
key unless --no-embed. cyclonedx: CycloneDX 1.6 JSON BOM with a machine-learning-model component
and its modelCard. spdx: SPDX 3.0.1 JSON-LD with an ai_AIPackage. mct: Model Card Toolkit JSON,
schema 0.0.2. What a format has no place for is reported as a warning on standard error. Output
is deterministic (set SOURCE_DATE_EPOCH to pin the timestamp). --validate-online (huggingface)
also asks the Hub's validator (HF_ENDPOINT, default https://huggingface.co) when it can be
reached, and says so and goes on when it cannot. Exit status: 0 written, 1 invalid card (or the
Hub refused the metadata), 2 usage error or unreadable file."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("card", metavar="CARD", help="card file (YAML or JSON)")
    p.add_argument("--to", dest="fmt", required=True, choices=export_formats(), help="output format")
    p.add_argument("-o", "--output", metavar="OUT", help="write here (default or '-': standard output)")
    add_layer_options(p)
    p.add_argument(
        "--no-embed", action="store_true", help="huggingface: do not embed the fields a README cannot express"
    )
    p.add_argument(
        "--validate-online",
        action="store_true",
        help="huggingface: also check the metadata with the Hub's validator when the network allows "
        "(skipped with a notice otherwise)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="do not print warnings, notices or what was written")


def run(args: argparse.Namespace) -> int:
    from modelcard.card.validate import load_validated
    from modelcard.cli import flag_text, report_written
    from modelcard.diagnostics import UsageError
    from modelcard.interop import export_result
    from modelcard.io.write import check_output, emit

    if args.validate_online and args.fmt != "huggingface":
        raise UsageError("--validate-online checks Hugging Face READMEs only (--to huggingface)")
    inputs = [args.card, *args.overlays]
    check_output(args.output, inputs)
    card, doc, _ = load_validated(args.card, args.overlays, args.sets)
    text, warnings = export_result(card, args.fmt, embed=not args.no_embed, document=doc)
    if not args.quiet:
        for w in warnings:
            print(flag_text(str(w)), file=sys.stderr)
    if args.validate_online:
        from modelcard.interop.huggingface.hub import validate_online
        from modelcard.safe_text import neutralise

        check = validate_online(text)
        message = neutralise(check.message, terminal=True)
        if check.status == "invalid":
            print(
                f"modelcard export: the Hub ({check.endpoint}) refused the metadata: {message}; nothing written",
                file=sys.stderr,
            )
            return 1
        if not args.quiet:
            if check.status == "unavailable":
                print(f"modelcard export: notice: online validation skipped: {message}", file=sys.stderr)
            else:
                print(
                    f"modelcard export: the Hub ({check.endpoint}) accepted the metadata"
                    + (f": {message}" if message else ""),
                    file=sys.stderr,
                )
    emit(args.output, text, inputs=inputs)
    report_written(args.output, _KINDS.get(args.fmt, args.fmt), quiet=args.quiet)
    return 0


#: what ``export --to FORMAT`` writes, for the ``wrote ...`` line
_KINDS = {
    "huggingface": "Hugging Face README",
    "cyclonedx": "CycloneDX ML-BOM",
    "spdx": "SPDX 3.0.1 AI package",
    "mct": "Model Card Toolkit JSON",
}
