"""Markdown output read as a Markdown renderer reads it (markdown-it): every table has a real header row,
chart images carry alt text with their numbers, and ``inline_charts`` inlines only our own SVGs."""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from modelcard.card.validate import load_card
from modelcard.diagnostics import UsageError
from modelcard.render import LAYOUTS, render, render_markdown
from modelcard.render.api import render_index
from modelcard.render.charts import Panel, Row, describe
from modelcard.render.view import CardView
from modelcard.schema.models import ModelCard

ROOT = Path(__file__).resolve().parents[2]
CARDS = {
    "compas": ROOT / "tests" / "data" / "render" / "cards" / "compas.yaml",
    "minimal": ROOT / "tests" / "data" / "render" / "cards" / "minimal.yaml",
    "rich": ROOT / "tests" / "data" / "render" / "cards" / "rich" / "card.yaml",
    "gpai": ROOT / "examples" / "small-gpai-model.yaml",
    "example": ROOT / "examples" / "compas-recidivism.yaml",
}
MD = MarkdownIt("commonmark").enable("table")
DATA_SVG = "data:image/svg+xml;base64,"


def _header_rows(text: str) -> list[list[str]]:
    rows: list[list[str]] = []
    cells: list[str] | None = None
    for tok in MD.parse(text):
        if tok.type == "thead_open":
            cells = []
        elif tok.type == "thead_close":
            rows.append(cells or [])
            cells = None
        elif cells is not None and tok.type == "inline":
            cells.append(tok.content)
    return rows


