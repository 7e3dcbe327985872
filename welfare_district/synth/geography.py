"""The areas a population chunk lives in: sections with their targets, civici and a deprivation latent.

The deprivation latent is one number per zone, fixed by the seed and the zone's code: a quartiere base
(the northern and eastern quartieri, with the large public-housing estates, above the mean; the historic
centre below) plus zone noise, plus a public-housing "estate" bonus for the most deprived zone of Nord,
Est and Sud-Est. It is standardised over residents: mean 0, standard deviation 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from welfare_district.synth.rng import stream

# quartiere code -> base deprivation (1 Centro, 2 Nord, 3 Est, 4 Sud-Est, 5 Sud-Ovest, 6 Ovest)
QUARTIERE_BASE = {"1": -1.0, "2": 0.6, "3": 0.35, "4": 0.3, "5": 0.0, "6": -0.3}
ZONE_NOISE = 0.55
ESTATE_BONUS = 1.6
ESTATE_QUARTIERI = ("2", "3", "4")


@dataclass
class Geography:
    """Sections (arrays indexed by section number) and civici of one chunk, ids already prefixed."""

    section_id: np.ndarray
    zone_of_section: np.ndarray  # index into zone_id
    zone_id: np.ndarray
    quartiere_id: np.ndarray  # per zone
    target: np.ndarray  # residents per section (scaled)
    zone_deprivation: np.ndarray  # per zone, standardised
    civico_id: np.ndarray  # sorted by section then civico
    civico_section: np.ndarray
    civico_start: np.ndarray  # per section: first civico position
    civico_count: np.ndarray

    @property
    def deprivation(self) -> np.ndarray:
        """Deprivation latent of each section (its zone's)."""
        return np.asarray(self.zone_deprivation[self.zone_of_section])


def _scaled_targets(target: np.ndarray, fraction: float, rng: np.random.Generator) -> np.ndarray:
    if fraction >= 1.0:
        return target.astype(np.int64)
    exact = target * fraction
    whole = np.floor(exact)
    return (whole + (rng.random(len(exact)) < exact - whole)).astype(np.int64)


def zone_deprivation(
    zone_codes: list[str], quartiere_codes: list[str], weights: np.ndarray, seed: int
) -> np.ndarray:
    """Standardised deprivation per zone; deterministic in (seed, zone code)."""
    noise = np.array([stream(seed, "deprivation", z).normal() for z in zone_codes])
    base = np.array([QUARTIERE_BASE.get(q, 0.0) for q in quartiere_codes])
    d = base + ZONE_NOISE * noise
    for q in ESTATE_QUARTIERI:
        members = [i for i, qc in enumerate(quartiere_codes) if qc == q]
        if members:
            d[max(members, key=lambda i: noise[i])] += ESTATE_BONUS
    mean = np.average(d, weights=weights)
    sd = np.sqrt(np.average((d - mean) ** 2, weights=weights))
    return np.asarray((d - mean) / (sd if sd > 0 else 1.0))


def build_geography(
    areas: pd.DataFrame,
    civici: pd.DataFrame,
    seed: int,
    fraction: float,
    prefix: str = "",
    civico_offset: int = 0,
) -> Geography:
    """The chunk's geography from the hierarchy table and civici (original ids; ``prefix`` is added)."""
    sections = areas[areas["level"] == "section"].sort_values("area_id").reset_index(drop=True)
    zones = areas[areas["level"] == "zone"].sort_values("area_id").reset_index(drop=True)
    quartieri = areas[areas["level"] == "quartiere"].set_index("area_id")
    zone_pos = {z: i for i, z in enumerate(zones["area_id"])}
    zone_of_section = sections["parent_id"].map(zone_pos).to_numpy(np.int64)
    q_of_zone = zones["parent_id"].to_numpy(object)
    q_codes = [str(quartieri.loc[q, "code"]) for q in q_of_zone]
    rng = stream(seed, "section-targets", prefix)
    target = _scaled_targets(sections["target_residents"].to_numpy(np.int64), fraction, rng)
    z_weights = np.bincount(zone_of_section, weights=target, minlength=len(zones)) + 1e-9
    dep = zone_deprivation(list(zones["code"].astype(str)), q_codes, z_weights, seed)
    sec_pos = {s: i for i, s in enumerate(sections["area_id"])}
    civ = civici[["civico_id", "section_id"]].copy()
    civ["sec"] = civ["section_id"].map(sec_pos)
    civ = civ.dropna(subset=["sec"]).sort_values(["sec", "civico_id"], kind="stable")
    civ_sec = civ["sec"].to_numpy(np.int64)
    count = np.bincount(civ_sec, minlength=len(sections))
    start = np.r_[0, np.cumsum(count)[:-1]]
    return Geography(
        section_id=(prefix + sections["area_id"].astype(str)).to_numpy(object),
        zone_of_section=zone_of_section,
        zone_id=(prefix + zones["area_id"].astype(str)).to_numpy(object),
        quartiere_id=np.array([prefix + str(q) for q in q_of_zone], dtype=object),
        target=target,
        zone_deprivation=dep,
        civico_id=civ["civico_id"].to_numpy(np.int64) + civico_offset,
        civico_section=civ_sec,
        civico_start=start,
        civico_count=count,
    )
