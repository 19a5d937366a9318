"""Disaggregated performance and fairness results from predictions: a card fragment.

This is the Python API behind ``modelcard evaluate``::

    from modelcard.evaluation.pipeline import evaluate, evaluate_file

    fragment = evaluate(y_true, y_pred, {"race": race, "sex": sex},
                        scores=scores, intersectional=True,
                        references={"race": "Caucasian"},
                        thresholds={"fpr": {"convention": "difference", "min": -0.1, "max": 0.1}})
    fragment = evaluate_file("predictions.csv", label="y", prediction="y_hat", sensitive=["race"])

The fragment is a plain dict shaped like part of a card (``test_methodology``,
``metrics``, ``fairness``) that layers over a hand-written card with
``--with`` and validates against the schema.

What it reports, per grouping (overall, each sensitive attribute, and with
``intersectional`` the combination of all of them) and group:

* ``metrics``: selection rate, accuracy, TPR, FNR, FPR, TNR, precision and,
  with scores, AUC; each with ``n`` (the metric's denominator), a confidence
  interval and ``small_sample`` when n < ``min_group_size``.  A value that
  would divide by zero is ``value: null`` with an ``undefined_reason``.
* ``fairness.results``: every non-reference group against the attribute's
  reference group, with the difference and ratio and their intervals, the
  user's threshold (none by default) and the verdict it implies.
* ``fairness.spreads``: best versus worst group per metric and grouping,
  ``small_sample`` (with a note naming the group) when the max or min group
  is small.

``thresholds_from`` / :func:`card_thresholds` take the thresholds a
hand-written card declares, so that verdicts are computed against them.

Intervals: Wilson score for rates; Newcombe's hybrid score interval for
differences of rates; a seeded percentile bootstrap stratified by group cell
for AUC, AUC differences and all ratios (see :mod:`modelcard.evaluation.metrics`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np

from modelcard.diagnostics import UsageError
from modelcard.evaluation import metrics as M
from modelcard.io.tabular import DataError, Table, listed, read_columns, shown

#: cell contents read as "missing" in label, prediction, score and sensitive columns
MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "-nan", "null", "none", "#n/a", "<na>"})
_FALSE = frozenset({"0", "0.0", "false"})
_TRUE = frozenset({"1", "1.0", "true"})
CONVENTIONS = ("difference", "ratio")
ALL_METRICS = "all"  # threshold key that applies to every metric without its own
#: default limit on the number of groups (see ``max_groups``)
DEFAULT_MAX_GROUPS = 10_000
#: most bootstrap resamples accepted
MAX_BOOTSTRAP = 100_000
#: most bootstrap replicate values kept (resamples x groups over all groupings): about 24 bytes each
MAX_BOOTSTRAP_VALUES = 50_000_000
_MAX_INT = 2**63 - 1


Locate = Callable[[int], "tuple[str, int | None]"]


# --------------------------------------------------------------------------
# input checking


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


def _label_text(value: Any) -> str | None:
    """A cell as a group label; None when missing."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (float, np.floating)):
        if np.isnan(value):
            return None
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    text = str(value)
    return None if text.strip().lower() in MISSING_TOKENS else text


