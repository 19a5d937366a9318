"""The ``arrow`` engine: statistics of Parquet or CSV data read in record batches by pyarrow.

Sources: a file, a list of files, or a directory of them (recursively; names
starting with ``.`` or ``_`` — ``_SUCCESS``, ``.crc`` — are skipped, as Spark
and Hadoop write them), Parquet or CSV (``.tsv``/``.tab``: tab-separated),
with Hive partition folders (``region=eu/``) read as columns; or an in-memory
pyarrow Table or RecordBatchReader, pandas or polars DataFrame.

Each file's schema (Parquet footer, CSV header) is checked before any data is
read: a missing column, a column whose kind (text, number, true/false) differs
from the first file's, an empty (0-byte) file or an unreadable one is an error
naming the file.  Data is then read a batch at a time, only the columns needed
(Parquet with ``ParquetFile.iter_batches``, columns decoded on pyarrow's
threads; CSV with pyarrow's multi-threaded reader, or its streaming reader for
files over :data:`CSV_IN_MEMORY` bytes) — all CSV cells as text, exactly as
the in-memory reader sees them, the label, prediction and group columns
dictionary-encoded by the reader.  Label, prediction and group columns stay
integer codes (dictionary indices, or the small integers themselves); their
distinct values (kept across batches, in order of first appearance) are
decoded by the caller's rules, so a rule like "at most two label values"
holds for the whole data.  Statistics of each batch are built on worker
threads (one more than the cores, at most four) while the next batch is read (pyarrow
and numpy release the GIL) and merged; for a binary task with scores one
sorted pass per batch
(:meth:`~modelcard.evaluation.stats.ScoreAccumulator.add_binary`) gives the
confusion counts and the score statistics, into one accumulator whose size is
bounded by the groups, so memory is a few batches plus the statistics,
whatever the number of rows.  A progress bar (tqdm) on a terminal shows rows,
rows per second and the time left (for CSV, the total estimated from the
files' sizes).  Nothing on this path imports pandas (``to_numpy`` would:
arrays are read through their buffers).
"""

from __future__ import annotations

import csv
import io
import math
import os
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from modelcard.diagnostics import UnreadableError, UsageError
from modelcard.evaluation.engines import Decoder, Located, StatsRequest, StatsResult
from modelcard.evaluation.engines.filters import Condition, arrow_mask, check_columns
from modelcard.evaluation.inputs import Source, too_many_groups
from modelcard.evaluation.stats import (
    ConfusionStats,
    MulticlassStats,
    RegressionStats,
    ScoreAccumulator,
    ScoreStats,
    encode_cells,
    merge_all,
)
from modelcard.io.tabular import PARQUET_MAGIC, DataError, listed, shown

PARQUET_SUFFIXES = (".parquet", ".parq", ".pq")
CSV_SUFFIXES = (".csv", ".tsv", ".tab", ".txt")
#: a CSV file up to this size is parsed at once by pyarrow's multi-threaded reader; larger ones are streamed
CSV_IN_MEMORY = 256 << 20
#: rows per batch
BATCH_ROWS = 1 << 20
#: most raw values of a binary label column decoded (more are an error anyway: a binary column has two)
_BINARY_SAMPLE = 64
_HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"


def _pyarrow() -> Any:
    try:
        import pyarrow
    except ImportError:
        raise UsageError("the arrow engine needs pyarrow; install it with pip install 'modelcard[parquet]'") from None
    return pyarrow


# --------------------------------------------------------------------------
# sources


@dataclass
class _File:
    path: str
    fmt: str  # "parquet" | "csv"
    partitions: dict[str, str | None] = field(default_factory=dict)
    rows: int | None = None  # Parquet: from the footer
    kinds: dict[str, str] = field(default_factory=dict)
    header: list[str] = field(default_factory=list)  # CSV


@dataclass
class _Plan:
    files: list[_File]
    partition_types: dict[str, str]  # hive key -> "int" | "string"
    root: str


def _kind(arrow_type: Any) -> str:
    """text, number, bool or the type's name: the kinds whose mixing between files is an error."""
    pa = _pyarrow()
    t = arrow_type
    if pa.types.is_dictionary(t):
        t = t.value_type
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return "text"
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        return "number"
    if pa.types.is_boolean(t):
        return "true/false"
    if pa.types.is_null(t):
        return "null"
    return str(t)


def _format_of(path: str) -> str:
    low = path.lower()
    if low.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if low.endswith(CSV_SUFFIXES):
        return "csv"
    from modelcard.io.write import open_regular

    try:
        with open_regular(path, "data file") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise UnreadableError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return "parquet" if magic == PARQUET_MAGIC else "csv"


def _walk(folder: str) -> list[str]:
    out: list[str] = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")) or "=" in d)
        out.extend(os.path.join(root, f) for f in sorted(files) if not f.startswith((".", "_")))
    return out


def _hive(path: str, root: str) -> dict[str, str | None]:
    from urllib.parse import unquote

    rel = os.path.relpath(os.path.dirname(path), root)
    parts: dict[str, str | None] = {}
    if rel in (".", ""):
        return parts
    for seg in rel.split(os.sep):
        if "=" in seg:
            key, value = seg.split("=", 1)
            value = unquote(value)
            parts[unquote(key)] = None if value == _HIVE_NULL else value
    return parts


