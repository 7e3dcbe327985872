"""Response models of the REST API: the published contract, independent of how tables are laid out."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ErrorDetail(BaseModel):
    """Where a request was wrong and why."""

    location: str = Field(description="Dotted location of the bad input, e.g. query.level.")
    message: str


class ErrorInfo(BaseModel):
    """A machine-readable code and a message safe to show to the user."""

    code: str = Field(description="Stable error code, e.g. not_found, invalid_request.")
    message: str
    details: list[ErrorDetail] | None = None


class ErrorResponse(BaseModel):
    """Body of every error answer of the API."""

    error: ErrorInfo


class AreaProperties(BaseModel):
    """What the API publishes about an area."""

    area_id: str = Field(description="Stable id: ISTAT code for the city, Q1..Q6 for quartieri, Q1Z01...")
    code: str
    name: str
    level: Literal["city", "quartiere", "zone", "section"]
    parent_id: str | None = Field(description="The enclosing area one level up; null for the city.")
    synthetic: bool = Field(description="True when the boundary was generated, not published by ISTAT.")
    boundary_version: str = Field(description="Version of the boundary this geometry belongs to.")
    residents: int | None = Field(
        description="Residents in the population register on 31 December of residents_year; before the "
                    "pipeline has built a snapshot, the 2023 estimate from 2011 census data."
    )
    residents_year: int | None = Field(
        None, description="Snapshot year of the register count; null when residents is the census estimate."
    )


class Geometry(BaseModel):
    """A GeoJSON polygonal geometry in EPSG:4326 (longitude, latitude)."""

    model_config = ConfigDict(extra="allow")

    type: Literal["Polygon", "MultiPolygon"]
    coordinates: list[Any]


class AreaFeature(BaseModel):
    """One area as a GeoJSON Feature, its geometry simplified for display."""

    type: Literal["Feature"] = "Feature"
    id: str
    properties: AreaProperties
    geometry: Geometry


class AreaFeatureCollection(BaseModel):
    """The areas of one level as a GeoJSON FeatureCollection."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[AreaFeature]


class AreaDetailResponse(AreaProperties):
    """One area's properties plus where it is and what it contains."""

    bbox: tuple[float, float, float, float] = Field(description="min lon, min lat, max lon, max lat.")
    interior_point: tuple[float, float] = Field(description="A point inside the area (lon, lat), for labels.")
    children: list[str] = Field(description="Ids of the areas one level down.")
