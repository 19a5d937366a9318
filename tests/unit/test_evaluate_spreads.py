"""`modelcard evaluate` spreads: the small-sample flag and note, layering, and how cards render them."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from modelcard.card.layering import merge
from modelcard.card.validate import validate_data
from modelcard.evaluation.pipeline import evaluate
from modelcard.io.source import loads
from modelcard.render import render_html, render_markdown
from modelcard.schema.models import GroupSpread


def cells(tp, fp, fn, tn):
    """(labels, predictions) with exactly these confusion counts."""
    y = [1] * tp + [0] * fp + [1] * fn + [0] * tn
    p = [1] * tp + [1] * fp + [0] * fn + [0] * tn
    return y, p


def data():
    """g=a: n 100, selection 0.5, accuracy 0.9; g=b: n 100, 0.3, 0.6; g=tiny: n 5, 0.8, 0.8."""
    y, p, g = [], [], []
    for name, counts in (("a", (45, 5, 5, 45)), ("b", (20, 10, 30, 40)), ("tiny", (3, 1, 0, 1))):
        yy, pp = cells(*counts)
        y += yy
        p += pp
        g += [name] * len(yy)
    return {"y": np.array(y), "p": np.array(p), "g": np.array(g)}


#: the rates of the first release, which the rendering tests below count
SEVEN = ["selection_rate", "accuracy", "tpr", "fnr", "fpr", "tnr", "precision"]


def run(columns, **options):
    options.setdefault("metrics", SEVEN)
    return evaluate(
        columns, label="y", prediction="p", score="s" if "s" in columns else None, sensitive=["g"], **options
    ).to_data()


def spreads(fragment):
    return {s["metric"]: s for s in fragment["fairness"]["spreads"]}


@pytest.fixture(scope="module")
def fragment():
    return run(data(), thresholds={"all": {"convention": "difference", "max": 0.5}})


def test_spread_of_a_small_max_group_is_flagged_with_a_note_naming_it(fragment):
    sp = spreads(fragment)["selection_rate"]
    assert (sp["max_group"], sp["min_group"]) == ({"g": "tiny"}, {"g": "b"})
    assert sp["small_sample"] is True
    assert sp["notes"] == ("Small sample (below the minimum group size of 30): the max group g=tiny (n = 5).")
    assert "g=b" not in sp["notes"]  # the large min group is not named


def test_spread_between_large_groups_is_not_flagged_even_when_a_small_group_exists(fragment):
    sp = spreads(fragment)["accuracy"]
    assert (sp["max_group"], sp["min_group"]) == ({"g": "a"}, {"g": "b"})  # tiny (0.8) lies in between
    assert sp["small_sample"] is False
    assert "notes" not in sp


def test_flag_uses_the_metric_denominator_and_every_spread_has_it(fragment):
    for sp in fragment["fairness"]["spreads"]:
        assert isinstance(sp["small_sample"], bool)
        assert sp["small_sample"] == ("notes" in sp)
    # fpr of tiny is 1/2 (2 negatives): its n in the note is the denominator, not the group size
    fpr = spreads(fragment)["fpr"]
    assert fpr["max_group"] == {"g": "tiny"} and "g=tiny (n = 2)" in fpr["notes"]


def test_both_small_groups_named_and_min_group_size_zero_flags_nothing():
    frag = run(data(), min_group_size=101)
    sp = spreads(frag)["accuracy"]
    assert sp["notes"] == (
        "Small sample (below the minimum group size of 101): the max group g=a (n = 100) "
        "and the min group g=b (n = 100)."
    )
    none = run(data(), min_group_size=0)
    assert all(s["small_sample"] is False and "notes" not in s for s in none["fairness"]["spreads"])


def test_auc_note_gives_the_smaller_class():
    d = data()
    y, p = d["y"], d["p"]
    scores = np.where(p == 1, 0.8, 0.2) + np.linspace(0, 0.01, y.size)
    tiny = d["g"] == "tiny"
    scores[tiny] = y[tiny]  # a perfect ranking: tiny has the largest AUC (1.0)
    frag = run(d | {"s": scores}, metrics=["auc"])
    (sp,) = frag["fairness"]["spreads"]
    assert sp["max_group"] == {"g": "tiny"} and sp["small_sample"] is True
    # 5 rows, 3 positives and 2 negatives: the smaller class is what is compared with the minimum
    assert sp["notes"] == (
        "Small sample (below the minimum group size of 30): the max group g=tiny (n = 5, 2 in the smaller class)."
    )


def test_undefined_spread_is_not_flagged():
    # tpr is undefined for every group but one: no max/min group, so nothing is small
    y = np.array([1, 0, 0, 0] + [0] * 40)
    p = np.array([1, 0, 1, 0] + [0] * 40)
    g = np.array(["a"] * 4 + ["b"] * 40)
    (sp,) = run({"y": y, "p": p, "g": g}, metrics=["tpr"])["fairness"]["spreads"]
    assert sp["difference"]["value"] is None and sp["small_sample"] is False and "notes" not in sp


def test_schema_fields_are_optional_and_typed():
    assert GroupSpread.model_validate({"metric": "fpr", "attributes": ["race"]}).small_sample is None
    sp = GroupSpread.model_validate(
        {"metric": "fpr", "attributes": ["race"], "small_sample": True, "notes": "Few *Asian* defendants."}
    )
    assert sp.small_sample is True and sp.notes.startswith("Few")
    with pytest.raises(Exception):
        GroupSpread.model_validate({"metric": "fpr", "attributes": ["race"], "small_sample": "maybe"})
    with pytest.raises(Exception):
        GroupSpread.model_validate({"metric": "fpr", "attributes": ["race"], "notes": ""})


# --------------------------------------------------------------------------
# layering: a fresh measurement replaces the flag and the note


BASE = """
card: {schema_version: "1.1"}
model: {name: m, version: "1"}
fairness:
  spreads:
  - metric: accuracy
    attributes: [g]
    max_group: {g: tiny}
    min_group: {g: b}
    difference: {value: 0.4}
    small_sample: true
    notes: Small sample (below the minimum group size of 30) the max group g=tiny (n = 3).
    threshold: {convention: difference, max: 0.5, rationale: Agreed with the review board.}
    verdict: pass
