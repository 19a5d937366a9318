"""`modelcard init --interactive`, driven through a pseudo-terminal with pexpect."""

from __future__ import annotations

import datetime as dt
import os
import sys

import pytest
import yaml

from modelcard.card.validate import validate_file

pexpect = pytest.importorskip("pexpect")


def spawn(*args: str, cwd) -> pexpect.spawn:
    env = dict(os.environ, COLUMNS="100", LINES="40", TERM="dumb", PYTHONUNBUFFERED="1")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "modelcard", *args],
        cwd=str(cwd),
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 100),
    )
    return child


def ask(child, question: str, answer: str) -> None:
    """Wait for a question (by its field path), then answer it."""
    child.expect_exact(f"] {question}")
    child.expect_exact("> ")
    child.sendline(answer)


def test_wizard_answers_back_skip_and_writes_a_valid_card(tmp_path):
    target = tmp_path / "modelcard.yaml"
    child = spawn("init", str(target), "--interactive", "--name", "churn-model", cwd=tmp_path)
    child.expect_exact("── card:")
    ask(child, "card.authors", "Ada Lovelace; Charles Babbage")  # the explicit separator
    child.expect_exact("+ ")
    child.sendline("")
    ask(child, "card.date", "")  # Enter: today's date
    child.expect_exact("── model:")
    ask(child, "model.name", "")  # Enter: --name
    ask(child, "model.version", "1.0")
    ask(child, "model.description", "<")  # back to the version...
    ask(child, "model.version", "2.1")  # ...and change it
    ask(child, "model.description", "Predicts which customers will cancel within 90 days.")
    ask(child, "model.date", "2024-13-01")  # invalid date: re-asked
    child.expect_exact("✗")
    child.expect_exact("> ")
    child.sendline("2024-06-01")
    ask(child, "model.type", "-")  # skip: stays a placeholder
    ask(child, "model.developers", "?")  # the field's help, then the same question
    child.expect_exact("model.developers: recommended")
    child.expect_exact("go back to the previous question")
    child.expect_exact("> ")
    child.sendline("Acme Analytics")
    child.expect_exact("+ ")
    child.sendline("")
    ask(child, "model.license", ">")  # skip the rest of `model`
    child.expect_exact("── intended_use:")
    ask(child, "intended_use.primary_uses", "Rank customers by churn risk, for retention offers.")
    child.expect_exact("+ ")
    child.sendline("Plan call-centre capacity.")
    child.expect_exact("+ ")
    child.sendline("")
    ask(child, "intended_use.primary_users", "done")
    child.expect_exact("Write ")
    child.sendline("y")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before

    text = target.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=")
    data = yaml.safe_load(text)
    assert [a["name"] for a in data["card"]["authors"]] == ["Ada Lovelace", "Charles Babbage"]
    assert data["card"]["date"] == dt.date.today()
    assert data["model"]["name"] == "churn-model"
    assert data["model"]["version"] == "2.1"  # the answer given after going back
    assert data["model"]["date"] == dt.date(2024, 6, 1)
    assert data["model"]["type"] == "TODO"  # skipped
    assert data["model"]["developers"] == [{"name": "Acme Analytics"}]
    assert data["model"]["license"] == "TODO"  # rest of section skipped
    assert data["intended_use"]["primary_uses"] == [
        "Rank customers by churn risk, for retention offers.",
        "Plan call-centre capacity.",
    ]
    assert data["intended_use"]["primary_users"] == ["TODO"]  # stopped with `done`
    # the same skeleton as `init`: valid, but not complete
    assert validate_file(target).ok
    strict = validate_file(target, strict=True)
    assert not strict.ok
    paths = {d.path for d in strict.errors}
    assert "model.type" in paths and "model.version" not in paths and "model.description" not in paths


def test_wizard_end_of_input_writes_nothing(tmp_path):
    target = tmp_path / "card.yaml"
    child = spawn("init", str(target), "-i", cwd=tmp_path)
    ask(child, "card.authors", "Someone")
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert not target.exists()


