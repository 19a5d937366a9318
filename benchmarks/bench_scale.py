"""Benchmark: evaluate at scale — the arrow and spark engines against pandas + fairlearn, side by side.

Data: synthetic prediction logs (Parquet, 1M rows per part file, Snappy; two
sensitive attributes stored as dictionary-encoded text — race with 6 values,
sex with 2 —, a 0/1 label, a 0/1 prediction and a continuous float64 score
from a logistic model, so every score is distinct and every large group is
binned) of 1M, 10M and 100M rows, generated once into
``benchmarks/results/scale/`` (git-ignored; 100M rows take about 0.9 GB), and
the first 1M rows as one CSV file (text columns).

What is measured, each in its own process, one after the other (interleaved,
so machine load hits every tool alike):

* ``arrow``, ``spark``: ``compute_stats(path, engine=…)`` — read the label,
  prediction, score and sensitive columns, build the statistics (confusion
  counts, score tables, exact sums) — then the finaliser (every metric of both
  attributes and their intersection, intervals, disparities).  The wall time
  counted starts after the imports (and for Spark after its session, the JVM,
  is up: that start-up is shown apart); rows/s = rows / that time.  Peak RSS
  is the process's high-water mark (``ru_maxrss``), plus the JVM's (VmHWM)
  for Spark.  CPU is user + system seconds of the process (and the JVM).
* ``pandas + fairlearn`` (1M rows only: it holds everything in memory and
  is slow): ``pandas.read_parquet`` and fairlearn's ``MetricFrame`` with seven
  rates per group and sklearn's AUC, for race, sex and race × sex.
* the 1M-row CSV case, end to end: whole processes, timed from the outside —
  interpreter start, imports, reading the CSV, computing, and (modelcard)
  writing the fragment: ``python -m modelcard evaluate rows.csv … -o
  fragment.yaml`` against a script doing ``pandas.read_csv`` + the same
  fairlearn/sklearn calls.  Byte code is cached as for an installed package
  (one untimed warm-up run; the cache goes to ``benchmarks/results/scale/
  pycache``); the median of three modelcard runs is shown.

Each line shows the load average when the measurement started: other work on
the machine slows every figure.

    .venv/bin/python benchmarks/bench_scale.py [--sizes 1M,10M,100M] [--engines arrow,spark,pandas]
        [--skip-csv] [--timeout SECONDS]

Targets (issue 12, on a 2-core machine): at least 20M rows/s on Parquet with
arrow at 100M rows; peak RSS flat in rows (at most 1 GiB at 100M rows); the
1M-row CSV case at least 50× faster end to end than pandas + fairlearn.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT / "benchmarks" / "results" / "scale"
PART_ROWS = 1_000_000
RACES = ["African-American", "Asian", "Caucasian", "Hispanic", "Native American", "Other"]
RACE_P = [0.40, 0.02, 0.34, 0.12, 0.02, 0.10]
SIZES = {"1M": 1_000_000, "10M": 10_000_000, "100M": 100_000_000}
CLI_ARGS = ["--label", "label", "--prediction", "pred", "--score", "score"]
CLI_ARGS += ["--sensitive", "race", "--sensitive", "sex", "--intersectional", "-q"]


# --------------------------------------------------------------------------
# data


def make_part(index: int, rows: int = PART_ROWS):  # -> pyarrow.Table
    """Part ``index`` of the synthetic log (deterministic: seeded by the index)."""
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(1_000 + index)
    race = rng.choice(len(RACES), rows, p=RACE_P).astype(np.int8)
    sex = (rng.random(rows) < 0.8).astype(np.int8)  # 0 Female, 1 Male
    y = (rng.random(rows) < 0.45).astype(np.int8)
    logit = 1.2 * y - 0.6 + 0.3 * (race == 0) + rng.normal(0.0, 1.0, rows)
    score = 1.0 / (1.0 + np.exp(-logit))
    pred = (score >= 0.5).astype(np.int8)
    return pa.table(
        {
            "race": pa.DictionaryArray.from_arrays(pa.array(race), pa.array(RACES)),
            "sex": pa.DictionaryArray.from_arrays(pa.array(sex), pa.array(["Female", "Male"])),
            "label": pa.array(y),
            "pred": pa.array(pred),
            "score": pa.array(score),
        }
    )


def dataset(rows: int) -> Path:
    """The Parquet dataset of ``rows`` rows (a folder of 1M-row part files), generated if missing."""
    import pyarrow.parquet as pq

    folder = DATA / f"parquet-{rows}"
    parts = rows // PART_ROWS
    marker = folder / "_COMPLETE"
    if marker.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(parts):
        path = folder / f"part-{i:05d}.parquet"
        if not path.exists():
            tmp = path.with_suffix(".tmp")
            pq.write_table(make_part(i), tmp, row_group_size=PART_ROWS)
            os.replace(tmp, path)
        if (i + 1) % 10 == 0:
            print(f"  generated {i + 1}/{parts} parts of {folder.name}", file=sys.stderr, flush=True)
    marker.write_text("ok\n")
    return folder


def csv_file(rows: int = 1_000_000) -> Path:
    """The same first ``rows`` rows as one CSV file (race and sex as text, 0/1 label and prediction)."""
    path = DATA / f"rows-{rows}.csv"
    if path.exists():
        return path
    import pyarrow.csv as pacsv

    DATA.mkdir(parents=True, exist_ok=True)
    table = make_part(0, rows)
    table = table.set_column(0, "race", table.column("race").cast("string"))
    table = table.set_column(1, "sex", table.column("sex").cast("string"))
    tmp = path.with_suffix(".tmp")
    pacsv.write_csv(table, tmp)
    os.replace(tmp, path)
    return path


# --------------------------------------------------------------------------
# measurements in a subprocess (python bench_scale.py --measure KIND PATH), printed as JSON


def _measure_engine(engine: str, path: str) -> dict:
    """compute_stats + the finaliser; imports and the Spark session's start-up (JVM) are timed apart."""
    begin = time.perf_counter()
    from modelcard.evaluation import finalize as F
    from modelcard.evaluation.engines import compute_stats

    if engine == "spark":
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from modelcard.evaluation.engines.spark import _session

            _session(os.environ.get("BENCH_SPARK_MASTER", "local[*]"))  # becomes the active session
    else:
        import pyarrow.csv
        import pyarrow.parquet  # noqa: F401

        import modelcard.evaluation.engines.arrow  # noqa: F401
    startup = time.perf_counter() - begin
    start = time.perf_counter()
    result = compute_stats(
        path, label="label", prediction="pred", score="score", sensitive=["race", "sex"], engine=engine, progress=False
    )
    stats_done = time.perf_counter()
    F.finalize_binary(result.confusion, result.scores, intersectional=True)
    end = time.perf_counter()
    return {
        "rows": result.rows,
        "startup_seconds": startup,
        "seconds": end - start,
        "stats_seconds": stats_done - start,
        "binned_cells": int((result.scores.bits < 53).sum()),
        "cells": result.confusion.size,
    }


