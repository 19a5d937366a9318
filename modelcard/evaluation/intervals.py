"""Closed-form confidence intervals with good small-sample coverage.

Every function comes in two forms:

* ``*_bounds(...)``: vectorised over numpy arrays, returns ``(lower, upper)``
  arrays (``nan`` where the interval is undefined).  The finaliser and the
  coverage study (``benchmarks/coverage.py``) use these.
* a scalar wrapper returning an :class:`Interval` (which names its method) or
  a :class:`NoInterval` (falsy, with the reason).

Methods and why (the coverage study backs each choice):

``wilson``
    Wilson score interval for a binomial rate k/n.  Never collapses: at k = 0
    it is ``[0, u]`` with u > 0, at k = n ``[l, 1]``; n = 1 works.
``newcombe``
    Newcombe's hybrid score interval (1998, method 10) for p1 − p2 of two
    independent rates: MOVER (method of variance estimates recovery, Zou &
    Donner 2008) applied to the two Wilson intervals.  Never collapses
    (both rates 0 gives ``[−u2, u1]``).
``koopman`` / ``mover-wilson`` (ratio)
    Koopman's (1984) asymptotic score interval for p1 / p2 (the default) and
    Donner & Zou's (2012) MOVER-R with Wilson limits.  The coverage study
    finds both within [0.93, 0.975] wherever the cell is not degenerate, with
    Koopman closer to nominal where the expected counts are small (n = 100,
    p = 0.02: 0.958 against 0.983), hence the default.  Both are unbounded
    above when the reference count is 0 (see :func:`rate_ratio`).
``delong`` / ``hanley-mcneil`` / ``hanley-mcneil-score`` (AUC)
    DeLong's variance (from counts per distinct score value, ties counting
    1/2) with a Wald interval; Hanley & McNeil's (1982) variance with a Wald
    interval; and Newcombe's (2006) score-type interval that solves
    (A − θ)² = z² V(θ) with the Hanley–McNeil variance evaluated at θ and the
    two class sizes replaced by their mean.  The score-type interval never
    collapses at AUC = 0 or 1 and works with one positive and one negative;
    the Wald intervals do collapse there (variance 0), which is why the
    finaliser uses ``hanley-mcneil-score`` by default and reports DeLong's
    standard error alongside.
``t`` / ``welch``
    Student t interval for a mean (mean error, MAE, Brier score) and the
    Welch interval (Welch–Satterthwaite degrees of freedom) for a difference of
    two independent means.  t quantiles come from :func:`t_ppf` (bisection on
    the regularised incomplete beta function, evaluated by its continued
    fraction; a Cornish–Fisher expansion above 2,000 degrees of freedom),
    tested against scipy.
``log-t``
    t interval for a positive mean on the log scale (the MSE, whose square
    root gives the RMSE interval): skewed squared errors make the plain t
    interval undercover in small samples.
``wilson-bound``
    Wilson interval for the mean of a [0, 1]-valued variable (its variance is
    at most mean·(1 − mean)): the Brier score's interval when a label class has
    fewer than 10 rows.
``mover`` (general)
    MOVER difference and ratio of two independent estimates from their own
    intervals (used for AUC, F1, balanced accuracy, RMSE and R² disparities).

Only the standard library (``statistics.NormalDist``, ``math``) and numpy are
used at run time.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist

import numpy as np
from numpy.typing import ArrayLike

# --------------------------------------------------------------------------
# result types


@dataclass(frozen=True)
class Interval:
    """A confidence interval ``[lower, upper]`` at ``level``, computed by ``method``.

    ``upper`` may be ``+inf`` (a ratio whose reference count is 0) and
    ``lower`` ``-inf``; the bounds are never nan and ``lower <= upper``.
    """

    lower: float
    upper: float
    level: float
    method: str
    note: str | None = None

    def __post_init__(self) -> None:
        if math.isnan(self.lower) or math.isnan(self.upper):
            raise ValueError(f"interval bound is nan ({self.method})")
        if self.lower > self.upper:
            raise ValueError(f"interval lower bound {self.lower!r} > upper bound {self.upper!r} ({self.method})")
        _check_level(self.level)

    @property
    def bounded(self) -> bool:
        return math.isfinite(self.lower) and math.isfinite(self.upper)

    @property
    def width(self) -> float:
        return self.upper - self.lower

    def contains(self, x: float) -> bool:
        return self.lower <= x <= self.upper


@dataclass(frozen=True)
class NoInterval:
    """No interval could be computed; ``reason`` says why.  Falsy."""

    reason: str
    method: str
    level: float

    def __bool__(self) -> bool:
        return False


IntervalResult = Interval | NoInterval


def _check_level(level: float) -> None:
    if not (isinstance(level, (int, float)) and 0 < level < 1):
        raise ValueError(f"confidence level must lie strictly between 0 and 1, got {level!r}")


def z_value(level: float) -> float:
    """Two-sided standard normal quantile for a confidence level (1.959964 for 0.95)."""
    _check_level(level)
    return NormalDist().inv_cdf(0.5 + level / 2)


def _f(x: ArrayLike) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _make(
    lo: ArrayLike, hi: ArrayLike, level: float, method: str, reason: str, note: str | None = None
) -> IntervalResult:
    low, high = float(np.asarray(lo, dtype=np.float64)), float(np.asarray(hi, dtype=np.float64))
    if math.isnan(low) or math.isnan(high):
        return NoInterval(reason, method, level)
    if low > high:  # float noise on a (near) degenerate interval
        low = high = (low + high) / 2
    return Interval(low, high, level, method, note)


# --------------------------------------------------------------------------
# Student t distribution (no scipy at run time)


def betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta function I_x(a, b), by its continued fraction (modified Lentz)."""
    if not (a > 0 and b > 0):
        raise ValueError("betainc needs a > 0 and b > 0")
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1) / (a + b + 2):
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _betacf(b, a, 1 - x) / b


