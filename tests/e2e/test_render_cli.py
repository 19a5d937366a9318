"""``modelcard render``: files, batches with an index, overlays, progress, PDF, screenshots."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "render"
COMPAS = DATA / "cards" / "compas.yaml"
RICH = DATA / "cards" / "rich" / "card.yaml"
MINIMAL = DATA / "cards" / "minimal.yaml"


def _pdf_objects(pdf: bytes) -> bytes:
    """The PDF with its Flate streams (object streams included) inflated, for searching."""
    import zlib

    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            parts.append(zlib.decompressobj().decompress(pdf[match.end() : match.end() + 5_000_000]))
        except zlib.error:
            continue
    return b"\n".join(parts)


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", _pdf_objects(pdf)))


# --------------------------------------------------------------------------
# one card


def test_format_follows_the_output_suffix(tmp_path, run_cli):
    for name, marker in (("c.md", "# COMPAS"), ("c.html", "<!DOCTYPE html>")):
        result = run_cli("render", COMPAS, "-o", tmp_path / name)
        assert result.returncode == 0, result.stderr
        assert (tmp_path / name).read_text(encoding="utf-8").startswith(marker)
    charts = sorted(p.name for p in (tmp_path / "c-charts").iterdir())
    assert charts == ["fairness-fnr.svg", "fairness-fpr.svg", "fairness-selection-rate.svg", "metric-accuracy.svg"]
    assert "](c-charts/fairness-fpr.svg)" in (tmp_path / "c.md").read_text(encoding="utf-8")
    assert (tmp_path / "c-charts" / "fairness-fpr.svg").read_text().startswith("<svg xmlns=")


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


def test_batch_progress_on_a_terminal(tmp_path):
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "modelcard", "render", str(COMPAS), str(MINIMAL), "-o", str(tmp_path / "t"), "--format", "md"],
        encoding="utf-8",
        timeout=60,
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "[2/2]" in child.before and "\r" in child.before


# --------------------------------------------------------------------------
# PDF


@pytest.fixture(scope="module")
def compas_pdfs(tmp_path_factory):
    pytest.importorskip("weasyprint")
    from modelcard.card.validate import load_card
    from modelcard.render.engine import render_pdf

    card = load_card(COMPAS)
    return {
        layout: render_pdf(card, layout, base_dir=COMPAS.parent, source_date_epoch=1700000000).content
        for layout in ("card", "scorecard")
    }


def test_scorecard_pdf_is_one_page(compas_pdfs):
    assert _pdf_pages(compas_pdfs["scorecard"]) == 1
    assert _pdf_pages(compas_pdfs["card"]) > 3


def test_pdf_honours_source_date_epoch_and_is_reproducible(tmp_path, run_cli):
    pytest.importorskip("weasyprint")
    env = {"SOURCE_DATE_EPOCH": "1700000000"}
    for name in ("a.pdf", "b.pdf"):
        result = run_cli("render", RICH, "--layout", "scorecard", "-o", tmp_path / name, env=env)
        assert result.returncode == 0, result.stderr
    a, b = (tmp_path / "a.pdf").read_bytes(), (tmp_path / "b.pdf").read_bytes()
    assert a == b
    info = _pdf_objects(a)
    assert b"/CreationDate (D:20231114221320" in info and b"/ModDate (D:20231114221320" in info
    result = run_cli("render", RICH, "-o", tmp_path / "c.pdf", env={"SOURCE_DATE_EPOCH": "soon"})
    assert result.returncode == 2 and "SOURCE_DATE_EPOCH" in result.stderr


def test_missing_weasyprint_gives_a_clear_message(monkeypatch, capsys):
    from modelcard.cli import main

    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint -> ImportError
    code = main(["render", str(MINIMAL), "--format", "pdf", "-o", "/tmp/never-written.pdf"])
    err = capsys.readouterr().err
    assert code == 2
    assert "pip install 'modelcard[pdf]'" in err and "Traceback" not in err
    assert not Path("/tmp/never-written.pdf").exists()


# --------------------------------------------------------------------------
# what people see: HTML in headless Chromium, PDF pages through pdftoppm


def _ink(png: Path) -> float:
    from PIL import Image

    im = Image.open(png).convert("L")
    hist = im.histogram()
    return 1 - hist[255] / sum(hist)


@pytest.mark.skipif(not shutil.which("chromium"), reason="chromium not installed (.ci/run installs it)")
def test_html_screenshot_in_headless_chromium(tmp_path):
    pytest.importorskip("PIL")
    from modelcard.card.validate import load_card
    from modelcard.render.engine import render_html

    page = tmp_path / "scorecard.html"
    page.write_text(render_html(load_card(COMPAS), "scorecard").content, encoding="utf-8")
    shot = tmp_path / "shot.png"
    profile = tmp_path / "profile"
    subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--hide-scrollbars",
            "--window-size=1000,1400",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=90,
        check=False,
    )
    assert shot.exists(), "chromium produced no screenshot"
    from PIL import Image

    assert Image.open(shot).size == (1000, 1400)
    assert 0.03 < _ink(shot) < 0.6  # a laid-out page: neither blank nor a wall of colour


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="pdftoppm (poppler-utils) not installed")
def test_pdf_pages_rasterize(tmp_path, compas_pdfs):
    pytest.importorskip("PIL")
    pdf = tmp_path / "scorecard.pdf"
    pdf.write_bytes(compas_pdfs["scorecard"])
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=60)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 1
    from PIL import Image

    width, height = Image.open(pages[0]).size
    assert abs(width / height - 210 / 297) < 0.01  # A4 portrait
    assert 0.03 < _ink(pages[0]) < 0.6


def test_scorecard_of_a_large_card_still_fits_one_page(compas_pdfs):
    """60 fairness results and long use lists: the scorecard shows the worst first and stays one page."""
    import copy

    from modelcard.card.validate import load_card
    from modelcard.render.engine import render_markdown, render_pdf
    from modelcard.schema.models import ModelCard

    data = load_card(COMPAS).model_dump(mode="json", exclude_none=True)
    template = data["fairness"]["results"]
    results = []
    for i in range(60):
        r = copy.deepcopy(template[i % len(template)])
        r["group"] = {"region": f"region-{i:02d}"}
        r["reference_group"] = {"region": "all"}
        results.append(r)
    data["fairness"]["results"] = results
    data["intended_use"]["primary_uses"] = [f"Use number {i} with a reasonably long description." for i in range(9)]
    data["intended_use"]["out_of_scope_uses"] = [f"Misuse number {i}, also described at length." for i in range(9)]
    data["model"]["name"] = "A model with a very long name " * 4
    data["model"]["architecture"] = "An architecture described at great length " * 5
    card = ModelCard.model_validate(data)
    pdf = render_pdf(card, "scorecard", source_date_epoch=0).content
    assert _pdf_pages(pdf) == 1
    md = render_markdown(card, "scorecard").content
    assert "Not shown for space: " in md and "and 4 more in the full card" in md
    shown = md.split("## Fairness verdicts")[1].split("Not shown")[0]
    fails = sum(1 for r in results if r["verdict"] == "fail")
    assert shown.count("❌ fail") == min(fails, 16)  # the worst verdicts are the ones kept


def test_single_card_into_an_existing_folder_gets_an_index(tmp_path, run_cli):
    out = tmp_path / "site"
    out.mkdir()
    result = run_cli("render", MINIMAL, "-o", out, "--format", "html")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "minimal.html"]
