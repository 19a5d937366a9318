"""Read the columns of a predictions file: CSV (standard library) or Parquet (pyarrow).

``read_columns(path, names)`` returns a :class:`Table` holding just the
requested columns, as numpy arrays (strings for CSV), plus what is needed to
point an error at the right place: the file name and, for CSV, the line each
data row starts on.

A file is Parquet when it starts with the ``PAR1`` magic bytes (whatever its
suffix); otherwise it is read as CSV, tab-separated when the name ends in
``.tsv``.  Reading Parquet needs pyarrow (``pip install 'modelcard[parquet]'``).
"""

from __future__ import annotations

import csv
import io
import os
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

from modelcard.diagnostics import Diagnostic, ModelcardError, UnreadableError, UsageError

PARQUET_MAGIC = b"PAR1"
#: longest line a CSV file may have (bytes): more is not a predictions table, and would make the CSV parser
#: build rows of millions of fields
MAX_LINE_BYTES = 4 << 20


class DataError(ModelcardError):
    """The data file was read but its content is unusable (exit status 1)."""

    exit_code = 1

    def __init__(self, message: str, *, file: str = "", line: int | None = None, code: str = "invalid-data"):
        diag = Diagnostic(message, file=file, line=line, code=code) if file else None
        super().__init__(message, [diag] if diag else [])


@dataclass
class Table:
    """Requested columns of a data file."""

    source: str
    columns: dict[str, object]  # name -> numpy array
    rows: int
    available: list[str] = field(default_factory=list)
    lines: array[int] | None = None  # CSV: line on which each data row starts

    def line_of(self, row: int) -> int | None:
        """1-based line of a 0-based data row (CSV only)."""
        if self.lines is None or not 0 <= row < len(self.lines):
            return None
        return int(self.lines[row])

    def where(self, row: int) -> str:
        line = self.line_of(row)
        return f"row {row + 1}" + (f" (line {line})" if line is not None else "")


def _check_readable(path: str) -> None:
    from modelcard.io.write import require_regular

    if path == "-":
        raise UsageError("-: predictions are read from a file, not standard input; save them to a file first")
    require_regular(path, "data file")  # a FIFO or device is refused before it is opened
    if not os.access(path, os.R_OK):
        raise UnreadableError(f"{path}: permission denied")


def _open(path: str) -> BinaryIO:
    """The data file opened for binary reading; only a regular file is opened (never a FIFO)."""
    from modelcard.io.write import open_regular

    return open_regular(path, "data file")


def shown(name: str, limit: int = 60) -> str:
    """A column name or cell as an error message shows it: quoted, control characters escaped, truncated."""
    text = name if len(name) <= limit else name[: limit - 3] + "..."
    return repr(text)


def listed(names: Sequence[str], most: int = 40) -> str:
    """Names for a message, comma-separated: plain ones as they are, odd ones :func:`shown`; at most ``most``."""
    text = ", ".join(a if a.isprintable() and len(a) <= 40 else shown(a, 40) for a in names[:most])
    return text + (", ..." if len(names) > most else "")


def _missing(path: str, wanted: Sequence[str], available: Sequence[str]) -> None:
    missing = [c for c in wanted if c not in available]
    if missing:
        import difflib

        hints = []
        candidates = [a for a in available if len(a) <= 200]  # difflib is quadratic in name length
        for c in missing:
            close = difflib.get_close_matches(c, candidates, n=1, cutoff=0.6)
            hints.append(shown(c) + (f" (did you mean {shown(close[0])}?)" if close else ""))
        what = "no column" if len(missing) == 1 else "no columns"
        raise UsageError(f"{path}: {what} {', '.join(hints)}; available columns: {listed(available)}")


def read_columns(path: str | os.PathLike[str], names: Sequence[str]) -> Table:
    """Read the named columns (in order, without duplicates) of a CSV or Parquet file."""
    path = os.fspath(path)
    _check_readable(path)
    try:
        with _open(path) as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise UnreadableError(f"{path}: cannot read: {exc.strerror or exc}") from None
    wanted = list(dict.fromkeys(names))
    if magic == PARQUET_MAGIC:
        return _read_parquet(path, wanted)
    return _read_csv(path, wanted)


