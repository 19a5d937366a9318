"""``modelcard init --interactive``: fill a card skeleton by answering questions in a terminal.

The wizard asks the questions of the skeleton (:mod:`modelcard.authoring.skeleton`)
section by section, showing each field's guidance and default.  At the
prompt:

* Enter — accept the default shown in brackets (a required field without a
  default is asked again; an optional one is left to fill in later);
* ``-`` — skip: leave the field as a ``TODO`` placeholder (or empty) to fill later;
* ``<`` or ``back`` — go back to the previous question;
* ``>`` — skip the rest of this section;
* ``done`` — stop asking and write the card with what you have;
* ``?`` — the help of this field (its question, type, choices), then the commands.

Ctrl-C offers to save the answers so far: the card is written with them (the
rest stays ``TODO``) together with a small state file beside it
(``.CARD.wizard.json``), and ``modelcard init CARD --interactive --resume``
continues at the question where you stopped.

After the last entry of a list of sections (datasets, risks, metric
definitions) the wizard offers to add another entry.

Lists are entered one item per line, ending with an empty line: a comma, or
any other punctuation inside a sentence, never splits an answer.  Lists of
names and labels (authors, developers, users, sensitive attributes) may also
be given on one line separated by :data:`SEPARATOR` (``;``).  Answers are
checked against the schema as you type them (a date must be a date, an id must
match its pattern, a licence should be an SPDX id: ``apache 2.0`` becomes
``Apache-2.0``, ``GPL3`` gets *did you mean*) and re-asked when invalid.  The
card written is the same YAML as ``modelcard init`` writes, with your answers
in place of the placeholders.
"""

from __future__ import annotations

import difflib
import json
import re
import textwrap
from collections.abc import Callable
from functools import cache
from typing import Any, Literal

from modelcard.authoring.skeleton import PLACEHOLDER, Node, Skeleton, _name_leaf, _real

#: the explicit separator of list items typed on one line (lists of names and labels only)
SEPARATOR = ";"

#: version of the saved-session file (``.CARD.wizard.json``)
STATE_FORMAT = "modelcard-wizard/1"

