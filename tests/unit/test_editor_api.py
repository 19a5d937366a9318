"""``modelcard edit``: the HTTP API, in process (server thread on port 0, ``http.client``)."""

from __future__ import annotations

import copy
import http.client
import json
import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from modelcard.diagnostics import CardError, UsageError
from modelcard.editor import start
from modelcard.editor.server import MAX_BODY, PAGE_CSP

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


def test_token_required_on_every_request(editor):
    client, _ = editor()
    for path in (
        "/",
        "/static/editor.js",
        "/static/vendor/jsoneditor.js",
        "/api/session",
        "/api/schema",
        "/preview/1/card.html",
        "/nope",
    ):
        res, body = client.request("GET", path, token=False)
        assert res.status == 403, path
        assert client.token.encode() not in body
        res, _ = client.request("GET", path, token="wrong-" + client.token)
        assert res.status == 403, path
    status, _ = client.json("POST", "/api/validate", {"document": {}}, token=False)
    assert status == 403
    res, _ = client.request("PUT", "/api/save", token=False)
    assert res.status == 403


def test_page_and_static_files_take_the_token_in_the_url(editor):
    client, _ = editor()
    res, body = client.request("GET", f"/?token={client.token}", token=False)
    assert res.status == 200
    assert res.getheader("Content-Type").startswith("text/html")
    assert f'content="{client.token}"' in body.decode()
    csp = res.getheader("Content-Security-Policy")
    assert csp == PAGE_CSP
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "frame-ancestors 'none'" in csp
    assert res.getheader("X-Content-Type-Options") == "nosniff"
    assert res.getheader("Referrer-Policy") == "no-referrer"
    assert res.getheader("X-Frame-Options") == "DENY"
    assert res.getheader("Set-Cookie") is None
    res, body = client.request("GET", f"/static/vendor/jsoneditor.js?token={client.token}", token=False)
    assert res.status == 200 and res.getheader("Content-Type").startswith("text/javascript")
    assert b"JSONEditor" in body
    # the API never takes the token from the URL: only from the header
    res, _ = client.request("GET", f"/api/session?token={client.token}", token=False)
    assert res.status == 403


@pytest.mark.parametrize(
    "host, ok",
    [
        ("127.0.0.1:{port}", True),
        ("localhost:{port}", True),
        ("[::1]:{port}", True),
        ("LOCALHOST:{port}", True),
        ("evil.example:{port}", False),
        ("127.0.0.1:{other}", False),
        ("127.0.0.1", False),
        ("", False),
        ("attacker.example", False),
    ],
)
def test_host_header_must_be_a_loopback_name_with_the_port(editor, host, ok):
    client, _ = editor()
    value = host.format(port=client.port, other=client.port + 1)
    res, _ = client.request("GET", "/api/session", headers={"Host": value})
    assert (res.status == 200) is ok, (value, res.status)


def test_cross_origin_post_is_refused(editor):
    client, _ = editor()
    doc = client.session()["document"]
    status, data = client.json("POST", "/api/validate", {"document": doc}, headers={"Origin": "http://evil.example"})
    assert status == 403 and "cross-origin" in data["error"]
    status, _ = client.json(
        "POST", "/api/validate", {"document": doc}, headers={"Origin": f"http://127.0.0.1:{client.port}"}
    )
    assert status == 200


def test_request_bodies_are_limited_and_checked(editor):
    client, _ = editor()
    # over the limit: refused from the Content-Length, before reading anything
    conn = http.client.HTTPConnection("127.0.0.1", client.port, timeout=30)
    conn.putrequest("POST", "/api/validate", skip_host=True)
    for k, v in {
        "Host": f"127.0.0.1:{client.port}",
        "X-Modelcard-Token": client.token,
        "Content-Type": "application/json",
        "Content-Length": str(MAX_BODY + 1),
    }.items():
        conn.putheader(k, v)
    conn.endheaders()
    res = conn.getresponse()
    assert res.status == 413
    conn.close()
    # a body of exactly the limit is read (and then judged as JSON)
    res, _ = client.request("POST", "/api/validate", raw=b" " * MAX_BODY, headers={"Content-Type": "application/json"})
    assert res.status == 400
    res, _ = client.request("POST", "/api/validate", raw=b'{"document": {}}', headers={"Content-Type": "text/plain"})
    assert res.status == 415
    res, _ = client.request("POST", "/api/validate", raw=b"{nope", headers={"Content-Type": "application/json"})
    assert res.status == 400
    for body in ([1, 2], {"document": [1]}, {"document": "text"}, {"document": {"a": float("nan")}}):
        raw = json.dumps(body).encode()
        res, payload = client.request("POST", "/api/validate", raw=raw, headers={"Content-Type": "application/json"})
        assert res.status == 400, (body, payload)
    deep: dict = {}
    node = deep
    for _ in range(200):
        node["x"] = {}
        node = node["x"]
    status, data = client.json("POST", "/api/validate", {"document": deep})
    assert status == 400 and "nests" in data["error"]
    res, payload = client.request(
        "POST", "/api/validate", raw=b"[" * 100_000 + b"]" * 100_000, headers={"Content-Type": "application/json"}
    )
    assert res.status == 400