def _read_csv(path: str, wanted: list[str]) -> Table:
    import numpy as np

    delimiter = "\t" if path.lower().endswith((".tsv", ".tab")) else ","
    _check_lines(path)
    fh = io.TextIOWrapper(_open(path), newline="", encoding="utf-8-sig")
    with fh:
        reader = csv.reader(fh, delimiter=delimiter, strict=True)
        try:
            header = next(reader, None)
            if header is None:
                raise DataError(
                    "the file is empty: expected a header row naming the columns", file=path, line=1, code="empty-file"
                )
            header = [h.strip() for h in header]
            _missing(path, wanted, header)
            # a name may appear more than once (ProPublica's COMPAS file has two decile_score columns):
            # read every copy and accept them only if they agree
            index = [i for name in wanted for i, h in enumerate(header) if h == name]
            owner = [header[i] for i in index]
            width = len(header)
            data: list[list[str]] = [[] for _ in index]
            appenders = [d.append for d in data]
            lines = array("l")
            expected = reader.line_num + 1
            for row in reader:
                start = expected
                expected = reader.line_num + 1
                if not row:
                    continue  # blank line
                if len(row) != width:
                    raise DataError(
                        f"row has {len(row)} fields but the header has {width}",
                        file=path,
                        line=start,
                        code="ragged-row",
                    )
                lines.append(start)
                for append, i in zip(appenders, index):
                    append(row[i])
        except UnicodeDecodeError:
            line = _first_bad_utf8_line(path)
            raise DataError(
                "not UTF-8 text; save the file as UTF-8 CSV", file=path, line=line, code="encoding"
            ) from None
        except csv.Error as exc:
            raise DataError(f"malformed CSV: {exc}", file=path, line=reader.line_num, code="csv") from None
    columns: dict[str, object] = {}
    first: dict[str, int] = {}
    for k, name in enumerate(owner):
        if name not in first:
            first[name] = k
            columns[name] = np.array(data[k], dtype=object)
            continue
        j = first[name]
        if data[k] != data[j]:
            bad = next(r for r, (a, b) in enumerate(zip(data[j], data[k])) if a != b)
            raise DataError(
                f"column '{name}' appears more than once in the header (columns {index[j] + 1} and "
                f"{index[k] + 1}) with different values ({data[j][bad]!r} and {data[k][bad]!r}); "
                "rename one of them",
                file=path,
                line=int(lines[bad]),
                code="duplicate-column",
            )
    return Table(path, columns, len(lines), header, lines)


def locate_csv_problem(path: str) -> DataError | None:
    """The first problem of a CSV file as a located :class:`DataError` (file, line), or None if there is none.

    Streams the file with the standard library reader (nothing is kept), with
    the checks :func:`read_columns` makes: NUL bytes, over-long lines, UTF-8,
    quoting, and rows whose number of fields differs from the header's.  Used
    to point at the line when a faster reader (pyarrow) refuses a file.
    """
    delimiter = "\t" if path.lower().endswith((".tsv", ".tab")) else ","
    try:
        _check_lines(path)
        with io.TextIOWrapper(_open(path), newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh, delimiter=delimiter, strict=True)
            try:
                header = next(reader, None)
                if header is None:
                    return DataError(
                        "the file is empty: expected a header row naming the columns",
                        file=path,
                        line=1,
                        code="empty-file",
                    )
                width = len(header)
                expected = reader.line_num + 1
                for row in reader:
                    start = expected
                    expected = reader.line_num + 1
                    if row and len(row) != width:
                        return DataError(
                            f"row has {len(row)} fields but the header has {width}",
                            file=path,
                            line=start,
                            code="ragged-row",
                        )
            except UnicodeDecodeError:
                return DataError(
                    "not UTF-8 text; save the file as UTF-8 CSV",
                    file=path,
                    line=_first_bad_utf8_line(path),
                    code="encoding",
                )
            except csv.Error as exc:
                return DataError(f"malformed CSV: {exc}", file=path, line=reader.line_num, code="csv")
    except DataError as exc:
        return exc
    except OSError as exc:
        return DataError(f"cannot read: {exc.strerror or exc}", file=path, code="unreadable")
    return None


