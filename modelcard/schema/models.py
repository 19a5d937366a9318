"""The card schema: Pydantic models, the single source of truth.

Sections follow Mitchell et al.'s *Model Cards for Model Reporting*, with
data provenance from Partnership on AI's ABOUT ML and Gebru et al.'s
*Datasheets for Datasets*.  Each field is one of

* **required** – a card without it is invalid;
* **recommended** – ``validate --strict`` reports it when missing
  (marked ``"x-recommended": true`` in the JSON Schema);
* **optional**.

Users extend any section without forking: keys starting with ``x-`` are
accepted anywhere, kept verbatim and written back out on export.

Field descriptions double as guidance: they are what ``modelcard init``
writes as comments and what editors show on hover through the JSON Schema.
"""

# No ``from __future__ import annotations`` here: Pydantic would then evaluate every field's annotation
# from its text when each class is created, a quarter of this module's import time, which every
# ``modelcard validate`` pays.  Annotations naming a class defined further down are quoted instead.

import datetime as _dt
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    PrivateAttr,
    StringConstraints,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    WrapValidator,
    model_validator,
)

from modelcard.safe_text import SAFE_URL_PATTERN

# the field types live in schema/types.py; re-exported here, where the sections use them
from modelcard.schema.types import EXTENSION_PREFIX as EXTENSION_PREFIX
from modelcard.schema.types import MAX_COUNT as MAX_COUNT
from modelcard.schema.types import MAX_MAGNITUDE as MAX_MAGNITUDE
from modelcard.schema.types import RECOMMENDED as RECOMMENDED
from modelcard.schema.types import Count as Count
from modelcard.schema.types import DatasetRole as DatasetRole
from modelcard.schema.types import DisparityConvention as DisparityConvention
from modelcard.schema.types import Group as Group
from modelcard.schema.types import Label as Label
from modelcard.schema.types import Markdown as Markdown
from modelcard.schema.types import NonNegative as NonNegative
from modelcard.schema.types import Probability as Probability
from modelcard.schema.types import Real as Real
from modelcard.schema.types import Sha256 as Sha256
from modelcard.schema.types import Text as Text
from modelcard.schema.types import Url as Url
from modelcard.schema.types import Verdict as Verdict

if TYPE_CHECKING:
    from pydantic.config import JsonDict

    from modelcard.diagnostics import Diagnostic, Report

SCHEMA_VERSION = "1.1"
#: every schema version a card may declare; cards of an older one load, and ``modelcard migrate``
#: upgrades them (1.1: verdicts by the interval rule of issue 11, verdict_basis, family size)
SCHEMA_VERSIONS = ("1.0", "1.1")
SCHEMA_ID = f"https://modelcard.dev/schemas/modelcard-{SCHEMA_VERSION}.schema.json"

# --------------------------------------------------------------------------
# building blocks


def recommended(description: str, **kw: Any) -> Any:
    """A field ``validate --strict`` expects to be present and non-empty."""
    return Field(default=None, description=description, json_schema_extra={RECOMMENDED: True}, **kw)


def optional(description: str, **kw: Any) -> Any:
    """A field a card may leave out."""
    return Field(default=None, description=description, **kw)


_EXTENSIONS_SCHEMA: "JsonDict" = {"additionalProperties": False, "patternProperties": {"^x-": {}}}


class Section(BaseModel):
    """Base of every card section: unknown keys are errors, ``x-*`` keys are extensions.

    Pydantic keeps keys it does not know in ``__pydantic_extra__`` (and dumps
    them back after the fields); :func:`modelcard.card.validate.unknown_keys`
    reports every such key that is not an ``x-`` extension.  Doing that in one
    walk, instead of a Python validator on every section, keeps validation of
    large cards cheap.

    Assigning to a field validates the value (``card.model.version = 2`` raises
    a ``ValidationError``), so a card changed in Python stays a valid card.

    List items say which items of two lists are "the same item" with
    :attr:`identity` (layering merges them, diff pairs them, the writer puts
    those fields first); items that carry a measurement say with
    :attr:`measurement` which fields a fresh measurement replaces as a unit.
    :mod:`modelcard.schema.walk` reads both.
    """

    model_config = ConfigDict(
        extra="allow",
        allow_inf_nan=False,
        defer_build=True,
        validate_assignment=True,
        json_schema_extra=_EXTENSIONS_SCHEMA,
    )

    #: the fields that identify an item of a list; empty: items are matched by position
    identity: ClassVar[tuple[str, ...]] = ()
    #: (fields whose presence signals a new measurement, the fields that measurement consists of)
    measurement: ClassVar[tuple[tuple[str, ...], tuple[str, ...]] | None] = None

    @property
    def extensions(self) -> dict[str, Any]:
        """The ``x-*`` keys this section carried."""
        return {k: v for k, v in (self.__pydantic_extra__ or {}).items() if k.startswith(EXTENSION_PREFIX)}


class Party(Section):
    """A person or organisation."""

    identity = ("name",)

    name: Text = Field(description="Name of the person or organisation.")
    role: Text | None = optional("Role, e.g. 'developer', 'data steward', 'card author'.")
    organization: Text | None = optional("Organisation the person belongs to.")
    email: Text | None = optional("Contact e-mail address.")
    url: Url | None = optional("Web page of the person or organisation.")


class Reference(Section):
    title: Text = Field(description="Title of the paper, page or resource.")
    url: Url | None = optional("Where to find it.")


class ConfidenceInterval(Section):
    """A confidence interval around an estimate."""

    lower: Real = Field(description="Lower bound.")
    upper: Real = Field(description="Upper bound.")
    level: Probability | None = optional(
        "Confidence level, e.g. 0.95; absent when the source does not state it (then the level of "
        "test_methodology.confidence_intervals applies, if the card gives one)."
    )
    method: Text | None = optional(
        "How it was computed when it differs from test_methodology.confidence_intervals, "
        "e.g. 'wilson', 'bootstrap-percentile'."
    )

    @model_validator(mode="after")
    def _ordered(self) -> "ConfidenceInterval":
        if self.lower > self.upper:
            raise ValueError(f"lower bound {self.lower} is greater than upper bound {self.upper}")
        return self


# --------------------------------------------------------------------------
# EU AI Act building blocks (issue 16): types and sections the general sections below use; the rest of
# the regulatory documentation is the block "regulatory documentation" near the end of this module.

#: a modality of inputs, outputs or data (the Model Documentation Form's check-boxes, plus tabular)
Modality = Literal["text", "image", "audio", "video", "tabular", "other"]
#: where data came from (the Model Documentation Form's "Training data provenance" check-boxes)
DataSourceKind = Literal["web-crawled", "public-dataset", "third-party-private", "user-data", "synthetic", "other"]
#: how a model is distributed (the form's "Distribution channels")
DistributionKind = Literal["enterprise-suite", "api", "ide", "app-or-firmware", "open-repository", "other"]
#: what a channel gives access to: the weights, a fine-tuning interface, or queries only
AccessLevel = Literal["weights", "fine-tuning", "black-box", "other"]
#: what else is released with a model (the form's "additional assets" under License)
AssetKind = Literal[
    "training-data", "data-processing-code", "training-code", "inference-code", "evaluation-code", "other"
]
#: what a result measures: task performance, a capability, safety, robustness
ResultCategory = Literal["performance", "capability", "safety", "robustness", "other"]


