"""Compare two cards: which fields changed, which metrics moved, which verdicts flipped.

The Python API behind ``modelcard diff``::

    from modelcard.analysis.diff import diff_files
    from modelcard.report import report

    d = diff_files("card-v1.yaml", "card-v2.yaml")
    print(d.identical, d.sections, [m.direction for m in d.metrics])
    print(report("diff", d, "text"))   # or "json", "markdown"

Three views of the change:

* **fields**: every added, removed or changed field by its path, with short
  before/after values.  Items of identifiable lists (datasets by id, metrics,
  fairness results...) are matched by identity, not position, and shown by
  that identity (``datasets[compas-2yr].version``); lists of plain values are
  compared as collections.  Measurements (values, intervals, verdicts) of
  metrics and fairness results are left to the next two views.
* **metrics**: metrics matched by name+slice+dataset+split: old -> new value,
  delta, direction (improved/worsened from the metric definition's
  ``higher_is_better``, else up/down) and noise: when both confidence
  intervals overlap the move is "within noise" (a conservative screen, not a
  significance test), when they do not it is "beyond noise".
* **fairness results**: fairness results and spreads whose verdict flipped,
  whose numbers moved under the same verdict, and those added or removed.

A change is a **regression** when a verdict got worse (pass -> inconclusive,
not_run or fail; anything -> fail), a verdict stayed but its estimate moved
further outside the band, a new result fails, a fairness result or a metric was
removed, or a metric worsened beyond noise.  Whether a verdict change is an
improvement is :func:`modelcard.schema.verdicts.compare`'s call (the one
rule): a softer verdict whose estimate moved further outside the band (fail ->
inconclusive only because the interval widened) is *ambiguous*, never an
improvement; each flipped or moved result carries that assessment and reason.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from modelcard.io.source import Document
from modelcard.schema.models import ModelCard
from modelcard.schema.types import group_key, group_text
from modelcard.schema.verdicts import Assessment, Change, Verdict, compare, decisive_disparity
from modelcard.schema.walk import ListIdentity, identity_at


@dataclass
class FieldChange:
    path: str
    change: str  # added | removed | changed
    old: Any = None
    new: Any = None

    @property
    def section(self) -> str:
        return self.path.split(".", 1)[0].split("[", 1)[0]


@dataclass
class MetricMove:
    name: str
    slice: dict[str, str] | None
    dataset: str | None
    split: str | None
    change: str  # moved | added | removed
    old_value: float | None = None
    new_value: float | None = None
    old_ci: tuple[float, float] | None = None
    new_ci: tuple[float, float] | None = None
    higher_is_better: bool | None = None

    @property
    def delta(self) -> float | None:
        if self.old_value is None or self.new_value is None:
            return None
        return round(self.new_value - self.old_value, 12)

    @property
    def direction(self) -> str:
        """improved | worsened | up | down | same | now undefined | now defined | added | removed"""
        if self.change != "moved":
            return self.change
        if self.old_value is not None and self.new_value is None:
            return "now undefined"
        if self.old_value is None and self.new_value is not None:
            return "now defined"
        d = self.delta
        if not d:
            return "same"
        if self.higher_is_better is None:
            return "up" if d > 0 else "down"
        return "improved" if (d > 0) == self.higher_is_better else "worsened"

    @property
    def ci_overlap(self) -> bool | None:
        if self.old_ci is None or self.new_ci is None:
            return None
        return self.old_ci[0] <= self.new_ci[1] and self.new_ci[0] <= self.old_ci[1]

    @property
    def noise(self) -> str:
        if self.change != "moved" or self.delta is None:
            return ""
        overlap = self.ci_overlap
        if overlap is None:
            return "no CI"
        return "within noise" if overlap else "beyond noise"

    @property
    def regression(self) -> bool:
        return self.change == "removed" or (self.direction == "worsened" and self.noise == "beyond noise")


@dataclass
class VerdictChange:
    kind: str  # fairness | spread
    metric: str
    change: str  # flipped | moved (same verdict, new numbers) | added | removed
    old: str | None = None
    new: str | None = None
    old_value: float | None = None
    new_value: float | None = None
    convention: str | None = None
    dataset: str | None = None
    split: str | None = None
    group: dict[str, str] | None = None
    reference_group: dict[str, str] | None = None
    #: a spread's attributes
    attributes: list[str] | None = None
    #: for a flipped or moved result: :func:`modelcard.schema.verdicts.compare`'s classification and why
    assessment: Change | None = None
    reason: str = ""

    @property
    def regression(self) -> bool:
        """Removed; added and failing; or worse by :func:`~modelcard.schema.verdicts.compare`.

        A flip to a more severe verdict (:attr:`Verdict.severity`) is a regression
        when the new verdict is ``fail`` or the old one was ``pass`` (the check no
        longer clears), even where ``compare`` calls it ambiguous because the
        estimate moved towards the band; ``compare`` never calls a softer verdict an
        improvement when the gap grew (fail → inconclusive on a wider interval).
        """
        if self.change == "removed":
            return True
        if self.change == "added":
            return self.new == Verdict.FAIL
        if self.assessment is Change.REGRESSED:
            return True
        old, new = _verdict(self.old), _verdict(self.new)
        return new.worse_than(old) and (new is Verdict.FAIL or old is Verdict.PASS)

    @property
    def improvement(self) -> bool:
        return self.assessment is Change.IMPROVED


@dataclass
class CardDiff:
    old_file: str
    new_file: str
    old_model: tuple[str, str]
    new_model: tuple[str, str]
    fields: list[FieldChange] = field(default_factory=list)
    metrics: list[MetricMove] = field(default_factory=list)
    verdicts: list[VerdictChange] = field(default_factory=list)
    metrics_unchanged: int = 0
    verdicts_unchanged: int = 0

    @property
    def identical(self) -> bool:
        return not (self.fields or self.metrics or self.verdicts)

    @property
    def sections(self) -> dict[str, int]:
        """Number of changes per top-level section, in card order of first appearance."""
        counts: Counter[str] = Counter()
        for f in self.fields:
            counts[f.section] += 1
        counts.update("metrics" for _ in self.metrics)
        counts.update("fairness" for _ in self.verdicts)
        order = list(ModelCard.model_fields)
        return dict(
            sorted(counts.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order else len(order), kv[0]))
        )

    @property
    def regressions(self) -> list[VerdictChange | MetricMove]:
        """The changes that are regressions: verdicts first, then metrics
        (:func:`modelcard.report.diff.regression_text` says each in words)."""
        return [v for v in self.verdicts if v.regression] + [m for m in self.metrics if m.regression]


# --------------------------------------------------------------------------
# field changes


def jsonable(value: Any) -> Any:
    """Card data as JSON values: dates as ISO text, mapping keys as text."""
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


def _item_label(shape: tuple[str, ...], item: Any) -> str:
    identity = identity_at(shape)
    parts = []
    for f in identity.fields if identity is not None else ():
        v = item.get(f) if isinstance(item, dict) else None
        if v is None or v == "":
            continue
        if isinstance(v, dict):
            v = group_text(v, sep=",")
            if f == "reference_group":
                v = "vs " + v
        elif isinstance(v, list):
            v = ",".join(map(str, v))
        parts.append(str(v))
    return "; ".join(parts) or "?"


def _scalar(v: Any) -> bool:
    return not isinstance(v, (dict, list))


class _FieldDiffer:
    def __init__(self) -> None:
        self.out: list[FieldChange] = []

    def walk(self, old: Any, new: Any, path: str, shape: tuple[str, ...], skip: tuple[str, ...] = ()) -> None:
        if isinstance(old, dict) and isinstance(new, dict):
            for k in old:
                if k in skip:
                    continue
                sub = f"{path}.{k}" if path else k
                if k not in new:
                    self.out.append(FieldChange(sub, "removed", old=old[k]))
                else:
                    self.walk(old[k], new[k], sub, shape + (k,))
            for k in new:
                if k not in old and k not in skip:
                    self.out.append(FieldChange(f"{path}.{k}" if path else k, "added", new=new[k]))
            return
        if isinstance(old, list) and isinstance(new, list):
            identity = identity_at(shape)
            if identity is not None:
                self.keyed(old, new, path, shape, identity)
            elif all(map(_scalar, old)) and all(map(_scalar, new)):
                self.collection(old, new, path)
            else:
                for i in range(max(len(old), len(new))):
                    sub = f"{path}[{i}]"
                    if i >= len(new):
                        self.out.append(FieldChange(sub, "removed", old=old[i]))
                    elif i >= len(old):
                        self.out.append(FieldChange(sub, "added", new=new[i]))
                    else:
                        self.walk(old[i], new[i], sub, shape)
            return
        if old != new or (type(old) is not type(new) and not (_number(old) and _number(new))):
            self.out.append(FieldChange(path, "changed", old=old, new=new))

    def collection(self, old: list[Any], new: list[Any], path: str) -> None:
        def k(v: Any) -> str:
            return json.dumps(jsonable(v), sort_keys=True)

        removed = Counter(map(k, old)) - Counter(map(k, new))
        added = Counter(map(k, new)) - Counter(map(k, old))
        for v in old:
            if removed[k(v)]:
                removed[k(v)] -= 1
                self.out.append(FieldChange(f"{path}[]", "removed", old=v))
        for v in new:
            if added[k(v)]:
                added[k(v)] -= 1
                self.out.append(FieldChange(f"{path}[]", "added", new=v))

    def keyed(self, old: list[Any], new: list[Any], path: str, shape: tuple[str, ...], identity: ListIdentity) -> None:
        # measurements (values, intervals, verdicts) are reported by the metrics and verdicts views
        key, measured = identity.key, bool(identity.signals)
        skip = identity.measured
        pending: dict[Any, list[int]] = {}
        for j, item in enumerate(new):
            pending.setdefault(key(item), []).append(j)
        used: set[int] = set()
        for item in old:
            js = [j for j in pending.get(key(item), []) if j not in used]
            sub = f"{path}[{_item_label(shape, item)}]"
            if js:
                used.add(js[0])
                self.walk(item, new[js[0]], sub, shape, skip=skip)
            elif not measured:
                self.out.append(FieldChange(sub, "removed", old=item))
        for j, item in enumerate(new):
            if j not in used and not measured:
                self.out.append(FieldChange(f"{path}[{_item_label(shape, item)}]", "added", new=item))


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def field_changes(old: Any, new: Any) -> list[FieldChange]:
    """Added, removed and changed fields between two card mappings (plain data)."""
    d = _FieldDiffer()
    d.walk(old, new, "", ())
    return d.out


# --------------------------------------------------------------------------
# metrics and verdicts


def _norm(g: dict[str, Any] | None) -> tuple[tuple[str, str], ...]:
    return group_key(g)


def _ci(x: Any) -> tuple[float, float] | None:
    ci = getattr(x, "confidence_interval", None)
    return None if ci is None else (ci.lower, ci.upper)


def _pair(old: Sequence[Any], new: Sequence[Any], key: Any) -> tuple[list[tuple[Any, Any]], list[Any], list[Any]]:
    """Match items by key, in order: (matched pairs, removed, added)."""
    pending: dict[Any, list[int]] = {}
    for j, item in enumerate(new):
        pending.setdefault(key(item), []).append(j)
    used: set[int] = set()
    pairs, removed = [], []
    for item in old:
        js = [j for j in pending.get(key(item), []) if j not in used]
        if js:
            used.add(js[0])
            pairs.append((item, new[js[0]]))
        else:
            removed.append(item)
    added = [item for j, item in enumerate(new) if j not in used]
    return pairs, removed, added


def _directions(*cards: ModelCard) -> dict[str, bool]:
    out: dict[str, bool] = {}
    for card in cards:  # later cards win: the new definition decides
        tm = card.test_methodology
        for d in (tm.metric_definitions or []) if tm else []:
            if d.higher_is_better is not None:
                out[d.name] = d.higher_is_better
    return out


def metric_moves(old: ModelCard, new: ModelCard) -> tuple[list[MetricMove], int]:
    better = _directions(old, new)

    def key(m: Any) -> tuple[Any, ...]:
        return (m.name, _norm(m.slice), m.dataset, m.split)

    def move(m: Any, change: str) -> MetricMove:
        return MetricMove(
            m.name, dict(m.slice) if m.slice else None, m.dataset, m.split, change, higher_is_better=better.get(m.name)
        )

    pairs, removed, added = _pair(old.metrics or [], new.metrics or [], key)
    out, unchanged = [], 0
    for a, b in pairs:
        if a.value == b.value and _ci(a) == _ci(b):
            unchanged += 1
            continue
        mv = move(b, "moved")
        mv.old_value, mv.old_ci, mv.new_value, mv.new_ci = a.value, _ci(a), b.value, _ci(b)
        out.append(mv)
    for m in removed:
        mv = move(m, "removed")
        mv.old_value, mv.old_ci = m.value, _ci(m)
        out.append(mv)
    for m in added:
        mv = move(m, "added")
        mv.new_value, mv.new_ci = m.value, _ci(m)
        out.append(mv)
    return out, unchanged


def _view(item: Any) -> tuple[str | None, float | None]:
    """(convention, value) a fairness result or spread is reported by: the disparity it is judged on
    (:func:`modelcard.schema.verdicts.decisive_disparity`), else a result's own value."""
    conv, d = decisive_disparity(item)
    if d is not None:
        return conv, d.value
    if hasattr(item, "disparity"):  # a result without that disparity: its value
        return "value", item.value
    return conv, None


