"""Rules on the valid parts of a card the schema refuses (modelcard.card.partial)."""

from __future__ import annotations

from modelcard.card.validate import validate_document
from modelcard.io.source import loads

CARD = """\
card:
  schema_version: "1.1"
model:
  name: m
  version: "1"
metrics:
  - name: accuracy
    value: high
  - name: recall
    value: 0.5
  - name: precision
    value: 0.9
    confidence_interval: {lower: 0.1, upper: 0.2, level: 0.95}
"""


def test_rules_keep_the_original_positions_and_indices_of_items_after_a_refused_one():
    _, diagnostics = validate_document(loads(CARD, "card.yaml"))
    by_code = {d.code: d for d in diagnostics}
    assert by_code["float-parsing"].path == "metrics[0].value" and by_code["float-parsing"].line == 8
    outside = by_code["value-outside-ci"]  # metrics[2] stays metrics[2] though metrics[0] was taken out
    assert outside.path == "metrics[2].confidence_interval" and outside.line == 13
    assert [d.line for d in diagnostics] == sorted(d.line or 0 for d in diagnostics)


def test_a_missing_required_core_reports_the_schema_errors_alone():
    _, diagnostics = validate_document(loads("card:\n  schema_version: '1.1'\nmodel:\n  version: '1'\n", "c.yaml"))
    assert [d.code for d in diagnostics] == ["missing"]


def test_strict_does_not_call_an_invalid_field_missing():
    text = CARD.replace('  version: "1"\n', '  version: "1"\n  license: [MIT]\n')
    _, diagnostics = validate_document(loads(text, "card.yaml"), strict=True)
    license = [d for d in diagnostics if d.path == "model.license"]
    assert [d.code for d in license] == ["string-type"]  # not also "recommended field 'license' is missing"
