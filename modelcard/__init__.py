"""modelcard: typed, validated model cards rendered to Markdown, HTML and PDF.

The public API is imported lazily so that ``import modelcard`` (and the CLI's
start-up) stays cheap::

    import modelcard
    card = modelcard.load_card("examples/compas-recidivism.yaml")
    report = modelcard.validate_file("card.yaml", strict=True)
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "ModelCard": "modelcard.schema.models",
    "SCHEMA_VERSION": "modelcard.schema.models",
    "json_schema": "modelcard.schema.models",
    "load_card": "modelcard.card.validate",
    "load_document": "modelcard.card.validate",
    "validate_file": "modelcard.card.validate",
    "validate_document": "modelcard.card.validate",
    "validate_data": "modelcard.card.validate",
    "Diagnostic": "modelcard.diagnostics",
    "CardError": "modelcard.diagnostics",
    "ModelcardError": "modelcard.diagnostics",
    "Report": "modelcard.diagnostics",
}

__all__ = sorted(_LAZY) + ["__version__"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'modelcard' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