def _betacf(a: float, b: float, x: float) -> float:
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 100_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > tiny else tiny)
        c = 1 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > tiny else tiny)
        c = 1 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-16:
            return h
    raise ArithmeticError(f"incomplete beta continued fraction did not converge (a={a}, b={b}, x={x})")


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with ``df`` > 0 degrees of freedom.

    Up to 2,000 degrees of freedom from the incomplete beta function; above,
    where its continued fraction converges slowly, by inverting the
    Cornish–Fisher quantile expansion used by :func:`t_ppf` (Newton in z).
    """
    if not df > 0:
        raise ValueError(f"degrees of freedom must be positive, got {df!r}")
    if math.isinf(t):
        return 1.0 if t > 0 else 0.0
    if df > _T_SWITCH:
        z = t
        for _ in range(50):
            f = _cornish_fisher(z, df) - t
            h = 1e-6 * max(1.0, abs(z))
            slope = (_cornish_fisher(z + h, df) - _cornish_fisher(z - h, df)) / (2 * h)
            step = f / slope
            z -= step
            if abs(step) <= 1e-15 * max(1.0, abs(z)):
                break
        return NormalDist().cdf(z)
    tail = 0.5 * betainc(df / 2, 0.5, df / (df + t * t))
    return 1 - tail if t > 0 else tail


def _cornish_fisher(z: float, df: float) -> float:
    """The t quantile matching the normal quantile z (Abramowitz & Stegun 26.7.5, to 1/df^4)."""
    z2 = z * z
    g1 = (z2 + 1) * z / 4
    g2 = ((5 * z2 + 16) * z2 + 3) * z / 96
    g3 = (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / 384
    g4 = ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


_T_SWITCH = 2000.0


def _t_pdf(t: float, df: float) -> float:
    log_c = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    return math.exp(log_c - (df + 1) / 2 * math.log1p(t * t / df))


@lru_cache(maxsize=4096)
def t_ppf(p: float, df: float) -> float:
    """Quantile of Student's t: the t with P(T <= t) = p.

    Exact forms for 1 and 2 degrees of freedom; above 2,000 degrees of freedom
    the Cornish–Fisher expansion in the normal quantile (Abramowitz & Stegun
    26.7.5, terms to 1/df^4, error below 1e-12 there); otherwise Newton's
    method on :func:`t_cdf` from that expansion, safeguarded by bisection
    (to a relative precision of 1e-14).
    """
    if not 0 < p < 1:
        raise ValueError(f"probability must lie strictly between 0 and 1, got {p!r}")
    if not df > 0:
        raise ValueError(f"degrees of freedom must be positive, got {df!r}")
    if p == 0.5:
        return 0.0
    if df == 1:
        return math.tan(math.pi * (p - 0.5))
    if df == 2:
        return (2 * p - 1) / math.sqrt(2 * p * (1 - p))
    upper_tail = p > 0.5
    q = p if upper_tail else 1 - p  # work in the upper half: t > 0
    t = _cornish_fisher(NormalDist().inv_cdf(q), df)
    if df <= _T_SWITCH:
        lo, hi = 0.0, max(2 * t, 1.0)
        while t_cdf(hi, df) < q:
            lo, hi = hi, hi * 2
            if hi > 1e300:
                break
        if not lo < t < hi:
            t = (lo + hi) / 2
        for _ in range(200):
            f = t_cdf(t, df) - q
            if f < 0:
                lo = t
            else:
                hi = t
            step = f / _t_pdf(t, df)
            nxt = t - step
            if not lo < nxt < hi:  # Newton left the bracket: bisect instead
                nxt = (lo + hi) / 2
            if abs(nxt - t) <= 1e-14 * max(1.0, abs(t)) or hi - lo <= 1e-15 * max(1.0, hi):
                t = nxt
                break
            t = nxt
    return t if upper_tail else -t


def t_value(level: float, df: float) -> float:
    """Two-sided t quantile for a confidence level, e.g. 2.228 for 0.95 with 10 df."""
    _check_level(level)
    return t_ppf(0.5 + level / 2, df)


# --------------------------------------------------------------------------
# rates


def wilson_bounds(k: ArrayLike, n: ArrayLike, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for k successes in n trials (nan where n = 0)."""
    z = z_value(level)
    k, n = _f(k), _f(n)
    z2 = z * z
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = n + z2
        centre = (k + z2 / 2) / denom
        half = z * np.sqrt(np.maximum(k * (n - k) / n, 0.0) + z2 / 4) / denom
        lower = np.where(k <= 0, 0.0, np.clip(centre - half, 0.0, 1.0))
        upper = np.where(k >= n, 1.0, np.clip(centre + half, 0.0, 1.0))
    bad = ~(n > 0)
    return np.where(bad, np.nan, lower), np.where(bad, np.nan, upper)


