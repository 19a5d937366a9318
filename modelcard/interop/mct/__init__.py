"""Model Card Toolkit (Google MCT) JSON: import of schema 0.0.1 and 0.0.2, export as 0.0.2."""

from __future__ import annotations

import json
import os
from pathlib import Path

from modelcard.interop._common import Notes
from modelcard.interop.base import DEFAULT_OPTIONS, ExportOptions, ImportResult
from modelcard.interop.mct.exporter import export_document, export_text
from modelcard.interop.mct.importer import EXT, FORMAT, SECTIONS, import_mct
from modelcard.schema.models import ModelCard

__all__ = ["EXPORTER", "EXT", "FORMAT", "IMPORTER", "export_document", "export_text", "import_mct"]


class MctImporter:
    """Model Card Toolkit JSON -> card."""

    name = FORMAT
    description = "Model Card Toolkit JSON (schema 0.0.1 or 0.0.2)"

    def detect(self, path: Path, head: str) -> bool:
        if path.suffix.lower() != ".json":
            return False
        try:
            data = json.loads(head)
        except ValueError:
            return False
        return isinstance(data, dict) and data.get("bomFormat") is None and bool(set(SECTIONS) & set(data))

    def import_(self, path: str | os.PathLike[str], *, name: str | None = None) -> ImportResult:
        return import_mct(path, name=name)


class MctExporter:
    """Card -> Model Card Toolkit JSON (schema 0.0.2)."""

    name = FORMAT
    description = "Model Card Toolkit JSON, schema 0.0.2"
    suffix = ".json"

    def export(self, card: ModelCard, options: ExportOptions = DEFAULT_OPTIONS, notes: Notes | None = None) -> str:
        return export_text(card, notes)


IMPORTER = MctImporter()
EXPORTER = MctExporter()
