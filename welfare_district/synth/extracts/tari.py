"""TARI (waste tax) domestic accounts: the register of the latest year and the history of changes.

Shape: ','-separated UTF-8, one upper-case free-text address field with the tax office's abbreviations.
One account per family in its dwelling; the taxpayer is usually the head of the family, sometimes the
spouse. The history lists activations, closures and changes of occupants between consecutive snapshots.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pandas as pd

from welfare_district.synth.chunk import ID_STRIDE
from welfare_district.synth.extracts.config import ERROR_RATES
from welfare_district.synth.extracts.context import Context
from welfare_district.synth.extracts.corrupt import draw
from welfare_district.synth.extracts.formats import format_dates, tari_address
from welfare_district.synth.extracts.people import (
    addresses,
    identity_shares,
    is_regional,
    messy_identity,
    people,
)
from welfare_district.synth.extracts.randomness import hash64, keyed_dates, pick, two_key, uniform

SOURCE = "tari"
CHUNK = 200_000  # rows formatted at a time: bounds memory at region scale
HISTORY = "tari_variazioni"
COLUMNS = [
    "CODICE_UTENZA",
    "CF_CONTRIBUENTE",
    "NOMINATIVO",
    "INDIRIZZO_UTENZA",
    "SUPERFICIE_MQ",
    "NUMERO_OCCUPANTI",
    "CATEGORIA",
    "DATA_INIZIO_OCCUPAZIONE",
]
HISTORY_COLUMNS = [
    "ANNO",
    "CODICE_UTENZA",
    "TIPO_VARIAZIONE",
    "DATA_VARIAZIONE",
    "CF_CONTRIBUENTE",
    "NOMINATIVO",
    "INDIRIZZO_UTENZA",
    "NUMERO_OCCUPANTI",
]


def account_code(seed: int, family_ids: npt.ArrayLike, dwelling_ids: npt.ArrayLike) -> npt.NDArray[np.uint64]:
    """The tax office's account number for a family in a dwelling (10 digits, stable across years)."""
    key = np.asarray(family_ids, dtype=np.int64) * 1_000_003 + np.asarray(dwelling_ids, dtype=np.int64)
    return hash64(seed, "tari/utenza", key) % np.uint64(9_000_000_000) + np.uint64(1_000_000_000)


