"""The card rules on the parts of an invalid card that are valid, so one run reports both kinds of error.

When the schema refuses a card, :func:`checks_on_valid_parts` takes the parts
the schema refused out of a copy of the data (the offending list item, or the
offending key; a refused key the schema requires takes its parent with it),
validates what is left and runs the cross-field checks of
:mod:`modelcard.card.checks` on it.  Positions and paths in what they report
are those of the original card (list items that were taken out do not shift
the indices of their siblings).  A rule that could be wrong because of what
was taken out is not reported: nothing under a removed part, no "unknown
dataset" once a dataset was removed, no verdict check once part of
``fairness`` or ``test_methodology`` was, no "recommended field missing" for a
field that is there but invalid.  When only the card's required core is
invalid (``model.name``, ``card.schema_version``...), there is nothing to
check and nothing more is reported.
"""

from __future__ import annotations

import copy
import os
import re
from typing import Any

from pydantic import ValidationError

from modelcard.card.checks import run_checks
from modelcard.diagnostics import Diagnostic, Report, SourcePos, format_path
from modelcard.io.source import Document
from modelcard.schema.models import ModelCard

Path = tuple[Any, ...]

#: how many times refused parts are taken out before giving up (each round can only climb one level)
MAX_ROUNDS = 12

#: rule codes that depend on other parts of the card, and the sections whose removal makes them unreliable;
#: a code not listed depends on every section below (codes of purely local checks map to ())
DEPENDS: dict[str, tuple[str, ...]] = {
    "unknown-dataset": ("datasets",),
    "undefined-metric": ("test_methodology",),
    "undeclared-attribute": ("fairness",),
    "verdict-mismatch": ("fairness", "test_methodology"),
    "duplicate-id": (),
    "duplicate-metric": (),
    "value-outside-ci": (),
    "out-of-range": (),
    "threshold-without-disparity": (),
    "verdict-without-data": (),
    "missing-recommended": (),
    "placeholder": (),
}
_DEFAULT_DEPENDS = ("datasets", "test_methodology", "fairness", "metrics")

_GONE = object()  # a list item taken out (kept as a marker so its siblings keep their original indices)
_SEGMENT = re.compile(r"\[(\d+)\]|\.?([^.\[\]]+)")


def checks_on_valid_parts(doc: Document, *, strict: bool = False) -> list[Diagnostic]:
    """Rule diagnostics for the valid parts of a card the schema refused (empty when nothing can be checked)."""
    work = copy.deepcopy(doc.data)
    if not isinstance(work, dict):
        return []
    removed: list[Path] = []
    for _ in range(MAX_ROUNDS):
        data, kept = _materialise(work, ())
        try:
            card = ModelCard.model_validate(data)
        except ValidationError as exc:
            targets: set[Path] = set()
            for err in exc.errors(include_url=False):
                where = _existing(data, tuple(err["loc"]))
                if not where:
                    return []  # the card itself is refused: nothing left to check
                targets.add(_original(where, kept))
            for target in sorted(targets, key=len):
                if _remove(work, target):
                    removed.append(target)
            continue
        view = _PrunedDocument(data, doc, kept)
        out = []
        for d in run_checks(card, view, strict=strict):
            if d.code == "old-schema":
                continue  # the caller adds the notice once
            if d.path:
                d.path = format_path(_original(_parse(d.path), kept))
            if _reliable(d, removed):
                out.append(d)
        return out
    return []


def _reliable(d: Diagnostic, removed: list[Path]) -> bool:
    """Whether ``d`` stands whatever the removed parts held."""
    here = _parse(d.path) if d.path else ()
    for gone in removed:
        if here[: len(gone)] == gone:
            return False  # about a removed part (e.g. "recommended field missing" where it is invalid)
    sections = DEPENDS.get(d.code or "", _DEFAULT_DEPENDS)
    return not any(gone and gone[0] in sections for gone in removed)


class _PrunedDocument(Document):
    """The pruned data, with the positions of the original document (paths translated back)."""

    def __init__(self, data: Any, original: Document, kept: dict[Path, list[int]]):
        super().__init__(data, original.source, {}, {})
        self._original = original
        self._kept = kept

    def pos(self, path: Any, *, key: bool = False) -> SourcePos | None:
        return self._original.pos(_original(tuple(path), self._kept), key=key)


def _materialise(node: Any, path: Path) -> tuple[Any, dict[Path, list[int]]]:
    """``node`` without the removed items, and for each list that lost some, the original index of each kept one."""
    kept: dict[Path, list[int]] = {}
    if isinstance(node, dict):
        out: dict[Any, Any] = {}
        for k, v in node.items():
            out[k], sub = _materialise(v, path + (k,))
            kept.update(sub)
        return out, kept
    if isinstance(node, list):
        items: list[Any] = []
        indices: list[int] = []
        for i, v in enumerate(node):
            if v is _GONE:
                continue
            value, sub = _materialise(v, path + (i,))
            items.append(value)
            indices.append(i)
            kept.update(sub)
        if len(indices) != len(node):
            kept[path] = indices
        return items, kept
    return node, kept


