"""Layering as a workflow: merge fragments into a card, validate, and write the merged card.

The Python API behind ``modelcard merge`` and :meth:`modelcard.ModelCard.merge`::

    from modelcard.analysis.merge import merge_files, update_in_place

    result = merge_files("card.yaml", ["metrics.yaml"], ["model.version=1.3.0"])
    print(result.warnings)                      # said, but nothing stops
    text = result.text("yaml")                  # the merged card, keys in schema order
    update_in_place("card.yaml", result)        # or: edit card.yaml, keeping its comments

The merge rules (lists of identifiable items merge item by item; a new
measurement replaces the old one as a unit) are :mod:`modelcard.card.layering`'s;
validation is :func:`modelcard.card.validate.load_validated`'s: an invalid
merged card raises :class:`~modelcard.diagnostics.CardError` and nothing is
written.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from modelcard.card.layering import merge
from modelcard.card.validate import load_validated, validated
from modelcard.diagnostics import Diagnostic
from modelcard.io.serialize import card_text
from modelcard.io.source import Document, load
from modelcard.schema.models import ModelCard
from modelcard.schema.walk import card_data

PathLike = str | os.PathLike[str]


@dataclass
class MergeResult:
    """A merged, validated card.

    Attributes:
        card: the merged card.
        document: its data with the source position of every value.
        warnings: diagnostics that do not stop the merge.
        sources: what was merged, in order: the card, the fragments, ``set`` assignments.
        files: the files read (the card, then the fragment files): never to be written over.
    """

    card: ModelCard
    document: Document
    warnings: list[Diagnostic] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def text(self, fmt: Literal["yaml", "json"] = "yaml", *, header: str | None = None) -> str:
        """The merged card as YAML or JSON, keys in schema order.

        YAML starts with ``header`` as comment lines; by default one that says
        where the card came from (``""``: none).  JSON has no comments.
        """
        if header is None:
            header = f"Merged from {' + '.join(self.sources)}.\nEdit the sources, not this file."
        return card_text(self.document.data, fmt, header=header if fmt == "yaml" else "")


def merge_files(
    card: PathLike,
    overlays: Sequence[PathLike] = (),
    sets: Sequence[str] = (),
    *,
    strict: bool = False,
) -> MergeResult:
    """Layer fragment files and ``KEY.PATH=VALUE`` assignments over a card file, and validate the result.

    Args:
        card: the base card (YAML or JSON).
        overlays: fragment files, merged in order.
        sets: assignments applied after the fragments, e.g. ``"model.version=1.3.0"``.
        strict: also refuse a card with missing recommended fields or placeholders.

    Returns:
        The merged card (see :class:`MergeResult`); nothing is written.

    Raises:
        CardError: the merged card is invalid (every error located in the file it came from).
        UsageError: an assignment names no field of the card.
        UnreadableError: a file cannot be read.
    """
    merged, doc, warnings = load_validated(card, overlays, sets, strict=strict)
    files = [os.fspath(card), *(os.fspath(o) for o in overlays)]
    return MergeResult(merged, doc, warnings, files + [f"set {s}" for s in sets], files)


def _as_document(fragment: Any, name: str) -> Document:
    from pydantic import BaseModel

    if isinstance(fragment, Document):
        return fragment
    if isinstance(fragment, BaseModel):
        return Document(card_data(fragment), name)
    if callable(getattr(fragment, "to_data", None)):  # an evaluation's Fragment
        return Document(fragment.to_data(), name)
    if isinstance(fragment, Mapping):
        return Document(dict(fragment), name)
    return load(fragment)  # a path


def merge_cards(base: ModelCard | Document | PathLike, *fragments: Any, strict: bool = False) -> MergeResult:
    """Layer fragments over a card in memory, and validate the result.

    Each fragment is a path, a mapping of card data, a :class:`Document` or a
    model (a :class:`~modelcard.schema.models.ModelCard`, or a fragment such as
    what :func:`modelcard.evaluate` returns).  The merge rules are those of
    ``modelcard merge``.

    Raises:
        CardError: the merged card is invalid.

    Example:
        >>> from modelcard.schema.models import ModelCard
        >>> base = ModelCard.model_validate({"card": {"schema_version": "1.1"}, "model": {"name": "m", "version": "1"}})
        >>> merge_cards(base, {"model": {"version": "2"}}).card.model.version
        '2'
    """
    doc = _as_document(base, "<card>")
    sources = [doc.source]
    files = [os.fspath(f) for f in (base, *fragments) if isinstance(f, (str, os.PathLike))]
    for i, fragment in enumerate(fragments):
        overlay = _as_document(fragment, f"<fragment {i + 1}>")
        doc = merge(doc, overlay)
        sources.append(overlay.source)
    card, warnings = validated(doc, strict=strict)
    return MergeResult(card, doc, warnings, sources, files)


def update_in_place(path: PathLike, result: MergeResult) -> bool:
    """Edit the card file at ``path`` so it holds the merged card, keeping everything else byte for byte.

    Only what the merge changed is rewritten; comments, key order, quoting and
    layout stay (see :mod:`modelcard.io.inplace`).  The file is replaced
    atomically through :mod:`modelcard.io.write`, never over a fragment.

    Returns:
        False when the file already held the merged card (it is not rewritten).

    Raises:
        InPlaceError: the change cannot be made without rewriting more (YAML anchors, merge keys).
    """
    from modelcard.io.inplace import update_text
    from modelcard.io.source import decode, display_name, read_bytes
    from modelcard.io.write import write_output

    raw = read_bytes(path)
    name = display_name(path)
    text = decode(raw, name)
    updated = update_text(text, name, result.document.data)
    if updated == text:
        return False
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    others = [f for f in result.files if os.path.abspath(f) != os.path.abspath(path)]
    write_output(path, bom + updated.encode("utf-8"), inputs=others)
    return True


__all__ = ["MergeResult", "merge_cards", "merge_files", "update_in_place"]
