"""`modelcard migrate` and old (schema 1.0) cards: notice, recomputed verdicts, links, safety, idempotence."""

from __future__ import annotations

import json
import os
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml

from modelcard.card.migrate import migrate_text
from modelcard.card.validate import load_card, validate_file
from modelcard.diagnostics import CardError
from modelcard.schema.models import SCHEMA_VERSION

DATA = Path(__file__).parents[1] / "data" / "migrate"
COMPAS_1_0 = DATA / "compas-1.0.yaml"  # examples/compas-recidivism.yaml at d5f3b0f
HAND_1_0 = DATA / "hand-written-1.0.yaml"  # tests/data/diff/old.yaml before 1.1

#: issue 11's example, as a 1.0 card wrote it: n = 11, accuracy difference +0.055 with CI [-0.238, +0.232]
#: against the band [-0.1, 0.1] was "pass" (point estimate inside); n = 1 with a difference outside the band
#: was "fail" although its interval covers the band
ISSUE_CARD = textwrap.dedent("""\
    # issue 11: verdicts on tiny groups
    card:
      schema_version: "1.0"   # written before the interval rule
    model:
      name: tiny-groups
      version: "1"
    fairness:
      results:
        - metric: accuracy
          group: {site: B}
          reference_group: {site: A}
          value: 0.818
          n: 11
          disparity:
            difference:
              value: 0.055
              confidence_interval: {lower: -0.238, upper: 0.232}
          threshold: {convention: difference, min: -0.1, max: 0.1}
          verdict: pass
        - metric: accuracy
          group: {site: C}
          reference_group: {site: A}
          value: 1.0
          n: 1
          disparity:
            difference:
              value: 0.237
              confidence_interval: {lower: -0.55, upper: 0.62}
          threshold: {convention: difference, min: -0.1, max: 0.1}
          verdict: fail
        - metric: accuracy
          group: {site: D}
          reference_group: {site: A}
          value: 0.77
          n: 4000
          disparity:
            difference:
              value: 0.007
              confidence_interval: {lower: -0.01, upper: 0.024}
          threshold: {convention: difference, min: -0.1, max: 0.1}
          verdict: pass
    """)


