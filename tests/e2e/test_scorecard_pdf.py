"""The scorecard PDF with a release decision and a sign-off: one A4 page, read back with poppler."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPAS = ROOT / "tests" / "data" / "render" / "cards" / "compas.yaml"

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdfinfo")), reason="poppler-utils not installed"
)


def _signed_card():
    from modelcard.schema.models import ModelCard

    data = yaml.safe_load(COMPAS.read_text(encoding="utf-8"))
    data["card"]["sign_off"] = [
        {
            "name": "Dana Whitfield",
            "role": "model owner",
            "organization": "Risk Analytics",
            "contact": "dana@example.org",
            "date": "2026-11-20",
            "decision": "approved",
        },
        {
            "name": "Sam Okafor",
            "role": "fairness reviewer",
            "date": "2026-11-24",
            "decision": "approved_with_conditions",
            "comment": "Re-run on 2015 data before any new use.",
        },
        {"name": "Lee Tran", "role": "legal reviewer", "decision": "pending"},
    ]
    data["card"]["next_review"] = "2027-05-01"
    return ModelCard.model_validate(data)


def test_scorecard_pdf_shows_decision_family_sign_off_on_one_page(tmp_path):
    pytest.importorskip("weasyprint")
    from modelcard.render import render_pdf

    pdf = tmp_path / "scorecard.pdf"
    pdf.write_bytes(render_pdf(_signed_card(), "scorecard", source_date_epoch=0).content)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True, timeout=60).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M) and "595.276 x 841.89" in info  # one A4 page
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    flat = " ".join(text.split())
    assert "Release blocked" in flat and "11 of 17 checks block the release" in flat
    assert "Family of comparisons: 16" in flat
    assert "The release is cleared when no check blocks." in flat
    for name in ("Dana Whitfield", "Sam Okafor", "Lee Tran"):
        assert name in flat
    assert "next due 2027-05-01" in flat
    assert "Small sample: as the card flags it" in flat and "Not shown for space" in flat  # the rest counted
