"""Layered cards: deep-merge machine-generated fragments into a hand-written card.

``merge(base, overlay)`` combines two loaded :class:`Document` s.  Mappings
merge key by key; lists of identifiable items (datasets by ``id``, metrics by
name+slice+dataset+split, fairness results by metric+group+reference+dataset,
definitions and attributes by name) merge item by item, so a fragment with
fresh metrics updates the matching entries and appends new ones.  Any other
value in the overlay replaces the base value.  Every merged node keeps the
source position of the file it came from, so errors still point at the right
``FILE:LINE:COL``.

``apply_set(doc, "model.version=1.2.0")`` sets one value from the command
line.  Values stay strings; the schema converts them where a number or a
boolean is expected.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any, Callable

from .diagnostics import SourcePos, UsageError
from .loader import Document, format_path

PathT = tuple


def _frozen(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _keyed(*fields: str) -> Callable[[Any], Any]:
    def key(item: Any) -> Any:
        if not isinstance(item, dict):
            return None
        return tuple(_frozen(item.get(f)) for f in fields)
    return key


#: lists whose items are matched by identity instead of replaced wholesale
LIST_KEYS: dict[tuple[str, ...], Callable[[Any], Any]] = {
    ("datasets",): _keyed("id"),
    ("metrics",): _keyed("name", "slice", "dataset", "split"),
    ("fairness", "results"): _keyed("metric", "group", "reference_group", "dataset", "split"),
    ("fairness", "sensitive_attributes"): _keyed("name"),
    ("test_methodology", "metric_definitions"): _keyed("name"),
    ("test_methodology", "datasets"): _keyed("dataset", "split"),
    ("model", "developers"): _keyed("name"),
    ("card", "authors"): _keyed("name"),
}


class _Merger:
    def __init__(self, base: Document, overlay: Document):
        self.base, self.overlay = base, overlay
        self.positions: dict[PathT, SourcePos] = {}
        self.key_positions: dict[PathT, SourcePos] = {}

    def copy(self, value: Any, src: Document, src_path: PathT, dst: PathT) -> Any:
        if src_path in src.positions:
            self.positions[dst] = src.positions[src_path]
        if src_path in src.key_positions:
            self.key_positions[dst] = src.key_positions[src_path]
        if isinstance(value, dict):
            return {k: self.copy(v, src, src_path + (k,), dst + (k,)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.copy(v, src, src_path + (i,), dst + (i,)) for i, v in enumerate(value)]
        return value

    def merge(self, b: Any, bp: PathT, o: Any, op: PathT, dst: PathT) -> Any:
        if isinstance(b, dict) and isinstance(o, dict):
            if bp in self.base.positions:
                self.positions[dst] = self.base.positions[bp]
            if bp in self.base.key_positions:
                self.key_positions[dst] = self.base.key_positions[bp]
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
        shape = tuple(p for p in dst if isinstance(p, str))
        key = LIST_KEYS.get(shape)
        if key is not None and isinstance(b, list) and isinstance(o, list):
            if bp in self.base.positions:
                self.positions[dst] = self.base.positions[bp]
            index = {key(item): j for j, item in enumerate(o)}
            used: set[int] = set()
            out_list = []
            for i, item in enumerate(b):
                j = index.get(key(item))
                if j is not None and j not in used:
                    used.add(j)
                    out_list.append(self.merge(item, bp + (i,), o[j], op + (j,), dst + (len(out_list),)))
                else:
                    out_list.append(self.copy(item, self.base, bp + (i,), dst + (len(out_list),)))
            for j, item in enumerate(o):
                if j not in used:
                    out_list.append(self.copy(item, self.overlay, op + (j,), dst + (len(out_list),)))
            return out_list
        if op in self.overlay.key_positions:
            self.key_positions[dst] = self.overlay.key_positions[op]
        return self.copy(o, self.overlay, op, dst)


def merge(base: Document, overlay: Document) -> Document:
    """Deep-merge ``overlay`` into ``base`` (neither is modified)."""
    m = _Merger(base, overlay)
    data = m.merge(base.data, (), overlay.data, (), ())
    return Document(data, base.source, m.positions, m.key_positions)


_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parse_set_path(expr: str) -> PathT:
    """``"metrics[0].value"`` -> ``("metrics", 0, "value")``."""
    path: list[Any] = []
    pos = 0
    while pos < len(expr):
        if expr[pos] == "." and path:
            pos += 1
        m = _SEGMENT.match(expr, pos)
        if m is None or m.end() == pos:
            raise UsageError(f"--set: cannot read key path '{expr}' (expected e.g. model.version or metrics[0].value)")
        path.append(m.group(1) if m.group(1) is not None else int(m.group(2)))
        pos = m.end()
    if not path or not isinstance(path[0], str):
        raise UsageError(f"--set: key path '{expr}' must start with a section name")
    return tuple(path)


def apply_set(doc: Document, assignment: str) -> Document:
    """Return a copy of ``doc`` with ``key.path=value`` applied."""
    if "=" not in assignment:
        raise UsageError(f"--set '{assignment}': expected KEY.PATH=VALUE")
    key, value = assignment.split("=", 1)
    path = parse_set_path(key.strip())
    source = SourcePos(f"--set {key.strip()}", 1, len(key) + 2)
    overlay_data: Any = value
    for part in reversed(path):
        if isinstance(part, int):
            # index into an existing list: build the overlay over a copy of it
            break
        overlay_data = {part: overlay_data}
    else:
        overlay = Document(overlay_data, source.file, {p: source for p in _prefixes(path)}, {})
        return merge(doc, overlay)
    # a path through a list: edit a copy in place
    data = copy.deepcopy(doc.data)
    node = data
    for i, part in enumerate(path[:-1]):
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            raise UsageError(f"--set {key}: '{_fmt(path[: i + 1])}' does not exist in the card") from None
    try:
        if isinstance(path[-1], int):
            node[path[-1]]  # noqa: B018 - must exist
        node[path[-1]] = value
    except (IndexError, TypeError):
        raise UsageError(f"--set {key}: '{_fmt(path)}' does not exist in the card") from None
    positions = dict(doc.positions)
    positions[path] = source
    return Document(data, doc.source, positions, dict(doc.key_positions))


def _prefixes(path: PathT) -> list[PathT]:
    return [path[:i] for i in range(len(path) + 1)]


def _fmt(path: PathT) -> str:
    return format_path(path)
