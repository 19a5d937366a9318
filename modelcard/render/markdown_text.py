"""Free-text fields are Markdown: turn them into safe HTML, or into safe Markdown table cells.

Card prose comes from people and pipelines we do not control, so the HTML it
produces is sanitized with `nh3` (the Rust *ammonia* sanitizer) against an
allow-list: no ``<script>``, ``<style>``, ``<iframe>``, ``<form>``, no event
handler attributes, no ``javascript:``/``data:`` links.

Images are handled so that rendered HTML stays a single self-contained file
that fetches nothing:

* an image under the card's own directory (``![plot](figures/roc.png)``) is
  embedded as a ``data:`` URI;
* any other image (``http://…``, ``file:///…``, a path escaping the card's
  directory, a missing file) is not loaded: it is shown as its alt text
  (remote images as a link to their address).

Every link and image address that reaches an output is checked by
:func:`modelcard.safe_text.safe_url` (the one rule): in free text rendered to
HTML, in Markdown output (:func:`md_escape`, :func:`md_links`), in URL fields
printed by templates (the ``link`` filter: :func:`link_html`, :func:`link_md`)
and, last, over the whole HTML document (:func:`safe_document`), which also
removes ``rel=attachment`` so a PDF can never embed a file.  Unsafe links
become plain text.  Control and bidi characters are removed from all of it
(:func:`modelcard.safe_text.neutralise`).
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from modelcard.safe_text import neutralise, safe_url

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

#: tags free text may produce; everything else is stripped (content kept)
ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "del",
    "dd",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
#: tags removed together with their content
DROPPED_WITH_CONTENT = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "form",
    "textarea",
    "select",
    "template",
    "noscript",
    "svg",
    "math",
    "frame",
    "frameset",
    "applet",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
}
LINK_SCHEMES = {"http", "https", "mailto"}  # nh3's own scheme filter; safe_url() decides
IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
}
MAX_ASSET_BYTES = 5 * 1024 * 1024


def card_asset(root: Path, candidate: Path) -> Path | None:
    """``candidate`` resolved, if it is an image file of the card: under ``root``
    (after following links), of an image type and not over ``MAX_ASSET_BYTES``."""
    try:
        path = candidate.resolve()
        if root not in path.parents or path.suffix.lower() not in IMAGE_TYPES or not path.is_file():
            return None
        if path.stat().st_size > MAX_ASSET_BYTES:
            return None
    except (OSError, RuntimeError, ValueError):
        return None
    return path


class AssetResolver:
    """Finds images a card may embed: regular files of an image type under ``root``.

    ``refused`` records every image reference that was not embedded, so callers
    (and tests) can see what was blocked.
    """

    def __init__(self, root: Path | None):
        self.root = Path(root).resolve() if root is not None else None
        self.refused: list[str] = []

    def local_path(self, ref: str) -> Path | None:
        """The file ``ref`` names if it is an asset of the card, else None."""
        if self.root is None or not ref:
            return None
        parts = urlsplit(ref)
        if parts.scheme or parts.netloc or ref.startswith(("/", "\\")):
            return None
        return card_asset(self.root, self.root / unquote(parts.path))

    def data_uri(self, ref: str) -> str | None:
        path = self.local_path(ref)
        if path is None:
            self.refused.append(ref)
            return None
        try:
            payload = path.read_bytes()
        except OSError:
            self.refused.append(ref)
            return None
        return f"data:{IMAGE_TYPES[path.suffix.lower()]};base64,{base64.b64encode(payload).decode('ascii')}"


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True, "typographer": False}).enable(["table", "strikethrough"])
    default_image = md.renderer.rules.get("image")  # type: ignore[attr-defined]  # RendererHTML's rules

    def render_image(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
        token = tokens[idx]
        src = str(token.attrGet("src") or "")
        alt = self.renderInlineAsText(token.children or [], options, env)
        resolver: AssetResolver | None = env.get("assets")
        if resolver is not None and resolver.local_path(src) is not None:
            return str(default_image(tokens, idx, options, env))
        if resolver is not None:
            resolver.refused.append(src)
        label = html.escape(alt or "image", quote=True)
        if urlsplit(src).scheme.lower() in ("http", "https") and safe_url(src) is not None:
            return f'<a href="{html.escape(src, quote=True)}">[image: {label}]</a>'
        return f"[image: {label}]"

    md.add_render_rule("image", render_image)
    return md


def _attribute_filter(resolver: AssetResolver | None) -> Callable[[str, str, str], str | None]:
    def keep(element: str, attribute: str, value: str) -> str | None:
        if element == "img" and attribute == "src":
            return resolver.data_uri(value) if resolver is not None else None
        if attribute == "href":
            return safe_url(value, relative=True)
        if attribute in ("width", "height"):
            return value if value.isdigit() else None
        return value

    return keep


_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")


def sanitize_html(fragment: str, assets: AssetResolver | None = None) -> str:
    """Clean an HTML fragment against the allow-list; embed or drop images."""
    import nh3

    clean = nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter(assets),
        url_schemes=LINK_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return _IMG_WITHOUT_SRC.sub("", clean)  # images whose source was refused


def to_text(text: str | None, limit: int = 0) -> str:
    """Markdown reduced to plain text on one line (for <meta> descriptions and titles)."""
    import nh3

    if not text:
        return ""
    rendered = _parser().render(neutralise(str(text)), {"assets": None})
    plain = html.unescape(nh3.clean(rendered, tags=set(), clean_content_tags=DROPPED_WITH_CONTENT))
    plain = " ".join(plain.split())
    if limit and len(plain) > limit:
        plain = plain[: limit - 1].rsplit(" ", 1)[0] + "…"
    return plain


def to_html(text: str | None, assets: AssetResolver | None = None, *, inline: bool = False) -> str:
    """Render Markdown ``text`` to sanitized HTML.

    ``inline=True`` drops the wrapping ``<p>`` of a one-paragraph text, for
    list items and table cells.
    """
    if not text:
        return ""
    rendered = _parser().render(neutralise(str(text)), {"assets": assets})
    clean = sanitize_html(rendered, assets).strip()
    if inline and clean.startswith("<p>") and clean.endswith("</p>") and clean.count("<p>") == 1:
        clean = clean[3:-4]
    return clean


# --------------------------------------------------------------------------
# Markdown output

_CELL_ESCAPE = re.compile(r"(?<!\\)\|")
_FENCE_OPEN = re.compile(r" {0,3}(`{3,}|~{3,})([^\n]*)")
_ASCII_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_MD_SPECIAL = re.compile(r"[\\`<\]]")
_MD_ACTIVE = re.compile(r"[\\`~<\]]")  #: characters md_escape may act on (with fences: ``` and ~~~)
_URI_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\x00-\x20<>]*)>")
_EMAIL_AUTOLINK = re.compile(
    r"<[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*>"
)


def _fenced_blocks(text: str) -> tuple[list[tuple[bool, str]], str]:
    """``text`` cut into (is_code, chunk), fenced code blocks at the top level being code, and
    the fence left open at the end ("" if none).

    Only fences a CommonMark renderer is bound to see as fences count (at most three spaces of
    indent, a backtick fence's info string without backticks); fences inside lists or block
    quotes are treated as text, which only ever escapes more than needed.
    """
    chunks: list[tuple[bool, str]] = []
    buf: list[str] = []
    fence = ""
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if fence:
            buf.append(line)
            stripped = body.lstrip(" ")
            if (
                len(body) - len(stripped) <= 3
                and stripped.rstrip(" \t")
                and set(stripped.rstrip(" \t")) == {fence[0]}
                and len(stripped.rstrip(" \t")) >= len(fence)
            ):
                chunks.append((True, "".join(buf)))
                buf, fence = [], ""
            continue
        m = _FENCE_OPEN.fullmatch(body)
        if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):
            if buf:
                chunks.append((False, "".join(buf)))
            buf, fence = [line], m.group(1)
            continue
        buf.append(line)
    if buf:
        chunks.append((bool(fence), "".join(buf)))
    return chunks, fence


def _run_length(text: str, i: int) -> int:
    """The length of the run of backticks starting at ``text[i]``."""
    j = i
    while j < len(text) and text[j] == "`":
        j += 1
    return j - i


def _destination(text: str, i: int) -> tuple[str | None, int]:
    """The link destination starting at ``text[i]`` (after ``](`` or ``]:``) and where it ends."""
    n = len(text)
    j = i
    newlines = 0
    while j < n and text[j] in " \t\n":
        newlines += text[j] == "\n"
        j += 1
    if newlines > 1:
        return None, i
    if j < n and text[j] == "<":
        end = j + 1
        while end < n and text[end] not in "<>\n":
            end += 2 if text[end] == "\\" and end + 1 < n else 1
        if end < n and text[end] == ">":
            return text[j + 1 : end], end + 1
        return None, i
    end, depth = j, 0
    while end < n and not text[end].isspace() and ord(text[end]) > 0x1F:
        ch = text[end]
        if ch == "\\" and end + 1 < n and text[end + 1] in _ASCII_PUNCT:
            end += 2
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                break
            depth -= 1
        end += 1
    return text[j:end], end


def _md_inline(text: str, escape_html: bool) -> str:
    """One stretch of Markdown outside fenced code (see :func:`md_escape`)."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        m = _MD_SPECIAL.search(text, i)
        if m is None:
            out.append(text[i:])
            break
        out.append(text[i : m.start()])
        i = m.start()
        ch = text[i]
        if ch == "\\":
            step = 2 if i + 1 < n and text[i + 1] in _ASCII_PUNCT else 1
            out.append(text[i : i + step])
            i += step
        elif ch == "`":
            run = _run_length(text, i)
            j = i + run
            line_end = text.find("\n", j)
            line_end = n if line_end < 0 else line_end
            close = -1
            while True:  # a closing run of the same length on the same line
                k = text.find("`", j, line_end)
                if k < 0:
                    break
                r = _run_length(text, k)
                if r == run:
                    close = k
                    break
                j = k + r
            if close >= 0:
                out.append(text[i : close + run])
                i = close + run
            else:
                out.append(text[i : i + run])
                i += run
        elif ch == "<":
            auto = _URI_AUTOLINK.match(text, i)
            keep = auto if auto is not None and safe_url(auto.group(1)) is not None else _EMAIL_AUTOLINK.match(text, i)
            if keep is not None:
                out.append(keep.group())
                i = keep.end()
            else:
                out.append("&lt;" if escape_html or auto is not None else "<")
                i += 1
        else:  # "]": a link destination may follow
            if text.startswith("](", i) or text.startswith("]:", i):
                dest, end = _destination(text, i + 2)
                if dest is not None and dest and safe_url(dest, relative=True) is None:
                    out.append("\\]")  # no longer a link: the text and the address show as written
                    i += 1
                    continue
                if dest is not None and end > i + 2:
                    out.append(text[i:end])
                    i = end
                    continue
            out.append("]")
            i += 1
    return "".join(out)


