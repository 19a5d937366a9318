"""The published JSON Schema: generated from the Pydantic models, kept in ``schemas/``."""

from __future__ import annotations

import json
from pathlib import Path

from modelcard.schema.models import SCHEMA_VERSION, json_schema

SCHEMA_FILENAME = f"modelcard-{SCHEMA_VERSION}.schema.json"


def schema_text() -> str:
    """The schema as stable, pretty-printed JSON text (what ``schemas/`` holds)."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def schema_path() -> Path:
    """Where the generated schema file lives (in the wheel, or in a source checkout)."""
    here = Path(__file__).resolve().parent.parent  # the package folder
    for candidate in (here / "schemas" / SCHEMA_FILENAME, here.parent / "schemas" / SCHEMA_FILENAME):
        if candidate.exists():
            return candidate
    return here.parent / "schemas" / SCHEMA_FILENAME
