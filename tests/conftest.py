"""Shared fixtures.

The tests are in three folders: ``unit`` (the Python API), ``cli`` (the
command line in process, through ``modelcard.cli.main``; its ``run_cli``
fixture) and ``e2e`` (a real process: signals, terminals, start-up, PDF,
browser, pre-commit; its ``run_cli`` fixture runs a subprocess).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Hypothesis profiles (tests/cli/test_fuzz.py): "ci", the default, is derandomized, so every run tests the
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


@pytest.fixture(scope="session")
def compas_csv() -> Path:
    """ProPublica's COMPAS data (compas-scores-two-years.csv, not copied into the repository).

    The one lookup is :func:`evaluate_helpers.require_compas`: ``$MODELCARD_COMPAS_CSV``
    or ``<repo>/../shared/data/compas/``; a test that needs it is skipped, saying where
    to get the file and where to put it, when it is absent.
    """
    from evaluate_helpers import require_compas

    return require_compas()
