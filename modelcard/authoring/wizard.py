"""``modelcard init --interactive``: fill a card skeleton by answering questions in a terminal.

The wizard asks the questions of the skeleton (:mod:`modelcard.authoring.skeleton`)
section by section, showing each field's guidance and default.  At the
prompt:

* Enter — accept the default shown in brackets (or leave the field to fill later);
* ``-`` — skip: leave the field as a ``TODO`` placeholder (or empty) to fill later;
* ``<`` or ``back`` — go back to the previous question;
* ``>`` — skip the rest of this section;
* ``done`` — stop asking and write the card with what you have;
* ``?`` — show help for this question.

After the last entry of a list of sections (datasets, risks, metric
definitions) the wizard offers to add another entry.

Lists are entered one item per line, ending with an empty line; short lists
(names, labels) may also be given on one line, comma separated.  Answers are
checked against the schema as you type them (a date must be a date, an id
must match its pattern) and re-asked when invalid.  The card written is the
same YAML as ``modelcard init`` writes, with your answers in place of the
placeholders.
"""

from __future__ import annotations

import re
import sys
import textwrap
from collections.abc import Callable
from typing import Any

from modelcard.authoring.skeleton import PLACEHOLDER, Node, Skeleton, _name_leaf, _real

HELP = """\
  Enter    accept the default shown in [brackets] (no default: fill it in later)
  -        skip: leave this field to fill in later (a TODO placeholder)
  < back   go back to the previous question
  >        skip the rest of this section
  done     stop here and write the card with the answers so far
  ?        this help
  Lists: one item per line, then an empty line; short lists may be comma separated.
  To answer a literal '-', '<', '>' or '?', type it with a backslash: \\-"""

_COMMANDS = {
    "": "default",
    "-": "skip",
    "<": "back",
    "back": "back",
    ">": "section",
    "?": "help",
    "help": "help",
    "done": "done",
}


class _Back(Exception):
    pass


