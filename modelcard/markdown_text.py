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
"""

from __future__ import annotations

import base64
import html
import re
from functools import lru_cache
from pathlib import Path
from typing import Callable, Optional
from urllib.parse import unquote, urlsplit

#: tags free text may produce; everything else is stripped (content kept)
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "dd", "dl", "dt", "em", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small",
    "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
#: tags removed together with their content
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "form", "textarea", "select",
                        "template", "noscript", "svg", "math", "frame", "frameset", "applet"}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
}
LINK_SCHEMES = {"http", "https", "mailto"}
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".webp": "image/webp", ".svg": "image/svg+xml"}
MAX_ASSET_BYTES = 5 * 1024 * 1024


def card_asset(root: Path, candidate: Path) -> Optional[Path]:
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

    def __init__(self, root: Optional[Path]):
        self.root = Path(root).resolve() if root is not None else None
        self.refused: list[str] = []

    def local_path(self, ref: str) -> Optional[Path]:
        """The file ``ref`` names if it is an asset of the card, else None."""
        if self.root is None or not ref:
            return None
        parts = urlsplit(ref)
        if parts.scheme or parts.netloc or ref.startswith(("/", "\\")):
            return None
        return card_asset(self.root, self.root / unquote(parts.path))

    def data_uri(self, ref: str) -> Optional[str]:
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
def _parser():
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True, "typographer": False}).enable(["table", "strikethrough"])
    default_image = md.renderer.rules.get("image")

    def render_image(self, tokens, idx, options, env):  # noqa: ANN001
        token = tokens[idx]
        src = token.attrGet("src") or ""
        alt = self.renderInlineAsText(token.children or [], options, env)
        resolver: Optional[AssetResolver] = env.get("assets")
        if resolver is not None and resolver.local_path(src) is not None:
            return default_image(tokens, idx, options, env)
        if resolver is not None:
            resolver.refused.append(src)
        label = html.escape(alt or "image", quote=True)
        if urlsplit(src).scheme in ("http", "https"):
            return f'<a href="{html.escape(src, quote=True)}">[image: {label}]</a>'
        return f"[image: {label}]"

    md.add_render_rule("image", render_image)
    return md


def _attribute_filter(resolver: Optional[AssetResolver]) -> Callable[[str, str, str], Optional[str]]:
    def keep(element: str, attribute: str, value: str) -> Optional[str]:
        if element == "img" and attribute == "src":
            return resolver.data_uri(value) if resolver is not None else None
        if attribute in ("width", "height"):
            return value if value.isdigit() else None
        return value

    return keep


_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")


def sanitize_html(fragment: str, assets: Optional[AssetResolver] = None) -> str:
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


def to_text(text: Optional[str], limit: int = 0) -> str:
    """Markdown reduced to plain text on one line (for <meta> descriptions and titles)."""
    import nh3

    if not text:
        return ""
    rendered = _parser().render(str(text), {"assets": None})
    plain = html.unescape(nh3.clean(rendered, tags=set(), clean_content_tags=DROPPED_WITH_CONTENT))
    plain = " ".join(plain.split())
    if limit and len(plain) > limit:
        plain = plain[:limit - 1].rsplit(" ", 1)[0] + "…"
    return plain


def to_html(text: Optional[str], assets: Optional[AssetResolver] = None, *, inline: bool = False) -> str:
    """Render Markdown ``text`` to sanitized HTML.

    ``inline=True`` drops the wrapping ``<p>`` of a one-paragraph text, for
    list items and table cells.
    """
    if not text:
        return ""
    rendered = _parser().render(str(text), {"assets": assets})
    clean = sanitize_html(rendered, assets).strip()
    if inline and clean.startswith("<p>") and clean.endswith("</p>") and clean.count("<p>") == 1:
        clean = clean[3:-4]
    return clean


_CELL_ESCAPE = re.compile(r"(?<!\\)\|")


def md_cell(value: object) -> str:
    """A value made safe for one GitHub Markdown table cell: ``|`` escaped, newlines joined."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = " ".join(part.strip() for part in text.split("\n") if part.strip())
    return _CELL_ESCAPE.sub(r"\\|", text)


def md_inline(value: object) -> str:
    """A value made safe for one line of Markdown (list item, heading): newlines joined."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return " ".join(part.strip() for part in text.split("\n") if part.strip())


def md_block(value: object) -> str:
    """Free-text Markdown kept as written, with surrounding blank lines trimmed."""
    if value is None:
        return ""
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip("\n").rstrip()


def md_fenced(value: object, info: str = "text") -> str:
    """A fenced code block whose fence is longer than any backtick run inside the text."""
    text = md_block(value)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text}\n{fence}"
