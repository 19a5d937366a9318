"""Checks on a schema-valid card: completeness and cross-field rules.

The schema says what each field may hold; these checks say whether the card
as a whole hangs together: references point at datasets that exist, verdicts
agree with the numbers they summarise, recommended fields are filled and no
``TODO`` placeholder is left behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from modelcard.diagnostics import ERROR, WARNING, Diagnostic
from modelcard.io.source import Document, format_path
from modelcard.schema.models import RECOMMENDED, ModelCard

PLACEHOLDER_PREFIX = "TODO"


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, (list, dict, str)) and len(value) == 0)


def iter_sections(model: BaseModel, path: tuple = ()) -> Iterator[tuple[tuple, BaseModel]]:
    """Every section (nested model) of a card with its path, depth first."""
    yield path, model
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            yield from iter_sections(value, path + (name,))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from iter_sections(item, path + (name, i))


def missing_recommended(card: ModelCard) -> Iterator[tuple[tuple, str]]:
    """(path of the section, field name) for each empty recommended field of a present section."""
    for path, section in iter_sections(card):
        for name, info in type(section).model_fields.items():
            extra = info.json_schema_extra
            if isinstance(extra, dict) and extra.get(RECOMMENDED) and _is_empty(getattr(section, name)):
                if (
                    name == "confidence_interval"
                    and getattr(section, "value", 0) is None
                    and getattr(section, "undefined_reason", None)
                ):
                    continue  # an undefined value (division by zero) has no interval to give
                yield path, name


def _placeholders(data: Any, path: tuple = ()) -> Iterator[tuple]:
    if isinstance(data, str):
        if data.lstrip().startswith(PLACEHOLDER_PREFIX):
            yield path
    elif isinstance(data, dict):
        for k, v in data.items():
            yield from _placeholders(v, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _placeholders(v, path + (i,))


def expected_verdict(disparity: Any, threshold: Any) -> str | None:
    """The verdict the numbers imply (pass/fail/inconclusive), or None when they do not decide it.

    ``disparity`` is a Disparity (or anything with .difference/.ratio) or a GroupSpread.
    """
    if disparity is None or threshold is None:
        return None
    d = getattr(disparity, threshold.convention, None)
    if d is None or d.value is None:
        return None
    lo, hi = threshold.min, threshold.max

    def inside(x: float) -> bool:
        return (lo is None or x >= lo) and (hi is None or x <= hi)

    ci = d.confidence_interval
    if ci is not None and inside(ci.lower) != inside(ci.upper):
        return "inconclusive"
    return "pass" if inside(d.value) else "fail"


def run_checks(card: ModelCard, doc: Document, *, strict: bool = False) -> list[Diagnostic]:
    """Cross-field rules, plus completeness when ``strict``."""
    out: list[Diagnostic] = []

    def add(path: tuple, message: str, code: str, severity: str = ERROR, key: bool = False) -> None:
        out.append(
            Diagnostic.at(
                doc.pos(path, key=key), message, file=doc.source, severity=severity, code=code, path=format_path(path)
            )
        )

    # datasets: unique ids, references resolve
    ids: dict[str, int] = {}
    for i, ds in enumerate(card.datasets or []):
        if ds.id in ids:
            add(
                ("datasets", i, "id"),
                f"dataset id '{ds.id}' is used twice (also datasets[{ids[ds.id]}])",
                "duplicate-id",
            )
        ids.setdefault(ds.id, i)

    def check_ref(path: tuple, ref: str | None) -> None:
        if ref is not None and ref not in ids:
            known = ", ".join(sorted(ids)) or "none are declared"
            add(path, f"dataset '{ref}' is not declared in datasets (known: {known})", "unknown-dataset")

    tm = card.test_methodology
    for i, split in enumerate(tm.datasets or [] if tm else []):
        check_ref(("test_methodology", "datasets", i, "dataset"), split.dataset)
    for i, m in enumerate(card.metrics or []):
        check_ref(("metrics", i, "dataset"), m.dataset)
    results = card.fairness.results or [] if card.fairness else []
    for i, r in enumerate(results):
        check_ref(("fairness", "results", i, "dataset"), r.dataset)
    spreads = card.fairness.spreads or [] if card.fairness else []
    for i, sp in enumerate(spreads):
        check_ref(("fairness", "spreads", i, "dataset"), sp.dataset)
    requirements = tm.requirements or [] if tm else []
    for i, req in enumerate(requirements):
        check_ref(("test_methodology", "requirements", i, "dataset"), req.dataset)

    # metric names should be defined when definitions are given
    defined = {d.name for d in (tm.metric_definitions or [])} if tm else set()
    if defined:
        for i, m in enumerate(card.metrics or []):
            if m.name not in defined:
                add(
                    ("metrics", i, "name"),
                    f"metric '{m.name}' is not in test_methodology.metric_definitions",
                    "undefined-metric",
                    WARNING,
                )
        for where, items in (
            (("fairness", "results"), results),
            (("fairness", "spreads"), spreads),
            (("test_methodology", "requirements"), requirements),
        ):
            for i, r in enumerate(items):
                if r.metric not in defined:
                    add(
                        where + (i, "metric"),
                        f"metric '{r.metric}' is not in test_methodology.metric_definitions",
                        "undefined-metric",
                        WARNING,
                    )

    # values inside their confidence intervals
    for base, items in (("metrics", card.metrics or []), (("fairness", "results"), results)):
        prefix = base if isinstance(base, tuple) else (base,)
        for i, m in enumerate(items):
            ci = m.confidence_interval
            if ci is not None and m.value is not None and not (ci.lower <= m.value <= ci.upper):
                add(
                    prefix + (i, "confidence_interval"),
                    f"value {m.value:g} lies outside its confidence interval [{ci.lower:g}, {ci.upper:g}]",
                    "value-outside-ci",
                    WARNING,
                )

    # fairness: verdicts agree with numbers; groups use declared attributes
    declared = {a.name for a in (card.fairness.sensitive_attributes or [])} if card.fairness else set()

    def check_verdict(path: tuple, verdict: str | None, disparity: Any, threshold: Any) -> None:
        implied = expected_verdict(disparity, threshold)
        if verdict in ("pass", "fail") and implied is not None and implied != verdict:
            d = getattr(disparity, threshold.convention)
            add(
                path + ("verdict",),
                f"verdict '{verdict}' contradicts the numbers: {threshold.convention} {d.value:g} "
                f"with threshold [{_fmt(threshold.min, '−∞')}, {_fmt(threshold.max, '+∞')}] implies '{implied}'",
                "verdict-mismatch",
            )

    for i, sp in enumerate(spreads):
        check_verdict(("fairness", "spreads", i), sp.verdict, sp, sp.threshold)
    for i, r in enumerate(results):
        check_verdict(("fairness", "results", i), r.verdict, r.disparity, r.threshold)
        if (
            r.threshold is not None
            and r.verdict != "not_run"
            and (r.disparity is None or r.disparity.get(r.threshold.convention) is None)
        ):
            add(
                ("fairness", "results", i, "threshold"),
                f"threshold applies to the {r.threshold.convention} but the result gives no such disparity",
                "threshold-without-disparity",
            )
        if r.verdict in ("pass", "fail", "inconclusive") and r.value is None and r.disparity is None:
            add(
                ("fairness", "results", i, "verdict"),
                f"verdict '{r.verdict}' is given but the result has no value or disparity",
                "verdict-without-data",
            )
        if declared:
            for attr in list(r.group) + list(r.reference_group or {}):
                if attr not in declared:
                    add(
                        ("fairness", "results", i, "group"),
                        f"attribute '{attr}' is not in fairness.sensitive_attributes",
                        "undeclared-attribute",
                        WARNING,
                    )

    out.extend(proportion_diagnostics(card, doc))

    if strict:
        for path, name in missing_recommended(card):
            where = format_path(path) or "the card"
            add(path + (name,), f"recommended field '{name}' is missing in {where}", "missing-recommended")
        for path in _placeholders(doc.data):
            add(path, "placeholder not filled in", "placeholder")
        for d in out:
            d.severity = ERROR
    return out


#: Metrics whose values are proportions, in [0, 1]: the rates and AUC ``modelcard evaluate``
#: computes (``metrics.RATE_METRICS`` and ``metrics.AUC``; a test keeps this list covering them)
#: and their usual synonyms.  Names are compared lower-case with spaces and dashes as underscores.
PROPORTION_METRICS = frozenset(
    {
        "selection_rate",
        "accuracy",
        "tpr",
        "fnr",
        "fpr",
        "tnr",
        "precision",
        "auc",
        "recall",
        "sensitivity",
        "specificity",
        "true_positive_rate",
        "false_positive_rate",
        "false_negative_rate",
        "true_negative_rate",
        "ppv",
        "npv",
        "positive_predictive_value",
        "negative_predictive_value",
        "fdr",
        "false_discovery_rate",
        "false_omission_rate",
        "error_rate",
        "balanced_accuracy",
        "f1",
        "f1_score",
        "roc_auc",
        "auroc",
        "pr_auc",
        "average_precision",
    }
)


def _metric_key(name: str) -> str:
    return "_".join(name.lower().replace("-", " ").split())


def proportion_metrics(card: ModelCard) -> set[str]:
    """Names of the card's metrics that are proportions, so their values must lie in [0, 1].

    A metric counts as one when the card defines it in ``test_methodology.metric_definitions``
    under a name in :data:`PROPORTION_METRICS` and the definition does not speak of percent.
    Without a definition the scale is unknown: Hugging Face model indexes, for one, report
    accuracy as 94.1 (percent), and such cards stay valid.
    """
    tm = card.test_methodology
    out = set()
    for d in (tm.metric_definitions or []) if tm else []:
        words = f"{d.description or ''} {d.formula or ''}".lower()
        if _metric_key(d.name) in PROPORTION_METRICS and "percent" not in words and "%" not in words:
            out.add(d.name)
    return out


def proportion_diagnostics(card: ModelCard, doc: Document) -> list[Diagnostic]:
    """Errors for values of proportion metrics outside their range, located at the number.

    Values, reference values and interval bounds lie in [0, 1]; a difference of two proportions
    in [-1, 1]; a ratio of two is never negative.
    """
    rates = proportion_metrics(card)
    out: list[Diagnostic] = []
    if not rates:
        return out

    def check(path: tuple, value: float | None, lo: float, hi: float, what: str, metric: str) -> None:
        if value is not None and not lo <= value <= hi:
            span = f"[{lo:g}, {hi:g}]" if hi != float("inf") else f">= {lo:g}"
            out.append(
                Diagnostic.at(
                    doc.pos(path),
                    f"{what} {value:g} is outside {span}: '{metric}' is a proportion "
                    f"(see test_methodology.metric_definitions)",
                    file=doc.source,
                    code="out-of-range",
                    path=format_path(path),
                )
            )

    def estimate(path: tuple, est: Any, lo: float, hi: float, what: str, metric: str) -> None:
        if est is None:
            return
        check(path + ("value",), est.value, lo, hi, what, metric)
        ci = est.confidence_interval
        if ci is not None:
            check(path + ("confidence_interval", "lower"), ci.lower, lo, hi, "lower bound", metric)
            check(path + ("confidence_interval", "upper"), ci.upper, lo, hi, "upper bound", metric)

    def disparities(path: tuple, difference: Any, ratio: Any, metric: str) -> None:
        estimate(path + ("difference",), difference, -1.0, 1.0, "difference", metric)
        estimate(path + ("ratio",), ratio, 0.0, float("inf"), "ratio", metric)

    for i, m in enumerate(card.metrics or []):
        if m.name in rates:
            estimate(("metrics", i), m, 0.0, 1.0, "value", m.name)
    fairness = card.fairness
    for i, r in enumerate((fairness.results or []) if fairness else []):
        if r.metric in rates:
            estimate(("fairness", "results", i), r, 0.0, 1.0, "value", r.metric)
            check(
                ("fairness", "results", i, "reference_value"), r.reference_value, 0.0, 1.0, "reference value", r.metric
            )
            if r.disparity is not None:
                disparities(
                    ("fairness", "results", i, "disparity"), r.disparity.difference, r.disparity.ratio, r.metric
                )
    for i, sp in enumerate((fairness.spreads or []) if fairness else []):
        if sp.metric in rates:
            disparities(("fairness", "spreads", i), sp.difference, sp.ratio, sp.metric)
    return out


def _fmt(x: float | None, unbounded: str) -> str:
    return unbounded if x is None else f"{x:g}"
