"""Benchmark: `modelcard evaluate`'s numpy core vs fairlearn's MetricFrame.

1,000,000 synthetic rows, two sensitive features (race: 5 groups, sex: 2),
continuous scores.  Both compute the same numbers: selection rate, accuracy,
TPR, FNR, FPR, TNR, precision and AUC, overall and per group for race, for
sex and for race x sex.  The script checks that every value agrees to 1e-12
and prints the speed ratio (target: modelcard at least 5x faster).

    .venv/bin/python benchmarks/bench_evaluate.py [--rows N] [--bootstrap B]

Timings (best of --repeat runs for modelcard, one run for fairlearn):

* ``core``      modelcard.evaluation.pipeline.compute(): per-group counts, rates, Wilson
                intervals and AUC (the same work as MetricFrame, plus intervals);
* ``evaluate``  modelcard.evaluation.pipeline.evaluate(bootstrap=0): input checks, core,
                disparities with Newcombe intervals, the fragment dict and its
                schema validation;
* ``evaluate+bootstrap``  the same with --bootstrap resamples (AUC and ratio
                intervals), for information: fairlearn computes no intervals.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from modelcard.evaluation.pipeline import compute, evaluate


def make_data(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    race = rng.choice(
        np.array(["African-American", "Asian", "Caucasian", "Hispanic", "Other"]), n, p=[0.40, 0.02, 0.38, 0.12, 0.08]
    )
    sex = rng.choice(np.array(["Female", "Male"]), n, p=[0.2, 0.8])
    y = (rng.random(n) < 0.45).astype(np.int8)
    scores = 1 / (1 + np.exp(-(1.2 * y - 0.6 + 0.3 * (race == "African-American") + rng.normal(0, 1, n))))
    pred = (scores >= 0.5).astype(np.int8)
    return y, pred, scores, {"race": race, "sex": sex}


def fairlearn_all(y, p, s, sens):
    import pandas as pd
    import sklearn.metrics as skm
    from fairlearn.metrics import (
        MetricFrame,
        false_negative_rate,
        false_positive_rate,
        selection_rate,
        true_negative_rate,
        true_positive_rate,
    )

    rates = {
        "selection_rate": selection_rate,
        "accuracy": skm.accuracy_score,
        "tpr": true_positive_rate,
        "fnr": false_negative_rate,
        "fpr": false_positive_rate,
        "tnr": true_negative_rate,
        "precision": skm.precision_score,
    }
    out = {}
    for attrs in (("race",), ("sex",), ("race", "sex")):
        features = pd.DataFrame({a: sens[a] for a in attrs})
        mf = MetricFrame(metrics=rates, y_true=y, y_pred=p, sensitive_features=features)
        auc = MetricFrame(metrics={"auc": skm.roc_auc_score}, y_true=y, y_pred=s, sensitive_features=features)
        out[attrs] = pd.concat([mf.by_group, auc.by_group], axis=1)
        out[()] = pd.concat([mf.overall, auc.overall])
    return out


def compare(ev, fl) -> tuple[float, int]:
    worst, count = 0.0, 0
    for res in ev.groupings:
        attrs = res.grouping.attributes
        for name, mv in res.values.items():
            for j, values in enumerate(res.grouping.groups):
                theirs = fl[()][name] if not attrs else fl[attrs].loc[values[0] if len(values) == 1 else values][name]
                worst = max(worst, abs(float(mv.value[j]) - float(theirs)))
                count += 1
    return worst, count


def best_of(fn, repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--bootstrap", type=int, default=100, help="resamples for the evaluate+bootstrap timing")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    y, p, s, sens = make_data(args.rows)
    print(
        f"{args.rows:,} rows; sensitive features race (5 groups) and sex (2); groupings: overall, race, sex, "
        "race x sex; 8 metrics"
    )

    t_core, ev = best_of(lambda: compute(y, p, sens, scores=s, intersectional=True, bootstrap=0), args.repeat)
    t_eval, _ = best_of(lambda: evaluate(y, p, sens, scores=s, intersectional=True, bootstrap=0), args.repeat)

    t = time.perf_counter()
    fl = fairlearn_all(y, p, s, sens)
    t_fl = time.perf_counter() - t

    worst, count = compare(ev, fl)
    same = worst <= 1e-12
    print(f"values compared: {count}; largest absolute difference {worst:.2e} -> {'same' if same else 'DIFFERENT'}")

    print(f"{'':28}{'seconds':>10}{'vs fairlearn':>15}")
    print(f"{'fairlearn MetricFrame':28}{t_fl:10.3f}{'1.0x':>15}")
    print(f"{'modelcard core':28}{t_core:10.3f}{t_fl / t_core:14.1f}x")
    print(f"{'modelcard evaluate':28}{t_eval:10.3f}{t_fl / t_eval:14.1f}x")
    if args.bootstrap:
        t = time.perf_counter()
        evaluate(y, p, sens, scores=s, intersectional=True, bootstrap=args.bootstrap)
        t_boot = time.perf_counter() - t
        print(
            f"{'evaluate+bootstrap ' + str(args.bootstrap):28}{t_boot:10.3f}{t_fl / t_boot:14.1f}x"
            "   (adds AUC/ratio intervals; fairlearn gives none)"
        )
    target = t_fl / t_eval >= 5
    print(f"target >= 5x faster (evaluate, no bootstrap): {'met' if target else 'NOT met'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
