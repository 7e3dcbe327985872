"""Demo register of actions for the synthetic city: calls, ~30 projects, reach, and a known simulated effect.

Two steps, both seeded (same truth and seed, same bytes):

1. ``plan_and_apply(truth_dir, seed, years)`` runs between the population simulation and the extracts. It
   draws three calls and their projects (hardship projects on disjoint zones, some in the neediest zones,
   some not; elderly projects that may share zones, hence overlaps), draws who each project reaches on the
   baseline snapshot, and for the projects marked ``effect`` finds a job, from the project's year on, for
   one adult not working in each reached family in economic hardship, with probability EFFECT_PROBABILITY.
   It rewrites ``truth/person_year.parquet`` accordingly, so every register extract carries the effect.
   The effect is deliberately large (see docs/impact.md): at the test size (5 % of the city) a project
   reaches only a handful of families in hardship.
2. ``write_reports(root, plan)`` runs after the extracts: it writes ``extracts/impatto/`` (calls, projects,
   activity reports and beneficiary lists as the partners would, CSV and xlsx) and
   ``ground_truth/impact_effects.csv``: per project, whether it had an effect, the families in hardship it
   reached that were still resident at follow-up, and the true effect on their share still in hardship
   (with the effect minus without it: the counterfactual is known here) and on the areas' indicator.

Only the city scale (one chunk) gets the demo; a multi-chunk region has none.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from welfare_district.synth.writer import MAX_ROW_GROUP, PARQUET_OPTIONS

EFFECT_PROBABILITY = 0.9
SEED_STREAM = 8_101
# (call id, title, group, project year, hardship projects, elderly projects)
CALLS = (("B2022-01", "Famiglie e lavoro 2022", "economic_hardship_families", 2022, 6, 0),
         ("B2022-02", "Anziani soli: compagnia e cura 2022", "elderly_alone", 2022, 0, 9),
         ("B2023-01", "Famiglie e lavoro 2023", "economic_hardship_families", 2023, 6, 0),
         ("B2023-02", "Anziani soli: compagnia e cura 2023", "elderly_alone", 2023, 0, 9))
ZONES_PER_HARDSHIP_PROJECT = 4


@dataclass
class Plan:
    """What step 1 decided and step 2 writes."""

    calls: list[dict[str, Any]] = field(default_factory=list)
    projects: list[dict[str, Any]] = field(default_factory=list)
    reached: pd.DataFrame = field(default_factory=pd.DataFrame)  # project_id, person_id, reached_on
    effects: list[dict[str, Any]] = field(default_factory=list)
    seed: int = 0


def _hardship(py: pd.DataFrame, born: pd.Series, year: int) -> pd.Series:
    """Per family of one year's person_year rows: families with children, head <= 64, nobody working or retired."""
    age = year - born.reindex(py["person_id"]).dt.year.to_numpy()
    frame = py.assign(age=age, child=py["relation"] == "child",
                      works=py["labour_status"].isin(["employed", "retired"]),
                      head_age=np.where(py["relation"] == "head", age, -1))
    g = frame.groupby("family_id").agg(children=("child", "sum"), works=("works", "sum"),
                                       head_age=("head_age", "max"))
    return (g["children"] >= 1) & (g["head_age"] <= 64) & (g["head_age"] >= 0) & (g["works"] == 0)


def _zones(py: pd.DataFrame, dwellings: pd.DataFrame) -> pd.Series:
    zone = dwellings.set_index("dwelling_id")["zone_id"]
    return py.drop_duplicates("family_id").set_index("family_id")["dwelling_id"].map(zone)


def _day(rng: np.random.Generator, start: date, end: date) -> date:
    return start + timedelta(days=int(rng.integers(0, (end - start).days + 1)))


