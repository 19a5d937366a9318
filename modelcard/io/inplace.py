"""Update a hand-written card in place, changing only what changed (``modelcard merge --in-place``).

``update_text(text, name, data)`` returns the card's text edited so that it
loads as ``data``.  Every part of the card whose value did not change keeps its
exact bytes: comments, blank lines, key order, quoting, indentation, block
scalars and flow collections.  Only these are written anew:

* a changed scalar is replaced where it stands (a comment after it on the
  same line stays); a changed collection is edited entry by entry;
* a new key goes into its mapping after the key that precedes it in schema
  order (the order ``modelcard init`` writes), at the mapping's indentation;
* new list items are appended after the last item, at its indentation;
* a key the merge drops (a new measurement drops the old interval and ``n``),
  or a list item a shorter list no longer has, loses its lines;
* a value whose kind changed (e.g. ``fairness: null`` becoming a mapping), or a
  changed flow collection is rewritten as a whole (comments inside that value
  are not kept; a comment after it on its last line stays).

The edit works on the text, located with the positions the YAML parser gives
each node, so formatting choices a YAML writer would normalise (mixed list
indentation, quoting, line breaks) survive untouched.  The result is loaded
again and must equal ``data`` exactly; when it cannot (a changed value shared
through a YAML anchor, a merge key ``<<``), :class:`InPlaceError` says so and
nothing is written.

JSON cards have no comments: they are rewritten with their own indentation
and key order, new keys in schema order.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from dataclasses import dataclass
from typing import Any

import yaml

from modelcard.diagnostics import CardError, UsageError
from modelcard.io.serialize import inline_yaml, json_default, ordered, to_yaml
from modelcard.io.source import _YamlLoader, loads


class InPlaceError(UsageError):
    """The card cannot be updated in place without changing more than the merge changes."""


class _Cannot(Exception):
    def __init__(self, node: Any, why: str):
        super().__init__(why)
        self.line = node.start_mark.line + 1 if node is not None else None
        self.why = why


def same(a: Any, b: Any) -> bool:
    """Equal values of the same types (``1`` is not ``1.0``, not ``True``); mapping order ignored."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def is_json(text: str, name: str) -> bool:
    """Whether the loader reads ``text`` as JSON (see :func:`modelcard.io.source.loads`)."""
    return name.lower().endswith(".json") or text.lstrip().startswith("{")


def update_text(text: str, name: str, data: dict[str, Any]) -> str:
    """``text`` (a card named ``name``) edited to load as ``data``; see the module docstring."""
    old = loads(text, name).data
    if same(old, data):
        return text
    if "\r\n" in text:  # edit with \n, give the card back its Windows line ends
        return update_text(text.replace("\r\n", "\n"), name, data).replace("\n", "\r\n")
    json_card = is_json(text, name)
    if json_card:
        out = _json_text(text, old, data)
    else:
        try:
            out = _Editor(text).run(old, ordered(data))
        except _Cannot as exc:
            where = f" (line {exc.line})" if exc.line else ""
            raise InPlaceError(
                f"{name}: cannot update in place{where}: {exc.why}; write the merged card elsewhere with -o"
            ) from None
    try:  # the edited text must load as exactly the merged card
        again = loads(out, name).data
    except CardError:
        again = None
    if again is None or not (same(_plain(again), _plain(data)) if json_card else same(again, data)):
        raise InPlaceError(
            f"{name}: cannot update in place without changing more than the merge does "
            "(YAML anchors, merge keys or an unusual layout); write the merged card elsewhere with -o"
        )
    return out


