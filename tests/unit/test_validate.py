"""`modelcard validate`: schema errors located in the source, exit codes, formats, strict mode."""

from __future__ import annotations

import textwrap

from modelcard.card.validate import load_card, validate_file

MINIMAL = textwrap.dedent("""\
    card:
      schema_version: "1.1"
    model:
      name: tiny
      version: "1"
    """)


def write(tmp_path, text: str, name: str = "card.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_example_card_is_valid_and_strict(example_path):
    report = validate_file(example_path, strict=True)
    assert report.ok, [str(d) for d in report.diagnostics]
    card = load_card(example_path)
    assert card.model.name.startswith("COMPAS")
    results = card.fairness.results
    assert {r.verdict for r in results} == {"pass", "fail", "inconclusive"}
    assert any(r.intersectional for r in results)


def test_minimal_card_is_valid_but_not_strict(tmp_path):
    path = write(tmp_path, MINIMAL)
    assert validate_file(path).ok
    strict = validate_file(path, strict=True)
    assert not strict.ok
    names = {d.path for d in strict.diagnostics}
    assert "intended_use" in names and "model.description" in names
    # recommended fields of absent sections are not listed one by one
    assert "intended_use.primary_uses" not in names


def test_schema_errors_point_at_the_offending_node(tmp_path):
    path = write(
        tmp_path,
        """\
        card:
          schema_version: "1.1"
          autors: []
        model:
          name: x
          version: 1.0
        datasets:
          - id: d1
            name: D
            role: trainin
            sha256: abc
        metrics:
          - name: acc
            value: null
        """,
    )
    diags = {d.path: d for d in validate_file(path).diagnostics}
    assert diags["card.autors"].message == "unknown key 'autors'; did you mean 'authors'?"
    assert (diags["card.autors"].line, diags["card.autors"].col) == (3, 3)
    assert "put it in quotes" not in diags["model.version"].message
    assert "quotes" in diags["model.version"].message and diags["model.version"].line == 6
    assert diags["datasets[0].role"].line == 10 and "'trainin'" in diags["datasets[0].role"].message
    assert diags["datasets[0].sha256"].line == 11
    assert "undefined_reason" in diags["metrics[0]"].message and diags["metrics[0]"].line == 13


def test_missing_required_field_points_at_parent(tmp_path):
    path = write(tmp_path, "card:\n  schema_version: '1.1'\nmodel:\n  name: x\n")
    [d] = validate_file(path).diagnostics
    assert d.message == "missing required field 'version' in model"
    assert (d.line, d.col) == (4, 3)


def test_extensions_are_kept(tmp_path):
    path = write(
        tmp_path, MINIMAL.replace("  name: tiny\n", "  name: tiny\n  x-team: vision\n") + "x-pipeline: {run: 42}\n"
    )
    card = load_card(path)
    assert card.model.extensions == {"x-team": "vision"}
    dumped = card.model_dump(mode="json", exclude_none=True)
    assert dumped["x-pipeline"] == {"run": 42} and dumped["model"]["x-team"] == "vision"


def test_verdict_must_agree_with_numbers(tmp_path, example_path):
    text = example_path.read_text(encoding="utf-8")
    # the first fairness result (FPR, African-American vs Caucasian) fails the +/-0.1 threshold
    first = text.index("    verdict: fail")
    bad = text[:first] + "    verdict: pass" + text[first + len("    verdict: fail") :]
    path = write(tmp_path, bad)
    [d] = [d for d in validate_file(path).diagnostics if d.code == "verdict-mismatch"]
    assert "which gives 'fail'" in d.message and "lies outside the band [-0.1, 0.1]" in d.message
    assert d.line == bad[:first].count("\n") + 1


def test_unknown_dataset_reference(tmp_path):
    path = write(tmp_path, MINIMAL + "metrics:\n  - name: acc\n    value: 0.9\n    dataset: nope\n")
    [d] = validate_file(path).diagnostics
    assert d.code == "unknown-dataset" and d.line == 9


def test_placeholders_fail_strict_only(tmp_path):
    path = write(tmp_path, MINIMAL.replace("name: tiny", "name: TODO name the model"))
    assert validate_file(path).ok
    assert any(d.code == "placeholder" and d.line == 4 for d in validate_file(path, strict=True).diagnostics)


# ---------------------------------------------------------------- the CLI


def test_batches_in_worker_processes_keep_order_and_results(tmp_path):
    from modelcard.card.validate import validate_files

    paths = []
    for i in range(9):
        text = MINIMAL.replace("tiny", f"m{i}") if i % 3 else MINIMAL.replace('"1"', "[1]")
        paths.append(write(tmp_path, text, f"card{i}.yaml"))
    paths.append(tmp_path / "missing.yaml")
    serial = validate_files(paths, jobs=1)
    parallel = validate_files(paths, jobs=2)
    assert [r.file for r in parallel] == [str(p) for p in paths]
    assert [(r.ok, r.unreadable, [str(d) for d in r.diagnostics]) for r in parallel] == [
        (r.ok, r.unreadable, [str(d) for d in r.diagnostics]) for r in serial
    ]
    assert [r.ok for r in serial] == [i % 3 != 0 for i in range(9)] + [False]
    assert serial[-1].unreadable


def test_spreads_and_requirements_are_checked_too(tmp_path):
    path = write(
        tmp_path,
        MINIMAL
        + textwrap.dedent("""\
        test_methodology:
          metric_definitions:
            - name: fpr
          requirements:
            - metric: acuracy
              min: 0.6
              dataset: nowhere
        fairness:
          spreads:
            - metric: fpr
              attributes: [race]
              difference: {value: 0.3}
              threshold: {convention: difference, max: 0.1}
              verdict: pass
        """),
    )
    diags = {(d.code, d.path): d for d in validate_file(path).diagnostics}
    assert diags[("unknown-dataset", "test_methodology.requirements[0].dataset")].line == 12
    assert diags[("undefined-metric", "test_methodology.requirements[0].metric")].severity == "warning"
    mismatch = diags[("verdict-mismatch", "fairness.spreads[0].verdict")]
    # no interval: the rule cannot settle it (schema 1.1), and says how to give one or choose point estimates
    assert "which gives 'inconclusive'" in mismatch.message and mismatch.line == 19
    assert "verdict_basis: point" in mismatch.message
