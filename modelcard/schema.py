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
from typing import Annotated, Any, Literal, Optional

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

from .safe_text import SAFE_URL_PATTERN, url_problem

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
Markdown = Annotated[str, StringConstraints(min_length=1),
                     Field(json_schema_extra={"contentMediaType": "text/markdown"})]
Label = Annotated[str, BeforeValidator(_scalar_to_str), StringConstraints(min_length=1)]
Group = Annotated[dict[Text, Label], Field(min_length=1)]


def _safe_url(value: str) -> str:
    problem = url_problem(value)
    if problem is not None:
        raise PydanticCustomError("unsafe_link", "{reason}", {"reason": problem})
    return value


#: A link: absolute http(s) with a host, or mailto (see :mod:`modelcard.safe_text`).  Checked by a
#: Python validator for a message that says what is wrong; the JSON Schema gets the same pattern.
Url = Annotated[str, AfterValidator(_safe_url),
                Field(json_schema_extra={"format": "uri", "pattern": SAFE_URL_PATTERN})]
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
    them back after the fields); :func:`modelcard.validation.unknown_keys`
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
    role: Optional[Text] = optional("Role, e.g. 'developer', 'data steward', 'card author'.")
    organization: Optional[Text] = optional("Organisation the person belongs to.")
    email: Optional[Text] = optional("Contact e-mail address.")
    url: Optional[Url] = optional("Web page of the person or organisation.")


class Reference(Section):
    title: Text = Field(description="Title of the paper, page or resource.")
    url: Optional[Url] = optional("Where to find it.")


class ConfidenceInterval(Section):
    """A confidence interval around an estimate."""

    lower: Real = Field(description="Lower bound.")
    upper: Real = Field(description="Upper bound.")
    level: Probability = Field(default=0.95, description="Confidence level, e.g. 0.95.")
    method: Optional[Text] = optional(
        "How it was computed when it differs from test_methodology.confidence_intervals, "
        "e.g. 'wilson', 'bootstrap-percentile'.")

    @model_validator(mode="after")
    def _ordered(self) -> "ConfidenceInterval":
        if self.lower > self.upper:
            raise ValueError(f"lower bound {self.lower} is greater than upper bound {self.upper}")
        return self


# --------------------------------------------------------------------------
# card metadata and model details


class CardMetadata(Section):
    """About the card document itself."""

    schema_version: Annotated[Literal["1.0"], BeforeValidator(lambda v: f"{v:.1f}" if isinstance(v, float) else v)] = Field(
        description=f"Version of the modelcard schema this card follows; currently \"{SCHEMA_VERSION}\".")
    authors: Optional[list[Party]] = recommended("Who wrote this card and can answer questions about it.")
    date: Optional[_dt.date] = recommended("When the card was last revised (YYYY-MM-DD).")
    version: Optional[Text] = optional("Revision of the card itself, independent of the model version.")
    language: Optional[Text] = optional("Language of the card's prose, as a BCP 47 tag, e.g. 'en'.")


class ModelIO(Section):
    """One input or output of the model."""

    name: Text = Field(description="Name of the input or output.")
    type: Optional[Text] = optional("Data type or modality, e.g. 'tabular', 'text', 'float in [0, 1]'.")
    description: Optional[Markdown] = optional("What it means, its units and valid range.")


