"""The Markdown body of a README: sections found by markdown-it, and the card fields they hold.

:func:`split_sections` cuts the body at its top-level headings (ATX ``#`` and
setext underlines), using markdown-it-py's block tokens and their ``.map``
line ranges, so that a ``#`` line inside a code fence, an HTML block or a list
item is not a heading.  Every section keeps its exact text: joining the
preamble and the sections gives the body back, byte for byte.

:data:`SECTION_FIELDS` says which headings hold which card field, and
:data:`MAPPERS` how each field's text is read (``parse``) and written back
(``render``): plain text, a bullet list, a fenced citation, "how to use"
code, hyperparameters, framework versions.  The importer maps a section only
when rendering the value gives back the very same text; otherwise the
section stays verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

#: what goes between a heading line and its text, and after the text, by default
DEFAULT_LEAD = "\n"
DEFAULT_TRAIL = "\n\n"

_NEWLINE = re.compile(r"\r\n|\r|\n")  # what markdown-it counts as a line break
#: a line that could start a heading (ATX ``#``, or a setext underline): without one there is no section
_MAYBE_HEADING = re.compile(r"^[ \t]*(?:#|=+[ \t]*$|-+[ \t]*$)", re.M)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")


@dataclass(frozen=True)
class RawSection:
    """One section of a body: its heading (line, or lines for a setext heading) and the text after it."""

    heading: str
    level: int
    title: str
    #: everything after the heading's last character up to the next heading: "" or a line break first
    content: str


@cache
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    # block structure only: inline parsing (emphasis, links) is not needed to find headings
    return MarkdownIt("commonmark").disable(["inline", "text_join"])


def _line_offsets(text: str) -> list[int]:
    """Offset of the start of every line of ``text`` (lines as markdown-it counts them)."""
    return [0] + [m.end() for m in _NEWLINE.finditer(text)]


def _blocks(text: str) -> list[Token]:
    return _parser().parse(text)


#: bodies up to this size are remembered: export reads its own README back, whose body is the one just read
_CACHED_BODY = 1 << 20


def split_sections(body: str) -> tuple[str, list[RawSection]]:
    """``(preamble, sections)`` of a Markdown body; ``preamble + ''.join(heading + content)`` is ``body``."""
    preamble, sections = _split_cached(body) if len(body) <= _CACHED_BODY else _split(body)
    return preamble, list(sections)


@lru_cache(maxsize=32)
def _split_cached(body: str) -> tuple[str, tuple[RawSection, ...]]:
    return _split(body)


def _split(body: str) -> tuple[str, tuple[RawSection, ...]]:
    if not _MAYBE_HEADING.search(body):
        return body, ()
    tokens = _blocks(body)
    heads: list[tuple[int, int, int, str]] = []  # (first line, end line, level, title)
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.level == 0 and tok.map is not None:
            title = tokens[i + 1].content if i + 1 < len(tokens) and tokens[i + 1].type == "inline" else ""
            heads.append((tok.map[0], tok.map[1], int(tok.tag[1:]), " ".join(title.split())))
    if not heads:
        return body, ()
    offsets = _line_offsets(body)

    def at(line: int) -> int:
        return offsets[line] if line < len(offsets) else len(body)

    def line_end(line: int) -> int:
        """Offset of the end of ``line``'s text (before its line break)."""
        start = at(line)
        m = _NEWLINE.search(body, start)
        nxt = at(line + 1)
        return m.start() if m is not None and m.start() < nxt else nxt

    sections = []
    for k, (first, end, level, title) in enumerate(heads):
        start = at(first)
        head_end = line_end(end - 1)
        stop = at(heads[k + 1][0]) if k + 1 < len(heads) else len(body)
        sections.append(RawSection(body[start:head_end], level, title, body[head_end:stop]))
    return body[: at(heads[0][0])], tuple(sections)


def normalise_heading(title: str) -> str:
    """A heading reduced to lower-case words: ``**3. Limitations & Bias**`` -> ``limitations and bias``."""
    t = title.lower().replace("&", " and ")
    t = re.sub(r"[*_`]|\[|\]\([^)]*\)", "", t)
    t = re.sub(r"[^a-z0-9]+", " ", t)
    t = re.sub(r"^\d+ ", "", t.strip())  # "3. Limitations"
    return t.strip()


# --------------------------------------------------------------------------
# which heading holds which field

