"""Shared building blocks: a person's identity fields and a dwelling's address fields for a batch of rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from welfare_district.geo.reference import PADOVA_ISTAT
from welfare_district.synth.extracts.config import ERROR_RATES
from welfare_district.synth.extracts.context import Context
from welfare_district.synth.extracts.corrupt import (
    Flags,
    apply_cf,
    cf_state_flags,
    draw,
    name_eligibility,
    name_typos,
    swap_day_month,
    swap_eligible,
)
from welfare_district.synth.extracts.truth import Truth


@dataclass
class People:
    """Identity columns aligned with a batch of person ids (numpy arrays, dates as datetime64[D])."""

    person_id: npt.NDArray[np.int64]
    surname: npt.NDArray[np.object_]
    first_name: npt.NDArray[np.object_]
    sex: npt.NDArray[np.object_]
    birth: npt.NDArray[np.datetime64]
    place: npt.NDArray[np.object_]
    citizenship: npt.NDArray[np.object_]
    cf: npt.NDArray[np.object_]
    arrival: npt.NDArray[np.datetime64]

    def upper(self) -> People:
        """Names in upper case, as institutional systems hold them."""
        return People(
            self.person_id,
            _upper(self.surname),
            _upper(self.first_name),
            self.sex,
            self.birth,
            self.place,
            self.citizenship,
            self.cf,
            self.arrival,
        )

    def age_at(self, year: int) -> npt.NDArray[np.int64]:
        """Age in completed years on 31 December of ``year``."""
        return year - self.birth.astype("datetime64[Y]").astype(np.int64) - 1970


def _upper(values: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    return pd.Series(values, dtype="str").str.upper().to_numpy(dtype=object)


def people(truth: Truth, person_ids: npt.ArrayLike) -> People:
    """Identity fields of ``person_ids`` in the given order."""
    ids = np.asarray(person_ids, dtype=np.int64)
    p = truth.persons.iloc[truth.person_pos(ids)]

    def col(name: str) -> npt.NDArray[np.object_]:
        return p[name].astype(object).where(p[name].notna(), "").to_numpy(dtype=object)

    return People(
        ids,
        col("surname"),
        col("first_name"),
        col("sex"),
        p["birth_date"].to_numpy().astype("datetime64[D]"),
        col("birth_place_code"),
        col("citizenship"),
        col("codice_fiscale"),
        p["arrival_date"].to_numpy().astype("datetime64[D]"),
    )


@dataclass
class Addresses:
    """Address columns aligned with a batch of dwelling ids."""

    street_type: npt.NDArray[np.object_]
    street_name: npt.NDArray[np.object_]
    number: npt.NDArray[np.int64]
    suffix: npt.NDArray[np.object_]
    interno: npt.NDArray[np.object_]
    quartiere_id: npt.NDArray[np.object_]
    surface: npt.NDArray[np.int64]
    civico_id: npt.NDArray[np.int64]

    def register_street(self) -> npt.NDArray[np.object_]:
        """'VIA ROMA': street type and name in upper case, as the street register spells them."""
        s = (
            pd.Series(self.street_type, dtype="str").str.upper()
            + " "
            + pd.Series(self.street_name, dtype="str").str.upper()
        )
        return s.str.strip().to_numpy(dtype=object)

    def comune(self) -> npt.NDArray[np.object_]:
        """The comune of residence as the register codes it: Padova's ISTAT code, or in the region the virtual
        district's own code (``V01-028060``), the city-level area above the quartiere."""
        q = pd.Series(self.quartiere_id, dtype="str")
        district = q.str.extract(r"^(V\d+-)", expand=False).fillna("")
        return (district + PADOVA_ISTAT).to_numpy(dtype=object)

    def register_line(self) -> npt.NDArray[np.object_]:
        """'VIA ROMA 12/A': street and number with its suffix in one field."""
        num = pd.Series(self.number).astype("str")
        suf = pd.Series(self.suffix, dtype="str")
        num = num.where(suf == "", num + "/" + suf)
        return (pd.Series(self.register_street(), dtype="str") + " " + num).to_numpy(dtype=object)


def is_regional(truth: Truth) -> bool:
    """True when the truth holds virtual districts (the region), each a comune of its own."""
    return bool(truth.civici["quartiere_id"].astype(str).str.match(r"V\d+-").any())


