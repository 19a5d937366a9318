"""Red-team review of session 2 (full-card summary, scorecard decision and sign-off, Markdown charts):
reproducers of what the review found, each checked against ``modelcard gate`` or the written rule."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from markdown_it import MarkdownIt

from modelcard.analysis.gate import gate_card
from modelcard.render import render_html, render_markdown
from modelcard.render.view import CRITERIA_CHART, SUMMARY_CHART, CardView
from modelcard.safe_text import neutralise
from modelcard.schema.models import ModelCard
from modelcard.schema.verdicts import judge_card

ROOT = Path(__file__).resolve().parents[2]
COMPAS = ROOT / "tests" / "data" / "render" / "cards" / "compas.yaml"
MD = MarkdownIt("commonmark").enable("table")
BAND = {"convention": "difference", "min": -0.1, "max": 0.1}


def _result(group: str, low: float, high: float, verdict: str, *, metric: str = "fpr", n: int = 400) -> dict[str, Any]:
    return {
        "metric": metric,
        "group": {"g": group},
        "reference_group": {"g": "ref"},
        "value": 0.3,
        "n": n,
        "disparity": {"difference": {"value": (low + high) / 2, "confidence_interval": {"lower": low, "upper": high}}},
        "threshold": BAND,
        "verdict": verdict,
    }


def _card(fairness: dict[str, Any]) -> ModelCard:
    return ModelCard.model_validate(
        {"card": {"schema_version": "1.1"}, "model": {"name": "m", "version": "1"}, "fairness": fairness}
    )


def _gate_verdicts(card: ModelCard, kind: str) -> list[str]:
    return [c.verdict for c in gate_card(card).checks if c.kind == kind]


# --------------------------------------------------------------------------
# the page shows the verdicts the release decision counts


def test_a_result_stated_not_run_is_shown_as_the_gate_judges_it():
    """A card may state ``not_run`` on a result that has a threshold and its interval (validate accepts it);
    ``gate`` judges it from the numbers (here: fail).  The summary, the tally and the scorecard's rows must
    say the same, not rank the one failure last as "not run" under a decision that it blocks."""
    card = _card({"results": [_result("b", -0.2, 0.3, "inconclusive"), _result("a", 0.3, 0.7, "not_run", n=1)]})
    assert _gate_verdicts(card, "fairness") == ["inconclusive", "fail"]
    view = CardView(card)
    assert view.verdict_counts["fail"] == 1 and view.verdict_counts["not_run"] == 0
    assert view.largest[0][0] == 1  # the failure is the worst disparity
    scorecard = str(render_markdown(card, "scorecard").content)
    row = next(line for line in scorecard.splitlines() if line.startswith("| **fpr** | a |"))
    assert "fail" in row and "not run" not in row
    assert "Release blocked" in scorecard and "1 fail" in scorecard
    # the family stays the one ``gate`` states (a stated not_run is not part of it)
    assert view.judged.family_size == judge_card(card).family_size == gate_card(card).verdicts.family_size


def test_a_spread_with_a_threshold_and_no_verdict_is_in_the_summary():
    """``gate`` judges a spread that has a threshold and no stated verdict (here: fail, blocking the
    release); the full card's summary must count it instead of saying "no verdicts"."""
    spread = {
        "metric": "fpr",
        "attributes": ["race"],
        "max_group": {"race": "a"},
        "min_group": {"race": "b"},
        "difference": {"value": 0.4, "confidence_interval": {"lower": 0.3, "upper": 0.5}},
        "threshold": {"convention": "difference", "max": 0.1},
    }
    card = _card({"spreads": [spread]})
    assert _gate_verdicts(card, "spread") == ["fail"]
    view = CardView(card)
    assert view.summary_section is not None
    text = str(render_markdown(card, "card").content)
    assert "no verdicts" not in text
    summary = text.split("## Summary", 1)[1].split("\n## ", 1)[0]
    assert re.search(r"best versus worst group\*\* \| 1 \| 1 \|", summary), summary


# --------------------------------------------------------------------------
# chart captions say what the chart draws


