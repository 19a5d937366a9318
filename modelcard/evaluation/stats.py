"""Mergeable sufficient statistics: everything ``evaluate`` reports is a function of these.

Each statistic is built from numpy arrays one chunk at a time (no Python loop
over rows), keyed by *cells* — the observed combinations of the sensitive
attributes' values, as tuples of strings in sorted order — and statistics of
any chunks add up: ``stats(a) + stats(b) == stats(a ∪ b)`` exactly, whatever
the split and order (tests check equality, not closeness).  Coarser groupings
(one attribute, overall) are sums of cells: :meth:`marginal`.  Many parts
merge at once with :func:`merge_all` (one sort instead of one per part).

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

Every builder takes rows (``from_arrays``), rows already split into cells
(``from_cells``, so that several statistics share one encoding), or an
aggregated table with a count per row (``from_counts``: each row stands for
``count`` identical rows, as a ``GROUP BY … COUNT(*)`` returns them); all
three give identical statistics for the same data.

Sums of floats are kept *exactly* (as integers scaled by 2**-1130: every
float64 is an integer multiple of 2**-1074), so merging is associative and the
finaliser can compute sample variances without cancellation.  A float64 x is
±M·2**(E − 1075) with an integer mantissa M < 2**53 and E ≥ 1 (E is the
biased exponent field, 1 for subnormals): :func:`exact_sums` splits each x
exactly into its top 26 and low 27 mantissa bits (one mask and one
subtraction), adds the parts per (group, E) with ``np.bincount`` (float sums
of parts sharing an E are exact while a pass adds at most 2**26 weighted
values) and turns the per-exponent totals into Python integers;
:func:`exact_from_parts` does the last step for (E, ΣM) totals computed
elsewhere (the Spark engine).

Score tables are built without a Python loop over rows or a lexsort: each
score's bits are mapped to an order-preserving unsigned 64-bit key, and the
row's (cell, key − min key, label) are packed into one 64-bit word when they
fit (else rows are partitioned by cell first); one ``np.sort`` and a
run-length pass give the counts of each (cell, score, label).  The Brier and
calibration sums are exact sums over that table, weighted by its counts:
the same numbers as a sum over rows, because equal (score, label) rows add
equal terms.

Rows streamed a batch at a time (:class:`ScoreAccumulator`) are sorted, 64k
at a time, by a small integer key — (label, cell, prediction, calibration bin),
packed with the row number into 32 bits for one vectorised sort — so every
count, extreme and sum is a reduction over a run of rows (``reduceat``).
Exact sums split each value into limbs on a power-of-two grid fixed per batch
(:class:`_Limbs`: adding and subtracting 1.5·2**52·u rounds to a multiple of
u exactly); a run's limb sum is then an exact float.  Cells with more distinct
scores than ``max_distinct`` are counted into dense histograms at the widest
mantissa that fits, narrowed (folded) as rows come.

The optional Poisson bootstrap (:class:`PoissonBootstrap`) gives each row a
Poisson(1) weight per replicate from a counter-based hash of (seed, row id,
replicate); with global row ids the replicate statistics merge like the
others.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

import numpy as np

TN, FP, FN, TP = 0, 1, 2, 3
CONFUSION_NAMES = ("TN", "FP", "FN", "TP")
MAX_DISTINCT = 100_000
EXACT_BITS = 53  # a float64 mantissa: no binning
DEFAULT_CALIBRATION_BINS = 10

Key = tuple[str, ...]
Array = np.ndarray


# --------------------------------------------------------------------------
# groups


class Cells(NamedTuple):
    """Rows split into cells: the attributes, the sorted cell keys and each row's cell index (an integer array,
    of the smallest type that holds the indices: convert before arithmetic that could overflow it)."""

    attributes: tuple[str, ...]
    keys: tuple[Key, ...]
    cell: Array


def _labels(values: Any, name: str) -> tuple[Array, list[str]]:
    """(codes, sorted distinct labels as text) of one attribute column, or an encoded (codes, categories) pair."""
    if (
        isinstance(values, tuple)
        and len(values) == 2
        and isinstance(values[0], np.ndarray)
        and values[0].dtype.kind in "iu"
    ):  # an encoded (integer codes, categories) pair
        codes, categories = values
        codes = np.asarray(codes).reshape(-1)
        cats = [str(c) for c in np.asarray(categories).tolist()]
        if codes.size and (int(codes.min()) < 0 or int(codes.max()) >= len(cats)):
            raise ValueError(f"attribute '{name}': codes out of range of its {len(cats)} categories")
        if codes.dtype.itemsize > 4:  # small codes stay as they are (combined below in a small type)
            codes = codes.astype(np.int64, copy=False)
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
    if cats == sorted(set(cats)):
        return codes, cats
    text, remap = np.unique(np.array(cats, dtype=object).astype(str), return_inverse=True)
    return remap.reshape(-1).astype(np.int64)[codes] if len(cats) else codes, [str(t) for t in text.tolist()]


def _radix_codes(groups: Mapping[str, Any]) -> tuple[tuple[str, ...], list[tuple[Array, list[str]]], int, Array | None]:
    """(attributes, (codes, sorted labels) per attribute, number of combinations, each row's combination
    code in mixed radix — None when there are astronomically many combinations)."""
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
    if radix >= 2**62:
        return names, encoded, radix, None
    if len(encoded) == 1:
        return names, encoded, radix, encoded[0][0]
    combined = encoded[0][0].astype(_index_type(radix))
    for codes, cats in encoded[1:]:
        combined *= len(cats)
        np.add(combined, codes, out=combined, casting="unsafe")
    return names, encoded, radix, combined


def _radix_keys(encoded: Sequence[tuple[Array, list[str]]], codes: Iterable[int]) -> list[Key]:
    """The cell key (labels) of each combination code."""
    keys = []
    for code in codes:
        parts = []
        for _, cats in reversed(encoded):
            code, c = divmod(code, len(cats))
            parts.append(cats[c])
        keys.append(tuple(reversed(parts)))
    return keys


def encode_cells(groups: Mapping[str, Any]) -> Cells:
    """(attributes, sorted cell keys, cell index of each row) for columns of group labels.

    ``groups`` maps attribute names to arrays of labels (any dtype, turned to
    text with ``str``; checking and cleaning labels — missing values, NA
    tokens, whitespace — is the caller's job) or to encoded
    ``(integer code array, categories)`` pairs.  Cell indices come in the
    smallest integer type that holds them (``uint8`` for up to 256 cells).
    """
    names, encoded, radix, combined = _radix_codes(groups)
    n = encoded[0][0].size
    keys: list[Key]
    if combined is not None:
        if radix <= max(4 * n, 1 << 20):
            present = np.flatnonzero(_bincount(combined, radix))
            if present.size == radix:
                cell = combined
            else:
                lut = np.zeros(radix, dtype=_index_type(present.size))
                lut[present] = np.arange(present.size)
                cell = lut[combined]
        else:
            present, cell = np.unique(combined, return_inverse=True)
            cell = cell.reshape(-1)
        keys = _radix_keys(encoded, present.tolist())
    else:  # astronomically many combinations: unique rows of the code matrix
        stacked = np.stack([c for c, _ in encoded], axis=1)
        present, cell = np.unique(stacked, axis=0, return_inverse=True)
        cell = cell.reshape(-1)
        keys = [tuple(cats[c] for (_, cats), c in zip(encoded, row)) for row in present.tolist()]
    return Cells(names, tuple(keys), cell)


def _index_type(size: int) -> Any:
    """The smallest integer type holding 0 .. size − 1 (cell indices and keys built from them)."""
    if size <= 1 << 8:
        return np.uint8
    if size <= 1 << 16:
        return np.uint16
    if size <= 1 << 31:
        return np.int32
    return np.int64


def _bincount(x: Array, size: int) -> Array:
    """``np.bincount(x, minlength=size)`` (int64), a cache-sized block at a time for small integer types
    (``bincount`` converts its input to 64-bit integers first)."""
    if x.dtype.itemsize >= 8 or x.size <= _BLOCK:
        return np.bincount(x, minlength=size).astype(np.int64, copy=False)
    out = np.zeros(max(size, int(x.max()) + 1 if x.size else 0), dtype=np.int64)
    for start in range(0, x.size, _BLOCK):
        part = np.bincount(x[start : start + _BLOCK], minlength=size)
        out[: part.size] += part
    return out


def _index(cell: Any) -> Array:
    """Cell indices as int64 (for arithmetic that would overflow a small integer type)."""
    return np.asarray(cell).reshape(-1).astype(np.int64, copy=False)


def _union(a: Sequence[Key], b: Sequence[Key]) -> tuple[tuple[Key, ...], Array, Array]:
    """Sorted union of two key lists and each list's positions in it."""
    keys = tuple(sorted(set(a) | set(b)))
    pos = {k: i for i, k in enumerate(keys)}
    return keys, np.array([pos[k] for k in a], dtype=np.int64), np.array([pos[k] for k in b], dtype=np.int64)


def _union_all(lists: Sequence[Sequence[Key]]) -> tuple[tuple[Key, ...], list[Array]]:
    """Sorted union of several key lists and each list's positions in it."""
    keys = tuple(sorted(set().union(*[set(k) for k in lists])))
    pos = {k: i for i, k in enumerate(keys)}
    return keys, [np.array([pos[k] for k in ks], dtype=np.int64) for ks in lists]


def _marginal_map(
    attributes: Sequence[str], keys: Sequence[Key], wanted: Sequence[str]
) -> tuple[tuple[Key, ...], Array]:
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


class _Keyed:
    attributes: tuple[str, ...]
    keys: tuple[Key, ...]

    @property
    def size(self) -> int:
        return len(self.keys)

    def index(self, key: Key) -> int:
        return self.keys.index(tuple(key))


def _check_attributes(a: _Keyed, b: _Keyed) -> None:
    if type(a) is not type(b):
        raise TypeError(f"cannot add {type(a).__name__} and {type(b).__name__}")
    if a.attributes != b.attributes:
        raise ValueError(f"statistics over different attributes cannot be merged: {a.attributes} vs {b.attributes}")


def _binary(values: Any, name: str) -> Array:
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


def _finite(values: Any, name: str) -> Array:
    arr = np.asarray(values, dtype=np.float64).reshape(-1)
    bad = ~np.isfinite(arr)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"'{name}' must hold finite numbers; row {i + 1} holds {arr[i]!r}")
    return arr + 0.0  # -0.0 -> 0.0: one representation per value


def _labels01(values: Any, name: str) -> Array:
    """0/1 labels as given when they are integers or booleans holding only 0 and 1 (two reductions, no copy);
    otherwise as :func:`_binary` checks and converts them."""
    arr = np.asarray(values).reshape(-1)
    if arr.dtype == bool:
        return arr.view(np.uint8)
    if arr.dtype.kind in "iu" and (arr.size == 0 or (int(arr.min()) >= 0 and int(arr.max()) <= 1)):
        return arr
    return _binary(arr, name)


def _scores_checked(values: Any, name: str) -> tuple[Array, float, float]:
    """(finite float64 scores with -0.0 as 0.0, smallest, largest), as :func:`_finite` checks them."""
    arr = np.asarray(values, dtype=np.float64).reshape(-1)
    if arr.size == 0:
        return arr, 0.0, 0.0
    lo, hi = float(arr.min()), float(arr.max())
    if not (math.isfinite(lo) and math.isfinite(hi)):
        _finite(arr, name)  # raises, naming the first bad row
    if lo <= 0.0 <= hi:
        arr = arr + 0.0
    return arr, lo + 0.0, hi + 0.0


def _same_length(n: int, **arrays: Array) -> None:
    for name, arr in arrays.items():
        if arr.size != n:
            raise ValueError(f"'{name}' has {arr.size} values but the group columns have {n}")


def _weights(counts: Any, n: int) -> Array:
    """Row multiplicities of an aggregated table: whole numbers ≥ 0 (int64)."""
    w = np.asarray(counts).reshape(-1)
    if w.size != n:
        raise ValueError(f"'counts' has {w.size} values but the group columns have {n}")
    if w.dtype.kind == "f":
        if not (np.isfinite(w).all() and (w == np.floor(w)).all()):
            raise ValueError("'counts' must hold whole numbers")
        if w.size and w.max() >= 2**63:
            raise ValueError("'counts' too large")
    elif w.dtype.kind not in "iu" and w.dtype != bool:
        raise ValueError(f"'counts' must be whole numbers, got dtype {w.dtype}")
    w = w.astype(np.int64)
    if w.size and int(w.min()) < 0:
        raise ValueError("'counts' must not be negative")
    return w


def _count(key: Array, size: int, weights: Array | None) -> Array:
    """Rows (or summed weights) per key, int64 and exact."""
    if weights is None:
        return np.bincount(key, minlength=size).astype(np.int64)
    if weights.size == 0 or int(weights.sum(dtype=np.float64)) < 2**52:
        return np.bincount(key, weights=weights, minlength=size).astype(np.int64)  # float sums below 2**53: exact
    out = np.zeros(size, dtype=np.int64)
    np.add.at(out, key, weights)
    return out


