"""CycloneDX 1.6 ML-BOM, both ways: a card as a machine-learning-model component, and back."""

from __future__ import annotations

import json
import os
from pathlib import Path

from modelcard.interop._common import Notes
from modelcard.interop.base import DEFAULT_OPTIONS, ExportOptions, ImportResult
from modelcard.interop.cyclonedx.exporter import export_bom, export_text, timestamp
from modelcard.interop.cyclonedx.importer import import_bom
from modelcard.interop.cyclonedx.shapes import EXT, FORMAT, SPEC_VERSION
from modelcard.schema.models import ModelCard

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


class CycloneDXImporter:
    """CycloneDX JSON BOM -> card (its first machine-learning-model component)."""

    name = FORMAT
    description = "CycloneDX JSON BOM with a machine-learning-model component"

    def detect(self, path: Path, head: str) -> bool:
        if path.suffix.lower() != ".json":
            return False
        try:
            data = json.loads(head)
        except ValueError:
            return False
        return isinstance(data, dict) and data.get("bomFormat") == "CycloneDX"

    def import_(self, path: str | os.PathLike[str], *, name: str | None = None) -> ImportResult:
        return import_bom(path, name=name)


class CycloneDXExporter:
    """Card -> CycloneDX 1.6 JSON BOM."""

    name = FORMAT
    description = "CycloneDX 1.6 ML-BOM (JSON)"
    suffix = ".cdx.json"

    def export(self, card: ModelCard, options: ExportOptions = DEFAULT_OPTIONS, notes: Notes | None = None) -> str:
        return export_text(card, notes)


IMPORTER = CycloneDXImporter()
EXPORTER = CycloneDXExporter()
