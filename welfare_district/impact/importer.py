"""Import report files (CSV or Excel): validate every row, then load the whole file in one transaction or not at all.

Discipline of the sources: every failure is collected (file, row, field, reason code) before anything is
written; a file with any failure changes nothing; a file whose bytes were already loaded under its name is
``unchanged``; a corrected file with the same name replaces its earlier rows. Files are taken in the order
calls, projects, activities, beneficiaries, so one folder can hold them all.

Reason codes: missing_column, required, bad_date, bad_number, negative, duplicate_id, unknown_target_group,
bad_age_range, ends_before_start, unknown_call, date_outside_call, area_outside_call, unknown_project,
date_outside_project, area_outside_project, outside_target_group, not_authorised.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from welfare_district.access.policy import Principal, Resource, authorise
from welfare_district.engine import Database
from welfare_district.impact.groups import TARGET_GROUPS
from welfare_district.impact.linkage import PersonIndex, index_from_pipeline, link_beneficiaries
from welfare_district.impact.model import ImpactTables, ensure_impact_tables, split_ids
from welfare_district.impact.spec import KINDS, PROBLEM_COLUMNS, Kind, kind_of, parse, read_sheet, rows_of
from welfare_district.privacy.pseudonym import Pseudonymiser


@dataclass(frozen=True)
class FileResult:
    """One file's outcome: ``loaded``, ``unchanged`` or ``rejected`` (with its problems, nothing written)."""

    file_name: str
    kind: Kind
    status: str
    rows: int
    problems: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PROBLEM_COLUMNS))


def report_files(folder: Path) -> list[Path]:
    """The report files of a folder in load order (calls, projects, activities, beneficiaries), by name."""
    files = [p for p in sorted(folder.iterdir()) if p.is_file() and p.suffix.lower() in (".csv", ".xlsx")
             and p.stem.lower().split("_")[0] in KINDS]
    return sorted(files, key=lambda p: (KINDS.index(kind_of(p)), p.name))


