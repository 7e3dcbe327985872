"""The data of an operator's family profile: search within the territory, and one family's integrated view.

A family is named outside the database only by its reference: the keyed pseudonym (domain ``family_ref``) of
its warehouse id, so no raw id ever appears in a URL, a page or the audit log. The references of the latest
snapshot are computed once per snapshot and kept in memory (about a microsecond each).

The profile reads the latest snapshot: members (with names from the staged register rows, since operators
are the municipality's social workers acting in their territory), the sources the family's people appear in
(``person_link``), the hardship indicators it contributes to (the library's numerator filters evaluated on
the family's own rows, as the published figures count them) and its open social-services cases.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import sqlalchemy as sa

from welfare_district.access.policy import Principal, Resource
from welfare_district.engine import Database
from welfare_district.privacy.pseudonym import Pseudonymiser

REF_DOMAIN = "family_ref"
MAX_RESULTS = 200
_MASK = (1 << 63) - 1
_LOCK = threading.Lock()


@dataclass(frozen=True)
class FamilyPlace:
    """A family of the latest snapshot: warehouse id and the areas containing its dwelling."""

    family_id: int
    section_id: str | None
    zone_id: str | None
    quartiere_id: str | None

    def resource(self, city_id: str | None) -> Resource:
        """The family as the policy's object: every area that contains it."""
        areas = tuple(a for a in (self.section_id, self.zone_id, self.quartiere_id, city_id) if a)
        return Resource("family", areas=areas)


@dataclass(frozen=True)
class FamilyIndex:
    """The latest snapshot's families by reference, with the city id (for city-wide grants)."""

    year: int
    reference_date: date | None
    city_id: str | None
    by_ref: dict[str, FamilyPlace]


def family_ref(pseudonymiser: Pseudonymiser, family_id: int) -> str:
    """The reference of a warehouse family id (what URLs, pages and the audit log show)."""
    return pseudonymiser.pseudonym(str(int(family_id)), REF_DOMAIN)


def _has(conn: sa.Connection, table: str) -> bool:
    return sa.inspect(conn).has_table(table)


def family_index(app_state: Any, conn: sa.Connection, pseudonymiser: Pseudonymiser) -> FamilyIndex | None:
    """The index of the latest snapshot (rebuilt when a new snapshot is stored); None before any snapshot."""
    if not _has(conn, "wh_family"):
        return None
    snap = conn.execute(sa.text("SELECT snapshot_year, reference_date, built_at FROM wh_snapshot "
                                "ORDER BY snapshot_year DESC LIMIT 1")).first()
    if snap is None:
        return None
    stamp = (int(snap.snapshot_year), str(snap.built_at), pseudonymiser.keyring.current)
    with _LOCK:
        cached: tuple[Any, FamilyIndex] | None = getattr(app_state, "family_index", None)
        if cached is not None and cached[0] == stamp:
            return cached[1]
    rows = conn.execute(sa.text("SELECT family_id, section_id, zone_id, quartiere_id FROM wh_family "
                                "WHERE snapshot_year = :y"), {"y": stamp[0]}).all()
    city = conn.execute(sa.text("SELECT area_id FROM area WHERE level = 'city' ORDER BY area_id")).first() \
        if _has(conn, "area") else None
    index = FamilyIndex(stamp[0], snap.reference_date, None if city is None else str(city[0]), {
        family_ref(pseudonymiser, r.family_id): FamilyPlace(int(r.family_id), r.section_id, r.zone_id,
                                                            r.quartiere_id) for r in rows})
    with _LOCK:
        app_state.family_index = (stamp, index)
    return index


def search(index: FamilyIndex, principal: Principal, *, ref: str | None, area: str | None) -> list[str]:
    """References of the families in ``principal``'s territory matching ``ref`` or inside ``area``, sorted.

    A reference outside the territory is simply not found: the answer is the same as for a reference that
    does not exist.
    """
    from welfare_district.access.policy import authorise

    if ref:
        place = index.by_ref.get(ref)
        if place is None or not authorise(principal, "family.read", place.resource(index.city_id)):
            return []
        return [ref]
    found = []
    for key, place in index.by_ref.items():
        if area and area not in (place.section_id, place.zone_id, place.quartiere_id, index.city_id):
            continue
        if authorise(principal, "family.read", place.resource(index.city_id)):
            found.append(key)
    return sorted(found)


@dataclass(frozen=True)
class FamilyProfile:
    """Everything the profile page shows about one family of the latest snapshot."""

    ref: str
    year: int
    reference_date: date | None
    area: str | None
    members: list[dict[str, Any]]
    sources: list[dict[str, Any]]
    indicators: list[dict[str, Any]]
    cases: list[dict[str, Any]]


def _link_family_ids(family_id: int) -> list[str]:
    # the warehouse id is the linkage id's 64 hex bits with the top bit dropped: both originals are candidates
    return [f"F{family_id:016X}", f"F{family_id | (1 << 63):016X}", f"F{family_id:016x}",
            f"F{family_id | (1 << 63):016x}"]


