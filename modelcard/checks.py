"""Checks on a schema-valid card: completeness and cross-field rules.

The schema says what each field may hold; these checks say whether the card
as a whole hangs together: references point at datasets that exist, verdicts
agree with the numbers they summarise, recommended fields are filled and no
``TODO`` placeholder is left behind.
"""

from __future__ import annotations

from typing import Any, Iterator

from pydantic import BaseModel

from .diagnostics import ERROR, WARNING, Diagnostic
from .loader import Document, format_path
from .schema import RECOMMENDED, ModelCard

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
                if name == "confidence_interval" and getattr(section, "value", 0) is None \
                        and getattr(section, "undefined_reason", None):
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
        out.append(Diagnostic.at(doc.pos(path, key=key), message, file=doc.source,
                                 severity=severity, code=code, path=format_path(path)))

    # datasets: unique ids, references resolve
    ids: dict[str, int] = {}
    for i, ds in enumerate(card.datasets or []):
        if ds.id in ids:
            add(("datasets", i, "id"), f"dataset id '{ds.id}' is used twice (also datasets[{ids[ds.id]}])",
                "duplicate-id")
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
                add(("metrics", i, "name"), f"metric '{m.name}' is not in test_methodology.metric_definitions",
                    "undefined-metric", WARNING)
        for where, items in ((("fairness", "results"), results), (("fairness", "spreads"), spreads),
                             (("test_methodology", "requirements"), requirements)):
            for i, r in enumerate(items):
                if r.metric not in defined:
                    add(where + (i, "metric"), f"metric '{r.metric}' is not in test_methodology.metric_definitions",
                        "undefined-metric", WARNING)

    # values inside their confidence intervals
    for base, items in (("metrics", card.metrics or []), (("fairness", "results"), results)):
        prefix = base if isinstance(base, tuple) else (base,)
        for i, m in enumerate(items):
            ci = m.confidence_interval
            if ci is not None and m.value is not None and not (ci.lower <= m.value <= ci.upper):
                add(prefix + (i, "confidence_interval"),
                    f"value {m.value:g} lies outside its confidence interval [{ci.lower:g}, {ci.upper:g}]",
                    "value-outside-ci", WARNING)

    # fairness: verdicts agree with numbers; groups use declared attributes
    declared = {a.name for a in (card.fairness.sensitive_attributes or [])} if card.fairness else set()

    def check_verdict(path: tuple, verdict: str | None, disparity: Any, threshold: Any) -> None:
        implied = expected_verdict(disparity, threshold)
        if verdict in ("pass", "fail") and implied is not None and implied != verdict:
            d = getattr(disparity, threshold.convention)
            add(path + ("verdict",),
                f"verdict '{verdict}' contradicts the numbers: {threshold.convention} {d.value:g} "
                f"with threshold [{_fmt(threshold.min, '−∞')}, {_fmt(threshold.max, '+∞')}] implies '{implied}'",
                "verdict-mismatch")

    for i, sp in enumerate(spreads):
        check_verdict(("fairness", "spreads", i), sp.verdict, sp, sp.threshold)
    for i, r in enumerate(results):
        check_verdict(("fairness", "results", i), r.verdict, r.disparity, r.threshold)
        if r.threshold is not None and r.verdict != "not_run" and (
                r.disparity is None or r.disparity.get(r.threshold.convention) is None):
            add(("fairness", "results", i, "threshold"),
                f"threshold applies to the {r.threshold.convention} but the result gives no such disparity",
                "threshold-without-disparity")
        if r.verdict in ("pass", "fail", "inconclusive") and r.value is None and r.disparity is None:
            add(("fairness", "results", i, "verdict"),
                f"verdict '{r.verdict}' is given but the result has no value or disparity", "verdict-without-data")
        if declared:
            for attr in list(r.group) + list(r.reference_group or {}):
                if attr not in declared:
                    add(("fairness", "results", i, "group"),
                        f"attribute '{attr}' is not in fairness.sensitive_attributes", "undeclared-attribute",
                        WARNING)

    if strict:
        for path, name in missing_recommended(card):
            where = format_path(path) or "the card"
            add(path + (name,), f"recommended field '{name}' is missing in {where}", "missing-recommended")
        for path in _placeholders(doc.data):
            add(path, "placeholder not filled in", "placeholder")
        for d in out:
            d.severity = ERROR
    return out


def _fmt(x: float | None, unbounded: str) -> str:
    return unbounded if x is None else f"{x:g}"
