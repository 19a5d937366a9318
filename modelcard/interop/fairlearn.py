"""fairlearn ``MetricFrame`` results as a card fragment: per-group (and overall) metrics to merge into a card.

For teams who already compute with fairlearn:

* :func:`from_metricframe` takes a ``MetricFrame`` in Python and returns a
  :class:`MetricFrameFragment` (``card.merge(fragment)`` layers it over a card);
* ``modelcard import --from fairlearn`` reads ``MetricFrame.by_group`` saved
  without pickle: ``by_group.to_csv(path)`` or ``by_group.to_json(path, orient=...)``
  (``table`` keeps the group column names; ``split``, ``columns``, ``index``
  and ``records`` of ``by_group.reset_index()`` are read too) and writes the
  fragment as YAML for ``modelcard merge``.

Each group becomes one metric per column with the group as its ``slice``
(``{race: African-American, sex: Female}``); a ``count`` column (fairlearn's
``count`` metric) becomes the ``n`` of that group's metrics; a missing or NaN
value is an undefined metric with the reason.  Nothing is judged: fairlearn
states no thresholds, so the fragment holds measurements, not verdicts.

Which CSV columns are the groups: the leading columns up to the last column
that holds text (pandas writes the index first); when every column is a
number, the first one (a warning says so).
"""

from __future__ import annotations

import ast
import csv
import io
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modelcard.diagnostics import CardError, Diagnostic
from modelcard.interop._common import Notes, decode_text, read_bytes, restore_undefined, to_number
from modelcard.interop.base import FileImporter, ImportResult
from modelcard.schema.models import Fairness, MetricResult, SensitiveAttribute

FORMAT = "fairlearn"
#: the column fairlearn's ``count`` metric writes: the group's size, read as ``n``
COUNT = "count"
#: how many groups an import reads at most (the card's evaluate limit)
MAX_GROUPS = 10_000

Row = tuple[dict[str, str], dict[str, Any]]


@dataclass(frozen=True)
class MetricFrameFragment:
    """Per-group metrics from a MetricFrame, as card sections to layer over a card."""

    metrics: tuple[MetricResult, ...]
    fairness: Fairness | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def to_data(self) -> dict[str, Any]:
        """The fragment as card data (what a fragment file holds)."""
        data: dict[str, Any] = {"metrics": [m.model_dump(mode="json", exclude_none=True) for m in self.metrics]}
        if self.fairness is not None:
            data["fairness"] = self.fairness.model_dump(mode="json", exclude_none=True)
        restore_undefined(data)
        return data

    def to_yaml(self, header: str = "") -> str:
        from modelcard.io.serialize import card_text

        return card_text(self.to_data(), "yaml", header)

    def save(self, path: str | os.PathLike[str], *, header: str = "") -> None:
        """Write the fragment (YAML; JSON for a ``.json`` path), atomically, never over an input."""
        from modelcard.io.serialize import card_file_text
        from modelcard.io.write import write_output

        write_output(path, card_file_text(self.to_data(), path, header))


# --------------------------------------------------------------------------
# building the fragment (one place, for the Python API and the importer)


def _value(raw: Any) -> tuple[float | None, str | None]:
    """``(value, undefined reason)`` of one cell."""
    if raw is None or (isinstance(raw, str) and raw.strip().lower() in ("", "nan", "none", "null")):
        return None, "no value in the MetricFrame for this group (undefined, e.g. a division by zero)"
    if isinstance(raw, float) and math.isnan(raw):
        return None, "NaN in the MetricFrame for this group (undefined, e.g. a division by zero)"
    number = to_number(raw)
    if number is None and hasattr(raw, "item"):  # a numpy scalar
        try:
            number = to_number(raw.item())
        except (TypeError, ValueError):
            number = None
    if number is None:
        return None, None
    return number, None


def build_fragment(
    rows: Iterable[Row],
    *,
    overall: dict[str, Any] | None = None,
    dataset: str | None = None,
    split: str | None = None,
    notes: Notes | None = None,
) -> MetricFrameFragment:
    """The fragment for ``(group, {metric: value})`` rows and the overall values."""
    notes = notes if notes is not None else Notes("<MetricFrame>")
    metrics: list[MetricResult] = []
    values: dict[str, list[str]] = {}
    skipped: set[str] = set()
    where = {k: v for k, v in (("dataset", dataset), ("split", split)) if v is not None}

    def add(name: str, raw: Any, group: dict[str, str] | None, n: Any) -> None:
        value, reason = _value(raw)
        if value is None and reason is None:
            skipped.add(name)
            return
        item: dict[str, Any] = {"name": name, "value": value, **where}
        if reason:
            item["undefined_reason"] = reason
        if group:
            item["slice"] = group
        count = to_number(n)
        if count is not None and count >= 0 and float(count).is_integer():
            item["n"] = int(count)
        metrics.append(MetricResult.model_validate(item))

    if overall:
        for name, raw in overall.items():
            if name != COUNT:
                add(name, raw, None, overall.get(COUNT))
    for k, (group, cells) in enumerate(rows):
        if k >= MAX_GROUPS:
            raise CardError(
                [
                    Diagnostic(
                        f"more than {MAX_GROUPS} groups: not a MetricFrame table this importer reads",
                        file=notes.source,
                        code="fairlearn-groups",
                    )
                ]
            )
        for attr, label in group.items():
            if label not in values.setdefault(attr, []):
                values[attr].append(label)
        for name, raw in cells.items():
            if name != COUNT:
                add(name, raw, group, cells.get(COUNT))
    if skipped:
        notes.warn(
            f"column(s) {', '.join(sorted(skipped))} hold values that are not numbers (e.g. confusion matrices): left out",
            code="fairlearn-not-numeric",
        )
    if not metrics:
        raise CardError(
            [
                Diagnostic(
                    "no numeric metric values found: not a MetricFrame.by_group table",
                    file=notes.source,
                    code="not-fairlearn",
                )
            ]
        )
    attrs = [SensitiveAttribute(name=a, values=v) for a, v in values.items()] if values else None
    fairness = Fairness(sensitive_attributes=attrs) if attrs else None
    return MetricFrameFragment(tuple(metrics), fairness, tuple(d.message for d in notes.items))


