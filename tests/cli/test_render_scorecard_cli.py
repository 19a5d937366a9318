"""``modelcard render``: the scorecard's release decision and sign-off, and Markdown charts beside the page
or inlined with ``--inline-charts``."""

from __future__ import annotations

import base64
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CARDS = ROOT / "tests" / "data" / "render" / "cards"
COMPAS = CARDS / "compas.yaml"
DATA_SVG = '<img src="data:image/svg+xml;base64,'


def _signed(tmp_path: Path) -> Path:
    data = yaml.safe_load(COMPAS.read_text(encoding="utf-8"))
    data["card"]["sign_off"] = [
        {
            "name": "Dana Whitfield",
            "role": "model owner",
            "date": "2026-11-20",
            "decision": "rejected",
            "comment": "The fpr disparity fails for African-American defendants.",
        },
    ]
    data["card"]["next_review"] = "2027-05-01"
    path = tmp_path / "signed.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_scorecard_states_the_gates_decision(tmp_path, run_cli):
    gate = run_cli("gate", COMPAS)
    assert gate.returncode == 1  # the gate blocks this card...
    result = run_cli("render", COMPAS, "--layout", "scorecard")
    assert result.returncode == 0, result.stderr
    assert "**❌ Release blocked.** 11 of 17 checks block the release: 5 fail, 6 inconclusive, 6 pass." in result.stdout
    assert "11 of 17 checks block the release" in gate.stdout  # ...for the same reason
    assert "Family of comparisons: **16**." in result.stdout
    assert "*No sign-off recorded in the card.*" in result.stdout


def test_sign_off_validates_and_renders(tmp_path, run_cli):
    card = _signed(tmp_path)
    assert run_cli("validate", card).returncode == 0
    out = tmp_path / "sc.md"
    result = run_cli("render", card, "--layout", "scorecard", "-o", out)
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "| **Dana Whitfield** | model owner | **rejected** | 2026-11-20 |" in text
    assert "**Review:** last 2026-11-20 (the latest sign-off); next due 2027-05-01" in text
    bad = run_cli("validate", card, "--set", "card.sign_off[0].decision=maybe")
    assert bad.returncode == 1 and "got 'maybe' (card.sign_off[0].decision)" in bad.stdout + bad.stderr


def test_markdown_charts_beside_the_page_or_inline(tmp_path, run_cli):
    side = tmp_path / "side.md"
    assert run_cli("render", COMPAS, "-o", side).returncode == 0
    charts = sorted((tmp_path / "side-charts").glob("*.svg"))
    assert charts
    text = side.read_text(encoding="utf-8")
    assert all(f"](side-charts/{c.name})" in text for c in charts) and DATA_SVG not in text

    inline = tmp_path / "inline.md"
    result = run_cli("render", COMPAS, "-o", inline, "--inline-charts")
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "inline-charts").exists()
    text = inline.read_text(encoding="utf-8")
    assert text.count(DATA_SVG) == len(charts) and "-charts/" not in text
    first = text.split(DATA_SVG)[1].split('"')[0]
    svgs = {c.read_text(encoding="utf-8") for c in charts}
    assert base64.b64decode(first).decode("utf-8") in svgs  # the very same chart file, inlined

    stdout = run_cli("render", COMPAS, "--inline-charts")
    assert stdout.returncode == 0 and stdout.stdout.count(DATA_SVG) == len(charts)
    assert DATA_SVG not in run_cli("render", COMPAS).stdout  # standard output without the flag: tables only


def test_inline_charts_is_for_markdown_only(tmp_path, run_cli):
    for args in (["-o", tmp_path / "c.html"], ["-f", "pdf", "-o", tmp_path / "c.pdf"]):
        result = run_cli("render", COMPAS, "--inline-charts", *args)
        assert result.returncode == 2
        assert "--inline-charts applies to Markdown only" in result.stderr and "Traceback" not in result.stderr
    assert not list(tmp_path.iterdir())


def test_inline_charts_in_a_batch(tmp_path, run_cli):
    cards = tmp_path / "cards"
    cards.mkdir()
    for name in ("compas.yaml", "minimal.yaml"):
        (cards / name).write_text((CARDS / name).read_text(encoding="utf-8"), encoding="utf-8")
    site = tmp_path / "site"
    result = run_cli("render", cards, "-f", "md", "-o", f"{site}/", "--inline-charts")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in site.iterdir()) == ["compas.md", "index.md", "minimal.md"]
    assert DATA_SVG in (site / "compas.md").read_text(encoding="utf-8")
