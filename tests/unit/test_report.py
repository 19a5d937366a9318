"""report/: one formatter per presentation, one cell escaper, one ``k=v`` join, reporters by kind and format."""

from __future__ import annotations

import argparse
import doctest

import pytest

from modelcard.report import fmt, formats, get_reporter, report
from modelcard.report.registry import KINDS
from modelcard.report.tables import markdown_table, md_text
from modelcard.schema.types import group_text
from modelcard.schema.verdicts import Verdict


def test_fmt_doctests_hold():
    result = doctest.testmod(fmt)
    assert result.attempted >= 4 and result.failed == 0


@pytest.mark.parametrize(
    ("value", "card", "compact", "exact", "tick"),
    [
        (0.712345, "0.712", "0.7123", "0.712345", "0.71"),
        (-0.0001, "0.000", "-0.0001", "-0.0001", "0"),
        (1200.0, "1,200", "1200", "1200.0", "1200.00"),
        (2_500_000.0, "2,500,000", "2.5e+06", "2500000.0", "2.5e+06"),
        (0.5, "0.500", "0.5", "0.5", "0.50"),
    ],
)
def test_number_presentations(value, card, compact, exact, tick):
    assert fmt.num(value) == card
    assert fmt.compact(value) == compact
    assert fmt.exact(value) == exact
    assert fmt.tick(value) == tick


def test_missing_numbers_and_signs():
    assert fmt.num(None) == "—" and fmt.compact(None) == "n/a" and fmt.compact(None, none="") == ""
    assert fmt.signed(0.05) == "+0.050" and fmt.signed(-0.02) == "-0.020" and fmt.signed(0.0) == "0.000"
    assert fmt.compact(0.05, signed=True) == "+0.05" and fmt.compact(3, signed=True) == "+3"
    assert fmt.general(None, "−∞") == "−∞" and fmt.general(1e-6) == "1e-06"
    assert fmt.percent(0.825) == "83%" and fmt.percent(0.0) == "0%"


def test_one_group_join():
    g = {"race": "African-American", "sex": "Female"}
    assert group_text(g) == "race=African-American, sex=Female"
    assert group_text(None) == "overall" and group_text({}, empty="") == ""
    assert group_text(g, sep=",") == "race=African-American,sex=Female"
    assert fmt.group_values(g) == "African-American × Female" and fmt.group_names(g) == "race × sex"
    assert fmt.group_pairs(g) == "race: African-American, sex: Female"


def test_verdict_words_and_marks_come_from_the_enum():
    for v in Verdict:
        assert fmt.verdict_words(v) == v.label.lower()
        assert fmt.verdict_mark(v) == f"{v.icon} {v.label.lower()}"
    assert fmt.verdict_words("not_run") == "not run"
    assert {fmt.verdict_glyph(v) for v in Verdict} == {"✓", "✗", "?", "–"}


def test_literal_cells_show_data_as_written():
    assert md_text("a|b [x](javascript:y) <b>") == "a\\|b \\[x\\](javascript:y) &lt;b&gt;"
    table = markdown_table(["h"], [["x >= 1 -> y"]])
    assert table.splitlines()[-1] == "| x ≥ 1 → y |"


def test_every_kind_has_its_formats_and_the_cli_offers_exactly_them():
    from modelcard.cli import check, diff, gate, validate

    expected = {
        "validation": ("text", "json", "github"),
        "gate": ("text", "json", "markdown"),
        "diff": ("text", "json", "markdown"),
        "completeness": ("text", "json", "github"),
        "evaluation": ("text",),
    }
    assert set(expected) == set(KINDS)
    for kind, fmts in expected.items():
        assert formats(kind) == fmts
    for kind, module in (("validation", validate), ("gate", gate), ("diff", diff), ("completeness", check)):
        parser = argparse.ArgumentParser()
        module.add_arguments(parser)
        choices = next(a.choices for a in parser._actions if a.dest == "format")
        assert tuple(choices) == formats(kind), kind


def test_unknown_kind_or_format_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown result kind"):
        formats("nope")
    with pytest.raises(ValueError, match="no 'markdown' output for validation results"):
        get_reporter("validation", "markdown")


def test_report_dispatches_with_options():
    from modelcard.diagnostics import Report

    reports = [Report(file="a.yaml"), Report(file="b.yaml")]
    assert report("validation", reports, "text") == "a.yaml: valid\nb.yaml: valid\n2 valid, 0 invalid"
    assert report("validation", reports, "text", quiet=True) == ""
    assert report("validation", reports, "github", quiet=True) == ""
