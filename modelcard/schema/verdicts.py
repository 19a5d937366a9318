"""THE verdict rule, and what follows from it: worse-than order, diff semantics, multiplicity.

One home for the rule (issue 11 §1); ``evaluate``, ``validate``'s consistency
check, ``gate``, ``diff``, ``render`` and ``migrate`` import it.  It lives with
the schema, below every layer that uses it, because it is part of what a valid
card is: a stated verdict must be the one this rule derives from the card's own
numbers (it needs nothing but :mod:`.types`).  On a card,
:func:`judge_card` re-derives every verdict from the card's own numbers under
its basis (``test_methodology.verdict_basis``) and multiplicity adjustment
(``fairness.adjustment``, ``fairness.family_size``); :func:`decisive_disparity`
says which disparity a result or spread is judged on; performance
requirements name the same two bases (:data:`REQUIREMENT_BASES`).

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
from enum import Enum
from typing import Any, NamedTuple

# THE Verdict enum (its order, icon and label) lives with the schema types; re-exported from here
from modelcard.schema.types import Verdict as Verdict

# --------------------------------------------------------------------------
# verdicts

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


# The records below are NamedTuples, not dataclasses: the rule is on the path of ``validate``, whose
# cold start matters, and a NamedTuple class costs a tenth of a frozen dataclass to create.


class _BandFields(NamedTuple):
    min: float | None = None
    max: float | None = None


class Band(_BandFields):
    """An acceptable range ``[min, max]``, bounds inclusive, either may be None (unbounded)."""

    __slots__ = ()

    def __new__(cls, min: float | None = None, max: float | None = None) -> Band:
        for name, v in (("min", min), ("max", max)):
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)):
                raise ValueError(f"threshold {name} must be a finite number or None, got {v!r}")
        if min is not None and max is not None and min > max:
            raise ValueError(f"threshold min {min} is greater than max {max}")
        return super().__new__(cls, min, max)

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


class Judgement(NamedTuple):
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


class Assessment(NamedTuple):
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


class ChangeResult(NamedTuple):
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


class FamilyJudgement(NamedTuple):
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


# --------------------------------------------------------------------------
# a card's verdicts: what each result is judged on, its basis, its family
#
# Everything that re-derives a verdict from a card's numbers (validate's
# consistency check, gate, diff, render, migrate) goes through
# :func:`judge_card`, so the card's basis and adjustment are read in one place.

#: a performance requirement's ``basis`` as the rule's basis: the point estimate, or the whole interval
REQUIREMENT_BASES = {"estimate": "point", "confidence_interval": "interval"}

#: the confidence level a card's intervals have when its test methodology does not say
DEFAULT_LEVEL = 0.95

#: relative slack when comparing confidence levels read back from a card (they went through text)
_LEVEL_SLACK = 1e-9


def _convention(threshold: Any) -> str | None:
    if threshold is None:
        return None
    conv = threshold.get("convention") if isinstance(threshold, dict) else getattr(threshold, "convention", None)
    return conv if conv in ("difference", "ratio") else None


def _holder(item: Any) -> Any:
    """Where an item's disparities live: a fairness result's ``disparity`` (maybe None), a spread itself."""
    return item.disparity if hasattr(item, "disparity") else item


def decisive_disparity(item: Any) -> tuple[str | None, Any]:
    """``(convention, disparity)``: the disparity a fairness result or a spread is judged on.

    With a threshold, the threshold's convention decides, and the disparity is
    None when the item does not give that one (it cannot be judged).  Without a
    threshold nothing is judged; the difference (else the ratio) is the one to
    report, and ``(None, None)`` when the item gives neither.
    """
    holder = _holder(item)
    conv = _convention(getattr(item, "threshold", None))
    if conv is not None:
        return conv, (getattr(holder, conv, None) if holder is not None else None)
    return _first_disparity(holder)


def _first_disparity(holder: Any) -> tuple[str | None, Any]:
    for conv in ("difference", "ratio"):
        d = getattr(holder, conv, None) if holder is not None else None
        if d is not None:
            return conv, d
    return None, None


def shown_disparity(item: Any) -> tuple[str | None, Any]:
    """The disparity to display: the decisive one, or, when the item lacks the threshold's, the other one."""
    conv, d = decisive_disparity(item)
    if d is None:
        return _first_disparity(_holder(item))
    return conv, d