def _drop_empty(weights: Array, *arrays: Any) -> tuple[Array, list[Any]]:
    """Rows of an aggregated table with a count of zero add nothing: leave them out (they would create groups)."""
    keep = weights > 0
    if keep.all():
        return weights, list(arrays)
    out: list[Any] = []
    for arr in arrays:
        if isinstance(arr, tuple):  # an encoded (codes, categories) pair
            out.append((np.asarray(arr[0]).reshape(-1)[keep], arr[1]))
        elif arr is None:
            out.append(None)
        else:
            out.append(np.asarray(arr).reshape(-1)[keep])
    return weights[keep], out


# --------------------------------------------------------------------------
# exact sums of floats

_SHIFT = 1130  # every finite float64 is an integer multiple of 2**-1074; mantissas add 53 bits
_PASS = 1 << 25  # weighted rows per pass: bincount's float64 sums of 27-bit parts stay below 2**53
_HIGH = np.uint64(((1 << 64) - 1) ^ ((1 << 27) - 1))  # sign, exponent and the top 25 stored mantissa bits
_BIG = 1900  # biased exponents from here are summed scaled down by 2**-_BIG_SCALE (no overflow)
_BIG_SCALE = 300


def _zeros_object(shape: int | tuple[int, ...]) -> Array:
    out = np.empty(shape, dtype=object)
    out[...] = 0
    return out


def exact_sums(values: Any, group: Any, n_groups: int, weights: Any = None) -> Array:
    """Exact per-group sums of finite float64 values (times ``weights``, whole numbers ≥ 0, when given),
    as an object array of Python ints scaled by 2**1130.

    Each value is split exactly into a high part (its top 26 mantissa bits)
    and a low part (the other 27); the parts (times the weight) are summed per
    (group, biased exponent E) with ``np.bincount`` — exact while a pass adds
    at most 2**26 weighted values, since all parts with one E are multiples of
    one power of two below 2**27 of them — and the per-exponent totals are
    turned into Python integers.
    """
    v = np.ascontiguousarray(values, dtype=np.float64).reshape(-1)
    g = np.asarray(group, dtype=np.int64).reshape(-1)
    w = None if weights is None else np.asarray(weights, dtype=np.int64).reshape(-1)
    if w is not None and w.size and int(w.max()) > _PASS:  # huge counts: split each count in two 25-bit halves
        low = exact_sums(v, g, n_groups, w & (_PASS - 1))
        high = exact_sums(v, g, n_groups, w >> 25)
        return low + high * _PASS  # type: ignore[no-any-return]
    acc = _ExactAcc(n_groups)
    acc.add(v, g, w)
    return acc.result()


_BLOCK = 1 << 16  # values per block: temporaries stay in cache


def _passes(n: int, w: Array | None) -> list[int]:
    """Bounds of consecutive passes adding at most 2**26 weighted values each (weights at most 2**25)."""
    if w is None or n == 0 or int(w.sum()) <= _PASS:
        return [*range(0, n, _PASS), n] if n else [0, 0]
    cum = np.cumsum(w)
    bounds = [0]
    while bounds[-1] < n:  # each pass adds at most 2**25 + 2**25 weighted values
        base = int(cum[bounds[-1] - 1]) if bounds[-1] else 0
        bounds.append(max(int(np.searchsorted(cum, base + _PASS, side="right")), bounds[-1] + 1))
    return bounds


class _ExactAcc:
    """Accumulates exact per-group sums of floats (weights at most 2**25 each), a cache-sized block at a time."""

    def __init__(self, n_groups: int) -> None:
        self.n = n_groups
        self.out = _zeros_object(n_groups)
        self.dense = n_groups * 2048 <= 1 << 18
        self.hi2 = np.zeros((2048, n_groups) if self.dense else (0, 0))  # [exponent, group]
        self.lo2 = np.zeros((2048, n_groups) if self.dense else (0, 0))
        self.load = 0  # weighted values in hi/lo since the last flush (at most 2**26 keeps the float sums exact)

    def add(self, v: Array, g: Array, w: Array | None = None) -> None:
        if not self.dense:
            for start, stop in itertools.pairwise(_passes(v.size, w)):
                _exact_pass_sparse(
                    self.out, v[start:stop], g[start:stop], self.n, None if w is None else w[start:stop], 0
                )
            return
        for start in range(0, v.size, _BLOCK):
            vb = v[start : start + _BLOCK]
            gb = g[start : start + _BLOCK]
            wb = None if w is None else w[start : start + _BLOCK]
            load = vb.size if wb is None else int(wb.sum())
            if self.load + load > 2 * _PASS:
                self.flush()
            self.load += load
            bits = vb.view(np.uint64)
            expo = vb.view(np.int64) >> 52  # the biased exponent where the sign bit is 0
            e_lo, e_hi = int(expo.min()), int(expo.max())
            if e_lo < 0:  # negative values: drop the sign bit
                expo &= 2047
                e_lo, e_hi = int(expo.min()), int(expo.max())
            if e_hi >= _BIG:  # near the top of the float range: add those scaled down (no overflow)
                big = expo >= _BIG
                _exact_pass_sparse(
                    self.out, vb[big] * 2.0**-_BIG_SCALE, gb[big], self.n, None if wb is None else wb[big], _BIG_SCALE
                )
                keep = ~big
                _exact_pass_sparse(self.out, vb[keep], gb[keep], self.n, None if wb is None else wb[keep], 0)
                continue
            hi, lo = _split(vb, bits, wb)
            span = e_hi - e_lo + 1
            if span == 1:
                key = gb
            else:  # (exponent − lowest) · groups + group: the (exponent, group) cells of this block
                key = expo - e_lo
                key *= self.n
                key += gb
            size = self.n * span
            self.hi2[e_lo : e_hi + 1] += np.bincount(key, weights=hi, minlength=size).reshape(span, self.n)
            self.lo2[e_lo : e_hi + 1] += np.bincount(key, weights=lo, minlength=size).reshape(span, self.n)

    def flush(self) -> None:
        if self.load:
            e, g = np.nonzero((self.hi2 != 0) | (self.lo2 != 0))
            _add_parts(self.out, g, self.hi2[e, g], self.lo2[e, g], 0)
            self.hi2[:] = 0
            self.lo2[:] = 0
            self.load = 0

    def result(self) -> Array:
        self.flush()
        return self.out


def _split(v: Array, bits: Array, w: Array | None) -> tuple[Array, Array]:
    """v = hi + lo exactly (times w): hi keeps the top 26 mantissa bits, lo the low 27.

    Both are multiples of 2**(E − 1075) (lo) or 2**(E − 1048) (hi), below 2**27
    of those units, so float sums of up to 2**26 weighted parts sharing a
    biased exponent E are exact.
    """
    hi = (bits & _HIGH).view(np.float64)
    lo = v - hi
    if w is not None:
        wf = w.astype(np.float64)
        hi = hi * wf
        lo *= wf
    return hi, lo


def _add_parts(out: Array, group: Array, shi: Array, slo: Array, scale: int) -> None:
    shift = _SHIFT + scale
    for k, h, lw in zip(group.tolist(), shi.tolist(), slo.tolist()):
        hn, hd = h.as_integer_ratio()  # hd, ld: powers of two dividing 2**1074
        ln, ld = lw.as_integer_ratio()
        out[k] += ((hn << shift) // hd) + ((ln << shift) // ld)


def _exact_pass_sparse(out: Array, v: Array, g: Array, n_groups: int, w: Array | None, scale: int) -> None:
    """Add the exact sums of ``v`` × 2**``scale`` per group into ``out``, keyed by the (group, E) present."""
    if v.size == 0:
        return
    bits = v.view(np.uint64)
    expo = ((bits >> np.uint64(52)) & np.uint64(2047)).astype(np.int64)
    if scale == 0 and int(expo.max()) >= _BIG:
        big = expo >= _BIG
        _exact_pass_sparse(out, v[big] * 2.0**-_BIG_SCALE, g[big], n_groups, None if w is None else w[big], _BIG_SCALE)
        keep = ~big
        v, g, bits, expo = v[keep], g[keep], bits[keep], expo[keep]
        w = None if w is None else w[keep]
        if v.size == 0:
            return
    hi, lo = _split(v, bits, w)
    present = np.flatnonzero(np.bincount(expo, minlength=2048))
    ne = present.size
    lut = np.zeros(2048, dtype=np.int64)
    lut[present] = np.arange(ne)
    key = g * ne + lut[expo]
    used, inv = np.unique(key, return_inverse=True)
    shi = np.bincount(inv.reshape(-1), weights=hi, minlength=used.size)
    slo = np.bincount(inv.reshape(-1), weights=lo, minlength=used.size)
    _add_parts(out, used // ne, shi, slo, scale)


def exact_from_parts(group: Any, exponent: Any, mantissa_sum: Sequence[int] | Array, n_groups: int) -> Array:
    """Exact per-group sums from totals of mantissas per (group, biased exponent E), scaled by 2**1130.

    A float64 is ±M·2**(E − 1075) (E ≥ 1, the biased exponent; 1 for
    subnormals); given, per row of a table, a group, an E and the sum of the
    signed M of the values with that E (any size: Python ints), this returns
    what :func:`exact_sums` returns for the values themselves.
    """
    out = _zeros_object(n_groups)
    for g, e, m in zip(np.asarray(group).tolist(), np.asarray(exponent).tolist(), list(mantissa_sum)):
        e = int(e)
        if not 1 <= e <= 2046:
            raise ValueError(f"biased exponent {e} out of range 1..2046")
        out[int(g)] += int(m) << (e + _SHIFT - 1075)
    return out


def _exact_to_float(num: int) -> float:
    return num / (1 << _SHIFT)  # int / int is correctly rounded in Python


def exact_value(sums: Any) -> Array:
    """The float64 nearest to each exact sum."""
    out: Array = np.array(
        [_exact_to_float(int(s)) for s in np.asarray(sums, dtype=object).reshape(-1)], dtype=np.float64
    ).reshape(np.shape(sums))
    return out


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


def _add_object(out: Array, index: Array, values: Array) -> None:
    """out[index[i]] += values[i] for object arrays of Python ints (index may repeat)."""
    for g, v in zip(index.tolist(), np.asarray(values, dtype=object).reshape(len(index), -1).tolist()):
        if out.ndim == 1:
            out[g] += v[0]
        else:
            out[g] = out[g] + np.array(v, dtype=object)


# --------------------------------------------------------------------------
# order-preserving keys of floats, and sorted (cell, score) tables

_SIGN = np.uint64(1 << 63)
_ONE = np.uint64(1)


def _ordered(values: Array) -> Array:
    """uint64 keys ordered like the (finite, NaN-free) float64 values: flip the sign bit, or all bits if negative."""
    bits: Array = np.ascontiguousarray(values, dtype=np.float64).view(np.uint64)
    out: Array
    if bits.size == 0 or int(bits.max()) < (1 << 63):  # no negative values (the common case)
        out = bits | _SIGN
    else:
        out = bits ^ ((np.uint64(0) - (bits >> np.uint64(63))) | _SIGN)
    return out


def _okey(value: float) -> int:
    """The :func:`_ordered` key of one float."""
    return int(_ordered(np.array([value], dtype=np.float64))[0])


def _unordered(keys: Array) -> Array:
    """The float64 values of :func:`_ordered` keys."""
    bits: Array = keys ^ (((keys >> np.uint64(63)) - _ONE) | _SIGN)
    out: Array = bits.view(np.float64)
    return out


def _runs(sorted_keys: Array) -> tuple[Array, Array]:
    """(start index, length) of each run of equal values in a sorted array."""
    n = sorted_keys.size
    new = np.empty(n, dtype=bool)
    if n:
        new[0] = True
        np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    return starts, np.diff(np.append(starts, n))


def _bits_needed(span: int) -> int:
    return int(span).bit_length()


def _label_table(cell: Array, k: Array, y: Array, n_cells: int) -> tuple[Array, Array, Array, Array]:
    """Distinct (cell, score key) of rows with 0/1 labels ``y``: (cell, key, negatives, positives), sorted.

    One sort of packed 64-bit words (cell | key − min | label) when they fit;
    otherwise rows are partitioned by cell and each cell's words are sorted.
    """
    n = cell.size
    if n == 0:
        e = np.zeros(0, dtype=np.int64)
        return e, np.zeros(0, dtype=np.uint64), e, e
    kmin = k.min()
    span = _bits_needed(int(k.max()) - int(kmin))
    cbits = _bits_needed(n_cells - 1)
    yu = y.astype(np.uint64)
    if cbits + span + 1 <= 64:
        word = k - kmin
        word <<= _ONE
        word |= yu
        if cbits:
            word |= cell.astype(np.uint64) << np.uint64(span + 1)
        word.sort()
        pair = word >> _ONE  # (cell, key) without the label
        starts, total = _runs(pair)
        pos = _segment_sums((word & _ONE).astype(np.int64), starts)
        u = pair[starts]
        cells = (u >> np.uint64(span)).astype(np.int64) if cbits else np.zeros(u.size, dtype=np.int64)
        keys = (u & np.uint64((1 << span) - 1)) + kmin
        return cells, keys, total - pos, pos
    # partition by cell, then one sort per cell
    order = np.argsort(cell.astype(np.uint16) if n_cells <= 1 << 16 else cell, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(cell, minlength=n_cells))])
    parts: list[tuple[Array, Array, Array, Array]] = []
    for c in np.flatnonzero(np.diff(bounds)).tolist():
        idx = order[bounds[c] : bounds[c + 1]]
        kc, yc = k[idx], y[idx]
        cmin = kc.min()
        if _bits_needed(int(kc.max()) - int(cmin)) + 1 <= 64:
            _, kk, ng, ps = _label_table(np.zeros(idx.size, dtype=np.int64), kc, yc, 1)
        else:  # keys spanning all 64 bits: no room for the label; sort rows by key, then add labels up
            yc64 = yc.astype(np.int64)
            _, kk, (ng, ps), _ = _aggregate(np.zeros(idx.size, dtype=np.int64), kc, [1 - yc64, yc64], 1)
        parts.append((np.full(kk.size, c, dtype=np.int64), kk, ng, ps))
    return (
        np.concatenate([p[0] for p in parts]),
        np.concatenate([p[1] for p in parts]),
        np.concatenate([p[2] for p in parts]),
        np.concatenate([p[3] for p in parts]),
    )