def _district_accounts(ctx: Context) -> tuple[pd.Index, npt.NDArray[np.uint64]]:
    """Every (family, dwelling) pair of the district's truth and its account number: ``1d`` + 8 digits for
    district ``d`` (11xxxxxxxx in V01), the 8 digits a keyed bijection of the pair's rank, so that numbers
    never collide, within the district or across the region."""
    if not 0 < ctx.district < 90:
        raise ValueError(f"district number {ctx.district} does not fit a 10-digit account number")
    fy = ctx.truth.table("family_year", columns=["family_id", "dwelling_id"]).drop_duplicates()
    keys = np.sort(_pair_key(fy["family_id"].to_numpy(), fy["dwelling_id"].to_numpy()))
    h = hash64(ctx.seed, "tari/utenza/district", np.array([0, 1]))
    step = int(h[0] % np.uint64(10**8 // 10)) * 10 + 3  # ends in 3: coprime with 10^8, so j -> code is 1-1
    shift = int(h[1] % np.uint64(10**8))
    j = np.arange(len(keys), dtype=np.int64)
    local = (j * step + shift) % 10**8  # j * step < 2^63: a district has far fewer than 10^8 pairs
    return pd.Index(keys), (local + (10 + ctx.district) * 10**8).astype(np.uint64)


def _pair_key(family_ids: npt.ArrayLike, dwelling_ids: npt.ArrayLike) -> npt.NDArray[np.int64]:
    # ids below 2^31 within a district (its offset removed): one exact integer per pair
    f = np.asarray(family_ids, dtype=np.int64) % ID_STRIDE
    d = np.asarray(dwelling_ids, dtype=np.int64) % ID_STRIDE
    return (f << np.int64(31)) | d


def account_codes(ctx: Context, family_ids: npt.ArrayLike, dwelling_ids: npt.ArrayLike) -> npt.NDArray[np.uint64]:
    """Account numbers of (family, dwelling) pairs: ``account_code`` for a city; for a virtual district of a
    region, numbers unique across the whole region (see ``_district_accounts``)."""
    if not ctx.district:
        return account_code(ctx.seed, family_ids, dwelling_ids)
    index, codes = ctx.truth.derived("tari/accounts", lambda: _district_accounts(ctx))
    pos = index.get_indexer(pd.Index(_pair_key(family_ids, dwelling_ids)))
    if (pos < 0).any():
        raise ValueError("a TARI account refers to a family and dwelling pair absent from family_year")
    return codes[pos]


def category(occupants: npt.NDArray[np.int64]) -> npt.NDArray[np.object_]:
    """Domestic tariff class by number of occupants (6 or more share one class)."""
    n = np.clip(occupants, 1, 6)
    return np.array([f"DOMESTICA {k}{'+' if k == 6 else ''} COMP." for k in n], dtype=object)


def _taxpayers(ctx: Context, year: int, fy: pd.DataFrame) -> npt.NDArray[np.int64]:
    """Head of each family, or the spouse for about one family in seven (the bill is in either name)."""
    py = ctx.truth.table("person_year", year, ["person_id", "family_id", "relation"])
    spouse = py[py["relation"] == "spouse"].drop_duplicates("family_id").set_index("family_id")["person_id"]
    sp = spouse.reindex(fy["family_id"].to_numpy()).to_numpy()
    use_spouse = ~np.isnan(sp.astype(float)) & (uniform(ctx.seed, "tari/intestatario", fy["family_id"]) < 0.15)
    return np.where(
        use_spouse,
        np.nan_to_num(sp.astype(float)).astype(np.int64),
        fy["head_person_id"].to_numpy(dtype=np.int64),
    )


def _address_text(ctx: Context, dwelling_ids: npt.NDArray[np.int64], keys: npt.ArrayLike) -> list[str]:
    a = addresses(ctx.truth, dwelling_ids)
    style = pick(ctx.seed, "tari/address_style", keys, [0.55, 0.3, 0.15])
    return [
        tari_address(str(t).upper(), str(n).upper(), int(num), str(s), str(i), int(st))
        for t, n, num, s, i, st in zip(a.street_type, a.street_name, a.number, a.suffix, a.interno, style, strict=True)
    ]


def _names(
    ctx: Context,
    source: str,
    pids: npt.NDArray[np.int64],
    keys: npt.NDArray[np.int64],
    shares: Mapping[str, float],
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.object_], dict[str, npt.NDArray[np.bool_]]]:
    m = messy_identity(ctx, source, people(ctx.truth, pids).upper(), keys, shares)
    names = (pd.Series(m.surname, dtype="str") + " " + pd.Series(m.first_name, dtype="str")).to_numpy(dtype=object)
    return m.cf, names, m.flags


def write(ctx: Context) -> None:
    """Write ``tari_utenze_<last year>.csv`` and ``tari_variazioni.csv`` (in chunks, ordered by account)."""
    year = ctx.last_year
    fy = ctx.truth.table("family_year", year).sort_values("family_id").reset_index(drop=True)
    fam = fy["family_id"].to_numpy(dtype=np.int64)
    dw = fy["dwelling_id"].to_numpy(dtype=np.int64)
    payer = _taxpayers(ctx, year, fy)
    account = account_codes(ctx, fam, dw)
    since, old_size = _history_of_stay(ctx, fy)
    size = fy["size"].to_numpy(dtype=np.int64)
    changed = (old_size > 0) & (old_size != size)
    stale = draw(ctx.seed, "tari/occupants_stale", fam, ERROR_RATES[SOURCE]["occupants_stale"], changed)
    ctx.note(SOURCE, {"occupants_stale": float(changed.mean()) if len(fy) else 0.0}, len(fy))
    occupants = np.where(stale, old_size, size)
    shares = identity_shares(ctx, SOURCE, payer)
    order = np.argsort(account, kind="stable")  # 10-digit numbers: numeric order is the text order
    out = ctx.csv(f"tari_utenze_{year}.csv", sep=",")
    for start in range(0, len(order), CHUNK):
        idx = order[start : start + CHUNK]
        cf, names, flags = _names(ctx, SOURCE, payer[idx], fam[idx], shares)
        flags["occupants_stale"] = stale[idx]
        codes = account[idx].astype(str).astype(object)
        cols = {
            "CODICE_UTENZA": codes,
            "CF_CONTRIBUENTE": cf,
            "NOMINATIVO": names,
            "INDIRIZZO_UTENZA": _address_text(ctx, dw[idx], fam[idx]),
            "SUPERFICIE_MQ": addresses(ctx.truth, dw[idx]).surface,
            "NUMERO_OCCUPANTI": occupants[idx],
            "CATEGORIA": category(occupants[idx]),
            "DATA_INIZIO_OCCUPAZIONE": format_dates(since[idx], "dmy"),
        }
        if is_regional(ctx.truth):  # an ambito's tax office serves several comuni
            cols["COMUNE"] = addresses(ctx.truth, dw[idx]).comune()
        first = out.write(cols)
        ctx.record(SOURCE, out.path, first, codes, payer[idx], fam[idx], flags)
    if not len(order):
        out.write(pd.DataFrame(columns=COLUMNS))
    ctx.finish_csv(out)
    _write_history(ctx)


def _history_of_stay(ctx: Context, fy: pd.DataFrame) -> tuple[npt.NDArray[np.datetime64], npt.NDArray[np.int64]]:
    """Start of each family's stay in its current dwelling; its size in the previous snapshot (0 if none)."""
    fam = fy["family_id"].to_numpy(dtype=np.int64)
    dw = fy["dwelling_id"].to_numpy(dtype=np.int64)
    start_year = np.full(len(fy), ctx.last_year, dtype=np.int64)
    old_size = np.zeros(len(fy), dtype=np.int64)
    open_ = np.ones(len(fy), dtype=bool)
    for y in reversed([y for y in ctx.truth.years if y < ctx.last_year]):
        prev = ctx.truth.table("family_year", y, ["family_id", "dwelling_id", "size"])
        pos = pd.Index(prev["family_id"]).get_indexer(fam)
        here = (pos >= 0) & (prev["dwelling_id"].to_numpy()[np.maximum(pos, 0)] == dw)
        if y == ctx.last_year - 1:
            old_size = np.where(pos >= 0, prev["size"].to_numpy()[np.maximum(pos, 0)], 0)
        start_year = np.where(open_ & here, y, start_year)
        open_ &= here
        if not open_.any():
            break
    first = ctx.truth.years[0]
    lo = np.where(
        open_ & (start_year == first),
        np.datetime64("1975-01-01"),
        (start_year - 1970).astype("datetime64[Y]").astype("datetime64[D]"),
    )
    hi = (start_year - 1970).astype("datetime64[Y]").astype("datetime64[D]") + np.timedelta64(364, "D")
    # a stay seen since the first snapshot began at some unknown earlier date
    hi = np.where(open_ & (start_year == first), np.datetime64(f"{first}-01-01") - np.timedelta64(1, "D"), hi)
    return keyed_dates(ctx.seed, "tari/inizio", two_key(fam, 0) ^ dw, lo, hi), old_size


def _write_history(ctx: Context) -> None:
    frames = []
    years = ctx.years
    cols = ["family_id", "dwelling_id", "size", "head_person_id"]
    b = ctx.truth.table("family_year", years[0], cols)
    for y in years[1:]:
        a, b = b, ctx.truth.table("family_year", y, cols)
        m = a.merge(b, on="family_id", how="outer", suffixes=("_a", "_b"))
        same = m["dwelling_id_a"] == m["dwelling_id_b"]
        start = m[m["dwelling_id_b"].notna() & ~same]
        stop = m[m["dwelling_id_a"].notna() & ~same]
        resize = m[same & (m["size_a"] != m["size_b"])]
        for kind, part, side in (
            ("CESSAZIONE", stop, "a"),
            ("ATTIVAZIONE", start, "b"),
            ("VARIAZIONE OCCUPANTI", resize, "b"),
        ):
            frames.append(
                pd.DataFrame(
                    {
                        "year": y,
                        "kind": kind,
                        "family_id": part["family_id"].to_numpy(),
                        "dwelling_id": part[f"dwelling_id_{side}"].to_numpy(),
                        "size": part[f"size_{side}"].to_numpy(),
                        "payer": part[f"head_person_id_{side}"].to_numpy(),
                    }
                )
            )
    out = ctx.csv("tari_variazioni.csv", sep=",")
    if frames:
        h = pd.concat(frames, ignore_index=True).astype(
            {"family_id": "int64", "dwelling_id": "int64", "size": "int64", "payer": "int64"}
        )
        kind_code = h["kind"].map({"CESSAZIONE": 0, "ATTIVAZIONE": 1, "VARIAZIONE OCCUPANTI": 2}).to_numpy()
        keys = two_key(h["family_id"].to_numpy() * 8 + kind_code, h["year"].to_numpy())
        when = keyed_dates(
            ctx.seed,
            "tari/variazione",
            keys,
            (h["year"].to_numpy() - 1970).astype("datetime64[Y]").astype("datetime64[D]"),
            (h["year"].to_numpy() - 1970).astype("datetime64[Y]").astype("datetime64[D]") + np.timedelta64(364, "D"),
        )
        h = h.assign(when=when).sort_values(["when", "family_id", "kind"], kind="stable").reset_index(drop=True)
        keys = two_key(
            h["family_id"].to_numpy() * 8
            + h["kind"].map({"CESSAZIONE": 0, "ATTIVAZIONE": 1, "VARIAZIONE OCCUPANTI": 2}).to_numpy(),
            h["year"].to_numpy(),
        )
        payer = h["payer"].to_numpy(dtype=np.int64)
        shares = identity_shares(ctx, HISTORY, payer)
        hfam = h["family_id"].to_numpy(dtype=np.int64)
        hdw = h["dwelling_id"].to_numpy(dtype=np.int64)
        hyears = h["year"].to_numpy()
        kinds = h["kind"].to_numpy(dtype=object)
        for i0 in range(0, len(h), CHUNK):
            sl = slice(i0, i0 + CHUNK)
            cf, names, flags = _names(ctx, HISTORY, payer[sl], keys[sl], shares)
            codes = account_codes(ctx, hfam[sl], hdw[sl]).astype(str).astype(object)
            block = {
                "ANNO": hyears[sl],
                "CODICE_UTENZA": codes,
                "TIPO_VARIAZIONE": kinds[sl],
                "DATA_VARIAZIONE": format_dates(h["when"].to_numpy()[sl], "dmy"),
                "CF_CONTRIBUENTE": cf,
                "NOMINATIVO": names,
                "INDIRIZZO_UTENZA": _address_text(ctx, hdw[sl], hfam[sl]),
                "NUMERO_OCCUPANTI": h["size"].to_numpy()[sl],
            }
            if is_regional(ctx.truth):
                block["COMUNE"] = addresses(ctx.truth, hdw[sl]).comune()
            first = out.write(block)
            record_key = [f"{c}/{y}/{k[0]}" for c, y, k in zip(codes, hyears[sl], kinds[sl], strict=True)]
            ctx.record(HISTORY, out.path, first, np.array(record_key, dtype=object), payer[sl], hfam[sl], flags)
    else:
        out.write(pd.DataFrame(columns=HISTORY_COLUMNS))
    ctx.finish_csv(out)