def _plan(source: Any) -> _Plan:
    from modelcard.io.write import require_regular

    items = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    paths: list[str] = []
    roots: list[str] = []
    for item in items:
        p = os.fspath(item)
        if p == "-":
            raise UsageError("-: predictions are read from files, not standard input; save them to a file first")
        if os.path.isdir(p):
            found = _walk(p)
            if not found:
                raise UsageError(
                    f"{p}: a directory without data files (names starting with '.' or '_' are skipped); "
                    "give a Parquet or CSV file, or a directory of them"
                )
            paths.extend(found)
            roots.append(p)
        else:
            if not os.path.lexists(p):
                raise UnreadableError(f"{p}: no such file")
            require_regular(p, "data file")
            if not os.access(p, os.R_OK):
                raise UnreadableError(f"{p}: permission denied")
            paths.append(p)
            roots.append(os.path.dirname(p) or ".")
    root = roots[0] if len(roots) == 1 else os.path.commonpath([os.path.abspath(r) for r in roots])
    files = []
    for p in paths:
        if os.path.isdir(p):
            continue
        require_regular(p, "data file")
        files.append(_File(p, _format_of(p), _hive(os.path.abspath(p), os.path.abspath(root))))
    formats = sorted({f.fmt for f in files})
    if len(formats) > 1:
        one = {f.fmt: f.path for f in files}
        raise UsageError(
            f"mixed file formats: {one['parquet']} is Parquet but {one['csv']} is CSV; read one format at a time"
        )
    keys: dict[str, set[str]] = {}
    for f in files:
        for k, v in f.partitions.items():
            keys.setdefault(k, set())
            if v is not None:
                keys[k].add(v)
    for f in files:
        missing = [k for k in keys if k not in f.partitions]
        if missing:
            raise DataError(
                f"not in a '{missing[0]}=VALUE' folder like the other files of the dataset",
                file=f.path,
                code="partition-layout",
            )
    types = {k: "int" if v and all(_is_int(x) for x in v) else "string" for k, v in keys.items()}
    return _Plan(files, types, root)


def _is_int(text: str) -> bool:
    t = text.strip()
    return bool(t) and (t.lstrip("-").isdigit()) and len(t) < 19


# --------------------------------------------------------------------------
# schemas


def _parquet_schema(f: _File) -> list[str]:
    pa = _pyarrow()
    import pyarrow.parquet as pq

    try:
        if os.path.getsize(f.path) == 0:
            raise DataError("empty file (0 bytes): not a Parquet file", file=f.path, code="empty-file")
        meta = pq.read_metadata(f.path)
        schema = meta.schema.to_arrow_schema()
    except DataError:
        raise
    except Exception as exc:  # pyarrow raises several types for corrupt files
        raise DataError(f"cannot read Parquet: {exc}", file=f.path, code="parquet") from None
    f.rows = meta.num_rows
    f.kinds = {name: _kind(schema.field(name).type) for name in schema.names}
    del pa
    return list(schema.names)


def _csv_delimiter(path: str) -> str:
    return "\t" if path.lower().endswith((".tsv", ".tab")) else ","


def _csv_header(f: _File) -> list[str]:
    from modelcard.io.write import open_regular

    try:
        with open_regular(f.path, "data file") as raw:
            first = raw.read(1 << 20)
    except OSError as exc:
        raise UnreadableError(f"{f.path}: cannot read: {exc.strerror or exc}") from None
    if not first.strip():
        raise DataError(
            "the file is empty: expected a header row naming the columns", file=f.path, line=1, code="empty-file"
        )
    if b"\0" in first:
        raise DataError(
            "NUL byte: binary data (or UTF-16 text), not a UTF-8 CSV file",
            file=f.path,
            line=first.count(b"\n", 0, first.index(b"\0")) + 1,
            code="binary",
        )
    end = first.find(b"\n")
    head = first if end < 0 else first[: end + 1]
    try:
        text = head.decode("utf-8-sig", errors="strict" if end >= 0 or len(first) < 1 << 20 else "ignore")
    except UnicodeDecodeError:
        raise DataError("not UTF-8 text; save the file as UTF-8 CSV", file=f.path, line=1, code="encoding") from None
    try:
        header = next(csv.reader(io.StringIO(text), delimiter=_csv_delimiter(f.path), strict=True), None)
    except csv.Error as exc:
        raise DataError(f"malformed CSV header: {exc}", file=f.path, line=1, code="csv") from None
    if not header:
        raise DataError(
            "the file is empty: expected a header row naming the columns", file=f.path, line=1, code="empty-file"
        )
    f.header = [h.strip() for h in header]
    f.kinds = dict.fromkeys(f.header, "text")
    return f.header


def _missing_columns(path: str, wanted: Sequence[str], available: Sequence[str]) -> None:
    missing = [c for c in wanted if c not in available]
    if missing:
        import difflib

        hints = []
        candidates = [a for a in available if len(a) <= 200]
        for c in missing:
            close = difflib.get_close_matches(c, candidates, n=1, cutoff=0.6)
            hints.append(shown(c) + (f" (did you mean {shown(close[0])}?)" if close else ""))
        what = "no column" if len(missing) == 1 else "no columns"
        raise UsageError(f"{path}: {what} {', '.join(hints)}; available columns: {listed(list(available))}")


