"""Achieved figures of a generated city, computed from its truth tables, against ``targets.TARGETS``.

Used by the tests and to print the calibration report; it reads only the truth tables, so it measures
what downstream stages will see.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from welfare_district.geo.reference import load_population
from welfare_district.synth.targets import CALIBRATION_YEAR, PYRAMID_SOURCE_YEAR, TARGETS

IVSM = (
    "low_education_25_64",
    "large_families_6plus",
    "single_parent_young",
    "single_parent_adult",
    "care_hardship",
    "severe_overcrowding",
    "young_outside_labour_education",
    "economic_hardship",
)


def read_truth(truth_dir: Path, year: int | None = None) -> dict[str, pd.DataFrame]:
    """The truth tables as DataFrames; person_year, family_year and isee restricted to ``year`` if given."""
    out: dict[str, pd.DataFrame] = {}
    for name in ("persons", "person_year", "family_year", "dwellings", "isee", "cases"):
        filters = (
            [("year", "=", year)]
            if year is not None and name in ("person_year", "family_year", "isee")
            else None
        )
        out[name] = pq.read_table(truth_dir / f"{name}.parquet", filters=filters).to_pandas()
    return out


def from_tables(tables: dict[str, pa.Table], year: int | None = None) -> dict[str, pd.DataFrame]:
    """Same as ``read_truth`` from in-memory Arrow tables."""
    out = {}
    for name, t in tables.items():
        df = t.to_pandas()
        if year is not None and "year" in df.columns and name != "cases":
            df = df[df["year"] == year]
        out[name] = df.reset_index(drop=True)
    return out


def resident_frame(t: dict[str, pd.DataFrame], year: int) -> pd.DataFrame:
    """One row per resident in ``year``: age, sex, citizenship, family, dwelling and area ids."""
    py = t["person_year"]
    py = py[py["year"] == year]
    per = t["persons"].set_index("person_id")
    df = py.join(per[["sex", "birth_date", "citizenship"]], on="person_id")
    df["age"] = year - pd.to_datetime(df["birth_date"]).dt.year
    dw = t["dwellings"].set_index("dwelling_id")[["surface_m2", "section_id", "zone_id", "quartiere_id"]]
    return df.join(dw, on="dwelling_id")


def ivsm_components(res: pd.DataFrame, fam: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """The IVSM elementary indicators (percent), for the whole city or per area column ``by``."""
    res = res.copy()
    res["_g"] = res[by] if by else "city"
    res["_65"] = res["age"] >= 65
    res["_80"] = res["age"] >= 80
    res["_kid"] = res["relation"] == "child"
    res["_work"] = res["labour_status"].isin(["employed", "retired"])
    res["_low"] = res["education"].isin(["none_illiterate", "none_literate"])
    res["_out"] = res["labour_status"].isin(["other_inactive", "retired"])
    g = res.groupby("family_id")
    f = pd.DataFrame(
        {
            "size": g.size(),
            "n65": g["_65"].sum(),
            "n80": g["_80"].sum(),
            "kids": g["_kid"].sum(),
            "working": g["_work"].sum(),
            "area": g["_g"].first(),
        }
    )
    fy = fam.set_index("family_id")
    heads = res[res["relation"] == "head"].set_index("family_id")["age"]
    f["head_age"] = heads.reindex(f.index)
    f["type"] = fy["family_type"].reindex(f.index)
    f["surface"] = res.groupby("family_id")["surface_m2"].first()
    s, surf = f["size"], f["surface"]
    crowded = (
        ((surf < 40) & (s > 4))
        | ((surf >= 40) & (surf < 60) & (s > 5))
        | ((surf >= 60) & (surf < 80) & (s > 6))
    )
    f["crowded_res"] = np.where(crowded, s, 0)
    f["large"] = s >= 6
    f["sp_young"] = (f["type"] == "single_parent") & (f["head_age"] < 35)
    f["sp_adult"] = (f["type"] == "single_parent") & (f["head_age"] >= 35) & (f["head_age"] <= 64)
    f["care"] = (s >= 2) & (f["n65"] == s) & (f["n80"] >= 1)
    f["econ"] = (f["kids"] > 0) & (f["head_age"] <= 64) & (f["working"] == 0)
    fa = f.groupby("area")
    ra = res.groupby("_g")
    a25 = res[(res["age"] >= 25) & (res["age"] <= 64)].groupby("_g")
    y15 = res[(res["age"] >= 15) & (res["age"] <= 29)].groupby("_g")
    out = pd.DataFrame(
        {
            "families": fa.size(),
            "residents": ra.size(),
            "low_education_25_64": 100 * a25["_low"].mean(),
            "large_families_6plus": 100 * fa["large"].mean(),
            "single_parent_young": 100 * fa["sp_young"].mean(),
            "single_parent_adult": 100 * fa["sp_adult"].mean(),
            "care_hardship": 100 * fa["care"].mean(),
            "severe_overcrowding": 100 * fa["crowded_res"].sum() / ra.size(),
            "young_outside_labour_education": 100 * y15["_out"].mean(),
            "economic_hardship": 100 * fa["econ"].mean(),
        }
    )
    return out


def pyramid_errors(res: pd.DataFrame, fraction: float = 1.0) -> pd.DataFrame:
    """Residents by 5-year band (100+ last) and sex against the real pyramid scaled by ``fraction``."""
    real = load_population(PYRAMID_SOURCE_YEAR)
    band_real = np.minimum(real["age"] // 5, 20)
    rows = []
    for sex in ("M", "F"):
        target = real.groupby(band_real)[sex].sum() * fraction
        got = res[res["sex"] == sex].groupby(np.minimum(res["age"] // 5, 20)).size()
        got = got.reindex(target.index, fill_value=0)
        rows.append(
            pd.DataFrame(
                {"sex": sex, "band": target.index * 5, "target": target.values, "achieved": got.values}
            )
        )
    df = pd.concat(rows, ignore_index=True)
    df["rel_error"] = (df["achieved"] - df["target"]) / df["target"]
    return df


def city_figures(t: dict[str, pd.DataFrame], year: int = CALIBRATION_YEAR) -> dict[str, float]:
    """Every targeted figure, achieved in ``year``."""
    res = resident_frame(t, year)
    fam = t["family_year"]
    fam = fam[fam["year"] == year]
    comp = ivsm_components(res, fam).iloc[0]
    isee = t["isee"]
    cases = t["cases"]
    end = pd.Timestamp(year, 12, 31)
    opened = pd.to_datetime(cases["opened"])
    closed = pd.to_datetime(cases["closed"])
    open_now = cases[(opened <= end) & (closed.isna() | (closed > end))]
    per = t["persons"]
    born_here = per[(pd.to_datetime(per["birth_date"]).dt.year == year) & per["arrival_date"].isna()]
    women = res[(res["sex"] == "F") & (res["age"] >= 15) & (res["age"] <= 49)]
    out = {k: float(comp[k]) for k in IVSM}
    out.update(
        {
            "residents": float(len(res)),
            "families": float(len(fam)),
            "mean_family_size": float(len(res) / max(len(fam), 1)),
            "foreign_share": 100 * float((res["citizenship"] != "IT").mean()),
            "one_person_families": 100 * float((fam["family_type"] == "one_person").mean()),
            "tenure_owned": 100 * float((fam["tenure"] == "owned").mean()),
            "tenure_rented": 100 * float((fam["tenure"] == "rented").mean()),
            "tenure_public_housing": 100 * float((fam["tenure"] == "public_housing").mean()),
            "isee_families": 100 * float((isee["year"] == year).sum() / max(len(fam), 1)),
            "cases_open_families": 100 * float(open_now["family_id"].nunique() / max(len(fam), 1)),
            # total fertility approximated as births / women 15-49 times the 35 fertile years
            "total_fertility": float(len(born_here) / max(len(women), 1) * 35),
        }
    )
    return out


def calibration_table(t: dict[str, pd.DataFrame], year: int = CALIBRATION_YEAR) -> pd.DataFrame:
    """Target, tolerance, achieved and whether it is within tolerance, for every target."""
    got = city_figures(t, year)
    rows = [
        {
            "name": tg.name,
            "target": tg.value,
            "tolerance": tg.tolerance,
            "achieved": got.get(tg.name, np.nan),
            "unit": tg.unit,
            "source": tg.source,
        }
        for tg in TARGETS
    ]
    df = pd.DataFrame(rows)
    df["ok"] = (df["achieved"] - df["target"]).abs() <= df["tolerance"]
    return df


def quartiere_shares(res: pd.DataFrame, areas_dir: Path) -> pd.DataFrame:
    """Residents' share per quartiere (percent) against the targets in ``areas/quartiere.geojson``."""
    import json

    fc = json.loads((areas_dir / "quartiere.geojson").read_text(encoding="utf-8"))
    target = pd.Series(
        {f["properties"]["area_id"]: f["properties"]["target_residents"] for f in fc["features"]}, dtype=float
    )
    got = res.groupby("quartiere_id").size().reindex(target.index, fill_value=0)
    return pd.DataFrame({"target": 100 * target / target.sum(), "achieved": 100 * got / got.sum()})


