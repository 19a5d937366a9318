"""Model Card Toolkit (Google MCT) JSON: import of schema 0.0.1 and 0.0.2, export as 0.0.2."""

from __future__ import annotations

from pathlib import Path

from modelcard.interop.base import FileImporter, TextExporter, json_document
from modelcard.interop.mct.exporter import export_document, export_text
from modelcard.interop.mct.importer import EXT, FORMAT, SECTIONS, import_mct

__all__ = ["EXPORTER", "EXT", "FORMAT", "IMPORTER", "export_document", "export_text", "import_mct"]


def _is_mct(path: Path, head: str) -> bool:
    data = json_document(path, head)
    return isinstance(data, dict) and data.get("bomFormat") is None and bool(set(SECTIONS) & set(data))


#: Model Card Toolkit JSON -> card
IMPORTER = FileImporter(FORMAT, "Model Card Toolkit JSON (schema 0.0.1 or 0.0.2)", _is_mct, import_mct)
#: card -> Model Card Toolkit JSON (schema 0.0.2)
EXPORTER = TextExporter(FORMAT, "Model Card Toolkit JSON, schema 0.0.2", ".json", export_text)
