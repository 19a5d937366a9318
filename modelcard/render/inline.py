"""The view's inline parts written as Markdown or as HTML: the one place each format spells them.

The view (:mod:`modelcard.render.view`) says *what* a value is made of, as a
line of parts -- ``("code", "Apache-2.0", "")``, ``("link", "policy",
"https://...")`` -- and a value as one or more lines.  This module says how each kind reads in each format:

==========  ================================  ==============================================
kind        Markdown                          HTML
==========  ================================  ==============================================
text        the text, made safe               the text, escaped
md          inline Markdown, made safe        inline Markdown rendered, sanitised
code        ```text```                        ``<code>text</code>``
link        ``[text](url)`` / ``<url>``       ``<a href="url">text</a>`` (safe links only)
strong/em   ``**text**`` / ``*text*``         ``<strong>`` / ``<em>``
muted/note  the text                          ``<span class="muted">`` / ``"muted small"``
verdict     ``✅ pass`` (the Verdict's icon)   a badge ``✓ pass`` coloured by CSS
flag        ``(small sample)``                a ``flag-small`` badge
mark        ``❌`` (the Verdict's icon alone)  the badge's mark alone ``✗``, its word for screen readers
ref         ``[text](#id)``                   ``<a href="#id">text</a>``: a heading of the same page
==========  ================================  ==============================================

Table rows are written here too (:func:`markdown_row`, :func:`html_row`): a
row is one filter call, not a template loop per cell.  Lines are joined by
``<br>``; a value whose lines are list items (``items``:
``ul``/``ol``) is a list (``<ul>``/``<ol>`` in HTML; ``• ``/``1. `` lines in a
Markdown table cell).  Markdown output is safe for any renderer: raw HTML in
the text is escaped and unsafe links become text (:func:`markdown_text.md_escape`).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from modelcard.render.markdown_text import AssetResolver, link_html, link_md, md_escape, to_html
from modelcard.report.fmt import verdict_glyph, verdict_mark, verdict_words
from modelcard.safe_text import neutralise, safe_url
from modelcard.schema.types import Verdict

#: (kind, text, url), as :mod:`modelcard.render.view` builds them
Part = Sequence[str]
Line = Iterable[Part]

#: the words of the small-sample flag, and its explanation on hover (HTML)
SMALL_SAMPLE = "small sample"
SMALL_SAMPLE_TITLE = "Fewer instances than the evaluation's minimum group size: read with caution"

_CELL_PIPE = re.compile(r"(?<!\\)\|")
#: a link to a heading of the same page (a ``ref`` part): ``#`` and an id of word characters and hyphens
_IN_PAGE = re.compile(r"#[\w-]+")
_BACKTICKS = re.compile(r"`+")


# --------------------------------------------------------------------------
# Markdown


def _md_text(text: str, cell: bool) -> str:
    if "\n" in text or "\r" in text:
        text = " ".join(p.strip() for p in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if p.strip())
    out = md_escape(text)  # control and bidi characters removed too
    return _CELL_PIPE.sub(r"\\|", out) if cell and "|" in out else out


def md_code(text: str, cell: bool = False) -> str:
    """A Markdown code span whose backtick fence is longer than any run inside ``text``."""
    text = " ".join(neutralise(text).split("\n"))
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    out = f"{fence}{pad}{text}{pad}{fence}"
    return _CELL_PIPE.sub(r"\\|", out) if cell else out


def _md_part(part: Part, cell: bool) -> str:
    kind, text, url = part
    if kind in ("text", "md", "muted", "note"):
        return _md_text(text, cell)
    if kind == "code":
        return md_code(text, cell)
    if kind == "link":
        out = link_md(url, text or None)
        return _CELL_PIPE.sub(r"\\|", out) if cell else out
    if kind == "strong":
        return f"**{_md_text(text, cell)}**"
    if kind == "em":
        return f"*{_md_text(text, cell)}*"
    if kind == "verdict":
        return verdict_mark(text)
    if kind == "flag":
        return f"({SMALL_SAMPLE})"
    if kind == "mark":
        return Verdict(text).icon
    if kind == "ref":
        label = _md_text(text, cell)
        return f"[{label}]({url})" if _IN_PAGE.fullmatch(url) else label
    raise ValueError(f"unknown part kind {kind!r}")


def markdown_line(line: Line, *, cell: bool = False) -> str:
    """One line of parts as Markdown (``cell``: inside a table cell, ``|`` escaped)."""
    return "".join(_md_part(p, cell) for p in line)


def markdown_lines(lines: Iterable[Line], items: str = "", *, cell: bool = True) -> str:
    """Lines as Markdown joined by ``<br>``; list items numbered (``ol``) or bulleted (``ul``)."""
    texts = [markdown_line(line, cell=cell) for line in lines]
    if items == "ol":
        texts = [f"{i}. {t}" for i, t in enumerate(texts, 1)]
    elif items == "ul":
        texts = [f"• {t}" for t in texts]
    return "<br>".join(texts)


def markdown_row(cells: Iterable[tuple[Mapping[str, Any], Iterable[Line]]]) -> str:
    """One table row: ``| a | **b** |``, cells of header columns in bold."""
    out = []
    for column, lines in cells:
        text = markdown_lines(lines, cell=True)
        out.append(f"**{text}**" if column["header"] and text else text)
    return "| " + " | ".join(out) + " |"


# --------------------------------------------------------------------------
# Markdown charts: a sidecar SVG file, or (for hosts that allow it) the SVG inlined as a data: image

#: an image description is inline Markdown: every character a renderer would read as markup (brackets,
#: code spans, emphasis, strikethrough, raw HTML, character references) is escaped, so that the alt text
#: a renderer writes is the chart's description as it is (``<`` and ``&`` as character references, which
#: Python-Markdown reads too; the rest as backslash escapes)
_ALT_ESCAPES = str.maketrans(
    {
        "\\": "\\\\",
        "[": "\\[",
        "]": "\\]",
        "`": "\\`",
        "*": "\\*",
        "_": "\\_",
        "~": "\\~",
        "<": "&lt;",
        "&": "&amp;",
        "\n": " ",
        "\r": " ",
    }
)


def image_src(path: str) -> str:
    """A sidecar file's path as the Markdown image names it: percent-encoded, so that it stays one relative
    reference (``Model Card-charts/roc.svg`` -> ``Model%20Card-charts/roc.svg``)."""
    return quote(path, safe="/")


def markdown_image(path: str, alt: str) -> str:
    """``![alt](path)`` for a chart's sidecar file: the alt text literal (markup characters escaped), the
    path percent-encoded (:func:`image_src`) ("" without a path)."""
    if not path:
        return ""
    return f"![{neutralise(alt).translate(_ALT_ESCAPES)}]({image_src(path)})"


def svg_data_uri(svg: str) -> str:
    """An SVG document as a ``data:image/svg+xml;base64,...`` address."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def markdown_svg_image(svg: str, alt: str) -> str:
    """``<img src="data:image/svg+xml;base64,..." alt="...">``: one of our own charts inlined in Markdown.

    Only the renderer calls this, with an SVG it drew (:mod:`modelcard.render.charts`): the one place a
    ``data:`` address enters Markdown.  Card text never gets here, and a ``data:`` link written in card
    text is still refused (:func:`~modelcard.safe_text.safe_url` without ``image``).
    """
    uri = svg_data_uri(svg)
    if safe_url(uri, image=True) is None:  # the address is base64 of our own text: never expected
        return ""
    return f'<img src="{uri}" alt="{_escape(neutralise(alt))}">'


