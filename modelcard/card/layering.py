"""Layered cards: deep-merge machine-generated fragments into a hand-written card.

``merge(base, overlay)`` combines two loaded :class:`Document` s:

* mappings merge key by key; a key only in the overlay is added;
* lists of identifiable items merge item by item, by the identity their
  item model declares (:func:`modelcard.schema.walk.identity_at`): datasets
  by ``id``; metrics by name+slice+dataset+split; fairness results by
  metric+group+reference_group+dataset+split; spreads by
  metric+attributes+dataset; definitions, attributes and people by ``name``.
  A matched item is merged field by field, an unmatched overlay item is
  appended, and base items the overlay does not mention are kept;
* a matched result that brings a new measurement (``value``/``disparity``)
  replaces the old measurement as a unit (the model's ``measurement``): a fresh
  value never inherits a stale confidence interval, ``n`` or verdict (nor, for
  a spread, a stale ``small_sample`` flag or ``notes``), while hand-written
  fields of the item (``threshold``, ``description``...) stay;
* any other value in the overlay, including any other list, replaces the base
  value (``null`` included); ``x-`` extensions are ordinary keys and are kept.

Every merged node keeps the source position of the file it came from, so a
schema error in a fragment points at the fragment's ``FILE:LINE:COL``.

``apply_set(doc, "model.version=1.2.0")`` sets one value (the CLI's ``--set``).
The key path is checked against the schema (an unknown field or a list index
that does not exist is a :class:`UsageError` with ``option="sets"``, exit 2;
its message names the path, and the CLI adds the flag), and the text is
converted to the type the schema expects at that place: ``metrics[0].value=0.9``
becomes the number 0.9, ``model.version=1.10`` stays the text ``"1.10"``.
"""

from __future__ import annotations

import copy
import datetime as _dt
import re
import types
from typing import Any

from modelcard.diagnostics import SourcePos, UsageError, format_path
from modelcard.io.source import Document
from modelcard.schema.walk import identity_at, is_scalar_type, shape_of, type_at

PathT = tuple[Any, ...]

#: the API parameter a bad assignment came in (the CLI shows it as ``--set``)
OPTION = "sets"


def _snapshot(doc: Document) -> Any:
    return types.SimpleNamespace(data=doc.data, positions=doc.positions, key_positions=doc.key_positions)


