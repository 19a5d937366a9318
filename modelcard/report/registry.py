"""Reporters: the one function that shows a result of a given kind in a given format.

Every command's output goes through here: ``validate`` (``validation``),
``gate``, ``diff``, ``check`` (``completeness``) and ``evaluate``'s summary
(``evaluation``), each in the formats it offers (``text``, ``json``,
``markdown``, ``github``)::

    from modelcard.report import report
    print(report("gate", gate_result, "markdown"))

A reporter is a function ``(result, **options) -> str`` registered with
:func:`reporter`; the module holding a kind's reporters is imported the first
time that kind is asked for, so a command loads only its own.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, TypeVar

Reporter = Callable[..., str]
F = TypeVar("F", bound=Reporter)

#: result kind -> module that registers its reporters
KINDS = {
    "validation": "modelcard.report.validation",
    "gate": "modelcard.report.gate",
    "diff": "modelcard.report.diff",
    "completeness": "modelcard.report.completeness",
    "evaluation": "modelcard.report.evaluation",
}

_REPORTERS: dict[str, dict[str, Reporter]] = {}


def reporter(kind: str, fmt: str) -> Callable[[F], F]:
    """Register the decorated function as the ``fmt`` reporter of ``kind`` results."""
    if kind not in KINDS:
        raise ValueError(f"unknown result kind {kind!r}; known: {', '.join(KINDS)}")

    def register(func: F) -> F:
        _REPORTERS.setdefault(kind, {})[fmt] = func
        return func

    return register


def _load(kind: str) -> dict[str, Reporter]:
    if kind not in KINDS:
        raise ValueError(f"unknown result kind {kind!r}; known: {', '.join(KINDS)}")
    if kind not in _REPORTERS:
        importlib.import_module(KINDS[kind])
    return _REPORTERS.get(kind, {})


def formats(kind: str) -> tuple[str, ...]:
    """The formats ``kind`` results can be shown in, in registration order."""
    return tuple(_load(kind))


def get_reporter(kind: str, fmt: str) -> Reporter:
    """The reporter for ``kind`` in ``fmt``; ValueError for a format the kind does not offer."""
    found = _load(kind)
    if fmt not in found:
        raise ValueError(f"no {fmt!r} output for {kind} results; choose one of {', '.join(found)}")
    return found[fmt]


def report(kind: str, result: Any, fmt: str = "text", **options: Any) -> str:
    """``result`` (a ``kind`` result) shown in ``fmt``."""
    return get_reporter(kind, fmt)(result, **options)
