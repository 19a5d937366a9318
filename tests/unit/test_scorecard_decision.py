"""The scorecard's release decision (gate's rule), per-row n and small-sample flags, the family of
comparisons, and the review sign-off fields: schema, validation and rendering."""

from __future__ import annotations

import copy
import json
import re
from html import unescape
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from markdown_it import MarkdownIt

from modelcard.analysis.gate import gate_card
from modelcard.card.validate import load_card, validate_data
from modelcard.evaluation.options import DEFAULT_MIN_GROUP_SIZE, EvaluateOptions, is_small_sample
from modelcard.render import render_html, render_markdown
from modelcard.render.view import CardView
from modelcard.schema.jsonschema import schema_text
from modelcard.schema.models import ModelCard
from modelcard.schema.verdicts import judge_card

ROOT = Path(__file__).resolve().parents[2]
COMPAS = ROOT / "tests" / "data" / "render" / "cards" / "compas.yaml"


def _result(group: str, verdict: str, *, low: float, high: float, n: int | None = 400, **extra: Any) -> dict[str, Any]:
    """A fairness result whose stated verdict is the rule's for a band of ±0.1 on the difference."""
    return {
        "metric": "fpr",
        "group": {"race": group},
        "reference_group": {"race": "ref"},
        "value": 0.3,
        "n": n,
        "reference_value": 0.3,
        "disparity": {"difference": {"value": (low + high) / 2, "confidence_interval": {"lower": low, "upper": high}}},
        "threshold": {"convention": "difference", "min": -0.1, "max": 0.1},
        "verdict": verdict,
        **extra,
    }


PASS = {"low": -0.05, "high": 0.05}
FAIL = {"low": 0.15, "high": 0.25}
INCONCLUSIVE = {"low": 0.05, "high": 0.15}


def _card(results: list[dict[str, Any]] | None = None, requirements: list[dict[str, Any]] | None = None, **card):
    data: dict[str, Any] = {"card": {"schema_version": "1.1", **card}, "model": {"name": "m", "version": "1"}}
    data["metrics"] = [
        {"name": "accuracy", "value": 0.8, "n": 1000, "confidence_interval": {"lower": 0.77, "upper": 0.83}}
    ]
    if results is not None:
        data["fairness"] = {"results": results}
    if requirements is not None:
        data["test_methodology"] = {"requirements": requirements}
    return ModelCard.model_validate(data)


def _md(card: ModelCard) -> str:
    return str(render_markdown(card, "scorecard").content)


def _html(card: ModelCard) -> str:
    return unescape(str(render_html(card, "scorecard").content))


# --------------------------------------------------------------------------
# the decision is gate's


@pytest.mark.parametrize(
    ("results", "requirements", "status", "label"),
    [
        ([_result("a", "pass", **PASS)], [{"metric": "accuracy", "min": 0.7}], "pass", "Cleared for release"),
        ([_result("a", "pass", **PASS), _result("b", "fail", **FAIL)], [], "fail", "Release blocked"),
        (
            [_result("a", "inconclusive", **INCONCLUSIVE)],
            [{"metric": "accuracy", "min": 0.7}],
            "fail",
            "Release blocked",
        ),
        ([_result("a", "pass", **PASS)], [{"metric": "accuracy", "min": 0.9}], "fail", "Release blocked"),
        ([_result("a", "pass", **PASS)], [{"metric": "auc", "min": 0.7}], "fail", "Release blocked"),  # missing
        ([_result("a", "pass", **PASS)], None, "pass", "Cleared for release"),  # no requirements
        (None, None, "empty", "No release decision"),  # nothing to check
    ],
    ids=["pass", "fail", "inconclusive", "requirement-missed", "requirement-missing", "no-requirements", "nothing"],
)
def test_decision_is_the_gates(results, requirements, status, label):
    card = _card(results, requirements)
    gate = gate_card(card)
    decision = CardView(card).decision()
    assert decision.status == status and decision.label == label
    assert gate.passed == (status == "pass") and gate.empty == (status == "empty")
    assert decision.outcome.lower() == gate.outcome.lower() + "."
    assert decision.checks == len(gate.checks) and decision.blocking == len(gate.blocking)
    md, html = _md(card), _html(card)
    assert f"**{decision.icon} {label}.** {decision.outcome}" in md
    assert f'class="decision-badge decision-{status}"' in html and label in html
    # the rule is stated next to the decision, in both formats
    assert gate.rule_text() in md and gate.rule_text() in html


def test_decision_words_for_inconclusive_and_for_a_card_without_requirements():
    card = _card([_result("a", "inconclusive", **INCONCLUSIVE)])
    md = _md(card)
    assert "1 of 1 checks block the release: 1 inconclusive." in md
    assert "Blocking: a fail, a requirement whose metric the card does not report, an inconclusive result" in md
    assert "The card states no release requirements: the decision rests on its fairness verdicts." in md
    with_req = _md(_card([_result("a", "pass", **PASS)], [{"metric": "accuracy", "min": 0.7, "all_slices": True}]))
    assert "The card states 1 release requirement (1 check)." in with_req
    assert "No release decision" in _md(_card()) and "Nothing to gate: the card has no fairness results" in _md(_card())


