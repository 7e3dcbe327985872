"""A hand-made city for the register-of-actions tests: a few families in two zones over three snapshots."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from welfare_district.engine import Database
from welfare_district.impact.linkage import PersonIndex
from welfare_district.model.warehouse import ensure_warehouse_tables, warehouse_tables
from welfare_district.privacy.pseudonym import Keyring, Pseudonymiser

YEARS = (2021, 2022, 2023)
# person_id, family_id, relation, birth date, zone, labour status per year (2021, 2022, 2023)
PEOPLE: list[tuple[int, int, str, date, str, tuple[str | None, ...]]] = [
    (1, 10, "head", date(1980, 5, 1), "Q1Z01", ("unemployed", "unemployed", "employed")),
    (2, 10, "child", date(2010, 1, 1), "Q1Z01", (None, None, None)),
    (3, 20, "head", date(1975, 3, 3), "Q1Z01", ("unemployed", "unemployed", "unemployed")),
    (4, 20, "child", date(2012, 2, 2), "Q1Z01", (None, None, None)),
    (5, 30, "head", date(1985, 7, 7), "Q1Z02", ("employed", "employed", "employed")),
    (6, 30, "child", date(2015, 3, 3), "Q1Z02", (None, None, None)),
    (7, 40, "head", date(1950, 1, 1), "Q1Z02", ("retired", "retired", "retired")),
    (8, 50, "head", date(1982, 9, 9), "Q1Z02", ("other_inactive", "other_inactive", "other_inactive")),
    (9, 50, "child", date(2011, 4, 4), "Q1Z02", (None, None, None)),
]
# names and codes the partner lists carry for the people above (fictitious)
IDENTITY = {1: ("ROSSI", "MARIO", "RSSMRA80E01G224E"), 3: ("BIANCHI", "LUCA", None), 5: ("VERDI", "ANNA", None),
            7: ("NERI", "PIA", None), 8: ("GIALLI", "EVA", None)}


def build_city(db: Database) -> None:
    """Write the warehouse snapshots of the hand-made city (persons and families, zones Q1Z01 and Q1Z02)."""
    t = warehouse_tables()
    ensure_warehouse_tables(db.engine)
    persons, families = [], []
    for k, year in enumerate(YEARS):
        for pid, fam, rel, born, zone, labour in PEOPLE:
            persons.append({"snapshot_year": year, "person_id": pid, "family_id": fam, "relation": rel,
                            "dwelling_id": fam, "sex": "F", "birth_date": born, "age": year - born.year,
                            "citizenship": "IT", "education": None, "labour_status": labour[k],
                            "disability_allowance": False, "care_allowance": False, "section_id": zone + "S1",
                            "zone_id": zone, "quartiere_id": "Q1"})
        for fam in sorted({p[1] for p in PEOPLE}):
            members = [p for p in PEOPLE if p[1] == fam]
            head = next(p for p in members if p[2] == "head")
            families.append({"snapshot_year": year, "family_id": fam, "head_person_id": head[0],
                             "size": len(members), "dwelling_id": fam, "tenure": "rented",
                             "section_id": head[4] + "S1", "zone_id": head[4], "quartiere_id": "Q1"})
    with db.engine.begin() as conn:
        conn.execute(sa.insert(t.snapshot), [{"snapshot_year": y, "reference_date": date(y, 12, 31),
                                              "boundary_version": "test", "origin": "test",
                                              "built_at": datetime.now(UTC)} for y in YEARS])
        conn.execute(sa.insert(t.person), persons)
        conn.execute(sa.insert(t.family), families)


def person_index() -> PersonIndex:
    """The linkage index of the hand-made city (as if the pipeline had linked the registers)."""
    rows = [{"person_id": pid, "codice_fiscale": IDENTITY.get(pid, (None, None, None))[2],
             "surname": IDENTITY.get(pid, ("X", "Y", None))[0], "first_name": IDENTITY.get(pid, ("X", "Y", None))[1],
             "birth_date": born} for pid, _, _, born, _, _ in PEOPLE if pid in IDENTITY]
    return PersonIndex.from_frame(pd.DataFrame(rows))


def pseudonymiser() -> Pseudonymiser:
    """A pseudonymiser with a fixed test key."""
    return Pseudonymiser(Keyring({"t1": b"k" * 32}, "t1"))


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    """Write rows as a comma-separated file with a header; returns the path."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


CALL = {"codice_bando": "B1", "titolo": "Famiglie", "budget_eur": "100000", "data_apertura": "2021-10-01",
        "data_chiusura": "2022-12-31", "gruppo_target": "economic_hardship_families", "eta_min": "18",
        "eta_max": "64", "aree_target": "Q1Z01|Q1Z02"}
ELDERLY_CALL = {**CALL, "codice_bando": "B2", "titolo": "Anziani", "gruppo_target": "elderly_alone",
                "eta_min": "", "eta_max": ""}


def project(pid: str, call: str = "B1", areas: str = "Q1Z01", lead: str = "E001") -> dict[str, str]:
    """A project row of the projects file."""
    return {"codice_progetto": pid, "codice_bando": call, "titolo": f"Progetto {pid}", "ente_capofila": lead,
            "partner": "", "servizi": "", "budget_eur": "20000", "data_inizio": "2022-03-01",
            "data_fine": "2022-12-31", "aree": areas}


def beneficiary(pid: str, person: int, reached: str = "2022-05-01") -> dict[str, str]:
    """A beneficiary row for one of the hand-made people."""
    surname, first, cf = IDENTITY[person]
    born = next(p[3] for p in PEOPLE if p[0] == person)
    return {"codice_progetto": pid, "cognome": surname.title(), "nome": first.title(),
            "data_nascita": born.strftime("%d/%m/%Y"), "codice_fiscale": cf or "", "data_presa_in_carico": reached}


def register(tmp: Path, db: Database, beneficiaries: list[dict[str, str]],
             projects: list[dict[str, str]] | None = None) -> list[Any]:
    """Write calls, projects and one beneficiary list into ``tmp`` and import them; the FileResults."""
    from welfare_district.impact.importer import import_reports

    files = [write_csv(tmp / "bandi.csv", [CALL, ELDERLY_CALL]),
             write_csv(tmp / "progetti.csv", projects or [project("P1"), project("P2", areas="Q1Z01|Q1Z02")]),
             write_csv(tmp / "beneficiari_all.csv", beneficiaries)]
    return import_reports(db, files, index=person_index(), pseudonymiser=pseudonymiser())
