"""CycloneDX 1.6 and SPDX 3.0.1 exports: official-schema validation, structure, determinism."""

from __future__ import annotations

import json

from interop_helpers import EXAMPLE, cyclonedx_validator


def _errors(bom):
    return [f"{list(e.path)}: {e.message}" for e in cyclonedx_validator().iter_errors(bom)]


# --------------------------------------------------------------------------
# SPDX 3.0.1: there is no offline JSON schema in the corpus, so the checks below
# encode the spec's requirements (https://spdx.github.io/spdx-spec/v3.0.1/: model/AI/Classes/AIPackage,
# model/Dataset/Classes/DatasetPackage, model/AI/AI and model/Dataset/Dataset for profile
# conformance, model/Core/Classes/CreationInfo), and
# spdx-python-model (bindings generated from the official SPDX 3.0.1 SHACL model)
# parses the document, rejecting unknown properties and wrong types, and
# re-serialises it, enforcing every minimum cardinality.


def test_cli_export(run_cli, tmp_path):
    for fmt in ("cyclonedx", "spdx", "huggingface"):
        out = tmp_path / f"out.{fmt}"
        r = run_cli("export", EXAMPLE, "--to", fmt, "-o", out, "--set", "model.version=9.9")
        assert r.returncode == 0, r.stderr
        assert "9.9" in out.read_text(encoding="utf-8")
    assert not _errors(json.loads((tmp_path / "out.cyclonedx").read_text()))
    # an invalid card: located error, exit 1, nothing written
    bad = tmp_path / "bad.yaml"
    bad.write_text("card: {schema_version: '1.0'}\nmodel: {name: x}\n")
    out = tmp_path / "never.json"
    r = run_cli("export", bad, "--to", "cyclonedx", "-o", out)
    assert r.returncode == 1 and "missing required field 'version'" in r.stderr
    assert "Traceback" not in r.stderr and not out.exists()


# --------------------------------------------------------------------------
# --validate-online: optional, never required, never fails the export for the network's sake


class _Hub:
    """A stand-in for the Hub's validate-yaml endpoint on 127.0.0.1: 400 when the README names 'bad-licence'."""

    def __init__(self):
        import http.server
        import threading

        self.requests: list[dict] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append({"path": self.path, **body})
                bad = "bad-licence" in body["content"]
                self.send_response(400 if bad else 200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b'"license" must be one of [apache-2.0, mit, ...]' if bad else b"")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_validate_online_without_a_network_is_skipped_with_a_notice(run_cli, tmp_path):
    out = tmp_path / "README.md"
    for env in ({"HF_ENDPOINT": f"http://127.0.0.1:{_closed_port()}", "HF_HUB_OFFLINE": None}, {"HF_HUB_OFFLINE": "1"}):
        r = run_cli("export", EXAMPLE, "--to", "huggingface", "-o", out, "--validate-online", env=env)
        assert r.returncode == 0, r.stderr
        assert "notice: online validation skipped" in r.stderr and "Traceback" not in r.stderr
        assert out.read_text(encoding="utf-8").startswith("---\n")
        out.unlink()


def test_validate_online_asks_the_hub_when_it_can(run_cli, tmp_path):
    hub = _Hub()
    try:
        env = {"HF_ENDPOINT": hub.url, "HF_HUB_OFFLINE": None}
        out = tmp_path / "README.md"
        r = run_cli("export", EXAMPLE, "--to", "huggingface", "-o", out, "--validate-online", env=env)
        assert r.returncode == 0, r.stderr
        assert "accepted the metadata" in r.stderr and out.exists()
        (req,) = hub.requests
        assert req["path"] == "/api/validate-yaml" and req["repoType"] == "model"
        assert req["content"] == out.read_text(encoding="utf-8")
        # the Hub refuses: exit 1, its message shown, nothing written
        refused = tmp_path / "refused.md"
        r = run_cli(
            "export",
            EXAMPLE,
            "--to",
            "huggingface",
            "-o",
            refused,
            "--validate-online",
            "--set",
            "model.license=LicenseRef-bad-licence",
            env=env,
        )
        assert r.returncode == 1 and "refused the metadata" in r.stderr and "must be one of" in r.stderr
        assert not refused.exists()
    finally:
        hub.close()


def test_validate_online_is_for_huggingface_only(run_cli, tmp_path):
    r = run_cli("export", EXAMPLE, "--to", "cyclonedx", "--validate-online", "-o", tmp_path / "x.json")
    assert r.returncode == 2 and "--to huggingface" in r.stderr


def test_export_warnings_are_located_in_the_card(run_cli, tmp_path):
    r = run_cli("export", EXAMPLE, "--to", "huggingface", "-o", tmp_path / "README.md")
    assert r.returncode == 0
    (line,) = [ln for ln in r.stderr.splitlines() if "license_name" in ln]
    assert line.startswith(f"{EXAMPLE}:") and ": warning: " in line
    file_line = int(line[len(str(EXAMPLE)) + 1 :].split(":")[0])
    assert "license" in EXAMPLE.read_text(encoding="utf-8").splitlines()[file_line - 1]
    r = run_cli("export", EXAMPLE, "--to", "huggingface", "-q", "-o", tmp_path / "README2.md")
    assert r.returncode == 0 and r.stderr == ""


def test_mct_export_validates_against_its_schema(run_cli, tmp_path):
    from interop_helpers import mct_validator

    out = tmp_path / "card.json"
    r = run_cli("export", EXAMPLE, "--to", "mct", "-o", out)
    assert r.returncode == 0, r.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["schema_version"] == "0.0.2" and not list(mct_validator("0.0.2").iter_errors(doc))
    assert "no place for" in r.stderr
