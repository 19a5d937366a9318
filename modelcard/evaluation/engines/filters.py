"""``--filter`` conditions: parsed from text into a small typed form, never evaluated as code.

A condition is ``COLUMN OP VALUE`` with OP one of ``=`` (or ``==``), ``!=``,
``<``, ``<=``, ``>``, ``>=``, or ``COLUMN in V1,V2,...``; several conditions
all apply (AND).  A value may be quoted with ``'`` or ``"`` (to keep spaces
or commas).  The value is text here; each engine converts it to the column's
type (a partition folder ``year=2024`` is a number) and builds its own
mask: :func:`arrow_mask` for pyarrow batches, and the Spark
engine a Column.  On a Hive partition column the condition also skips the
folders that cannot match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from modelcard.diagnostics import UsageError

OPERATORS = ("=", "!=", "<", "<=", ">", ">=", "in")

_COMPARE = re.compile(r"^\s*(?P<col>[^=!<>]+?)\s*(?P<op>==|=|!=|<=|>=|<|>)\s*(?P<value>.*?)\s*$", re.S)
_IN = re.compile(r"^\s*(?P<col>.+?)\s+in\s+(?P<values>.+?)\s*$", re.S | re.I)


@dataclass(frozen=True)
class Condition:
    """``column op values`` (one value except for ``in``), values as text."""

    column: str
    op: str
    values: tuple[str, ...]
    text: str

    def __str__(self) -> str:
        return self.text


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _split_values(text: str) -> tuple[str, ...]:
    """Comma-separated values; a value quoted with ' or " may hold commas."""
    out: list[str] = []
    current: list[str] = []
    quote = ""
    for ch in text:
        if quote:
            if ch == quote:
                quote = ""
            else:
                current.append(ch)
        elif ch in "'\"" and not "".join(current).strip():
            quote = ch
            current = []
        elif ch == ",":
            out.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    out.append("".join(current).strip())
    return tuple(out)


def parse_filter(spec: str) -> Condition:
    """One condition from its text (a :class:`UsageError` when it is not one)."""
    if not isinstance(spec, str) or not spec.strip():
        raise UsageError("`filter`: empty condition; write COLUMN=VALUE (or !=, <, <=, >, >=, 'COLUMN in A,B')")
    if any(ord(c) < 32 for c in spec):
        raise UsageError(f"`filter` {spec!r}: control characters are not allowed")
    m = _IN.match(spec)
    if m and not _COMPARE.match(spec):
        values = _split_values(m.group("values"))
        if not values or any(v == "" for v in values):
            raise UsageError(f"`filter` {spec!r}: 'in' needs a comma-separated list of values")
        return Condition(_unquote(m.group("col")), "in", values, spec.strip())
    m = _COMPARE.match(spec)
    if not m:
        raise UsageError(
            f"`filter` {spec!r}: expected COLUMN=VALUE, COLUMN!=VALUE, COLUMN<VALUE (<=, >, >=) or 'COLUMN in A,B'"
        )
    col, op, value = _unquote(m.group("col")), m.group("op"), m.group("value")
    if not col:
        raise UsageError(f"`filter` {spec!r}: no column name before '{op}'")
    if value == "":
        raise UsageError(f"`filter` {spec!r}: no value after '{op}'")
    return Condition(col, "=" if op == "==" else op, (_unquote(value),), spec.strip())


def parse_filters(specs: Iterable[str | Condition] | str | None) -> tuple[Condition, ...]:
    """Conditions from texts (or conditions): all of them apply."""
    if specs is None:
        return ()
    if isinstance(specs, (str, Condition)):
        specs = [specs]
    return tuple(s if isinstance(s, Condition) else parse_filter(s) for s in specs)


def check_columns(conditions: Sequence[Condition], available: Sequence[str], where: str) -> None:
    for cond in conditions:
        if cond.column not in available:
            shown = ", ".join(available[:40]) + (", ..." if len(available) > 40 else "")
            raise UsageError(f"`filter` {cond.text!r}: {where} has no column {cond.column!r}; columns: {shown}")


# --------------------------------------------------------------------------
# pyarrow


def _typed(value: str, arrow_type: Any, cond: Condition) -> Any:
    """The value converted to the column's arrow type (numbers parsed, text kept), or a UsageError."""
    import pyarrow as pa

    if pa.types.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return pa.scalar(value, type=arrow_type)
    if pa.types.is_boolean(arrow_type):
        low = value.strip().lower()
        if low not in ("true", "false", "1", "0"):
            raise UsageError(f"`filter` {cond.text!r}: {cond.column!r} is true/false, not {value!r}")
        return pa.scalar(low in ("true", "1"))
    try:
        return pa.scalar(value.strip()).cast(arrow_type)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        raise UsageError(
            f"`filter` {cond.text!r}: {value!r} is not a value of {cond.column!r} (type {arrow_type})"
        ) from None


def arrow_mask(conditions: Sequence[Condition], columns: Any) -> Any:
    """A pyarrow boolean array: the rows of ``columns`` (a mapping of name to pyarrow array, or a record
    batch) where every condition holds (null compares as false); values typed by each column's type."""
    import pyarrow.compute as pc

    mask = None
    for cond in conditions:
        col = columns[cond.column]
        vals = [_typed(v, col.type, cond) for v in cond.values]
        if cond.op == "in":
            import pyarrow as pa

            e = pc.is_in(col, value_set=pa.array([v.as_py() for v in vals], type=vals[0].type))
        else:
            fn = {
                "=": pc.equal,
                "!=": pc.not_equal,
                "<": pc.less,
                "<=": pc.less_equal,
                ">": pc.greater,
                ">=": pc.greater_equal,
            }
            e = fn[cond.op](col, vals[0])
        e = pc.fill_null(e, False)
        mask = e if mask is None else pc.and_(mask, e)
    return mask
