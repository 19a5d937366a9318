"""The long card (issue 14): a summary first, the body, then appendices of per-group tables.

The view (:class:`modelcard.render.view.CardView`) decides what the summary shows -- verdict counts, the
largest disparities, the release requirements as ``modelcard gate`` judges them, the uses in brief --
and lays every group's numbers out in the appendices, so that nothing the card holds is left out.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from modelcard.card.validate import load_card
from modelcard.cli import main
from modelcard.render import render_html, render_markdown
from modelcard.render.view import (
    APPENDIX_FAIRNESS,
    APPENDIX_METRICS,
    APPENDIX_SPREADS,
    CardView,
    anchor,
    disparity_size,
    worst_first,
)
from modelcard.report import fmt
from modelcard.schema.models import ModelCard

ROOT = Path(__file__).resolve().parents[2]
CARDS = ROOT / "tests" / "data" / "render" / "cards"
COMPAS = CARDS / "compas.yaml"


def _compas() -> ModelCard:
    return load_card(COMPAS)


def _with_results(card: ModelCard, changes: list[dict[str, Any]]) -> ModelCard:
    """The card with its first fairness results changed (disparities, thresholds, verdicts), the rest dropped."""
    assert card.fairness is not None and card.fairness.results
    base = card.fairness.results[0]
    results = []
    for i, change in enumerate(changes):
        d = dict(base.model_dump(exclude_none=True))
        d["group"] = {"race": f"group {i}"}
        d.update(change)
        results.append(d)
    data = card.model_dump(exclude_none=True, by_alias=True)
    data["fairness"]["results"] = results
    data["fairness"].pop("spreads", None)
    return ModelCard.model_validate(data)


def _difference(value: float, lo: float, hi: float) -> dict[str, Any]:
    return {"difference": {"value": value, "confidence_interval": {"lower": lo, "upper": hi}}}


def _ratio(value: float, lo: float, hi: float) -> dict[str, Any]:
    return {"ratio": {"value": value, "confidence_interval": {"lower": lo, "upper": hi}}}


def _summary(view: CardView) -> Any:
    return next(s for s in view.sections if s.id == "summary")


def _blocks(record: Any) -> list[Any]:
    """Every block under a section or group, depth first."""
    out = []
    for b in record.blocks:
        out.append(b)
        if b.kind in ("group", "columns"):
            out += _blocks(b)
    return out


def _table(section: Any, title: str) -> Any:
    return next(b for b in _blocks(section) if b.kind == "table" and "".join(p[1] for p in b.title).startswith(title))


def _cell_text(lines: Any) -> str:
    return " / ".join("".join(p[1] for p in line) for line in lines)


# --------------------------------------------------------------------------
# the largest disparities


def test_disparity_size_is_the_distance_from_parity():
    assert disparity_size("difference", -0.3) == pytest.approx(0.3)
    assert disparity_size("ratio", 0.5) == pytest.approx(disparity_size("ratio", 2.0))
    assert disparity_size("ratio", 0.0) == float("inf")
    assert disparity_size("difference", None) is None


def test_the_worst_disparity_is_the_largest_difference():
    card = _with_results(
        _compas(),
        [
            {"disparity": _difference(0.15, 0.11, 0.19), "verdict": "fail"},
            {"disparity": _difference(-0.31, -0.36, -0.25), "verdict": "fail"},
            {"disparity": _difference(0.22, 0.16, 0.27), "verdict": "fail"},
        ],
    )
    view = CardView(card)
    picked, _ = view.largest
    assert picked[0] == 1  # |-0.31| is the largest
    rows = _table(_summary(view), "Largest disparities").rows
    assert _cell_text(rows[0][0][3][1]) == "-0.310 [-0.360, -0.250]"
    assert [_cell_text(r[0][1][1]) for r in rows] == ["group 1", "group 2", "group 0"]


def test_the_worst_ratio_is_the_one_furthest_from_one():
    ratio_band = {"convention": "ratio", "min": 0.8, "max": 1.25}
    card = _with_results(
        _compas(),
        [
            {"disparity": _ratio(2.5, 2.2, 2.8), "threshold": ratio_band, "verdict": "fail"},
            {"disparity": _ratio(0.3, 0.2, 0.4), "threshold": ratio_band, "verdict": "fail"},  # |ln 0.3| = 1.20
            {"disparity": _ratio(0.6, 0.5, 0.7), "threshold": ratio_band, "verdict": "fail"},
        ],
    )
    view = CardView(card)
    assert view.largest[0][0] == 1
    assert "ratio (group / reference)" in view.charts["fairness-largest-disparities"]


def test_failed_disparities_come_before_larger_unsettled_ones():
    card = _with_results(
        _compas(),
        [
            {"disparity": _difference(0.6, -0.2, 0.9), "verdict": "inconclusive"},  # larger, but not settled
            {"disparity": _difference(0.2, 0.15, 0.25), "verdict": "fail"},
            {"disparity": _difference(0.01, -0.02, 0.03), "verdict": "pass"},
        ],
    )
    assert worst_first(card.fairness.results) == [1, 0, 2]
    assert CardView(card).largest[0][:2] == [1, 0]


def test_summary_counts_verdicts_by_grouping():
    card = _compas()
    view = CardView(card)
    tally = _table(_summary(view), "Verdicts")
    rows = {_cell_text(cells[0][1]): [_cell_text(c[1]) for c in cells[1:]] for cells, _ in tally.rows}
    results = card.fairness.results
    assert rows["all"][0] == str(len(results))
    by_race = [r for r in results if list(r.group) == ["race"]]
    assert rows["groups by race"][0] == str(len(by_race))
    header = [c.label for c in tally.columns]
    fails = sum(1 for r in by_race if r.verdict == "fail")
    assert rows["groups by race"][header.index("✗ fail") - 1] == str(fails)


# --------------------------------------------------------------------------
# release requirements: the gate's verdicts, not a second rule


def test_requirement_counts_agree_with_modelcard_gate(tmp_path, capsys):
    text = COMPAS.read_text(encoding="utf-8")
    extra = (
        "    - metric: fpr\n      max: 0.2\n"  # overall fpr 0.303: fail
        "    - metric: auc\n      min: 0.7\n"  # not reported: missing
        "    - metric: accuracy\n      min: 0.66\n      basis: confidence_interval\n"  # [0.649, 0.672]: inconclusive
        "    - metric: accuracy\n      all_slices: true\n      min: 0.6\n"  # every slice
    )
    card_path = tmp_path / "card.yaml"
    card_path.write_text(text.replace("  requirements:\n", "  requirements:\n" + extra, 1), encoding="utf-8")
    assert main(["gate", str(card_path), "--format", "json"]) == 1  # the gate fails: requirements block it
    gated = json.loads(capsys.readouterr().out)
    checks = [c for c in gated["checks"] if c["kind"] == "requirement"]
    assert {c["verdict"] for c in checks} >= {"pass", "fail", "missing", "inconclusive"}

    view = CardView(load_card(card_path))
    summary = _summary(view)
    rows = next(b for b in _blocks(summary) if b.kind == "table" and b.columns[0].label == "Requirement").rows
    assert len(rows) == len(checks)
    shown = [_cell_text(cells[-1][1]).split(" / ")[0].split(" ")[-1] for cells, _ in rows]
    words = {"not run": "not_run"}
    assert sorted(words.get(v, v) for v in shown) == sorted(c["verdict"] for c in checks)
    met = sum(c["verdict"] == "pass" for c in checks)
    missed = sum(c["verdict"] in ("fail", "missing") for c in checks)
    headline = next(b for b in _blocks(summary) if b.kind == "facts" and b.facts[0].label == "Requirements")
    assert _cell_text(headline.facts[0].lines).startswith(f"{met} of {len(checks)} met, {missed} not met")


# --------------------------------------------------------------------------
# the appendices: every number, in compact tables, linked from the body


@pytest.mark.parametrize("path", [COMPAS, ROOT / "examples" / "compas-recidivism.yaml"], ids=["fixture", "example"])
def test_every_number_of_the_card_is_in_the_markdown(path):
    card = load_card(path)
    md = render_markdown(card, "card").content
    missing = []
    for m in card.metrics or []:
        ci = m.confidence_interval
        expected = [fmt.num(m.value)] + ([fmt.interval(ci)] if ci is not None else [])
        missing += [(m.name, m.slice, x) for x in expected if x not in md]
    for r in card.fairness.results:
        assert r.disparity is not None
        for conv in ("difference", "ratio"):
            d = getattr(r.disparity, conv)
            if d is not None:  # undefined: the reason is in a note
                text = fmt.disparity_text(conv, d) if d.value is not None else d.undefined_reason
                missing += [(r.metric, r.group, text)] if text not in md else []
        if r.value is not None:  # in its cell, or in Appendix A when the card has the metric for the group
            for x in (fmt.num(r.value), fmt.interval(r.confidence_interval), fmt.num(r.reference_value)):
                missing += [(r.metric, r.group, x)] if x not in md else []
    for s in card.fairness.spreads or []:
        for d in (s.difference, s.ratio):
            if d is not None and fmt.value_text(d) not in md:
                missing.append((s.metric, s.attributes, fmt.value_text(d)))
    assert not missing


def test_appendix_tables_hold_each_group_once_and_metrics_across():
    view = CardView(_compas())
    appendix = next(s for s in view.sections if s.title == APPENDIX_METRICS)
    tables = [b for b in _blocks(appendix) if b.kind == "table"]
    sliced = [m for m in view.card.metrics if m.slice]
    groups = {fmt.group_values(m.slice) for m in sliced}
    for t in tables:
        assert t.columns[0].label == "Group"
        heads = [_cell_text(cells[0][1]) for cells, _ in t.rows]
        assert len(heads) == len(groups)
    cells = sum(1 for t in tables for cells, _ in t.rows for _, lines in cells[1:] if lines)
    assert cells == len(sliced)


def test_notes_are_said_once_and_restated_verdicts_dropped():
    card = _compas()
    results = card.fairness.results
    data = card.model_dump(exclude_none=True, by_alias=True)
    judged = CardView(card).judged  # THE rule's judgements (modelcard's verdicts module), as the view has them
    for i, r in enumerate(data["fairness"]["results"]):
        reason = judged.member(("fairness", "results", i)).judgement.reason
        r["notes"] = f"Reference group given by the user. Verdict: {reason}."
    data["fairness"]["results"][0]["notes"] += " Checked by hand."
    view = CardView(ModelCard.model_validate(data))
    md = render_markdown(view.card, "card").content
    appendix = md.split(f"## {APPENDIX_FAIRNESS}", 1)[1]
    assert appendix.count("Reference group given by the user.") == 1  # said once, for the table
    assert "Verdict: the interval" not in appendix  # restates what the cell shows, by the same rule
    assert "Checked by hand." in appendix
    assert len(results) > 1


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"] or "")
        if tag == "a" and (a.get("href") or "").startswith("#"):
            self.hrefs.append((a["href"] or "")[1:])


def test_links_to_the_appendices_resolve_in_html_and_markdown():
    card = _compas()
    parser = _Links()
    parser.feed(render_html(card, "card").content)
    targets = {anchor(APPENDIX_METRICS), anchor(APPENDIX_FAIRNESS), anchor(APPENDIX_SPREADS)} & set(parser.hrefs)
    assert anchor(APPENDIX_FAIRNESS) in targets and anchor(APPENDIX_METRICS) in targets
    assert set(parser.hrefs) <= parser.ids
    md = render_markdown(card, "card").content
    # Markdown: GitHub's heading anchors are the ids the links name
    for target in re.findall(r"\]\(#([^)]+)\)", md):
        heading = next(
            (h for h in re.findall(r"^#{2,4} (.+)$", md, re.M) if anchor(re.sub(r"[*`]", "", h)) == target), None
        )
        assert heading is not None, target


def test_summary_and_appendices_only_for_cards_with_results():
    minimal = load_card(CARDS / "minimal.yaml")
    ids = [s.id for s in CardView(minimal).sections]
    assert "summary" not in ids and anchor(APPENDIX_FAIRNESS) not in ids
    compas = CardView(_compas())
    compas_ids = [s.id for s in compas.sections]
    assert compas_ids[0] == "summary"
    assert compas_ids[-2:] == [anchor(APPENDIX_METRICS), anchor(APPENDIX_FAIRNESS)]  # the card has no spreads
    assert [s.css for s in compas.sections].count("appendix") == 2


# --------------------------------------------------------------------------
# Hugging Face-style sections


@pytest.mark.parametrize("kind", ["md", "html"])
def test_how_to_use_and_training_details_render(kind):
    card = load_card(CARDS / "small-gpai.yaml")
    assert card.usage is not None and card.training is not None
    out = (render_markdown(card, "card") if kind == "md" else render_html(card, "card")).content
    out = out.replace("&#34;", '"').replace("&#39;", "'").replace("&quot;", '"')
    for heading in ("How to use", "Training details", "Hyperparameters"):
        assert heading in out
    assert 'AutoTokenizer.from_pretrained("lumen-labs/lumen-1.4b-instruct")' in out
    assert "learning_rate" in out and "Procedure" in out and "Design choices" in out
    assert "hardware-days" in out and "FLOP" in out
    # Hugging Face's order: how to use right after the uses, training before the evaluation
    assert out.index("How to use") < out.index("Training details") < out.index("Test methodology")


def test_appendix_headers_are_escaped_and_repeated_items_kept():
    """Metric names are card text: in a Markdown table header a ``|`` is escaped and HTML is inert.  A card
    holding the same result twice gets both in the appendix (a row each), not one silently dropped."""
    data = _compas().model_dump(mode="json", exclude_none=True, by_alias=True)
    for m in data["metrics"]:
        if m.get("slice"):
            m["name"] = "acc|<b>x</b>"
    data["fairness"]["results"].append(dict(data["fairness"]["results"][0], notes="The second measurement."))
    card = ModelCard.model_validate(data)
    md = render_markdown(card, "card").content
    header = next(line for line in md.splitlines() if line.startswith("| Group | acc"))
    assert header == "| Group | acc\\|&lt;b>x&lt;/b> |"
    assert "<b>" not in render_html(card, "card").content.split("<main>", 1)[1]
    appendix = md.split(f"## {APPENDIX_FAIRNESS}", 1)[1]
    assert appendix.count("❌ +0.203 [0.169, 0.236]") == 2 and "The second measurement." in appendix


@pytest.mark.parametrize("drop", ["results", "spreads", "both"])
def test_no_link_points_to_a_missing_appendix(drop):
    data = load_card(ROOT / "examples" / "compas-recidivism.yaml").model_dump(
        mode="json", by_alias=True, exclude_unset=True
    )
    for key in ("results", "spreads") if drop == "both" else (drop,):
        data["fairness"].pop(key, None)
    parser = _Links()
    parser.feed(render_html(ModelCard.model_validate(data), "card").content)
    assert parser.hrefs and set(parser.hrefs) <= parser.ids
