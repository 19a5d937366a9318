"""``modelcard edit`` as a real process: the URL comes first, it stops when idle and on Ctrl-C."""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

EXAMPLE = ROOT / "examples" / "compas-recidivism.yaml"


# --------------------------------------------------------------------------
# starting and stopping


def test_cli_prints_the_url_first_and_stops_when_idle(tmp_path):
    card = tmp_path / "card.yaml"
    shutil.copy(EXAMPLE, card)
    proc = subprocess.Popen(
        [sys.executable, "-m", "modelcard", "edit", str(card), "--no-browser", "--idle-timeout", "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and "/?token=" in url
        port = int(url.split(":")[2].split("/")[0])
        token = url.split("token=")[1]
        assert len(token) >= 40
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/api/session", headers={"X-Modelcard-Token": token})
        assert conn.getresponse().status == 200
        conn.close()
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0
    assert "stopped after 3 s without a request" in err and token not in err


def test_cli_stops_on_ctrl_c_and_says_where_unsaved_work_is(tmp_path):
    import signal

    card = tmp_path / "card.yaml"
    shutil.copy(EXAMPLE, card)
    draft = tmp_path / ".card.yaml.draft.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "modelcard", "edit", str(card), "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = proc.stdout.readline().strip()
        port, token = int(url.split(":")[2].split("/")[0]), url.split("token=")[1]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/api/session", headers={"X-Modelcard-Token": token})
        doc = json.loads(conn.getresponse().read())["document"]
        conn.close()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request(
            "POST",
            "/api/draft",
            body=json.dumps({"document": doc}),
            headers={"X-Modelcard-Token": token, "Content-Type": "application/json"},
        )
        assert conn.getresponse().status == 200
        conn.close()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "stopped (Ctrl-C)" in err and str(draft) in err and "Traceback" not in err
