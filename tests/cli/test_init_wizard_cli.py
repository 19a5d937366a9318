"""`modelcard init --interactive` without a terminal: refused before anything is asked (the wizard itself: tests/e2e)."""

from __future__ import annotations


def test_interactive_refuses_a_non_terminal(tmp_path, run_cli):
    target = tmp_path / "card.yaml"
    proc = run_cli("init", target, "--interactive", input="answer\n")
    assert proc.returncode == 2
    assert "needs a terminal" in proc.stderr and "Traceback" not in proc.stderr
    assert not target.exists()


def test_resume_refuses_without_a_session_or_after_edits(tmp_path, run_cli):
    target = tmp_path / "card.yaml"
    proc = run_cli("init", target, "--resume")
    assert proc.returncode == 2 and "add --interactive" in proc.stderr
    proc = run_cli("init", target, "--interactive", "--resume")
    assert proc.returncode == 2 and "no saved wizard session" in proc.stderr and "Traceback" not in proc.stderr
    assert not target.exists()

    target.write_text("card: {}\n", encoding="utf-8")
    (tmp_path / ".card.yaml.wizard.json").write_text(
        '{"format": "modelcard-wizard/1", "journal": [], "next": null, "card_sha256": "0"}', encoding="utf-8"
    )
    proc = run_cli("init", target, "--interactive", "--resume")  # the card was edited since it was saved
    assert proc.returncode == 2 and "changed since the wizard saved it" in proc.stderr
    assert target.read_text(encoding="utf-8") == "card: {}\n"
    (tmp_path / ".card.yaml.wizard.json").write_text("not json", encoding="utf-8")
    proc = run_cli("init", target, "--interactive", "--resume")
    assert proc.returncode == 2 and "not a saved wizard session" in proc.stderr
