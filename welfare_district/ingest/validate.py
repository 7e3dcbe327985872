"""The validation runner: applies a source declaration's rules to a raw table, collecting every failure.

Nothing here stops at the first problem: every column rule and every row check runs over the whole table
and each failing (row, field, reason) becomes one line of the failures table. Values are parsed into the
canonical fields on the way, so the loader receives typed columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from welfare_district.ingest import rules
from welfare_district.sources.catalogue import ColumnSpec, SourceDeclaration
from welfare_district.sources.readers import RawTable

FAILURE_COLUMNS = ["row_number", "field", "reason_code", "severity", "message"]


@dataclass(frozen=True)
class Validation:
    """Typed canonical values (index = data row number) and every failure found."""

    values: pd.DataFrame
    failures: pd.DataFrame

    def error_rows(self) -> pd.Index:
        """Data row numbers with at least one error-severity failure (they are quarantined)."""
        f = self.failures
        return pd.Index(f.loc[f["severity"] == "error", "row_number"].unique(), name="row_number")

    def warnings_by_row(self) -> pd.Series:
        """'|'-joined warning reason codes per row ("" for rows without warnings)."""
        return self.flagged_warnings().reindex(self.values.index, fill_value="")

    def flagged_warnings(self) -> pd.Series:
        """'|'-joined distinct warning reason codes, in code order, of the rows that have any (index: row number,
        ascending)."""
        f = self.failures[self.failures["severity"] == "warning"]
        # one dict pass: grouping with a Python join per group cost ~50 us per flagged row in pandas
        codes: dict[int, set[str]] = {}
        for row, code in zip(f["row_number"].tolist(), f["reason_code"].tolist(), strict=True):
            codes.setdefault(row, set()).add(code)
        rows = sorted(codes)
        return pd.Series(["|".join(sorted(codes[r])) for r in rows], index=pd.Index(rows, name="row_number",
                                                                                      dtype="int64"),
                         name="reason_code", dtype="str")


class _Collector:
    def __init__(self, decl: SourceDeclaration) -> None:
        self.decl = decl
        self.parts: list[pd.DataFrame] = []

    def add(self, mask: pd.Series, column: str, reason: str) -> None:
        rows = mask.index[mask.to_numpy(dtype=bool)]
        if len(rows):
            self.parts.append(pd.DataFrame({"row_number": rows.to_numpy(dtype="int64"), "field": column,
                                            "reason_code": reason}))

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame({c: pd.Series(dtype="int64" if c == "row_number" else "str")
                                 for c in FAILURE_COLUMNS})
        out = pd.concat(self.parts, ignore_index=True)
        default = {code: sev for code, (sev, _) in rules.REASONS.items()}
        out["severity"] = out["reason_code"].map(lambda c: self.decl.severity.get(c, default[c]))
        out["message"] = out["reason_code"].map(lambda c: rules.REASONS[c][1])
        return out.sort_values(["row_number", "field", "reason_code"], kind="stable").reset_index(drop=True)


def _column(raw: pd.DataFrame, col: str, spec: ColumnSpec, out: pd.DataFrame, failures: _Collector,
            today: date) -> None:
    if col not in raw.columns:  # an optional column absent from this file
        out[spec.field] = None
        return
    # cleaned once here; the rules below are told so rather than cleaning the column again
    text = rules.clean_text(raw[col], upper=spec.upper or spec.kind in ("cf", "cf_list"))
    present = text != ""
    if spec.required:
        failures.add(~present, col, "required_missing")
    if spec.unique:
        failures.add(present & text.duplicated(keep="first"), col, "duplicate_key")
    value: pd.Series
    if spec.kind == "date":
        value, bad, impossible = rules.parse_dates(text, spec.formats, today, cleaned=True)
        failures.add(bad, col, "date_format")
        failures.add(impossible, col, "date_impossible")
    elif spec.kind in ("int", "decimal"):
        value, bad = rules.parse_numbers(text, decimal=spec.decimal, integer=spec.kind == "int",
                                         cleaned=True)
        failures.add(bad, col, "number_invalid")
        if spec.min is not None:
            failures.add(value < spec.min, col, "out_of_range")
        if spec.max is not None:
            failures.add(value > spec.max, col, "out_of_range")
        value = value.astype("Int64") if spec.kind == "int" else value
    elif spec.kind == "cf":
        cf = rules.analyse_cf(text, cleaned=True)
        for reason in ("cf_shape", "cf_checksum", "cf_date_invalid", "cf_omocode"):
            failures.add(cf["reason"] == reason, col, reason)
        failures.add(cf["place_unknown"].astype(bool), col, "cf_place_unknown")
        value = cf["code"].where(present)
        out[f"_{spec.field}_base"] = cf["base"]
        out[f"_{spec.field}_status"] = cf["status"]
    else:
        if spec.kind == "cf_list":
            failures.add(rules.cf_list_invalid(text, spec.list_separator, cleaned=True), col, "cf_list_invalid")
        if spec.enum:
            failures.add(present & ~text.isin(spec.enum), col, "enum_invalid")
        value = text.where(present)
    out[spec.field] = value


def _checks(decl: SourceDeclaration, out: pd.DataFrame, failures: _Collector, today: date) -> None:
    for check in decl.checks:
        if check.rule == "cf_consistency":
            base = out[f"_{check.cf}_base"].fillna("")
            sex = out[check.sex].fillna("") if check.sex in out else None
            place = out[check.place].fillna("") if check.place else None
            for reason, mask in rules.cf_consistency(base, out[check.birth_date], sex, place).items():
                target = {"cf_sex_mismatch": check.sex, "cf_place_mismatch": check.place}.get(reason,
                                                                                           check.birth_date)
                failures.add(mask, decl.column_for(target or check.birth_date), reason)
        elif check.rule == "age":
            field = check.field or check.birth_date
            failures.add(rules.age_out_of_range(out[field], check.min, check.max, today),
                         decl.column_for(field), "age_out_of_range")
        elif check.rule == "member_of" and check.field and check.list_field:
            spec = decl.columns[decl.column_for(check.list_field)]
            mask = rules.not_member(out[check.field].fillna(""), out[check.list_field].fillna(""),
                                    spec.list_separator)
            failures.add(mask, decl.column_for(check.field), "reference_missing")
        elif check.rule == "date_order" and check.start and check.end:
            mask = out[check.start].notna() & out[check.end].notna() & (out[check.end] < out[check.start])
            failures.add(mask, decl.column_for(check.end), "date_order")
        elif check.rule == "one_per_group" and check.group and check.field and check.value is not None:
            codes = rules.group_codes(_text(out[check.group]))
            lacking, many = rules.one_per_group(codes, _text(out[check.field]), check.value)
            failures.add(lacking, decl.column_for(check.field), "group_lacks_one")
            failures.add(many, decl.column_for(check.field), "group_many")
        elif check.rule == "same_in_group" and check.group:
            codes = rules.group_codes(_text(out[check.group]))
            for field in check.fields:
                failures.add(rules.differs_in_group(codes, _text(out[field])), decl.column_for(field),
                             "group_inconsistent")


def _text(values: pd.Series) -> pd.Series:
    # parsed values of any kind compared as text; a missing value is ""
    if pd.api.types.is_string_dtype(values.dtype) and not values.isna().all():
        return values.fillna("")
    return values.astype(object).where(values.notna(), "").astype(str)


def validate(decl: SourceDeclaration, raw: RawTable, today: date | None = None) -> Validation:
    """Parse and check every row of ``raw`` against ``decl``.

    Guarantees: every failing (row, column, reason) is listed, with the source's column name and a message
    free of values; ``values`` holds one typed column per declared field (plus ``cf_status`` when the source
    has a personal codice fiscale) for every data row, failing or not.
    """
    today = today or date.today()
    failures = _Collector(decl)
    out = pd.DataFrame(index=raw.frame.index)
    for col, spec in decl.columns.items():
        _column(raw.frame, col, spec, out, failures, today)
    _checks(decl, out, failures, today)
    if "_codice_fiscale_status" in out:
        out["cf_status"] = out["_codice_fiscale_status"]
    out = out.drop(columns=[c for c in out.columns if c.startswith("_")])
    return Validation(out, failures.frame())