class ModelDetails(Section):
    """Basic facts about the model: who built it, what it is, under which terms."""

    name: Text = Field(description="Name of the model.")
    version: Text = Field(description="Version of the model this card describes.")
    description: Optional[Markdown] = recommended("What the model does, in a few sentences.")
    date: Optional[_dt.date] = recommended("Release date of this version (YYYY-MM-DD).")
    type: Optional[Text] = recommended(
        "Kind of model and task, e.g. 'binary classifier', 'text generation'.")
    architecture: Optional[Text] = optional("Architecture or algorithm, e.g. 'gradient-boosted trees'.")
    developers: Optional[list[Party]] = recommended("Who developed the model.")
    license: Optional[Text] = recommended("Licence of the model, as an SPDX identifier where one exists.")
    languages: Optional[list[Text]] = optional(
        "Natural languages the model handles, as BCP 47 / ISO 639 codes, e.g. ['en', 'fr'].")
    citation: Optional[Text] = optional("How to cite the model (BibTeX or plain text).")
    base_model: Optional[Text] = optional("Model this one was fine-tuned or derived from.")
    inputs: Optional[list[ModelIO]] = recommended("What the model takes as input.")
    outputs: Optional[list[ModelIO]] = recommended("What the model produces.")
    repository: Optional[Url] = optional("Where the code or weights are published.")
    contact: Optional[Text] = optional("Where to send questions or reports about the model.")
    references: Optional[list[Reference]] = optional("Papers or pages describing the model.")


class IntendedUse(Section):
    """What the model is for, and for whom; what it must not be used for."""

    primary_uses: Optional[list[Markdown]] = recommended("What is the model intended to be used for?")
    primary_users: Optional[list[Text]] = recommended("Who is the model intended for?")
    out_of_scope_uses: Optional[list[Markdown]] = recommended(
        "Which uses is the model not suited for, or must it never be used for?")


class Factor(Section):
    name: Text = Field(description="Name of the factor, e.g. 'race', 'age group', 'lighting'.")
    description: Optional[Markdown] = optional("Why it may affect the model's performance.")
    values: Optional[list[Label]] = optional("The values considered, e.g. ['female', 'male'].")


class Factors(Section):
    """Groups, instrumentation and environments that may affect performance."""

    relevant: Optional[list[Factor]] = recommended(
        "Which factors could plausibly change how well the model works?")
    evaluation: Optional[list[Text]] = recommended(
        "Which of them were evaluated in this card, and why those?")


# --------------------------------------------------------------------------
# datasets and provenance (ABOUT ML / Datasheets)


class DataSource(Section):
    name: Text = Field(description="Name of the source.")
    url: Optional[Url] = optional("Where the source can be found.")
    description: Optional[Markdown] = optional("What was taken from it.")


class Timeframe(Section):
    start: Optional[_dt.date] = optional("First date covered.")
    end: Optional[_dt.date] = optional("Last date covered.")

    @model_validator(mode="after")
    def _ordered(self) -> "Timeframe":
        if self.start and self.end and self.start > self.end:
            raise ValueError(f"start {self.start} is after end {self.end}")
        return self


class Collection(Section):
    """How the data were collected (Datasheets: Collection process)."""

    method: Optional[Markdown] = recommended("How was the data collected (sensors, surveys, scraping, records)?")
    timeframe: Optional[Timeframe] = recommended("Over what period was the data collected?")
    collectors: Optional[Text] = optional("Who collected the data, and how were they compensated?")


class Consent(Section):
    obtained: Optional[bool] = recommended("Did the people the data is about consent to its collection and use?")
    description: Optional[Markdown] = optional("How consent was obtained or why it was not needed.")
    revocation: Optional[Markdown] = optional("How people can withdraw consent.")


class Licensing(Section):
    license: Optional[Text] = recommended("Licence of the dataset, as an SPDX identifier where one exists.")
    terms: Optional[Markdown] = optional("Other terms of use or access restrictions.")


class SensitiveData(Section):
    contains_personal_data: Optional[bool] = recommended("Does the data identify, or relate to, individual people?")
    contains_sensitive_attributes: Optional[bool] = recommended(
        "Does it contain special-category data (race, health, religion, sexuality, criminal records)?")
    categories: Optional[list[Text]] = optional("Which personal or sensitive categories it contains.")
    protections: Optional[Markdown] = optional("How the data is protected: anonymisation, access control.")


