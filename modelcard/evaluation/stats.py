"""Mergeable sufficient statistics: everything ``evaluate`` reports is a function of these.

Each statistic is built from numpy arrays one chunk at a time (no Python loop
over rows), keyed by *cells* — the observed combinations of the sensitive
attributes' values, as tuples of strings in sorted order — and statistics of
any chunks add up: ``stats(a) + stats(b) == stats(a ∪ b)`` exactly, whatever
the split and order (tests check equality, not closeness).  Coarser groupings
(one attribute, overall) are sums of cells: :meth:`marginal`.

* :class:`ConfusionStats` – per cell confusion counts [TN, FP, FN, TP] (int64).
* :class:`MulticlassStats` – per cell K×K confusion matrix (true × predicted);
  one-vs-rest counts per class follow from it.
* :class:`ScoreStats` – per cell counts of negatives and positives at each
  distinct score value (exact AUC), exact sums for the Brier score, and
  per-calibration-bin counts and exact score sums.  A cell with more than
  ``max_distinct`` (100,000) distinct scores is *binned*: its scores are
  truncated to the largest number of mantissa bits that keeps it within the
  limit.  Truncation grids are nested and data-independent, so binning is the
  same however the rows were chunked, and the AUC error it causes is bounded by
  Σ pos·neg over binned values / (2 n1 n0) (reported by the finaliser).
* :class:`RegressionStats` – per cell n and exact sums of e, |e|, e², e⁴, y,
  y², y³, y⁴, e²y, e²y² (e = prediction − truth) with min/max of e, |e| and y.

Sums of floats are kept *exactly* (as integers scaled by 2**-1130: every
float64 is an integer multiple of 2**-1074), so merging is associative and the
finaliser can compute sample variances without cancellation.

The optional Poisson bootstrap (:class:`PoissonBootstrap`) gives each row a
Poisson(1) weight per replicate from a counter-based hash of (seed, row id,
replicate); with global row ids the replicate statistics merge like the
others.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

TN, FP, FN, TP = 0, 1, 2, 3
CONFUSION_NAMES = ("TN", "FP", "FN", "TP")
MAX_DISTINCT = 100_000
EXACT_BITS = 53  # a float64 mantissa: no binning
DEFAULT_CALIBRATION_BINS = 10

Key = tuple[str, ...]


# --------------------------------------------------------------------------
# groups


def _labels(values: Any, name: str) -> tuple[np.ndarray, list[str]]:
    """(codes, sorted distinct labels as text) of one attribute column, or an encoded (codes, categories) pair."""
    if (
        isinstance(values, tuple)
        and len(values) == 2
        and isinstance(values[0], np.ndarray)
        and values[0].dtype.kind in "iu"
    ):  # an encoded (integer codes, categories) pair
        codes, categories = values
        codes = np.asarray(codes, dtype=np.int64).reshape(-1)
        cats = [str(c) for c in np.asarray(categories).tolist()]
        if codes.size and (codes.min() < 0 or codes.max() >= len(cats)):
            raise ValueError(f"attribute '{name}': codes out of range of its {len(cats)} categories")
    else:
        arr = np.asarray(values).reshape(-1)
        if arr.dtype.kind == "f" and np.isnan(arr).any():
            raise ValueError(f"attribute '{name}': missing value (NaN); give missing values a group label first")
        if arr.dtype.kind == "O" and any(v is None for v in arr.tolist()):
            raise ValueError(f"attribute '{name}': missing value (None); give missing values a group label first")
        try:
            uniq, codes = np.unique(arr, return_inverse=True)
        except TypeError:  # mixed object types: compare as text
            uniq, codes = np.unique(arr.astype(str), return_inverse=True)
        cats = [str(c) for c in uniq.tolist()]
        codes = codes.reshape(-1).astype(np.int64)
    # distinct raw values with the same text (1 and "1") are one group; keep categories sorted as text
    text, remap = np.unique(np.array(cats, dtype=object).astype(str), return_inverse=True)
    return remap.reshape(-1).astype(np.int64)[codes] if len(cats) else codes, [str(t) for t in text.tolist()]


def encode_cells(groups: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[Key, ...], np.ndarray]:
    """(attributes, sorted cell keys, cell index of each row) for columns of group labels.

    ``groups`` maps attribute names to arrays of labels (any dtype, turned to
    text with ``str``; checking and cleaning labels — missing values, NA
    tokens, whitespace — is the caller's job) or to encoded
    ``(integer code array, categories)`` pairs.
    """
    names = tuple(groups)
    if not names:
        raise ValueError("give at least one attribute (use {} only through ConfusionStats.marginal(()))")
    encoded = [_labels(groups[a], a) for a in names]
    n = encoded[0][0].size
    for a, (codes, _) in zip(names, encoded):
        if codes.size != n:
            raise ValueError(f"attribute '{a}' has {codes.size} values but '{names[0]}' has {n}")
    radix = 1
    for _, cats in encoded:
        radix *= max(len(cats), 1)
    if radix < 2**62:
        combined = np.zeros(n, dtype=np.int64)
        for codes, cats in encoded:
            combined = combined * len(cats) + codes
        if radix <= max(4 * n, 1 << 20):
            present = np.flatnonzero(np.bincount(combined, minlength=radix))
            lut = np.full(radix, -1, dtype=np.int64)
            lut[present] = np.arange(present.size)
            cell = lut[combined]
        else:
            present, cell = np.unique(combined, return_inverse=True)
            cell = cell.reshape(-1)
        keys = []
        for code in present.tolist():
            parts = []
            for _, cats in reversed(encoded):
                code, c = divmod(code, len(cats))
                parts.append(cats[c])
            keys.append(tuple(reversed(parts)))
    else:  # astronomically many combinations: unique rows of the code matrix
        stacked = np.stack([c for c, _ in encoded], axis=1)
        present, cell = np.unique(stacked, axis=0, return_inverse=True)
        cell = cell.reshape(-1)
        keys = [tuple(cats[c] for (_, cats), c in zip(encoded, row)) for row in present.tolist()]
    return names, tuple(keys), cell.astype(np.int64)


def _union(a: Sequence[Key], b: Sequence[Key]) -> tuple[tuple[Key, ...], np.ndarray, np.ndarray]:
    """Sorted union of two key lists and each list's positions in it."""
    keys = tuple(sorted(set(a) | set(b)))
    pos = {k: i for i, k in enumerate(keys)}
    return keys, np.array([pos[k] for k in a], dtype=np.int64), np.array([pos[k] for k in b], dtype=np.int64)


def _marginal_map(
    attributes: Sequence[str], keys: Sequence[Key], wanted: Sequence[str]
) -> tuple[tuple[Key, ...], np.ndarray]:
    """Keys of the grouping over ``wanted`` attributes and the group of each cell."""
    missing = [a for a in wanted if a not in attributes]
    if missing:
        raise ValueError(f"unknown attribute '{missing[0]}'; attributes: {', '.join(attributes)}")
    if len(set(wanted)) != len(wanted):
        raise ValueError("an attribute is named twice")
    idx = [list(attributes).index(a) for a in wanted]
    sub = [tuple(k[i] for i in idx) for k in keys]
    groups = tuple(sorted(set(sub)))
    pos = {k: i for i, k in enumerate(groups)}
    return groups, np.array([pos[k] for k in sub], dtype=np.int64)


def _check_attributes(a: _Keyed, b: _Keyed) -> None:
    if type(a) is not type(b):
        raise TypeError(f"cannot add {type(a).__name__} and {type(b).__name__}")
    if a.attributes != b.attributes:
        raise ValueError(f"statistics over different attributes cannot be merged: {a.attributes} vs {b.attributes}")


class _Keyed:
    attributes: tuple[str, ...]
    keys: tuple[Key, ...]

    @property
    def size(self) -> int:
        return len(self.keys)

    def index(self, key: Key) -> int:
        return self.keys.index(tuple(key))


def _binary(values: Any, name: str) -> np.ndarray:
    arr = np.asarray(values).reshape(-1)
    if arr.dtype == bool:
        return arr.astype(np.int64)
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"'{name}' must be numeric 0/1 or boolean, got dtype {arr.dtype}")
    bad = (arr != 0) & (arr != 1)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"'{name}' must hold only 0 and 1; row {i + 1} holds {arr[i]!r}")
    return arr.astype(np.int64)


