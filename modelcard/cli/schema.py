"""``modelcard schema``"""

from __future__ import annotations

import argparse

HELP = "print the card JSON Schema"
DESCRIPTION = "Print the JSON Schema of a card (generated from the Pydantic models), or write it with -o."


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output ('-')")


def run(args: argparse.Namespace) -> int:
    from modelcard.io.write import check_output, emit
    from modelcard.schema.jsonschema import schema_text

    check_output(args.output)
    emit(args.output, schema_text())
    return 0
