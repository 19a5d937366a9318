"""Issue 14, onboarding: every command that writes says what it wrote; the schema works offline;
`validate` reports schema and rule errors in one run, in line order."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from modelcard.schema.jsonschema import SCHEMA_FILENAME, schema_path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "compas-recidivism.yaml"
WROTE = re.compile(r"^wrote (?P<path>\S+) \((?P<kind>[^,]+(?:, [^,]+)*?), (?P<size>[\d.]+ (?:B|KB|MB))\)", re.M)


def _writers(tmp: Path) -> dict[str, list[str]]:
    card = str(EXAMPLE)
    frag = tmp / "frag.yaml"
    frag.write_text("model:\n  version: 9.9.9\n", encoding="utf-8")
    return {
        "render": ["render", card, "-o", "{out}.html"],
        "render-scorecard": ["render", card, "--layout", "scorecard", "-o", "{out}.md"],
        "merge": ["merge", card, "--with", str(frag), "-o", "{out}.yaml"],
        "gate": ["gate", card, "--allow-inconclusive", "-o", "{out}.txt"],
        "diff": ["diff", card, card, "-o", "{out}.txt"],
        "export": ["export", card, "--to", "cyclonedx", "-o", "{out}.json"],
        "schema": ["schema", "-o", "{out}.json"],
        "init": ["init", "{out}.yaml"],
        "migrate": ["migrate", str(ROOT / "tests/data/migrate/compas-1.0.yaml"), "-o", "{out}.yaml"],
    }


@pytest.mark.parametrize(
    "command", ["render", "render-scorecard", "merge", "gate", "diff", "export", "schema", "init", "migrate"]
)
def test_every_writer_says_what_it_wrote_once_and_quiet_silences_it(tmp_path, run_cli, command):
    argv = _writers(tmp_path)[command]
    out = str(tmp_path / "out")
    res = run_cli(*[a.replace("{out}", out) for a in argv])
    assert res.returncode in (0, 1), res.stderr  # gate may fail the example; it still writes its report
    found = WROTE.findall(res.stderr)
    assert len(found) == 1, res.stderr
    written = Path(found[0][0])
    assert written.is_file() and str(written).startswith(out)
    written.unlink()
    quiet = run_cli(*[a.replace("{out}", out) for a in argv], "-q")
    assert "wrote " not in quiet.stderr and Path(found[0][0]).is_file()


def test_nothing_is_said_for_standard_output_or_a_device(run_cli):
    res = run_cli("schema")
    assert res.returncode == 0 and "wrote" not in res.stderr
    res = run_cli("schema", "-o", "/dev/null")
    assert res.returncode == 0 and "wrote" not in res.stderr


def test_schema_install_path_is_the_installed_schema(run_cli):
    res = run_cli("schema", "--install-path")
    assert res.returncode == 0
    path = Path(res.stdout.strip())
    assert path.name == SCHEMA_FILENAME and path.is_file()
    assert path == schema_path().resolve()
    assert json.loads(path.read_text(encoding="utf-8")) == json.loads(run_cli("schema").stdout)


def test_init_points_editors_at_a_schema_file_that_exists_offline(tmp_path, run_cli):
    (tmp_path / ".git").mkdir()  # a project of its own, without a vendored schema
    res = run_cli("init", tmp_path / "card.yaml")
    assert res.returncode == 0, res.stderr
    first = (tmp_path / "card.yaml").read_text(encoding="utf-8").splitlines()[0]
    ref = first.removeprefix("# yaml-language-server: $schema=")
    assert not ref.startswith("http") and Path(ref).is_file()  # the installed schema, no network needed
    # once the project vendors it (folders are created), new cards point at it by a relative path
    assert run_cli("schema", "-o", tmp_path / "schemas" / SCHEMA_FILENAME).returncode == 0
    (tmp_path / "cards").mkdir()
    res = run_cli("init", tmp_path / "cards" / "b.yaml")
    first = (tmp_path / "cards" / "b.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == f"# yaml-language-server: $schema=../schemas/{SCHEMA_FILENAME}"
    assert (tmp_path / "cards" / first.split("=", 1)[1]).resolve().is_file()
    assert f"editors read the schema at ../schemas/{SCHEMA_FILENAME}" in res.stderr


def _broken_example(tmp_path: Path) -> tuple[Path, int, int]:
    """The example with a schema error (a dataset role) and a rule error (a verdict the numbers contradict)."""
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    role = next(i for i, ln in enumerate(lines) if ln.strip() == "role: evaluation")
    lines[role] = lines[role].replace("evaluation", "evalution")
    verdict = next(i for i, ln in enumerate(lines) if i > role and ln.strip() == "verdict: pass")
    lines[verdict] = lines[verdict].replace("pass", "fail")
    card = tmp_path / "card.yaml"
    card.write_text("".join(lines), encoding="utf-8")
    return card, role + 1, verdict + 1


def test_validate_reports_schema_and_rule_errors_in_one_run_in_line_order(tmp_path, run_cli):
    card, role_line, verdict_line = _broken_example(tmp_path)
    res = run_cli("validate", card)
    assert res.returncode == 1
    errors = [ln for ln in res.stdout.splitlines() if ": error: " in ln]
    assert any(f":{role_line}:" in ln and "[literal-error]" in ln for ln in errors), res.stdout
    assert any(f":{verdict_line}:" in ln and "[verdict-mismatch]" in ln for ln in errors), res.stdout
    lines = [int(ln.split(":")[1]) for ln in errors]
    assert lines == sorted(lines)


def test_rules_that_depend_on_a_refused_part_are_not_guessed(tmp_path, run_cli):
    """A dataset the schema refused is taken out before the rules run: no 'not declared' for references to it."""
    card, _, _ = _broken_example(tmp_path)
    res = run_cli("validate", card)
    assert "[unknown-dataset]" not in res.stdout
    # a card whose required core is broken: the schema errors alone, no rule noise
    bad = tmp_path / "core.yaml"
    bad.write_text('card:\n  schema_version: "1.1"\nmodel:\n  name: [x]\n  version: "1"\n', encoding="utf-8")
    res = run_cli("validate", bad)
    assert res.returncode == 1 and "model.name" in res.stdout and "Traceback" not in res.stderr


def test_strict_output_is_in_line_order(tmp_path, run_cli):
    target = tmp_path / "card.yaml"
    assert run_cli("init", target, "--name", "demo").returncode == 0
    res = run_cli("validate", "--strict", target)
    assert res.returncode == 1
    lines = [int(m) for m in re.findall(r"^\S+?:(\d+):\d+: error", res.stdout, re.M)]
    assert len(lines) > 10 and lines == sorted(lines)


def test_check_names_the_exact_item_and_validate_strict_agrees(tmp_path, run_cli):
    text = EXAMPLE.read_text(encoding="utf-8")
    start = text.index("      maintenance:\n")
    end = start + len("      maintenance:\n")
    while text[end:].startswith("        "):
        end = text.index("\n", end) + 1
    card = tmp_path / "card.yaml"
    card.write_text(text[:start] + text[end:], encoding="utf-8")
    check = run_cli("check", card, "--format", "json")
    items = {i["id"]: i for i in json.loads(check.stdout)["items"]}
    assert items["data-maintenance"]["missing"] == ["datasets[compas-2yr].provenance.maintenance"]
    strict = run_cli("validate", "--strict", card)
    assert strict.returncode == 1
    assert "(datasets[0].provenance.maintenance) [missing-recommended]" in strict.stdout  # the same field
    # and every single-field item the default profile finds missing, validate --strict finds missing too
    skeleton = tmp_path / "new.yaml"
    run_cli("init", skeleton, "--name", "demo")
    check = json.loads(run_cli("check", skeleton, "--format", "json").stdout)
    strict_paths = set(
        re.findall(
            r"\((\S+)\) \[(?:missing-recommended|placeholder)\]", run_cli("validate", "--strict", skeleton).stdout
        )
    )
    for item in check["items"]:
        for missing in item["missing"]:
            if " or " in missing or "[" not in missing:
                continue
            field = re.sub(r"\[[^\]]*\]", "[0]", missing)
            assert any(p == field or p.startswith(field + ".") or p.startswith(field + "[") for p in strict_paths), (
                missing,
                sorted(strict_paths),
            )


def test_fragments_are_validated_as_partial_cards(tmp_path, run_cli):
    declared = tmp_path / "metrics.yaml"
    declared.write_text("kind: fragment\nmetrics:\n  - name: accuracy\n    value: 0.8\n", encoding="utf-8")
    named = tmp_path / "eval.fragment.yaml"
    named.write_text("model:\n  version: 2.0.0\n", encoding="utf-8")
    by_pattern = tmp_path / "run.yaml"
    by_pattern.write_text("metrics:\n  - name: accuracy\n    valu: 0.8\n", encoding="utf-8")
    res = run_cli("validate", declared, named, by_pattern, "--fragment", "*/run.yaml")
    assert res.returncode == 1
    assert f"{declared}: valid" in res.stdout and f"{named}: valid" in res.stdout
    assert f"{by_pattern}:3:5: error: unknown key 'valu'; did you mean 'value'?" in res.stdout
    assert "missing required field" not in res.stdout
    # without the pattern the same file is a (whole) card, and misses what a card needs
    assert "missing required field" in run_cli("validate", by_pattern).stdout
    # types are still checked, and a declared kind must be 'fragment'
    declared.write_text("kind: fragment\nmetrics:\n  - name: accuracy\n    value: high\n", encoding="utf-8")
    assert ":4:12: error:" in run_cli("validate", declared).stdout
    declared.write_text("kind: card\nmodel:\n  version: '2'\n", encoding="utf-8")
    assert "[fragment-kind]" not in run_cli("validate", declared).stdout  # not declared as a fragment: a card
    # a fragment that declares itself layers like any other: the declaration is not card data
    declared.write_text("kind: fragment\nmodel:\n  version: 9.9.9\n", encoding="utf-8")
    res = run_cli("validate", EXAMPLE, "--with", declared)
    assert res.returncode == 0, res.stdout
