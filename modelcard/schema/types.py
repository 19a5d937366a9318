"""The building blocks of the card schema: field types, limits and the verdict enum.

Every section model in :mod:`modelcard.schema.models` is written with these
types, and code elsewhere that needs one of their rules imports it from here:

* text: :data:`Text` (non-empty), :data:`Markdown` (non-empty, rendered as
  Markdown), :data:`Label` (a group or slice value: ``5``, ``true`` and
  ``"5"`` are read as the same label, see :func:`label_text`), :data:`Group`
  (``attribute: value`` pairs, see :func:`group_key` for "the same group" and
  :func:`group_text` for its ``k=v`` text);
* links and hashes: :data:`Url` (see :mod:`modelcard.safe_text`), :data:`Sha256`;
* numbers: :data:`Real` (finite, within ±:data:`MAX_MAGNITUDE`),
  :data:`NonNegative`, :data:`Count`, :data:`Probability`;
* choices: :class:`Verdict` (with its severity order, icon and label),
  :data:`DatasetRole`, :data:`DisparityConvention`.

Example:
    >>> from modelcard.schema.types import Verdict, label_text
    >>> Verdict("fail").worse_than("inconclusive"), Verdict.PASS.icon
    (True, '✅')
    >>> label_text(5), label_text(True)
    ('5', 'true')
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, Literal

from annotated_types import Ge, Gt, Le, Lt, MinLen
from pydantic import AfterValidator, BeforeValidator, StringConstraints
from pydantic_core import PydanticCustomError

from modelcard.safe_text import SAFE_URL_PATTERN, url_problem

if TYPE_CHECKING:
    from pydantic import GetJsonSchemaHandler
    from pydantic.json_schema import JsonSchemaValue

#: keys starting with this are extensions: accepted anywhere, kept verbatim
EXTENSION_PREFIX = "x-"
#: the JSON Schema keyword marking a field ``validate --strict`` expects
RECOMMENDED = "x-recommended"

#: No number in a card may be larger than this in magnitude: nothing a card measures comes near it
#: (it is an overflow or a unit error), and keeping numbers below it keeps every computation on
#: them (differences, ratios, chart scales) finite.  Non-finite numbers are refused everywhere.
MAX_MAGNITUDE = 1e100
#: the largest count (instances, annotators, bootstrap samples): a 64-bit signed integer
MAX_COUNT = 2**63 - 1


def label_text(value: Any) -> Any:
    """A group or slice value as the schema reads it: numbers and booleans become their text.

    ``decile: 5`` and ``over_45: true`` are labels, not numbers, so ``5`` and
    ``"5"`` name the same group.  Anything else is returned unchanged.

    Example:
        >>> label_text(5), label_text(0.5), label_text(False), label_text("a")
        ('5', '0.5', 'false', 'a')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


def group_key(group: Any) -> tuple[tuple[str, str], ...]:
    """A hashable identity of a group (or slice) map: labels as text, order ignored.

    Two groups are the same group when their keys are equal (``None`` and ``{}``
    both mean "overall").

    Example:
        >>> group_key({"decile": 5, "sex": "F"}) == group_key({"sex": "F", "decile": "5"})
        True
    """
    if not isinstance(group, dict):
        return ()
    return tuple(sorted((str(k), str(label_text(v))) for k, v in group.items()))


def group_text(group: Mapping[str, Any] | None, *, empty: str = "overall", sep: str = ", ") -> str:
    """THE ``k=v`` text of a group or slice: how messages, reports, exports and diff paths name it.

    ``empty`` stands for no group (the overall population).

    Example:
        >>> group_text({"race": "A", "sex": "F"}), group_text(None), group_text({"decile": 5}, sep=",")
        ('race=A, sex=F', 'overall', 'decile=5')
    """
    if not group:
        return empty
    return sep.join(f"{k}={v}" for k, v in group.items())


class JsonSchemaExtra:
    """``Annotated`` metadata adding keywords to a type's JSON Schema (``contentMediaType``, ``format``...).

    The same output as ``Field(json_schema_extra=...)`` in a type alias, without the ``FieldInfo``
    Pydantic would merge into every field using the alias: schema building costs less.
    """

    __slots__ = ("json_schema_extra",)

    def __init__(self, **extra: Any) -> None:
        #: the keywords (named as ``Field``'s, which :func:`modelcard.schema.walk.classify` reads)
        self.json_schema_extra = extra

    def __repr__(self) -> str:
        return f"JsonSchemaExtra({self.json_schema_extra!r})"

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema.update(self.json_schema_extra)
        return schema


