"""How numbers, intervals, groups and verdicts read in every output: one named function per presentation.

A value is shown in one of a few genuinely different ways, each with its own
function here, and every module that shows one imports it:

===================  ================================  =====================================================
function             looks like                        used by
===================  ================================  =====================================================
:func:`num`          ``0.712``, ``1,200``, ``—``       cards and scorecards (fixed decimals, thousands sep.)
:func:`compact`      ``0.7123``, ``+0.05``, ``n/a``    gate/diff reports, Hugging Face tables (4 significant)
:func:`exact`        ``0.71234567``, ``1.0``           machine-readable exports (CycloneDX, SPDX): lossless
:func:`tick`         ``0.70``, ``1.2e+06``             chart axis and value labels (decimals fit the scale)
:func:`general`      ``0.05``, ``−∞``                  bounds and thresholds as written (``%g``)
===================  ================================  =====================================================

Groups: THE ``k=v`` text (``race=A, sex=F``) of messages, reports, exports and
diff paths is :func:`modelcard.schema.types.group_text`, with the group identity
rules; cards write :func:`group_values` (``A × F``) with :func:`group_names`
(``race × sex``) and :func:`group_pairs` (``race: A, sex: F``); reports name a
fairness result :func:`compared_groups` (``race=A vs race=B``) and a spread
:func:`spread_label` (``spread over race``).

Verdicts: icons and labels come from :class:`~modelcard.schema.types.Verdict`
(``Verdict.icon``, ``Verdict.label``); :func:`verdict_words` is the label as it
reads inside a sentence or a table (``not run``), and :func:`verdict_glyph` the
monochrome mark of HTML/PDF badges, whose colour comes from CSS (PDF fonts have
no colour emoji).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from modelcard.schema.types import Verdict, group_text

DASH = "—"  #: a missing value in cards
NOT_AVAILABLE = "n/a"  #: a missing value in reports


# --------------------------------------------------------------------------
# numbers


def num(value: float | None, digits: int = 3) -> str:
    """A number in a card: fixed ``digits`` decimals, integers with thousands separators, ``—`` for None.

    >>> num(0.71234), num(1200), num(12000.0), num(None), num(-0.0001)
    ('0.712', '1,200', '12,000', '—', '0.000')
    """
    if type(value) is not float:  # the common case first: a float
        if value is None:
            return DASH
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, int):
            return f"{value:,}"
        value = float(value)
    if abs(value) >= 1000 and value.is_integer():
        return f"{int(value):,}"
    text = f"{value:.{digits}f}"
    if text.strip("-0.") == "":
        text = f"{0:.{digits}f}"
    return text


def signed(value: float | None, digits: int = 3) -> str:
    """:func:`num` with a ``+`` on positive values (a difference): ``+0.050``, ``-0.020``, ``0.000``."""
    if value is None:
        return DASH
    text = num(value, digits)
    return text if text.startswith("-") or text.strip("0.") == "" else "+" + text


def compact(value: float | None, *, signed: bool = False, none: str = NOT_AVAILABLE) -> str:
    """A number in a report: 4 significant digits (integers exact), ``+`` when ``signed``, ``none`` for None.

    >>> compact(0.712345), compact(0.05, signed=True), compact(12345), compact(None)
    ('0.7123', '+0.05', '12345', 'n/a')
    """
    if value is None:
        return none
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:+d}" if signed else str(value)
    return f"{value:+.4g}" if signed else f"{value:.4g}"


def exact(value: float) -> str:
    """A number for machine-readable exports: the shortest text that reads back as the same float.

    >>> exact(0.1), exact(3), exact(1e-20)
    ('0.1', '3.0', '1e-20')
    """
    return repr(float(value))


def tick(value: float, digits: int = 2) -> str:
    """A chart label: ``digits`` decimals (the caller fits them to the axis step), ``0`` never ``-0.00``,
    and 3 significant digits from a million on.

    >>> tick(0.7), tick(-0.0001), tick(0.25, 1), tick(2_500_000)
    ('0.70', '0', '0.2', '2.5e+06')
    """
    if abs(value) >= 1e6:
        return f"{value:.{max(digits, 1) + 1}g}"
    text = f"{value:.{digits}f}"
    return "0" if text.strip("-0.") == "" else text


def general(value: float | None, none: str = "") -> str:
    """A bound or threshold as written (``%g``): ``0.05``, ``1e-06``, ``100``; ``none`` for None
    (e.g. ``−∞`` for an open lower bound).
    """
    if value is None:
        return none
    return f"{value:g}"


def percent(share: float) -> str:
    """A share 0..1 as a whole percentage, rounded half up: ``0.825`` -> ``83%``."""
    return f"{math.floor(share * 100 + 0.5):d}%"


# --------------------------------------------------------------------------
# intervals and thresholds


def interval(ci: Any, digits: int = 3) -> str:
    """A confidence interval in a card (anything with ``.lower``/``.upper``): ``[0.610, 0.680]``; ``""`` for None."""
    if ci is None:
        return ""
    return f"[{num(ci.lower, digits)}, {num(ci.upper, digits)}]"


def compact_interval(lower: float | None, upper: float | None, *, signed: bool = False) -> str:
    """A confidence interval in a report: ``[0.6123, 0.6845]``; ``""`` when a bound is missing."""
    if lower is None or upper is None:
        return ""
    return f"[{compact(lower, signed=signed)}, {compact(upper, signed=signed)}]"


def threshold_text(t: Any) -> str:
    """A fairness threshold in a card: ``difference in [-0.10, 0.10]``, ``ratio ≥ 0.80``; ``—`` for None."""
    if t is None:
        return DASH
    if t.min is not None and t.max is not None:
        return f"{t.convention} in [{num(t.min, 2)}, {num(t.max, 2)}]"
    if t.min is not None:
        return f"{t.convention} ≥ {num(t.min, 2)}"
    return f"{t.convention} ≤ {num(t.max, 2)}"


def value_text(obj: Any, digits: int = 3) -> str:
    """A value with its interval (``0.712 [0.690, 0.730]``), or why it is undefined."""
    if obj is None:
        return DASH
    if getattr(obj, "value", None) is None:
        reason = getattr(obj, "undefined_reason", None)
        return f"undefined ({reason})" if reason else DASH
    return f"{num(obj.value, digits)} {interval(getattr(obj, 'confidence_interval', None), digits)}".strip()


def disparity_text(convention: str | None, d: Any) -> str:
    """A disparity in a card: a difference signed (``+0.050 [...]``), a ratio as ``×1.250 [...]``."""
    if d is None:
        return DASH
    if d.value is None:
        return f"undefined ({d.undefined_reason})"
    main = signed(d.value) if convention == "difference" else f"×{num(d.value)}"
    return f"{main} {interval(d.confidence_interval)}".strip()


# --------------------------------------------------------------------------
# groups and lists


def group_values(g: Mapping[str, Any] | None) -> str:
    """A group in a card, by its values: ``{race: African-American, sex: Female}`` -> ``African-American × Female``."""
    if not g:
        return "overall"
    return " × ".join(str(v) for v in g.values())


def group_names(g: Mapping[str, Any] | None) -> str:
    """The attributes of a group: ``race × sex``; ``""`` for no group."""
    if not g:
        return ""
    return " × ".join(str(k) for k in g)


def group_pairs(g: Mapping[str, Any] | None) -> str:
    """A group in a card, spelled out: ``race: African-American, sex: Female``; ``overall`` for none."""
    if not g:
        return "overall"
    return ", ".join(f"{k}: {v}" for k, v in g.items())


def compared_groups(group: Mapping[str, Any] | None, reference_group: Mapping[str, Any] | None) -> str:
    """A fairness result in reports: ``race=A vs race=B`` (the group alone without a reference).

    >>> compared_groups({"race": "A"}, {"race": "B"}), compared_groups({"race": "A"}, None)
    ('race=A vs race=B', 'race=A')
    """
    text = group_text(group)
    return f"{text} vs {group_text(reference_group)}" if reference_group else text


def spread_label(
    attributes: Iterable[str], max_group: Mapping[str, Any] | None = None, min_group: Mapping[str, Any] | None = None
) -> str:
    """A spread in reports: ``spread over race, sex`` (with its two ends, ``(race=A vs race=B)``, when known).

    >>> spread_label(["race"]), spread_label(["race"], {"race": "A"}, {"race": "B"})
    ('spread over race', 'spread over race (race=A vs race=B)')
    """
    text = f"spread over {', '.join(attributes)}"
    return f"{text} ({group_text(max_group)} vs {group_text(min_group)})" if max_group and min_group else text


def text_list(values: Iterable[Any] | None) -> str:
    """``a, b, c``."""
    return ", ".join(str(v) for v in values or [])


def party_text(p: Any) -> str:
    """A person or organisation: ``Name (role, organisation)``."""
    bits = [p.name]
    extra = [x for x in (p.role, p.organization) if x]
    if extra:
        bits.append(f"({', '.join(extra)})")
    return " ".join(bits)


def plural(n: int, word: str, words: str | None = None) -> str:
    """``1 result``, ``2 results``."""
    return f"{n} {word if n == 1 else (words or word + 's')}"


# --------------------------------------------------------------------------
# verdicts

#: the order verdict counts are listed in summaries (cards, the evaluate summary): passes first, then what needs a look
VERDICT_ORDER = (Verdict.PASS, Verdict.FAIL, Verdict.INCONCLUSIVE, Verdict.NOT_RUN)

#: monochrome badge marks (HTML and PDF: the badge's colour says the rest; no emoji font needed)
_GLYPHS = {Verdict.PASS: "✓", Verdict.FAIL: "✗", Verdict.INCONCLUSIVE: "?", Verdict.NOT_RUN: "–"}


def verdict_words(verdict: Verdict | str) -> str:
    """The verdict's label as it reads in a sentence or a table cell: ``pass``, ``not run``."""
    return Verdict(verdict).label.lower()


def verdict_mark(verdict: Verdict | str) -> str:
    """Icon and words, for text and Markdown: ``✅ pass``, ``➖ not run``."""
    v = Verdict(verdict)
    return f"{v.icon} {verdict_words(v)}"


def verdict_glyph(verdict: Verdict | str) -> str:
    """The monochrome mark of an HTML/PDF verdict badge: ``✓``, ``✗``, ``?``, ``–``."""
    return _GLYPHS[Verdict(verdict)]
