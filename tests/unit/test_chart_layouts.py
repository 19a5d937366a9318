"""Charts on any screen: the compact layout, the colour classes the page's palette maps, the switch between layouts.

What the reader sees is measured in headless Chromium by tests/e2e/test_responsive.py; these
tests pin the pieces that make it so without a browser.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from modelcard.render import charts
from modelcard.render.charts import (
    CLASSES,
    COMPACT_WIDTH,
    WIDE_MIN_FONT,
    WIDTH,
    ChartSVG,
    Panel,
    Row,
    forest_svg,
    html_chart,
)

CSS = (Path(__file__).resolve().parents[2] / "templates" / "modelcard.css").read_text(encoding="utf-8")
SVG = "{http://www.w3.org/2000/svg}"
PAD = 8


def _chart(**kwargs: object) -> ChartSVG:
    rows = [
        Row("African-American", 0.42, 0.40, 0.45, reference=0.22, band=(0.12, 0.32), status="fail", note="n=3,175"),
        Row("Hispanic", 0.19, 0.15, 0.24, reference=0.22, band=(0.12, 0.32), status="pass", note="n=509"),
        Row("Native American × Female, a long intersectional label", 0.5, 0.1, 0.9, 0.22, (0.12, 0.32), "inconclusive"),
        Row("Asian", None, status="not_run"),
        Row("Other", 0.13, 0.09, 0.18),  # no verdict: the accent colour
    ]
    return forest_svg("fpr (false positive rate) by group", [Panel("vs Caucasian (race)", rows)], **kwargs)


def _texts(root: ET.Element) -> list[tuple[ET.Element, float]]:
    """Every text element with its font size, inherited from its ancestors where it has none."""
    found: list[tuple[ET.Element, float]] = []

    def walk(el: ET.Element, size: float) -> None:
        size = float(el.get("font-size", size))
        if el.tag == f"{SVG}text":
            found.append((el, size))
        for child in el:
            walk(child, size)

    walk(root, 16.0)
    return found


def _sizes(root: ET.Element) -> list[float]:
    return [size for _, size in _texts(root)]


def test_a_chart_carries_its_compact_layout_and_files_get_the_wide_one():
    chart = _chart(axis_label="fpr")
    assert isinstance(chart, str) and chart.compact
    assert str(chart) == chart and not hasattr(str(chart), "compact")  # files, Markdown: the wide layout only
    wide, compact = ET.fromstring(chart), ET.fromstring(chart.compact)
    assert wide.get("width") == str(WIDTH + 2 * PAD) and compact.get("width") == str(COMPACT_WIDTH + 2 * PAD)
    assert "mc-chart-wide" in wide.get("class", "") and "mc-chart-wide" not in compact.get("class", "")
    # the same facts in both: every row's label and value, the legend's entries
    for text in ("African-American", "0.42 [0.40, 0.45] n=3,175", "undefined", "accepted by threshold", "inconclusive"):
        assert text in chart and text in chart.compact, text
    assert chart == _chart(axis_label="fpr") and chart.compact == _chart(axis_label="fpr").compact  # deterministic


def test_compact_text_is_large_enough_and_stays_inside_the_chart():
    chart = _chart(axis_label="a long axis label " * 6, reference_label="reference group " * 4)
    root = ET.fromstring(chart.compact)
    assert min(_sizes(root)) >= 11  # 11 units at about 1:1 on a phone: over MIN_TEXT_PX
    assert min(_sizes(ET.fromstring(chart))) >= WIDE_MIN_FONT
    for text, size in _texts(root):
        x, anchor = float(text.get("x", 0)), text.get("text-anchor", "start")
        assert -PAD <= x <= COMPACT_WIDTH + PAD
        width = charts._text_width(text.text or "", size, text.get("font-weight") == "bold")
        left = x - width if anchor == "end" else x - width / 2 if anchor == "middle" else x
        assert left >= -PAD and left + width <= COMPACT_WIDTH + PAD, (text.text, left, width)


def test_html_shows_both_layouts_the_compact_one_hidden_until_the_stylesheet_shows_it():
    chart = _chart()
    html = html_chart(chart)
    assert html.startswith(str(chart)) and '<div class="mc-chart-compact" hidden>' in html
    assert html.count("<svg") == 2 and html_chart("<svg/>") == "<svg/>"  # a plain SVG passes as it is
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))  # one page, no id twice


def test_every_colour_has_a_class_the_palette_maps():
    """Dark mode recolours charts through classes: an element painted without one would keep its light colour."""
    chart = _chart(axis_label="x")
    used: set[str] = set()
    for doc in (chart, chart.compact):
        for el in ET.fromstring(doc).iter():
            paints = [el.get(a) for a in ("fill", "stroke") if el.get(a) not in (None, "none")]
            classes = set((el.get("class") or "").split())
            if el.tag == f"{SVG}text" and not paints:
                continue  # inherits the fill of its group, which has a class
            if paints:
                assert classes, ET.tostring(el, encoding="unicode")[:120]
            used |= classes
    used -= {"mc-chart", "mc-chart-wide"}
    assert used >= set(CLASSES.values()) | {"c-bg", "c-ink", "c-muted", "c-grid", "c-band", "c-ref"}
    screen = CSS[CSS.index("@media screen {") :]
    for name in used | set(CLASSES.values()):
        assert re.search(rf"\.mc-chart [a-z]*\.{name}\b", screen), f"templates/modelcard.css has no rule for .{name}"


def test_the_stylesheet_switches_to_the_compact_layout_before_wide_text_shrinks_below_10_px():
    """templates/modelcard.css hides the wide layout below a container width; there its text must still be >= 10 px."""
    width = float(re.search(r"@container \(max-width: ([\d.]+)px\)", CSS).group(1))
    assert (width + 0.02) / (WIDTH + 2 * PAD) * WIDE_MIN_FONT >= charts.MIN_TEXT_PX
    assert re.search(r"\.mc-chart-wide \{ display: none; \}", CSS) and re.search(
        r"\.mc-chart-compact \{ display: block; \}", CSS
    )
    # the switch, the palette and the chart colours are for screens only: print keeps the light, wide page
    for rule in ("@container", "prefers-color-scheme: dark", ".mc-chart .c-bg"):
        before = CSS[: CSS.index(rule)]
        assert before.rfind("@media screen") > before.rfind("}\n}"), rule


@pytest.mark.parametrize(
    "rows",
    [
        [Row("a", 1e308, -1e308, 1e308, 1e308, (-1e308, 1e308), "pass")],
        [Row("a", float("nan"), float("inf"), float("-inf"), float("nan"), (float("nan"), None), "fail")],
        [Row("a", 1e20, 1e20, 1e20 + 1, 1e20)],
        [Row("a", 0.7, 0.9, 0.1)],
        [Row("a", None, band=(None, None))],
        [],
    ],
)
def test_compact_layout_never_fails_on_any_numbers(rows):
    chart = forest_svg("t", [Panel("h", rows)], axis_label="x")
    root = ET.fromstring(chart.compact)
    assert "nan" not in chart.compact and "inf" not in chart.compact
    assert float(root.get("height")) > 0


def test_compact_text_is_valid_xml_whatever_the_labels():
    label = "".join(chr(c) for c in range(0, 0x20)) + "\x7f\x85\x9f<&>\"'\u202a\u202b\u202c\u202d\u202e" + "w" * 80
    chart = forest_svg(
        label,
        [Panel(label, [Row(label, 0.5, 0.4, 0.6, 0.5, (0.3, 0.7), "pass", note=label)])],
        description=label,
        axis_label=label,
        reference_label=label,
    )
    ET.fromstring(chart.compact)
    assert "\u202e" not in chart.compact and "\x1b" not in chart.compact


def test_axis_ticks_are_labelled_exactly_in_both_layouts():
    """An axis stepping by 0.25 says 0.75, not "0.8" (the label must be the tick's value)."""
    chart = forest_svg("t", [Panel("h", [Row("a", -0.45, -0.5, -0.3), Row("b", 0.62, 0.4, 0.7)])])
    for doc in (chart, chart.compact):
        labels = [t.text for t in ET.fromstring(doc).iter(f"{SVG}text") if t.get("class") == "c-muted"]
        assert {"-0.50", "-0.25", "0", "0.25", "0.50", "0.75"} <= set(labels), labels
    assert [charts._tick_digits(s) for s in (0.25, 0.2, 5, 0.025, 0.1 + 0.2)] == [2, 1, 0, 3, 1]
