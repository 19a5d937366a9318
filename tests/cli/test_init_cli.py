"""`modelcard init`: the skeleton generated from the schema."""

from __future__ import annotations


def test_init_cli_writes_and_never_overwrites(tmp_path, run_cli):
    target = tmp_path / "modelcard.yaml"
    proc = run_cli("init", target, "--name", "demo")
    assert proc.returncode == 0, proc.stderr
    first = target.read_text()
    assert "name: demo" in first
    assert run_cli("validate", target).returncode == 0
    assert run_cli("validate", "--strict", target).returncode == 1

    target.write_text("mine\n")
    proc = run_cli("init", target)
    assert proc.returncode == 2 and "already exists; use --force" in proc.stderr
    assert target.read_text() == "mine\n"
    proc = run_cli("init", target, "--force")
    assert proc.returncode == 0 and target.read_text().startswith("# yaml-language-server")


def test_init_cli_errors(tmp_path, run_cli):
    proc = run_cli("init", tmp_path / "missing" / "card.yaml")
    assert proc.returncode == 2 and "does not exist" in proc.stderr
    proc = run_cli("init", tmp_path / "card.json")
    assert proc.returncode == 2 and "YAML" in proc.stderr
    proc = run_cli("init", tmp_path)
    assert proc.returncode == 2 and "is a directory" in proc.stderr
    proc = run_cli("init", "-", "--schema-ref", "https://example.org/s.json")
    assert proc.returncode == 0
    assert proc.stdout.startswith("# yaml-language-server: $schema=https://example.org/s.json")
    assert "Traceback" not in proc.stderr