def _pandas_metrics(df) -> None:
    import sklearn.metrics as skm
    from fairlearn.metrics import (
        MetricFrame,
        false_negative_rate,
        false_positive_rate,
        selection_rate,
        true_negative_rate,
        true_positive_rate,
    )

    rates = {
        "selection_rate": selection_rate,
        "accuracy": skm.accuracy_score,
        "tpr": true_positive_rate,
        "fnr": false_negative_rate,
        "fpr": false_positive_rate,
        "tnr": true_negative_rate,
        "precision": skm.precision_score,
    }
    for attrs in (["race"], ["sex"], ["race", "sex"]):
        MetricFrame(metrics=rates, y_true=df.label, y_pred=df.pred, sensitive_features=df[attrs])
        MetricFrame(metrics={"auc": skm.roc_auc_score}, y_true=df.label, y_pred=df.score, sensitive_features=df[attrs])


def _measure_pandas(path: str) -> dict:
    """pandas.read_parquet (or read_csv) + fairlearn, timed after the imports."""
    import pandas as pd
    import sklearn.metrics  # noqa: F401
    from fairlearn.metrics import MetricFrame  # noqa: F401

    start = time.perf_counter()
    df = pd.read_csv(path) if path.endswith(".csv") else pd.read_parquet(path)
    _pandas_metrics(df)
    return {"rows": len(df), "seconds": time.perf_counter() - start}


