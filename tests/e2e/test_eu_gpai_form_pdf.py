"""``modelcard render --layout eu-gpai-form`` to PDF, through the installed command."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GPAI = ROOT / "tests" / "data" / "render" / "cards" / "small-gpai.yaml"


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) not installed")
@pytest.mark.parametrize(("audience", "shown", "hidden"), [("downstream", "2.6 Model size range", "7.4 Amount")])
def test_form_pdf_for_an_audience(tmp_path, run_cli, audience, shown, hidden):
    pytest.importorskip("weasyprint")
    pdf = tmp_path / "form.pdf"
    proc = run_cli("render", GPAI, "--layout", "eu-gpai-form", "--audience", audience, "-o", pdf)
    assert proc.returncode == 0, proc.stderr
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True, timeout=60
    ).stdout
    assert "MODEL DOCUMENTATION FORM · FOR DOWNSTREAM PROVIDERS" in text
    assert shown in text and hidden not in text
    assert "Lumen Labs SAS (fictional)" in text