def judge_item(
    item: Any, *, basis: str = "interval", min_level: float | None = None, default_level: float | None = None
) -> Judgement:
    """The verdict the rule gives a fairness result or spread, from its own numbers and threshold.

    ``min_level``: the confidence level a multiplicity adjustment requires of
    the interval a verdict rests on (see :func:`judge_card`).  An interval
    stated at a lower level is too narrow to decide at the adjusted level, so it
    counts as no interval (``inconclusive``) — as in :func:`judge_family`.  An
    interval that states no level has ``default_level`` (the card's).
    """
    threshold = getattr(item, "threshold", None)
    band = Band.of(threshold)
    if band.empty:
        return Judgement(Verdict.NOT_RUN, "no threshold", basis)
    conv, estimate = decisive_disparity(item)
    if estimate is None:
        return Judgement(
            Verdict.INCONCLUSIVE, f"there is no {conv or 'disparity'}, which the threshold applies to", basis
        )
    if basis == "interval" and min_level is not None:
        value, interval = _estimate_parts(estimate)
        level = getattr(interval, "level", None)
        if level is None:
            level = default_level
        if interval is not None and level is not None and level < min_level - _LEVEL_SLACK:
            j = judge_detail(value, None, band.min, band.max, basis=basis)
            return Judgement(
                j.verdict,
                f"its interval has level {level:.6g}, below the {min_level:.6g} the adjustment requires, "
                f"so the band {band.text()} cannot be checked",
                basis,
            )
    return judge_estimate(estimate, threshold, basis=basis)


class Member(NamedTuple):
    """One fairness result or spread with a threshold: where it is, and what the rule says of it."""

    path: tuple[str | int, ...]
    kind: str  # "result" | "spread"
    item: Any
    convention: str | None
    estimate: Any
    judgement: Judgement

    @property
    def verdict(self) -> Verdict:
        return self.judgement.verdict

    @property
    def stated(self) -> Verdict | None:
        """The verdict the card states (None for a spread that gives none)."""
        v = getattr(self.item, "verdict", None)
        return None if v is None else Verdict(v)

    @property
    def judged(self) -> bool:
        """Part of the family: it has a threshold and the card does not say it was not run."""
        return self.stated is not Verdict.NOT_RUN


class Problem(NamedTuple):
    """Something about the card's family of verdicts that the card checks report."""

    path: tuple[str | int, ...]
    message: str
    code: str
    severity: str  # "error" | "warning"


class CardVerdicts:
    """How a card's verdicts are decided, and what the rule derives for each result and spread.

    * ``basis``: the card's ``test_methodology.verdict_basis`` (``interval`` unless it says ``point``);
    * ``level``: the nominal confidence level (``test_methodology.confidence_intervals.level``, else 0.95);
    * ``family_size``: how many results and spreads are judged (a threshold, not ``not_run``);
      ``stated_family_size`` what ``fairness.family_size`` says;
    * ``adjustment``: ``fairness.adjustment`` (``none`` when absent) and ``min_level``, the level
      every deciding interval must have at least under it (None: no requirement);
    * ``members``: every result and spread with a threshold, with the rule's judgement;
    * ``problems``: inconsistencies between the family the card states and the one it holds.
    """

    def __init__(self, basis: str = "interval", level: float = DEFAULT_LEVEL) -> None:
        self.basis = basis
        self.level = level
        self.adjustment = "none"
        self.stated_family_size: int | None = None
        self.min_level: float | None = None
        self.members: list[Member] = []
        #: (member count, the members list, path -> member): :meth:`member`'s index
        self._index: tuple[int, list[Member], dict[tuple[str | int, ...], Member]] | None = None
        self.problems: list[Problem] = []

    def __repr__(self) -> str:
        return (
            f"CardVerdicts(basis={self.basis!r}, level={self.level!r}, adjustment={self.adjustment!r}, "
            f"family_size={self.family_size}, members={len(self.members)}, problems={self.problems!r})"
        )

    @property
    def family_size(self) -> int:
        return sum(1 for m in self.members if m.judged)

    def member(self, path: tuple[str | int, ...]) -> Member | None:
        """The member at ``path``, or None.  Looked up in an index of the members by path (rebuilt when
        the members change): ``gate`` asks for each result's member, and a scan per lookup was quadratic."""
        index = self._index
        if index is None or index[0] != len(self.members) or index[1] is not self.members:
            index = self._index = (len(self.members), self.members, {m.path: m for m in self.members})
        return index[2].get(tuple(path))

    def rule_text(self) -> str:
        """One sentence: on what the verdicts are decided."""
        if self.basis == "point":
            return (
                "Verdicts are decided on the point estimate (basis: point, chosen for this card): pass when the "
                "disparity lies inside the threshold band (bounds inclusive), fail otherwise; confidence intervals "
                "are shown but not used."
            )
        return (
            "Verdicts are decided on the confidence interval of the disparity (basis: interval): pass when the "
            "whole interval lies inside the threshold band (bounds inclusive), fail when it lies wholly outside, "
            "inconclusive when it overlaps a bound, is wider than the band, or is missing."
        )

    def family_text(self) -> str:
        """One sentence: how many results were judged, and the multiplicity adjustment."""
        m = self.family_size
        what = f"{m} result{'s' if m != 1 else ''} and spread{'s' if m != 1 else ''} judged against a threshold"
        if m == 1:
            what = "1 result or spread judged against a threshold"
        level = f"{self.level * 100:g}%"
        if self.basis == "point":
            adj = "no multiplicity adjustment applies to point-estimate verdicts"
        elif self.adjustment == "bonferroni":
            adj = (
                f"Bonferroni adjustment: every deciding interval at level "
                f"{adjusted_level(self.level, max(m, 1), 'bonferroni') * 100:.4g}% (1 − α/{m}, α = {1 - self.level:g})"
            )
        elif self.adjustment == "holm":
            adj = f"Holm step-down adjustment: deciding intervals at levels from {level} to " + (
                f"{adjusted_level(self.level, max(m, 1), 'bonferroni') * 100:.4g}%"
            )
        else:
            adj = f"no multiplicity adjustment (each interval has its own {level} level)"
        text = f"{what}; {adj}."
        if self.stated_family_size is not None and self.stated_family_size != m:
            text += f" The card states a family of {self.stated_family_size}."
        return text[:1].upper() + text[1:]