def _check_schemas(plan: _Plan, wanted: list[str]) -> None:
    """Every file has the wanted columns (or they are partition keys), each of one kind across files."""
    first_kind: dict[str, tuple[str, str]] = {}
    for f in plan.files:
        names = _parquet_schema(f) if f.fmt == "parquet" else _csv_header(f)
        data_cols = [c for c in wanted if c not in plan.partition_types]
        _missing_columns(f.path, data_cols, names)
        both = sorted(set(names) & set(plan.partition_types))
        if both:
            raise DataError(
                f"column '{both[0]}' is both in the file and in its folder name ('{both[0]}=...')",
                file=f.path,
                code="partition-layout",
            )
        for c in data_cols:
            kind = f.kinds[c]
            if kind == "null":
                continue  # all-null column: its values are all missing, whatever its type
            if c not in first_kind:
                first_kind[c] = (kind, f.path)
            elif first_kind[c][0] != kind:
                raise DataError(
                    f"column '{c}' holds {kind} values here but {first_kind[c][0]} values in "
                    f"{first_kind[c][1]}; every file must give a column the same type",
                    file=f.path,
                    code="type-drift",
                )


# --------------------------------------------------------------------------
# batches


@dataclass
class _Batch:
    file: str
    columns: dict[str, Any]  # name -> pyarrow Array
    rows: int
    first_row: int  # 0-based row of the file (or of the filtered rows)
    offset: int = 0  # 0-based row id over all rows read
    file_rows: int | None = None  # rows of the whole file, when known before it is read through (for the ETA)


def _partition_value(value: str | None, kind: str) -> Any:
    if value is None:
        return None
    return int(value) if kind == "int" else value


def _partition_ok(f: _File, plan: _Plan, conds: Sequence[Condition]) -> bool:
    """Whether a file's partition values satisfy the conditions on partition keys."""
    for c in conds:
        if c.column not in plan.partition_types:
            continue
        kind = plan.partition_types[c.column]
        value = _partition_value(f.partitions.get(c.column), kind)
        try:
            wanted = [_partition_value(v.strip(), kind) for v in c.values]
        except ValueError:
            raise UsageError(
                f"`filter` {c.text!r}: {c.values[0]!r} is not a whole number (folders '{c.column}=...')"
            ) from None
        if value is None:
            return False
        ok = _compare(c.op, value, wanted)
        if not ok:
            return False
    return True


def _compare(op: str, value: Any, wanted: list[Any]) -> bool:
    if op == "in":
        return value in wanted
    w = wanted[0]
    if op == "=":
        return bool(value == w)
    if op == "!=":
        return bool(value != w)
    if op == "<":
        return bool(value < w)
    if op == "<=":
        return bool(value <= w)
    if op == ">":
        return bool(value > w)
    return bool(value >= w)


def _with_partitions(columns: dict[str, Any], rows: int, f: _File, plan: _Plan, wanted: list[str]) -> dict[str, Any]:
    pa = _pyarrow()
    out = dict(columns)
    for c in wanted:
        if c in plan.partition_types:
            value = _partition_value(f.partitions.get(c), plan.partition_types[c])
            typ = pa.int64() if plan.partition_types[c] == "int" else pa.string()
            out[c] = pa.DictionaryArray.from_arrays(
                pa.array(np.zeros(rows, dtype=np.int32)), pa.array([value], type=typ)
            )
    return out


def _parquet_batches(
    f: _File, plan: _Plan, wanted: list[str], conds: Sequence[Condition], rows: int
) -> Iterator[_Batch]:
    import pyarrow.parquet as pq

    data_cols = [c for c in wanted if c not in plan.partition_types]
    data_conds = [c for c in conds if c.column not in plan.partition_types]
    read_cols = list(dict.fromkeys([*data_cols, *(c.column for c in data_conds)]))
    try:
        reader = pq.ParquetFile(f.path)
        done = 0
        for rb in reader.iter_batches(batch_size=rows, columns=read_cols, use_threads=True):
            if rb.num_rows == 0:
                continue
            first = done
            done += rb.num_rows
            if data_conds:
                rb = rb.filter(arrow_mask(data_conds, rb))
                if rb.num_rows == 0:
                    continue
            cols = {c: rb.column(c) for c in data_cols}
            yield _Batch(f.path, _with_partitions(cols, rb.num_rows, f, plan, wanted), rb.num_rows, first)
    except (DataError, UsageError):
        raise
    except Exception as exc:
        raise DataError(f"cannot read Parquet: {exc}", file=f.path, code="parquet") from None


