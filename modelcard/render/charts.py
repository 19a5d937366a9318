"""Deterministic SVG charts, drawn in plain Python (no JavaScript, no plotting library).

The main chart is a *forest plot* of per-group metric values: one row per
group, a dot for the value, a whisker for its confidence interval, a dashed
tick for the reference group's value and a shaded band for the range the
fairness threshold accepts.  Rows are grouped under the reference they are
compared with, so per-attribute and intersectional results share one chart.

Output is byte-identical for the same input: coordinates are rounded to one
decimal, ids are derived from the chart's name, nothing depends on the clock
or on dict ordering beyond the card's own order.

Whatever it is given, a chart is drawn and is valid XML: text passes through
:func:`modelcard.safe_text.neutralise` (no control or bidi characters) and is
escaped; numbers that are not finite are treated as absent, magnitudes are
clamped to :data:`MAX_VALUE`, and the axis always spans a positive width with
a bounded number of ticks, however close, far apart or huge the values are.

Colours are presentation attributes (a chart file stands alone, on white) and
class names (``c-ink``, ``c-muted``, ``c-grid``, ``c-band``, ``c-ref``,
``c-bg``, ``c-dot`` and ``c-<verdict>``) that the page's stylesheet
(templates/modelcard.css) maps to its palette, so an inline chart follows the
page into dark mode; print keeps the light palette.  A chart is drawn twice:
the wide layout (label | plot | value columns, :data:`WIDTH` across) is the
chart, for files, Markdown and print; :class:`ChartSVG` also carries
``compact``, the same rows stacked (label and value above each plot strip) in
:data:`COMPACT_WIDTH`, which :func:`html_chart` puts beside it for the page to
show where the wide one would shrink its text below :data:`MIN_TEXT_PX`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape

from modelcard.report.fmt import tick as tick_label
from modelcard.safe_text import neutralise

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
COLORS = {
    "pass": "#1a7f37",
    "fail": "#cf222e",
    "inconclusive": "#9a6700",
    "not_run": "#6e7781",
    None: "#0b5cad",
}
BAND = "#dafbe1"
BAND_EDGE = "#8fd19e"
INK = "#1f2328"
MUTED = "#57606a"
GRID = "#d0d7de"
#: the stylesheet's class for each colour role (see the module docstring)
CLASSES = {"pass": "c-pass", "fail": "c-fail", "inconclusive": "c-inconclusive", "not_run": "c-not_run", None: "c-none"}

WIDTH = 760
LABEL_W = 210
VALUE_W = 200
ROW_H = 22
HEAD_H = 20
TOP = 40
BOTTOM = 64


#: the compact layout (narrow screens): width, and the smallest text size either layout uses
COMPACT_WIDTH = 360
MIN_TEXT_PX = 10
#: the smallest font size (user units) in the wide layout: shown at WIDTH * MIN_TEXT_PX / WIDE_MIN_FONT
#: pixels or more, its text stays readable (templates/modelcard.css switches layouts at that width)
WIDE_MIN_FONT = 11

#: values are clamped to this magnitude before they are placed (the card schema's own bound)
MAX_VALUE = 1e100
MAX_TICKS = 12


def _finite(v: float | None) -> float | None:
    """``v`` as a float clamped to ±MAX_VALUE, or None when absent or not a finite number."""
    if v is None or isinstance(v, bool):
        return None
    try:
        v = float(v)
    except (TypeError, ValueError, OverflowError):
        return None
    if not math.isfinite(v):
        return None
    return min(max(v, -MAX_VALUE), MAX_VALUE)


def _text(value: object) -> str:
    """Card text for an SVG text node or attribute: neutralised and escaped."""
    return escape(neutralise(str(value)))


@dataclass
class Row:
    """One group: its value, interval, reference and acceptable band (all optional but the label)."""

    label: str
    value: float | None
    lower: float | None = None
    upper: float | None = None
    reference: float | None = None
    band: tuple[float | None, float | None] | None = None
    status: str | None = None
    note: str = ""


@dataclass
class Panel:
    heading: str
    rows: list[Row] = field(default_factory=list)


def _c(x: float) -> str:
    """A coordinate: one decimal, no '-0'."""
    text = f"{x:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text in ("-0", "-0.0") else text


def _nice_step(span: float) -> float:
    raw = span / 5
    mag = 10.0 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    for mult in (1, 2, 2.5, 5, 10):
        if raw <= mult * mag:
            return mult * mag
    return 10 * mag


def _domain(panels: Sequence[Panel]) -> tuple[float, float, float]:
    xs: list[float] = []
    for p in panels:
        for r in p.rows:
            xs.extend(v for v in (r.value, r.lower, r.upper, r.reference) if v is not None)
            if r.band:
                xs.extend(v for v in r.band if v is not None)
    if not xs:
        return 0.0, 1.0, 0.2
    lo, hi = min(xs), max(xs)
    # too narrow for floating point to tell the ends apart (e.g. 1e20 and 1e20 + 1): widen
    if hi - lo <= max(abs(lo), abs(hi)) * 1e-9:
        pad = max(abs(lo), abs(hi)) * 0.05 or 0.5
        lo, hi = lo - pad, hi + pad
    step = _nice_step(hi - lo)
    lo = math.floor(lo / step - 1e-9) * step
    hi = math.ceil(hi / step + 1e-9) * step
    if min(xs) >= 0 and lo < 0:
        lo = 0.0
    if max(xs) <= 1 and hi > 1 and min(xs) >= 0:
        hi = 1.0
    if not (math.isfinite(lo) and math.isfinite(hi) and hi > lo):  # cannot happen within ±MAX_VALUE
        lo, hi = min(xs), max(xs) + 1.0
        step = (hi - lo) / 5
    return lo, hi, step


def _ticks(lo: float, hi: float, step: float) -> list[float]:
    """Axis ticks from ``lo`` to ``hi``: at most MAX_TICKS + 1, computed by index (no drifting sums)."""
    count = round((hi - lo) / step) if step > 0 else 0
    if not 1 <= count <= MAX_TICKS:
        count = 5
        step = (hi - lo) / count
    return [round(lo + k * step, 10) for k in range(count + 1)]


def _tick_digits(step: float) -> int:
    """Decimals that label every tick of an axis with this ``step`` exactly (0.25: 2, so 0.75 is not "0.8";
    0.2: 1; 5: 0), at most 6."""
    for digits in range(7):
        if abs(round(step, digits) - step) <= abs(step) * 1e-9:
            return digits
    return 6


def _clean(panels: Sequence[Panel]) -> list[Panel]:
    """Panels with every number finite and bounded (non-finite ones become absent)."""
    out = []
    for p in panels:
        rows = []
        for r in p.rows:
            band = None
            if r.band is not None:
                band = (_finite(r.band[0]), _finite(r.band[1]))
            rows.append(
                Row(
                    label=str(r.label),
                    value=_finite(r.value),
                    lower=_finite(r.lower),
                    upper=_finite(r.upper),
                    reference=_finite(r.reference),
                    band=band,
                    status=r.status if r.status in COLORS else None,
                    note=str(r.note or ""),
                )
            )
        if rows:
            out.append(Panel(str(p.heading), rows))
    return out


def slug(text: str) -> str:
    s = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return s or "chart"


def forest_svg(
    title: str,
    panels: Sequence[Panel],
    *,
    description: str = "",
    axis_label: str = "",
    chart_id: str | None = None,
    digits: int = 2,
    reference_label: str = "reference group",
) -> ChartSVG:
    """A forest plot of grouped rows as a standalone SVG document (also valid inline in HTML).

    The document is the wide layout; its ``compact`` attribute is the same chart for narrow screens.
    """
    panels = _clean(panels)
    cid = slug(chart_id or title)
    n_rows = sum(len(p.rows) for p in panels)
    height = TOP + len(panels) * HEAD_H + n_rows * ROW_H + BOTTOM
    x0, x1 = LABEL_W, WIDTH - VALUE_W
    lo, hi, step = _domain(panels)

    def sx(v: float) -> float:
        v = min(max(v, lo), hi)
        return x0 + (v - lo) / (hi - lo) * (x1 - x0)

    title, description = neutralise(str(title)), neutralise(str(description or ""))
    axis_label, reference_label = neutralise(str(axis_label or "")), neutralise(str(reference_label))

    out: list[str] = []
    add = out.append
    pad = 8
    add(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{-pad} {-pad} {WIDTH + 2 * pad} {height + 2 * pad}" '
        f'width="{WIDTH + 2 * pad}" height="{height + 2 * pad}" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" font-family="{FONT}" font-size="12" class="mc-chart mc-chart-wide">'
    )
    add(f'<title id="{cid}-title">{escape(title)}</title>')
    add(f'<desc id="{cid}-desc">{escape(description or title)}</desc>')
    add(
        f'<rect x="{-pad}" y="{-pad}" width="{WIDTH + 2 * pad}" height="{height + 2 * pad}" fill="#ffffff" class="c-bg"/>'
    )
    add(f'<text x="0" y="16" font-size="14" font-weight="bold" fill="{INK}" class="c-ink">{escape(title)}</text>')
    add(f'<text x="{_c(x1 + 12)}" y="{TOP - 8}" fill="{MUTED}" font-size="11" class="c-muted">value [CI]</text>')

    # grid and axis
    plot_top, plot_bottom = TOP - 4, height - BOTTOM + 4
    ticks = _ticks(lo, hi, step)
    step = (ticks[-1] - ticks[0]) / max(len(ticks) - 1, 1)
    for tick in ticks:
        x = _c(sx(tick))
        add(
            f'<line x1="{x}" y1="{plot_top}" x2="{x}" y2="{plot_bottom}" stroke="{GRID}" stroke-width="1" class="c-grid"/>'
        )
        add(
            f'<text x="{x}" y="{plot_bottom + 14}" text-anchor="middle" fill="{MUTED}" '
            f'font-size="11" class="c-muted">{tick_label(tick, _tick_digits(step))}</text>'
        )
    if axis_label:
        add(
            f'<text x="{_c((x0 + x1) / 2)}" y="{plot_bottom + 30}" text-anchor="middle" fill="{MUTED}" '
            f'font-size="11" class="c-muted">{escape(axis_label)}</text>'
        )

    y = TOP
    for panel in panels:
        add(
            f'<text x="0" y="{y + 14}" font-weight="bold" fill="{INK}" font-size="12" class="c-ink">{_text(panel.heading)}</text>'
        )
        y += HEAD_H
        for row in panel.rows:
            cy = y + ROW_H / 2
            color = COLORS.get(row.status, COLORS[None])
            css = CLASSES.get(row.status, CLASSES[None])
            add("<g>")
            _band_and_reference(add, row, sx, lo, hi, y + 2, y + ROW_H - 2)
            label = neutralise(row.label)
            label = label if len(label) <= 34 else label[:33] + "…"
            add(f'<text x="8" y="{_c(cy + 4)}" fill="{INK}" class="c-ink">{escape(label)}</text>')
            if row.value is not None:
                if row.lower is not None and row.upper is not None:
                    add(
                        f'<line x1="{_c(sx(row.lower))}" y1="{_c(cy)}" x2="{_c(sx(row.upper))}" y2="{_c(cy)}" '
                        f'stroke="{color}" stroke-width="2" class="{css}"/>'
                    )
                    for end in (row.lower, row.upper):
                        add(
                            f'<line x1="{_c(sx(end))}" y1="{_c(cy - 4)}" x2="{_c(sx(end))}" y2="{_c(cy + 4)}" '
                            f'stroke="{color}" stroke-width="2" class="{css}"/>'
                        )
                add(
                    f'<circle cx="{_c(sx(row.value))}" cy="{_c(cy)}" r="4.5" fill="{color}" '
                    f'stroke="#ffffff" stroke-width="1" class="{css} c-dot"/>'
                )
                text = tick_label(row.value, digits)
                if row.lower is not None and row.upper is not None:
                    text += f" [{tick_label(row.lower, digits)}, {tick_label(row.upper, digits)}]"
            else:
                text = "undefined"
            if row.note:
                text += f" {row.note}"
            add(
                f'<text x="{_c(x1 + 12)}" y="{_c(cy + 4)}" fill="{INK}" font-size="11" class="c-ink">{_text(text)}</text>'
            )
            add("</g>")
            y += ROW_H

    # legend: only what the chart shows
    rows = [r for p in panels for r in p.rows]
    statuses = [s for s in ("pass", "fail", "inconclusive", "not_run") if any(r.status == s for r in rows)]
    ly = height - 14
    lx = 0
    add(f'<g font-size="11" fill="{MUTED}" class="c-muted">')
    add(
        f'<circle cx="{lx + 5}" cy="{ly - 4}" r="4" fill="{COLORS[statuses[0] if statuses else None]}" '
        f'class="{CLASSES[statuses[0] if statuses else None]}"/>'
        f'<text x="{lx + 14}" y="{ly}">value</text>'
    )
    lx += 60
    if any(r.lower is not None for r in rows):
        add(
            f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 22}" y2="{ly - 4}" stroke="{MUTED}" stroke-width="2" class="c-muted"/>'
            f'<text x="{lx + 28}" y="{ly}">confidence interval</text>'
        )
        lx += 145
    if any(r.reference is not None for r in rows):
        add(
            f'<line x1="{lx + 4}" y1="{ly - 11}" x2="{lx + 4}" y2="{ly + 2}" stroke="{INK}" stroke-width="1.2" '
            f'stroke-dasharray="3 2" class="c-ref"/><text x="{lx + 12}" y="{ly}">{escape(reference_label)}</text>'
        )
        lx += 24 + int(6.5 * len(reference_label))
    if any(r.band is not None for r in rows):
        add(
            f'<rect x="{lx}" y="{ly - 10}" width="18" height="12" fill="{BAND}" stroke="{BAND_EDGE}" '
            f'stroke-width="0.5" class="c-band"/><text x="{lx + 24}" y="{ly}">accepted by threshold</text>'
        )
        lx += 160
    for status in statuses:
        label = status.replace("_", " ")
        add(
            f'<circle cx="{lx + 5}" cy="{ly - 4}" r="4" fill="{COLORS[status]}" class="{CLASSES[status]}"/>'
            f'<text x="{lx + 12}" y="{ly}">{label}</text>'
        )
        lx += 24 + int(6.5 * len(label))
    add("</g>")
    add("</svg>")
    chart = ChartSVG("\n".join(out) + "\n")
    chart.compact = _compact_svg(title, panels, description, axis_label, cid, digits, reference_label, (lo, hi, step))
    return chart


class ChartSVG(str):
    """An SVG document (a chart's wide layout) that also carries ``compact``, its layout for narrow screens.

    Everything that takes the chart as text (files, Markdown, PDF) gets the wide layout; an HTML
    page inlines :func:`html_chart`, both layouts, and its stylesheet shows the one that fits.
    """

    compact: str = ""


def html_chart(svg: str) -> str:
    """The markup an HTML page inlines for a chart: the wide layout and, after it, the compact one,
    ``hidden`` unless the page's stylesheet shows it (templates/modelcard.css: on a screen where the
    wide layout would shrink its text below :data:`MIN_TEXT_PX`; print and PDF keep the wide one)."""
    compact = getattr(svg, "compact", "")
    if not compact:
        return str(svg)
    return f'{svg}<div class="mc-chart-compact" hidden>\n{compact}</div>\n'


def _text_width(text: str, size: float, bold: bool = False) -> float:
    """A generous estimate of ``text``'s width at ``size`` in DejaVu Sans (the widest of the chart's fonts)."""
    return len(text) * size * (0.66 if bold else 0.6)


def _fit(text: str, width: float, size: float, bold: bool = False) -> str:
    """``text`` cut with an ellipsis to fit ``width`` (by the estimate above)."""
    most = max(int(width / (size * (0.66 if bold else 0.6))), 4)
    return text if len(text) <= most else text[: most - 1] + "…"


def _wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """``text`` broken at spaces into lines that fit ``width`` (a word longer than a line is cut)."""
    lines: list[str] = []
    for word in text.split():
        if lines and _text_width(f"{lines[-1]} {word}", size, bold) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(_fit(word, width, size, bold))
    return lines or [""]


def _band_and_reference(
    add: Callable[[str], None], row: Row, sx: Callable[[float], float], lo: float, hi: float, top: float, bottom: float
) -> None:
    """A row's threshold band (clipped to the axis ``[lo, hi]``) between ``top`` and ``bottom``, and its
    reference line (no difference) reaching one unit beyond both: the same in the wide and compact layouts."""
    if row.band is not None:
        b_lo = row.band[0] if row.band[0] is not None else lo
        b_hi = row.band[1] if row.band[1] is not None else hi
        if b_hi >= lo and b_lo <= hi:
            bx0, bx1 = sx(b_lo), sx(b_hi)
            add(
                f'<rect x="{_c(bx0)}" y="{_c(top)}" width="{_c(max(bx1 - bx0, 0.5))}" height="{_c(bottom - top)}" '
                f'fill="{BAND}" stroke="{BAND_EDGE}" stroke-width="0.5" class="c-band"/>'
            )
    if row.reference is not None:
        rx = _c(sx(row.reference))
        add(
            f'<line x1="{rx}" y1="{_c(top - 1)}" x2="{rx}" y2="{_c(bottom + 1)}" stroke="{INK}" '
            f'stroke-width="1.2" stroke-dasharray="3 2" class="c-ref"/>'
        )


def _compact_svg(
    title: str,
    panels: list[Panel],
    description: str,
    axis_label: str,
    cid: str,
    digits: int,
    reference_label: str,
    domain: tuple[float, float, float],
) -> str:
    """The forest plot for a narrow screen: each row's label and value on a line, its plot strip below.

    Drawn at :data:`COMPACT_WIDTH` with text of 11 units or more, so that on a phone (about 360 px
    for the chart) nothing is under :data:`MIN_TEXT_PX`; the axis, grid and legend are the wide
    layout's, the legend wrapped over as many lines as it needs.
    """
    w = COMPACT_WIDTH
    lo, hi, step = domain
    x0, x1 = 6.0, w - 6.0

    def sx(v: float) -> float:
        v = min(max(v, lo), hi)
        return x0 + (v - lo) / (hi - lo) * (x1 - x0)

    body: list[str] = []
    add = body.append
    y = 0.0
    for line in _wrap(title, w, 14, bold=True):
        add(
            f'<text x="0" y="{_c(y + 15)}" font-size="14" font-weight="bold" fill="{INK}" class="c-ink">'
            f"{escape(line)}</text>"
        )
        y += 19
    y += 4
    add(
        f'<text x="{w}" y="{_c(y + 12)}" text-anchor="end" fill="{MUTED}" font-size="11" class="c-muted">'
        "value [CI]</text>"
    )
    y += 6
    strips: list[tuple[float, float]] = []  # (top, bottom) of each plot strip, for the grid
    rows_at = len(body)
    for panel in panels:
        y += 6
        for line in _wrap(neutralise(panel.heading), w, 12, bold=True):
            add(
                f'<text x="0" y="{_c(y + 12)}" font-weight="bold" fill="{INK}" font-size="12" class="c-ink">'
                f"{_text(line)}</text>"
            )
            y += 16
        y += 2
        for row in panel.rows:
            color = COLORS.get(row.status, COLORS[None])
            css = CLASSES.get(row.status, CLASSES[None])
            if row.value is None:
                text = "undefined"
            else:
                text = tick_label(row.value, digits)
                if row.lower is not None and row.upper is not None:
                    text += f" [{tick_label(row.lower, digits)}, {tick_label(row.upper, digits)}]"
            text = neutralise(f"{text} {row.note}" if row.note else text)
            label = neutralise(row.label)
            add("<g>")
            if _text_width(label, 12) + 10 + _text_width(text, 11) <= w:
                add(f'<text x="0" y="{_c(y + 12)}" fill="{INK}" class="c-ink">{escape(label)}</text>')
            else:  # the label has the line; the value goes on the next
                add(f'<text x="0" y="{_c(y + 12)}" fill="{INK}" class="c-ink">{escape(_fit(label, w, 12))}</text>')
                y += 15
            add(
                f'<text x="{w}" y="{_c(y + 12)}" text-anchor="end" fill="{INK}" font-size="11" class="c-ink">'
                f"{escape(_fit(text, w, 11))}</text>"
            )
            top = y + 16
            bottom = top + 14
            strips.append((top, bottom))
            _band_and_reference(add, row, sx, lo, hi, top, bottom)
            if row.value is not None:
                cy = _c(top + 7)
                if row.lower is not None and row.upper is not None:
                    xl, xu = _c(sx(row.lower)), _c(sx(row.upper))
                    add(
                        f'<path d="M{xl} {cy}H{xu}M{xl} {_c(top + 3)}V{_c(top + 11)}M{xu} {_c(top + 3)}'
                        f'V{_c(top + 11)}" fill="none" stroke="{color}" stroke-width="2" class="{css}"/>'
                    )
                add(
                    f'<circle cx="{_c(sx(row.value))}" cy="{cy}" r="4.5" fill="{color}" stroke="#ffffff" '
                    f'stroke-width="1" class="{css} c-dot"/>'
                )
            add("</g>")
            y = bottom + 8

    # the grid, under the rows: one path across the plot strips only (the text lines stay clear)
    ticks = _ticks(lo, hi, step)
    step = (ticks[-1] - ticks[0]) / max(len(ticks) - 1, 1)
    grid = "".join(f"M{_c(sx(t))} {_c(a)}V{_c(b)}" for t in ticks for a, b in strips)
    if grid:
        body.insert(rows_at, f'<path d="{grid}" fill="none" stroke="{GRID}" stroke-width="1" class="c-grid"/>')
    # the axis: tick labels, the first and last kept inside the chart
    y += 4
    for k, t in enumerate(ticks):
        anchor = "start" if k == 0 else "end" if k == len(ticks) - 1 else "middle"
        x = x0 - 6 if k == 0 else x1 + 6 if k == len(ticks) - 1 else sx(t)
        add(
            f'<text x="{_c(x)}" y="{_c(y + 10)}" text-anchor="{anchor}" fill="{MUTED}" font-size="11" '
            f'class="c-muted">{tick_label(t, _tick_digits(step))}</text>'
        )
    y += 14
    if axis_label:
        add(
            f'<text x="{_c(w / 2)}" y="{_c(y + 12)}" text-anchor="middle" fill="{MUTED}" font-size="11" '
            f'class="c-muted">{escape(_fit(axis_label, w, 11))}</text>'
        )
        y += 16

    # legend: only what the chart shows, wrapped
    rows = [r for p in panels for r in p.rows]
    statuses = [s for s in ("pass", "fail", "inconclusive", "not_run") if any(r.status == s for r in rows)]
    first = statuses[0] if statuses else None
    items: list[tuple[Callable[[float, float], str], int, str]] = [(_dot(first), 14, "value")]
    if any(r.lower is not None for r in rows):
        items.append(
            (
                lambda x, y: f'<path d="M{_c(x)} {_c(y - 4)}h22" stroke="{MUTED}" stroke-width="2" class="c-muted"/>',
                28,
                "confidence interval",
            )
        )
    if any(r.reference is not None for r in rows):
        items.append(
            (
                lambda x, y: (
                    f'<path d="M{_c(x + 4)} {_c(y - 11)}v13" stroke="{INK}" stroke-width="1.2" '
                    f'stroke-dasharray="3 2" class="c-ref"/>'
                ),
                12,
                reference_label,
            )
        )
    if any(r.band is not None for r in rows):
        items.append(
            (
                lambda x, y: (
                    f'<rect x="{_c(x)}" y="{_c(y - 10)}" width="18" height="12" fill="{BAND}" '
                    f'stroke="{BAND_EDGE}" stroke-width="0.5" class="c-band"/>'
                ),
                24,
                "accepted by threshold",
            )
        )
    for status in statuses:
        items.append((_dot(status), 12, status.replace("_", " ")))
    add(f'<g font-size="11" fill="{MUTED}" class="c-muted">')
    lx, ly = 0.0, y + 10
    for mark, indent, label in items:
        label = _fit(label, w - indent, 11)
        width = indent + _text_width(label, 11)
        if lx and lx + width > w:
            lx, ly = 0.0, ly + 17
        add(f'{mark(lx, ly)}<text x="{_c(lx + indent)}" y="{_c(ly)}">{escape(label)}</text>')
        lx += width + 14
    add("</g>")
    height = ly + 6

    pad = 8
    box = f"{w + 2 * pad}", _c(height + 2 * pad)
    head = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{-pad} {-pad} {box[0]} {box[1]}" '
        f'width="{box[0]}" height="{box[1]}" role="img" aria-labelledby="{cid}-compact-title {cid}-compact-desc" '
        f'font-family="{FONT}" font-size="12" class="mc-chart">',
        f'<title id="{cid}-compact-title">{escape(title)}</title>',
        f'<desc id="{cid}-compact-desc">{escape(description or title)}</desc>',
        f'<rect x="{-pad}" y="{-pad}" width="{box[0]}" height="{box[1]}" fill="#ffffff" class="c-bg"/>',
    ]
    return "\n".join([*head, *body, "</svg>"]) + "\n"


def _dot(status: str | None) -> Callable[[float, float], str]:
    """A legend's coloured dot for ``status``, drawn by its item's position."""

    def draw(x: float, y: float) -> str:
        return f'<circle cx="{_c(x + 5)}" cy="{_c(y - 4)}" r="4" fill="{COLORS[status]}" class="{CLASSES[status]}"/>'

    return draw


def _band_text(band: tuple[float | None, float | None], digits: int) -> str:
    lo, hi = band
    if lo is not None and hi is not None:
        return f"accepted {tick_label(lo, digits)} to {tick_label(hi, digits)}"
    if lo is not None:
        return f"accepted from {tick_label(lo, digits)}"
    return f"accepted up to {tick_label(hi, digits)}" if hi is not None else ""


def describe(title: str, panels: Sequence[Panel], *, digits: int = 2, reference_label: str = "reference group") -> str:
    """What a forest plot shows, in words and numbers: its alt text where an image stands for it.

    ``"fpr by group. vs Caucasian (race) (reference group at 0.22; accepted 0.12 to 0.32):
    African-American 0.42 [0.40, 0.45] fail, n=3,696; Hispanic 0.19 [0.16, 0.23] pass, n=482."``
    The numbers are the chart's own (same rounding); a reference value or band that every row of a
    panel shares is said once, with the panel's heading.
    """
    parts = [neutralise(str(title)).strip()]
    for panel in _clean(panels):
        refs = {r.reference for r in panel.rows}
        bands = {r.band for r in panel.rows}
        shared_ref = refs.pop() if len(refs) == 1 else None
        shared_band = bands.pop() if len(bands) == 1 else None
        shared = []
        if shared_ref is not None:
            shared.append(f"{neutralise(reference_label)} at {tick_label(shared_ref, digits)}")
        if shared_band is not None:
            shared.append(_band_text(shared_band, digits))
        rows = []
        for r in panel.rows:
            text = neutralise(r.label)
            if r.value is None:
                text += " undefined"
            else:
                text += f" {tick_label(r.value, digits)}"
                if r.lower is not None and r.upper is not None:
                    text += f" [{tick_label(r.lower, digits)}, {tick_label(r.upper, digits)}]"
            extra = [r.status.replace("_", " ")] if r.status else []
            if r.reference is not None and shared_ref is None:
                extra.append(f"{neutralise(reference_label)} at {tick_label(r.reference, digits)}")
            if r.band is not None and shared_band is None:
                extra.append(_band_text(r.band, digits))
            if r.note:
                extra.append(neutralise(r.note))
            rows.append(text + (" " + ", ".join(x for x in extra if x) if extra else ""))
        head = neutralise(panel.heading) + (f" ({'; '.join(x for x in shared if x)})" if shared else "")
        parts.append(f"{head}: {'; '.join(rows)}")
    return " ".join((". ".join(p.rstrip(". ") for p in parts) + ".").split())
