"""Thresholds for ``evaluate``: parsed from the command line, checked, or taken from a card.

A threshold is a :class:`~modelcard.schema.models.Threshold`: the band
``[min, max]`` a disparity (its ``convention``: ``difference`` or ``ratio``)
must lie in.  ``thresholds`` map a metric to its threshold; the key ``all``
applies to every metric without its own.  :func:`card_thresholds` reads the
thresholds a hand-written card declares, one per metric, so that ``evaluate``
judges against them (``--thresholds-from``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from modelcard.diagnostics import Diagnostic, SourcePos, UsageError, format_path
from modelcard.schema.models import ModelCard, Threshold
from modelcard.schema.types import group_text

CONVENTIONS = ("difference", "ratio")
#: threshold key that applies to every metric without its own
ALL_METRICS = "all"

CardPath = tuple[Any, ...]

#: the API parameters threshold and reference texts come in (the CLI's ``--threshold`` and ``--reference``)
THRESHOLDS, REFERENCES = "thresholds", "references"


def parse_threshold(spec: str) -> tuple[str, dict[str, Any]]:
    """``METRIC:CONVENTION:MIN:MAX`` (a bound may be empty) -> (metric, threshold as a dict)."""
    parts = spec.split(":")
    if len(parts) != 4:
        raise UsageError(
            f"{spec!r}: expected METRIC:CONVENTION:MIN:MAX, e.g. fpr:difference:-0.1:0.1 "
            "or selection_rate:ratio:0.8: (leave a bound empty for none)",
            option=THRESHOLDS,
        )
    metric, convention, lo, hi = (p.strip() for p in parts)
    return metric, {"convention": convention, "min": _bound(lo, spec), "max": _bound(hi, spec)}


def _bound(text: str, spec: str) -> float | None:
    if text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"{spec!r}: bound {text!r} is not a number", option=THRESHOLDS) from None
    if not math.isfinite(value):
        raise UsageError(f"{spec!r}: bound {text!r} must be finite (leave it empty for none)", option=THRESHOLDS)
    return value


def parse_reference(spec: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``ATTR=VALUE`` or ``ATTR=VALUE,ATTR=VALUE`` (an intersectional reference)."""
    pairs = []
    for part in spec.split(","):
        if "=" not in part:
            raise UsageError(
                f"{spec!r}: expected ATTR=VALUE (or ATTR=VALUE,ATTR=VALUE for the intersection)", option=REFERENCES
            )
        attr, value = part.split("=", 1)
        pairs.append((attr.strip(), value))
    return tuple(a for a, _ in pairs), tuple(v for _, v in pairs)


def as_threshold(metric: str, value: Any) -> Threshold:
    """A :class:`Threshold` from a Threshold or a mapping, with a usage error that names the metric."""
    if isinstance(value, Threshold):
        data: dict[str, Any] = value.model_dump(exclude_none=True)
    elif isinstance(value, Mapping):
        data = dict(value)
    else:
        raise UsageError(f"threshold for '{metric}' must be a Threshold or a mapping; got {value!r}")
    convention = data.get("convention")
    if convention not in CONVENTIONS:
        raise UsageError(f"threshold for '{metric}': convention must be 'difference' or 'ratio', not {convention!r}")
    lo, hi = data.get("min"), data.get("max")
    for name, bound in (("minimum", lo), ("maximum", hi)):
        if bound is not None and (
            isinstance(bound, bool) or not isinstance(bound, (int, float)) or not math.isfinite(bound)
        ):
            raise UsageError(f"threshold for '{metric}': the {name} must be a finite number; got {bound!r}")
    if lo is None and hi is None:
        raise UsageError(f"threshold for '{metric}': give a minimum, a maximum or both")
    if lo is not None and hi is not None and lo > hi:
        raise UsageError(f"threshold for '{metric}': minimum {lo:g} is greater than maximum {hi:g}")
    try:
        return Threshold.model_validate({k: v for k, v in data.items() if v is not None})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'threshold'}: {e['msg']}" for e in exc.errors())
        raise UsageError(f"threshold for '{metric}': {problems}") from None


def check_thresholds(
    thresholds: Mapping[str, Any] | None, names: Sequence[str], *, no_disparity: Sequence[str] = ()
) -> dict[str, Threshold]:
    """One :class:`Threshold` per metric in ``names``; ``all`` fills in every metric without its own.

    Thresholds for metrics not evaluated (or in ``no_disparity``, such as the
    confusion counts, which have no disparities) are usage errors.
    """
    given = dict(thresholds or {})
    judged = [m for m in names if m not in no_disparity]
    out: dict[str, Threshold] = {}
    default = given.pop(ALL_METRICS, None)
    for metric, value in given.items():
        if metric in no_disparity:
            raise UsageError(f"threshold for '{metric}': it is a count of rows, compared by no disparity")
        if metric not in judged:
            raise UsageError(f"threshold for unknown metric '{metric}'; metrics evaluated: {', '.join(judged)}")
        out[metric] = as_threshold(metric, value)
    if default is not None:
        th = as_threshold(ALL_METRICS, default)
        for metric in judged:
            out.setdefault(metric, th)
    return {m: out[m] for m in judged if m in out}