class Annotators(Section):
    count: Optional[Count] = optional("How many annotators.")
    description: Optional[Markdown] = optional("Who they were: expertise, demographics, compensation.")


class Labelling(Section):
    method: Optional[Markdown] = recommended("How were labels produced (human, rule, derived from records)?")
    annotators: Optional[Annotators] = optional("Who labelled the data.")
    agreement: Optional[Text] = optional("Inter-annotator agreement, if measured.")


class Composition(Section):
    description: Optional[Markdown] = recommended("What do the instances represent, and what does each contain?")
    instances: Optional[Count] = recommended("How many instances.")
    features: Optional[list[Text]] = optional("Features or fields of each instance.")
    label_distribution: Optional[dict[Label, Count]] = optional("Number of instances per label.")
    missing_data: Optional[Markdown] = optional("Which values are missing, and why.")


class Maintenance(Section):
    maintainer: Optional[Text] = recommended("Who maintains the dataset?")
    update_policy: Optional[Markdown] = optional("Will it be updated, and how are users told?")
    retention: Optional[Markdown] = optional("How long is the data kept?")


class Provenance(Section):
    """ABOUT ML data documentation: where the data came from and how it was shaped."""

    motivation: Optional[Markdown] = optional(
        "For what purpose was the dataset created, by whom, and who funded it? (Datasheets: Motivation)")
    sources: Optional[list[DataSource]] = recommended("Where does the data come from?")
    collection: Optional[Collection] = recommended("How and when was it collected?")
    consent: Optional[Consent] = recommended("Was consent obtained from the people in the data?")
    licensing: Optional[Licensing] = recommended("Under which terms may it be used?")
    sensitive_data: Optional[SensitiveData] = recommended("Does it contain personal or sensitive data?")
    preprocessing: Optional[list[Markdown]] = recommended(
        "Which cleaning, filtering or transformation steps were applied?")
    labelling: Optional[Labelling] = recommended("How were labels produced?")
    composition: Optional[Composition] = recommended("What is in the dataset?")
    known_biases: Optional[list[Markdown]] = recommended(
        "Which biases or gaps in coverage are known?")
    maintenance: Optional[Maintenance] = optional("Who maintains it and how?")


class Dataset(Section):
    """A dataset used to train or evaluate the model."""

    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")] = Field(
        description="Short identifier that metrics and the test methodology refer to, e.g. 'compas-test'.")
    name: Text = Field(description="Human-readable name.")
    role: DatasetRole = Field(description="What the dataset was used for.")
    description: Optional[Markdown] = recommended("What the dataset is.")
    url: Optional[Url] = optional("Where it can be obtained.")
    version: Optional[Text] = recommended("Version or snapshot of the dataset.")
    sha256: Optional[Sha256] = recommended("SHA-256 of the exact file(s) used, to pin the data.")
    provenance: Optional[Provenance] = recommended("ABOUT ML provenance: sources, collection, consent, licensing.")


# --------------------------------------------------------------------------
# test methodology


class DatasetSplit(Section):
    dataset: Text = Field(description="The id of a dataset in `datasets`.")
    split: Optional[Text] = optional("Which split, e.g. 'test', 'fold-3'.")
    n: Optional[Count] = optional("How many instances were evaluated.")
    description: Optional[Markdown] = optional("How the split was drawn.")


class MetricDefinition(Section):
    name: Text = Field(description="Name used by metric and fairness results, e.g. 'fpr'.")
    description: Optional[Markdown] = recommended("What it measures, e.g. 'false positive rate: FP / (FP + TN)'.")
    formula: Optional[Text] = optional("Formula, if not obvious from the description.")
    higher_is_better: Optional[bool] = optional("Whether higher values are better.")
    decision_threshold: Optional[Real] = optional(
        "Score threshold at which a prediction counts as positive, for threshold-dependent metrics.")


