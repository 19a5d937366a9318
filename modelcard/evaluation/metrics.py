"""Disaggregated binary-classification metrics in plain numpy.

Everything here works on integer arrays and never loops over rows in Python:

* rows are assigned to *cells* (one per observed combination of sensitive
  attribute values) with vectorised group codes; a group of any grouping
  (overall, one attribute, the intersection) is a set of cells;
* confusion counts per cell come from one ``np.bincount``; every rate metric
  is a ratio of sums of those counts;
* AUC is the Mann–Whitney rank statistic (ties count one half), computed for
  all groups of a grouping from a single sort;
* confidence intervals: Wilson score intervals for rates, Newcombe's hybrid
  score interval for differences of two independent rates, and a seeded
  percentile bootstrap stratified by cell for everything else (rate ratios and
  AUC).  For rates the bootstrap draws each cell's confusion counts from a
  multinomial, which is exactly the distribution of counts in a resample of
  the cell's rows; for AUC it resamples rows within each cell and class.

A value that divides by zero is ``nan`` here; the caller turns it into an
explicit "undefined" result, never into a number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np

# index of a confusion cell: 2 * label + prediction
TN, FP, FN, TP = 0, 1, 2, 3
ALL = (TN, FP, FN, TP)


@dataclass(frozen=True)
class RateMetric:
    """A metric that is a share: sum of some confusion cells over a sum of others."""

    name: str
    numerator: tuple[int, ...]
    denominator: tuple[int, ...]
    description: str
    formula: str
    higher_is_better: bool | None
    undefined_reason: str


RATE_METRICS: dict[str, RateMetric] = {
    m.name: m
    for m in (
        RateMetric(
            "selection_rate",
            (FP, TP),
            ALL,
            "Share of instances predicted positive.",
            "(TP + FP) / n",
            None,
            "the group is empty (n = 0)",
        ),
        RateMetric(
            "accuracy",
            (TN, TP),
            ALL,
            "Share of correct predictions.",
            "(TP + TN) / n",
            True,
            "the group is empty (n = 0)",
        ),
        RateMetric(
            "tpr",
            (TP,),
            (TP, FN),
            "True positive rate (recall, sensitivity): share of positives predicted positive.",
            "TP / (TP + FN)",
            True,
            "no positive labels in this group (TP + FN = 0)",
        ),
        RateMetric(
            "fnr",
            (FN,),
            (TP, FN),
            "False negative rate (miss rate): share of positives predicted negative.",
            "FN / (TP + FN)",
            False,
            "no positive labels in this group (TP + FN = 0)",
        ),
        RateMetric(
            "fpr",
            (FP,),
            (FP, TN),
            "False positive rate: share of negatives predicted positive.",
            "FP / (FP + TN)",
            False,
            "no negative labels in this group (FP + TN = 0)",
        ),
        RateMetric(
            "tnr",
            (TN,),
            (FP, TN),
            "True negative rate (specificity): share of negatives predicted negative.",
            "TN / (FP + TN)",
            True,
            "no negative labels in this group (FP + TN = 0)",
        ),
        RateMetric(
            "precision",
            (TP,),
            (TP, FP),
            "Precision (positive predictive value): share of positive predictions that are correct.",
            "TP / (TP + FP)",
            True,
            "no positive predictions in this group (TP + FP = 0)",
        ),
    )
}

AUC = "auc"
AUC_DESCRIPTION = (
    "Area under the ROC curve of the scores: the probability that a random positive "
    "scores higher than a random negative, ties counting one half (Mann–Whitney U / (n1 · n0))."
)
AUC_FORMULA = "(R1 - n1 (n1 + 1) / 2) / (n1 n0), R1 = sum of tie-averaged ranks of the positives"
AUC_UNDEFINED = "needs both positive and negative labels in the group"

METRIC_ORDER = (*RATE_METRICS, AUC)


def z_value(confidence: float) -> float:
    """Two-sided standard normal quantile for a confidence level, e.g. 1.96 for 0.95."""
    return NormalDist().inv_cdf(0.5 + confidence / 2)


# --------------------------------------------------------------------------
# groups


def encode(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes, categories): ``categories[codes] == values``; categories sorted."""
    categories, codes = np.unique(values, return_inverse=True)
    return codes.reshape(-1).astype(np.int64), categories


@dataclass
class Cells:
    """Rows assigned to cells, one per observed combination of attribute values."""

    attributes: tuple[str, ...]
    codes: np.ndarray  # (n,) cell of each row
    values: list[tuple[str, ...]]  # values of each cell, one per attribute, in sorted order

    @property
    def count(self) -> int:
        return len(self.values)


