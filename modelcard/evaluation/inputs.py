"""Input columns of ``evaluate``: what a cell means, and the checks that turn columns into arrays.

Input semantics (issue 11 §6):

* A cell is *missing* when it is empty (or only whitespace), a float NaN, or a
  null (``None``, pandas' ``NA``); nothing else.  Values such as ``None``,
  ``NA``, ``null`` or ``N/A`` written in a file are real values — a group
  called ``NA`` is a group — unless ``na_values`` lists them.
* A missing label, prediction or score is an error naming the column and the
  row (and line); a missing sensitive value is an error unless
  ``missing_group`` names a group for such rows, which must not be a value the
  column already holds (that would merge two different groups silently).
* Group labels are kept exactly as written; labels with leading or trailing
  whitespace are reported as a warning with their row count (``" Male"`` and
  ``"Male"`` are two groups).  Labels, predictions and class names are compared
  without surrounding whitespace.

Binary labels and predictions are ``0``/``1`` or ``true``/``false``, or two
values with ``positive`` naming the positive one.  The task is inferred from
the label and prediction columns when not given (see :func:`infer_task`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from modelcard.diagnostics import UsageError
from modelcard.evaluation.options import EvaluateOptions
from modelcard.io.tabular import DataError, Table, shown

_FALSE = frozenset({"0", "0.0", "false"})
_TRUE = frozenset({"1", "1.0", "true"})

Locate = Callable[[int], "tuple[str, int | None]"]


@dataclass(frozen=True)
class Source:
    """Where input columns come from, to point errors at a file and line."""

    file: str = ""
    locate: Locate | None = None

    def error(self, column: str, row: int | None, message: str, code: str) -> DataError:
        where, line = "", None
        if row is not None:
            if self.locate is not None:
                where, line = self.locate(row)
            else:
                where = f"row {row + 1}"
        text = f"column '{column}'" + (f", {where}" if where else "") + f": {message}"
        return DataError(text, file=self.file, line=line, code=code)

    @classmethod
    def of_table(cls, table: Table) -> Source:
        return cls(table.source, lambda row: (table.where(row), table.line_of(row)))


#: cell texts read as missing in label, prediction and score columns (compared stripped, ignoring case):
#: none of them is a valid binary label or a number, so reading them as missing gives the clearer error
NUMERIC_NA = frozenset({"na", "n/a", "nan", "-nan", "null", "none", "#n/a", "<na>"})


@dataclass(frozen=True)
class Missing:
    """Which cells are missing: empty text, NaN, null, the texts in ``tokens`` (compared stripped) and,
    when ``folded`` is given, the texts in it (compared stripped and lower-cased)."""

    tokens: frozenset[str] = frozenset()
    folded: frozenset[str] = frozenset()

    @classmethod
    def of(cls, na_values: Sequence[str], *, numeric: bool = False) -> Missing:
        return cls(frozenset(v.strip() for v in na_values), NUMERIC_NA if numeric else frozenset())

    def text(self, value: Any) -> str | None:
        """A cell as text, None when missing."""
        if value is None or type(value).__name__ in ("NAType", "NaTType"):
            return None
        if isinstance(value, (bool, np.bool_)):
            return "true" if value else "false"
        if isinstance(value, (float, np.floating)):
            if math.isnan(value):
                return None
            return str(int(value)) if float(value).is_integer() else repr(float(value))
        if isinstance(value, (int, np.integer)):
            return str(int(value))
        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
        stripped = text.strip()
        if stripped == "" or stripped in self.tokens or (self.folded and stripped.lower() in self.folded):
            return None
        return text


def _unique_objects(arr: np.ndarray, missing: Missing) -> tuple[list[str | None], np.ndarray]:
    seen: dict[str | None, int] = {}
    codes = np.fromiter(
        (seen.setdefault(missing.text(v), len(seen)) for v in arr.tolist()), dtype=np.int64, count=arr.size
    )
    return list(seen), codes


_HASH_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)


def _factorize_keys(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(a row holding each distinct key, in sorted key order; each row's index into the keys) of a 1-D array.

    A column of group labels has few distinct values: they are collected from a
    sample and from the rows it missed, and every row is looked up among them
    (no sort of all rows); with very many distinct values ``np.unique`` does the work.
    """
    distinct = np.unique(keys[:4096])
    for _ in range(3):
        pos = np.searchsorted(distinct, keys)
        np.minimum(pos, max(distinct.size - 1, 0), out=pos)
        hit = distinct[pos] == keys if distinct.size else np.zeros(keys.size, dtype=bool)
        if hit.all():
            rows = np.zeros(distinct.size, dtype=np.int64)
            rows[pos] = np.arange(keys.size)  # any row of each key will do
            return rows, pos.astype(np.int64)
        extra = np.unique(keys[~hit])
        if extra.size > 1 << 16:
            break
        distinct = np.union1d(distinct, extra)
    _, rows, inv = np.unique(keys, return_index=True, return_inverse=True)
    return rows.astype(np.int64), inv.reshape(-1).astype(np.int64)


