"""`import modelcard` and `modelcard validate` in a fresh interpreter: what start-up imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

EXAMPLE = ROOT / "examples" / "compas-recidivism.yaml"


def test_import_modelcard_is_cheap():
    code = (
        "import sys, modelcard\n"
        "heavy = ('numpy', 'jinja2', 'weasyprint', 'pyarrow', 'pandas', 'pydantic')\n"
        "print([m for m in heavy if m in sys.modules])\n"
        "modelcard.ModelCard, modelcard.load_validated, modelcard.Verdict\n"
        "print([m for m in heavy[:4] if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "[]"  # nothing heavy, not even Pydantic, for `import modelcard`
    assert out[1] == "[]"  # the card model and loader do not need numpy, Jinja, WeasyPrint or pyarrow


def test_validate_command_does_not_import_renderers_or_numpy():
    code = (
        "import sys\n"
        "from modelcard.cli import main\n"
        f"main(['validate', {str(EXAMPLE)!r}])\n"
        "print([m for m in ('numpy', 'jinja2', 'weasyprint', 'pyarrow') if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