def test_wizard_answer_no_writes_nothing(tmp_path):
    target = tmp_path / "card.yaml"
    child = spawn("init", str(target), "-i", cwd=tmp_path)
    ask(child, "card.authors", "done")
    child.expect_exact("Write ")
    child.sendline("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert not target.exists()


def test_interactive_refuses_existing_file_before_asking(tmp_path):
    target = tmp_path / "card.yaml"
    target.write_text("keep me\n")
    child = spawn("init", str(target), "-i", cwd=tmp_path)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    assert "already exists" in child.before
    assert target.read_text() == "keep me\n"


def test_wizard_adds_entries_to_lists_of_sections(tmp_path):
    target = tmp_path / "card.yaml"
    child = spawn("init", str(target), "-i", "--name", "m", cwd=tmp_path)
    for question in ("card.authors", "model.name", "intended_use.primary_uses", "factors.relevant"):
        ask(child, question, ">")  # skip whole sections
    ask(child, "datasets[0].name", "Adult census")
    ask(child, "datasets[0].id", "")  # default: slug of the name
    ask(child, "datasets[0].role", "trainin")
    child.expect_exact("✗")
    child.expect_exact("> ")
    child.sendline("training")
    ask(child, "datasets[0].description", ">")
    for question in ("test_methodology.datasets", "fairness.sensitive_attributes"):
        ask(child, question, ">")
    ask(child, "ethical_considerations.risks[0].name", "Unfair denial of credit")
    ask(child, "ethical_considerations.risks[0].description", "-")
    ask(child, "ethical_considerations.risks[0].mitigations", "Human review of every denial.")
    child.expect_exact("+ ")
    child.sendline("")
    child.expect_exact("Add another entry to ethical_considerations.risks (1 so far)? [y/N]")
    child.sendline("y")
    ask(child, "ethical_considerations.risks[1].name", "Re-identification")
    ask(child, "ethical_considerations.risks[1].description", "-")
    ask(child, "ethical_considerations.risks[1].mitigations", "-")
    child.expect_exact("Add another entry to ethical_considerations.risks (2 so far)? [y/N]")
    child.sendline("")
    ask(child, "caveats_and_recommendations.caveats", ">")
    child.expect_exact("Write ")
    child.sendline("y")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before

    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    ds = data["datasets"][0]
    assert (ds["id"], ds["name"], ds["role"]) == ("adult-census", "Adult census", "training")
    assert data["test_methodology"]["datasets"][0]["dataset"] == "adult-census"  # follows the id
    risks = data["ethical_considerations"]["risks"]
    assert [r["name"] for r in risks] == ["Unfair denial of credit", "Re-identification"]
    assert risks[0]["mitigations"] == ["Human review of every denial."]
    assert risks[1]["description"] == "TODO" and risks[1]["mitigations"] == ["TODO"]
    assert validate_file(target).ok


def test_wizard_commas_never_split_and_required_fields_are_re_asked(tmp_path):
    target = tmp_path / "card.yaml"
    child = spawn("init", str(target), "-i", cwd=tmp_path)
    child.expect(r"(\d+) questions in \d+ sections")
    total = int(child.match.group(1))
    child.expect_exact(f"[question 1 of {total}] card.authors")
    child.expect_exact("> ")
    child.sendline("Lovelace, Ada")  # a comma inside a name: one author
    child.expect_exact("+ ")
    child.sendline("")
    ask(child, "card.date", "")
    child.expect_exact(f"of {total}] model.name")
    child.expect_exact("> ")
    child.sendline("")  # Enter on a required field without a default: asked again
    child.expect_exact("this field is required")
    child.expect_exact("> ")
    child.sendline("churn")
    ask(child, "model.version", "1.0")
    ask(child, "model.description", "Ranks customers by risk, and by value; for offers.")
    ask(child, "model.date", "-")
    ask(child, "model.type", "-")
    ask(child, "model.developers", "-")
    ask(child, "model.license", "GPL3")  # not an SPDX id: did you mean, then asked again
    child.expect_exact("did you mean")
    child.expect_exact("keep 'GPL3' as written anyway? [y/N]")
    child.sendline("")
    child.expect_exact("> ")
    child.sendline("apache 2.0")  # an accepted spelling: written as the SPDX id
    child.expect_exact("→ Apache-2.0")
    ask(child, "model.inputs", "done")
    child.expect(r"(\d+) of (\d+) questions answered; (\d+) fields left to fill in")
    assert int(child.match.group(2)) == total
    left = int(child.match.group(3))
    child.expect_exact("Write ")
    child.sendline("y")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert f"{left} fields left to fill in" in child.before  # init's own count agrees with the wizard's

    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert data["card"]["authors"] == [{"name": "Lovelace, Ada"}]
    assert data["model"]["name"] == "churn"
    assert data["model"]["license"] == "Apache-2.0"
    assert data["model"]["description"] == "Ranks customers by risk, and by value; for offers."
    strict = validate_file(target, strict=True)
    assert len(strict.errors) == left


def test_wizard_ctrl_c_saves_and_resume_continues(tmp_path):
    target = tmp_path / "card.yaml"
    state = tmp_path / ".card.yaml.wizard.json"
    child = spawn("init", str(target), "-i", cwd=tmp_path)
    ask(child, "card.authors", "Grace Hopper")
    child.expect_exact("+ ")
    child.sendline("")
    ask(child, "card.date", "2024-05-01")
    ask(child, "model.name", "fraud-detector")
    child.expect_exact("] model.version")
    child.expect_exact("> ")
    child.sendintr()  # Ctrl-C
    child.expect_exact("Save the ")
    child.sendline("y")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130, child.before
    assert "--interactive --resume" in child.before
    saved = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert saved["model"]["name"] == "fraud-detector" and saved["model"]["version"] == "TODO"
    assert state.is_file()

    child = spawn("init", str(target), "-i", "--resume", cwd=tmp_path)
    child.expect_exact("answers restored")
    child.expect_exact("] model.version")  # where it stopped
    child.expect_exact("> ")
    child.sendline("3.0")
    ask(child, "model.description", "done")
    child.expect_exact("Write ")
    child.sendline("y")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert [a["name"] for a in data["card"]["authors"]] == ["Grace Hopper"]
    assert data["card"]["date"] == dt.date(2024, 5, 1)
    assert (data["model"]["name"], data["model"]["version"]) == ("fraud-detector", "3.0")
    assert not state.exists()  # the session is over
