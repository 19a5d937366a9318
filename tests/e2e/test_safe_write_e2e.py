"""Output can never destroy anything, and inputs that are not regular files are refused.

Every command that writes goes through ``modelcard.io.write``: ``-o`` naming an
input (by path, ``./`` variant, symbolic or hard link) is refused; devices and
FIFOs are written into as they are; writes are atomic and leave no temporary
file behind, even when the process is killed; a batch render plans its output
names before it writes anything.  Inputs that are FIFOs, sockets or devices are
refused before they are opened, and standard input is read with the card size
limit enforced while reading.
"""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from modelcard.cli import main

ROOT = Path(__file__).resolve().parents[2]

MINIMAL = ROOT / "tests" / "data" / "render" / "cards" / "minimal.yaml"

POSIX = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and signals (POSIX)")


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*.tmp"))


@pytest.fixture
def work(tmp_path, monkeypatch):
    """A folder (the working directory) with a card, a fragment, predictions, a README and a template."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(MINIMAL, tmp_path / "card.yaml")
    (tmp_path / "frag.yaml").write_text("model:\n  description: layered\n", encoding="utf-8")
    shutil.copy(MINIMAL, tmp_path / "other.yaml")
    with open(tmp_path / "preds.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["label", "pred", "group"])
        for i in range(80):
            w.writerow([i % 2, (i // 2) % 2, "ab"[i % 3 == 0]])
    assert main(["export", "card.yaml", "--to", "huggingface", "-o", "README.md"]) == 0
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "card.md.j2").write_text("# {{ card.model.name }}\n", encoding="utf-8")
    return tmp_path


# --------------------------------------------------------------------------
# -o naming an input


@POSIX
def test_standard_output_appended_to_an_input_is_refused(work):
    before = (work / "card.yaml").read_bytes()
    with open(work / "card.yaml", "ab") as out:
        result = subprocess.run(
            [sys.executable, "-m", "modelcard", "merge", "card.yaml"],
            cwd=work,
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2 and "standard output" in result.stderr and "card.yaml" in result.stderr
    assert (work / "card.yaml").read_bytes() == before


# --------------------------------------------------------------------------
# atomic writes: permissions, links, failures, signals


_PAUSING = """
import sys, time
import modelcard.io.write as f
def pause(tmp):
    print("TEMP " + tmp, file=sys.stderr, flush=True)
    time.sleep(60)
f._before_rename = pause
from modelcard.cli import main
sys.exit(main(sys.argv[1:]))
"""


@POSIX
@pytest.mark.parametrize(
    "sig, code", [(signal.SIGTERM, -signal.SIGTERM), (signal.SIGINT, 130), (signal.SIGHUP, -signal.SIGHUP)]
)
def test_a_signal_during_the_write_removes_the_temporary_file(work, sig, code):
    out = work / "out.html"
    out.write_text("old\n")
    proc = subprocess.Popen(
        [sys.executable, "-c", _PAUSING, "render", "card.yaml", "--format", "html", "-o", str(out)],
        cwd=work,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stderr.readline()  # the write is paused with its temporary file in place
        assert line.startswith("TEMP "), line
        tmp = Path(line[5:].strip())
        assert tmp.exists() and tmp.parent == work
        proc.send_signal(sig)
        assert proc.wait(timeout=60) == code
    finally:
        proc.kill()
        proc.stderr.close()
    assert not tmp.exists() and leftovers(work) == []
    assert out.read_text() == "old\n"


# --------------------------------------------------------------------------
# the helper itself


def test_write_output_to_dev_stdout_uses_the_open_descriptor(tmp_path):
    out = tmp_path / "appended.txt"
    out.write_text("first\n")
    code = (
        "import sys; from modelcard.io.write import write_output; "
        "write_output('/dev/stdout', 'second\\n'); write_output('/dev/fd/1', 'third\\n')"
    )
    with open(out, "a") as fh:
        subprocess.run([sys.executable, "-c", code], stdout=fh, check=True, timeout=60)
    assert out.read_text() == "first\nsecond\nthird\n"  # >> still appends: nothing was replaced
