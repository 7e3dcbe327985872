"""Reading the generator's ground truth with bounded memory.

Persons, dwellings and house numbers are held once (they are needed by every source); yearly tables are
read one snapshot at a time through a pyarrow dataset filter, so row groups of other years are skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar, cast

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow.dataset as ds

from welfare_district.errors import InputError

T = TypeVar("T")
PERSON_COLUMNS = [
    "person_id",
    "surname",
    "first_name",
    "sex",
    "birth_date",
    "birth_place_code",
    "citizenship",
    "codice_fiscale",
    "arrival_date",
]


class IdLookup:
    """Positions of ids in a column, built once: a direct table when ids are dense (the usual case), else
    a hash index. Rebuilding a pandas Index per call cost seconds per chunk at region scale."""

    def __init__(self, ids: npt.NDArray[np.int64]) -> None:
        self._index: pd.Index | None = None
        self._lo = int(ids.min()) if len(ids) else 0
        span = int(ids.max()) - self._lo + 1 if len(ids) else 0
        if span <= 4 * len(ids) + 1024:
            self._table = np.full(span, -1, dtype=np.int64)
            self._table[ids - self._lo] = np.arange(len(ids))
        else:
            self._index = pd.Index(ids)

    def find(self, ids: npt.ArrayLike) -> npt.NDArray[np.intp]:
        """Position of each id, -1 when absent."""
        q = np.asarray(ids, dtype=np.int64)
        if self._index is not None:
            return self._index.get_indexer(pd.Index(q))
        k = q - self._lo
        inside = (k >= 0) & (k < len(self._table))
        return np.where(inside, self._table[np.where(inside, k, 0)], -1).astype(np.intp)


def _dataset(path: Path) -> ds.Dataset:
    # a table may be one file or a folder of part files
    for candidate in (path.with_suffix(".parquet"), path):
        if candidate.exists():
            return ds.dataset(str(candidate), format="parquet")
    raise InputError(f"truth table {path.name} not found", path=str(path))


# the id column that tells which district a row of each truth table belongs to (ids are offset per district)
DISTRICT_KEY = {
    "persons": "person_id",
    "person_year": "person_id",
    "family_year": "family_id",
    "dwellings": "dwelling_id",
    "isee": "dsu_id",
    "cases": "case_id",
}


class Truth:
    """Lazy access to ``<truth_dir>/*.parquet`` and ``<truth_dir>/../areas/civici.csv``.

    With ``id_range`` (lo, hi) only the rows whose district key (``DISTRICT_KEY``; ``civico_id`` for house
    numbers) lies in [lo, hi) are seen: one virtual district of a region, read through the Parquet statistics
    so that the row groups of other districts are skipped.
    """

    def __init__(self, truth_dir: Path, id_range: tuple[int, int] | None = None) -> None:
        self.dir = truth_dir
        self.civici_path = truth_dir.parent / "areas" / "civici.csv"
        self.id_range = id_range
        self._derived: dict[str, Any] = {}

    def derived(self, name: str, build: Callable[[], T]) -> T:
        """A value computed once from the truth (e.g. columns aligned with ``persons``) and then reused."""
        if name not in self._derived:
            self._derived[name] = build()
        return cast(T, self._derived[name])

    def table(self, name: str, year: int | None = None, columns: list[str] | None = None) -> pd.DataFrame:
        """One truth table (optionally one snapshot year), as pandas with datetime64 dates."""
        dset = _dataset(self.dir / name)
        flt = (ds.field("year") == year) if year is not None else None
        if self.id_range is not None:
            key = ds.field(DISTRICT_KEY[name])
            inside = (key >= self.id_range[0]) & (key < self.id_range[1])
            flt = inside if flt is None else flt & inside
        df = dset.to_table(columns=columns, filter=flt).to_pandas(date_as_object=False)
        for col in df.columns:
            if df[col].dtype.kind == "M":
                df[col] = df[col].astype("datetime64[s]")
        return df

    def forget(self, prefix: str) -> None:
        """Drop derived values whose name starts with ``prefix`` (to free memory once a source is done)."""
        for name in [n for n in self._derived if n.startswith(prefix)]:
            del self._derived[name]

    @cached_property
    def years(self) -> list[int]:
        """Snapshot years present in family_year, ascending."""
        y = self.table("family_year", columns=["year"])["year"]
        return sorted(int(v) for v in pd.unique(y.to_numpy()))

    @cached_property
    def persons(self) -> pd.DataFrame:
        """All persons, sorted by person_id (positional lookups go through ``person_pos``)."""
        df = self.table("persons", columns=PERSON_COLUMNS).sort_values("person_id", kind="stable")
        return df.reset_index(drop=True)

    @cached_property
    def _person_lookup(self) -> IdLookup:
        return IdLookup(self.persons["person_id"].to_numpy(dtype=np.int64))

    @cached_property
    def _dwelling_lookup(self) -> IdLookup:
        return IdLookup(self.dwellings["dwelling_id"].to_numpy(dtype=np.int64))

    def person_pos(self, person_ids: npt.ArrayLike) -> npt.NDArray[np.intp]:
        """Row positions in ``persons`` of the given ids; raises if an id is unknown."""
        pos = self._person_lookup.find(person_ids)
        if (pos < 0).any():
            raise InputError("truth references persons missing from persons.parquet", path=str(self.dir))
        return pos

    def age_at(self, person_ids: npt.ArrayLike, year: int) -> npt.NDArray[np.int64]:
        """Age in completed years on 31 December of ``year``."""
        births = self.persons["birth_date"].to_numpy()[self.person_pos(person_ids)].astype("datetime64[D]")
        return year - births.astype("datetime64[Y]").astype(np.int64) - 1970

    @cached_property
    def civici(self) -> pd.DataFrame:
        """The house-number register, indexed by civico_id; empty suffixes are ''."""
        df = pd.read_csv(
            self.civici_path,
            dtype={
                "street_code": str,
                "street_type": str,
                "street_name": str,
                "suffix": str,
                "section_id": str,
                "zone_id": str,
                "quartiere_id": str,
            },
            keep_default_na=False,
        )
        df["number"] = pd.to_numeric(df["number"], errors="coerce").fillna(0).astype("int64")
        if self.id_range is not None:
            ids = df["civico_id"].to_numpy(dtype=np.int64)
            df = df[(ids >= self.id_range[0]) & (ids < self.id_range[1])]
        return df.set_index("civico_id", drop=False)

    @cached_property
    def dwellings(self) -> pd.DataFrame:
        """Dwellings joined with their house number, indexed by dwelling_id."""
        dw = self.table("dwellings")
        civ = self.civici.drop(columns=["section_id", "zone_id", "quartiere_id"]).reset_index(drop=True)
        out = dw.merge(civ, on="civico_id", how="left", validate="many_to_one")
        if out["street_name"].isna().any():
            raise InputError("dwellings reference civici missing from civici.csv", path=str(self.civici_path))
        out["interno"] = out["interno"].fillna("").astype(str)
        return out.set_index("dwelling_id", drop=False)

    def dwelling_pos(self, dwelling_ids: npt.ArrayLike) -> npt.NDArray[np.intp]:
        """Row positions in ``dwellings`` of the given ids; raises if an id is unknown."""
        pos = self._dwelling_lookup.find(dwelling_ids)
        if (pos < 0).any():
            raise InputError("truth references dwellings missing from dwellings.parquet", path=str(self.dir))
        return pos

    @cached_property
    def moves(self) -> pd.DataFrame:
        """Every change of dwelling between consecutive snapshots: person_id, year (of arrival in the new
        dwelling), old (the dwelling left); sorted by person and year. Movers are few, so this stays small."""
        parts = []
        prev: pd.DataFrame | None = None
        for y in self.years:
            py = self.table("person_year", y, ["person_id", "dwelling_id"])
            if prev is not None:
                m = py.merge(prev, on="person_id", suffixes=("", "_old"))
                m = m[m["dwelling_id"] != m["dwelling_id_old"]]
                parts.append(
                    pd.DataFrame(
                        {
                            "person_id": m["person_id"].to_numpy(),
                            "year": y,
                            "old": m["dwelling_id_old"].to_numpy(),
                        }
                    )
                )
            prev = py
        if not parts:
            return pd.DataFrame(
                {
                    "person_id": np.zeros(0, np.int64),
                    "year": np.zeros(0, np.int64),
                    "old": np.zeros(0, np.int64),
                }
            )
        out = pd.concat(parts, ignore_index=True).astype("int64")
        return out.sort_values(["person_id", "year"], kind="stable").reset_index(drop=True)

    def previous_dwelling(self, year: int, person_ids: npt.ArrayLike, current: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Per person, the dwelling left at their latest move up to ``year`` (0 if none, or if it equals
        ``current``)."""
        ids = np.asarray(person_ids, dtype=np.int64)
        cur = np.asarray(current, dtype=np.int64)
        ev = self.moves[self.moves["year"] <= year].drop_duplicates("person_id", keep="last")
        if ev.empty:
            return np.zeros(len(ids), dtype=np.int64)
        pos = pd.Index(ev["person_id"]).get_indexer(ids)
        old = np.where(pos >= 0, ev["old"].to_numpy()[np.maximum(pos, 0)], 0)
        return np.where(old == cur, 0, old).astype(np.int64)

    def dwelling_near(
        self,
        person_ids: npt.ArrayLike,
        ref_years: npt.ArrayLike,
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Per person, (dwelling, family) in the latest snapshot not after its reference year, else in the
        earliest snapshot after it; zeros for people never resident."""
        ids = np.asarray(person_ids, dtype=np.int64)
        ref = np.asarray(ref_years, dtype=np.int64)
        dw = np.zeros(len(ids), dtype=np.int64)
        fam = np.zeros(len(ids), dtype=np.int64)
        best = np.full(len(ids), 10_000, dtype=np.int64)  # distance in years to the chosen snapshot
        for y in self.years:
            py = self.table("person_year", y, ["person_id", "dwelling_id", "family_id"])
            pos = pd.Index(py["person_id"]).get_indexer(ids)
            dist = np.where(y <= ref, ref - y, 1000 + y - ref)  # earlier snapshots preferred
            better = (pos >= 0) & (dist < best)
            dw[better] = py["dwelling_id"].to_numpy()[pos[better]]
            fam[better] = py["family_id"].to_numpy()[pos[better]]
            best[better] = dist[better]
        return dw, fam