def _csv_batches(
    f: _File, plan: _Plan, wanted: list[str], conds: Sequence[Condition], rows: int, categorical: Sequence[str] = ()
) -> Iterator[_Batch]:
    """Batches of a CSV file, every cell as text; ``categorical`` columns (labels, predictions, groups) are
    dictionary-encoded by the reader itself (the same text, its distinct values held once)."""
    pa = _pyarrow()
    import pyarrow.csv as pacsv

    data_cols = [c for c in wanted if c not in plan.partition_types]
    # unique names for the header (it may repeat a name, as COMPAS's decile_score): copies must agree
    names: list[str] = []
    seen: dict[str, int] = {}
    copies: dict[str, list[str]] = {}
    for h in f.header:
        k = seen.get(h, 0)
        seen[h] = k + 1
        name = h if k == 0 else f"{h}\x00{k}"
        names.append(name)
        if h in data_cols or any(c.column == h for c in conds):
            copies.setdefault(h, []).append(name)
    include = [n for h in copies for n in copies[h]]
    filtered = {c.column for c in conds}
    coded = {h for h in categorical if len(copies.get(h, ())) == 1 and h not in filtered}
    read = pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=True, block_size=16 << 20)
    parse = pacsv.ParseOptions(delimiter=_csv_delimiter(f.path), newlines_in_values=True)
    types = {n: pa.dictionary(pa.int32(), pa.string()) if n in coded else pa.string() for n in include}
    convert = pacsv.ConvertOptions(include_columns=include, column_types=types, strings_can_be_null=False)
    data_conds = [c for c in conds if c.column not in plan.partition_types]
    try:
        if os.path.getsize(f.path) <= CSV_IN_MEMORY:
            data = _csv_bytes(f.path)
            table = pacsv.read_csv(pa.py_buffer(data), read_options=read, parse_options=parse, convert_options=convert)
            del data
            file_rows: int | None = table.num_rows
            source: Iterator[Any] = iter(table.to_batches(max_chunksize=rows))
        else:
            file_rows = None
            source = iter(pacsv.open_csv(f.path, read_options=read, parse_options=parse, convert_options=convert))
        done = 0
        for rb in _regroup(source, rows):
            if rb.num_rows == 0:
                continue
            first_row = done
            done += rb.num_rows
            cols = {}
            for h, copies_of in copies.items():
                col = rb.column(copies_of[0])
                for other in copies_of[1:]:
                    _same_copies(f, h, names, copies_of[0], other, col, rb.column(other), first_row)
                cols[h] = col
            if data_conds:
                mask = arrow_mask(data_conds, cols)
                cols = {h: c.filter(mask) for h, c in cols.items()}
                n = len(next(iter(cols.values())))
                if n == 0:
                    continue
            else:
                n = rb.num_rows
            columns = _with_partitions({c: cols[c] for c in data_cols}, n, f, plan, wanted)
            yield _Batch(f.path, columns, n, first_row, file_rows=file_rows)
    except (DataError, UsageError):
        raise
    except Exception as exc:
        raise _csv_error(f.path, exc) from None


def _csv_bytes(path: str) -> bytes:
    """A CSV file's bytes, refused (file:line) when they hold a NUL byte or a quote that is never closed."""
    from modelcard.io.tabular import locate_csv_problem
    from modelcard.io.write import open_regular

    with open_regular(path, "data file") as fh:
        data = fh.read()
    nul = data.find(b"\0")
    if nul >= 0:
        raise DataError(
            "NUL byte: binary data (or UTF-16 text), not a UTF-8 CSV file",
            file=path,
            line=data.count(b"\n", 0, nul) + 1,
            code="binary",
        )
    if data.count(b'"') % 2:  # an odd number of quotes: one is never closed (the reader would swallow the rest)
        raise locate_csv_problem(path) or DataError(
            "malformed CSV: a quoted field is never closed", file=path, code="csv"
        )
    return data


def _regroup(batches: Iterator[Any], rows: int) -> Iterator[Any]:
    """Record batches of at least an eighth of ``rows`` rows (as they come when they are; small ones, as a
    reader may yield, are combined up to about ``rows``)."""
    pa = _pyarrow()
    buf: list[Any] = []
    n = 0

    def combined() -> Any:
        if len(buf) == 1:
            return buf[0]
        return pa.Table.from_batches(buf).unify_dictionaries().combine_chunks().to_batches()[0]

    for rb in batches:
        if not buf and rb.num_rows >= rows // 8:
            yield rb
            continue
        buf.append(rb)
        n += rb.num_rows
        if n >= rows:
            yield combined()
            buf, n = [], 0
    if buf:
        yield combined()


def _same_copies(f: _File, name: str, names: list[str], a: str, b: str, col_a: Any, col_b: Any, first_row: int) -> None:
    import pyarrow.compute as pc

    if col_a.equals(col_b):
        return
    diff = _numpy(pc.fill_null(pc.not_equal(col_a, col_b), True)).astype(bool)
    row = int(np.argmax(diff))
    from modelcard.io.tabular import csv_line_of_row

    ia, ib = names.index(a) + 1, names.index(b) + 1
    raise DataError(
        f"column '{name}' appears more than once in the header (columns {ia} and {ib}) with different values "
        f"({col_a[row].as_py()!r} and {col_b[row].as_py()!r}); rename one of them",
        file=f.path,
        line=csv_line_of_row(f.path, first_row + row),
        code="duplicate-column",
    )


def _csv_error(path: str, exc: Exception) -> DataError:
    """A pyarrow CSV error, located (file:line) by the standard library reader when it can find the line."""
    from modelcard.io.tabular import locate_csv_problem

    found = locate_csv_problem(path)
    if found is not None:
        return found
    text = str(exc).split("\n")[0]
    return DataError(f"malformed CSV: {text}", file=path, code="csv")


# --------------------------------------------------------------------------
# in-memory tables