def md_escape(text: str, *, html: bool = True) -> str:
    """Markdown made safe for any renderer, with legitimate Markdown left as it was.

    Outside fenced code and code spans: ``<`` becomes ``&lt;`` so no raw HTML survives (a
    renderer shows ``<`` again), except in autolinks to safe addresses (``<https://...>``,
    ``<name@example.org>``); a link or image (``[x](...)``, ``[x]: ...``) whose address
    :func:`~modelcard.safe_text.safe_url` refuses is turned into plain text by escaping its
    ``]``.  Control and bidi characters are removed.  With ``html=False`` only the links are
    checked (for whole documents whose HTML comes from the template).
    """
    clean = neutralise(text)
    if _MD_ACTIVE.search(clean) is None:  # no fence, code span, tag, autolink or link: nothing to change
        return clean
    chunks, open_fence = _fenced_blocks(clean)
    out = [chunk if is_code else _md_inline(chunk, html) for is_code, chunk in chunks]
    if open_fence and html:  # close it, so the text's code block cannot swallow what follows
        out.append(("" if out[-1].endswith("\n") else "\n") + open_fence)
    return "".join(out)


def md_links(text: str) -> str:
    """A Markdown document with every unsafe link made plain text (see :func:`md_escape`)."""
    return md_escape(text, html=False)