def _none_or_url(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """``none`` as it is; anything else must be a link by the Url rule (one error, at the field)."""
    return value if value == "none" else handler(value)


#: a link, or the word ``none`` (the form's "link to the acceptable use policy, or indicate that none exists")
UrlOrNone = Annotated[
    Url,
    WrapValidator(_none_or_url),
    WithJsonSchema({"anyOf": [{"type": "string", "format": "uri", "pattern": SAFE_URL_PATTERN}, {"const": "none"}]}),
]


class Authenticity(Section):
    """Evidence of the provenance and authenticity of the released model."""

    sha256: Sha256 | None = optional("SHA-256 of the released weights (or of the archive that holds them).")
    endpoint: Url | None = optional("For a model offered as a service: the URL of the endpoint that serves it.")
    signature: Url | None = optional("Where a signature, checksum list or attestation of the release is published.")
    description: Markdown | None = optional("Anything else that establishes authenticity, e.g. a signing key.")

    @model_validator(mode="after")
    def _some(self) -> "Authenticity":
        if not (self.sha256 or self.endpoint or self.signature or self.description):
            raise ValueError("give sha256, endpoint, signature or description")
        return self


class TrainingCompute(Section):
    """Computational resources used to train the model (Annex XI 1.2(d)-(e))."""

    hardware_days: NonNegative | None = optional(
        "Hardware time: number of hardware units multiplied by days, e.g. 64 GPUs for 9.5 days = 608 "
        "(wall-clock time is training.hours)."
    )
    flops: NonNegative | None = optional(
        "Floating point operations used to train the model, with at least two significant figures, e.g. 2.3e+22."
    )
    flops_method: Markdown | None = optional(
        "How the operations were measured or estimated, e.g. '6 × parameters × training tokens'."
    )
    device_power_w: NonNegative | None = optional(
        "Average power draw of one hardware unit in watts: with hardware_days it gives the training energy "
        "when that was not metered (as Annex XI 1.2(e) allows)."
    )
    pue: Annotated[float, Field(ge=1, le=10)] | None = optional(
        "Power usage effectiveness of the data centre, for that estimate (1.0 when absent)."
    )

    @property
    def estimated_energy_mwh(self) -> float | None:
        """hardware-days × 24 h × device power × PUE, in MWh; None without hardware-days and power."""
        if self.hardware_days is None or self.device_power_w is None:
            return None
        return self.hardware_days * 24 * self.device_power_w * (self.pue or 1.0) / 1e6


class InferenceCompute(Section):
    """Benchmarked computation of inference (the Model Documentation Form's energy section)."""

    flops: NonNegative | None = optional(
        "Floating point operations of the benchmarked inference task, with at least two significant figures."
    )
    method: Markdown | None = optional(
        "The benchmarked task and how its operations were measured or estimated, e.g. 'one 1,000-token "
        "completion of a 1,000-token prompt, 2 × parameters per token'."
    )
    energy_kwh: NonNegative | None = optional("Energy of the benchmarked task in kWh, where known.")


# --------------------------------------------------------------------------
# card metadata and model details


#: what a person signing off decided (``pending``: asked, not yet decided)
SignOffDecision = Literal["approved", "approved_with_conditions", "rejected", "pending"]


class SignOff(Section):
    """One person's sign-off of the release: the model owner's, or a reviewer's."""

    identity = ("name", "role")

    name: Text = Field(description="Name of the person signing off.")
    role: Text = Field(
        description="Their role in the sign-off, e.g. 'model owner', 'reviewer', 'fairness reviewer', 'approver'."
    )
    organization: Text | None = optional("Team or organisation they sign for.")
    contact: Text | None = optional("How to reach them: an e-mail address or a web page.")
    date: _dt.date | None = recommended("When they signed off (YYYY-MM-DD): the date of the review.")
    decision: SignOffDecision | None = recommended(
        "What they decided: 'approved', 'approved_with_conditions', 'rejected' or 'pending' (asked, not yet decided)."
    )
    comment: Markdown | None = optional("Conditions attached, reservations, or the reason for the decision.")


class CardMetadata(Section):
    """About the card document itself."""

    schema_version: Annotated[
        Literal["1.0", "1.1"], BeforeValidator(lambda v: f"{v:.1f}" if isinstance(v, float) else v)
    ] = Field(
        description=f'Version of the modelcard schema this card follows; currently "{SCHEMA_VERSION}". '
        'Cards of version "1.0" still load; `modelcard migrate CARD` upgrades them.'
    )
    authors: list[Party] | None = recommended("Who wrote this card and can answer questions about it.")
    date: _dt.date | None = recommended("When the card was last revised (YYYY-MM-DD).")
    version: Text | None = optional("Revision of the card itself, independent of the model version.")
    language: Text | None = optional("Language of the card's prose, as a BCP 47 tag, e.g. 'en'.")
    # review and sign-off (issue 14): who stands behind the release, and when the card is looked at again
    sign_off: list[SignOff] | None = optional(
        "Who signed off the model and this card for release: the owner and the reviewers, each with their "
        "role, the date and the decision."
    )
    next_review: _dt.date | None = optional("When the card and the model are due for their next review (YYYY-MM-DD).")


class ModelIO(Section):
    """One input or output of the model."""

    name: Text = Field(description="Name of the input or output.")
    type: Text | None = optional("Data type or modality, e.g. 'tabular', 'text', 'float in [0, 1]'.")
    description: Markdown | None = optional("What it means, its units and valid range.")
    # EU AI Act (issue 16): Annex XI 1.1(e), Annex XII 2(b)
    modality: Modality | None = optional("Modality: text, image, audio, video, tabular or other.")
    max_size: Text | None = optional(
        "Maximum size, e.g. '8,192 tokens (context window)', '1024 × 1024 px', or 'N/A' when not defined."
    )


class ModelDetails(Section):
    """Basic facts about the model: who built it, what it is, under which terms."""

    name: Text = Field(description="Name of the model.")
    version: Text = Field(description="Version of the model this card describes.")
    description: Markdown | None = recommended("What the model does, in a few sentences.")
    date: _dt.date | None = recommended("Release date of this version (YYYY-MM-DD).")
    type: Text | None = recommended("Kind of model and task, e.g. 'binary classifier', 'text generation'.")
    architecture: Text | None = optional("Architecture or algorithm, e.g. 'gradient-boosted trees'.")
    developers: list[Party] | None = recommended("Who developed the model.")
    license: Text | None = recommended("Licence of the model, as an SPDX identifier where one exists.")
    languages: list[Text] | None = optional(
        "Natural languages the model handles, as BCP 47 / ISO 639 codes, e.g. ['en', 'fr']."
    )
    citation: Text | None = optional("How to cite the model (BibTeX or plain text).")
    base_model: Text | None = optional("Model this one was fine-tuned or derived from.")
    # lineage, task and software (issue 13, see the block "what Hugging Face users expect" below)
    base_models: "list[BaseModelRef] | None" = optional(
        "Models this one derives from, each with how (fine-tune, adapter, merge, quantization...)."
    )
    task: Text | None = optional(
        "Task, as a Hugging Face pipeline tag where one fits, e.g. 'text-classification', 'translation'."
    )
    tags: list[Text] | None = optional("Keywords for search and grouping, e.g. Hub tags.")
    library: Text | None = optional(
        "Library that loads the model, as the Hub's library_name, e.g. 'transformers', 'sklearn'."
    )
    frameworks: "list[Framework] | None" = optional("Libraries and frameworks used, with their versions.")
    parameters: Count | None = optional("Number of parameters (weights) of the model.")
    license_url: Url | None = optional(
        "Where the licence text can be read; needed when the licence is not an SPDX or Hub licence."
    )
    inputs: list[ModelIO] | None = recommended("What the model takes as input.")
    outputs: list[ModelIO] | None = recommended("What the model produces.")
    repository: Url | None = optional("Where the code or weights are published.")
    contact: Text | None = optional("Where to send questions or reports about the model.")
    references: list[Reference] | None = optional("Papers or pages describing the model.")
    # EU AI Act (issue 16): identity and design of a general-purpose AI model (Model Documentation Form 1-2)
    family: Text | None = optional("The collection of models this one belongs to, e.g. 'Llama 3.1'.")
    public_versions: list[Text] | None = optional(
        "Names of the publicly available versions this card covers, e.g. ['lumen-1.3b', 'lumen-1.3b-instruct']."
    )
    authenticity: Authenticity | None = optional(
        "Evidence of the provenance and authenticity of the model: a hash of the weights, the endpoint of a service."
    )
    design: Markdown | None = optional(
        "Key design specifications of the model, with the rationale and the assumptions made."
    )


class IntendedUse(Section):
    """What the model is for, and for whom; what it must not be used for."""

    primary_uses: list[Markdown] | None = recommended("What is the model intended to be used for?")
    primary_users: list[Text] | None = recommended("Who is the model intended for?")
    out_of_scope_uses: list[Markdown] | None = recommended(
        "Which uses is the model not suited for, or must it never be used for?"
    )
    # EU AI Act (issue 16): Annex XI 1.1(a)-(b), 1.2(a); Annex XII 1(a)-(b), 2(a)
    acceptable_use_policy: UrlOrNone | None = optional(
        "Link to the acceptable use policy, or 'none' when there is none."
    )
    system_types: list[Text] | None = optional(
        "Type and nature of AI systems the model can be integrated into, e.g. 'conversational assistants'."
    )
    integration: Markdown | None = optional(
        "Technical means (instructions for use, infrastructure, tools) needed to integrate the model into AI "
        "systems (usage.code holds code; usage.hardware and model.frameworks what it runs on)."
    )


class Factor(Section):
    name: Text = Field(description="Name of the factor, e.g. 'race', 'age group', 'lighting'.")
    description: Markdown | None = optional("Why it may affect the model's performance.")
    values: list[Label] | None = optional("The values considered, e.g. ['female', 'male'].")


class Factors(Section):
    """Groups, instrumentation and environments that may affect performance."""

    relevant: list[Factor] | None = recommended("Which factors could plausibly change how well the model works?")
    evaluation: list[Text] | None = recommended("Which of them were evaluated in this card, and why those?")


# --------------------------------------------------------------------------
# datasets and provenance (ABOUT ML / Datasheets)


class DataSource(Section):
    name: Text = Field(description="Name of the source.")
    url: Url | None = optional("Where the source can be found.")
    description: Markdown | None = optional("What was taken from it.")
    kind: DataSourceKind | None = optional(  # EU AI Act (issue 16): the form's "Training data provenance"
        "web-crawled, public-dataset, third-party-private (non-public data obtained from third parties), "
        "user-data (collected from users), synthetic or other."
    )


class Timeframe(Section):
    start: _dt.date | None = optional("First date covered.")
    end: _dt.date | None = optional("Last date covered.")

    @model_validator(mode="after")
    def _ordered(self) -> "Timeframe":
        if self.start and self.end and self.start > self.end:
            raise ValueError(f"start {self.start} is after end {self.end}")
        return self


class Collection(Section):
    """How the data were collected (Datasheets: Collection process)."""

    method: Markdown | None = recommended("How was the data collected (sensors, surveys, scraping, records)?")
    timeframe: Timeframe | None = recommended("Over what period was the data collected?")
    collectors: Text | None = optional("Who collected the data, and how were they compensated?")
    selection: Markdown | None = optional(  # EU AI Act (issue 16): Annex XI 1.2(c)
        "How the data was selected; for synthetic data, the models and methods that generated it; for data "
        "from third parties, how the rights to it were obtained."
    )


class Consent(Section):
    obtained: bool | None = recommended("Did the people the data is about consent to its collection and use?")
    description: Markdown | None = optional("How consent was obtained or why it was not needed.")
    revocation: Markdown | None = optional("How people can withdraw consent.")


class Licensing(Section):
    license: Text | None = recommended("Licence of the dataset, as an SPDX identifier where one exists.")
    terms: Markdown | None = optional("Other terms of use or access restrictions.")


class SensitiveData(Section):
    contains_personal_data: bool | None = recommended("Does the data identify, or relate to, individual people?")
    contains_sensitive_attributes: bool | None = recommended(
        "Does it contain special-category data (race, health, religion, sexuality, criminal records)?"
    )
    categories: list[Text] | None = optional("Which personal or sensitive categories it contains.")
    protections: Markdown | None = optional("How the data is protected: anonymisation, access control.")


class Annotators(Section):
    count: Count | None = optional("How many annotators.")
    description: Markdown | None = optional("Who they were: expertise, demographics, compensation.")


class Labelling(Section):
    method: Markdown | None = recommended("How were labels produced (human, rule, derived from records)?")
    annotators: Annotators | None = optional("Who labelled the data.")
    agreement: Text | None = optional("Inter-annotator agreement, if measured.")


class Composition(Section):
    description: Markdown | None = recommended("What do the instances represent, and what does each contain?")
    instances: Count | None = recommended("How many instances.")
    features: list[Text] | None = optional("Features or fields of each instance.")
    label_distribution: dict[Label, Count] | None = optional("Number of instances per label.")
    missing_data: Markdown | None = optional("Which values are missing, and why.")
    # EU AI Act (issue 16): Annex XI 1.2(c), the form's "Training data type/modality" and "Number of data points"
    modalities: list[Modality] | None = optional("Modalities of the data: text, image, audio, video, tabular, other.")
    unit: Text | None = optional("What one instance is, e.g. 'tokens', 'documents', 'images', 'rows'.")


class Maintenance(Section):
    maintainer: Text | None = recommended("Who maintains the dataset?")
    update_policy: Markdown | None = optional("Will it be updated, and how are users told?")
    retention: Markdown | None = optional("How long is the data kept?")


class Provenance(Section):
    """ABOUT ML data documentation: where the data came from and how it was shaped."""

    # recommended: `modelcard check` (ABOUT ML, its default profile) asks for them, so `validate --strict` does too
    motivation: Markdown | None = recommended(
        "For what purpose was the dataset created, by whom, and who funded it? (Datasheets: Motivation)"
    )
    sources: list[DataSource] | None = recommended("Where does the data come from?")
    collection: Collection | None = recommended("How and when was it collected?")
    consent: Consent | None = recommended("Was consent obtained from the people in the data?")
    licensing: Licensing | None = recommended("Under which terms may it be used?")
    sensitive_data: SensitiveData | None = recommended("Does it contain personal or sensitive data?")
    preprocessing: list[Markdown] | None = recommended(
        "Which cleaning, filtering or transformation steps were applied?"
    )
    labelling: Labelling | None = recommended("How were labels produced?")
    composition: Composition | None = recommended("What is in the dataset?")
    known_biases: list[Markdown] | None = recommended("Which biases or gaps in coverage are known?")
    maintenance: Maintenance | None = recommended("Who maintains it and how?")
    # EU AI Act (issue 16): Annex XI 1.2(c)
    unsuitable_data_measures: Markdown | None = optional(
        "Measures to detect unsuitable data sources and content (e.g. illegal content, personal data, "
        "copyright opt-outs), and what was done about it."
    )
    bias_detection: Markdown | None = optional("Methods used to detect identifiable biases in the data.")


class Dataset(Section):
    """A dataset used to train or evaluate the model."""

    identity = ("id",)

    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")] = Field(
        description="Short identifier that metrics and the test methodology refer to, e.g. 'compas-test'."
    )
    name: Text = Field(description="Human-readable name.")
    role: DatasetRole = Field(description="What the dataset was used for.")
    description: Markdown | None = recommended("What the dataset is.")
    url: Url | None = optional("Where it can be obtained.")
    version: Text | None = recommended("Version or snapshot of the dataset.")
    sha256: Sha256 | None = recommended("SHA-256 of the exact file(s) used, to pin the data.")
    config: Text | None = optional("Configuration (subset) of the dataset used, e.g. 'de-en' or 'mrpc'.")
    args: "DatasetArgs | None" = optional("Arguments the dataset was loaded with, e.g. {language: en}.")
    provenance: Provenance | None = recommended("ABOUT ML provenance: sources, collection, consent, licensing.")


