"""The round trip that makes Hugging Face import and export lossless, and the merge patch it uses.

* :func:`import_text` reads a README (:mod:`.importer`), validates the card,
  then exports it back (:mod:`.exporter`): any front-matter key or body text
  that export would not reproduce is kept verbatim under ``x-huggingface``,
  so nothing is ever lost.
* :func:`export_readme` writes the README; with ``embed`` it imports the
  result back and embeds what a README cannot express (fairness results,
  provenance, intervals...) as a JSON merge patch (RFC 7386) under the
  ``modelcard`` front-matter key, so that importing the README gives back
  the same card.

Only this module uses both directions; the importer and the exporter never
import each other.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modelcard.diagnostics import CardError, Diagnostic
from modelcard.interop._common import Notes, decode_text, dump_card, read_bytes
from modelcard.interop.base import ImportResult
from modelcard.interop.huggingface import exporter
from modelcard.interop.huggingface.importer import EMBED_KEY, EXT, FORMAT, ReadmeOptions, ReadmeParts, read_readme
from modelcard.schema.models import ModelCard

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing.Unpack from Python 3.11


def merge_diff(want: Any, got: Any) -> Any:
    """The merge patch turning ``got`` into ``want``: mappings recurse, None deletes, anything else replaces."""
    if isinstance(want, dict) and isinstance(got, dict):
        out: dict[str, Any] = {}
        for k, v in want.items():
            if k not in got:
                out[k] = v
            elif v != got[k]:
                out[k] = merge_diff(v, got[k])
        for k in got:
            if k not in want:
                out[k] = None
        return out
    return want


def merge_apply(base: Any, patch: Any) -> Any:
    """``base`` with the merge ``patch`` applied (RFC 7386)."""
    if isinstance(patch, dict) and isinstance(base, dict):
        out = dict(base)
        for k, v in patch.items():
            if v is None:
                out.pop(k, None)
            else:
                out[k] = merge_apply(base.get(k), v)
        return out
    if isinstance(patch, dict):
        return merge_apply({}, patch)
    return patch


def _validated(data: dict[str, Any], source: str) -> ModelCard:
    from modelcard.card.validate import validated
    from modelcard.io.source import Document

    try:
        card, _ = validated(Document(data, source))
    except CardError as exc:
        raise CardError(
            [
                Diagnostic(
                    f"imported data is not a valid card: {d.message}", file=source, code="import-invalid", path=d.path
                )
                for d in exc.diagnostics
            ]
        ) from None
    return card


def _verify(parts: ReadmeParts, card: ModelCard, notes: Notes) -> None:
    """Keep verbatim whatever export would not reproduce (changes the card's ``x-huggingface`` in place)."""
    extra = card.model_extra if card.model_extra is not None else {}
    ext = extra.setdefault(EXT, {})
    data = dump_card(card)
    if parts.front_matter is not None:
        fm_out = exporter.build_front_matter(card, data)
        for key, value in parts.front_matter.items():
            if key not in fm_out or fm_out[key] != value:
                ext.setdefault("front_matter_extra", {})[key] = value
        data = dump_card(card)
    if exporter.build_body(card, data) != parts.body:  # pragma: no cover - a mapping bug; never lose text
        notes.warn("body could not be mapped exactly; kept it verbatim", code="body-verbatim")
        ext["sections"] = []
        ext["preamble"] = parts.body
    if not ext:
        del extra[EXT]


def import_text(
    text: str, source: str = "<README>", *, notes: Notes | None = None, **options: Unpack[ReadmeOptions]
) -> ImportResult:
    """Import README text (see :func:`.importer.read_readme` for the ``options``)."""
    notes = notes if notes is not None else Notes(source)
    parts = read_readme(text, source, notes=notes, **options)
    card = _validated(parts.data, source)
    _verify(parts, card, notes)
    data = dump_card(card)
    if parts.embedded is not None:
        merged = merge_apply(data, parts.embedded)
        if isinstance(merged.get("card"), dict) and isinstance(merged.get("model"), dict):
            card = _validated(merged, source)
            data = dump_card(card)
        else:
            notes.warn(
                f"the embedded '{EMBED_KEY}' card is not usable (no card/model sections); ignored it",
                code="embedded-card",
            )
    return ImportResult(data, source, FORMAT, notes.items, _card=card)


def import_readme(
    path: str | os.PathLike[str], *, name: str | None = None, strict_format: bool = False
) -> ImportResult:
    """Import a Hugging Face README file into a card."""
    src = str(path)
    notes = Notes(src)
    text = decode_text(read_bytes(path), src, notes)
    folder = Path(path).resolve().parent.name if src != "-" else ""
    return import_text(
        text, src, name=name, notes=notes, filename=Path(path).name, folder=folder, strict_format=strict_format
    )


def _residual(card: ModelCard, data: dict[str, Any], fm: dict[str, Any] | None, body: str) -> dict[str, Any]:
    """What importing the README (without an embedded card) would get wrong, as a merge patch."""
    ext = data.get(EXT) if isinstance(data.get(EXT), dict) else {}
    text = exporter.compose(fm, body, data)
    try:
        back = import_text(text, "<export>", name=card.model.name, repo_id=(ext or {}).get("repo_id"), embedded=False)
    except CardError:  # pragma: no cover - fall back to embedding everything
        return data
    patch = merge_diff(data, back.data)
    return patch if isinstance(patch, dict) else data


def export_readme(card: ModelCard, *, embed: bool = True, notes: Notes | None = None) -> str:
    """The README.md text for ``card``: Hub metadata, Markdown sections and (``embed``) the rest of the card."""
    data = dump_card(card)
    fm, body = exporter.render(card, data, notes)
    if embed:
        patch = _residual(card, data, fm, body)
        if patch:
            fm = {**(fm or {}), EMBED_KEY: patch}
    elif notes is not None:
        lost = _paths({k: v for k, v in _residual(card, data, fm, body).items() if k != EXT})
        if lost:
            notes.warn(
                f"without the embedded card, the README does not carry: {', '.join(lost)}",
                code="huggingface-not-embedded",
            )
    return exporter.compose(fm, body, data)


def _paths(patch: Any, prefix: str = "", depth: int = 2) -> list[str]:
    """The card fields a merge patch changes (``section.field``)."""
    if not isinstance(patch, dict) or not patch or depth == 0:
        return [prefix] if prefix else []
    out: list[str] = []
    for k, v in patch.items():
        out += _paths(v, f"{prefix}.{k}" if prefix else str(k), depth - 1)
    return out
