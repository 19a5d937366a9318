"""Small formatting helpers shared by ``gate`` and ``diff``: numbers, groups, tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from modelcard.safe_text import neutralise


def num(x: float | None, *, signed: bool = False) -> str:
    """A compact number: 4 significant digits, ``+`` sign when ``signed``, ``n/a`` for None."""
    if x is None:
        return "n/a"
    text = f"{x:+.4g}" if signed else f"{x:.4g}"
    return text


def interval(lower: float | None, upper: float | None, *, signed: bool = False) -> str:
    if lower is None or upper is None:
        return ""
    return f"[{num(lower, signed=signed)}, {num(upper, signed=signed)}]"


def group(g: Mapping[str, Any] | None, *, empty: str = "overall") -> str:
    """``{race: A, sex: F}`` -> ``race=A, sex=F``."""
    if not g:
        return empty
    return ", ".join(f"{k}={v}" for k, v in g.items())


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "") -> str:
    """A plain-text table with columns padded to their widest cell; control and bidi characters
    in cells are shown as escapes (the table goes to terminals)."""
    rows = [[neutralise(str(c), terminal=True) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def line(cells: Sequence[str]) -> str:
        return indent + "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


def md_escape(text: str) -> str:
    """Make text safe inside a Markdown table cell: shown as written, never as markup or a link."""
    return (
        neutralise(text)
        .replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("\n", " ")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("[", "\\[")
        .replace("]", "\\]")
    )


def _md_cell(text: str) -> str:
    return md_escape(text.replace(">= ", "≥ ").replace("<= ", "≤ ").replace(" -> ", " → "))


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub-flavoured Markdown table; cells are escaped, ``>=``/``<=``/``->`` shown as ≥/≤/→."""
    out = ["| " + " | ".join(md_escape(h) for h in headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(out)
