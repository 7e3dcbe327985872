"""Arrow tables of the truth schema from a finished chunk state, with ids offset per chunk and rows
sorted so that the same state always gives the same bytes."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from welfare_district.synth import schema
from welfare_district.synth.economics import case_end
from welfare_district.synth.geography import Geography
from welfare_district.synth.identity import base_codes
from welfare_district.synth.names import NameBook
from welfare_district.synth.state import NO_DATE, State, days


def _date(values: np.ndarray) -> pa.Array:
    v = np.asarray(values, dtype=np.int32)
    return pa.array(v, type=pa.int32(), mask=v == NO_DATE).cast(pa.date32())


def _strings(values: np.ndarray) -> pa.Array:
    return pa.array(values.astype(object), type=pa.string())


def _coded(codes: np.ndarray, vocabulary: tuple[str, ...]) -> pa.Array:
    vocab = np.array(vocabulary, dtype=object)
    return pa.array(np.where(codes >= 0, vocab[np.maximum(codes, 0)], None), type=pa.string())


def _table(columns: dict[str, pa.Array], sch: pa.Schema) -> pa.Table:
    return pa.Table.from_arrays([columns[f.name].cast(f.type) for f in sch], schema=sch)


def _concat(parts: list[dict[str, np.ndarray]], key: str) -> np.ndarray:
    return np.concatenate([p[key] for p in parts]) if parts else np.empty(0)


def build_tables(
    state: State, geo: Geography, book: NameBook, years: tuple[int, int], offset: int
) -> dict[str, pa.Table]:
    """The six truth tables for one chunk; codice_fiscale holds level-0 codes (made unique by the caller)."""
    p, d = state.persons, state.dwellings
    first_year, last_year = years
    snaps = [s for s in state.snapshots if first_year <= int(s["year"][0]) <= last_year]
    fsnaps = [s for s in state.family_snapshots if first_year <= int(s["year"][0]) <= last_year]
    py_year = np.concatenate([np.full(len(s["person"]), int(s["year"][0])) for s in snaps])
    py_person = _concat(snaps, "person").astype(np.int64)
    seen = np.unique(py_person)
    # persons: everyone in at least one output snapshot
    horizon = days(last_year + 1)
    death = np.where(p.death[seen] < horizon, p.death[seen], NO_DATE)
    departure = np.where(p.departure[seen] < horizon, p.departure[seen], NO_DATE)
    country = p.country[seen]
    surname = book.surnames[p.surname[seen]]
    first = book.first_names[p.first[seen]]
    place = book.places[p.place[seen]]
    persons = _table(
        {
            "person_id": pa.array(seen + offset + 1),
            "surname": _strings(surname),
            "first_name": _strings(first),
            "sex": _strings(np.where(p.sex[seen] == 1, "F", "M")),
            "birth_date": _date(p.birth[seen]),
            "birth_place_code": _strings(place),
            "citizenship": _strings(np.where(country >= 0, book.country_iso[np.maximum(country, 0)], "IT")),
            "codice_fiscale": _strings(base_codes(surname, first, p.sex[seen], p.birth[seen], place)),
            "arrival_date": _date(
                np.where(p.arrival[seen] >= days(first_year + 1), p.arrival[seen], NO_DATE)
            ),
            "departure_date": _date(departure),
            "death_date": _date(death),
        },
        schema.PERSONS,
    )

    order = np.lexsort((py_person, py_year))
    py_family = _concat(snaps, "family").astype(np.int64)[order]
    person_year = _table(
        {
            "year": pa.array(py_year[order]),
            "person_id": pa.array(py_person[order] + offset + 1),
            "family_id": pa.array(py_family + offset + 1),
            "relation": _coded(_concat(snaps, "relation")[order].astype(np.int64), schema.RELATION),
            "dwelling_id": pa.array(_concat(snaps, "dwelling").astype(np.int64)[order] + offset + 1),
            "education": _coded(_concat(snaps, "education")[order].astype(np.int64), schema.EDUCATION),
            "labour_status": _coded(_concat(snaps, "labour")[order].astype(np.int64), schema.LABOUR),
            "disability_allowance": pa.array(_concat(snaps, "disability")[order].astype(bool)),
            "care_allowance": pa.array(_concat(snaps, "care")[order].astype(bool)),
        },
        schema.PERSON_YEAR,
    )

    fy_year = np.concatenate([np.full(len(s["family"]), int(s["year"][0])) for s in fsnaps])
    fy_family = _concat(fsnaps, "family").astype(np.int64)
    order = np.lexsort((fy_family, fy_year))
    family_year = _table(
        {
            "year": pa.array(fy_year[order]),
            "family_id": pa.array(fy_family[order] + offset + 1),
            "head_person_id": pa.array(_concat(fsnaps, "head").astype(np.int64)[order] + offset + 1),
            "size": pa.array(_concat(fsnaps, "size").astype(np.int64)[order]),
            "family_type": _coded(_concat(fsnaps, "type").astype(np.int64)[order], schema.FAMILY_TYPE),
            "dwelling_id": pa.array(_concat(fsnaps, "dwelling").astype(np.int64)[order] + offset + 1),
            "tenure": _coded(_concat(fsnaps, "tenure").astype(np.int64)[order], schema.TENURE),
        },
        schema.FAMILY_YEAR,
    )

    sec = d.section.astype(np.int64)
    dwellings = _table(
        {
            "dwelling_id": pa.array(np.arange(len(d)) + offset + 1),
            "civico_id": pa.array(d.civico),
            "interno": _strings(d.interno.astype(str)),
            "surface_m2": pa.array(d.surface),
            "rooms": pa.array(d.rooms),
            "section_id": _strings(geo.section_id[sec]),
            "zone_id": _strings(geo.zone_id[geo.zone_of_section[sec]]),
            "quartiere_id": _strings(geo.quartiere_id[geo.zone_of_section[sec]]),
        },
        schema.DWELLINGS,
    )

    rows = [r for r in state.isee_rows if len(r["year"]) and first_year <= int(r["year"][0]) <= last_year]
    i_year = _concat(rows, "year").astype(np.int64)
    i_fam = _concat(rows, "family").astype(np.int64)
    order = np.lexsort((i_fam, i_year))
    isee = _table(
        {
            "dsu_id": pa.array(np.arange(len(order), dtype=np.int64) + offset + 1),
            "year": pa.array(i_year[order]),
            "family_id": pa.array(i_fam[order] + offset + 1),
            "declarant_person_id": pa.array(_concat(rows, "declarant").astype(np.int64)[order] + offset + 1),
            "submitted": _date(_concat(rows, "submitted")[order]),
            "isee_eur": pa.array(_concat(rows, "isee").astype(np.float64)[order]),
            "nucleus_size": pa.array(_concat(rows, "nucleus").astype(np.int64)[order]),
        },
        schema.ISEE,
    )

    cases = _cases_table(state, first_year, last_year, offset)
    return {
        "persons": persons,
        "person_year": person_year,
        "family_year": family_year,
        "dwellings": dwellings,
        "isee": isee,
        "cases": cases,
    }


def _cases_table(state: State, first_year: int, last_year: int, offset: int) -> pa.Table:
    p = state.persons
    rows = state.case_rows
    person = _concat(rows, "person").astype(np.int64)
    fam = _concat(rows, "family").astype(np.int64)
    need = _concat(rows, "need").astype(np.int64)
    opened = _concat(rows, "opened").astype(np.int64)
    closed = _concat(rows, "closed").astype(np.int64)
    # a case cannot open before the person lived here, and closes when the person dies or leaves
    came = np.maximum(p.birth[person], np.where(p.arrival[person] >= 0, p.arrival[person], NO_DATE))
    opened = np.maximum(opened, came)
    closed = case_end(state, person, closed)
    keep = (closed >= days(first_year)) & (opened < days(last_year + 1)) & (closed >= opened)
    closed = np.where(closed >= days(last_year + 1), NO_DATE, closed)
    person, fam, need, opened, closed = person[keep], fam[keep], need[keep], opened[keep], closed[keep]
    order = np.lexsort((need, person, opened))
    return _table(
        {
            "case_id": pa.array(np.arange(len(order), dtype=np.int64) + offset + 1),
            "person_id": pa.array(person[order] + offset + 1),
            "family_id": pa.array(fam[order] + offset + 1),
            "need": _coded(need[order], schema.CASE_NEED),
            "opened": _date(opened[order]),
            "closed": _date(closed[order]),
        },
        schema.CASES,
    )
