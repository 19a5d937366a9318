"""modelcard: typed, validated model cards rendered to Markdown, HTML and PDF.

The public API (every name in ``__all__``; ``docs/api.md`` has a runnable
example of each)::

    import modelcard

    card = modelcard.ModelCard.load("card.yaml", with_=["metrics.yaml"])
    card.model.version = "1.3.0"                 # validated on assignment
    card.save()                                  # comments and layout kept
    report = card.validate(strict=True)
    html = card.render(format="html")

    fragment = modelcard.evaluate("predictions.csv", label="y", prediction="yhat", sensitive=["sex"])
    result = modelcard.gate(card.merge(fragment), requirements=["accuracy>=0.8"])
    changes = modelcard.diff("card-v1.yaml", "card-v2.yaml")
    imported = modelcard.import_card("README.md")

Names are imported on first use, so ``import modelcard`` (and the CLI's start)
stays cheap: it loads neither Pydantic nor numpy, Jinja, WeasyPrint or pyarrow.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from modelcard.analysis.diff import CardDiff
    from modelcard.analysis.gate import GateResult
    from modelcard.api import diff, evaluate, gate, import_card
    from modelcard.card.validate import (
        load_card,
        load_document,
        load_validated,
        validate_data,
        validate_document,
        validate_file,
    )
    from modelcard.diagnostics import CardError, Diagnostic, ModelcardError, Report, UnreadableError, UsageError
    from modelcard.evaluation.fragment import Fragment
    from modelcard.interop.fairlearn import MetricFrameFragment, from_metricframe
    from modelcard.schema.models import SCHEMA_VERSION, ModelCard, json_schema
    from modelcard.schema.types import Verdict

#: public name -> the module that defines it (imported on first use)
_LAZY = {
    "ModelCard": "modelcard.schema.models",
    "SCHEMA_VERSION": "modelcard.schema.models",
    "json_schema": "modelcard.schema.models",
    "Verdict": "modelcard.schema.types",
    "Fragment": "modelcard.evaluation.fragment",
    "evaluate": "modelcard.api",
    "gate": "modelcard.api",
    "diff": "modelcard.api",
    "import_card": "modelcard.api",
    "from_metricframe": "modelcard.interop.fairlearn",
    "MetricFrameFragment": "modelcard.interop.fairlearn",
    "GateResult": "modelcard.analysis.gate",
    "CardDiff": "modelcard.analysis.diff",
    "load_card": "modelcard.card.validate",
    "load_document": "modelcard.card.validate",
    "load_validated": "modelcard.card.validate",
    "validate_file": "modelcard.card.validate",
    "validate_data": "modelcard.card.validate",
    "validate_document": "modelcard.card.validate",
    "Diagnostic": "modelcard.diagnostics",
    "Report": "modelcard.diagnostics",
    "ModelcardError": "modelcard.diagnostics",
    "CardError": "modelcard.diagnostics",
    "UsageError": "modelcard.diagnostics",
    "UnreadableError": "modelcard.diagnostics",
}

__all__ = [
    "SCHEMA_VERSION",
    "CardDiff",
    "CardError",
    "Diagnostic",
    "Fragment",
    "GateResult",
    "MetricFrameFragment",
    "ModelCard",
    "ModelcardError",
    "Report",
    "UnreadableError",
    "UsageError",
    "Verdict",
    "__version__",
    "diff",
    "evaluate",
    "from_metricframe",
    "gate",
    "import_card",
    "json_schema",
    "load_card",
    "load_document",
    "load_validated",
    "validate_data",
    "validate_document",
    "validate_file",
]


def __getattr__(name: str) -> Any:
    """Import a public name on first use (the one place the package defers its imports)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'modelcard' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups do not come here
    return value


def __dir__() -> list[str]:
    """The public names, as ``dir(modelcard)`` and completion show them."""
    return sorted(set(globals()) | set(__all__))