def build_profile(db: Database, conn: sa.Connection, index: FamilyIndex, ref: str) -> FamilyProfile:
    """The integrated profile of the family ``ref`` (which must be in ``index``; the caller checked scope)."""
    place = index.by_ref[ref]
    fid, year = place.family_id, index.year
    members = [dict(r) for r in conn.execute(sa.text(
        "SELECT person_id, relation, sex, age, birth_date FROM wh_person WHERE snapshot_year = :y AND "
        "family_id = :f ORDER BY age DESC, person_id"), {"y": year, "f": fid}).mappings()]
    names, sources = _names_and_sources(conn, fid, {int(m["person_id"]) for m in members})
    for m in members:
        m["name"] = names.get(int(m["person_id"]))
        m["birth_year"] = m["birth_date"].year if m.get("birth_date") else None
    cases: list[dict[str, Any]] = []
    if _has(conn, "wh_case"):
        cases = [dict(r) for r in conn.execute(sa.text(
            "SELECT need, opened FROM wh_case WHERE snapshot_year = :y AND family_id = :f AND "
            "(closed IS NULL OR closed > :d) ORDER BY opened"),
            {"y": year, "f": fid, "d": index.reference_date or date.max}).mappings()]
    return FamilyProfile(ref, year, index.reference_date, place.zone_id or place.quartiere_id,
                         [{k: v for k, v in m.items() if k not in ("person_id", "birth_date")} for m in members],
                         sources, hardship_indicators(db, year, fid), cases)


def _names_and_sources(conn: sa.Connection, family_id: int,
                       person_ids: set[int]) -> tuple[dict[int, str], list[dict[str, Any]]]:
    """Members' names from their register rows, and the record count per source of the family's people."""
    if not _has(conn, "person_link"):
        return {}, []
    links = conn.execute(sa.text(
        "SELECT record_id, source, person_id FROM person_link WHERE family_id IN :ids OR person_id IN :pids")
        .bindparams(sa.bindparam("ids", expanding=True), sa.bindparam("pids", expanding=True)),
        {"ids": _link_family_ids(family_id),
         "pids": [p for i in person_ids for p in (f"P{i:016X}", f"P{i | (1 << 63):016X}", f"P{i:016x}",
                                                  f"P{i | (1 << 63):016x}")] or ["-"]}).all()
    counts: dict[str, int] = {}
    for link in links:
        counts[link.source] = counts.get(link.source, 0) + 1
    sources = [{"source": s, "records": n} for s, n in sorted(counts.items())]
    names: dict[int, str] = {}
    register = [link for link in links if link.source == "anagrafe"]
    if register and _has(conn, "person_record"):
        by_row = {}
        for link in register:
            _, file_name, row = str(link.record_id).rsplit(":", 2)[-3:] if link.record_id.count(":") >= 2 \
                else ("", "", "0")
            by_row[(file_name, int(row))] = int(str(link.person_id)[1:], 16) & _MASK
        rows = conn.execute(sa.text(
            "SELECT file_name, row_number, surname, given_name, full_name FROM person_record "
            "WHERE source = 'anagrafe' AND row_number IN :rows")
            .bindparams(sa.bindparam("rows", expanding=True)), {"rows": sorted({r for _, r in by_row})}).all()
        for r in rows:
            pid = by_row.get((r.file_name, int(r.row_number)))
            if pid is not None and pid in person_ids:
                text = " ".join(x for x in (r.given_name, r.surname) if x) or (r.full_name or "")
                names[pid] = text.strip()
    return names, sources


# demographic shares that describe a condition of the family rather than the shape of the population
DEMOGRAPHIC_HARDSHIP = frozenset({"elderly_alone_65plus", "elderly_alone_80plus", "minors_single_parent"})


def is_hardship(ind: Any) -> bool:
    """True for the indicators a family can 'contribute to' as hardship: shares where higher is worse, outside
    the demographic structure (age indices and dependency ratios count every child or elder, which is no
    hardship), plus the demographic conditions of DEMOGRAPHIC_HARDSHIP."""
    return bool(ind.polarity == 1 and ind.kind == "proportion"
                and (ind.theme != "demography" or ind.id in DEMOGRAPHIC_HARDSHIP))


def hardship_indicators(db: Database, year: int, family_id: int) -> list[dict[str, Any]]:
    """The hardship indicators (``is_hardship``) whose numerator filter counts some of this family's rows of
    ``year``, with how many of its rows (people, the family, its dwelling, its ISEE) each one counts."""
    from welfare_district.indicators.compute import source_table, to_ibis
    from welfare_district.indicators.filters import All
    from welfare_district.indicators.library import default_library

    by_source: dict[str, list[Any]] = {}
    for ind in default_library().values():
        if is_hardship(ind) and ind.numerator.where is not None and ind.numerator.where != All():
            by_source.setdefault(ind.numerator.source, []).append(ind)
    found: list[dict[str, Any]] = []
    for source, indicators in sorted(by_source.items()):
        t = source_table(db, source, [year])
        if source == "dwelling":
            fam = db.ibis.table("wh_family")
            dwelling = fam.filter((fam.snapshot_year == year) & (fam.family_id == family_id)).dwelling_id
            t = t.filter(t.dwelling_id.isin(dwelling.as_table().dwelling_id))
        elif "family_id" in t.columns:
            t = t.filter(t.family_id == family_id)
        else:
            continue
        counts = t.aggregate(**{ind.id: to_ibis(ind.numerator.where, t).ifelse(1, 0).sum() for ind in indicators})
        row = counts.to_pandas().iloc[0]
        for ind in indicators:
            n = row[ind.id]
            if n is not None and not pd.isna(n) and int(n) > 0:
                found.append({"id": ind.id, "name_it": ind.name_it, "name_en": ind.name_en, "count": int(n)})
    return sorted(found, key=lambda d: str(d["id"]))