# --------------------------------------------------------------------------
# test methodology


class DatasetSplit(Section):
    identity = ("dataset", "split")

    dataset: Text = Field(description="The id of a dataset in `datasets`.")
    split: Text | None = optional("Which split, e.g. 'test', 'fold-3'.")
    n: Count | None = optional("How many instances were evaluated.")
    description: Markdown | None = optional("How the split was drawn.")


class MetricDefinition(Section):
    identity = ("name",)

    name: Text = Field(description="Name used by metric and fairness results, e.g. 'fpr'.")
    description: Markdown | None = recommended("What it measures, e.g. 'false positive rate: FP / (FP + TN)'.")
    formula: Text | None = optional("Formula, if not obvious from the description.")
    higher_is_better: bool | None = optional("Whether higher values are better.")
    decision_threshold: Real | None = optional(
        "Score threshold at which a prediction counts as positive, for threshold-dependent metrics."
    )


#: interval methods a card may name in test_methodology.confidence_intervals.method; ``modelcard evaluate``
#: writes ``mixed`` (each interval's own ``method`` names it) and uses the others per quantity (issue 11)
IntervalMethod = Literal[
    "wilson",
    "clopper-pearson",
    "normal",
    "bootstrap",
    "bayesian",
    "other",
    "mixed",
    "newcombe",
    "koopman",
    "mover-wilson",
    "mover",
    "hanley-mcneil-score",
    "hanley-mcneil",
    "delong",
    "t",
    "welch",
    "log-t",
    "wilson-bound",
    "poisson-bootstrap-percentile",
]