def write(folder: Path, text: str, name: str = "card.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------
# old cards under validate


def test_a_valid_1_0_card_stays_valid_with_a_notice(run_cli):
    res = run_cli("validate", COMPAS_1_0)
    assert res.returncode == 0, res.stdout
    (notice,) = [line for line in res.stdout.splitlines() if "[old-schema]" in line]
    assert f"{COMPAS_1_0}:8:19: info: schema 1.0: run `modelcard migrate {COMPAS_1_0}`" in notice
    # the notice is not a warning: --strict does not fail on it
    strict = run_cli("validate", "--strict", COMPAS_1_0)
    assert strict.returncode == 0, strict.stdout
    gh = run_cli("validate", "--format", "github", COMPAS_1_0)
    assert gh.stdout.startswith("::notice file=") and "title=modelcard old-schema" in gh.stdout
    report = validate_file(COMPAS_1_0, strict=True)
    assert report.ok and [d.severity for d in report.diagnostics] == ["info"]


def test_old_verdicts_the_new_rule_changes_are_located_errors(tmp_path, run_cli):
    card = write(tmp_path, ISSUE_CARD)
    res = run_cli("validate", card)
    assert res.returncode == 1
    errors = [line for line in res.stdout.splitlines() if "[verdict-mismatch]" in line]
    assert len(errors) == 2
    assert errors[0].startswith(f"{card}:19:16: error: verdict 'pass' disagrees with the verdict rule")
    assert "wider than the band [-0.1, 0.1]" in errors[0] and f"modelcard migrate {card}" in errors[0]
    assert errors[1].startswith(f"{card}:30:16: error: verdict 'fail'") and "which gives 'inconclusive'" in errors[1]
    assert "[old-schema]" in res.stdout  # and says how to fix it


# --------------------------------------------------------------------------
# migrate


def test_issue_example_verdicts_are_recomputed(tmp_path, run_cli):
    card = write(tmp_path, ISSUE_CARD)
    out = tmp_path / "out.yaml"
    res = run_cli("migrate", card, "-o", out)
    assert res.returncode == 0, res.stderr
    data = yaml.safe_load(out.read_text())
    assert data["card"]["schema_version"] == SCHEMA_VERSION
    assert [r["verdict"] for r in data["fairness"]["results"]] == ["inconclusive", "inconclusive", "pass"]
    lines = res.stderr.splitlines()
    assert (
        lines[0] == f"{card}:3:19: info: schema_version 1.0 -> {SCHEMA_VERSION} (card.schema_version) [migrate-version]"
    )
    assert "verdict pass -> inconclusive: the interval [-0.238, 0.232] is wider than the band [-0.1, 0.1]" in lines[1]
    assert lines[1].startswith(f"{card}:19:16: info:")
    assert "verdict fail -> inconclusive" in lines[2]  # one line per change
    # and what was written
    assert len(lines) == 4 and lines[3].startswith(f"wrote {out} (card, schema {SCHEMA_VERSION}, ")
    assert lines[3].endswith("; 3 changes")
    # comments and layout stay; only the changed values are rewritten
    text = out.read_text()
    assert text.startswith("# issue 11: verdicts on tiny groups\n")
    assert f'schema_version: "{SCHEMA_VERSION}"   # written before the interval rule' in text
    changed = [(a, b) for a, b in zip(ISSUE_CARD.splitlines(), text.splitlines()) if a != b]
    assert len(changed) == 3 and len(text.splitlines()) == len(ISSUE_CARD.splitlines())
    assert run_cli("validate", out).returncode == 0


def test_strict_valid_old_card_migrates_to_a_strict_valid_card(tmp_path, run_cli):
    out = tmp_path / "compas.yaml"
    res = run_cli("migrate", COMPAS_1_0, "-o", out)
    assert res.returncode == 0, res.stderr
    assert res.stderr.splitlines()[:-1] == [
        f"{COMPAS_1_0}:8:19: info: schema_version 1.0 -> {SCHEMA_VERSION} (card.schema_version) [migrate-version]"
    ]  # its verdicts already follow the interval rule
    assert res.stderr.splitlines()[-1].startswith(f"wrote {out} (card, schema {SCHEMA_VERSION}, ")
    strict = run_cli("validate", "--strict", out)
    assert strict.returncode == 0 and "[old-schema]" not in strict.stdout, strict.stdout
    assert load_card(out).fairness.results == load_card(COMPAS_1_0).fairness.results


def test_hand_written_point_verdicts_become_inconclusive_with_a_hint(tmp_path, run_cli):
    out = tmp_path / "out.yaml"
    res = run_cli("migrate", HAND_1_0, "-o", out)
    assert res.returncode == 0, res.stderr
    changes = [line for line in res.stderr.splitlines() if "[migrate-verdict]" in line]
    assert len(changes) == 4
    assert all("no confidence interval" in c and "verdict_basis: point" in c for c in changes)
    card = load_card(out)
    assert {r.verdict for r in card.fairness.results} == {"inconclusive"}
    # a card that states point-estimate decisions keeps them
    text = HAND_1_0.read_text().replace("test_methodology:\n", "test_methodology:\n  verdict_basis: point\n", 1)
    res = run_cli("migrate", write(tmp_path, text, "point.yaml"))
    assert res.returncode == 0 and "[migrate-verdict]" not in res.stderr
    assert {r["verdict"] for r in yaml.safe_load(res.stdout)["fairness"]["results"]} == {"pass"}


def test_migrating_twice_is_migrating_once(tmp_path, run_cli):
    for source in (ISSUE_CARD, HAND_1_0.read_text(), COMPAS_1_0.read_text()):
        once = migrate_text(source, "card.yaml")
        twice = migrate_text(once.text, "card.yaml")
        assert twice.text == once.text and not twice.changed
    card = write(tmp_path, ISSUE_CARD)
    assert run_cli("migrate", "--in-place", card).returncode == 0
    first = card.read_bytes()
    res = run_cli("migrate", "--in-place", card)
    assert res.returncode == 0 and "already at schema" in res.stderr and card.read_bytes() == first


def test_in_place_keeps_comments_bom_and_permissions(tmp_path, run_cli):
    card = tmp_path / "card.yaml"
    card.write_bytes(b"\xef\xbb\xbf" + ISSUE_CARD.encode())
    os.chmod(card, 0o640)
    res = run_cli("migrate", "-i", card)
    assert res.returncode == 0 and "migrated in place (3 changes)" in res.stderr
    raw = card.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf# issue 11")
    assert (card.stat().st_mode & 0o777) == 0o640
    assert load_card(card).card.schema_version == SCHEMA_VERSION


def test_links_the_security_release_refuses_are_rewritten_or_kept_as_text(tmp_path, run_cli):
    card = write(
        tmp_path,
        textwrap.dedent("""\
            card:
              schema_version: "1.0"
            model:
              name: m
              version: "1"
              repository: s3://bucket/models/m
              references:
                - title: The paper
                  url: doi:10.1000/182
                - title: A DOI with a query-like suffix
                  url: "DOI:10.1002/(SICI)1097-4571#x?y"
                - title: Mirror
                  url: ftp://ftp.example.org/pub/m.tar.gz
            datasets:
              - id: d
                name: D
                role: test
                url: "javascript:alert(1)"
                x-original-url: kept
            """),
    )
    before = run_cli("validate", card)
    assert before.returncode == 1 and "[old-schema]" in before.stdout and "[unsafe-link]" in before.stdout
    res = run_cli("migrate", card)
    assert res.returncode == 0, res.stderr
    data = yaml.safe_load(res.stdout)
    refs = data["model"]["references"]
    assert refs[0]["url"] == "https://doi.org/10.1000/182"
    assert refs[1]["url"] == "https://doi.org/10.1002/(SICI)1097-4571%23x%3Fy"
    assert "url" not in refs[2] and refs[2]["x-original-url"] == "ftp://ftp.example.org/pub/m.tar.gz"
    assert "repository" not in data["model"] and data["model"]["x-original-repository"] == "s3://bucket/models/m"
    ds = data["datasets"][0]
    assert "url" not in ds and ds["x-original-url"] == "kept" and ds["x-original-url-2"] == "javascript:alert(1)"
    notes = [line for line in res.stderr.splitlines() if "[migrate-link]" in line]
    assert len(notes) == 5 and all(": info: " in n for n in notes)
    assert any("moved to x-original-repository (kept as text, no longer a link)" in n for n in notes)
    out = write(tmp_path, res.stdout, "out.yaml")
    assert run_cli("validate", out).returncode == 0


def test_json_cards_and_format_by_suffix(tmp_path, run_cli):
    data = yaml.safe_load(ISSUE_CARD)
    card = write(tmp_path, json.dumps(data, indent=2) + "\n", "card.json")
    res = run_cli("migrate", card)
    assert res.returncode == 0, res.stderr
    migrated = json.loads(res.stdout)
    assert migrated["card"]["schema_version"] == SCHEMA_VERSION and res.stdout.startswith('{\n  "card"')
    # YAML in, JSON out (and back) by the suffix of -o
    res = run_cli("migrate", write(tmp_path, ISSUE_CARD), "-o", tmp_path / "out.json")
    assert res.returncode == 0 and json.loads((tmp_path / "out.json").read_text())["fairness"]["results"]
    res = run_cli("migrate", card, "-o", tmp_path / "out.yaml")
    assert res.returncode == 0 and yaml.safe_load((tmp_path / "out.yaml").read_text())["card"]["schema_version"]


def test_standard_input(run_cli):
    res = run_cli("migrate", "-", input=ISSUE_CARD)
    assert res.returncode == 0 and "verdict: inconclusive" in res.stdout
    assert run_cli("migrate", "-i", "-", input=ISSUE_CARD).returncode == 2


def test_invalid_card_writes_nothing(tmp_path, run_cli):
    card = write(tmp_path, ISSUE_CARD.replace('version: "1"', "version: [1]"))
    out = tmp_path / "out.yaml"
    res = run_cli("migrate", card, "-o", out)
    assert res.returncode == 1 and f"{card}:6:12: error:" in res.stderr and not out.exists()
    before = card.read_bytes()
    assert run_cli("migrate", "-i", card).returncode == 1 and card.read_bytes() == before
    with pytest.raises(CardError):
        migrate_text("card: {schema_version: '9.9'}\nmodel: {name: m, version: '1'}\n")
    # a threshold whose disparity is missing is the card's problem, not migration's: reported, nothing written
    bad = ISSUE_CARD.replace("        difference:\n          value: 0.055", "        ratio:\n          value: 0.055", 1)
    assert bad != ISSUE_CARD
    res = run_cli("migrate", write(tmp_path, bad, "bad.yaml"), "-o", out)
    assert res.returncode == 1 and "threshold-without-disparity" in res.stderr and not out.exists()


def test_output_never_overwrites_the_card(tmp_path, run_cli):
    card = write(tmp_path, ISSUE_CARD)
    before = card.read_bytes()
    link = tmp_path / "link.yaml"
    link.symlink_to(card)
    hard = tmp_path / "hard.yaml"
    os.link(card, hard)
    (tmp_path / "dir").mkdir()
    for target in (card, f"{tmp_path}/./card.yaml", link, hard):
        res = run_cli("migrate", card, "-o", target)
        assert res.returncode == 2 and "Traceback" not in res.stderr, (target, res.stderr)
    res = run_cli("migrate", card, "-o", tmp_path / "dir")
    assert res.returncode == 2 and "directory" in res.stderr
    res = run_cli("migrate", card, "-o", tmp_path / "missing" / "out.yaml")
    assert res.returncode == 2
    assert run_cli("migrate", card, "-i", "-o", tmp_path / "x.yaml").returncode == 2
    assert card.read_bytes() == before
    # a FIFO as CARD is refused before it is opened
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    res = run_cli("migrate", fifo)
    assert res.returncode == 2 and "FIFO" in res.stderr


def test_read_only_card_in_place_is_refused(tmp_path, run_cli):
    if os.geteuid() == 0:
        pytest.skip("root writes read-only files")
    card = write(tmp_path, ISSUE_CARD)
    os.chmod(card, 0o444)
    assert run_cli("migrate", "-i", card).returncode == 2


def test_example_card_copy_migrates(tmp_path, run_cli, example_path):
    copy = tmp_path / "example.yaml"
    shutil.copy(example_path, copy)
    res = run_cli("migrate", "-i", copy)
    assert res.returncode == 0, res.stderr
    assert run_cli("validate", "--strict", copy).returncode == 0


def test_a_change_shared_through_an_anchor_is_written_anew_or_refused_in_place(tmp_path, run_cli):
    card = write(
        tmp_path,
        textwrap.dedent("""\
            card: {schema_version: "1.0"}
            model: {name: m, version: "1"}
            fairness:
              results:
                - metric: fpr
                  group: {g: b}
                  value: 0.3
                  disparity: {difference: {value: 0.0}}
                  threshold: &band {convention: difference, min: -0.1, max: 0.1}
                  verdict: &v pass
                - metric: fpr
                  group: {g: c}
                  value: 0.3
                  disparity: {difference: {value: 0.0}}
                  threshold: *band
                  verdict: *v
            """),
    )
    before = card.read_bytes()
    res = run_cli("migrate", "-i", card)
    assert res.returncode == 2 and "anchor" in res.stderr and "with -o" in res.stderr
    assert "[migrate-verdict]" not in res.stderr and card.read_bytes() == before
    res = run_cli("migrate", card)
    assert res.returncode == 0 and "written anew, comments not kept" in res.stderr
    assert [r["verdict"] for r in yaml.safe_load(res.stdout)["fairness"]["results"]] == ["inconclusive"] * 2
