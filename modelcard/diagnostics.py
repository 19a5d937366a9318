"""Diagnostics: located problems found in a card, and the exceptions that carry them.

Every problem the tool reports — a YAML syntax error, an unknown key, a
value of the wrong type, a missing recommended field — is a ``Diagnostic``
pointing at ``FILE:LINE:COL`` of the offending node.  Lines and columns are
1-based, as editors show them.

Messages echo what the card says, so their text form never carries control
or bidi characters raw: :func:`modelcard.safe_text.neutralise` shows them as
escapes (``\x1b``, ``\u202e``), and a terminal or CI log never acts on them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from modelcard.safe_text import neutralise

ERROR = "error"
WARNING = "warning"
#: a notice: said, never a failure (not even under ``validate --strict``), e.g. an older schema version
INFO = "info"

#: a path to a node in card data: keys and list indices, e.g. ``("datasets", 0, "sha256")``
CardPath = tuple[str | int, ...]


def format_path(path: tuple[object, ...]) -> str:
    """A card path as people write it.

    Example:
        >>> format_path(("datasets", 0, "sha256"))
        'datasets[0].sha256'
    """
    out = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


@dataclass(frozen=True)
class SourcePos:
    """A 1-based position in a source file."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return neutralise(f"{self.file}:{self.line}:{self.col}", terminal=True)


@dataclass
class Diagnostic:
    """One problem found in a card."""

    message: str
    file: str
    line: int | None = None
    col: int | None = None
    severity: str = ERROR
    code: str = "invalid"
    path: str = ""  # dotted field path inside the card, e.g. "datasets[0].sha256"

    @classmethod
    def at(cls, pos: SourcePos | None, message: str, *, file: str = "", **kw: Any) -> Diagnostic:
        """A diagnostic at ``pos`` (or only in ``file`` when the position is unknown)."""
        if pos is None:
            return cls(message=message, file=file, **kw)
        return cls(message=message, file=pos.file, line=pos.line, col=pos.col, **kw)

    @property
    def location(self) -> str:
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)

    def __str__(self) -> str:
        where = f" ({self.path})" if self.path else ""
        return neutralise(f"{self.location}: {self.severity}: {self.message}{where} [{self.code}]", terminal=True)

    def to_dict(self) -> dict[str, Any]:
        """The diagnostic as JSON-ready data."""
        return asdict(self)


def describe_value(value: Any) -> str:
    """A value as a message names it: ``a mapping``, ``a list``, ``nothing (null)``, ``boolean true``,
    ``number 5``, or the text quoted (shortened past 60 characters).

    Example:
        >>> describe_value({}), describe_value(None), describe_value(True), describe_value(2.5), describe_value("x")
        ('a mapping', 'nothing (null)', 'boolean true', 'number 2.5', "'x'")
    """
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        text = repr(value)
        if len(text) > 24:  # a huge integer: its digits say nothing
            try:
                text = f"{value:.6g}"
            except OverflowError:
                text = f"with {len(text.lstrip('-'))} digits"
        return f"number {text}"
    text = repr(str(value))
    return text if len(text) <= 60 else text[:57] + "...'"


class ModelcardError(Exception):
    """Base class for errors the CLI reports without a traceback.

    ``exit_code`` is 1 for invalid content and 2 for usage errors or files
    that cannot be read at all.
    """

    exit_code = 2

    def __init__(self, message: str, diagnostics: Iterable[Diagnostic] = (), *, option: str | None = None):
        super().__init__(message)
        self.diagnostics = list(diagnostics)
        #: the API parameter the offending value was passed in (``"sets"``, ``"requirements"``...), if any.
        #: Messages never name command-line flags: they name API parameters in backquotes
        #: (`` `score_threshold` ``), and the CLI shows each as its flag, with the flag of ``option`` in front
        #: when the message does not name it (:func:`modelcard.cli.error_text`).
        self.option = option


class UsageError(ModelcardError):
    """A value that makes no sense: a bad ``sets`` path, requirement or option.

    Example:
        >>> from modelcard.card.layering import parse_set_path
        >>> try:
        ...     parse_set_path("model..version")
        ... except UsageError as exc:
        ...     print(exc.option, "|", exc)
        sets | cannot read key path 'model..version' (expected e.g. model.version or metrics[0].value)
    """

    exit_code = 2


class UnreadableError(ModelcardError):
    """The file cannot be read at all: missing, a directory, no permission."""

    exit_code = 2


class CardError(ModelcardError):
    """The card was read but is not valid: syntax, structure or schema."""

    exit_code = 1

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        diags = list(diagnostics)
        first = str(diags[0]) if diags else "invalid card"
        more = f" (and {len(diags) - 1} more)" if len(diags) > 1 else ""
        super().__init__(first + more, diags)


@dataclass
class Report:
    """The outcome of validating one file."""

    file: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    unreadable: bool = False

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.unreadable and not self.errors
