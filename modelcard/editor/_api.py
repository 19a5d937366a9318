"""The editor's one door into the rest of modelcard.

Everything :mod:`modelcard.editor` needs from the project — reading a card,
the located diagnostics of ``modelcard validate``, the in-place text update of
``modelcard merge --in-place``, the HTML renderings, the ``init`` skeleton, the
JSON Schema and the safe file writer — is imported here and nowhere else in
the editor, so a reorganisation of the package re-points one file.

Nothing heavy is imported at module level: the server imports this module when
it starts, and each function pulls in what it uses (Jinja only on the first
preview).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from modelcard.diagnostics import ERROR as ERROR
from modelcard.diagnostics import WARNING as WARNING
from modelcard.diagnostics import CardError as CardError
from modelcard.diagnostics import Diagnostic as Diagnostic
from modelcard.diagnostics import ModelcardError as ModelcardError
from modelcard.diagnostics import UnreadableError as UnreadableError
from modelcard.diagnostics import UsageError as UsageError
from modelcard.io.source import MAX_BYTES as MAX_BYTES  # re-exported: the input limit of every card reader

#: suffixes a card file may have (YAML or JSON)
CARD_SUFFIXES = (".yaml", ".yml", ".json")


def read_card_bytes(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a card file: a regular file of at most MAX_BYTES, else UnreadableError/CardError."""
    from modelcard.io.source import read_bytes

    return read_bytes(path)


def decode(raw: bytes, name: str) -> str:
    """Card bytes as text (UTF-8, a BOM accepted), or CardError located at the bad byte."""
    from modelcard.io.source import decode as _decode

    return _decode(raw, name)


def parse(text: str, name: str) -> Any:
    """The data of card text, as ``modelcard validate`` reads it (CardError on a syntax problem)."""
    from modelcard.io.source import loads

    return loads(text, name).data


def validate_text(text: str, name: str, *, strict: bool = False) -> tuple[Any, list[Diagnostic]]:
    """(card model or None, located diagnostics) for card text named ``name``: ``modelcard validate``."""
    from modelcard.card.validate import validate_document
    from modelcard.io.source import loads

    try:
        doc = loads(text, name)
    except CardError as exc:
        return None, list(exc.diagnostics)
    return validate_document(doc, strict=strict)


def is_json(text: str, name: str) -> bool:
    """Whether the loader reads this card as JSON (a ``.json`` name or a leading ``{``)."""
    return name.lower().endswith(".json") or text.lstrip().startswith("{")


def update_text(text: str, name: str, data: dict[str, Any]) -> str:
    """``text`` edited so that it loads as ``data``, untouched parts byte for byte (``merge --in-place``).

    Raises :class:`InPlaceError` (a UsageError) when that is impossible
    (a changed value shared through a YAML anchor, a merge key).
    """
    from modelcard.io.inplace import update_text as _update

    return _update(text, name, data)


def in_place_error() -> type[Exception]:
    from modelcard.io.inplace import InPlaceError

    return InPlaceError


def card_text(data: Any, fmt: str = "yaml", header: str = "") -> str:
    """A whole card written anew (schema key order), as ``modelcard merge`` writes it."""
    from modelcard.io.serialize import card_text as _card_text

    return _card_text(data, fmt, header)


def render_previews(card: Any, base_dir: str | os.PathLike[str] | None) -> dict[str, dict[str, Any]]:
    """The HTML card and scorecard of a valid card: ``{layout: {"html": str, "refused": [...]}}``.

    Rendered by the project's templates in Jinja's sandbox; free text is
    sanitised; images are embedded only from under ``base_dir``.
    """
    from modelcard.render import render_html

    out = {}
    for layout in ("card", "scorecard"):
        page = render_html(card, layout, base_dir=base_dir)
        out[layout] = {"html": str(page.content), "refused": list(page.refused)}
    return out


def skeleton_text(target: str | os.PathLike[str]) -> str:
    """The ``modelcard init`` skeleton for a card to be written at ``target``."""
    from modelcard.authoring.skeleton import schema_ref_for, skeleton

    return skeleton(schema_ref=schema_ref_for(target))


def json_schema() -> dict[str, Any]:
    """The card's JSON Schema (what ``modelcard schema`` prints)."""
    from modelcard.schema.models import json_schema as _json_schema

    return _json_schema()


def write_file(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` atomically (temporary file, fsync, rename; a symlink is written through)."""
    from modelcard.io.write import write_output

    write_output(Path(path), text)


def require_regular(path: str | os.PathLike[str], what: str = "card file") -> os.stat_result:
    """``os.stat`` of ``path``, refusing (UnreadableError) a directory, FIFO, socket or device."""
    from modelcard.io.write import require_regular as _require_regular

    return _require_regular(path, what)