def _label(value: Any) -> str:
    if hasattr(value, "item"):
        try:
            value = value.item()
        except (TypeError, ValueError):
            pass
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def from_metricframe(
    mf: Any,
    *,
    dataset: str | None = None,
    split: str | None = None,
    overall: bool = True,
) -> MetricFrameFragment:
    """A card fragment from a fairlearn ``MetricFrame``: per-group metrics (and the overall ones).

    Args:
        mf: a ``fairlearn.metrics.MetricFrame`` (or anything with ``by_group``
            and ``overall`` shaped like one).
        dataset: the id of the card dataset the metrics were measured on.
        split: the split they were measured on.
        overall: also write ``mf.overall`` as overall metrics.

    Returns:
        A :class:`MetricFrameFragment`; ``card.merge(fragment)`` layers it over a card.

    Example:
        >>> from fairlearn.metrics import MetricFrame, selection_rate  # doctest: +SKIP
        >>> mf = MetricFrame(metrics={"selection_rate": selection_rate}, y_true=y, y_pred=p,
        ...                  sensitive_features=df["race"])  # doctest: +SKIP
        >>> card = card.merge(modelcard.from_metricframe(mf, dataset="test"))  # doctest: +SKIP
    """
    by_group = getattr(mf, "by_group", None)
    if by_group is None or not hasattr(by_group, "index"):
        raise TypeError("from_metricframe needs a fairlearn MetricFrame (an object with a by_group table)")
    names = [n if n is not None else f"sensitive_feature_{i}" for i, n in enumerate(by_group.index.names)]
    if hasattr(by_group, "columns"):
        columns = [str(c) for c in by_group.columns]
        table = [list(row) for row in by_group.itertuples(index=False, name=None)]
    else:  # a Series: one metric, named after it
        columns = [str(by_group.name or "metric")]
        table = [[v] for v in by_group.tolist()]
    rows: list[Row] = []
    for key, cells in zip(by_group.index, table):
        parts = key if isinstance(key, tuple) else (key,)
        rows.append(({n: _label(p) for n, p in zip(names, parts)}, dict(zip(columns, cells))))
    over = None
    if overall:
        raw: Any = getattr(mf, "overall", None)
        if raw is not None and hasattr(raw, "items") and not hasattr(raw, "columns"):
            over = {str(k): v for k, v in raw.items()}
        elif raw is not None and not hasattr(raw, "columns"):
            over = {columns[0]: raw}
    return build_fragment(rows, overall=over, dataset=dataset, split=split)


# --------------------------------------------------------------------------
# reading a saved by_group table


def _numeric(cells: Sequence[str]) -> bool:
    return all(to_number(c) is not None or c.strip().lower() in ("", "nan") for c in cells)


def rows_from_csv(text: str, notes: Notes) -> list[Row]:
    """Rows of a ``by_group.to_csv()`` table (group columns first)."""
    try:
        table = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise CardError(
            [Diagnostic(f"not a readable CSV table: {exc}", file=notes.source, line=1, code="not-fairlearn")]
        ) from None
    table = [r for r in table if any(c.strip() for c in r)]
    if len(table) < 2 or len(table[0]) < 2:
        raise CardError(
            [
                Diagnostic(
                    "not a MetricFrame.by_group table: it needs a header, group column(s), metric column(s) and a row per group",
                    file=notes.source,
                    line=1,
                    code="not-fairlearn",
                )
            ]
        )
    header = [h.strip() for h in table[0]]
    for n, row in enumerate(table[1:], start=2):
        if len(row) != len(header):
            raise CardError(
                [
                    Diagnostic(
                        f"row has {len(row)} cells, the header {len(header)}",
                        file=notes.source,
                        line=n,
                        code="not-fairlearn",
                    )
                ]
            )
    columns = list(zip(*table[1:]))
    text_cols = [i for i, col in enumerate(columns) if not _numeric(col)]
    k = (text_cols[-1] + 1) if text_cols else 1
    if k >= len(header):
        raise CardError(
            [Diagnostic("no metric columns: every column holds text", file=notes.source, line=1, code="not-fairlearn")]
        )
    if not text_cols and len(header) > 2:
        notes.warn(
            f"every column is a number, so the first ('{header[0]}') was taken as the group and the others as metrics",
            line=1,
            code="fairlearn-groups",
        )
    names = [h or f"sensitive_feature_{i}" for i, h in enumerate(header[:k])]
    return [(dict(zip(names, row[:k])), dict(zip(header[k:], row[k:]))) for row in table[1:]]