def _order(cell: Array, k: Array, n_cells: int) -> Array:
    """A stable permutation sorting rows by (cell, key) (timsort: pre-sorted runs merge in linear time)."""
    if cell.size == 0:
        return np.zeros(0, dtype=np.int64)
    kmin = k.min()
    span = _bits_needed(int(k.max()) - int(kmin))
    cbits = _bits_needed(n_cells - 1)
    if cbits + span <= 64:
        word = k - kmin
        if cbits:
            word |= cell.astype(np.uint64) << np.uint64(span)
        return np.argsort(word, kind="stable")
    order = np.argsort(cell.astype(np.uint16) if n_cells <= 1 << 16 else cell, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(cell, minlength=n_cells))])
    for c in np.flatnonzero(np.diff(bounds)).tolist():
        idx = order[bounds[c] : bounds[c + 1]]
        order[bounds[c] : bounds[c + 1]] = idx[np.argsort(k[idx], kind="stable")]
    return order


def _aggregate(
    cell: Array, k: Array, counts: Sequence[Array], n_cells: int, *, presorted: bool = False, target: bool = False
) -> tuple[Array, Array, list[Array], Array | None]:
    """Merge equal (cell, key) rows: (cell, key, each count array summed, index of each input row's output row
    when ``target``).  ``presorted``: rows already sorted by (cell, key)."""
    if presorted:
        c, kk, cs = cell, k, list(counts)
        order = None
    else:
        order = _order(cell, k, n_cells)
        c, kk, cs = cell[order], k[order], [x[order] for x in counts]
    new = np.empty(c.size, dtype=bool)
    if c.size:
        new[0] = True
        np.not_equal(kk[1:], kk[:-1], out=new[1:])
        new[1:] |= c[1:] != c[:-1]
    starts = np.flatnonzero(new)
    rows = None
    if target:
        pos = np.cumsum(new) - 1
        if order is None:
            rows = pos
        else:
            rows = np.empty(cell.size, dtype=np.int64)
            rows[order] = pos
    summed = [_segment_sums(x, starts) for x in cs]
    return c[starts], kk[starts], summed, rows


def _segment_sums(x: Array, starts: Array) -> Array:
    """Sums of x over the segments starting at ``starts`` (sorted, first 0): cumulative sums, differenced
    (much faster than ``np.add.reduceat`` when most segments are short)."""
    if x.size == 0:
        return x[:0].astype(np.int64)
    if starts.size == x.size:  # every segment one long
        return x.astype(np.int64)
    cs = np.cumsum(x, dtype=np.int64)
    ends = np.append(starts[1:], x.size) - 1
    out: Array = cs[ends]
    out[1:] -= cs[ends[:-1]]
    return out


def _segment_reduce(ufunc: Any, values: Array, cell: Array, n: int, fill: float) -> Array:
    """ufunc-reduce of values per cell (``cell`` sorted) into an array of n cells, ``fill`` where empty."""
    out = np.full(n, fill, dtype=np.float64)
    if values.size:
        starts, _ = _runs(cell)
        out[cell[starts]] = ufunc.reduceat(values, starts)
    return out


def _group_reduce(ufunc: Any, values: Array, group: Array, n: int, fill: float) -> Array:
    out = np.full(n, fill, dtype=np.float64)
    ufunc.at(out, group, values)
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
        out: np.ndarray = np.searchsorted(_POISSON1_CDF, u, side="right").astype(np.uint8)
        return out

    def _blocks(self, n: int) -> Iterable[tuple[int, int]]:
        per = max(1, (1 << 22) // max(n, 1))
        for first in range(0, self.replicates, per):
            yield first, min(per, self.replicates - first)


def _row_ids(row_ids: Any, n: int) -> Array:
    if row_ids is None:
        return np.arange(n, dtype=np.int64)
    if isinstance(row_ids, (int, np.integer)):
        return np.arange(int(row_ids), int(row_ids) + n, dtype=np.int64)
    ids = np.asarray(row_ids).reshape(-1)
    if ids.size != n:
        raise ValueError(f"row ids: {ids.size} values for {n} rows")
    return ids


def _weighted_counts(boot: PoissonBootstrap, ids: Array, key: Array, size: int) -> Array:
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


def _no_boot_with_counts(bootstrap: PoissonBootstrap | None) -> None:
    if bootstrap is not None:
        raise ValueError("a Poisson bootstrap needs one row per instance (row ids), not an aggregated table")


def _add_replicates(size: int, parts: Sequence[tuple[Array | None, Array]]) -> Array | None:
    """Sum (B, rows, ...) replicate arrays onto ``size`` rows by each part's row map."""
    first = parts[0][0]
    if first is None:
        return None
    out = np.zeros((first.shape[0], size, *first.shape[2:]), dtype=np.int64)
    for reps, m in parts:
        assert reps is not None
        np.add.at(out, (slice(None), m), reps)  # type: ignore[arg-type]
    return out


# --------------------------------------------------------------------------
# binary classification


@dataclass(frozen=True, eq=False)
class ConfusionStats(_Keyed):
    """Per-cell confusion counts ``counts[i] = [TN, FP, FN, TP]`` (int64).

    With a bootstrap, ``replicates[b, i]`` are the Poisson-weighted counts of replicate b.
    """

    attributes: tuple[str, ...]
    keys: tuple[Key, ...]
    counts: Array
    bootstrap: PoissonBootstrap | None = None
    replicates: Array | None = None

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
        return cls.from_cells(encode_cells(groups), y_true, y_pred, bootstrap=bootstrap, row_ids=row_ids)

    @classmethod
    def from_counts(cls, y_true: Any, y_pred: Any, groups: Mapping[str, Any], counts: Any) -> ConfusionStats:
        """Counts from an aggregated table: row i stands for ``counts[i]`` rows with its label, prediction and groups."""
        w = _weights(counts, np.asarray(y_true).size)
        w, (yt, yp, *cols) = _drop_empty(w, y_true, y_pred, *groups.values())
        return cls.from_cells(encode_cells(dict(zip(groups, cols))), yt, yp, weights=w)

    @classmethod
    def from_cells(
        cls,
        cells: Cells,
        y_true: Any,
        y_pred: Any,
        *,
        weights: Any = None,
        bootstrap: PoissonBootstrap | None = None,
        row_ids: Any = None,
    ) -> ConfusionStats:
        """Counts from rows already split into cells (:func:`encode_cells`); ``weights``: a count per row."""
        attributes, keys, cell = cells
        if weights is None and bootstrap is None:  # one small key (cell, label, prediction) per row, counted
            y, p = _labels01(y_true, "y_true"), _labels01(y_pred, "y_pred")
            _same_length(cell.size, y_true=y, y_pred=p)
            key = np.asarray(cell).reshape(-1).astype(_index_type(4 * max(len(keys), 1)))
            key *= 2
            np.add(key, y, out=key, casting="unsafe")
            key *= 2
            np.add(key, p, out=key, casting="unsafe")
            counts = _bincount(key, 4 * len(keys))[: 4 * len(keys)].reshape(len(keys), 4)
            return cls(attributes, keys, counts)
        cell = _index(cell)
        y = _binary(y_true, "y_true")
        p = _binary(y_pred, "y_pred")
        _same_length(cell.size, y_true=y, y_pred=p)
        w = None if weights is None else _weights(weights, cell.size)
        if w is not None:
            _no_boot_with_counts(bootstrap)
        key = cell * 4 + 2 * y + p
        counts = _count(key, 4 * len(keys), w).reshape(len(keys), 4)
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
        reps = _add_replicates(len(keys), [(self.replicates, ia), (other.replicates, ib)])
        return ConfusionStats(self.attributes, keys, counts, self.bootstrap, reps)

    merge = __add__

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ConfusionStats)
            and self.attributes == other.attributes
            and self.keys == other.keys
            and np.array_equal(self.counts, other.counts)
            and self.bootstrap == other.bootstrap
            and (self.replicates is None or np.array_equal(self.replicates, other.replicates))  # type: ignore[arg-type]
        )

    __hash__ = None  # type: ignore[assignment]

    def marginal(self, attributes: Sequence[str]) -> ConfusionStats:
        """Counts per group of a coarser grouping (``()`` = overall), summing its cells."""
        groups, cell_group = _marginal_map(self.attributes, self.keys, attributes)
        counts = np.zeros((len(groups), 4), dtype=np.int64)
        np.add.at(counts, cell_group, self.counts)
        reps = _add_replicates(len(groups), [(self.replicates, cell_group)])
        return ConfusionStats(tuple(attributes), groups, counts, self.bootstrap, reps)

    @property
    def n(self) -> Array:
        return self.counts.sum(axis=1)  # type: ignore[no-any-return]


# --------------------------------------------------------------------------
# multiclass


@dataclass(frozen=True, eq=False)
class MulticlassStats(_Keyed):
    """Per-cell confusion matrices ``counts[i, true, predicted]`` over ``classes`` (sorted text labels)."""

    attributes: tuple[str, ...]
    keys: tuple[Key, ...]
    classes: tuple[str, ...]
    counts: Array

    @classmethod
    def from_arrays(
        cls, y_true: Any, y_pred: Any, groups: Mapping[str, Any], classes: Sequence[Any] | None = None
    ) -> MulticlassStats:
        """Matrices from class labels (any dtype, compared as text); ``classes`` adds classes that may not occur."""
        return cls.from_cells(encode_cells(groups), y_true, y_pred, classes=classes)

    @classmethod
    def from_counts(
        cls, y_true: Any, y_pred: Any, groups: Mapping[str, Any], counts: Any, classes: Sequence[Any] | None = None
    ) -> MulticlassStats:
        """Matrices from an aggregated table: row i stands for ``counts[i]`` rows."""
        w = _weights(counts, np.asarray(y_true).size)
        w, (yt, yp, *cols) = _drop_empty(w, y_true, y_pred, *groups.values())
        return cls.from_cells(encode_cells(dict(zip(groups, cols))), yt, yp, classes=classes, weights=w)

    @classmethod
    def from_cells(
        cls, cells: Cells, y_true: Any, y_pred: Any, *, classes: Sequence[Any] | None = None, weights: Any = None
    ) -> MulticlassStats:
        """Matrices from rows already split into cells (:func:`encode_cells`); ``weights``: a count per row."""
        attributes, keys, cell = cells
        cell = _index(cell)
        t = np.asarray(y_true).reshape(-1)
        p = np.asarray(y_pred).reshape(-1)
        _same_length(cell.size, y_true=t, y_pred=p)
        w = None if weights is None else _weights(weights, cell.size)
        both = np.concatenate([t.astype(str), p.astype(str)]) if t.size else np.array([], dtype=str)
        uniq, inv = np.unique(both, return_inverse=True)
        labels = [str(x) for x in uniq.tolist()]
        extra = sorted({str(c) for c in (classes or [])} - set(labels))
        all_classes = tuple(sorted(set(labels) | set(extra)))
        remap = np.array([all_classes.index(x) for x in labels], dtype=np.int64)
        inv = remap[inv.reshape(-1)] if labels else inv.reshape(-1).astype(np.int64)
        k = len(all_classes)
        ti, pi = inv[: t.size], inv[t.size :]
        key = (cell * k + ti) * k + pi
        counts = _count(key, len(keys) * k * k, w).reshape(len(keys), k, k)
        return cls(attributes, keys, all_classes, counts)

    def _on(self, classes: tuple[str, ...]) -> Array:
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