def _original(path: Path, kept: dict[Path, list[int]]) -> Path:
    """A path in the pruned data as a path in the original card."""
    out: Path = ()
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool) and out in kept:
            indices = kept[out]
            part = indices[part] if 0 <= part < len(indices) else part
        out += (part,)
    return out


def _existing(data: Any, loc: Path) -> Path:
    """The longest prefix of a Pydantic error location that exists in ``data`` (the offending value)."""
    out: Path = ()
    node = data
    for part in loc:
        found = (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        )
        if not found:
            break
        node = node[part]
        out += (part,)
    return out


def _remove(work: Any, path: Path) -> bool:
    """Take ``path`` out of the working copy: a list item becomes a marker, a key is deleted."""
    parent = work
    for part in path[:-1]:
        try:
            parent = parent[part]
        except (KeyError, IndexError, TypeError):
            return False  # already inside something removed
        if parent is _GONE:
            return False
    last = path[-1]
    if isinstance(parent, list) and isinstance(last, int) and 0 <= last < len(parent):
        parent[last] = _GONE
        return True
    if isinstance(parent, dict) and last in parent:
        del parent[last]
        return True
    return False


def _parse(text: str) -> Path:
    """``datasets[1].provenance.sources[0]`` -> ``("datasets", 1, "provenance", "sources", 0)``."""
    out: list[Any] = []
    for index, name in _SEGMENT.findall(text):
        out.append(int(index) if index else name)
    return tuple(out)


# --------------------------------------------------------------------------
# fragments: partial cards, validated as such


#: the top-level declaration that makes a file a fragment: ``kind: fragment``
FRAGMENT_KIND = "fragment"

_KIND_LINE = re.compile(rb"^kind:[ \t]*(['\"]?)fragment\1[ \t]*(?:#.*)?\r?$|\"kind\"\s*:\s*\"fragment\"", re.M)


def declares_fragment(raw: bytes) -> bool:
    """Whether a YAML or JSON text declares ``kind: fragment`` (a quick look; the loader decides for real)."""
    return _KIND_LINE.search(raw) is not None


def fragment_diagnostics(doc: Document, *, strict: bool = False) -> list[Diagnostic]:
    """Validate a fragment (a partial card, as ``--with`` layers it): no required-field errors.

    Every key must be one the schema knows (or an ``x-`` extension) and every
    value must have its type; fields a whole card requires may be absent, and
    the cross-field rules, which need the whole card, are left to the card it
    is layered over. A top-level ``kind: fragment`` is the declaration, not
    card data. ``strict`` also reports ``TODO`` placeholders.
    """
    from modelcard.card.validate import _sorted, _unknown_key_diagnostic, schema_diagnostics, unknown_keys
    from modelcard.schema.walk import placeholders

    data = doc.data
    if not isinstance(data, dict):
        return [Diagnostic.at(doc.pos(()), "a fragment must be a mapping", file=doc.source, code="fragment-type")]
    kind = data.get("kind")
    if kind is not None and kind != FRAGMENT_KIND:
        return [
            Diagnostic.at(
                doc.pos(("kind",)),
                f"kind must be '{FRAGMENT_KIND}' (a file that declares a kind is a fragment); got {kind!r}",
                file=doc.source,
                code="fragment-kind",
                path="kind",
            )
        ]
    body = {k: v for k, v in data.items() if k != "kind"}
    out = [_unknown_key_diagnostic(path, model, doc) for path, model in unknown_keys(body)]
    try:
        ModelCard.model_validate(body)
    except ValidationError as exc:
        out += [d for d in schema_diagnostics(exc, doc) if d.code != "missing"]
    if strict:
        for path in placeholders(body):
            out.append(
                Diagnostic.at(
                    doc.pos(path),
                    "placeholder not filled in",
                    file=doc.source,
                    code="placeholder",
                    path=format_path(path),
                )
            )
    return _sorted(out)


def validate_fragment_file(path: str | os.PathLike[str], *, strict: bool = False) -> Report:
    """Validate one fragment file (see :func:`fragment_diagnostics`). Never raises for bad input."""
    from modelcard.diagnostics import CardError, ModelcardError
    from modelcard.io.source import load

    report = Report(file=str(path))
    try:
        doc = load(path)
    except CardError as exc:
        report.diagnostics = exc.diagnostics
        return report
    except ModelcardError as exc:
        report.unreadable = True
        message = str(exc).removeprefix(f"{path}: ")
        report.diagnostics = [Diagnostic(message, file=str(path), code="unreadable")]
        return report
    report.diagnostics = fragment_diagnostics(doc, strict=strict)
    return report
