"""The command line, run in process through :func:`modelcard.cli.main`.

``run_cli(*args, cwd=None, input=None, env=None)`` has the signature and the
result shape of the subprocess fixture in ``tests/e2e/conftest.py`` (a
:class:`subprocess.CompletedProcess` with ``args``, ``returncode``, ``stdout``
and ``stderr`` as text), so a test can move between the two folders without
change; it costs a function call instead of a Python start-up.

What a subprocess would give for free is set up here for each call and undone
after it: the working folder, the environment, a standard input (empty unless
``input`` is given, never a terminal, with a ``.buffer`` for commands that read
bytes from ``-``), standard output and error captured as UTF-8 text over a byte
buffer (``sys.stdout.buffer`` takes PDF bytes), ``SystemExit`` from argparse
turned into a return code, and the module state a process would start afresh.
Tests that need a real process (signals, terminals, start-up time, the
interpreter's own flags) belong in ``tests/e2e``.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable, Mapping

import pytest

from modelcard.cli import main


class CliResult(subprocess.CompletedProcess[str]):
    """A :class:`subprocess.CompletedProcess` that also keeps the raw bytes of standard output."""

    stdout_bytes: bytes


def _text(data: bytes) -> str:
    """Decode as ``subprocess.run(text=True)`` does (universal newlines), never failing on bytes."""
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="replace").read()


def _stdin(data: str | bytes | None) -> io.TextIOWrapper:
    raw = data.encode("utf-8") if isinstance(data, str) else (data or b"")
    return io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8")


class _Capture(io.TextIOWrapper):
    """A text stream over a byte buffer, like a process's redirected standard output."""

    def __init__(self) -> None:
        super().__init__(io.BytesIO(), encoding="utf-8", errors="backslashreplace", write_through=True)

    def getvalue(self) -> bytes:
        self.flush()
        buffer = self.buffer
        assert isinstance(buffer, io.BytesIO)
        return buffer.getvalue()


def invoke(
    *args: object,
    cwd: str | os.PathLike[str] | None = None,
    input: str | bytes | None = None,
    env: Mapping[str, str | None] | None = None,
) -> CliResult:
    """Run ``modelcard ARGS`` in this process; see the module docstring."""
    argv = [os.fspath(a) if isinstance(a, os.PathLike) else str(a) for a in args]
    out, err = _Capture(), _Capture()
    with pytest.MonkeyPatch.context() as mp:
        if cwd is not None:
            mp.chdir(cwd)
        for key, value in (env or {}).items():
            if value is None:
                mp.delenv(key, raising=False)
            else:
                mp.setenv(key, value)
        mp.setattr(sys, "stdin", _stdin(input))
        mp.setattr(sys, "stdout", out)
        mp.setattr(sys, "stderr", err)
        mp.setattr(sys, "argv", ["modelcard", *argv])
        # state a new process would start without: standard input counts as read once per process
        import modelcard.io.source

        mp.setattr(modelcard.io.source, "_stdin_read_from", None, raising=False)
        try:
            code: object = main(argv)
        except SystemExit as exc:  # argparse: --help, --version, usage errors
            code = exc.code
        if code is None:
            code = 0
        elif not isinstance(code, int):  # sys.exit("message"): Python prints it and exits 1
            print(code, file=sys.stderr)
            code = 1
        for stream in (out, err):
            stream.flush()
    raw_out = out.getvalue()
    result = CliResult(["modelcard", *argv], code, _text(raw_out), _text(err.getvalue()))
    result.stdout_bytes = raw_out
    return result


@pytest.fixture
def run_cli() -> Callable[..., CliResult]:
    """Run the ``modelcard`` CLI in process; returns a CompletedProcess (text stdout/stderr)."""
    return invoke