def test_no_directory_listing_or_path_traversal(editor):
    client, card = editor()
    secret = card.parent / "secret.txt"
    secret.write_text("top secret")
    for path in (
        "/static/",
        "/static",
        "/static/../session.py",
        "/static/%2e%2e/session.py",
        "/static/vendor/../../_api.py",
        "/static/vendor/",
        "/static//editor.js",
        "//etc/passwd",
        "/static/editor.js/../../../secret.txt",
        "/../secret.txt",
        "/secret.txt",
        "/static/index.html",
        "/preview/../card.yaml",
        "/api/../static/editor.js",
        "/static/editor.js%00.txt",
    ):
        res, body = client.request("GET", path)
        assert res.status == 404, path
        assert b"top secret" not in body and b"import" not in body
    assert secret.read_text() == "top secret"


def test_other_methods_are_refused(editor):
    client, _ = editor()
    for method in ("PUT", "DELETE", "PATCH", "OPTIONS"):
        res, _ = client.request(method, "/api/save")
        assert res.status == 405


# --------------------------------------------------------------------------
# validate and preview


def _changed(doc: dict, path: tuple, value) -> dict:
    doc = copy.deepcopy(doc)
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return doc


def test_validate_lists_strict_to_dos_apart_from_errors(editor, tmp_path):
    client, _ = editor(tmp_path / "new.yaml")
    session = client.session()
    assert session["exists"] is False
    status, result = client.json("POST", "/api/validate", {"document": session["document"]})
    assert status == 200 and result["valid"]
    assert result["counts"]["errors"] == 0 and result["counts"]["todo"] > 10
    todo = [d for d in result["diagnostics"] if d["severity"] == "todo"]
    assert {d["code"] for d in todo} <= {"missing-recommended", "placeholder"}
    assert any(d["path"] == "model.name" and d["code"] == "placeholder" for d in todo)
    assert all(": to do: " in d["text"] for d in todo)


def test_preview_renders_card_and_scorecard_in_a_sandboxed_document(editor):
    client, _ = editor()
    doc = _changed(client.session()["document"], ("model", "name"), "Preview <script>alert(1)</script> model")
    status, result = client.json("POST", "/api/preview", {"document": doc})
    assert status == 200 and result["ok"] and isinstance(result["rev"], int)
    for layout in ("card", "scorecard"):
        path = f"/preview/{result['rev']}/{layout}.html"
        res, _ = client.request("GET", path, token=False)
        assert res.status == 403
        res, body = client.request("GET", f"{path}?token={client.token}", token=False)
        assert res.status == 200, layout
        html = body.decode()
        assert "Preview &lt;script&gt;alert(1)&lt;/script&gt; model" in html
        assert "<script" not in html
        csp = res.getheader("Content-Security-Policy")
        assert "sandbox" in csp and "script-src" not in csp and "default-src 'none'" in csp
        assert "frame-ancestors 'self'" in csp
    res, _ = client.request("GET", f"/preview/{result['rev'] + 50}/card.html")
    assert res.status == 404
    bad = _changed(doc, ("card", "date"), "yesterday")
    status, result = client.json("POST", "/api/preview", {"document": bad})
    assert status == 200 and not result["ok"] and "valid card" in result["message"]


# --------------------------------------------------------------------------
# saving