# Constraints are written with annotated_types (MinLen, Ge, Le...), not Field(): the same validation,
# errors and JSON Schema, built in about half the time on the ~350 fields of a card.
Text = Annotated[str, MinLen(1)]
Markdown = Annotated[str, MinLen(1), JsonSchemaExtra(contentMediaType="text/markdown")]
Label = Annotated[str, BeforeValidator(label_text), MinLen(1)]
Group = Annotated[dict[Text, Label], MinLen(1)]


def _safe_url(value: str) -> str:
    problem = url_problem(value)
    if problem is not None:
        raise PydanticCustomError("unsafe_link", "{reason}", {"reason": problem})
    return value


#: A link: absolute http(s) with a host, or mailto (see :mod:`modelcard.safe_text`).  Checked by a
#: Python validator for a message that says what is wrong; the JSON Schema gets the same pattern.
Url = Annotated[str, AfterValidator(_safe_url), JsonSchemaExtra(format="uri", pattern=SAFE_URL_PATTERN)]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{64}$")]
Probability = Annotated[float, Gt(0), Lt(1)]
Real = Annotated[float, Ge(-MAX_MAGNITUDE), Le(MAX_MAGNITUDE)]
NonNegative = Annotated[float, Ge(0), Le(MAX_MAGNITUDE)]
Count = Annotated[int, Ge(0), Le(MAX_COUNT)]
DatasetRole = Literal["training", "validation", "evaluation", "test", "fine-tuning", "calibration", "other"]
DisparityConvention = Literal["difference", "ratio"]


# --------------------------------------------------------------------------
# verdicts


class Verdict(str, Enum):
    """The outcome of checking a disparity against its threshold band.

    The one enum of verdicts: the schema's ``verdict`` fields hold it, and
    checks, gate, diff, render and evaluate take its order, icon and label
    from here (the rule that decides a verdict is
    :mod:`modelcard.schema.verdicts`).  It is a ``str``: ``Verdict.PASS ==
    "pass"`` and it prints as ``pass``.

    Example:
        >>> v = Verdict("inconclusive")
        >>> v.severity, v.label, str(v)
        (2, 'Inconclusive', 'inconclusive')
        >>> sorted(["fail", "pass", "not_run"], key=lambda s: Verdict(s).severity)
        ['pass', 'not_run', 'fail']
    """

    PASS = "pass"
    FAIL = "fail"
    INCONCLUSIVE = "inconclusive"
    NOT_RUN = "not_run"

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        # the JSON Schema (editors' hover text) says what the values mean, not how Python uses them
        schema = handler.resolve_ref_schema(handler(core_schema))
        schema["description"] = "; ".join(f"{v.value}: {v.description}" for v in cls) + "."
        return schema

    @property
    def severity(self) -> int:
        """pass 0 < not_run 1 < inconclusive 2 < fail 3 (higher is worse)."""
        return _SEVERITY[self]

    def worse_than(self, other: Verdict | str) -> bool:
        """Whether this verdict is more severe than ``other``."""
        return self.severity > Verdict(other).severity

    @property
    def icon(self) -> str:
        """The mark shown next to the verdict in every output (✅ ❔ ❌ ➖)."""
        return _ICONS[self]

    @property
    def label(self) -> str:
        """The verdict in words, capitalised: "Pass", "Not run"..."""
        return _LABELS[self]

    @property
    def description(self) -> str:
        """What the verdict means, in one sentence."""
        return _DESCRIPTIONS[self]

    def __str__(self) -> str:  # "pass", not "Verdict.PASS", in f-strings and output
        return self.value


_SEVERITY = {Verdict.PASS: 0, Verdict.NOT_RUN: 1, Verdict.INCONCLUSIVE: 2, Verdict.FAIL: 3}
_ICONS = {Verdict.PASS: "✅", Verdict.INCONCLUSIVE: "❔", Verdict.FAIL: "❌", Verdict.NOT_RUN: "➖"}
_LABELS = {Verdict.PASS: "Pass", Verdict.INCONCLUSIVE: "Inconclusive", Verdict.FAIL: "Fail", Verdict.NOT_RUN: "Not run"}
_DESCRIPTIONS = {
    Verdict.PASS: "the whole confidence interval lies inside the threshold band",
    Verdict.FAIL: "the whole confidence interval lies outside the threshold band",
    Verdict.INCONCLUSIVE: "the confidence interval overlaps the threshold band without lying inside it, "
    "or there is no interval to judge",
    Verdict.NOT_RUN: "no threshold was set, so nothing was checked",
}

__all__ = [
    "EXTENSION_PREFIX",
    "MAX_COUNT",
    "MAX_MAGNITUDE",
    "RECOMMENDED",
    "Count",
    "DatasetRole",
    "DisparityConvention",
    "Group",
    "Label",
    "Markdown",
    "NonNegative",
    "Probability",
    "Real",
    "Sha256",
    "Text",
    "Url",
    "Verdict",
    "group_key",
    "group_text",
    "label_text",
]
