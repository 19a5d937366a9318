"""Every ```python example in docs/api.md runs, each in a fresh folder holding card.yaml (the example card)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "api.md"
EXAMPLE = ROOT / "examples" / "compas-recidivism.yaml"

_FENCE = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def _examples() -> list[tuple[str, str]]:
    text = DOC.read_text(encoding="utf-8")
    out = []
    for m in _FENCE.finditer(text):
        heading = (re.findall(r"^## (.+)$", text[: m.start()], re.M) or ["top"])[-1]
        out.append((heading, m.group(1)))
    return out


EXAMPLES = _examples()


def test_the_page_has_an_example_for_every_public_function_and_method():
    code = "\n".join(src for _, src in EXAMPLES)
    for call in (
        "ModelCard.load(",
        ".save(",
        ".validate(",
        ".render(",
        ".merge(",
        ".export(",
        "modelcard.evaluate(",
        "modelcard.gate(",
        "modelcard.diff(",
        "modelcard.import_card(",
        "load_validated(",
    ):
        assert call in code, f"docs/api.md has no example of {call}"


@pytest.mark.parametrize(
    "source", [src for _, src in EXAMPLES], ids=[f"{i}-{h.split(':')[0]}" for i, (h, _) in enumerate(EXAMPLES)]
)
def test_example_runs(source, tmp_path, monkeypatch, capsys):
    shutil.copy(EXAMPLE, tmp_path / "card.yaml")
    for images in (EXAMPLE.parent / "images",):
        if images.is_dir():
            shutil.copytree(images, tmp_path / "images")
    monkeypatch.chdir(tmp_path)
    exec(compile(source, str(DOC), "exec"), {"__name__": "__docs__"})
    capsys.readouterr()  # what the example prints is for the reader; its asserts are the test
