"""THE verdict rule, and what follows from it: worse-than order, diff semantics, multiplicity.

One home for the rule (issue 11 §1); ``evaluate``, ``validate``'s consistency
check, ``gate``, ``diff`` and ``render`` import it.

The rule
--------
A threshold is a band ``[min, max]`` on a disparity; bounds are inclusive
(``min <= x <= max`` is acceptable, as :class:`modelcard.schema.models.Threshold`
says) and either bound may be absent (a one-sided band).  With the
disparity's confidence interval ``[lo, hi]``:

* ``pass``  – the whole interval lies inside the band: ``min <= lo`` and ``hi <= max``;
* ``fail``  – the whole interval lies outside the band, no overlap:
  ``hi < min`` or ``lo > max`` (an interval touching a bound overlaps it);
* ``inconclusive`` – otherwise, including an interval wider than the band that
  covers it entirely;
* ``not_run`` – there is no band (no threshold: nothing was asked).

Without an interval the verdict is ``inconclusive``, unless the user asked for
point-estimate decisions (``basis="point"``); then the point estimate alone
decides (inside the band: ``pass``, else ``fail``) whether or not an interval
exists.  An undefined value (``None``/nan, e.g. a ratio whose reference rate
is 0) is judged by its interval when it has one (a ratio interval
``[L, +inf)`` can still show a ratio is above a band), and is
``inconclusive`` otherwise: a threshold was set, and the data cannot settle it.
``not_run`` is kept for "no threshold", so it never hides a check that was
asked for.  Spreads (max − min, min / max) are judged by the same rule with
the interval that the finaliser attached to them.

Order
-----
:attr:`Verdict.severity`: ``pass`` (0) < ``not_run`` (1) < ``inconclusive``
(2) < ``fail`` (3).  It orders verdicts for "worst of" summaries and sorting:
a failed check is worse than one the data could not settle, which is worse
than one nobody asked for, which is worse than a pass.  Whether a *change* is
an improvement is not decided by this order alone: see :func:`compare`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

# --------------------------------------------------------------------------
# verdicts


class Verdict(str, Enum):
    """The outcome of checking a disparity against its threshold band."""

    PASS = "pass"
    INCONCLUSIVE = "inconclusive"
    FAIL = "fail"
    NOT_RUN = "not_run"

    @property
    def severity(self) -> int:
        """pass 0 < not_run 1 < inconclusive 2 < fail 3 (higher is worse)."""
        return _SEVERITY[self]

    def worse_than(self, other: Verdict | str) -> bool:
        return self.severity > Verdict(other).severity

    @property
    def icon(self) -> str:
        return _ICONS[self]

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def description(self) -> str:
        return _DESCRIPTIONS[self]

    def __str__(self) -> str:  # "pass", not "Verdict.PASS", in f-strings and output
        return self.value


_SEVERITY = {Verdict.PASS: 0, Verdict.NOT_RUN: 1, Verdict.INCONCLUSIVE: 2, Verdict.FAIL: 3}
_ICONS = {Verdict.PASS: "✅", Verdict.INCONCLUSIVE: "❔", Verdict.FAIL: "❌", Verdict.NOT_RUN: "➖"}
_LABELS = {Verdict.PASS: "Pass", Verdict.INCONCLUSIVE: "Inconclusive", Verdict.FAIL: "Fail", Verdict.NOT_RUN: "Not run"}
_DESCRIPTIONS = {
    Verdict.PASS: "the whole confidence interval lies inside the threshold band",
    Verdict.FAIL: "the whole confidence interval lies outside the threshold band",
    Verdict.INCONCLUSIVE: "the confidence interval overlaps the threshold band without lying inside it, "
    "or there is no interval to judge",
    Verdict.NOT_RUN: "no threshold was set, so nothing was checked",
}

#: how a verdict is decided: by the interval (default) or, when the user asks, by the point estimate
BASES = ("interval", "point")

RULE_TEXT = (
    "Verdicts compare the disparity's confidence interval with the threshold band [min, max] "
    "(bounds inclusive; a missing bound is unbounded): pass when the whole interval lies inside the band, "
    "fail when the whole interval lies outside it (no overlap; touching a bound is overlap), inconclusive "
    "otherwise — including an interval wider than the band — and when there is no interval; not_run when "
    "there is no threshold."
)
POINT_RULE_TEXT = (
    "Verdicts on the point estimate (basis: point, chosen by the user): pass when the estimate lies inside "
    "the threshold band [min, max] (bounds inclusive), fail otherwise; intervals are reported but not used; "
    "an undefined estimate is inconclusive."
)


@dataclass(frozen=True)
class Band:
    """An acceptable range ``[min, max]``, bounds inclusive, either may be None (unbounded)."""

    min: float | None = None
    max: float | None = None

    def __post_init__(self) -> None:
        for name in ("min", "max"):
            v = getattr(self, name)
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)):
                raise ValueError(f"threshold {name} must be a finite number or None, got {v!r}")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"threshold min {self.min} is greater than max {self.max}")

    @property
    def empty(self) -> bool:
        """No bound at all: nothing to check."""
        return self.min is None and self.max is None

    def contains(self, x: float) -> bool:
        return (self.min is None or x >= self.min) and (self.max is None or x <= self.max)

    def distance(self, x: float) -> float:
        """How far x lies outside the band (0 inside)."""
        below = (self.min - x) if self.min is not None else 0.0
        above = (x - self.max) if self.max is not None else 0.0
        return max(0.0, below, above)

    def text(self) -> str:
        lo = "-inf" if self.min is None else f"{self.min:g}"
        hi = "+inf" if self.max is None else f"{self.max:g}"
        return f"[{lo}, {hi}]"

    @classmethod
    def of(cls, threshold: Any) -> Band:
        """A band from a Band, a schema Threshold (or anything with .min/.max), a dict or a (min, max) pair."""
        if threshold is None:
            return cls()
        if isinstance(threshold, Band):
            return threshold
        if isinstance(threshold, dict):
            return cls(threshold.get("min"), threshold.get("max"))
        if isinstance(threshold, (tuple, list)):
            lo, hi = threshold
            return cls(lo, hi)
        return cls(getattr(threshold, "min", None), getattr(threshold, "max", None))


@dataclass(frozen=True)
class Judgement:
    """A verdict with the reason it was reached."""

    verdict: Verdict
    reason: str
    basis: str = "interval"


def _number(x: Any) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else x


def interval_bounds(interval: Any) -> tuple[float, float] | None:
    """(lower, upper) of an interval given as an object with .lower/.upper, a pair, or None.

    Falsy interval objects (``NoInterval``) and nan bounds mean "no interval".
    Infinite bounds are kept (a one-sided interval such as ``[L, +inf)``).
    """
    if interval is None:
        return None
    if isinstance(interval, (tuple, list)):
        lo, hi = interval
    else:
        if not interval:
            return None
        lo, hi = getattr(interval, "lower", None), getattr(interval, "upper", None)
    lo, hi = _number(lo), _number(hi)
    if lo is None or hi is None:
        return None
    if lo > hi:
        raise ValueError(f"interval lower bound {lo} is greater than its upper bound {hi}")
    return lo, hi


def judge_detail(
    value: float | None,
    interval: Any,
    band_min: float | None = None,
    band_max: float | None = None,
    *,
    basis: str = "interval",
) -> Judgement:
    """The verdict and its reason; see the module docstring for the rule."""
    if basis not in BASES:
        raise ValueError(f"basis must be 'interval' or 'point', not {basis!r}")
    band = Band(band_min, band_max)
    if band.empty:
        return Judgement(Verdict.NOT_RUN, "no threshold", basis)
    v = _number(value)
    if basis == "point":
        if v is None:
            return Judgement(Verdict.INCONCLUSIVE, "the estimate is undefined", basis)
        if band.contains(v):
            return Judgement(Verdict.PASS, f"the estimate {v:.6g} lies inside the band {band.text()}", basis)
        return Judgement(Verdict.FAIL, f"the estimate {v:.6g} lies outside the band {band.text()}", basis)
    bounds = interval_bounds(interval)
    if bounds is None:
        why = "the estimate is undefined" if v is None else "there is no confidence interval"
        return Judgement(Verdict.INCONCLUSIVE, f"{why}, so the band {band.text()} cannot be checked", basis)
    lo, hi = bounds
    ci = f"[{lo:.6g}, {hi:.6g}]"
    if (band.min is None or lo >= band.min) and (band.max is None or hi <= band.max):
        return Judgement(Verdict.PASS, f"the interval {ci} lies inside the band {band.text()}", basis)
    if (band.min is not None and hi < band.min) or (band.max is not None and lo > band.max):
        return Judgement(Verdict.FAIL, f"the interval {ci} lies outside the band {band.text()}", basis)
    if (
        (band.min is None or lo < band.min)
        and (band.max is None or hi > band.max)
        and not (band.min is None or band.max is None)
    ):
        return Judgement(Verdict.INCONCLUSIVE, f"the interval {ci} is wider than the band {band.text()}", basis)
    return Judgement(Verdict.INCONCLUSIVE, f"the interval {ci} straddles a bound of the band {band.text()}", basis)


def judge(
    value: float | None,
    interval: Any,
    band_min: float | None = None,
    band_max: float | None = None,
    *,
    basis: str = "interval",
) -> Verdict:
    """The verdict for a disparity ``value`` with confidence ``interval`` against the band [band_min, band_max].

    ``interval`` is anything with ``.lower``/``.upper`` (a schema
    ConfidenceInterval, an :class:`~modelcard.evaluation.intervals.Interval`),
    a ``(lower, upper)`` pair, or None.
    """
    return judge_detail(value, interval, band_min, band_max, basis=basis).verdict


def _estimate_parts(estimate: Any) -> tuple[float | None, Any]:
    if estimate is None:
        return None, None
    interval = getattr(estimate, "interval", None)
    if interval is None:
        interval = getattr(estimate, "confidence_interval", None)
    return getattr(estimate, "value", None), interval


def judge_estimate(estimate: Any, threshold: Any, *, basis: str = "interval") -> Judgement:
    """Judge anything with ``.value`` and ``.interval`` (or ``.confidence_interval``) against a threshold.

    Works for schema ``DisparityValue`` + ``Threshold`` and for the
    finaliser's estimates.  A missing estimate with a threshold is
    ``inconclusive``; a missing threshold ``not_run``.
    """
    band = Band.of(threshold)
    if band.empty:
        return Judgement(Verdict.NOT_RUN, "no threshold", basis)
    if estimate is None:
        return Judgement(Verdict.INCONCLUSIVE, "the disparity the threshold applies to is missing", basis)
    value, interval = _estimate_parts(estimate)
    return judge_detail(value, interval, band.min, band.max, basis=basis)


def judge_spread(spread: Any, threshold: Any, *, basis: str = "interval") -> Judgement:
    """Judge a spread (or a disparity pair) under ``threshold.convention``: its ``difference`` or ``ratio``.

    ``spread`` is a schema ``GroupSpread``/``Disparity`` or a finaliser
    ``Spread``/``Comparison``; the estimate carries the interval that decided it.
    """
    if threshold is None:
        return Judgement(Verdict.NOT_RUN, "no threshold", basis)
    convention = getattr(threshold, "convention", None) or (
        threshold.get("convention") if isinstance(threshold, dict) else None
    )
    if convention not in ("difference", "ratio"):
        raise ValueError(f"threshold convention must be 'difference' or 'ratio', not {convention!r}")
    return judge_estimate(getattr(spread, convention, None), threshold, basis=basis)


# --------------------------------------------------------------------------
# diff semantics


class Change(str, Enum):
    IMPROVED = "improved"
    REGRESSED = "regressed"
    UNCHANGED = "unchanged"
    AMBIGUOUS = "ambiguous"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Assessment:
    """One side of a comparison: a verdict with the numbers and band behind it."""

    verdict: Verdict | str
    value: float | None = None
    interval: Any = None
    band_min: float | None = None
    band_max: float | None = None

    @property
    def band(self) -> Band:
        return Band(self.band_min, self.band_max)

    def gap(self) -> float | None:
        """How far the point estimate lies outside the band (0 inside; None when undefined or no band)."""
        v = _number(self.value)
        if v is None or self.band.empty:
            return None
        return self.band.distance(v)

    def reach(self) -> float | None:
        """How far the interval reaches beyond the band (its farthest plausible value; None without one)."""
        b = interval_bounds(self.interval)
        if b is None or self.band.empty:
            return None
        return max(self.band.distance(b[0]), self.band.distance(b[1]))


@dataclass(frozen=True)
class ChangeResult:
    change: Change
    reason: str
    old_gap: float | None = None
    new_gap: float | None = None


_JUDGED_RANK = {Verdict.PASS: 0, Verdict.INCONCLUSIVE: 1, Verdict.FAIL: 2}


def compare(old: Assessment, new: Assessment, *, tolerance: float = 1e-12) -> ChangeResult:
    """Classify a change of (verdict, value, interval) as improved, regressed, unchanged or ambiguous.

    The *gap* is how far the point estimate lies outside the band (0 inside).

    1. Different bands: ``ambiguous`` (the threshold changed, so verdicts are
       not comparable).
    2. ``not_run`` on both sides: ``unchanged``; on one side: ``ambiguous``
       (judged on one side only).
    3. A better verdict (fail → inconclusive/pass, inconclusive → pass) is
       ``improved`` only if the gap did not grow; if it grew (the verdict
       softened because the interval widened, e.g. a smaller sample) or a gap
       is unknown, it is ``ambiguous`` — never an improvement.
    4. A worse verdict is ``regressed`` unless the gap shrank (the estimate
       moved towards the band and only the interval narrowed): ``ambiguous``.
    5. The same verdict: ``regressed`` if the gap grew, ``improved`` if it
       shrank, otherwise ``unchanged`` (e.g. pass → pass, whose gap is 0).

    Differences below ``tolerance`` (relative to the band's scale) count as no change.
    """
    ov, nv = Verdict(old.verdict), Verdict(new.verdict)
    if old.band != new.band:
        return ChangeResult(
            Change.AMBIGUOUS, f"the threshold changed from {old.band.text()} to {new.band.text()}", old.gap(), new.gap()
        )
    if ov is Verdict.NOT_RUN or nv is Verdict.NOT_RUN:
        if ov is nv:
            return ChangeResult(Change.UNCHANGED, "not judged on either side")
        return ChangeResult(Change.AMBIGUOUS, f"judged on one side only ({ov} -> {nv})", old.gap(), new.gap())
    og, ng = old.gap(), new.gap()
    scale = max(1.0, *(abs(b) for b in (old.band_min, old.band_max) if b is not None))
    tol = tolerance * scale
    delta = None if og is None or ng is None else ng - og
    step = _JUDGED_RANK[nv] - _JUDGED_RANK[ov]
    gaps = f"gap {_g(og)} -> {_g(ng)}"
    if step < 0:
        if delta is None:
            return ChangeResult(
                Change.AMBIGUOUS,
                f"verdict {ov} -> {nv} but an estimate is undefined, so it is "
                "unknown whether the estimate moved towards the band",
                og,
                ng,
            )
        if delta > tol:
            return ChangeResult(
                Change.AMBIGUOUS,
                f"verdict {ov} -> {nv} only because the interval widened: the "
                f"estimate moved further outside the band ({gaps})",
                og,
                ng,
            )
        return ChangeResult(Change.IMPROVED, f"verdict {ov} -> {nv} ({gaps})", og, ng)
    if step > 0:
        if delta is not None and delta < -tol:
            return ChangeResult(
                Change.AMBIGUOUS,
                f"verdict {ov} -> {nv} although the estimate moved towards the band ({gaps}): the interval narrowed",
                og,
                ng,
            )
        return ChangeResult(Change.REGRESSED, f"verdict {ov} -> {nv} ({gaps})", og, ng)
    if delta is None:
        same = _number(old.value) is None and _number(new.value) is None
        return ChangeResult(
            Change.UNCHANGED if same else Change.AMBIGUOUS,
            f"verdict stays {nv}" + ("" if same else "; an estimate is undefined on one side"),
            og,
            ng,
        )
    if delta > tol:
        return ChangeResult(
            Change.REGRESSED, f"verdict stays {nv} but the estimate moved further outside the band ({gaps})", og, ng
        )
    if delta < -tol:
        return ChangeResult(
            Change.IMPROVED, f"verdict stays {nv}; the estimate moved towards the band ({gaps})", og, ng
        )
    return ChangeResult(Change.UNCHANGED, f"verdict stays {nv} ({gaps})", og, ng)


def _g(x: float | None) -> str:
    return "undefined" if x is None else f"{x:.4g}"


# --------------------------------------------------------------------------
# many comparisons

ADJUST_METHODS = ("none", "bonferroni", "holm")

ADJUST_TEXT = {
    "none": "No multiplicity adjustment (the default): each interval has the stated confidence level on its own, "
    "so among many results some verdicts are expected to be wrong by chance.",
    "bonferroni": "Bonferroni: every interval used for a verdict is computed at level 1 − α/m for a family of m "
    "judged results, so the chance that any verdict is wrong is at most α whatever the dependence "
    "between results.",
    "holm": "Holm step-down: each result's decision p-value (the smallest α at which its 1 − α interval settles "
    "the verdict) is computed; in increasing order, the k-th result is judged with level 1 − α/(m − k + 1) "
    "until one is not settled, and it and all later results are judged at that same level (and so are "
    "inconclusive).  This controls the chance of any wrong verdict under independence of the results "
    "(Shaffer 1980; Guo & Romano 2015 for some dependence); Bonferroni holds under any dependence.",
}


def adjusted_level(level: float, family_size: int, method: str = "none", rank: int = 1) -> float:
    """Confidence level for one interval in a family of ``family_size`` judged results.

    ``none``: ``level``.  ``bonferroni``: ``1 − α/m``.  ``holm``: ``1 − α/(m − rank + 1)``
    with ``rank`` the 1-based position in the step-down order (smallest
    decision p-value first; results after the first unsettled one take that
    one's rank) — :func:`holm_levels` does this bookkeeping.
    """
    _check_level(level)
    if method not in ADJUST_METHODS:
        raise ValueError(f"adjustment must be one of {', '.join(ADJUST_METHODS)}, not {method!r}")
    if family_size < 0:
        raise ValueError(f"family size must be 0 or more, got {family_size}")
    if method == "none" or family_size <= 1:
        return level
    alpha = 1 - level
    if method == "bonferroni":
        return 1 - alpha / family_size
    if not 1 <= rank <= family_size:
        raise ValueError(f"rank must lie between 1 and the family size {family_size}, got {rank}")
    return 1 - alpha / (family_size - rank + 1)


def _check_level(level: float) -> None:
    if not (isinstance(level, (int, float)) and 0 < level < 1):
        raise ValueError(f"confidence level must lie strictly between 0 and 1, got {level!r}")


_P_MIN = 1e-12
_P_MAX = 1 - 1e-9


def decision_p_value(
    interval_at: Callable[[float], Any], band_min: float | None, band_max: float | None, *, iterations: int = 60
) -> float:
    """The smallest α at which the (1 − α) interval settles the verdict (pass or fail); 1 if it never does.

    ``interval_at(level)`` returns the interval at a confidence level (or
    None).  Intervals must be nested in the level (wider at higher levels), as
    all closed-form intervals here are; then "settled at 1 − α" is monotone in
    α and bisection on log α finds the boundary (relative precision ~1e-9).
    Values below 1e-12 are reported as 1e-12.
    """
    band = Band(band_min, band_max)
    if band.empty:
        return 1.0

    def settled(alpha: float) -> bool:
        return judge(0.0, interval_at(1 - alpha), band.min, band.max) in (Verdict.PASS, Verdict.FAIL)

    if settled(_P_MIN):
        return _P_MIN
    if not settled(_P_MAX):
        return 1.0
    lo, hi = math.log(_P_MIN), math.log(_P_MAX)  # settled at hi, not at lo
    for _ in range(iterations):
        mid = (lo + hi) / 2
        if settled(math.exp(mid)):
            hi = mid
        else:
            lo = mid
    return math.exp(hi)


def holm_levels(p_values: Sequence[float | None], level: float) -> list[float]:
    """Per-result confidence levels of Holm's step-down procedure, in the input order.

    Results are ordered by decision p-value (None/nan last, ties in input
    order); the k-th gets ``1 − α/(m − k + 1)`` while every earlier one was
    settled (p <= its α/(m − j + 1)); from the first unsettled one on, all get
    that one's level.
    """
    _check_level(level)
    m = len(p_values)
    alpha = 1 - level
    ps = [1.0 if p is None or (isinstance(p, float) and math.isnan(p)) else float(p) for p in p_values]
    order = sorted(range(m), key=lambda i: ps[i])
    out = [level] * m
    stopped: float | None = None
    for k, i in enumerate(order, start=1):
        if stopped is not None:
            out[i] = stopped
            continue
        cut = alpha / (m - k + 1)
        out[i] = 1 - cut
        if ps[i] > cut:
            stopped = 1 - cut
    return out


def adjusted_levels(p_values: Sequence[float | None], level: float, method: str = "none") -> list[float]:
    """Levels for a family of results: all ``level`` (none), all ``1 − α/m`` (bonferroni), or Holm's."""
    if method not in ADJUST_METHODS:
        raise ValueError(f"adjustment must be one of {', '.join(ADJUST_METHODS)}, not {method!r}")
    if method == "holm":
        return holm_levels(p_values, level)
    return [adjusted_level(level, len(p_values), method)] * len(p_values)


@dataclass(frozen=True)
class FamilyJudgement:
    """One result of a family judged together: its judgement, the level and interval used, its p-value (Holm)."""

    judgement: Judgement
    level: float
    interval: Any = None
    p_value: float | None = None

    @property
    def verdict(self) -> Verdict:
        return self.judgement.verdict


def _interval_at(estimate: Any, level: float) -> Any:
    """The estimate's interval at ``level``: recomputed by ``estimate.at_level`` when it can be; otherwise its
    stored interval if that was computed at ``level`` or higher (a wider interval is conservative); else None."""
    at = getattr(estimate, "at_level", None)
    if callable(at):
        return at(level)
    _, interval = _estimate_parts(estimate)
    stored = getattr(interval, "level", None)
    if interval is not None and (stored is None or stored >= level - 1e-12):
        return interval
    return None


def judge_family(
    items: Sequence[tuple[Any, Any]], level: float, method: str = "none", *, basis: str = "interval"
) -> list[FamilyJudgement]:
    """Judge a family of (estimate, threshold) pairs with a multiplicity adjustment.

    The family is the results that have a threshold (``m`` of them; the rest
    are ``not_run``).  ``none`` judges each interval as it is; ``bonferroni``
    recomputes every interval at ``1 − α/m``; ``holm`` computes each result's
    :func:`decision_p_value` and judges it at its :func:`holm_levels` level.
    Intervals are recomputed through the estimate's ``at_level`` (the
    finaliser's estimates have one); an estimate without it keeps its stored
    interval only if that interval's level is at least the level required
    (otherwise it is ``inconclusive``: the interval is too narrow for the
    adjusted level), and counts as never settled (p = 1) for Holm.  With
    ``basis="point"`` intervals are not used, so nothing is adjusted.
    """
    if method not in ADJUST_METHODS:
        raise ValueError(f"adjustment must be one of {', '.join(ADJUST_METHODS)}, not {method!r}")
    _check_level(level)
    bands = [Band.of(th) for _, th in items]
    judged = [i for i, b in enumerate(bands) if not b.empty]
    out: list[FamilyJudgement | None] = [None] * len(items)
    for i, b in enumerate(bands):
        if b.empty:
            out[i] = FamilyJudgement(Judgement(Verdict.NOT_RUN, "no threshold", basis), level)
    if basis == "point" or method == "none":
        for i in judged:
            est, th = items[i]
            _, interval = _estimate_parts(est)
            out[i] = FamilyJudgement(judge_estimate(est, th, basis=basis), level, interval)
        return out  # type: ignore[return-value]
    if method == "bonferroni":
        levels = {i: adjusted_level(level, len(judged), "bonferroni") for i in judged}
        pvals: dict[int, float | None] = dict.fromkeys(judged)
    else:
        pvals = {}
        for i in judged:
            est = items[i][0]
            at = getattr(est, "at_level", None)
            pvals[i] = decision_p_value(at, bands[i].min, bands[i].max) if callable(at) and est is not None else 1.0
        hl = holm_levels([pvals[i] for i in judged], level)
        levels = dict(zip(judged, hl))
    for i in judged:
        est = items[i][0]
        lv = levels[i]
        interval = _interval_at(est, lv) if est is not None else None
        value = _estimate_parts(est)[0]
        j = judge_detail(value, interval, bands[i].min, bands[i].max, basis=basis)
        if interval is None and est is not None and _estimate_parts(est)[1] is not None:
            j = Judgement(
                j.verdict, f"no interval at the adjusted level {lv:.6g} ({method}, family of {len(judged)})", basis
            )
        out[i] = FamilyJudgement(j, lv, interval, pvals.get(i))
    return out  # type: ignore[return-value]
