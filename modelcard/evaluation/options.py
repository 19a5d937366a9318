"""The options of ``evaluate``: their defaults and their ranges, in one place.

:class:`EvaluateOptions` holds every option with its default (the CLI's
defaults are read from it); :data:`OPTION_RANGES` says what each numeric
option must be, and :func:`check_option` enforces it.  Both the Python API
and the CLI check options with these before any data is read, so a bad value
is a :class:`~modelcard.diagnostics.UsageError` (exit 2) whichever way it
comes in.

No numpy here: the CLI range-checks its options before the heavy imports.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

from modelcard.diagnostics import UsageError

#: default limit on the number of groups (distinct values of a sensitive column, or observed combinations)
DEFAULT_MAX_GROUPS = 10_000
#: most Poisson-bootstrap replicates accepted
MAX_BOOTSTRAP = 100_000
#: most bootstrap replicate values kept (replicates x statistics-table rows), about 8 bytes each
MAX_BOOTSTRAP_VALUES = 50_000_000
#: most calibration bins
MAX_CALIBRATION_BINS = 1_000
#: the default minimum group size: a group with fewer instances is a small sample
DEFAULT_MIN_GROUP_SIZE = 30
#: the confusion counts evaluate reports per group: data, not estimates (no interval), shown as whole numbers
COUNT_METRIC_NAMES = ("tp", "fp", "fn", "tn")
_MAX_INT = 2**63 - 1


def is_small_sample(n: int, min_group_size: int = DEFAULT_MIN_GROUP_SIZE) -> bool:
    """THE small-sample rule: a value computed on fewer instances than the minimum group size.

    ``evaluate`` writes it into a card as ``small_sample`` (with its ``min_group_size``); a renderer
    applies it with the default to a result whose card gives ``n`` but no flag.
    """
    return n < min_group_size


TASKS = ("binary", "multiclass", "regression")
ADJUSTMENTS = ("none", "bonferroni", "holm")  # as modelcard.schema.verdicts.ADJUST_METHODS
BASES = ("interval", "point")  # as modelcard.schema.verdicts.BASES
INTERSECTIONAL_REFERENCES = ("combined", "within", "largest")  # as finalize.INTERSECTIONAL_REFERENCES
AUC_INTERVALS = ("hanley-mcneil-score", "delong", "hanley-mcneil")  # as intervals.AUC_METHODS
RATIO_INTERVALS = ("koopman", "mover-wilson")

#: the lowest and highest confidence level accepted: (0.5, 0.999]
CONFIDENCE_RANGE = (0.5, 0.999)


def _real(v: Any) -> bool:
    """An int or a float that is not NaN (bools are not numbers here)."""
    if isinstance(v, bool) or type(v).__name__ == "bool_" or not isinstance(v, numbers.Real):
        return False
    try:
        return not math.isnan(float(v))
    except OverflowError:  # an int too large for a float is still a number
        return True


def _finite(v: Any) -> bool:
    try:
        return math.isfinite(float(v))
    except OverflowError:  # an int too large for a float
        return False


def _whole(v: Any) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool) and type(v).__name__ != "bool_"


#: option -> (what it must be, test); the one home of evaluate's option ranges (the CLI checks with these)
OPTION_RANGES: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "confidence": (
        "a number above 0.5 and at most 0.999, e.g. 0.95",
        lambda v: _real(v) and CONFIDENCE_RANGE[0] < float(v) <= CONFIDENCE_RANGE[1],
    ),
    "bootstrap": (
        f"a whole number from 0 (no bootstrap) to {MAX_BOOTSTRAP}",
        lambda v: _whole(v) and 0 <= v <= MAX_BOOTSTRAP,
    ),
    "min_group_size": ("a whole number from 0 to 1000000000", lambda v: _whole(v) and 0 <= v <= 10**9),
    "seed": (f"a whole number from 0 to {_MAX_INT}", lambda v: _whole(v) and 0 <= v <= _MAX_INT),
    "max_groups": ("a whole number, 1 or more", lambda v: _whole(v) and 1 <= v <= _MAX_INT),
    "score_threshold": ("a finite number", lambda v: _real(v) and _finite(v)),
    "calibration_bins": (
        f"a whole number from 1 to {MAX_CALIBRATION_BINS}",
        lambda v: _whole(v) and 1 <= v <= MAX_CALIBRATION_BINS,
    ),
}

#: option -> the values it may take
OPTION_CHOICES: dict[str, tuple[str, ...]] = {
    "task": TASKS,
    "adjust": ADJUSTMENTS,
    "basis": BASES,
    "intersectional_reference": INTERSECTIONAL_REFERENCES,
    "auc_interval": AUC_INTERVALS,
    "ratio_interval": RATIO_INTERVALS,
}


def check_option(name: str, value: Any) -> Any:
    """``value`` if it is allowed for evaluate's option ``name`` (:data:`OPTION_RANGES`,
    :data:`OPTION_CHOICES`); else a :class:`UsageError` naming the option (the CLI shows its flag)."""
    if name in OPTION_CHOICES:
        choices = OPTION_CHOICES[name]
        if value not in choices:
            raise UsageError(f"`{name}` must be one of {', '.join(choices)}; got {value!r}", option=name)
        return value
    what, ok = OPTION_RANGES[name]
    if not ok(value):
        raise UsageError(f"`{name}` must be {what}; got {value!r}", option=name)
    return value


@dataclass(frozen=True)
class EvaluateOptions:
    """Every option of ``evaluate`` with its default (the CLI takes its defaults from here).

    ``references`` maps an attribute to its reference value, or a tuple of
    attributes (all sensitive attributes) to a tuple of values for the
    intersectional reference.  ``thresholds`` maps a metric (or ``all``) to a
    :class:`~modelcard.schema.models.Threshold` or a dict with ``convention``,
    ``min``, ``max`` (and ``rationale``).  ``thresholds_from`` is a card, or the
    path of one, whose declared thresholds apply to metrics without their own.
    """

    task: str | None = None  # inferred from the label and prediction columns when None
    positive: str | None = None
    score_threshold: float | None = None
    metrics: tuple[str, ...] | None = None
    intersectional: bool = False
    references: Mapping[Any, Any] = field(default_factory=dict)
    intersectional_reference: str = "combined"
    thresholds: Mapping[str, Any] = field(default_factory=dict)
    thresholds_from: Any = None
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE
    confidence: float = 0.95
    bootstrap: int = 0
    seed: int = 0
    calibration_bins: int = 10
    adjust: str = "none"
    basis: str = "interval"
    auc_interval: str = "hanley-mcneil-score"
    ratio_interval: str = "koopman"
    max_groups: int = DEFAULT_MAX_GROUPS
    dataset: str | None = None
    split: str | None = None
    missing_group: str | None = None
    na_values: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in OPTION_RANGES:
            value = getattr(self, name)
            if value is not None:
                check_option(name, value)
        for name in OPTION_CHOICES:
            value = getattr(self, name)
            if value is not None:
                check_option(name, value)
        for name in ("positive", "missing_group", "dataset", "split"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise UsageError(f"`{name}` must be a non-empty text; got {value!r}", option=name)
        if not isinstance(self.intersectional, bool):
            raise UsageError(
                f"`intersectional` must be True or False; got {self.intersectional!r}", option="intersectional"
            )
        if self.metrics is not None:
            metrics = (self.metrics,) if isinstance(self.metrics, str) else tuple(self.metrics)
            if not all(isinstance(m, str) and m for m in metrics):
                raise UsageError(f"`metrics` must be metric names; got {self.metrics!r}", option="metrics")
            object.__setattr__(self, "metrics", metrics)
        na = (self.na_values,) if isinstance(self.na_values, str) else tuple(self.na_values or ())
        if not all(isinstance(v, str) for v in na):
            raise UsageError(f"`na_values` must be texts; got {self.na_values!r}", option="na_values")
        object.__setattr__(self, "na_values", na)
        if not isinstance(self.references, Mapping):
            raise UsageError(
                f"`references` must map attributes to reference values; got {self.references!r}", option="references"
            )
        if not isinstance(self.thresholds, Mapping):
            raise UsageError(
                f"`thresholds` must map metrics to thresholds; got {self.thresholds!r}", option="thresholds"
            )
        if self.thresholds_from is not None and not isinstance(self.thresholds_from, (str, os.PathLike)):
            from modelcard.schema.models import ModelCard

            if not isinstance(self.thresholds_from, ModelCard):
                raise UsageError(
                    "`thresholds_from` must be a card (ModelCard) or the path of a card file", option="thresholds_from"
                )

    @classmethod
    def of(cls, options: EvaluateOptions | None = None, **kwargs: Any) -> EvaluateOptions:
        """Options from keyword arguments (an unknown one is a :class:`UsageError`), over ``options``."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(kwargs) - known)
        if unknown:
            raise UsageError(f"unknown option '{unknown[0]}'; options: {', '.join(sorted(known))}")
        for key in ("references", "thresholds"):
            if key in kwargs and kwargs[key] is None:
                kwargs[key] = {}
        if options is None:
            return cls(**kwargs)
        return replace(options, **kwargs)

    def names(self) -> Sequence[str]:
        return [f.name for f in fields(self)]


DEFAULTS = EvaluateOptions()
