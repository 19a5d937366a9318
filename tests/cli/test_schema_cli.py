"""`modelcard schema` prints the JSON Schema."""

from __future__ import annotations

import json

from modelcard.schema.models import SCHEMA_ID


def test_cli_prints_the_schema(run_cli):
    res = run_cli("schema")
    assert res.returncode == 0
    assert json.loads(res.stdout)["$id"] == SCHEMA_ID