def _one_line(value: object) -> str:
    text = neutralise(str(value)).replace("\r\n", "\n").replace("\r", "\n")
    return " ".join(part.strip() for part in text.split("\n") if part.strip())


def md_cell(value: object) -> str:
    """THE Markdown table-cell escaper: a Markdown value made safe for one GitHub Markdown table cell.

    The value stays Markdown: ``|`` escaped, newlines joined, raw HTML and unsafe
    links neutralised (:func:`md_escape`), control and bidi characters removed.
    Data shown exactly as written (reports' names, labels, intervals) is
    :func:`modelcard.report.tables.md_text`'s.
    """
    if value is None:
        return ""
    return _CELL_ESCAPE.sub(r"\\|", md_escape(_one_line(value)))


def md_inline(value: object) -> str:
    """A value made safe for one line of Markdown (list item, heading): newlines joined,
    raw HTML and unsafe links neutralised."""
    if value is None:
        return ""
    return md_escape(_one_line(value))


def md_block(value: object) -> str:
    """Free-text Markdown with surrounding blank lines trimmed, raw HTML and unsafe links
    neutralised (:func:`md_escape`); everything else kept as written."""
    if value is None:
        return ""
    text = neutralise(str(value)).replace("\r\n", "\n").replace("\r", "\n").strip("\n").rstrip()
    return md_escape(text)


