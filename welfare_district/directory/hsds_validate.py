"""Validation of an HSDS catalogue before any write: every problem found, each with a reason code and a place.

Rows arrive as dicts of raw values (CSV text, decoded JSON or Python values) and may carry ``__source__`` (the
file, or the JSON pointer of a nested object) and ``__row__`` (the CSV line). ``validate`` converts every value
to its declared kind and checks required fields, allowed values, unique ids, references between tables and the
eligibility rules. It never stops at the first problem: the caller gets the full list, and loads nothing
unless it is empty.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any

from welfare_district.directory.eligibility import parse_rules, rules_json
from welfare_district.directory.hsds_spec import LINK_TABLES, TABLE_BY_NAME, TABLES, Catalogue, FieldSpec
from welfare_district.errors import InputError

ID_RE = re.compile(r"^[A-Za-z0-9_.:@-]{1,64}$")
SOURCE, ROW = "__source__", "__row__"
MAX_TEXT = 10_000


@dataclass(frozen=True)
class Issue:
    """One problem: where (file or JSON pointer, CSV line, table, record id, field), a reason code and why."""

    source: str
    row: int | None
    table: str
    record_id: str | None
    field: str | None
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        """Plain dict, for JSON reports."""
        return asdict(self)

    def __str__(self) -> str:
        where = ", ".join(p for p in (self.source, f"row {self.row}" if self.row is not None else "",
                                      f"{self.table} {self.record_id or '?'}",
                                      f"field '{self.field}'" if self.field else "") if p)
        return f"{where}: [{self.code}] {self.message}"


class HsdsImportError(InputError):
    """The import was refused and nothing was loaded; ``issues`` lists every problem found."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        shown = "; ".join(str(i) for i in issues[:5])
        more = f" (and {len(issues) - 5} more)" if len(issues) > 5 else ""
        super().__init__(f"HSDS import refused, nothing loaded: {len(issues)} problem(s): {shown}{more}")


def _convert(spec: FieldSpec, value: Any) -> tuple[Any, str | None, str | None]:
    """(typed value, reason code, message); the code is None when the value is fine."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None, None
    kind = spec.kind
    try:
        if kind == "id":
            text = str(value).strip()
            if not ID_RE.match(text):
                return None, "bad_id", "ids are 1-64 letters, digits or . _ : @ -"
            return text, None, None
        if kind == "int":
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                return None, "not_an_integer", "expected a whole number"
            return int(str(value).strip()) if isinstance(value, str) else int(value), None, None
        if kind == "float":
            if isinstance(value, bool):
                return None, "not_a_number", "expected a number"
            return float(str(value).strip()) if isinstance(value, str) else float(value), None, None
        if kind == "date":
            if isinstance(value, datetime):
                return value.date(), None, None
            return value if isinstance(value, date) else date.fromisoformat(str(value).strip()), None, None
        if kind == "datetime":
            parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).strip())
            return (parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)), None, None
        if kind == "json":
            return rules_json(parse_rules(value if isinstance(value, str | list) else str(value))), None, None
        text = str(value)
        if len(text) > MAX_TEXT:
            return None, "too_long", f"longer than {MAX_TEXT} characters"
        return text, None, None
    except InputError as exc:
        return None, "invalid_rules", exc.reason
    except (ValueError, TypeError):
        names = {"int": ("not_an_integer", "expected a whole number"), "float": ("not_a_number", "expected a number"),
                 "date": ("not_a_date", "expected a date as YYYY-MM-DD"),
                 "datetime": ("not_a_datetime", "expected an ISO 8601 date-time")}
        code, message = names.get(kind, ("bad_value", "unreadable value"))
        return None, code, message


def convert_field(spec: FieldSpec, value: Any) -> Any:
    """One value converted to the field's kind; InputError naming the field and the reason when it does not fit."""
    converted, code, message = _convert(spec, value)
    if code is not None:
        raise InputError(f"[{code}] {message}", field=spec.name)
    if spec.enum and converted is not None and converted not in spec.enum:
        raise InputError(f"[not_allowed] {converted!r} is not one of {', '.join(spec.enum)}", field=spec.name)
    return converted


