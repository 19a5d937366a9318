"""The one protocol of importers and exporters, and the registry that lists them.

An :class:`Importer` reads one file format into a :class:`~modelcard.schema.models.ModelCard`
(``detect`` says whether a file looks like its format; ``import_`` builds the
card and the warnings about what it kept verbatim or left out).  An
:class:`Exporter` writes a ``ModelCard`` as text in its format.  Formats
register themselves here by name; :mod:`modelcard.interop` and the CLI look
them up, so adding a format is adding one module, not editing a chain of
``if``s.

This module stays light (the CLI reads the format names at start-up): each
built-in format module is imported the first time it is asked for.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from modelcard.diagnostics import Diagnostic, UsageError

if TYPE_CHECKING:
    from modelcard.interop._common import Notes
    from modelcard.schema.models import ModelCard

PathLike = str | os.PathLike[str]

#: built-in importers, in the order detection tries them: name -> "module:attribute"
BUILTIN_IMPORTERS: dict[str, str] = {
    "huggingface": "modelcard.interop.huggingface:IMPORTER",
    "mct": "modelcard.interop.mct:IMPORTER",
    "cyclonedx": "modelcard.interop.cyclonedx:IMPORTER",
    "fairlearn": "modelcard.interop.fairlearn:IMPORTER",
}
#: built-in exporters: name -> "module:attribute"
BUILTIN_EXPORTERS: dict[str, str] = {
    "huggingface": "modelcard.interop.huggingface:EXPORTER",
    "cyclonedx": "modelcard.interop.cyclonedx:EXPORTER",
    "spdx": "modelcard.interop.spdx:EXPORTER",
    "mct": "modelcard.interop.mct:EXPORTER",
}


@dataclass
class ImportResult:
    """The outcome of importing one file: the card (or a fragment) plus what the importer had to say.

    ``data`` is the imported card as plain data (what ``modelcard import``
    writes); :meth:`card` is the same as a validated ``ModelCard``.  A
    fragment (``fragment=True``, e.g. fairlearn results) holds only the
    sections it brings, to be merged into a card.
    """

    data: dict[str, Any]
    source: str
    format: str
    warnings: list[Diagnostic] = field(default_factory=list)
    fragment: bool = False
    _card: ModelCard | None = field(default=None, repr=False, compare=False)

    def card(self) -> ModelCard:
        """The imported card as a validated :class:`~modelcard.schema.models.ModelCard`."""
        if self._card is None:
            from modelcard.schema.models import ModelCard

            self._card = ModelCard.model_validate(self.data)
        return self._card


@dataclass(frozen=True)
class ExportOptions:
    """Options an exporter may honour (each ignores those that do not apply to its format)."""

    #: huggingface: embed what the README cannot express under the ``modelcard`` front-matter key
    embed: bool = True


#: the options an export uses when none are given
DEFAULT_OPTIONS = ExportOptions()


@runtime_checkable
class Importer(Protocol):
    """Reads one format into a card."""

    #: the format's name, as ``import_card(from_=...)`` takes it
    name: str
    #: one line for ``--help``
    description: str

    def detect(self, path: Path, head: str) -> bool:
        """Whether ``path`` (whose first characters are ``head``) looks like this format."""
        ...

    def import_(self, path: PathLike, *, name: str | None = None) -> ImportResult:
        """Import ``path``; ``name`` overrides the model name derived from the source."""
        ...


@runtime_checkable
class Exporter(Protocol):
    """Writes a card in one format."""

    name: str
    description: str
    #: the usual file suffix of the output, e.g. ".md"
    suffix: str

    def export(self, card: ModelCard, options: ExportOptions = ..., notes: Notes | None = None) -> str:
        """The text of ``card`` in this format; what cannot be written goes to ``notes`` as warnings."""
        ...


@dataclass
class FileImporter:
    """An :class:`Importer` made of two functions: ``looks_like(path, head)`` and ``read(path, name=...)``."""

    name: str
    description: str
    looks_like: Callable[[Path, str], bool]
    read: Callable[..., ImportResult]

    def detect(self, path: Path, head: str) -> bool:
        return self.looks_like(path, head)

    def import_(self, path: PathLike, *, name: str | None = None) -> ImportResult:
        return self.read(path, name=name)


@dataclass
class TextExporter:
    """An :class:`Exporter` whose text needs the card alone: ``write(card, notes)``."""

    name: str
    description: str
    suffix: str
    write: Callable[[ModelCard, Notes | None], str]

    def export(self, card: ModelCard, options: ExportOptions = DEFAULT_OPTIONS, notes: Notes | None = None) -> str:
        return self.write(card, notes)


def json_document(path: Path, head: str) -> Any:
    """The JSON value of a ``.json`` file's first characters (for ``detect``); None for another suffix or no JSON."""
    if path.suffix.lower() != ".json":
        return None
    try:
        return json.loads(head)
    except ValueError:
        return None


_importers: dict[str, Importer] = {}
_exporters: dict[str, Exporter] = {}


def register_importer(importer: Importer) -> None:
    """Add (or replace) an importer under its name."""
    _importers[importer.name] = importer


def register_exporter(exporter: Exporter) -> None:
    """Add (or replace) an exporter under its name."""
    _exporters[exporter.name] = exporter


def _load(spec: str) -> Any:
    module, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module), attr)


def import_formats() -> tuple[str, ...]:
    """The names of every importer (built-in ones first, in detection order)."""
    return tuple(dict.fromkeys([*BUILTIN_IMPORTERS, *_importers]))


def export_formats() -> tuple[str, ...]:
    """The names of every exporter."""
    return tuple(dict.fromkeys([*BUILTIN_EXPORTERS, *_exporters]))


def get_importer(name: str) -> Importer:
    """The importer called ``name``; a UsageError naming the choices otherwise."""
    if name not in _importers:
        if name not in BUILTIN_IMPORTERS:
            raise UsageError(f"unknown import format {name!r}; choose one of {', '.join(import_formats())}")
        register_importer(_load(BUILTIN_IMPORTERS[name]))
    return _importers[name]


def get_exporter(name: str) -> Exporter:
    """The exporter called ``name``; a UsageError naming the choices otherwise."""
    if name not in _exporters:
        if name not in BUILTIN_EXPORTERS:
            raise UsageError(f"unknown export format {name!r}; choose one of {', '.join(export_formats())}")
        register_exporter(_load(BUILTIN_EXPORTERS[name]))
    return _exporters[name]


def importers() -> list[Importer]:
    """Every importer, in detection order."""
    return [get_importer(n) for n in import_formats()]