def _plain(value: Any) -> Any:
    """Dates as ISO text: what a JSON card holds for them."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return value


# --------------------------------------------------------------------------
# YAML: edit the text


@dataclass
class _Slot:
    """Where a value sits: ``head`` is the index of its key (or of its list item's dash)."""

    head: int
    column: int
    key: Any = None
    item: bool = False


_EMPTY = object()


class _Editor:
    def __init__(self, text: str):
        self.text = text
        self.edits: list[tuple[int, int, int, str]] = []  # (start, end, sequence, replacement)
        self.shared: set[int] = set()

    def run(self, old: Any, new: Any) -> str:
        root = yaml.compose(self.text, Loader=_YamlLoader)
        seen: set[int] = set()

        def mark_shared(node: Any) -> None:  # nodes reached twice: an anchor and its aliases
            if id(node) in seen:
                self.shared.add(id(node))
                return
            seen.add(id(node))
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    mark_shared(k)
                    mark_shared(v)
            elif isinstance(node, yaml.SequenceNode):
                for v in node.value:
                    mark_shared(v)

        mark_shared(root)
        self.walk(root, old, new, None)
        return self.apply()

    # ---- positions

    def content_end(self, node: Any) -> int:
        """Index just after the last character of ``node``'s own text (trailing blank lines excluded)."""
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style and node.value:
            last = node.value[-1][1] if isinstance(node, yaml.MappingNode) else node.value[-1]
            return self.content_end(last)
        start, end = int(node.start_mark.index), int(node.end_mark.index)
        while end > start and self.text[end - 1] in " \t\r\n":
            end -= 1
        return end

    def after(self, node: Any) -> int:
        """Index of the line start after ``node``'s last line (its kept trailing lines included)."""
        leaf = node
        while isinstance(leaf, (yaml.MappingNode, yaml.SequenceNode)) and not leaf.flow_style and leaf.value:
            leaf = leaf.value[-1][1] if isinstance(leaf, yaml.MappingNode) else leaf.value[-1]
        if isinstance(leaf, yaml.ScalarNode) and leaf.style in ("|", ">"):
            header = self.text[leaf.start_mark.index : self.line_end(leaf.start_mark.index)].split("#")[0]
            if "+" in header:  # keep chomping: the blank lines after the text are part of it
                return leaf.end_mark.index
        return self.line_end(self.content_end(node))

    def line_end(self, index: int) -> int:
        """Index just after the newline ending the line that holds ``index - 1``."""
        nl = self.text.find("\n", index)
        return len(self.text) if nl < 0 else nl + 1

    def column(self, index: int) -> int:
        return index - (self.text.rfind("\n", 0, index) + 1)

    def at_line_start(self, index: int) -> bool:
        return self.text[self.text.rfind("\n", 0, index) + 1 : index].strip() == ""

    def dash(self, item: Any) -> int:
        i = int(item.start_mark.index) - 1
        while i >= 0 and self.text[i] in " \t\r\n":
            i -= 1
        if i < 0 or self.text[i] != "-":
            raise _Cannot(item, "a list item without its '-'")
        return i

    # ---- edits

    def add(self, start: int, end: int, replacement: str) -> None:
        self.edits.append((start, end, len(self.edits), replacement))

    def apply(self) -> str:
        out, pos = [], 0
        for start, end, _, replacement in sorted(self.edits):
            if start < pos:
                raise _Cannot(None, "overlapping changes")
            out.append(self.text[pos:start])
            out.append(replacement)
            pos = end
        out.append(self.text[pos:])
        return "".join(out)

    def block(self, value: Any, column: int, *, key: Any = _EMPTY, items: bool = False) -> str:
        """``value`` as block YAML (``key: value``, or ``- item`` lines), later lines indented by ``column``."""
        body = to_yaml(value if items else {key: value})
        lines = body.rstrip("\n").split("\n")
        pad = " " * column
        return "\n".join([lines[0]] + [pad + line if line else line for line in lines[1:]])

    def insert_lines(self, index: int, value: Any, column: int, *, key: Any = _EMPTY, items: bool = False) -> None:
        text = " " * column + self.block(value, column, key=key, items=items) + "\n"
        if index == len(self.text) and not self.text.endswith("\n"):
            text = "\n" + text
        self.add(index, index, text)

    # ---- the walk

    def walk(self, node: Any, old: Any, new: Any, slot: _Slot | None) -> None:
        if same(old, new):
            return
        if id(node) in self.shared:
            raise _Cannot(node, "the changed value is shared through a YAML anchor (&) and alias (*)")
        if (
            isinstance(old, dict)
            and isinstance(new, dict)
            and isinstance(node, yaml.MappingNode)
            and not node.flow_style
            and node.value
        ):
            return self.mapping(node, old, new, slot)
        if (
            isinstance(old, list)
            and isinstance(new, list)
            and isinstance(node, yaml.SequenceNode)
            and not node.flow_style
            and node.value
            and len(new) > 0
            and all(self.at_line_start(self.dash(item)) for item in node.value[len(new) :])
        ):
            return self.sequence(node, old, new)
        self.replace(node, new, slot)

    def mapping(self, node: Any, old: dict[str, Any], new: dict[str, Any], slot: _Slot | None) -> None:
        pairs: dict[str, tuple[Any, Any]] = {}
        for k, v in node.value:
            if not isinstance(k, yaml.ScalarNode) or k.tag == "tag:yaml.org,2002:merge" or k.value == "<<":
                raise _Cannot(k, "the mapping uses a merge key (<<) or a complex key")
            pairs[k.value] = (k, v)
        if any(str(k) not in pairs for k in old):
            return self.replace(node, new, slot)
        gone = [k for k in old if k not in new]
        if len(gone) == len(old) or any(not self.at_line_start(pairs[str(k)][0].start_mark.index) for k in gone):
            return self.replace(node, new, slot)
        for key in gone:  # a key on its own lines: drop those lines
            k_node, v_node = pairs[str(key)]
            start = k_node.start_mark.index
            if id(v_node) in self.shared:
                raise _Cannot(v_node, "the removed value is shared through a YAML anchor (&) and alias (*)")
            self.add(start - self.column(start), self.after(v_node), "")
        column = node.value[0][0].start_mark.column
        previous = None  # the last key of this mapping met so far, in schema order
        for key, value in new.items():
            if key in old:
                k_node, v_node = pairs[str(key)]
                self.walk(
                    v_node, old[key], value, _Slot(k_node.start_mark.index, self.column(k_node.start_mark.index), key)
                )
                previous = key
                continue
            if previous is None and self.at_line_start(node.value[0][0].start_mark.index):
                first = node.value[0][0].start_mark.index
                self.insert_lines(first - self.column(first), value, column, key=key)
            else:
                after = pairs[str(previous)][1] if previous is not None else node.value[-1][1]
                self.insert_lines(self.after(after), value, column, key=key)

    def sequence(self, node: Any, old: list[Any], new: list[Any]) -> None:
        for item, before, after in zip(node.value, old, new):
            head = self.dash(item)
            self.walk(item, before, after, _Slot(head, self.column(head), item=True))
        for item in node.value[len(new) :]:  # items the list lost: their lines go
            if id(item) in self.shared:
                raise _Cannot(item, "the removed item is shared through a YAML anchor (&) and alias (*)")
            head = self.dash(item)
            self.add(head - self.column(head), self.after(item), "")
        if len(new) > len(old):
            head = self.dash(node.value[0])
            self.insert_lines(self.after(node.value[-1]), new[len(old) :], self.column(head), items=True)

    def replace(self, node: Any, new: Any, slot: _Slot | None) -> None:
        start, end = node.start_mark.index, self.content_end(node)
        scalar = isinstance(node, yaml.ScalarNode)
        if scalar or node.flow_style:  # a value on its line: replace it where it stands
            inline = inline_yaml(
                new, flow=not scalar, quote=node.style if scalar and node.style in ("'", '"') else None
            )
            if inline is not None:
                if start == end and self.text[start - 1 : start] == ":":  # `key:` with nothing after it
                    inline = " " + inline
                self.add(start, end, inline)
                return
        if slot is None:  # the whole card
            self.add(0, len(self.text), to_yaml(new))
            return
        text = self.block([new], slot.column, items=True) if slot.item else self.block(new, slot.column, key=slot.key)
        rest = self.text[end : self.line_end(end)].rstrip("\r\n")
        if "\n" in text and rest.strip().startswith("#"):  # a comment after the old value: keep it on the first line
            first, more = text.split("\n", 1)
            text = f"{first}{rest}\n{more}"
            end += len(rest)
        self.add(slot.head, end, text)


# --------------------------------------------------------------------------
# JSON: rewrite with the card's own indentation and key order


def _json_text(text: str, old: Any, new: Any) -> str:
    m = re.search(r"\n([ \t]+)\S", text)
    indent: Any = None if m is None else ("\t" if m.group(1).startswith("\t") else len(m.group(1)))
    data = _keep_order(old, ordered(new))
    out = json.dumps(data, indent=indent, ensure_ascii=False, default=json_default)
    return out + ("\n" if text.endswith("\n") else "")


def _keep_order(old: Any, new: Any) -> Any:
    """``new`` with the keys ``old`` has in ``old``'s order; new keys after their schema predecessor."""
    if isinstance(old, dict) and isinstance(new, dict):
        keys = [k for k in old if k in new]
        previous = None
        for k in new:
            if k in old:
                previous = k
                continue
            at = keys.index(previous) + 1 if previous is not None else 0
            keys.insert(at, k)
            previous = k
        return {k: _keep_order(old.get(k), new[k]) for k in keys}
    if isinstance(old, list) and isinstance(new, list):
        return [_keep_order(old[i] if i < len(old) else None, v) for i, v in enumerate(new)]
    return new