def import_reports(db: Database, paths: list[Path], *, principal: Principal | None = None,
                   index: PersonIndex | None = None, pseudonymiser: Pseudonymiser | None = None) -> list[FileResult]:
    """Import each file on its own (atomic per file), in load order; one FileResult per file.

    ``principal`` None is the trusted local operator (CLI, pipeline); otherwise calls and projects need
    ``sources.manage`` and reports need ``activity.report`` on the project's lead or partner organisation.
    """
    tables = ensure_impact_tables(db)
    ordered = sorted(paths, key=lambda p: (KINDS.index(kind_of(p)), p.name))
    results = []
    for path in ordered:
        kind = kind_of(path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        with db.engine.connect() as conn:
            known = conn.execute(sa.select(tables.load.c.file_sha256)
                                 .where(tables.load.c.file_name == path.name)).scalar_one_or_none()
        if known == digest:
            results.append(FileResult(path.name, kind, "unchanged", 0))
            continue
        rows, problems = parse(read_sheet(path), kind, path.name)
        context = _Context(db, tables, path.name, principal)
        problems += _CHECKS[kind](rows, context)
        if problems:
            frame = pd.DataFrame(problems, columns=PROBLEM_COLUMNS).sort_values(["row_number", "field"])
            results.append(FileResult(path.name, kind, "rejected", 0, frame.reset_index(drop=True)))
            continue
        if kind == "beneficiari" and index is None:
            index = index_from_pipeline(db)  # once per call: reading every linked record is the costly part
        records = _records(kind, rows, context, index, pseudonymiser)
        _load(db, tables, kind, path.name, digest, records)
        results.append(FileResult(path.name, kind, "loaded", len(records)))
    return results


@dataclass
class _Context:
    db: Database
    tables: ImpactTables
    file_name: str
    principal: Principal | None

    def frame(self, table: sa.Table) -> pd.DataFrame:
        with self.db.engine.connect() as conn:
            return pd.DataFrame(conn.execute(sa.select(table)).mappings().all(), columns=list(table.c.keys()))


def _problem(ctx: _Context, row: object, field_name: str, reason: str) -> dict[str, object]:
    return {"file_name": ctx.file_name, "row_number": int(row), "field": field_name, "reason": reason}  # type: ignore[call-overload]


def _duplicates(rows: pd.DataFrame, key: str, existing: pd.DataFrame, ctx: _Context) -> list[dict[str, object]]:
    elsewhere = set(existing.loc[existing["file_name"] != ctx.file_name, key])
    seen: set[object] = set()
    out = []
    for row, value in zip(rows["row_number"], rows[key], strict=True):
        if value is not None and (value in seen or value in elsewhere):
            out.append(_problem(ctx, row, key, "duplicate_id"))
        seen.add(value)
    return out


def _steward_only(rows: pd.DataFrame, ctx: _Context) -> list[dict[str, object]]:
    if ctx.principal is None or authorise(ctx.principal, "sources.manage"):
        return []
    return [_problem(ctx, 0, "", "not_authorised")]


def _check_calls(rows: pd.DataFrame, ctx: _Context) -> list[dict[str, object]]:
    problems = _steward_only(rows, ctx) + _duplicates(rows, "call_id", ctx.frame(ctx.tables.call), ctx)
    for r in rows_of(rows):
        if r.opens_on and r.closes_on and r.closes_on < r.opens_on:
            problems.append(_problem(ctx, r.row_number, "closes_on", "ends_before_start"))
        if r.target_group and r.target_group not in TARGET_GROUPS:
            problems.append(_problem(ctx, r.row_number, "target_group", "unknown_target_group"))
        if r.min_age is not None and r.max_age is not None and r.min_age > r.max_age:
            problems.append(_problem(ctx, r.row_number, "max_age", "bad_age_range"))
    return problems


def _check_projects(rows: pd.DataFrame, ctx: _Context) -> list[dict[str, object]]:
    problems = _steward_only(rows, ctx) + _duplicates(rows, "project_id", ctx.frame(ctx.tables.project), ctx)
    calls = ctx.frame(ctx.tables.call).set_index("call_id")
    for r in rows_of(rows):
        if r.starts_on and r.ends_on and r.ends_on < r.starts_on:
            problems.append(_problem(ctx, r.row_number, "ends_on", "ends_before_start"))
        if r.call_id is None:
            continue
        if r.call_id not in calls.index:
            problems.append(_problem(ctx, r.row_number, "call_id", "unknown_call"))
            continue
        call = calls.loc[r.call_id]
        if r.starts_on and r.starts_on < call["opens_on"]:
            problems.append(_problem(ctx, r.row_number, "starts_on", "date_outside_call"))
        if r.target_areas and not set(split_ids(r.target_areas)) <= set(split_ids(call["target_areas"])):
            problems.append(_problem(ctx, r.row_number, "target_areas", "area_outside_call"))
    return problems


def _project_rows(rows: pd.DataFrame, ctx: _Context, checks: Any) -> list[dict[str, object]]:
    """Shared checks of partner reports: known project, date in its period, the reporter's own project."""
    projects = ctx.frame(ctx.tables.project).set_index("project_id")
    calls = ctx.frame(ctx.tables.call).set_index("call_id")
    date_field = "activity_date" if "activity_date" in rows.columns else "reached_on"
    problems: list[dict[str, object]] = []
    for r in rows_of(rows):
        if r.project_id is None:
            continue
        if r.project_id not in projects.index:
            problems.append(_problem(ctx, r.row_number, "project_id", "unknown_project"))
            continue
        project = projects.loc[r.project_id]
        if ctx.principal is not None and not _may_report(ctx.principal, project):
            problems.append(_problem(ctx, r.row_number, "project_id", "not_authorised"))
        when = getattr(r, date_field)
        if when is not None and not project["starts_on"] <= when <= project["ends_on"]:
            problems.append(_problem(ctx, r.row_number, date_field, "date_outside_project"))
        problems += checks(r, project, calls.loc[project["call_id"]], ctx)
    return problems


def _may_report(principal: Principal, project: pd.Series) -> bool:
    orgs = [project["lead_organisation_id"], *split_ids(project["partners"])]
    return any(authorise(principal, "activity.report", Resource("impact_project", organisation_id=o))
               for o in orgs)


def _activity_checks(r: Any, project: pd.Series, call: pd.Series, ctx: _Context) -> list[dict[str, object]]:
    if r.area_id is not None and r.area_id not in split_ids(project["target_areas"]):
        return [_problem(ctx, r.row_number, "area_id", "area_outside_project")]
    return []


def _beneficiary_checks(r: Any, project: pd.Series, call: pd.Series, ctx: _Context) -> list[dict[str, object]]:
    if r.birth_date is None or r.reached_on is None:
        return []
    age = age_on(r.birth_date, r.reached_on)
    if not int(call["min_age"]) <= age <= int(call["max_age"]):
        return [_problem(ctx, r.row_number, "birth_date", "outside_target_group")]
    return []


_CHECKS = {
    "bandi": _check_calls, "progetti": _check_projects,
    "attivita": lambda rows, ctx: _project_rows(rows, ctx, _activity_checks),
    "beneficiari": lambda rows, ctx: _project_rows(rows, ctx, _beneficiary_checks),
}


def age_on(born: date, day: date) -> int:
    """Completed years on ``day``."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _records(kind: Kind, rows: pd.DataFrame, ctx: _Context, index: PersonIndex | None,
             pseudonymiser: Pseudonymiser | None) -> list[dict[str, Any]]:
    name = ctx.file_name
    if kind == "bandi":
        out = []
        for r in rows.to_dict("records"):
            group = TARGET_GROUPS[str(r["target_group"])]
            out.append({**{k: r[k] for k in ("call_id", "title", "budget_eur", "opens_on", "closes_on",
                                             "target_group", "target_areas")},
                        "min_age": group.min_age if r["min_age"] is None else r["min_age"],
                        "max_age": group.max_age if r["max_age"] is None else r["max_age"], "file_name": name})
        return out
    if kind == "progetti":
        cols: tuple[str, ...] = ("project_id", "call_id", "title", "lead_organisation_id", "partners", "services",
                                 "budget_eur", "starts_on", "ends_on", "target_areas")
        return [{**{k: (r[k] or "") if k in ("partners", "services") else r[k] for k in cols}, "file_name": name}
                for r in rows.to_dict("records")]
    if kind == "attivita":
        cols = ("row_number", "project_id", "activity_date", "kind", "area_id", "hours", "participants")
        return [{**{k: r[k] for k in cols}, "row_number": int(r["row_number"]), "file_name": name}
                for r in rows.to_dict("records")]
    if pseudonymiser is None:
        from welfare_district.privacy.pseudonym import load_keyring
        from welfare_district.settings import get_settings
        pseudonymiser = Pseudonymiser(load_keyring(get_settings()))
    linked = link_beneficiaries(rows, index if index is not None else index_from_pipeline(ctx.db), pseudonymiser)
    return [{"file_name": name, "row_number": int(r.row_number), "project_id": r.project_id,
             "person_ref": ref, "person_id": None if pd.isna(pid) else int(pid), "link_method": method,
             "age": age_on(r.birth_date, r.reached_on), "reached_on": r.reached_on}
            for r, pid, method, ref in zip(rows_of(rows), linked["person_id"],
                                           linked["link_method"], linked["person_ref"], strict=True)]


def _load(db: Database, tables: ImpactTables, kind: Kind, file_name: str, digest: str,
          records: list[dict[str, Any]]) -> None:
    target = {"bandi": tables.call, "progetti": tables.project, "attivita": tables.activity,
              "beneficiari": tables.beneficiary}[kind]
    with db.engine.begin() as conn:
        conn.execute(sa.delete(target).where(target.c.file_name == file_name))
        if records:
            conn.execute(sa.insert(target), records)
        conn.execute(sa.delete(tables.load).where(tables.load.c.file_name == file_name))
        conn.execute(sa.insert(tables.load).values(file_name=file_name, kind=kind, file_sha256=digest,
                                                   rows=len(records), loaded_at=datetime.now(UTC)))
