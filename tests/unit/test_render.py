"""Rendering: golden files per template x card, determinism, Markdown and HTML structure, charts."""

from __future__ import annotations

import itertools
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from modelcard import __version__
from modelcard.card.validate import load_card
from modelcard.render import LAYOUTS, render, render_html, render_markdown
from modelcard.render.environment import builtin_templates
from modelcard.render.view import CardView
from modelcard.schema.types import Verdict

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "render"
GOLDEN = DATA / "golden"
CARDS = {
    "compas": DATA / "cards" / "compas.yaml",
    "minimal": DATA / "cards" / "minimal.yaml",
    "rich": DATA / "cards" / "rich" / "card.yaml",
}
UPDATE = os.environ.get("MODELCARD_UPDATE_GOLDEN") == "1"
#: goldens hold neither the package version nor the stylesheet: a version bump or a style tweak changes no golden
VERSION_MASK = "modelcard {VERSION}"
STYLESHEETS = {
    "card": ("modelcard.css",),
    "scorecard": ("modelcard.css", "scorecard.css"),
    "eu-gpai-form": ("modelcard.css", "eu-gpai-form.css"),
}
_STYLE = re.compile(r"<style>\n(.*?)\n</style>", re.S)


def _card(name: str):
    return load_card(CARDS[name])


def _render_text(name: str, layout: str, fmt: str) -> str:
    path = CARDS[name]
    if fmt == "md":
        return render_markdown(_card(name), layout, chart_prefix=f"{name}-charts/").content
    return render_html(_card(name), layout, base_dir=path.parent).content


def _style_block(html: str) -> str:
    found = _STYLE.findall(html)
    assert len(found) == 1, "one inlined stylesheet"
    return found[0]


def _normalised(text: str, layout: str, fmt: str) -> str:
    """A rendering as its golden file holds it: the version masked and, in HTML, the inlined stylesheet
    replaced by the names of the files it comes from (they are checked once, by
    :func:`test_html_inlines_the_template_stylesheets`)."""
    text = text.replace(f"modelcard {__version__}", VERSION_MASK)
    if fmt == "html":
        text = _STYLE.sub(
            "<style>\n/* the template stylesheets: test_html_inlines_the_template_stylesheets */\n</style>",
            text,
            count=1,
        )
    return text


def _compare(golden: Path, actual: str) -> None:
    if UPDATE or not golden.exists():
        if not UPDATE:
            pytest.fail(f"golden file {golden.name} is missing: run with MODELCARD_UPDATE_GOLDEN=1 to create it")
        golden.write_text(actual, encoding="utf-8", newline="")
        return
    expected = golden.read_text(encoding="utf-8")
    if actual != expected:
        a, e = actual.splitlines(), expected.splitlines()
        first = next((i for i, (x, y) in enumerate(zip(a, e)) if x != y), min(len(a), len(e)))
        pytest.fail(
            f"{golden.name} differs from the rendering at line {first + 1}:\n"
            f"  expected: {e[first] if first < len(e) else '<end>'}\n"
            f"  actual:   {a[first] if first < len(a) else '<end>'}\n"
            "If the change is intended, rerun with MODELCARD_UPDATE_GOLDEN=1 and review the diff."
        )


@pytest.mark.parametrize("fmt", ["md", "html"])
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", sorted(CARDS))
def test_golden(name, layout, fmt):
    _compare(GOLDEN / f"{name}.{layout}.{fmt}", _normalised(_render_text(name, layout, fmt), layout, fmt))


@pytest.mark.parametrize("layout", sorted(STYLESHEETS))
def test_html_inlines_the_template_stylesheets(layout):
    """The HTML page embeds its stylesheets verbatim (what the goldens leave out) and names its generator."""
    html = _render_text("minimal", layout, "html")
    expected = "\n".join((builtin_templates() / name).read_text(encoding="utf-8") for name in STYLESHEETS[layout])
    assert _style_block(html) == expected
    assert f'<meta name="generator" content="modelcard {__version__}">' in html
    assert f"Rendered by modelcard {__version__}" in _render_text("minimal", layout, "md")


def test_golden_chart_svg():
    """The full card's Markdown links its two disparity charts (the summary's largest disparities, the
    fairness section's by metric); each metric's own chart stays available to templates."""
    view_md = render_markdown(_card("compas"), "card", chart_prefix="compas-charts/")
    assert sorted(view_md.sidecars) == [
        "compas-charts/fairness-criteria.svg",
        "compas-charts/fairness-largest-disparities.svg",
    ]
    _compare(
        GOLDEN / "compas.fairness-largest-disparities.svg",
        view_md.sidecars["compas-charts/fairness-largest-disparities.svg"],
    )
    fpr = next(fg for fg in CardView(_card("compas")).fairness_groups if fg.metric == "fpr")
    _compare(GOLDEN / "compas.fairness-fpr.svg", fpr.chart_svg)


