"""Statistics built a batch at a time, from aggregated tables, or from parts equal those of all rows, exactly.

Covers the fast formulations of :mod:`modelcard.evaluation.stats` (packed-key
sorting, exact sums of split floats, order-preserving keys) against
independent references (Fractions, frexp truncation), and the streaming
:class:`ScoreAccumulator` with its dense histograms.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from modelcard.evaluation import stats as S


def _scores(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    if kind == "continuous":
        return rng.random(n)
    if kind == "rounded":
        return np.round(rng.random(n), 3)
    if kind == "zeros":  # exact zeros, a subnormal, a negative and a value above 1
        s = np.where(rng.random(n) < 0.05, 0.0, rng.random(n))
        s[:4] = [-0.5, 5e-324, 2.0, -0.0]
        return s
    if kind == "wide":  # magnitudes over the whole float range
        return rng.normal(size=n) * 10.0 ** rng.integers(-70, 70, n)
    raise ValueError(kind)


def _groups(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    return {"a": rng.choice(list("abcd"), n, p=[0.5, 0.3, 0.19, 0.01]), "b": rng.choice(["x", "y"], n)}


@pytest.mark.parametrize("kind", ["continuous", "rounded", "zeros", "wide"])
@pytest.mark.parametrize("max_distinct", [100_000, 300, 20])
def test_accumulator_equals_whole(kind, max_distinct):
    rng = np.random.default_rng(len(kind) * 7 + max_distinct)
    n = 20_000
    s = _scores(kind, n, rng)
    y = rng.integers(0, 2, n)
    g = _groups(n, rng)
    whole = S.ScoreStats.from_arrays(y, s, g, max_distinct=max_distinct)
    for batch in (997, 6000):
        acc = S.ScoreAccumulator(("a", "b"), max_distinct=max_distinct, merge_rows=1500)
        for start in range(0, n, batch):
            part = slice(start, start + batch)
            acc.add(S.encode_cells({k: v[part] for k, v in g.items()}), y[part], s[part])
        assert acc.result() == whole
        if max_distinct < 1000 and kind != "wide":
            assert acc._dcell, "dense histograms were not exercised"


def test_accumulator_over_the_memory_budget_stays_exact():
    rng = np.random.default_rng(3)
    n = 12_000
    s, y, g = rng.random(n), rng.integers(0, 2, n), _groups(n, rng)
    acc = S.ScoreAccumulator(("a", "b"), max_distinct=50, dense_slots=10, merge_rows=1000)
    for start in range(0, n, 1000):
        part = slice(start, start + 1000)
        acc.add(S.encode_cells({k: v[part] for k, v in g.items()}), y[part], s[part])
    assert not acc._dcell
    assert acc.result() == S.ScoreStats.from_arrays(y, s, g, max_distinct=50)


def test_accumulator_refuses_bad_input():
    acc = S.ScoreAccumulator(("g",))
    with pytest.raises(ValueError, match="no rows"):
        acc.result()
    with pytest.raises(ValueError, match="finite"):
        acc.add(S.encode_cells({"g": np.array(["a"])}), [1], [np.nan])
    with pytest.raises(ValueError, match="rows over"):
        acc.add(S.encode_cells({"h": np.array(["a"])}), [1], [0.5])


@pytest.mark.parametrize("seed", [0, 1])
def test_from_counts_equals_repeated_rows(seed):
    rng = np.random.default_rng(seed)
    n = 3000
    s = np.round(rng.random(n), 2)
    y = rng.integers(0, 2, n)
    p = rng.integers(0, 2, n)
    g = _groups(n, rng)
    w = rng.integers(0, 5, n)
    rep = np.repeat(np.arange(n), w)
    gr = {k: v[rep] for k, v in g.items()}
    assert S.ConfusionStats.from_counts(y, p, g, w) == S.ConfusionStats.from_arrays(y[rep], p[rep], gr)
    assert S.ScoreStats.from_counts(y, s, g, w, max_distinct=40) == S.ScoreStats.from_arrays(
        y[rep], s[rep], gr, max_distinct=40
    )
    assert S.RegressionStats.from_counts(s, s * 3 - 1, g, w) == S.RegressionStats.from_arrays(
        s[rep], s[rep] * 3 - 1, gr
    )
    ct, cp = rng.choice(["u", "v", "w"], n), rng.choice(["u", "v"], n)
    assert S.MulticlassStats.from_counts(ct, cp, g, w) == S.MulticlassStats.from_arrays(ct[rep], cp[rep], gr)
    with pytest.raises(ValueError, match="negative"):
        S.ConfusionStats.from_counts([0], [0], {"g": ["a"]}, [-1])
    with pytest.raises(ValueError, match="bootstrap"):
        S.ConfusionStats.from_cells(
            S.encode_cells({"g": ["a"]}), [0], [0], weights=[2], bootstrap=S.PoissonBootstrap(3)
        )


def test_huge_counts_are_summed_exactly():
    values = np.array([0.1, 1e-300, 3.0, -2.5, 1.7e308 / 2**40])
    counts = np.array([2**40 + 3, 2**33, 1, 2**26 + 1, 7])
    groups = np.array([0, 0, 1, 1, 1])
    sums = S.exact_sums(values, groups, 2, counts)
    for k in range(2):
        exact = sum((Fraction(float(v)) * int(c) for v, c, g in zip(values, counts, groups) if g == k), Fraction(0))
        assert Fraction(int(sums[k]), 2**1130) == exact
    # a score table with counts beyond 2**25 per row takes the exact-integer path
    st = S.ScoreStats.from_counts([0, 1, 1], [0.25, 0.25, 0.75], {"g": ["a", "a", "a"]}, [2**30, 5, 2**27])
    assert int(st.cal_n.sum()) == 2**30 + 5 + 2**27
    b = Fraction(1, 16) * 2**30 + Fraction(9, 16) * 5 + Fraction(1, 16) * 2**27
    assert Fraction(int(st.brier_sum[0]), 2**1130) == b


def test_exact_sums_with_many_groups_and_exponents():
    rng = np.random.default_rng(11)
    n = 5000
    values = rng.normal(size=n) * 10.0 ** rng.integers(-300, 300, n)
    groups = rng.integers(0, 400, n)  # 400 groups x ~1000 exponents: the sparse path
    sums = S.exact_sums(values, groups, 400)
    for k in rng.choice(400, 5, replace=False).tolist():
        exact = sum((Fraction(float(v)) for v in values[groups == k]), Fraction(0))
        assert Fraction(int(sums[k]), 2**1130) == exact
    parts = S.exact_from_parts([0, 0, 1], [1075, 1, 1076], [3, -5, 1], 2)  # 3 - 5*2**-1074, 2
    assert Fraction(int(parts[0]), 2**1130) == 3 - Fraction(5, 2**1074)
    assert Fraction(int(parts[1]), 2**1130) == 2


def test_quantize_matches_frexp_truncation():
    rng = np.random.default_rng(4)
    v = np.concatenate(
        [rng.normal(size=3000) * 10.0 ** rng.integers(-310, 300, 3000), [0.0, 5e-324, -5e-324, 2.2e-308, -1.7e308]]
    )
    for bits in (1, 2, 7, 26, 52, 53):
        mant, expo = np.frexp(v)
        ref = np.ldexp(np.trunc(mant * 2.0**bits) / 2.0**bits, expo) + 0.0
        assert np.array_equal(S.quantize(v, bits).view(np.uint64), ref.view(np.uint64))
    # ordered keys sort like the values
    keys = S._ordered(v)
    assert np.array_equal(np.argsort(keys, kind="stable"), np.argsort(v, kind="stable"))
    assert np.array_equal(S._unordered(keys), v + 0.0)


def test_merge_all_equals_pairwise_sums():
    rng = np.random.default_rng(8)
    parts = []
    for _ in range(5):
        n = int(rng.integers(200, 800))
        parts.append(S.ScoreStats.from_arrays(rng.integers(0, 2, n), rng.random(n), _groups(n, rng), max_distinct=90))
    total = parts[0]
    for p in parts[1:]:
        total = total + p
    assert S.merge_all(parts) == total == S.ScoreStats.merge_all(parts[::-1])
    with pytest.raises(ValueError):
        S.merge_all([])


def test_wide_key_span_takes_the_partitioned_sort():
    # scores of both signs from 1e-70 to 1e70 in 50 cells: (cell, key, label) words do not fit in 64 bits
    rng = np.random.default_rng(2)
    n = 4000
    s = rng.normal(size=n) * 10.0 ** rng.integers(-70, 70, n)
    s[:10] = s[10:20]  # some ties
    y = rng.integers(0, 2, n)
    g = {"a": rng.integers(0, 50, n).astype(str)}
    st = S.ScoreStats.from_arrays(y, s, g)
    for i, key in enumerate(st.keys):
        rows = g["a"] == key[0]
        sel = st.cell == i
        vals, inv = np.unique(s[rows], return_inverse=True)
        assert np.array_equal(st.value[sel], vals)
        assert np.array_equal(st.pos[sel], np.bincount(inv, weights=y[rows], minlength=vals.size).astype(int))
        assert np.array_equal(st.neg[sel], np.bincount(inv, weights=1 - y[rows], minlength=vals.size).astype(int))


@pytest.mark.parametrize("kind", ["continuous", "rounded", "zeros", "wide", "ones", "negative", "subnormal", "huge"])
def test_binary_batches_equal_whole(kind):
    """ScoreAccumulator.add_binary (one sorted pass per batch: label, cell, bin keys; exact sums in limbs;
    dense histograms) gives the confusion counts and score statistics of all rows, exactly."""
    rng = np.random.default_rng(len(kind))
    n = 70_000  # more than one sorted block
    s = {
        "ones": np.where(rng.random(n) < 0.05, 1.0, rng.random(n)),
        "negative": rng.normal(size=n) * 3,
        "subnormal": np.where(rng.random(n) < 0.1, 5e-324 * rng.integers(1, 100, n), rng.random(n)),
        "huge": rng.random(n) * 1e100,  # squared errors overflow: the row-by-row path, and its error
    }.get(kind)
    if s is None:
        s = _scores(kind, n, rng)
    y = rng.integers(0, 2, n).astype(np.int8)
    p = rng.integers(0, 2, n).astype(np.int8)
    g = _groups(n, rng)
    codes = {k: np.unique(v, return_inverse=True) for k, v in g.items()}
    pairs = {k: (inv.reshape(-1).astype(np.int8), uniq) for k, (uniq, inv) in codes.items()}
    for max_distinct in (100_000, 40):
        acc = S.ScoreAccumulator(("a", "b"), max_distinct=max_distinct, merge_rows=3000)
        confs = []
        for start in range(0, n, 9000):
            part = slice(start, start + 9000)
            batch = {k: (c[part], cats) for k, (c, cats) in pairs.items()}
            if kind == "huge":  # the sorted pass declines (bounds overflow); rows one by one refuse them
                assert acc.add_binary(batch, y[part], p[part], s[part]) is None
                with pytest.raises(ValueError, match="too large"):
                    acc.add(S.encode_cells(batch), y[part], s[part])
                return
            conf = acc.add_binary(batch, y[part], p[part], s[part])
            assert conf is not None
            confs.append(conf)
        assert S.merge_all(confs) == S.ConfusionStats.from_arrays(y, p, g)
        assert acc.result() == S.ScoreStats.from_arrays(y, s, g, max_distinct=max_distinct)


def test_binary_batches_many_cells_and_fallbacks():
    rng = np.random.default_rng(9)
    n = 30_000
    s, y, p = rng.random(n), rng.integers(0, 2, n), rng.integers(0, 2, n)
    g = {"a": rng.integers(0, 40, n).astype(str)}  # 40 cells x 2 labels x 10 bins: two-byte sort keys
    acc = S.ScoreAccumulator(("a",), max_distinct=50)
    confs = [
        acc.add_binary({k: v[i : i + 7000] for k, v in g.items()}, y[i : i + 7000], p[i : i + 7000], s[i : i + 7000])
        for i in range(0, n, 7000)
    ]
    assert S.merge_all(confs) == S.ConfusionStats.from_arrays(y, p, g)
    assert acc.result() == S.ScoreStats.from_arrays(y, s, g, max_distinct=50)
    # too many (label, cell, bin) keys for one sort: None, nothing added; add() takes the rows instead
    wide = S.ScoreAccumulator(("a",), calibration_bins=5000)
    assert wide.add_binary({"a": np.arange(10).astype(str)}, np.zeros(10), np.zeros(10), np.linspace(0, 1, 10)) is None
    assert wide.rows == 0
    with pytest.raises(ValueError, match="rows over"):
        acc.add_binary({"b": np.array(["x"])}, [1], [1], [0.5])