def wilson(k: int, n: int, level: float = 0.95) -> IntervalResult:
    """Wilson score interval for the rate k / n."""
    _check_counts(k, n)
    lo, hi = wilson_bounds(k, n, level)
    return _make(lo, hi, level, "wilson", "no trials (n = 0)")


def _check_counts(k: int, n: int) -> None:
    if not (0 <= k <= n):
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")


def mover_difference_bounds(
    e1: ArrayLike, l1: ArrayLike, u1: ArrayLike, e2: ArrayLike, l2: ArrayLike, u2: ArrayLike, rho: ArrayLike = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """MOVER interval for θ1 − θ2 from each estimate's own interval (Zou & Donner 2008).

    ``rho`` is the correlation of the two estimates (0 for independent groups).
    """
    e1, l1, u1, e2, l2, u2, rho = map(_f, (e1, l1, u1, e2, l2, u2, rho))
    d = e1 - e2
    a, b = e1 - l1, u2 - e2
    c, e = u1 - e1, e2 - l2
    lower = d - np.sqrt(np.maximum(a * a + b * b - 2 * rho * a * b, 0.0))
    upper = d + np.sqrt(np.maximum(c * c + e * e - 2 * rho * c * e, 0.0))
    return lower, upper


def mover_ratio_bounds(
    e1: ArrayLike, l1: ArrayLike, u1: ArrayLike, e2: ArrayLike, l2: ArrayLike, u2: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """MOVER-R interval for θ1 / θ2 of two independent non-negative estimates (Donner & Zou 2012).

    Needs e2 > 0 (nan otherwise).  The upper bound is +inf when l2 = 0.  The
    roots are taken in their rationalised, numerically stable form, valid
    whatever the sign of the quadratic's leading coefficient.
    """
    e1, l1, u1, e2, l2, u2 = map(_f, (e1, l1, u1, e2, l2, u2))
    b = e1 * e2
    with np.errstate(divide="ignore", invalid="ignore"):
        # lower: root of u2(2e2-u2) L^2 - 2 e1 e2 L + l1(2e1-l1) = 0 in [0, e1/e2]
        c_lo = l1 * (2 * e1 - l1)
        a_lo = u2 * (2 * e2 - u2)
        disc_lo = np.sqrt(np.maximum(b * b - a_lo * c_lo, 0.0))
        lower = np.where(c_lo <= 0, 0.0, c_lo / (b + disc_lo))
        # upper: root of l2(2e2-l2) U^2 - 2 e1 e2 U + u1(2e1-u1) = 0 at or above e1/e2
        a_hi = l2 * (2 * e2 - l2)
        c_hi = u1 * (2 * e1 - u1)
        disc_hi = np.sqrt(np.maximum(b * b - a_hi * c_hi, 0.0))
        upper = np.where(a_hi <= 0, np.inf, (b + disc_hi) / a_hi)
    bad = ~(e2 > 0) | np.isnan(e1) | np.isnan(l1) | np.isnan(u1) | np.isnan(l2) | np.isnan(u2)
    return np.where(bad, np.nan, lower), np.where(bad, np.nan, upper)


def newcombe_bounds(
    k1: ArrayLike, n1: ArrayLike, k2: ArrayLike, n2: ArrayLike, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe's hybrid score interval (method 10) for k1/n1 − k2/n2, independent samples."""
    k1, n1, k2, n2 = map(_f, (k1, n1, k2, n2))
    l1, u1 = wilson_bounds(k1, n1, level)
    l2, u2 = wilson_bounds(k2, n2, level)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = k1 / n1, k2 / n2
    return mover_difference_bounds(p1, l1, u1, p2, l2, u2)


def rate_difference(k1: int, n1: int, k2: int, n2: int, level: float = 0.95) -> IntervalResult:
    """Newcombe's hybrid score interval for the difference of rates k1/n1 − k2/n2."""
    _check_counts(k1, n1)
    _check_counts(k2, n2)
    lo, hi = newcombe_bounds(k1, n1, k2, n2, level)
    return _make(lo, hi, level, "newcombe", "a group has no trials (n = 0)")


def mover_wilson_ratio_bounds(
    k1: ArrayLike, n1: ArrayLike, k2: ArrayLike, n2: ArrayLike, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Donner & Zou's MOVER-R interval with Wilson limits for (k1/n1) / (k2/n2).

    nan when k2 = 0 and k1 = 0 (nothing to say), ``[L, inf)`` when only k2 = 0.
    """
    k1, n1, k2, n2 = map(_f, (k1, n1, k2, n2))
    l1, u1 = wilson_bounds(k1, n1, level)
    l2, u2 = wilson_bounds(k2, n2, level)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = k1 / n1, k2 / n2
    lower, upper = mover_ratio_bounds(p1, l1, u1, p2, l2, u2)
    # reference rate 0: the point ratio is undefined but the population ratio (p2 > 0) still has a lower bound
    zero_ref = (k2 == 0) & (n2 > 0) & (n1 > 0)
    # limit of MOVER-R as e2 -> 0 with l2 = 0: L = sqrt(l1 (2 p1 - l1)) / u2
    with np.errstate(divide="ignore", invalid="ignore"):
        lim = np.sqrt(np.maximum(l1 * (2 * p1 - l1), 0.0)) / u2
    lower = np.where(zero_ref, lim, lower)
    upper = np.where(zero_ref, np.inf, upper)
    nothing = zero_ref & (k1 == 0)
    return np.where(nothing, np.nan, lower), np.where(nothing, np.nan, upper)


def koopman_bounds(
    k1: ArrayLike, n1: ArrayLike, k2: ArrayLike, n2: ArrayLike, level: float, iterations: int = 64
) -> tuple[np.ndarray, np.ndarray]:
    """Koopman's (1984) asymptotic score interval for the ratio (k1/n1) / (k2/n2).

    The set of θ whose score statistic (Farrington–Manning form, no N/(N−1)
    factor, i.e. Miettinen–Nurminen without their correction) is at most z²,
    found by bisection on log θ.  Lower bound 0 when k1 = 0, upper bound +inf
    when k2 = 0; nan when both are 0.
    """
    z = z_value(level)
    k1, n1, k2, n2 = np.broadcast_arrays(*map(_f, (k1, n1, k2, n2)))
    p1 = np.divide(k1, n1, out=np.full(k1.shape, np.nan), where=n1 > 0)
    p2 = np.divide(k2, n2, out=np.full(k2.shape, np.nan), where=n2 > 0)
    N = n1 + n2

    c = k1 + k2
    n1_plus_k2 = n1 + k2
    k1_plus_n2 = k1 + n2

    def stat(theta: np.ndarray) -> np.ndarray:
        # constrained MLE of p2 given p1 = θ p2: the stable root 2c / (−b + sqrt(b² − 4ac)) of a x² + b x + c
        a = N * theta
        minus_b = theta * n1_plus_k2 + k1_plus_n2
        disc = np.sqrt(np.maximum(minus_b * minus_b - 4 * a * c, 0.0))
        q2 = np.minimum(2 * c / (minus_b + disc), 1.0)
        q1 = np.minimum(theta * q2, 1.0)
        var = q1 * (1 - q1) / n1 + theta * theta * q2 * (1 - q2) / n2
        num = p1 - theta * p2
        safe = np.where(var > 0, var, 1.0)
        edge = np.where(num > 0, np.inf, np.where(num < 0, -np.inf, 0.0))  # zero variance: the sign decides
        return np.where(var > 0, num / np.sqrt(safe), edge)

    with np.errstate(divide="ignore", invalid="ignore"):
        est = np.where(p2 > 0, p1 / p2, np.nan)
    log_lo_bound, log_hi_bound = math.log(1e-12), math.log(1e12)
    # lower limit: largest θ <= est with stat(θ) >= z  (stat decreases in θ)
    lo_a = np.full(est.shape, log_lo_bound)
    log_est = np.log(np.clip(np.where(p2 > 0, est, 1e12), 1e-12, 1e12))
    lo_b = np.where(p1 > 0, log_est, log_lo_bound)
    hi_a = np.where(p2 > 0, log_est, log_lo_bound)
    hi_b = np.full(est.shape, log_hi_bound)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        lower, upper = _koopman_bisect(stat, z, lo_a, lo_b, hi_a, hi_b, iterations)
    lower = np.where(k1 == 0, 0.0, lower)
    upper = np.where(k2 == 0, np.inf, upper)
    lower = np.where(lower <= 1.0001e-12, 0.0, lower)
    upper = np.where(upper >= 0.9999e12, np.inf, upper)
    bad = ~(n1 > 0) | ~(n2 > 0) | ((k1 == 0) & (k2 == 0))
    return np.where(bad, np.nan, lower), np.where(bad, np.nan, upper)


def _koopman_bisect(
    stat: Callable[[np.ndarray], np.ndarray],
    z: float,
    lo_a: np.ndarray,
    lo_b: np.ndarray,
    hi_a: np.ndarray,
    hi_b: np.ndarray,
    iterations: int,
) -> tuple[np.ndarray, np.ndarray]:
    for _ in range(iterations):
        mid = (lo_a + lo_b) / 2
        above = stat(np.exp(mid)) >= z
        lo_a = np.where(above, mid, lo_a)
        lo_b = np.where(above, lo_b, mid)
        mid = (hi_a + hi_b) / 2
        below = stat(np.exp(mid)) <= -z
        hi_b = np.where(below, mid, hi_b)
        hi_a = np.where(below, hi_a, mid)
    return np.exp((lo_a + lo_b) / 2), np.exp((hi_a + hi_b) / 2)


def rate_ratio(k1: int, n1: int, k2: int, n2: int, level: float = 0.95, method: str = "koopman") -> IntervalResult:
    """Interval for the ratio of rates (k1/n1) / (k2/n2) of two independent groups.

    ``method`` is ``koopman`` (default) or ``mover-wilson``.  With k2 = 0 the
    point ratio is undefined but the interval is ``[L, +inf)`` (its ``note``
    says so), which can still show that a ratio lies above a bound; with
    k1 = k2 = 0 there is no interval.
    """
    _check_counts(k1, n1)
    _check_counts(k2, n2)
    if method == "mover-wilson":
        lo, hi = mover_wilson_ratio_bounds(k1, n1, k2, n2, level)
    elif method == "koopman":
        lo, hi = koopman_bounds(k1, n1, k2, n2, level)
    else:
        raise ValueError(f"unknown ratio method {method!r}; use 'mover-wilson' or 'koopman'")
    if n1 == 0 or n2 == 0:
        return NoInterval("a group has no trials (n = 0)", method, level)
    if k1 == 0 and k2 == 0:
        return NoInterval("both rates are 0, so the ratio could be anything", method, level)
    note = "the reference rate is 0: the ratio is unbounded above" if k2 == 0 else None
    return _make(lo, hi, level, method, "undefined", note)


def dependent_share_difference_bounds(
    k1: ArrayLike, k2: ArrayLike, n: ArrayLike, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Interval for k1/n − k2/n, two shares of the same n (multinomial, e.g. Aequitas' PPR).

    MOVER with Wilson limits and the multinomial correlation
    −sqrt(p1 p2 / ((1 − p1)(1 − p2))) (Zou & Donner 2008; 0 when a share is 0 or 1).
    """
    k1, k2, n = map(_f, (k1, k2, n))
    l1, u1 = wilson_bounds(k1, n, level)
    l2, u2 = wilson_bounds(k2, n, level)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = k1 / n, k2 / n
        rho = -np.sqrt(p1 * p2 / ((1 - p1) * (1 - p2)))
    rho = np.where(np.isfinite(rho), rho, 0.0)
    return mover_difference_bounds(p1, l1, u1, p2, l2, u2, rho)


def conditional_count_ratio_bounds(k1: ArrayLike, k2: ArrayLike, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Interval for k1 / k2 as a ratio of two Poisson/multinomial counts (e.g. PPR ratio).

    Conditional on k1 + k2, k1 is binomial with π = λ1 / (λ1 + λ2); the Wilson
    interval [l, u] for π maps to [l / (1 − l), u / (1 − u)] for λ1 / λ2.
    """
    k1, k2 = _f(k1), _f(k2)
    lo, hi = wilson_bounds(k1, k1 + k2, level)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = lo / (1 - lo)
        upper = np.where(hi >= 1, np.inf, hi / (1 - hi))
    return lower, upper


# --------------------------------------------------------------------------
# sums and transforms of rates


def mover_sum_bounds(
    e1: ArrayLike, l1: ArrayLike, u1: ArrayLike, e2: ArrayLike, l2: ArrayLike, u2: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """MOVER interval for θ1 + θ2 of two independent estimates (Zou & Donner 2008)."""
    e1, l1, u1, e2, l2, u2 = map(_f, (e1, l1, u1, e2, l2, u2))
    s = e1 + e2
    lower = s - np.sqrt((e1 - l1) ** 2 + (e2 - l2) ** 2)
    upper = s + np.sqrt((u1 - e1) ** 2 + (u2 - e2) ** 2)
    return lower, upper


def balanced_accuracy_bounds(
    tp: ArrayLike, fn: ArrayLike, tn: ArrayLike, fp: ArrayLike, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """(TPR + TNR) / 2: MOVER sum of the two Wilson intervals, halved.

    TPR and TNR are estimated on disjoint rows (positives, negatives), so they
    are independent given the class sizes.
    """
    tp, fn, tn, fp = map(_f, (tp, fn, tn, fp))
    l1, u1 = wilson_bounds(tp, tp + fn, level)
    l2, u2 = wilson_bounds(tn, tn + fp, level)
    with np.errstate(divide="ignore", invalid="ignore"):
        e1, e2 = tp / (tp + fn), tn / (tn + fp)
    lo, hi = mover_sum_bounds(e1, l1, u1, e2, l2, u2)
    return np.clip(lo / 2, 0, 1), np.clip(hi / 2, 0, 1)


def f1_bounds(tp: ArrayLike, fp: ArrayLike, fn: ArrayLike, level: float) -> tuple[np.ndarray, np.ndarray]:
    """F1 = 2TP / (2TP + FP + FN) via the Jaccard index J = TP / (TP + FP + FN).

    Given m = TP + FP + FN (rows positive by label or prediction), TP is
    binomial with π = J in multinomial sampling, and F1 = 2J / (1 + J) is
    increasing in J, so the Wilson interval [l, u] for J maps to
    [2l / (1 + l), 2u / (1 + u)].  Exact reasoning, no delta method; never
    collapses; undefined when m = 0.
    """
    tp, fp, fn = map(_f, (tp, fp, fn))
    lo, hi = wilson_bounds(tp, tp + fp + fn, level)
    return 2 * lo / (1 + lo), 2 * hi / (1 + hi)


# --------------------------------------------------------------------------
# AUC


@dataclass(frozen=True)
class AucParts:
    """AUC per group from per-score-value counts, with the pieces intervals need (arrays over groups)."""

    auc: np.ndarray  # nan where a class is missing
    positives: np.ndarray  # n1 (int64)
    negatives: np.ndarray  # n0 (int64)
    delong_var: np.ndarray  # DeLong's variance; nan when n1 < 2 or n0 < 2
    tie_pairs: np.ndarray  # sum over score values of pos * neg: positive-negative pairs tied (counted 1/2)


def auc_parts(group: ArrayLike, neg: ArrayLike, pos: ArrayLike, n_groups: int) -> AucParts:
    """AUC and DeLong's variance per group from counts per (group, distinct score value).

    ``group``, ``neg``, ``pos`` are parallel arrays sorted by group then by
    ascending score value (one entry per distinct value).  Ties count one half.
    The AUC is computed exactly in integers, ``(Σ pos_v (2·negbelow_v + neg_v)) / (2 n1 n0)``.

    DeLong (1988) structural components: each positive at value v has
    V10 = (negatives below v + ½ negatives at v) / n0, each negative
    V01 = (positives above v + ½ positives at v) / n1;
    var = S10 / n1 + S01 / n0 with S10, S01 their sample variances.
    """
    g = np.asarray(group, dtype=np.int64)
    neg = np.asarray(neg, dtype=np.int64)
    pos = np.asarray(pos, dtype=np.int64)
    n1 = np.bincount(g, weights=pos, minlength=n_groups).astype(np.int64)
    n0 = np.bincount(g, weights=neg, minlength=n_groups).astype(np.int64)
    if g.size:
        first = np.searchsorted(g, np.arange(n_groups), side="left")
        cneg = np.cumsum(neg)
        cpos = np.cumsum(pos)
        start = np.minimum(first, g.size - 1)
        # cumulative totals of earlier groups, subtracted per row
        neg_before_group = np.where(first < g.size, cneg[start] - neg[start], 0)
        pos_before_group = np.where(first < g.size, cpos[start] - pos[start], 0)
        negbelow = cneg - neg - neg_before_group[g]
        posbelow = cpos - pos - pos_before_group[g]
    else:
        negbelow = posbelow = np.zeros(0, dtype=np.int64)
    big = float(n1.max(initial=0)) * float(n0.max(initial=0)) * 2 >= 2.0**62
    if big:  # beyond int64: exact Python integers per group (huge inputs only)
        sums: list[int] = [0] * n_groups
        terms = [int(p) * (2 * int(b) + int(q)) for p, b, q in zip(pos.tolist(), negbelow.tolist(), neg.tolist())]
        for gi, t in zip(g.tolist(), terms):
            sums[gi] += t
        exact = [2 * int(a) * int(b) for a, b in zip(n1.tolist(), n0.tolist())]
        auc = np.array([float(_exact_div(u, d)) if d else np.nan for u, d in zip(sums, exact)])
    else:
        u2 = np.zeros(n_groups, dtype=np.int64)
        np.add.at(u2, g, pos * (2 * negbelow + neg))
        denom = 2 * n1 * n0
        auc = np.divide(u2, denom, out=np.full(n_groups, np.nan), where=denom > 0)
    tie_pairs = np.bincount(g, weights=(pos * neg).astype(np.float64), minlength=n_groups)
    n1f, n0f = n1.astype(np.float64), n0.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = auc[g]
        v10 = (negbelow + 0.5 * neg) / n0f[g]
        posabove = n1[g] - posbelow - pos
        v01 = (posabove + 0.5 * pos) / n1f[g]
        s10 = np.bincount(g, weights=pos * (v10 - a) ** 2, minlength=n_groups) / (n1f - 1)
        s01 = np.bincount(g, weights=neg * (v01 - a) ** 2, minlength=n_groups) / (n0f - 1)
        var = s10 / n1f + s01 / n0f
    var = np.where((n1 >= 2) & (n0 >= 2), var, np.nan)
    return AucParts(auc, n1, n0, var, tie_pairs)


def _exact_div(num: int, den: int) -> float:
    from fractions import Fraction

    return float(Fraction(num, den))


def hanley_mcneil_variance(auc: ArrayLike, n1: ArrayLike, n0: ArrayLike) -> np.ndarray:
    """Hanley & McNeil's (1982) variance of the AUC (exponential approximation of Q1, Q2)."""
    a, n1, n0 = map(_f, (auc, n1, n0))
    with np.errstate(divide="ignore", invalid="ignore"):
        q1 = a / (2 - a)
        q2 = 2 * a * a / (1 + a)
        out: np.ndarray = (a * (1 - a) + (n1 - 1) * (q1 - a * a) + (n0 - 1) * (q2 - a * a)) / (n1 * n0)
        return out


def wald_bounds(
    estimate: ArrayLike, variance: ArrayLike, level: float, lo_clip: float = -np.inf, hi_clip: float = np.inf
) -> tuple[np.ndarray, np.ndarray]:
    """estimate ± z·sqrt(variance), clipped to [lo_clip, hi_clip]."""
    z = z_value(level)
    e, v = _f(estimate), _f(variance)
    half = z * np.sqrt(v)
    return np.clip(e - half, lo_clip, hi_clip), np.clip(e + half, lo_clip, hi_clip)


def hanley_mcneil_score_bounds(
    auc: ArrayLike, n1: ArrayLike, n0: ArrayLike, level: float, iterations: int = 80
) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe's (2006) score-type AUC interval: {θ : (A − θ)² <= z² V(θ)}.

    V(θ) = θ(1 − θ) / (n1 n0) · [1 + (N − 1)(1 − θ)/(2 − θ) + (N − 1) θ/(1 + θ)],
    N = (n1 + n0) / 2, i.e. Hanley–McNeil's variance at θ with both class sizes
    replaced by their mean.  Roots by bisection on [0, A] and [A, 1].  Does not
    collapse at A = 0 or 1; defined whenever n1, n0 >= 1.
    """
    z = z_value(level)
    a, n1, n0 = np.broadcast_arrays(*map(_f, (auc, n1, n0)))
    big_n = (n1 + n0) / 2

    def f(theta: np.ndarray) -> np.ndarray:
        v = (
            theta
            * (1 - theta)
            / (n1 * n0)
            * (1 + (big_n - 1) * (1 - theta) / (2 - theta) + (big_n - 1) * theta / (1 + theta))
        )
        out: np.ndarray = (a - theta) ** 2 - z * z * v
        return out

    ok = (n1 > 0) & (n0 > 0) & np.isfinite(a)
    a_safe = np.where(ok, a, 0.5)
    lo_a, lo_b = np.zeros(a.shape), a_safe.copy()  # f(lo_a) >= 0, f(lo_b) <= 0
    hi_a, hi_b = a_safe.copy(), np.ones(a.shape)  # f(hi_a) <= 0, f(hi_b) >= 0
    with np.errstate(divide="ignore", invalid="ignore"):
        for _ in range(iterations):
            m = (lo_a + lo_b) / 2
            pos = f(m) > 0
            lo_a = np.where(pos, m, lo_a)
            lo_b = np.where(pos, lo_b, m)
            m = (hi_a + hi_b) / 2
            pos = f(m) > 0
            hi_b = np.where(pos, m, hi_b)
            hi_a = np.where(pos, hi_a, m)
    lower = np.where(a_safe <= 0, 0.0, lo_b)  # the inner end: f <= 0 there, within 2^-80
    upper = np.where(a_safe >= 1, 1.0, hi_a)
    return np.where(ok, lower, np.nan), np.where(ok, upper, np.nan)


AUC_METHODS = ("hanley-mcneil-score", "delong", "hanley-mcneil")


def auc_bounds(parts: AucParts, level: float, method: str = "hanley-mcneil-score") -> tuple[np.ndarray, np.ndarray]:
    """AUC interval per group by ``method`` (one of :data:`AUC_METHODS`)."""
    if method == "hanley-mcneil-score":
        return hanley_mcneil_score_bounds(parts.auc, parts.positives, parts.negatives, level)
    if method == "delong":
        return wald_bounds(parts.auc, parts.delong_var, level, 0.0, 1.0)
    if method == "hanley-mcneil":
        var = hanley_mcneil_variance(parts.auc, parts.positives, parts.negatives)
        return wald_bounds(parts.auc, var, level, 0.0, 1.0)
    raise ValueError(f"unknown AUC interval method {method!r}; use one of {', '.join(AUC_METHODS)}")


# --------------------------------------------------------------------------
# means (regression errors, Brier score)


def t_mean_bounds(mean: ArrayLike, sd: ArrayLike, n: ArrayLike, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Student t interval mean ± t_{n−1} sd / sqrt(n) (nan where n < 2)."""
    mean, sd, n = np.broadcast_arrays(*map(_f, (mean, sd, n)))
    lower = np.full(mean.shape, np.nan)
    upper = np.full(mean.shape, np.nan)
    for idx in np.ndindex(mean.shape):
        if n[idx] >= 2 and np.isfinite(sd[idx]):
            half = t_value(level, n[idx] - 1) * sd[idx] / math.sqrt(n[idx])
            lower[idx], upper[idx] = mean[idx] - half, mean[idx] + half
    return lower, upper


def welch_bounds(
    m1: ArrayLike, s1: ArrayLike, n1: ArrayLike, m2: ArrayLike, s2: ArrayLike, n2: ArrayLike, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Welch interval for mean1 − mean2 of independent samples (Welch–Satterthwaite df)."""
    m1, s1, n1, m2, s2, n2 = np.broadcast_arrays(*map(_f, (m1, s1, n1, m2, s2, n2)))
    lower = np.full(m1.shape, np.nan)
    upper = np.full(m1.shape, np.nan)
    for idx in np.ndindex(m1.shape):
        if n1[idx] < 2 or n2[idx] < 2:
            continue
        v1, v2 = s1[idx] ** 2 / n1[idx], s2[idx] ** 2 / n2[idx]
        se2 = v1 + v2
        if not se2 > 0:
            continue
        df = se2**2 / (v1**2 / (n1[idx] - 1) + v2**2 / (n2[idx] - 1))
        half = t_value(level, df) * math.sqrt(se2)
        d = m1[idx] - m2[idx]
        lower[idx], upper[idx] = d - half, d + half
    return lower, upper


def mean_interval(mean: float, sd: float, n: int, level: float = 0.95) -> IntervalResult:
    """Student t interval for a mean; no interval for n < 2 or zero sample variance (it would be a point)."""
    if n < 2:
        return NoInterval("a single value (n = 1) gives no estimate of its variance", "t", level)
    if not sd > 0:
        return NoInterval(
            f"all {n} values are equal (sample variance 0): a t interval would be a single point", "t", level
        )
    lo, hi = t_mean_bounds(mean, sd, n, level)
    return _make(lo, hi, level, "t", "undefined")


#: the Brier score's t interval needs this many rows of the rarer class (whose rows carry the large losses)
BRIER_T_MIN_CLASS = 10


def bounded_mean_interval(mean: float, sd: float, n: int, level: float = 0.95, *, use_t: bool = True) -> IntervalResult:
    """Interval for the mean of values in [0, 1] (the Brier score).

    Student t (clipped to [0, 1]) when ``use_t`` and the sample variance is
    positive; otherwise the Wilson interval for n·mean "successes" in n trials
    ("wilson-bound"), which is valid (conservative) for any [0, 1]-valued
    variable — its variance is at most mean·(1 − mean) — and never collapses.
    For the Brier score the finaliser sets ``use_t`` only when each label class
    has at least :data:`BRIER_T_MIN_CLASS` rows: with fewer, the rare large
    losses make the t interval far too narrow (coverage study:
    ``benchmarks/coverage.py``).
    """
    if n < 1:
        return NoInterval("no values (n = 0)", "t", level)
    if use_t and n >= 2 and sd > 0:
        lo, hi = t_mean_bounds(mean, sd, n, level)
        return _make(max(0.0, float(lo)), min(1.0, float(hi)), level, "t", "undefined")
    lo, hi = wilson_bounds(min(max(mean, 0.0), 1.0) * n, n, level)
    why = "too few rows of one class for a t interval" if use_t is False else "n = 1" if n < 2 else "all values equal"
    return _make(lo, hi, level, "wilson-bound", "undefined", f"{why}: Wilson bound for a [0, 1]-valued mean")


def log_t_mean_bounds(mean: ArrayLike, sd: ArrayLike, n: ArrayLike, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Interval for a positive mean (the MSE) on the log scale: exp(log m ± t_{n−1} sd / (m sqrt(n))).

    Skewed non-negative values (squared errors) make the plain t interval
    undercover in small samples; the log scale follows the skew (coverage
    study).  nan where n < 2, sd = 0 or mean = 0.
    """
    mean, sd, n = np.broadcast_arrays(*map(_f, (mean, sd, n)))
    lower = np.full(mean.shape, np.nan)
    upper = np.full(mean.shape, np.nan)
    for idx in np.ndindex(mean.shape):
        if n[idx] >= 2 and sd[idx] > 0 and mean[idx] > 0:
            half = t_value(level, n[idx] - 1) * sd[idx] / (mean[idx] * math.sqrt(n[idx]))
            lower[idx], upper[idx] = mean[idx] * math.exp(-half), mean[idx] * math.exp(half)
    return lower, upper
