"""The installed entry point in a fresh interpreter: exit codes of the process and what start-up imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PASSING = REPO / "tests" / "data" / "gate" / "passing.yaml"


def _fresh(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)


def test_exit_codes_in_a_subprocess(run_cli, example_path):
    assert run_cli("gate", PASSING).returncode == 0
    assert run_cli("gate", example_path, "--format", "json").returncode == 1
    assert run_cli("gate", PASSING, "--require", "accuracy>0.5").returncode == 2


def test_numpy_is_not_imported_on_the_validate_path():
    proc = _fresh(
        "import sys, modelcard.cli.evaluate, modelcard.cli.validate, modelcard.card.validate; "
        "print('numpy' in sys.modules)"
    )
    assert proc.stdout.strip() == "False", proc.stderr


def test_validate_start_does_not_load_the_editor():
    r = _fresh(
        "import sys, modelcard.cli as c; c.build_parser(); "
        "print(sorted(m for m in sys.modules if m.startswith(('modelcard.editor', 'http.server', 'webbrowser'))))"
    )
    assert r.returncode == 0 and r.stdout.strip() == "[]", r.stdout + r.stderr


def test_validate_imports_its_own_command_only():
    """``modelcard validate`` imports no other command, importer or exporter, and no renderer or numpy."""
    card = REPO / "examples" / "compas-recidivism.yaml"
    r = _fresh(
        "import sys, contextlib, io; from modelcard.cli import main\n"
        f"with contextlib.redirect_stdout(io.StringIO()): code = main(['validate', {str(card)!r}])\n"
        "heavy = ('numpy', 'jinja2', 'pyarrow', 'weasyprint', 'rich', 'markdown_it', 'ruamel', 'multiprocessing')\n"
        "ours = ('modelcard.interop', 'modelcard.evaluation', 'modelcard.render', 'modelcard.authoring', "
        "'modelcard.editor', 'modelcard.api')\n"
        "loaded = [m for m in sys.modules if m.startswith(heavy + ours)]\n"
        "commands = [m for m in sys.modules if m.startswith('modelcard.cli.')]\n"
        "print(code, sorted(loaded), sorted(commands))"
    )
    assert r.stdout.split(maxsplit=1) == ["0", "[] ['modelcard.cli.validate']\n"], r.stdout + r.stderr


def _plugin_scan(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``validate`` in a fresh interpreter with ``env`` added; print whether pydantic looked for plugins."""
    import os

    card = REPO / "examples" / "compas-recidivism.yaml"
    code = (
        "import sys, contextlib, io; from modelcard.cli import main\n"
        f"with contextlib.redirect_stdout(io.StringIO()): code = main(['validate', {str(card)!r}])\n"
        "print(code, 'importlib.metadata' in sys.modules)"
    )
    clean = {k: v for k, v in os.environ.items() if k not in ("PYDANTIC_DISABLE_PLUGINS", "MODELCARD_PYDANTIC_PLUGINS")}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60, env=clean | env
    )


def test_the_command_line_skips_pydantic_plugins_unless_asked():
    """The plugin scan (importlib.metadata over every distribution) is skipped by default; the user can ask
    for plugins with MODELCARD_PYDANTIC_PLUGINS=1, and a PYDANTIC_DISABLE_PLUGINS of their own is respected."""
    assert _plugin_scan({}).stdout.split() == ["0", "False"]
    assert _plugin_scan({"MODELCARD_PYDANTIC_PLUGINS": "1"}).stdout.split() == ["0", "True"]
    own = _plugin_scan({"PYDANTIC_DISABLE_PLUGINS": "some-plugin"})
    assert own.stdout.split() == ["0", "True"], own.stderr