def _assessment(item: Any) -> Assessment:
    """A stated verdict with the numbers and band behind it, for :func:`modelcard.schema.verdicts.compare`."""
    _, d = decisive_disparity(item)
    threshold = item.threshold
    return Assessment(
        verdict=_verdict(item.verdict),
        value=None if d is None else d.value,
        interval=None if d is None else d.confidence_interval,
        band_min=None if threshold is None else threshold.min,
        band_max=None if threshold is None else threshold.max,
    )


def _verdict(v: Any) -> Verdict:
    return Verdict(v) if v is not None else Verdict.NOT_RUN


def verdict_changes(old: ModelCard, new: ModelCard) -> tuple[list[VerdictChange], int]:
    out: list[VerdictChange] = []

    def results(card: ModelCard) -> list[Any]:
        return card.fairness.results or [] if card.fairness else []

    def spreads(card: ModelCard) -> list[Any]:
        return [s for s in (card.fairness.spreads or [] if card.fairness else []) if s.verdict]

    def rkey(r: Any) -> tuple[Any, ...]:
        return (r.metric, _norm(r.group), _norm(r.reference_group), r.dataset, r.split)

    def rchange(r: Any, change: str) -> VerdictChange:
        conv, _ = _view(r)
        return VerdictChange(
            "fairness",
            r.metric,
            change,
            convention=conv,
            dataset=r.dataset,
            split=r.split,
            group=dict(r.group),
            reference_group=dict(r.reference_group) if r.reference_group else None,
        )

    def skey(s: Any) -> tuple[Any, ...]:
        return (s.metric, tuple(s.attributes), s.dataset)

    def schange(s: Any, change: str) -> VerdictChange:
        return VerdictChange(
            "spread",
            s.metric,
            change,
            convention=_view(s)[0],
            dataset=s.dataset,
            attributes=list(s.attributes),
        )

    def collect(old_items: list[Any], new_items: list[Any], key: Any, change: Any, view: Any) -> int:
        """Append the flipped/moved/removed/added entries; return how many stayed the same."""
        same = 0
        pairs, removed, added = _pair(old_items, new_items, key)
        for a, b in pairs:
            if a.verdict == b.verdict and view(a) == view(b):
                same += 1
                continue
            v = change(b, "flipped" if a.verdict != b.verdict else "moved")
            v.old, v.new, v.old_value, v.new_value = a.verdict, b.verdict, view(a)[1], view(b)[1]
            judged = compare(_assessment(a), _assessment(b))
            v.assessment, v.reason = judged.change, judged.reason
            out.append(v)
        for x in removed:
            v = change(x, "removed")
            v.old, v.old_value = x.verdict, view(x)[1]
            out.append(v)
        for x in added:
            v = change(x, "added")
            v.new, v.new_value = x.verdict, view(x)[1]
            out.append(v)
        return same

    unchanged = collect(results(old), results(new), rkey, rchange, _view)
    unchanged += collect(spreads(old), spreads(new), skey, schange, _view)
    order = {"flipped": 0, "added": 1, "removed": 2, "moved": 3}
    out.sort(key=lambda v: order[v.change])  # stable: card order within each kind of change
    return out, unchanged


