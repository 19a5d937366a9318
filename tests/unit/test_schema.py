"""The JSON Schema export: in sync with the models, versioned, and agreeing with the validator."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from modelcard.card.validate import validate_data
from modelcard.schema.jsonschema import SCHEMA_FILENAME, schema_path, schema_text
from modelcard.schema.models import SCHEMA_ID, SCHEMA_VERSION, ModelCard

ROOT = Path(__file__).resolve().parents[2]


def test_committed_schema_is_up_to_date():
    committed = (ROOT / "schemas" / SCHEMA_FILENAME).read_text(encoding="utf-8")
    assert committed == schema_text(), "schemas/ is stale: run `modelcard schema -o schemas/" + SCHEMA_FILENAME + "`"
    assert schema_path() == ROOT / "schemas" / SCHEMA_FILENAME


def test_schema_has_versioned_id_and_marks_recommended_fields():
    schema = json.loads(schema_text())
    assert schema["$id"] == SCHEMA_ID and SCHEMA_VERSION in schema["$id"]
    jsonschema.Draft202012Validator.check_schema(schema)
    props = schema["properties"]
    assert set(schema["required"]) == {"card", "model"}
    assert props["intended_use"]["x-recommended"] is True
    assert "x-recommended" not in props["environmental_impact"]
    assert schema["patternProperties"] == {"^x-": {}}


def _example_data(example_path):
    data = yaml.safe_load(example_path.read_text(encoding="utf-8"))
    return json.loads(json.dumps(data, default=str))  # dates as ISO strings, as in JSON


def test_json_schema_accepts_the_example(example_path):
    jsonschema.validate(_example_data(example_path), json.loads(schema_text()))


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["model"].pop("version"),
        lambda d: d["model"].__setitem__("nmae", "typo"),
        lambda d: d["datasets"][0].__setitem__("role", "trainin"),
        lambda d: d["datasets"][0].__setitem__("sha256", "xyz"),
        lambda d: d["fairness"]["results"][0].__setitem__("verdict", "ok"),
        lambda d: d["fairness"]["results"][0]["group"].clear(),
        lambda d: d["metrics"][0].__setitem__("n", -1),
        lambda d: d["metrics"][0]["confidence_interval"].__setitem__("level", 1.5),
        lambda d: d["model"].__setitem__("repository", "javascript:alert(1)"),
        lambda d: d["model"].__setitem__("repository", "JaVaScRiPt:alert(1)"),
        lambda d: d["model"]["references"][0].__setitem__("url", " https://example.org/"),
        lambda d: d["model"]["references"][0].__setitem__("url", "//evil.example/"),
        lambda d: d["datasets"][0].__setitem__("url", "file:///etc/passwd"),
        lambda d: d["datasets"][0].__setitem__("url", "https://example.org/\u202e"),
        lambda d: d["metrics"][0].__setitem__("value", 1e308),
        lambda d: d["metrics"][0]["confidence_interval"].__setitem__("lower", -1e101),
        lambda d: d["metrics"][0].__setitem__("n", 2**63),
    ],
)
def test_json_schema_and_pydantic_agree_on_invalid_cards(example_path, mutate):
    data = _example_data(example_path)
    mutate(data)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, json.loads(schema_text()))
    card, diagnostics = validate_data(data)
    assert card is None and diagnostics


def test_extension_keys_pass_both_validators(example_path):
    data = _example_data(example_path)
    data["x-owner"] = "risk team"
    data["datasets"][0]["x-internal-id"] = 7
    jsonschema.validate(data, json.loads(schema_text()))
    card = ModelCard.model_validate(data)
    assert card.model_dump(mode="json")["datasets"][0]["x-internal-id"] == 7


def test_earlier_schema_stays_published_and_old_cards_satisfy_both():
    """Schema 1.1 is current; the 1.0 file stays as published, and a 1.0 card is valid under both."""
    assert SCHEMA_VERSION == "1.1" and SCHEMA_FILENAME == "modelcard-1.1.schema.json"
    old = json.loads((ROOT / "schemas" / "modelcard-1.0.schema.json").read_text(encoding="utf-8"))
    assert old["$id"] == "https://modelcard.dev/schemas/modelcard-1.0.schema.json"
    assert old["$id"] != SCHEMA_ID and "verdict_basis" not in json.dumps(old)
    card_1_0 = yaml.safe_load((ROOT / "tests" / "data" / "migrate" / "compas-1.0.yaml").read_text(encoding="utf-8"))
    card_1_0 = json.loads(json.dumps(card_1_0, default=str))
    jsonschema.validate(card_1_0, old)
    current = json.loads(schema_text())
    jsonschema.validate(card_1_0, current)
    versions = current["$defs"]["CardMetadata"]["properties"]["schema_version"]["enum"]
    assert versions == ["1.0", "1.1"]
    props = json.dumps(current)
    assert '"verdict_basis"' in props and '"family_size"' in props and '"adjustment"' in props
