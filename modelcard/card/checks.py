"""Checks on a schema-valid card: completeness and cross-field rules.

The schema says what each field may hold; these checks say whether the card
as a whole hangs together: references point at datasets that exist, verdicts
agree with the numbers they summarise, recommended fields are filled and no
``TODO`` placeholder is left behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from modelcard.diagnostics import ERROR, INFO, WARNING, CardPath, Diagnostic
from modelcard.io.source import Document, format_path
from modelcard.schema.models import SCHEMA_VERSION, SCHEMA_VERSIONS, ModelCard
from modelcard.schema.verdicts import Member, Verdict, interval_bounds, judge_card

# what "recommended", "missing" and "placeholder" mean is the schema walker's; re-exported here
from modelcard.schema.walk import PLACEHOLDER_PREFIX as PLACEHOLDER_PREFIX
from modelcard.schema.walk import identity_at, placeholders
from modelcard.schema.walk import iter_sections as iter_sections
from modelcard.schema.walk import missing_recommended as missing_recommended


def run_checks(card: ModelCard, doc: Document, *, strict: bool = False) -> list[Diagnostic]:
    """Cross-field rules, plus completeness when ``strict``."""
    out: list[Diagnostic] = []

    def add(path: CardPath, message: str, code: str, severity: str = ERROR, key: bool = False) -> None:
        out.append(
            Diagnostic.at(
                doc.pos(path, key=key), message, file=doc.source, severity=severity, code=code, path=format_path(path)
            )
        )

    old_schema = card.card.schema_version != SCHEMA_VERSION

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

    # metrics: no two that cannot be told apart (the list identity the schema declares for metrics)
    metric_identity = identity_at(("metrics",))
    if metric_identity is not None:
        first_of: dict[tuple[str, ...], int] = {}
        for i, m in enumerate(card.metrics or []):
            key = metric_identity.key({f: getattr(m, f, None) for f in metric_identity.fields})
            if key is not None and key in first_of:
                add(
                    ("metrics", i),
                    f"metrics[{i}] cannot be told apart from metrics[{first_of[key]}]: same "
                    f"{', '.join(metric_identity.fields)}; give one a different display_name, config, args, slice, "
                    "dataset or split",
                    "duplicate-metric",
                )
            elif key is not None:
                first_of[key] = i

    def check_ref(path: CardPath, ref: str | None) -> None:
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
        named: tuple[tuple[CardPath, Sequence[Any]], ...] = (
            (("fairness", "results"), results),
            (("fairness", "spreads"), spreads),
            (("test_methodology", "requirements"), requirements),
        )
        for where, items in named:
            for i, item in enumerate(items):
                if item.metric not in defined:
                    add(
                        where + (i, "metric"),
                        f"metric '{item.metric}' is not in test_methodology.metric_definitions",
                        "undefined-metric",
                        WARNING,
                    )

    # values inside their confidence intervals: metrics, fairness results, and the disparities of results and
    # spreads, whose intervals decide the verdicts (a disparity far outside its band, stated with an interval
    # inside the band, would pass)
    estimates: list[tuple[CardPath, Any]] = [(("metrics", i), m) for i, m in enumerate(card.metrics or [])]
    estimates += [(("fairness", "results", i), r) for i, r in enumerate(results)]
    for conv in ("difference", "ratio"):
        for i, r in enumerate(results):
            if r.disparity is not None and getattr(r.disparity, conv, None) is not None:
                estimates.append((("fairness", "results", i, "disparity", conv), getattr(r.disparity, conv)))
        for i, sp in enumerate(spreads):
            if getattr(sp, conv, None) is not None:
                estimates.append((("fairness", "spreads", i, conv), getattr(sp, conv)))
    for path, est in estimates:
        ci = est.confidence_interval
        if ci is not None and est.value is not None and not (ci.lower <= est.value <= ci.upper):
            add(
                path + ("confidence_interval",),
                f"value {est.value:g} lies outside its confidence interval [{ci.lower:g}, {ci.upper:g}]",
                "value-outside-ci",
                WARNING,
            )

    # fairness: verdicts agree with numbers; groups use declared attributes
    declared = {a.name for a in (card.fairness.sensitive_attributes or [])} if card.fairness else set()

    # every stated verdict must be the one THE rule (modelcard.schema.verdicts) derives from the card's own
    # numbers, under the card's basis and adjustment; not_run is a statement that nothing was run
    judged = judge_card(card)
    for member in judged.members:
        stated = member.stated
        if stated is None or stated is Verdict.NOT_RUN:
            continue
        if member.estimate is None:
            if member.kind == "spread":
                add(
                    member.path + ("threshold",),
                    f"threshold applies to the {member.convention} but the spread gives no such disparity",
                    "threshold-without-disparity",
                )
            continue  # a result without it gets threshold-without-disparity below
        if stated is not member.verdict:
            add(member.path + ("verdict",), _mismatch(member, judged.basis, old_schema, doc.source), "verdict-mismatch")
    for problem in judged.problems:
        add(problem.path, problem.message, problem.code, problem.severity)

    for i, r in enumerate(results):
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
    notice = old_schema_notice(doc)  # last: what to run once the problems above are read
    if notice is not None:
        out.append(notice)

    if strict:
        for path, name in missing_recommended(card):
            section = format_path(path) or "the card"
            add(path + (name,), f"recommended field '{name}' is missing in {section}", "missing-recommended")
        for path in placeholders(doc.data):
            add(path, "placeholder not filled in", "placeholder")
        for d in out:  # notices (info) stay notices: an old schema version is not a defect
            if d.severity == WARNING:
                d.severity = ERROR
    return out


def old_schema_notice(doc: Document) -> Diagnostic | None:
    """The notice for a card of an earlier schema version (severity info, code ``old-schema``), else None.

    Read from the raw data, so a card that 1.1 refuses (e.g. a link it no longer allows) gets it too.
    """
    meta = doc.data.get("card") if isinstance(doc.data, dict) else None
    version = meta.get("schema_version") if isinstance(meta, dict) else None
    if isinstance(version, float):
        version = f"{version:.1f}"
    if version not in SCHEMA_VERSIONS or version == SCHEMA_VERSION:
        return None
    name = doc.source if doc.source and not doc.source.startswith("<") else "CARD"
    path = ("card", "schema_version")
    return Diagnostic.at(
        doc.pos(path),
        f"schema {version}: run `modelcard migrate {name}` to upgrade the card to schema {SCHEMA_VERSION} "
        "(verdicts are decided on confidence intervals unless the card asks for point estimates; links may only "
        "use http, https or mailto)",
        file=doc.source,
        severity=INFO,
        code="old-schema",
        path=format_path(path),
    )


def _mismatch(member: Member, basis: str, old_schema: bool, source: str) -> str:
    """The message of a stated verdict the rule does not derive."""
    j = member.judgement
    text = f"verdict '{member.stated}' disagrees with the verdict rule, which gives '{j.verdict}': {j.reason}"
    if old_schema:
        name = source if source and not source.startswith("<") else "CARD"
        return (
            text
            + f"; schema 1.0 decided such verdicts on the point estimate: `modelcard migrate {name}` recomputes them"
        )
    no_interval = interval_bounds(getattr(member.estimate, "confidence_interval", None)) is None
    if basis == "interval" and j.verdict is Verdict.INCONCLUSIVE and no_interval:
        text += (
            f"; give the {member.convention}'s confidence_interval, or set test_methodology.verdict_basis: point "
            "to decide on the point estimate"
        )
    return text


#: Metrics whose values are proportions, in [0, 1]: the rates, scores and calibration errors ``modelcard
#: evaluate`` computes (``finalize.BINARY_METRICS`` and ``finalize.SCORE_METRICS``; a test keeps this list
#: covering them) and their usual synonyms.  Names are compared lower-case with spaces and dashes as underscores.
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
        "base_rate",
        "prevalence",
        "for",
        "ppr",
        "brier",
        "brier_score",
        "ece",
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

    def check(path: CardPath, value: float | None, lo: float, hi: float, what: str, metric: str) -> None:
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

    def estimate(path: CardPath, est: Any, lo: float, hi: float, what: str, metric: str) -> None:
        if est is None:
            return
        check(path + ("value",), est.value, lo, hi, what, metric)
        ci = est.confidence_interval
        if ci is not None:
            check(path + ("confidence_interval", "lower"), ci.lower, lo, hi, "lower bound", metric)
            check(path + ("confidence_interval", "upper"), ci.upper, lo, hi, "upper bound", metric)

    def disparities(path: CardPath, difference: Any, ratio: Any, metric: str) -> None:
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