class ConfidenceIntervalMethod(Section):
    method: IntervalMethod = Field(
        description="How intervals were computed; 'mixed' when several methods were used and each "
        "interval's own `method` names it."
    )
    level: Probability = Field(default=0.95, description="Confidence level.")
    bootstrap_samples: Annotated[int, Field(ge=1, le=MAX_COUNT)] | None = optional(
        "Bootstrap resamples, for 'bootstrap'."
    )
    description: Markdown | None = optional("Details, e.g. stratification of the bootstrap.")


class PerformanceRequirement(Section):
    """A release criterion on one metric: ``modelcard gate`` fails the card when it is not met."""

    identity = ("metric", "slice", "all_slices", "dataset", "split")

    metric: Text = Field(description="Metric name, as in `metrics[].name`, e.g. 'accuracy'.")
    min: Real | None = optional("Smallest acceptable value (inclusive), e.g. 0.65 for accuracy.")
    max: Real | None = optional("Largest acceptable value (inclusive), e.g. 0.35 for a false positive rate.")
    slice: Group | None = optional(
        "Apply to the metric measured on this slice (attribute: value pairs); absent means the overall metric."
    )
    all_slices: bool | None = optional("Apply to the overall metric and to every slice it was measured on.")
    dataset: Text | None = optional("Apply only to the metric measured on this dataset id; absent means any.")
    split: Text | None = optional("Apply only to the metric measured on this split; absent means any.")
    basis: Literal["estimate", "confidence_interval"] | None = optional(
        "What must clear the bar: the point 'estimate' (the default) or the whole 'confidence_interval' "
        "(lower bound for min, upper bound for max; a straddling interval is inconclusive)."
    )
    rationale: Markdown | None = optional("Why this bar was chosen, and by whom.")

    @model_validator(mode="after")
    def _bounded(self) -> "PerformanceRequirement":
        if self.min is None and self.max is None:
            raise ValueError("a requirement needs min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is greater than max {self.max}")
        if self.slice is not None and self.all_slices:
            raise ValueError("give either slice or all_slices: true, not both")
        return self


class FairnessCriterion(Section):
    """A named fairness criterion and the metric whose disparities measure it."""

    identity = ("name",)

    name: Text = Field(description="Name, e.g. 'demographic_parity', 'equalized_odds'.")
    title: Text | None = optional("Name to show, e.g. 'Demographic parity'.")
    definition: Markdown | None = optional("What the criterion requires, and how it is measured.")
    metrics: list[Text] | None = optional(
        "The metrics (as in metric_definitions) whose fairness results and spreads measure it."
    )


class TestMethodology(Section):
    """How the model was tested: data, protocol, metrics, uncertainty."""

    datasets: list[DatasetSplit] | None = recommended("Which datasets and splits were used for testing?")
    protocol: Markdown | None = recommended("How was the test run (hold-out, cross-validation, time split)?")
    metric_definitions: list[MetricDefinition] | None = recommended(
        "Which metrics were measured, how are they defined, at which decision threshold?"
    )
    confidence_intervals: ConfidenceIntervalMethod | None = recommended("How were confidence intervals computed?")
    seeds: list[int] | None = optional("Random seeds used, for reproducibility.")
    requirements: list[PerformanceRequirement] | None = optional(
        "Performance release criteria, e.g. accuracy >= 0.65 overall; `modelcard gate` enforces them."
    )
    verdict_basis: Literal["interval", "point"] | None = optional(
        "What fairness verdicts are decided on: 'interval' (the default) — pass when the whole confidence "
        "interval of the disparity lies inside the threshold band, fail when it lies wholly outside, "
        "inconclusive otherwise or without an interval — or 'point', chosen explicitly: the point estimate "
        "alone decides (inside the band: pass, else fail)."
    )
    conventions: Markdown | None = optional(
        "How disparities and spreads are defined (e.g. difference = group − reference, ratio = group / "
        "reference; spread = max − min and min / max) and how verdicts are decided."
    )
    fairness_criteria: list[FairnessCriterion] | None = optional(
        "Named fairness criteria (demographic parity, equalized odds...) with their definitions."
    )


# --------------------------------------------------------------------------
# results


#: the fields of one measurement: a fresh value replaces them together (no stale interval, n...)
_ESTIMATE_FIELDS = ("value", "undefined_reason", "confidence_interval", "n", "small_sample")