def _finite(values: Any, name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64).reshape(-1)
    bad = ~np.isfinite(arr)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"'{name}' must hold finite numbers; row {i + 1} holds {arr[i]!r}")
    return arr + 0.0  # -0.0 -> 0.0: one representation per value


def _same_length(n: int, **arrays: np.ndarray) -> None:
    for name, arr in arrays.items():
        if arr.size != n:
            raise ValueError(f"'{name}' has {arr.size} values but the group columns have {n}")


# --------------------------------------------------------------------------
# exact sums of floats

_SHIFT = 1130  # every finite float64 is an integer multiple of 2**-1074; mantissas add 53 bits
_SPLIT = 26
_SUB_CHUNK = 1 << 25  # rows per pass: bincount's float64 sums of 27-bit parts stay exact


def exact_sums(values: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Exact per-group sums of finite float64 values, as an object array of Python ints scaled by 2**1130.

    Each value is split into mantissa (53-bit integer) and exponent; the
    mantissa's 27-bit halves are summed per (group, exponent) with
    ``np.bincount`` (exact below 2**26 rows a pass), and the per-exponent
    totals are shifted into place as Python integers.
    """
    out = np.zeros(n_groups, dtype=object)
    out[:] = 0
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    group = np.asarray(group, dtype=np.int64).reshape(-1)
    for start in range(0, values.size, _SUB_CHUNK):
        v = values[start : start + _SUB_CHUNK]
        g = group[start : start + _SUB_CHUNK]
        mant, expo = np.frexp(v)
        m = (mant * 2.0**53).astype(np.int64)
        hi = (m >> _SPLIT).astype(np.float64)
        lo = (m & ((1 << _SPLIT) - 1)).astype(np.float64)
        emin = int(expo.min(initial=0))
        present = np.flatnonzero(np.bincount(expo - emin))
        lut = np.zeros(int(present.max(initial=0)) + 1, dtype=np.int64)
        lut[present] = np.arange(present.size)
        ne = present.size
        key = g * ne + lut[expo - emin]
        shi = np.bincount(key, weights=hi, minlength=n_groups * ne).reshape(n_groups, ne)
        slo = np.bincount(key, weights=lo, minlength=n_groups * ne).reshape(n_groups, ne)
        for j, e in enumerate((present + emin).tolist()):
            col_hi = shi[:, j].astype(np.int64)
            col_lo = slo[:, j].astype(np.int64)
            nz = np.flatnonzero(col_hi | col_lo)
            if nz.size == 0:
                continue
            shift = e - 53 + _SHIFT
            part = (col_hi[nz].astype(object) * (1 << _SPLIT) + col_lo[nz].astype(object)) * (1 << shift)
            out[nz] = out[nz] + part
    return out


def _exact_to_float(num: int) -> float:
    return num / (1 << _SHIFT)  # int / int is correctly rounded in Python


def exact_value(sums: np.ndarray) -> np.ndarray:
    """The float64 nearest to each exact sum."""
    return np.array(
        [_exact_to_float(int(s)) for s in np.asarray(sums, dtype=object).reshape(-1)], dtype=np.float64
    ).reshape(np.shape(sums))


def exact_mean_var(s1: int, s2: int, n: int) -> tuple[float, float]:
    """(mean, sample variance with n − 1) from exact sums of x and x² (variance nan for n < 2)."""
    if n <= 0:
        return math.nan, math.nan
    mean = int(s1) / (n << _SHIFT)
    if n < 2:
        return mean, math.nan
    # n·S2 − S1² over n(n−1), all in scaled integers: exact up to the final rounding
    num = n * int(s2) * (1 << _SHIFT) - int(s1) * int(s1)
    return mean, max(num, 0) / ((n * (n - 1)) << (2 * _SHIFT))


def exact_covariance(sx: int, sy: int, sxy: int, n: int) -> float:
    """Sample covariance (n − 1) from exact sums of x, y and x·y."""
    if n < 2:
        return math.nan
    num = n * int(sxy) * (1 << _SHIFT) - int(sx) * int(sy)
    return num / ((n * (n - 1)) << (2 * _SHIFT))


def _object_add(a: np.ndarray, ia: np.ndarray, b: np.ndarray, ib: np.ndarray, size: int) -> np.ndarray:
    out = np.zeros(size, dtype=object)
    out[:] = 0
    out[ia] = out[ia] + a
    out[ib] = out[ib] + b
    return out


def _object_group_sum(values: np.ndarray, group: np.ndarray, size: int) -> np.ndarray:
    out = np.zeros(size, dtype=object)
    out[:] = 0
    for g, v in zip(group.tolist(), np.asarray(values, dtype=object).tolist()):
        out[g] += v
    return out


# --------------------------------------------------------------------------
# Poisson bootstrap


_POISSON1_CDF = np.cumsum([math.exp(-1) / math.factorial(k) for k in range(25)])


def _splitmix64(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.uint64, copy=True)
    with np.errstate(over="ignore"):
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
    return x


@dataclass(frozen=True)
class PoissonBootstrap:
    """Poisson(1) bootstrap weights from a counter-based hash: the same row id always gets the same weights.

    Weight of row r in replicate b: the Poisson(1) quantile of
    u = splitmix64(splitmix64(seed) ⊕ r·φ ⊕ (b + 1)·ψ) / 2**64
    (φ, ψ odd 64-bit constants).  Rows are independent, so statistics built
    from any split of the rows (with global row ids) merge into exactly the
    statistics of the whole.
    """

    replicates: int
    seed: int = 0

    def __post_init__(self) -> None:
        if not (isinstance(self.replicates, int) and self.replicates >= 1):
            raise ValueError(f"bootstrap replicates must be a positive whole number, got {self.replicates!r}")
        if not (isinstance(self.seed, int) and 0 <= self.seed < 2**63):
            raise ValueError(f"bootstrap seed must be a whole number in [0, 2**63), got {self.seed!r}")

    def weights(self, row_ids: np.ndarray, first: int = 0, count: int | None = None) -> np.ndarray:
        """(replicates, rows) uint8 weights for replicates ``first`` .. ``first + count``."""
        count = self.replicates - first if count is None else count
        ids = np.asarray(row_ids).astype(np.uint64).reshape(1, -1)
        base = _splitmix64(np.array([self.seed], dtype=np.uint64))[0]
        reps = (np.arange(first, first + count, dtype=np.uint64) + np.uint64(1)).reshape(-1, 1)
        with np.errstate(over="ignore"):
            x = (ids * np.uint64(0x9E3779B97F4A7C15)) ^ (reps * np.uint64(0xD1B54A32D192ED03)) ^ base
        u = (_splitmix64(x) >> np.uint64(11)).astype(np.float64) * 2.0**-53
        return np.searchsorted(_POISSON1_CDF, u, side="right").astype(np.uint8)

    def _blocks(self, n: int) -> Iterable[tuple[int, int]]:
        per = max(1, (1 << 22) // max(n, 1))
        for first in range(0, self.replicates, per):
            yield first, min(per, self.replicates - first)


def _row_ids(row_ids: Any, n: int) -> np.ndarray:
    if row_ids is None:
        return np.arange(n, dtype=np.int64)
    if isinstance(row_ids, (int, np.integer)):
        return np.arange(int(row_ids), int(row_ids) + n, dtype=np.int64)
    ids = np.asarray(row_ids).reshape(-1)
    if ids.size != n:
        raise ValueError(f"row ids: {ids.size} values for {n} rows")
    return ids


def _weighted_counts(boot: PoissonBootstrap, ids: np.ndarray, key: np.ndarray, size: int) -> np.ndarray:
    """(replicates, size) int64: per replicate, the sum of row weights per key."""
    out = np.zeros((boot.replicates, size), dtype=np.int64)
    for first, count in boot._blocks(key.size):
        w = boot.weights(ids, first, count).astype(np.float64)
        flat = (np.arange(count, dtype=np.int64)[:, None] * size + key[None, :]).ravel()
        out[first : first + count] = (
            np.bincount(flat, weights=w.ravel(), minlength=count * size).reshape(count, size).astype(np.int64)
        )
    return out


def _check_boot(a: Any, b: Any) -> None:
    if (a.bootstrap is None) != (b.bootstrap is None) or (a.bootstrap and a.bootstrap != b.bootstrap):
        raise ValueError("statistics with different bootstrap settings cannot be merged")


# --------------------------------------------------------------------------
# binary classification


@dataclass(frozen=True, eq=False)
class ConfusionStats(_Keyed):
    """Per-cell confusion counts ``counts[i] = [TN, FP, FN, TP]`` (int64).

    With a bootstrap, ``replicates[b, i]`` are the Poisson-weighted counts of replicate b.
    """

    attributes: tuple[str, ...]
    keys: tuple[Key, ...]
    counts: np.ndarray
    bootstrap: PoissonBootstrap | None = None
    replicates: np.ndarray | None = None

    @classmethod
    def from_arrays(
        cls,
        y_true: Any,
        y_pred: Any,
        groups: Mapping[str, Any],
        *,
        bootstrap: PoissonBootstrap | None = None,
        row_ids: Any = None,
    ) -> ConfusionStats:
        """Counts from 0/1 labels and predictions and the group columns; ``row_ids`` (an offset or an array)
        identify rows for the bootstrap (default 0, 1, ...)."""
        attributes, keys, cell = encode_cells(groups)
        y = _binary(y_true, "y_true")
        p = _binary(y_pred, "y_pred")
        _same_length(cell.size, y_true=y, y_pred=p)
        key = cell * 4 + 2 * y + p
        counts = np.bincount(key, minlength=4 * len(keys)).reshape(len(keys), 4).astype(np.int64)
        reps = None
        if bootstrap is not None:
            reps = _weighted_counts(bootstrap, _row_ids(row_ids, cell.size), key, 4 * len(keys)).reshape(
                bootstrap.replicates, len(keys), 4
            )
        return cls(attributes, keys, counts, bootstrap, reps)

    def __add__(self, other: ConfusionStats) -> ConfusionStats:
        _check_attributes(self, other)
        _check_boot(self, other)
        keys, ia, ib = _union(self.keys, other.keys)
        counts = np.zeros((len(keys), 4), dtype=np.int64)
        np.add.at(counts, ia, self.counts)
        np.add.at(counts, ib, other.counts)
        reps = None
        if self.bootstrap is not None:
            reps = np.zeros((self.bootstrap.replicates, len(keys), 4), dtype=np.int64)
            np.add.at(reps, (slice(None), ia), self.replicates)
            np.add.at(reps, (slice(None), ib), other.replicates)
        return ConfusionStats(self.attributes, keys, counts, self.bootstrap, reps)

    merge = __add__

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ConfusionStats)
            and self.attributes == other.attributes
            and self.keys == other.keys
            and np.array_equal(self.counts, other.counts)
            and self.bootstrap == other.bootstrap
            and (self.replicates is None or np.array_equal(self.replicates, other.replicates))
        )

    __hash__ = None  # type: ignore[assignment]

    def marginal(self, attributes: Sequence[str]) -> ConfusionStats:
        """Counts per group of a coarser grouping (``()`` = overall), summing its cells."""
        groups, cell_group = _marginal_map(self.attributes, self.keys, attributes)
        counts = np.zeros((len(groups), 4), dtype=np.int64)
        np.add.at(counts, cell_group, self.counts)
        reps = None
        if self.replicates is not None:
            reps = np.zeros((self.replicates.shape[0], len(groups), 4), dtype=np.int64)
            np.add.at(reps, (slice(None), cell_group), self.replicates)
        return ConfusionStats(tuple(attributes), groups, counts, self.bootstrap, reps)

    @property
    def n(self) -> np.ndarray:
        return self.counts.sum(axis=1)


# --------------------------------------------------------------------------
# multiclass


@dataclass(frozen=True, eq=False)
class MulticlassStats(_Keyed):
    """Per-cell confusion matrices ``counts[i, true, predicted]`` over ``classes`` (sorted text labels)."""

    attributes: tuple[str, ...]
    keys: tuple[Key, ...]
    classes: tuple[str, ...]
    counts: np.ndarray

    @classmethod
    def from_arrays(
        cls, y_true: Any, y_pred: Any, groups: Mapping[str, Any], classes: Sequence[Any] | None = None
    ) -> MulticlassStats:
        """Matrices from class labels (any dtype, compared as text); ``classes`` adds classes that may not occur."""
        attributes, keys, cell = encode_cells(groups)
        t = np.asarray(y_true).reshape(-1)
        p = np.asarray(y_pred).reshape(-1)
        _same_length(cell.size, y_true=t, y_pred=p)
        both = np.concatenate([t.astype(str), p.astype(str)]) if t.size else np.array([], dtype=str)
        labels, inv = np.unique(both, return_inverse=True)
        labels = [str(x) for x in labels.tolist()]
        extra = sorted({str(c) for c in (classes or [])} - set(labels))
        all_classes = tuple(sorted(set(labels) | set(extra)))
        remap = np.array([all_classes.index(x) for x in labels], dtype=np.int64)
        inv = remap[inv.reshape(-1)] if labels else inv.reshape(-1).astype(np.int64)
        k = len(all_classes)
        ti, pi = inv[: t.size], inv[t.size :]
        key = (cell * k + ti) * k + pi
        counts = np.bincount(key, minlength=len(keys) * k * k).reshape(len(keys), k, k).astype(np.int64)
        return cls(attributes, keys, all_classes, counts)

    def _on(self, classes: tuple[str, ...]) -> np.ndarray:
        idx = np.array([classes.index(c) for c in self.classes], dtype=np.int64)
        out = np.zeros((len(self.keys), len(classes), len(classes)), dtype=np.int64)
        out[:, idx[:, None], idx[None, :]] = self.counts
        return out

    def __add__(self, other: MulticlassStats) -> MulticlassStats:
        _check_attributes(self, other)
        classes = tuple(sorted(set(self.classes) | set(other.classes)))
        keys, ia, ib = _union(self.keys, other.keys)
        counts = np.zeros((len(keys), len(classes), len(classes)), dtype=np.int64)
        np.add.at(counts, ia, self._on(classes))
        np.add.at(counts, ib, other._on(classes))
        return MulticlassStats(self.attributes, keys, classes, counts)

    merge = __add__

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, MulticlassStats)
            and self.attributes == other.attributes
            and self.keys == other.keys
            and self.classes == other.classes
            and np.array_equal(self.counts, other.counts)
        )

    __hash__ = None  # type: ignore[assignment]

    def marginal(self, attributes: Sequence[str]) -> MulticlassStats:
        groups, cell_group = _marginal_map(self.attributes, self.keys, attributes)
        k = len(self.classes)
        counts = np.zeros((len(groups), k, k), dtype=np.int64)
        np.add.at(counts, cell_group, self.counts)
        return MulticlassStats(tuple(attributes), groups, self.classes, counts)

    def one_vs_rest(self, cls: str) -> ConfusionStats:
        """Binary confusion counts for ``cls`` against all other classes."""
        c = self.classes.index(str(cls))
        tp = self.counts[:, c, c]
        fn = self.counts[:, c, :].sum(axis=1) - tp
        fp = self.counts[:, :, c].sum(axis=1) - tp
        tn = self.counts.sum(axis=(1, 2)) - tp - fn - fp
        return ConfusionStats(self.attributes, self.keys, np.stack([tn, fp, fn, tp], axis=1).astype(np.int64))


# --------------------------------------------------------------------------
# scores


def quantize(values: np.ndarray, bits: Any) -> np.ndarray:
    """Truncate each value's mantissa to ``bits`` bits (1..53; 53 = unchanged), toward zero.

    Nested grids: truncating to b bits then to c < b bits equals truncating to
    c bits directly, and the map is non-decreasing, so sorted stays sorted.
    """
    values = np.asarray(values, dtype=np.float64)
    bits = np.asarray(bits, dtype=np.int64)
    if np.all(bits >= EXACT_BITS):
        return values
    mant, expo = np.frexp(values)
    scale = np.ldexp(1.0, bits)
    return np.ldexp(np.trunc(mant * scale) / scale, expo)


def _aggregate_table(
    cell: np.ndarray, value: np.ndarray, counts: np.ndarray, *, sort: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Merge equal (cell, value) rows: (cell, value, counts[:, k] summed, index of each input row's output row)."""
    if sort:
        order = np.lexsort((value, cell))
    else:
        order = np.arange(cell.size)
    c, v = cell[order], value[order]
    new = np.ones(c.size, dtype=bool)
    if c.size:
        new[1:] = (c[1:] != c[:-1]) | (v[1:] != v[:-1])
    starts = np.flatnonzero(new)
    out_of_sorted = np.cumsum(new) - 1
    target = np.empty(cell.size, dtype=np.int64)
    target[order] = out_of_sorted
    summed = np.add.reduceat(counts[order], starts, axis=0) if c.size else counts[:0]
    return c[starts], v[starts], summed, target


@dataclass(frozen=True, eq=False)
class ScoreStats(_Keyed):
    """Per-cell score statistics (see the module docstring).

    * ``cell``, ``value``, ``neg``, ``pos``: one row per distinct (cell, score)
      after any binning, sorted by cell then value;
    * ``bits``: per cell, the mantissa bits kept (53 = exact scores);
    * ``brier_sum``, ``brier_sq_sum``: exact sums of b = (score − label)² and b²;
      ``brier_min``/``brier_max``: their extremes (a constant b has variance 0);
    * ``score_min``, ``score_max``: per cell (Brier/ECE need scores in [0, 1]);
    * ``cal_n``, ``cal_pos``, ``cal_sum``: per (cell, bin) of ``calibration_bins``
      equal-width bins over [0, 1] (bin = floor(score · bins), clipped): rows,
      positives and the exact sum of scores.
    """

    attributes: tuple[str, ...]
    keys: tuple[Key, ...]
    cell: np.ndarray
    value: np.ndarray
    neg: np.ndarray
    pos: np.ndarray
    bits: np.ndarray
    brier_sum: np.ndarray
    brier_sq_sum: np.ndarray
    brier_min: np.ndarray
    brier_max: np.ndarray
    score_min: np.ndarray
    score_max: np.ndarray
    calibration_bins: int
    cal_n: np.ndarray
    cal_pos: np.ndarray
    cal_sum: np.ndarray
    max_distinct: int = MAX_DISTINCT
    bootstrap: PoissonBootstrap | None = None
    replicates: np.ndarray | None = None  # (B, table rows, 2) weighted [neg, pos] counts

    @classmethod
    def from_arrays(
        cls,
        y_true: Any,
        scores: Any,
        groups: Mapping[str, Any],
        *,
        calibration_bins: int = DEFAULT_CALIBRATION_BINS,
        max_distinct: int = MAX_DISTINCT,
        bootstrap: PoissonBootstrap | None = None,
        row_ids: Any = None,
    ) -> ScoreStats:
        if not (isinstance(calibration_bins, int) and calibration_bins >= 1):
            raise ValueError(f"calibration bins must be a positive whole number, got {calibration_bins!r}")
        if not (isinstance(max_distinct, int) and max_distinct >= 1):
            raise ValueError(f"max_distinct must be a positive whole number, got {max_distinct!r}")
        attributes, keys, cell = encode_cells(groups)
        y = _binary(y_true, "y_true")
        s = _finite(scores, "scores")
        _same_length(cell.size, y_true=y, scores=s)
        g = len(keys)
        cnt = np.stack([1 - y, y], axis=1)
        tc, tv, tcounts, target = _aggregate_table(cell, s, cnt, sort=True)
        b = (s - y) ** 2
        if not np.isfinite(b).all() or not np.isfinite(b * b).all():
            raise ValueError("'scores' are too large: their squared errors overflow")
        bins = np.clip(np.floor(s * calibration_bins), 0, calibration_bins - 1).astype(np.int64)
        ckey = cell * calibration_bins + bins
        size = g * calibration_bins
        reps = None
        if bootstrap is not None:
            ids = _row_ids(row_ids, cell.size)
            key = target * 2 + y
            reps = _weighted_counts(bootstrap, ids, key, 2 * tc.size).reshape(bootstrap.replicates, tc.size, 2)
        stats = cls(
            attributes,
            keys,
            tc,
            tv,
            tcounts[:, 0].astype(np.int64),
            tcounts[:, 1].astype(np.int64),
            np.full(g, EXACT_BITS, dtype=np.int64),
            exact_sums(b, cell, g),
            exact_sums(b * b, cell, g),
            _group_reduce(np.minimum, b, cell, g, np.inf),
            _group_reduce(np.maximum, b, cell, g, -np.inf),
            _group_reduce(np.minimum, s, cell, g, np.inf),
            _group_reduce(np.maximum, s, cell, g, -np.inf),
            calibration_bins,
            np.bincount(ckey, minlength=size).reshape(g, calibration_bins).astype(np.int64),
            np.bincount(ckey, weights=y, minlength=size).reshape(g, calibration_bins).astype(np.int64),
            exact_sums(s, ckey, size).reshape(g, calibration_bins),
            max_distinct,
            bootstrap,
            reps,
        )
        return stats._limited()

    # ---- table maintenance

    def _with_table(self, cell, value, neg, pos, bits, reps) -> ScoreStats:
        return ScoreStats(
            self.attributes,
            self.keys,
            cell,
            value,
            neg,
            pos,
            bits,
            self.brier_sum,
            self.brier_sq_sum,
            self.brier_min,
            self.brier_max,
            self.score_min,
            self.score_max,
            self.calibration_bins,
            self.cal_n,
            self.cal_pos,
            self.cal_sum,
            self.max_distinct,
            self.bootstrap,
            reps,
        )

    def _limited(self) -> ScoreStats:
        """Bin cells with more than ``max_distinct`` distinct values (largest mantissa width that fits)."""
        distinct = np.bincount(self.cell, minlength=self.size)
        over = np.flatnonzero(distinct > self.max_distinct)
        if over.size == 0:
            return self
        bits = self.bits.copy()
        starts = np.searchsorted(self.cell, np.arange(self.size))
        for c in over.tolist():
            vals = self.value[starts[c] : starts[c] + distinct[c]]
            lo, hi = 1, int(bits[c])  # 1 bit always fits: one value per binade and sign (< 4,300)
            while lo < hi:
                mid = (lo + hi + 1) // 2
                q = quantize(vals, mid)
                if 1 + np.count_nonzero(q[1:] != q[:-1]) <= self.max_distinct:
                    lo = mid
                else:
                    hi = mid - 1
            bits[c] = lo
        value = quantize(self.value, bits[self.cell])
        counts = np.stack([self.neg, self.pos], axis=1)
        c, v, summed, target = _aggregate_table(self.cell, value, counts, sort=False)
        reps = None
        if self.replicates is not None:
            reps = np.zeros((self.replicates.shape[0], c.size, 2), dtype=np.int64)
            np.add.at(reps, (slice(None), target), self.replicates)
        return self._with_table(c, v, summed[:, 0], summed[:, 1], bits, reps)

    def _regroup(
        self,
        keys: tuple[Key, ...],
        cell_map: np.ndarray,
        attributes: tuple[str, ...],
        others: Sequence[tuple[ScoreStats, np.ndarray]] = (),
    ) -> ScoreStats:
        """Re-key this table (and ``others``' tables) onto ``keys`` by ``cell_map`` per source, and re-bin."""
        sources = [(self, cell_map), *others]
        n = len(keys)
        bits = np.full(n, EXACT_BITS, dtype=np.int64)
        for st, cm in sources:
            np.minimum.at(bits, cm, st.bits)
        cells = np.concatenate([cm[st.cell] for st, cm in sources])
        values = np.concatenate([st.value for st, _ in sources])
        values = quantize(values, bits[cells])
        counts = np.concatenate([np.stack([st.neg, st.pos], axis=1) for st, _ in sources])
        c, v, summed, target = _aggregate_table(cells, values, counts, sort=True)
        reps = None
        if self.replicates is not None:
            reps = np.zeros((self.replicates.shape[0], c.size, 2), dtype=np.int64)
            offset = 0
            for st, _ in sources:
                rows = st.value.size
                np.add.at(reps, (slice(None), target[offset : offset + rows]), st.replicates)
                offset += rows

        def per_cell(name: str, fill: Any, combine: Any) -> np.ndarray:
            first = getattr(self, name)
            shape = (n,) + first.shape[1:]
            if first.dtype == object:
                out = np.zeros(shape, dtype=object)
                out[...] = 0
            else:
                out = np.full(shape, fill, dtype=first.dtype)
            for st, cm in sources:
                arr = getattr(st, name)
                if arr.dtype == object:
                    for i, g in enumerate(cm.tolist()):
                        out[g] = out[g] + arr[i]
                else:
                    combine.at(out, cm, arr)
            return out

        return ScoreStats(
            attributes,
            keys,
            c,
            v,
            summed[:, 0],
            summed[:, 1],
            bits,
            per_cell("brier_sum", 0, np.add),
            per_cell("brier_sq_sum", 0, np.add),
            per_cell("brier_min", np.inf, np.minimum),
            per_cell("brier_max", -np.inf, np.maximum),
            per_cell("score_min", np.inf, np.minimum),
            per_cell("score_max", -np.inf, np.maximum),
            self.calibration_bins,
            per_cell("cal_n", 0, np.add),
            per_cell("cal_pos", 0, np.add),
            per_cell("cal_sum", 0, np.add),
            self.max_distinct,
            self.bootstrap,
            reps,
        )._limited()

    def __add__(self, other: ScoreStats) -> ScoreStats:
        _check_attributes(self, other)
        _check_boot(self, other)
        if self.calibration_bins != other.calibration_bins or self.max_distinct != other.max_distinct:
            raise ValueError(
                "score statistics with different calibration bins or distinct-value limits cannot be merged"
            )
        keys, ia, ib = _union(self.keys, other.keys)
        return self._regroup(keys, ia, self.attributes, [(other, ib)])

    merge = __add__

    def marginal(self, attributes: Sequence[str]) -> ScoreStats:
        groups, cell_group = _marginal_map(self.attributes, self.keys, attributes)
        return self._regroup(groups, cell_group, tuple(attributes))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ScoreStats):
            return False
        same = (
            self.attributes == other.attributes
            and self.keys == other.keys
            and self.calibration_bins == other.calibration_bins
            and self.max_distinct == other.max_distinct
            and self.bootstrap == other.bootstrap
        )
        if not same:
            return False
        for name in (
            "cell",
            "value",
            "neg",
            "pos",
            "bits",
            "brier_min",
            "brier_max",
            "score_min",
            "score_max",
            "cal_n",
            "cal_pos",
        ):
            if not np.array_equal(getattr(self, name), getattr(other, name)):
                return False
        for name in ("brier_sum", "brier_sq_sum", "cal_sum"):
            if getattr(self, name).tolist() != getattr(other, name).tolist():
                return False
        if self.replicates is not None and not np.array_equal(self.replicates, other.replicates):
            return False
        return True

    __hash__ = None  # type: ignore[assignment]

    @property
    def exact(self) -> np.ndarray:
        """Per cell: True when no binning was needed."""
        return self.bits >= EXACT_BITS


