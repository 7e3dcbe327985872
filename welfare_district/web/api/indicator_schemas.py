"""Response models of the indicator resources: catalogue, values, profiles, series, rankings, composite."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

LevelName = Literal["city", "quartiere", "zone", "section"]


class IndicatorInfo(BaseModel):
    """One indicator of the library as the catalogue publishes it."""

    id: str = Field(description="Stable id, e.g. ivsm_care_hardship.")
    theme: str = Field(description="ivsm, demography, economy or care.")
    name_it: str
    name_en: str
    description_it: str
    description_en: str
    unit: str = Field(description="What is counted: person, family or dwelling.")
    multiplier: int = Field(description="Scale of the value: 100 for per cent, 1000 for per thousand, 1 for a mean.")
    polarity: int = Field(description="+1: higher is more vulnerable; -1: higher is less; 0: descriptive.")
    kind: Literal["proportion", "ratio"] = Field(description="A proportion's numerator is a subset of its "
                                                 "denominator; a ratio's is not.")
    interval: Literal["wilson", "poisson", "count_ratio", "none"] = Field(
        description="How the 95% interval is computed: Wilson (proportions), Poisson score on the numerator "
                    "(rates), Wilson on the split of two disjoint counts (ratios of counts), or none.")
    istat_code: str | None = Field(description="8milaCensus code when ISTAT publishes one (e.g. V5).")
    alignment: str = Field(description="Which published definition the indicator follows.")
    variant: str = Field(description="The variant of that definition computed here.")
    version: str = Field(description="Definition version: changes whenever the figure's definition changes.")


class IndicatorCatalogue(BaseModel):
    """Every indicator the platform computes, in documentation order."""

    indicators: list[IndicatorInfo]
    years: list[int] = Field(description="Years with stored values, ascending.")


class ValueFields(BaseModel):
    """An indicator figure; ``value`` is null when not computed (see null_reason)."""

    value: float | None
    numerator: float | None
    denominator: float | None
    ci_low: float | None = Field(description="Lower bound of the 95% interval (method: the indicator's "
                                              "`interval`; null when it has none).")
    ci_high: float | None
    unstable: bool = Field(description="True when the denominator is too small for a reliable figure.")
    null_reason: str | None = Field(
        description="Why value is null: 'zero denominator', 'not computed' when no figure is stored, or "
                    "'suppressed' when disclosure control hides it.")
    suppressed: bool = Field(False, description="True when disclosure control hides the figure (value, counts "
                                                "and interval null).")
    protection: str | None = Field(
        None, description="Disclosure control applied: 'rounded' (counts randomly rounded to a multiple of "
                          "rounding_base, value recomputed from them), 'exact' (published above the threshold, "
                          "no rounding), 'suppressed: primary' (too few people), 'suppressed: secondary' (hidden "
                          "so that other figures cannot rebuild a suppressed one); null on the exact figures of "
                          "authorised analysts.")
    protection_reason: str | None = Field(None, description="Why the figure is protected, in words.")
    protection_threshold: int | None = Field(None, description="Smallest count published for this indicator.")
    rounding_base: int | None = Field(None, description="Base of the random rounding of the counts.")


class AreaRef(BaseModel):
    """The area a figure belongs to."""

    area_id: str
    code: str
    name: str
    level: LevelName
    parent_id: str | None


class AreaValueOut(ValueFields, AreaRef):
    """An indicator figure of one area."""


class Provenance(BaseModel):
    """Where the published figures come from."""

    definition_versions: list[str] = Field(description="Indicator definition versions of the stored figures.")
    boundary_versions: list[str] = Field(description="Boundary versions of the areas.")
    snapshots_built_at: list[datetime] = Field(description="Build times of the warehouse snapshots used.")
    computed_at: datetime | None = Field(description="When the latest of these figures was computed.")


class ValuesResponse(BaseModel):
    """One indicator at the areas of a level (or the asked areas) in one year."""

    indicator: str
    year: int
    level: LevelName | None = Field(description="The level asked for; null when areas were listed instead.")
    provenance: Provenance
    values: list[AreaValueOut]


class YearValue(ValueFields):
    """A figure in one year of a series."""

    year: int


class AreaSeries(BaseModel):
    """One area's figures over the years."""

    area: AreaRef
    points: list[YearValue]


class SeriesResponse(BaseModel):
    """An indicator over the years for each asked area, in the asked order."""

    indicator: str
    years: list[int]
    series: list[AreaSeries]


class ProfileIndicator(BaseModel):
    """One indicator of an area profile: the area, its parent and the city in the year, and the series."""

    indicator: str
    name_it: str
    name_en: str
    theme: str
    polarity: int
    value: ValueFields
    parent: ValueFields | None = Field(description="The area one level up; null for the city.")
    city: ValueFields | None = Field(description="The whole city; null for the city itself.")
    series: list[YearValue]


class ProfileResponse(BaseModel):
    """Everything the platform computes about one area in one year."""

    area: AreaRef
    ancestors: list[AreaRef] = Field(description="Enclosing areas, city first.")
    year: int
    years: list[int]
    indicators: list[ProfileIndicator]


class RankedOut(AreaValueOut):
    """An area's place in a ranking: equal values share a rank; null rank for a null value."""

    rank: int | None


class RankingResponse(BaseModel):
    """The areas of a level ordered by an indicator; nulls last."""

    indicator: str
    level: LevelName
    year: int
    order: Literal["desc", "asc"]
    total: int = Field(description="Areas in the full ranking (before limit).")
    ranking: list[RankedOut]


class ComponentOut(BaseModel):
    """One IVSM component at an area: stored value and normalised score (AMPI: 100 = the reference)."""

    indicator: str
    value: float | None
    normalised: float | None


class CompositeOut(AreaRef):
    """The composite index of an area and its IVSM class."""

    value: float | None
    ivsm_class: Literal["low", "medium-low", "medium", "medium-high", "high"] | None
    components: list[ComponentOut]
    suppressed: bool = Field(False, description="True when a component is suppressed, so the index is hidden.")
    protection: str | None = Field(
        None, description="'protected components' (the index of the disclosure-controlled components), "
                          "'suppressed: component', or null on the exact figures of authorised analysts.")
    protection_reason: str | None = Field(None, description="Why the index is protected, in words.")


class CompositeResponse(BaseModel):
    """The IVSM composite of every area of a level in a year."""

    level: LevelName
    year: int
    method: Literal["ampi", "mpi"]
    base_year: int | None = Field(description="AMPI: the year in which the city scores 100; null for MPI.")
    components: list[str]
    values: list[CompositeOut]


class MapProperties(ValueFields, AreaRef):
    """What a map feature carries: the area and the indicator's figure there."""


class MapFeature(BaseModel):
    """One area of the map, geometry simplified for display (EPSG:4326)."""

    type: Literal["Feature"] = "Feature"
    id: str
    properties: MapProperties
    geometry: dict[str, object]


class MapCollection(BaseModel):
    """The map of one indicator: the areas of a level as GeoJSON with the figure in each feature."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    indicator: str
    level: LevelName
    year: int
    provenance: Provenance
    features: list[MapFeature]