class _Estimate(Section):
    value: Real | None = Field(
        description="The measured value; null only when it is undefined (then give undefined_reason)."
    )
    undefined_reason: Text | None = optional(
        "Why the value is undefined, e.g. 'no positive labels in this group (division by zero)'."
    )
    confidence_interval: ConfidenceInterval | None = recommended("Uncertainty of the value.")
    no_interval_reason: Text | None = optional(
        "Why a defined value has no confidence interval, e.g. 'a count of rows, not an estimate'."
    )
    n: Count | None = recommended("Number of instances the value was computed on.")
    small_sample: bool | None = optional("True when n is too small for the value to be reliable.")
    dataset: Text | None = optional("The id of the dataset in `datasets` it was measured on.")
    split: Text | None = optional("The split it was measured on.")

    @model_validator(mode="after")
    def _undefined_has_reason(self) -> "_Estimate":
        if self.value is None and not self.undefined_reason:
            raise ValueError("value is null: give undefined_reason to say why it is undefined")
        return self


class MetricResult(_Estimate):
    """A measured performance metric, overall or for one slice of the data."""

    identity = ("name", "display_name", "config", "args", "slice", "dataset", "split")
    measurement = (("value",), _ESTIMATE_FIELDS)

    name: Text = Field(description="Metric name, as defined in test_methodology.metric_definitions.")
    slice: Group | None = optional("The subgroup it was measured on, as attribute: value pairs; absent means overall.")
    decision_threshold: Real | None = optional("Decision threshold used, if it differs from the definition.")
    description: Markdown | None = optional("Anything a reader needs to interpret the value.")
    # how a published result was computed and who measured it (issue 13, block below)
    display_name: Text | None = optional("Name to show, when it says more than `name`, e.g. 'Precision Macro'.")
    config: Text | None = optional("Configuration of the metric, e.g. 'macro' for an averaged F1.")
    args: "MetricArgs | None" = optional("Arguments the metric was computed with, e.g. {average: macro}.")
    source: "ResultSource | None" = optional("Who measured the result, where it is published, whether it was verified.")
    category: ResultCategory | None = optional(  # EU AI Act (issue 16): Annex XI 2.1 evaluation results
        "What the result measures: performance (the default), capability, safety, robustness or other."
    )


class DisparityValue(Section):
    value: Real | None = Field(description="The disparity; null when undefined (e.g. the reference value is 0).")
    confidence_interval: ConfidenceInterval | None = optional("Uncertainty of the disparity.")
    undefined_reason: Text | None = optional("Why the disparity is undefined.")
    no_interval_reason: Text | None = optional(
        "Why a defined disparity has no confidence interval, e.g. an interval unbounded above."
    )

    @model_validator(mode="after")
    def _undefined_has_reason(self) -> "DisparityValue":
        if self.value is None and not self.undefined_reason:
            raise ValueError("disparity value is null: give undefined_reason to say why")
        return self


class Disparity(Section):
    """How far a group is from the reference, under one or both named conventions."""

    difference: DisparityValue | None = optional("Group value minus reference value.")
    ratio: DisparityValue | None = optional("Group value divided by reference value.")

    @model_validator(mode="after")
    def _some(self) -> "Disparity":
        if self.difference is None and self.ratio is None:
            raise ValueError("a disparity needs 'difference', 'ratio' or both")
        return self

    def get(self, convention: str) -> DisparityValue | None:
        """The disparity under ``convention`` ("difference" or "ratio"), or None."""
        value = getattr(self, convention, None)
        return value if isinstance(value, DisparityValue) else None


class Threshold(Section):
    """Acceptable range of one disparity: it passes when min <= disparity <= max."""

    convention: DisparityConvention = Field(
        description="Which disparity the range applies to: 'difference' or 'ratio'."
    )
    min: Real | None = optional("Smallest acceptable disparity, e.g. 0.8 for the four-fifths rule.")
    max: Real | None = optional("Largest acceptable disparity, e.g. 0.1 for a difference.")
    rationale: Markdown | None = optional("Why this threshold was chosen, and by whom.")

    @model_validator(mode="after")
    def _bounded(self) -> "Threshold":
        if self.min is None and self.max is None:
            raise ValueError("a threshold needs min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is greater than max {self.max}")
        return self


class FairnessResult(_Estimate):
    """A metric for one group, compared with a reference group."""

    identity = ("metric", "group", "reference_group", "dataset", "split")
    measurement = (("value", "disparity"), (*_ESTIMATE_FIELDS, "reference_value", "disparity", "verdict"))

    metric: Text = Field(description="Metric name, as defined in test_methodology.metric_definitions.")
    group: Group = Field(
        description=(
            "The group, as attribute: value pairs; two or more pairs make an intersectional group, "
            "e.g. {race: African-American, sex: Female}."
        )
    )
    reference_group: Group | None = recommended("The group compared against.")
    reference_value: Real | None = optional("The metric's value for the reference group.")
    disparity: Disparity | None = recommended("How far the group is from the reference.")
    threshold: Threshold | None = recommended("The acceptable range of the disparity.")
    verdict: Verdict = Field(description="pass, fail, inconclusive (CI straddles the threshold) or not_run.")
    notes: Markdown | None = optional("Context for the result.")

    @property
    def intersectional(self) -> bool:
        return len(self.group) > 1


class GroupSpread(Section):
    """Disparity between the best and worst group on one metric (between-groups view)."""

    identity = ("metric", "attributes", "dataset")
    measurement = (
        ("difference", "ratio"),
        ("max_group", "min_group", "difference", "ratio", "small_sample", "verdict", "notes"),
    )

    metric: Text = Field(description="Metric name.")
    attributes: list[Text] = Field(min_length=1, description="Attributes whose groups were compared.")
    max_group: Group | None = optional("Group with the largest value.")
    min_group: Group | None = optional("Group with the smallest value.")
    difference: DisparityValue | None = optional("Largest minus smallest value.")
    ratio: DisparityValue | None = optional("Smallest divided by largest value.")
    small_sample: bool | None = optional(
        "True when the max or min group has fewer instances than the evaluation's minimum group size."
    )
    threshold: Threshold | None = optional("Acceptable range of the spread.")
    verdict: Verdict | None = optional("Verdict against the threshold.")
    notes: Markdown | None = optional("Context for the spread, e.g. which group is a small sample.")
    dataset: Text | None = optional("The id of the dataset in `datasets` it was measured on.")


class SensitiveAttribute(Section):
    identity = ("name",)

    name: Text = Field(description="Attribute name as used in group maps, e.g. 'race'.")
    description: Markdown | None = optional("What it records and how it was obtained (self-reported, inferred).")
    values: list[Label] | None = optional("Values present in the data.")


class CalibrationBin(Section):
    """One score bin of a reliability diagram: the observed positive rate among instances scored in it."""

    lower: Real = Field(description="Lowest score of the bin (inclusive).")
    upper: Real = Field(description="Highest score of the bin (exclusive, except for the last bin).")
    n: Count = Field(description="Instances scored in the bin.")
    positives: Count | None = optional("Instances in the bin with a positive label.")
    mean_score: Real | None = optional("Mean score of the instances in the bin; absent when it is empty.")
    observed: Real | None = optional("Observed positive rate, positives / n; absent when the bin is empty.")
    confidence_interval: ConfidenceInterval | None = optional("Uncertainty of the observed rate.")


