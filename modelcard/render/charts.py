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
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
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

WIDTH = 760
LABEL_W = 210
VALUE_W = 200
ROW_H = 22
HEAD_H = 20
TOP = 40
BOTTOM = 64


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
) -> str:
    """A forest plot of grouped rows as a standalone SVG document (also valid inline in HTML)."""
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
        f'aria-labelledby="{cid}-title {cid}-desc" font-family="{FONT}" font-size="12" class="mc-chart">'
    )
    add(f'<title id="{cid}-title">{escape(title)}</title>')
    add(f'<desc id="{cid}-desc">{escape(description or title)}</desc>')
    add(f'<rect x="{-pad}" y="{-pad}" width="{WIDTH + 2 * pad}" height="{height + 2 * pad}" fill="#ffffff"/>')
    add(f'<text x="0" y="16" font-size="14" font-weight="bold" fill="{INK}">{escape(title)}</text>')
    add(f'<text x="{_c(x1 + 12)}" y="{TOP - 8}" fill="{MUTED}" font-size="11">value [CI]</text>')

    # grid and axis
    plot_top, plot_bottom = TOP - 4, height - BOTTOM + 4
    ticks = _ticks(lo, hi, step)
    step = (ticks[-1] - ticks[0]) / max(len(ticks) - 1, 1)
    for tick in ticks:
        x = _c(sx(tick))
        add(f'<line x1="{x}" y1="{plot_top}" x2="{x}" y2="{plot_bottom}" stroke="{GRID}" stroke-width="1"/>')
        add(
            f'<text x="{x}" y="{plot_bottom + 14}" text-anchor="middle" fill="{MUTED}" '
            f'font-size="11">{tick_label(tick, 2 if step < 0.1 else 1)}</text>'
        )
    if axis_label:
        add(
            f'<text x="{_c((x0 + x1) / 2)}" y="{plot_bottom + 30}" text-anchor="middle" fill="{MUTED}" '
            f'font-size="11">{escape(axis_label)}</text>'
        )

    y = TOP
    for panel in panels:
        add(f'<text x="0" y="{y + 14}" font-weight="bold" fill="{INK}" font-size="12">{_text(panel.heading)}</text>')
        y += HEAD_H
        for row in panel.rows:
            cy = y + ROW_H / 2
            color = COLORS.get(row.status, COLORS[None])
            add("<g>")
            if row.band is not None:
                b_lo = row.band[0] if row.band[0] is not None else lo
                b_hi = row.band[1] if row.band[1] is not None else hi
                if b_hi >= lo and b_lo <= hi:
                    bx0, bx1 = sx(b_lo), sx(b_hi)
                    add(
                        f'<rect x="{_c(bx0)}" y="{_c(y + 2)}" width="{_c(max(bx1 - bx0, 0.5))}" '
                        f'height="{ROW_H - 4}" fill="{BAND}" stroke="{BAND_EDGE}" stroke-width="0.5"/>'
                    )
            if row.reference is not None:
                rx = _c(sx(row.reference))
                add(
                    f'<line x1="{rx}" y1="{_c(y + 1)}" x2="{rx}" y2="{_c(y + ROW_H - 1)}" stroke="{INK}" '
                    f'stroke-width="1.2" stroke-dasharray="3 2"/>'
                )
            label = neutralise(row.label)
            label = label if len(label) <= 34 else label[:33] + "…"
            add(f'<text x="8" y="{_c(cy + 4)}" fill="{INK}">{escape(label)}</text>')
            if row.value is not None:
                if row.lower is not None and row.upper is not None:
                    add(
                        f'<line x1="{_c(sx(row.lower))}" y1="{_c(cy)}" x2="{_c(sx(row.upper))}" y2="{_c(cy)}" '
                        f'stroke="{color}" stroke-width="2"/>'
                    )
                    for end in (row.lower, row.upper):
                        add(
                            f'<line x1="{_c(sx(end))}" y1="{_c(cy - 4)}" x2="{_c(sx(end))}" y2="{_c(cy + 4)}" '
                            f'stroke="{color}" stroke-width="2"/>'
                        )
                add(
                    f'<circle cx="{_c(sx(row.value))}" cy="{_c(cy)}" r="4.5" fill="{color}" '
                    f'stroke="#ffffff" stroke-width="1"/>'
                )
                text = tick_label(row.value, digits)
                if row.lower is not None and row.upper is not None:
                    text += f" [{tick_label(row.lower, digits)}, {tick_label(row.upper, digits)}]"
            else:
                text = "undefined"
            if row.note:
                text += f" {row.note}"
            add(f'<text x="{_c(x1 + 12)}" y="{_c(cy + 4)}" fill="{INK}" font-size="11">{_text(text)}</text>')
            add("</g>")
            y += ROW_H

    # legend: only what the chart shows
    rows = [r for p in panels for r in p.rows]
    statuses = [s for s in ("pass", "fail", "inconclusive", "not_run") if any(r.status == s for r in rows)]
    ly = height - 14
    lx = 0
    add(f'<g font-size="11" fill="{MUTED}">')
    add(
        f'<circle cx="{lx + 5}" cy="{ly - 4}" r="4" fill="{COLORS[statuses[0] if statuses else None]}"/>'
        f'<text x="{lx + 14}" y="{ly}">value</text>'
    )
    lx += 60
    if any(r.lower is not None for r in rows):
        add(
            f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 22}" y2="{ly - 4}" stroke="{MUTED}" stroke-width="2"/>'
            f'<text x="{lx + 28}" y="{ly}">confidence interval</text>'
        )
        lx += 145
    if any(r.reference is not None for r in rows):
        add(
            f'<line x1="{lx + 4}" y1="{ly - 11}" x2="{lx + 4}" y2="{ly + 2}" stroke="{INK}" stroke-width="1.2" '
            f'stroke-dasharray="3 2"/><text x="{lx + 12}" y="{ly}">{escape(reference_label)}</text>'
        )
        lx += 24 + int(6.5 * len(reference_label))
    if any(r.band is not None for r in rows):
        add(
            f'<rect x="{lx}" y="{ly - 10}" width="18" height="12" fill="{BAND}" stroke="{BAND_EDGE}" '
            f'stroke-width="0.5"/><text x="{lx + 24}" y="{ly}">accepted by threshold</text>'
        )
        lx += 160
    for status in statuses:
        label = status.replace("_", " ")
        add(
            f'<circle cx="{lx + 5}" cy="{ly - 4}" r="4" fill="{COLORS[status]}"/>'
            f'<text x="{lx + 12}" y="{ly}">{label}</text>'
        )
        lx += 24 + int(6.5 * len(label))
    add("</g>")
    add("</svg>")
    return "\n".join(out) + "\n"