class Wizard:
    """Ask the questions of ``skeleton`` and fill in the answers."""

    def __init__(
        self,
        skeleton: Skeleton,
        *,
        target: str = "modelcard.yaml",
        read: Callable[[str], str] = input,
        write: Callable[[str], None] | None = None,
    ):
        self.skel = skeleton
        self.target = target
        self.read = read
        self.write = write or (lambda s: print(s, flush=True))
        self.questions = _order(skeleton.questions())
        self.initial = {id(q): (q.value, q.live, q.filled, list(q.items)) for q in self.questions}
        self.answered: set[int] = set()

    # ------------------------------------------------------------------

    def run(self) -> bool:
        """Ask everything; True when the card should be written."""
        w = self.write
        w(
            f"Writing a model card to {self.target}. {len(self.questions)} questions in "
            f"{len({q.path[0] for q in self.questions})} sections; every answer can be changed later in the file."
        )
        w(HELP)
        i, section = 0, None
        try:
            while i < len(self.questions):
                q = self.questions[i]
                if q.path[0] != section:
                    section = q.path[0]
                    self._header(section)
                action = self._ask(q, i)
                if action == "back":
                    if i == 0:
                        w("  (this is the first question)")
                    else:
                        i -= 1
                        section = None if self.questions[i].path[0] != q.path[0] else section
                    continue
                if action == "section":
                    while i < len(self.questions) and self.questions[i].path[0] == q.path[0]:
                        i += 1
                    continue
                if action == "done":
                    break
                i += 1
                i = self._maybe_add_item(q, i)
        except EOFError:
            w("\nend of input: nothing written")
            return False
        left = sum(1 for q in self.questions if not q.filled)
        w(f"\n{len(self.questions) - left} fields answered, {left} left to fill in later.")
        while True:
            try:
                reply = self.read(f"Write {self.target}? [Y/n] ").strip().lower()
            except EOFError:
                return False
            if reply in ("", "y", "yes"):
                return True
            if reply in ("n", "no"):
                return False
            w("  please answer y or n")

    # ------------------------------------------------------------------

    def _item_list(self, q: Node) -> tuple | None:
        """Path of the list of multi-field sections whose item ``q`` belongs to (datasets, risks...)."""
        found = None
        for k in range(1, len(q.path)):
            if isinstance(q.path[k], int):
                found = q.path[:k]
        return found

    def _maybe_add_item(self, q: Node, i: int) -> int:
        """After the last question of the last item of a list, offer to add another item."""
        lst = self._item_list(q)
        if lst is None:
            return i
        nxt = self.questions[i] if i < len(self.questions) else None
        if nxt is not None and nxt.path[: len(lst)] == lst:
            return i  # still inside the list (a later item follows)
        node = self.skel.find(lst)
        what = lst[-1].replace("_", " ")
        while True:
            reply = (
                self.read(f"Add another entry to {'.'.join(map(str, lst))} ({len(node.items)} so far)? [y/N] ")
                .strip()
                .lower()
            )
            if reply in ("", "n", "no"):
                return i
            if reply in ("y", "yes"):
                break
            self.write("  please answer y or n")
        self.skel.add_item(lst)
        self.questions = _order(self.skel.questions())
        for n in self.questions:
            self.initial.setdefault(id(n), (n.value, n.live, n.filled, list(n.items)))
        self.write(f"  (new entry in {what})")
        return i

    def _header(self, section: str) -> None:
        node = self.skel.find((section,))
        title = node.guidance.rstrip(".") if node.guidance else section
        self.write(f"\n── {section}: {title} ──")

    def _default(self, q: Node) -> Any:
        if q.make_item is not None:
            names = self.skel.value_of(q.path)
            if names and all(_real(n) for n in names):
                return names
            linked = [c.default_from for it in q.items for c in it.children if c.default_from]
            values = [self.skel.value_of(p) for p in linked]
            return values if values and all(_real(v) for v in values) else None
        if q.filled:
            return q.value
        if q.default_from is not None:
            src = self.skel.value_of(q.default_from)
            return src if _real(src) else None
        if q.path[-1] == "id" and len(q.path) >= 2:
            name = self.skel.value_of(q.path[:-1] + ("name",))
            if _real(name):
                slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-._").lower()
                return slug or None
        value = q.value
        if (
            value is None
            or value == PLACEHOLDER
            or value == [PLACEHOLDER]
            or (isinstance(value, str)
            and value.startswith(PLACEHOLDER))
        ):
            return None
        return value

    def _ask(self, q: Node, index: int) -> str:
        w = self.write
        is_list = q.make_item is not None or q.kind.name == "list"
        default = self._default(q)
        w("")
        w(f"[{index + 1}/{len(self.questions)}] {q.dotted}" + ("  (required)" if q.status == "required" else ""))
        guidance = q.guidance
        if q.make_item is not None:
            leaf = _name_leaf(q)
            guidance += f" Give the {leaf} of each."
        for line in textwrap.wrap(guidance, 76):
            w(f"  {line}")
        hint = _hint(q, is_list)
        if hint:
            w(f"  ({hint})")
        shown = "" if default is None else " [" + _show(default) + "]"
        while True:
            first = self.read(f"> {shown.strip()} " if shown else "> ")
            command = _COMMANDS.get(first.strip().lower())
            if command == "help":
                w(HELP)
                if q.kind.name == "literal":
                    w(f"  Choices: {', '.join(q.kind.choices)}")
                continue
            if command in ("back", "section", "done"):
                return command
            if command == "skip":
                self._reset(q)
                return "next"
            if command == "default":
                if default is not None:
                    error = self._store(q, default)
                    if error:
                        w(f"  ✗ {error}")
                        continue
                return "next"
            text = first.strip()
            if text[:1] == "\\":
                text = text[1:]
            if is_list:
                items = self._read_list(text, comma=_short_items(q))
                answer: Any = items
            else:
                answer = text
            error = self._store(q, answer)
            if error is None:
                return "next"
            w(f"  ✗ {error}; try again (or '-' to skip, '?' for help)")

    def _read_list(self, first: str, *, comma: bool) -> list[str]:
        lines = [first]
        while True:
            more = self.read("+ ")
            if not more.strip():
                break
            lines.append(more.strip())
        if comma and len(lines) == 1 and "," in first:
            return [part.strip() for part in first.split(",") if part.strip()]
        return [ln for ln in lines if ln]

    def _store(self, q: Node, answer: Any) -> str | None:
        """Check an answer against the schema and fill it in; an error message when it does not fit."""
        from pydantic import TypeAdapter, ValidationError

        try:
            if q.make_item is not None:
                leaf = _name_leaf(q)
                item_model = q.items[0].model if q.items else None
                ann = item_model.model_fields[leaf].rebuild_annotation() if item_model and leaf else str
                names = [TypeAdapter(ann).validate_python(n) for n in answer]
                if not names:
                    return "give at least one"
                self.skel.set_names(q.path, names)
                return None
            value = TypeAdapter(q.annotation).validate_python(answer)
        except ValidationError as exc:
            err = exc.errors(include_url=False)[0]
            friendly = {
                "date": "not a date; write it as YYYY-MM-DD",
                "bool": "answer yes or no",
                "int": "give a whole number",
                "float": "give a number",
                "url": "not a URL; write it with its scheme, e.g. https://example.org/data",
            }
            if q.kind.name == "url" and err["type"] == "unsafe_link":
                return err["msg"]  # says what is wrong with the link
            return friendly.get(q.kind.name) or err["msg"]
        if value is None or value == [] or value == "":
            return "give a value"
        self.skel.set(q.path, value)
        return None

    def _reset(self, q: Node) -> None:
        value, live, filled, items = self.initial[id(q)]
        q.value, q.live, q.filled = value, live, filled
        if q.make_item is not None:
            q.items = items


# --------------------------------------------------------------------------


def _order(questions: list[Node]) -> list[Node]:
    """Ask a section's name before its id, so the id can default to a slug of the name."""
    out = list(questions)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        if a.path[-1] == "id" and b.path[-1] == "name" and a.path[:-1] == b.path[:-1]:
            out[i], out[i + 1] = b, a
    return out


def _short_items(q: Node) -> bool:
    """Lists of names and labels may be comma separated; lists of sentences may not."""
    if q.make_item is not None:
        return True
    return q.kind.item is not None and not q.kind.item.markdown


def _hint(q: Node, is_list: bool) -> str:
    parts = [q.status if q.status != "required" else ""]
    if is_list:
        parts.append("one per line, empty line to finish" + ("; or comma separated" if _short_items(q) else ""))
    else:
        h = q.kind.hint()
        if h:
            parts.append(h)
    return "; ".join(p for p in parts if p)


def _show(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def main() -> None:  # pragma: no cover - manual testing aid
    skel = Skeleton()
    if Wizard(skel).run():
        sys.stdout.write(skel.text())