def format_report(t: dict[str, pd.DataFrame], areas_dir: Path, year: int = CALIBRATION_YEAR) -> str:
    """A plain-text calibration report: every target, the pyramid error and the zone contrast."""
    table = calibration_table(t, year)
    lines = [f"{'figure':<32} {'target':>10} {'tol':>7} {'achieved':>10}  ok  unit"]
    for row in table.itertuples():
        lines.append(
            f"{row.name:<32} {row.target:>10.2f} {row.tolerance:>7.2f} {row.achieved:>10.2f}  "
            f"{'yes' if row.ok else 'NO ':<3} {row.unit}"
        )
    res = resident_frame(t, year)
    errors = pyramid_errors(res)
    big = errors[errors["target"] >= 500]
    lines.append(
        f"pyramid {year}: total error {100 * (errors['achieved'].sum() / errors['target'].sum() - 1):+.2f}%, "
        f"largest 5-year band error {100 * big['rel_error'].abs().max():.2f}% (bands >= 500 people)"
    )
    shares = quartiere_shares(res, areas_dir)
    lines.append(
        f"quartiere shares: largest gap {(shares['achieved'] - shares['target']).abs().max():.2f} pp"
    )
    fam = t["family_year"][t["family_year"]["year"] == year]
    city = ivsm_components(res, fam).iloc[0]
    zones = ivsm_components(res, fam, by="zone_id")
    for name in IVSM:
        ratio = zones[name] / city[name] if city[name] > 0 else zones[name] * 0
        lines.append(f"zones {name:<32} max/city {ratio.max():5.1f}x, zones >= 2x: {(ratio >= 2).sum()}")
    return "\n".join(lines)
