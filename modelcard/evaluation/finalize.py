"""The one finaliser: sufficient statistics → per-group metrics, disparities, spreads and fairness criteria.

Input is the statistics of :mod:`.stats` (from any engine, merged from any
chunks); output is plain frozen dataclasses (:class:`Report` and what it
holds), which the caller maps onto the card schema.  Nothing here reads rows.

Conventions (also in :data:`CONVENTIONS_TEXT`, for the card's test methodology):

* difference = group − reference; ratio = group / reference;
* spread: difference = max − min over the groups with a defined value, ratio =
  min / max (fairlearn's ``difference``/``ratio`` with ``method="between_groups"``);
* every :class:`Estimate` carries its interval (which names its method) or the
  reason it has none, and ``at_level(level)`` recomputes the interval at
  another confidence level (for multiplicity adjustment, see
  :mod:`modelcard.schema.verdicts`).

Interval choices (see :mod:`.intervals` and ``benchmarks/coverage.py``):

* rates: Wilson; differences: Newcombe (method 10); ratios: Koopman's
  score interval (``ratio_method="mover-wilson"`` for MOVER-R with Wilson limits);
* F1: Wilson interval of the Jaccard index mapped through 2J/(1 + J);
  balanced accuracy: MOVER sum of the TPR and TNR Wilson intervals;
* PPR (Aequitas' share of all positive predictions): Wilson on k_g of K;
  differences of two shares of the same K: MOVER with the multinomial
  correlation; ratios: the conditional-binomial (Wilson) interval of k_g / k_ref;
* AUC: ``hanley-mcneil-score`` (default), ``delong`` or ``hanley-mcneil``;
  differences and ratios: MOVER from the two groups' intervals (with
  ``delong``, differences use the Wald interval on var1 + var2);
* Brier score: t interval of the mean per-row loss when each label class has
  at least 10 rows, otherwise the Wilson bound for a [0, 1]-valued mean
  (conservative; the t interval undercovers badly there); ECE: no
  closed form, so no interval unless the statistics carry Poisson-bootstrap
  replicates (percentile interval);
* regression: t intervals for mean error and MAE, RMSE as the square root of
  the log-scale t interval for the MSE, R² by the delta method (see
  :func:`finalize_regression`);
  differences of means: Welch; otherwise MOVER.

Spreads carry the interval that decided them (``spread_method``):

* ``extremes`` – the interval of the difference (ratio) between the group
  with the largest and the group with the smallest value, by the metric's
  own difference (ratio) method, folded onto the spread's range
  (|d| for the difference, min(r, 1/r) for the ratio).  Exact for two groups;
  with more, it ignores that the extreme groups were chosen by the data.
* ``simultaneous`` – per-group intervals at level 1 − α/G (Bonferroni over
  the G groups) cover all group values at once with probability ≥ 1 − α, and
  then the spread lies in [max(0, max L − min U), max U − min L] (ratio:
  [min L / max U, min(1, min U / max L)]).  Valid for any number of groups.
* ``auto`` (default) – ``extremes`` for two groups, ``simultaneous`` for more.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from modelcard.evaluation import intervals as I
from modelcard.evaluation.options import COUNT_METRIC_NAMES
from modelcard.evaluation.stats import (
    FN,
    FP,
    TN,
    TP,
    ConfusionStats,
    Key,
    MulticlassStats,
    RegressionStats,
    ScoreStats,
    exact_covariance,
    exact_mean_var,
)
from modelcard.schema.types import group_text

# --------------------------------------------------------------------------
# definitions

CONVENTIONS_TEXT = (
    "Disparities compare each group with its reference group: difference = group − reference, "
    "ratio = group / reference. Spreads compare all groups of a grouping: difference = max − min, "
    "ratio = min / max over the groups whose value is defined (fairlearn's between-groups convention)."
)


@dataclass(frozen=True)
class MetricDefinition:
    name: str
    description: str
    formula: str
    higher_is_better: bool | None
    undefined_reason: str
    interval_method: str


def _md(
    name: str, description: str, formula: str, higher: bool | None, undefined: str, method: str
) -> MetricDefinition:
    return MetricDefinition(name, description, formula, higher, undefined, method)


_EMPTY = "the group is empty (n = 0)"
_NO_POS = "no positive labels in the group (TP + FN = 0)"
_NO_NEG = "no negative labels in the group (FP + TN = 0)"
_NO_PRED_POS = "no positive predictions in the group (TP + FP = 0)"
_NO_PRED_NEG = "no negative predictions in the group (TN + FN = 0)"

#: binary rate metrics: (numerator cells, denominator cells)
RATE_CELLS: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "base_rate": ((FN, TP), (TN, FP, FN, TP)),
    "selection_rate": ((FP, TP), (TN, FP, FN, TP)),
    "accuracy": ((TN, TP), (TN, FP, FN, TP)),
    "tpr": ((TP,), (TP, FN)),
    "fnr": ((FN,), (TP, FN)),
    "fpr": ((FP,), (FP, TN)),
    "tnr": ((TN,), (FP, TN)),
    "precision": ((TP,), (TP, FP)),
    "npv": ((TN,), (TN, FN)),
    "fdr": ((FP,), (TP, FP)),
    "for": ((FN,), (TN, FN)),
}

BINARY_METRICS: dict[str, MetricDefinition] = {
    d.name: d
    for d in (
        _md(
            "base_rate",
            "Base rate (prevalence): share of instances whose label is positive.",
            "(TP + FN) / n",
            None,
            _EMPTY,
            "wilson",
        ),
        _md(
            "selection_rate",
            "Selection rate: share of instances predicted positive.",
            "(TP + FP) / n",
            None,
            _EMPTY,
            "wilson",
        ),
        _md("accuracy", "Accuracy: share of correct predictions.", "(TP + TN) / n", True, _EMPTY, "wilson"),
        _md(
            "balanced_accuracy",
            "Balanced accuracy: mean of the true positive and true negative rates.",
            "(TPR + TNR) / 2",
            True,
            "needs both positive and negative labels in the group",
            "mover-sum-wilson",
        ),
        _md(
            "tpr",
            "True positive rate (recall, sensitivity): share of positives predicted positive.",
            "TP / (TP + FN)",
            True,
            _NO_POS,
            "wilson",
        ),
        _md(
            "fnr",
            "False negative rate (miss rate): share of positives predicted negative.",
            "FN / (TP + FN)",
            False,
            _NO_POS,
            "wilson",
        ),
        _md(
            "fpr",
            "False positive rate: share of negatives predicted positive.",
            "FP / (FP + TN)",
            False,
            _NO_NEG,
            "wilson",
        ),
        _md(
            "tnr",
            "True negative rate (specificity): share of negatives predicted negative.",
            "TN / (FP + TN)",
            True,
            _NO_NEG,
            "wilson",
        ),
        _md(
            "precision",
            "Precision (positive predictive value, PPV): share of positive predictions that are correct.",
            "TP / (TP + FP)",
            True,
            _NO_PRED_POS,
            "wilson",
        ),
        _md(
            "npv",
            "Negative predictive value: share of negative predictions that are correct.",
            "TN / (TN + FN)",
            True,
            _NO_PRED_NEG,
            "wilson",
        ),
        _md(
            "fdr",
            "False discovery rate: share of positive predictions that are wrong.",
            "FP / (TP + FP)",
            False,
            _NO_PRED_POS,
            "wilson",
        ),
        _md(
            "for",
            "False omission rate: share of negative predictions that are wrong.",
            "FN / (TN + FN)",
            False,
            _NO_PRED_NEG,
            "wilson",
        ),
        _md(
            "f1",
            "F1 score: harmonic mean of precision and recall.",
            "2 TP / (2 TP + FP + FN)",
            True,
            "no positive labels and no positive predictions in the group (TP + FP + FN = 0)",
            "jaccard-wilson",
        ),
        _md(
            "ppr",
            "Predicted positive rate (Aequitas' PPR): the group's share of all positive predictions of the grouping.",
            "(TP + FP)_group / Σ over groups (TP + FP)",
            None,
            "no positive predictions in any group",
            "wilson",
        ),
    )
}

SCORE_METRICS: dict[str, MetricDefinition] = {
    d.name: d
    for d in (
        _md(
            "auc",
            "Area under the ROC curve: the probability that a random positive scores higher than a random "
            "negative, ties counting one half.",
            "Σ_v pos_v (negatives below v + ½ neg_v) / (n1 n0)",
            True,
            "needs both positive and negative labels in the group",
            "hanley-mcneil-score",
        ),
        _md(
            "brier",
            "Brier score: mean squared difference between the score and the 0/1 label.",
            "Σ (score − label)² / n",
            False,
            _EMPTY,
            "t",
        ),
        _md(
            "ece",
            "Expected calibration error: the n-weighted mean over equal-width score bins of "
            "|observed positive rate − mean score|.",
            "Σ_b (n_b / n) |pos_b / n_b − mean score_b|",
            False,
            _EMPTY,
            "none",
        ),
    )
}

REGRESSION_METRICS: dict[str, MetricDefinition] = {
    d.name: d
    for d in (
        _md(
            "mean_error",
            "Mean error (bias): mean of prediction − truth; positive means over-prediction.",
            "Σ (ŷ − y) / n",
            None,
            _EMPTY,
            "t",
        ),
        _md("mae", "Mean absolute error.", "Σ |ŷ − y| / n", False, _EMPTY, "t"),
        _md("rmse", "Root mean squared error.", "sqrt(Σ (ŷ − y)² / n)", False, _EMPTY, "log-t-sqrt"),
        _md(
            "r2",
            "Coefficient of determination: 1 − SSE / SST within the group.",
            "1 − Σ (ŷ − y)² / Σ (y − ȳ)²",
            True,
            "the labels do not vary within the group (SST = 0)",
            "delta-t",
        ),
    )
}


@dataclass(frozen=True)
class Criterion:
    name: str
    title: str
    metrics: tuple[str, ...]
    definition: str


CRITERIA: dict[str, Criterion] = {
    c.name: c
    for c in (
        Criterion(
            "demographic_parity",
            "Demographic parity",
            ("selection_rate",),
            "Demographic (statistical) parity: every group is predicted positive at the same rate, "
            "P(Ŷ = 1 | A = a) equal for all a. Measured by the selection-rate disparities; its spread is "
            "fairlearn's demographic_parity_difference (max − min) and demographic_parity_ratio (min / max).",
        ),
        Criterion(
            "equal_opportunity",
            "Equal opportunity",
            ("tpr",),
            "Equal opportunity (Hardt et al., 2016): equal true positive rates, P(Ŷ = 1 | Y = 1, A = a) equal "
            "for all a. Measured by the TPR disparities and spread.",
        ),
        Criterion(
            "equalized_odds",
            "Equalized odds",
            ("tpr", "fpr"),
            "Equalized odds (Hardt et al., 2016): equal true positive rates and equal false positive rates. "
            "As in fairlearn, the difference is the larger of the TPR and FPR differences "
            "(equalized_odds_difference) and the ratio the smaller of the two ratios (equalized_odds_ratio). "
            "Group-vs-reference: the larger |difference| and the smaller of min(r, 1/r) of the two rates. "
            "Intervals: each component at level 1 − α/2 (Bonferroni), then combined by the same max/min, "
            "so the pair is covered jointly.",
        ),
        Criterion(
            "predictive_parity",
            "Predictive parity",
            ("precision",),
            "Predictive parity (Chouldechova, 2017): equal precision (positive predictive value), "
            "P(Y = 1 | Ŷ = 1, A = a) equal for all a. Measured by the precision disparities and spread.",
        ),
        Criterion(
            "calibration_within_groups",
            "Calibration within groups",
            ("ece",),
            "Calibration within groups (Kleinberg et al., 2016): within every group, among instances with score "
            "s, a share s is positive: P(Y = 1 | S = s, A = a) = s. Measured per group by the expected "
            "calibration error over equal-width score bins and shown as a reliability chart (observed positive "
            "rate per bin with Wilson intervals); disparities compare the groups' ECE.",
        ),
    )
}

#: the confusion counts of a binary classifier, reported per group (they are data, not estimates: no interval)
_COUNT_TEXT = {
    "tp": "True positives: instances with a positive label predicted positive.",
    "fp": "False positives: instances with a negative label predicted positive.",
    "fn": "False negatives: instances with a positive label predicted negative.",
    "tn": "True negatives: instances with a negative label predicted negative.",
}
COUNT_METRICS: dict[str, MetricDefinition] = {
    name: _md(name, _COUNT_TEXT[name], name.upper(), None, _EMPTY, "none") for name in COUNT_METRIC_NAMES
}
COUNT_CELLS = {"tp": TP, "fp": FP, "fn": FN, "tn": TN}

#: the one criterion with results of its own (the others are the disparities of one metric)
EQUALIZED_ODDS = MetricDefinition(
    "equalized_odds",
    "Equalized odds, group against reference: the larger of the absolute TPR and FPR differences "
    "(difference) and the smaller of the TPR and FPR ratios folded onto (0, 1] as min(r, 1/r) (ratio); "
    "spread: the larger of the TPR and FPR spreads (max − min) and the smaller of their min / max ratios "
    "(fairlearn's equalized_odds_difference and equalized_odds_ratio).",
    "max(|ΔTPR|, |ΔFPR|); min(min(r, 1/r) over TPR and FPR ratios)",
    False,
    "needs the TPR and FPR of both groups",
    "max/min of the TPR and FPR component intervals, each at level 1 − α/2",
)

# --------------------------------------------------------------------------
# results


@dataclass(frozen=True)
class Estimate:
    """A value with its interval, or the reason either is missing.

    ``value`` None means undefined (``undefined_reason`` says why); a defined
    value may still have no interval (``no_interval_reason``).  A ratio whose
    reference value is 0 has ``value`` None but may carry a one-sided interval
    ``[L, +inf)``.  ``at_level(level)`` recomputes the interval at another
    confidence level (None when there is none).
    """

    value: float | None
    interval: I.Interval | None = None
    n: int | None = None
    undefined_reason: str | None = None
    no_interval_reason: str | None = None
    note: str | None = None
    at_level: Callable[[float], I.Interval | None] | None = field(default=None, compare=False, repr=False)

    @property
    def defined(self) -> bool:
        return self.value is not None

    @property
    def method(self) -> str | None:
        return self.interval.method if self.interval is not None else None


@dataclass(frozen=True)
class GroupResult:
    group: Key
    n: int
    metrics: dict[str, Estimate]
    counts: tuple[int, int, int, int] | None = None  # TN, FP, FN, TP (binary tasks)


@dataclass(frozen=True)
class Comparison:
    """One group against its reference on one metric."""

    metric: str
    group: Key
    reference: Key
    value: Estimate
    reference_value: Estimate
    difference: Estimate
    ratio: Estimate


@dataclass(frozen=True)
class Spread:
    """Max − min and min / max of one metric over a grouping's groups, with the intervals that decide them."""

    metric: str
    max_group: Key | None
    min_group: Key | None
    difference: Estimate
    ratio: Estimate
    method: str
    groups_compared: int