# --------------------------------------------------------------------------
# HTML


def _escape(text: str) -> str:
    """Escaped exactly as Jinja's autoescape (markupsafe) does it: ``& < > ' "``."""
    if not _HTML_SPECIAL.search(text):
        return text
    return (
        text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;").replace('"', "&#34;")
    )


_HTML_SPECIAL = re.compile(r"[&<>'\"]")


def _span(cls: str) -> Callable[[str], str]:
    return lambda text: f'<span class="{cls}">{_escape(text)}</span>'


_HTML_WRAP: dict[str, Callable[[str], str]] = {
    "text": _escape,
    "code": lambda text: f"<code>{_escape(text)}</code>",
    "strong": lambda text: f"<strong>{_escape(text)}</strong>",
    "em": lambda text: f"<em>{_escape(text)}</em>",
    "muted": _span("muted"),
    "note": _span("muted small"),
    "verdict": lambda v: f'<span class="verdict verdict-{_escape(v)}">{verdict_glyph(v)} {verdict_words(v)}</span>',
    "flag": lambda _: f'<span class="flag-small" title="{_escape(SMALL_SAMPLE_TITLE)}">{SMALL_SAMPLE}</span>',
    "mark": lambda v: (
        f'<span class="verdict verdict-{_escape(v)} verdict-mark" role="img" aria-label="{verdict_words(v)}" '
        f'title="{verdict_words(v)}">{verdict_glyph(v)}</span>'
    ),
}


def _html_part(part: Part, assets: AssetResolver | None) -> str:
    kind, text, url = part
    wrap = _HTML_WRAP.get(kind)
    if wrap is not None:
        return wrap(text)
    if kind == "md":
        return to_html(text, assets, inline=True)
    if kind == "link":
        return link_html(url, text or None)
    if kind == "ref":
        return f'<a href="{url}">{_escape(text)}</a>' if _IN_PAGE.fullmatch(url) else _escape(text)
    raise ValueError(f"unknown part kind {kind!r}")


def _html_text(line: Line, assets: AssetResolver | None) -> str:
    return "".join([_html_part(p, assets) for p in line])


def _html_lines_text(lines: Iterable[Line], items: str, assets: AssetResolver | None) -> str:
    texts = [_html_text(line, assets) for line in lines]
    if items in ("ul", "ol"):
        return f"<{items}>" + "".join(f"<li>{t}</li>" for t in texts) + f"</{items}>"
    return "<br>".join(texts)


def html_line(line: Line, assets: AssetResolver | None = None) -> Markup:
    """One line of parts as HTML."""
    return Markup(_html_text(line, assets))


def html_lines(lines: Iterable[Line], items: str = "", assets: AssetResolver | None = None) -> Markup:
    """Lines as HTML joined by ``<br>``, or as a ``<ul>``/``<ol>`` list."""
    return Markup(_html_lines_text(lines, items, assets))


def html_row(cells: Iterable[tuple[Mapping[str, Any], Iterable[Line]]], assets: AssetResolver | None = None) -> Markup:
    """One table row's cells: ``<th scope="row">`` for header columns, ``<td>`` (``class="num"`` for numbers)."""
    out = []
    for column, lines in cells:
        text = _html_lines_text(lines, "", assets)
        if column["header"]:
            out.append(f'<th scope="row">{text}</th>')
        else:
            css = "num" if column["numeric"] else column["css"]
            out.append(f'<td class="{_escape(css)}">{text}</td>' if css else f"<td>{text}</td>")
    return Markup("".join(out))
