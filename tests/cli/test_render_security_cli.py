"""Rendering is safe by construction: sanitized HTML, no fetching in PDF, sandboxed templates."""

from __future__ import annotations

import hashlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

DATA = ROOT / "tests" / "data" / "render"

RICH = DATA / "cards" / "rich" / "card.yaml"


# --------------------------------------------------------------------------
# templates run in the sandbox


def test_malicious_template_via_cli_exits_cleanly(tmp_path, run_cli):
    (tmp_path / "card.html.j2").write_text("<p>{{ ''.__class__.__mro__[1].__subclasses__() }}</p>\n")
    result = run_cli("render", RICH, "--format", "html", "--template", tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "card.html.j2:1: error: blocked by the template sandbox" in result.stderr
    assert result.stdout == ""


def test_render_never_modifies_the_input(tmp_path, run_cli):
    card = tmp_path / "card.yaml"
    card.write_bytes(RICH.read_bytes())
    before = hashlib.sha256(card.read_bytes()).hexdigest()
    assert run_cli("render", card, "-o", tmp_path / "card.md").returncode == 0
    result = run_cli("render", card, "--format", "md", "-o", card)
    assert result.returncode == 2 and "refusing to overwrite an input file" in result.stderr
    assert hashlib.sha256(card.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["card-charts", "card.md", "card.yaml"]