def test_save_changes_only_the_edited_line(editor):
    client, card = editor()
    before = card.read_bytes()
    session = client.session()
    doc = _changed(session["document"], ("model", "name"), "COMPAS, edited in the browser")
    status, result = client.json("POST", "/api/save", {"document": doc, "base_sha256": session["sha256"]})
    assert status == 200 and result["saved"] and result["errors"] == 0
    old, new = before.decode().splitlines(keepends=True), card.read_text().splitlines(keepends=True)
    assert len(old) == len(new)
    changed = [i for i, (a, b) in enumerate(zip(old, new)) if a != b]
    assert len(changed) == 1
    assert new[changed[0]] == "  name: COMPAS, edited in the browser\n"
    assert old[changed[0]].startswith("  name: COMPAS General")
    assert result["sha256"] == client.session()["sha256"]
    assert not (card.parent / f".{card.name}.draft.json").exists()
    assert sorted(p.name for p in card.parent.iterdir()) == ["card.yaml"]  # no temporary file left


def test_unchanged_document_saves_the_file_byte_for_byte(editor):
    client, card = editor()
    before = card.read_bytes()
    session = client.session()
    status, _ = client.json("POST", "/api/save", {"document": session["document"], "base_sha256": session["sha256"]})
    assert status == 200
    assert card.read_bytes() == before


def test_save_keeps_comments_extensions_and_unknown_keys(editor, tmp_path):
    card = tmp_path / "card.yaml"
    card.write_text(
        "# top comment\n"
        "card:\n"
        "  schema_version: '1.0'  # keep quotes\n"
        "  date: 2024-01-02\n"
        "model:\n"
        "  # the name\n"
        "  name: Old name\n"
        '  version: "1.10"\n'
        "  citation: Some paper  # cite\n"
        "  x-owner: team-a  # extension\n"
        "  colour: blue  # a typo the form cannot show\n"
        "x-internal:\n"
        "  ticket: ABC-1\n"
    )
    client, _ = editor(card)
    session = client.session()
    doc = session["document"]
    assert "x-owner" not in doc["model"] and "x-internal" not in doc  # the form does not show extensions
    doc = _changed(doc, ("model", "name"), "New name")
    del doc["model"]["citation"]  # unticked in the form
    doc["model"]["license"] = "MIT"  # a new optional field
    status, result = client.json("POST", "/api/save", {"document": doc, "base_sha256": session["sha256"]})
    assert status == 200, result
    text = card.read_text()
    assert text == (
        "# top comment\n"
        "card:\n"
        "  schema_version: '1.0'  # keep quotes\n"
        "  date: 2024-01-02\n"
        "model:\n"
        "  # the name\n"
        "  name: New name\n"
        '  version: "1.10"\n'
        "  license: MIT\n"
        "  citation: null  # cite\n"
        "  x-owner: team-a  # extension\n"
        "  colour: blue  # a typo the form cannot show\n"
        "x-internal:\n"
        "  ticket: ABC-1\n"
    ), text
    assert result["errors"] == 1  # the unknown key, reported at its place
    status, v = client.json("POST", "/api/validate", {"document": client.session()["document"]})
    assert [(d["path"], d["line"], d["code"]) for d in v["diagnostics"] if d["severity"] == "error"] == [
        ("model.colour", 12, "unknown-key")
    ]


def test_dates_from_the_form_are_written_as_dates(editor, tmp_path):
    client, card = editor(tmp_path / "new.yaml")
    session = client.session()
    doc = _changed(session["document"], ("model", "date"), "2025-03-04")
    doc = _changed(doc, ("model", "version"), "2025-03-04")  # text that looks like a date stays text
    status, _ = client.json("POST", "/api/save", {"document": doc, "base_sha256": None})
    assert status == 200
    text = card.read_text()
    assert "\n  date: 2025-03-04  # YYYY-MM-DD\n" in text
    assert "\n  version: '2025-03-04'\n" in text


def test_json_card_stays_json(editor, tmp_path):
    card = tmp_path / "card.json"
    card.write_text(
        json.dumps({"card": {"schema_version": "1.0"}, "model": {"name": "m", "version": "1"}}, indent=4) + "\n"
    )
    client, _ = editor(card)
    session = client.session()
    doc = _changed(session["document"], ("model", "version"), "2")
    status, _ = client.json("POST", "/api/save", {"document": doc, "base_sha256": session["sha256"]})
    assert status == 200
    assert json.loads(card.read_text()) == {"card": {"schema_version": "1.0"}, "model": {"name": "m", "version": "2"}}
    assert card.read_text().startswith('{\n    "card"')


