"""Hugging Face model-card READMEs, both ways: README.md -> card and card -> README.md.

A Hub README is YAML front matter between ``---`` lines followed by a
Markdown body.  The package is split by job:

* :mod:`.frontmatter` — finding, reading and writing the YAML block; the Hub's key and tag lists;
* :mod:`.sections` — the body's sections (markdown-it-py block tokens) and how each card field
  is read from and written to a section;
* :mod:`.importer` — README -> card data, one mapper per front-matter key and per section;
* :mod:`.exporter` — card -> README, metadata from typed fields, what huggingface_hub refuses left out;
* :mod:`.roundtrip` — the lossless round trip (import checks export; export embeds what a README
  cannot express) and the merge patch it uses;
* :mod:`.hub` — the optional online check against the Hub's validator.

Every README imports losslessly: exporting the imported card gives the same
front-matter data and the same body text.  Every export loads in
``huggingface_hub`` (``ModelCard.load`` with metadata errors not ignored).
"""

from __future__ import annotations

import functools
from pathlib import Path

from modelcard.interop._common import Notes
from modelcard.interop.base import DEFAULT_OPTIONS, ExportOptions, FileImporter
from modelcard.interop.huggingface.frontmatter import dump_yaml, parse_yaml, split_front_matter
from modelcard.interop.huggingface.importer import EMBED_KEY, EXT, FORMAT, MARKDOWN_SUFFIXES
from modelcard.interop.huggingface.roundtrip import export_readme, import_readme, import_text
from modelcard.interop.huggingface.sections import split_sections
from modelcard.schema.models import ModelCard

__all__ = [
    "EMBED_KEY",
    "EXPORTER",
    "EXT",
    "FORMAT",
    "IMPORTER",
    "Notes",
    "dump_yaml",
    "export_readme",
    "import_readme",
    "import_text",
    "parse_yaml",
    "split_front_matter",
    "split_sections",
]


def _is_readme(path: Path, head: str) -> bool:
    return path.suffix.lower() in MARKDOWN_SUFFIXES or (path.suffix == "" and head.lstrip().startswith("---"))


#: README.md (YAML front matter + Markdown) -> card
IMPORTER = FileImporter(
    FORMAT,
    "Hugging Face model-card README (YAML front matter and Markdown)",
    _is_readme,
    functools.partial(import_readme, strict_format=True),
)


class HuggingFaceExporter:
    """Card -> README.md for the Hub."""

    name = FORMAT
    description = "Hugging Face README.md (front matter with model-index, Markdown sections)"
    suffix = ".md"

    def export(self, card: ModelCard, options: ExportOptions = DEFAULT_OPTIONS, notes: Notes | None = None) -> str:
        return export_readme(card, embed=options.embed, notes=notes)


EXPORTER = HuggingFaceExporter()