def _key_parts(key: Any) -> tuple[Any, ...]:
    if isinstance(key, list):
        return tuple(key)
    if isinstance(key, str) and key.startswith("(") and key.endswith(")"):
        try:
            parsed = ast.literal_eval(key)  # pandas writes a MultiIndex key as "('A', 'F')"
        except (ValueError, SyntaxError):
            return (key,)
        if isinstance(parsed, tuple):
            return parsed
    return (key,)


def rows_from_json(data: Any, notes: Notes, stem: str) -> list[Row]:
    """Rows of ``by_group.to_json(orient=...)`` (table, split, columns, index) or of records."""

    def group(parts: tuple[Any, ...], names: Sequence[str] | None = None) -> dict[str, str]:
        names = names or [f"sensitive_feature_{i}" for i in range(len(parts))]
        return {str(n): _label(p) for n, p in zip(names, parts)}

    if isinstance(data, dict) and isinstance(data.get("schema"), dict) and isinstance(data.get("data"), list):
        keys = data["schema"].get("primaryKey") or []
        if not keys:
            raise CardError(
                [
                    Diagnostic(
                        "orient='table' JSON without a primaryKey: which columns are the groups?",
                        file=notes.source,
                        line=1,
                        code="not-fairlearn",
                    )
                ]
            )
        return [
            (group(tuple(r.get(k) for k in keys), keys), {c: v for c, v in r.items() if c not in keys})
            for r in data["data"]
            if isinstance(r, dict)
        ]
    if isinstance(data, dict) and isinstance(data.get("columns"), list) and isinstance(data.get("data"), list):
        index = data.get("index") or list(range(len(data["data"])))
        names = data.get("index_names")
        return [
            (
                group(_key_parts(key), names),
                dict(zip(map(str, data["columns"]), cells if isinstance(cells, list) else [cells])),
            )
            for key, cells in zip(index, data["data"])
        ]
    if isinstance(data, list) and data and all(isinstance(r, dict) for r in data):
        header = list(data[0])
        text = [
            h
            for h in header
            if any(
                not isinstance(r.get(h), (int, float)) or isinstance(r.get(h), bool)
                for r in data
                if r.get(h) is not None
            )
        ]
        k = header.index(text[-1]) + 1 if text else 1
        names = header[:k]
        return [(group(tuple(r.get(n) for n in names), names), {h: r.get(h) for h in header[k:]}) for r in data]
    if isinstance(data, dict) and data and all(isinstance(v, dict) for v in data.values()):
        rows: dict[tuple[Any, ...], dict[str, Any]] = {}
        for metric, by_key in data.items():  # orient='columns' (pandas' default): {metric: {group: value}}
            for key, value in by_key.items():
                rows.setdefault(_key_parts(key), {})[str(metric)] = value
        return [(group(parts), cells) for parts, cells in rows.items()]
    if isinstance(data, dict) and data and all(not isinstance(v, (dict, list)) for v in data.values()):
        notes.warn(
            f"a Series without its name: the metric is called '{stem}' (save with orient='table' to keep it)",
            line=1,
            code="fairlearn-name",
        )
        return [(group(_key_parts(key)), {stem: value}) for key, value in data.items()]
    raise CardError(
        [
            Diagnostic(
                "not a MetricFrame.by_group table (write it with by_group.to_json(orient='table') or to_csv())",
                file=notes.source,
                line=1,
                code="not-fairlearn",
            )
        ]
    )


def import_metricframe(path: str | os.PathLike[str], *, name: str | None = None) -> ImportResult:
    """Import a saved ``MetricFrame.by_group`` table (CSV or JSON) as a fragment."""
    src = str(path)
    notes = Notes(src)
    text = decode_text(read_bytes(path), src, notes)
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        from modelcard.io.source import parse

        data = parse(text, src, syntax="json").data  # the loader's bounded reading: located errors, no deep recursion
        rows = rows_from_json(data, notes, Path(src).stem)
    else:
        rows = rows_from_csv(text, notes)
    fragment = build_fragment(rows, notes=notes)
    return ImportResult(fragment.to_data(), src, FORMAT, notes.items, fragment=True)


#: a saved ``MetricFrame.by_group`` table -> card fragment
IMPORTER = FileImporter(
    FORMAT,
    "fairlearn MetricFrame.by_group saved as CSV or JSON (a fragment to merge into a card)",
    lambda path, head: path.suffix.lower() == ".csv",
    import_metricframe,
)
