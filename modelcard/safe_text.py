"""Links and text that are safe to show: the one home of both rules.

Cards come from people and pipelines we do not control, and what they say
ends up in HTML, SVG, PDF, Markdown and on terminals.  Two rules keep that
harmless, and every output path imports them from here:

* **Links** (:func:`url_problem`, :func:`safe_url`): a link is absolute
  ``http``, ``https`` or ``mailto`` — nothing else (no ``javascript:``,
  ``vbscript:``, ``data:``, ``file:``, whatever the case or encoding), no
  protocol-relative ``//host``, no spaces, control or invisible characters,
  backslashes or ``<``, ``>``, ``"``.  The card schema's URL type and its
  JSON Schema ``pattern`` are :data:`SAFE_URL_PATTERN`; renderers check every
  ``href``/``src`` they emit with :func:`safe_url` again.
* **Text** (:func:`neutralise`): control characters (C0 but tab, newline and
  carriage return; DEL; C1) and Unicode bidirectional controls (U+202A–U+202E,
  U+2066–U+2069, U+200E, U+200F, U+061C), which can hide or reorder what a
  reader sees ("Trojan Source") or drive a terminal, are removed from
  documents and shown as escapes (``\\x1b``, ``\\u202e``) on terminals.

Only ``re`` is imported up front: the schema loads this module on the path
of ``modelcard validate``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

#: the only schemes a link may use
LINK_SCHEMES = ("http", "https", "mailto")


class _Pattern:
    """A regular expression compiled on first use (this module is on the path of a fast command)."""

    def __init__(self, pattern: str):
        self.pattern = pattern
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern)
        return self._compiled

    def search(self, text: str) -> re.Match[str] | None:
        return self.compiled.search(text)

    def match(self, text: str) -> re.Match[str] | None:
        return self.compiled.match(text)

    def fullmatch(self, text: str) -> re.Match[str] | None:
        return self.compiled.fullmatch(text)

    def sub(self, repl: str | Callable[[re.Match[str]], str], text: str) -> str:
        return self.compiled.sub(repl, text)

    def prefix(self, text: str) -> str:
        """The text this pattern matches at the start of ``text`` ("" when none)."""
        m = self.compiled.match(text)
        return m.group() if m else ""


# Characters a link may never contain: white space, backslash, the three characters HTML and
# Markdown use to delimit links, C0/DEL/C1 controls, bidi controls and zero-width characters.
# Written with escapes only, so the same text is a valid ECMA-262 (JSON Schema) and Python pattern
# (the ranges cover \s of both flavours: Python's adds \x1c-\x1f and \x85, ECMA-262's adds \ufeff).
_URL_CHAR = r'[^\s\\<>"\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]'

#: An absolute http(s) link with a host, or a mailto link.  Used verbatim as the JSON Schema
#: ``pattern`` of URL fields, and (with ``fullmatch``) by the Pydantic validator.
SAFE_URL_PATTERN = r"^(?:[Hh][Tt][Tt][Pp][Ss]?://(?![/?#])|[Mm][Aa][Ii][Ll][Tt][Oo]:)" + _URL_CHAR + r"+$"

_SAFE_URL = _Pattern(SAFE_URL_PATTERN)
_FORBIDDEN_IN_URL = _Pattern(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e"
    r"\u2060-\u2069\ufeff]"
)
_SCHEME = _Pattern(r"([A-Za-z][A-Za-z0-9+.-]*):")
_FIRST_SEGMENT = _Pattern(r"[^/?#]*")
_BACKSLASH_ESCAPE = _Pattern(r"\\([!-/:-@\[-`{-~])")
_DATA_IMAGE = _Pattern(r"data:image/(?:png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/]+={0,2}")


def url_problem(value: object) -> str | None:
    """Why ``value`` is not a safe link (a clause, without the value), or None when it is one.

    The verdict is :data:`SAFE_URL_PATTERN`'s alone; the rest only explains it.
    """
    if not isinstance(value, str):
        return "a link must be text"
    if _SAFE_URL.fullmatch(value):
        return None
    bad = _FORBIDDEN_IN_URL.search(value)
    if bad:
        return (
            f"link contains the control or invisible character U+{ord(bad.group()):04X}; "
            "links may hold only visible characters"
        )
    if value != value.strip():
        return "link starts or ends with white space; remove it"
    scheme = _SCHEME.match(value)
    name = scheme.group(1).lower() if scheme else ""
    if scheme is not None and name not in LINK_SCHEMES:
        return f"links may only use http, https or mailto, not '{scheme.group(1)}:'"
    if any(ch.isspace() for ch in value):
        return "link contains white space; write a space as %20"
    if "\\" in value:
        return "link contains a backslash; use '/' in links"
    if any(ch in value for ch in '<>"'):
        return 'link contains <, > or "; percent-encode them as %3C, %3E, %22'
    if name in ("http", "https"):
        return f"an {name} link needs '//' and a host, e.g. {name}://example.org/page"
    if name == "mailto":
        return "a mailto link needs an address, e.g. mailto:someone@example.org"
    if value.startswith("//"):
        return "protocol-relative link ('//host'): write it with its scheme, e.g. https://example.org/"
    if re.search(r"[&%]", _FIRST_SEGMENT.prefix(value)):
        return "not an http, https or mailto link (entity- or percent-encoded schemes are refused)"
    return "not an absolute link: write it with its scheme, e.g. https://example.org/page"


def _decoded(value: str) -> str:
    """What a Markdown or HTML renderer may turn a link destination into before using it:
    backslash escapes and character references resolved, percent-escapes decoded."""
    import html
    from urllib.parse import unquote

    return unquote(html.unescape(_BACKSLASH_ESCAPE.sub(r"\1", value)))


def safe_url(value: object, *, relative: bool = False, image: bool = False) -> str | None:
    """``value`` unchanged when it is safe to emit as an ``href``/``src``, else None.

    * absolute ``http``, ``https`` and ``mailto`` links (:data:`SAFE_URL_PATTERN`) always;
    * with ``relative``, also references without a scheme (``#section``, ``figures/roc.png``),
      unless, once decoded as a renderer would (character references, backslash and percent
      escapes), they have a scheme, start with ``//`` or a backslash, or hold a character a link
      may not hold;
    * with ``image``, also ``data:image/...;base64,...`` (what modelcard embeds local images as).
    """
    if not isinstance(value, str) or not value:
        return None
    if _SAFE_URL.fullmatch(value):
        return value
    if image and _DATA_IMAGE.fullmatch(value):
        return value
    if not relative:
        return None
    # a space written %20 names a file with a space in it ("Model%20Card-charts/roc.svg"): only the address as
    # written may not hold one; other white space is refused in both forms
    for form, space_ok in ((value, False), (_decoded(value), True)):
        cleaned = form.strip()
        if _FORBIDDEN_IN_URL.search(form) or any(
            (ch.isspace() and not (space_ok and ch == " ")) or ch in '\\<>"' for ch in form
        ):
            return None
        if _SCHEME.match(cleaned) or cleaned.startswith("//") or ":" in _FIRST_SEGMENT.prefix(cleaned):
            return None
    return value


# --------------------------------------------------------------------------
# text

_CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_BIDI = r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNSAFE_TEXT = _Pattern(f"[{_CONTROL}{_BIDI}]")
_UNSAFE_TERMINAL = _Pattern(f"[\\r{_CONTROL}{_BIDI}]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def neutralise(text: str, *, terminal: bool = False) -> str:
    """``text`` without control and bidirectional-control characters.

    For documents (HTML, SVG, PDF, Markdown) they are removed; tab, newline and
    carriage return stay.  With ``terminal`` they are shown as escapes (``\\x1b``,
    ``\\u202e``, and ``\\x0d`` for a carriage return, which could overwrite a
    line), so a reader sees that they were there and the terminal never acts on them.
    """
    if terminal:
        return _UNSAFE_TERMINAL.sub(_escape, text) if _UNSAFE_TERMINAL.search(text) else text
    return _UNSAFE_TEXT.sub("", text) if _UNSAFE_TEXT.search(text) else text


_UNSAFE_JSON = _Pattern(f"[{_BIDI}\\x7f-\\x9f]")


def json_text(text: str) -> str:
    """JSON text (as ``json.dumps(..., ensure_ascii=False)`` writes it) with DEL, C1 and bidi
    characters written as ``\\uXXXX`` escapes: the same data, safe to show on a terminal
    (``json`` already escapes the C0 controls)."""
    return _UNSAFE_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