class TooManyCells(ValueError):
    """More combinations of attribute values than allowed (raised before any per-cell work)."""

    def __init__(self, count: int, limit: int):
        super().__init__(f"{count} combinations of attribute values, more than {limit}")
        self.count = count
        self.limit = limit


def make_cells(columns: dict[str, np.ndarray | tuple[np.ndarray, np.ndarray]], max_cells: int | None = None) -> Cells:
    """Combine attribute columns into cells (no Python loop over rows).

    A column is an array of labels, or an already encoded ``(codes, sorted categories)`` pair.
    With ``max_cells``, more cells than that raise :class:`TooManyCells` before
    any per-cell work.  Time and memory are linear in rows and cells, whatever
    the number of attributes and categories.
    """
    names = tuple(columns)
    encoded = {k: v if isinstance(v, tuple) else encode(v) for k, v in columns.items()}
    n = len(next(iter(encoded.values()))[0]) if columns else 0
    combined = np.zeros(n, dtype=np.int64)
    radix = 1
    for name in names:
        codes, categories = encoded[name]
        k = max(len(categories), 1)
        if radix * k >= 1 << 62:  # the mixed-radix key would overflow: renumber the combinations seen so far
            seen, combined = np.unique(combined, return_inverse=True)  # sorted: keeps lexicographic order
            combined = combined.reshape(-1)
            radix = max(len(seen), 1)
        combined = combined * k + codes
        radix *= k
    if radix <= max(4 * n, 1 << 20):
        present = np.flatnonzero(np.bincount(combined, minlength=radix))
        if max_cells is not None and present.size > max_cells:
            raise TooManyCells(int(present.size), max_cells)
        remap = np.full(radix, -1, dtype=np.int64)
        remap[present] = np.arange(len(present))
        cell = remap[combined]
    else:  # very many combinations: sort instead of a lookup table
        present, cell = np.unique(combined, return_inverse=True)
        if max_cells is not None and present.size > max_cells:
            raise TooManyCells(int(present.size), max_cells)
        cell = cell.reshape(-1)
    # each cell's values, read off its first row
    _, first = np.unique(cell, return_index=True)
    parts = [[str(c) for c in encoded[name][1][encoded[name][0][first]].tolist()] for name in names]
    values: list[tuple[str, ...]] = list(zip(*parts)) if names else []
    return Cells(names, cell, values)


@dataclass
class Grouping:
    """Groups over some of the attributes (none = overall), each a set of cells."""

    attributes: tuple[str, ...]
    groups: list[tuple[str, ...]]  # values of each group, one per attribute
    cell_to_group: np.ndarray  # (cells,)
    counts: np.ndarray = field(default=None)  # (groups, 4) confusion counts  # type: ignore[assignment]

    @property
    def size(self) -> int:
        return len(self.groups)

    def group_of_rows(self, cells: Cells) -> np.ndarray:
        return self.cell_to_group[cells.codes]

    def sizes(self) -> np.ndarray:
        return self.counts.sum(axis=1)


def make_grouping(cells: Cells, attributes: Sequence[str]) -> Grouping:
    idx = [cells.attributes.index(a) for a in attributes]
    keys = sorted({tuple(v[i] for i in idx) for v in cells.values})
    position = {k: j for j, k in enumerate(keys)}
    mapping = np.array([position[tuple(v[i] for i in idx)] for v in cells.values], dtype=np.int64)
    return Grouping(tuple(attributes), keys, mapping)


