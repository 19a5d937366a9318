"""Import cards from other formats and export cards to them.

Python API::

    from modelcard.interop import import_file, export_card, write_card

    result = import_file("README.md")              # format detected; or fmt="huggingface"|"mct"|"cyclonedx"|"fairlearn"
    for w in result.warnings: print(w)             # what was kept verbatim, and where
    write_card(result, "card.yaml")

    card = modelcard.load_card("card.yaml")
    text = export_card(card, "cyclonedx")          # or "huggingface", "spdx", "mct"

Formats are importers and exporters behind one protocol, listed in a registry
(:mod:`.base`): :mod:`.huggingface` (README.md both ways), :mod:`.cyclonedx`
(CycloneDX 1.6 ML-BOM both ways), :mod:`.mct` (Model Card Toolkit JSON both
ways), :mod:`.spdx` (SPDX 3.0.1 AI package export), :mod:`.fairlearn`
(a MetricFrame's ``by_group`` table as a card fragment).
"""

from __future__ import annotations

import os
from pathlib import Path

from modelcard.diagnostics import CardError, Diagnostic, UnreadableError, UsageError
from modelcard.interop.base import (
    Exporter,
    ExportOptions,
    Importer,
    ImportResult,
    export_formats,
    get_exporter,
    get_importer,
    import_formats,
    importers,
    register_exporter,
    register_importer,
)
from modelcard.io.source import Document
from modelcard.schema.models import SCHEMA_ID, ModelCard

IMPORT_FORMATS = import_formats()
EXPORT_FORMATS = export_formats()

__all__ = [
    "EXPORT_FORMATS",
    "IMPORT_FORMATS",
    "ExportOptions",
    "Exporter",
    "ImportResult",
    "Importer",
    "card_yaml",
    "detect_format",
    "export_card",
    "export_result",
    "import_file",
    "register_exporter",
    "register_importer",
    "write_card",
]


def _text(path: Path) -> str:
    from modelcard.interop._common import Notes, decode_text, read_bytes

    try:
        return decode_text(read_bytes(path), str(path), Notes(str(path)))
    except CardError:
        return ""


def detect_format(path: str | os.PathLike[str]) -> str:
    """The name of the importer that reads ``path``, from its name and first characters."""
    p = Path(path)
    if os.fspath(path) == "-":
        raise UsageError("-: reading from standard input needs `from_` (the format)", option="from_")
    if not p.exists():
        raise UnreadableError(f"{p}: no such file")
    head = _text(p) if p.suffix.lower() in (".json", "") else ""
    for importer in importers():
        if importer.detect(p, head):
            return importer.name
    if p.suffix.lower() == ".json":
        raise CardError(
            [
                Diagnostic(
                    "cannot tell the format of this JSON file (not a CycloneDX BOM, not Model Card Toolkit "
                    "JSON, not a fairlearn MetricFrame table); name its format (`from_`)",
                    file=str(p),
                    line=1,
                    code="unknown-format",
                )
            ]
        )
    raise UsageError(
        f"{p}: cannot tell the format from the file name; name it with `from_` ({'|'.join(IMPORT_FORMATS)})",
        option="from_",
    )


def import_file(path: str | os.PathLike[str], fmt: str | None = None, *, name: str | None = None) -> ImportResult:
    """Import ``path`` (format ``fmt``, or detected) as a card, with warnings."""
    return get_importer(fmt or detect_format(path)).import_(path, name=name)


def export_result(
    card: ModelCard, fmt: str, *, embed: bool = True, source: str = "<card>", document: Document | None = None
) -> tuple[str, list[Diagnostic]]:
    """``(text, warnings)``: ``card`` in format ``fmt``, and what the format could not take.

    Each warning names the card path it is about; with the card's loaded
    ``document`` it also points at the line and column there.
    """
    from modelcard.interop._common import Notes, path_tuple

    notes = Notes(document.source if document is not None else source)
    text = get_exporter(fmt).export(card, ExportOptions(embed=embed), notes)
    if document is not None:
        for w in notes.items:
            pos = document.pos(path_tuple(w.path)) if w.path and w.line is None else None
            if pos is not None:
                w.line, w.col = pos.line, pos.col
    return text, notes.items


def export_card(card: ModelCard, fmt: str, *, embed: bool = True) -> str:
    """The text of ``card`` (a ModelCard) in format ``fmt``."""
    return export_result(card, fmt, embed=embed)[0]


def card_yaml(result: ImportResult) -> str:
    """The imported card (or fragment) as YAML, with a header saying where it came from."""
    from modelcard.io.serialize import card_text

    what = "fragment" if result.fragment else "card"
    header = f"yaml-language-server: $schema={SCHEMA_ID}\n"
    header += f"Imported {what} from {Path(result.source).name} ({result.format}) by `modelcard import`.\n"
    if result.fragment:
        header += "Merge it into a card: modelcard merge CARD.yaml THIS.yaml -o CARD.yaml\n"
    if result.warnings:
        header += f"{len(result.warnings)} import warning(s); x-* keys hold what had no card field.\n"
    return card_text(result.data, header=header)


def write_card(result: ImportResult, path: str | os.PathLike[str]) -> None:
    """Write the imported card to ``path`` (never over its source; see :mod:`modelcard.io.write`)."""
    from modelcard.io.write import write_output

    write_output(path, card_yaml(result), inputs=[result.source])