def _range_text(convention: str, lo: float | None, hi: float | None) -> str:
    return f"{convention} in [{'-inf' if lo is None else f'{lo:g}'}, {'+inf' if hi is None else f'{hi:g}'}]"


@dataclass(frozen=True)
class ThresholdCard:
    """A card read for its thresholds: the card, its file name and where its nodes are (to locate conflicts)."""

    card: ModelCard
    file: str = ""
    locate: Callable[[CardPath], SourcePos | None] = field(default=lambda where: None)


CardSource = ModelCard | ThresholdCard | str | os.PathLike[str]


def load_threshold_card(card: CardSource) -> ThresholdCard:
    """The card (loaded and validated when ``card`` is a path; an invalid card raises its located ``CardError``)."""
    if isinstance(card, ThresholdCard):
        return card
    if isinstance(card, ModelCard):
        return ThresholdCard(card)
    from modelcard.card.validate import load_validated

    loaded, doc, _ = load_validated(card)
    return ThresholdCard(loaded, os.fspath(card), lambda where: doc.positions.get(tuple(where)))


def card_thresholds(
    card: CardSource,
    *,
    metrics: Sequence[str] | None = None,
    dataset: str | None = None,
) -> dict[str, Threshold]:
    """The disparity thresholds a card declares, one per metric.

    ``card`` is a :class:`~modelcard.schema.models.ModelCard` or the path of a
    card file (an invalid card raises its located ``CardError``).  Thresholds
    are read from ``fairness.results[].threshold`` and
    ``fairness.spreads[].threshold``.  Only ``metrics`` are considered when
    given, and with ``dataset`` entries measured on another dataset are
    skipped.  A metric whose entries declare different ranges (convention, min
    or max) is a :class:`UsageError` (exit 2) listing each range and where it
    is declared; a rationale is kept when the entries give exactly one.
    """
    loaded = load_threshold_card(card)
    model, file, locate = loaded.card, loaded.file, loaded.locate
    wanted = None if metrics is None else set(metrics)
    entries: list[tuple[CardPath, str, Threshold | None, str | None, str]] = []
    fairness = model.fairness
    for i, r in enumerate((fairness.results or []) if fairness else []):
        group = group_text(r.group)
        entries.append((("fairness", "results", i), r.metric, r.threshold, r.dataset, f"group {group}"))
    for i, sp in enumerate((fairness.spreads or []) if fairness else []):
        what = "spread across " + " × ".join(sp.attributes)
        entries.append((("fairness", "spreads", i), sp.metric, sp.threshold, sp.dataset, what))
    declared: dict[str, dict[tuple[str, float | None, float | None], list[tuple[CardPath, str, Threshold]]]] = {}
    for where, metric, th, ds, what in entries:
        if th is None or (wanted is not None and metric not in wanted):
            continue
        if dataset is not None and ds is not None and ds != dataset:
            continue
        declared.setdefault(metric, {}).setdefault((th.convention, th.min, th.max), []).append((where, what, th))
    out: dict[str, Threshold] = {}
    problems = []
    for metric, ranges in declared.items():
        if len(ranges) > 1:
            problems.append((metric, ranges))
            continue
        (convention, lo, hi), uses = next(iter(ranges.items()))
        rationales = list(dict.fromkeys(t.rationale for _, _, t in uses if t.rationale))
        out[metric] = Threshold(
            convention=convention, min=lo, max=hi, rationale=rationales[0] if len(rationales) == 1 else None
        )
    if problems:
        diagnostics = []
        for metric, ranges in problems:
            for (convention, lo, hi), uses in ranges.items():
                where, what, _ = uses[0]
                pos: SourcePos | None = locate(where + ("threshold",))
                more = f" (and {len(uses) - 1} more entr{'y' if len(uses) == 2 else 'ies'})" if len(uses) > 1 else ""
                diagnostics.append(
                    Diagnostic.at(
                        pos,
                        f"the card given as `thresholds_from` declares {len(ranges)} different thresholds for "
                        f"'{metric}' (one per metric is used): {_range_text(convention, lo, hi)} on {what}{more}. "
                        f"Make them agree, or choose one for '{metric}' with `thresholds`",
                        file=file,
                        code="threshold-conflict",
                        path=format_path(where + ("threshold",)),
                    )
                )
        names = ", ".join(f"'{m}'" for m, _ in problems)
        raise UsageError(f"the card declares conflicting thresholds for {names}", diagnostics)
    return out


def thresholds_with_card(
    thresholds: Mapping[str, Any] | None,
    card: CardSource,
    metrics: Sequence[str],
    *,
    dataset: str | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """``thresholds`` completed with those ``card`` declares: (thresholds, metrics that took the card's).

    Precedence: an explicit per-metric threshold, then the card's, then an
    explicit ``all`` default for the remaining metrics.  A conflict in the card
    matters only for a metric that is evaluated and has no explicit threshold.
    """
    out: dict[str, Any] = dict(thresholds or {})
    explicit = {m for m in out if m != ALL_METRICS}
    from_card = card_thresholds(card, metrics=[m for m in metrics if m not in explicit], dataset=dataset)
    out.update(from_card)
    return out, [m for m in metrics if m in from_card]