def test_rule_text_follows_the_gate_options():
    card = _card([_result("a", "inconclusive", **INCONCLUSIVE)])
    strict = gate_card(card).rule_text()
    lenient = gate_card(card, allow_inconclusive=True, allow_not_run=True, allow_empty=True, ci_must_clear=True)
    assert "an inconclusive result and a result not run" in strict and "Accepted" not in strict
    assert "Accepted: an inconclusive result and a result not run." in lenient.rule_text()
    assert "on its whole confidence interval" in lenient.rule_text() and lenient.passed
    assert "not cleared" in strict and "nothing to check is accepted" in lenient.rule_text()
    # the outcome (what cards show) gives no advice about options
    assert "allow" not in gate_card(card).outcome and gate_card(card).outcome.startswith("1 of 1 checks block")


def test_family_of_comparisons_is_shown_with_its_size():
    card = load_card(COMPAS)
    family = judge_card(card).family_size
    assert family == 16
    decision = CardView(card).decision()
    assert decision.family_size == family
    md, html = _md(card), _html(card)
    assert f"Family of comparisons: **{family}**." in md
    assert f"Family of comparisons: <strong>{family}</strong>" in html
    assert judge_card(card).family_text() in md
    # no verdicts judged against a threshold: no family line
    assert "Family of comparisons" not in _md(_card(None, [{"metric": "accuracy", "min": 0.7}]))


# --------------------------------------------------------------------------
# n and the small-sample flag per row


def test_small_sample_rule_has_one_home():
    assert EvaluateOptions().min_group_size == DEFAULT_MIN_GROUP_SIZE == 30
    assert is_small_sample(29) and not is_small_sample(30) and is_small_sample(30, 31)


def _fairness_rows(md: str) -> list[list[str]]:
    tokens = MarkdownIt("commonmark").enable("table").parse(md.split("## Fairness verdicts")[1])
    rows, row = [], None
    for tok in tokens:
        if tok.type == "tr_open":
            row = []
        elif tok.type == "inline" and row is not None:
            row.append(tok.content)
        elif tok.type == "tr_close":
            rows.append(row)
            row = None
    return rows


def test_rows_show_group_and_reference_n_and_the_small_sample_flag():
    results = [
        _result("small", "pass", **PASS, n=12),  # no flag in the card: the default rule flags it
        _result("said-not-small", "pass", **PASS, n=12, small_sample=False),  # the card's word stands
        _result("said-small", "pass", **PASS, n=500, small_sample=True),
        _result("large", "pass", **PASS, n=500),
        _result("no-n", "pass", **PASS, n=None),
    ]
    card = _card(results)
    data = card.model_dump(mode="json", exclude_none=True)
    data["metrics"] += [{"name": "fpr", "slice": {"race": "ref"}, "value": 0.3, "n": 2103}]
    card = ModelCard.model_validate(data)
    rows = _fairness_rows(_md(card))
    header, body = rows[0], {r[1]: r for r in rows[1:]}
    n = header.index("n (group / ref.)")
    assert body["small"][n] == "12 / 2,103 (small sample)"
    assert body["said-not-small"][n] == "12 / 2,103"
    assert body["said-small"][n] == "500 / 2,103 (small sample)"
    assert body["large"][n] == "500 / 2,103"
    assert body["no-n"][n] == "— / 2,103"
    md = _md(card)
    assert f"else n below {DEFAULT_MIN_GROUP_SIZE} (the evaluation's default minimum group size)" in md
    html = _html(card)
    assert html.count('class="flag-small"') >= 2
    # a reference group below the minimum flags the comparison too
    data["metrics"][-1]["n"] = 20
    rows = _fairness_rows(_md(ModelCard.model_validate(data)))
    assert {r[1]: r[n] for r in rows[1:]}["large"] == "500 / 20 (small sample)"


def test_headline_metrics_carry_the_flag():
    data = _card().model_dump(mode="json", exclude_none=True)
    data["metrics"][0]["n"] = 25
    md = _md(ModelCard.model_validate(data))
    assert "| 0.800 | [0.770, 0.830] | 25 (small sample) |" in md


# --------------------------------------------------------------------------
# sign-off and review date


SIGN_OFF = [
    {
        "name": "Dana Whitfield",
        "role": "model owner",
        "organization": "Risk Analytics",
        "contact": "dana@example.org",
        "date": "2026-11-20",
        "decision": "approved",
    },
    {
        "name": "Sam Okafor",
        "role": "fairness reviewer",
        "date": "2026-11-24",
        "decision": "approved_with_conditions",
        "comment": "Re-run on 2015 data before any *new* use.",
    },
    {"name": "Lee Tran", "role": "legal reviewer", "decision": "pending"},
]


