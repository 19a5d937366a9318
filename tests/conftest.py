"""Shared fixtures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# Hypothesis profiles (tests/test_fuzz.py): "ci", the default, is derandomized, so every run tests the
# same examples (reproducible in CI, no example database written); HYPOTHESIS_PROFILE=fuzz searches
# 20x longer with fresh randomness, for a deeper fuzzing run by hand.
settings.register_profile("ci", derandomize=True, deadline=None, database=None, print_blob=True)
settings.register_profile("fuzz", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "compas-recidivism.yaml"
SHARED = ROOT.parent / "shared"


@pytest.fixture
def example_path() -> Path:
    return EXAMPLE


@pytest.fixture
def run_cli():
    """Run the installed ``modelcard`` CLI in a subprocess; returns CompletedProcess."""

    def run(
        *args: str, cwd: str | os.PathLike | None = None, input: str | None = None, env: dict | None = None
    ) -> subprocess.CompletedProcess:
        full_env = dict(os.environ)
        full_env.update(env or {})
        return subprocess.run(
            [sys.executable, "-m", "modelcard", *map(str, args)],
            cwd=cwd,
            input=input,
            capture_output=True,
            text=True,
            env=full_env,
            timeout=120,
        )

    return run