def test_conflicting_edit_on_disk_is_detected(editor):
    client, card = editor()
    session = client.session()
    card.write_text(card.read_text().replace("# Example card:", "# Edited on disk meanwhile.\n# Example card:"))
    on_disk = card.read_bytes()
    doc = _changed(session["document"], ("model", "name"), "Mine")
    status, result = client.json("POST", "/api/save", {"document": doc, "base_sha256": session["sha256"]})
    assert status == 409 and result["conflict"] and "changed on disk" in result["error"]
    assert card.read_bytes() == on_disk  # nothing written
    status, result = client.json(
        "POST", "/api/save", {"document": doc, "base_sha256": session["sha256"], "overwrite": True}
    )
    assert status == 200
    text = card.read_text()
    assert "# Edited on disk meanwhile." in text and "  name: Mine\n" in text
    # deleted on disk, or created meanwhile: conflicts too
    card.unlink()
    status, result = client.json("POST", "/api/save", {"document": doc, "base_sha256": result["sha256"]})
    assert status == 409 and "deleted" in result["error"]


def test_conflict_on_a_new_card_created_meanwhile(editor, tmp_path):
    card = tmp_path / "new.yaml"
    client, _ = editor(card)
    doc = client.session()["document"]
    card.write_text("card: {schema_version: '1.0'}\nmodel: {name: other, version: '1'}\n")
    status, result = client.json("POST", "/api/save", {"document": doc, "base_sha256": None})
    assert status == 409 and "created" in result["error"]
    assert "other" in card.read_text()


def test_rewrite_needed_when_a_changed_value_is_an_anchor(editor, tmp_path):
    card = tmp_path / "card.yaml"
    card.write_text(
        "# note\ncard: {schema_version: '1.0'}\nmodel:\n  name: &n shared\n  version: '1'\n  description: *n\n"
    )
    client, _ = editor(card)
    session = client.session()
    doc = _changed(session["document"], ("model", "name"), "changed")
    status, result = client.json("POST", "/api/validate", {"document": doc})
    assert status == 200 and result["in_place"] is False
    status, result = client.json("POST", "/api/save", {"document": doc, "base_sha256": session["sha256"]})
    assert status == 422 and result["can_rewrite"]
    assert "&n shared" in card.read_text()
    status, result = client.json(
        "POST", "/api/save", {"document": doc, "base_sha256": session["sha256"], "rewrite": True}
    )
    assert status == 200
    assert "name: changed" in card.read_text() and "description: shared" in card.read_text()


# --------------------------------------------------------------------------
# drafts


def test_draft_autosave_and_restore(editor, tmp_path):
    client, card = editor()
    session = client.session()
    assert session["draft"] is None
    doc = _changed(session["document"], ("model", "name"), "Draft name")
    status, result = client.json("POST", "/api/draft", {"document": doc, "base_sha256": session["sha256"]})
    assert status == 200
    draft = card.parent / ".card.yaml.draft.json"
    assert draft.exists() and result["path"] == str(draft)
    assert json.loads(draft.read_text())["document"]["model"]["name"] == "Draft name"
    os.utime(draft, (time.time() + 5, time.time() + 5))  # the draft is newer than the card
    offered = client.session()["draft"]
    assert offered["document"]["model"]["name"] == "Draft name" and offered["same_base"] is True
    # a new editor on the same card offers it too (the tab was closed, the server stopped)
    client2, _ = editor(card)
    assert client2.session()["draft"]["document"]["model"]["name"] == "Draft name"
    # a draft older than the card is not offered
    os.utime(draft, (time.time() - 100, time.time() - 100))
    assert client.session()["draft"] is None
    os.utime(draft, (time.time() + 5, time.time() + 5))
    status, result = client.json("POST", "/api/draft/discard", {})
    assert status == 200 and result["discarded"] and not draft.exists()
    # saving removes the draft
    client.json("POST", "/api/draft", {"document": doc, "base_sha256": session["sha256"]})
    assert draft.exists()
    status, _ = client.json("POST", "/api/save", {"document": doc, "base_sha256": session["sha256"]})
    assert status == 200 and not draft.exists()


