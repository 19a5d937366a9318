"""Cold start of `modelcard validate`: this checkout against an earlier commit, side by side in one run.

The earlier tree (default d5f3b0f, the last commit before the restructure of
issue 10) is extracted with `git archive` into a temporary directory; both
trees then run `python -m modelcard validate CARD` with the same interpreter
and venv, from their own directory (so each imports its own package).
Bytecode is cached under a temporary PYTHONPYCACHEPREFIX and warmed before
timing, as in a real install (the development environment sets
PYTHONDONTWRITEBYTECODE, which would make both sides compile every module
on every start).

Runs alternate A B B A ... so that load from other processes on the machine
falls on both sides alike; the report gives, per side, the median and the
minimum of the wall-clock time and of the CPU time (user + system, which
load on other cores disturbs less).  Two cards are timed:

* the earlier tree's example card on both sides (the same input: only the
  code differs; this is the comparison that decides), and
* each tree's own examples/compas-recidivism.yaml (the example grew fourfold,
  so this also measures the larger card).

    .venv/bin/python benchmarks/bench_cold_start.py [--runs 30] [--base d5f3b0f]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CARD = Path("examples") / "compas-recidivism.yaml"


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) of one run; exit with its output if it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} (in {cwd}) failed ({proc.returncode}):\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def extract(rev: str, into: Path) -> Path:
    """The tree of ``rev`` (tracked files) under ``into``; the checkout's tree and index are not touched."""
    into.mkdir()
    archive = subprocess.run(["git", "archive", rev], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def row(name: str, samples: list[tuple[float, float]]) -> str:
    wall = [w * 1e3 for w, _ in samples]
    cpu = [c * 1e3 for _, c in samples]
    return f"{name:<34}{statistics.median(wall):>9.0f}{min(wall):>9.0f}{statistics.median(cpu):>9.0f}{min(cpu):>9.0f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=30, help="timed runs of each command (default 30)")
    ap.add_argument("--base", default="d5f3b0f", help="the earlier commit (default d5f3b0f)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="modelcard-cold-start-") as tmp:
        old = extract(args.base, Path(tmp) / "old")
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH")}
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        validate = [sys.executable, "-m", "modelcard", "validate"]
        same_card = str(old / CARD)
        cases = {  # name -> (command, directory it runs in)
            f"{args.base}, its example": (validate + [str(CARD)], old),
            "this checkout, same card": (validate + [same_card], ROOT),
            "this checkout, its example": (validate + [str(CARD)], ROOT),
        }
        for cmd, cwd in cases.values():  # write and warm the .pyc files and the OS file cache
            for _ in range(3):
                timed(cmd, cwd, env)
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
        order = list(cases)
        for i in range(args.runs):
            for name in order if i % 2 == 0 else reversed(order):
                samples[name].append(timed(*cases[name], env))
    print(f"python {sys.version.split()[0]} ({sys.executable}); {args.runs} interleaved runs each, .pyc warmed")
    print(f"cards: {CARD} of {args.base} and of this checkout; load average {os.getloadavg()[0]:.1f}")
    print(f"{'':<34}{'wall ms':>18}{'CPU ms':>18}")
    print(f"{'':<34}{'median':>9}{'min':>9}{'median':>9}{'min':>9}")
    for name in cases:
        print(row(name, samples[name]))
    base, same = samples[order[0]], samples[order[1]]
    for what, i in (("wall", 0), ("CPU", 1)):
        med = statistics.median(s[i] for s in same) / statistics.median(s[i] for s in base)
        low = min(s[i] for s in same) / min(s[i] for s in base)
        print(f"same card, this checkout / {args.base}: {what} median {med:.2f}x, min {low:.2f}x")


if __name__ == "__main__":
    main()
