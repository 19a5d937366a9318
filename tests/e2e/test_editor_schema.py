"""The `# yaml-language-server: $schema=...` line `modelcard init` writes works in a real editor engine, offline.

yaml-language-server is what VS Code's YAML extension (and Neovim, Helix, Zed, Emacs
with an LSP client) runs. It is spoken to over stdio as an editor would: open the card,
read the diagnostics it publishes. The schema comes from the file the modeline names
(no network is used: the schema store is switched off). The server is taken from
$MODELCARD_YAML_LS, the PATH, or installed with npm into a temporary folder; without
node and npm the test is skipped (with the reason).
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from modelcard.schema.jsonschema import SCHEMA_FILENAME


@pytest.fixture(scope="module")
def yaml_language_server(tmp_path_factory) -> str:
    found = os.environ.get("MODELCARD_YAML_LS") or shutil.which("yaml-language-server")
    if found:
        return found
    if not (shutil.which("node") and shutil.which("npm")):
        pytest.skip("node and npm are needed to run yaml-language-server (the engine of VS Code's YAML extension)")
    prefix = tmp_path_factory.mktemp("yaml-ls")
    proc = subprocess.run(
        ["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(prefix), "yaml-language-server@1"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    server = prefix / "node_modules" / ".bin" / "yaml-language-server"
    if proc.returncode != 0 or not server.exists():
        why = f"could not install yaml-language-server with npm: {proc.stderr[-500:]}"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    return str(server)


def diagnostics(server: str, card: Path, timeout: float = 30) -> list[dict[str, Any]]:
    """Open ``card`` in the language server; the first non-empty diagnostics it publishes for it."""
    proc = subprocess.Popen(
        [server, "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert proc.stdin is not None and proc.stdout is not None
    messages: queue.Queue[dict[str, Any]] = queue.Queue()

    def read() -> None:
        assert proc.stdout is not None
        while True:
            headers = {}
            while True:
                line = proc.stdout.readline()
                if not line:
                    return
                text = line.decode().strip()
                if not text:
                    break
                key, _, value = text.partition(":")
                headers[key.lower()] = value.strip()
            messages.put(json.loads(proc.stdout.read(int(headers["content-length"]))))

    def send(msg: dict[str, Any]) -> None:
        assert proc.stdin is not None
        data = json.dumps({"jsonrpc": "2.0", **msg}).encode()
        proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        proc.stdin.flush()

    threading.Thread(target=read, daemon=True).start()
    uri = card.resolve().as_uri()
    try:
        send({"id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": {}}})
        send({"method": "initialized", "params": {}})
        settings = {"yaml": {"validate": True, "schemaStore": {"enable": False}}}
        send({"method": "workspace/didChangeConfiguration", "params": {"settings": settings}})
        document = {"uri": uri, "languageId": "yaml", "version": 1, "text": card.read_text(encoding="utf-8")}
        send({"method": "textDocument/didOpen", "params": {"textDocument": document}})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                msg = messages.get(timeout=1)
            except queue.Empty:
                continue
            params = msg.get("params") or {}
            if (
                msg.get("method") == "textDocument/publishDiagnostics"
                and params["uri"] == uri
                and params["diagnostics"]
            ):
                return list(params["diagnostics"])
        return []
    finally:
        proc.kill()
        proc.wait()


def _break(card: Path) -> None:
    """An unknown key and a number where the schema wants text: errors the editor must underline."""
    lines = card.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, ln in enumerate(lines) if ln.startswith("  schema_version:"))
    lines.insert(at + 1, "  colour: red\n")
    card.write_text("".join(lines), encoding="utf-8")


@pytest.mark.parametrize("vendored", [False, True], ids=["installed-schema", "project-schema"])
def test_the_editor_finds_the_schema_init_points_at(tmp_path, run_cli, yaml_language_server, vendored):
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    (project / "cards").mkdir()
    if vendored:
        assert run_cli("schema", "-o", project / "schemas" / SCHEMA_FILENAME).returncode == 0
    card = project / "cards" / "card.yaml"
    assert run_cli("init", card, "--name", "demo").returncode == 0
    first = card.read_text(encoding="utf-8").splitlines()[0]
    assert ("../schemas/" in first) == vendored and "http" not in first
    _break(card)
    found = diagnostics(yaml_language_server, card)
    messages = {(d["range"]["start"]["line"] + 1, d["message"]) for d in found}
    line = next(i for i, ln in enumerate(card.read_text().splitlines(), 1) if ln.strip() == "colour: red")
    assert (line, "Property colour is not allowed.") in messages, found