def plan_and_apply(truth_dir: Path, seed: int, years: tuple[int, int]) -> Plan | None:
    """Draw the demo's calls, projects and reach, apply the effect to the truth; None if the years do not fit."""
    if not all(years[0] <= y - 1 and y + 1 <= years[1] for _, _, _, y, _, _ in CALLS):
        return None
    rng = np.random.default_rng([seed, SEED_STREAM])
    persons = pq.read_table(truth_dir / "persons.parquet", columns=["person_id", "birth_date"]).to_pandas()
    born = pd.to_datetime(persons.set_index("person_id")["birth_date"])
    py_all = pq.read_table(truth_dir / "person_year.parquet").to_pandas()
    original = py_all.copy()
    dwellings = pq.read_table(truth_dir / "dwellings.parquet", columns=["dwelling_id", "zone_id"]).to_pandas()
    plan = Plan(seed=seed)
    used_zones: set[str] = set()
    n = 0
    for call_id, title, group, year, n_hard, n_old in CALLS:
        base = py_all[py_all["year"] == year - 1]
        zone_of = _zones(base, dwellings)
        hard = _hardship(base, born, year - 1)
        rate = hard.groupby(zone_of).mean().sort_values(ascending=False)
        call_zones: list[str] = []
        for k in range(n_hard + n_old):
            n += 1
            pid = f"P{n:02d}"
            start, end = date(year, 3, 1), date(year, 12, 31)
            if k < n_hard:
                free = [z for z in rate.index if z not in used_zones]
                # half of the projects work in the neediest free zones, half anywhere
                size = ZONES_PER_HARDSHIP_PROJECT
                pool = free[: max(size, len(free) // 4)] if k % 2 == 0 else free
                zones = sorted(rng.choice(pool, size=min(size, len(pool)), replace=False).tolist())
                used_zones.update(zones)
                fams = zone_of[zone_of.isin(zones)].index
                in_hard = fams[hard.reindex(fams).fillna(False).to_numpy(bool)]
                others = base[base["family_id"].isin(fams) & (base["relation"] == "child")]["family_id"].unique()
                chosen = np.concatenate([in_hard[rng.random(len(in_hard)) < 0.8],
                                         rng.choice(others, size=min(len(others), len(in_hard) // 2 + 1),
                                                    replace=False) if len(others) else np.array([], int)])
                members = base[base["family_id"].isin(chosen) & base["relation"].isin(["head", "spouse"])]
                people = members["person_id"].to_numpy()
                effect = k % 2 == 1
            else:
                zones = sorted(rng.choice(rate.index.to_numpy(), size=2, replace=False).tolist())
                age = year - 1 - born.reindex(base["person_id"]).dt.year.to_numpy()
                size = base.groupby("family_id")["person_id"].transform("size").to_numpy()
                here = (age >= 66) & base["family_id"].map(zone_of).isin(zones).to_numpy()
                alone = base["person_id"].to_numpy()[here & (size == 1)]
                others_old = base["person_id"].to_numpy()[here & (size > 1)]
                people = np.unique(np.concatenate([alone[rng.random(len(alone)) < 0.4],
                                                   others_old[rng.random(len(others_old)) < 0.03]]))
                effect, in_hard, members = False, pd.Index([]), base.iloc[:0]
            call_zones += zones
            reached = pd.DataFrame({"project_id": pid, "person_id": people,
                                    "reached_on": [_day(rng, start, date(year, 9, 30)) for _ in people]})
            plan.reached = pd.concat([plan.reached, reached], ignore_index=True)
            lead = f"E{int(rng.integers(1, 81)):03d}"
            partners = "|".join(sorted({f"E{int(rng.integers(1, 81)):03d}" for _ in range(int(rng.integers(0, 3)))}))
            plan.projects.append({"codice_progetto": pid, "codice_bando": call_id,
                                  "titolo": f"Progetto {pid} ({title})", "ente_capofila": lead, "partner": partners,
                                  "budget_eur": float(rng.integers(20, 120)) * 1000.0,
                                  "data_inizio": start, "data_fine": end, "aree": "|".join(zones),
                                  "_effect": effect, "_year": year, "_hard": in_hard, "_chosen_people": people})
            if effect:
                _apply_effect(py_all, base, in_hard.intersection(pd.Index(members["family_id"])), year, born, rng)
        plan.calls.append({"codice_bando": call_id, "titolo": title, "budget_eur": 1_500_000.0,
                           "data_apertura": date(year - 1, 10, 1), "data_chiusura": date(year, 12, 31),
                           "gruppo_target": group, "eta_min": "", "eta_max": "",
                           "aree_target": "|".join(sorted(set(call_zones)))})
    _record_effects(plan, original, py_all, born, dwellings)
    _rewrite_person_year(truth_dir, py_all)
    return plan


def _apply_effect(py: pd.DataFrame, base: pd.DataFrame, families: pd.Index, year: int, born: pd.Series,
                  rng: np.random.Generator) -> None:
    """One adult (18-64, neither working nor retired) per family finds a job in ``year`` and keeps it
    (each family with probability EFFECT_PROBABILITY)."""
    for fam in sorted(int(f) for f in families):
        if rng.random() >= EFFECT_PROBABILITY:
            continue
        members = base[(base["family_id"] == fam)].sort_values("person_id")
        age = year - 1 - born.reindex(members["person_id"]).dt.year.to_numpy()
        idle = members[(age >= 18) & (age <= 64) & ~members["labour_status"].isin(["employed", "retired"])]
        if idle.empty:
            continue
        person = int(idle["person_id"].iloc[0])
        rows = (py["person_id"] == person) & (py["year"] >= year) & ~py["labour_status"].isin(
            ["employed", "retired"])
        py.loc[rows, "labour_status"] = "employed"


def _record_effects(plan: Plan, before: pd.DataFrame, after: pd.DataFrame, born: pd.Series,
                    dwellings: pd.DataFrame) -> None:
    """The true effect per hardship project: on reached families (with minus without), and on its areas."""
    for p in plan.projects:
        if not len(p["_hard"]):
            continue
        follow = p["_year"] + 1
        y0 = _hardship(before[before["year"] == follow], born, follow)
        y1 = _hardship(after[after["year"] == follow], born, follow)
        reached_fams = before[(before["year"] == p["_year"] - 1) & before["person_id"].isin(p["_chosen_people"])]
        fams = pd.Index(reached_fams["family_id"].unique()).intersection(p["_hard"]).intersection(y0.index)
        zone_of = _zones(before[before["year"] == follow], dwellings)
        zones = p["aree"].split("|")
        in_z = zone_of[zone_of.isin(zones)]
        area_effect = float(np.mean([(y1.reindex(in_z[in_z == z].index).mean()
                                      - y0.reindex(in_z[in_z == z].index).mean()) * 100 for z in zones]))
        plan.effects.append({"project_id": p["codice_progetto"], "simulated_effect": p["_effect"],
                             "families_followed": len(fams),
                             "true_person_effect": float(y1.reindex(fams).mean() - y0.reindex(fams).mean())
                             if len(fams) else 0.0,
                             "true_area_effect": area_effect})


def _rewrite_person_year(truth_dir: Path, py: pd.DataFrame) -> None:
    path = truth_dir / "person_year.parquet"
    schema = pq.read_schema(path)
    with pq.ParquetWriter(path, schema, **PARQUET_OPTIONS) as writer:
        for year in sorted(py["year"].unique()):
            part = pa.Table.from_pandas(py[py["year"] == year], schema=schema, preserve_index=False)
            writer.write_table(part, row_group_size=MAX_ROW_GROUP)


def write_reports(root: Path, plan: Plan, truth_dir: Path) -> dict[str, int]:
    """Write extracts/impatto/ and ground_truth/impact_effects.csv; data rows per file (relative to root)."""
    from welfare_district.synth.extracts.xlsx import Sheet, xlsx_bytes

    rng = np.random.default_rng([plan.seed, SEED_STREAM, 2])
    out = root / "extracts" / "impatto"
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    counts["extracts/impatto/bandi.csv"] = _csv(out / "bandi.csv", plan.calls)
    services = _services(root)
    projects = []
    for p in plan.projects:
        own = services.get(p["ente_capofila"]) or sorted(v for vs in services.values() for v in vs)
        picked = sorted(rng.choice(own, size=min(2, len(own)), replace=False).tolist()) if own else []
        projects.append({k: v for k, v in p.items() if not k.startswith("_")} | {"servizi": "|".join(picked)})
    counts["extracts/impatto/progetti.csv"] = _csv(out / "progetti.csv", projects)
    persons = pq.read_table(truth_dir / "persons.parquet", columns=["person_id", "surname", "first_name",
                                                                    "birth_date", "codice_fiscale"]).to_pandas()
    persons = persons.set_index("person_id")
    for i, p in enumerate(plan.projects):
        pid = p["codice_progetto"]
        acts = [{"codice_progetto": pid, "data": _day(rng, p["data_inizio"], p["data_fine"]),
                 "tipo": str(rng.choice(["sportello", "laboratorio", "visita domiciliare", "orientamento"])),
                 "area": str(rng.choice(p["aree"].split("|"))), "ore": float(rng.integers(1, 9)),
                 "partecipanti": int(rng.integers(1, 25))} for _ in range(int(rng.integers(6, 20)))]
        acts.sort(key=lambda a: (a["data"], a["tipo"]))
        counts[f"extracts/impatto/attivita_{pid}.csv"] = _csv(out / f"attivita_{pid}.csv", acts)
        reached = plan.reached[plan.reached["project_id"] == pid].sort_values("person_id")
        who = persons.reindex(reached["person_id"])
        header = ["codice_progetto", "cognome", "nome", "data_nascita", "codice_fiscale", "data_presa_in_carico"]
        rows = [[pid, s, f, b, cf if rng.random() > 0.15 else None, d] for s, f, b, cf, d in zip(
            who["surname"], who["first_name"], who["birth_date"], who["codice_fiscale"], reached["reached_on"],
            strict=True)]
        name = f"beneficiari_{pid}.xlsx" if i % 2 == 0 else f"beneficiari_{pid}.csv"
        if name.endswith(".xlsx"):
            (out / name).write_bytes(xlsx_bytes([Sheet("Beneficiari", header, rows)], "Ente partner"))
        else:
            _csv(out / name, [dict(zip(header, r, strict=True)) for r in rows])
        counts[f"extracts/impatto/{name}"] = len(rows)
    gt = root / "ground_truth"
    gt.mkdir(parents=True, exist_ok=True)
    counts["ground_truth/impact_effects.csv"] = _csv(gt / "impact_effects.csv", plan.effects)
    return counts


def _services(root: Path) -> dict[str, list[str]]:
    """The catalogue's service ids per organisation id (empty without a catalogue)."""
    path = root / "extracts" / "catalogo" / "servizi.csv"
    if not path.exists():
        return {}
    out: dict[str, list[str]] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            out.setdefault(row["id_ente"], []).append(row["id_servizio"])
    return {k: sorted(v) for k, v in out.items()}


def _csv(path: Path, rows: list[dict[str, Any]]) -> int:
    buf = io.StringIO()
    if rows:
        writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: (f"{v:.6g}" if isinstance(v, float) else ("" if v is None else v))
                             for k, v in row.items()})
    path.write_bytes(buf.getvalue().encode("utf-8"))
    return len(rows)