def _mixed_card() -> ModelCard:
    def ratio(group: str, value: float, low: float, high: float, verdict: str) -> dict[str, Any]:
        return {
            "metric": "sel",
            "group": {"g": group},
            "reference_group": {"g": "ref"},
            "value": 0.3,
            "n": 100,
            "disparity": {"ratio": {"value": value, "confidence_interval": {"lower": low, "upper": high}}},
            "threshold": {"convention": "ratio", "min": 0.8, "max": 1.25},
            "verdict": verdict,
        }

    return _card(
        {
            "results": [
                _result("a", 0.2, 0.4, "fail"),
                _result("b", 0.2, 0.3, "fail"),
                ratio("c", 0.5, 0.4, 0.6, "fail"),
                ratio("d", 0.0, 0.0, 0.1, "fail"),
                ratio("e", 3.0, 2.0, 4.0, "fail"),
            ]
        }
    )


def _captions(page: str) -> dict[str, str]:
    """Each chart's figure caption in an HTML page, by the chart's id."""
    out = {}
    for figure in re.findall(r"<figure.*?</figure>", page, re.S):
        ids = re.findall(r'aria-labelledby="([\w-]+)-title', figure)
        caption = re.search(r"<figcaption[^>]*>(.*?)</figcaption>", figure, re.S)
        if ids and caption:
            out[ids[0]] = html.unescape(re.sub(r"<[^>]+>", "", caption.group(1)))
    return out


def _rows_drawn(svg: str) -> int:
    return len(re.findall(r'class="[^"]*c-dot"', svg))


def test_summary_chart_caption_counts_the_rows_it_draws():
    """With results in both conventions a chart draws one (a single axis); its caption must not claim
    the rows it leaves out (2 failed differences here) and must say where they are."""
    card = _mixed_card()
    view = CardView(card)
    drawn = _rows_drawn(view.charts[SUMMARY_CHART])
    assert drawn == 3 and len(view.largest[0]) == 5
    caption = _captions(str(render_html(card).content))[SUMMARY_CHART]
    assert f"chart draws {drawn};" in caption and "other 2 differences" in caption, caption


def test_criteria_chart_caption_names_the_metrics_it_leaves_out():
    card = _mixed_card()
    view = CardView(card)
    assert _rows_drawn(view.charts[CRITERIA_CHART]) == 3  # sel only: fpr's differences are not on the axis
    caption = _captions(str(render_html(card).content))[CRITERIA_CHART]
    assert "fpr" in caption, caption


# --------------------------------------------------------------------------
# alt text is the chart's description, character for character


def test_markdown_alt_text_is_literal_whatever_the_group_names():
    data = yaml.safe_load(COMPAS.read_text(encoding="utf-8"))
    names = ["a `b", "*c* _d_", "<b>e</b> &amp; f", "g ~~h~~ \\ [i]"]
    for i, r in enumerate(data["fairness"]["results"]):
        r["group"] = {k: f"{v} {names[i % len(names)]}" for k, v in r["group"].items()}
    card = ModelCard.model_validate(data)
    view = CardView(card, chart_prefix="c-charts/")
    text = str(render_markdown(card, "card", chart_prefix="c-charts/").content)
    images = []
    for tok in MD.parse(text):
        for child in tok.children or []:
            if child.type == "image":
                alt = MD.renderer.renderInlineAsText(child.children or [], MD.options, {})
                images.append((str(child.attrGet("src")), alt))
    assert images
    for src, alt in images:
        chart_id = src.removeprefix("c-charts/").removesuffix(".svg")
        assert alt == neutralise(view.chart_alt(chart_id))
    # and no raw HTML from card text in the document
    assert "<b>" not in text


# --------------------------------------------------------------------------
# cost: finding a member of a card's verdicts


class _CountingList(list):  # type: ignore[type-arg]
    scans = 0

    def __iter__(self):  # type: ignore[no-untyped-def]
        type(self).scans += 1
        return super().__iter__()


def test_card_verdicts_member_does_not_scan_every_member_per_lookup():
    """``gate`` looks up each result's member once; a linear scan each time made gating and rendering
    quadratic in the number of results (6,000 results: about a second in lookups alone)."""
    card = _card({"results": [_result(f"g{i}", -0.05, 0.05, "pass") for i in range(50)]})
    judged = judge_card(card)
    judged.members = _CountingList(judged.members)
    _CountingList.scans = 0
    for m in list.__iter__(judged.members):
        assert judged.member(m.path) is m
    assert _CountingList.scans <= 2
    assert judged.member(("fairness", "results", 999)) is None
