"""``modelcard render`` in process: files, batches with an index, overlays, errors (PDF and screenshots: tests/e2e)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

DATA = ROOT / "tests" / "data" / "render"

COMPAS = DATA / "cards" / "compas.yaml"

RICH = DATA / "cards" / "rich" / "card.yaml"

MINIMAL = DATA / "cards" / "minimal.yaml"


# --------------------------------------------------------------------------
# one card


def test_format_follows_the_output_suffix(tmp_path, run_cli):
    for name, marker in (("c.md", "# COMPAS"), ("c.html", "<!DOCTYPE html>")):
        result = run_cli("render", COMPAS, "-o", tmp_path / name)
        assert result.returncode == 0, result.stderr
        assert (tmp_path / name).read_text(encoding="utf-8").startswith(marker)
    charts = sorted(p.name for p in (tmp_path / "c-charts").iterdir())
    assert charts == ["fairness-criteria.svg", "fairness-largest-disparities.svg"]
    assert "](c-charts/fairness-largest-disparities.svg)" in (tmp_path / "c.md").read_text(encoding="utf-8")
    assert (tmp_path / "c-charts" / "fairness-criteria.svg").read_text().startswith("<svg xmlns=")


def test_markdown_to_stdout_by_default(run_cli):
    result = run_cli("render", COMPAS, "--layout", "scorecard")
    assert result.returncode == 0
    assert result.stdout.startswith("# Scorecard: COMPAS")
    assert "## Fairness verdicts" in result.stdout


def test_with_and_set_layer_fragments_before_rendering(tmp_path, run_cli):
    fragment = tmp_path / "metrics.yaml"
    fragment.write_text("metrics:\n  - name: accuracy\n    value: 0.7123\n    n: 6172\n    dataset: compas-2yr\n")
    result = run_cli(
        "render", COMPAS, "--layout", "scorecard", "--with", fragment, "--set", "model.version=2024 re-validation"
    )
    assert result.returncode == 0, result.stderr
    assert "Version 2024 re-validation" in result.stdout
    assert "| **accuracy** | 0.712 |" in result.stdout


def test_invalid_card_exits_1_with_location(tmp_path, run_cli):
    bad = tmp_path / "bad.yaml"
    bad.write_text("card:\n  schema_version: '1.0'\nmodel:\n  name: x\n")
    result = run_cli("render", bad, "-o", tmp_path / "bad.html")
    assert result.returncode == 1
    assert f"{bad}:4:3: error: missing required field 'version' in model" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "bad.html").exists()


def test_usage_errors_exit_2(tmp_path, run_cli):
    assert run_cli("render", tmp_path / "missing.yaml").returncode == 2
    result = run_cli("render", COMPAS, RICH)
    assert result.returncode == 2 and "-o FOLDER" in result.stderr
    result = run_cli("render", COMPAS, "--template", tmp_path / "nope")
    assert result.returncode == 2 and "template folder does not exist" in result.stderr
    result = run_cli("render", COMPAS, "-o", tmp_path / "no" / "such" / "dir.html")
    assert result.returncode == 2 and "does not exist" in result.stderr


# --------------------------------------------------------------------------
# many cards


def test_batch_writes_one_output_per_card_and_an_index(tmp_path, run_cli):
    cards = tmp_path / "cards"
    (cards / "team-a").mkdir(parents=True)
    (cards / "team-b").mkdir()
    shutil.copy(RICH, cards / "team-a" / "card.yaml")
    shutil.copytree(RICH.parent / "figures", cards / "team-a" / "figures")
    shutil.copy(MINIMAL, cards / "team-b" / "card.yaml")
    shutil.copy(MINIMAL, cards / "tiny.yaml")
    (cards / "broken.yaml").write_text("card: {schema_version: '1.0'}\n")
    out = tmp_path / "site"
    result = run_cli("render", cards, "--format", "html", "-o", out)
    assert result.returncode == 1  # one card is invalid; the others are still rendered
    assert "broken.yaml:1:1: error: missing required field 'model'" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "team-a-card.html", "team-b-card.html", "tiny.html"]
    index = (out / "index.html").read_text(encoding="utf-8")
    for href in ("team-a-card.html", "team-b-card.html", "tiny.html"):
        assert f'href="{href}"' in index
    assert "Résumé screener" in index and "broken.yaml" in index
    # the local figure was embedded from the card's own folder
    assert "data:image/png;base64," in (out / "team-a-card.html").read_text(encoding="utf-8")
    assert result.stdout == ""


def test_batch_markdown_index_and_progress(tmp_path, run_cli):
    out = tmp_path / "md"
    result = run_cli("render", COMPAS, MINIMAL, "-o", out, "--format", "md", "--layout", "scorecard", "--progress")
    assert result.returncode == 0, result.stderr
    assert "[1/2] " in result.stderr and "[2/2] " in result.stderr
    index = (out / "index.md").read_text(encoding="utf-8")
    assert "[COMPAS General Recidivism Risk Scale (decile >= 5)](compas.md)" in index
    assert "[tiny-model](minimal.md)" in index
    quiet = run_cli("render", COMPAS, MINIMAL, "-o", tmp_path / "q", "--format", "md")
    assert "[1/2]" not in quiet.stderr  # stderr is not a terminal: no progress unless asked


# --------------------------------------------------------------------------
# PDF


def test_missing_weasyprint_gives_a_clear_message(monkeypatch, capsys):
    from modelcard.cli import main

    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint -> ImportError
    code = main(["render", str(MINIMAL), "--format", "pdf", "-o", "/tmp/never-written.pdf"])
    err = capsys.readouterr().err
    assert code == 2
    assert "pip install 'modelcard[pdf]'" in err and "Traceback" not in err
    assert not Path("/tmp/never-written.pdf").exists()


def test_single_card_into_an_existing_folder_gets_an_index(tmp_path, run_cli):
    out = tmp_path / "site"
    out.mkdir()
    result = run_cli("render", MINIMAL, "-o", out, "--format", "html")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "minimal.html"]
