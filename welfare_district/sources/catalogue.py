"""The source catalogue: one TOML declaration per source kind, parsed into checked pydantic models.

A declaration says how to read a source (format, encoding, separator, header row), what its columns are
called and which canonical field each one feeds, how values are written (date formats, decimal comma),
which rules apply, and into which staging tables the rows go. Adding a source means adding a file to
``welfare_district/sources/catalogue/`` (or to a folder passed to ``load_catalogue``): no code.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from welfare_district.errors import InputError
from welfare_district.model.records import FIELD_KINDS, RECORD_TABLES, FieldKind

Severity = Literal["error", "warning"]


def catalogue_dir() -> Path:
    """The folder of the declarations shipped with the platform."""
    return Path(__file__).with_name("catalogue")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ColumnSpec(_Strict):
    """One column of the source, by its own name, and the canonical field it feeds."""

    field: str
    type: FieldKind | None = None  # defaults to the canonical field's kind; if given it must agree
    optional: bool = False  # the column may be absent from the file
    required: bool = False  # every row must have a value
    unique: bool = False  # values must not repeat within the file
    formats: tuple[str, ...] = ()  # strptime formats for dates; "it_long" means "3 marzo 1975"
    decimal: Literal[".", ","] = "."
    upper: bool = False  # compare and store in upper case (enumerations typed in mixed case)
    enum: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    list_separator: str = " - "  # for cf_list columns

    @field_validator("field")
    @classmethod
    def _known_field(cls, value: str) -> str:
        if value not in FIELD_KINDS:
            raise ValueError(f"unknown canonical field {value!r}")
        return value

    @property
    def kind(self) -> FieldKind:
        """The kind the value is parsed as."""
        return FIELD_KINDS[self.field]

    @model_validator(mode="after")
    def _consistent(self) -> ColumnSpec:
        if self.type is not None and self.type != FIELD_KINDS[self.field]:
            raise ValueError(f"type {self.type!r} disagrees with field {self.field!r} ({FIELD_KINDS[self.field]})")
        if self.kind == "date" and not self.formats:
            raise ValueError(f"date field {self.field!r} needs at least one format")
        return self


class CheckSpec(_Strict):
    """A rule across fields of one row, or across the rows of one group (fields are canonical names)."""

    rule: Literal["cf_consistency", "age", "member_of", "date_order", "one_per_group", "same_in_group"]
    cf: str = "codice_fiscale"
    birth_date: str = "birth_date"
    sex: str | None = None
    place: str | None = None  # Belfiore code field, when the source has one
    field: str | None = None  # age: the birth date field; member_of: the value that must be listed
    list_field: str | None = None  # member_of: the cf_list field
    start: str | None = None  # date_order
    end: str | None = None
    min: float = 0
    max: float = 120
    group: str | None = None  # one_per_group, same_in_group: the field whose equal values form a group
    value: str | None = None  # one_per_group: the value of ``field`` exactly one row of each group must have
    fields: tuple[str, ...] = ()  # same_in_group: fields every row of a group must agree on

    @model_validator(mode="after")
    def _group_rules(self) -> CheckSpec:
        if self.rule == "one_per_group" and not (self.group and self.field and self.value):
            raise ValueError("one_per_group needs 'group', 'field' and 'value'")
        if self.rule == "same_in_group" and not (self.group and self.fields):
            raise ValueError("same_in_group needs 'group' and 'fields'")
        return self


class SourceDeclaration(_Strict):
    """Everything the platform knows about one source kind."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    format: Literal["csv", "xlsx", "sql"]
    files: tuple[str, ...] = ()  # glob patterns of file names (relative to the extracts folder)
    encoding: str = "auto"  # "auto": UTF-8 (with or without BOM), else cp1252
    separator: str | None = None  # None: sniffed from the first lines
    header_row: int = Field(1, ge=0)  # 1-based; 0 (xlsx): detected, the first row holding every required column
    sheet: str | None = None
    table: str | None = None  # sql: the table to read
    order_by: str | None = None  # sql: column that fixes the row order (row numbers)
    reference_year: str | None = None  # regex with one group taking the year from the file name
    targets: tuple[str, ...]
    columns: dict[str, ColumnSpec]
    checks: tuple[CheckSpec, ...] = ()
    severity: dict[str, Severity] = Field(default_factory=dict)  # reason code -> severity override

    @field_validator("targets")
    @classmethod
    def _known_tables(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [t for t in value if t not in RECORD_TABLES]
        if unknown or not value:
            raise ValueError(f"unknown or missing target tables {unknown}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> SourceDeclaration:
        fields = [c.field for c in self.columns.values()]
        dupes = sorted({f for f in fields if fields.count(f) > 1})
        if dupes:
            raise ValueError(f"fields fed by more than one column: {dupes}")
        stored = {f for t in self.targets for f in RECORD_TABLES[t]}
        unused = sorted(set(fields) - stored)
        if unused:
            raise ValueError(f"fields no target table stores: {unused}")
        if self.format == "sql" and not self.table:
            raise ValueError("an sql source needs 'table'")
        for check in self.checks:
            named = [check.field, check.list_field, check.start, check.end, check.group, *check.fields]
            if check.rule == "cf_consistency":
                named = [check.cf, check.birth_date, check.sex, check.place]
            missing = [n for n in named if n is not None and n not in fields]
            if missing:
                raise ValueError(f"check {check.rule} names fields no column feeds: {missing}")
        if self.reference_year is not None:
            re.compile(self.reference_year)
        return self

    def column_for(self, field: str) -> str:
        """The source column that feeds canonical ``field``."""
        return next(col for col, spec in self.columns.items() if spec.field == field)

    def matches(self, file_name: str) -> bool:
        """True when a file name (or path relative to the extracts folder) is one of this source's files."""
        name = file_name.replace("\\", "/")
        return any(fnmatch.fnmatchcase(name, p) or fnmatch.fnmatchcase(name.rsplit("/", 1)[-1], p)
                   for p in self.files)


def parse_declaration(path: Path) -> SourceDeclaration:
    """Read one declaration file; any mistake is an InputError naming the file and the problem."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"cannot read source declaration: {exc}", path=str(path)) from exc
    try:
        return SourceDeclaration.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise InputError(f"invalid source declaration: {problems}", path=str(path)) from exc


def load_catalogue(*extra_dirs: Path) -> dict[str, SourceDeclaration]:
    """Every declaration shipped with the platform plus those in ``extra_dirs``, by source name.

    Guarantees: names are unique (a clash is an InputError); files are read in name order.
    """
    catalogue: dict[str, SourceDeclaration] = {}
    for folder in (catalogue_dir(), *extra_dirs):
        for path in sorted(Path(folder).glob("*.toml")):
            decl = parse_declaration(path)
            if decl.name in catalogue:
                raise InputError(f"source {decl.name!r} is declared twice", path=str(path))
            catalogue[decl.name] = decl
    return catalogue


@lru_cache(maxsize=1)
def shipped_catalogue() -> dict[str, SourceDeclaration]:
    """The shipped declarations, parsed once."""
    return load_catalogue()


def source_for_file(file_name: str, catalogue: dict[str, SourceDeclaration]) -> SourceDeclaration | None:
    """The declaration whose file patterns match ``file_name``, if exactly one does."""
    found = [d for d in catalogue.values() if d.matches(file_name)]
    return found[0] if len(found) == 1 else None