def diff_cards(
    old: ModelCard,
    new: ModelCard,
    old_doc: Document | None = None,
    new_doc: Document | None = None,
    *,
    old_file: str = "<old>",
    new_file: str = "<new>",
) -> CardDiff:
    """Compare two validated cards (and their documents, for field-level changes)."""
    old_data = old_doc.data if old_doc is not None else old.model_dump(exclude_unset=True)
    new_data = new_doc.data if new_doc is not None else new.model_dump(exclude_unset=True)
    metrics, metrics_unchanged = metric_moves(old, new)
    verdicts, verdicts_unchanged = verdict_changes(old, new)
    return CardDiff(
        old_file=old_file,
        new_file=new_file,
        old_model=(old.model.name, old.model.version),
        new_model=(new.model.name, new.model.version),
        fields=field_changes(old_data, new_data),
        metrics=metrics,
        verdicts=verdicts,
        metrics_unchanged=metrics_unchanged,
        verdicts_unchanged=verdicts_unchanged,
    )


def _load(path: str | os.PathLike[str]) -> tuple[ModelCard, Document]:
    from modelcard.card.validate import load_validated

    card, doc, _ = load_validated(path)
    return card, doc


def diff_files(old: str | os.PathLike[str], new: str | os.PathLike[str]) -> CardDiff:
    """Load, validate and compare two card files (raises CardError when either is invalid)."""
    old_card, old_doc = _load(old)
    new_card, new_doc = _load(new)
    return diff_cards(old_card, new_card, old_doc, new_doc, old_file=str(old), new_file=str(new))
