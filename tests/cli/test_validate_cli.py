"""`modelcard validate`: schema errors located in the source, exit codes, formats, strict mode."""

from __future__ import annotations

import json
import shutil
import textwrap

import pytest

MINIMAL = textwrap.dedent("""\
    card:
      schema_version: "1.1"
    model:
      name: tiny
      version: "1"
    """)


def write(tmp_path, text: str, name: str = "card.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# ---------------------------------------------------------------- the CLI


def test_cli_exit_codes(tmp_path, run_cli, example_path):
    good = write(tmp_path, MINIMAL, "good.yaml")
    bad = write(tmp_path, MINIMAL.replace('"1"', "[1]"), "bad.yaml")
    ok = run_cli("validate", example_path, good)
    assert ok.returncode == 0, ok.stderr
    assert "2 valid, 0 invalid" in ok.stdout
    res = run_cli("validate", good, bad)
    assert res.returncode == 1
    assert f"{bad}:5:12: error:" in res.stdout
    missing = run_cli("validate", good, tmp_path / "missing.yaml")
    assert missing.returncode == 2 and "no such file" in missing.stdout
    usage = run_cli("validate", "--format", "xml", good)
    assert usage.returncode == 2 and "invalid choice" in usage.stderr
    assert run_cli("validate", "--strict", good).returncode == 1


@pytest.mark.parametrize("content", [b"", b"\xff\xfe\x00", b"- a\n", b"a: [\n", b"a: 1\na: 2\n"])
def test_cli_never_prints_a_traceback(tmp_path, run_cli, content):
    path = tmp_path / "card.yaml"
    path.write_bytes(content)
    res = run_cli("validate", path)
    assert res.returncode == 1
    assert "Traceback" not in res.stdout + res.stderr
    assert str(path) in res.stdout


def test_cli_json_and_github_formats(tmp_path, run_cli):
    bad = write(tmp_path, MINIMAL + "intended_use:\n  primary_use: [x]\n")
    res = run_cli("validate", "--format", "json", bad)
    assert res.returncode == 1
    data = json.loads(res.stdout)
    assert data["valid"] is False
    [diag] = data["files"][0]["diagnostics"]
    assert diag["line"] == 7 and diag["code"] == "unknown-key" and "primary_uses" in diag["message"]
    gh = run_cli("validate", "--format", "github", bad)
    assert gh.stdout.startswith(f"::error file={bad},line=7,col=3,title=modelcard unknown-key::")


def test_cli_directory_and_overlay(tmp_path, run_cli):
    cards = tmp_path / "cards"
    cards.mkdir()
    write(cards, MINIMAL, "a.yaml")
    write(cards, MINIMAL.replace("tiny", "other"), "b.yml")
    res = run_cli("validate", cards)
    assert res.returncode == 0 and "2 valid, 0 invalid" in res.stdout
    fragment = write(tmp_path, "metrics:\n  - name: acc\n    value: high\n", "fragment.yaml")
    res = run_cli("validate", cards / "a.yaml", "--with", fragment)
    assert res.returncode == 1
    assert f"{fragment}:3:12" in res.stdout  # the error points into the fragment, not the card


def test_input_is_never_modified(tmp_path, run_cli, example_path):
    copy = tmp_path / "card.yaml"
    shutil.copy(example_path, copy)
    before = copy.read_bytes()
    run_cli("validate", "--strict", copy, "--set", "model.version=2")
    assert copy.read_bytes() == before
