"""The Python API: :mod:`modelcard`'s functions and the :class:`~modelcard.schema.models.ModelCard` methods.

This module is the facade over the layers (see ``ARCHITECTURE.md``): like the
CLI it may use any of them, and it imports each inside the function that needs
it, so ``import modelcard`` stays cheap and a method that renders never makes
validation slower.  ``docs/api.md`` has a runnable example of everything here::

    import modelcard

    card = modelcard.ModelCard.load("card.yaml", with_=["metrics.yaml"])
    card.model.version = "1.3.0"             # checked: card.model.version = 13 raises
    report = card.validate(strict=True)
    card.save("card.yaml")                   # comments and layout of card.yaml kept
    html = card.render(format="html")

    fragment = modelcard.evaluate("predictions.csv", label="y", prediction="yhat", sensitive=["sex"])
    result = modelcard.gate(card.merge(fragment), requirements=["accuracy>=0.8"])

Columns of a DataFrame or Table become arrays here, at the edge; the
evaluation itself (:mod:`modelcard.evaluation`) sees only a mapping of columns.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from modelcard.diagnostics import Diagnostic, Report, UsageError
from modelcard.io.source import Document
from modelcard.schema.models import ModelCard
from modelcard.schema.types import label_text
from modelcard.schema.walk import card_data

if TYPE_CHECKING:
    from modelcard.analysis.diff import CardDiff
    from modelcard.analysis.gate import GateResult
    from modelcard.evaluation.fragment import Fragment

PathLike = str | os.PathLike[str]
_BOM = b"\xef\xbb\xbf"


# --------------------------------------------------------------------------
# where a card came from (kept on a private attribute of the card)


@dataclass
class CardSource:
    """The file a card was loaded from: its text, so that saving keeps its comments and layout.

    Attributes:
        text: the file's text as loaded (a UTF-8 BOM removed; ``bom`` says it had one).
        name: the file's name in messages.
        path: the file, or None (standard input).
        document: the loaded card data, with ``with_`` fragments and ``set_`` values layered over
            the file, and the source position of every value.
        warnings: what validation said without stopping the load.
    """

    text: str | None
    name: str
    path: str | None
    document: Document
    bom: bool = False
    warnings: list[Diagnostic] = field(default_factory=list)


def source_of(card: ModelCard) -> CardSource | None:
    """Where ``card`` came from, or None for a card made in Python."""
    src = card.__pydantic_private__.get("_source") if card.__pydantic_private__ else None
    return src if isinstance(src, CardSource) else None


def _attach(card: ModelCard, source: CardSource | None) -> ModelCard:
    card._source = source
    return card


def _equivalent(old: Any, new: Any) -> bool:
    """Whether a value as written in the file (``old``) is the value the card holds (``new``)."""
    if type(old) is type(new):
        return bool(old == new)
    if isinstance(old, (dict, list)) or old is None or isinstance(new, (dict, list)) or new is None:
        return False
    if isinstance(new, str):  # a label written as a number or boolean: `decile: 5`, schema_version: 1.0
        return bool(label_text(old) == new or (isinstance(old, float) and f"{old:.1f}" == new))
    if isinstance(old, int) and not isinstance(old, bool) and isinstance(new, float):
        return float(old) == new  # `value: 1` read as the number 1.0
    return False


def _reconcile(old: Any, new: Any) -> Any:
    """``new`` with every value that did not change as it was written in ``old``."""
    if isinstance(old, dict) and isinstance(new, dict):
        return {k: _reconcile(old[k], v) if k in old else v for k, v in new.items()}
    if isinstance(old, list) and isinstance(new, list):
        return [_reconcile(old[i], v) if i < len(old) else v for i, v in enumerate(new)]
    return old if _equivalent(old, new) else new


def _written(card: ModelCard) -> dict[str, Any]:
    """The card as data to write: values as the source file wrote them where they did not change."""
    data = card_data(card)
    src = source_of(card)
    return data if src is None else _reconcile(src.document.data, data)


def _document(card: ModelCard) -> Document:
    """The card as a located document: the loaded one when nothing changed since, else its data
    with the positions of the loaded file."""
    from modelcard.io.inplace import same

    src = source_of(card)
    data = _written(card)
    if src is None:
        return Document(data, "<card>")
    if same(data, src.document.data):
        return src.document
    loaded = src.document
    return Document(data, src.name, locate=lambda: (loaded.positions, loaded.key_positions))


# --------------------------------------------------------------------------
# ModelCard methods


def load(
    path: PathLike, *, with_: Sequence[PathLike] = (), set_: Sequence[str] = (), strict: bool = False
) -> ModelCard:
    """See :meth:`ModelCard.load`."""
    from modelcard.card.validate import layer, validated
    from modelcard.io.source import decode, display_name, loads, read_bytes

    name = display_name(path)
    raw = read_bytes(path)
    text = decode(raw, name)
    doc = layer(loads(text, name), with_, set_)
    card, warnings = validated(doc, strict=strict)
    where = None if name != os.fspath(path) else os.fspath(path)
    return _attach(card, CardSource(text, name, where, doc, raw.startswith(_BOM), warnings))


def save(card: ModelCard, path: PathLike | None = None) -> None:
    """See :meth:`ModelCard.save`."""
    from modelcard.io.inplace import is_json, update_text
    from modelcard.io.serialize import card_text
    from modelcard.io.source import display_name, loads
    from modelcard.io.write import write_output

    src = source_of(card)
    target = os.fspath(path) if path is not None else (src.path if src is not None else None)
    if target is None:
        raise UsageError("this card was not loaded from a file: give the path to save it to")
    name = display_name(target)
    fmt = "json" if target.lower().endswith(".json") else "yaml"
    data = _written(card)
    bom = False
    if src is not None and src.text is not None and is_json(src.text, src.name) == (fmt == "json"):
        text = update_text(src.text, src.name, data)  # what did not change keeps its bytes
        bom = src.bom
    else:
        text = card_text(data, fmt)
    write_output(target, (_BOM if bom else b"") + text.encode("utf-8"))
    warnings = src.warnings if src is not None else []
    _attach(card, CardSource(text, name, target, loads(text, name), bom, warnings))


def validate(card: ModelCard, *, strict: bool = False) -> Report:
    """See :meth:`ModelCard.validate`."""
    from modelcard.card.validate import validate_document

    doc = _document(card)
    report = Report(file=doc.source)
    _, report.diagnostics = validate_document(doc, strict=strict)
    return report


def render(card: ModelCard, format: str = "html", layout: str = "card", **options: Any) -> str | bytes:
    """See :meth:`ModelCard.render`."""
    from modelcard.render import FORMATS
    from modelcard.render import render as render_card

    if format not in FORMATS:
        raise UsageError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")
    src = source_of(card)
    if src is not None and src.path is not None and "base_dir" not in options:
        options["base_dir"] = os.path.dirname(os.path.abspath(src.path))  # images next to the card
    return render_card(card, format, layout, **options).content


def merge(card: ModelCard, *fragments: Any, strict: bool = False) -> ModelCard:
    """See :meth:`ModelCard.merge`."""
    from modelcard.analysis.merge import merge_cards

    result = merge_cards(_document(card), *fragments, strict=strict)
    src = source_of(card)
    merged = result.card
    if src is None:
        return merged
    return _attach(merged, CardSource(src.text, src.name, src.path, result.document, src.bom, result.warnings))


def export(card: ModelCard, to: str = "huggingface", **options: Any) -> str:
    """See :meth:`ModelCard.export`."""
    from modelcard.interop import export_card

    return export_card(card, to, **options)


# --------------------------------------------------------------------------
# functions


def import_card(path: PathLike, from_: str | None = None, *, name: str | None = None) -> ModelCard:
    """Import a card written in another format.

    Args:
        path: a Hugging Face ``README.md``, a Model Card Toolkit JSON file or a CycloneDX BOM.
        from_: ``"huggingface"``, ``"mct"`` or ``"cyclonedx"``; by default told from the file.
        name: the model name, when the file does not say it.

    Returns:
        The imported card; ``card.warnings`` says what had no card field (kept in ``x-`` keys).
        ``card.save("card.yaml")`` writes it.

    Raises:
        CardError: the file cannot be read as that format, or does not make a valid card.

    Example:
        >>> card = modelcard.import_card("README.md")  # doctest: +SKIP
        >>> card.model.name  # doctest: +SKIP
        'bert-base-uncased'
    """
    from modelcard.interop import import_file

    result = import_file(path, from_, name=name)
    card = ModelCard.model_validate(result.data)
    doc = Document(card_data(card), result.source)
    return _attach(card, CardSource(None, result.source, None, doc, False, list(result.warnings)))


def _loaded(card: ModelCard | PathLike) -> ModelCard:
    return card if isinstance(card, ModelCard) else load(card)


def gate(card: ModelCard | PathLike, requirements: Sequence[str] = (), **options: Any) -> GateResult:
    """Decide whether a card may be released: its fairness verdicts and performance requirements.

    Args:
        card: a card, or the path of one.
        requirements: requirements besides the card's own, e.g. ``"accuracy>=0.65"``,
            ``"fpr[sex=female]<=0.3"``, ``"accuracy[*]>=0.6"`` (every slice).
        **options: ``allow_inconclusive``, ``allow_not_run``, ``allow_empty``,
            ``ci_must_clear`` (see :func:`modelcard.analysis.gate.gate_card`).

    Returns:
        A :class:`~modelcard.analysis.gate.GateResult`: ``.passed`` and one check per result.

    Raises:
        UsageError: a requirement cannot be read (``option="requirements"``).

    Example:
        >>> result = modelcard.gate("examples/compas-recidivism.yaml", requirements=["accuracy>=0.6"])  # doctest: +SKIP
        >>> result.passed  # doctest: +SKIP
        False
    """
    from modelcard.analysis.gate import gate_card

    c = _loaded(card)
    return gate_card(c, _document(c), requirements=list(requirements), **options)


def diff(old: ModelCard | PathLike, new: ModelCard | PathLike) -> CardDiff:
    """Compare two cards: changed fields, moved metrics, flipped verdicts.

    Args:
        old: the earlier card, or its path.
        new: the later card, or its path.

    Returns:
        A :class:`~modelcard.analysis.diff.CardDiff`: ``.identical``, ``.fields``,
        ``.metrics``, ``.verdicts`` and ``.regressions``.

    Example:
        >>> d = modelcard.diff("card-v1.yaml", "card-v2.yaml")  # doctest: +SKIP
        >>> [m.direction for m in d.metrics]  # doctest: +SKIP
        ['improved']
    """
    from modelcard.analysis.diff import diff_cards

    a, b = _loaded(old), _loaded(new)
    da, db = _document(a), _document(b)
    return diff_cards(a, b, da, db, old_file=da.source, new_file=db.source)


# --------------------------------------------------------------------------
# evaluate


def _columns(data: Any, wanted: Sequence[str]) -> dict[str, Any]:
    """The wanted columns of a table as arrays: pandas or polars DataFrame, pyarrow Table, or a mapping."""
    module = type(data).__module__.split(".", 1)[0]
    missing = [c for c in wanted if c not in _names(data, module)]
    if missing:
        raise UsageError(f"no column named '{missing[0]}' in the data (columns: {', '.join(_names(data, module))})")
    if module == "pyarrow":
        return {c: data.column(c).to_numpy(zero_copy_only=False) for c in wanted}
    if module in ("pandas", "polars"):
        return {c: data[c].to_numpy() for c in wanted}
    return {c: data[c] for c in wanted}


def _names(data: Any, module: str) -> list[str]:
    if module == "pyarrow":
        return list(data.column_names)
    if module in ("pandas", "polars"):
        return [str(c) for c in data.columns]
    if isinstance(data, Mapping):
        return [str(c) for c in data]
    raise UsageError(
        f"cannot read a {type(data).__name__}: give a file path, a pandas or polars DataFrame, "
        "a pyarrow Table or a mapping of column name to values"
    )


def evaluate(
    data: Any,
    *,
    label: str,
    prediction: str | None = None,
    score: str | None = None,
    sensitive: Sequence[str],
    **options: Any,
) -> Fragment:
    """Measure a model's predictions overall and per group: metrics, intervals, disparities, verdicts.

    Args:
        data: a CSV or Parquet file path, a directory or list of such files, a pandas or polars
            DataFrame, a pyarrow Table, a ``pyspark.sql.DataFrame``, or a mapping of column name to values.
            Files are read in batches by the ``arrow`` engine (``engine=`` ``"auto"``, ``"arrow"``
            or ``"spark"``; ``filter=["region=eu"]``; ``spark_master=``): see
            :mod:`modelcard.evaluation.engines`.
        label: the column with the true labels.
        prediction: the column with predicted labels (or give ``score`` and ``score_threshold``).
        score: the column with scores (adds AUC).
        sensitive: the sensitive attribute columns, e.g. ``["race", "sex"]``.
        **options: as ``modelcard evaluate`` takes them (see
            :class:`~modelcard.evaluation.options.EvaluateOptions`): ``positive``,
            ``thresholds``, ``intersectional``, ``references``, ``min_group_size``,
            ``confidence``, ``seed``, ``dataset``, ``split``, ``missing_group``...

    Returns:
        The card :class:`~modelcard.evaluation.fragment.Fragment`: typed ``test_methodology``,
        ``metrics`` and ``fairness`` sections; ``card.merge(fragment)`` layers it over a card,
        ``fragment.save(path)`` writes it.

    Raises:
        DataError: a value in the data cannot be used (located at its row and column).
        UsageError: an option makes no sense.

    Example:
        >>> fragment = modelcard.evaluate(df, label="y", prediction="yhat", sensitive=["sex"])  # doctest: +SKIP
        >>> fragment.metrics[0].name  # doctest: +SKIP
        'selection_rate'
    """
    from modelcard.evaluation import engines, pipeline

    engine_kw = {k: options.pop(k) for k in ("engine", "filter", "spark_master", "progress") if k in options}
    if engines.routes(data, engine_kw.get("engine", "auto"), engine_kw.get("filter"), engine_kw.get("spark_master")):
        # a Spark DataFrame, a directory or list of files, or an engine asked for (issue 12)
        return engines.evaluate_source(  # type: ignore[no-any-return]
            data, label=label, prediction=prediction, score=score, sensitive=list(sensitive), **engine_kw, **options
        )
    if isinstance(data, (str, os.PathLike)):
        return pipeline.evaluate_file(
            data, label=label, prediction=prediction, score=score, sensitive=list(sensitive), **options
        )
    wanted = list(dict.fromkeys([label, *(c for c in (prediction, score) if c), *sensitive]))
    return pipeline.evaluate(
        _columns(data, wanted), label=label, prediction=prediction, score=score, sensitive=list(sensitive), **options
    )


__all__ = [
    "CardSource",
    "diff",
    "evaluate",
    "export",
    "gate",
    "import_card",
    "load",
    "merge",
    "render",
    "save",
    "source_of",
    "validate",
]
