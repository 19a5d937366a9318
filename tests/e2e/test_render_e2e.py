"""``modelcard render`` end to end: PDF pages and dates, progress on a terminal, screenshots in Chromium."""

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
# many cards


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
    from modelcard.render import render_pdf

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
    from modelcard.render import render_html

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
    from modelcard.render import render_markdown, render_pdf
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