@pytest.mark.parametrize("fmt", ["md", "html"])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_same_card_gives_identical_bytes(layout, fmt):
    first = _render_text("compas", layout, fmt)
    again = _render_text("compas", layout, fmt)
    assert first == again
    assert not re.search(r"20\d\d-\d\d-\d\dT\d\d:\d\d", first), "no timestamps in md/html"


@pytest.mark.parametrize("fmt", ["md", "html"])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_live_example_renders(example_path, layout, fmt):
    card = load_card(example_path)
    out = render(card, fmt, layout, base_dir=example_path.parent)
    assert card.model.name in out.content.replace("&gt;", ">")


# --------------------------------------------------------------------------
# Markdown: renders correctly on GitHub


def _md_tables(text: str) -> list[list[list[str]]]:
    """Tables as GitHub-flavoured Markdown parses them: list of rows of cell texts."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    tables, rows, row, cell, depth = [], None, None, None, 0
    for tok in tokens:
        if tok.type == "table_open":
            rows = []
        elif tok.type == "table_close":
            tables.append(rows)
            rows = None
        elif tok.type == "tr_open":
            row = []
        elif tok.type == "tr_close":
            rows.append(row)
        elif tok.type in ("th_open", "td_open"):
            cell = ""
        elif tok.type == "inline" and cell is not None and row is not None:
            cell = tok.content
        elif tok.type in ("th_close", "td_close"):
            row.append(cell)
            cell = None
    del depth
    return tables


def test_markdown_is_not_html_escaped():
    md = _render_text("rich", "card", "md")
    assert "O'Brien & Partners" in md
    assert "&amp;" not in md and "&#39;" not in md and "&#x27;" not in md and "&quot;" not in md


def test_markdown_table_cells_escape_pipes_and_newlines():
    md = _render_text("rich", "card", "md")
    tables = _md_tables(md)
    # the model name has a pipe: key facts are a list (no table to break), the name shown with its pipe
    assert "\n- **Name:** Résumé screener | v2 & 'friends'\n" in md
    io_rows = next(t for t in tables if t[0][:2] == ["Direction", "Name"])
    assert len(io_rows[1]) == 4
    assert io_rows[1][3] == "Plain text; pipes like a|b and line breaks must not break tables."
    # every table is rectangular
    for t in tables:
        assert len({len(r) for r in t}) == 1, t


def test_markdown_fairness_tables_hold_every_result():
    """Appendix B holds every fairness result: one cell each, opening with the verdict's mark and the
    disparity the verdict is decided on."""
    md = _render_text("compas", "card", "md")
    card = _card("compas")
    appendix = md.split("## Appendix B", 1)[1].split("\n## ", 1)[0]
    icons = {Verdict(v).icon: v for v in ("pass", "fail", "inconclusive", "not_run")}
    cells = [c for t in _md_tables(appendix) for r in t[1:] for c in r[1:] if c[:1] in icons]
    assert len(cells) == len(card.fairness.results)
    assert sorted(icons[c[0]] for c in cells) == sorted(str(r.verdict) for r in card.fairness.results)
    # fpr is not among the card's per-group metrics (Appendix A), so the cell gives the values too
    assert "❌ +0.203 [0.169, 0.236]<br>×1.923<br>value 0.423 [0.399, 0.448] · ref. 0.220 · n=1,514" in cells
    sc = _md_tables(_render_text("compas", "scorecard", "md"))
    fairness = next(t for t in sc if t[0][0] == "Metric" and t[0][-1] == "Verdict")
    assert len(fairness) - 1 == len(card.fairness.results)
    row = ["**fpr**", "African-American", "Caucasian", "0.423", "+0.203 [0.169, 0.236]", "1,514", "❌ fail"]
    assert row in fairness


def test_markdown_without_chart_prefix_has_tables_only():
    out = render_markdown(_card("compas"), "card")
    assert out.sidecars == {}
    assert ".svg" not in out.content
    assert "| fpr |" in out.content or "African-American" in out.content


# --------------------------------------------------------------------------
# HTML: self-contained, accessible


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _parse(html: str) -> _Collector:
    c = _Collector()
    c.feed(html)
    return c


@pytest.mark.parametrize("layout", LAYOUTS)
def test_html_is_self_contained_and_accessible(layout):
    html = _render_text("compas", layout, "html")
    doc = _parse(html)
    tags = [t for t, _ in doc.tags]
    assert html.startswith("<!DOCTYPE html>")
    assert doc.tags[0][0] == "html" and doc.tags[0][1].get("lang") == "en"
    assert tags.count("h1") == 1
    # headings do not skip levels
    levels = [int(t[1]) for t in tags if re.fullmatch(r"h[1-6]", t)]
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels
    # nothing external: no scripts, no linked stylesheets, every src is data:
    assert "script" not in tags and "link" not in tags
    for tag, attrs in doc.tags:
        if "src" in attrs:
            assert attrs["src"].startswith("data:"), (tag, attrs)
    # tables have header cells with scope
    assert tags.count("table") >= 2
    assert all(a.get("scope") in ("col", "row") for t, a in doc.tags if t == "th")
    assert "@media print" in html and "@page" in html


def test_html_charts_are_inline_svg_with_titles():
    html = _render_text("compas", "card", "html")
    doc = _parse(html)
    svgs = [a for t, a in doc.tags if t == "svg" and "mc-chart-wide" in a.get("class", "")]
    assert len(svgs) == 2  # the summary's largest disparities, the fairness section's by metric
    assert all(a.get("role") == "img" and a.get("aria-labelledby") for a in svgs)
    text = "".join(doc.text)
    assert "Largest disparities" in text and "Largest disparities by metric" in text
    assert "difference (group − reference)" in text


def test_html_embeds_local_figure_and_refuses_others():
    out = render_html(_card("rich"), "card", base_dir=CARDS["rich"].parent)
    assert 'src="data:image/png;base64,' in out.content
    assert "https://tracker.example.com/pixel.png" in out.refused
    assert "../../../../../etc/hostname.png" in out.refused
    # the remote image is a link, not an <img>
    assert '<a href="https://tracker.example.com/pixel.png"' in out.content


def test_scorecard_shows_completeness_from_the_aboutml_profile():
    from modelcard.analysis.completeness import assess

    card = _card("compas")
    c = assess(card, "aboutml")
    html = _render_text("compas", "scorecard", "html")
    assert f"{c.covered} of {c.total}" in html
    assert c.title in html


# --------------------------------------------------------------------------
# charts


def test_chart_draws_band_reference_and_interval():
    from modelcard.render.charts import Panel, Row, forest_svg

    svg = forest_svg("t", [Panel("vs ref", [Row("g", 0.5, 0.4, 0.6, reference=0.3, band=(0.2, 0.4), status="fail")])])
    assert svg.count("<circle") >= 2  # the dot and the legend marker
    assert 'stroke-dasharray="3 2"' in svg  # reference tick
    assert "#dafbe1" in svg  # threshold band
    assert "0.50 [0.40, 0.60]" in svg
    assert svg == forest_svg(
        "t", [Panel("vs ref", [Row("g", 0.5, 0.4, 0.6, reference=0.3, band=(0.2, 0.4), status="fail")])]
    )


def test_chart_handles_undefined_values_and_escapes_labels():
    from modelcard.render.charts import Panel, Row, forest_svg

    svg = forest_svg("<b>&", [Panel("<x>", [Row("a<b", None), Row("c", 0.1)])])
    assert "&lt;b&gt;&amp;" in svg and "a&lt;b" in svg and "undefined" in svg


# --------------------------------------------------------------------------
# one view, two formats: Markdown and HTML show the same facts


def _labels(blocks):
    for b in blocks:
        if b["kind"] == "facts":
            yield from (f["label"] for f in b["facts"])
        elif b["kind"] in ("group", "columns"):
            yield from _labels(b["blocks"])


@pytest.mark.parametrize("name", sorted(CARDS))
def test_markdown_and_html_show_the_same_sections_and_facts(name):
    from html import unescape

    from modelcard.render import CardView

    view = CardView(_card(name))
    md = _render_text(name, "card", "md")
    html = unescape(_render_text(name, "card", "html"))
    for s in view.sections:
        assert f"\n## {s['title']}\n" in md and f'<section id="{s["id"]}"' in html
        for label in _labels(s["blocks"]):
            assert f"**{label}" in md and (f"<dt>{label}</dt>" in html or f"<strong>{label}:</strong>" in html), label


def test_fixed_drift_developer_urls_emails_and_numbered_steps_in_both_formats():
    rich_md, rich_html = _render_text("rich", "card", "md"), _render_text("rich", "card", "html")
    assert "(<https://example.org/team>)" in rich_md and '(<a href="https://example.org/team">' in rich_html
    assert "O'Brien & Partners <team@example.org>" in rich_md and "&lt;team@example.org&gt;" in rich_html
    compas = _card("compas")
    steps = compas.datasets[0].provenance.preprocessing
    md, html = _render_text("compas", "card", "md"), _render_text("compas", "card", "html")
    assert f"- **Preprocessing:**\n  1. {steps[0]}\n  2. " in md
    assert "<dt>Preprocessing</dt><dd><ol><li>" in html


def test_scorecard_key_facts_and_limits_are_shared():
    from html import unescape

    from modelcard.render import CardView
    from modelcard.render.view import SCORECARD_MAX_MISSING

    md, html = _render_text("rich", "scorecard", "md"), unescape(_render_text("rich", "scorecard", "html"))
    for label in ("Developer", "Released", "Architecture", "License", "Data", "Contact"):
        assert (f"<dt>{label}</dt>" in html) == (f"\n- **{label}:** " in md), label
    missing = CardView(_card("rich")).missing
    assert len(missing) > SCORECARD_MAX_MISSING
    cut = f"; and {len(missing) - SCORECARD_MAX_MISSING} more."
    assert cut in md and cut in html
    assert missing[SCORECARD_MAX_MISSING - 1].title in md and missing[SCORECARD_MAX_MISSING].title not in md