def test_sign_off_fields_in_the_schema_and_the_json_schema():
    data = {
        "card": {"schema_version": "1.1", "sign_off": SIGN_OFF, "next_review": "2027-05-01"},
        "model": {"name": "m", "version": "1"},
    }
    card = ModelCard.model_validate(data)
    assert card.card.sign_off[1].decision == "approved_with_conditions"
    assert str(card.card.next_review) == "2027-05-01"
    schema = json.loads(schema_text())
    jsonschema.validate(data, schema)
    props = schema["$defs"]["SignOff"]["properties"]
    assert props["decision"]["x-recommended"] is True and props["date"]["x-recommended"] is True
    assert set(schema["$defs"]["SignOff"]["required"]) == {"name", "role"}
    bad = copy.deepcopy(data)
    bad["card"]["sign_off"][0]["decision"] = "ok"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_sign_off_validation_locates_errors_and_strict_asks_for_date_and_decision():
    data = {"card": {"schema_version": "1.1", "sign_off": [{"name": "X", "decision": "maybe"}]}, "model": {}}
    card, diagnostics = validate_data(data)
    text = "\n".join(str(d) for d in diagnostics)
    assert card is None and "card.sign_off[0].role" in text and "card.sign_off[0].decision" in text
    ok = {
        "card": {"schema_version": "1.1", "sign_off": [{"name": "X", "role": "reviewer"}]},
        "model": {"name": "m", "version": "1"},
    }
    card, diagnostics = validate_data(ok)
    assert card is not None and not [d for d in diagnostics if d.severity == "error"]
    strict = "\n".join(str(d) for d in validate_data(ok, strict=True)[1])
    assert "card.sign_off[0].date" in strict and "card.sign_off[0].decision" in strict


def test_existing_cards_stay_valid():
    for path in [
        COMPAS,
        ROOT / "examples" / "compas-recidivism.yaml",
        ROOT / "tests" / "data" / "migrate" / "compas-1.0.yaml",
    ]:
        assert load_card(path).card.sign_off is None


def test_sign_off_renders_in_scorecard_and_full_card():
    card = _card([_result("a", "pass", **PASS)], sign_off=SIGN_OFF, next_review="2027-05-01")
    for layout in ("scorecard", "card"):
        md = str(render_markdown(card, layout).content)
        html = unescape(str(render_html(card, layout).content))
        assert "| Signed off by | Role | Decision | Date | Comment |" in md
        assert (
            "| **Dana Whitfield** | model owner, Risk Analytics · [dana@example.org](mailto:dana@example.org) |" in md
        )
        assert "| **approved with conditions** | 2026-11-24 | Re-run on 2015 data before any *new* use. |" in md
        assert "| **Lee Tran** | legal reviewer | **pending** | not dated |  |" in md
        assert "**Review:** last 2026-11-24 (the latest sign-off); next due 2027-05-01" in md
        assert '<th scope="row">Dana Whitfield</th>' in html and 'href="mailto:dana@example.org"' in html
        assert "<em>new</em>" in html and "next due 2027-05-01" in html
    # no sign-off: the scorecard says so
    plain = _card([_result("a", "pass", **PASS)])
    assert "*No sign-off recorded in the card.*" in _md(plain)
    assert "No sign-off recorded in the card." in _html(plain)
    assert "Sign-off" not in str(render_markdown(plain, "card").content)
    # only a review date
    dated = _card(None, None, next_review="2027-01-31")
    assert "**Review:** next due 2027-01-31" in _md(dated)


def test_sign_off_text_is_escaped():
    hostile = [
        {
            "name": "<script>x</script>",
            "role": "x | y",
            "contact": "javascript:alert(1)",
            "comment": "[a](javascript:x)",
        }
    ]
    card = _card(None, sign_off=hostile)
    md, html = _md(card), str(render_html(card, "scorecard").content)
    assert "<script>" not in md and "<script>" not in html and 'href="javascript' not in html
    assert not re.search(r"(?<!\\)\]\(javascript:", md) and "[a\\](javascript:x)" in md  # text, not a link
    rows = [r for r in _md_table_rows(md) if r and r[0].startswith("**&lt;script")]
    assert rows and len(rows[0]) == 5 and rows[0][1] == "x | y · javascript:alert(1)"  # the pipe stays in its cell


def _md_table_rows(md: str) -> list[list[str]]:
    tokens = MarkdownIt("commonmark").enable("table").parse(md)
    rows, row = [], None
    for tok in tokens:
        if tok.type == "tr_open":
            row = []
        elif tok.type == "inline" and row is not None:
            row.append(tok.content)
        elif tok.type == "tr_close":
            rows.append(row)
            row = None
    return rows