def _level_of(card: Any) -> float:
    tm = getattr(card, "test_methodology", None)
    ci = getattr(tm, "confidence_intervals", None) if tm is not None else None
    level = getattr(ci, "level", None) if ci is not None else None
    return float(level) if level is not None else DEFAULT_LEVEL


def card_basis(card: Any) -> str:
    """The card's verdict basis: ``point`` only when its test methodology says so."""
    tm = getattr(card, "test_methodology", None)
    basis = getattr(tm, "verdict_basis", None) if tm is not None else None
    return "point" if basis == "point" else "interval"


def judge_card(card: Any) -> CardVerdicts:
    """Re-derive every fairness verdict of a card from its own numbers, under its basis and adjustment.

    How an adjustment is honoured: the intervals a card holds are the ones its
    verdicts were decided on, so each result is judged on its stored interval.
    What the adjustment adds is a requirement on those intervals' levels:

    * ``bonferroni``: every deciding interval must have level at least
      ``1 − α/m`` (``α = 1 − level``, ``m`` the stated family size, else the
      counted one); a narrower interval cannot decide, so the rule gives
      ``inconclusive`` (and a stated pass/fail on it is a mismatch);
    * ``holm``: every deciding interval must have level at least the nominal
      one, and the levels must follow Holm's step-down schedule — sorted from
      the highest, ``1 − α/m``, ``1 − α/(m − 1)``, … for results the rule
      settles (pass or fail), until the first unsettled one, from which on all
      share that level and are inconclusive (:func:`holm_schedule_problem`);
    * ``none``: no requirement.

    With ``basis: point`` intervals decide nothing, so no adjustment applies.
    """
    fairness = getattr(card, "fairness", None)
    out = CardVerdicts(basis=card_basis(card), level=_level_of(card))
    if fairness is None:
        return out
    out.adjustment = getattr(fairness, "adjustment", None) or "none"
    out.stated_family_size = getattr(fairness, "family_size", None)
    items: list[tuple[tuple[str | int, ...], str, Any]] = []
    for i, r in enumerate(getattr(fairness, "results", None) or []):
        items.append((("fairness", "results", i), "result", r))
    for i, s in enumerate(getattr(fairness, "spreads", None) or []):
        items.append((("fairness", "spreads", i), "spread", s))
    items = [(p, k, x) for p, k, x in items if not Band.of(getattr(x, "threshold", None)).empty]
    counted = sum(1 for _, _, x in items if getattr(x, "verdict", None) != Verdict.NOT_RUN)
    m = out.stated_family_size if out.stated_family_size else counted
    if out.basis == "interval" and out.adjustment == "bonferroni":
        out.min_level = adjusted_level(out.level, max(m, 1), "bonferroni")
    elif out.basis == "interval" and out.adjustment == "holm":
        out.min_level = out.level
    for path, kind, x in items:
        conv, estimate = decisive_disparity(x)
        judgement = judge_item(x, basis=out.basis, min_level=out.min_level, default_level=out.level)
        out.members.append(Member(path, kind, x, conv, estimate, judgement))
    if out.stated_family_size is not None and out.stated_family_size != counted:
        out.problems.append(
            Problem(
                ("fairness", "family_size"),
                f"family_size says {out.stated_family_size} but the card judges {counted} result"
                f"{'s' if counted != 1 else ''} and spreads against a threshold; "
                "a multiplicity adjustment made for one family does not cover another",
                "family-size",
                "warning",
            )
        )
    if out.basis == "point" and out.adjustment != "none":
        out.problems.append(
            Problem(
                ("fairness", "adjustment"),
                f"adjustment '{out.adjustment}' has no effect: verdicts are decided on the point estimate "
                "(test_methodology.verdict_basis: point)",
                "adjustment-unused",
                "warning",
            )
        )
    if out.basis == "interval" and out.adjustment == "holm" and out.stated_family_size in (None, counted):
        judged = [mb for mb in out.members if mb.judged]
        levels = [_stated_level(mb.estimate, out.level) for mb in judged]
        settled = [mb.verdict in (Verdict.PASS, Verdict.FAIL) for mb in judged]
        found = _holm_schedule(levels, settled, out.level)
        if found is not None:  # located at the interval out of schedule
            i, why = found
            where = judged[i].path + ("disparity",) * (judged[i].kind == "result") + (judged[i].convention or "",)
            out.problems.append(Problem((*where, "confidence_interval", "level"), why, "adjusted-level", "error"))
    return out


