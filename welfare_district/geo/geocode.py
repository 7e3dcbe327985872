"""Geocoding: addresses -> house number (civico) -> section, zone and quartiere.

``geocode_frame`` is pure (no database): it parses each distinct address once, finds the register streets
it can mean, and resolves the house number among them. ``geocode_source`` does the same against the civici
stored in the database and keeps the outcome in the ``geocode_result`` table.

A match is only returned when exactly one register civico fits; anything doubtful is left unmatched with a
reason, because a household placed in the wrong area is worse for the indicators than one not placed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from welfare_district.engine import Database, bulk_insert, postgresql_key
from welfare_district.errors import InputError, NotFoundError
from welfare_district.geo.address import (
    ParsedAddress,
    StreetIndex,
    normalise_suffix,
    parse_address,
    parse_street_and_number,
)
from welfare_district.geo.comune import NO_COMUNE, OUTSIDE, ComuneLookup

MATCH_KINDS = ("exact", "suffix_dropped", "suffix_assumed", "type_inferred", "initial", "type_differs",
               "fuzzy_street", "unmatched")
REASONS = ("empty", "no_number", "unknown_street", "ambiguous_street", "number_not_in_street", NO_COMUNE, OUTSIDE)
RESULT_COLUMNS = ["record_id", "civico_id", "street_code", "section_id", "zone_id", "quartiere_id", "match_kind",
                  "street_match", "number_match", "score", "reason", "number", "suffix", "interno"]
_NUMBER_RANK = {"exact": 0, "suffix_dropped": 1, "suffix_assumed": 2}
_NUMBER_PENALTY = {"exact": 0.0, "suffix_dropped": 5.0, "suffix_assumed": 10.0}
TEXT_DTYPE = pd.StringDtype("pyarrow", na_value=np.nan)  # the default text dtype (string inference)


@dataclass(frozen=True)
class Resolution:
    """The outcome for one distinct address: a register row position (-1 when unmatched) and how."""

    position: int
    street_code: str | None
    match_kind: str
    street_match: str | None
    number_match: str | None
    score: float
    reason: str | None


class _Register:
    """The streets and numbers of one comune; positions are rows of the whole register."""

    def __init__(self, streets: StreetIndex, ids: npt.NDArray[np.int64], numbers: list[int], suffixes: list[str],
                 positions: list[int]) -> None:
        self.streets = streets
        self._exact: dict[tuple[int, int, str], int] = {}
        self._suffixed: dict[tuple[int, int], list[int]] = {}
        for pos, sid, number, suffix in zip(positions, ids.tolist(), numbers, suffixes, strict=True):
            self._exact[(sid, number, suffix)] = pos
            if suffix:
                self._suffixed.setdefault((sid, number), []).append(pos)
        self._cache: dict[tuple[Any, ...], Resolution] = {}

    def resolve(self, parsed: ParsedAddress, trust_type: bool) -> Resolution:
        key = (parsed.street_type, parsed.street_name_norm, parsed.street_text, parsed.number, parsed.suffix,
               trust_type)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = self._resolve(parsed, trust_type)
        return hit

    def _number(self, sid: int, number: int, suffix: str) -> tuple[int, str] | None:
        pos = self._exact.get((sid, number, suffix))
        if pos is not None:
            return pos, "exact"
        if suffix:
            pos = self._exact.get((sid, number, ""))
            return None if pos is None else (pos, "suffix_dropped")
        siblings = self._suffixed.get((sid, number), [])
        # "12" when the register only has 12/A: the same entrance, unless there are several suffixes
        return (siblings[0], "suffix_assumed") if len(siblings) == 1 else None

    def _resolve(self, parsed: ParsedAddress, trust_type: bool) -> Resolution:
        if parsed.is_empty:
            return _unmatched("empty")
        street = self.streets.match(parsed)
        if not street.candidates or street.candidates[0].kind == "fuzzy_street":
            named = [sid for text in (parsed.street_name_norm, parsed.street_text) if parsed.number
                     for sid in self.streets.lookup_name(f"{text} {parsed.number}")]
            if named:
                # the "number" belongs to the name (VIA RAGAZZI DEL 99) and no house number was written
                return _unmatched("no_number", self.streets.streets[named[0]][0])
        if not street.candidates:
            return _unmatched(street.reason or "unknown_street")
        only = street.candidates[0].street_code if len(street.candidates) == 1 else None
        if parsed.number is None:
            return _unmatched("no_number", only)
        fits = [(c, r) for c in street.candidates
                if (r := self._number(c.street_id, parsed.number, parsed.suffix)) is not None]
        if not fits:
            return _unmatched("number_not_in_street", only)
        best = min(_NUMBER_RANK[r[1]] for _, r in fits)
        fits = [(c, r) for c, r in fits if _NUMBER_RANK[r[1]] == best]
        if len(fits) > 1 and trust_type:
            fits = [(c, r) for c, r in fits if c.kind == "exact"] or fits
        if len(fits) > 1:
            return _unmatched("ambiguous_street")
        cand, (pos, number_kind) = fits[0]
        kind = cand.kind if cand.kind != "exact" else number_kind
        return Resolution(pos, cand.street_code, kind, cand.kind, number_kind,
                          max(0.0, cand.score - _NUMBER_PENALTY[number_kind]), None)


class GeocodeIndex:
    """The civici register prepared for matching, one street and number index per comune; build once and
    reuse across calls (results are cached)."""

    def __init__(self, civici: pd.DataFrame) -> None:
        """``civici`` has the register columns of ``geo.store.read_civici``, optionally COMUNE_COLUMNS (as
        ``geo.store.read_register`` gives them); (comune, street_code, number, suffix) must be unique, as
        ``save_areas`` guarantees. Without comune columns the register is one comune."""
        missing = [c for c in ("civico_id", "street_code", "street_type", "street_name", "number", "suffix",
                               "section_id", "zone_id", "quartiere_id") if c not in civici.columns]
        if missing:
            raise InputError(f"civici lack columns {missing}", field=missing[0])
        self.civici = civici.reset_index(drop=True)
        self.comuni = ComuneLookup(self.civici)
        triples = self.civici[["street_code", "street_type", "street_name"]].astype(str)
        numbers = pd.to_numeric(self.civici["number"], errors="coerce").fillna(0).astype("int64").to_numpy()
        suffixes = np.array([normalise_suffix(s) for s in self.civici["suffix"].to_numpy()], dtype=object)
        comune = (self.civici["comune_id"].astype(object).where(self.civici["comune_id"].notna(), "").astype(str)
                  if self.comuni.checked else pd.Series("", index=self.civici.index))
        shared: dict[tuple[tuple[str, str, str], ...], StreetIndex] = {}
        self._registers: dict[str, _Register] = {}
        for cid, rows in comune.groupby(comune, sort=True).groups.items():
            pos = np.asarray(rows, dtype=np.int64)
            mine = triples.iloc[pos]
            street_set = tuple(dict.fromkeys(mine.itertuples(index=False, name=None)))
            # comuni with the very same street register (the synthetic region) share one street index and
            # its cache of street matches; numbers stay per comune
            streets = shared.get(street_set)
            if streets is None:
                streets = shared[street_set] = StreetIndex(street_set)
            # street ids per civico through the distinct streets only (a few thousand, not 26k lookups)
            codes, uniques = pd.factorize(pd.Series(list(mine.itertuples(index=False, name=None)), dtype=object))
            ids = np.array([streets.street_id(*u) for u in uniques] + [-1], dtype=np.int64)[codes]
            self._registers[str(cid)] = _Register(streets, ids, numbers[pos].tolist(), suffixes[pos].tolist(),
                                                  pos.tolist())
        if not self._registers:
            self._registers[""] = _Register(StreetIndex([]), np.zeros(0, np.int64), [], [], [])
        self.streets = next(iter(self._registers.values())).streets

    def resolve(self, parsed: ParsedAddress, trust_type: bool = False, comune: object = None) -> Resolution:
        """The civico ``parsed`` designates in the comune ``comune`` names, or why there is none; the same
        input always gives the same answer.

        ``comune`` (ISTAT code, area id or name) may be empty only when the register holds one comune; a
        comune the register does not hold gives reason ``comune_outside_register``, none in a register of
        several comuni ``no_comune``. ``trust_type``: the street type was written by a register (structured
        columns), so a street of that very type and name wins over readings that take the type word as part
        of a name.
        """
        return self.resolve_in(self.comuni.resolve(comune), parsed, trust_type)

    def resolve_in(self, place: tuple[str | None, str | None], parsed: ParsedAddress,
                   trust_type: bool = False) -> Resolution:
        """``resolve`` once the comune is looked up: ``place`` is ``self.comuni.resolve(comune)``'s answer (a
        batch looks each spelling up once)."""
        cid, reason = place
        if cid is None:
            return _unmatched(reason or OUTSIDE)
        return self._registers[cid].resolve(parsed, trust_type)


def _unmatched(reason: str, street_code: str | None = None) -> Resolution:
    return Resolution(-1, street_code, "unmatched", None, None, 0.0, reason)


def _as_text(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), "").astype(str)


def _number_text(values: pd.Series) -> pd.Series:
    return values.str.strip().str.replace(r"\.0$", "", regex=True)


def _text_codes(values: pd.Series, clean: Callable[[pd.Series], pd.Series] | None = None
                ) -> tuple[npt.NDArray[np.intp], list[str]]:
    """(code per row, distinct texts) of ``_as_text(values)``, then ``clean``; codes index the texts.

    Text columns are factorized as they are and only their distinct values converted and cleaned: the
    same texts as converting every row, without two million string operations.
    """
    if values.dtype == TEXT_DTYPE:
        # _as_text of the default text dtype is its missing values as "": they take the code of "" (a new
        # one when no row is ""), rather than filling two million rows before factorizing
        codes, uniques = pd.factorize(values, sort=False, use_na_sentinel=True)
        texts = pd.Series(uniques, dtype="str")
        if (codes < 0).any():
            empty = np.flatnonzero((texts == "").to_numpy())
            if not len(empty):
                texts = pd.concat([texts, pd.Series([""], dtype="str")], ignore_index=True)
            codes = np.where(codes < 0, empty[0] if len(empty) else len(texts) - 1, codes)
    else:
        codes, uniques = pd.factorize(_as_text(values), sort=False)
        texts = pd.Series(uniques, dtype="str")
    if clean is not None:
        # cleaning may make two texts equal ("12.0" and "12"): they get one code
        remap, cleaned = pd.factorize(clean(texts), sort=False)
        codes, texts = remap[codes], pd.Series(cleaned, dtype="str")
    return np.asarray(codes, dtype=np.intp), [str(t) for t in texts]


def _constant_codes(rows: int) -> tuple[npt.NDArray[np.intp], list[str]]:
    return np.zeros(rows, dtype=np.intp), [""]


def _combined_codes(parts: list[npt.NDArray[np.intp]]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """(code per row of its distinct combination of ``parts``, first row of each combination), the codes
    numbered in order of first appearance."""
    sizes = [int(codes.max(initial=0)) + 1 for codes in parts]
    key = np.zeros(len(parts[0]), dtype=np.int64)
    if np.prod(np.array(sizes, dtype=np.float64)) < 2.0 ** 62:
        # the codes as the digits of one number (no overflow): one factorization, the same combinations
        for codes, size in zip(parts, sizes, strict=True):
            key = key * size + codes
        key = pd.factorize(key, sort=False)[0].astype(np.int64)
    else:
        for codes, size in zip(parts, sizes, strict=True):
            # re-factorizing keeps the combined key below rows * (values + 1): no overflow
            key = pd.factorize(key * size + codes, sort=False)[0].astype(np.int64)
    # codes are numbered in order of first appearance: a row is a first one when its code exceeds all before
    first = np.flatnonzero(np.diff(np.maximum.accumulate(key), prepend=-1) > 0)
    return key.astype(np.intp), first


def geocode_frame(
    addresses: pd.DataFrame,
    civici: pd.DataFrame | GeocodeIndex,
    *,
    id_column: str | None = "record_id",
    text_column: str = "address_text",
    number_column: str | None = None,
    suffix_column: str | None = None,
    comune_column: str | None = None,
) -> pd.DataFrame:
    """Geocode every row of ``addresses``; one output row per input row, in the same order (RESULT_COLUMNS).

    Free text: ``text_column`` holds the whole address. Structured: ``text_column`` holds the street
    ("VIA ROMA") and ``number_column`` the house number, optionally ``suffix_column`` its suffix; a row whose
    number is empty is read as free text, so staged records of several sources can go in one call. Without
    ``id_column`` in the frame, record_id is the frame's index. Pure: nothing is read or written elsewhere.
    ``comune_column`` names each row's comune (ISTAT code, area id or name): a row is only matched within its
    comune; an empty one means the register's only comune (reason ``no_comune`` when it holds several), an
    unknown one gives ``comune_outside_register``. Without it every row is in the register's only comune.
    Unmatched rows have match_kind 'unmatched' and a reason in REASONS; matched rows have reason None.
    """
    index = civici if isinstance(civici, GeocodeIndex) else GeocodeIndex(civici)
    for col in (text_column, number_column, suffix_column, comune_column):
        if col is not None and col not in addresses.columns:
            raise InputError(f"column {col!r} not found; columns are {list(map(str, addresses.columns))}",
                             field=col)
    text = _text_codes(addresses[text_column])
    comune = _text_codes(addresses[comune_column]) if comune_column else _constant_codes(len(addresses))
    if number_column is None:
        codes, first = _combined_codes([text[0], comune[0]])
        towns = [comune[1][i] for i in comune[0][first]]
        parsed = [parse_address(text[1][i]) for i in text[0][first]]
        structured = [False] * len(parsed)
    else:
        number = _text_codes(addresses[number_column], _number_text)
        suffix = _text_codes(addresses[suffix_column]) if suffix_column else _constant_codes(len(addresses))
        codes, first = _combined_codes([comune[0], text[0], number[0], suffix[0]])
        towns = [comune[1][i] for i in comune[0][first]]
        split = [(text[1][t], number[1][n], suffix[1][x])
                 for t, n, x in zip(text[0][first].tolist(), number[0][first].tolist(), suffix[0][first].tolist(),
                                    strict=True)]
        # rows without a number of their own are read as free text, so one call serves mixed sources
        structured = [bool(n) for _, n, _ in split]
        parsed = [parse_street_and_number(t, n, x) if n else parse_address(t) for t, n, x in split]
    # a comune is looked up once per distinct spelling, not once per distinct address
    places = {town: index.comuni.resolve(town) for town in dict.fromkeys(towns)}
    outcomes = [index.resolve_in(places[c], p, t) for p, t, c in zip(parsed, structured, towns, strict=True)]
    # one row per distinct address (position -1, unmatched, picks the trailing None of the register columns);
    # spread to every row by one take per column rather than building two million Python objects
    upos = np.array([o.position for o in outcomes], dtype=np.int64)
    civ = index.civici

    def take(column: str) -> npt.NDArray[np.object_]:
        return np.array([*civ[column].tolist(), None], dtype=object)[upos]

    def per_address(values: list[Any]) -> npt.NDArray[np.object_]:
        return np.array(values, dtype=object)

    distinct = pd.DataFrame({
        "civico_id": pd.Series(take("civico_id"), dtype="Int64"),
        "street_code": per_address([o.street_code for o in outcomes]),
        "section_id": take("section_id"),
        "zone_id": take("zone_id"),
        "quartiere_id": take("quartiere_id"),
        "match_kind": per_address([o.match_kind for o in outcomes]),
        "street_match": per_address([o.street_match for o in outcomes]),
        "number_match": per_address([o.number_match for o in outcomes]),
        "score": np.array([o.score for o in outcomes], dtype=np.float64),
        "reason": per_address([o.reason for o in outcomes]),
        "number": pd.Series(per_address([p.number for p in parsed]), dtype="Int64"),
        "suffix": per_address([p.suffix for p in parsed]),
        "interno": per_address([p.interno for p in parsed]),
    })
    # every distinct address occurs in some row, so each column holds the same set of values (and gets the
    # same dtype) as one built row by row
    out = distinct.take(codes)
    out.index = addresses.index
    ids = (addresses[id_column] if id_column is not None and id_column in addresses.columns
           else pd.Series(addresses.index, index=addresses.index))
    # text ids are kept as they are: converting two million strings to objects and back costs seconds
    out.insert(0, "record_id", ids.array if ids.dtype == TEXT_DTYPE else ids.to_numpy())
    return out


def match_summary(results: pd.DataFrame) -> pd.DataFrame:
    """Counts and shares per outcome: one row per match_kind (matched) and per reason (unmatched)."""
    outcome = results["match_kind"].where(results["match_kind"] != "unmatched",
                                          "unmatched: " + results["reason"].astype(str))
    counts = outcome.value_counts().rename_axis("outcome").reset_index(name="records")
    counts["share"] = counts["records"] / max(len(results), 1)
    order = {k: i for i, k in enumerate(MATCH_KINDS[:-1] + tuple(f"unmatched: {r}" for r in REASONS))}
    return counts.sort_values("outcome", key=lambda s: s.map(order).fillna(99)).reset_index(drop=True)


@lru_cache(maxsize=1)
def geocode_table() -> sa.Table:
    """The ``geocode_result`` table: one row per (source, record_id), replaced per source on each run."""
    table = sa.Table(
        "geocode_result", sa.MetaData(),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("record_id", sa.String(200), nullable=False),
        sa.Column("civico_id", sa.BigInteger, nullable=True),
        sa.Column("street_code", sa.String(16), nullable=True),
        sa.Column("section_id", sa.String(64), nullable=True),
        sa.Column("zone_id", sa.String(64), nullable=True),
        sa.Column("quartiere_id", sa.String(64), nullable=True),
        sa.Column("match_kind", sa.String(32), nullable=False),
        sa.Column("score", sa.Double, nullable=False),
        sa.Column("reason", sa.String(32), nullable=True),
        sa.Column("geocoded_at", sa.DateTime(timezone=True), nullable=False),
        postgresql_key("source", "record_id"),  # replaced per source in one transaction
    )
    # PostgreSQL answers per-section lookups from this index; DuckDB scans the column, and maintaining the
    # index made storing two million results seconds slower
    sa.Index("ix_geocode_result_section_id", table.c.section_id).ddl_if(dialect="postgresql")
    return table


_STORED = ["record_id", "civico_id", "street_code", "section_id", "zone_id", "quartiere_id", "match_kind",
           "score", "reason"]


def store_geocodes(db: Database, source: str, results: pd.DataFrame) -> int:
    """Replace the stored results of ``source`` with ``results`` in one transaction; returns rows written.

    Record ids must be unique (InputError otherwise, naming how many repeat, never their content).
    """
    if not source:
        raise InputError("source must not be empty", field="source")
    ids = results["record_id"].astype(str)
    if ids.duplicated().any():
        raise InputError(f"{int(ids.duplicated().sum())} record ids repeat; each record needs its own id",
                         field="record_id")
    def strings(col: str) -> pa.Array:
        return pa.array([None if v is None or v is pd.NA or v != v else str(v) for v in results[col]], pa.string())

    data = pa.table({
        "source": pa.array([source] * len(results), pa.string()),
        "record_id": pa.array(ids.tolist(), pa.string()),
        "civico_id": pa.array([None if v is pd.NA or v != v else int(v) for v in results["civico_id"]], pa.int64()),
        "street_code": strings("street_code"), "section_id": strings("section_id"),
        "zone_id": strings("zone_id"), "quartiere_id": strings("quartiere_id"),
        "match_kind": strings("match_kind"),
        "score": pa.array(results["score"].astype("float64").to_numpy(), pa.float64()),
        "reason": strings("reason"),
        "geocoded_at": pa.array([datetime.now(UTC)] * len(results), pa.timestamp("us", tz="UTC")),
    })
    table = geocode_table()
    table.metadata.create_all(db.engine, checkfirst=True)
    with db.engine.begin() as conn:
        conn.execute(sa.delete(table).where(table.c.source == source))
        return bulk_insert(conn, db.dialect, table.name, data)


def read_geocodes(db: Database, source: str) -> pd.DataFrame:
    """The stored results of ``source`` ordered by record_id (record_id as text; empty frame when none)."""
    table = geocode_table()
    table.metadata.create_all(db.engine, checkfirst=True)
    query = sa.select(*[table.c[c] for c in _STORED]).where(table.c.source == source).order_by(table.c.record_id)
    with db.engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).fetchall(), columns=_STORED)
    for col in ("record_id", "street_code", "section_id", "zone_id", "quartiere_id", "match_kind", "reason"):
        # missing values as None whatever the driver returned, as geocode_frame gives them
        frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    frame["civico_id"] = frame["civico_id"].astype("Int64")
    frame["score"] = frame["score"].astype("float64")
    return frame


def geocode_source(
    db: Database,
    source: str,
    addresses: pd.DataFrame,
    *,
    id_column: str | None = "record_id",
    text_column: str = "address_text",
    number_column: str | None = None,
    suffix_column: str | None = None,
    comune_column: str | None = None,
) -> pd.DataFrame:
    """Geocode ``addresses`` against the stored civici and store the results under ``source``.

    The column arguments are those of ``geocode_frame``. Raises NotFoundError when no civici are stored.
    Returns the full results of ``geocode_frame``.
    """
    from welfare_district.geo.store import read_register

    civici = read_register(db)
    if civici.empty:
        raise NotFoundError("No house numbers are stored: run `welfare areas build` or `welfare pipeline` first")
    results = geocode_frame(addresses, civici, id_column=id_column, text_column=text_column,
                            number_column=number_column, suffix_column=suffix_column,
                            comune_column=comune_column)
    store_geocodes(db, source, results)
    return results