class _Merger:
    """One merge.  With ``track`` it also records where each merged node came from.

    Positions are computed lazily (see :class:`Document`): the merge first runs
    without them, and runs again with them only if someone asks for a position.
    """

    def __init__(self, base: Document, overlay: Document, track: bool = False):
        if track:  # read the (lazy) position maps once, not on every node
            base, overlay = _snapshot(base), _snapshot(overlay)
        self.base, self.overlay, self.track = base, overlay, track
        self.positions: dict[PathT, SourcePos] = {}
        self.key_positions: dict[PathT, SourcePos] = {}

    def copy(self, value: Any, src: Document, src_path: PathT, dst: PathT) -> Any:
        if self.track:
            if src_path in src.positions:
                self.positions[dst] = src.positions[src_path]
            if src_path in src.key_positions:
                self.key_positions[dst] = src.key_positions[src_path]
        if isinstance(value, dict):
            return {k: self.copy(v, src, src_path + (k,), dst + (k,)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.copy(v, src, src_path + (i,), dst + (i,)) for i, v in enumerate(value)]
        return value

    def _locate_from_base(self, bp: PathT, dst: PathT) -> None:
        if not self.track:
            return
        if bp in self.base.positions:
            self.positions[dst] = self.base.positions[bp]
        if bp in self.base.key_positions:
            self.key_positions[dst] = self.base.key_positions[bp]

    def merge(self, b: Any, bp: PathT, o: Any, op: PathT, dst: PathT) -> Any:
        if isinstance(b, dict) and isinstance(o, dict):
            self._locate_from_base(bp, dst)
            out = {}
            for k, v in b.items():
                if k in o:
                    out[k] = self.merge(v, bp + (k,), o[k], op + (k,), dst + (k,))
                else:
                    out[k] = self.copy(v, self.base, bp + (k,), dst + (k,))
            for k, v in o.items():
                if k not in b:
                    out[k] = self.copy(v, self.overlay, op + (k,), dst + (k,))
            return out
        shape = shape_of(dst)
        identity = identity_at(shape)
        if identity is not None and isinstance(b, list) and isinstance(o, list):
            key = identity.key
            self._locate_from_base(bp, dst)
            index: dict[Any, list[int]] = {}
            for j, item in enumerate(o):
                k = key(item)
                if k is not None:
                    index.setdefault(k, []).append(j)
            used: set[int] = set()
            out_list: list[Any] = []
            for i, item in enumerate(b):
                k = key(item)
                candidates = [j for j in index.get(k, ()) if j not in used] if k is not None else []
                here = dst + (len(out_list),)
                if candidates:
                    j = candidates[0]
                    used.add(j)
                    out_list.append(self.merge_item(shape, item, bp + (i,), o[j], op + (j,), here))
                else:
                    out_list.append(self.copy(item, self.base, bp + (i,), here))
            for j, item in enumerate(o):
                if j not in used:
                    out_list.append(self.copy(item, self.overlay, op + (j,), dst + (len(out_list),)))
            return out_list
        if self.track and op in self.overlay.key_positions:
            self.key_positions[dst] = self.overlay.key_positions[op]
        return self.copy(o, self.overlay, op, dst)

    def merge_item(self, shape: tuple[str, ...], b: Any, bp: PathT, o: Any, op: PathT, dst: PathT) -> Any:
        identity = identity_at(shape)
        if identity is not None and identity.signals and isinstance(b, dict) and isinstance(o, dict):
            fields = identity.measured
            if any(s in o for s in identity.signals):
                # a new measurement: drop the old one so no stale CI, n or verdict survives
                b = {k: v for k, v in b.items() if k not in fields or k in o}
                merged = self.merge(b, bp, o, op, dst)
                if self.track and op in self.overlay.positions:
                    self.positions[dst] = self.overlay.positions[op]
                return merged
        return self.merge(b, bp, o, op, dst)


def merge(base: Document, overlay: Document) -> Document:
    """Deep-merge ``overlay`` into ``base`` (neither is modified)."""
    data = _Merger(base, overlay).merge(base.data, (), overlay.data, (), ())

    def locate() -> tuple[dict[PathT, SourcePos], dict[PathT, SourcePos]]:
        m = _Merger(base, overlay, track=True)
        m.merge(base.data, (), overlay.data, (), ())
        return m.positions, m.key_positions

    return Document(data, base.source, locate=locate)


# --------------------------------------------------------------------------
# setting one value: KEY.PATH=VALUE

_SEGMENT = re.compile(r"([^.\[\]=]+)|\[(\d+)\]")


def _usage(message: str) -> UsageError:
    return UsageError(message, option=OPTION)


def parse_set_path(expr: str) -> PathT:
    """A key path as a card path.

    Example:
        >>> parse_set_path("metrics[0].value")
        ('metrics', 0, 'value')
    """
    hint = "expected e.g. model.version or metrics[0].value"
    path: list[Any] = []
    pos = 0
    while pos < len(expr):
        if path and expr[pos] == ".":
            pos += 1
        elif path and expr[pos] != "[":
            raise _usage(f"cannot read key path '{expr}' ({hint})")
        m = _SEGMENT.match(expr, pos)
        if m is None or m.end() == pos:
            raise _usage(f"cannot read key path '{expr}' ({hint})")
        if m.group(1) is not None:
            name = m.group(1).strip()
            if not name:
                raise _usage(f"cannot read key path '{expr}' ({hint})")
            path.append(name)
        else:
            path.append(int(m.group(2)))
        pos = m.end()
    if not path or not isinstance(path[0], str):
        raise _usage(f"key path '{expr}' must start with a section name ({hint})")
    return tuple(path)


def coerce(value: str, tp: Any) -> Any:
    """Convert text to the number, boolean or date the schema expects; else keep the text.

    ``tp`` is what :func:`modelcard.schema.walk.type_at` says (None: an extension, kept as text).
    """
    if tp is None or not is_scalar_type(tp):
        return value  # a list or a section cannot come from one string: the schema reports it
    from pydantic import TypeAdapter, ValidationError

    try:
        converted = TypeAdapter(tp).validate_python(value)
    except (ValidationError, TypeError, ValueError):
        return value  # the schema reports the problem, located at the assignment
    if isinstance(converted, (bool, int, float, _dt.date)) and not isinstance(converted, str):
        return converted
    return value


def apply_set(doc: Document, assignment: str) -> Document:
    """Return a copy of ``doc`` with ``key.path=value`` applied.

    Missing mappings along the path are created; list items must exist.  A
    bad path raises :class:`UsageError` (``option="sets"``); a value of the
    wrong type is left to the schema, which reports it located at
    ``set KEY.PATH``.
    """
    if "=" not in assignment:
        raise _usage(f"'{assignment}': expected KEY.PATH=VALUE, e.g. model.version=1.2.0")
    key, value = assignment.split("=", 1)
    key = key.strip()
    path = parse_set_path(key)
    try:
        tp = type_at(path)
    except UsageError as exc:
        raise _usage(str(exc)) from None
    value_out = coerce(value, tp)
    source = SourcePos(f"set {key}", 1, len(key) + 2)

    data = copy.deepcopy(doc.data)
    created: list[PathT] = []  # mappings created along the path
    node = data
    for i, part in enumerate(path):
        here = path[: i + 1]
        last = i == len(path) - 1
        if isinstance(part, int):
            if not isinstance(node, list):
                raise _usage(f"{key}: {format_path(path[:i])} is not a list in the card")
            if part >= len(node):
                size = f"it has {len(node)} item{'s' if len(node) != 1 else ''}"
                raise _usage(f"{key}: {format_path(here)} does not exist in the card ({size})")
        elif not isinstance(node, dict):
            raise _usage(f"{key}: {format_path(path[:i])} is not a mapping in the card")
        elif part not in node or (node[part] is None and not last):
            if not last and isinstance(path[i + 1], int):
                raise _usage(f"{key}: {format_path(here)} does not exist in the card")
            node[part] = {}
            created.append(here)
        if last:
            node[part] = value_out
        else:
            node = node[part]

    def locate() -> tuple[dict[PathT, SourcePos], dict[PathT, SourcePos]]:
        positions = {p: s for p, s in doc.positions.items() if p[: len(path)] != path}
        key_positions = {p: s for p, s in doc.key_positions.items() if p[: len(path)] != path}
        for p in created:
            positions[p] = key_positions[p] = source
        if path not in key_positions:
            key_positions[path] = source
        positions[path] = source
        return positions, key_positions

    return Document(data, doc.source, locate=locate)