@dataclass(frozen=True)
class CriterionResult:
    criterion: Criterion
    comparisons: tuple[Comparison, ...]
    spread: Spread | None


@dataclass(frozen=True)
class ReliabilityBin:
    lower: float
    upper: float
    n: int
    positives: int
    mean_score: float | None
    observed: Estimate


@dataclass(frozen=True)
class Calibration:
    group: Key
    brier: Estimate
    ece: Estimate
    bins: tuple[ReliabilityBin, ...]


@dataclass(frozen=True)
class GroupingResult:
    attributes: tuple[str, ...]
    groups: tuple[GroupResult, ...]
    reference_note: str
    comparisons: tuple[Comparison, ...]
    spreads: tuple[Spread, ...]
    criteria: tuple[CriterionResult, ...] = ()
    calibration: tuple[Calibration, ...] = ()

    @cached_property
    def _by_key(self) -> dict[Key, GroupResult]:
        return {g.group: g for g in self.groups}

    def group(self, key: Sequence[str]) -> GroupResult:
        return self._by_key[tuple(key)]

    def comparison(self, metric: str, group: Sequence[str]) -> Comparison:
        for c in self.comparisons:
            if c.metric == metric and c.group == tuple(group):
                return c
        raise KeyError((metric, tuple(group)))

    def spread(self, metric: str) -> Spread:
        for s in self.spreads:
            if s.metric == metric:
                return s
        raise KeyError(metric)

    def criterion(self, name: str) -> CriterionResult:
        for c in self.criteria:
            if c.criterion.name == name:
                return c
        raise KeyError(name)


@dataclass(frozen=True)
class Report:
    task: str
    level: float
    metrics: tuple[MetricDefinition, ...]
    groupings: tuple[GroupingResult, ...]
    conventions: str = CONVENTIONS_TEXT
    notes: tuple[str, ...] = ()

    def grouping(self, attributes: Sequence[str]) -> GroupingResult:
        for g in self.groupings:
            if g.attributes == tuple(attributes):
                return g
        raise KeyError(tuple(attributes))


# --------------------------------------------------------------------------
# metric models: values and intervals for all groups of a grouping, vectorised


def _result(
    lo: float, hi: float, level: float, method: str, reason: str, note: str | None = None
) -> tuple[I.Interval | None, str | None]:
    lo, hi = float(lo), float(hi)
    if math.isnan(lo) or math.isnan(hi):
        return None, reason
    if lo > hi:
        lo = hi = (lo + hi) / 2
    return I.Interval(lo, hi, level, method, note), None


