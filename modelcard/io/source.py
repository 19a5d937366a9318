"""Load a card from YAML or JSON, remembering where every value came from.

The result is a :class:`Document`: plain Python data (dicts, lists, scalars)
plus a map from each node's path (``("datasets", 0, "sha256")``) to its
``FILE:LINE:COL``.  Nothing here knows the card schema; it only guarantees
that what comes out is safe, finite and located.

Safety: only YAML's safe tags are constructed (no Python objects), files
larger than ``MAX_BYTES`` are refused, and alias expansion is bounded
(``MAX_NODES``/``MAX_DEPTH``) so a "billion laughs" document fails fast with
a clear message instead of eating the machine.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable
from typing import Any, NoReturn

import yaml

from modelcard.diagnostics import CardError, Diagnostic, SourcePos, UnreadableError
from modelcard.diagnostics import format_path as format_path

# libyaml is much faster; fall back to pure Python transparently (depends on the PyYAML build)
_BaseYamlLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_TAG_CACHE: dict[tuple[str, Any], str] = {}
_TAG_CACHE_MAX = 20_000


class _YamlLoader(_BaseYamlLoader):  # type: ignore[misc]
    """The safe loader, with implicit tag resolution memoised per plain scalar.

    Composing calls back into Python's resolver for every node; cards repeat the
    same keys and values, so the (value, implicit) -> tag answer is cached
    (bounded: short scalars only, at most ``_TAG_CACHE_MAX`` entries).  Safe
    loaders have no path resolvers, so descending is a no-op.
    """

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode and len(value) <= 80:  # keys and short values; prose is not kept
            key = (value, implicit)
            tag = _TAG_CACHE.get(key)
            if tag is None:
                tag = str(super().resolve(kind, value, implicit))
                if len(_TAG_CACHE) < _TAG_CACHE_MAX:
                    _TAG_CACHE[key] = tag
            return tag
        return str(super().resolve(kind, value, implicit))

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


MAX_BYTES = 8 * 1024 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 64

PathT = tuple[Any, ...]  # keys and list indices, e.g. ("datasets", 0, "sha256")
Located = tuple[dict[PathT, SourcePos], dict[PathT, SourcePos]]


class Document:
    """Loaded data with the source position of every node.

    Positions are computed lazily: a valid card never pays for them, and a
    card with an error computes them once, on the first lookup.
    """

    def __init__(
        self,
        data: Any,
        source: str,
        positions: dict[PathT, SourcePos] | None = None,
        key_positions: dict[PathT, SourcePos] | None = None,
        *,
        locate: Callable[[], Located] | None = None,
    ):
        self.data = data
        self.source = source
        self._positions = positions
        self._key_positions = key_positions
        self._locate = locate

    def _ensure(self) -> None:
        if self._positions is None or self._key_positions is None:
            located = self._locate() if self._locate else ({}, {})
            if self._positions is None:
                self._positions = located[0]
            if self._key_positions is None:
                self._key_positions = located[1]
            self._locate = None

    @property
    def positions(self) -> dict[PathT, SourcePos]:
        """Path -> position of the value node."""
        self._ensure()
        return self._positions  # type: ignore[return-value]

    @property
    def key_positions(self) -> dict[PathT, SourcePos]:
        """Path -> position of the mapping key that names it."""
        self._ensure()
        return self._key_positions  # type: ignore[return-value]

    def pos(self, path: PathT, *, key: bool = False) -> SourcePos | None:
        """Position of ``path``, or of its nearest located ancestor."""
        path = tuple(path)
        if key and path in self.key_positions:
            return self.key_positions[path]
        positions = self.positions
        while True:
            if path in positions:
                return positions[path]
            if not path:
                return None
            path = path[:-1]


# --------------------------------------------------------------------------
# reading and decoding


#: how standard input is named in messages when a card is read from ``-``
STDIN_NAME = "<stdin>"
_stdin_read_from: Any = None  # the stdin object already read to its end (it can be read once)


def display_name(path: str | os.PathLike[str]) -> str:
    """The name messages use for an input: ``<stdin>`` for ``-``, else the path as given."""
    name = os.fspath(path)
    return STDIN_NAME if name == "-" else name


def read_bytes(path: str | os.PathLike[str], limit: int = MAX_BYTES) -> bytes:
    """Read a whole input file of at most ``limit`` bytes; ``-`` reads standard input.

    Raises UnreadableError when the file cannot be opened (missing, a
    directory, a FIFO, socket or device, no permission) and CardError when it
    is over the limit.  The limit is enforced while reading, not taken from
    the size the file claims, so it holds for standard input too.
    """
    from modelcard.io.write import open_regular, read_limited

    name = display_name(path)
    if os.fspath(path) == "-":
        return _read_stdin(limit)
    fh = open_regular(path)
    try:
        with fh:
            size = os.fstat(fh.fileno()).st_size
            data = read_limited(fh, limit) if size <= limit else None
    except OSError as exc:
        raise UnreadableError(f"{name}: cannot read: {exc.strerror or exc}") from None
    if data is None:
        raise CardError(
            [
                Diagnostic(
                    f"file is {max(size, limit + 1) / 1048576:.1f} MiB; inputs are limited to {limit // 1048576} MiB",
                    file=name,
                    code="too-large",
                )
            ]
        )
    return data


def _read_stdin(limit: int) -> bytes:
    import sys

    from modelcard.io.write import read_limited

    global _stdin_read_from
    stream = sys.stdin
    if stream is None:
        raise UnreadableError("-: standard input is closed")
    if stream is _stdin_read_from:
        raise UnreadableError("-: standard input was already read (by an earlier '-'); name it once")
    _stdin_read_from = stream
    try:
        data = read_limited(getattr(stream, "buffer", None) or stream, limit)  # type: ignore[arg-type]
    except OSError as exc:
        raise UnreadableError(f"-: cannot read standard input: {exc.strerror or exc}") from None
    if data is None:
        raise CardError(
            [
                Diagnostic(
                    f"standard input is over {limit // 1048576} MiB; inputs are limited to {limit // 1048576} MiB",
                    file=STDIN_NAME,
                    code="too-large",
                )
            ]
        )
    if isinstance(data, str):  # a text-only stream (no .buffer)
        data = data.encode("utf-8")
    return data


def read_text(path: str | os.PathLike[str]) -> tuple[str, str]:
    """Read ``path`` (``-``: standard input) as UTF-8 text.  Returns ``(display_name, text)``.

    Raises UnreadableError when the file cannot be opened and CardError when
    its bytes are not a usable card (too large, not UTF-8).
    """
    name = display_name(path)
    return name, decode(read_bytes(path), name)


def decode(raw: bytes, name: str) -> str:
    """Decode bytes as UTF-8 (a UTF-8 BOM is accepted), with a located error."""
    if len(raw) > MAX_BYTES:
        raise CardError(
            [
                Diagnostic(
                    f"input is {len(raw) / 1048576:.1f} MiB; cards are limited to {MAX_BYTES // 1048576} MiB",
                    file=name,
                    code="too-large",
                )
            ]
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CardError(
            [Diagnostic("file is UTF-16 encoded; save it as UTF-8", file=name, line=1, col=1, code="encoding")]
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise CardError(
            [
                Diagnostic(
                    f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); save it as UTF-8",
                    file=name,
                    line=line,
                    col=col,
                    code="encoding",
                )
            ]
        ) from None


def load(path: str | os.PathLike[str]) -> Document:
    """Load a YAML or JSON card file into a located :class:`Document`."""
    name, text = read_text(path)
    return loads(text, name)


def loads(text: str, name: str = "<string>", *, syntax: str | None = None) -> Document:
    """Parse card text.  JSON is recognised by a ``.json`` name or a leading ``{``, or forced with
    ``syntax="json"`` (an input whose name says nothing, e.g. an importer's)."""
    doc = parse(text, name, syntax=syntax)
    if not isinstance(doc.data, dict):
        kinds: dict[type, str] = {list: "a list", str: "a string"}
        kind = kinds.get(type(doc.data), type(doc.data).__name__)
        raise CardError(
            [
                Diagnostic.at(
                    doc.pos(()),
                    f"the top level of a card must be a mapping of sections, not {kind}",
                    code="not-a-mapping",
                )
            ]
        )
    return doc


def parse(text: str, name: str = "<string>", *, syntax: str | None = None) -> Document:
    """:func:`loads` without its top-level check: the same safe, bounded reading of a document of any
    shape (a list or a scalar too, e.g. a README's front matter)."""
    if not text.strip():
        raise CardError(
            [Diagnostic("file is empty; a card is a YAML or JSON mapping", file=name, line=1, col=1, code="empty")]
        )
    if syntax == "json" or name.lower().endswith(".json") or text.lstrip().startswith("{"):
        return _load_json(text, name)
    return _load_yaml(text, name)


# --------------------------------------------------------------------------
# YAML


def _mark(name: str, mark: Any) -> SourcePos:
    return SourcePos(name, mark.line + 1, mark.column + 1)


_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_SCALAR_CONSTRUCTORS = {
    tag: fn
    for tag, fn in yaml.constructor.SafeConstructor.yaml_constructors.items()
    if tag is not None and tag.rsplit(":", 1)[-1] in ("null", "bool", "int", "float", "timestamp", "value")
}


class _Builder:
    """Build plain Python data from a composed YAML node graph.

    Only the safe scalar types (str, int, float, bool, null, timestamp) are
    constructed; any other tag is an error.  Duplicate keys, non-scalar keys,
    non-finite numbers, excessive alias expansion and nesting are rejected
    with the node's position.
    """

    def __init__(self, name: str):
        self.name = name
        self.nodes = 0
        self.constructor = yaml.constructor.SafeConstructor()

    def fail(self, node: Any, message: str, code: str) -> NoReturn:
        raise CardError([Diagnostic.at(_mark(self.name, node.start_mark), message, code=code)])

    def build(self, node: Any, depth: int = 0) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self.fail(
                node,
                f"document expands to more than {MAX_NODES} nodes (an alias bomb, or far too large for a card)",
                "too-large",
            )
        if depth > MAX_DEPTH:
            self.fail(node, f"nesting deeper than {MAX_DEPTH} levels (recursive alias?)", "too-deep")
        cls = node.__class__
        if cls is yaml.ScalarNode:
            if node.tag == _STR:
                return node.value
            return self.scalar(node)
        if cls is yaml.SequenceNode:
            return [self.build(item, depth + 1) for item in node.value]
        if cls is yaml.MappingNode:
            out: dict[str, Any] = {}
            merges = []
            seen: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if key_node.__class__ is not yaml.ScalarNode:
                    self.fail(key_node, "mapping keys must be plain strings, not lists or mappings", "bad-key")
                if key_node.tag == _MERGE:
                    merges.append(value_node)
                    continue
                key = key_node.value
                if key in seen:
                    first = seen[key].start_mark.line + 1
                    self.fail(key_node, f"duplicate key '{key}' (first defined at line {first})", "duplicate-key")
                seen[key] = key_node
                out[key] = self.build(value_node, depth + 1)
            if merges:  # YAML merge keys (<<): explicit keys win, earlier merge sources win
                merged: dict[str, Any] = {}
                for source in reversed(merges):
                    sources = source.value if source.__class__ is yaml.SequenceNode else [source]
                    for sub in reversed(sources):
                        value = self.build(sub, depth + 1)
                        if not isinstance(value, dict):
                            self.fail(sub, "a merge key (<<) must refer to a mapping", "bad-merge")
                        merged.update(value)
                merged.update(out)
                out = merged
            return out
        self.fail(node, "unsupported YAML node", "bad-value")  # pragma: no cover

    def scalar(self, node: Any) -> Any:
        fn = _SCALAR_CONSTRUCTORS.get(node.tag)
        if fn is None:
            self.fail(
                node,
                f"unsupported YAML tag '{node.tag}': cards hold only plain data "
                "(strings, numbers, booleans, dates, lists, mappings)",
                "bad-tag",
            )
        try:
            value = fn(self.constructor, node)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            if node.tag == _TIMESTAMP:
                return node.value  # an impossible date stays text; the schema reports it in context
            self.fail(node, f"cannot read value '{node.value}': {getattr(exc, 'problem', None) or exc}", "bad-value")
        if isinstance(value, float) and not math.isfinite(value):
            self.fail(node, f"'{node.value}' is not a finite number", "not-finite")
        return value


def _yaml_positions(root: Any, name: str) -> Located:
    """Path -> SourcePos for every value and key of a composed YAML document."""
    positions: dict[PathT, SourcePos] = {}
    key_positions: dict[PathT, SourcePos] = {}

    def walk(node: Any, path: PathT, depth: int) -> None:
        if depth > MAX_DEPTH or path in positions:
            return
        positions[path] = _mark(name, node.start_mark)
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE:
                    for sub in value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]:
                        if isinstance(sub, yaml.MappingNode):
                            for k, v in sub.value:
                                if (path + (k.value,)) not in key_positions:
                                    key_positions[path + (k.value,)] = _mark(name, k.start_mark)
                                    walk(v, path + (k.value,), depth + 1)
                    continue
                key_positions[path + (key_node.value,)] = _mark(name, key_node.start_mark)
                positions.pop(path + (key_node.value,), None)  # explicit keys win over merged ones
                walk(value_node, path + (key_node.value,), depth + 1)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, path + (i,), depth + 1)

    walk(root, (), 0)
    return positions, key_positions


