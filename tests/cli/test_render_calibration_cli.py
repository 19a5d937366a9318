"""Calibration within groups and the named fairness criteria reach the rendered card (issue 11 §3)."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "compas-recidivism.yaml"


def _predictions(path: Path) -> None:
    rng = np.random.default_rng(1)
    n = 1500
    g = rng.choice(["a", "b", "c"], n)
    s = rng.uniform(0, 1, n)
    y = (rng.uniform(0, 1, n) < s * np.where(g == "c", 0.7, 1.0)).astype(int)  # group c is miscalibrated
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["y", "score", "g"])
        w.writerows(zip(y.tolist(), np.round(s, 4).tolist(), g.tolist()))


def test_reliability_chart_and_criteria_are_rendered(run_cli, tmp_path):
    _predictions(tmp_path / "p.csv")
    frag = tmp_path / "frag.yaml"
    r = run_cli(
        "evaluate",
        tmp_path / "p.csv",
        "--label",
        "y",
        "--score",
        "score",
        "--score-threshold",
        "0.5",
        "--sensitive",
        "g",
        "-o",
        frag,
    )
    assert r.returncode == 0, r.stderr
    assert "calibration:" in frag.read_text()

    r = run_cli("render", EXAMPLE, "--with", frag, "-o", tmp_path / "card.html")
    assert r.returncode == 0, r.stderr
    html = (tmp_path / "card.html").read_text()
    assert html.count("Calibration within groups") >= 2  # the section and the inlined chart's title
    assert "mean score of the bin" in html  # the reliability chart's legend
    assert "Fairness criteria" in html and "Equalized odds" in html

    r = run_cli("render", EXAMPLE, "--with", frag, "-o", tmp_path / "card.md")
    assert r.returncode == 0, r.stderr
    md = (tmp_path / "card.md").read_text()
    assert "card-charts/calibration.svg" in md
    svg = tmp_path / "card-charts" / "calibration.svg"
    root = ET.parse(svg).getroot()  # valid XML
    text = "".join(root.itertext())
    for group in ("overall", "a (n=", "b (n=", "c (n="):
        assert group in text
    assert "mean score of the bin" in text


def test_card_without_calibration_has_no_calibration_chart(run_cli, tmp_path):
    r = run_cli("render", EXAMPLE, "-o", tmp_path / "card.md")
    assert r.returncode == 0, r.stderr
    assert not (tmp_path / "card-charts" / "calibration.svg").exists()
    assert "calibration.svg" not in (tmp_path / "card.md").read_text()
