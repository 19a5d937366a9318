"""Benchmark: `modelcard evaluate` (sufficient statistics + one finaliser) vs its previous core and fairlearn.

1,000,000 synthetic rows, two sensitive features (race: 5 groups, sex: 2),
continuous probability scores; groupings overall, race, sex and race x sex.

* ``evaluate``  modelcard.evaluation.pipeline.evaluate(): input checks, mergeable statistics,
                every metric of issue 11 (confusion counts, 14 rates, AUC, Brier score, ECE) with
                closed-form intervals, disparities, spreads, criteria, calibration bins, verdicts,
                and the typed fragment;
* ``previous``  the same call on the previous core (commit 58f0754: 8 metrics, Wilson/Newcombe
                intervals, no bootstrap), run from a copy of that tree given with --old, e.g.
                ``git archive 58f0754 | tar -x -C /tmp/old``; same data, same process layout;
* ``fairlearn`` MetricFrame computing the 8 metrics both cores share, without intervals.

Every value both compute is compared: the rates to 1e-12, the AUC within the error bound the
fragment states when a group has more than 100,000 distinct scores (then scores are binned).

    .venv/bin/python benchmarks/bench_evaluate.py [--rows N] [--repeat R] [--old DIR] [--no-fairlearn]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ("selection_rate", "accuracy", "tpr", "fnr", "fpr", "tnr", "precision", "auc")


def make_data(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    race = rng.choice(
        np.array(["African-American", "Asian", "Caucasian", "Hispanic", "Other"]), n, p=[0.40, 0.02, 0.38, 0.12, 0.08]
    )
    sex = rng.choice(np.array(["Female", "Male"]), n, p=[0.2, 0.8])
    y = (rng.random(n) < 0.45).astype(np.int8)
    scores = 1 / (1 + np.exp(-(1.2 * y - 0.6 + 0.3 * (race == "African-American") + rng.normal(0, 1, n))))
    pred = (scores >= 0.5).astype(np.int8)
    return y, pred, scores, {"race": race, "sex": sex}


def best_of(fn: Any, repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


_OLD = """
import json, sys, time
sys.path.insert(0, {old!r})
sys.path.insert(1, {here!r})
from bench_evaluate import make_data
y, p, s, sens = make_data({rows})
from modelcard.evaluation.pipeline import evaluate
assert evaluate.__module__ == "modelcard.evaluation.pipeline" and {old!r} in sys.modules["modelcard"].__file__
best = float("inf")
for _ in range({repeat}):
    t = time.perf_counter()
    evaluate(y, p, sens, scores=s, intersectional=True, bootstrap=0)
    best = min(best, time.perf_counter() - t)
print(json.dumps({{"seconds": best}}))
"""


def time_previous(old: Path, rows: int, repeat: int) -> float:
    """Best time of the previous core's evaluate() (a separate interpreter: both are named `modelcard`)."""
    code = _OLD.format(old=str(old), here=str(HERE), rows=rows, repeat=repeat)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(old))
    if proc.returncode != 0:
        sys.exit(f"the previous core failed:\n{proc.stderr[-3000:]}")
    return float(json.loads(proc.stdout.strip().splitlines()[-1])["seconds"])


def fairlearn_all(y: np.ndarray, p: np.ndarray, s: np.ndarray, sens: dict[str, np.ndarray]) -> dict[Any, Any]:
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
    out: dict[Any, Any] = {}
    for attrs in (("race",), ("sex",), ("race", "sex")):
        features = pd.DataFrame({a: sens[a] for a in attrs})
        mf = MetricFrame(metrics=rates, y_true=y, y_pred=p, sensitive_features=features)
        auc = MetricFrame(metrics={"auc": skm.roc_auc_score}, y_true=y, y_pred=s, sensitive_features=features)
        out[attrs] = pd.concat([mf.by_group, auc.by_group], axis=1)
        out[()] = pd.concat([mf.overall, auc.overall])
    return out


def compare(fragment: Any, fl: dict[Any, Any]) -> tuple[float, float, int]:
    """(largest rate difference, largest AUC difference beyond its stated bound, values compared)."""
    worst, auc_excess, count = 0.0, 0.0, 0
    for m in fragment.metrics:
        if m.name not in SHARED:
            continue
        attrs = tuple((m.slice or {}).keys())
        values = tuple((m.slice or {}).values())
        theirs = fl[()][m.name] if not attrs else fl[attrs].loc[values[0] if len(values) == 1 else values][m.name]
        diff = abs(float(m.value) - float(theirs))
        if m.name == "auc":
            bound = 0.0
            note = " ".join(filter(None, [m.description, m.no_interval_reason]))
            found = re.search(r"within ±([0-9.e-]+)", note)
            if found:
                bound = float(found.group(1))
            auc_excess = max(auc_excess, diff - bound)
        else:
            worst = max(worst, diff)
        count += 1
    return worst, auc_excess, count


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--old", type=Path, help="a copy of the previous tree (git archive 58f0754 | tar -x -C DIR)")
    ap.add_argument("--no-fairlearn", action="store_true", help="skip the fairlearn timing and value check")
    args = ap.parse_args()

    sys.path.insert(0, str(ROOT))
    from modelcard.evaluation.pipeline import evaluate

    y, p, s, sens = make_data(args.rows)
    columns = {"y": y, "p": p, "s": s, **sens}
    print(
        f"{args.rows:,} rows; sensitive features race (5 groups) and sex (2); groupings: overall, race, sex, race x sex"
    )

    def run() -> Any:
        return evaluate(columns, label="y", prediction="p", score="s", sensitive=["race", "sex"], intersectional=True)

    t_new, fragment = best_of(run, args.repeat)
    t_old = time_previous(args.old, args.rows, args.repeat) if args.old else None
    print(f"{'':34}{'seconds':>10}")
    print(f"{'modelcard evaluate (this tree)':34}{t_new:10.3f}   {len(fragment.metrics)} metric values")
    if t_old is not None:
        print(f"{'modelcard evaluate (previous)':34}{t_old:10.3f}   8 metrics x the same groups")
        print(f"this tree vs previous: {t_old / t_new:.2f}x ({'at least as fast' if t_new <= t_old else 'SLOWER'})")
    same = True
    if not args.no_fairlearn:
        t = time.perf_counter()
        fl = fairlearn_all(y, p, s, sens)
        t_fl = time.perf_counter() - t
        worst, auc_excess, count = compare(fragment, fl)
        same = worst <= 1e-12 and auc_excess <= 1e-12
        print(f"{'fairlearn MetricFrame (8 metrics)':34}{t_fl:10.3f}   {t_fl / t_new:.1f}x slower than this tree")
        print(
            f"values compared with fairlearn: {count}; largest rate difference {worst:.2e}; AUC beyond its stated "
            f"bound {max(auc_excess, 0):.2e} -> {'same' if same else 'DIFFERENT'}"
        )
    return 0 if same and (t_old is None or t_new <= t_old) else 1


if __name__ == "__main__":
    sys.exit(main())
