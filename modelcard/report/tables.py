"""Tables for reports: plain text for terminals, GitHub-flavoured Markdown for PR comments."""

from __future__ import annotations

from collections.abc import Sequence

from modelcard.safe_text import neutralise


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "") -> str:
    """A plain-text table with columns padded to their widest cell; control and bidi characters
    in cells are shown as escapes (the table goes to terminals)."""
    cells = [[neutralise(str(c), terminal=True) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def line(items: Sequence[str]) -> str:
        return indent + "  ".join(c.ljust(w) for c, w in zip(items, widths)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in cells])


_LITERAL_ESCAPES = str.maketrans(
    {"\\": "\\\\", "|": "\\|", "\n": " ", "<": "&lt;", ">": "&gt;", "[": "\\[", "]": "\\]"}
)


def md_text(text: object) -> str:
    """THE literal Markdown escaper: data shown exactly as written, never as markup or a link.

    For names, labels and intervals in reports, in a table cell or a line: ``\\``, ``|``,
    ``[``, ``]`` escaped, ``<``/``>`` as entities, newlines as spaces, control and bidi
    characters removed.  Markdown *values* in a cell are
    :func:`modelcard.render.markdown_text.md_cell`'s.
    """
    return "" if text is None else neutralise(str(text)).translate(_LITERAL_ESCAPES)


def _md_data_cell(text: str) -> str:
    return md_text(text.replace(">= ", "≥ ").replace("<= ", "≤ ").replace(" -> ", " → "))


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub-flavoured Markdown table; cells are data shown as written, ``>=``/``<=``/``->`` as ≥/≤/→."""
    out = ["| " + " | ".join(md_text(h) for h in headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(_md_data_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(out)
