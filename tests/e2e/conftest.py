"""End-to-end: the installed command in a real process (signals, terminals, start-up, PDF, browser, pre-commit)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Mapping

import pytest


def run_modelcard(
    *args: object,
    cwd: str | os.PathLike[str] | None = None,
    input: str | None = None,
    env: Mapping[str, str | None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``python -m modelcard ARGS`` in a subprocess, with ``env`` laid over this process's environment."""
    full_env = dict(os.environ)
    for key, value in (env or {}).items():
        if value is None:
            full_env.pop(key, None)
        else:
            full_env[key] = value
    return subprocess.run(
        [sys.executable, "-m", "modelcard", *map(str, args)],
        cwd=cwd,
        input=input,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
        check=False,
    )


@pytest.fixture
def run_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the ``modelcard`` CLI in a subprocess; returns CompletedProcess (text stdout/stderr)."""
    return run_modelcard