class ConfidenceIntervalMethod(Section):
    method: Literal["wilson", "clopper-pearson", "normal", "bootstrap", "bayesian", "other"] = Field(
        description="How intervals were computed.")
    level: Probability = Field(default=0.95, description="Confidence level.")
    bootstrap_samples: Optional[Annotated[int, Field(ge=1, le=MAX_COUNT)]] = optional(
        "Bootstrap resamples, for 'bootstrap'.")
    description: Optional[Markdown] = optional("Details, e.g. stratification of the bootstrap.")


class PerformanceRequirement(Section):
    """A release criterion on one metric: ``modelcard gate`` fails the card when it is not met."""

    metric: Text = Field(description="Metric name, as in `metrics[].name`, e.g. 'accuracy'.")
    min: Optional[Real] = optional("Smallest acceptable value (inclusive), e.g. 0.65 for accuracy.")
    max: Optional[Real] = optional("Largest acceptable value (inclusive), e.g. 0.35 for a false positive rate.")
    slice: Optional[Group] = optional(
        "Apply to the metric measured on this slice (attribute: value pairs); absent means the overall metric.")
    all_slices: Optional[bool] = optional("Apply to the overall metric and to every slice it was measured on.")
    dataset: Optional[Text] = optional("Apply only to the metric measured on this dataset id; absent means any.")
    split: Optional[Text] = optional("Apply only to the metric measured on this split; absent means any.")
    basis: Optional[Literal["estimate", "confidence_interval"]] = optional(
        "What must clear the bar: the point 'estimate' (the default) or the whole 'confidence_interval' "
        "(lower bound for min, upper bound for max; a straddling interval is inconclusive).")
    rationale: Optional[Markdown] = optional("Why this bar was chosen, and by whom.")

    @model_validator(mode="after")
    def _bounded(self) -> "PerformanceRequirement":
        if self.min is None and self.max is None:
            raise ValueError("a requirement needs min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is greater than max {self.max}")
        if self.slice is not None and self.all_slices:
            raise ValueError("give either slice or all_slices: true, not both")
        return self


class TestMethodology(Section):
    """How the model was tested: data, protocol, metrics, uncertainty."""

    datasets: Optional[list[DatasetSplit]] = recommended("Which datasets and splits were used for testing?")
    protocol: Optional[Markdown] = recommended("How was the test run (hold-out, cross-validation, time split)?")
    metric_definitions: Optional[list[MetricDefinition]] = recommended(
        "Which metrics were measured, how are they defined, at which decision threshold?")
    confidence_intervals: Optional[ConfidenceIntervalMethod] = recommended(
        "How were confidence intervals computed?")
    seeds: Optional[list[int]] = optional("Random seeds used, for reproducibility.")
    requirements: Optional[list[PerformanceRequirement]] = optional(
        "Performance release criteria, e.g. accuracy >= 0.65 overall; `modelcard gate` enforces them.")


# --------------------------------------------------------------------------
# results


class _Estimate(Section):
    value: Optional[Real] = Field(
        description="The measured value; null only when it is undefined (then give undefined_reason).")
    undefined_reason: Optional[Text] = optional(
        "Why the value is undefined, e.g. 'no positive labels in this group (division by zero)'.")
    confidence_interval: Optional[ConfidenceInterval] = recommended("Uncertainty of the value.")
    n: Optional[Count] = recommended("Number of instances the value was computed on.")
    small_sample: Optional[bool] = optional("True when n is too small for the value to be reliable.")
    dataset: Optional[Text] = optional("The id of the dataset in `datasets` it was measured on.")
    split: Optional[Text] = optional("The split it was measured on.")

    @model_validator(mode="after")
    def _undefined_has_reason(self) -> "_Estimate":
        if self.value is None and not self.undefined_reason:
            raise ValueError("value is null: give undefined_reason to say why it is undefined")
        return self