def quantize(values: Any, bits: Any) -> Array:
    """Truncate each value's mantissa to ``bits`` bits (1..53; 53 = unchanged), toward zero.

    Nested grids: truncating to b bits then to c < b bits equals truncating to
    c bits directly, and the map is non-decreasing, so sorted stays sorted.
    −0.0 becomes 0.0.
    """
    values = np.asarray(values, dtype=np.float64)
    shape = values.shape
    out: Array = _unordered(_quantize_keys(_ordered(values.reshape(-1) + 0.0), bits)).reshape(shape)
    return out


def _quantize_float(values: Array, bits: Array) -> Array:
    mant, expo = np.frexp(values)
    scale = np.ldexp(1.0, bits)
    out: Array = np.ldexp(np.trunc(mant * scale) / scale, expo) + 0.0
    return out


def _quantize_keys(k: Array, bits: Any) -> Array:
    """:func:`_ordered` keys of the values truncated to ``bits`` mantissa bits (one number or one per key).

    A normal float's significand has 53 bits: truncation toward zero clears
    the low 53 − bits of its magnitude (a positive key loses them; a negative
    key, the complement, gets them set); subnormals, whose significand is
    shorter, are truncated with frexp.
    """
    b = np.asarray(bits, dtype=np.int64)
    if b.size == 0 or int(b.min()) >= EXACT_BITS:
        return k
    drop = np.clip(EXACT_BITS - b, 0, 52).astype(np.uint64)
    mask = (_ONE << drop) - _ONE
    if k.size == 0:
        return k
    kmin = int(k.min())
    if kmin >= _NORMAL_MIN:  # positive normal values only (the common case): clear the low bits
        return k & ~mask  # type: ignore[no-any-return]
    if kmin >= 1 << 63:  # no negative values
        out: Array = k & ~mask
    else:
        out = np.where(k >= _SIGN, k & ~mask, k | mask)
    mag = np.where(k >= _SIGN, k, ~k) ^ _SIGN
    sub = (mag < np.uint64(1 << 52)) & (mag != 0)
    if sub.any():
        bs = np.broadcast_to(b, k.shape)[sub]
        out[sub] = _ordered(_quantize_float(_unordered(k[sub]), bs))
    return out


def _finite_table(value: Any, name: str = "value") -> Array:
    v = np.asarray(value, dtype=np.float64).reshape(-1)
    if not np.isfinite(v).all():
        raise ValueError(f"score table: '{name}' must hold finite numbers")
    return v + 0.0


_OVERFLOW = "'scores' are too large: their squared errors overflow"


def _table_sums(tc: Array, tv: Array, neg: Array, pos: Array, g: int, k: int) -> dict[str, Array]:
    """Brier sums and extremes and calibration counts and sums of a score table (counts at most 2**25 each;
    any order: rows are a table with counts 1 − y and y)."""
    size = g * k
    acc_b, acc_q, acc_s = _ExactAcc(g), _ExactAcc(g), _ExactAcc(size)
    bmin = np.full(g, np.inf)
    bmax = np.full(g, -np.inf)
    cal_n = np.zeros(size)
    cal_pos = np.zeros(size)
    for start in range(0, tv.size, _BLOCK):
        sl = slice(start, start + _BLOCK)
        v, c, ng, ps = tv[sl], tc[sl], neg[sl], pos[sl]
        only_pos = ng == 0
        with np.errstate(over="ignore"):
            d = v - only_pos  # score − label: label 1 where the value has positives only, else 0
            b = d * d
            bq = b * b
        w = np.where(only_pos, ps, ng)
        terms = [(b, bq, c, w)]
        both = (ng > 0) & (ps > 0)
        if both.any():  # values with both labels: the positives' term too
            with np.errstate(over="ignore"):
                d1 = v[both] - 1.0
                b1 = d1 * d1
                terms.append((b1, b1 * b1, c[both], ps[both]))
        for bt, qt, ct, wt in terms:
            if not (np.isfinite(bt).all() and np.isfinite(qt).all()):
                raise ValueError(_OVERFLOW)
            wa = None if int(wt.max()) == 1 else wt
            acc_b.add(bt, ct, wa)
            acc_q.add(qt, ct, wa)
            np.minimum.at(bmin, ct, bt)
            np.maximum.at(bmax, ct, bt)
        tot = ng + ps
        bins = np.floor(v * k)
        np.clip(bins, 0, k - 1, out=bins)
        ckey = c * k + bins.astype(np.int64)
        cal_n += np.bincount(ckey, weights=tot, minlength=size)
        cal_pos += np.bincount(ckey, weights=ps, minlength=size)
        acc_s.add(v, ckey, None if int(tot.max()) == 1 else tot)
    return {
        "brier_sum": acc_b.result(),
        "brier_sq_sum": acc_q.result(),
        "brier_min": bmin,
        "brier_max": bmax,
        "cal_n": cal_n.astype(np.int64),
        "cal_pos": cal_pos.astype(np.int64),
        "cal_sum": acc_s.result(),
    }


def _row_sums(c: Array, s: Array, y: Array, g: int, k: int) -> dict[str, Array]:
    """:func:`_table_sums` of rows (cells ``c``, finite scores ``s``, 0/1 labels ``y``), with score extremes."""
    size = g * k
    acc_b, acc_q, acc_s = _ExactAcc(g), _ExactAcc(g), _ExactAcc(size)
    bmin, smin = np.full(g, np.inf), np.full(g, np.inf)
    bmax, smax = np.full(g, -np.inf), np.full(g, -np.inf)
    cal_n = np.zeros(size, dtype=np.int64)
    cal_pos = np.zeros(size)
    for start in range(0, s.size, _BLOCK):
        v, cb, yb = s[start : start + _BLOCK], c[start : start + _BLOCK], y[start : start + _BLOCK]
        with np.errstate(over="ignore"):
            d = v - yb
            b = d * d
            bq = b * b
        if not np.isfinite(bq).all():
            raise ValueError(_OVERFLOW)
        acc_b.add(b, cb)
        acc_q.add(bq, cb)
        np.minimum.at(bmin, cb, b)
        np.maximum.at(bmax, cb, b)
        np.minimum.at(smin, cb, v)
        np.maximum.at(smax, cb, v)
        bins = v * k
        np.floor(bins, out=bins)
        np.clip(bins, 0, k - 1, out=bins)
        ckey = cb * k
        ckey += bins.astype(np.int64)
        cal_n += np.bincount(ckey, minlength=size)
        cal_pos += np.bincount(ckey, weights=yb, minlength=size)
        acc_s.add(v, ckey)
    return {
        "brier_sum": acc_b.result(),
        "brier_sq_sum": acc_q.result(),
        "brier_min": bmin,
        "brier_max": bmax,
        "score_min": smin,
        "score_max": smax,
        "cal_n": cal_n,
        "cal_pos": cal_pos.astype(np.int64),
        "cal_sum": acc_s.result(),
    }


def _table_sums_unblocked(tc: Array, tv: Array, neg: Array, pos: Array, g: int, k: int) -> dict[str, Array]:
    """As :func:`_table_sums`, for any counts (exact integer arithmetic throughout)."""
    with np.errstate(over="ignore"):
        has_neg, has_pos = neg > 0, pos > 0
        bv = np.concatenate([np.square(tv[has_neg]), np.square(tv[has_pos] - 1.0)])
        bw = np.concatenate([neg[has_neg], pos[has_pos]])
        bc = np.concatenate([tc[has_neg], tc[has_pos]])
        bsq = bv * bv
    if not np.isfinite(bv).all() or not np.isfinite(bsq).all():
        raise ValueError(_OVERFLOW)
    bins = np.clip(np.floor(tv * k), 0, k - 1).astype(np.int64)
    ckey = tc * k + bins
    return {
        "brier_sum": exact_sums(bv, bc, g, bw),
        "brier_sq_sum": exact_sums(bsq, bc, g, bw),
        "brier_min": _group_reduce(np.minimum, bv, bc, g, np.inf),
        "brier_max": _group_reduce(np.maximum, bv, bc, g, -np.inf),
        "cal_n": _count(ckey, g * k, neg + pos),
        "cal_pos": _count(ckey, g * k, pos),
        "cal_sum": exact_sums(tv, ckey, g * k, neg + pos),
    }


# --------------------------------------------------------------------------
# a batch of scored rows sorted by (label, cell, calibration bin): its sums by segment

_LIMB = 36  # bits per limb: a segment of at most 2**16 values below 2**36 grid units sums below 2**52 units
_MAX_LIMBS = 4
_SORT_BLOCK = 1 << 16  # rows sorted at a time (radix sort of one-byte or two-byte keys; temporaries in cache)
_FLUSH_BLOCKS = 1 << 10  # int64 limb totals: 2**10 blocks of segment sums below 2**52 stay below 2**62
_SORT_KEYS = 1 << 16  # most (label, cell, bin) keys sorted by this path


