"""The catalogue's tables and fields, as Open Referral HSDS 3.0 names them, declared once as data.

The SQL tables (``model``), the CSV datapackage (``hsds_csv``), the JSON service objects (``hsds_json``) and
the validation of every import (``hsds_validate``) are all driven by ``TABLES``. ``eligibility_rule`` is this
platform's extension (HSDS has only free-text eligibility): the typed rules of one service as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["id", "text", "int", "float", "date", "datetime", "json"]

SERVICE_STATUS = ("active", "inactive", "defunct", "temporarily closed")
LOCATION_TYPES = ("physical", "postal", "virtual")
RUNTS_SCHEME = "IT-RUNTS"  # the national register of third-sector organisations (D.Lgs. 117/2017)


@dataclass(frozen=True)
class FieldSpec:
    """One field: its HSDS name, value kind, whether it is required, its allowed values, the table it refers to."""

    name: str
    kind: Kind = "text"
    required: bool = False
    enum: tuple[str, ...] = ()
    ref: str | None = None


@dataclass(frozen=True)
class TableSpec:
    """One HSDS table: its name and its fields (``id`` first)."""

    name: str
    fields: tuple[FieldSpec, ...]

    @property
    def field_names(self) -> tuple[str, ...]:
        """The field names in declaration order (the CSV header)."""
        return tuple(f.name for f in self.fields)


def _id() -> FieldSpec:
    return FieldSpec("id", "id", required=True)


def _f(name: str, kind: Kind = "text", required: bool = False, enum: tuple[str, ...] = (),
       ref: str | None = None) -> FieldSpec:
    return FieldSpec(name, kind, required, enum, ref)


# Load order: a table only refers to tables listed before it.
TABLES: tuple[TableSpec, ...] = (
    TableSpec("organization", (
        _id(), _f("name", required=True), _f("alternate_name"), _f("description", required=True), _f("email"),
        _f("website"), _f("legal_status"), _f("last_modified", "datetime"))),
    TableSpec("organization_identifier", (
        _id(), _f("organization_id", "id", True, ref="organization"), _f("identifier_scheme"),
        _f("identifier_type", required=True), _f("identifier", required=True))),
    TableSpec("service", (
        _id(), _f("organization_id", "id", True, ref="organization"), _f("name", required=True),
        _f("alternate_name"), _f("description"), _f("url"), _f("email"),
        _f("status", required=True, enum=SERVICE_STATUS), _f("application_process"), _f("fees_description"),
        _f("eligibility_description"), _f("minimum_age", "int"), _f("maximum_age", "int"),
        _f("assured_date", "date"), _f("last_modified", "datetime"))),
    TableSpec("location", (
        _id(), _f("location_type", required=True, enum=LOCATION_TYPES),
        _f("organization_id", "id", ref="organization"), _f("name"), _f("description"),
        _f("latitude", "float"), _f("longitude", "float"), _f("external_identifier"),
        _f("external_identifier_type"), _f("last_modified", "datetime"))),
    TableSpec("address", (
        _id(), _f("location_id", "id", True, ref="location"), _f("address_1", required=True), _f("city", required=True),
        _f("state_province", required=True), _f("postal_code"), _f("country", required=True),
        _f("address_type", required=True, enum=("physical", "postal", "virtual")))),
    TableSpec("service_at_location", (
        _id(), _f("service_id", "id", True, ref="service"), _f("location_id", "id", True, ref="location"),
        _f("description"))),
    TableSpec("phone", (
        _id(), _f("service_id", "id", ref="service"), _f("organization_id", "id", ref="organization"),
        _f("location_id", "id", ref="location"), _f("number", required=True), _f("type"), _f("description"))),
    TableSpec("contact", (
        _id(), _f("service_id", "id", ref="service"), _f("organization_id", "id", ref="organization"),
        _f("name"), _f("department"), _f("email"))),
    TableSpec("schedule", (
        _id(), _f("service_id", "id", ref="service"), _f("location_id", "id", ref="location"),
        _f("byday"), _f("opens_at"), _f("closes_at"), _f("description"))),
    TableSpec("cost_option", (
        _id(), _f("service_id", "id", True, ref="service"), _f("option"), _f("currency"), _f("amount", "float"),
        _f("amount_description"))),
    TableSpec("language", (
        _id(), _f("service_id", "id", ref="service"), _f("location_id", "id", ref="location"), _f("name"),
        _f("code"), _f("note"))),
    TableSpec("taxonomy", (
        _id(), _f("name", required=True), _f("description", required=True), _f("uri"), _f("version"))),
    TableSpec("taxonomy_term", (
        _id(), _f("code"), _f("name", required=True), _f("description", required=True),
        _f("parent_id", "id", ref="taxonomy_term"), _f("taxonomy_id", "id", ref="taxonomy"), _f("language"))),
    TableSpec("attribute", (
        _id(), _f("link_id", "id", True), _f("link_type"), _f("link_entity", required=True, enum=("service",
                                                                                                   "organization",
                                                                                                   "location")),
        _f("taxonomy_term_id", "id", True, ref="taxonomy_term"), _f("value"), _f("label"))),
    TableSpec("eligibility_rule", (
        _id(), _f("service_id", "id", True, ref="service"), _f("rules", "json", True))),
)
TABLE_BY_NAME: dict[str, TableSpec] = {t.name: t for t in TABLES}
# The link_entity value of an attribute -> the table its link_id must exist in
LINK_TABLES = {"service": "service", "organization": "organization", "location": "location"}

Catalogue = dict[str, list[dict[str, Any]]]


def empty_catalogue() -> Catalogue:
    """A catalogue with every table present and no rows."""
    return {t.name: [] for t in TABLES}
