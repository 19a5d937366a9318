"""``modelcard evaluate`` on a directory of Parquet/CSV partitions: --engine, --filter, --spark-master;
bad partitions get a clear error naming the file (exit 1 or 2, no traceback)."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

BASE = ["--label", "y", "--prediction", "p", "--sensitive", "race"]


def _dataset(root, n=4000, seed=0):
    rng = np.random.default_rng(seed)
    table = pa.table(
        {
            "race": rng.choice(["a", "b"], n),
            "y": rng.integers(0, 2, n).astype(np.int8),
            "p": rng.integers(0, 2, n).astype(np.int8),
        }
    )
    regions = rng.choice(["eu", "us"], n)
    for r in ("eu", "us"):
        (root / f"region={r}").mkdir(parents=True)
        pq.write_table(table.filter(pa.array(regions == r)), root / f"region={r}" / "part-0.parquet")
    return table, regions


def test_directory_and_filter(tmp_path, run_cli):
    root = tmp_path / "logs"
    _table, regions = _dataset(root)
    out = tmp_path / "f.yaml"
    proc = run_cli("evaluate", root, *BASE, "--engine", "arrow", "-o", out, "-q")
    assert proc.returncode == 0, proc.stderr
    data = yaml.safe_load(out.read_text())
    assert data["x-evaluate"]["rows"] == 4000
    assert data["x-evaluate"]["predictions"]["files"] == 2
    proc = run_cli("evaluate", root, *BASE, "--filter", "region=eu", "-o", out, "-q")
    assert proc.returncode == 0, proc.stderr
    assert yaml.safe_load(out.read_text())["x-evaluate"]["rows"] == int((regions == "eu").sum())


@pytest.mark.parametrize(
    "extra,code,piece",
    [
        (["--filter", "region"], 2, "expected COLUMN=VALUE"),
        (["--filter", "nope=1"], 2, "no column 'nope'"),
        (["--filter", "region=mars"], 1, "no data rows match the filter"),
        (["--engine", "duckdb"], 2, "invalid choice"),
        (["--spark-master", "local[1]", "--engine", "arrow"], 2, "spark engine only"),
    ],
)
def test_usage_and_data_errors(tmp_path, run_cli, extra, code, piece):
    root = tmp_path / "logs"
    _dataset(root)
    proc = run_cli("evaluate", root, *BASE, *extra, "-o", tmp_path / "f.yaml")
    assert proc.returncode == code, proc.stderr
    assert piece in proc.stderr and "Traceback" not in proc.stderr


def test_bad_partition_names_the_file(tmp_path, run_cli):
    root = tmp_path / "logs"
    table, _ = _dataset(root)
    bad = root / "region=us" / "part-1.parquet"
    pq.write_table(table.drop_columns(["y"]), bad)
    proc = run_cli("evaluate", root, *BASE, "-o", tmp_path / "f.yaml")
    assert proc.returncode == 2 and "region=us/part-1.parquet: no column 'y'" in proc.stderr
    pq.write_table(table.set_column(0, "race", pa.array(np.arange(table.num_rows))), bad)
    proc = run_cli("evaluate", root, *BASE, "-o", tmp_path / "f.yaml")
    assert proc.returncode == 1 and "part-1.parquet" in proc.stderr and "same type" in proc.stderr
    bad.write_bytes(b"")
    proc = run_cli("evaluate", root, *BASE, "-o", tmp_path / "f.yaml")
    assert proc.returncode == 1 and "part-1.parquet" in proc.stderr and "empty file" in proc.stderr
    assert "Traceback" not in proc.stderr
