"""The geocode stage on staged records: every person-level row's address, stored per source in one go.

Register rows are structured (street, house number, suffix); every other source's address is one free-text
field. All rows go through one ``GeocodeIndex`` in one call, and the results of every source replace the
stored ones in one transaction. Record ids are those of linkage (``<source>:<file>:<row>``).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from welfare_district.engine import Database, bulk_insert
from welfare_district.errors import NotFoundError
from welfare_district.geo.geocode import TEXT_DTYPE, GeocodeIndex, geocode_frame, geocode_table
from welfare_district.geo.store import read_register
from welfare_district.link.staging import current_load_ids, read_frame, record_ids

_STORED = ["record_id", "civico_id", "street_code", "section_id", "zone_id", "quartiere_id", "match_kind",
           "score", "reason"]


def staged_addresses(db: Database, load_ids: list[str] | None = None) -> pd.DataFrame:
    """Address fields of every staged person record of the current loads, with its ``record_id``."""
    loads = current_load_ids(db) if load_ids is None else load_ids
    rows = read_frame(db, "person_record", ["source", "file_name", "row_number", "address", "house_number",
                                            "house_number_suffix", "municipality"], loads)
    rows.insert(0, "record_id", record_ids(rows))
    return rows


def geocode_staging(db: Database) -> pd.DataFrame:
    """Geocode every staged address and replace the stored results of each source, atomically.

    Returns the results (``geocode_frame`` columns plus ``source``), one row per staged person record.
    Rows without an address are stored as unmatched with reason ``empty``; each row is matched within the
    comune its source gives (``municipality``), or the register's only comune when the source gives none.
    Raises NotFoundError when no house numbers are stored. Sources no longer staged keep their earlier
    stored rows.
    """
    civici = read_register(db)
    if civici.empty:
        raise NotFoundError("No house numbers are stored: run the areas stage first")
    rows = staged_addresses(db)
    results = geocode_frame(rows, GeocodeIndex(civici), id_column="record_id", text_column="address",
                            number_column="house_number", suffix_column="house_number_suffix",
                            comune_column="municipality")
    # the text column as it is: two million Python strings would be converted back to Arrow at once
    results.insert(0, "source", rows["source"].array if rows["source"].dtype == TEXT_DTYPE
                   else rows["source"].to_numpy())
    table = geocode_table()
    table.metadata.create_all(db.engine, checkfirst=True)
    with db.engine.begin() as conn:
        for source in sorted(results["source"].unique()):
            conn.execute(sa.delete(table).where(table.c.source == source))
        bulk_insert(conn, db.dialect, table.name, _arrow(results))
    return results


def _arrow(results: pd.DataFrame) -> pa.Table:
    text = pa.string()

    def strings(col: str) -> pa.Array:
        # from the column itself (nulls stay null), without a Python list of two million values
        return pa.array(results[col], text, from_pandas=True)

    return pa.table({
        "source": strings("source"), "record_id": strings("record_id"),
        "civico_id": pa.array(results["civico_id"].astype("Int64"), pa.int64()),
        "street_code": strings("street_code"), "section_id": strings("section_id"),
        "zone_id": strings("zone_id"), "quartiere_id": strings("quartiere_id"),
        "match_kind": strings("match_kind"),
        "score": pa.array(results["score"].astype("float64").to_numpy(), pa.float64()),
        "reason": strings("reason"),
        # one timestamp repeated in Arrow: an array of two million datetime objects took a second to convert
        "geocoded_at": pa.repeat(pa.scalar(datetime.now(UTC), pa.timestamp("us", tz="UTC")), len(results)),
    })


def stored_geocodes(db: Database, sources: list[str] | None = None,
                    columns: list[str] | None = None) -> pd.DataFrame:
    """Stored results (``record_id``, civico and area ids, match kind) of ``sources`` (default: all); with
    ``columns``, only those (read as they are: two million rows of unused columns cost time)."""
    table = geocode_table()
    table.metadata.create_all(db.engine, checkfirst=True)
    t = db.ibis.table(table.name)
    if sources is not None:
        t = t.filter(t.source.isin(sources))
    return t.select(*(["source", *_STORED] if columns is None else columns)).to_pyarrow().to_pandas()