#: card field -> the headings (normalised) that hold it; ``training_data`` is the training dataset's description
SECTION_FIELDS: list[tuple[str, tuple[str, ...]]] = [
    ("model.description", ("model description", "model summary", "description", "overview", "model overview")),
    (
        "intended_use.primary_uses",
        (
            "intended uses and limitations",
            "intended uses",
            "intended use",
            "uses",
            "direct use",
            "intended uses limitations",
        ),
    ),
    ("intended_use.primary_users", ("intended users", "primary intended users")),
    (
        "intended_use.out_of_scope_uses",
        ("out of scope use", "out of scope uses", "misuse and out of scope use", "uses to avoid"),
    ),
    (
        "caveats_and_recommendations.caveats",
        (
            "limitations and bias",
            "limitations and biases",
            "limitations",
            "bias risks and limitations",
            "risks and limitations",
            "bias limitations and risks",
            "caveats",
            "bias",
        ),
    ),
    ("caveats_and_recommendations.recommendations", ("recommendations",)),
    ("caveats_and_recommendations.tradeoffs", ("trade offs", "tradeoffs", "performance trade offs")),
    ("training_data", ("training data", "training dataset", "training datasets")),
    ("training.procedure", ("training procedure",)),
    ("training.hyperparameters", ("training hyperparameters", "hyperparameters")),
    ("model.frameworks", ("framework versions",)),
    (
        "usage.code",
        (
            "how to use",
            "how to use the model",
            "how to get started with the model",
            "how to get started",
            "usage",
            "code",
            "example usage",
        ),
    ),
    (
        "test_methodology.protocol",
        ("evaluation results", "eval results", "evaluation", "evaluation procedure", "testing procedure", "results"),
    ),
    (
        "model.citation",
        (
            "citation",
            "bibtex entry and citation info",
            "citation info",
            "bibtex",
            "citing",
            "cite",
            "how to cite",
            "citation information",
            "reference",
        ),
    ),
    ("environmental_impact.method", ("environmental impact",)),
    ("model.contact", ("contact", "model card contact", "contact information")),
]
HEADING_TO_FIELD = {h: f for f, hs in SECTION_FIELDS for h in hs}


# --------------------------------------------------------------------------
# reading and writing one field's text


def split_bullets(text: str) -> list[str] | None:
    """Items of a plain ``- item`` list (continuation lines indented by two), or None."""
    items: list[str] = []
    for line in text.split("\n"):
        if line.startswith("- ") and line[2:].strip():
            items.append(line[2:])
        elif line.startswith("  ") and items and line.strip():
            items[-1] += "\n" + line[2:]
        else:
            return None
    return items or None


def bullets(items: list[str]) -> str:
    """A ``- item`` list (continuation lines indented by two)."""
    return "\n".join("- " + item.replace("\n", "\n  ") for item in items)


def single_fence(text: str) -> tuple[str, str] | None:
    """``(opening fence line, inner text)`` when ``text`` is exactly one fenced block."""
    lines = text.split("\n")
    if len(lines) < 3:
        return None
    m = _FENCE.match(lines[0])
    if not m or lines[0] != lines[0].lstrip() or lines[-1] != m.group(1):
        return None
    inner = "\n".join(lines[1:-1])
    if not inner.strip() or any(ln.startswith(m.group(1)[:3]) for ln in lines[1:-1]):
        return None
    return lines[0], inner