"""


def test_fresh_spread_measurement_drops_stale_flag_and_note_but_keeps_threshold(fragment):
    overlay = loads(yaml.safe_dump({"fairness": {"spreads": fragment["fairness"]["spreads"]}}), "frag.yaml")
    merged = merge(loads(BASE, "base.yaml"), overlay)
    (acc,) = [s for s in merged.data["fairness"]["spreads"] if s["metric"] == "accuracy"]
    assert acc["small_sample"] is False
    assert "notes" not in acc  # the old note named a group that is no longer the max group
    assert acc["threshold"]["rationale"] == "Agreed with the review board."
    card, diagnostics = validate_data(merged.data, "merged")
    assert card is not None and not [d for d in diagnostics if d.severity == "error"], diagnostics


# --------------------------------------------------------------------------
# rendering: flagged, not hidden


@pytest.fixture(scope="module")
def card(fragment):
    data = {"card": {"schema_version": "1.1"}, "model": {"name": "m", "version": "1"}} | {
        k: v for k, v in fragment.items() if k != "x-evaluate"
    }
    card, diagnostics = validate_data(data, "card")
    assert card is not None, diagnostics
    return card


def _md_table(text: str, heading: str, first: str) -> list[list[str]]:
    """The rows (cells without bold markup) of the first table under ``heading`` whose header starts ``first``."""
    part = text[text.index(heading) :]
    lines = part.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(f"| {first} |"))
    rows = []
    for line in lines[at + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([c.strip().replace("**", "") for c in line.strip("|").split("|")])
    header = [c.strip() for c in lines[at].strip("|").split("|")]
    return [header, *rows]


def test_markdown_card_flags_small_spreads_metrics_and_results(card):
    text = render_markdown(card).content
    # Appendix C, best versus worst group: the selection_rate spread (max group tiny, n = 5) carries the
    # small-sample mark and a footnote naming the group; the accuracy spread (groups a and b) does not
    header, row = _md_table(text, "## Appendix C", "Across")
    spread = dict(zip(header, row))
    assert spread["Across"] == "g"
    assert spread["selection_rate"].split("<br>")[0].endswith("¹ †")
    assert "†" not in spread["accuracy"]
    assert "¹ the max group g=tiny (n = 5)." in text
    assert "Small sample (below the minimum group size of 30):" in text
    # Appendix A, metrics by group: the small group's row says so under its name, the others do not
    header, *rows = _md_table(text, "## Appendix A", "Group")
    by_group = {r[0].split("<br>")[-2]: r for r in rows}
    assert by_group["tiny"][0].endswith("n=5 (small sample)")
    assert by_group["tiny"][header.index("selection_rate")].startswith("0.800<br>")
    assert not any("small sample" in c or "†" in c for g in ("a", "b") for c in by_group[g])
    # Appendix B, fairness results: every result of tiny (7 metrics) is marked, none of b's
    header, *rows = _md_table(text, "## Appendix B", "Group")
    results = {r[0].split("<br>")[-2]: r[1:] for r in rows}
    assert len(results["tiny"]) == len(results["b"]) == 7
    assert all("†" in c for c in results["tiny"]) and not any("†" in c for c in results["b"])


def test_html_card_flags_small_spreads(card):
    html = render_html(card).content
    appendix = html[html.index('<h2 id="h-appendix-c-best-versus-worst-group">') :]
    table = appendix[: appendix.index("</table>")]
    rows = [r for r in table.split("<tr>") if r.startswith('<th scope="row">')]
    assert len(rows) == 1
    cells = rows[0].split("<td")[1:]
    header = [h.split("</th>")[0].split(">")[-1] for h in table.split('<th scope="col"')[1:]]
    by_metric = dict(zip(header[1:], cells))
    assert "†" in by_metric["selection_rate"] and "†" not in by_metric["accuracy"]
    assert "<strong>Small sample (below the minimum group size of 30):</strong> ¹ the max group g=tiny (n = 5)." in html
    assert ".flag-small {" in html  # styled, not only present
