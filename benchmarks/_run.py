"""Helpers shared by the benchmark scripts: find a tool in the venv, time one run of a command."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path


def tool(name: str) -> str:
    """The command ``name`` from this interpreter's venv, else from PATH; exit if missing."""
    local = Path(sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    if not found:
        sys.exit(f"{name} is not installed: pip install -e '.[test]'")
    return found


def timed(cmd: list[str]) -> float:
    """Wall-clock seconds of one run of ``cmd``; exit with its output if it fails."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd[:4])} ... failed ({proc.returncode}):\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return elapsed
