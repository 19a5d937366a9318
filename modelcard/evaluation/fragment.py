"""The finaliser's report as card sections: typed schema models, verdicts by THE rule.

:func:`build` maps a :class:`~modelcard.evaluation.finalize.Report` onto
``test_methodology`` (definitions, interval methods, conventions, criteria,
verdict basis), ``metrics`` (:class:`~modelcard.schema.models.MetricResult`)
and ``fairness`` (:class:`~modelcard.schema.models.FairnessResult`,
:class:`~modelcard.schema.models.GroupSpread`,
:class:`~modelcard.schema.models.CalibrationResult`, family size and
adjustment), judging every result and spread that has a threshold with
:func:`modelcard.schema.verdicts.judge_family`.

What a card can record decides what is judged: the card's bounds are finite,
so an interval unbounded above (a ratio whose reference value is 0, where the
ratio itself is undefined) is not written — the disparity says why, giving the
one-sided interval in words — and the verdict on it is the one the card's own
numbers give (``inconclusive``), so ``validate`` re-derives every verdict the
fragment states.  With a multiplicity adjustment the disparity intervals of
judged results are written at the adjusted level they were judged at (their
``level`` says so).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from modelcard.evaluation import finalize as F
from modelcard.evaluation import intervals as I
from modelcard.evaluation.options import EvaluateOptions, is_small_sample
from modelcard.io.serialize import card_file_text, card_text
from modelcard.schema import models as S
from modelcard.schema import verdicts as V
from modelcard.schema.types import MAX_MAGNITUDE, group_text

Key = tuple[str, ...]
Clip = tuple[float, float]

_UNIT: Clip = (0.0, 1.0)
_SIGNED_UNIT: Clip = (-1.0, 1.0)
_POSITIVE: Clip = (0.0, math.inf)
_ANY: Clip = (-math.inf, math.inf)

#: metrics whose values are proportions in [0, 1] (intervals are kept inside that range against float noise)
_PROPORTIONS = frozenset(
    {*F.BINARY_METRICS, "auc", "brier", "ece", "accuracy", "macro_recall", "macro_precision", "macro_f1"}
)
#: metrics that depend on the decision threshold (their definitions record it when predictions come from scores)
_THRESHOLD_DEPENDENT = frozenset({*F.BINARY_METRICS, *F.COUNT_METRICS, F.EQUALIZED_ODDS.name})


def _base(name: str) -> str:
    return name.split("[", 1)[0]


def is_proportion(name: str) -> bool:
    return _base(name) in _PROPORTIONS


# --------------------------------------------------------------------------
# the fragment


@dataclass(frozen=True)
class RunInfo:
    """What the run was (the fragment's ``x-evaluate`` block): generator, rows, inputs, references."""

    generator: str
    task: str
    rows: int
    min_group_size: int
    reference_groups: tuple[tuple[dict[str, str], str], ...] = ()
    provenance: Mapping[str, Any] = field(default_factory=dict)
    thresholds_from: Mapping[str, Any] | None = None
    warnings: tuple[str, ...] = ()

    def to_data(self) -> dict[str, Any]:
        out: dict[str, Any] = {"generator": self.generator, "task": self.task, "rows": self.rows}
        out.update(dict(self.provenance))
        out["reference_groups"] = [{"group": dict(g), "why": why} for g, why in self.reference_groups]
        out["min_group_size"] = self.min_group_size
        if self.thresholds_from is not None:
            out["thresholds_from"] = dict(self.thresholds_from)
        if self.warnings:
            out["warnings"] = list(self.warnings)
        return out


@dataclass(frozen=True)
class Fragment:
    """The part of a card ``evaluate`` writes: typed sections plus the run's ``x-evaluate`` record.

    Layer it over a card (``to_data()`` is the mapping a card file would
    hold, ``to_yaml()`` its text), or read the typed sections directly.
    """

    test_methodology: S.TestMethodology
    metrics: tuple[S.MetricResult, ...]
    fairness: S.Fairness
    info: RunInfo

    @property
    def warnings(self) -> tuple[str, ...]:
        """Things about the input the user should know (whitespace in group labels, ...)."""
        return self.info.warnings

    @property
    def family_size(self) -> int:
        return self.fairness.family_size or 0

    def verdict_counts(self) -> dict[str, int]:
        """Fairness results per verdict."""
        out: dict[str, int] = {}
        for r in self.fairness.results or []:
            out[str(r.verdict)] = out.get(str(r.verdict), 0) + 1
        return out

    def to_data(self) -> dict[str, Any]:
        """The fragment as card data (plain mappings and lists), keys in schema order."""
        data: dict[str, Any] = {
            "test_methodology": self.test_methodology.model_dump(mode="json", exclude_unset=True),
            "metrics": [m.model_dump(mode="json", exclude_unset=True) for m in self.metrics],
            "fairness": self.fairness.model_dump(mode="json", exclude_unset=True),
            "x-evaluate": self.info.to_data(),
        }
        return data

    def to_yaml(self, header: str = "") -> str:
        """The fragment as YAML: schema key order, floats at full (round-trip) precision, no anchors."""
        return card_text(self.to_data(), "yaml", header)

    def save(self, path: str | os.PathLike[str], *, header: str = "") -> None:
        """Write the fragment to ``path`` as YAML (JSON for a ``.json`` path), atomically, never over an input."""
        from modelcard.io.write import write_output

        write_output(path, card_file_text(self.to_data(), path, header))


# --------------------------------------------------------------------------
# intervals as a card records them


def _clip_for(name: str, what: str) -> Clip:
    if not is_proportion(name):
        return _POSITIVE if what == "ratio" else _ANY
    return {"value": _UNIT, "difference": _SIGNED_UNIT, "ratio": _POSITIVE}[what]


def writable(interval: I.Interval | None, clip: Clip = _ANY) -> I.Interval | None:
    """The interval as a card can hold it (clipped to the quantity's range), or None when it is unbounded."""
    if interval is None:
        return None
    lo, hi = max(interval.lower, clip[0]), min(interval.upper, clip[1])
    if not (abs(lo) <= MAX_MAGNITUDE and abs(hi) <= MAX_MAGNITUDE):
        return None
    if lo > hi:
        lo = hi = (lo + hi) / 2
    if lo == interval.lower and hi == interval.upper:
        return interval
    return I.Interval(lo, hi, interval.level, interval.method, interval.note)


def _ci(interval: I.Interval | None) -> S.ConfidenceInterval | None:
    if interval is None:
        return None
    return S.ConfidenceInterval(
        lower=interval.lower, upper=interval.upper, level=interval.level, method=interval.method
    )


def _pct(level: float) -> str:
    return f"{level * 100:.6g}%"


def _unbounded_text(interval: I.Interval) -> str:
    lo = "−∞" if math.isinf(interval.lower) else f"{interval.lower:.4g}"
    hi = "+∞" if math.isinf(interval.upper) else f"{interval.upper:.4g}"
    return f"the {_pct(interval.level)} {interval.method} interval is [{lo}, {hi}]"


@dataclass(frozen=True)
class Written:
    """An estimate as the card records it: the value, its writable interval, and the interval at other levels.

    This is what verdicts are judged on (:func:`modelcard.schema.verdicts.judge_family`
    reads ``value``, ``interval`` and ``at_level``), so every verdict follows
    from numbers the card holds.
    """

    estimate: F.Estimate
    clip: Clip = _ANY

    @property
    def value(self) -> float | None:
        return self.estimate.value

    @property
    def interval(self) -> I.Interval | None:
        return writable(self.estimate.interval, self.clip)

    @property
    def at_level(self) -> Callable[[float], I.Interval | None] | None:
        at = self.estimate.at_level
        if at is None:
            return None
        clip = self.clip
        return lambda level: writable(at(level), clip)

    def fields(self, *, adjusted: bool = False, interval: I.Interval | None = None) -> dict[str, Any]:
        """Keyword arguments of a schema estimate: value, undefined_reason, confidence_interval, no_interval_reason.

        With ``adjusted``, ``interval`` (the interval at the adjusted level the
        verdict was decided at, or None) is written instead of the nominal one.
        """
        est = self.estimate
        raw = est.interval
        iv = interval if adjusted else self.interval
        unbounded = not adjusted and raw is not None and iv is None
        out: dict[str, Any] = {"value": est.value}
        if est.value is None:
            reason = est.undefined_reason or "undefined"
            if unbounded and raw is not None:
                reason += f"; {_unbounded_text(raw)} (a card records finite bounds only)"
            out["undefined_reason"] = reason
        if iv is not None:
            out["confidence_interval"] = _ci(iv)
        elif est.value is not None:
            if unbounded and raw is not None:
                out["no_interval_reason"] = f"{_unbounded_text(raw)}: unbounded, and a card records finite bounds only"
            elif adjusted:
                out["no_interval_reason"] = "no interval at the adjusted level"
            else:
                out["no_interval_reason"] = est.no_interval_reason or "no interval"
        return out


# --------------------------------------------------------------------------
# building


@dataclass
class _Judged:
    """A fairness result or spread with a threshold, waiting for its family's verdicts."""

    threshold: S.Threshold | None
    decisive: Written | None
    other: Written | None
    verdict: V.FamilyJudgement | None = None


@dataclass(frozen=True)
class Context:
    """What :func:`build` needs besides the report."""

    options: EvaluateOptions
    task: str
    rows: int
    names: tuple[str, ...]  # metrics reported, in order (counts and criteria included)
    thresholds: Mapping[str, S.Threshold]
    decision_threshold: float | None = None
    calibration: bool = False
    generator: str = "modelcard evaluate"
    provenance: Mapping[str, Any] = field(default_factory=dict)
    thresholds_from: Mapping[str, Any] | None = None
    warnings: tuple[str, ...] = ()
    bootstrap: int = 0


def _group(attributes: Sequence[str], key: Key) -> dict[str, str]:
    return dict(zip(attributes, key))


def _group_text(attributes: Sequence[str], key: Key) -> str:
    return group_text(_group(attributes, key))


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."


class _Builder:
    def __init__(self, report: F.Report, ctx: Context):
        self.report = report
        self.ctx = ctx
        self.opts = ctx.options
        self.level = report.level
        self.min_n = ctx.options.min_group_size
        self.where: dict[str, Any] = {}
        if self.opts.dataset:
            self.where["dataset"] = self.opts.dataset
        if self.opts.split:
            self.where["split"] = self.opts.split

    # ---- sizes and small samples

    def _metric_n(self, grouping: F.GroupingResult, key: Key, name: str) -> tuple[int, int]:
        """(n shown, n compared with the minimum group size) of a group's metric."""
        g = grouping.group(key)
        if name == "auc" and g.counts is not None:
            tn, fp, fn, tp = g.counts
            return int(tn + fp + fn + tp), int(min(fn + tp, tn + fp))
        if name in F.COUNT_METRICS or name == "ppr" or name in ("brier", "ece"):
            return g.n, g.n
        if name == F.EQUALIZED_ODDS.name:
            parts = [self._metric_n(grouping, key, m)[1] for m in ("tpr", "fpr") if m in g.metrics]
            n = min(parts) if parts else g.n
            return n, n
        est = g.metrics.get(name)
        n = est.n if est is not None and est.n is not None else g.n
        return int(n), int(n)

    def _small(self, grouping: F.GroupingResult, key: Key, name: str) -> bool:
        return is_small_sample(self._metric_n(grouping, key, name)[1], self.min_n)

    # ---- metrics

    def metrics(self) -> list[S.MetricResult]:
        out = []
        for name in self.ctx.names:
            if name == F.EQUALIZED_ODDS.name:
                continue
            for grouping in self.report.groupings:
                for g in grouping.groups:
                    out.append(self._metric(grouping, g, name))
        return out

    def _metric(self, grouping: F.GroupingResult, g: F.GroupResult, name: str) -> S.MetricResult:
        kw: dict[str, Any] = {"name": name}
        if grouping.attributes:
            kw["slice"] = _group(grouping.attributes, g.group)
        if name in F.COUNT_METRICS:
            counts = g.counts or (0, 0, 0, 0)
            kw["value"] = float(counts[F.COUNT_CELLS[name]])
            kw["no_interval_reason"] = "a count of rows, not an estimate"
        else:
            est = g.metrics[name]
            kw.update(Written(est, _clip_for(name, "value")).fields())
            if est.note:
                kw["description"] = _sentence(est.note)
        shown, compared = self._metric_n(grouping, g.group, name)
        kw["n"] = shown
        kw["small_sample"] = is_small_sample(compared, self.min_n)
        return S.MetricResult(**kw, **self.where)

    # ---- fairness results and spreads

    def _comparisons(self, grouping: F.GroupingResult, name: str) -> tuple[F.Comparison, ...]:
        if name == F.EQUALIZED_ODDS.name:
            try:
                return grouping.criterion(name).comparisons
            except KeyError:
                return ()
        return tuple(c for c in grouping.comparisons if c.metric == name)

    def _spread(self, grouping: F.GroupingResult, name: str) -> F.Spread | None:
        if name == F.EQUALIZED_ODDS.name:
            try:
                return grouping.criterion(name).spread
            except KeyError:
                return None
        try:
            return grouping.spread(name)
        except KeyError:
            return None

    def _judged(self, name: str, difference: F.Estimate, ratio: F.Estimate) -> _Judged:
        th = self.ctx.thresholds.get(name)
        d = Written(difference, _clip_for(name, "difference"))
        r = Written(ratio, _clip_for(name, "ratio"))
        if th is None:
            return _Judged(None, None, None)
        return _Judged(th, d if th.convention == "difference" else r, r if th.convention == "difference" else d)

    def fairness(self) -> tuple[list[S.FairnessResult], list[S.GroupSpread], int]:
        judged_names = [n for n in self.ctx.names if n not in F.COUNT_METRICS]
        results: list[tuple[dict[str, Any], F.Comparison, _Judged, F.GroupingResult]] = []
        spreads: list[tuple[dict[str, Any], F.Spread, _Judged, F.GroupingResult]] = []
        for name in judged_names:
            for grouping in self.report.groupings:
                if not grouping.attributes:
                    continue
                for c in self._comparisons(grouping, name):
                    results.append(({}, c, self._judged(name, c.difference, c.ratio), grouping))
                sp = self._spread(grouping, name)
                if sp is not None:
                    spreads.append(({}, sp, self._judged(name, sp.difference, sp.ratio), grouping))
        family = [j for _, _, j, _ in results] + [j for _, _, j, _ in spreads]
        items = [(j.decisive, j.threshold) for j in family]
        for j, fj in zip(family, V.judge_family(items, self.level, self.opts.adjust, basis=self.opts.basis)):
            j.verdict = fj
        size = sum(1 for j in family if j.threshold is not None)
        return (
            [self._result(c, j, grouping) for _, c, j, grouping in results],
            [self._spread_model(sp, j, grouping) for _, sp, j, grouping in spreads],
            size,
        )

    def _disparity_fields(self, j: _Judged, difference: F.Estimate, ratio: F.Estimate, name: str) -> dict[str, Any]:
        """difference and ratio as DisparityValues, at the level the verdict was decided at."""
        out: dict[str, Any] = {}
        fj = j.verdict
        adjusted = (
            fj is not None
            and j.threshold is not None
            and self.opts.basis == "interval"
            and abs(fj.level - self.level) > 1e-15
        )
        for conv, est in (("difference", difference), ("ratio", ratio)):
            w = Written(est, _clip_for(name, conv))
            if adjusted and fj is not None and j.threshold is not None:
                iv = fj.interval if conv == j.threshold.convention else (w.at_level(fj.level) if w.at_level else None)
                out[conv] = S.DisparityValue(**w.fields(adjusted=True, interval=iv))
            else:
                out[conv] = S.DisparityValue(**w.fields())
        return out

    def _verdict(self, j: _Judged) -> tuple[str, str | None]:
        fj = j.verdict
        if fj is None or j.threshold is None:
            return "not_run", None
        reason = fj.judgement.reason
        if fj.level != self.level and self.opts.basis == "interval":
            reason += f" (interval at the adjusted level {_pct(fj.level)}, {self.opts.adjust})"
        return fj.verdict.value, reason

    def _result(self, c: F.Comparison, j: _Judged, grouping: F.GroupingResult) -> S.FairnessResult:
        name = c.metric
        attrs = grouping.attributes
        kw: dict[str, Any] = {
            "metric": name,
            "group": _group(attrs, c.group),
            "reference_group": _group(attrs, c.reference),
        }
        if name == F.EQUALIZED_ODDS.name:
            kw["value"] = None
            kw["undefined_reason"] = "equalized odds combines the TPR and FPR disparities; see their own results"
        else:
            kw.update(Written(c.value, _clip_for(name, "value")).fields())
        shown, _ = self._metric_n(grouping, c.group, name)
        kw["n"] = shown
        ref_small = self._small(grouping, c.reference, name)
        kw["small_sample"] = self._small(grouping, c.group, name) or ref_small
        if c.reference_value.value is not None:
            kw["reference_value"] = c.reference_value.value
        kw["disparity"] = S.Disparity(**self._disparity_fields(j, c.difference, c.ratio, name))
        if j.threshold is not None:
            kw["threshold"] = j.threshold
        verdict, reason = self._verdict(j)
        kw["verdict"] = verdict
        notes = [_sentence(grouping.reference_note)]
        notes += [_sentence(e.note) for e in (c.value, c.reference_value) if e.note]
        if ref_small:
            n = self._metric_n(grouping, c.reference, name)[1]
            notes.append(f"The reference group is small (n = {n} < {self.min_n}).")
        if reason:
            notes.append(f"Verdict: {reason}.")
        kw["notes"] = " ".join(notes)
        return S.FairnessResult(**kw, **self.where)

    def _spread_model(self, sp: F.Spread, j: _Judged, grouping: F.GroupingResult) -> S.GroupSpread:
        name = sp.metric
        attrs = grouping.attributes
        kw: dict[str, Any] = {"metric": name, "attributes": list(attrs)}
        small: list[str] = []
        if sp.max_group is not None and sp.min_group is not None:
            kw["max_group"] = _group(attrs, sp.max_group)
            kw["min_group"] = _group(attrs, sp.min_group)
            for role, key in (("max", sp.max_group), ("min", sp.min_group)):
                shown, compared = self._metric_n(grouping, key, name)
                if is_small_sample(compared, self.min_n):
                    n = f"n = {shown}"
                    if compared != shown:  # AUC: the smaller class is what is small
                        n += f", {compared} in the smaller class"
                    small.append(f"the {role} group {_group_text(attrs, key)} ({n})")
        kw.update(self._disparity_fields(j, sp.difference, sp.ratio, name))
        kw["small_sample"] = bool(small)
        if j.threshold is not None:
            kw["threshold"] = j.threshold
        kw["verdict"] = self._verdict(j)[0]
        if small:
            kw["notes"] = f"Small sample (below the minimum group size of {self.min_n}): {' and '.join(small)}."
        if self.opts.dataset:
            kw["dataset"] = self.opts.dataset
        return S.GroupSpread(**kw)

    # ---- calibration

    def calibration(self) -> list[S.CalibrationResult]:
        out = []
        for grouping in self.report.groupings:
            for cal in grouping.calibration:
                if not cal.bins:
                    continue
                bins = []
                for b in cal.bins:
                    kw: dict[str, Any] = {"lower": b.lower, "upper": b.upper, "n": b.n, "positives": b.positives}
                    if b.mean_score is not None:
                        kw["mean_score"] = b.mean_score
                    if b.observed.value is not None:
                        kw["observed"] = b.observed.value
                        ci = _ci(writable(b.observed.interval, _UNIT))
                        if ci is not None:
                            kw["confidence_interval"] = ci
                    bins.append(S.CalibrationBin(**kw))
                kw2: dict[str, Any] = {}
                if grouping.attributes:
                    kw2["slice"] = _group(grouping.attributes, cal.group)
                kw2["n"] = grouping.group(cal.group).n
                kw2["binning"] = f"{len(cal.bins)} equal-width bins over [0, 1]"
                out.append(S.CalibrationResult(**kw2, bins=bins, **self.where))
        return out

    # ---- test methodology

    def definitions(self) -> list[S.MetricDefinition]:
        defs = {d.name: d for d in self.report.metrics}
        defs.update(F.COUNT_METRICS)
        defs[F.EQUALIZED_ODDS.name] = F.EQUALIZED_ODDS
        out = []
        for name in self.ctx.names:
            d = defs[name]
            kw: dict[str, Any] = {"name": name, "description": d.description, "formula": d.formula}
            if d.higher_is_better is not None:
                kw["higher_is_better"] = d.higher_is_better
            if self.ctx.decision_threshold is not None and name in _THRESHOLD_DEPENDENT:
                kw["decision_threshold"] = self.ctx.decision_threshold
            out.append(S.MetricDefinition(**kw))
        return out

    def interval_text(self) -> str:
        task = self.ctx.task
        parts = ["Each interval's own `method` names how it was computed."]
        if self.ctx.bootstrap:
            parts.append(
                f"Percentile intervals from a Poisson bootstrap with {self.ctx.bootstrap} replicates (seed "
                f"{self.opts.seed}; each row weighted by a Poisson(1) draw per replicate) replace the closed forms "
                "for the confusion metrics and AUC (method poisson-bootstrap-percentile)."
            )
        if task == "binary":
            names = set(self.ctx.names)
            ratio = (
                "Koopman's asymptotic score interval (koopman)"
                if self.opts.ratio_interval == "koopman"
                else "MOVER-R with Wilson limits (mover-wilson)"
            )
            rates = [n for n in F.RATE_CELLS if n in names]
            if rates:
                parts.append(
                    f"Rates ({', '.join(rates)}): Wilson score interval (wilson). Differences of two groups' rates: "
                    f"Newcombe's hybrid score interval, method 10 (newcombe). Ratios of rates: {ratio}; unbounded "
                    "above when the reference rate is 0."
                )
            if "balanced_accuracy" in names:
                parts.append("Balanced accuracy: MOVER sum of the TPR and TNR Wilson intervals (mover-sum-wilson).")
            if "f1" in names:
                parts.append(
                    "F1: the Wilson interval of the Jaccard index TP / (TP + FP + FN) mapped through 2J / (1 + J) "
                    "(jaccard-wilson)."
                )
            if "ppr" in names:
                parts.append(
                    "PPR: Wilson on the group's share of positive predictions; differences by MOVER with the "
                    "multinomial correlation (mover-multinomial), ratios by the conditional binomial "
                    "(conditional-wilson)."
                )
            movers = [n for n in ("balanced_accuracy", "f1", "auc", "brier") if n in names]
            if movers:
                parts.append(
                    f"Ratios (and other differences) of {', '.join(movers)}: MOVER from the groups' intervals (mover)."
                )
            if "auc" in names:
                parts.append(
                    {
                        "hanley-mcneil-score": "AUC: Newcombe's score-type interval with the Hanley–McNeil variance "
                        "(hanley-mcneil-score), which does not collapse at AUC 0 or 1.",
                        "delong": "AUC: DeLong's variance with a Wald interval (delong); differences by the Wald "
                        "interval on the summed variances (delong-wald).",
                        "hanley-mcneil": "AUC: Hanley and McNeil's variance with a Wald interval (hanley-mcneil).",
                    }[self.opts.auc_interval]
                )
            if "brier" in names:
                parts.append(
                    "Brier score: t interval of the mean per-row loss (t), or the Wilson bound for a [0, 1]-valued "
                    "mean (wilson-bound) when a label class has fewer than 10 rows; differences by Welch's interval "
                    "(welch)."
                )
            if "ece" in names:
                parts.append(
                    "Expected calibration error: no closed-form interval (the Poisson bootstrap gives one). Observed "
                    "rates per calibration bin: Wilson."
                )
            if F.EQUALIZED_ODDS.name in names:
                parts.append(
                    "Equalized odds: the TPR and FPR component intervals, each at level 1 − α/2, combined by the "
                    "same max (difference) and min (ratio)."
                )
        elif task == "multiclass":
            parts.append(
                "Accuracy and per-class one-vs-rest rates: Wilson (wilson); differences: Newcombe (newcombe); "
                "ratios: Koopman (koopman). Macro recall and macro precision: MOVER for the mean of the per-class "
                "Wilson intervals (mover-mean-wilson); macro F1 has no closed-form interval."
            )
        else:
            parts.append(
                "Mean error and MAE: Student t intervals (t); differences by Welch's interval (welch). RMSE: square "
                "root of the log-scale t interval of the MSE (log-t-sqrt). R²: delta method with a t quantile "
                "(delta-t). Other differences and ratios: MOVER (mover); mean error and R² have no ratio."
            )
        parts.append(
            "Spreads carry the interval that decided them: for two groups, the interval of the extreme groups' "
            "difference (ratio) folded onto the spread's range (method '…, extremes'); for more, per-group "
            "intervals at level 1 − α/G (Bonferroni over the G groups), which cover all groups at once "
            "(method '…, simultaneous'). No interval collapses to a point when a rate is 0 or 1."
        )
        parts.append(f"Values flagged small_sample have n < {self.min_n}.")
        return " ".join(parts)

    def conventions_text(self) -> str:
        rule = V.POINT_RULE_TEXT if self.opts.basis == "point" else V.RULE_TEXT
        adjust = V.ADJUST_TEXT[self.opts.adjust]
        if self.opts.adjust != "none" and self.opts.basis == "interval":
            adjust += (
                " The disparity intervals of judged results and spreads are written at the level they were judged at."
            )
        return " ".join([F.CONVENTIONS_TEXT, rule, adjust])

    def criteria(self) -> list[S.FairnessCriterion]:
        out = []
        names = set(self.ctx.names)
        for c in F.CRITERIA.values():
            metrics = [F.EQUALIZED_ODDS.name] if c.name == "equalized_odds" else list(c.metrics)
            if all(m in names for m in metrics):
                out.append(S.FairnessCriterion(name=c.name, title=c.title, definition=c.definition, metrics=metrics))
        return out

    def test_methodology(self) -> S.TestMethodology:
        kw: dict[str, Any] = {}
        if self.opts.dataset:
            split = {"split": self.opts.split} if self.opts.split else {}
            kw["datasets"] = [S.DatasetSplit(dataset=self.opts.dataset, n=self.ctx.rows, **split)]
        kw["metric_definitions"] = self.definitions()
        ci: dict[str, Any] = {"method": "mixed", "level": self.level, "description": self.interval_text()}
        if self.ctx.bootstrap:
            ci["bootstrap_samples"] = self.ctx.bootstrap
        kw["confidence_intervals"] = S.ConfidenceIntervalMethod(**ci)
        if self.ctx.bootstrap:
            kw["seeds"] = [self.opts.seed]
        kw["verdict_basis"] = self.opts.basis
        kw["conventions"] = self.conventions_text()
        criteria = self.criteria() if self.ctx.task == "binary" else []
        if criteria:
            kw["fairness_criteria"] = criteria
        return S.TestMethodology(**kw)

    # ---- references

    def references(self) -> tuple[tuple[dict[str, str], str], ...]:
        out: list[tuple[dict[str, str], str]] = []
        for grouping in self.report.groupings:
            if not grouping.attributes:
                continue
            refs = list(dict.fromkeys(c.reference for c in grouping.comparisons))
            if not refs and len(grouping.groups) == 1:
                refs = [grouping.groups[0].group]
            for ref in refs:
                out.append((_group(grouping.attributes, ref), grouping.reference_note))
        return tuple(out)

    def uncompared(self) -> list[str]:
        """Warnings for groups compared with no reference (no reference group in their stratum)."""
        out = []
        for grouping in self.report.groupings:
            if len(grouping.attributes) < 2 or len(grouping.groups) < 2:
                continue
            compared = {c.group for c in grouping.comparisons} | {c.reference for c in grouping.comparisons}
            lonely = [g.group for g in grouping.groups if g.group not in compared]
            if lonely:
                shown = "; ".join(_group_text(grouping.attributes, k) for k in lonely[:8])
                out.append(
                    f"{' × '.join(grouping.attributes)}: {len(lonely)} group(s) have no reference group in their "
                    f"stratum and are not compared ({shown}{' ...' if len(lonely) > 8 else ''})"
                )
        return out

    def sensitive_attributes(self) -> list[S.SensitiveAttribute]:
        finest = max(self.report.groupings, key=lambda g: len(g.attributes))
        out = []
        for i, a in enumerate(finest.attributes):
            values = sorted({g.group[i] for g in finest.groups})
            out.append(S.SensitiveAttribute(name=a, values=values))
        return out


def build(report: F.Report, ctx: Context) -> Fragment:
    """The fragment for a finalised report: metrics, fairness results, spreads, calibration, methodology."""
    b = _Builder(report, ctx)
    metrics = b.metrics()
    results, spreads, family = b.fairness()
    fairness: dict[str, Any] = {"sensitive_attributes": b.sensitive_attributes(), "results": results}
    fairness["spreads"] = spreads
    if ctx.calibration:
        calibration = b.calibration()
        if calibration:
            fairness["calibration"] = calibration
    fairness["family_size"] = family
    fairness["adjustment"] = ctx.options.adjust
    info = RunInfo(
        ctx.generator,
        ctx.task,
        ctx.rows,
        ctx.options.min_group_size,
        b.references(),
        ctx.provenance,
        ctx.thresholds_from,
        ctx.warnings + tuple(b.uncompared()),
    )
    return Fragment(b.test_methodology(), tuple(metrics), S.Fairness(**fairness), info)