COMMANDS_HELP = f"""\
  Enter    accept the default shown in [brackets] (a required field without one is asked again)
  -        skip: leave this field to fill in later (a TODO placeholder)
  < back   go back to the previous question
  >        skip the rest of this section
  done     stop here and write the card with the answers so far
  ?        help on this field
  Ctrl-C   stop; you are offered to save the answers and continue later (`modelcard init CARD --interactive --resume`)
  Lists: one item per line, then an empty line; names may also be separated by '{SEPARATOR}'.
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

_STATUS_HELP = {
    "required": "required: the card is not valid without it",
    "recommended": "recommended: `modelcard validate --strict` asks for it",
    "optional": "optional",
}

Outcome = Literal["write", "save", "abort"]


class Wizard:
    """Ask the questions of ``skeleton`` and fill in the answers.

    ``run()`` returns ``"write"`` (write the card), ``"save"`` (interrupted: write the card
    with the answers so far and :meth:`state`, to resume later) or ``"abort"`` (write nothing).
    """

    def __init__(
        self,
        skeleton: Skeleton,
        *,
        target: str = "modelcard.yaml",
        read: Callable[[str], str] = input,
        write: Callable[[str], None] | None = None,
        resume: dict[str, Any] | None = None,
        remaining: Callable[[Skeleton], int] | None = None,
    ):
        self.skel = skeleton
        self.target = target
        self.read = read
        self.write = write or (lambda s: print(s, flush=True))
        self.remaining = remaining
        self.questions = _order(skeleton.questions())
        self.initial = {id(q): (q.value, q.live, q.filled, list(q.items)) for q in self.questions}
        self.journal: list[dict[str, Any]] = []  # what was answered, in order: replayed by --resume
        self.position = 0
        if resume is not None:
            self._replay(resume)

    # ------------------------------------------------------------------

    def run(self) -> Outcome:
        """Ask everything; what to do with the card."""
        w = self.write
        sections = len({q.path[0] for q in self.questions})
        if self.position:
            w(
                f"Continuing {self.target}: {self._answered()} answers restored; "
                f"question {self.position + 1} of {len(self.questions)}."
            )
        else:
            w(
                f"Writing a model card to {self.target}: {len(self.questions)} questions in {sections} sections; "
                "every answer can be changed later in the file. Type ? for help."
            )
        i, section = self.position, None
        try:
            while i < len(self.questions):
                self.position = i
                q = self.questions[i]
                if q.path[0] != section:
                    section = str(q.path[0])  # a top-level section name
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
            self.position = i
        except EOFError:
            w("\nend of input: nothing written")
            return "abort"
        except KeyboardInterrupt:
            return self._interrupted()
        w(f"\n{self._summary()}")
        while True:
            try:
                reply = self.read(f"Write {self.target}? [Y/n] ").strip().lower()
            except EOFError:
                return "abort"
            except KeyboardInterrupt:
                return self._interrupted()
            if reply in ("", "y", "yes"):
                return "write"
            if reply in ("n", "no"):
                return "abort"
            w("  please answer y or n")

    def state(self) -> dict[str, Any]:
        """What ``--resume`` needs to continue: the answers in order and the question to go on with."""
        at = self.questions[self.position].dotted if self.position < len(self.questions) else None
        return {"format": STATE_FORMAT, "journal": self.journal, "next": at}

    # ------------------------------------------------------------------

    def _answered(self) -> int:
        return sum(1 for q in self.questions if q.filled)

    def _summary(self) -> str:
        answered = self._answered()
        if self.remaining is None:
            return f"{answered} of {len(self.questions)} questions answered."
        left = self.remaining(self.skel)
        # the same count `modelcard init` and `modelcard validate --strict` give for the file
        todo = f"{left} field{'s' if left != 1 else ''} left to fill in" if left else "nothing left to fill in"
        return (
            f"{answered} of {len(self.questions)} questions answered; {todo} (as `modelcard validate --strict` counts)."
        )

    def _interrupted(self) -> Outcome:
        w = self.write
        w("")
        if not self.journal:
            w("interrupted: nothing answered, nothing written")
            return "abort"
        try:
            reply = self.read(
                f"\nInterrupted. Save the {self._answered()} answers so far to {self.target} and continue later "
                f"with `modelcard init {self.target} --interactive --resume`? [Y/n] "
            )
        except (EOFError, KeyboardInterrupt):
            reply = "n"
        if reply.strip().lower() in ("", "y", "yes"):
            return "save"
        w("nothing written")
        return "abort"

    def _replay(self, state: dict[str, Any]) -> None:
        """Re-apply a saved session's answers (``--resume``); the position is the saved next question."""
        from modelcard.diagnostics import UsageError

        if state.get("format") != STATE_FORMAT or not isinstance(state.get("journal"), list):
            raise UsageError(f"{self.target}: the saved wizard session is not one this version can continue")
        for entry in state["journal"]:
            if not isinstance(entry, dict):
                continue
            path = tuple(entry.get("path") or ())
            op = entry.get("op")
            if op == "add":
                self._add_item(path)
                continue
            q = next((n for n in self.questions if n.path == path), None)
            if q is None:
                continue  # the schema changed since: that answer has no question any more
            if op == "skip":
                self._reset(q)
                self.journal.append(entry)
            elif op == "answer" and self._store(q, entry.get("value")) is None:
                self.journal.append(entry)
        nxt = state.get("next")
        self.position = next((k for k, n in enumerate(self.questions) if n.dotted == nxt), len(self.questions))

    def _item_list(self, q: Node) -> tuple[Any, ...] | None:
        """Path of the list of multi-field sections whose item ``q`` belongs to (datasets, risks...)."""
        found = None
        for k in range(1, len(q.path)):
            if isinstance(q.path[k], int):
                found = q.path[:k]
        return found

    def _add_item(self, lst: tuple[Any, ...]) -> None:
        self.skel.add_item(lst)
        self.questions = _order(self.skel.questions())
        for n in self.questions:
            self.initial.setdefault(id(n), (n.value, n.live, n.filled, list(n.items)))
        self.journal.append({"op": "add", "path": list(lst)})

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
        self._add_item(lst)
        self.write(f"  (new entry in {what}; {len(self.questions)} questions now)")
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
            or (isinstance(value, str) and value.startswith(PLACEHOLDER))
        ):
            return None
        return value

    def _field_help(self, q: Node, is_list: bool) -> None:
        """``?``: everything about this field, then the commands."""
        w = self.write
        w(f"  {q.dotted}: {_STATUS_HELP.get(q.status, q.status)}")
        description = _description(q)
        for line in textwrap.wrap(description or q.guidance, 76):
            w(f"    {line}")
        hint = _hint(q, is_list)
        if hint:
            w(f"    ({hint})")
        if q.kind.name == "literal":
            w(f"    choices: {', '.join(q.kind.choices)}")
        if _is_licence(q):
            w("    an SPDX licence id or expression, e.g. Apache-2.0, MIT, CC-BY-4.0, Apache-2.0 OR MIT")
        w(COMMANDS_HELP)

    def _ask(self, q: Node, index: int) -> str:
        w = self.write
        is_list = q.make_item is not None or q.kind.name == "list"
        default = self._default(q)
        w("")
        w(
            f"[question {index + 1} of {len(self.questions)}] {q.dotted}"
            + ("  (required)" if q.status == "required" else "")
        )
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
                self._field_help(q, is_list)
                continue
            if command in ("back", "section", "done"):
                return command
            if command == "skip":
                self._reset(q)
                self.journal.append({"op": "skip", "path": list(q.path)})
                return "next"
            if command == "default":
                if default is None:
                    if q.status == "required":
                        w("  this field is required: type an answer ('-' leaves it as TODO, '?' for help)")
                        continue
                    return "next"
                error = self._store(q, default)
                if error:
                    w(f"  ✗ {error}")
                    continue
                self._journal(q, default)
                return "next"
            text = first.strip()
            if text[:1] == "\\":
                text = text[1:]
            if is_list:
                answer: Any = self._read_list(text, separated=_short_items(q))
            else:
                answer = text
                if _is_licence(q):
                    checked = self._licence(text)
                    if checked is None:
                        continue  # asked again
                    answer = checked
            error = self._store(q, answer)
            if error is None:
                self._journal(q, answer)
                return "next"
            w(f"  ✗ {error}; try again (or '-' to skip, '?' for help)")

    def _journal(self, q: Node, answer: Any) -> None:
        self.journal.append(
            {"op": "answer", "path": list(q.path), "value": json.loads(json.dumps(answer, default=str))}
        )

    def _licence(self, text: str) -> str | None:
        """An SPDX licence answer in canonical form; None to ask again (after saying why)."""
        from modelcard.interop.licenses import spdx_expression

        canonical = spdx_expression(text)
        if canonical is not None:
            if canonical != text:
                self.write(f"  → {canonical} (SPDX)")
            return canonical
        close = spdx_suggestions(text)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        self.write(f"  '{text}' is not an SPDX licence id{hint}")
        reply = self.read(f"  keep '{text}' as written anyway? [y/N] ").strip().lower()
        return text if reply in ("y", "yes") else None

    def _read_list(self, first: str, *, separated: bool) -> list[str]:
        lines = [first]
        while True:
            more = self.read("+ ")
            if not more.strip():
                break
            lines.append(more.strip())
        if separated:
            return [part.strip() for line in lines for part in line.split(SEPARATOR) if part.strip()]
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
                return str(err["msg"])  # says what is wrong with the link
            if q.kind.name == "literal":
                close = difflib.get_close_matches(str(answer), list(q.kind.choices), n=1, cutoff=0.6)
                return f"choose one of: {', '.join(q.kind.choices)}" + (f" (did you mean {close[0]}?)" if close else "")
            return friendly.get(q.kind.name) or str(err["msg"])
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


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9+]", "", text.lower())