class _Model:
    """Values of one metric for the G groups of a grouping, and how to build intervals."""

    name: str
    method: str = "none"
    diff_method: str = "none"
    ratio_method: str = "none"
    nonnegative: bool = True  # ratios are meaningful

    def __init__(self, name: str, value: ArrayLike, n: ArrayLike, reason: str):
        self.name = name
        self.value = np.asarray(value, dtype=np.float64)
        self.n = np.asarray(n)
        self.reason = reason

    def note(self, g: int) -> str | None:
        return None

    def diff_method_of(self, g: int, r: int) -> str:
        """The method of the interval for the difference of groups g and r (the same for every pair here)."""
        return self.diff_method

    def bounds(self, idx: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
        nan = np.full(len(idx), np.nan)
        return nan, nan

    def diff_bounds(self, gi: np.ndarray, ri: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
        lg, ug = self.bounds(gi, level)
        lr, ur = self.bounds(ri, level)
        return I.mover_difference_bounds(self.value[gi], lg, ug, self.value[ri], lr, ur)

    def ratio_bounds(self, gi: np.ndarray, ri: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
        lg, ug = self.bounds(gi, level)
        lr, ur = self.bounds(ri, level)
        return I.mover_ratio_bounds(self.value[gi], lg, ug, self.value[ri], lr, ur)

    no_interval = "no closed-form interval"

    # scalar helpers

    def interval(self, g: int, level: float) -> tuple[I.Interval | None, str | None]:
        lo, hi = self.bounds(np.array([g]), level)
        return _result(lo[0], hi[0], level, self.method, self.no_interval)

    def _interval_at(self, g: int, level: float) -> I.Interval | None:
        return self.interval(g, level)[0]

    def estimate(self, g: int, level: float) -> Estimate:
        v = self.value[g]
        n = int(self.n[g]) if self.n is not None else None
        if not np.isfinite(v):
            return Estimate(None, None, n, self.reason)
        ci, why = self.interval(g, level)
        return Estimate(float(v), ci, n, None, why, self.note(g), partial(self._interval_at, g))

    def estimates(self, level: float) -> list[Estimate]:
        """Every group's estimate; intervals from one vectorised call (per group only where one is missing)."""
        lo, hi = self.bounds(np.arange(self.value.size), level)
        out = []
        for g in range(self.value.size):
            ci = _result(lo[g], hi[g], level, self.method, "")[0] if np.isfinite(self.value[g]) else None
            if ci is None:
                out.append(self.estimate(g, level))  # undefined value, or the reason there is no interval
                continue
            out.append(
                Estimate(
                    float(self.value[g]),
                    ci,
                    int(self.n[g]),
                    None,
                    None,
                    self.note(g),
                    partial(self._interval_at, g),
                )
            )
        return out


class _RateModel(_Model):
    method = "wilson"
    diff_method = "newcombe"

    def __init__(self, name: str, num: ArrayLike, den: ArrayLike, reason: str, ratio_method: str = "koopman"):
        num = np.asarray(num, dtype=np.int64)
        den = np.asarray(den, dtype=np.int64)
        super().__init__(name, np.divide(num, den, out=np.full(num.shape, np.nan), where=den > 0), den, reason)
        self.num, self.den = num, den
        self.ratio_method = ratio_method

    def bounds(self, idx: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
        return I.wilson_bounds(self.num[idx], self.den[idx], level)

    def diff_bounds(self, gi: np.ndarray, ri: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
        return I.newcombe_bounds(self.num[gi], self.den[gi], self.num[ri], self.den[ri], level)

    def ratio_bounds(self, gi: np.ndarray, ri: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
        key = (level, tuple(np.asarray(gi).tolist()), tuple(np.asarray(ri).tolist()))
        cached: tuple[np.ndarray, np.ndarray] | None = self.__dict__.get("_ratio_cache", {}).get(key)
        if cached is not None:
            return cached
        if self.ratio_method == "koopman":
            return I.koopman_bounds(self.num[gi], self.den[gi], self.num[ri], self.den[ri], level)
        return I.mover_wilson_ratio_bounds(self.num[gi], self.den[gi], self.num[ri], self.den[ri], level)


def _prefetch_ratio_bounds(models: Mapping[str, _Model], gi: np.ndarray, ri: np.ndarray, level: float) -> None:
    """Koopman's bounds (a bisection) for the same pairs of every rate metric of a grouping in one call:
    the cost is in the number of calls, not their size.  Each model then finds its bounds in its cache."""
    rates = [m for m in models.values() if isinstance(m, _RateModel) and m.ratio_method == "koopman"]
    if len(rates) < 2 or gi.size == 0:
        return
    k1 = np.concatenate([m.num[gi] for m in rates])
    n1 = np.concatenate([m.den[gi] for m in rates])
    k2 = np.concatenate([m.num[ri] for m in rates])
    n2 = np.concatenate([m.den[ri] for m in rates])
    lo, hi = I.koopman_bounds(k1, n1, k2, n2, level)
    key = (level, tuple(gi.tolist()), tuple(ri.tolist()))
    for j, m in enumerate(rates):
        part = slice(j * gi.size, (j + 1) * gi.size)
        cache = m.__dict__.setdefault("_ratio_cache", {})
        cache[key] = (lo[part], hi[part])


class _ShareModel(_Model):
    """Shares k_g / K of one total (Aequitas' PPR)."""

    method = "wilson"
    diff_method = "mover-multinomial"
    ratio_method = "conditional-wilson"

    def __init__(self, name: str, k: ArrayLike, reason: str):
        k = np.asarray(k, dtype=np.int64)
        total = int(k.sum())
        self.total = total
        value = k / total if total > 0 else np.full(k.shape, np.nan)
        super().__init__(name, value, np.full(k.shape, total), reason)
        self.k = k

    def bounds(self, idx: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
        return I.wilson_bounds(self.k[idx], np.full(len(idx), self.total), level)

    def diff_bounds(self, gi: np.ndarray, ri: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
        return I.dependent_share_difference_bounds(self.k[gi], self.k[ri], self.total, level)

    def ratio_bounds(self, gi: np.ndarray, ri: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
        return I.conditional_count_ratio_bounds(self.k[gi], self.k[ri], level)


class _BoundsModel(_Model):
    """Any metric with its own interval function; differences and ratios by MOVER."""

    diff_method = "mover"
    ratio_method = "mover"

    def __init__(
        self,
        name: str,
        value: ArrayLike,
        n: ArrayLike,
        reason: str,
        method: str,
        bounds_fn: Callable[[float], tuple[np.ndarray, np.ndarray]],
        nonnegative: bool = True,
        notes: Mapping[int, str] | None = None,
        no_interval: str | None = None,
    ):
        super().__init__(name, value, n, reason)
        self.method = method
        self._bounds = bounds_fn
        self._cache: dict[float, tuple[np.ndarray, np.ndarray]] = {}
        self.nonnegative = nonnegative
        self._notes = dict(notes or {})
        if no_interval:
            self.no_interval = no_interval

    def bounds(self, idx: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
        cached = self._cache.get(level)
        if cached is None:
            cached = self._cache[level] = self._bounds(level)
        lo, hi = cached
        return lo[idx], hi[idx]

    def note(self, g: int) -> str | None:
        return self._notes.get(g)


class _MeanModel(_BoundsModel):
    """A mean per group (mean error, MAE, Brier): t intervals, Welch differences, MOVER ratios.

    ``bounded`` (the Brier score): values in [0, 1]; groups where ``use_t`` is
    False (or the t interval is unavailable) get the Wilson bound instead, and
    their differences use MOVER on those intervals rather than Welch.
    """

    diff_method = "welch"

    def __init__(
        self,
        name: str,
        mean: ArrayLike,
        sd: ArrayLike,
        n: ArrayLike,
        reason: str,
        nonnegative: bool = True,
        bounded: bool = False,
        use_t: ArrayLike | None = None,
    ):
        self.mean, self.sd = np.asarray(mean, float), np.asarray(sd, float)
        self.bounded = bounded
        self.use_t = np.ones(self.mean.shape, bool) if use_t is None else np.asarray(use_t, bool)
        super().__init__(name, mean, n, reason, "t", self._t_bounds, nonnegative)

    def diff_method_of(self, g: int, r: int) -> str:
        # the Brier score of a group without a t interval (a rare class) is compared by MOVER on its Wilson bound
        if not self.bounded:
            return "welch"
        if not (self.use_t[g] and self.use_t[r]):
            return "mover"
        lo, _ = I.welch_bounds(self.mean[g], self.sd[g], self.n[g], self.mean[r], self.sd[r], self.n[r], 0.95)
        return "mover" if np.isnan(lo).any() else "welch"  # no Welch interval (a zero variance): MOVER

    def _one(self, g: int, level: float) -> I.IntervalResult:
        n = int(self.n[g])
        sd = float(self.sd[g]) if np.isfinite(self.sd[g]) else 0.0
        if self.bounded:
            return I.bounded_mean_interval(float(self.mean[g]), sd, n, level, use_t=bool(self.use_t[g]))
        return I.mean_interval(float(self.mean[g]), sd, n, level)

    def _t_bounds(self, level: float) -> tuple[np.ndarray, np.ndarray]:
        lo = np.full(self.value.shape, np.nan)
        hi = np.full(self.value.shape, np.nan)
        for g in range(self.value.size):
            if np.isfinite(self.value[g]):
                ci = self._one(g, level)
                if isinstance(ci, I.Interval):
                    lo[g], hi[g] = ci.lower, ci.upper
        return lo, hi

    def interval(self, g: int, level: float) -> tuple[I.Interval | None, str | None]:
        ci = self._one(g, level)
        return (ci, None) if isinstance(ci, I.Interval) else (None, ci.reason)

    def estimates(self, level: float) -> list[Estimate]:  # the method differs between groups (t or wilson-bound)
        return [self.estimate(g, level) for g in range(self.value.size)]

    def diff_bounds(self, gi: np.ndarray, ri: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = I.welch_bounds(self.mean[gi], self.sd[gi], self.n[gi], self.mean[ri], self.sd[ri], self.n[ri], level)
        if self.bounded:  # a group without a t interval: MOVER on the Wilson-bound intervals
            t_ok = self.use_t[gi] & self.use_t[ri]
            lo2, hi2 = super().diff_bounds(gi, ri, level)
            lo = np.where(t_ok & ~np.isnan(lo), lo, lo2)
            hi = np.where(t_ok & ~np.isnan(hi), hi, hi2)
        return lo, hi


class _DelongModel(_BoundsModel):
    diff_method = "delong-wald"

    def __init__(self, name: str, parts: I.AucParts, reason: str, notes: Mapping[int, str]):
        self.parts = parts
        super().__init__(
            name,
            parts.auc,
            parts.positives + parts.negatives,
            reason,
            "delong",
            lambda lv: I.auc_bounds(parts, lv, "delong"),
            True,
            notes,
            "DeLong's variance needs at least two positives and two negatives",
        )

    def diff_bounds(self, gi: np.ndarray, ri: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
        d = self.value[gi] - self.value[ri]
        return I.wald_bounds(d, self.parts.delong_var[gi] + self.parts.delong_var[ri], level)


class _BootModel(_Model):
    """Percentile intervals from Poisson-bootstrap replicates (B, G) of the metric."""

    method = diff_method = ratio_method = "poisson-bootstrap-percentile"

    def __init__(self, name: str, value: ArrayLike, n: ArrayLike, reason: str, reps: ArrayLike):
        super().__init__(name, value, n, reason)
        self.reps = np.asarray(reps, dtype=np.float64)
        self.no_interval = "too many undefined bootstrap replicates to place the interval"

    @staticmethod
    def _pct(samples: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
        """Percentile interval per column over the finite replicates; none where more than α/2 are undefined."""
        alpha = 1 - level
        samples = np.asarray(samples, dtype=np.float64)
        if samples.shape[0] == 0 or samples.shape[1] == 0:
            nan = np.full(samples.shape[1], np.nan)
            return nan, nan.copy()
        finite = np.isfinite(samples)
        count = finite.sum(axis=0)
        ok = (count > 0) & ((samples.shape[0] - count) / samples.shape[0] <= alpha / 2)
        ordered = np.sort(np.where(finite, samples, np.inf), axis=0)  # undefined replicates sort last

        def quantile(q: float) -> np.ndarray:  # numpy's default ('linear') quantile of each column's finite part
            pos = q * np.maximum(count - 1, 0)
            below = np.floor(pos).astype(np.int64)
            above = np.minimum(below + 1, np.maximum(count - 1, 0))
            a = np.take_along_axis(ordered, below[None, :], axis=0)[0]
            b = np.take_along_axis(ordered, above[None, :], axis=0)[0]
            with np.errstate(invalid="ignore"):
                out: np.ndarray = np.where(below == above, a, a + (pos - below) * (b - a))
                return out

        return np.where(ok, quantile(alpha / 2), np.nan), np.where(ok, quantile(1 - alpha / 2), np.nan)

    def bounds(self, idx: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
        return self._pct(self.reps[:, idx], level)

    def diff_bounds(self, gi: np.ndarray, ri: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
        return self._pct(self.reps[:, gi] - self.reps[:, ri], level)

    def ratio_bounds(self, gi: np.ndarray, ri: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
        with np.errstate(divide="ignore", invalid="ignore"):
            return self._pct(self.reps[:, gi] / self.reps[:, ri], level)


# --------------------------------------------------------------------------
# comparisons and spreads


def _fold_abs(lo: float, hi: float) -> tuple[float, float]:
    """Range of |d| for d in [lo, hi]."""
    if lo >= 0:
        return lo, hi
    if hi <= 0:
        return -hi, -lo
    return 0.0, max(-lo, hi)


def _fold_ratio(lo: float, hi: float) -> tuple[float, float]:
    """Range of min(r, 1/r) for r in [lo, hi] (r >= 0)."""
    if hi <= 1:
        return lo, hi
    if lo >= 1:
        return 1 / hi if math.isfinite(hi) else 0.0, 1 / lo
    return min(lo, 1 / hi if math.isfinite(hi) else 0.0), 1.0


def _undefined_pair(model: _Model, g: int, r: int) -> str | None:
    gv, rv = np.isfinite(model.value[g]), np.isfinite(model.value[r])
    if gv and rv:
        return None
    if not gv and not rv:
        who = "both groups'"
    elif not gv:
        who = "the group's"
    else:
        who = "the reference group's"
    return f"{who} {model.name} is undefined ({model.reason})"


def _diff_interval(model: _Model, g: int, r: int, level: float) -> I.Interval | None:
    lo, hi = model.diff_bounds(np.array([g]), np.array([r]), level)
    return _result(lo[0], hi[0], level, model.diff_method_of(g, r), "")[0]


def _ratio_interval(model: _Model, g: int, r: int, level: float) -> I.Interval | None:
    lo, hi = model.ratio_bounds(np.array([g]), np.array([r]), level)
    note = "the reference value is 0: the ratio is unbounded above" if model.value[r] == 0 else None
    return _result(lo[0], hi[0], level, model.ratio_method, "", note)[0]


def _comparisons(
    model: _Model, pairs: Sequence[tuple[int, int]], keys: Sequence[Key], level: float, estimates: Sequence[Estimate]
) -> list[Comparison]:
    """Each (group, reference) pair on one metric; the intervals of all pairs come from one vectorised call."""
    if not pairs:
        return []
    gi = np.array([g for g, _ in pairs], dtype=np.int64)
    ri = np.array([r for _, r in pairs], dtype=np.int64)
    dlo, dhi = model.diff_bounds(gi, ri, level)
    if model.nonnegative:
        rlo, rhi = model.ratio_bounds(gi, ri, level)
    else:
        rlo = rhi = np.full(gi.size, np.nan)
    out = []
    for j, (g, r) in enumerate(pairs):
        reason = _undefined_pair(model, g, r)
        if reason:
            diff = ratio = Estimate(None, None, None, reason)
        else:
            ci = _result(dlo[j], dhi[j], level, model.diff_method_of(g, r), "")[0]
            diff = Estimate(
                float(model.value[g] - model.value[r]),
                ci,
                None,
                None,
                None if ci else f"no interval for the difference ({model.no_interval})",
                None,
                partial(_diff_interval, model, g, r),
            )
            if not model.nonnegative:
                ratio = Estimate(
                    None, None, None, f"a ratio of {model.name} is not meaningful (it can be negative or zero)"
                )
            else:
                zero = model.value[r] == 0
                note = "the reference value is 0: the ratio is unbounded above" if zero else None
                rci = _result(rlo[j], rhi[j], level, model.ratio_method, "", note)[0]
                why = None if rci else f"no interval for the ratio ({model.no_interval})"
                if zero:
                    ratio = Estimate(
                        None,
                        rci,
                        None,
                        f"the reference group's {model.name} is 0 (division by zero)",
                        why,
                        note if rci else None,
                        partial(_ratio_interval, model, g, r),
                    )
                else:
                    ratio = Estimate(
                        float(model.value[g] / model.value[r]),
                        rci,
                        None,
                        None,
                        why,
                        None,
                        partial(_ratio_interval, model, g, r),
                    )
        out.append(Comparison(model.name, keys[g], keys[r], estimates[g], estimates[r], diff, ratio))
    return out


SPREAD_METHODS = ("auto", "extremes", "simultaneous")


def _spread(model: _Model, keys: Sequence[Key], level: float, method: str) -> Spread:
    defined = np.flatnonzero(np.isfinite(model.value))
    if defined.size < 2:
        reason = f"fewer than two groups have a defined {model.name}"
        none = Estimate(None, None, None, reason)
        return Spread(model.name, None, None, none, none, "none", int(defined.size))
    vals = model.value[defined]
    jmax = int(defined[np.argmax(vals)])
    jmin = int(defined[np.argmin(vals)])
    if jmin == jmax:  # all equal: any two distinct groups
        jmin = int(defined[1] if defined[0] == jmax else defined[0])
    use = method if method != "auto" else ("extremes" if defined.size == 2 else "simultaneous")
    vmax, vmin = float(model.value[jmax]), float(model.value[jmin])

    def diff_at(lv: float) -> I.Interval | None:
        if use == "extremes":
            ci = _diff_interval(model, jmax, jmin, lv)
            if ci is None:
                return None
            a, b = _fold_abs(ci.lower, ci.upper)
            return I.Interval(a, b, lv, f"{ci.method}, extremes")
        lo, hi = model.bounds(defined, 1 - (1 - lv) / defined.size)
        if np.isnan(lo).any() or np.isnan(hi).any():
            return None
        return I.Interval(
            max(0.0, float(lo.max() - hi.min())),
            float(hi.max() - lo.min()),
            lv,
            f"{model.method}, simultaneous (Bonferroni over {defined.size} groups)",
        )

    def ratio_at(lv: float) -> I.Interval | None:
        if not model.nonnegative:
            return None
        if use == "extremes":
            ci = _ratio_interval(model, jmin, jmax, lv)
            if ci is None:
                return None
            a, b = _fold_ratio(ci.lower, ci.upper)
            return I.Interval(a, b, lv, f"{ci.method}, extremes")
        lo, hi = model.bounds(defined, 1 - (1 - lv) / defined.size)
        if np.isnan(lo).any() or np.isnan(hi).any():
            return None
        top = float(hi.max())
        lower = max(0.0, float(lo.min())) / top if top > 0 else 0.0
        low_max = float(lo.max())
        upper = min(1.0, float(hi.min()) / low_max) if low_max > 0 else 1.0
        return I.Interval(
            min(lower, upper), upper, lv, f"{model.method}, simultaneous (Bonferroni over {defined.size} groups)"
        )

    dci = diff_at(level)
    diff = Estimate(vmax - vmin, dci, None, None, None if dci else f"no interval ({model.no_interval})", None, diff_at)
    if not model.nonnegative:
        ratio = Estimate(None, None, None, f"a ratio of {model.name} is not meaningful (it can be negative or zero)")
    elif vmax <= 0:
        ratio = Estimate(None, None, None, f"every group's {model.name} is 0 (division by zero)")
    else:
        rci = ratio_at(level)
        ratio = Estimate(
            vmin / vmax, rci, None, None, None if rci else f"no interval ({model.no_interval})", None, ratio_at
        )
    return Spread(model.name, keys[jmax], keys[jmin], diff, ratio, use, int(defined.size))


# --------------------------------------------------------------------------
# references


INTERSECTIONAL_REFERENCES = ("combined", "within", "largest")


def _reference_map(
    attributes: tuple[str, ...],
    keys: Sequence[Key],
    sizes: np.ndarray,
    references: Mapping[str, Any],
    chosen: Mapping[str, str],
    mode: str,
) -> tuple[dict[int, int | None], str]:
    """For each group, the index of its reference group (None: no reference in its stratum), and a note."""
    index = {k: i for i, k in enumerate(keys)}
    largest = int(np.argmax(sizes)) if len(keys) else 0  # first of the largest in sorted order
    groups: dict[tuple[str, ...], tuple[str, ...]] = references.get(_GROUP_REFERENCE, {})
    explicit = groups.get(attributes) if len(attributes) > 1 else None
    if explicit is not None:
        if explicit not in index:
            given = group_text(dict(zip(attributes, explicit)), sep=",")
            raise ValueError(f"reference {given}: no rows in that intersection")
        return dict.fromkeys(range(len(keys)), index[explicit]), "reference group given by the user"
    references = {k: v for k, v in references.items() if k != _GROUP_REFERENCE}
    if len(attributes) == 1:
        a = attributes[0]
        if a in references:
            want = (str(references[a]),)
            if want not in index:
                avail = ", ".join(k[0] for k in keys)
                raise ValueError(f"reference {a}={want[0]}: no such group; values of '{a}': {avail}")
            return dict.fromkeys(range(len(keys)), index[want]), "reference group given by the user"
        return (
            dict.fromkeys(range(len(keys)), largest),
            f"reference group: the largest group (n = {int(sizes[largest])}), chosen by default",
        )
    if mode == "within":
        ref_attrs = [a for a in attributes if a in references]
        if not ref_attrs:
            raise ValueError(
                "intersectional reference 'within' needs a reference value for at least one attribute "
                "(e.g. race=Caucasian)"
            )
        pos = [attributes.index(a) for a in ref_attrs]
        out: dict[int, int | None] = {}
        for i, k in enumerate(keys):
            ref = list(k)
            for p, a in zip(pos, ref_attrs):
                ref[p] = str(references[a])
            out[i] = index.get(tuple(ref))
        strata = ", ".join(a for a in attributes if a not in ref_attrs) or "nothing"
        given = ", ".join(f"{a}={references[a]}" for a in ref_attrs)
        return out, f"reference group: {given} within the same {strata} (per-stratum reference)"
    if mode == "combined":
        combined = tuple(str(references.get(a, chosen.get(a, ""))) for a in attributes)
        if combined in index:
            return (
                dict.fromkeys(range(len(keys)), index[combined]),
                "reference group: the combination of each attribute's reference group",
            )
    elif mode != "largest":
        raise ValueError(f"intersectional reference must be one of {', '.join(INTERSECTIONAL_REFERENCES)}")
    return (
        dict.fromkeys(range(len(keys)), largest),
        f"reference group: the largest group (n = {int(sizes[largest])}), chosen by default",
    )


def _default_groupings(attributes: tuple[str, ...], intersectional: bool) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = [()] + [(a,) for a in attributes]
    if intersectional and len(attributes) > 1:
        out.append(attributes)
    return out


def _check_options(level: float, spread_method: str, intersectional_reference: str) -> None:
    I._check_level(level)
    if spread_method not in SPREAD_METHODS:
        raise ValueError(f"spread method must be one of {', '.join(SPREAD_METHODS)}, not {spread_method!r}")
    if intersectional_reference not in INTERSECTIONAL_REFERENCES:
        raise ValueError(
            f"intersectional reference must be one of {', '.join(INTERSECTIONAL_REFERENCES)}, "
            f"not {intersectional_reference!r}"
        )


_GROUP_REFERENCE = "\x00group"  # key under which explicit references of several attributes are kept


def _normalise_references(references: Mapping[Any, Any] | None, attributes: tuple[str, ...]) -> dict[str, Any]:
    """Per-attribute reference values; a reference naming several attributes at once (a tuple key, e.g.
    ``("race", "sex"): ("Hispanic", "Female")``) is the reference of that intersection only, kept apart."""
    out: dict[str, Any] = {}
    groups: dict[tuple[str, ...], tuple[str, ...]] = {}
    for k, v in (references or {}).items():
        ks = (k,) if isinstance(k, str) else tuple(k)
        vs = (v,) if isinstance(v, str) else tuple(v)
        if len(ks) != len(vs):
            raise ValueError(f"reference {ks}: give one value per attribute")
        for a in ks:
            if a not in attributes:
                raise ValueError(f"reference for '{a}', which is not an attribute ({', '.join(attributes)})")
        if len(ks) == 1:
            out[ks[0]] = str(vs[0])
        else:
            pairs = dict(zip(ks, (str(x) for x in vs)))
            ordered = tuple(a for a in attributes if a in pairs)
            groups[ordered] = tuple(pairs[a] for a in ordered)
    if groups:
        out[_GROUP_REFERENCE] = groups
    return out


def _grouping_result(
    attributes: tuple[str, ...],
    keys: Sequence[Key],
    sizes: np.ndarray,
    models: dict[str, _Model],
    level: float,
    refs: Mapping[str, str],
    chosen: dict[str, str],
    mode: str,
    spread_method: str,
    counts: np.ndarray | None = None,
    calibration: tuple[Calibration, ...] = (),
    criteria: Sequence[str] = (),
) -> GroupingResult:
    estimates = {name: m.estimates(level) for name, m in models.items()}
    groups = tuple(
        GroupResult(
            keys[g],
            int(sizes[g]),
            {name: estimates[name][g] for name in models},
            _counts(counts[g]) if counts is not None else None,
        )
        for g in range(len(keys))
    )
    comparisons: list[Comparison] = []
    spreads: list[Spread] = []
    note = "overall: no comparison"
    if attributes:
        ref_of, note = _reference_map(attributes, keys, sizes, refs, chosen, mode)
        if len(attributes) == 1 and len(keys):
            r0 = next(iter(ref_of.values()))
            if r0 is not None:
                chosen[attributes[0]] = keys[r0][0]
        pairs = [(g, r) for g, r in ref_of.items() if r is not None and r != g]
        _prefetch_ratio_bounds(
            models,
            np.array([g for g, _ in pairs], dtype=np.int64),
            np.array([r for _, r in pairs], dtype=np.int64),
            level,
        )
        for name, m in models.items():
            comparisons.extend(_comparisons(m, pairs, keys, level, estimates[name]))
            spreads.append(_spread(m, keys, level, spread_method))
    crit = tuple(
        _criterion(CRITERIA[c], models, comparisons, spreads, keys, level, attributes, spread_method)
        for c in criteria
        if attributes and all(x in models for x in CRITERIA[c].metrics)
    )
    return GroupingResult(attributes, groups, note, tuple(comparisons), tuple(spreads), crit, calibration)


def _criterion(
    crit: Criterion,
    models: dict[str, _Model],
    comparisons: list[Comparison],
    spreads: list[Spread],
    keys: Sequence[Key],
    level: float,
    attributes: tuple[str, ...],
    spread_method: str,
) -> CriterionResult:
    if crit.name != "equalized_odds":
        metric = crit.metrics[0]
        return CriterionResult(
            crit, tuple(c for c in comparisons if c.metric == metric), next(s for s in spreads if s.metric == metric)
        )
    return _equalized_odds(crit, models["tpr"], models["fpr"], comparisons, keys, level, spread_method)


def _value(e: Estimate) -> float:
    """The value of an estimate known to be defined."""
    if e.value is None:
        raise ValueError("undefined estimate")
    return e.value


def _counts(row: np.ndarray) -> tuple[int, int, int, int]:
    tn, fp, fn, tp = (int(x) for x in row)
    return tn, fp, fn, tp


def _max_interval(
    parts: Sequence[I.Interval | None],
    level: float,
    method: str,
    fold: Callable[[float, float], tuple[float, float]] | None = None,
    use_min: bool = False,
) -> I.Interval | None:
    present = [p for p in parts if p is not None]
    if len(present) != len(parts):
        return None
    bounds = [fold(p.lower, p.upper) if fold else (p.lower, p.upper) for p in present]
    pick = min if use_min else max
    return I.Interval(pick(b[0] for b in bounds), pick(b[1] for b in bounds), level, method)


def _equalized_odds(
    crit: Criterion,
    tpr: _Model,
    fpr: _Model,
    comparisons: list[Comparison],
    keys: Sequence[Key],
    level: float,
    spread_method: str,
) -> CriterionResult:
    """Equalized odds from the TPR and FPR results: max of |differences|, min of folded ratios."""
    method = "max of the TPR and FPR components, each at level 1 − α/2"
    by_group: dict[Key, dict[str, Comparison]] = {}
    for c in comparisons:
        if c.metric in ("tpr", "fpr"):
            by_group.setdefault(c.group, {})[c.metric] = c
    out = []
    index = {k: i for i, k in enumerate(keys)}
    d_method = f"|difference|: {method}"
    r_method = "min(r, 1/r): min of the TPR and FPR components, each at level 1 − α/2"

    def d_at(lv: float, g: int, r: int) -> I.Interval | None:
        half = 1 - (1 - lv) / 2
        return _max_interval(
            [_diff_interval(tpr, g, r, half), _diff_interval(fpr, g, r, half)], lv, d_method, _fold_abs
        )

    def r_at(lv: float, g: int, r: int) -> I.Interval | None:
        half = 1 - (1 - lv) / 2
        return _max_interval(
            [_ratio_interval(tpr, g, r, half), _ratio_interval(fpr, g, r, half)],
            lv,
            r_method,
            _fold_ratio,
            use_min=True,
        )

    pairs = [(group, pair) for group, pair in by_group.items() if set(pair) == {"tpr", "fpr"}]
    # component intervals of all pairs at level 1 − α/2, one vectorised call per component
    gi = np.array([index[group] for group, _ in pairs], dtype=np.int64)
    ri = np.array([index[pair["tpr"].reference] for _, pair in pairs], dtype=np.int64)
    half = 1 - (1 - level) / 2
    bounds: dict[str, tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]] = {}
    if pairs:
        for m in (tpr, fpr):
            bounds[m.name] = (m.diff_bounds(gi, ri, half), m.ratio_bounds(gi, ri, half))
    for j, (group, pair) in enumerate(pairs):
        g, r = int(gi[j]), int(ri[j])
        reasons = [c.difference.undefined_reason for c in pair.values() if c.difference.undefined_reason]
        if reasons:
            diff = ratio = Estimate(None, None, None, "; ".join(reasons))
        else:
            parts = [_result(bounds[k][0][0][j], bounds[k][0][1][j], half, "", "")[0] for k in ("tpr", "fpr")]
            dci = _max_interval(parts, level, d_method, _fold_abs)
            dv = max(abs(_value(pair["tpr"].difference)), abs(_value(pair["fpr"].difference)))
            diff = Estimate(
                dv, dci, None, None, None if dci else "no interval for a component", None, partial(d_at, g=g, r=r)
            )
            rvals = [c.ratio.value for c in pair.values()]
            known = [v for v in rvals if v is not None]
            if len(known) != len(rvals):
                ratio = Estimate(None, None, None, "a component ratio is undefined (reference rate 0)")
            else:
                rv = min(min(v, 1 / v) if v > 0 else 0.0 for v in known)
                parts = [_result(bounds[k][1][0][j], bounds[k][1][1][j], half, "", "")[0] for k in ("tpr", "fpr")]
                rci = _max_interval(parts, level, r_method, _fold_ratio, use_min=True)
                ratio = Estimate(
                    rv, rci, None, None, None if rci else "no interval for a component", None, partial(r_at, g=g, r=r)
                )
        out.append(
            Comparison(
                "equalized_odds",
                group,
                pair["tpr"].reference,
                Estimate(None, None, None, "equalized odds combines TPR and FPR; see their own results"),
                Estimate(None, None, None, "see TPR and FPR"),
                diff,
                ratio,
            )
        )

    # spread: max of the TPR and FPR spreads (difference), min of their ratios
    def components(lv: float, which: str) -> list[Estimate]:
        half = 1 - (1 - lv) / 2
        return [getattr(_spread(m, keys, half, spread_method), which) for m in (tpr, fpr)]

    s_t, s_f = _spread(tpr, keys, level, spread_method), _spread(fpr, keys, level, spread_method)
    if s_t.difference.value is None or s_f.difference.value is None:
        none = Estimate(None, None, None, "the TPR or FPR spread is undefined")
        spread = Spread("equalized_odds", None, None, none, none, s_t.method, s_t.groups_compared)
    else:

        def sd_at(lv: float) -> I.Interval | None:
            return _max_interval(
                [e.interval for e in components(lv, "difference")],
                lv,
                f"max of the TPR and FPR spreads, each at level 1 − α/2 ({s_t.method})",
            )

        def sr_at(lv: float) -> I.Interval | None:
            return _max_interval(
                [e.interval for e in components(lv, "ratio")],
                lv,
                f"min of the TPR and FPR spread ratios, each at level 1 − α/2 ({s_t.method})",
                use_min=True,
            )

        worst = s_t if _value(s_t.difference) >= _value(s_f.difference) else s_f
        dci = sd_at(level)
        diff = Estimate(
            max(_value(s_t.difference), _value(s_f.difference)),
            dci,
            None,
            None,
            None if dci else "no interval for a component",
            None,
            sd_at,
        )
        if s_t.ratio.value is None or s_f.ratio.value is None:
            ratio = Estimate(None, None, None, "the TPR or FPR spread ratio is undefined")
        else:
            rci = sr_at(level)
            ratio = Estimate(
                min(s_t.ratio.value, s_f.ratio.value),
                rci,
                None,
                None,
                None if rci else "no interval for a component",
                None,
                sr_at,
            )
        spread = Spread(
            "equalized_odds", worst.max_group, worst.min_group, diff, ratio, s_t.method, s_t.groups_compared
        )
    return CriterionResult(crit, tuple(out), spread)


# --------------------------------------------------------------------------
# binary classification


def _rate_parts(counts: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    num_cells, den_cells = RATE_CELLS[name]
    return counts[..., list(num_cells)].sum(axis=-1), counts[..., list(den_cells)].sum(axis=-1)


def _binary_values(counts: np.ndarray, name: str) -> np.ndarray:
    """Point values of a confusion metric for counts (..., G, 4), vectorised (bootstrap replicates too)."""
    c = counts.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        if name in RATE_CELLS:
            num, den = _rate_parts(c, name)
            return np.where(den > 0, num / den, np.nan)
        tp, fp, fn, tn = c[..., TP], c[..., FP], c[..., FN], c[..., TN]
        if name == "balanced_accuracy":
            return np.where((tp + fn > 0) & (tn + fp > 0), (tp / (tp + fn) + tn / (tn + fp)) / 2, np.nan)
        if name == "f1":
            d = 2 * tp + fp + fn
            return np.where(d > 0, 2 * tp / d, np.nan)
        if name == "ppr":
            k = tp + fp
            total = k.sum(axis=-1, keepdims=True)
            return np.where(total > 0, k / total, np.nan)
    raise KeyError(name)


def _binary_models(
    counts: np.ndarray, names: Sequence[str], ratio_method: str, reps: np.ndarray | None
) -> dict[str, _Model]:
    models: dict[str, _Model] = {}
    for name in names:
        d = BINARY_METRICS[name]
        if reps is not None:
            models[name] = _BootModel(
                name, _binary_values(counts, name), counts.sum(axis=1), d.undefined_reason, _binary_values(reps, name)
            )
        elif name in RATE_CELLS:
            num, den = _rate_parts(counts, name)
            models[name] = _RateModel(name, num, den, d.undefined_reason, ratio_method)
        elif name == "ppr":
            models[name] = _ShareModel(name, counts[:, TP] + counts[:, FP], d.undefined_reason)
        elif name == "balanced_accuracy":
            tp, fn, tn, fp = (counts[:, i] for i in (TP, FN, TN, FP))
            models[name] = _BoundsModel(
                name,
                _binary_values(counts, name),
                counts.sum(axis=1),
                d.undefined_reason,
                "mover-sum-wilson",
                partial(I.balanced_accuracy_bounds, tp, fn, tn, fp),
            )
        elif name == "f1":
            tp, fp, fn = counts[:, TP], counts[:, FP], counts[:, FN]
            models[name] = _BoundsModel(
                name,
                _binary_values(counts, name),
                tp + fp + fn,
                d.undefined_reason,
                "jaccard-wilson",
                partial(I.f1_bounds, tp, fp, fn),
            )
    return models


def _score_models(
    st: ScoreStats, names: Sequence[str], level: float, auc_method: str, bootstrap: bool = False
) -> tuple[dict[str, _Model], tuple[Calibration, ...]]:
    g = st.size
    models: dict[str, _Model] = {}
    parts = I.auc_parts(st.cell, st.neg, st.pos, g)
    n = parts.positives + parts.negatives
    if "auc" in names:
        notes = {}
        for i in range(g):
            if st.bits[i] < 53 and np.isfinite(parts.auc[i]):
                bound = parts.tie_pairs[i] / (2.0 * parts.positives[i] * parts.negatives[i])
                notes[i] = (
                    f"scores binned to {int(st.bits[i])} mantissa bits (more than {st.max_distinct} distinct "
                    f"values): the AUC is within ±{bound:.3g} of the exact value"
                )
        reason = SCORE_METRICS["auc"].undefined_reason
        if bootstrap and st.replicates is not None:
            models["auc"] = _BootModel("auc", parts.auc, n, reason, _auc_replicates(st))
        elif auc_method == "delong":
            models["auc"] = _DelongModel("auc", parts, reason, notes)
        else:
            models["auc"] = _BoundsModel(
                "auc", parts.auc, n, reason, auc_method, partial(I.auc_bounds, parts, method=auc_method), True, notes
            )
            if auc_method == "hanley-mcneil":
                models["auc"].no_interval = "Hanley–McNeil's interval needs positives and negatives"
    in_unit = (st.score_min >= 0) & (st.score_max <= 1)
    brier_mean = np.full(g, np.nan)
    brier_sd = np.full(g, np.nan)
    for i in range(g):
        if n[i] > 0:
            m, v = exact_mean_var(st.brier_sum[i], st.brier_sq_sum[i], int(n[i]))
            brier_mean[i] = m
            brier_sd[i] = 0.0 if st.brier_min[i] == st.brier_max[i] else math.sqrt(v) if np.isfinite(v) else np.nan
    if "brier" in names:  # undefined where the scores are not probabilities
        models["brier"] = _MeanModel(
            "brier",
            np.where(in_unit, brier_mean, np.nan),
            brier_sd,
            n,
            "needs scores in [0, 1] and at least one row",
            True,
            bounded=True,
            use_t=np.minimum(parts.positives, parts.negatives) >= I.BRIER_T_MIN_CLASS,
        )
    ece, bins_by_group = _calibration(st, level)
    ece = np.where(in_unit, ece, np.nan)
    if "ece" in names:
        reason = "needs scores in [0, 1] and at least one row"
        if st.replicates is not None:
            models["ece"] = _BootModel("ece", ece, st.cal_n.sum(axis=1), reason, _ece_replicates(st))
        else:
            models["ece"] = _BoundsModel(
                "ece",
                ece,
                st.cal_n.sum(axis=1),
                reason,
                "none",
                lambda lv: (np.full(g, np.nan), np.full(g, np.nan)),
                True,
                None,
                "the expected calibration error has no closed-form interval (it is a "
                "biased plug-in estimate); request the Poisson bootstrap for one",
            )
    calib = []
    for i in range(g):
        b_est = models["brier"].estimate(i, level) if "brier" in models else Estimate(None, None, None, "not asked")
        e_est = models["ece"].estimate(i, level) if "ece" in models else Estimate(None, None, None, "not asked")
        if not in_unit[i] and int(n[i]) > 0:
            reason = "scores outside [0, 1] are not probabilities"
            b_est = Estimate(None, None, int(n[i]), reason)
            e_est = Estimate(None, None, int(n[i]), reason)
        calib.append(Calibration(st.keys[i], b_est, e_est, bins_by_group[i] if in_unit[i] else ()))
    return models, tuple(calib)


def _calibration(st: ScoreStats, level: float) -> tuple[np.ndarray, list[tuple[ReliabilityBin, ...]]]:
    from modelcard.evaluation.stats import exact_value

    k = st.calibration_bins
    sums = exact_value(st.cal_sum)
    n = st.cal_n
    pos = st.cal_pos
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_s = sums / n
        obs = pos / n
        tot = n.sum(axis=1)
        ece = np.where(tot > 0, np.nansum(np.where(n > 0, n * np.abs(obs - mean_s), 0.0), axis=1) / tot, np.nan)
    lo, hi = I.wilson_bounds(pos, n, level)
    out = []
    for i in range(st.size):
        bins = []
        for b in range(k):
            nb = int(n[i, b])
            if nb:
                ci, why = _result(lo[i, b], hi[i, b], level, "wilson", "")
                est = Estimate(
                    float(obs[i, b]),
                    ci,
                    nb,
                    None,
                    why,
                    None,
                    partial(_wilson_at, int(pos[i, b]), nb),
                )
                mean = float(mean_s[i, b])
            else:
                est = Estimate(None, None, 0, "no rows in this score bin")
                mean = None
            bins.append(ReliabilityBin(b / k, (b + 1) / k, nb, int(pos[i, b]), mean, est))
        out.append(tuple(bins))
    return ece, out


def _wilson_at(k: int, n: int, level: float) -> I.Interval | None:
    ci = I.wilson(k, n, level)
    return ci if isinstance(ci, I.Interval) else None


def _no_bounds(size: int, level: float) -> tuple[np.ndarray, np.ndarray]:
    """No interval for any of ``size`` groups (a metric without a closed form)."""
    return np.full(size, np.nan), np.full(size, np.nan)


def _auc_replicates(st: ScoreStats) -> np.ndarray:
    reps = st.replicates
    assert reps is not None
    out = np.empty((reps.shape[0], st.size))
    for b in range(reps.shape[0]):
        out[b] = I.auc_parts(st.cell, reps[b, :, 0], reps[b, :, 1], st.size).auc
    return out


def _ece_replicates(st: ScoreStats) -> np.ndarray:
    """ECE per replicate from the score table (exact when no cell was binned)."""
    k = st.calibration_bins
    assert st.replicates is not None
    reps = st.replicates.astype(np.float64)
    b = np.clip(np.floor(st.value * k), 0, k - 1).astype(np.int64)
    key = st.cell * k + b
    size = st.size * k
    out = np.empty((reps.shape[0], st.size))
    for r in range(reps.shape[0]):
        w = reps[r, :, 0] + reps[r, :, 1]
        nb = np.bincount(key, weights=w, minlength=size).reshape(st.size, k)
        pb = np.bincount(key, weights=reps[r, :, 1], minlength=size).reshape(st.size, k)
        sb = np.bincount(key, weights=w * st.value, minlength=size).reshape(st.size, k)
        with np.errstate(divide="ignore", invalid="ignore"):
            gap = np.where(nb > 0, np.abs(pb - sb), 0.0)  # n_b |obs_b − mean_b| = |pos_b − Σ s|
            tot = nb.sum(axis=1)
            out[r] = np.where(tot > 0, gap.sum(axis=1) / tot, np.nan)
    return out


BINARY_DEFAULT = tuple(BINARY_METRICS)
SCORE_DEFAULT = tuple(SCORE_METRICS)


def finalize_binary(
    confusion: ConfusionStats,
    scores: ScoreStats | None = None,
    *,
    metrics: Sequence[str] | None = None,
    groupings: Sequence[Sequence[str]] | None = None,
    intersectional: bool = True,
    references: Mapping[Any, Any] | None = None,
    intersectional_reference: str = "combined",
    level: float = 0.95,
    ratio_method: str = "koopman",
    auc_method: str = "hanley-mcneil-score",
    spread_method: str = "auto",
    bootstrap: bool = False,
) -> Report:
    """Per-group binary-classification metrics, disparities, spreads, criteria and calibration.

    ``groupings`` defaults to overall, each attribute, and (with
    ``intersectional`` and two or more attributes) all of them.
    ``references`` maps an attribute (or a tuple of attributes) to its
    reference value(s); otherwise the largest group is the reference.
    ``intersectional_reference``: ``combined`` (each attribute's reference
    combined), ``within`` (per stratum: the group with the reference value(s)
    and the same values of the other attributes), or ``largest``.
    ``bootstrap``: use the statistics' Poisson-bootstrap replicates for
    percentile intervals of the confusion metrics and AUC (the statistics must
    carry them); ECE, which has no closed-form interval, uses them whenever
    the score statistics carry replicates.
    """
    _check_options(level, spread_method, intersectional_reference)
    if ratio_method not in ("mover-wilson", "koopman"):
        raise ValueError(f"ratio method must be 'mover-wilson' or 'koopman', not {ratio_method!r}")
    if auc_method not in I.AUC_METHODS:
        raise ValueError(f"AUC method must be one of {', '.join(I.AUC_METHODS)}, not {auc_method!r}")
    if bootstrap and confusion.replicates is None:
        raise ValueError("bootstrap intervals need statistics built with a PoissonBootstrap")
    if scores is not None and scores.attributes != confusion.attributes:
        raise ValueError("confusion and score statistics must be over the same attributes")
    names = list(metrics) if metrics is not None else [*BINARY_DEFAULT, *(SCORE_DEFAULT if scores else ())]
    for m in names:
        if m not in BINARY_METRICS and m not in SCORE_METRICS:
            raise ValueError(f"unknown metric '{m}'; choose from {', '.join([*BINARY_METRICS, *SCORE_METRICS])}")
        if m in SCORE_METRICS and scores is None:
            raise ValueError(f"metric '{m}' needs scores")
    attrs = confusion.attributes
    refs = _normalise_references(references, attrs)
    specs = [tuple(g) for g in groupings] if groupings is not None else _default_groupings(attrs, intersectional)
    specs.sort(key=len)  # single attributes first: their references feed 'combined'
    chosen: dict[str, str] = {}
    results = []
    bin_names = [m for m in names if m in BINARY_METRICS]
    score_names = [m for m in names if m in SCORE_METRICS]
    for spec in specs:
        cs = confusion.marginal(spec)
        reps = cs.replicates if bootstrap else None
        models = _binary_models(cs.counts, bin_names, ratio_method, reps)
        calib: tuple[Calibration, ...] = ()
        if scores is not None and score_names:
            ss = scores.marginal(spec)
            if ss.keys != cs.keys:
                raise ValueError("confusion and score statistics cover different groups")
            smodels, calib = _score_models(ss, score_names, level, auc_method, bootstrap)
            models.update(smodels)
        results.append(
            _grouping_result(
                spec,
                cs.keys,
                cs.n,
                models,
                level,
                refs,
                chosen,
                intersectional_reference,
                spread_method,
                cs.counts,
                calib,
                tuple(CRITERIA),
            )
        )
    defs = tuple(BINARY_METRICS.get(m) or SCORE_METRICS[m] for m in names)
    return Report("binary", level, defs, tuple(results))


# --------------------------------------------------------------------------
# multiclass

MULTICLASS_PER_CLASS = ("base_rate", "selection_rate", "tpr", "fnr", "fpr", "tnr", "precision", "npv", "f1")


def _mover_mean_bounds(values: np.ndarray, lows: np.ndarray, highs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """MOVER interval for the mean of K independent estimates (axis 0 = classes)."""
    k = values.shape[0]
    s = values.sum(axis=0)
    lo = s - np.sqrt(((values - lows) ** 2).sum(axis=0))
    hi = s + np.sqrt(((highs - values) ** 2).sum(axis=0))
    return lo / k, hi / k


def finalize_multiclass(
    stats: MulticlassStats,
    *,
    groupings: Sequence[Sequence[str]] | None = None,
    intersectional: bool = True,
    references: Mapping[Any, Any] | None = None,
    intersectional_reference: str = "combined",
    level: float = 0.95,
    ratio_method: str = "koopman",
    spread_method: str = "auto",
) -> Report:
    """Per-class one-vs-rest rates (``tpr[cat]``, …) and macro averages per group.

    ``accuracy``: Wilson on the diagonal.  ``macro_recall`` and
    ``macro_precision``: the mean over classes; per-class recalls are
    estimated on disjoint rows (each true class) and per-class precisions on
    disjoint rows (each predicted class), so MOVER for a sum of independent
    estimates applies to their Wilson intervals.  A class absent from a group
    makes the group's macro average undefined.  ``macro_f1`` has no interval:
    per-class F1 scores share rows, so they are not independent.
    """
    _check_options(level, spread_method, intersectional_reference)
    attrs = stats.attributes
    refs = _normalise_references(references, attrs)
    specs = [tuple(g) for g in groupings] if groupings is not None else _default_groupings(attrs, intersectional)
    specs.sort(key=len)
    chosen: dict[str, str] = {}
    results = []
    defs: list[MetricDefinition] = []
    for spec in specs:
        ms = stats.marginal(spec)
        g = ms.size
        n = ms.counts.sum(axis=(1, 2))
        models: dict[str, _Model] = {}
        diag = np.trace(ms.counts, axis1=1, axis2=2)
        models["accuracy"] = _RateModel("accuracy", diag, n, _EMPTY, ratio_method)
        rec_v, pre_v, f1_v = [], [], []
        for cls in ms.classes:
            cs = ms.one_vs_rest(cls).counts
            for name in MULTICLASS_PER_CLASS:
                key = f"{name}[{cls}]"
                sub = _binary_models(cs, [name], ratio_method, None)[name]
                sub.name = key
                models[key] = sub
            t_num, t_den = cs[:, TP], cs[:, TP] + cs[:, FN]
            p_num, p_den = cs[:, TP], cs[:, TP] + cs[:, FP]
            with np.errstate(divide="ignore", invalid="ignore"):
                rec_v.append(np.where(t_den > 0, t_num / t_den, np.nan))
                pre_v.append(np.where(p_den > 0, p_num / p_den, np.nan))
            f1_v.append(_binary_values(cs, "f1"))
        recalls, precisions, f1s = np.array(rec_v), np.array(pre_v), np.array(f1_v)

        def macro_bounds(level_: float, which: str, ms: MulticlassStats = ms) -> tuple[np.ndarray, np.ndarray]:
            vals, lows, highs = [], [], []
            for cls in ms.classes:
                cs = ms.one_vs_rest(cls).counts
                num = cs[:, TP]
                den = cs[:, TP] + (cs[:, FN] if which == "recall" else cs[:, FP])
                lo, hi = I.wilson_bounds(num, den, level_)
                with np.errstate(divide="ignore", invalid="ignore"):
                    vals.append(np.where(den > 0, num / den, np.nan))
                lows.append(lo)
                highs.append(hi)
            return _mover_mean_bounds(np.array(vals), np.array(lows), np.array(highs))

        for name, which, values, undefined in (
            ("macro_recall", "recall", recalls, "a class has no instances in the group"),
            ("macro_precision", "precision", precisions, "a class is never predicted in the group"),
        ):
            bounds = partial(macro_bounds, which=which)
            models[name] = _BoundsModel(name, values.mean(axis=0), n, undefined, "mover-mean-wilson", bounds)
        models["macro_f1"] = _BoundsModel(
            "macro_f1",
            f1s.mean(axis=0),
            n,
            "a class neither occurs nor is predicted in the group",
            "none",
            partial(_no_bounds, g),
            True,
            None,
            "per-class F1 scores share rows, so no closed-form interval",
        )
        if not defs:
            defs = _multiclass_defs(ms.classes)
        results.append(
            _grouping_result(spec, ms.keys, n, models, level, refs, chosen, intersectional_reference, spread_method)
        )
    return Report("multiclass", level, tuple(defs), tuple(results))


def _multiclass_defs(classes: Sequence[str]) -> list[MetricDefinition]:
    out = [
        MetricDefinition("accuracy", "Accuracy: share of correct predictions.", "Σ diag / n", True, _EMPTY, "wilson")
    ]
    for cls in classes:
        for name in MULTICLASS_PER_CLASS:
            d = BINARY_METRICS[name]
            out.append(
                MetricDefinition(
                    f"{name}[{cls}]",
                    f"{d.description} Class '{cls}' against all others (one-vs-rest).",
                    d.formula,
                    d.higher_is_better,
                    d.undefined_reason,
                    d.interval_method,
                )
            )
    out += [
        MetricDefinition(
            "macro_recall",
            "Macro-averaged recall: mean over classes of the one-vs-rest TPR.",
            "Σ_c TPR_c / K",
            True,
            "a class has no instances in the group",
            "mover-mean-wilson",
        ),
        MetricDefinition(
            "macro_precision",
            "Macro-averaged precision: mean over classes of the one-vs-rest precision.",
            "Σ_c PPV_c / K",
            True,
            "a class is never predicted in the group",
            "mover-mean-wilson",
        ),
        MetricDefinition(
            "macro_f1",
            "Macro-averaged F1: mean over classes of the one-vs-rest F1.",
            "Σ_c F1_c / K",
            True,
            "a class neither occurs nor is predicted in the group",
            "none",
        ),
    ]
    return out


# --------------------------------------------------------------------------
# regression


def _r2_bounds(stats: RegressionStats, level: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """R² per group and its delta-method interval (t quantile, n − 1 df).

    R² = 1 − a / v with a = mean(e²) and v = mean(y²) − mean(y)² (population
    variance, as SSE / SST).  As a smooth function of the means of (e², y, y²),
    Var(R²) ≈ gᵀ Σ g / n with g = (−1/v, −2ab/v², a/v²), b = mean(y), and Σ the
    sample covariance matrix of (e², y, y²) per row (from the exact sums of
    e⁴, y², y³, y⁴, e²y, e²y²).
    """
    g = stats.size
    r2 = np.full(g, np.nan)
    lo = np.full(g, np.nan)
    hi = np.full(g, np.nan)
    s = stats.sums
    ymin, ymax = stats.extremes["y"]
    for i in range(g):
        n = int(stats.n[i])
        if n < 1 or ymin[i] == ymax[i]:
            continue
        a = int(s["e2"][i]) / (n << _shift())
        b = int(s["y"][i]) / (n << _shift())
        _, var_y = exact_mean_var(s["y"][i], s["y2"][i], n)
        v = var_y * (n - 1) / n if n > 1 else math.nan
        if not v > 0:
            continue
        r2[i] = 1 - a / v
        if n < 3:
            continue
        cov = np.empty((3, 3))
        names = ("e2", "y", "y2")
        prod = {
            ("e2", "e2"): "e4",
            ("e2", "y"): "e2y",
            ("e2", "y2"): "e2y2",
            ("y", "y"): "y2",
            ("y", "y2"): "y3",
            ("y2", "y2"): "y4",
        }
        for p in range(3):
            for q in range(p, 3):
                key = prod[(names[p], names[q])]
                cov[p, q] = cov[q, p] = exact_covariance(s[names[p]][i], s[names[q]][i], s[key][i], n)
        grad = np.array([-1 / v, -2 * a * b / (v * v), a / (v * v)])
        var = float(grad @ cov @ grad) / n
        if var > 0:
            half = I.t_value(level, n - 1) * math.sqrt(var)
            lo[i], hi[i] = r2[i] - half, min(1.0, r2[i] + half)
    return r2, lo, hi


def _r2_interval(stats: RegressionStats, level: float) -> tuple[np.ndarray, np.ndarray]:
    _, lo, hi = _r2_bounds(stats, level)
    return lo, hi


def _shift() -> int:
    from modelcard.evaluation.stats import _SHIFT

    return _SHIFT


def finalize_regression(
    stats: RegressionStats,
    *,
    groupings: Sequence[Sequence[str]] | None = None,
    intersectional: bool = True,
    references: Mapping[Any, Any] | None = None,
    intersectional_reference: str = "combined",
    level: float = 0.95,
    spread_method: str = "auto",
) -> Report:
    """Mean error (bias), MAE, RMSE and R² per group with intervals; disparities of those.

    mean error and MAE: Student t intervals (sample variance of e and |e|);
    RMSE: square root of the log-scale t interval of the MSE (sample variance
    of e²); R²: delta method (:func:`_r2_bounds`), which undercovers below
    about 50 rows (coverage study).  No
    interval for n = 1 or when the per-row values do not vary (it would be a
    point).  Differences of mean error and MAE: Welch; of RMSE and R²: MOVER.
    Ratios: MAE and RMSE by MOVER-R; mean error and R² have none (they can be
    negative).
    """
    _check_options(level, spread_method, intersectional_reference)
    attrs = stats.attributes
    refs = _normalise_references(references, attrs)
    specs = [tuple(g) for g in groupings] if groupings is not None else _default_groupings(attrs, intersectional)
    specs.sort(key=len)
    chosen: dict[str, str] = {}
    results = []
    for spec in specs:
        rs = stats.marginal(spec)
        g = rs.size
        n = rs.n
        me = np.full(g, np.nan)
        me_sd = np.full(g, np.nan)
        mae = np.full(g, np.nan)
        mae_sd = np.full(g, np.nan)
        mse = np.full(g, np.nan)
        mse_sd = np.full(g, np.nan)
        emin, emax = rs.extremes["e"]
        amin, amax = rs.extremes["abs_e"]
        for i in range(g):
            ni = int(n[i])
            if ni < 1:
                continue
            m, v = exact_mean_var(rs.sums["e"][i], rs.sums["e2"][i], ni)
            me[i], me_sd[i] = m, (0.0 if emin[i] == emax[i] else math.sqrt(v)) if ni > 1 else np.nan
            m, v = exact_mean_var(rs.sums["abs_e"][i], rs.sums["e2"][i], ni)
            mae[i], mae_sd[i] = m, (0.0 if amin[i] == amax[i] else math.sqrt(v)) if ni > 1 else np.nan
            m, v = exact_mean_var(rs.sums["e2"][i], rs.sums["e4"][i], ni)
            mse[i], mse_sd[i] = m, (0.0 if amin[i] == amax[i] else math.sqrt(v)) if ni > 1 else np.nan
        models: dict[str, _Model] = {
            "mean_error": _MeanModel("mean_error", me, me_sd, n, _EMPTY, nonnegative=False),
            "mae": _MeanModel("mae", mae, mae_sd, n, _EMPTY),
        }

        def rmse_bounds(
            lv: float, mse: np.ndarray = mse, mse_sd: np.ndarray = mse_sd, n: np.ndarray = n
        ) -> tuple[np.ndarray, np.ndarray]:
            lo, hi = I.log_t_mean_bounds(mse, mse_sd, n, lv)
            return np.sqrt(lo), np.sqrt(hi)

        models["rmse"] = _BoundsModel(
            "rmse",
            np.sqrt(mse),
            n,
            _EMPTY,
            "log-t-sqrt",
            rmse_bounds,
            True,
            None,
            "no interval: n = 1, or all squared errors are equal (or 0)",
        )
        r2_v = _r2_bounds(rs, level)[0]
        models["r2"] = _BoundsModel(
            "r2",
            r2_v,
            n,
            REGRESSION_METRICS["r2"].undefined_reason,
            "delta-t",
            partial(_r2_interval, rs),
            False,
            None,
            "no interval: fewer than 3 rows or a zero delta-method variance",
        )
        results.append(
            _grouping_result(spec, rs.keys, n, models, level, refs, chosen, intersectional_reference, spread_method)
        )
    return Report("regression", level, tuple(REGRESSION_METRICS.values()), tuple(results))
