"""Shared test data for ``evaluate``: the COMPAS file and ProPublica's filter.

The 2.5 MB COMPAS file is not in the repository.  Tests find it through the
``MODELCARD_COMPAS_CSV`` environment variable, else at
``<repo>/../shared/data/compas/compas-scores-two-years.csv``, and are skipped
with a message saying where to get it when it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DEFAULT_COMPAS = REPO.parent / "shared" / "data" / "compas" / "compas-scores-two-years.csv"
EXAMPLE = REPO / "examples" / "compas-recidivism.yaml"
COMPAS_URL = "https://github.com/propublica/compas-analysis/raw/master/compas-scores-two-years.csv"


def compas_csv() -> Path | None:
    """The COMPAS two-year file, or None when it is not available."""
    path = Path(os.environ.get("MODELCARD_COMPAS_CSV") or DEFAULT_COMPAS)
    return path if path.is_file() else None


def require_compas() -> Path:
    """The COMPAS file, or skip the test saying where to get it."""
    path = compas_csv()
    if path is None:
        pytest.skip(
            f"COMPAS data not found (set MODELCARD_COMPAS_CSV or put it at {DEFAULT_COMPAS}); "
            f"download it from {COMPAS_URL}"
        )
    return path


def compas_frame():
    """ProPublica's filtered COMPAS rows (6,172) as a pandas DataFrame, with the prediction decile >= 5."""
    pd = pytest.importorskip("pandas")
    df = pd.read_csv(require_compas())
    df = df[
        (df.days_b_screening_arrest <= 30)
        & (df.days_b_screening_arrest >= -30)
        & (df.is_recid != -1)
        & (df.c_charge_degree != "O")
        & (df.score_text != "N/A")
    ].reset_index(drop=True)
    assert len(df) == 6172  # ProPublica's figure
    df["high_risk"] = (df.decile_score >= 5).astype(int)
    return df
