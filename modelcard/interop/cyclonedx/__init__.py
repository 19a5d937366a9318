"""CycloneDX 1.6 ML-BOM, both ways: a card as a machine-learning-model component, and back."""

from __future__ import annotations

from pathlib import Path

from modelcard.interop.base import FileImporter, TextExporter, json_document
from modelcard.interop.cyclonedx.exporter import export_bom, export_text, timestamp
from modelcard.interop.cyclonedx.importer import import_bom
from modelcard.interop.cyclonedx.shapes import EXT, FORMAT, SPEC_VERSION

__all__ = [
    "EXPORTER",
    "EXT",
    "FORMAT",
    "IMPORTER",
    "SPEC_VERSION",
    "export_bom",
    "export_text",
    "import_bom",
    "timestamp",
]


def _is_bom(path: Path, head: str) -> bool:
    data = json_document(path, head)
    return isinstance(data, dict) and data.get("bomFormat") == "CycloneDX"


#: CycloneDX JSON BOM -> card (its first machine-learning-model component)
IMPORTER = FileImporter(FORMAT, "CycloneDX JSON BOM with a machine-learning-model component", _is_bom, import_bom)
#: card -> CycloneDX 1.6 JSON BOM
EXPORTER = TextExporter(FORMAT, "CycloneDX 1.6 ML-BOM (JSON)", ".cdx.json", export_text)