def addresses(truth: Truth, dwelling_ids: npt.ArrayLike) -> Addresses:
    """Address fields of ``dwelling_ids`` in the given order."""
    d = truth.dwellings.iloc[truth.dwelling_pos(np.asarray(dwelling_ids, dtype=np.int64))]

    def col(name: str) -> npt.NDArray[np.object_]:
        return d[name].astype(object).where(d[name].notna(), "").to_numpy(dtype=object)

    return Addresses(
        col("street_type"),
        col("street_name"),
        d["number"].to_numpy(dtype=np.int64),
        col("suffix"),
        col("interno"),
        col("quartiere_id"),
        d["surface_m2"].fillna(0).to_numpy(dtype=np.int64),
        d["civico_id"].to_numpy(dtype=np.int64),
    )


@dataclass
class Messy:
    """Identity fields as a source holds them, with the flags of the corruptions applied."""

    cf: npt.NDArray[np.object_]
    surname: npt.NDArray[np.object_]
    first_name: npt.NDArray[np.object_]
    birth: npt.NDArray[np.datetime64]
    flags: Flags


def messy_identity(
    ctx: Context,
    source: str,
    p: People,
    keys: npt.NDArray[np.int64],
    shares: Mapping[str, float] | None = None,
) -> Messy:
    """Apply the source's configured codice fiscale, name and birth-date errors to ``p`` (row keys).

    For a file written in chunks, pass ``shares`` from ``identity_shares`` over the whole file: draws then
    do not depend on the chunk size, and the caller reports the shares once.
    """
    rates = ERROR_RATES[source]
    flags = cf_state_flags(ctx.seed, source, keys, rates, has_cf=p.cf != "")
    codes = apply_cf(p.cf, flags, ctx.seed, source, keys)
    sur, fst, name_flags, used = name_typos(p.surname, p.first_name, ctx.seed, source, keys, rates, shares)
    flags.update(name_flags)
    birth = p.birth
    if rates.get("date_day_month_swapped", 0) > 0:
        ok = swap_eligible(p.birth)
        share = (shares or {}).get("date_day_month_swapped", float(ok.mean()) if len(ok) else 0.0)
        kind = "date_day_month_swapped"
        swap = draw(ctx.seed, f"{source}/{kind}", keys, rates[kind], ok, share)
        birth = swap_day_month(p.birth, swap)
        flags[kind] = swap
        used[kind] = share
    if shares is None:
        ctx.note(source, used, len(keys))
    return Messy(codes, sur, fst, birth, flags)


def identity_shares(ctx: Context, source: str, person_ids: npt.NDArray[np.int64]) -> dict[str, float]:
    """Eligible shares of the precondition-bound identity errors over all rows of a file (reported once)."""
    pos = ctx.truth.person_pos(person_ids)
    persons = ctx.truth.persons
    # arrow-backed columns: no Python object per row, whatever the size of the file
    elig = name_eligibility(
        persons["surname"].iloc[pos].reset_index(drop=True), persons["first_name"].iloc[pos].reset_index(drop=True)
    )
    elig["date_day_month_swapped"] = swap_eligible(persons["birth_date"].to_numpy()[pos].astype("datetime64[D]"))
    rates = ERROR_RATES[source]
    shares = {k: float(v.mean()) if len(v) else 0.0 for k, v in elig.items() if rates.get(k, 0) > 0}
    ctx.note(source, shares, len(person_ids))
    return shares


def stale_dwellings(
    ctx: Context,
    source: str,
    year: int,
    person_ids: npt.NDArray[np.int64],
    current: npt.NDArray[np.int64],
    keys: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Dwellings to show, with an earlier address for the rows drawn as 'address_stale' (and their flags)."""
    rate = ERROR_RATES[source].get("address_stale", 0.0)
    if rate <= 0 or len(person_ids) == 0:
        return current, np.zeros(len(current), dtype=bool)
    old = ctx.truth.previous_dwelling(year, person_ids, current)
    ok = old != 0
    stale = draw(ctx.seed, f"{source}/address_stale", keys, rate, ok)
    ctx.note(source, {"address_stale": float(ok.mean())}, len(keys))
    return np.where(stale, old, current), stale
