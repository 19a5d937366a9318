"""Licence identifiers: SPDX expressions (parsed by ``license-expression``) and the Hub's licence ids.

* :func:`spdx_expression` reads a licence as an SPDX expression, accepting the
  spellings people write (``apache-2.0``, ``Apache 2.0``, ``Apache License,
  Version 2.0``, ``MIT OR apache-2.0``) and returning the canonical form
  (``Apache-2.0``, ``MIT OR Apache-2.0``), or None when some part is not an SPDX
  licence or exception (``LicenseRef-`` references are kept as written);
* :func:`hub_license` gives the Hugging Face Hub metadata for a licence: one of
  the Hub's lowercase ids, or ``license: other`` with a ``license_name``.

The SPDX licence list comes with ``license-expression`` (a well-kept library that
also knows deprecated ids such as ``GPL-3.0``); the Hub's ids are its own list,
https://huggingface.co/docs/hub/repositories-licenses (the table between the
``region licenses`` markers of hub-docs ``docs/hub/repositories-licenses.md``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from license_expression import Licensing

#: the Hub's licence ids (https://huggingface.co/docs/hub/repositories-licenses)
HUB_LICENSES = frozenset(
    {
        "apache-2.0",
        "mit",
        "openrail",
        "bigscience-openrail-m",
        "creativeml-openrail-m",
        "bigscience-bloom-rail-1.0",
        "bigcode-openrail-m",
        "afl-3.0",
        "artistic-2.0",
        "bsl-1.0",
        "bsd",
        "bsd-2-clause",
        "bsd-3-clause",
        "bsd-3-clause-clear",
        "c-uda",
        "cc",
        "cc0-1.0",
        "cc-by-2.0",
        "cc-by-2.5",
        "cc-by-3.0",
        "cc-by-4.0",
        "cc-by-sa-3.0",
        "cc-by-sa-4.0",
        "cc-by-nc-2.0",
        "cc-by-nc-3.0",
        "cc-by-nc-4.0",
        "cc-by-nd-4.0",
        "cc-by-nc-nd-3.0",
        "cc-by-nc-nd-4.0",
        "cc-by-nc-sa-2.0",
        "cc-by-nc-sa-3.0",
        "cc-by-nc-sa-4.0",
        "cdla-sharing-1.0",
        "cdla-permissive-1.0",
        "cdla-permissive-2.0",
        "wtfpl",
        "ecl-2.0",
        "epl-1.0",
        "epl-2.0",
        "etalab-2.0",
        "eupl-1.1",
        "agpl-3.0",
        "gfdl",
        "gpl",
        "gpl-2.0",
        "gpl-3.0",
        "lgpl",
        "lgpl-2.1",
        "lgpl-3.0",
        "isc",
        "lppl-1.3c",
        "ms-pl",
        "mpl-2.0",
        "odc-by",
        "odbl",
        "openrail++",
        "osl-3.0",
        "postgresql",
        "ofl-1.1",
        "ncsa",
        "unlicense",
        "zlib",
        "pddl",
        "lgpl-lr",
        "deepfloyd-if-license",
        "llama2",
        "gemma",
        "unknown",
        "other",
    }
)

#: words that name a licence without being part of its id ("Apache License, Version 2.0")
_FILLER = re.compile(r"\b(?:the|licen[cs]e|version|v(?=\d))\b", re.IGNORECASE)
_SLUG_BAD = re.compile(r"[^a-z0-9.]+")
_REF_BAD = re.compile(r"[^A-Za-z0-9.-]+")
_SUFFIX = re.compile(r"-(?:only|or-later)$")


@cache
def _licensing() -> Licensing:
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


def _key(symbol: str) -> str | None:
    """The canonical SPDX key for one licence or exception name, trying the usual spellings."""
    licensing = _licensing()
    candidates = [symbol, symbol.replace(" ", "-")]
    bare = " ".join(_FILLER.sub(" ", symbol.replace(",", " ")).split())
    candidates += [bare, bare.replace(" ", "-")]
    for text in candidates:
        if not text or " " in text:
            continue
        try:
            info = licensing.validate(text)
        except Exception:
            continue
        if not info.errors and info.normalized_expression and " " not in info.normalized_expression:
            return str(info.normalized_expression)
    return None


@lru_cache(maxsize=1024)
def spdx_expression(text: str) -> str | None:
    """``text`` as a canonical SPDX licence expression, or None when it is not one.

    ``LicenseRef-...`` and ``DocumentRef-...`` references count as SPDX (they are
    how SPDX names other licences); anything else must be on the SPDX list.
    """
    from license_expression import ExpressionError

    text = " ".join(str(text).split())
    if not text or len(text) > 500:
        return None
    try:
        info = _licensing().validate(text)
    except Exception:
        info = None
    if info is not None and not info.errors and info.normalized_expression:
        return str(info.normalized_expression)
    whole = _key(text) if not re.search(r"\s(?:AND|OR|WITH)\s|[()]", text, re.IGNORECASE) else None
    if whole:
        return whole
    try:
        parsed = _licensing().parse(text, validate=False, simple=False)
    except (ExpressionError, Exception):
        return None
    if parsed is None:
        return None
    mapping: dict[str, str] = {}
    for sym in _licensing().license_symbols(parsed, unique=True, decompose=True):
        name = str(sym.key)
        if re.fullmatch(r"(?:DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+", name):
            mapping[name] = name
            continue
        key = _key(name)
        if key is None:
            return None
        mapping[name] = key
    rendered = parsed.render("{symbol.key}")
    for name in sorted(mapping, key=len, reverse=True):
        rendered = re.sub(rf"(?<![\w.+-]){re.escape(name)}(?![\w.+-])", mapping[name], rendered)
    try:
        info = _licensing().validate(rendered)
    except Exception:
        return None
    refs_only = all(re.match(r"(?:DocumentRef-[^:]+:)?LicenseRef-", s) for s in info.invalid_symbols)
    if info.errors and not refs_only:
        return None
    return str(info.normalized_expression or rendered)


def is_spdx_id(text: str) -> bool:
    """True when ``text`` is one SPDX licence id (or LicenseRef), not a compound expression."""
    expr = spdx_expression(text)
    return expr is not None and " " not in expr


def license_ref(text: str) -> str:
    """A ``LicenseRef-`` id naming the licence ``text`` (for formats that need an SPDX expression)."""
    body = _REF_BAD.sub("-", str(text).strip().removeprefix("LicenseRef-")).strip("-.")
    return "LicenseRef-" + (body or "unnamed")


def slug(text: str) -> str:
    """A lowercase name of letters, digits, dots and dashes, as the Hub wants for ``license_name``."""
    body = str(text).strip()
    body = re.sub(r"^LicenseRef-", "", body, flags=re.IGNORECASE)
    return _SLUG_BAD.sub("-", body.lower())[:100].strip("-.") or "unnamed"


@dataclass(frozen=True)
class HubLicense:
    """The Hub's metadata for one licence: ``license`` plus, for ``other``, a name and a link."""

    license: str
    name: str | None = None
    link: str | None = None


