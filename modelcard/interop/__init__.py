"""Import cards from other formats and export cards to them.

Python API::

    from modelcard.interop import import_file, export_card, write_card

    result = import_file("README.md")              # format detected; or fmt="huggingface"|"mct"|"cyclonedx"
    for w in result.warnings: print(w)             # what was kept verbatim, and where
    write_card(result, "card.yaml")

    card = modelcard.load_card("card.yaml")
    text = export_card(card, "cyclonedx")          # or "huggingface", "spdx"

One module per format: :mod:`.huggingface` (README.md both ways),
:mod:`.cyclonedx` (CycloneDX 1.6 ML-BOM export; import of a BOM's model card),
:mod:`.spdx` (SPDX 3.0.1 AI package export), :mod:`.mct` (Model Card Toolkit
JSON import).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from modelcard.diagnostics import CardError, Diagnostic, UsageError
from modelcard.interop._common import ImportResult

IMPORT_FORMATS = ("huggingface", "mct", "cyclonedx")
EXPORT_FORMATS = ("huggingface", "cyclonedx", "spdx")

__all__ = [
    "EXPORT_FORMATS",
    "IMPORT_FORMATS",
    "ImportResult",
    "card_yaml",
    "detect_format",
    "export_card",
    "import_file",
    "write_card",
]


def detect_format(path: str | os.PathLike) -> str:
    """Guess the format of ``path`` from its name and first bytes."""
    p = Path(path)
    if os.fspath(path) == "-":
        raise UsageError("-: reading SOURCE from standard input needs --from FORMAT")
    if not p.exists():
        from modelcard.diagnostics import UnreadableError

        raise UnreadableError(f"{p}: no such file")
    suffix = p.suffix.lower()
    if suffix in (".md", ".markdown"):
        return "huggingface"
    if suffix == ".json":
        import json

        from modelcard.interop._common import Notes, decode_text, read_bytes

        try:
            data = json.loads(decode_text(read_bytes(p), str(p), Notes(str(p))))
        except (ValueError, CardError):
            data = None
        if isinstance(data, dict):
            if data.get("bomFormat") == "CycloneDX":
                return "cyclonedx"
            if {"model_details", "model_parameters", "quantitative_analysis", "considerations"} & set(data):
                return "mct"
        raise CardError(
            [
                Diagnostic(
                    "cannot tell the format of this JSON file (not a CycloneDX BOM, not Model "
                    "Card Toolkit JSON); name it with --from",
                    file=str(p),
                    line=1,
                    code="unknown-format",
                )
            ]
        )
    raise UsageError(f"{p}: cannot tell the format from the file name; use --from {'|'.join(IMPORT_FORMATS)}")


def import_file(path: str | os.PathLike, fmt: str | None = None, *, name: str | None = None) -> ImportResult:
    """Import ``path`` (format ``fmt`` or detected) as card data with warnings."""
    fmt = fmt or detect_format(path)
    if fmt == "huggingface":
        from modelcard.interop.huggingface import import_readme

        return import_readme(path, name=name)
    if fmt == "mct":
        from modelcard.interop.mct import import_mct

        return import_mct(path, name=name)
    if fmt == "cyclonedx":
        from modelcard.interop.cyclonedx import import_bom

        return import_bom(path, name=name)
    raise UsageError(f"unknown import format {fmt!r}; choose one of {', '.join(IMPORT_FORMATS)}")


def export_card(card: Any, fmt: str, *, embed: bool = True) -> str:
    """The text of ``card`` (a ModelCard) in format ``fmt``."""
    if fmt == "huggingface":
        from modelcard.interop.huggingface import export_readme

        return export_readme(card, embed=embed)
    if fmt == "cyclonedx":
        from modelcard.interop.cyclonedx import export_text

        return export_text(card)
    if fmt == "spdx":
        from modelcard.interop.spdx import export_text

        return export_text(card)
    raise UsageError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")


def card_yaml(result: ImportResult) -> str:
    """The imported card as YAML, with a header saying where it came from."""
    from modelcard.interop.huggingface import dump_yaml

    header = (
        "# yaml-language-server: $schema=https://modelcard.dev/schemas/modelcard-1.0.schema.json\n"
        f"# Imported from {Path(result.source).name} ({result.format}) by `modelcard import`.\n"
    )
    if result.warnings:
        header += f"# {len(result.warnings)} import warning(s); x-* keys hold what had no card field.\n"
    return header + dump_yaml(_readable(result.data))


def _readable(data: dict) -> dict:
    """Put each metric's name (each fairness result's metric) first, as people write them."""
    out = dict(data)

    def first(items: Any, key: str) -> Any:
        if not isinstance(items, list):
            return items
        return [
            {key: it[key], **{k: v for k, v in it.items() if k != key}} if isinstance(it, dict) and key in it else it
            for it in items
        ]

    if "metrics" in out:
        out["metrics"] = first(out["metrics"], "name")
    if isinstance(out.get("fairness"), dict) and "results" in out["fairness"]:
        out["fairness"] = {**out["fairness"], "results": first(out["fairness"]["results"], "metric")}
    return out


def write_card(result: ImportResult, path: str | os.PathLike) -> None:
    """Write the imported card to ``path`` (never over its source; see :mod:`modelcard.io.write`)."""
    from modelcard.io.write import write_output

    write_output(path, card_yaml(result), inputs=[result.source])