def measure(kind: str, path: str) -> None:
    """Run one measurement in this process and print it as JSON (with peak RSS and CPU seconds)."""
    import resource

    if kind in ("arrow", "spark"):
        out = _measure_engine(kind, path)
    elif kind == "pandas":
        out = _measure_pandas(path)
    else:
        raise SystemExit(f"unknown measurement {kind}")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out["cpu_seconds"] = usage.ru_utime + usage.ru_stime + _children_cpu()
    rss = usage.ru_maxrss  # KiB on Linux
    if kind == "spark":  # the JVM is a child process, still running: add its peak (VmHWM)
        out["jvm_peak_rss_mib"] = _children_peak_kib() / 1024
        rss += _children_peak_kib()
    out["peak_rss_mib"] = rss / 1024
    print(json.dumps(out))


def _children() -> list[str]:
    """Process ids of this process's live children (Linux /proc)."""
    me, out = str(os.getpid()), []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    if fh.read().rsplit(")", 1)[1].split()[1] == me:
                        out.append(entry)
            except (OSError, IndexError):
                continue
    return out


def _children_cpu() -> float:
    """CPU seconds (user + system) of live children, e.g. Spark's JVM."""
    total = 0.0
    for pid in _children():
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            continue
    return total


def _children_peak_kib() -> int:
    """Sum of the peak resident sizes (VmHWM) of this process's live children (Linux /proc)."""
    total = 0
    for pid in _children():
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1])
        except (OSError, ValueError):
            continue
    return total


# --------------------------------------------------------------------------
# running measurements


def _env() -> dict[str, str]:
    """The environment of measured processes: byte code cached (as for an installed package), not in the tree."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(DATA / "pycache")
    return env


def run(kind: str, path: Path, timeout: float) -> dict:
    """One measurement in its own process (see :func:`measure`), with the load average when it started."""
    load = os.getloadavg()[0]
    cmd = [sys.executable, __file__, "--measure", kind, str(path)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=_env())
    except subprocess.TimeoutExpired:
        return {"error": f"stopped after {timeout:.0f} s (--timeout)", "load": load}
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["failed"])[-1][:200], "load": load}
    out: dict = json.loads(proc.stdout.strip().splitlines()[-1])
    out["load"] = load
    return out


def run_process(cmd: list[str], rows: int, timeout: float) -> dict:
    """A whole process timed from the outside: wall seconds, CPU seconds and peak RSS (``wait4``)."""
    load = os.getloadavg()[0]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env())
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    except KeyboardInterrupt:
        proc.kill()
        raise
    seconds = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        return {"error": (err.strip().splitlines() or ["failed"])[-1][:200], "load": load}
    if seconds > timeout:
        return {"error": f"took {seconds:.0f} s, over --timeout", "load": load}
    return {
        "rows": rows,
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_rss_mib": usage.ru_maxrss / 1024,
        "load": load,
    }


def cli_end_to_end(csv: Path, timeout: float, repeat: int = 3) -> dict:
    """``python -m modelcard evaluate`` on the CSV file: one warm-up run, then the median of ``repeat``."""
    out = os.path.join(tempfile.mkdtemp(), "fragment.yaml")
    cmd = [sys.executable, "-m", "modelcard", "evaluate", str(csv), *CLI_ARGS, "-o", out]
    warm = run_process(cmd, 1_000_000, timeout)
    if "error" in warm:
        return warm
    runs = [run_process(cmd, 1_000_000, timeout) for _ in range(repeat)]
    bad = [r for r in runs if "error" in r]
    if bad:
        return bad[0]
    best = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    best["all_seconds"] = [r["seconds"] for r in runs]
    return best


def pandas_end_to_end(csv: Path, timeout: float) -> dict:
    """A process importing pandas, fairlearn and sklearn, reading the CSV and computing the same metrics."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[2]); import pandas as pd; import bench_scale as b; "
        "b._pandas_metrics(pd.read_csv(sys.argv[1]))"
    )
    return run_process([sys.executable, "-c", code, str(csv), str(Path(__file__).parent)], 1_000_000, timeout)


