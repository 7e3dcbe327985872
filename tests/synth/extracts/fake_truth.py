"""A small, schema-faithful fake of the generator's ground truth, for developing and testing the extracts.

It is not demographically accurate; it only has the shapes the extracts rely on: families that arrive, leave,
move between dwellings and have children, deaths of elderly people living alone, foreign-born residents,
omocodic codes, accented and apostrophised names, ISEE declarations and social-services cases.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from welfare_district.geo.reference import load_streets
from welfare_district.ingest import codice_fiscale as cf
from welfare_district.synth import schema

IT_SURNAMES = (
    "Rossi",
    "Bianchi",
    "Ferrari",
    "Zanella",
    "Bettin",
    "Scarpa",
    "Pavan",
    "Boscolo",
    "Carraro",
    "Schiavon",
    "Zanon",
    "Marchetto",
    "Rigon",
    "Toffanin",
    "De Rossi",
    "D'Angelo",
    "Dall'Ara",
    "Favaro",
    "Cecchinato",
    "Gallo",
    "Barbiero",
    "Salvò",
    "Niccolò",
    "Fabris",
    "Pegoraro",
    "Zago",
    "Trevisan",
    "Mazzucato",
    "Baldan",
    "Mason",
    "Lazzaro",
    "Bellò",
    "Da Re",
    "Esposito",
    "Russo",
    "Romano",
    "Colombo",
    "Ricci",
    "Marino",
    "Greco",
    "Bruno",
    "Conte",
    "Fontana",
    "Caruso",
    "Lombardi",
)
FOREIGN = {  # birth state: (ISO citizenship, surnames, male names, female names)
    "Z129": (
        "RO",
        ("Popescu", "Ionescu", "Munteanu", "Stoica", "Dumitrașcu"),
        ("Andrei", "Ionuț", "Mihai"),
        ("Elena", "Ioana", "Maria"),
    ),
    "Z100": ("AL", ("Hoxha", "Shehu", "Dervishi", "Gjoka"), ("Arben", "Ermal", "Besnik"), ("Elira", "Arta")),
    "Z330": (
        "MA",
        ("El Amrani", "Benali", "Ouali", "Bouzid"),
        ("Mohamed", "Youssef", "Karim"),
        ("Fatima", "Khadija", "Amina"),
    ),
    "Z210": ("CN", ("Wang", "Li", "Zhang", "Chen", "Hu"), ("Wei", "Jian", "Hao"), ("Li", "Mei", "Xiu")),
    "Z335": ("NG", ("Okafor", "Adeyemi", "Eze", "Okonkwo"), ("Chinedu", "Emeka", "Tunde"), ("Ngozi", "Ada")),
    "Z140": ("MD", ("Rusu", "Ciobanu", "Ceban"), ("Vasile", "Ion", "Sergiu"), ("Natalia", "Olga", "Ana")),
}
IT_PLACES = ("G224",) * 12 + ("L736", "L840", "H501", "F839", "G273", "L781", "L407", "A001", "C964")
MALE = (
    "Marco",
    "Luca",
    "Giovanni",
    "Andrea",
    "Francesco",
    "Matteo",
    "Nicolò",
    "Giuseppe",
    "Paolo",
    "Stefano",
    "Alessandro",
    "Davide",
    "Riccardo",
    "Gian Maria",
    "Giorgio",
    "Mattia",
    "Filippo",
    "Lorenzo",
)
FEMALE = (
    "Giulia",
    "Maria",
    "Anna",
    "Francesca",
    "Chiara",
    "Sara",
    "Elena",
    "Laura",
    "Martina",
    "Giovanna",
    "Paola",
    "Alessia",
    "Federica",
    "Silvia",
    "Maria Grazia",
    "Beatrice",
    "Elisa",
    "Noemi",
)
TYPE_P = (0.33, 0.2, 0.3, 0.09, 0.08)


@dataclass
class Person:
    person_id: int
    surname: str
    first_name: str
    sex: str
    birth_date: date
    birth_place_code: str
    citizenship: str
    codice_fiscale: str
    arrival_date: date | None = None
    departure_date: date | None = None
    death_date: date | None = None


@dataclass
class Family:
    family_id: int
    family_type: str
    tenure: str
    start: int
    end: int
    dwellings: list[int]
    members: list[tuple[Person, str]] = field(default_factory=list)


class _Builder:
    def __init__(self, rng: np.random.Generator, years: tuple[int, int]) -> None:
        self.rng = rng
        self.y0, self.y1 = years
        self.persons: list[Person] = []
        self.used: set[str] = set()

    def day(self, lo: date, hi: date) -> date:
        return lo + timedelta(days=int(self.rng.integers(0, max(1, (hi - lo).days))))

    def pick(self, options: tuple[str, ...]) -> str:
        return options[int(self.rng.integers(0, len(options)))]

    def person(
        self, fam: Family, rel: str, sex: str, birth: date, origin: str | None, surname: str | None
    ) -> Person:
        if origin is None:
            place, cit = self.pick(IT_PLACES), "IT"
            sur = surname or self.pick(IT_SURNAMES)
            name = self.pick(MALE if sex == "M" else FEMALE)
        else:
            iso, surs, males, females = FOREIGN[origin]
            place = origin if birth.year < self.y0 - 12 or self.rng.random() < 0.5 else "G224"
            cit = iso if self.rng.random() < 0.85 else "IT"
            sur = surname or self.pick(surs)
            name = self.pick(males if sex == "M" else females)
        base = cf.encode(sur, name, sex, birth, place)
        code, level = base, 0
        while code in self.used:  # the later of two colliding people gets an omocodic variant
            level += 1
            code = cf.omocode(base, level)
        self.used.add(code)
        p = Person(len(self.persons) + 1, sur, name, sex, birth, place, cit, code)
        self.persons.append(p)
        fam.members.append((p, rel))
        return p

    def family(self, fid: int, n_dw: int) -> Family:
        rng, y0, y1 = self.rng, self.y0, self.y1
        start = y0 if rng.random() < 0.85 else int(rng.integers(y0 + 1, y1 + 1))
        end = y1 if rng.random() < 0.9 else int(rng.integers(start, y1 + 1))
        dws = [int(rng.integers(1, n_dw + 1))]
        for _ in range(y1 - y0):
            dws.append(int(rng.integers(1, n_dw + 1)) if rng.random() < 0.07 else dws[-1])
        ftype = str(rng.choice(schema.FAMILY_TYPE, p=TYPE_P))
        fam = Family(fid, ftype, str(rng.choice(schema.TENURE, p=[0.65, 0.28, 0.07])), start, end, dws)
        origin = self.pick(tuple(FOREIGN)) if rng.random() < 0.15 else None
        sex = "M" if rng.random() < 0.6 else "F"
        old = ftype == "one_person" and rng.random() < 0.5
        hb = (
            self.day(date(1925, 1, 1), date(1950, 1, 1))
            if old
            else self.day(date(1950, 1, 1), date(y0 - 22, 1, 1))
        )
        head = self.person(fam, "head", sex, hb, origin, None)
        if ftype in ("couple_no_children", "couple_with_children"):
            rel = "partner" if rng.random() < 0.15 else "spouse"
            self.person(
                fam,
                rel,
                "F" if sex == "M" else "M",
                hb + timedelta(days=int(rng.integers(-2000, 2000))),
                origin,
                None,
            )
        if ftype in ("couple_with_children", "single_parent"):
            for _ in range(int(rng.integers(1, 4))):
                lo = max(hb + timedelta(days=365 * 20), date(y0 - 25, 1, 1))
                self.person(
                    fam, "child", self.pick(("M", "F")), self.day(lo, date(y1, 6, 1)), origin, head.surname
                )
        if ftype == "other":
            for rel in rng.choice(["parent", "sibling", "other_relative", "other"], int(rng.integers(1, 3))):
                self.person(
                    fam,
                    str(rel),
                    self.pick(("M", "F")),
                    self.day(date(1935, 1, 1), date(1995, 1, 1)),
                    origin,
                    head.surname if rel != "other" else None,
                )
        if start > y0:
            for p, _ in fam.members:
                p.arrival_date = self.day(date(start, 1, 1), date(start, 12, 31))
        if end < y1:
            for p, _ in fam.members:
                p.departure_date = self.day(date(end + 1, 1, 1), date(end + 1, 12, 31))
        if len(fam.members) == 1 and hb.year < 1940 and end == y1 and start < y1 and rng.random() < 0.3:
            fam.end = int(rng.integers(start, y1))
            head.death_date = self.day(date(fam.end + 1, 1, 1), date(fam.end + 1, 12, 31))
        return fam


def _civici(rng: np.random.Generator, n: int) -> pd.DataFrame:
    streets = load_streets().dropna(subset=["street_code"]).head(400).reset_index(drop=True)
    s_idx = rng.integers(0, len(streets), n)
    q, z, sec = rng.integers(1, 7, n), rng.integers(1, 4, n), rng.integers(1, 30, n)
    return pd.DataFrame(
        {
            "civico_id": np.arange(1, n + 1, dtype=np.int64),
            "street_code": streets["street_code"].to_numpy()[s_idx],
            "street_type": streets["dug"].to_numpy()[s_idx],
            "street_name": streets["duf"].to_numpy()[s_idx],
            "number": rng.integers(1, 180, n),
            "suffix": rng.choice(["", "", "", "", "", "", "", "", "A", "B"], n),
            "lon": np.round(11.876 + rng.normal(0, 0.02, n), 6),
            "lat": np.round(45.407 + rng.normal(0, 0.015, n), 6),
            "section_id": [f"Q{a}Z{b:02d}S{c:03d}" for a, b, c in zip(q, z, sec, strict=True)],
            "zone_id": [f"Q{a}Z{b:02d}" for a, b in zip(q, z, strict=True)],
            "quartiere_id": [f"Q{a}" for a in q],
        }
    )


def _dwellings(rng: np.random.Generator, n: int, civici: pd.DataFrame) -> pd.DataFrame:
    civ = rng.integers(0, len(civici), n)
    return pd.DataFrame(
        {
            "dwelling_id": np.arange(1, n + 1, dtype=np.int64),
            "civico_id": civici["civico_id"].to_numpy()[civ],
            "interno": rng.choice(["", "", "1", "2", "3", "4", "5", "6", "10", "12"], n),
            "surface_m2": rng.integers(30, 170, n).astype(np.int16),
            "rooms": rng.integers(1, 7, n).astype(np.int8),
            "section_id": civici["section_id"].to_numpy()[civ],
            "zone_id": civici["zone_id"].to_numpy()[civ],
            "quartiere_id": civici["quartiere_id"].to_numpy()[civ],
        }
    )


def _yearly(b: _Builder, families: list[Family]) -> tuple[pd.DataFrame, pd.DataFrame]:
    labour_base = b.rng.random(len(b.persons) + 1)
    py_rows: list[tuple[object, ...]] = []
    fy_rows: list[tuple[object, ...]] = []
    for fam in families:
        for year in range(fam.start, fam.end + 1):
            alive = [(p, r) for p, r in fam.members if p.birth_date <= date(year, 12, 31)]
            dw = fam.dwellings[year - b.y0]
            for p, rel in alive:
                age = year - p.birth_date.year
                u = float(labour_base[p.person_id])
                edu = (
                    None
                    if age < 6
                    else "primary"
                    if age < 11
                    else "lower_secondary"
                    if age < 19
                    else schema.EDUCATION[int(u * 6)]
                )
                lab = None
                if age >= 15:
                    v = (u + 0.13 * (year - b.y0) * (p.person_id % 3 == 0)) % 1
                    lab = (
                        "student"
                        if age < 22
                        else "retired"
                        if age >= 67
                        else "unemployed"
                        if v < 0.12
                        else "other_inactive"
                        if v < 0.3
                        else "employed"
                    )
                py_rows.append(
                    (year, p.person_id, fam.family_id, rel, dw, edu, lab, u > 0.97, age > 80 and u > 0.8)
                )
            fy_rows.append(
                (
                    year,
                    fam.family_id,
                    fam.members[0][0].person_id,
                    len(alive),
                    fam.family_type,
                    dw,
                    fam.tenure,
                )
            )
    return (
        pd.DataFrame(py_rows, columns=schema.PERSON_YEAR.names),
        pd.DataFrame(fy_rows, columns=schema.FAMILY_YEAR.names),
    )


def build_fake_truth(
    root: Path, n_families: int = 1000, years: tuple[int, int] = (2018, 2024), seed: int = 7
) -> Path:
    """Write ``root/truth/*.parquet`` and ``root/areas/civici.csv``; returns the truth folder."""
    rng = np.random.default_rng(seed)
    y0, y1 = years
    (root / "truth").mkdir(parents=True, exist_ok=True)
    (root / "areas").mkdir(parents=True, exist_ok=True)
    civici = _civici(rng, max(60, n_families // 3))
    civici.to_csv(root / "areas" / "civici.csv", index=False)
    dwellings = _dwellings(rng, int(n_families * 1.4), civici)
    b = _Builder(rng, years)
    families = [b.family(fid, len(dwellings)) for fid in range(1, n_families + 1)]
    person_year, family_year = _yearly(b, families)

    fy = family_year.sample(frac=0.2, random_state=seed).sort_values(["year", "family_id"])
    isee = pd.DataFrame(
        {
            "dsu_id": np.arange(1, len(fy) + 1, dtype=np.int64),
            "year": fy["year"].to_numpy(),
            "family_id": fy["family_id"].to_numpy(),
            "declarant_person_id": fy["head_person_id"].to_numpy(),
            "submitted": [b.day(date(int(y), 1, 10), date(int(y), 12, 20)) for y in fy["year"]],
            "isee_eur": np.round(rng.lognormal(9.5, 0.8, len(fy)), 2),
            "nucleus_size": fy["size"].to_numpy(),
        }
    )
    case_fam = family_year.drop_duplicates("family_id").sample(frac=0.05, random_state=seed)
    opened = [b.day(date(y0 - 2, 1, 1), date(y1, 12, 1)) for _ in range(len(case_fam))]
    closed = [None if rng.random() < 0.5 else d + timedelta(days=int(rng.integers(30, 900))) for d in opened]
    cases = pd.DataFrame(
        {
            "case_id": np.arange(1, len(case_fam) + 1, dtype=np.int64),
            "person_id": case_fam["head_person_id"].to_numpy(),
            "family_id": case_fam["family_id"].to_numpy(),
            "need": rng.choice(schema.CASE_NEED, len(case_fam)),
            "opened": opened,
            "closed": [c if c is not None and c <= date(y1, 12, 31) else None for c in closed],
        }
    )

    tables = {
        "persons": pd.DataFrame([asdict(p) for p in b.persons]),
        "person_year": person_year,
        "family_year": family_year,
        "dwellings": dwellings,
        "isee": isee,
        "cases": cases,
    }
    for name, df in tables.items():
        table = pa.Table.from_pandas(df, schema=schema.TRUTH_TABLES[name], preserve_index=False)
        pq.write_table(table, root / "truth" / f"{name}.parquet", row_group_size=50_000)
    return root / "truth"