def _table_of(source: Any) -> Any | None:
    """A pyarrow Table or RecordBatchReader for an in-memory source, or None for paths."""
    pa = _pyarrow()
    if isinstance(source, (pa.Table, pa.RecordBatchReader)):
        return source
    if isinstance(source, pa.RecordBatch):
        return pa.Table.from_batches([source])
    mod = type(source).__module__ or ""
    if mod.split(".")[0] == "pandas" and type(source).__name__ == "DataFrame":
        try:
            return pa.Table.from_pandas(source, preserve_index=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise DataError(f"cannot convert the DataFrame: {exc}", file="<DataFrame>", code="dataframe") from None
    if mod.split(".")[0] == "polars" and type(source).__name__ == "DataFrame":
        return source.to_arrow()
    return None


def _table_batches(table: Any, wanted: list[str], conds: Sequence[Condition], rows: int, name: str) -> Iterator[_Batch]:
    pa = _pyarrow()
    schema = table.schema
    _missing_columns(name, wanted, list(schema.names))
    check_columns(conds, list(schema.names), "the table")
    if isinstance(table, pa.RecordBatchReader):
        batches: Iterator[Any] = iter(table)
    else:
        batches = iter(table.to_batches(max_chunksize=rows))
    done = 0
    for rb in _regroup(batches, rows):
        if conds:
            rb = rb.filter(arrow_mask(conds, rb))
        if rb.num_rows == 0:
            continue
        yield _Batch(name, {c: rb.column(c) for c in wanted}, rb.num_rows, done)
        done += rb.num_rows


# --------------------------------------------------------------------------
# decoding distinct values


_NUMPY = {"int8": np.int8, "int16": np.int16, "int32": np.int32, "int64": np.int64, "uint8": np.uint8,
          "uint16": np.uint16, "uint32": np.uint32, "uint64": np.uint64, "float": np.float32,
          "double": np.float64, "halffloat": np.float16}  # fmt: skip


def _numpy(arr: Any) -> np.ndarray:
    """A pyarrow array as numpy: a view of its buffer for fixed-width numbers and bits unpacked for
    booleans (no nulls); ``to_numpy`` otherwise (which imports pandas, slow to import)."""
    pa = _pyarrow()
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    dtype = _NUMPY.get(str(arr.type))
    if arr.null_count == 0 and dtype is not None:
        item = np.dtype(dtype).itemsize
        out: np.ndarray = np.frombuffer(arr.buffers()[1], dtype=dtype, count=len(arr), offset=arr.offset * item)
        return out
    if arr.null_count == 0 and pa.types.is_boolean(arr.type):
        bits = np.frombuffer(arr.buffers()[1], dtype=np.uint8)
        unpacked = np.unpackbits(bits, bitorder="little")
        return unpacked[arr.offset : arr.offset + len(arr)].astype(bool)
    return np.asarray(arr.to_numpy(zero_copy_only=False))


def _dict_parts(arr: Any) -> tuple[np.ndarray, list[Any]]:
    """(index per row, distinct raw values) of an arrow array; a null is the value None."""
    pa = _pyarrow()
    import pyarrow.compute as pc

    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not pa.types.is_dictionary(arr.type):
        if pa.types.is_null(arr.type):
            return np.zeros(len(arr), dtype=np.int64), [None]
        if pa.types.is_integer(arr.type) and arr.null_count == 0 and len(arr):
            # small whole numbers (0/1 labels, coded groups): distinct values by counting, no hashing
            x = _numpy(arr)
            lo, hi = int(x.min()), int(x.max())
            if hi - lo < 1 << 16:
                rel = x.astype(np.int64) - lo
                present = np.flatnonzero(np.bincount(rel, minlength=hi - lo + 1))
                lut = np.zeros(hi - lo + 1, dtype=np.int64)
                lut[present] = np.arange(present.size)
                return lut[rel], (present + lo).tolist()
        arr = pc.dictionary_encode(arr, null_encoding="encode")
    values = arr.dictionary.to_pylist()
    idx = arr.indices
    if idx.null_count:
        idx = idx.fill_null(len(values))
        values.append(None)
    return _numpy(idx), values


def _key(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return ("nan",)
    return (type(value).__name__, value)


class _Codec:
    """The distinct raw values of one column across all batches, in order of first appearance, and their decoding."""

    def __init__(self, column: str, decode: Callable[[np.ndarray, Located], Any], what: str, limit: int | None) -> None:
        self.column = column
        self.decode = decode
        self.what = what
        self.limit = limit
        self.ids: dict[Any, int] = {}
        self.first: list[tuple[str, int]] = []  # (file, row) where each value first occurs
        self.raw: list[Any] = []
        self.decoded: Any = None

    def _located(self, label: str) -> Located:
        first = self.first

        def place(i: int) -> tuple[str, int] | None:
            return first[i] if 0 <= i < len(first) else None

        return Located(first[0][0] if first else "", place, label)

    def local(self, batch: _Batch, label: str) -> tuple[np.ndarray, np.ndarray]:
        """(index per row into the batch's distinct values, global id of each of those values)."""
        idx, values = _dict_parts(batch.columns[self.column])
        gid = np.empty(len(values), dtype=np.int64)
        new: list[int] = []
        for j, v in enumerate(values):
            k = _key(v)
            i = self.ids.get(k)
            if i is None:
                i = len(self.raw)
                self.ids[k] = i
                self.raw.append(v)
                new.append(j)
            gid[j] = i
        if new:
            if len(new) > 8:
                uniq, first_pos = np.unique(idx, return_index=True)
                pos = dict(zip(uniq.tolist(), first_pos.tolist()))
                rows = [pos.get(j, 0) for j in new]
            else:
                rows = [int(np.argmax(idx == j)) for j in new]
            self.first.extend((batch.file, batch.first_row + r) for r in rows)
            self._decode(label)
        return idx, gid

    def _decode(self, label: str) -> None:
        raw = self.raw if self.limit is None else self.raw[: self.limit]
        values = np.empty(len(raw), dtype=object)
        values[:] = raw
        self.decoded = self.decode(values, self._located(label))


class _Binary(_Codec):
    def __init__(self, column: str, decoder: Decoder) -> None:
        super().__init__(column, lambda v, src: decoder.binary(v, column, src), "binary", _BINARY_SAMPLE)
        self.ids_int: set[int] = set()

    def _identity(self) -> bool:
        """Whether every value seen is the integer 0 or 1 and decodes to itself (then remember which)."""
        if not self.raw or self.decoded is None or len(self.raw) > 2:
            return False
        ok = all(type(v) is int and v in (0, 1) and int(d) == v for v, d in zip(self.raw, self.decoded))
        self.ids_int = {int(v) for v in self.raw} if ok else set()
        return ok

    def codes(self, batch: _Batch, label: str) -> np.ndarray:
        if self._identity():  # 0/1 integers read as themselves: the column itself, when it holds nothing else
            pa = _pyarrow()
            arr = batch.columns[self.column]
            if pa.types.is_integer(arr.type) and arr.null_count == 0 and len(arr):
                x = _numpy(arr)
                if int(x.min()) in self.ids_int and int(x.max()) in self.ids_int:  # no value not seen before
                    return x
        idx, gid = self.local(batch, label)
        if len(self.raw) > _BINARY_SAMPLE:  # the decoder saw the first values only; they made it pass
            raise DataError(
                f"column '{self.column}': more than {_BINARY_SAMPLE} distinct values; a binary column has at most two",
                file=batch.file,
                code="non-binary",
            )
        lut = np.asarray(self.decoded, dtype=np.int8)[gid]
        out: np.ndarray = lut[idx]
        return out


class _Labels(_Codec):
    """Group labels: raw values -> label text -> code into the sorted labels seen so far."""

    def __init__(self, column: str, decoder: Decoder, max_groups: int | None) -> None:
        super().__init__(column, lambda v, src: decoder.labels(v, column, src), "labels", None)
        self.max_groups = max_groups
        self.categories: np.ndarray = np.array([], dtype=str)
        self.code_of: np.ndarray = np.zeros(0, dtype=np.int64)

    def _decode(self, label: str) -> None:
        super()._decode(label)
        labels = [str(x) for x in self.decoded]
        cats = sorted(set(labels))
        if self.max_groups is not None and len(cats) > self.max_groups:
            raise too_many_groups(
                f"column '{self.column}' has {len(cats)} distinct values", self.max_groups, Source(self.first[-1][0])
            )
        pos = {c: i for i, c in enumerate(cats)}
        self.categories = np.array(cats, dtype=object)
        self.code_of = np.array([pos[x] for x in labels], dtype=np.int64)

    def codes(self, batch: _Batch, label: str) -> tuple[np.ndarray, np.ndarray]:
        idx, gid = self.local(batch, label)
        lut = self.code_of[gid]
        if lut.size and np.array_equal(lut, np.arange(lut.size)):  # the batch's codes are the labels' order
            return idx, self.categories
        small = np.uint8 if len(self.categories) <= 256 else np.uint16 if len(self.categories) <= 65536 else np.int64
        return lut.astype(small)[idx], self.categories


class _Classes(_Codec):
    def __init__(self, column: str, decoder: Decoder) -> None:
        super().__init__(column, lambda v, src: decoder.classes(v, column, src), "classes", None)

    def texts(self, batch: _Batch, label: str) -> np.ndarray:
        idx, gid = self.local(batch, label)
        arr = np.array([str(x) for x in self.decoded], dtype=object)
        out: np.ndarray = arr[gid][idx]
        return out


def _numbers(arr: Any, column: str, what: str, decoder: Decoder, batch: _Batch, label: str) -> np.ndarray:
    """float64 per row; the fast path takes numeric columns (and text pyarrow parses), the decoder the rest."""
    pa = _pyarrow()
    import pyarrow.compute as pc

    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    t = arr.type
    fast = None
    if arr.null_count == 0:
        if pa.types.is_floating(t) or pa.types.is_integer(t):
            fast = np.asarray(_numpy(arr), dtype=np.float64)
        elif pa.types.is_string(t) or pa.types.is_large_string(t):
            try:
                fast = _numpy(pc.cast(arr, pa.float64()))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                fast = None
    if fast is not None and (fast.size == 0 or (np.isfinite(fast.min()) and np.isfinite(fast.max()))):
        return fast
    values = np.empty(len(arr), dtype=object)
    values[:] = arr.to_pylist()
    first, file = batch.first_row, batch.file
    src = Located(file, lambda i: (file, first + i), label)
    out: np.ndarray = np.asarray(decoder.numbers(values, column, src, what), dtype=np.float64)
    return out


# --------------------------------------------------------------------------
# statistics of batches


class _Builder:
    """Decodes batches (in order, on the calling thread) and builds their statistics (on worker threads)."""

    def __init__(self, request: StatsRequest, decoder: Decoder, label: str) -> None:
        self.req = request
        self.decoder = decoder
        self.row_label = label
        self.labels = {a: _Labels(a, decoder, request.max_groups) for a in request.sensitive}
        self.y: _Codec | None = None
        self.p: _Codec | None = None
        self.rows = 0
        self.score_acc: ScoreAccumulator | None = None
        if request.score and request.bootstrap is None:
            self.score_acc = ScoreAccumulator(
                request.sensitive, calibration_bins=request.calibration_bins, max_distinct=request.max_distinct
            )
        if request.task is not None:
            self._codecs()

    def _codecs(self) -> None:
        r = self.req
        if r.task == "binary":
            self.y = _Binary(r.label, self.decoder)
            if r.prediction:
                self.p = _Binary(r.prediction, self.decoder)
        elif r.task == "multiclass":
            self.y = _Classes(r.label, self.decoder)
            self.p = _Classes(r.prediction or "", self.decoder)

    def _infer_task(self, batch: _Batch) -> None:
        """The task from the label and prediction values of the first batch."""
        r = self.req
        if r.prediction is None:
            task = "binary"
        else:
            values = []
            for c in (r.label, r.prediction):
                _, raw = _dict_parts(batch.columns[c])
                arr = np.empty(len(raw), dtype=object)
                arr[:] = raw
                values.append(arr)
            task = self.decoder.task(values[0], values[1])
        self.req = r.with_task(task)
        self._codecs()

    def decode(self, batch: _Batch) -> dict[str, Any]:
        """The numpy inputs of one batch's statistics."""
        if self.req.task is None:
            self._infer_task(batch)
        r = self.req
        lab = self.row_label
        groups = {a: codec.codes(batch, lab) for a, codec in self.labels.items()}
        out: dict[str, Any] = {"groups": groups, "offset": self.rows}
        if r.task == "binary":
            assert isinstance(self.y, _Binary)
            out["y"] = self.y.codes(batch, lab)
            s = None
            if r.score:
                s = _numbers(batch.columns[r.score], r.score, "score", self.decoder, batch, lab)
            if isinstance(self.p, _Binary):
                out["p"] = self.p.codes(batch, lab)
            else:
                assert s is not None and r.score_threshold is not None
                out["p"] = (s >= r.score_threshold).astype(np.int8)
            out["s"] = s
        elif r.task == "multiclass":
            assert isinstance(self.y, _Classes) and isinstance(self.p, _Classes)
            out["y"] = self.y.texts(batch, lab)
            out["p"] = self.p.texts(batch, lab)
        else:
            pred = r.prediction or ""
            out["y"] = _numbers(batch.columns[r.label], r.label, "label", self.decoder, batch, lab)
            out["p"] = _numbers(batch.columns[pred], pred, "prediction", self.decoder, batch, lab)
        self.rows += batch.rows
        return out

    def _check_groups(self, n: int, file: str) -> None:
        r = self.req
        if r.max_groups is not None and n > r.max_groups:
            raise too_many_groups(
                f"the sensitive attributes {', '.join(r.sensitive)} combine into {n} groups "
                "(observed combinations of their values, which every group is built from)",
                r.max_groups,
                Source(file),
            )

    def build(self, parts: dict[str, Any], file: str) -> dict[str, Any]:
        """Statistics of one batch (runs on a worker thread)."""
        r = self.req
        try:
            if r.task == "binary" and parts["s"] is not None and self.score_acc is not None:
                # one sorted pass gives the confusion counts and the score statistics
                conf = self.score_acc.add_binary(parts["groups"], parts["y"], parts["p"], parts["s"])
                if conf is not None:
                    self._check_groups(len(conf.keys), file)
                    return {"confusion": conf}
            cells = encode_cells(parts["groups"])
            self._check_groups(len(cells.keys), file)
            out: dict[str, Any] = {}
            if r.task == "binary":
                out["confusion"] = ConfusionStats.from_cells(
                    cells, parts["y"], parts["p"], bootstrap=r.bootstrap, row_ids=parts["offset"]
                )
                if parts["s"] is not None and self.score_acc is not None:
                    self.score_acc.add(cells, parts["y"], parts["s"])
                elif parts["s"] is not None:
                    out["scores"] = ScoreStats.from_cells(
                        cells,
                        parts["y"],
                        parts["s"],
                        calibration_bins=r.calibration_bins,
                        max_distinct=r.max_distinct,
                        bootstrap=r.bootstrap,
                        row_ids=parts["offset"],
                    )
            elif r.task == "multiclass":
                out["multiclass"] = MulticlassStats.from_cells(cells, parts["y"], parts["p"], classes=r.classes)
            else:
                out["regression"] = RegressionStats.from_cells(cells, parts["y"], parts["p"])
            return out
        except ValueError as exc:  # a statistic refused the values (e.g. scores too large)
            raise DataError(str(exc), file=file, code="invalid-data") from None


class _Totals:
    """Merged statistics; score tables are merged in bulk once enough have piled up."""

    def __init__(self) -> None:
        self.parts: dict[str, list[Any]] = {}
        self.pending_rows = 0
        self.merged_rows = 0

    def add(self, stats: dict[str, Any]) -> None:
        for name, st in stats.items():
            items = self.parts.setdefault(name, [])
            items.append(st)
            if name == "scores":
                self.pending_rows += int(st.value.size)
                if self.pending_rows >= max(self.merged_rows, 1 << 20) and len(items) > 1:
                    merged = merge_all(items)
                    self.parts[name] = [merged]
                    self.merged_rows = int(merged.value.size)
                    self.pending_rows = 0
            elif len(items) >= 64:
                self.parts[name] = [merge_all(items)]

    def result(self) -> dict[str, Any]:
        return {name: merge_all(items) for name, items in self.parts.items()}


def _workers() -> int:
    """Worker threads: one more than the cores (one may wait for the shared statistics' lock), at most four."""
    return max(2, min(4, (os.cpu_count() or 1) + 1))


def compute(
    source: Any, request: StatsRequest, decoder: Decoder, *, progress: bool | None = None, batch_rows: int | None = None
) -> StatsResult:
    """Statistics of a path, list of paths or in-memory table (see the module docstring)."""
    _pyarrow()
    rows_per_batch = int(batch_rows or BATCH_ROWS)
    wanted = request.columns
    conds = request.conditions
    table = _table_of(source)
    files: list[str] = []
    total: int | None = None
    label = "filtered row" if conds else "row"
    if table is not None:
        name = "<table>"
        batches: Iterator[_Batch] = _table_batches(table, wanted, conds, rows_per_batch, name)
        total = getattr(table, "num_rows", None)
    else:
        from modelcard.evaluation.engines import is_path_list

        if not is_path_list(source):
            raise UsageError(
                f"cannot read predictions from a {type(source).__name__}: give a path, a list of paths, a pyarrow "
                "Table, or a pandas or polars DataFrame (or a Spark DataFrame with engine='spark')"
            )
        plan = _plan(source)
        partition_cols = list(plan.partition_types)
        _check_schemas(plan, wanted)
        available = sorted(set().union(*[set(f.kinds) for f in plan.files]) | set(partition_cols))
        check_columns(conds, available, "the data")
        chosen = [f for f in plan.files if _partition_ok(f, plan, conds)]
        files = [f.path for f in chosen]
        if chosen and all(f.rows is not None for f in chosen):
            total = sum(int(f.rows or 0) for f in chosen)
        categorical = list(request.sensitive)
        if request.task != "regression":
            categorical += [c for c in (request.label, request.prediction) if c]
        batches = _file_batches(chosen, plan, wanted, conds, rows_per_batch, categorical)
    builder = _Builder(request, decoder, label)
    totals = _Totals()
    bar = _progress_bar(progress, total)
    if bar is not None and total is None and files:  # CSV: the total estimated as files are read (ETA)
        bar = _Estimate(bar, {f: os.path.getsize(f) for f in files})
    try:
        _run(batches, builder, totals, bar)
    finally:
        if bar is not None:
            bar.close()
    if builder.rows == 0:
        if conds:
            raise DataError("no data rows match the filter", file=_shown_source(source, files), code="empty")
        if len(files) == 1:
            raise DataError("no data rows after the header", file=files[0], line=2, code="empty")
        raise DataError(f"no data rows in {len(files)} files", file=_shown_source(source, files), code="empty")
    merged = totals.result()
    if builder.score_acc is not None and builder.score_acc.rows:
        merged["scores"] = builder.score_acc.result()
    req = builder.req
    return StatsResult(
        task=req.task or "binary",
        rows=builder.rows,
        confusion=merged.get("confusion"),
        scores=merged.get("scores"),
        multiclass=merged.get("multiclass"),
        regression=merged.get("regression"),
        decision_threshold=float(req.score_threshold)
        if req.prediction is None and req.score_threshold is not None
        else None,
        files=tuple(files),
        engine="arrow",
    )


def _shown_source(source: Any, files: Sequence[str]) -> str:
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    return files[0] if len(files) == 1 else "<input>"


def _file_batches(
    files: Sequence[_File],
    plan: _Plan,
    wanted: list[str],
    conds: Sequence[Condition],
    rows: int,
    categorical: Sequence[str] = (),
) -> Iterator[_Batch]:
    for f in files:
        if f.fmt == "parquet":
            yield from _parquet_batches(f, plan, wanted, conds, rows)
        else:
            yield from _csv_batches(f, plan, wanted, conds, rows, categorical)


def _run(batches: Iterator[_Batch], builder: _Builder, totals: _Totals, bar: Any) -> None:
    """Decode batches in order on this thread; build statistics on workers; merge results in order."""
    workers = _workers()
    queue: deque[Future[dict[str, Any]]] = deque()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="modelcard-stats") as pool:
        try:
            for batch in batches:
                parts = builder.decode(batch)
                queue.append(pool.submit(builder.build, parts, batch.file))
                if bar is not None:
                    if isinstance(bar, _Estimate):
                        bar.seen(batch)
                    bar.update(batch.rows)
                while len(queue) >= workers or (queue and queue[0].done()):
                    totals.add(queue.popleft().result())
            while queue:
                totals.add(queue.popleft().result())
        except BaseException:
            for fut in queue:
                fut.cancel()
            raise


class _Estimate:
    """A progress bar whose total (rows) is estimated from the files' sizes and the rows of those whose
    count is known (a CSV file parsed at once): rows per byte so far, times the bytes still unknown."""

    def __init__(self, bar: Any, sizes: dict[str, int]) -> None:
        self.bar = bar
        self.sizes = sizes
        self.rows: dict[str, int] = {}

    def seen(self, batch: _Batch) -> None:
        if batch.file_rows is None or batch.file in self.rows:
            return
        self.rows[batch.file] = batch.file_rows
        known_bytes = sum(self.sizes.get(f, 0) for f in self.rows)
        rest = sum(self.sizes.values()) - known_bytes
        known = sum(self.rows.values())
        self.bar.total = known + (round(rest * known / known_bytes) if known_bytes else 0)
        self.bar.refresh()

    def update(self, n: int) -> None:
        self.bar.update(n)

    def close(self) -> None:
        self.bar.close()


def _progress_bar(progress: bool | None, total: int | None) -> Any:
    if progress is None:
        progress = sys.stderr.isatty()
    if not progress:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(
        total=total, unit=" rows", unit_scale=True, desc="reading", file=sys.stderr, dynamic_ncols=True, leave=False
    )


__all__ = ["BATCH_ROWS", "CSV_IN_MEMORY", "compute"]