def _group_reduce(ufunc: Any, values: np.ndarray, group: np.ndarray, n: int, fill: float) -> np.ndarray:
    out = np.full(n, fill, dtype=np.float64)
    ufunc.at(out, group, values)
    return out


# --------------------------------------------------------------------------
# regression

REGRESSION_SUMS = ("e", "abs_e", "e2", "e4", "y", "y2", "y3", "y4", "e2y", "e2y2")


@dataclass(frozen=True, eq=False)
class RegressionStats(_Keyed):
    """Per-cell regression statistics: ``n`` and exact ``sums[name]`` for :data:`REGRESSION_SUMS`.

    e = prediction − truth (a positive mean error means over-prediction).
    ``extremes[name]`` holds (min, max) per cell for ``e``, ``abs_e`` and ``y``.
    """

    attributes: tuple[str, ...]
    keys: tuple[Key, ...]
    n: np.ndarray
    sums: dict[str, np.ndarray]
    extremes: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    @classmethod
    def from_arrays(cls, y_true: Any, y_pred: Any, groups: Mapping[str, Any]) -> RegressionStats:
        attributes, keys, cell = encode_cells(groups)
        y = _finite(y_true, "y_true")
        p = _finite(y_pred, "y_pred")
        _same_length(cell.size, y_true=y, y_pred=p)
        g = len(keys)
        e = p - y
        e2 = e * e
        y2 = y * y
        columns = {
            "e": e,
            "abs_e": np.abs(e),
            "e2": e2,
            "e4": e2 * e2,
            "y": y,
            "y2": y2,
            "y3": y2 * y,
            "y4": y2 * y2,
            "e2y": e2 * y,
            "e2y2": e2 * y2,
        }
        for name, col in columns.items():
            if not np.isfinite(col).all():
                raise ValueError(f"values are too large: the per-row product {name} overflows float64")
        sums = {name: exact_sums(col, cell, g) for name, col in columns.items()}
        extremes = {
            name: (
                _group_reduce(np.minimum, columns[name], cell, g, np.inf),
                _group_reduce(np.maximum, columns[name], cell, g, -np.inf),
            )
            for name in ("e", "abs_e", "y")
        }
        return cls(attributes, keys, np.bincount(cell, minlength=g).astype(np.int64), sums, extremes)

    def _combine(
        self,
        keys: tuple[Key, ...],
        attributes: tuple[str, ...],
        sources: Sequence[tuple[RegressionStats, np.ndarray]],
    ) -> RegressionStats:
        size = len(keys)
        n = np.zeros(size, dtype=np.int64)
        sums = {}
        for name in REGRESSION_SUMS:
            out = np.zeros(size, dtype=object)
            out[:] = 0
            for st, cm in sources:
                for i, g in enumerate(cm.tolist()):
                    out[g] = out[g] + st.sums[name][i]
            sums[name] = out
        extremes = {}
        for name in ("e", "abs_e", "y"):
            lo = np.full(size, np.inf)
            hi = np.full(size, -np.inf)
            for st, cm in sources:
                np.minimum.at(lo, cm, st.extremes[name][0])
                np.maximum.at(hi, cm, st.extremes[name][1])
            extremes[name] = (lo, hi)
        for st, cm in sources:
            np.add.at(n, cm, st.n)
        return RegressionStats(attributes, keys, n, sums, extremes)

    def __add__(self, other: RegressionStats) -> RegressionStats:
        _check_attributes(self, other)
        keys, ia, ib = _union(self.keys, other.keys)
        return self._combine(keys, self.attributes, [(self, ia), (other, ib)])

    merge = __add__

    def marginal(self, attributes: Sequence[str]) -> RegressionStats:
        groups, cell_group = _marginal_map(self.attributes, self.keys, attributes)
        return self._combine(groups, tuple(attributes), [(self, cell_group)])

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, RegressionStats)
            and self.attributes == other.attributes
            and self.keys == other.keys
            and np.array_equal(self.n, other.n)
            and all(self.sums[k].tolist() == other.sums[k].tolist() for k in REGRESSION_SUMS)
            and all(np.array_equal(self.extremes[k][i], other.extremes[k][i]) for k in self.extremes for i in (0, 1))
        )

    __hash__ = None  # type: ignore[assignment]
