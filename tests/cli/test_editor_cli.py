"""``modelcard edit`` on the command line (in process): refusals before the server starts, and what it saves."""

from __future__ import annotations

import copy
import http.client
import json
import os
import shutil
import threading
from pathlib import Path

import pytest

from modelcard.diagnostics import UsageError
from modelcard.editor import start

ROOT = Path(__file__).resolve().parents[2]

EXAMPLE = ROOT / "examples" / "compas-recidivism.yaml"


class Client:
    def __init__(self, server):
        self.server = server
        self.port = server.port
        self.token = server.token

    def request(
        self,
        method: str,
        path: str,
        body=None,
        *,
        token: str | bool | None = True,
        headers: dict | None = None,
        raw: bytes | None = None,
    ):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        h = {"Host": f"127.0.0.1:{self.port}"}
        if token is True:
            h["X-Modelcard-Token"] = self.token
        elif isinstance(token, str):
            h["X-Modelcard-Token"] = token
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        conn.request(method, path, body=data, headers=h)
        res = conn.getresponse()
        payload = res.read()
        conn.close()
        return res, payload

    def json(self, method: str, path: str, body=None, **kw):
        res, payload = self.request(method, path, body, **kw)
        return res.status, json.loads(payload) if payload else None

    def session(self) -> dict:
        status, data = self.json("GET", "/api/session")
        assert status == 200, data
        return data


@pytest.fixture
def editor(tmp_path):
    """Start an editor on a copy of the example card; yields (client, card path)."""
    servers = []

    def make(card: Path | None = None, **kw):
        if card is None:
            card = tmp_path / "card.yaml"
            shutil.copy(EXAMPLE, card)
        server = start(card, idle_timeout=kw.pop("idle_timeout", 0), **kw)
        thread = threading.Thread(target=server.serve, daemon=True)
        thread.start()
        servers.append((server, thread))
        return Client(server), card

    yield make
    for server, thread in servers:
        server.shutdown()
        thread.join(5)


# --------------------------------------------------------------------------
# the gate: token, Host, Origin, body


def test_refuses_a_non_loopback_host_without_allow_remote(tmp_path, run_cli):
    card = tmp_path / "card.yaml"
    shutil.copy(EXAMPLE, card)
    for host in ("0.0.0.0", "192.0.2.1", "example.com", "::"):
        with pytest.raises(UsageError, match="not a loopback address"):
            start(card, host=host)
    r = run_cli("edit", card, "--host", "0.0.0.0", "--no-browser")
    assert r.returncode == 2 and "--allow-remote" in r.stderr and r.stdout == ""
    # with --allow-remote the check passes (192.0.2.1 is a documentation address: binding it fails)
    with pytest.raises(UsageError, match=r"cannot listen on 192\.0\.2\.1"):
        start(card, host="192.0.2.1", allow_remote=True)
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        try:
            server = start(card, host=host)
        except UsageError as exc:  # no IPv6 loopback on this machine
            assert "cannot listen" in str(exc)
            continue
        assert server.is_loopback_only
        server.server_close()


# --------------------------------------------------------------------------
# validate and preview


def _changed(doc: dict, path: tuple, value) -> dict:
    doc = copy.deepcopy(doc)
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return doc


def test_validate_returns_the_located_diagnostics_of_modelcard_validate(editor, tmp_path, run_cli):
    client, card = editor()
    doc = client.session()["document"]
    status, result = client.json("POST", "/api/validate", {"document": doc})
    assert status == 200 and result["valid"] and result["counts"] == {"errors": 0, "warnings": 0, "todo": 0}
    bad = _changed(doc, ("card", "date"), "2026-13-45")
    bad = _changed(bad, ("datasets", 0, "sha256"), "not-a-hash")
    del bad["model"]["version"]
    status, result = client.json("POST", "/api/validate", {"document": bad})
    assert status == 200 and not result["valid"]
    got = {(d["path"], d["line"], d["col"], d["code"], d["message"]) for d in result["diagnostics"]}
    pointers = {d["path"]: d["pointer"] for d in result["diagnostics"]}
    assert pointers["datasets[0].sha256"] == ["datasets", 0, "sha256"]
    assert pointers["model.version"] == ["model", "version"]
    # the same document saved, then checked by the CLI: the same diagnostics, same places
    status, saved = client.json("POST", "/api/save", {"document": bad, "base_sha256": client.session()["sha256"]})
    assert status == 200 and saved["errors"] == 3
    r = run_cli("validate", "--format", "json", card)
    assert r.returncode == 1
    cli = {
        (d["path"], d["line"], d["col"], d["code"], d["message"])
        for d in json.loads(r.stdout)["files"][0]["diagnostics"]
    }
    assert got == cli and len(cli) == 3
    texts = {d["text"] for d in result["diagnostics"]}
    assert any(t.startswith(f"{card}:") and "(datasets[0].sha256)" in t for t in texts)


# --------------------------------------------------------------------------
# saving


def test_new_card_is_written_on_save_with_the_skeleton_comments(editor, tmp_path, run_cli):
    card = tmp_path / "fresh.yaml"
    client, _ = editor(card)
    session = client.session()
    assert session["exists"] is False and session["sha256"] is None and not card.exists()
    doc = _changed(session["document"], ("model", "name"), "fresh-model")
    status, result = client.json("POST", "/api/save", {"document": doc, "base_sha256": None})
    assert status == 200 and result["errors"] == 0
    text = card.read_text()
    assert "# Each field is preceded by the question it answers" in text
    assert "  name: fresh-model\n" in text
    r = run_cli("validate", card)
    assert r.returncode == 0, r.stdout + r.stderr


# --------------------------------------------------------------------------
# starting and stopping


def test_cli_refuses_what_it_cannot_edit(tmp_path, run_cli):
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    r = run_cli("edit", fifo, "--no-browser")
    assert r.returncode == 2 and "FIFO" in r.stderr and r.stdout == ""
    bad = tmp_path / "bad.yaml"
    bad.write_text("model: {name: x\n")
    r = run_cli("edit", bad, "--no-browser")
    assert r.returncode == 1 and r.stderr.startswith(f"{bad}:") and "Traceback" not in r.stderr
    r = run_cli("edit", tmp_path / "card.yaml", "--no-browser", "--port", "70000")
    assert r.returncode == 2 and "port" in r.stderr
