"""Linkage across the comuni of a region: a resident who moved from one comune to another is one person.

Each comune links its own records (see regional.py), so a person registered in two comuni gets one person
id in each. After its linkage a comune keeps, in ``link_register_code``, every trusted codice fiscale of its
register with the person id it links to and the first and last register year it appears in. The merge
copies those rows with the rest and then joins the people of a code held in two or more comuni: each of
their ids becomes the id of the comune that registered the code first (the smaller id on a tie), in
``person_link`` and in the warehouse (persons, case holders, family heads), and the person's code keeps
one row from the first year in any comune to the last.

Only the register's trusted codes count: a resident's code that agrees with their birth date and sex, as
the registry office keeps it. Codes met only in declarations or partners' lists stay linked within their
comune. When two comuni register the same code in overlapping years the people are left apart and
counted: a resident lives in one register at a time, so a code in two registers at once is a record for
the registry offices to settle, not a move.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from welfare_district.engine import Database, bulk_insert, postgresql_key
from welfare_district.warehouse.inputs import int_ids

# The rows that carry a person id, as text in the linkage and as a 63-bit integer in the warehouse.
_TEXT_IDS = (("person_link", "person_id"),)
_INT_IDS = (("wh_person", "person_id"), ("wh_case", "person_id"), ("wh_family", "head_person_id"))
_MAP = "region_person_map"


@dataclass(frozen=True)
class MoverReport:
    """Register codes found in more than one comune: joined into one person, or left apart."""

    codes_joined: int = 0
    ids_replaced: int = 0
    codes_apart: int = 0  # registered in two comuni in overlapping years


@lru_cache(maxsize=1)
def register_code_table() -> sa.Table:
    """``link_register_code``: each trusted register code of a comune, its person and first and last year."""
    return sa.Table(
        "link_register_code", sa.MetaData(),
        sa.Column("codice_fiscale", sa.String(16), nullable=False),
        sa.Column("person_id", sa.String(17), nullable=False),
        sa.Column("first_year", sa.Integer, nullable=False),
        sa.Column("last_year", sa.Integer, nullable=False),
        postgresql_key("codice_fiscale", "person_id"),
    )


def write_register_codes(db: Database, register_source: str = "anagrafe") -> int:
    """Replace ``link_register_code`` with the trusted register codes of the current linkage (one
    transaction); returns the rows written. A code is written as the linkage compares it: trimmed, upper case.
    """
    table = register_code_table()
    table.metadata.create_all(db.engine, checkfirst=True)
    with db.engine.begin() as conn:
        conn.execute(sa.delete(table))
        conn.execute(sa.text(
            "INSERT INTO link_register_code (codice_fiscale, person_id, first_year, last_year) "
            "SELECT UPPER(TRIM(r.codice_fiscale)), l.person_id, MIN(r.reference_year), MAX(r.reference_year) "
            "FROM person_link l JOIN person_record r ON r.load_id = l.load_id AND r.row_number = l.row_number "
            "WHERE l.source = :source AND l.cf_status = 'trusted' AND r.reference_year IS NOT NULL "
            "GROUP BY UPPER(TRIM(r.codice_fiscale)), l.person_id"), {"source": register_source})
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def movers(codes: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """``(old_id -> new_id mapping, codes left apart)`` from the register codes held by several person ids.

    ``codes`` has codice_fiscale, person_id, first_year, last_year. Guarantees: each code's ids map to the
    id of its earliest first year (ties: the smaller id); a code whose people overlap in years maps nothing.
    """
    if codes.empty:
        return pd.DataFrame({"old_id": [], "new_id": []}, dtype=object), 0
    rows = codes.sort_values(["codice_fiscale", "first_year", "person_id"], kind="mergesort", ignore_index=True)
    by_code = rows.groupby("codice_fiscale", sort=False)
    # a code's years overlap when a comune's first year is not after every earlier comune's last year
    seen_last = by_code["last_year"].cummax().groupby(rows["codice_fiscale"], sort=False).shift()
    overlapping = (rows["first_year"] <= seen_last).groupby(rows["codice_fiscale"], sort=False).transform("any")
    keep = rows.loc[~overlapping.to_numpy(dtype=bool)]
    first = keep.groupby("codice_fiscale", sort=False)["person_id"].transform("first")
    moved = keep["person_id"] != first
    mapping = pd.DataFrame({"old_id": keep.loc[moved, "person_id"].to_numpy(dtype=object),
                            "new_id": first[moved].to_numpy(dtype=object)})
    apart = int(rows.loc[overlapping.to_numpy(dtype=bool), "codice_fiscale"].nunique())
    return mapping, apart


def join_movers(conn: sa.Connection, db: Database) -> MoverReport:
    """Give the people of a register code held in several comuni one id, inside the caller's transaction.

    Guarantees: only ids of codes found in two or more comuni without overlapping years change, in every
    table named in the module docstring; running it again changes nothing.
    """
    shared = conn.execute(sa.text(
        "SELECT codice_fiscale, person_id, first_year, last_year FROM link_register_code WHERE codice_fiscale IN "
        "(SELECT codice_fiscale FROM link_register_code GROUP BY codice_fiscale "
        "HAVING COUNT(DISTINCT person_id) > 1)")).fetchall()
    codes = pd.DataFrame(shared, columns=["codice_fiscale", "person_id", "first_year", "last_year"])
    mapping, apart = movers(codes)
    if mapping.empty:
        return MoverReport(codes_apart=apart)
    joined = int(codes.loc[codes["person_id"].isin(mapping["old_id"]), "codice_fiscale"].nunique())
    temp = sa.Table(_MAP, sa.MetaData(), sa.Column("old_id", sa.String(17)), sa.Column("new_id", sa.String(17)),
                    sa.Column("old_int", sa.BigInteger), sa.Column("new_int", sa.BigInteger),
                    prefixes=["TEMPORARY"])
    # created and dropped inside the transaction: a rollback removes it on both engines
    temp.create(conn)
    bulk_insert(conn, db.dialect, _MAP, pa.table({
        "old_id": pa.array(mapping["old_id"], pa.string()), "new_id": pa.array(mapping["new_id"], pa.string()),
        "old_int": pa.array(int_ids(mapping["old_id"]).to_numpy(dtype=np.int64), pa.int64()),
        "new_int": pa.array(int_ids(mapping["new_id"]).to_numpy(dtype=np.int64), pa.int64()),
    }))
    for name, column, old, new in [*((t, c, "old_id", "new_id") for t, c in _TEXT_IDS),
                                   *((t, c, "old_int", "new_int") for t, c in _INT_IDS)]:
        conn.execute(sa.text(f"UPDATE {name} SET {column} = m.{new} FROM {_MAP} m WHERE {name}.{column} = m.{old}"))
    # a joined person's code: one row from the first year in any comune to the last
    new_of = pd.Series(mapping["new_id"].to_numpy(), index=mapping["old_id"].to_numpy())
    renamed = codes["person_id"].map(new_of)  # a hash lookup per row (Series.replace compares per key)
    joined_rows = codes.assign(person_id=renamed.where(renamed.notna(), codes["person_id"]))
    joined_rows = joined_rows[joined_rows["person_id"].isin(mapping["new_id"])]
    merged = joined_rows.groupby(["codice_fiscale", "person_id"], as_index=False).agg(
        first_year=("first_year", "min"), last_year=("last_year", "max"))
    conn.execute(sa.text(f"DELETE FROM link_register_code WHERE person_id IN (SELECT old_id FROM {_MAP}) "
                         f"OR person_id IN (SELECT new_id FROM {_MAP})"))
    bulk_insert(conn, db.dialect, "link_register_code", pa.Table.from_pandas(merged, preserve_index=False))
    temp.drop(conn)
    return MoverReport(codes_joined=joined, ids_replaced=len(mapping), codes_apart=apart)