# --------------------------------------------------------------------------
# report


def _row(label: str, res: dict | None) -> str:
    if res is None:
        return f"  {label:<22} {'-':>10} {'-':>12} {'-':>12} {'-':>10}"
    load = f"  load {res['load']:.1f}" if "load" in res else ""
    if "error" in res:
        return f"  {label:<22} {res['error']}{load}"
    rate = res["rows"] / res["seconds"]
    extra = f"  (+{res['startup_seconds']:.1f}s start-up)" if res.get("startup_seconds", 0) > 0.5 else ""
    return (
        f"  {label:<22} {res['seconds']:>9.2f}s {rate / 1e6:>10.2f}M/s {res['peak_rss_mib']:>9.0f} MiB"
        f" {res['cpu_seconds']:>9.1f}s{load}{extra}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1M,10M,100M")
    ap.add_argument("--engines", default="arrow,spark,pandas")
    ap.add_argument("--skip-csv", action="store_true")
    ap.add_argument("--timeout", type=float, default=900, help="seconds allowed to one measurement (default 900)")
    ap.add_argument("--measure", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    ap.add_argument("--generate-only", action="store_true", help="only generate the data")
    args = ap.parse_args(argv)
    if args.measure:
        measure(*args.measure)
        return 0
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    paths = {s: dataset(SIZES[s]) for s in sizes}
    csv_path = None if args.skip_csv else csv_file()
    if args.generate_only:
        return 0
    began = time.perf_counter()
    print(f"# evaluate at scale: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(f"  {'':<22} {'wall':>10} {'rows/s':>12} {'peak RSS':>12} {'CPU':>10}")
    print("  (wall: statistics + finaliser after imports and start-up; CPU = user + system seconds of the process;")
    print("   load = the machine's load average when the measurement started)")
    for s in sizes:
        print(f"{s} rows (Parquet, {SIZES[s] // PART_ROWS} part files):", flush=True)
        for e in engines:
            if e == "pandas" and SIZES[s] > 1_000_000:
                res = None  # MetricFrame is slow and pandas holds all rows in memory: 1M only
            else:
                res = run(e, paths[s], args.timeout)
            print(_row(e if e != "pandas" else "pandas + fairlearn", res), flush=True)
    if csv_path is not None:
        print("1M-row CSV, end to end (whole processes: start-up, imports, read, compute, write):", flush=True)
        cli = cli_end_to_end(csv_path, args.timeout)
        print(_row("modelcard evaluate", cli), flush=True)
        ref = pandas_end_to_end(csv_path, args.timeout)
        print(_row("pandas + fairlearn", ref))
        if "error" not in cli and "error" not in ref:
            runs = ", ".join(f"{x:.2f}" for x in cli.get("all_seconds", []))
            print(f"  modelcard runs: {runs} s (median shown)")
            print(f"  speed-up: {ref['seconds'] / cli['seconds']:.0f}x (target >= 50x)")
    print(f"# total {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