class CalibrationResult(Section):
    """Calibration of the scores within one group: a reliability diagram over score bins."""

    identity = ("slice", "dataset", "split")

    slice: Group | None = optional("The group, as attribute: value pairs; absent means overall.")
    n: Count | None = optional("Instances in the group.")
    binning: Text | None = optional("How scores were binned, e.g. '10 equal-width bins over [0, 1]'.")
    bins: list[CalibrationBin] = Field(description="The score bins, lowest first.")
    dataset: Text | None = optional("The id of the dataset in `datasets` it was measured on.")
    split: Text | None = optional("The split it was measured on.")


class Fairness(Section):
    """Disaggregated results per group, including intersectional groups."""

    sensitive_attributes: list[SensitiveAttribute] | None = recommended(
        "Which sensitive attributes were assessed, and where do their values come from?"
    )
    results: list[FairnessResult] | None = recommended("Per-group results with disparity and verdict.")
    spreads: list[GroupSpread] | None = optional("Best-versus-worst group disparities per metric.")
    calibration: list[CalibrationResult] | None = optional(
        "Calibration within groups: observed positive rate per score bin for each group (reliability diagrams)."
    )
    family_size: Count | None = optional(
        "How many fairness results and spreads were judged against a threshold (the family of decisions "
        "a multiplicity adjustment accounts for)."
    )
    adjustment: Literal["none", "bonferroni", "holm"] | None = optional(
        "Multiplicity adjustment of the intervals verdicts were decided on: 'none' (the default: each "
        "interval has the stated level on its own), 'bonferroni' (every interval at level 1 − α/m for a "
        "family of m) or 'holm' (Holm's step-down levels); the adjusted level is each interval's own `level`."
    )
    summary: Markdown | None = optional("What the results mean, in words.")


# --------------------------------------------------------------------------
# considerations


class Risk(Section):
    name: Text = Field(description="Short name of the risk.")
    description: Markdown | None = recommended("What could go wrong, and for whom?")
    mitigations: list[Markdown] | None = recommended("What was done, or should be done, about it?")


class EthicalConsiderations(Section):
    """Risks, harms and the mitigations in place."""

    risks: list[Risk] | None = recommended("Which risks and harms does the model pose?")
    human_life: Markdown | None = optional("Is the model used for decisions central to human life or flourishing?")
    sensitive_data_use: Markdown | None = optional("Does the model use sensitive data, and how is it justified?")


class CaveatsAndRecommendations(Section):
    caveats: list[Markdown] | None = recommended("What should users know that the rest of the card does not say?")
    recommendations: list[Markdown] | None = recommended("What do you recommend to users of the model?")
    tradeoffs: list[Markdown] | None = optional(
        "Performance trade-offs made or known, e.g. 'higher recall on rare classes at the cost of precision'."
    )


class EnvironmentalImpact(Section):
    """Compute and emissions of training (Lacoste et al., 2019)."""

    hardware: Text | None = optional("Hardware used, e.g. '8x A100 40GB'.")
    hours: NonNegative | None = optional("Compute time in hours.")
    cloud_provider: Text | None = optional("Cloud provider, if any.")
    region: Text | None = optional("Compute region.")
    energy_kwh: NonNegative | None = optional("Energy consumed, in kWh.")
    co2_eq_kg: NonNegative | None = optional("Emissions, in kg CO2-equivalent.")
    method: Markdown | None = optional("How the figures were estimated.")
    inference: InferenceCompute | None = optional(  # EU AI Act (issue 16): the form's energy section
        "Benchmarked computation (and energy, where known) of inference."
    )


# --------------------------------------------------------------------------
# what Hugging Face users expect (issue 13): lineage, software, training, usage and the source of a
# result.  Interop imports and exports these (Hub metadata, model-index, MCT, CycloneDX, SPDX); the
# names are general so that other sections may reuse them.

#: how a model derives from a base model (the Hub's base_model_relation, plus distillation and other)
BaseModelRelation = Literal["finetune", "adapter", "merge", "quantized", "distillation", "other"]
#: a hyperparameter: a flag, a number or text (e.g. 'linear' for a scheduler)
HyperparameterValue = bool | int | Real | Text
#: arguments of a metric or dataset: a mapping, or the text the source gave (Hub cards use both)
MetricArgs = dict[Text, JsonValue] | Text
DatasetArgs = dict[Text, JsonValue] | Text


class BaseModelRef(Section):
    """A model this one was derived from."""

    identity = ("name",)

    name: Text = Field(description="Name or Hub id of the base model, e.g. 'google-bert/bert-base-uncased'.")
    relation: BaseModelRelation | None = optional(
        "How this model derives from it: finetune, adapter, merge, quantized, distillation or other."
    )
    version: Text | None = optional("Version or revision of the base model.")
    url: Url | None = optional("Where the base model is published.")


class Framework(Section):
    """A library or framework the model was built or runs with."""

    identity = ("name",)

    name: Text = Field(description="Name, e.g. 'transformers', 'pytorch', 'scikit-learn'.")
    version: Text | None = optional("Version used, e.g. '4.41.2'.")


class ResultSource(Section):
    """Who measured a published result, where, and whether someone else verified it."""

    name: Text | None = optional("Who measured or published it, e.g. 'model authors', 'Open LLM Leaderboard'.")
    url: Url | None = optional("Where the result is published.")
    verified: bool | None = optional(
        "true when an independent party verified the result (e.g. the Hub's evaluation service); "
        "false when it is self-reported."
    )


class Training(Section):
    """How the model was trained."""

    procedure: Markdown | None = optional(
        "How the model was trained: objective, schedule, data preparation, precision regime."
    )
    hyperparameters: dict[Text, HyperparameterValue] | None = optional(
        "Hyperparameters by name, e.g. {learning_rate: 2.0e-05, num_epochs: 3, optimizer: adamw}."
    )
    hardware: Text | None = optional("Hardware trained on, e.g. '8x A100 80GB'.")
    hours: NonNegative | None = optional("Training time, in wall-clock hours.")
    # EU AI Act (issue 16): Annex XI 1.2(b), (d); Annex IV 2(a)-(c)
    objective: Markdown | None = optional(
        "What the model is designed to optimise for, and the relevance of the different parameters."
    )
    design_choices: Markdown | None = optional(
        "How and why the key design choices of training were made: rationale and assumptions."
    )
    from_scratch: bool | None = optional(
        "True when the model was trained from randomly initialised weights, not modified or fine-tuned from "
        "another model (then it has no base model)."
    )
    compute: TrainingCompute | None = optional(
        "Computational resources used: hardware-days, floating point operations, power for an energy estimate."
    )


class CodeSnippet(Section):
    """A piece of code showing how to use the model."""

    language: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_+#.-]*$")] = Field(
        description="Language of the code, as a Markdown fence tag, e.g. 'python', 'bash'."
    )
    code: Text = Field(description="The code.")
    description: Markdown | None = optional("What the code does, or what it needs.")


class UsageExample(Section):
    """An example input and the output the model gives for it."""

    input: Text = Field(description="The input, as text (or a description of it).")
    output: Text | None = optional("What the model returns for it.")
    description: Markdown | None = optional("What the example shows.")


class Usage(Section):
    """How to use the model: code, examples, what inference needs."""

    code: list[CodeSnippet] | None = optional("'How to use' code, each snippet tagged with its language.")
    examples: list[UsageExample] | None = optional("Example inputs and the outputs the model gives.")
    hardware: Text | None = optional("Hardware the model is meant to run on, e.g. '1x T4 16GB' or 'CPU'.")
    latency_ms: NonNegative | None = optional("Typical inference time per input, in milliseconds.")


