"""The long card on paper (issue 14): the COMPAS example merged with an evaluation of every group and the
intersection of race and sex -- the documented ``evaluate`` command -- runs to a dozen A4 pages at most
(it ran to 89 before the summary and the appendices), with its fairness summary on page 1 or 2.

Needs the COMPAS data (skipped, saying where to get it, without), WeasyPrint and poppler's ``pdfinfo``,
``pdftotext`` and ``pdftoppm``.  Pages 1 to 3 are kept as PNG files beside the PDF (``tmp_path``) to look at.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "compas-recidivism.yaml"
MAX_PAGES = 12
#: the documented evaluation (docs/commands/evaluate.md): every group of race and of sex, and race x sex
EVALUATE = (
    *("--label", "two_year_recid", "--prediction", "high_risk", "--score", "decile_score"),
    *("--sensitive", "race", "--sensitive", "sex", "--intersectional"),
    *("--reference", "race=Caucasian", "--intersectional-reference", "within"),
    *("--threshold", "all:difference:-0.1:0.1", "--dataset", "compas-2yr"),
)


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} not found: install poppler-utils (apt-get install poppler-utils)")
    return path


def _ok(proc: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture
def merged_card(compas_csv: Path, tmp_path: Path, run_cli: Callable[..., Any]) -> Path:
    """The example card merged with ``modelcard evaluate`` of the COMPAS predictions (race, sex, race x sex)."""
    work = tmp_path
    predictions = work / "compas-predictions.csv"
    _ok(
        subprocess.run(
            [sys.executable, str(ROOT / "examples" / "compas_predictions.py"), str(compas_csv), str(predictions)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    )
    fragment = work / "compas-eval.yaml"
    _ok(run_cli("evaluate", predictions, *EVALUATE, "-o", fragment))
    merged = work / "compas-merged.yaml"
    _ok(run_cli("merge", EXAMPLE, "--with", fragment, "-o", merged))
    return merged


def test_merged_compas_card_fits_a_dozen_pages_with_the_summary_first(
    merged_card: Path, run_cli: Callable[..., Any]
) -> None:
    pytest.importorskip("weasyprint")
    pdfinfo, pdftotext, pdftoppm = _poppler("pdfinfo"), _poppler("pdftotext"), _poppler("pdftoppm")
    pdf = merged_card.with_suffix(".pdf")
    _ok(run_cli("render", merged_card, "-f", "pdf", "-o", pdf))
    info = _ok(subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, check=False)).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    assert pages <= MAX_PAGES, f"the merged COMPAS card runs to {pages} pages (at most {MAX_PAGES})"

    def text(first: int, last: int) -> str:
        args = [pdftotext, "-f", str(first), "-l", str(last), "-layout", str(pdf), "-"]
        return _ok(subprocess.run(args, capture_output=True, text=True, check=False)).stdout

    opening = text(1, 2)
    assert "Fairness summary" in opening
    assert "Largest disparities" in opening and "Release requirements" in opening
    everything = text(1, pages)
    # the body, then the appendices of per-group tables it links to, nothing left out
    for heading in ("Appendix A: Metrics by group", "Appendix B: Fairness results by group", "Appendix C"):
        assert heading in everything
    assert everything.index("About this card") < everything.rindex("Appendix A: Metrics by group")
    assert "+0.203 [0.169, 0.236]" in everything  # fpr, African-American vs Caucasian: the ProPublica finding

    # pages 1 to 3 as images, kept beside the PDF to look at
    _ok(subprocess.run([pdftoppm, "-r", "80", "-png", "-f", "1", "-l", "3", str(pdf), str(pdf.with_suffix(""))],
                       capture_output=True, text=True, check=False))  # fmt: skip
    images = sorted(pdf.parent.glob(f"{pdf.stem}-*.png"))
    assert len(images) == 3 and all(p.stat().st_size > 10_000 for p in images)
