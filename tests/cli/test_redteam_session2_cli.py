"""Red-team review of session 2, on the command line: what a message quotes from a card is shown as written."""

from __future__ import annotations


def test_card_text_quoted_in_a_diagnostic_is_not_turned_into_a_flag(run_cli, tmp_path):
    card = tmp_path / "card.yaml"
    card.write_text(
        'card:\n  schema_version: "1.1"\n  sign_off:\n  - name: a\n    role: b\n    decision: "`approved`"\n'
        'model:\n  name: x\n  version: "1"\n',
        encoding="utf-8",
    )
    result = run_cli("render", str(card), "--layout", "scorecard", "-o", str(tmp_path / "out.md"))
    assert result.returncode == 1
    assert "got '`approved`'" in result.stderr and "--approved" not in result.stderr, result.stderr
    assert "card.yaml:6:15:" in result.stderr and "Traceback" not in result.stderr


def test_parameters_named_by_the_library_are_still_shown_as_flags(run_cli, tmp_path):
    card = tmp_path / "card.yaml"
    card.write_text('card:\n  schema_version: "1.1"\nmodel:\n  name: x\n  version: "1"\n', encoding="utf-8")
    result = run_cli("render", str(card), "--inline-charts", "--format", "html")
    assert result.returncode == 2 and "--inline-charts" in result.stderr and "`" not in result.stderr