@cache
def _spdx_ids() -> dict[str, list[str]]:
    """Squashed id (``gpl30only``) -> SPDX licence ids, for did-you-mean."""
    from modelcard.interop.licenses import _licensing

    ids: dict[str, list[str]] = {}
    for key in sorted(str(k) for k in _licensing().known_symbols):
        ids.setdefault(_squash(key), []).append(key)
    return ids


def spdx_suggestions(text: str, n: int = 3) -> list[str]:
    """SPDX licence ids close to ``text`` (``GPL3`` -> ``GPL-3.0``...), for did-you-mean."""
    ids = _spdx_ids()
    close = difflib.get_close_matches(_squash(text), list(ids), n=n, cutoff=0.6)
    return [i for c in close for i in ids[c]][:n]


def _is_licence(q: Node) -> bool:
    return q.path[-1] == "license" and q.kind.name == "str"


def _description(q: Node) -> str:
    if q.model is None or not isinstance(q.key, str):
        return ""
    info = q.model.model_fields.get(q.key)
    return (info.description or "") if info is not None else ""


def _order(questions: list[Node]) -> list[Node]:
    """Ask a section's name before its id, so the id can default to a slug of the name."""
    out = list(questions)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        if a.path[-1] == "id" and b.path[-1] == "name" and a.path[:-1] == b.path[:-1]:
            out[i], out[i + 1] = b, a
    return out


def _short_items(q: Node) -> bool:
    """Lists of names and labels may be given on one line with SEPARATOR; lists of sentences may not."""
    if q.make_item is not None:
        return True
    return q.kind.item is not None and not q.kind.item.markdown


def _hint(q: Node, is_list: bool) -> str:
    parts = [q.status if q.status != "required" else ""]
    if is_list:
        parts.append(
            "one per line, empty line to finish" + (f"; or separated by '{SEPARATOR}'" if _short_items(q) else "")
        )
    else:
        h = q.kind.hint()
        if h:
            parts.append(h)
    return "; ".join(p for p in parts if p)


def _show(value: Any) -> str:
    if isinstance(value, list):
        return f"{SEPARATOR} ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)