def md_fenced(value: object, info: str = "text") -> str:
    """A fenced code block whose fence is longer than any backtick run inside the text."""
    text = (
        neutralise(str(value)).replace("\r\n", "\n").replace("\r", "\n").strip("\n").rstrip()
        if value is not None
        else ""
    )
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text}\n{fence}"


# --------------------------------------------------------------------------
# links printed by templates, and the last check over a whole HTML document


def _escape(text: str) -> str:
    """HTML-escaped exactly as Jinja's autoescape does it (``'`` as ``&#39;``)."""
    return html.escape(text, quote=True).replace("&#x27;", "&#39;")


def link_html(url: object, text: object = None) -> str:
    """``<a href="url">text</a>`` (text defaults to the address) when ``url`` is a safe link,
    else the text alone; everything escaped.  The templates' ``link`` filter in HTML."""
    label = neutralise(str(text if text not in (None, "") else (url or "")))
    href = safe_url(url) if isinstance(url, str) else None
    if href is None:
        return _escape(label)
    return f'<a href="{_escape(href)}">{_escape(label)}</a>'


_MD_URL_ESCAPES = {"(": "%28", ")": "%29", "|": "%7C"}


def link_md(url: object, text: object = None) -> str:
    """``[text](url)``, or ``<url>`` without text, when ``url`` is a safe link, else the text
    alone (as :func:`md_inline`).  The templates' ``link`` filter in Markdown.  Characters of
    the address that a link or a table cell would read (``(``, ``)``, ``|``) are percent-encoded."""
    href = safe_url(url) if isinstance(url, str) else None
    label = md_inline(text) if text not in (None, "") else ""
    if href is not None:
        label = re.sub(r"(?<!\\)([\[\]])", r"\\\1", label)
    if href is None:
        return label or md_inline(url or "")
    href = "".join(_MD_URL_ESCAPES.get(ch, ch) for ch in href)
    return f"[{label}]({href})" if label else f"<{href}>"


# attributes whose value is an address, and the tags whose src may be an embedded data: image
_URL_ATTRIBUTES = frozenset(
    {
        "href",
        "src",
        "xlink:href",
        "action",
        "formaction",
        "poster",
        "data",
        "cite",
        "background",
        "longdesc",
        "manifest",
        "ping",
        "codebase",
        "archive",
        "usemap",
        "lowsrc",
        "dynsrc",
        "icon",
        "profile",
    }
)
_SRCSET_ATTRIBUTES = frozenset({"srcset", "imagesrcset"})
_IMAGE_TAGS = frozenset({"img", "image", "source", "picture"})
_LINK_TAGS = frozenset({"a", "area"})