def cell_confusion(cells: Cells, y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """(cells, 4) confusion counts [TN, FP, FN, TP] per cell."""
    key = cells.codes * 4 + 2 * y.astype(np.int64) + p.astype(np.int64)
    return np.bincount(key, minlength=4 * cells.count).reshape(cells.count, 4)


def aggregate(cell_values: np.ndarray, cell_to_group: np.ndarray, n_groups: int) -> np.ndarray:
    """Sum per-cell arrays (cells on axis -2) into groups: a sort and a segmented sum (no cells x groups matrix)."""
    order = np.argsort(cell_to_group, kind="stable")
    sorted_groups = cell_to_group[order]
    out = np.zeros(cell_values.shape[:-2] + (n_groups, cell_values.shape[-1]), dtype=cell_values.dtype)
    if order.size:
        present, starts = np.unique(sorted_groups, return_index=True)
        out[..., present, :] = np.add.reduceat(np.take(cell_values, order, axis=-2), starts, axis=-2)
    return out


# --------------------------------------------------------------------------
# rates and their intervals


def rate_parts(counts: np.ndarray, metric: RateMetric) -> tuple[np.ndarray, np.ndarray]:
    """(numerator, denominator) of a rate metric from confusion counts (..., 4)."""
    num = counts[..., list(metric.numerator)].sum(axis=-1)
    den = counts[..., list(metric.denominator)].sum(axis=-1)
    return num, den


def divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den with nan (not a filled number) where den is 0."""
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den != 0)
    return out


def wilson(k: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for k successes in n trials (nan where n = 0)."""
    k = np.asarray(k, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        z2 = z * z
        denom = 1 + z2 / n
        centre = (p + z2 / (2 * n)) / denom
        half = z * np.sqrt(np.maximum(p * (1 - p) / n + z2 / (4 * n * n), 0)) / denom
        lower = np.where(k == 0, 0.0, np.clip(centre - half, 0, 1))
        upper = np.where(k == n, 1.0, np.clip(centre + half, 0, 1))
    bad = n == 0
    return np.where(bad, np.nan, lower), np.where(bad, np.nan, upper)


def newcombe(k1: np.ndarray, n1: np.ndarray, k2: np.ndarray, n2: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe's hybrid score interval (method 10, 1998) for p1 - p2 of independent proportions."""
    p1, p2 = divide(k1, n1), divide(k2, n2)
    l1, u1 = wilson(k1, n1, z)
    l2, u2 = wilson(k2, n2, z)
    d = p1 - p2
    lower = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    upper = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return lower, upper


# --------------------------------------------------------------------------
# AUC


@dataclass
class RankLayout:
    """Rows of one grouping sorted by group then score, cut into tie blocks."""

    order: np.ndarray  # (n,) row indices, sorted by (group, score)
    block_of_row: np.ndarray  # (n,) tie block of each row (in original row order)
    block_group: np.ndarray  # (blocks,) group of each block
    block_rank: np.ndarray  # (blocks,) tie-averaged 1-based rank within the group
    group_first_block: np.ndarray  # (groups,) first block of each group (groups may be empty)
    n_groups: int


def rank_layout(
    scores: np.ndarray, group_of_rows: np.ndarray, n_groups: int, score_order: np.ndarray | None = None
) -> RankLayout:
    if score_order is None:
        score_order = np.argsort(scores, kind="stable")
    order = score_order[np.argsort(group_of_rows[score_order], kind="stable")]
    g = group_of_rows[order]
    s = scores[order]
    n = order.size
    new = np.ones(n, dtype=bool)
    if n:
        new[1:] = (g[1:] != g[:-1]) | (s[1:] != s[:-1])
    starts = np.flatnonzero(new)
    ends = np.append(starts[1:], n) - 1
    block_sorted = np.cumsum(new) - 1
    block_of_row = np.empty(n, dtype=np.int64)
    block_of_row[order] = block_sorted
    group_start = np.searchsorted(g, np.arange(n_groups), side="left")
    block_group = g[starts] if n else np.zeros(0, dtype=np.int64)
    offset = group_start[block_group] if n else np.zeros(0, dtype=np.int64)
    block_rank = (starts - offset + ends - offset) / 2.0 + 1.0
    group_first_block = np.searchsorted(block_group, np.arange(n_groups), side="left")
    return RankLayout(order, block_of_row, block_group, block_rank, group_first_block, n_groups)


def auc_by_group(layout: RankLayout, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(auc, positives, negatives) per group; auc is nan when a class is missing."""
    yf = y.astype(np.float64)
    pos_block = np.bincount(layout.block_of_row, weights=yf, minlength=layout.block_rank.size)
    tot_block = np.bincount(layout.block_of_row, minlength=layout.block_rank.size)
    g = layout.block_group
    n1 = np.bincount(g, weights=pos_block, minlength=layout.n_groups)
    n = np.bincount(g, weights=tot_block, minlength=layout.n_groups)
    n0 = n - n1
    r1 = np.bincount(g, weights=pos_block * layout.block_rank, minlength=layout.n_groups)
    auc = divide(r1 - n1 * (n1 + 1) / 2, n1 * n0)
    return auc, n1, n0


# --------------------------------------------------------------------------
# bootstrap


def bootstrap_cell_counts(cell_counts: np.ndarray, replicates: int, rng: np.random.Generator) -> np.ndarray:
    """(replicates, cells, 4) confusion counts of resamples drawn within each cell.

    Resampling a cell's n rows with replacement gives counts distributed
    Multinomial(n, observed shares), so the counts are drawn directly.
    """
    n = cell_counts.sum(axis=1)
    shares = divide(cell_counts, np.maximum(n, 1)[:, None])
    shares = np.nan_to_num(shares)
    shares[n == 0] = (1.0, 0.0, 0.0, 0.0)
    return rng.multinomial(n, shares, size=(replicates, n.size))


class AucBootstrap:
    """Replicates of AUC per group, resampling rows within each cell and class.

    Rows are collapsed to *atoms* (cell, class, score); a resample of a stratum
    only changes how often each atom occurs, so replicate weights live on atoms,
    drawn from a multinomial when a stratum has few distinct scores and by
    direct index draws otherwise.
    """

    def __init__(self, cells: Cells, y: np.ndarray, scores: np.ndarray, score_order: np.ndarray):
        n = y.size
        # stratum = cell * 2 + class; atoms = distinct (stratum, score), ordered by stratum then score
        stratum = cells.codes * 2 + y.astype(np.int64)
        order = score_order[np.argsort(stratum[score_order], kind="stable")]
        st = stratum[order]
        sc = scores[order]
        new = np.ones(n, dtype=bool)
        if n:
            new[1:] = (st[1:] != st[:-1]) | (sc[1:] != sc[:-1])
        atom_sorted = np.cumsum(new) - 1
        self.atom_of_row = np.empty(n, dtype=np.int64)
        self.atom_of_row[order] = atom_sorted
        first = np.flatnonzero(new)
        self.atom_row = order[first]  # a representative row per atom
        self.atom_count = np.bincount(atom_sorted, minlength=first.size)
        self.atom_stratum = st[first]
        self.atom_positive = self.atom_stratum % 2 == 1
        self.n_atoms = first.size
        n_strata = 2 * cells.count
        self.stratum_size = np.bincount(st, minlength=n_strata)
        self.stratum_atoms = np.bincount(self.atom_stratum, minlength=n_strata)
        self.stratum_first_atom = np.searchsorted(self.atom_stratum, np.arange(n_strata))
        self.stratum_first_row = np.searchsorted(st, np.arange(n_strata))
        self.row_atom_sorted = atom_sorted  # atoms of rows in stratum order

    def draw(self, m: int, rng: np.random.Generator) -> np.ndarray:
        """(atoms, m) resampled occurrence counts: column j is replicate j."""
        w = np.zeros((self.n_atoms, m), dtype=np.int32)
        reps = np.arange(m)
        for s in np.flatnonzero(self.stratum_size):
            size = int(self.stratum_size[s])
            a0, na = int(self.stratum_first_atom[s]), int(self.stratum_atoms[s])
            if na == 1:
                w[a0, :] = size
            elif na * 8 <= size:
                p = self.atom_count[a0 : a0 + na] / size
                w[a0 : a0 + na, :] = rng.multinomial(size, p, size=m).T
            else:
                picks = rng.integers(0, size, size=(m, size))
                if na != size:  # several rows share an atom (tied scores): map rows to atoms
                    r0 = int(self.stratum_first_row[s])
                    picks = (self.row_atom_sorted[r0 : r0 + size] - a0)[picks]
                key = (picks * m + reps[:, None]).ravel()
                w[a0 : a0 + na, :] = np.bincount(key, minlength=na * m).reshape(na, m)
        return w

    def plan(self, layout: RankLayout) -> _AucPlan:
        """Precompute, for one grouping, the atom order that makes each replicate a few array passes."""
        blocks = layout.block_of_row[self.atom_row]
        # atoms sorted by tie block, negatives first inside a block; blocks are sorted by group then score
        perm = np.lexsort((self.atom_positive, blocks))
        sb = blocks[perm]
        new = np.ones(sb.size, dtype=bool)
        new[1:] = sb[1:] != sb[:-1]
        block_start = np.flatnonzero(new)[np.cumsum(new) - 1]  # first sorted atom of each atom's block
        positive = self.atom_positive[perm]
        pos_idx = np.flatnonzero(positive)
        group_of_pos = layout.block_group[sb[pos_idx]]
        pos_group_start = np.searchsorted(group_of_pos, np.arange(layout.n_groups))
        atom_group = layout.block_group[sb]
        group_first_atom = np.searchsorted(atom_group, np.arange(layout.n_groups))
        counts = self.atom_count[perm]
        n1 = np.bincount(atom_group, weights=counts * positive, minlength=layout.n_groups)
        n0 = np.bincount(atom_group, weights=counts * ~positive, minlength=layout.n_groups)
        return _AucPlan(
            perm, ~positive, pos_idx, block_start[pos_idx], pos_group_start, group_first_atom, n1, n0, layout.n_groups
        )

    def replicates(
        self, layouts: Sequence[RankLayout], replicates: int, rng: np.random.Generator, max_cells: int = 4_000_000
    ) -> list[np.ndarray]:
        """For each layout, a (replicates, groups) array of AUC replicates."""
        out = [np.full((replicates, lay.n_groups), np.nan) for lay in layouts]
        if self.n_atoms == 0:
            return out
        plans = [self.plan(lay) for lay in layouts]
        chunk = max(1, min(replicates, max_cells // max(self.n_atoms, int(self.stratum_size.max(initial=1)))))
        done = 0
        while done < replicates:
            m = min(chunk, replicates - done)
            w = self.draw(m, rng)
            for k, plan in enumerate(plans):
                out[k][done : done + m] = plan.auc(w)
            done += m
        return out


@dataclass
class _AucPlan:
    """Weighted Mann–Whitney AUC per group for replicate weights on atoms.

    With atoms sorted by tie block (negatives first), the running sum of
    negative weight at a positive atom counts the negatives below its score
    plus all tied ones; averaging it with the running sum just before its
    block counts ties one half.
    """

    perm: np.ndarray
    negative: np.ndarray  # (atoms,) in sorted order
    pos_idx: np.ndarray  # sorted positions of positive atoms
    pos_block_start: np.ndarray  # sorted position of the first atom of each positive atom's block
    pos_group_start: np.ndarray  # (groups,) first entry of pos_idx in each group
    group_first_atom: np.ndarray  # (groups,) first sorted atom of each group
    n1: np.ndarray  # (groups,) positive weight, the same in every replicate
    n0: np.ndarray
    n_groups: int

    def auc(self, w: np.ndarray) -> np.ndarray:
        """(m, groups) AUC for weights w of shape (atoms, m)."""
        # integer arithmetic throughout (counts of resampled rows), exact; atoms on axis 0 keep the
        # gathers and running sums cache-friendly
        ws = np.take(w, self.perm, axis=0)
        neg = ws * self.negative[:, None].astype(ws.dtype)
        # running sums stay below the row count: int32 is exact (and much faster) below 2**31 rows
        cum = np.cumsum(neg, axis=0, dtype=np.int32 if self.n0.sum() < 2**31 else np.int64)
        before = cum - neg  # negative weight before each atom
        twice_mid = np.take(cum, self.pos_idx, axis=0).astype(np.int64)
        twice_mid += np.take(before, self.pos_block_start, axis=0)
        contrib = twice_mid
        contrib *= np.take(ws, self.pos_idx, axis=0)
        if self.pos_idx.size:
            starts = np.minimum(self.pos_group_start, self.pos_idx.size - 1)
            u2 = np.add.reduceat(contrib, starts, axis=0)
            u2[self.pos_group_start >= self.pos_idx.size, :] = 0
        else:
            u2 = np.zeros((self.n_groups, w.shape[1]), dtype=np.int64)
        first = np.minimum(self.group_first_atom, ws.shape[0] - 1)
        offset = np.take(before, first, axis=0)  # negatives of earlier groups
        u = u2 / 2.0 - offset * self.n1[:, None]
        return divide(u, (self.n1 * self.n0)[:, None]).T


def percentile_interval(replicates: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Percentile interval over axis 0, ignoring undefined replicates.

    Returns (lower, upper, share of undefined replicates).  An interval is nan
    when undefined replicates are too many to place its bounds (more than the
    tail mass on either side, e.g. 2.5% for 95%).
    """
    reps = np.asarray(replicates, dtype=np.float64)
    finite = np.isfinite(reps)
    undefined = 1.0 - finite.mean(axis=0) if reps.shape[0] else np.ones(reps.shape[1:])
    alpha = 1 - confidence
    clean = np.where(finite, reps, np.nan)
    with np.errstate(all="ignore"), _quiet():
        lower = np.nanquantile(clean, alpha / 2, axis=0)
        upper = np.nanquantile(clean, 1 - alpha / 2, axis=0)
    bad = undefined > alpha / 2
    return np.where(bad, np.nan, lower), np.where(bad, np.nan, upper), undefined


class _quiet:
    """Silence numpy's 'All-NaN slice' RuntimeWarning inside nanquantile."""

    def __enter__(self):
        import warnings

        self._cm = warnings.catch_warnings()
        self._cm.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)