class MetricResult(_Estimate):
    """A measured performance metric, overall or for one slice of the data."""

    name: Text = Field(description="Metric name, as defined in test_methodology.metric_definitions.")
    slice: Optional[Group] = optional(
        "The subgroup it was measured on, as attribute: value pairs; absent means overall.")
    decision_threshold: Optional[Real] = optional("Decision threshold used, if it differs from the definition.")
    description: Optional[Markdown] = optional("Anything a reader needs to interpret the value.")


class DisparityValue(Section):
    value: Optional[Real] = Field(description="The disparity; null when undefined (e.g. the reference value is 0).")
    confidence_interval: Optional[ConfidenceInterval] = optional("Uncertainty of the disparity.")
    undefined_reason: Optional[Text] = optional("Why the disparity is undefined.")

    @model_validator(mode="after")
    def _undefined_has_reason(self) -> "DisparityValue":
        if self.value is None and not self.undefined_reason:
            raise ValueError("disparity value is null: give undefined_reason to say why")
        return self


DisparityConvention = Literal["difference", "ratio"]


class Disparity(Section):
    """How far a group is from the reference, under one or both named conventions."""

    difference: Optional[DisparityValue] = optional("Group value minus reference value.")
    ratio: Optional[DisparityValue] = optional("Group value divided by reference value.")

    @model_validator(mode="after")
    def _some(self) -> "Disparity":
        if self.difference is None and self.ratio is None:
            raise ValueError("a disparity needs 'difference', 'ratio' or both")
        return self

    def get(self, convention: str) -> Optional[DisparityValue]:
        return getattr(self, convention)


class Threshold(Section):
    """Acceptable range of one disparity: it passes when min <= disparity <= max."""

    convention: DisparityConvention = Field(
        description="Which disparity the range applies to: 'difference' or 'ratio'.")
    min: Optional[Real] = optional("Smallest acceptable disparity, e.g. 0.8 for the four-fifths rule.")
    max: Optional[Real] = optional("Largest acceptable disparity, e.g. 0.1 for a difference.")
    rationale: Optional[Markdown] = optional("Why this threshold was chosen, and by whom.")

    @model_validator(mode="after")
    def _bounded(self) -> "Threshold":
        if self.min is None and self.max is None:
            raise ValueError("a threshold needs min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is greater than max {self.max}")
        return self


class FairnessResult(_Estimate):
    """A metric for one group, compared with a reference group."""

    metric: Text = Field(description="Metric name, as defined in test_methodology.metric_definitions.")
    group: Group = Field(description=(
        "The group, as attribute: value pairs; two or more pairs make an intersectional group, "
        "e.g. {race: African-American, sex: Female}."))
    reference_group: Optional[Group] = recommended("The group compared against.")
    reference_value: Optional[Real] = optional("The metric's value for the reference group.")
    disparity: Optional[Disparity] = recommended("How far the group is from the reference.")
    threshold: Optional[Threshold] = recommended("The acceptable range of the disparity.")
    verdict: Verdict = Field(description="pass, fail, inconclusive (CI straddles the threshold) or not_run.")
    notes: Optional[Markdown] = optional("Context for the result.")

    @property
    def intersectional(self) -> bool:
        return len(self.group) > 1


class GroupSpread(Section):
    """Disparity between the best and worst group on one metric (between-groups view)."""

    metric: Text = Field(description="Metric name.")
    attributes: list[Text] = Field(min_length=1, description="Attributes whose groups were compared.")
    max_group: Optional[Group] = optional("Group with the largest value.")
    min_group: Optional[Group] = optional("Group with the smallest value.")
    difference: Optional[DisparityValue] = optional("Largest minus smallest value.")
    ratio: Optional[DisparityValue] = optional("Smallest divided by largest value.")
    small_sample: Optional[bool] = optional(
        "True when the max or min group has fewer instances than the evaluation's minimum group size.")
    threshold: Optional[Threshold] = optional("Acceptable range of the spread.")
    verdict: Optional[Verdict] = optional("Verdict against the threshold.")
    notes: Optional[Markdown] = optional("Context for the spread, e.g. which group is a small sample.")
    dataset: Optional[Text] = optional("The id of the dataset in `datasets` it was measured on.")


