"""Every link a card produces is safe; text never carries control or bidi characters to a reader;
absurd numbers are located validation errors and never break a chart (issue 9, sections 2 and 4).

Layers tested, from the root out:

* the schema: URL fields take only absolute http(s) and mailto links, numbers are bounded,
  proportions lie in [0, 1] — located errors, the same verdict from the JSON Schema;
* rendering, with the schema bypassed (a card mutated after validation, a user template): every
  href/src of HTML, Markdown and PDF output is checked again, unsafe links become plain text;
* text: control and bidi characters never reach HTML, SVG (which stays XML), Markdown or a terminal;
* PDF: no template can make WeasyPrint embed a file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from modelcard.cli import main

ROOT = Path(__file__).resolve().parents[2]

EXAMPLE = ROOT / "examples" / "compas-recidivism.yaml"


# --------------------------------------------------------------------------
# helpers


def _example() -> dict:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    return json.loads(json.dumps(data, default=str))  # dates as strings, as in JSON


# --------------------------------------------------------------------------
# 1. the schema: URL fields


def test_cli_validate_reports_unsafe_link_with_location(tmp_path, capsys):
    card = tmp_path / "card.yaml"
    card.write_text(
        'card:\n  schema_version: "1.0"\nmodel:\n  name: m\n  version: "1"\n'
        '  repository: "JaVaScRiPt:alert(document.cookie)"\n',
        encoding="utf-8",
    )
    assert main(["validate", str(card)]) == 1
    out = capsys.readouterr().out
    assert f"{card}:6:15: error: links may only use http, https or mailto, not 'JaVaScRiPt:'" in out
    assert "(model.repository) [unsafe-link]" in out


def test_cli_user_markdown_template_escapes_raw_html_in_values(tmp_path, capsys):
    """``render --template``: a Markdown template printing the description with no filter emits no raw HTML."""
    data = _example()
    data["model"]["description"] = 'Intro <script>alert(1)</script> <img src=x onerror="alert(2)"> end'
    card = tmp_path / "card.yaml"
    card.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "card.md.j2").write_text("# {{ card.model.name }}\n\n{{ card.model.description }}\n", encoding="utf-8")
    out = tmp_path / "card.md"
    assert main(["render", str(card), "--format", "md", "--template", str(folder), "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "Intro &lt;script>alert(1)&lt;/script> &lt;img src=x onerror=" in text
    assert "<script" not in text and "<img" not in text


# --------------------------------------------------------------------------
# 3. control and bidi characters: HTML, SVG (valid XML), Markdown, terminal


def test_terminal_never_gets_raw_escapes_from_a_card(tmp_path, capsys):
    card = tmp_path / "card.yaml"
    card.write_text(
        'card:\n  schema_version: "1.0"\nmodel:\n  name: m\n  version: "1"\n'
        '  "x\\e[2J\\e]0;pwned\\a\\u202ekey\\r": 1\n'
        '  repository: "https://example.org/\\e[31m"\n',
        encoding="utf-8",
    )
    for fmt in ("text", "github", "json"):
        assert main(["validate", "--format", fmt, str(card)]) == 1
        out = capsys.readouterr().out
        for ch in ("\x1b", "\x07", "\u202e", "\r"):
            assert ch not in out, (fmt, repr(ch))
        assert "\\x1b[2J" in out or "\\u001b[2J" in out
    # the JSON report still holds the same data, escaped
    main(["validate", "--format", "json", str(card)])
    data = json.loads(capsys.readouterr().out)
    assert "\x1b[2J" in data["files"][0]["diagnostics"][0]["message"]


def test_terminal_escapes_in_errors_gate_and_diff(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "no\x1b[2Jsuch.yaml")]) == 2
    assert "\x1b" not in capsys.readouterr().out
    data = _example()
    data["fairness"]["results"][0]["group"] = {"race": "African-American\x1b[8m\u202e"}
    data["model"]["name"] = "model\x1b]0;title\x07"
    card = tmp_path / "card.yaml"
    card.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    main(["gate", str(card)])
    main(["diff", str(EXAMPLE), str(card)])
    captured = capsys.readouterr()
    for ch in ("\x1b", "\x07", "\u202e"):
        assert ch not in captured.out + captured.err, repr(ch)
    assert "\\x1b[8m" in captured.out


# --------------------------------------------------------------------------
# 5. numbers: absurd values are located validation errors; charts never fail


NUMERIC_CASES = {
    # name: (mutation of the example, expected path, words of the message)
    "1e308": (
        lambda d: d["fairness"]["results"][0].__setitem__("value", 1e308),
        "fairness.results[0].value",
        "less than or equal to 1e+100 (numbers in a card lie within",
    ),
    "-1e308 bound": (
        lambda d: d["metrics"][0]["confidence_interval"].__setitem__("lower", -1e308),
        "metrics[0].confidence_interval.lower",
        "greater than or equal to -1e+100",
    ),
    "huge integer": (
        lambda d: d["metrics"][0].__setitem__("value", 10**400),
        "metrics[0].value",
        "got number with 401 digits",
    ),
    "threshold 1e300": (
        lambda d: d["fairness"]["results"][0]["threshold"].__setitem__("max", 1e300),
        "fairness.results[0].threshold.max",
        "less than or equal to 1e+100",
    ),
    "huge count": (
        lambda d: d["metrics"][0].__setitem__("n", 10**30),
        "metrics[0].n",
        "less than or equal to 9223372036854775807; got number 1e+30",
    ),
    "rate above 1": (lambda d: d["metrics"][1].__setitem__("value", 1.5), "metrics[1].value", "outside [0, 1]"),
    "rate below 0": (
        lambda d: d["fairness"]["results"][0].__setitem__("value", -0.2),
        "fairness.results[0].value",
        "outside [0, 1]",
    ),
    "rate CI bound": (
        lambda d: d["metrics"][0]["confidence_interval"].__setitem__("upper", 1.2),
        "metrics[0].confidence_interval.upper",
        "outside [0, 1]",
    ),
    "reference rate": (
        lambda d: d["fairness"]["results"][0].__setitem__("reference_value", 3.0),
        "fairness.results[0].reference_value",
        "outside [0, 1]",
    ),
    "difference of rates": (
        lambda d: d["fairness"]["results"][0]["disparity"]["difference"].__setitem__("value", 1.4),
        "fairness.results[0].disparity.difference.value",
        "outside [-1, 1]",
    ),
    "negative ratio": (
        lambda d: d["fairness"]["results"][0]["disparity"].__setitem__("ratio", {"value": -0.5}),
        "fairness.results[0].disparity.ratio.value",
        ">= 0",
    ),
    "CI lower above upper": (
        lambda d: d["metrics"][1]["confidence_interval"].update(lower=0.5, upper=0.1),
        "metrics[1].confidence_interval",
        "greater than upper bound",
    ),
}


@pytest.mark.parametrize("case", list(NUMERIC_CASES))
def test_absurd_numbers_are_located_errors_in_validate_and_render(case, tmp_path, capsys):
    mutate, path, words = NUMERIC_CASES[case]
    data = _example()
    mutate(data)
    card = tmp_path / "card.yaml"
    card.write_text(yaml.safe_dump(data, sort_keys=False, width=10_000), encoding="utf-8")
    assert main(["validate", str(card)]) == 1
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if f"({path})" in x and ": error: " in x)
    assert re.match(rf"{re.escape(str(card))}:\d+:\d+: error: ", line), line
    assert words in line
    for fmt in ("html", "md"):
        code = main(["render", str(card), "-f", fmt, "-o", str(tmp_path / f"out.{fmt}")])
        captured = capsys.readouterr()
        assert code == 1, captured.err
        assert "internal error" not in captured.err and "Traceback" not in captured.err
        assert f"({path})" in captured.err


@pytest.mark.parametrize("token", [".nan", ".inf", "-.inf", "1e400"])
def test_non_finite_numbers_are_located_errors(token, tmp_path, capsys):
    text = EXAMPLE.read_text(encoding="utf-8").replace("  value: 0.6607\n", f"  value: {token}\n", 1)
    card = tmp_path / "card.yaml"
    card.write_text(text, encoding="utf-8")
    assert main(["validate", str(card)]) == 1
    out = capsys.readouterr().out
    assert re.search(rf"{re.escape(str(card))}:\d+:\d+: error: .*finite", out), out