def _allowed(tag: str, name: str, value: str | None, pdf: bool) -> str | None:
    """The value attribute ``name`` of ``<tag>`` may keep (possibly reduced), or None to drop it."""
    if value is None:
        return value if name not in _URL_ATTRIBUTES else None
    if name == "rel":  # a PDF must never embed a file: drop the link type wherever it appears
        tokens = [t for t in value.split() if t.lower() != "attachment"]
        return " ".join(tokens) if tokens else None
    if name in _SRCSET_ATTRIBUTES:
        candidates = [c.strip().split()[0] for c in value.split(",") if c.strip()]
        ok = all(safe_url(c, relative=True, image=tag in _IMAGE_TAGS) for c in candidates)
        return value if ok else None
    if name not in _URL_ATTRIBUTES:
        return value
    if tag in _IMAGE_TAGS:
        return safe_url(value, relative=True, image=True)
    if tag in _LINK_TAGS or name in ("xlink:href", "action", "formaction", "ping", "cite", "longdesc"):
        # a link followed by a reader; in a PDF a relative one would become a file:// link
        if pdf and not value.startswith("#"):
            return safe_url(value)
        return safe_url(value, relative=True)
    return safe_url(value, relative=True)


# Comment forms HTML5 closes that Python's parser does not: rewritten to the plain form, which
# means the same to a browser, so both read the document alike.
_ABRUPT_COMMENTS = re.compile(r"<!--(?:->|>)|--!>")


def _audit_links(document: str, pdf: bool) -> str:
    from html.parser import HTMLParser

    document = _ABRUPT_COMMENTS.sub(lambda m: "-->" if m.group() == "--!>" else "<!---->", document)

    edits: list[tuple[int, int, str]] = []
    line_starts = [0]
    for m in re.finditer("\n", document):
        line_starts.append(m.end())

    class Audit(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self._check(tag, attrs, closed=False)

        def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self._check(tag, attrs, closed=True)

        def _check(self, tag: str, attrs: list[tuple[str, str | None]], closed: bool) -> None:
            kept, changed = [], False
            for name, value in attrs:
                allowed = _allowed(tag, name, value, pdf)
                if allowed is None and (value is not None or name in _URL_ATTRIBUTES):
                    changed = True
                    continue
                changed = changed or allowed != value
                kept.append((name, allowed))
            if not changed:
                return
            raw = self.get_starttag_text() or ""
            line, col = self.getpos()
            start = line_starts[line - 1] + col
            if not document.startswith(raw, start):  # never expected; do not leave the tag as it was
                start = document.find(raw, line_starts[line - 1])
            if start >= 0 and raw:
                rebuilt = "".join(f' {n}="{html.escape(v, quote=True)}"' if v is not None else f" {n}" for n, v in kept)
                edits.append((start, start + len(raw), f"<{tag}{rebuilt}{' /' if closed else ''}>"))

    parser = Audit(convert_charrefs=False)
    parser.feed(document)
    parser.close()
    if not edits:
        return document
    out, last = [], 0
    for start, end, text in edits:
        out.append(document[last:start])
        out.append(text)
        last = end
    out.append(document[last:])
    return "".join(out)


def safe_document(document: str, *, pdf: bool = False) -> str:
    """The last check over a rendered HTML document, whatever template produced it.

    Every address attribute (``href``, ``src``, ``srcset``, ``xlink:href``, ``action``...) is
    checked with :func:`~modelcard.safe_text.safe_url` after the HTML parser has decoded it
    (so ``&#106;avascript:`` is seen as ``javascript:``) and dropped when refused, leaving its
    element as plain text; relative addresses stay (``#section``, ``figures/roc.png``), except
    links in a PDF (``pdf=True``), where they would point into the local file system.  The
    ``attachment`` link type is removed from every ``rel``, so a PDF never embeds a file.
    Control and bidi characters are removed from the whole document.
    """
    return _audit_links(neutralise(document), pdf)