def closing_fence(opening: str) -> str:
    m = re.match(r"\s*(`{3,}|~{3,})", opening)
    return m.group(1) if m else "```"


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _scalar(text: str) -> Any:
    """A hyperparameter value read from text so that :func:`_scalar_text` gives the text back."""
    t = text.strip()
    if re.fullmatch(r"-?(?:0|[1-9]\d{0,17})", t):
        return int(t)
    if re.fullmatch(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", t):
        try:
            f = float(t)
        except ValueError:  # pragma: no cover - the pattern is a float
            return t
        if repr(f) == t and abs(f) <= 1e100:
            return f
    if t in ("true", "false"):
        return t == "true"
    return t


HYPERPARAMETER_INTRO = "The following hyperparameters were used during training:\n"


def parse_hyperparameters(text: str) -> tuple[dict[str, Any], str] | None:
    """``({name: value}, intro)`` of a ``- name: value`` list, optionally after the Trainer's intro line."""
    intro = HYPERPARAMETER_INTRO if text.startswith(HYPERPARAMETER_INTRO) else ""
    items = split_bullets(text[len(intro) :])
    if not items:
        return None
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition(": ")
        if not sep or not key.strip() or key != key.strip() or "\n" in item or key in out or not value.strip():
            return None
        out[key] = _scalar(value)
    return out, intro


def render_hyperparameters(values: dict[str, Any], intro: str = "") -> str:
    return intro + bullets([f"{k}: {_scalar_text(v)}" for k, v in values.items()])


def parse_frameworks(text: str) -> list[dict[str, str]] | None:
    """``- Transformers 4.18.0`` lines as ``[{name, version}]``."""
    items = split_bullets(text)
    if not items:
        return None
    out = []
    for item in items:
        name, sep, version = item.rpartition(" ")
        if not sep or not name.strip() or not version.strip() or "\n" in item or name != name.strip():
            return None
        out.append({"name": name, "version": version})
    return out


def render_frameworks(items: list[dict[str, Any]]) -> str:
    return bullets([f"{f['name']} {f['version']}" if f.get("version") else str(f["name"]) for f in items])


def parse_code(text: str) -> list[dict[str, str]] | None:
    """Code snippets: optional prose, then a fenced block with a language tag; repeated; nothing after."""
    tokens = _blocks(text)
    lines = text.split("\n")
    snippets: list[dict[str, str]] = []
    prose_start: int | None = None
    last_end = 0
    for tok in tokens:
        if tok.level != 0 or tok.map is None or tok.type.endswith("_close"):
            continue
        if tok.type == "fence":
            info = tok.info.strip()
            if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_+#.-]*", info) or tok.markup[0] != "`":
                return None
            snippet = {"language": info, "code": tok.content.removesuffix("\n")}
            if prose_start is not None:
                snippet["description"] = "\n".join(lines[prose_start : tok.map[0]]).strip("\n")
            if not snippet["code"].strip():
                return None
            snippets.append(snippet)
            prose_start = None
            last_end = tok.map[1]
        elif prose_start is None:
            prose_start = tok.map[0]
    if not snippets or prose_start is not None or "\n".join(lines[last_end:]).strip():
        return None
    return snippets


def render_code(snippets: list[dict[str, Any]]) -> str:
    parts = []
    for s in snippets:
        fence = "````" if "```" in str(s["code"]) else "```"
        block = f"{fence}{s['language']}\n{s['code']}\n{fence}"
        parts.append(f"{s['description']}\n\n{block}" if s.get("description") else block)
    return "\n\n".join(parts)


@dataclass(frozen=True)
class FieldMapper:
    """How one card field is read from a section's text and written back."""

    #: text -> (value, extra entry keys) or None when the text is not in this field's form
    parse: Callable[[str], tuple[Any, dict[str, str]] | None]
    #: (value, entry) -> text
    render: Callable[[Any, dict[str, Any]], str | None]


def _parse_text(text: str) -> tuple[Any, dict[str, str]]:
    return text, {}


def _render_text(value: Any, entry: dict[str, Any]) -> str | None:
    if isinstance(value, list):
        value = value[0] if len(value) == 1 else None
        if value is None:
            return None
    return str(value)


def _parse_list(text: str) -> tuple[Any, dict[str, str]]:
    items = split_bullets(text)
    if items and bullets(items) == text:
        return items, {"items": "bullets"}
    return [text], {}


def _render_list(value: Any, entry: dict[str, Any]) -> str | None:
    if not isinstance(value, list):
        return None
    if entry.get("items") == "bullets" or len(value) > 1:
        return bullets([str(v) for v in value])
    return str(value[0])


def _parse_citation(text: str) -> tuple[Any, dict[str, str]]:
    fenced = single_fence(text)
    if fenced:
        return fenced[1], {"fence": fenced[0]}
    return text, {}


def _render_citation(value: Any, entry: dict[str, Any]) -> str | None:
    if "fence" in entry:
        return f"{entry['fence']}\n{value}\n{closing_fence(entry['fence'])}"
    return str(value)


def _parse_hyper(text: str) -> tuple[Any, dict[str, str]] | None:
    got = parse_hyperparameters(text)
    if got is None:
        return None
    values, intro = got
    return values, ({"intro": intro} if intro else {})


def _render_hyper(value: Any, entry: dict[str, Any]) -> str | None:
    return render_hyperparameters(value, entry.get("intro", "")) if isinstance(value, dict) else None


def _parse_frameworks(text: str) -> tuple[Any, dict[str, str]] | None:
    got = parse_frameworks(text)
    return (got, {}) if got else None


def _render_frameworks(value: Any, entry: dict[str, Any]) -> str | None:
    return render_frameworks(value) if isinstance(value, list) else None


def _parse_code(text: str) -> tuple[Any, dict[str, str]] | None:
    got = parse_code(text)
    return (got, {}) if got else None


def _render_code(value: Any, entry: dict[str, Any]) -> str | None:
    return render_code(value) if isinstance(value, list) else None


_TEXT = FieldMapper(_parse_text, _render_text)
_LIST = FieldMapper(_parse_list, _render_list)

#: card field -> how its section text is read and written
MAPPERS: dict[str, FieldMapper] = {
    "intended_use.primary_uses": _LIST,
    "intended_use.primary_users": _LIST,
    "intended_use.out_of_scope_uses": _LIST,
    "caveats_and_recommendations.caveats": _LIST,
    "caveats_and_recommendations.recommendations": _LIST,
    "caveats_and_recommendations.tradeoffs": _LIST,
    "model.citation": FieldMapper(_parse_citation, _render_citation),
    "training.hyperparameters": FieldMapper(_parse_hyper, _render_hyper),
    "model.frameworks": FieldMapper(_parse_frameworks, _render_frameworks),
    "usage.code": FieldMapper(_parse_code, _render_code),
}


def mapper(field: str) -> FieldMapper:
    """How ``field`` (a dotted card path, or ``datasets:<id>`` for a dataset's description) is read and written."""
    return MAPPERS.get(field, _TEXT)


def render_field(entry: dict[str, Any], value: Any) -> str | None:
    """The section text for a mapped field value (None when the field is empty)."""
    if value is None or value == [] or value == "" or value == {}:
        return None
    return mapper(str(entry["field"])).render(value, entry)


def join_section(heading: str, lead: str, text: str, trail: str) -> str:
    return f"{heading}\n{lead}{text}{trail}"