def _load_yaml(text: str, name: str) -> Document:
    try:
        loader = _YamlLoader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid YAML"
        if exc.context and exc.context not in problem:
            problem = f"{exc.context}: {problem}"
        if "found character '\\t'" in problem or (
            mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t"
        ):
            problem += " (YAML does not allow TAB characters for indentation; use spaces)"
        if "expected a single document" in problem:
            problem = "file holds more than one YAML document (---); a card is a single document"
        raise CardError(
            [Diagnostic.at(_mark(name, mark) if mark else None, problem, file=name, code="yaml-syntax")]
        ) from None
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        raise CardError([Diagnostic(f"invalid YAML: {exc}", file=name, code="yaml-syntax")]) from None
    if root is None:
        raise CardError(
            [
                Diagnostic(
                    "file holds no YAML content; a card is a mapping of sections",
                    file=name,
                    line=1,
                    col=1,
                    code="empty",
                )
            ]
        )
    data = _Builder(name).build(root)
    return Document(data, name, locate=lambda: _yaml_positions(root, name))


# --------------------------------------------------------------------------
# JSON


_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")


class _JsonBuilder:
    """A small recursive-descent JSON reader that records node positions.

    ``json.loads`` runs first to catch syntax errors with its own line and
    column; this pass then rebuilds the value with positions and rejects
    duplicate keys, which ``json`` silently overwrites.
    """

    def __init__(self, text: str, name: str):
        self.text = text
        self.name = name
        self.positions: dict[PathT, SourcePos] = {}
        self.key_positions: dict[PathT, SourcePos] = {}
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.depth = 0

    def pos(self, idx: int) -> SourcePos:
        import bisect

        line = bisect.bisect_right(self.line_starts, idx) - 1
        return SourcePos(self.name, line + 1, idx - self.line_starts[line] + 1)

    def ws(self, idx: int) -> int:
        m = _WS.match(self.text, idx)
        return m.end() if m else idx

    def value(self, idx: int, path: PathT) -> tuple[Any, int]:
        from json.decoder import scanstring  # type: ignore[attr-defined]

        idx = self.ws(idx)
        self.positions[path] = self.pos(idx)
        ch = self.text[idx]
        if ch == "{":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise CardError(
                    [Diagnostic.at(self.pos(idx), f"nesting deeper than {MAX_DEPTH} levels", code="too-deep")]
                )
            out: dict[str, Any] = {}
            idx = self.ws(idx + 1)
            if self.text[idx] == "}":
                self.depth -= 1
                return out, idx + 1
            while True:
                idx = self.ws(idx)
                key_pos = self.pos(idx)
                key, idx = scanstring(self.text, idx + 1)
                if key in out:
                    first = self.key_positions[path + (key,)]
                    raise CardError(
                        [
                            Diagnostic.at(
                                key_pos,
                                f"duplicate key '{key}' (first defined at line {first.line})",
                                code="duplicate-key",
                            )
                        ]
                    )
                self.key_positions[path + (key,)] = key_pos
                idx = self.ws(idx) + 1  # the colon
                out[key], idx = self.value(idx, path + (key,))
                idx = self.ws(idx)
                if self.text[idx] == "}":
                    self.depth -= 1
                    return out, idx + 1
                idx += 1  # the comma
        if ch == "[":
            self.depth += 1
            items: list[Any] = []
            idx = self.ws(idx + 1)
            if self.text[idx] == "]":
                self.depth -= 1
                return items, idx + 1
            while True:
                item, idx = self.value(idx, path + (len(items),))
                items.append(item)
                idx = self.ws(idx)
                if self.text[idx] == "]":
                    self.depth -= 1
                    return items, idx + 1
                idx += 1
        if ch == '"':
            text, end = scanstring(self.text, idx + 1)
            return text, int(end)
        for word, val in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, idx):
                return val, idx + len(word)
        m = _NUMBER.match(self.text, idx)
        if m is None:
            raise CardError([Diagnostic.at(self.pos(idx), f"unexpected character {ch!r}", code="json-syntax")])
        num = m.group()
        if re.fullmatch(r"-?\d+", num):
            return int(num), m.end()
        if not math.isfinite(float(num)):
            raise CardError([Diagnostic.at(self.pos(idx), f"'{num}' is not a finite number", code="not-finite")])
        return float(num), m.end()


class _DuplicateKey(Exception):
    pass


def _pairs_to_dict(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _DuplicateKey
    return out


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _load_json(text: str, name: str) -> Document:
    def reject_constant(value: str) -> Any:
        raise ValueError(value)

    def locate() -> Located:
        builder = _JsonBuilder(text, name)
        builder.value(0, ())
        return builder.positions, builder.key_positions

    try:
        data = json.loads(
            text, parse_constant=reject_constant, parse_float=_finite_float, object_pairs_hook=_pairs_to_dict
        )
    except json.JSONDecodeError as exc:
        raise CardError(
            [Diagnostic(f"invalid JSON: {exc.msg}", file=name, line=exc.lineno, col=exc.colno, code="json-syntax")]
        ) from None
    except _DuplicateKey:
        locate()  # raises the located duplicate-key error
        raise CardError([Diagnostic("duplicate key", file=name, code="duplicate-key")]) from None
    except ValueError as exc:
        raise CardError([Diagnostic(f"'{exc}' is not a finite number", file=name, code="not-finite")]) from None
    except RecursionError:
        raise CardError([Diagnostic(f"nesting deeper than {MAX_DEPTH} levels", file=name, code="too-deep")]) from None
    return Document(data, name, locate=locate)