def _as_text(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """(unique texts with None for missing, inverse codes) of any 1-D column."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        arr = arr.reshape(-1)
    if arr.dtype.kind in "biuU":
        uniq, inv = np.unique(arr, return_inverse=True)
    elif arr.dtype.kind == "f":
        uniq, inv = np.unique(arr, return_inverse=True)  # NaNs collapse to one trailing entry
    else:
        try:
            uniq, inv = np.unique(arr.astype(str), return_inverse=True) if _all_str(arr) else _unique_objects(arr)
        except TypeError:
            uniq, inv = _unique_objects(arr)
    texts = np.array([_label_text(u) for u in uniq.tolist()], dtype=object)
    return texts, inv.reshape(-1)


def _all_str(arr: np.ndarray) -> bool:
    return (
        arr.size == 0 or (all(isinstance(v, str) for v in arr[: min(arr.size, 1000)]) and not any(v is None for v in arr))
    )


def _unique_objects(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    seen: dict[Any, int] = {}
    codes = np.fromiter(
        (seen.setdefault(_label_text(v), len(seen)) for v in arr.tolist()), dtype=np.int64, count=arr.size
    )
    return np.array(list(seen), dtype=object), codes


def _first_row(inv: np.ndarray, codes: Sequence[int]) -> int:
    hit = np.isin(inv, np.asarray(list(codes), dtype=inv.dtype))
    return int(np.argmax(hit))


def binary_column(values: Any, column: str, positive: str | None = None, source: Source = Source()) -> np.ndarray:
    """0/1 int8 array from 0/1, true/false, or two values with ``positive`` naming the positive one."""
    texts, inv = _as_text(values)
    if inv.size == 0:
        raise source.error(column, None, "no rows", "empty")
    missing = [i for i, t in enumerate(texts) if t is None]
    if missing:
        row = _first_row(inv, missing)
        raise source.error(
            column, row, "missing value (empty cell or NaN); labels and predictions must all be given", "missing-value"
        )
    keys = [t.strip() for t in texts]
    distinct = sorted(set(keys))
    if len(distinct) > 2:
        # the first row holding a third distinct value, in row order
        codes, rows = np.unique(inv, return_index=True)  # each value's first row, in one pass
        first: dict[str, int] = {}
        for code, row in zip(codes.tolist(), rows.tolist()):
            first[keys[code]] = min(row, first.get(keys[code], row))
        ordered = sorted(first, key=first.get)
        some = ", ".join(shown(v) for v in ordered[:5]) + (", ..." if len(ordered) > 5 else "")
        raise source.error(
            column,
            first[ordered[2]],
            f"value {shown(ordered[2])} makes {len(distinct)} distinct values ({some}); "
            "a binary column has at most two",
            "non-binary",
        )
    if positive is not None and positive.strip() in distinct:
        pos = positive.strip()
        lut = np.array([k == pos for k in keys], dtype=np.int8)
        return lut[inv]
    if all(k.lower() in _FALSE | _TRUE for k in keys):
        lut = np.array([k.lower() in _TRUE for k in keys], dtype=np.int8)
        return lut[inv]
    if positive is not None and len(distinct) == 1:
        return np.zeros(inv.size, dtype=np.int8)  # only the negative class occurs
    if positive is not None:
        raise source.error(
            column,
            None,
            f"the positive class {shown(positive)} given with --positive is not one of "
            f"its values ({', '.join(map(shown, distinct))})",
            "unknown-positive",
        )
    row = _first_row(inv, [i for i, k in enumerate(keys) if k.lower() not in _FALSE | _TRUE])
    raise source.error(
        column,
        row,
        f"values {', '.join(map(shown, distinct))} are not 0/1 or true/false; "
        "name the positive class with --positive VALUE",
        "needs-positive",
    )


def score_column(values: Any, column: str, source: Source = Source()) -> np.ndarray:
    """float64 scores; missing, NaN or non-numeric cells are errors."""
    arr = np.asarray(values)
    if arr.dtype.kind in "biuf":
        out = arr.astype(np.float64)
    else:
        try:  # fast path: numpy parses the text; errors are located by the slow path below
            out = arr.astype(str).astype(np.float64)
        except (ValueError, TypeError):
            out = None
    if out is None:
        try:
            out = np.array([_score(v) for v in arr.tolist()], dtype=np.float64)
        except ValueError:
            for i, v in enumerate(arr.tolist()):
                try:
                    _score(v)
                except ValueError:
                    raise source.error(column, i, f"score {shown(str(v))} is not a number", "not-a-number") from None
            raise
    bad = np.isnan(out)
    if bad.any():
        raise source.error(column, int(np.argmax(bad)), "missing score (empty cell or NaN)", "missing-value")
    return out


def _score(v: Any) -> float:
    if v is None:
        return float("nan")
    if isinstance(v, str):
        s = v.strip()
        if s.lower() in MISSING_TOKENS:
            return float("nan")
        return float(s)
    return float(v)


def sensitive_column(
    values: Any, column: str, missing_group: str | None = None, source: Source = Source()
) -> tuple[np.ndarray, np.ndarray]:
    """Group labels encoded as (codes, sorted labels); missing cells become ``missing_group`` or are an error."""
    texts, inv = _as_text(values)
    missing = [i for i, t in enumerate(texts) if t is None]
    if missing and missing_group is None:
        row = _first_row(inv, missing)
        raise source.error(
            column,
            row,
            "missing value in a sensitive attribute; give --missing-group LABEL to "
            "report such rows as a group of their own",
            "missing-value",
        )
    labels = np.array([missing_group if t is None else t for t in texts], dtype=str)
    categories, remap = np.unique(labels, return_inverse=True)  # sorted, merged if a label repeats
    return remap.reshape(-1)[inv].astype(np.int64), categories


# --------------------------------------------------------------------------
# options


def parse_threshold(spec: str) -> tuple[str, dict]:
    """``METRIC:CONVENTION:MIN:MAX`` (a bound may be empty) -> (metric, threshold dict)."""
    parts = spec.split(":")
    if len(parts) != 4:
        raise UsageError(
            f"--threshold {spec!r}: expected METRIC:CONVENTION:MIN:MAX, e.g. fpr:difference:-0.1:0.1 "
            "or selection_rate:ratio:0.8: (leave a bound empty for none)"
        )
    metric, convention, lo, hi = (p.strip() for p in parts)
    return metric, {"convention": convention, "min": _bound(lo, spec), "max": _bound(hi, spec)}


def _bound(text: str, spec: str) -> float | None:
    if text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"--threshold {spec!r}: bound {text!r} is not a number") from None
    if not np.isfinite(value):
        raise UsageError(f"--threshold {spec!r}: bound {text!r} must be finite (leave it empty for none)")
    return value


def parse_reference(spec: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``ATTR=VALUE`` or ``ATTR=VALUE,ATTR=VALUE`` (an intersectional reference)."""
    pairs = []
    for part in spec.split(","):
        if "=" not in part:
            raise UsageError(
                f"--reference {spec!r}: expected ATTR=VALUE (or ATTR=VALUE,ATTR=VALUE for the intersection)"
            )
        attr, value = part.split("=", 1)
        pairs.append((attr.strip(), value))
    return tuple(a for a, _ in pairs), tuple(v for _, v in pairs)


def _check_thresholds(thresholds: Mapping[str, Any] | None, names: Sequence[str]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    thresholds = dict(thresholds or {})
    if ALL_METRICS in thresholds:  # a default for every metric without its own threshold
        default = thresholds.pop(ALL_METRICS)
        thresholds = {m: thresholds.get(m, default) for m in names} | thresholds
    for metric, th in thresholds.items():
        if metric not in names:
            raise UsageError(f"threshold for unknown metric '{metric}'; metrics evaluated: {', '.join(names)}")
        th = dict(th)
        convention = th.get("convention")
        if convention not in CONVENTIONS:
            raise UsageError(
                f"threshold for '{metric}': convention must be 'difference' or 'ratio', not {convention!r}"
            )
        lo, hi = th.get("min"), th.get("max")
        if lo is None and hi is None:
            raise UsageError(f"threshold for '{metric}': give a minimum, a maximum or both")
        if lo is not None and hi is not None and lo > hi:
            raise UsageError(f"threshold for '{metric}': minimum {lo:g} is greater than maximum {hi:g}")
        out[metric] = {k: th[k] for k in ("convention", "min", "max", "rationale") if th.get(k) is not None}
    return out


def card_thresholds(
    card: Any,
    *,
    metrics: Sequence[str] | None = None,
    dataset: str | None = None,
    file: str = "",
    locate: Callable[[tuple], Any] | None = None,
) -> dict[str, dict]:
    """The disparity thresholds a card declares, one per metric, as ``thresholds=`` takes them.

    ``card`` is a :class:`modelcard.schema.models.ModelCard` or the path of a card
    file (loaded with :func:`modelcard.card.validate.load_card`; an invalid card
    raises its located ``CardError``).  Thresholds are read from
    ``fairness.results[].threshold`` and ``fairness.spreads[].threshold``.
    Only ``metrics`` are considered when given, and with ``dataset`` entries
    measured on another dataset are skipped.  A metric whose entries declare
    different ranges (convention, min or max) is a :class:`UsageError`
    (exit 2) listing each range and where it is declared; a rationale is kept
    when the entries give exactly one.  ``locate`` maps a card path such as
    ``("fairness", "results", 3, "threshold")`` to a source position.
    """
    if isinstance(card, (str, os.PathLike)):
        from modelcard.card.validate import load_card, load_document

        path = card
        card = load_card(path)
        file = file or os.fspath(path)
        if locate is None:
            loaded: list = []  # source positions, read only to point at a conflict

            def locate(where: tuple) -> Any:
                if not loaded:
                    loaded.append(load_document(path))
                return loaded[0].positions.get(where)

    wanted = None if metrics is None else set(metrics)
    entries: list[tuple[tuple, str, Any, str]] = []
    fairness = card.fairness
    for i, r in enumerate((fairness.results or []) if fairness else []):
        entries.append(
            (
                ("fairness", "results", i),
                r.metric,
                r.threshold,
                r.dataset,
                "group " + ", ".join(f"{k}={v}" for k, v in r.group.items()),
            )
        )
    for i, sp in enumerate((fairness.spreads or []) if fairness else []):
        entries.append(
            (
                ("fairness", "spreads", i),
                sp.metric,
                sp.threshold,
                sp.dataset,
                "spread across " + " × ".join(sp.attributes),
            )
        )
    declared: dict[str, dict[tuple, list]] = {}
    for where, metric, th, ds, what in entries:
        if th is None or (wanted is not None and metric not in wanted):
            continue
        if dataset is not None and ds is not None and ds != dataset:
            continue
        declared.setdefault(metric, {}).setdefault((th.convention, th.min, th.max), []).append((where, what, th))
    out: dict[str, dict] = {}
    problems = []
    for metric, ranges in declared.items():
        if len(ranges) > 1:
            problems.append((metric, ranges))
            continue
        (convention, lo, hi), uses = next(iter(ranges.items()))
        th = {"convention": convention, "min": lo, "max": hi}
        rationales = list(dict.fromkeys(t.rationale for _, _, t in uses if t.rationale))
        if len(rationales) == 1:
            th["rationale"] = rationales[0]
        out[metric] = {k: v for k, v in th.items() if v is not None}
    if problems:
        from modelcard.diagnostics import Diagnostic
        from modelcard.io.source import format_path

        diagnostics = []
        for metric, ranges in problems:
            for (convention, lo, hi), uses in ranges.items():
                where, what, _ = uses[0]
                pos = locate(where + ("threshold",)) if locate else None
                more = f" (and {len(uses) - 1} more entr{'y' if len(uses) == 2 else 'ies'})" if len(uses) > 1 else ""
                diagnostics.append(
                    Diagnostic.at(
                        pos,
                        f"--thresholds-from: the card declares {len(ranges)} different thresholds for '{metric}' "
                        f"(one per metric is used): {_range_text(convention, lo, hi)} on {what}{more}. "
                        f"Make them agree, or choose one with --threshold {metric}:CONVENTION:MIN:MAX",
                        file=file,
                        code="threshold-conflict",
                        path=format_path(where + ("threshold",)),
                    )
                )
        names = ", ".join(f"'{m}'" for m, _ in problems)
        raise UsageError(f"the card declares conflicting thresholds for {names}", diagnostics)
    return out


def _range_text(convention: str, lo: float | None, hi: float | None) -> str:
    return f"{convention} in [{'-inf' if lo is None else f'{lo:g}'}, {'+inf' if hi is None else f'{hi:g}'}]"


def thresholds_with_card(
    thresholds: Mapping[str, Any] | None, card: Any, metrics: Sequence[str], *, dataset: str | None = None
) -> tuple[dict[str, Any], list[str]]:
    """``thresholds`` completed with those ``card`` declares: (thresholds, metrics that took the card's).

    Precedence: an explicit per-metric threshold, then the card's, then an
    explicit ``all`` default for the remaining metrics.  A conflict in the card
    matters only for a metric that is evaluated and has no explicit threshold.
    """
    out = dict(thresholds or {})
    explicit = {m for m in out if m != ALL_METRICS}
    from_card = card_thresholds(card, metrics=[m for m in metrics if m not in explicit], dataset=dataset)
    out.update(from_card)
    return out, [m for m in metrics if m in from_card]


# --------------------------------------------------------------------------
# computation


@dataclass
class MetricValues:
    """One metric for every group of a grouping."""

    value: np.ndarray  # (G,) nan = undefined
    n: np.ndarray  # (G,) instances the value is computed on
    small_n: np.ndarray  # (G,) the count compared with min_group_size
    lower: np.ndarray  # (G,) interval, nan = none
    upper: np.ndarray
    method: str  # interval method
    num: np.ndarray | None = None  # rates: successes (for Newcombe)
    boot: np.ndarray | Callable[[], np.ndarray] | None = None  # (B, G) bootstrap replicates, or their recipe

    def replicates(self) -> np.ndarray | None:
        """(B, G) bootstrap replicates, None without a bootstrap.

        Rates keep only the resampled confusion counts of their grouping and
        compute a metric's replicates on each call (hold on to the result while
        it is needed): memory stays one (B, G, 4) count array per grouping.
        """
        return self.boot() if callable(self.boot) else self.boot


@dataclass
class GroupingResult:
    grouping: M.Grouping
    sizes: np.ndarray
    values: dict[str, MetricValues] = field(default_factory=dict)
    reference: int | None = None
    reference_note: str = ""


@dataclass
class Evaluation:
    """All numbers behind a fragment (the numpy core's output)."""

    metric_names: list[str]
    groupings: list[GroupingResult]
    rows: int
    confidence: float
    bootstrap: int
    seed: int | None
    cells: M.Cells


def compute(
    y: np.ndarray,
    p: np.ndarray,
    sensitive: Mapping[str, np.ndarray],
    *,
    scores: np.ndarray | None = None,
    metrics: Sequence[str] | None = None,
    intersectional: bool = False,
    confidence: float = 0.95,
    bootstrap: int = 1000,
    seed: int | None = 0,
    max_groups: int | None = None,
    source: Source | None = None,
) -> Evaluation:
    """Per-group metrics with intervals; inputs already checked: 0/1 arrays, and per attribute an array of
    labels or a ``(codes, sorted labels)`` pair.

    Time and memory are linear in rows and groups (bootstrap: in resamples
    times groups).  With ``max_groups``, more observed combinations of the
    sensitive values than that is a :class:`DataError` raised before any
    per-group work; so is a bootstrap that would keep more than
    :data:`MAX_BOOTSTRAP_VALUES` replicate values.
    """
    names = metric_names(metrics, scores is not None)
    z = M.z_value(confidence)
    try:
        cells = M.make_cells(dict(sensitive), max_cells=max_groups)
    except M.TooManyCells as exc:
        attrs = ", ".join(sensitive)
        raise _too_many_groups(
            f"the sensitive attributes {attrs} combine into {exc.count} groups "
            "(observed combinations of their values, which every group and the bootstrap "
            "are built from)",
            exc.limit,
            source or Source(),
        ) from None
    attrs = cells.attributes
    specs: list[tuple[str, ...]] = [()] + [(a,) for a in attrs]
    if intersectional and len(attrs) > 1:
        specs.append(tuple(attrs))
    groupings = [M.make_grouping(cells, spec) for spec in specs]
    total = sum(g.size for g in groupings)
    if bootstrap * total > MAX_BOOTSTRAP_VALUES:
        raise UsageError(
            f"--bootstrap {bootstrap} over {total} groups would keep {bootstrap * total:.3g} "
            f"replicate values (more than {MAX_BOOTSTRAP_VALUES:.3g}, about "
            f"{MAX_BOOTSTRAP_VALUES * 24 / 2**30:.1f} GiB); use fewer resamples or fewer groups"
        )
    cc = M.cell_confusion(cells, y, p)
    results = []
    for g in groupings:
        g.counts = M.aggregate(cc, g.cell_to_group, g.size)
        results.append(GroupingResult(g, g.counts.sum(axis=1)))

    rng = np.random.default_rng(seed) if bootstrap > 0 else None
    rep_counts: list[np.ndarray | None] = [None] * len(results)
    if rng is not None:
        # resampled confusion counts per group, drawn a few replicates at a time so that the per-cell draws
        # never take more memory than the per-group result (the random stream is the same as in one draw)
        dtype = np.int32 if y.size < 2**31 else np.int64
        rep_counts = [np.empty((bootstrap, r.grouping.size, 4), dtype=dtype) for r in results]
        chunk = max(1, min(bootstrap, (1 << 22) // max(4 * cells.count, 1)))
        for start in range(0, bootstrap, chunk):
            m = min(chunk, bootstrap - start)
            draw = M.bootstrap_cell_counts(cc, m, rng)
            for res, out in zip(results, rep_counts):
                out[start : start + m] = M.aggregate(draw, res.grouping.cell_to_group, res.grouping.size)
            del draw
    for res, counts in zip(results, rep_counts):
        g = res.grouping
        for name in names:
            if name == M.AUC:
                continue
            metric = M.RATE_METRICS[name]
            num, den = M.rate_parts(g.counts, metric)
            lo, hi = M.wilson(num, den, z)
            boot = None if counts is None else _rate_replicates(counts, metric)
            res.values[name] = MetricValues(M.divide(num, den), den, den, lo, hi, "wilson", num, boot)

    if M.AUC in names:
        order = np.argsort(scores, kind="stable")
        layouts = [M.rank_layout(scores, r.grouping.group_of_rows(cells), r.grouping.size, order) for r in results]
        reps_all = None
        if rng is not None:
            boot = M.AucBootstrap(cells, y, scores, order)
            reps_all = boot.replicates(layouts, bootstrap, rng)
        for k, (res, lay) in enumerate(zip(results, layouts)):
            auc, n1, n0 = M.auc_by_group(lay, y)
            reps = reps_all[k] if reps_all is not None else None
            if reps is not None:
                lo, hi, _ = M.percentile_interval(reps, confidence)
            else:
                lo = hi = np.full(auc.shape, np.nan)
            n = (n1 + n0).astype(np.int64)
            res.values[M.AUC] = MetricValues(
                auc, n, np.minimum(n1, n0).astype(np.int64), lo, hi, "bootstrap-percentile", None, reps
            )
    return Evaluation(names, results, int(y.size), confidence, bootstrap, seed if bootstrap > 0 else None, cells)


def _rate_replicates(counts: np.ndarray, metric: M.RateMetric) -> Callable[[], np.ndarray]:
    def replicates() -> np.ndarray:
        rn, rd = M.rate_parts(counts, metric)
        return M.divide(rn, rd)

    return replicates


def _too_many_groups(what: str, limit: int, source: Source) -> DataError:
    return DataError(
        f"{what}: more than the limit of {limit} groups. A sensitive attribute has few values: is "
        "this an identifier or a continuous measure (bin it first)? Raise the limit with "
        "--max-groups N (max_groups= in Python) if you really mean it",
        file=source.file,
        code="too-many-groups",
    )


def metric_names(metrics: Sequence[str] | None, have_scores: bool) -> list[str]:
    """The metrics a run reports, in report order; unknown names and auc without scores are usage errors."""
    if metrics is None:
        return [m for m in M.METRIC_ORDER if m != M.AUC or have_scores]
    names = list(dict.fromkeys(metrics))
    for m in names:
        if m not in M.METRIC_ORDER:
            raise UsageError(f"unknown metric '{m}'; choose from {', '.join(M.METRIC_ORDER)}")
    if M.AUC in names and not have_scores:
        raise UsageError("metric 'auc' needs scores (--score COLUMN)")
    return [m for m in M.METRIC_ORDER if m in names]


def _choose_references(ev: Evaluation, references: Mapping[Any, Any] | None) -> None:
    given: dict[tuple[str, ...], tuple[str, ...]] = {}
    for key, value in (references or {}).items():
        attrs = (key,) if isinstance(key, str) else tuple(key)
        values = (value,) if isinstance(value, str) else tuple(value)
        if len(attrs) != len(values):
            raise UsageError(f"reference {attrs}: give one value per attribute")
        unknown = [a for a in attrs if a not in ev.cells.attributes]
        if unknown:
            raise UsageError(
                f"reference for '{unknown[0]}', which is not a sensitive attribute "
                f"(sensitive: {', '.join(ev.cells.attributes)})"
            )
        if len(attrs) > 1 and set(attrs) != set(ev.cells.attributes):
            raise UsageError(
                "an intersectional reference must name every sensitive attribute: " + ", ".join(ev.cells.attributes)
            )
        # order as the attributes are ordered
        pairs = dict(zip(attrs, values))
        ordered = tuple(a for a in ev.cells.attributes if a in pairs)
        given[ordered] = tuple(pairs[a] for a in ordered)
    chosen: dict[str, str] = {}
    for res in ev.groupings:
        g = res.grouping
        if not g.attributes:
            continue
        if g.attributes in given:
            want = given[g.attributes]
            if want not in g.groups:
                if len(g.attributes) == 1:
                    avail = listed([v[0] for v in g.groups], 20)
                    raise UsageError(
                        f"--reference {g.attributes[0]}={want[0]}: no such group; "
                        f"values of '{g.attributes[0]}': {avail}"
                    )
                raise UsageError(f"--reference {_fmt_group(g.attributes, want)}: no rows in that intersection")
            res.reference = g.groups.index(want)
            res.reference_note = "reference group given by the user"
        elif (
            len(g.attributes) > 1
            and all(a in chosen for a in g.attributes)
            and tuple(chosen[a] for a in g.attributes) in g.groups
        ):
            res.reference = g.groups.index(tuple(chosen[a] for a in g.attributes))
            res.reference_note = "reference group: the combination of each attribute's reference group"
        else:
            res.reference = int(np.argmax(res.sizes))  # first of the largest, in sorted order
            res.reference_note = (
                f"reference group: the largest group (n = {int(res.sizes[res.reference])}), chosen by default"
            )
        if len(g.attributes) == 1:
            chosen[g.attributes[0]] = g.groups[res.reference][0]


def _fmt_group(attrs: Sequence[str], values: Sequence[str]) -> str:
    return ",".join(f"{a}={v}" for a, v in zip(attrs, values))


# --------------------------------------------------------------------------
# fragment


def _ci(lo: float, hi: float, level: float, method: str) -> dict | None:
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return None
    lo, hi = float(lo), float(hi)
    if lo > hi:  # float noise on a degenerate interval
        lo = hi = (lo + hi) / 2
    return {"lower": lo, "upper": hi, "level": level, "method": method}


def _undefined_reason(name: str) -> str:
    return M.AUC_UNDEFINED if name == M.AUC else M.RATE_METRICS[name].undefined_reason


def _estimate(mv: MetricValues, j: int, name: str, level: float, min_group_size: int) -> dict:
    out: dict[str, Any] = {}
    v = mv.value[j]
    if np.isfinite(v):
        out["value"] = float(v)
        ci = _ci(mv.lower[j], mv.upper[j], level, mv.method)
        if ci:
            out["confidence_interval"] = ci
    else:
        out["value"] = None
        out["undefined_reason"] = _undefined_reason(name)
    out["n"] = int(mv.n[j])
    out["small_sample"] = bool(mv.small_n[j] < min_group_size)
    return out


@dataclass
class _Versus:
    """Interval bounds of groups ``cols`` of one metric against group ``r``, computed in a few array passes.

    Every group is compared at once (one newcombe call, one percentile pass
    over a (B, groups) array), so a grouping with many groups costs linear
    time; the per-group formulas are those of :mod:`modelcard.evaluation.metrics`.
    """

    diff_lo: np.ndarray | None
    diff_hi: np.ndarray | None
    diff_method: str
    ratio_lo: np.ndarray | None
    ratio_hi: np.ndarray | None
    zero: str = ""

    @classmethod
    def of(
        cls,
        mv: MetricValues,
        r: int,
        name: str,
        z: float,
        level: float,
        reps: np.ndarray | None,
        cols: Sequence[int] | None = None,
    ) -> _Versus:
        cols = np.arange(mv.value.size) if cols is None else np.asarray(cols, dtype=np.int64)
        diff_lo = diff_hi = ratio_lo = ratio_hi = None
        method, zero = "", ""
        if mv.num is not None:
            diff_lo, diff_hi = M.newcombe(mv.num[cols], mv.n[cols], mv.num[r], mv.n[r], z)
            method = "newcombe"
        elif reps is not None:
            diff_lo, diff_hi, _ = M.percentile_interval(reps[:, cols] - reps[:, [r]], level)
            method = "bootstrap-percentile"
        if reps is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                rr = reps[:, cols] / reps[:, [r]]
            # x/0 with x > 0 is +inf (a ratio beyond any bound); 0/0 is undefined
            big = np.where(np.isposinf(rr), _HUGE, rr)
            del rr
            ratio_lo, ratio_hi, _ = M.percentile_interval(big, level)
            zero = f"the reference group's {name} is 0 in {float(np.mean(reps[:, r] == 0)):.1%} of resamples"
        return cls(diff_lo, diff_hi, method, ratio_lo, ratio_hi, zero)


def _disparities(mv: MetricValues, j: int, r: int, name: str, level: float, vs: _Versus, k: int) -> tuple[dict, dict]:
    """(difference, ratio) of group j against group r, each a DisparityValue dict; ``vs.of(..., r)`` holds
    the interval bounds of j at index k."""
    vj, vr = mv.value[j], mv.value[r]
    diff: dict[str, Any]
    ratio: dict[str, Any]
    if not np.isfinite(vj) or not np.isfinite(vr):
        which = "the group's" if not np.isfinite(vj) else "the reference group's"
        if not np.isfinite(vj) and not np.isfinite(vr):
            which = "both groups'"
        reason = f"{which} {name} is undefined ({_undefined_reason(name)})"
        return {"value": None, "undefined_reason": reason}, {"value": None, "undefined_reason": reason}
    diff = {"value": float(vj - vr)}
    ci = _ci(vs.diff_lo[k], vs.diff_hi[k], level, vs.diff_method) if vs.diff_lo is not None else None
    if ci:
        diff["confidence_interval"] = ci
    if vr == 0:
        ratio = {"value": None, "undefined_reason": f"the reference group's {name} is 0 (division by zero)"}
    else:
        ratio = {"value": float(vj / vr)}
        if vs.ratio_lo is not None:
            lo, hi = vs.ratio_lo[k], vs.ratio_hi[k]
            ci = _ci(lo, hi, level, "bootstrap-percentile") if hi < _HUGE / 10 else None
            if ci:
                ratio["confidence_interval"] = ci
            elif np.isfinite(lo):  # [lo, +inf): no interval to write, but enough to decide a verdict
                ratio[_UNBOUNDED] = {
                    "lower": float(lo),
                    "upper": float("inf"),
                    "note": f"the ratio's bootstrap interval is [{lo:.4g}, +inf): {vs.zero}",
                }
            else:
                ratio[_UNBOUNDED] = {"note": f"the ratio's bootstrap interval is undefined: {vs.zero}"}
    return diff, ratio


_UNBOUNDED = "_unbounded"  # internal marker, removed before output
_HUGE = 1e300


def _verdict(disparity: dict, threshold: dict | None) -> tuple[str, str | None]:
    """The verdict a disparity implies under a threshold, as modelcard.card.checks.expected_verdict decides it."""
    from modelcard.card.checks import expected_verdict

    unbounded = {k: v.pop(_UNBOUNDED) for k, v in disparity.items() if _UNBOUNDED in v}
    if threshold is None:
        return "not_run", None
    d = disparity.get(threshold["convention"])
    if d is None or d.get("value") is None:
        return "inconclusive", "the disparity is undefined, so the threshold cannot be checked"
    ci = d.get("confidence_interval")
    if threshold["convention"] in unbounded:
        info = unbounded[threshold["convention"]]
        if "lower" not in info:
            return "inconclusive", info["note"]
        ci = {"lower": info["lower"], "upper": info["upper"], "level": 0}
        ns = SimpleNamespace(
            **{threshold["convention"]: SimpleNamespace(value=d["value"], confidence_interval=SimpleNamespace(**ci))}
        )
        th = SimpleNamespace(convention=threshold["convention"], min=threshold.get("min"), max=threshold.get("max"))
        return expected_verdict(ns, th), info["note"]
    ns = SimpleNamespace(
        **{
            threshold["convention"]: SimpleNamespace(
                value=d["value"], confidence_interval=SimpleNamespace(**ci) if ci else None
            )
        }
    )
    th = SimpleNamespace(convention=threshold["convention"], min=threshold.get("min"), max=threshold.get("max"))
    verdict = expected_verdict(ns, th)
    note = None
    if verdict == "inconclusive":
        note = f"the {int(round(ci['level'] * 100))}% interval of the {threshold['convention']} straddles a threshold bound"
    elif ci is None:
        note = f"no interval for the {threshold['convention']}; verdict from the point estimate only"
    return verdict, note


def _where(out: dict, dataset: str | None, split: str | None) -> dict:
    if dataset:
        out["dataset"] = dataset
    if split:
        out["split"] = split
    return out


def build_fragment(
    ev: Evaluation,
    *,
    thresholds: Mapping[str, dict] | None = None,
    min_group_size: int = 30,
    dataset: str | None = None,
    split: str | None = None,
    decision_threshold: float | None = None,
    provenance: Mapping[str, Any] | None = None,
) -> dict:
    """Turn computed numbers into a card fragment (plain dict, stable order)."""
    thresholds = dict(thresholds or {})
    level = ev.confidence
    z = M.z_value(level)
    names = ev.metric_names

    definitions = []
    for name in names:
        if name == M.AUC:
            d = {"name": name, "description": M.AUC_DESCRIPTION, "formula": M.AUC_FORMULA, "higher_is_better": True}
        else:
            m = M.RATE_METRICS[name]
            d = {"name": name, "description": m.description, "formula": m.formula}
            if m.higher_is_better is not None:
                d["higher_is_better"] = m.higher_is_better
            if decision_threshold is not None:
                d["decision_threshold"] = float(decision_threshold)
        definitions.append(d)
    ci_method = {
        "method": "wilson",
        "level": level,
        "description": (
            "Rates (selection_rate, accuracy, tpr, fnr, fpr, tnr, precision): Wilson score interval. "
            "Differences of rates between two groups: Newcombe's hybrid score interval (method 10). "
            + (
                f"AUC, AUC differences and all ratios: percentile bootstrap with {ev.bootstrap} resamples "
                f"(seed {ev.seed}), resampling rows within each combination of sensitive attribute values "
                "(and, for AUC, within each class)."
                if ev.bootstrap > 0
                else "No bootstrap was run, so AUC values and ratios have no interval."
            )
            + f" Each interval's own `method` names how it was computed. Values flagged `small_sample` have "
            f"n < {min_group_size}."
        ),
    }
    if ev.bootstrap > 0:
        ci_method["bootstrap_samples"] = ev.bootstrap
    tm: dict[str, Any] = {}
    if dataset:
        tm["datasets"] = [{"dataset": dataset, **({"split": split} if split else {}), "n": ev.rows}]
    tm["metric_definitions"] = definitions
    tm["confidence_intervals"] = ci_method
    if ev.seed is not None:
        tm["seeds"] = [int(ev.seed)]

    metric_results = []
    for name in names:
        for res in ev.groupings:
            g = res.grouping
            mv = res.values[name]
            for j, values in enumerate(g.groups):
                item: dict[str, Any] = {"name": name}
                if g.attributes:
                    item["slice"] = dict(zip(g.attributes, values))
                item.update(_estimate(mv, j, name, level, min_group_size))
                metric_results.append(_where(item, dataset, split))

    results = []
    spreads = []
    for name in names:
        th = thresholds.get(name)
        for res in ev.groupings:
            g = res.grouping
            if not g.attributes:
                continue
            mv = res.values[name]
            reps = mv.replicates()
            r = res.reference
            vs = _Versus.of(mv, r, name, z, level, reps)
            ref = dict(zip(g.attributes, g.groups[r]))
            ref_small = bool(mv.small_n[r] < min_group_size)
            for j, values in enumerate(g.groups):
                if j == r:
                    continue
                item = {"metric": name, "group": dict(zip(g.attributes, values)), "reference_group": ref}
                est = _estimate(mv, j, name, level, min_group_size)
                est["small_sample"] = est["small_sample"] or ref_small
                item.update(est)
                if np.isfinite(mv.value[r]):
                    item["reference_value"] = float(mv.value[r])
                diff, ratio = _disparities(mv, j, r, name, level, vs, j)
                item["disparity"] = {"difference": diff, "ratio": ratio}
                if th:
                    item["threshold"] = dict(th)
                verdict, note = _verdict(item["disparity"], th)
                item["verdict"] = verdict
                notes = [res.reference_note[:1].upper() + res.reference_note[1:] + "."]
                if ref_small:
                    notes.append(f"The reference group is small (n = {int(mv.n[r])} < {min_group_size}).")
                if note:
                    notes.append(f"Verdict: {note}.")
                item["notes"] = " ".join(notes)
                results.append(_where(item, dataset, split))
            spreads.append(_spread(name, res, mv, th, z, level, dataset, min_group_size, reps))
            del reps, vs

    fairness = {
        "sensitive_attributes": [
            {"name": a, "values": sorted({v[i] for v in ev.cells.values})} for i, a in enumerate(ev.cells.attributes)
        ],
        "results": results,
        "spreads": spreads,
    }
    fragment: dict[str, Any] = {"test_methodology": tm, "metrics": metric_results, "fairness": fairness}
    info: dict[str, Any] = {"generator": f"modelcard evaluate {_version()}", "rows": ev.rows}
    if provenance:
        info.update(provenance)
    info["reference_groups"] = [
        {"group": dict(zip(r.grouping.attributes, r.grouping.groups[r.reference])), "why": r.reference_note}
        for r in ev.groupings
        if r.grouping.attributes
    ]
    info["min_group_size"] = min_group_size
    fragment["x-evaluate"] = info
    return fragment


def _spread(
    name: str,
    res: GroupingResult,
    mv: MetricValues,
    th: dict | None,
    z: float,
    level: float,
    dataset: str | None,
    min_group_size: int = 30,
    reps: np.ndarray | None = None,
) -> dict:
    g = res.grouping
    out: dict[str, Any] = {"metric": name, "attributes": list(g.attributes)}
    defined = np.flatnonzero(np.isfinite(mv.value))
    small: list[str] = []
    if defined.size < 2:
        reason = f"fewer than two groups have a defined {name}"
        out["difference"] = {"value": None, "undefined_reason": reason}
        out["ratio"] = {"value": None, "undefined_reason": reason}
    else:
        vals = mv.value[defined]
        jmax = int(defined[np.argmax(vals)])
        jmin = int(defined[np.argmin(vals)])
        if jmin == jmax:  # all equal
            jmin = int(defined[1] if defined[0] == jmax else defined[0])
        out["max_group"] = dict(zip(g.attributes, g.groups[jmax]))
        out["min_group"] = dict(zip(g.attributes, g.groups[jmin]))
        diff, _ = _disparities(mv, jmax, jmin, name, level, _Versus.of(mv, jmin, name, z, level, reps, [jmax]), 0)
        _, ratio = _disparities(mv, jmin, jmax, name, level, _Versus.of(mv, jmax, name, z, level, reps, [jmin]), 0)
        out["difference"] = diff
        out["ratio"] = ratio
        for role, j in (("max", jmax), ("min", jmin)):
            if mv.small_n[j] < min_group_size:
                n = f"n = {int(mv.n[j])}"
                if mv.small_n[j] != mv.n[j]:  # AUC: the smaller class is what is small
                    n += f", {int(mv.small_n[j])} in the smaller class"
                group = ", ".join(f"{k}={v}" for k, v in zip(g.attributes, g.groups[j]))
                small.append(f"the {role} group {group} ({n})")
    out["small_sample"] = bool(small)
    if th:
        out["threshold"] = dict(th)
    out["verdict"] = _verdict({"difference": out["difference"], "ratio": out["ratio"]}, th)[0]
    if small:
        out["notes"] = f"Small sample (below the minimum group size of {min_group_size}): {' and '.join(small)}."
    if dataset:
        out["dataset"] = dataset
    return out


def _version() -> str:
    from modelcard import __version__

    return __version__


# --------------------------------------------------------------------------
# the API


def evaluate(
    y_true: Any,
    y_pred: Any,
    sensitive: Mapping[str, Any],
    *,
    scores: Any = None,
    positive: str | None = None,
    score_threshold: float | None = None,
    metrics: Sequence[str] | None = None,
    intersectional: bool = False,
    references: Mapping[Any, Any] | None = None,
    thresholds: Mapping[str, Any] | None = None,
    min_group_size: int = 30,
    confidence: float = 0.95,
    bootstrap: int = 1000,
    seed: int = 0,
    dataset: str | None = None,
    split: str | None = None,
    missing_group: str | None = None,
    columns: Mapping[str, str] | None = None,
    source: Source | None = None,
    provenance: Mapping[str, Any] | None = None,
    validate: bool = True,
    thresholds_from: Any = None,
    max_groups: int = DEFAULT_MAX_GROUPS,
) -> dict:
    """Evaluate predictions per group and return a card fragment (a dict).

    ``y_pred`` may be None when ``scores`` and ``score_threshold`` are given
    (prediction = score >= threshold).  ``columns`` names the inputs in error
    messages (keys ``label``, ``prediction``, ``score``); ``source`` points
    errors at a file.

    ``thresholds_from`` (a card or a card's path) supplies the thresholds the
    card declares (see :func:`card_thresholds`) for every metric ``thresholds``
    does not name; an ``all`` entry in ``thresholds`` then covers the rest.

    ``max_groups`` bounds the number of groups: the distinct values of each
    sensitive attribute and their observed combinations (the cells every
    group and the bootstrap are built from).  More is a :class:`DataError`
    raised before any per-group work; time and memory are linear in rows and
    groups.  Numeric options out of range (see :data:`OPTION_RANGES`) are a
    :class:`UsageError`.
    """
    source = source or Source()
    columns = dict(columns or {})
    _check_options(min_group_size, confidence, bootstrap, seed, max_groups, score_threshold)
    if not sensitive:
        raise UsageError("give at least one sensitive attribute")
    y = binary_column(y_true, columns.get("label", "label"), positive, source)
    s = score_column(scores, columns.get("score", "score"), source) if scores is not None else None
    if y_pred is None:
        if s is None or score_threshold is None:
            raise UsageError("give predictions, or scores with a score threshold to derive them")
        p = (s >= score_threshold).astype(np.int8)
    else:
        p = binary_column(y_pred, columns.get("prediction", "prediction"), positive, source)
    groups = {}
    for name, values in sensitive.items():
        groups[name] = sensitive_column(values, name, missing_group, source)
        if len(groups[name][1]) > max_groups:  # before any per-group work
            raise _too_many_groups(f"column '{name}' has {len(groups[name][1])} distinct values", max_groups, source)
    n = y.size
    for name, arr in [("prediction", p), ("score", s), *((k, v[0]) for k, v in groups.items())]:
        if arr is not None and arr.size != n:
            raise UsageError(f"'{name}' has {arr.size} values but the labels have {n}")
    names = metric_names(metrics, s is not None)
    taken: list[str] | None = None
    if thresholds_from is not None:
        thresholds, taken = thresholds_with_card(thresholds, thresholds_from, names, dataset=dataset)
    th = _check_thresholds(thresholds, names)
    ev = compute(
        y,
        p,
        groups,
        scores=s,
        metrics=names,
        intersectional=intersectional,
        confidence=confidence,
        bootstrap=bootstrap,
        seed=seed,
        max_groups=max_groups,
        source=source,
    )
    _choose_references(ev, references)
    fragment = build_fragment(
        ev,
        thresholds=th,
        min_group_size=min_group_size,
        dataset=dataset,
        split=split,
        decision_threshold=score_threshold if y_pred is None else None,
        provenance=provenance,
    )
    if taken is not None:
        info = fragment["x-evaluate"]
        origin = info.pop("thresholds_from", None) or {}
        if not origin and isinstance(thresholds_from, (str, os.PathLike)):
            origin = {"card": os.path.basename(os.fspath(thresholds_from))}
        info["thresholds_from"] = {**origin, "metrics": taken}
    if validate:
        check_fragment(fragment)
    return fragment


#: option -> (what it must be, test); the one home of evaluate's option ranges (the CLI checks with these)
OPTION_RANGES: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "confidence": ("a number between 0 and 1 (exclusive), e.g. 0.95", lambda v: _real(v) and 0 < v < 1),
    "bootstrap": (
        f"a whole number from 0 (no bootstrap) to {MAX_BOOTSTRAP}",
        lambda v: _whole(v) and 0 <= v <= MAX_BOOTSTRAP,
    ),
    "min_group_size": ("a whole number from 0 to 1000000000", lambda v: _whole(v) and 0 <= v <= 10**9),
    "seed": (f"a whole number from 0 to {_MAX_INT}", lambda v: _whole(v) and 0 <= v <= _MAX_INT),
    "max_groups": ("a whole number, 1 or more", lambda v: _whole(v) and 1 <= v <= _MAX_INT),
    "score_threshold": ("a finite number", lambda v: _real(v) and _finite(v)),
}


def _real(v: Any) -> bool:
    """An int or a float that is not NaN (bools are not numbers here)."""
    if isinstance(v, (bool, np.bool_)):
        return False
    if isinstance(v, (int, np.integer)):
        return True
    return isinstance(v, (float, np.floating)) and not np.isnan(v)


def _finite(v: Any) -> bool:
    try:
        return bool(np.isfinite(float(v)))
    except OverflowError:  # an int too large for a float
        return False


def _whole(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def check_option(name: str, value: Any, *, flag: str | None = None) -> Any:
    """``value`` if it is in the range of evaluate's option ``name`` (see :data:`OPTION_RANGES`); else UsageError."""
    what, ok = OPTION_RANGES[name]
    if not ok(value):
        raise UsageError(f"{flag or name} must be {what}; got {value!r}")
    return value


def _check_options(
    min_group_size: int,
    confidence: float,
    bootstrap: int,
    seed: int | None,
    max_groups: int = DEFAULT_MAX_GROUPS,
    score_threshold: float | None = None,
) -> None:
    check_option("confidence", confidence)
    check_option("bootstrap", bootstrap)
    check_option("min_group_size", min_group_size)
    if seed is not None:
        check_option("seed", seed)
    check_option("max_groups", max_groups)
    if score_threshold is not None:
        check_option("score_threshold", score_threshold)


def evaluate_file(
    path: str | os.PathLike,
    *,
    label: str,
    prediction: str | None = None,
    score: str | None = None,
    sensitive: Sequence[str],
    **options: Any,
) -> dict:
    """Read a CSV or Parquet predictions file and :func:`evaluate` it."""
    if not sensitive:
        raise UsageError("give at least one sensitive attribute column (--sensitive COLUMN)")
    if prediction is None and (score is None or options.get("score_threshold") is None):
        raise UsageError("give --prediction COLUMN, or --score COLUMN with --score-threshold T")
    twice = sorted({c for c in sensitive if list(sensitive).count(c) > 1})
    if twice:
        raise UsageError(f"sensitive attribute '{twice[0]}' is given twice")
    wanted = [label] + ([prediction] if prediction else []) + ([score] if score else []) + list(sensitive)
    dup = sorted({c for c in sensitive if wanted.count(c) > 1})
    if dup:
        raise UsageError(f"column '{dup[0]}' is used both as a sensitive attribute and as label/prediction/score")
    table = read_columns(path, wanted)
    if table.rows == 0:
        raise DataError("no data rows after the header", file=table.source, line=2, code="empty")
    cols = table.columns
    prov = {
        "predictions": {"file": os.path.basename(os.fspath(path)), "sha256": _sha256(path)},
        "columns": {k: v for k, v in (("label", label), ("prediction", prediction), ("score", score)) if v}
        | {"sensitive": list(sensitive)},
    }
    if options.get("positive") is not None:
        prov["positive"] = options["positive"]
    return evaluate(
        cols[label],
        cols[prediction] if prediction else None,
        {c: cols[c] for c in sensitive},
        scores=cols[score] if score else None,
        columns={"label": label, "prediction": prediction or "", "score": score or ""},
        source=Source.of_table(table),
        provenance=prov | dict(options.pop("provenance", {}) or {}),
        **options,
    )


def _sha256(path: str | os.PathLike) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# --------------------------------------------------------------------------
# output


def check_fragment(fragment: Mapping[str, Any]) -> None:
    """Validate a fragment as part of a card (schema and card rules); raise on any error.

    A failure here is a bug in modelcard, not bad input.
    """
    from modelcard.card.validate import validate_data

    stub: dict[str, Any] = {"card": {"schema_version": "1.0"}, "model": {"name": "stub", "version": "0"}}
    datasets = {r.get("dataset") for r in fragment.get("metrics", []) if r.get("dataset")}
    if datasets:
        stub["datasets"] = [{"id": d, "name": d, "role": "evaluation"} for d in sorted(datasets)]
    _, diagnostics = validate_data(stub | dict(fragment), "<evaluate fragment>")
    errors = [d for d in diagnostics if d.severity == "error"]
    if errors:
        raise RuntimeError("evaluate produced an invalid fragment: " + "; ".join(str(d) for d in errors[:5]))


def dump_fragment(fragment: Mapping[str, Any], *, header: str | None = None) -> str:
    """The fragment as YAML: keys in the order built, floats at full (round-trip) precision."""
    import yaml

    class _Dumper(yaml.SafeDumper):
        pass

    def _str(dumper: yaml.SafeDumper, value: str) -> Any:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    _Dumper.add_representer(str, _str)
    _Dumper.ignore_aliases = lambda self, data: True  # no &id001 anchors: every entry reads on its own
    text = yaml.dump(
        dict(fragment), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False
    )
    if header:
        text = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines()) + text
    return text