def _factorize_small_ints(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(sorted distinct values, each row's index) of an integer or boolean column with a small range, by counting."""
    if arr.size == 0:
        return None
    lo, hi = int(arr.min()), int(arr.max())
    if hi - lo > 1 << 20:
        return None
    offsets = arr.astype(np.int64) - lo
    present = np.flatnonzero(np.bincount(offsets, minlength=hi - lo + 1))
    lut = np.zeros(hi - lo + 1, dtype=np.int64)
    lut[present] = np.arange(present.size)
    return (present + lo).astype(arr.dtype), lut[offsets]


def factorize_text(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sorted distinct strings, each row's index into them) of a numpy unicode array, in linear time.

    Sorting a million strings is slow (``np.unique`` compares them character by
    character); instead each string's code points are hashed into 64 bits, the
    hashes are made unique, and every row is checked against its group's
    representative, so a hash collision can never merge two labels (it falls
    back to sorting the strings).
    """
    n = arr.size
    width = arr.dtype.itemsize // 4
    if n == 0 or width == 0:
        uniq, inv = np.unique(arr, return_inverse=True)
        return uniq, inv.reshape(-1).astype(np.int64)
    if width % 2:  # whole 64-bit words: two code points each
        arr = arr.astype(f"U{width + 1}")
        width += 1
    words = np.ascontiguousarray(arr).view(np.uint64).reshape(n, width // 2)
    h = words[:, 0].copy()
    with np.errstate(over="ignore"):
        for i in range(1, width // 2):
            h *= _HASH_MULTIPLIER
            h += words[:, i]
    rows, inv = _factorize_keys(h)
    reps = arr[rows]
    if not np.array_equal(reps[inv], arr):  # a collision: two labels share a hash
        uniq, inv2 = np.unique(arr, return_inverse=True)
        return uniq, inv2.reshape(-1).astype(np.int64)
    order = np.argsort(reps, kind="stable")  # few distinct labels: sorting them is cheap
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    return reps[order], rank[inv]


def as_text(values: Any, missing: Missing) -> tuple[list[str | None], np.ndarray]:
    """(distinct cell texts, None for missing; each row's index into them) of any 1-D column."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        arr = arr.reshape(-1)
    if arr.dtype.kind == "U":
        uniq, inv = factorize_text(arr)
        return [missing.text(u) for u in uniq.tolist()], inv
    if arr.dtype.kind in "biu":
        small = _factorize_small_ints(arr)
        if small is not None:
            return [missing.text(u) for u in small[0].tolist()], small[1]
    if arr.dtype.kind in "biuf":
        uniq, inv = np.unique(arr, return_inverse=True)  # NaNs collapse into one trailing entry
        texts = [missing.text(u) for u in uniq.tolist()]
        return texts, inv.reshape(-1).astype(np.int64)
    if arr.size and set(map(type, arr.tolist())) <= {str, np.str_}:  # text only: no None or NaN objects
        uniq, inv = factorize_text(arr.astype(str))
        return [missing.text(u) for u in uniq.tolist()], inv
    return _unique_objects(arr, missing)


def _first_row(inv: np.ndarray, codes: Sequence[int]) -> int:
    hit = np.isin(inv, np.asarray(list(codes), dtype=inv.dtype))
    return int(np.argmax(hit))


def _first_rows(inv: np.ndarray, size: int) -> np.ndarray:
    """The first row of each code (size codes; -1 for a code that does not occur)."""
    out = np.full(size, -1, dtype=np.int64)
    codes, rows = np.unique(inv, return_index=True)
    out[codes] = rows
    return out


def _missing_error(column: str, inv: np.ndarray, texts: Sequence[str | None], source: Source, what: str) -> None:
    missing = [i for i, t in enumerate(texts) if t is None]
    if missing:
        raise source.error(
            column, _first_row(inv, missing), f"missing value (empty cell or NaN); {what}", "missing-value"
        )


def _label_texts(values: Any, column: str, source: Source, missing: Missing) -> tuple[list[str], np.ndarray]:
    """A label or prediction column as (its distinct values without surrounding whitespace, each row's index
    into them); no rows, or a missing value, is an error naming the column."""
    texts, inv = as_text(values, missing)
    if inv.size == 0:
        raise source.error(column, None, "no rows", "empty")
    _missing_error(column, inv, texts, source, "labels and predictions must all be given")
    return [str(t).strip() for t in texts], inv


def binary_column(
    values: Any, column: str, positive: str | None = None, source: Source = Source(), missing: Missing = Missing()
) -> np.ndarray:
    """0/1 int8 array from 0/1, true/false, or two values with ``positive`` naming the positive one."""
    keys, inv = _label_texts(values, column, source, missing)
    distinct = sorted(set(keys))
    if len(distinct) > 2:
        first: dict[str, int] = {}
        for code, row in enumerate(_first_rows(inv, len(keys)).tolist()):
            if row >= 0:
                first[keys[code]] = min(row, first.get(keys[code], row))
        ordered = sorted(first, key=lambda k: first[k])
        some = ", ".join(shown(v) for v in ordered[:5]) + (", ..." if len(ordered) > 5 else "")
        raise source.error(
            column,
            first[ordered[2]],
            f"value {shown(ordered[2])} makes {len(distinct)} distinct values ({some}); a binary column has at most two",
            "non-binary",
        )
    if positive is not None and positive.strip() in distinct:
        pos = positive.strip()
        out: np.ndarray = np.array([k == pos for k in keys], dtype=np.int8)[inv]
        return out
    if all(k.lower() in _FALSE | _TRUE for k in keys):
        out = np.array([k.lower() in _TRUE for k in keys], dtype=np.int8)[inv]
        return out
    if positive is not None and len(distinct) == 1:
        return np.zeros(inv.size, dtype=np.int8)  # only the negative class occurs
    if positive is not None:
        raise source.error(
            column,
            None,
            f"the positive class {shown(positive)} given as `positive` is not one of its values "
            f"({', '.join(map(shown, distinct))})",
            "unknown-positive",
        )
    row = _first_row(inv, [i for i, k in enumerate(keys) if k.lower() not in _FALSE | _TRUE])
    raise source.error(
        column,
        row,
        f"values {', '.join(map(shown, distinct))} are not 0/1 or true/false; name the positive class with `positive`",
        "needs-positive",
    )


def _number(v: Any, missing: Missing) -> float:
    text = missing.text(v)
    if text is None:
        return math.nan
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_)):
        return float(v)
    return float(text.strip())


def number_column(
    values: Any, column: str, source: Source = Source(), missing: Missing = Missing(), what: str = "score"
) -> np.ndarray:
    """float64 numbers; missing, NaN, infinite or non-numeric cells are errors naming the row."""
    arr = np.asarray(values).reshape(-1)
    out: np.ndarray | None = None
    if arr.dtype.kind in "biuf":
        out = arr.astype(np.float64)
    else:
        try:  # fast path: numpy parses the text; errors are located by the slow path below
            out = arr.astype(str).astype(np.float64)
        except (ValueError, TypeError):
            out = None
    if out is None:
        try:
            out = np.array([_number(v, missing) for v in arr.tolist()], dtype=np.float64)
        except (ValueError, TypeError):
            for i, v in enumerate(arr.tolist()):
                try:
                    _number(v, missing)
                except (ValueError, TypeError):
                    raise source.error(column, i, f"{what} {shown(str(v))} is not a number", "not-a-number") from None
            raise
    bad = np.isnan(out)
    if bad.any():
        raise source.error(column, int(np.argmax(bad)), f"missing {what} (empty cell or NaN)", "missing-value")
    bad = ~np.isfinite(out)
    if bad.any():
        i = int(np.argmax(bad))
        raise source.error(column, i, f"{what} {out[i]!r} is not a finite number", "not-finite")
    return out


def class_column(
    values: Any, column: str, source: Source = Source(), missing: Missing = Missing()
) -> tuple[np.ndarray, list[str]]:
    """Class labels (multiclass) as (codes, sorted class names); compared without surrounding whitespace."""
    keys, inv = _label_texts(values, column, source, missing)
    classes = sorted(set(keys))
    code = {c: i for i, c in enumerate(classes)}
    lut = np.array([code[k] for k in keys], dtype=np.int64)
    return lut[inv], classes


@dataclass(frozen=True)
class GroupColumn:
    """A sensitive attribute: each row's code into the sorted ``categories``; rows with surrounding whitespace."""

    codes: np.ndarray
    categories: list[str]
    whitespace_rows: int = 0
    missing_rows: int = 0


def sensitive_column(
    values: Any,
    column: str,
    missing_group: str | None = None,
    source: Source = Source(),
    missing: Missing = Missing(),
) -> GroupColumn:
    """Group labels as codes into sorted categories; missing cells become ``missing_group`` or are an error."""
    texts, inv = as_text(values, missing)
    missing_codes = [i for i, t in enumerate(texts) if t is None]
    present = [t for t in texts if t is not None]
    missing_rows = 0
    if missing_codes:
        if missing_group is None:
            raise source.error(
                column,
                _first_row(inv, missing_codes),
                "missing value in a sensitive attribute; give `missing_group` (a label) to report such rows as a "
                "group of their own",
                "missing-value",
            )
        if missing_group in present:
            raise UsageError(
                f"{shown(missing_group)}: column '{column}' already has a group "
                f"{shown(missing_group)}, and rows with a missing value would be merged into it; "
                "choose a label that is not a value of the column",
                option="missing_group",
            )
        missing_rows = int(np.isin(inv, np.asarray(missing_codes, dtype=inv.dtype)).sum())
    labels = [str(missing_group) if t is None else t for t in texts]
    categories = sorted(set(labels))
    position = {c: i for i, c in enumerate(categories)}
    lut = np.array([position[lab] for lab in labels], dtype=np.int64)
    codes = lut[inv] if inv.size else np.zeros(0, dtype=np.int64)
    odd = [i for i, c in enumerate(categories) if c != c.strip()]
    whitespace_rows = int(np.isin(codes, np.asarray(odd, dtype=np.int64)).sum()) if odd else 0
    return GroupColumn(codes, [str(c) for c in categories], whitespace_rows, missing_rows)


# --------------------------------------------------------------------------
# the task


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def infer_task(label: Any, prediction: Any, *, positive: str | None, missing: Missing) -> str:
    """``binary``, ``multiclass`` or ``regression`` from the label and prediction columns.

    ``positive`` given, or a column with at most two distinct values: binary
    (a third value in the other column is then a located data error, the
    usual case of a stray value).  Numbers with a fractional part: regression.
    Text with three or more values in both columns: multiclass.  Three or more
    whole numbers in both could be classes or quantities: ambiguous, a
    :class:`UsageError` asking for the task.
    """
    if positive is not None:
        return "binary"
    seen: list[set[str]] = []
    for values in (label, prediction):
        texts, _ = as_text(values, missing)
        seen.append({t.strip() for t in texts if t is not None})
    if min(len(d) for d in seen) <= 2:
        return "binary"
    distinct = seen[0] | seen[1]
    if all(_is_number(t) for t in distinct):
        if all(float(t).is_integer() for t in distinct):
            some = ", ".join(sorted(distinct, key=float)[:6]) + (", ..." if len(distinct) > 6 else "")
            raise UsageError(
                f"the label and prediction columns hold {len(distinct)} different whole numbers ({some}): "
                "say whether they are classes (`task`=multiclass) or quantities (`task`=regression); "
                "for a binary task, labels and predictions take two values"
            )
        return "regression"
    if any(_is_number(t) and not float(t).is_integer() for t in distinct) and sum(map(_is_number, distinct)) > 2:
        return "regression"  # numbers with a few stray texts: the number column reports the bad cell
    return "multiclass"


# --------------------------------------------------------------------------
# all inputs


@dataclass(frozen=True)
class Prepared:
    """Checked inputs: arrays ready for the statistics (see :mod:`modelcard.evaluation.stats`)."""

    task: str
    rows: int
    label: np.ndarray  # binary: 0/1 int8; multiclass: class codes; regression: float64
    prediction: np.ndarray  # as label
    scores: np.ndarray | None
    groups: dict[str, GroupColumn]
    classes: list[str] = field(default_factory=list)
    decision_threshold: float | None = None
    warnings: tuple[str, ...] = ()

    def encoded_groups(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Group columns as the ``(codes, categories)`` pairs the statistics take."""
        return {a: (g.codes, np.array(g.categories, dtype=object)) for a, g in self.groups.items()}


def check_usage(prediction: str | None, score: str | None, opts: Any, task: str | None = None) -> None:
    """THE rules on which columns and options go together, before any data is read (or once ``task`` is known).

    Predictions come from a ``prediction`` column or from ``score`` with ``score_threshold``, never
    both; ``score`` and ``positive`` belong to a binary task (``task``, else ``opts.task``).  Every
    entry point of evaluate (in memory, files, engines) calls it.
    """
    if prediction is not None and opts.score_threshold is not None:
        raise UsageError(
            "give either `prediction` or `score_threshold` (which derives predictions from `score`), not both",
            option="score_threshold",
        )
    if prediction is None and (score is None or opts.score_threshold is None):
        raise UsageError("give `prediction` (a column), or `score` (a column) with `score_threshold`")
    check_task(task or opts.task, score, opts.positive)


def check_task(task: str | None, score: str | None, positive: str | None) -> None:
    """Scores and a positive class are for binary classification: a :class:`UsageError` for another ``task``."""
    if task in (None, "binary"):
        return
    if score is not None:
        raise UsageError(f"`score` is for binary classification; the task is {task}", option="score")
    if positive is not None:
        raise UsageError(f"`positive` names the positive class of a binary task; the task is {task}", option="positive")


def too_many_groups(what: str, limit: int, source: Source) -> DataError:
    return DataError(
        f"{what}: more than the limit of {limit} groups. A sensitive attribute has few values: is this an "
        "identifier or a continuous measure (bin it first)? Raise the limit (`max_groups`) if you really mean it",
        file=source.file,
        code="too-many-groups",
    )


def count_cells(groups: Mapping[str, GroupColumn]) -> int:
    """Number of observed combinations of the attributes' values (linear time, no per-group work)."""
    cols = list(groups.values())
    if not cols or cols[0].codes.size == 0:
        return 0
    radix = 1
    for g in cols:
        radix *= max(len(g.categories), 1)
    if radix < 2**62:
        combined = np.zeros(cols[0].codes.size, dtype=np.int64)
        for g in cols:
            combined = combined * max(len(g.categories), 1) + g.codes
        if radix <= max(4 * combined.size, 1 << 20):
            return int(np.count_nonzero(np.bincount(combined, minlength=radix)))
        return int(np.unique(combined).size)
    return int(np.unique(np.stack([g.codes for g in cols], axis=1), axis=0).shape[0])


def prepare(
    columns: Mapping[str, Any],
    *,
    label: str,
    prediction: str | None,
    score: str | None,
    sensitive: Sequence[str],
    options: EvaluateOptions,
    source: Source = Source(),
) -> Prepared:
    """Check and convert the input columns (a mapping of column name to values) for ``options.task``."""
    opts = options
    missing = Missing.of(opts.na_values)  # group labels and class names
    numeric = Missing.of(opts.na_values, numeric=True)  # binary labels, predictions, scores, numbers
    warnings: list[str] = []
    groups: dict[str, GroupColumn] = {}
    n: int | None = None
    for name in sensitive:  # the group limit first: before any other per-row work
        g = sensitive_column(columns[name], name, opts.missing_group, source, missing)
        if len(g.categories) > opts.max_groups:
            raise too_many_groups(f"column '{name}' has {len(g.categories)} distinct values", opts.max_groups, source)
        if n is not None and g.codes.size != n:
            raise UsageError(f"sensitive attribute '{name}' has {g.codes.size} values but '{sensitive[0]}' has {n}")
        n = g.codes.size
        groups[name] = g
        if g.whitespace_rows:
            odd = [shown(c) for c in g.categories if c != c.strip()]
            warnings.append(
                f"column '{name}': {g.whitespace_rows} row(s) have a group label with leading or trailing "
                f"whitespace ({', '.join(odd[:5])}{', ...' if len(odd) > 5 else ''}); they are kept as written, "
                "so they form groups of their own"
            )
        if g.missing_rows:
            warnings.append(
                f"column '{name}': {g.missing_rows} row(s) with a missing value are reported as the group "
                f"{shown(str(opts.missing_group))}"
            )
    cells = count_cells(groups)
    if cells > opts.max_groups:
        raise too_many_groups(
            f"the sensitive attributes {', '.join(sensitive)} combine into {cells} groups (observed combinations "
            "of their values, which every group is built from)",
            opts.max_groups,
            source,
        )
    rows = n if n is not None else 0
    if rows == 0:
        raise DataError("no data rows", file=source.file, code="empty")
    task = opts.task
    if task is None:
        if prediction is None:
            task = "binary"  # predictions derived from scores
        else:
            task = infer_task(columns[label], columns[prediction], positive=opts.positive, missing=numeric)
    check_usage(prediction, score, opts, task)

    def check_length(name: str, arr: np.ndarray) -> np.ndarray:
        if arr.size != rows:
            raise UsageError(f"'{name}' has {arr.size} values but the sensitive attributes have {rows}")
        return arr

    classes: list[str] = []
    scores = None
    decision = None
    if task == "binary":
        y = check_length(label, binary_column(columns[label], label, opts.positive, source, numeric))
        if score is not None:
            scores = check_length(score, number_column(columns[score], score, source, numeric, "score"))
        if prediction is None:
            if scores is None or opts.score_threshold is None:  # pragma: no cover - check_usage refused it
                raise AssertionError("predictions from scores need a score column and a threshold")
            p = (scores >= opts.score_threshold).astype(np.int8)
            decision = float(opts.score_threshold)
        else:
            p = check_length(prediction, binary_column(columns[prediction], prediction, opts.positive, source, numeric))
    elif task == "multiclass":
        if prediction is None:
            raise UsageError("a multiclass task needs `prediction` (a column of predicted classes)")
        t_codes, t_classes = class_column(columns[label], label, source, missing)
        p_codes, p_classes = class_column(columns[prediction], prediction, source, missing)
        classes = sorted(set(t_classes) | set(p_classes))
        if len(classes) > opts.max_groups:
            raise too_many_groups(f"the labels and predictions hold {len(classes)} classes", opts.max_groups, source)
        y = check_length(label, np.array([classes.index(c) for c in t_classes], dtype=np.int64)[t_codes])
        p = check_length(prediction, np.array([classes.index(c) for c in p_classes], dtype=np.int64)[p_codes])
    else:
        if prediction is None:
            raise UsageError("a regression task needs `prediction` (a column of predicted values)")
        y = check_length(label, number_column(columns[label], label, source, numeric, "label"))
        p = check_length(prediction, number_column(columns[prediction], prediction, source, numeric, "prediction"))
    return Prepared(task, rows, y, p, scores, groups, classes, decision, tuple(warnings))


__all__ = [
    "GroupColumn",
    "Missing",
    "Prepared",
    "Source",
    "as_text",
    "binary_column",
    "check_task",
    "check_usage",
    "class_column",
    "count_cells",
    "infer_task",
    "number_column",
    "prepare",
    "sensitive_column",
    "too_many_groups",
]
