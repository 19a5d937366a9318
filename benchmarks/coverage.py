"""Coverage study of modelcard's confidence intervals (issue 11 §2).

Simulates every interval type at nominal 0.95 over n in {5, 20, 100, 1000, 5000}
and p in {0.02, 0.2, 0.5}, 2,000 replicates per cell (seeded), and prints the
empirical coverage: the share of replicates whose interval contains the true
value.  Cells outside [0.93, 0.975] are flagged ``!``.  With 2,000 replicates
the Monte Carlo standard error of a coverage near 0.95 is about 0.005.

Degenerate cells are reported, not hidden: a replicate whose interval is
undefined (e.g. a ratio with both counts 0, an AUC without positives) is
counted in ``undef`` and left out of the coverage, which is then *conditional*
on the interval being defined; ``unb`` counts intervals unbounded above (a
ratio whose reference count is 0: ``[L, +inf)``), which are included.

Designs
-------
* rate: k ~ Binomial(n, p).  The exact coverage (summing the binomial
  probabilities of the k whose interval contains p) is printed too.
* two rates, design A ("equal"): both groups (n, p): difference 0, ratio 1.
  Design B ("vs 0.3"): group (n, p) against a reference (n, 0.3).
* AUC: n rows, each positive with probability p (so n1 ~ Binomial(n, p));
  scores binormal, negatives N(0, 1), positives N(δ, 1) with true AUC
  Φ(δ/√2) = 0.8 (also 0.95 near the boundary); "ties": the same latent score
  cut into 10 levels (true AUC with ties counting 1/2: 0.771), as a decile score.
* AUC difference/ratio: two independent groups with the design above (equal AUC 0.8).
* F1, balanced accuracy: rows multinomial over (label, prediction) with base
  rate p, TPR 0.7, FPR 0.2.
* Brier score: scores s ~ Beta(1, (1 − p)/p) (mean p), labels Bernoulli(s).
* regression (n only): y ~ N(0, 1), prediction 0.8 y + N(0, 0.6²): mean
  error 0, MAE sqrt(0.4)·sqrt(2/π), RMSE sqrt(0.4), R² 0.6.

Usage: ``python benchmarks/coverage.py [--replicates 2000] [--seed 11] [--quick]``
(``--quick``: 400 replicates, for a smoke run).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from modelcard.evaluation import intervals as I
from modelcard.evaluation import stats as S
from modelcard.evaluation.finalize import _r2_bounds

NS = (5, 20, 100, 1000, 5000)
PS = (0.02, 0.2, 0.5)
LEVEL = 0.95
LOW, HIGH = 0.93, 0.975
PHI = NormalDist()


@dataclass
class Cell:
    covered: int
    defined: int
    undefined: int
    unbounded: int = 0

    @property
    def coverage(self) -> float:
        return self.covered / self.defined if self.defined else math.nan

    def text(self) -> str:
        if not self.defined:
            return f"   n/a  undef={self.undefined}"
        c = self.coverage
        flag = "!" if not LOW <= c <= HIGH else " "
        extra = []
        if self.undefined:
            extra.append(f"undef={self.undefined}")
        if self.unbounded:
            extra.append(f"unb={self.unbounded}")
        return f"{c:6.3f}{flag}" + (" " + " ".join(extra) if extra else "")


def cell(lo: np.ndarray, hi: np.ndarray, truth) -> Cell:
    lo, hi = np.asarray(lo, float), np.asarray(hi, float)
    ok = ~(np.isnan(lo) | np.isnan(hi))
    cov = ok & (lo <= truth) & (truth <= hi)
    return Cell(int(cov.sum()), int(ok.sum()), int((~ok).sum()), int((ok & np.isinf(hi)).sum()))


TABLES: list[tuple[str, dict]] = []
FLAGGED: dict[str, list[str]] = {"default": [], "degenerate": [], "alternative": []}


def table(title: str, cells: dict, columns=PS, column_name="p", default: bool = True) -> None:
    """Print one coverage table; ``default``: the method the finaliser uses (others are for comparison)."""
    TABLES.append((title, cells))
    print(f"\n{title}" + ("" if default else "   [alternative, not the default]"))
    print("  " + f"{'n':>6}  " + "  ".join(f"{column_name}={c:<20}" for c in columns))
    for n in NS:
        row = [cells.get((n, c)) for c in columns]
        if all(x is None for x in row):
            continue
        print("  " + f"{n:>6}  " + "  ".join(f"{(x.text() if x else ''):<22}" for x in row))
        for c, x in zip(columns, row):
            if x and x.defined and not LOW <= x.coverage <= HIGH:
                kind = "alternative" if not default else "degenerate" if x.undefined > x.defined else "default"
                FLAGGED[kind].append(
                    f"{title}: n={n}, {column_name}={c}: {x.coverage:.3f}"
                    + (f" ({x.undefined} undefined)" if x.undefined else "")
                )


# --------------------------------------------------------------------------


def rates(rng: np.random.Generator, reps: int) -> None:
    sim, exact = {}, {}
    for n in NS:
        for p in PS:
            k = rng.binomial(n, p, reps)
            sim[n, p] = cell(*I.wilson_bounds(k, n, LEVEL), p)
            ks = np.arange(n + 1)
            lo, hi = I.wilson_bounds(ks, n, LEVEL)
            logpmf = np.array(
                [
                    math.lgamma(n + 1)
                    - math.lgamma(j + 1)
                    - math.lgamma(n - j + 1)
                    + j * math.log(p)
                    + (n - j) * math.log1p(-p)
                    for j in range(n + 1)
                ]
            )
            cov = float(np.exp(logpmf)[(lo <= p) & (p <= hi)].sum())
            exact[n, p] = Cell(round(cov * 1_000_000), 1_000_000, 0)
    table("rate: Wilson (simulated)", sim)
    table("rate: Wilson (exact binomial coverage)", exact)


def two_rates(rng: np.random.Generator, reps: int) -> None:
    designs = {"A equal": lambda p: p, "B vs 0.3": lambda p: 0.3}
    for label, ref in designs.items():
        diff, mover, koop = {}, {}, {}
        for n in NS:
            for p in PS:
                p2 = ref(p)
                k1 = rng.binomial(n, p, reps)
                k2 = rng.binomial(n, p2, reps)
                diff[n, p] = cell(*I.newcombe_bounds(k1, n, k2, n, LEVEL), p - p2)
                mover[n, p] = cell(*I.mover_wilson_ratio_bounds(k1, n, k2, n, LEVEL), p / p2)
                koop[n, p] = cell(*I.koopman_bounds(k1, n, k2, n, LEVEL, iterations=60), p / p2)
        table(f"rate difference, design {label}: Newcombe hybrid score (method 10)", diff)
        table(f"rate ratio, design {label}: Koopman asymptotic score", koop)
        table(f"rate ratio, design {label}: MOVER-R with Wilson limits (Donner & Zou)", mover, default=False)


def _auc_design(auc: float, tied: bool):
    delta = math.sqrt(2) * PHI.inv_cdf(auc)
    cuts = np.linspace(-1.5, 2.5, 9)  # 10 levels
    if tied:
        edges = np.concatenate([[-np.inf], cuts, [np.inf]])
        cdf = np.vectorize(PHI.cdf)
        p_neg = np.diff(cdf(edges))
        p_pos = np.diff(cdf(edges - delta))
        below = np.concatenate([[0.0], np.cumsum(p_neg)[:-1]])
        true = float((p_pos * (below + 0.5 * p_neg)).sum())
    else:
        true = auc
    return delta, cuts, true


def _auc_tables(rng, n: int, p: float, reps: int, delta: float, cuts, tied: bool):
    """Per replicate AUC parts for rows (reps, n): score table per replicate, as the library builds it."""
    y = (rng.random((reps, n)) < p).astype(np.int64)
    latent = rng.standard_normal((reps, n)) + delta * y
    if tied:
        level = np.searchsorted(cuts, latent)  # 0..9
        key = np.arange(reps)[:, None] * 10 + level
        pos = np.bincount(key.ravel(), weights=y.ravel(), minlength=reps * 10).astype(np.int64)
        tot = np.bincount(key.ravel(), minlength=reps * 10)
        group = np.repeat(np.arange(reps), 10)
        return I.auc_parts(group, tot - pos, pos, reps)
    order = np.argsort(latent, axis=1)
    ys = np.take_along_axis(y, order, axis=1).ravel()
    group = np.repeat(np.arange(reps), n)
    return I.auc_parts(group, 1 - ys, ys, reps)


def aucs(rng: np.random.Generator, reps: int) -> None:
    for auc, tied in ((0.8, False), (0.95, False), (0.8, True)):
        delta, cuts, true = _auc_design(auc, tied)
        res = {m: {} for m in I.AUC_METHODS}
        for n in NS:
            for p in PS:
                parts = _auc_tables(rng, n, p, reps, delta, cuts, tied)
                for m in I.AUC_METHODS:
                    res[m][n, p] = cell(*I.auc_bounds(parts, LEVEL, m), true)
        what = f"AUC {true:.3f}" + (" (10-level score, ties)" if tied else " (binormal)")
        for m in I.AUC_METHODS:
            table(f"{what}: {m}", res[m], default=m == "hanley-mcneil-score")


def auc_two_groups(rng: np.random.Generator, reps: int) -> None:
    delta, cuts, _true = _auc_design(0.8, False)
    d_score, d_delong, r_score = {}, {}, {}
    for n in NS:
        for p in PS:
            a = _auc_tables(rng, n, p, reps, delta, cuts, False)
            b = _auc_tables(rng, n, p, reps, delta, cuts, False)
            la, ua = I.auc_bounds(a, LEVEL)
            lb, ub = I.auc_bounds(b, LEVEL)
            d_score[n, p] = cell(*I.mover_difference_bounds(a.auc, la, ua, b.auc, lb, ub), 0.0)
            r_score[n, p] = cell(*I.mover_ratio_bounds(a.auc, la, ua, b.auc, lb, ub), 1.0)
            d_delong[n, p] = cell(*I.wald_bounds(a.auc - b.auc, a.delong_var + b.delong_var, LEVEL), 0.0)
    table("AUC difference (two groups, AUC 0.8 each): MOVER on hanley-mcneil-score", d_score)
    table("AUC difference (two groups, AUC 0.8 each): DeLong Wald (var1 + var2)", d_delong, default=False)
    table("AUC ratio (two groups, AUC 0.8 each): MOVER-R on hanley-mcneil-score", r_score)


def f1_balanced(rng: np.random.Generator, reps: int) -> None:
    tpr, fpr = 0.7, 0.2
    f1, bal = {}, {}
    for n in NS:
        for p in PS:
            probs = [(1 - p) * (1 - fpr), (1 - p) * fpr, p * (1 - tpr), p * tpr]  # TN FP FN TP
            c = rng.multinomial(n, probs, size=reps)
            tn, fp, fn, tp = c.T
            true_f1 = 2 * probs[3] / (2 * probs[3] + probs[1] + probs[2])
            f1[n, p] = cell(*I.f1_bounds(tp, fp, fn, LEVEL), true_f1)
            bal[n, p] = cell(*I.balanced_accuracy_bounds(tp, fn, tn, fp, LEVEL), (tpr + 1 - fpr) / 2)
    table("F1 (base rate p, TPR 0.7, FPR 0.2): Wilson on the Jaccard index", f1)
    table("balanced accuracy (same design): MOVER sum of Wilson intervals", bal)


def brier(rng: np.random.Generator, reps: int) -> None:
    out = {}
    for n in NS:
        for p in PS:
            a, b = 1.0, (1 - p) / p
            var = a * b / ((a + b) ** 2 * (a + b + 1))
            true = p - (var + p * p)
            s = rng.beta(a, b, (reps, n))
            y = (rng.random((reps, n)) < s).astype(float)
            loss = (s - y) ** 2
            mean = loss.mean(axis=1)
            sd = loss.std(axis=1, ddof=1) if n > 1 else np.zeros(reps)
            lo = np.empty(reps)
            hi = np.empty(reps)
            n1 = y.sum(axis=1)
            use_t = np.minimum(n1, n - n1) >= I.BRIER_T_MIN_CLASS
            for r in range(reps):
                ci = I.bounded_mean_interval(float(mean[r]), float(sd[r]), n, LEVEL, use_t=bool(use_t[r]))
                lo[r], hi[r] = (ci.lower, ci.upper) if ci else (np.nan, np.nan)
            out[n, p] = cell(lo, hi, true)
    table("Brier score (scores ~ Beta, mean p; calibrated labels): t, or Wilson bound if a class has < 10 rows", out)


def regression(rng: np.random.Generator, reps: int) -> None:
    true = {"mean_error": 0.0, "mae": math.sqrt(0.4) * math.sqrt(2 / math.pi), "rmse": math.sqrt(0.4), "r2": 0.6}
    res = {k: {} for k in true}
    for n in NS:
        y = rng.standard_normal((reps, n))
        pred = 0.8 * y + 0.6 * rng.standard_normal((reps, n))
        st = S.RegressionStats.from_arrays(
            y.ravel(), pred.ravel(), {"rep": (np.repeat(np.arange(reps), n), np.arange(reps))}
        )
        mean_e = np.empty(reps)
        sd_e = np.empty(reps)
        mae = np.empty(reps)
        sd_a = np.empty(reps)
        mse = np.empty(reps)
        sd_m = np.empty(reps)
        for i in range(st.size):
            ni = int(st.n[i])
            mean_e[i], v = S.exact_mean_var(st.sums["e"][i], st.sums["e2"][i], ni)
            sd_e[i] = math.sqrt(v) if ni > 1 else np.nan
            mae[i], v = S.exact_mean_var(st.sums["abs_e"][i], st.sums["e2"][i], ni)
            sd_a[i] = math.sqrt(v) if ni > 1 else np.nan
            mse[i], v = S.exact_mean_var(st.sums["e2"][i], st.sums["e4"][i], ni)
            sd_m[i] = math.sqrt(v) if ni > 1 else np.nan
        res["mean_error"][n, "-"] = cell(*I.t_mean_bounds(mean_e, sd_e, n, LEVEL), true["mean_error"])
        res["mae"][n, "-"] = cell(*I.t_mean_bounds(mae, sd_a, n, LEVEL), true["mae"])
        lo, hi = I.log_t_mean_bounds(mse, sd_m, n, LEVEL)
        res["rmse"][n, "-"] = cell(np.sqrt(lo), np.sqrt(hi), true["rmse"])
        _, lo, hi = _r2_bounds(st, LEVEL)
        res["r2"][n, "-"] = cell(lo, hi, true["r2"])
    for k, label in (
        ("mean_error", "mean error: t"),
        ("mae", "MAE: t on |e|"),
        ("rmse", "RMSE: sqrt of the log-scale t interval of the MSE"),
        ("r2", "R²: delta method, t quantile"),
    ):
        table(f"regression {label}", res[k], columns=("-",), column_name="p")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replicates", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--quick", action="store_true", help="400 replicates, a smoke run")
    args = ap.parse_args(argv)
    reps = 400 if args.quick else args.replicates
    rng = np.random.default_rng(args.seed)
    start = time.perf_counter()
    print(
        f"coverage study: nominal {LEVEL}, {reps} replicates per cell, seed {args.seed}; "
        f"'!' = outside [{LOW}, {HIGH}]; undef = replicates without an interval (left out); "
        f"unb = intervals unbounded above (kept)"
    )
    for part in (rates, two_rates, aucs, auc_two_groups, f1_balanced, brier, regression):
        part(rng, reps)
    heads = {
        "default": "default methods",
        "degenerate": "default methods, degenerate cells (most replicates "
        "have no interval: no positives, both counts 0, ...; coverage is conditional)",
        "alternative": "alternative methods (not used by default)",
    }
    for kind, head in heads.items():
        print(f"\n{len(FLAGGED[kind])} cells outside [{LOW}, {HIGH}] — {head}:")
        for f in FLAGGED[kind]:
            print(f"  {f}")
    print(f"\ntotal time {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