class SensitiveAttribute(Section):
    name: Text = Field(description="Attribute name as used in group maps, e.g. 'race'.")
    description: Optional[Markdown] = optional("What it records and how it was obtained (self-reported, inferred).")
    values: Optional[list[Label]] = optional("Values present in the data.")


class Fairness(Section):
    """Disaggregated results per group, including intersectional groups."""

    sensitive_attributes: Optional[list[SensitiveAttribute]] = recommended(
        "Which sensitive attributes were assessed, and where do their values come from?")
    results: Optional[list[FairnessResult]] = recommended("Per-group results with disparity and verdict.")
    spreads: Optional[list[GroupSpread]] = optional("Best-versus-worst group disparities per metric.")
    summary: Optional[Markdown] = optional("What the results mean, in words.")


# --------------------------------------------------------------------------
# considerations


class Risk(Section):
    name: Text = Field(description="Short name of the risk.")
    description: Optional[Markdown] = recommended("What could go wrong, and for whom?")
    mitigations: Optional[list[Markdown]] = recommended("What was done, or should be done, about it?")


class EthicalConsiderations(Section):
    """Risks, harms and the mitigations in place."""

    risks: Optional[list[Risk]] = recommended("Which risks and harms does the model pose?")
    human_life: Optional[Markdown] = optional("Is the model used for decisions central to human life or flourishing?")
    sensitive_data_use: Optional[Markdown] = optional("Does the model use sensitive data, and how is it justified?")


class CaveatsAndRecommendations(Section):
    caveats: Optional[list[Markdown]] = recommended("What should users know that the rest of the card does not say?")
    recommendations: Optional[list[Markdown]] = recommended("What do you recommend to users of the model?")


class EnvironmentalImpact(Section):
    """Compute and emissions of training (Lacoste et al., 2019)."""

    hardware: Optional[Text] = optional("Hardware used, e.g. '8x A100 40GB'.")
    hours: Optional[NonNegative] = optional("Compute time in hours.")
    cloud_provider: Optional[Text] = optional("Cloud provider, if any.")
    region: Optional[Text] = optional("Compute region.")
    energy_kwh: Optional[NonNegative] = optional("Energy consumed, in kWh.")
    co2_eq_kg: Optional[NonNegative] = optional("Emissions, in kg CO2-equivalent.")
    method: Optional[Markdown] = optional("How the figures were estimated.")


class ModelCard(Section):
    """A model card: the whole document."""

    model_config = ConfigDict(
        title="modelcard",
        json_schema_extra=_EXTENSIONS_SCHEMA,
    )

    card: CardMetadata = Field(description="About this card: schema version, authors, date.")
    model: ModelDetails = Field(description="Model details.")
    intended_use: Optional[IntendedUse] = recommended("Intended use and out-of-scope uses.")
    factors: Optional[Factors] = optional("Factors that may affect performance.")
    datasets: Optional[list[Dataset]] = recommended("Training and evaluation datasets with their provenance.")
    test_methodology: Optional[TestMethodology] = recommended("How the model was tested.")
    metrics: Optional[list[MetricResult]] = recommended("Performance results.")
    fairness: Optional[Fairness] = recommended("Fairness results per group.")
    ethical_considerations: Optional[EthicalConsiderations] = recommended("Ethical considerations.")
    caveats_and_recommendations: Optional[CaveatsAndRecommendations] = recommended("Caveats and recommendations.")
    environmental_impact: Optional[EnvironmentalImpact] = optional("Environmental impact of training.")

    def dataset(self, dataset_id: str) -> Optional[Dataset]:
        return next((d for d in self.datasets or [] if d.id == dataset_id), None)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a card, with its versioned ``$id``."""
    schema = ModelCard.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
    }