class _Limbs:
    """Exact per-key sums of float64 values added a sorted block at a time (as :func:`exact_sums` gives them).

    Every value is below ``2**e`` in magnitude (``bound``, known up front).  Limb j holds each value
    rounded to a multiple of u_j = 2**(e − 36 j) (adding and subtracting 1.5·2**52·u_j: Fast2Sum, exact)
    and passes the exact remainder on; the last limb L is the remainder itself, a multiple of u_L once
    u_L is at most the unit in the last place of the block's smallest non-zero magnitude.  Limb values
    are below 2**36 units of their grid, so a segment's sum (``np.add.reduceat``; at most 2**16 values)
    is an integer number of units below 2**52, exact in any order of addition; totals are kept per key
    and grid as int64 and shifted into Python integers at the end.  A block needing more than
    :data:`_MAX_LIMBS` limbs (values over a huge range of magnitudes) goes to :class:`_ExactAcc`.
    """

    def __init__(self, n_keys: int, bound: float) -> None:
        self.n = n_keys
        self.e = math.frexp(bound)[1] if bound > 0 else None
        self.levels: list[Array] = []
        self.blocks = 0
        self.out = _zeros_object(n_keys)
        self.slow: _ExactAcc | None = None

    def add(self, v: Array, starts: Array, keys: Array, low: float, h: Array, r: Array) -> None:
        """Add ``v``, whose values of key ``keys[i]`` start at ``starts[i]`` (keys distinct, starts increasing
        from 0); ``low``: the smallest non-zero magnitude in ``v`` (inf: all zero); ``h``, ``r``: scratch."""
        e = self.e
        if e is None or low == math.inf or v.size == 0:
            return
        ulp = max(math.frexp(low)[1] - 53, -1074)
        limbs = -((ulp - e) // _LIMB)  # ceil((e − ulp) / 36): then u_L ≤ 2**ulp
        if limbs > _MAX_LIMBS or e > 960:  # (or 1.5·2**(52 + e − 36) would overflow)
            if self.slow is None:
                self.slow = _ExactAcc(self.n)
            self.slow.add(v, np.repeat(keys, np.diff(np.append(starts, v.size))))
            return
        while len(self.levels) < limbs:
            self.levels.append(np.zeros(self.n, dtype=np.int64))
        rest = v
        for j in range(1, limbs):
            c = math.ldexp(1.5, 52 + e - _LIMB * j)
            np.add(rest, c, out=h)
            np.subtract(h, c, out=h)
            np.subtract(rest, h, out=r)
            rest = r
            self.levels[j - 1][keys] += np.ldexp(np.add.reduceat(h, starts), _LIMB * j - e).astype(np.int64)
        self.levels[limbs - 1][keys] += np.ldexp(np.add.reduceat(rest, starts), _LIMB * limbs - e).astype(np.int64)
        self.blocks += 1
        if self.blocks >= _FLUSH_BLOCKS:
            self._flush()

    def _flush(self) -> None:
        if self.e is not None:
            for j, level in enumerate(self.levels, start=1):
                if level.any():
                    self.out += level.astype(object) << (self.e - _LIMB * j + _SHIFT)
                    level[:] = 0
        self.blocks = 0

    def result(self) -> Array:
        self._flush()
        if self.slow is not None:
            self.out += self.slow.result()
        return self.out


def _low(v: Array, seg_min: Array, nonneg: bool) -> float:
    """The smallest non-zero magnitude in ``v`` (inf if all zero), from the segment minima when they show it."""
    if nonneg:
        low = float(seg_min.min()) if seg_min.size else math.inf
        if low > 0.0:
            return low
        return float(np.min(v, where=v > 0, initial=math.inf))
    return float(np.min(np.abs(v), where=v != 0, initial=math.inf))


_WORKSPACE = threading.local()


def _workspace(n: int, name: str = "buf", dtype: Any = np.float64) -> Array:
    """An array of at least n values, kept per thread and name (no page faults for each batch)."""
    buf: Array | None = getattr(_WORKSPACE, name, None)
    if buf is None or buf.size < n:
        buf = np.empty(max(n, 1 << 16), dtype=dtype)
        setattr(_WORKSPACE, name, buf)
    return buf[:n]


class _SortedBatch:
    """Rows (cell, 0/1 label, finite score, and optionally a 0/1 prediction) sorted a block at a time by key
    ((label·g + cell)·P + prediction)·k + bin (P = 2 with predictions, else 1), with the sums of
    :func:`_row_sums` computed per segment of equal keys (``sums``; None when the fast path does not apply:
    too many keys, or squared errors whose bound overflows); ``counts``: rows per key.

    ``blocks``: (first row in ``scores``, row bounds of each key (2gPk + 1), per (label, cell) group the
    smallest and largest score) of each block — a group's rows are the keys [j·P·k, (j + 1)·P·k) of each
    block; ``scores``: the sorted scores (a per-thread workspace, valid until this thread sorts its next
    batch).
    """

    def __init__(
        self, cell: Array, y: Array, s: Array, g: int, k: int, smin: float, smax: float, p: Array | None = None
    ) -> None:
        P = 1 if p is None else 2
        self.g, self.k, self.per_group = g, k, P * k
        self.sums: dict[str, Array] | None = None
        self.counts = np.zeros(0, dtype=np.int64)
        self.blocks: list[tuple[int, Array, Array, Array]] = []
        self.nonneg = smin >= 0.0
        nk = 2 * g * P * k
        n = s.size
        with np.errstate(over="ignore"):
            bound_b = 0.0
            for yv in (0.0, 1.0):
                d = max(abs(smin - yv), abs(smax - yv))
                bound_b = max(bound_b, d * d)
            bound_q = bound_b * bound_b
        if nk > _SORT_KEYS or not math.isfinite(bound_q) or n == 0:
            return
        kdt = np.uint8 if nk <= 256 else np.uint16
        unit = smin >= 0.0 and smax <= 1.0
        counts = np.zeros(nk, dtype=np.int64)
        key_range = np.arange(nk + 1, dtype=np.uint32)
        ext = np.empty((4, nk))  # per key: score min, max; squared error min, max
        ext[0::2] = np.inf
        ext[1::2] = -np.inf
        acc = [_Limbs(nk, max(-smin, smax)), _Limbs(nk, bound_b), _Limbs(nk, bound_q)]
        blk = min(_SORT_BLOCK, n)
        kb_, tb_ = np.empty(blk, dtype=kdt), np.empty(blk, dtype=kdt)
        pk_, sk_, rows = np.empty(blk, dtype=np.uint32), np.empty(blk, dtype=np.uint32), np.arange(blk, dtype=np.uint32)
        ix_ = np.empty(blk, dtype=np.intp)  # the rows as take() wants them (else it converts: an allocation)
        f_, b_, q_, h_, r_ = (np.empty(blk) for _ in range(5))
        self.scores = ss_all = _workspace(n)
        gk = g * k
        for start in range(0, n, blk):
            stop = min(start + blk, n)
            m = stop - start
            cb, yb, sb = cell[start:stop], y[start:stop], s[start:stop]
            kb, tb, pk, sk, f, b, q, h, r = kb_[:m], tb_[:m], pk_[:m], sk_[:m], f_[:m], b_[:m], q_[:m], h_[:m], r_[:m]
            ix = ix_[:m]
            np.multiply(sb, k, out=f)
            if not unit:
                np.floor(f, out=f)
                np.clip(f, 0, k - 1, out=f)
            np.copyto(kb, f, casting="unsafe")
            if unit:
                np.minimum(kb, k - 1, out=kb)
            np.copyto(tb, yb, casting="unsafe")
            np.multiply(tb, g, out=tb)
            np.add(tb, cb, out=tb, casting="unsafe")
            if p is not None:
                tb *= 2
                np.add(tb, p[start:stop], out=tb, casting="unsafe")
            np.multiply(tb, k, out=tb)
            np.add(kb, tb, out=kb)
            np.copyto(pk, kb, casting="unsafe")  # (key, row) packed in 32 bits: one vectorised sort
            pk <<= 16
            pk |= rows[:m]
            pk.sort()
            np.right_shift(pk, 16, out=sk)  # the keys, sorted: each key's rows are a run
            pk &= 0xFFFF
            np.copyto(ix, pk)
            ss = np.take(sb, ix, out=ss_all[start:stop], mode="clip")
            bounds = np.searchsorted(sk, key_range)
            cnt = np.diff(bounds)
            ne = np.flatnonzero(cnt)
            st = bounds[ne]
            n0 = int(bounds[gk * P])
            np.multiply(ss[:n0], ss[:n0], out=b[:n0])
            np.subtract(ss[n0:], 1.0, out=b[n0:])
            np.multiply(b[n0:], b[n0:], out=b[n0:])
            np.multiply(b, b, out=q)
            counts += cnt
            smn = np.minimum.reduceat(ss, st)
            smx = np.maximum.reduceat(ss, st)
            bmn = np.minimum.reduceat(b, st)
            bmx = np.maximum.reduceat(b, st)
            ext[0, ne] = np.minimum(ext[0, ne], smn)
            ext[1, ne] = np.maximum(ext[1, ne], smx)
            ext[2, ne] = np.minimum(ext[2, ne], bmn)
            ext[3, ne] = np.maximum(ext[3, ne], bmx)
            acc[0].add(ss, st, ne, _low(ss, smn, self.nonneg), h, r)
            acc[1].add(b, st, ne, _low(b, bmn, True), h, r)
            with np.errstate(under="ignore"):
                qmn = bmn * bmn
            acc[2].add(q, st, ne, _low(q, qmn, True), h, r)
            group = ne // (P * k)  # (label, cell) group of each non-empty key
            gmn = np.full(2 * g, np.inf)
            gmx = np.full(2 * g, -np.inf)
            np.minimum.at(gmn, group, smn)
            np.maximum.at(gmx, group, smx)
            self.blocks.append((start, bounds, gmn, gmx))
        self.counts = counts
        per = counts.reshape(2, g, P, k)
        ext4 = ext.reshape(4, 2, g, P, k)
        s_sum, b_sum, q_sum = (a.result().reshape(2, g, P, k) for a in acc)
        self.sums = {
            "brier_sum": b_sum.sum(axis=(0, 2, 3)),
            "brier_sq_sum": q_sum.sum(axis=(0, 2, 3)),
            "brier_min": ext4[2].min(axis=(0, 2, 3)),
            "brier_max": ext4[3].max(axis=(0, 2, 3)),
            "score_min": ext4[0].min(axis=(0, 2, 3)),
            "score_max": ext4[1].max(axis=(0, 2, 3)),
            "cal_n": per.sum(axis=(0, 2)).reshape(gk),
            "cal_pos": per[1].sum(axis=1).reshape(gk),
            "cal_sum": s_sum.sum(axis=(0, 2)).reshape(gk),
        }


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
    cell: Array
    value: Array
    neg: Array
    pos: Array
    bits: Array
    brier_sum: Array
    brier_sq_sum: Array
    brier_min: Array
    brier_max: Array
    score_min: Array
    score_max: Array
    calibration_bins: int
    cal_n: Array
    cal_pos: Array
    cal_sum: Array
    max_distinct: int = MAX_DISTINCT
    bootstrap: PoissonBootstrap | None = None
    replicates: Array | None = None  # (B, table rows, 2) weighted [neg, pos] counts

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
        return cls.from_cells(
            encode_cells(groups),
            y_true,
            scores,
            calibration_bins=calibration_bins,
            max_distinct=max_distinct,
            bootstrap=bootstrap,
            row_ids=row_ids,
        )

    @classmethod
    def from_counts(
        cls,
        y_true: Any,
        scores: Any,
        groups: Mapping[str, Any],
        counts: Any,
        *,
        calibration_bins: int = DEFAULT_CALIBRATION_BINS,
        max_distinct: int = MAX_DISTINCT,
    ) -> ScoreStats:
        """Statistics from an aggregated table: row i stands for ``counts[i]`` rows with its label, score and groups."""
        w = _weights(counts, np.asarray(y_true).size)
        w, (yt, sc, *cols) = _drop_empty(w, y_true, scores, *groups.values())
        return cls.from_cells(
            encode_cells(dict(zip(groups, cols))),
            yt,
            sc,
            weights=w,
            calibration_bins=calibration_bins,
            max_distinct=max_distinct,
        )

    @classmethod
    def from_cells(
        cls,
        cells: Cells,
        y_true: Any,
        scores: Any,
        *,
        weights: Any = None,
        calibration_bins: int = DEFAULT_CALIBRATION_BINS,
        max_distinct: int = MAX_DISTINCT,
        bootstrap: PoissonBootstrap | None = None,
        row_ids: Any = None,
    ) -> ScoreStats:
        """Statistics from rows already split into cells (:func:`encode_cells`); ``weights``: a count per row."""
        _check_score_options(calibration_bins, max_distinct)
        attributes, keys, cell = cells
        cell = _index(cell)
        y = _binary(y_true, "y_true")
        s = _finite(scores, "scores")
        _same_length(cell.size, y_true=y, scores=s)
        w = None if weights is None else _weights(weights, cell.size)
        g = len(keys)
        k = _ordered(s)
        reps = None
        if bootstrap is not None:
            if w is not None:
                _no_boot_with_counts(bootstrap)
            tc, tk, (neg, pos), target = _aggregate(cell, k, [1 - y, y], g, target=True)
            assert target is not None
            ids = _row_ids(row_ids, cell.size)
            reps = _weighted_counts(bootstrap, ids, target * 2 + y, 2 * tc.size).reshape(
                bootstrap.replicates, tc.size, 2
            )
        elif w is None:
            tc, tk, neg, pos = _label_table(cell, k, y, g)
        else:
            tc, tk, (neg, pos), _ = _aggregate(cell, k, [w * (1 - y), w * y], g)
            keep = (neg + pos) > 0
            if not keep.all():
                tc, tk, neg, pos = tc[keep], tk[keep], neg[keep], pos[keep]
        return cls._from_table(
            attributes,
            keys,
            tc,
            _unordered(tk),
            neg,
            pos,
            calibration_bins=calibration_bins,
            max_distinct=max_distinct,
            bootstrap=bootstrap,
            replicates=reps,
        )

    @classmethod
    def _from_table(
        cls,
        attributes: tuple[str, ...],
        keys: tuple[Key, ...],
        tc: Array,
        tv: Array,
        neg: Array,
        pos: Array,
        *,
        calibration_bins: int,
        max_distinct: int,
        bootstrap: PoissonBootstrap | None = None,
        replicates: Array | None = None,
    ) -> ScoreStats:
        """Statistics from the full-resolution table of distinct (cell, score) with label counts, sorted.

        Brier and calibration sums are exact sums over the table weighted by
        its counts, a cache-sized block at a time.
        """
        g = len(keys)
        k = calibration_bins
        total = neg + pos
        if total.size and (int(total.max()) > _PASS or float(total.sum(dtype=np.float64)) >= 2**52):
            sums = _table_sums_unblocked(tc, tv, neg, pos, g, k)  # huge counts (aggregated tables)
        else:
            sums = _table_sums(tc, tv, neg, pos, g, k)
        smin = np.full(g, np.inf)
        smax = np.full(g, -np.inf)
        if tc.size:
            starts, lengths = _runs(tc)
            smin[tc[starts]] = tv[starts]
            smax[tc[starts]] = tv[starts + lengths - 1]
        stats = cls(
            attributes,
            keys,
            tc,
            tv,
            neg.astype(np.int64),
            pos.astype(np.int64),
            np.full(g, EXACT_BITS, dtype=np.int64),
            sums["brier_sum"],
            sums["brier_sq_sum"],
            sums["brier_min"],
            sums["brier_max"],
            smin,
            smax,
            calibration_bins,
            sums["cal_n"].reshape(g, k),
            sums["cal_pos"].reshape(g, k),
            sums["cal_sum"].reshape(g, k),
            max_distinct,
            bootstrap,
            replicates,
        )
        return stats._limited()

    @classmethod
    def from_parts(
        cls,
        attributes: Sequence[str],
        keys: Sequence[Key],
        *,
        cell: Any,
        value: Any,
        neg: Any,
        pos: Any,
        bits: Any,
        brier_sum: Any,
        brier_sq_sum: Any,
        brier_min: Any,
        brier_max: Any,
        score_min: Any,
        score_max: Any,
        cal_n: Any,
        cal_pos: Any,
        cal_sum: Any,
        calibration_bins: int = DEFAULT_CALIBRATION_BINS,
        max_distinct: int = MAX_DISTINCT,
        _presorted: bool = False,
    ) -> ScoreStats:
        """Statistics assembled from parts aggregated elsewhere (e.g. by Spark).

        ``keys`` sorted; the table (``cell``, ``value``, ``neg``, ``pos``) at
        any resolution at least as fine as ``bits`` per cell (values already
        truncated to ``bits``, or finer: they are truncated here), in any
        order and with repeats; sums as :func:`exact_sums` returns them (see
        :func:`exact_from_parts`).  The table is sorted, merged and binned
        exactly as for rows, so the result equals statistics built from the
        rows themselves.
        """
        _check_score_options(calibration_bins, max_distinct)
        keys = tuple(tuple(str(x) for x in k) for k in keys)
        if list(keys) != sorted(set(keys)):
            raise ValueError("keys must be sorted and distinct")
        g = len(keys)
        c = np.asarray(cell, dtype=np.int64).reshape(-1)
        if c.size and (int(c.min()) < 0 or int(c.max()) >= g):
            raise ValueError("score table: cell index out of range")
        b = np.asarray(bits, dtype=np.int64).reshape(g)
        if b.size and (int(b.min()) < 1 or int(b.max()) > EXACT_BITS):
            raise ValueError("bits must be in 1..53")
        v = _finite_table(value)
        if not _presorted:  # (a presorted table comes at its bits already: the accumulator's)
            v = quantize(v, b[c])
        negs = np.asarray(neg, dtype=np.int64).reshape(-1)
        poss = np.asarray(pos, dtype=np.int64).reshape(-1)
        if not (negs.size == poss.size == c.size == v.size):
            raise ValueError("score table: cell, value, neg and pos must have one entry per row")
        tc, tk, (tneg, tpos), _ = _aggregate(c, _ordered(v), [negs, poss], g, presorted=_presorted)
        shape = (g, calibration_bins)

        def obj(x: Any, shp: int | tuple[int, ...]) -> Array:
            out = _zeros_object(shp)
            out[...] = np.asarray(x, dtype=object).reshape(shp)
            return out

        stats = cls(
            tuple(attributes),
            keys,
            tc,
            _unordered(tk),
            tneg,
            tpos,
            b,
            obj(brier_sum, g),
            obj(brier_sq_sum, g),
            np.asarray(brier_min, dtype=np.float64).reshape(g),
            np.asarray(brier_max, dtype=np.float64).reshape(g),
            np.asarray(score_min, dtype=np.float64).reshape(g),
            np.asarray(score_max, dtype=np.float64).reshape(g),
            calibration_bins,
            np.asarray(cal_n, dtype=np.int64).reshape(shape),
            np.asarray(cal_pos, dtype=np.int64).reshape(shape),
            obj(cal_sum, shape),
            max_distinct,
        )
        return stats._limited()

    # ---- table maintenance

    def _with_table(
        self, cell: Array, value: Array, neg: Array, pos: Array, bits: Array, reps: Array | None
    ) -> ScoreStats:
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
        keys = _ordered(self.value)
        for c in over.tolist():
            kc = keys[starts[c] : starts[c] + distinct[c]]
            lo, hi = 1, int(bits[c])  # 1 bit always fits: one value per binade and sign (< 4,300)
            while lo < hi:
                mid = (lo + hi + 1) // 2
                q = _quantize_keys(kc, mid)
                if 1 + np.count_nonzero(q[1:] != q[:-1]) <= self.max_distinct:
                    lo = mid
                else:
                    hi = mid - 1
            bits[c] = lo
        k = _quantize_keys(keys, bits[self.cell])
        want = self.replicates is not None
        c, kk, (neg, pos), target = _aggregate(
            self.cell, k, [self.neg, self.pos], self.size, presorted=True, target=want
        )
        reps = None if target is None else _add_replicates(c.size, [(self.replicates, target)])
        return self._with_table(c, _unordered(kk), neg, pos, bits, reps)

    def _regroup(
        self,
        keys: tuple[Key, ...],
        cell_map: Array,
        attributes: tuple[str, ...],
        others: Sequence[tuple[ScoreStats, Array]] = (),
    ) -> ScoreStats:
        """Re-key this table (and ``others``' tables) onto ``keys`` by ``cell_map`` per source, and re-bin."""
        sources = [(self, cell_map), *others]
        n = len(keys)
        bits = np.full(n, EXACT_BITS, dtype=np.int64)
        for st, cm in sources:
            np.minimum.at(bits, cm, st.bits)
        cell_parts, key_parts = [], []
        for st, cm in sources:
            cells_i = cm[st.cell]
            k_i = _ordered(st.value)
            if bool((bits[cm] < st.bits).any()):
                k_i = _quantize_keys(k_i, bits[cells_i])
            cell_parts.append(cells_i)
            key_parts.append(k_i)
        cells = np.concatenate(cell_parts)
        keys_all = np.concatenate(key_parts)
        negs = np.concatenate([st.neg for st, _ in sources])
        poss = np.concatenate([st.pos for st, _ in sources])
        want = self.replicates is not None
        c, k, (neg, pos), target = _aggregate(cells, keys_all, [negs, poss], n, target=want)
        reps = None
        if target is not None:
            offsets = np.cumsum([0] + [st.value.size for st, _ in sources])
            reps = _add_replicates(
                c.size, [(st.replicates, target[offsets[i] : offsets[i + 1]]) for i, (st, _) in enumerate(sources)]
            )

        def per_cell(name: str, fill: Any, combine: Any) -> Array:
            first = getattr(self, name)
            shape = (n, *first.shape[1:])
            if first.dtype == object:
                out = _zeros_object(shape)
            else:
                out = np.full(shape, fill, dtype=first.dtype)
            for st, cm in sources:
                arr = getattr(st, name)
                if arr.dtype == object:
                    _add_object(out, cm, arr)
                else:
                    combine.at(out, cm, arr)
            return out

        return ScoreStats(
            attributes,
            keys,
            c,
            _unordered(k),
            neg,
            pos,
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

    def _check_mergeable(self, other: ScoreStats) -> None:
        _check_attributes(self, other)
        _check_boot(self, other)
        if self.calibration_bins != other.calibration_bins or self.max_distinct != other.max_distinct:
            raise ValueError(
                "score statistics with different calibration bins or distinct-value limits cannot be merged"
            )

    def __add__(self, other: ScoreStats) -> ScoreStats:
        self._check_mergeable(other)
        keys, ia, ib = _union(self.keys, other.keys)
        return self._regroup(keys, ia, self.attributes, [(other, ib)])

    merge = __add__

    @classmethod
    def merge_all(cls, parts: Sequence[ScoreStats]) -> ScoreStats:
        """The sum of many parts in one pass (one sort of all tables, instead of one per addition)."""
        if not parts:
            raise ValueError("nothing to merge")
        first = parts[0]
        for p in parts[1:]:
            first._check_mergeable(p)
        if len(parts) == 1:
            return first
        keys, maps = _union_all([p.keys for p in parts])
        return first._regroup(keys, maps[0], first.attributes, list(zip(parts[1:], maps[1:])))

    def marginal(self, attributes: Sequence[str]) -> ScoreStats:
        groups, cell_group = _marginal_map(self.attributes, self.keys, attributes)
        if tuple(attributes) == self.attributes and self.replicates is None:
            return self  # the cells themselves (already binned by the same rule)
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
        return self.replicates is None or np.array_equal(self.replicates, other.replicates)  # type: ignore[arg-type]

    __hash__ = None  # type: ignore[assignment]

    @property
    def exact(self) -> Array:
        """Per cell: True when no binning was needed."""
        return self.bits >= EXACT_BITS


def _check_score_options(calibration_bins: Any, max_distinct: Any) -> None:
    if not (isinstance(calibration_bins, int) and calibration_bins >= 1):
        raise ValueError(f"calibration bins must be a positive whole number, got {calibration_bins!r}")
    if not (isinstance(max_distinct, int) and max_distinct >= 1):
        raise ValueError(f"max_distinct must be a positive whole number, got {max_distinct!r}")


# --------------------------------------------------------------------------
# streaming score statistics

_NORMAL_MIN = (1 << 63) | (1 << 52)  # ordered key of the smallest positive normal float


class ScoreAccumulator:
    """:class:`ScoreStats` of rows added a batch at a time, in memory bounded by the groups, not the rows.

    ``result()`` equals ``ScoreStats.from_arrays`` of all rows (and the sum of
    the batches' statistics) exactly.  Per batch, the Brier and calibration
    sums are exact sums over rows, and the score counts go to one of two
    places per cell: while a cell holds at most ``max_distinct`` distinct
    scores, to a table of distinct (cell, score) merged now and then with one
    sort; once it holds more, the cell is binned (as :meth:`ScoreStats._limited`
    would) and its positive scores counted in a dense histogram over whole
    binades at that mantissa width, with no sort at all (``np.add.at``).  At
    the end the histograms become table rows at that width, and the usual
    binning rule — the largest width that keeps each cell within
    ``max_distinct`` — is applied to the whole table; nested truncation grids
    make the result the same as binning all rows at once.  ``dense_slots``
    caps the histograms' total size (8 bytes a slot); cells beyond it stay in
    the table; pending table rows are merged once there are ``merge_rows`` of
    them (or as many as the table has).  Not for a Poisson bootstrap (add
    ``ScoreStats`` instead).

    ``add`` may be called from several threads: the per-row work runs
    unlocked, the shared state is updated under a lock.
    """

    def __init__(
        self,
        attributes: Sequence[str],
        *,
        calibration_bins: int = DEFAULT_CALIBRATION_BINS,
        max_distinct: int = MAX_DISTINCT,
        dense_slots: int = 1 << 22,
        merge_rows: int = 1 << 20,
    ) -> None:
        import threading

        _check_score_options(calibration_bins, max_distinct)
        self.attributes = tuple(attributes)
        self.k = calibration_bins
        self.max_distinct = max_distinct
        self.dense_slots = dense_slots
        self.merge_rows = merge_rows
        self._lock = threading.Lock()
        self._ids: dict[Key, int] = {}
        self._keys: list[Key] = []
        self._bits: list[int] = []
        # per cell (rows: cells in the order they were first seen; grown as cells appear)
        self._ext = np.zeros((0, 4))  # brier min, brier max, score min, score max
        self._sums = _zeros_object((0, 2))  # exact brier sum and sum of squares
        self._cal_n = np.zeros((0, calibration_bins), dtype=np.int64)
        self._cal_pos = np.zeros((0, calibration_bins), dtype=np.int64)
        self._cal_sum = _zeros_object((0, calibration_bins))
        # the table: merged (sorted by cell, key) and pending parts
        self._t: tuple[Array, Array, Array, Array] = _empty_table()
        self._pending: list[tuple[Array, Array, Array, Array]] = []
        self._pending_rows = 0
        # dense histograms: per dense cell (first key, slot shift, slots) and its counts (label × slot)
        self._dcell: dict[int, tuple[int, int, int]] = {}
        self._hist: dict[int, Array] = {}
        self._dense_total = 0  # slots of all histograms
        self._entries = np.zeros(0, dtype=np.int64)  # table and pending entries per cell (at least its distinct)
        self._since = np.zeros(0, dtype=np.int64)  # rows counted into each dense histogram since its last fold check
        self._fold_at = np.zeros(0, dtype=np.int64)  # ... and when to check again (doubling while nothing folds)
        self._checked: dict[int, int] = {}  # cell -> its distinct scores when last counted
        self._rows = 0

    # ---- cells

    def _cell_ids(self, keys: Sequence[Key]) -> Array:
        out = np.empty(len(keys), dtype=np.int64)
        new = 0
        for i, key in enumerate(keys):
            g = self._ids.get(key)
            if g is None:
                g = len(self._keys)
                self._ids[key] = g
                self._keys.append(key)
                self._bits.append(EXACT_BITS)
                new += 1
            out[i] = g
        if new:
            ext = np.tile([math.inf, -math.inf, math.inf, -math.inf], (new, 1))
            self._ext = np.concatenate([self._ext, ext])
            self._sums = np.concatenate([self._sums, _zeros_object((new, 2))])
            self._cal_n = np.concatenate([self._cal_n, np.zeros((new, self.k), dtype=np.int64)])
            self._cal_pos = np.concatenate([self._cal_pos, np.zeros((new, self.k), dtype=np.int64)])
            self._cal_sum = np.concatenate([self._cal_sum, _zeros_object((new, self.k))])
            self._since = np.concatenate([self._since, np.zeros(new, dtype=np.int64)])
            self._fold_at = np.concatenate([self._fold_at, np.full(new, 1 << 20, dtype=np.int64)])
        return out

    # ---- adding rows

    def add(self, cells: Cells, y_true: Any, scores: Any) -> None:
        """Add rows split into cells (:func:`encode_cells`) with 0/1 labels and finite scores.

        Rows are sorted a block at a time by (label, cell, calibration bin) (:class:`_SortedBatch`: a radix
        sort of small keys, not of the scores), which gives every sum as a sum over segments; rows of cells
        with dense histograms are counted into them, the others go to the table.
        """
        attributes, keys, cell = cells
        if tuple(attributes) != self.attributes:
            raise ValueError(f"rows over {tuple(attributes)}, statistics over {self.attributes}")
        y = _labels01(y_true, "y_true")
        s, smin, smax = _scores_checked(scores, "scores")
        _same_length(cell.size, y_true=y, scores=s)
        g = len(keys)
        batch = _SortedBatch(cell, y, s, g, self.k, smin, smax)
        if batch.sums is None:  # too many (label, cell, bin) keys, or huge scores: row by row
            cell = _index(cell)
            y64 = y.astype(np.int64)
            sums = _row_sums(cell, s, y64, g, self.k)
            with self._lock:
                gid = self._update(keys, sums)
                gc = gid[cell]
                k = _ordered(s)
                rest = self._to_dense(gc, k, y64)
                if rest is not None:
                    gc, k, y64 = gc[rest], k[rest], y64[rest]
                self._to_table(gc, k, y64)
            return
        with self._lock:
            gid = self._update(keys, batch.sums)
        rows = self._groups(batch, gid)
        with self._lock:
            self._place(rows)

    def add_binary(self, groups: Mapping[str, Any], y_true: Any, y_pred: Any, scores: Any) -> ConfusionStats | None:
        """Add rows given by their group columns (as :func:`encode_cells` takes them), 0/1 labels and
        finite scores, and return their confusion counts for the 0/1 predictions ``y_pred`` (equal to
        ``ConfusionStats.from_arrays``): one sorted pass over the rows for both, on the combinations of
        the attributes' values.  None (nothing added) when that pass does not apply: then use
        :func:`encode_cells`, :meth:`ConfusionStats.from_cells` and :meth:`add`."""
        names, encoded, radix, combined = _radix_codes(groups)
        if names != self.attributes:
            raise ValueError(f"rows over {names}, statistics over {self.attributes}")
        if combined is None or 4 * radix * self.k > _SORT_KEYS or combined.size == 0:
            return None
        y = _labels01(y_true, "y_true")
        p = _labels01(y_pred, "y_pred")
        s, smin, smax = _scores_checked(scores, "scores")
        _same_length(combined.size, y_true=y, y_pred=p, scores=s)
        p8 = p.view(np.uint8) if p.dtype.itemsize == 1 else p.astype(np.uint8)
        batch = _SortedBatch(combined, y, s, radix, self.k, smin, smax, p=p8)
        if batch.sums is None:
            return None
        k = self.k
        per = batch.counts.reshape(2, radix, 2, k).sum(axis=3)  # (label, combination, prediction)
        n, pp = per.sum(axis=2), per[:, :, 1]
        present = np.flatnonzero(n.sum(axis=0))
        keys = tuple(_radix_keys(encoded, present.tolist()))
        counts = np.stack([n[0] - pp[0], pp[0], n[1] - pp[1], pp[1]], axis=1)[present]
        sums = {
            name: (v.reshape(radix, k)[present].reshape(-1) if name.startswith("cal_") else v[present])
            for name, v in batch.sums.items()
        }
        gid = np.full(radix, -1, dtype=np.int64)
        with self._lock:
            gid[present] = self._update(keys, sums)
        rows = self._groups(batch, gid)
        with self._lock:
            self._place(rows)
        return ConfusionStats(names, keys, counts.astype(np.int64))

    def _update(self, keys: Sequence[Key], sums: dict[str, Array]) -> Array:
        """Global ids of a batch's cells, with its sums and extremes added (under the lock)."""
        g = len(keys)
        gid = self._cell_ids(keys)  # distinct: plain fancy indexing adds
        self._rows += int(sums["cal_n"].sum())
        e = self._ext
        e[gid, 0] = np.minimum(e[gid, 0], sums["brier_min"])
        e[gid, 1] = np.maximum(e[gid, 1], sums["brier_max"])
        e[gid, 2] = np.minimum(e[gid, 2], sums["score_min"])
        e[gid, 3] = np.maximum(e[gid, 3], sums["score_max"])
        self._sums[gid] = self._sums[gid] + np.stack([sums["brier_sum"], sums["brier_sq_sum"]], axis=1)
        self._cal_n[gid] += sums["cal_n"].reshape(g, self.k)
        self._cal_pos[gid] += sums["cal_pos"].reshape(g, self.k)
        self._cal_sum[gid] = self._cal_sum[gid] + sums["cal_sum"].reshape(g, self.k)
        return gid

    def _groups(self, batch: _SortedBatch, gid: Array) -> list[tuple[int, int, list[Array], float, float, Any]]:
        """A sorted batch's rows per (label, cell) group — (global cell, label, its scores in pieces,
        smallest, largest, (layout, histogram slots) when the cell's histogram, as it is now, holds them
        all) — computed without the lock (the layout is checked again under it).  Slots are written into a
        per-thread workspace, valid until this thread's next batch."""
        g, k = batch.g, batch.per_group
        gmn = np.full(2 * g, np.inf)
        gmx = np.full(2 * g, -np.inf)
        for _, _, mn, mx in batch.blocks:
            np.minimum(gmn, mn, out=gmn)
            np.maximum(gmx, mx, out=gmx)
        layouts = dict(self._dcell)  # a snapshot
        work = _workspace(batch.scores.size, "slots", np.uint64)
        used = 0
        out = []
        for j in range(2 * g):
            label, c = divmod(j, g)
            pieces = [batch.scores[s + b[j * k] : s + b[(j + 1) * k]] for s, b, _, _ in batch.blocks]
            pieces = [p for p in pieces if p.size]
            if not pieces:
                continue
            cell = int(gid[c])
            lo, hi = float(gmn[j]), float(gmx[j])
            slots = None
            layout = layouts.get(cell)
            if layout is not None:
                first, shift, n_slots = layout
                if _okey(lo) >= first and _okey(hi) < first + (n_slots << shift):
                    # all in the histogram, so positive: (bits | sign) − first = bits − (first − sign)
                    base = np.uint64(first - (1 << 63))
                    rel = work[used : used + sum(p.size for p in pieces)]
                    at = 0
                    for p in pieces:
                        np.subtract(p.view(np.uint64), base, out=rel[at : at + p.size])
                        at += p.size
                    rel >>= np.uint64(shift)
                    used += rel.size
                    slots = (layout, rel.view(np.int64))
            out.append((cell, label, pieces, lo, hi, slots))
        return out

    def _place(self, groups: list[tuple[int, int, list[Array], float, float, Any]]) -> None:
        """Count (label, cell) groups into the dense histograms of their cells (the rows that fall in them);
        a cell without one that has more distinct scores in this batch than the limit gets one now (when it
        has nothing in the table yet); the other rows go to the table (under the lock)."""
        parts: list[tuple[Array, Array, Array]] = []
        fresh: dict[int, list[tuple[int, Array]]] = {}
        for cell, label, pieces, _, _, slots in groups:
            layout = self._dcell.get(cell)
            if slots is not None and slots[0] == layout:
                np.add.at(self._hist[cell][label], slots[1], 1)
                self._since[cell] += slots[1].size
                continue
            keys = _ordered(pieces[0] if len(pieces) == 1 else np.concatenate(pieces))
            if layout is not None:
                rest = keys[~self._count_dense(cell, label, keys)]
            elif cell >= self._entries.size or self._entries[cell] == 0:
                fresh.setdefault(cell, []).append((label, keys))
                continue
            else:
                rest = keys
            if rest.size:
                parts.append((np.full(rest.size, cell, dtype=np.int64), rest, np.full(rest.size, label)))
        for cell, by_label in fresh.items():
            if sum(keys.size for _, keys in by_label) > self.max_distinct and self._densify_rows(cell, by_label):
                by_label = [(label, keys[~self._count_dense(cell, label, keys)]) for label, keys in by_label]
            for label, rest in by_label:
                if rest.size:
                    parts.append((np.full(rest.size, cell, dtype=np.int64), rest, np.full(rest.size, label)))
        if parts:
            self._to_table(*(np.concatenate([p[i] for p in parts]) for i in range(3)))
        for c in [c for c in self._dcell if self._since[c] >= self._fold_at[c]]:
            self._since[c] = 0
            self._fold_at[c] = self._dcell[c][2] if self._fold(c) else 2 * self._fold_at[c]

    def _densify_rows(self, cell: int, by_label: list[tuple[int, Array]]) -> bool:
        """Give a cell with nothing in the table yet a dense histogram now, when this batch's rows of it
        (ordered keys per label) hold more distinct scores than the limit — at the widest mantissa that keeps
        them within it, as :meth:`_densify` does for table rows; whether it got one (rows not counted yet)."""
        keys = np.sort(np.concatenate([k for _, k in by_label]))
        if 1 + np.count_nonzero(keys[1:] != keys[:-1]) <= self.max_distinct:
            return False
        return self._densify_keys(cell, keys)

    def _count_dense(self, cell: int, label: int, keys: Array) -> Array:
        """Count the ordered ``keys`` (of one cell and label) that fall in the cell's histogram (the mask)."""
        first, shift, n_slots = self._dcell[cell]
        rel = keys - np.uint64(first)  # wraps around (huge) below the first key
        inside: Array = rel < np.uint64(n_slots << shift)
        rel >>= np.uint64(shift)
        np.add.at(self._hist[cell][label], rel[inside].view(np.int64), 1)
        self._since[cell] += int(np.count_nonzero(inside))
        return inside

    def _fold(self, cell: int) -> bool:
        """Fold a dense histogram to fewer bits while it alone has more distinct values than the limit (the
        binning rule over all the cell's values can only narrow it further)."""
        first, shift, n_slots = self._dcell[cell]
        h = self._hist[cell]
        nz = np.flatnonzero(h[0] | h[1])
        fold = 0
        while self._bits[cell] - fold > 1 and nz.size and 1 + np.count_nonzero(np.diff(nz >> fold)) > self.max_distinct:
            fold += 1
        if not fold:
            return False
        self._bits[cell] -= fold
        self._hist[cell] = h.reshape(2, n_slots >> fold, 1 << fold).sum(axis=2)
        self._dcell[cell] = (first, shift + fold, n_slots >> fold)
        self._dense_total -= n_slots - (n_slots >> fold)
        return True

    def _to_dense(self, gc: Array, k: Array, y: Array) -> Array | None:
        """Count the rows (global cell, ordered key, 0/1 label) that fall in dense histograms; the indices
        of the others (None: all of them)."""
        if not self._dcell:
            return None
        keep = np.ones(gc.size, dtype=bool)
        for cell in self._dcell:
            rows = np.flatnonzero(gc == cell)
            for label in (0, 1):
                sel = rows[y[rows] == label]
                if sel.size:
                    keep[sel[self._count_dense(cell, label, k[sel])]] = False
        return np.flatnonzero(keep)

    def _to_table(self, gc: Array, k: Array, y: Array) -> None:
        """Rows (global cell, ordered key, 0/1 label) into a pending table part; merge or check cells when due."""
        if gc.size:
            part = _label_table(gc, k, y, len(self._keys))
            self._pending.append(part)
            self._pending_rows += gc.size
            n = len(self._keys)
            if self._entries.size < n:
                self._entries = np.concatenate([self._entries, np.zeros(n - self._entries.size, dtype=np.int64)])
            self._entries += np.bincount(part[0], minlength=n)
            if self._pending_rows >= max(self._t[0].size, self.merge_rows):
                self._merge()
            else:
                self._check_cells()

    # ---- the table

    def _merge(self) -> None:
        """Merge pending table parts into the table; bin cells over the limit into dense histograms."""
        n = len(self._keys)
        parts = [self._t, *self._pending]
        self._pending, self._pending_rows = [], 0
        cell = np.concatenate([p[0] for p in parts])
        key = np.concatenate([p[1] for p in parts])
        bits = np.asarray(self._bits, dtype=np.int64)
        if bool((bits < EXACT_BITS).any()):
            key = _quantize_keys(key, bits[cell])
        c, kk, (neg, pos), _ = _aggregate(
            cell, key, [np.concatenate([p[2] for p in parts]), np.concatenate([p[3] for p in parts])], n
        )
        distinct = np.bincount(c, minlength=n)
        over = [i for i in np.flatnonzero(distinct > self.max_distinct).tolist() if i not in self._dcell]
        self._t = self._densify((c, kk, neg, pos), over) if over else (c, kk, neg, pos)
        self._entries = np.bincount(self._t[0], minlength=n)

    def _check_cells(self) -> None:
        """Cells whose table and pending entries add up to more than the limit: merge just their entries;
        bin those with more distinct scores than the limit into dense histograms.  (Keeps the memory peak
        to a few cells' entries, not the whole table's.)"""
        n = len(self._keys)
        entries = self._entries
        cand = [
            c
            for c in np.flatnonzero(entries > self.max_distinct).tolist()
            if c not in self._dcell and entries[c] > 2 * self._checked.get(c, 0)
        ]
        if not cand:
            return
        parts = [self._t, *self._pending]
        picked = [np.isin(p[0], cand) for p in parts]
        sub = [np.concatenate([p[j][m] for p, m in zip(parts, picked)]) for j in range(4)]
        bits = np.asarray(self._bits, dtype=np.int64)
        key = _quantize_keys(sub[1], bits[sub[0]]) if bool((bits < EXACT_BITS).any()) else sub[1]
        c, kk, (ng, ps), _ = _aggregate(sub[0], key, [sub[2], sub[3]], n)
        distinct = np.bincount(c, minlength=n)
        for x in cand:
            self._checked[x] = int(distinct[x])
        over = [x for x in cand if distinct[x] > self.max_distinct]
        merged = self._densify((c, kk, ng, ps), over) if over else (c, kk, ng, ps)
        keep = [(p[0][~m], p[1][~m], p[2][~m], p[3][~m]) for p, m in zip(parts, picked)]
        self._t = keep[0]
        self._pending = [p for p in keep[1:] if p[0].size] + ([merged] if merged[0].size else [])
        self._entries = np.bincount(self._t[0], minlength=n)
        for p in self._pending:
            self._entries += np.bincount(p[0], minlength=n)

    def _densify(self, table: tuple[Array, Array, Array, Array], cells: list[int]) -> tuple[Array, Array, Array, Array]:
        """Bin ``cells`` (each over the limit in ``table``, sorted) into dense histograms (:meth:`_densify_keys`);
        the table rows left (those outside the histograms)."""
        c, kk, neg, pos = table
        starts = np.searchsorted(c, np.arange(len(self._keys)))
        ends = np.searchsorted(c, np.arange(len(self._keys)), side="right")
        move = np.zeros(c.size, dtype=bool)
        for cell in cells:
            a, b = int(starts[cell]), int(ends[cell])
            keys = kk[a:b]
            if not self._densify_keys(cell, keys):
                continue
            first, shift, n_slots = self._dcell[cell]
            rel = keys - np.uint64(first)
            inside = rel < np.uint64(n_slots << shift)
            slot = (rel[inside] >> np.uint64(shift)).view(np.int64)
            np.add.at(self._hist[cell][0], slot, neg[a:b][inside])
            np.add.at(self._hist[cell][1], slot, pos[a:b][inside])
            move[a:b] = inside
        if move.any():  # the table rows now counted in histograms leave the table (still sorted)
            keep = ~move
            return c[keep], kk[keep], neg[keep], pos[keep]
        return table

    def _densify_keys(self, cell: int, keys: Array) -> bool:
        """Narrow a cell, whose distinct scores (the sorted ordered ``keys``, repeats allowed) are more than the
        limit, to the widest mantissa that keeps them within it, and give it an empty dense histogram over the
        whole binades of its positive normal scores at that width — unless that is over the memory budget or
        mostly empty (few values so far: the cell stays in the table).  Whether it got one."""
        lo, hi = 1, self._bits[cell]
        while lo < hi:
            mid = (lo + hi + 1) // 2
            q = _quantize_keys(keys, mid)
            if 1 + np.count_nonzero(q[1:] != q[:-1]) <= self.max_distinct:
                lo = mid
            else:
                hi = mid - 1
        self._bits[cell] = lo
        normal = keys[keys >= np.uint64(_NORMAL_MIN)]
        if normal.size == 0 or lo >= EXACT_BITS:
            return False
        first = int(normal[0]) & ~((1 << 52) - 1)  # whole binades: coarser widths merge slots evenly
        last = (int(normal[-1]) | ((1 << 52) - 1)) + 1
        shift = EXACT_BITS - lo
        n_slots = (last - first) >> shift
        if self._dense_total + n_slots > self.dense_slots or n_slots > 8 * self.max_distinct:
            return False
        self._dcell[cell] = (first, shift, n_slots)
        self._hist[cell] = np.zeros((2, n_slots), dtype=np.int64)
        self._dense_total += n_slots
        self._since[cell], self._fold_at[cell] = 0, n_slots
        return True

    # ---- the result

    @property
    def rows(self) -> int:
        return self._rows

    def result(self) -> ScoreStats:
        """The statistics of every row added (``ValueError`` if none was).

        Each cell's rows — its table rows (quantized to its current width) and its histogram's non-empty
        slots — are put together in cell key order and score order, so :meth:`ScoreStats.from_parts`
        only applies the binning rule (no sort of the whole table)."""
        with self._lock:
            if not self._keys:
                raise ValueError("no rows were added")
            n = len(self._keys)
            tables = [p for p in (self._t, *self._pending) if p[0].size]  # each sorted by (cell, key)
            spans = [
                (np.searchsorted(t[0], np.arange(n)), np.searchsorted(t[0], np.arange(n), side="right")) for t in tables
            ]
            bits_now = list(self._bits)
            order = sorted(range(n), key=lambda i: self._keys[i])
            out_c: list[Array] = []
            out_k: list[Array] = []
            out_n: list[Array] = []
            out_p: list[Array] = []
            for rank, cell in enumerate(order):
                pieces = []
                for t, (lo, hi) in zip(tables, spans):
                    a, b = int(lo[cell]), int(hi[cell])
                    if b > a:
                        k = t[1][a:b]
                        if bits_now[cell] < EXACT_BITS:
                            k = _quantize_keys(k, bits_now[cell])
                        pieces.append((k, t[2][a:b], t[3][a:b]))
                if cell in self._dcell:
                    first, shift, n_slots = self._dcell[cell]
                    h = self._hist[cell]
                    nz = np.flatnonzero(h[0] | h[1])
                    # fewer bits while its histogram alone has more distinct values than the limit (the binning
                    # rule over all the cell's values can only go further: from_parts applies it): fold slots
                    fold = 0
                    while (
                        bits_now[cell] - fold > 1
                        and nz.size
                        and 1 + np.count_nonzero(np.diff(nz >> fold)) > self.max_distinct
                    ):
                        fold += 1
                    if fold:
                        h = h.reshape(2, n_slots >> fold, 1 << fold).sum(axis=2)
                        shift += fold
                        bits_now[cell] -= fold
                        nz = np.flatnonzero(h[0] | h[1])
                        pieces = [(_quantize_keys(k, bits_now[cell]), ng, ps) for k, ng, ps in pieces]
                    pieces.append((np.uint64(first) + (nz.astype(np.uint64) << np.uint64(shift)), h[0][nz], h[1][nz]))
                if not pieces:
                    continue
                k = np.concatenate([p[0] for p in pieces])
                ng = np.concatenate([p[1] for p in pieces])
                ps = np.concatenate([p[2] for p in pieces])
                zero = np.zeros(k.size, dtype=np.int64)
                _, k, (ng, ps), _ = _aggregate(zero, k, [ng, ps], 1, presorted=len(pieces) == 1)
                out_c.append(np.full(k.size, rank, dtype=np.int64))
                out_k.append(k)
                out_n.append(ng)
                out_p.append(ps)
            return ScoreStats.from_parts(
                self.attributes,
                [self._keys[i] for i in order],
                cell=np.concatenate(out_c),
                value=_unordered(np.concatenate(out_k)),
                neg=np.concatenate(out_n),
                pos=np.concatenate(out_p),
                bits=np.asarray(bits_now, dtype=np.int64)[order],
                brier_sum=self._sums[order, 0],
                brier_sq_sum=self._sums[order, 1],
                brier_min=self._ext[order, 0],
                brier_max=self._ext[order, 1],
                score_min=self._ext[order, 2],
                score_max=self._ext[order, 3],
                cal_n=self._cal_n[order],
                cal_pos=self._cal_pos[order],
                cal_sum=self._cal_sum[order],
                calibration_bins=self.k,
                max_distinct=self.max_distinct,
                _presorted=True,
            )


def _empty_table() -> tuple[Array, Array, Array, Array]:
    e = np.zeros(0, dtype=np.int64)
    return e, np.zeros(0, dtype=np.uint64), e, e


# --------------------------------------------------------------------------
# regression

REGRESSION_SUMS = ("e", "abs_e", "e2", "e4", "y", "y2", "y3", "y4", "e2y", "e2y2")
REGRESSION_EXTREMES = ("e", "abs_e", "y")


def regression_terms(y: Any, p: Any, absolute: Callable[[Any], Any] = np.abs) -> dict[str, Any]:
    """The per-row quantities whose exact sums :class:`RegressionStats` keeps, in this exact float64 order
    of operations: for numpy arrays, or for Spark columns (with ``absolute=pyspark.sql.functions.abs``),
    so that both engines give the same bits."""
    e = p - y
    e2 = e * e
    y2 = y * y
    return {
        "e": e,
        "abs_e": absolute(e),
        "e2": e2,
        "e4": e2 * e2,
        "y": y,
        "y2": y2,
        "y3": y2 * y,
        "y4": y2 * y2,
        "e2y": e2 * y,
        "e2y2": e2 * y2,
    }


@dataclass(frozen=True, eq=False)
class RegressionStats(_Keyed):
    """Per-cell regression statistics: ``n`` and exact ``sums[name]`` for :data:`REGRESSION_SUMS`.

    e = prediction − truth (a positive mean error means over-prediction).
    ``extremes[name]`` holds (min, max) per cell for ``e``, ``abs_e`` and ``y``.
    """

    attributes: tuple[str, ...]
    keys: tuple[Key, ...]
    n: Array
    sums: dict[str, Array]
    extremes: dict[str, tuple[Array, Array]] = field(default_factory=dict)

    @classmethod
    def from_arrays(cls, y_true: Any, y_pred: Any, groups: Mapping[str, Any]) -> RegressionStats:
        return cls.from_cells(encode_cells(groups), y_true, y_pred)

    @classmethod
    def from_counts(cls, y_true: Any, y_pred: Any, groups: Mapping[str, Any], counts: Any) -> RegressionStats:
        """Statistics from an aggregated table: row i stands for ``counts[i]`` rows with its truth and prediction."""
        w = _weights(counts, np.asarray(y_true).size)
        w, (yt, yp, *cols) = _drop_empty(w, y_true, y_pred, *groups.values())
        return cls.from_cells(encode_cells(dict(zip(groups, cols))), yt, yp, weights=w)

    @classmethod
    def from_cells(cls, cells: Cells, y_true: Any, y_pred: Any, *, weights: Any = None) -> RegressionStats:
        """Statistics from rows already split into cells (:func:`encode_cells`); ``weights``: a count per row."""
        attributes, keys, cell = cells
        cell = _index(cell)
        y = _finite(y_true, "y_true")
        p = _finite(y_pred, "y_pred")
        _same_length(cell.size, y_true=y, y_pred=p)
        w = None if weights is None else _weights(weights, cell.size)
        g = len(keys)
        columns = regression_terms(y, p)
        for name, col in columns.items():
            if not np.isfinite(col).all():
                raise ValueError(f"values are too large: the per-row product {name} overflows float64")
        sums = {name: exact_sums(col, cell, g, w) for name, col in columns.items()}
        extremes = {
            name: (
                _group_reduce(np.minimum, columns[name], cell, g, np.inf),
                _group_reduce(np.maximum, columns[name], cell, g, -np.inf),
            )
            for name in REGRESSION_EXTREMES
        }
        return cls(attributes, keys, _count(cell, g, w), sums, extremes)

    @classmethod
    def from_parts(
        cls,
        attributes: Sequence[str],
        keys: Sequence[Key],
        n: Any,
        sums: Mapping[str, Any],
        extremes: Mapping[str, tuple[Any, Any]],
    ) -> RegressionStats:
        """Statistics assembled from parts aggregated elsewhere (sums as :func:`exact_from_parts` returns them)."""
        keys = tuple(tuple(str(x) for x in k) for k in keys)
        if list(keys) != sorted(set(keys)):
            raise ValueError("keys must be sorted and distinct")
        g = len(keys)
        missing = [s for s in REGRESSION_SUMS if s not in sums] + [e for e in REGRESSION_EXTREMES if e not in extremes]
        if missing:
            raise ValueError(f"missing regression parts: {', '.join(missing)}")
        out_sums = {}
        for name in REGRESSION_SUMS:
            arr = _zeros_object(g)
            arr[:] = np.asarray(sums[name], dtype=object).reshape(g)
            out_sums[name] = arr
        ext = {
            name: (
                np.asarray(extremes[name][0], dtype=np.float64).reshape(g),
                np.asarray(extremes[name][1], dtype=np.float64).reshape(g),
            )
            for name in REGRESSION_EXTREMES
        }
        return cls(tuple(attributes), keys, np.asarray(n, dtype=np.int64).reshape(g), out_sums, ext)

    def _combine(
        self,
        keys: tuple[Key, ...],
        attributes: tuple[str, ...],
        sources: Sequence[tuple[RegressionStats, Array]],
    ) -> RegressionStats:
        size = len(keys)
        n = np.zeros(size, dtype=np.int64)
        sums = {}
        for name in REGRESSION_SUMS:
            out = _zeros_object(size)
            for st, cm in sources:
                _add_object(out, cm, st.sums[name])
            sums[name] = out
        extremes = {}
        for name in REGRESSION_EXTREMES:
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


# --------------------------------------------------------------------------
# merging many parts

AnyStats = TypeVar("AnyStats", ConfusionStats, MulticlassStats, ScoreStats, RegressionStats)


def merge_all(parts: Iterable[AnyStats]) -> AnyStats:
    """The sum of statistics of one kind: score tables merge in one sort, the others add up pairwise."""
    items = list(parts)
    if not items:
        raise ValueError("nothing to merge")
    if isinstance(items[0], ScoreStats):
        return ScoreStats.merge_all(items)
    total = items[0]
    for item in items[1:]:
        total = total + item
    return total
