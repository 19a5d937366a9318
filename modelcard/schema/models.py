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

from __future__ import annotations

import datetime as _dt
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

from modelcard.safe_text import SAFE_URL_PATTERN, url_problem

SCHEMA_VERSION = "1.0"
SCHEMA_ID = f"https://modelcard.dev/schemas/modelcard-{SCHEMA_VERSION}.schema.json"
EXTENSION_PREFIX = "x-"

RECOMMENDED = "x-recommended"

# --------------------------------------------------------------------------
# building blocks


def recommended(description: str, **kw: Any) -> Any:
    """A field ``validate --strict`` expects to be present and non-empty."""
    return Field(default=None, description=description, json_schema_extra={RECOMMENDED: True}, **kw)


def optional(description: str, **kw: Any) -> Any:
    return Field(default=None, description=description, **kw)


def _scalar_to_str(value: Any) -> Any:
    """Group values such as ``decile: 5`` or ``over_45: true`` are labels, not numbers."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


Text = Annotated[str, StringConstraints(min_length=1)]
Markdown = Annotated[
    str, StringConstraints(min_length=1), Field(json_schema_extra={"contentMediaType": "text/markdown"})
]
Label = Annotated[str, BeforeValidator(_scalar_to_str), StringConstraints(min_length=1)]
Group = Annotated[dict[Text, Label], Field(min_length=1)]


def _safe_url(value: str) -> str:
    problem = url_problem(value)
    if problem is not None:
        raise PydanticCustomError("unsafe_link", "{reason}", {"reason": problem})
    return value


#: A link: absolute http(s) with a host, or mailto (see :mod:`modelcard.safe_text`).  Checked by a
#: Python validator for a message that says what is wrong; the JSON Schema gets the same pattern.
Url = Annotated[str, AfterValidator(_safe_url), Field(json_schema_extra={"format": "uri", "pattern": SAFE_URL_PATTERN})]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{64}$")]
Probability = Annotated[float, Field(gt=0, lt=1)]

#: No number in a card may be larger than this in magnitude: nothing a card measures comes near it
#: (it is an overflow or a unit error), and keeping numbers below it keeps every computation on
#: them (differences, ratios, chart scales) finite.  Non-finite numbers are refused everywhere.
MAX_MAGNITUDE = 1e100
#: the largest count (instances, annotators, bootstrap samples): a 64-bit signed integer
MAX_COUNT = 2**63 - 1
Real = Annotated[float, Field(ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE)]
NonNegative = Annotated[float, Field(ge=0, le=MAX_MAGNITUDE)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Verdict = Literal["pass", "fail", "inconclusive", "not_run"]
DatasetRole = Literal["training", "validation", "evaluation", "test", "fine-tuning", "calibration", "other"]


_EXTENSIONS_SCHEMA = {"additionalProperties": False, "patternProperties": {"^x-": {}}}


class Section(BaseModel):
    """Base of every card section: unknown keys are errors, ``x-*`` keys are extensions.

    Pydantic keeps keys it does not know in ``__pydantic_extra__`` (and dumps
    them back after the fields); :func:`modelcard.card.validate.unknown_keys`
    reports every such key that is not an ``x-`` extension.  Doing that in one
    walk, instead of a Python validator on every section, keeps validation of
    large cards cheap.
    """

    model_config = ConfigDict(
        extra="allow",
        allow_inf_nan=False,
        defer_build=True,
        json_schema_extra=_EXTENSIONS_SCHEMA,
    )

    @property
    def extensions(self) -> dict[str, Any]:
        """The ``x-*`` keys this section carried."""
        return {k: v for k, v in (self.__pydantic_extra__ or {}).items() if k.startswith(EXTENSION_PREFIX)}


class Party(Section):
    """A person or organisation."""

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
    level: Probability = Field(default=0.95, description="Confidence level, e.g. 0.95.")
    method: Text | None = optional(
        "How it was computed when it differs from test_methodology.confidence_intervals, "
        "e.g. 'wilson', 'bootstrap-percentile'."
    )

    @model_validator(mode="after")
    def _ordered(self) -> ConfidenceInterval:
        if self.lower > self.upper:
            raise ValueError(f"lower bound {self.lower} is greater than upper bound {self.upper}")
        return self


# --------------------------------------------------------------------------
# card metadata and model details


class CardMetadata(Section):
    """About the card document itself."""

    schema_version: Annotated[Literal["1.0"], BeforeValidator(lambda v: f"{v:.1f}" if isinstance(v, float) else v)] = (
        Field(description=f'Version of the modelcard schema this card follows; currently "{SCHEMA_VERSION}".')
    )
    authors: list[Party] | None = recommended("Who wrote this card and can answer questions about it.")
    date: _dt.date | None = recommended("When the card was last revised (YYYY-MM-DD).")
    version: Text | None = optional("Revision of the card itself, independent of the model version.")
    language: Text | None = optional("Language of the card's prose, as a BCP 47 tag, e.g. 'en'.")


class ModelIO(Section):
    """One input or output of the model."""

    name: Text = Field(description="Name of the input or output.")
    type: Text | None = optional("Data type or modality, e.g. 'tabular', 'text', 'float in [0, 1]'.")
    description: Markdown | None = optional("What it means, its units and valid range.")


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
    inputs: list[ModelIO] | None = recommended("What the model takes as input.")
    outputs: list[ModelIO] | None = recommended("What the model produces.")
    repository: Url | None = optional("Where the code or weights are published.")
    contact: Text | None = optional("Where to send questions or reports about the model.")
    references: list[Reference] | None = optional("Papers or pages describing the model.")


class IntendedUse(Section):
    """What the model is for, and for whom; what it must not be used for."""

    primary_uses: list[Markdown] | None = recommended("What is the model intended to be used for?")
    primary_users: list[Text] | None = recommended("Who is the model intended for?")
    out_of_scope_uses: list[Markdown] | None = recommended(
        "Which uses is the model not suited for, or must it never be used for?"
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


class Timeframe(Section):
    start: _dt.date | None = optional("First date covered.")
    end: _dt.date | None = optional("Last date covered.")

    @model_validator(mode="after")
    def _ordered(self) -> Timeframe:
        if self.start and self.end and self.start > self.end:
            raise ValueError(f"start {self.start} is after end {self.end}")
        return self


class Collection(Section):
    """How the data were collected (Datasheets: Collection process)."""

    method: Markdown | None = recommended("How was the data collected (sensors, surveys, scraping, records)?")
    timeframe: Timeframe | None = recommended("Over what period was the data collected?")
    collectors: Text | None = optional("Who collected the data, and how were they compensated?")


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


class Maintenance(Section):
    maintainer: Text | None = recommended("Who maintains the dataset?")
    update_policy: Markdown | None = optional("Will it be updated, and how are users told?")
    retention: Markdown | None = optional("How long is the data kept?")


class Provenance(Section):
    """ABOUT ML data documentation: where the data came from and how it was shaped."""

    motivation: Markdown | None = optional(
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
    maintenance: Maintenance | None = optional("Who maintains it and how?")


class Dataset(Section):
    """A dataset used to train or evaluate the model."""

    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")] = Field(
        description="Short identifier that metrics and the test methodology refer to, e.g. 'compas-test'."
    )
    name: Text = Field(description="Human-readable name.")
    role: DatasetRole = Field(description="What the dataset was used for.")
    description: Markdown | None = recommended("What the dataset is.")
    url: Url | None = optional("Where it can be obtained.")
    version: Text | None = recommended("Version or snapshot of the dataset.")
    sha256: Sha256 | None = recommended("SHA-256 of the exact file(s) used, to pin the data.")
    provenance: Provenance | None = recommended("ABOUT ML provenance: sources, collection, consent, licensing.")


# --------------------------------------------------------------------------
# test methodology


class DatasetSplit(Section):
    dataset: Text = Field(description="The id of a dataset in `datasets`.")
    split: Text | None = optional("Which split, e.g. 'test', 'fold-3'.")
    n: Count | None = optional("How many instances were evaluated.")
    description: Markdown | None = optional("How the split was drawn.")


class MetricDefinition(Section):
    name: Text = Field(description="Name used by metric and fairness results, e.g. 'fpr'.")
    description: Markdown | None = recommended("What it measures, e.g. 'false positive rate: FP / (FP + TN)'.")
    formula: Text | None = optional("Formula, if not obvious from the description.")
    higher_is_better: bool | None = optional("Whether higher values are better.")
    decision_threshold: Real | None = optional(
        "Score threshold at which a prediction counts as positive, for threshold-dependent metrics."
    )


class ConfidenceIntervalMethod(Section):
    method: Literal["wilson", "clopper-pearson", "normal", "bootstrap", "bayesian", "other"] = Field(
        description="How intervals were computed."
    )
    level: Probability = Field(default=0.95, description="Confidence level.")
    bootstrap_samples: Annotated[int, Field(ge=1, le=MAX_COUNT)] | None = optional(
        "Bootstrap resamples, for 'bootstrap'."
    )
    description: Markdown | None = optional("Details, e.g. stratification of the bootstrap.")


class PerformanceRequirement(Section):
    """A release criterion on one metric: ``modelcard gate`` fails the card when it is not met."""

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
    def _bounded(self) -> PerformanceRequirement:
        if self.min is None and self.max is None:
            raise ValueError("a requirement needs min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is greater than max {self.max}")
        if self.slice is not None and self.all_slices:
            raise ValueError("give either slice or all_slices: true, not both")
        return self


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


# --------------------------------------------------------------------------
# results


class _Estimate(Section):
    value: Real | None = Field(
        description="The measured value; null only when it is undefined (then give undefined_reason)."
    )
    undefined_reason: Text | None = optional(
        "Why the value is undefined, e.g. 'no positive labels in this group (division by zero)'."
    )
    confidence_interval: ConfidenceInterval | None = recommended("Uncertainty of the value.")
    n: Count | None = recommended("Number of instances the value was computed on.")
    small_sample: bool | None = optional("True when n is too small for the value to be reliable.")
    dataset: Text | None = optional("The id of the dataset in `datasets` it was measured on.")
    split: Text | None = optional("The split it was measured on.")

    @model_validator(mode="after")
    def _undefined_has_reason(self) -> _Estimate:
        if self.value is None and not self.undefined_reason:
            raise ValueError("value is null: give undefined_reason to say why it is undefined")
        return self


class MetricResult(_Estimate):
    """A measured performance metric, overall or for one slice of the data."""

    name: Text = Field(description="Metric name, as defined in test_methodology.metric_definitions.")
    slice: Group | None = optional(
        "The subgroup it was measured on, as attribute: value pairs; absent means overall."
    )
    decision_threshold: Real | None = optional("Decision threshold used, if it differs from the definition.")
    description: Markdown | None = optional("Anything a reader needs to interpret the value.")


class DisparityValue(Section):
    value: Real | None = Field(description="The disparity; null when undefined (e.g. the reference value is 0).")
    confidence_interval: ConfidenceInterval | None = optional("Uncertainty of the disparity.")
    undefined_reason: Text | None = optional("Why the disparity is undefined.")

    @model_validator(mode="after")
    def _undefined_has_reason(self) -> DisparityValue:
        if self.value is None and not self.undefined_reason:
            raise ValueError("disparity value is null: give undefined_reason to say why")
        return self


DisparityConvention = Literal["difference", "ratio"]


class Disparity(Section):
    """How far a group is from the reference, under one or both named conventions."""

    difference: DisparityValue | None = optional("Group value minus reference value.")
    ratio: DisparityValue | None = optional("Group value divided by reference value.")

    @model_validator(mode="after")
    def _some(self) -> Disparity:
        if self.difference is None and self.ratio is None:
            raise ValueError("a disparity needs 'difference', 'ratio' or both")
        return self

    def get(self, convention: str) -> DisparityValue | None:
        return getattr(self, convention)


class Threshold(Section):
    """Acceptable range of one disparity: it passes when min <= disparity <= max."""

    convention: DisparityConvention = Field(
        description="Which disparity the range applies to: 'difference' or 'ratio'."
    )
    min: Real | None = optional("Smallest acceptable disparity, e.g. 0.8 for the four-fifths rule.")
    max: Real | None = optional("Largest acceptable disparity, e.g. 0.1 for a difference.")
    rationale: Markdown | None = optional("Why this threshold was chosen, and by whom.")

    @model_validator(mode="after")
    def _bounded(self) -> Threshold:
        if self.min is None and self.max is None:
            raise ValueError("a threshold needs min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is greater than max {self.max}")
        return self


class FairnessResult(_Estimate):
    """A metric for one group, compared with a reference group."""

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
    name: Text = Field(description="Attribute name as used in group maps, e.g. 'race'.")
    description: Markdown | None = optional("What it records and how it was obtained (self-reported, inferred).")
    values: list[Label] | None = optional("Values present in the data.")


class Fairness(Section):
    """Disaggregated results per group, including intersectional groups."""

    sensitive_attributes: list[SensitiveAttribute] | None = recommended(
        "Which sensitive attributes were assessed, and where do their values come from?"
    )
    results: list[FairnessResult] | None = recommended("Per-group results with disparity and verdict.")
    spreads: list[GroupSpread] | None = optional("Best-versus-worst group disparities per metric.")
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


class EnvironmentalImpact(Section):
    """Compute and emissions of training (Lacoste et al., 2019)."""

    hardware: Text | None = optional("Hardware used, e.g. '8x A100 40GB'.")
    hours: NonNegative | None = optional("Compute time in hours.")
    cloud_provider: Text | None = optional("Cloud provider, if any.")
    region: Text | None = optional("Compute region.")
    energy_kwh: NonNegative | None = optional("Energy consumed, in kWh.")
    co2_eq_kg: NonNegative | None = optional("Emissions, in kg CO2-equivalent.")
    method: Markdown | None = optional("How the figures were estimated.")


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

    def dataset(self, dataset_id: str) -> Dataset | None:
        return next((d for d in self.datasets or [] if d.id == dataset_id), None)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a card, with its versioned ``$id``."""
    schema = ModelCard.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
    }