def test_draft_is_never_written_through_a_planted_symlink(editor, tmp_path):
    client, card = editor()
    target = tmp_path / "victim.txt"
    target.write_text("keep me")
    (card.parent / ".card.yaml.draft.json").symlink_to(target)
    session = client.session()
    status, result = client.json("POST", "/api/draft", {"document": session["document"], "base_sha256": None})
    assert status == 409 and "not a regular file" in result["error"]
    assert target.read_text() == "keep me"
    assert session["draft"] is None


def test_unreadable_draft_is_reported_not_fatal(editor):
    client, card = editor()
    draft = card.parent / ".card.yaml.draft.json"
    draft.write_text("{not json")
    os.utime(draft, (time.time() + 5, time.time() + 5))
    assert client.session()["draft"]["unreadable"] is True


# --------------------------------------------------------------------------
# starting and stopping


def test_broken_card_is_refused_at_start(tmp_path):
    card = tmp_path / "card.yaml"
    card.write_text("card: [unclosed\n")
    with pytest.raises(CardError):
        start(card)
    for bad, message in (("card.txt", "a card is a .yaml"), ("missing/card.yaml", "does not exist")):
        with pytest.raises(UsageError, match=message):
            start(tmp_path / bad)
    (tmp_path / "dir.yaml").mkdir()
    with pytest.raises(Exception, match="directory"):
        start(tmp_path / "dir.yaml")


def test_idle_timeout_stops_the_server(tmp_path):
    card = tmp_path / "card.yaml"
    shutil.copy(EXAMPLE, card)
    server = start(card, idle_timeout=0.3)
    t0 = time.monotonic()
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    thread.join(10)
    assert not thread.is_alive() and server.stop_reason == "idle"
    assert time.monotonic() - t0 < 5


def test_empty_card_file_starts_from_the_skeleton(editor, tmp_path):
    card = tmp_path / "touched.yaml"
    card.write_text("")
    client, _ = editor(card)
    session = client.session()
    assert session["exists"] is True and session["document"]["model"]["name"] == "TODO"
    doc = _changed(session["document"], ("model", "name"), "from-empty")
    status, _ = client.json("POST", "/api/save", {"document": doc, "base_sha256": session["sha256"]})
    assert status == 200
    assert "  name: from-empty\n" in card.read_text() and "# Name of the model. (required)" in card.read_text()


def test_hidden_keys_follow_their_list_item_when_items_move(editor, tmp_path):
    card = tmp_path / "card.yaml"
    card.write_text(
        "card: {schema_version: '1.0'}\n"
        "model:\n"
        "  name: m\n"
        "  version: '1'\n"
        "  developers:\n"
        "    - name: Alice\n"
        "      x-badge: A-1\n"
        "    - name: Bob\n"
        "      x-badge: B-2\n"
        "    - name: Carol\n"
        "      x-badge: C-3\n"
    )
    client, _ = editor(card)
    session = client.session()
    doc = session["document"]
    devs = doc["model"]["developers"]
    assert devs == [{"name": "Alice"}, {"name": "Bob"}, {"name": "Carol"}]
    devs[0], devs[2] = devs[2], devs[0]  # moved
    devs[1]["role"] = "lead"  # edited in place
    status, _ = client.json("POST", "/api/save", {"document": doc, "base_sha256": session["sha256"]})
    assert status == 200
    from modelcard.io.source import load

    data = load(card).data
    assert data["model"]["developers"] == [
        {"name": "Carol", "x-badge": "C-3"},
        {"name": "Bob", "x-badge": "B-2", "role": "lead"},
        {"name": "Alice", "x-badge": "A-1"},
    ]


def test_malformed_requests_get_a_plain_refusal(editor):
    import socket as _socket

    client, _ = editor()
    answers = []
    for raw in (b"GARBAGE\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n"):
        with _socket.create_connection(("127.0.0.1", client.port), timeout=10) as s:
            s.sendall(raw)
            answer = b""
            while chunk := s.recv(65536):
                answer += chunk
        assert b'"error"' in answer and b"<html" not in answer.lower() and client.token.encode() not in answer
        if answer.startswith(b"HTTP/"):  # a status line and headers (none when the version is unknown)
            head = answer.split(b"\r\n\r\n")[0]
            assert head.split(b" ")[1] in (b"400", b"414", b"505"), head
            assert b"X-Content-Type-Options: nosniff" in head
        answers.append(answer)
    assert answers[-1].startswith(b"HTTP/1.0 414")