def base_models(model: ModelDetails) -> list[BaseModelRef]:
    """Every base model of ``model``: ``base_models``, plus the single ``base_model`` when it is not among them."""
    out = list(model.base_models or [])
    if model.base_model and all(b.name != model.base_model for b in out):
        out.insert(0, BaseModelRef(name=model.base_model))
    return out


def stated_level(interval: ConfidenceInterval | None, card: "ModelCard | None" = None) -> float | None:
    """The confidence level of ``interval``: its own, else the card's test methodology level, else None.

    None means the level is not stated (an imported interval often has none); say so rather than
    assume 0.95.
    """
    if interval is not None and interval.level is not None:
        return interval.level
    tm = card.test_methodology if card is not None else None
    if tm is not None and tm.confidence_intervals is not None:
        return tm.confidence_intervals.level
    return None


# --------------------------------------------------------------------------
# regulatory documentation (issue 16): EU AI Act Art. 53 with Annexes XI and XII (general-purpose AI
# models; the Code of Practice's Model Documentation Form) and Art. 11 with Annex IV (high-risk AI
# systems).  Facts any card may want live in the general sections (the fields marked "EU AI Act" above,
# and those of issue 13: model.parameters, model.base_models, model.frameworks, training, usage,
# metrics[].source); facts that exist only for the Act live in `regulatory`.  Which field answers which
# item of the form or of the annexes is written in ONE place: the eu-gpai and eu-annex-iv profiles of
# modelcard.analysis.completeness.


class DistributionChannel(Section):
    """One way the model is made available."""

    identity = ("kind", "name")

    kind: DistributionKind = Field(
        description="enterprise-suite, api, ide (integrated development environments), app-or-firmware "
        "(device-specific applications or firmware), open-repository or other."
    )
    name: Text | None = optional("Name of the channel, e.g. 'Hugging Face Hub', 'Example Cloud API'.")
    url: Url | None = optional("Where it is.")
    access: AccessLevel | None = optional(
        "Level of access it gives: 'weights' (weights-level), 'fine-tuning', 'black-box' (queries only) or 'other'."
    )
    description: Markdown | None = optional("Terms, availability in the Union, anything else about the channel.")


class ReleasedAsset(Section):
    """Something made available besides the model itself: data, or code to process data, train, run or evaluate it."""

    identity = ("name",)

    name: Text = Field(description="Name of the asset, e.g. 'Pre-training data filters'.")
    kind: AssetKind | None = optional(
        "training-data, data-processing-code, training-code, inference-code, evaluation-code or other."
    )
    url: Url | None = optional("Where it is.")
    access: Markdown | None = optional("How it can be accessed, e.g. 'public repository', 'on request to researchers'.")
    license: Text | None = optional("Licence under which it is made available, as an SPDX identifier where one exists.")


class Distribution(Section):
    """How the model is made available (Annex XI 1.1(c), Annex XII 1(c); Annex IV 1(d))."""

    channels: list[DistributionChannel] | None = optional(
        "Distribution channels through which the model is made available, with the access each gives."
    )
    assets: list[ReleasedAsset] | None = optional(
        "Assets made available besides the model (training data, data-processing, training, inference or "
        "evaluation code), with how each is accessed and its licence."
    )
    no_additional_assets: bool | None = optional(
        "True when nothing is made available besides the model itself (the form's additional assets: none)."
    )


class Provider(Section):
    """The provider who places the model or system on the Union market (AI Act Art. 3(3))."""

    legal_name: Text = Field(description="Legal name of the provider, e.g. 'Lumen Labs SAS'.")
    address: Text | None = optional("Registered address of the provider.")
    contact: Text | None = optional("Where documentation requests are sent (e-mail address or web page).")
    authorised_representative: Text | None = optional(
        "For a provider established outside the Union: its authorised representative (Art. 22, Art. 54)."
    )


class SignedDocument(Section):
    """A dated document, signed by the persons responsible for it."""

    identity = ("title",)

    title: Text = Field(description="Title or reference of the document.")
    url: Url | None = optional("Where the document (or a copy) can be obtained.")
    date: _dt.date | None = optional("Date of the document (YYYY-MM-DD).")
    signed_by: list[Text] | None = optional("Who signed it, with their function.")


class Change(Section):
    """A relevant change to the system through its lifecycle."""

    identity = ("version",)

    version: Text = Field(description="Version the change produced.")
    date: _dt.date | None = optional("When it was made (YYYY-MM-DD).")
    description: Markdown = Field(description="What changed, and why.")


class Standard(Section):
    """A standard or common specification applied."""

    identity = ("reference",)

    reference: Text = Field(description="Reference of the standard, e.g. 'ISO/IEC 42001:2023'.")
    title: Text | None = optional("Its title.")
    harmonised: bool | None = optional("True for a harmonised standard published in the Official Journal.")
    extent: Literal["full", "part"] | None = optional("Applied in full or in part.")
    notes: Markdown | None = optional("Which parts, and how.")


class HighRiskDocumentation(Section):
    """Annex IV technical documentation of a high-risk AI system that no other section holds."""

    system_interactions: Markdown | None = optional(
        "How the system interacts, or can be used to interact, with hardware or software (including other AI "
        "systems) that is not part of it, or 'N/A'. (Annex IV 1(b))"
    )
    software_versions: Markdown | None = optional(
        "Versions of relevant software or firmware, and requirements related to version updates. (1(c))"
    )
    product_illustrations: Markdown | None = optional(
        "Where the system is a component of products: photographs or illustrations of their external features, "
        "marking and internal layout (links), or 'N/A'. (1(f))"
    )
    user_interface: Markdown | None = optional(
        "Basic description of the user interface provided to the deployer. (1(g))"
    )
    instructions_for_use: Markdown | None = optional("Instructions for use for the deployer, or a link to them. (1(h))")
    human_oversight: Markdown | None = optional(
        "Human oversight measures (Art. 14), including the technical measures that help deployers interpret the "
        "outputs. (2(e), 3)"
    )
    predetermined_changes: Markdown | None = optional(
        "Changes to the system and its performance pre-determined at the initial conformity assessment, and how "
        "continuous compliance is ensured, or 'none'. (2(f))"
    )
    test_reports: list[SignedDocument] | None = optional("Test logs and test reports, dated and signed. (2(g))")
    cybersecurity: Markdown | None = optional("Cybersecurity measures put in place (Art. 15). (2(h))")
    metrics_appropriateness: Markdown | None = optional(
        "Why the performance metrics are appropriate for this system. (4)"
    )
    risk_management: Markdown | None = optional("The risk management system (Art. 9). (5)")
    changes: list[Change] | None = optional("Relevant changes made to the system through its lifecycle. (6)")
    standards: list[Standard] | None = optional("Harmonised standards and other standards applied. (7)")
    other_solutions: Markdown | None = optional(
        "Where no harmonised standard was applied: the solutions adopted to meet the requirements of "
        "Chapter III, Section 2. (7)"
    )
    declaration_of_conformity: SignedDocument | None = optional("The EU declaration of conformity (Art. 47). (8)")
    post_market_monitoring: Markdown | None = optional(
        "The system evaluating performance after placing on the market, with the post-market monitoring plan "
        "(Art. 72). (9)"
    )