def hub_license(text: str, url: str | None = None) -> HubLicense:
    """The Hub metadata for the licence ``text`` (``url``: where its text is, if the card says).

    A Hub id, in any case, is itself; an SPDX id maps to the Hub id of the same
    licence (``Apache-2.0`` and ``Apache 2.0`` to ``apache-2.0``, ``GPL-3.0-only``
    and ``GPL-3.0-or-later`` to ``gpl-3.0``); anything else (expressions,
    ``LicenseRef-``s, other names) is ``other`` with a ``license_name`` and, when
    known, a ``license_link`` (the card's URL, else the SPDX page of an SPDX id).
    """
    raw = " ".join(str(text).split())
    if raw.lower() in HUB_LICENSES:
        return HubLicense(raw.lower())
    expr = spdx_expression(raw)
    if expr is not None and " " not in expr and not expr.startswith(("LicenseRef-", "DocumentRef-")):
        low = expr.lower()
        for candidate in (low, _SUFFIX.sub("", low)):
            if candidate in HUB_LICENSES and candidate not in ("other", "unknown"):
                return HubLicense(candidate)
        return HubLicense("other", slug(expr), url or f"https://spdx.org/licenses/{expr}.html")
    return HubLicense("other", slug(expr or raw), url)


def from_hub(license_: str, name: str | None) -> str:
    """The card's licence for Hub metadata: the Hub id as written, or ``LicenseRef-<license_name>`` for ``other``."""
    if license_ == "other" and name:
        return license_ref(name)
    return license_
