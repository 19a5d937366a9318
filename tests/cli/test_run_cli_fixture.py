"""The in-process ``run_cli`` fixture behaves like the subprocess one, and leaves nothing behind."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import modelcard.io.source

MINIMAL = Path(__file__).resolve().parents[1] / "data" / "render" / "cards" / "minimal.yaml"


def test_usage_errors_and_version_exit_like_a_process(run_cli):
    usage = run_cli("validate", "--format", "xml", MINIMAL)
    assert usage.returncode == 2 and "usage:" in usage.stderr and usage.stdout == ""
    assert usage.args[:2] == ["modelcard", "validate"]
    version = run_cli("--version")
    assert version.returncode == 0 and version.stdout.startswith("modelcard ")


def test_standard_input_is_text_with_a_byte_buffer_and_fresh_for_every_call(run_cli):
    text = MINIMAL.read_text(encoding="utf-8")
    for _ in range(2):  # a process reads its standard input once; every call is a new process
        result = run_cli("validate", "-", input=text)
        assert result.returncode == 0, result.stderr
    assert run_cli("validate", "-", input=text.encode("utf-8")).returncode == 0
    empty = run_cli("validate", "-")  # no input: an empty standard input, never the test runner's
    assert empty.returncode == 1 and "file is empty" in empty.stdout
    assert modelcard.io.source._stdin_read_from is None


def test_cwd_env_and_streams_are_restored(run_cli, tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    cwd, streams = os.getcwd(), (sys.stdin, sys.stdout, sys.stderr)
    (tmp_path / "card.yaml").write_text(MINIMAL.read_text(encoding="utf-8"), encoding="utf-8")
    result = run_cli("render", "card.yaml", "-o", "card.md", cwd=tmp_path, env={"SOURCE_DATE_EPOCH": "0"})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "card.md").is_file()
    assert os.getcwd() == cwd and (sys.stdin, sys.stdout, sys.stderr) == streams
    assert "SOURCE_DATE_EPOCH" not in os.environ


def test_stdout_is_text_and_bytes(run_cli):
    result = run_cli("render", MINIMAL, "--format", "md")
    assert result.returncode == 0 and result.stdout.startswith("# ")
    assert result.stdout_bytes.decode("utf-8").replace("\r\n", "\n") == result.stdout