def _images(text: str) -> list[tuple[str, str]]:
    """(src, alt) of every Markdown image and every raw-HTML <img> a renderer would show."""
    from html.parser import HTMLParser

    out: list[tuple[str, str]] = []

    class Imgs(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "img":
                a = dict(attrs)
                out.append((a.get("src") or "", a.get("alt") or ""))

    def walk(tokens):
        for tok in tokens:
            if tok.type == "image":  # the alt text as a renderer writes it (escapes resolved)
                alt = MD.renderer.renderInlineAsText(tok.children or [], MD.options, {})
                out.append((str(tok.attrGet("src") or ""), alt))
            if tok.type in ("html_block", "html_inline"):
                Imgs().feed(tok.content)
            if tok.children:
                walk(tok.children)

    walk(MD.parse(text))
    return out


def _links(text: str) -> list[str]:
    out: list[str] = []

    def walk(tokens):
        for tok in tokens:
            if tok.type == "link_open":
                out.append(tok.attrGet("href") or "")
            if tok.children:
                walk(tok.children)

    walk(MD.parse(text))
    return out


# --------------------------------------------------------------------------
# tables


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", sorted(CARDS))
def test_no_markdown_table_has_an_empty_header(name, layout):
    text = str(render_markdown(load_card(CARDS[name]), layout, chart_prefix="c-charts/").content)
    for header in _header_rows(text):
        assert header and all(cell.strip() for cell in header), header


def test_key_facts_are_a_labelled_list_in_markdown():
    text = str(render_markdown(load_card(CARDS["compas"]), "scorecard").content)
    facts = text.split("## Key facts\n\n")[1].split("\n\n")[0].splitlines()
    assert facts[0] == "- **Developer:** Northpointe Inc. (now Equivant)"
    assert all(line.startswith("- **") for line in facts)
    form = str(render_markdown(load_card(CARDS["gpai"]), "eu-gpai-form").content)
    assert "| | |" not in form and "\n- **Provider:** Lumen Labs SAS (fictional)\n" in form


def test_index_page_has_a_header_row():
    entry = {
        "title": "m | x",
        "version": "1",
        "href": "m.md",
        "source": "m.yaml",
        "verdicts": {"pass": 1},
        "completeness": 0.5,
        "completeness_title": "ABOUT ML",
    }
    text = render_index([entry], [], kind="md", fmt="md")
    headers = _header_rows(text)
    assert headers == [["Model", "Version", "Fairness verdicts", "Completeness", "Source"]]


# --------------------------------------------------------------------------
# alt text


def test_describe_says_what_the_chart_shows_with_its_numbers():
    panels = [
        Panel(
            "vs Caucasian (race)",
            [
                Row(
                    "African-American",
                    0.4234,
                    0.3987,
                    0.4484,
                    reference=0.22,
                    band=(0.12, 0.32),
                    status="fail",
                    note="n=1,514",
                ),
                Row("Other", None, reference=0.22, band=(0.12, 0.32), status="not_run"),
            ],
        ),
        Panel("by sex", [Row("Female", 0.3, 0.27, 0.34, reference=0.31), Row("Male", float("nan"), reference=0.2)]),
    ]
    assert describe("False positive rate by race", panels) == (
        "False positive rate by race. vs Caucasian (race) (reference group at 0.22; accepted 0.12 to 0.32): "
        "African-American 0.42 [0.40, 0.45] fail, n=1,514; Other undefined not run. "
        "by sex: Female 0.30 [0.27, 0.34] reference group at 0.31; Male undefined reference group at 0.20."
    )
    # card text in labels loses control and bidi characters, as in the chart itself
    assert "\u202e" not in describe("t", [Panel("p", [Row("a\u202eb", 1.0)])])


def test_sidecar_images_carry_the_chart_in_words():
    card = load_card(CARDS["compas"])
    view = CardView(card, chart_prefix="c-charts/")
    out = render_markdown(card, "card", chart_prefix="c-charts/")
    images = _images(str(out.content))
    assert images and {src for src, _ in images} == set(out.sidecars)
    for src, alt in images:
        chart_id = src.removeprefix("c-charts/").removesuffix(".svg")
        assert alt == view.chart_alt(chart_id) and len(alt) > 40
    # each chart says what it shows: a fairness chart names its groups with disparity, interval, verdict, n
    alts = " ".join(alt for _, alt in images)
    assert "African-American 0.20 [0.17, 0.24] fail, n=1,514" in alts
    assert view.chart_alts and all(re.search(r"\d\.\d\d \[", alt) for alt in view.chart_alts.values())
    fpr = view.chart_alt("fairness-fpr")  # every chart the view draws has its alt text, shown or not
    for r in card.fairness.results:
        if r.metric == "fpr":
            assert " × ".join(str(v) for v in r.group.values()) in fpr


def test_alt_text_with_brackets_and_pipes_stays_one_image():
    data = load_card(CARDS["compas"]).model_dump(mode="json", exclude_none=True)
    for r in data["fairness"]["results"]:
        r["group"] = {k: f"{v} ]([x](javascript:alert(1)) |" for k, v in r["group"].items()}
    card = ModelCard.model_validate(data)
    out = render_markdown(card, "card", chart_prefix="c-charts/")
    images = _images(str(out.content))
    assert len(images) == len(out.sidecars) and all(src in out.sidecars for src, _ in images)
    assert not [h for h in _links(str(out.content)) if h.lower().startswith("javascript")]


# --------------------------------------------------------------------------
# inlined charts


def test_inline_charts_are_our_own_svgs_as_data_images():
    card = load_card(CARDS["compas"])
    view = CardView(card)
    sidecar = render_markdown(card, "card", chart_prefix="c-charts/")
    out = render_markdown(card, "card", inline_charts=True)
    assert out.sidecars == {}
    images = _images(str(out.content))
    assert len(images) == len(sidecar.sidecars)
    for src, alt in images:
        assert src.startswith(DATA_SVG)
        svg = base64.b64decode(src[len(DATA_SVG) :]).decode("utf-8")
        chart_id = next(k for k, v in view.charts.items() if v == svg)
        assert alt == view.chart_alt(chart_id)
    assert f'<img src="{DATA_SVG}' in str(out.content) and "![" not in str(out.content)
    # the same through render() and the ModelCard facade
    assert render(card, "md", inline_charts=True).content == out.content
    assert card.render("md", inline_charts=True) == out.content


def test_inline_charts_refused_where_they_mean_nothing():
    card = load_card(CARDS["compas"])
    with pytest.raises(UsageError) as exc:
        render(card, "html", inline_charts=True)
    assert exc.value.option == "inline_charts"
    with pytest.raises(UsageError) as exc:
        render_markdown(card, "card", chart_prefix="c-charts/", inline_charts=True)
    assert exc.value.option == "inline_charts"


def test_data_links_in_card_text_stay_refused_when_charts_are_inlined():
    data = load_card(CARDS["compas"]).model_dump(mode="json", exclude_none=True)
    data["model"]["description"] = (
        "![x](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=) "
        '<img src="data:image/png;base64,AAAA"> '
        "[y](data:text/html;base64,PHNjcmlwdD4=) "
        "[z](DATA:image/svg+xml;base64,PHN2Zz4=)"
    )
    card = ModelCard.model_validate(data)
    text = str(render_markdown(card, "card", inline_charts=True).content)
    ours = set(CardView(card).charts.values())
    for src, _ in _images(text):
        assert src.startswith(DATA_SVG) and base64.b64decode(src[len(DATA_SVG) :]).decode() in ours
    assert not [h for h in _links(text) if h.lower().startswith("data:")]
    assert "&lt;img src=" in text  # the card's raw HTML is shown as text
    # without inlining, no data: image at all
    assert not [s for s, _ in _images(str(render_markdown(card, "card").content)) if s.lower().startswith("data:")]


def test_a_template_cannot_inline_what_the_renderer_did_not_draw(tmp_path):
    (tmp_path / "card.md.j2").write_text(
        '{{ {"chart_id": "nope", "alt": "a", "path": "javascript:alert(1)"} | chart_image }}\n'
        '{{ {"chart_id": "fairness-fpr", "alt": "<b>\\"x\\"</b>", "path": ""} | chart_image }}\n',
        encoding="utf-8",
    )
    card = load_card(CARDS["compas"])
    text = str(render_markdown(card, "card", template_dir=tmp_path, inline_charts=True).content)
    images = _images(text)
    assert len(images) == 1 and images[0][0].startswith(DATA_SVG)  # the real chart, by its id
    assert html.unescape(images[0][1]) == '<b>"x"</b>' and "<b>" not in text
    assert not [h for h in _links(text) if "javascript" in h.lower()]