def validate(raw: Catalogue, default_source: str = "input") -> tuple[Catalogue, list[Issue]]:
    """Typed copy of ``raw`` and every problem found (an empty list means it can be loaded as it is)."""
    issues: list[Issue] = []
    out: Catalogue = {t.name: [] for t in TABLES}
    for name in raw:
        if name not in TABLE_BY_NAME:
            issues.append(Issue(default_source, None, name, None, None, "unknown_table",
                                f"'{name}' is not an HSDS table this directory keeps"))
    for table in TABLES:
        seen: set[str] = set()
        for raw_row in raw.get(table.name, []):
            source, line = str(raw_row.get(SOURCE, default_source)), raw_row.get(ROW)
            record_id = str(raw_row.get("id") or "") or None

            def add(field: str | None, code: str, message: str, *, _s: str = source, _l: Any = line,
                    _r: str | None = record_id, _t: str = table.name) -> None:
                issues.append(Issue(_s, _l, _t, _r, field, code, message))

            for key in raw_row:
                if key not in (SOURCE, ROW) and key not in table.field_names:
                    add(key, "unknown_field", f"'{key}' is not a field of {table.name}")
            row: dict[str, Any] = {}
            for spec in table.fields:
                value, code, message = _convert(spec, raw_row.get(spec.name))
                if code is not None:
                    add(spec.name, code, message or code)
                elif value is None and spec.required:
                    add(spec.name, "required", "a value is required")
                elif spec.enum and value is not None and value not in spec.enum:
                    add(spec.name, "not_allowed", f"{value!r} is not one of {', '.join(spec.enum)}")
                row[spec.name] = value
            _check_row(table.name, row, add)
            if row["id"] is not None:
                if row["id"] in seen:
                    add("id", "duplicate_id", f"id {row['id']} appears more than once in {table.name}")
                seen.add(row["id"])
            row[SOURCE], row[ROW] = source, line
            out[table.name].append(row)
    issues.extend(_references(out))
    for rows in out.values():
        for row in rows:
            row.pop(SOURCE, None)
            row.pop(ROW, None)
    return out, issues


def _check_row(table: str, row: dict[str, Any], add: Any) -> None:
    if table == "location":
        if row.get("latitude") is not None and not -90 <= row["latitude"] <= 90:
            add("latitude", "out_of_range", "latitude must be between -90 and 90")
        if row.get("longitude") is not None and not -180 <= row["longitude"] <= 180:
            add("longitude", "out_of_range", "longitude must be between -180 and 180")
        if (row.get("latitude") is None) != (row.get("longitude") is None):
            add("latitude", "incomplete_point", "latitude and longitude go together")
    if table == "service":
        lo, hi = row.get("minimum_age"), row.get("maximum_age")
        for name, value in (("minimum_age", lo), ("maximum_age", hi)):
            if value is not None and not 0 <= value <= 120:
                add(name, "out_of_range", "ages are between 0 and 120")
        if lo is not None and hi is not None and lo > hi:
            add("maximum_age", "out_of_range", "maximum_age is below minimum_age")


def _references(cat: Catalogue) -> list[Issue]:
    ids = {name: {r["id"] for r in rows if r["id"] is not None} for name, rows in cat.items()}
    issues: list[Issue] = []
    for table in TABLES:
        for row in cat[table.name]:
            for spec in table.fields:
                target = spec.ref
                if spec.name == "link_id" and row.get("link_entity") in LINK_TABLES:
                    target = LINK_TABLES[row["link_entity"]]
                value = row.get(spec.name)
                if target is not None and value is not None and value not in ids[target]:
                    issues.append(Issue(row[SOURCE], row[ROW], table.name, row["id"], spec.name, "dangling_reference",
                                        f"{target} {value} does not exist"))
    return issues


def check(raw: Catalogue, default_source: str = "input") -> Catalogue:
    """The typed catalogue; HsdsImportError listing every problem when there is any."""
    typed, issues = validate(raw, default_source)
    if issues:
        raise HsdsImportError(issues)
    return typed
