"""`modelcard check`: completeness against ABOUT ML, Model Cards, Datasheets and EU AI Act profiles."""

from __future__ import annotations

import json
import textwrap


def test_check_cli_text_json_and_min_score(example_path, run_cli):
    proc = run_cli("check", example_path, "--profile", "modelcards")
    assert proc.returncode == 0, proc.stderr
    assert "8/9 items covered (89%)" in proc.stdout
    assert "✓ Intended use" in proc.stdout and "✗ Training data" in proc.stdout

    proc = run_cli("check", example_path, "--profile", "eu-ai-act", "--format", "json")
    data = json.loads(proc.stdout)
    assert data["profile"] == "eu-ai-act" and data["total"] == len(data["items"])
    assert all(i["coverable"] for i in data["items"])  # schema 1.1 has a field for every Annex IV item
    assert "cannot be expressed" not in proc.stdout  # json only

    assert run_cli("check", example_path, "--profile", "modelcards", "--min-score", "0.8").returncode == 0
    proc = run_cli("check", example_path, "--profile", "modelcards", "--min-score", "95%")
    assert proc.returncode == 1 and "below the required 95%" in proc.stderr
    proc = run_cli("check", example_path, "--min-score", "1.5")
    assert proc.returncode == 2 and "outside 0..1" in proc.stderr


def test_check_cli_bad_card_gives_located_errors(tmp_path, run_cli):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        textwrap.dedent("""\
        card:
          schema_version: "1.0"
        model:
          name: x
          versoin: "1"
        """)
    )
    proc = run_cli("check", bad)
    assert proc.returncode == 1
    assert f"{bad}:5:3: error: unknown key 'versoin'; did you mean 'version'?" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = run_cli("check", tmp_path / "nope.yaml")
    assert proc.returncode == 2 and "no such file" in proc.stderr


def test_check_cli_github_annotations(example_path, run_cli):
    proc = run_cli("check", example_path, "--profile", "modelcards", "--format", "github", "--min-score", "0.95")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0].startswith(f"::error file={example_path},title=modelcard check modelcards::")
    assert "8/9 items covered (89%25)" in lines[0]  # % is escaped in annotation data
    assert lines[1:] == [
        f"::warning file={example_path},title=modelcard check modelcards::"
        "Training data: missing datasets[role=training|fine-tuning]"
    ]