def _stated_level(estimate: Any, default: float) -> float | None:
    """The level of an estimate's interval (``default`` when it states none); None without an interval."""
    interval = _estimate_parts(estimate)[1]
    if interval_bounds(interval) is None:
        return None
    level = getattr(interval, "level", None)
    return default if level is None else float(level)


def holm_schedule_problem(levels: Sequence[float | None], settled: Sequence[bool], level: float) -> str | None:
    """Why the interval levels of a family do not follow Holm's step-down schedule, or None when they do.

    ``levels[i]`` is the level of result i's deciding interval (None: no
    interval), ``settled[i]`` whether the rule settles it (pass/fail) on that
    interval.  With ``m`` results and ``α = 1 − level``, Holm judges the result
    of rank k (by decision p-value) at ``1 − α/(m − k + 1)`` while all earlier
    ones were settled; the first unsettled one stops the procedure, and it and
    all later ones share its level (and are unsettled).  So, sorted from the
    highest level, the divisors ``α/(1 − level)`` must read ``m, m − 1, …`` over
    settled results, then stay constant over unsettled ones; a result without an
    interval is unsettled at any level.
    """
    found = _holm_schedule(levels, settled, level)
    return None if found is None else found[1]


def _holm_schedule(levels: Sequence[float | None], settled: Sequence[bool], level: float) -> tuple[int, str] | None:
    """(index of the first result out of schedule, why), or None: see :func:`holm_schedule_problem`."""
    _check_level(level)
    m = len(levels)
    alpha = 1 - level
    divisors: list[tuple[float, bool, int]] = []
    for i, (lv, ok) in enumerate(zip(levels, settled)):
        if lv is None:
            continue
        d = alpha / (1 - lv) if lv < 1 else math.inf
        divisors.append((d, ok, i))
    divisors.sort(key=lambda t: -t[0])
    for k, (d, ok, i) in enumerate(divisors):
        expect = m - k
        if abs(d - expect) > 1e-6 * expect:
            lv = 1 - alpha / d if d else level
            return i, (
                f"under Holm's adjustment with a family of {m} at level {level:g}, the interval of rank {k + 1} "
                f"(by level) should have level 1 − α/{expect} = {1 - alpha / expect:.10g}, "
                f"not {lv:.10g} (1 − α/{d:.4g}; α = {alpha:g})"
            )
        if not ok:
            for d2, ok2, i2 in divisors[k:]:
                if abs(d2 - expect) > 1e-6 * expect or ok2:
                    return i2, (
                        f"under Holm's adjustment the step-down stops at the first unsettled result (level "
                        f"{1 - alpha / expect:.10g}); every later result must share that level and be "
                        "inconclusive"
                    )
            return None
    return None  # every interval settled; results without one (if any) come last and stop the procedure