def csv_line_of_row(path: str, row: int) -> int | None:
    """The 1-based line on which 0-based data row ``row`` of a CSV file starts (blank lines skipped, as
    :func:`read_columns` skips them), or None when the file has fewer rows or cannot be read.  Streams the
    file: used to point an error found by a faster reader at its line."""
    delimiter = "\t" if path.lower().endswith((".tsv", ".tab")) else ","
    try:
        with io.TextIOWrapper(_open(path), newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh, delimiter=delimiter, strict=True)
            if next(reader, None) is None:
                return None
            expected = reader.line_num + 1
            seen = 0
            for record in reader:
                start = expected
                expected = reader.line_num + 1
                if not record:
                    continue
                if seen == row:
                    return start
                seen += 1
    except (OSError, UnicodeDecodeError, csv.Error, ModelcardError):
        return None
    return None


def _check_lines(path: str) -> None:
    """Refuse, with file:line, a NUL byte (binary data) or a line longer than :data:`MAX_LINE_BYTES`.

    One vectorised pass over the bytes, before the CSV parser sees them: the
    parser would otherwise hold a whole hostile line, split into millions of
    fields, in memory.
    """
    import numpy as np

    line = 1  # line number at the start of the block
    run = 0  # bytes since the last line break, carried across blocks
    with _open(path) as fh:
        while True:
            block = fh.read(1 << 22)
            if not block:
                return
            b = np.frombuffer(block, dtype=np.uint8)
            nul = block.find(b"\0")
            if nul >= 0:
                raise DataError(
                    "NUL byte: binary data (or UTF-16 text), not a UTF-8 CSV file",
                    file=path,
                    line=line + block.count(b"\n", 0, nul),
                    code="binary",
                )
            breaks = np.flatnonzero((b == 10) | (b == 13))
            ends = np.append(breaks, b.size)  # each segment ends at a break (or the block's end)
            starts = np.append(0, breaks + 1)
            lengths = ends - starts
            lengths[0] += run
            if lengths.size and lengths.max() > MAX_LINE_BYTES:
                k = int(np.argmax(lengths > MAX_LINE_BYTES))
                raise DataError(
                    f"line longer than {MAX_LINE_BYTES >> 20} MiB: not a predictions table",
                    file=path,
                    line=line + block.count(b"\n", 0, int(starts[k])),
                    code="line-too-long",
                )
            run = int(lengths[-1])
            line += block.count(b"\n")


def _first_bad_utf8_line(path: str) -> int | None:
    with _open(path) as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return None


def _read_parquet(path: str, wanted: list[str]) -> Table:
    import numpy as np

    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise UsageError(
            f"{path}: reading Parquet needs pyarrow; install it with "
            "pip install 'modelcard[parquet]' (or convert the file to CSV)"
        ) from None
    try:
        schema = pq.read_schema(path)
        available = list(schema.names)
        _missing(path, wanted, available)
        table = pq.read_table(path, columns=wanted)
    except ModelcardError:
        raise
    except Exception as exc:  # pyarrow raises several types for corrupt files
        raise DataError(f"cannot read Parquet: {exc}", file=path, code="parquet") from None
    columns: dict[str, object] = {}
    for name in wanted:
        col = table.column(name)
        if col.null_count:
            arr = np.array(col.to_pylist(), dtype=object)
        else:
            try:
                arr = col.to_numpy()
            except Exception:
                arr = np.array(col.to_pylist(), dtype=object)
        columns[name] = arr
    return Table(path, columns, table.num_rows, available, None)