class SystemicRiskDocumentation(Section):
    """Annex XI, Section 2: further documentation of general-purpose AI models with systemic risk."""

    evaluation_strategies: Markdown | None = optional(
        "Evaluation strategies, criteria, metrics and methods for identifying limitations, with the results "
        "(typed results go in `metrics`, with category 'capability' or 'safety'). (Annex XI 2.1)"
    )
    adversarial_testing: Markdown | None = optional(
        "Internal and external adversarial testing (e.g. red teaming) and model adaptations, including "
        "alignment and fine-tuning. (Annex XI 2.2)"
    )
    system_architecture: Markdown | None = optional(
        "Where applicable, the system architecture: how software components build on or feed into each other. "
        "(Annex XI 2.3)"
    )


class Regulatory(Section):
    """What the EU AI Act asks for that the other sections do not hold."""

    provider: Provider | None = optional("The provider placing the model or system on the Union market.")
    union_market_date: _dt.date | None = optional("Date the model was placed on the Union market (YYYY-MM-DD).")
    systemic_risk: bool | None = optional(
        "Whether the model is a general-purpose AI model with systemic risk (Art. 51); Annex XI, Section 2 "
        "then applies."
    )
    systemic_risk_documentation: SystemicRiskDocumentation | None = optional(
        "Annex XI, Section 2 documentation, for models with systemic risk."
    )
    high_risk: HighRiskDocumentation | None = optional(
        "Annex IV technical documentation of a high-risk AI system (Art. 11)."
    )


class ModelCard(Section):
    """A model card: the whole document."""

    model_config = ConfigDict(
        title="modelcard",
        json_schema_extra=_EXTENSIONS_SCHEMA,
    )

    card: CardMetadata = Field(description="About this card: schema version, authors, date.")
    model: ModelDetails = Field(description="Model details.")
    intended_use: IntendedUse | None = recommended("Intended use and out-of-scope uses.")
    factors: Factors | None = optional("Factors that may affect performance.")
    datasets: list[Dataset] | None = recommended("Training and evaluation datasets with their provenance.")
    test_methodology: TestMethodology | None = recommended("How the model was tested.")
    metrics: list[MetricResult] | None = recommended("Performance results.")
    fairness: Fairness | None = recommended("Fairness results per group.")
    ethical_considerations: EthicalConsiderations | None = recommended("Ethical considerations.")
    caveats_and_recommendations: CaveatsAndRecommendations | None = recommended("Caveats and recommendations.")
    environmental_impact: EnvironmentalImpact | None = optional("Environmental impact of training.")
    training: Training | None = optional("How the model was trained: procedure, hyperparameters, hardware, time.")
    usage: Usage | None = optional("How to use the model: code, example inputs and outputs, inference hardware.")
    distribution: Distribution | None = optional("How the model is made available: channels and access levels.")
    regulatory: Regulatory | None = optional(
        "EU AI Act documentation no other section holds: provider, Union market date, systemic risk, Annex IV."
    )

    # where the card was loaded from (text, positions, warnings): see modelcard.api.CardSource
    _source: Any = PrivateAttr(default=None)

    def dataset(self, dataset_id: str) -> Dataset | None:
        """The dataset with id ``dataset_id``, or None."""
        return next((d for d in self.datasets or [] if d.id == dataset_id), None)

    # ----------------------------------------------------------------------
    # the facade: each method imports the layer it needs when called (see modelcard/api.py and
    # ARCHITECTURE.md), so the schema stays at the bottom and validating a card never loads a renderer

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str],
        *,
        with_: Sequence[str | os.PathLike[str]] = (),
        set_: Sequence[str] = (),
        strict: bool = False,
    ) -> "ModelCard":
        """Load a card file (YAML or JSON), layer fragments and values over it, and validate it.

        Args:
            path: the card file (``-``: standard input).
            with_: fragment files merged over the card, in order (``--with``).
            set_: ``KEY.PATH=VALUE`` assignments applied last, e.g. ``"model.version=1.3.0"``.
            strict: also refuse missing recommended fields and ``TODO`` placeholders.

        Raises:
            CardError: the card is invalid; ``exc.diagnostics`` locates every error.
            UnreadableError: the file cannot be read.
            UsageError: an assignment names no field of the card.

        Example:
            >>> card = ModelCard.load("examples/compas-recidivism.yaml")  # doctest: +SKIP
            >>> card.model.name  # doctest: +SKIP
            'COMPAS recidivism risk score (reproduction)'
        """
        from modelcard.api import load

        return load(path, with_=with_, set_=set_, strict=strict)

    def save(self, path: str | os.PathLike[str] | None = None) -> None:
        """Write the card to ``path`` (default: the file it was loaded from), atomically.

        A card loaded from a file keeps that file's comments, key order,
        quoting and layout: only values that changed are rewritten.  A card
        made in Python is written as YAML (JSON for a ``.json`` path) in
        schema key order.

        Example:
            >>> card.model.version = "1.3.0"  # doctest: +SKIP
            >>> card.save()  # doctest: +SKIP
        """
        from modelcard.api import save

        save(self, path)

    def validate(self, *, strict: bool = False) -> "Report":  # type: ignore[override]  # Pydantic v1's classmethod
        """Check the card: schema, cross-field rules and, with ``strict``, completeness.

        Returns:
            A :class:`~modelcard.diagnostics.Report`: ``.ok``, ``.errors``, ``.warnings``,
            each diagnostic located in the file the card was loaded from.

        Example:
            >>> card.validate(strict=True).ok  # doctest: +SKIP
            False
        """
        from modelcard.api import validate

        return validate(self, strict=strict)

    def render(self, format: str = "html", layout: str = "card", **options: Any) -> str | bytes:
        """Render the card as ``"md"``, ``"html"`` (text) or ``"pdf"`` (bytes; the ``[pdf]`` extra).

        Args:
            format: ``"md"``, ``"html"`` or ``"pdf"``.
            layout: ``"card"`` (the full card), ``"scorecard"`` (one page) or ``"eu-gpai-form"``.
            **options: ``template_dir``, ``base_dir``, ``chart_prefix``... as
                :func:`modelcard.render.render` takes them.

        Example:
            >>> html = card.render(format="html", layout="scorecard")  # doctest: +SKIP
        """
        from modelcard.api import render

        return render(self, format, layout, **options)

    def merge(self, *fragments: Any, strict: bool = False) -> "ModelCard":
        """A new card: this one with ``fragments`` layered over it (as ``modelcard merge`` does).

        Each fragment is a path, a mapping of card data, a ``ModelCard`` or a
        :class:`modelcard.Fragment` (what :func:`modelcard.evaluate` returns).
        The result remembers this card's file: ``save()`` updates it in place.

        Raises:
            CardError: the merged card is invalid.

        Example:
            >>> card = card.merge({"model": {"version": "2.0"}})  # doctest: +SKIP
        """
        from modelcard.api import merge

        return merge(self, *fragments, strict=strict)

    def export(self, to: str = "huggingface", **options: Any) -> str:
        """The card in another format: ``"huggingface"`` (README.md), ``"cyclonedx"`` or ``"spdx"`` (JSON).

        Example:
            >>> readme = card.export(to="huggingface")  # doctest: +SKIP
        """
        from modelcard.api import export

        return export(self, to, **options)

    @property
    def warnings(self) -> "list[Diagnostic]":
        """What loading or importing the card said without refusing it."""
        source = self._source
        return list(source.warnings) if source is not None else []


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a card, with its versioned ``$id``."""
    schema = ModelCard.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
    }
