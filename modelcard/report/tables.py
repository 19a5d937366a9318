"""Tables for reports: plain text for terminals, GitHub-flavoured Markdown for PR comments."""

from __future__ import annotations

from collections.abc import Sequence

from modelcard.render.markdown_text import md_cell
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


def md_text(text: str) -> str:
    """Data shown as written in Markdown (one line, no markup, no link): the literal cell escaper."""
    return md_cell(text, literal=True)


def _md_data_cell(text: str) -> str:
    return md_text(text.replace(">= ", "≥ ").replace("<= ", "≤ ").replace(" -> ", " → "))


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub-flavoured Markdown table; cells are data shown as written, ``>=``/``<=``/``->`` as ≥/≤/→."""
    out = ["| " + " | ".join(md_text(h) for h in headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(_md_data_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(out)
