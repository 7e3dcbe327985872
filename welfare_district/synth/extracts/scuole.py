"""School enrolment, one CSV per school year (the year starting in September of a snapshot year).

Shape: ','-separated UTF-8. Children are assigned to invented schools of their quartiere (upper secondary:
city-wide institutes); a share of resident pupils attends schools outside the extract (private or in other
comuni) and is not listed. Class follows the birth year, as Italian schools group pupils.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from welfare_district.synth.extracts.context import Context
from welfare_district.synth.extracts.formats import format_dates
from welfare_district.synth.extracts.people import addresses, messy_identity, people
from welfare_district.synth.extracts.randomness import pick, scramble, two_key, uniform
from welfare_district.synth.extracts.vocab import citizenship_words

SOURCE = "scuole"
COLUMNS = [
    "ANNO_SCOLASTICO",
    "CODICE_MECCANOGRAFICO",
    "DENOMINAZIONE_SCUOLA",
    "ORDINE_SCUOLA",
    "CLASSE",
    "SEZIONE",
    "ID_ALUNNO",
    "CODICE_FISCALE_ALUNNO",
    "COGNOME_ALUNNO",
    "NOME_ALUNNO",
    "DATA_NASCITA",
    "SESSO",
    "CITTADINANZA",
]
# (order, meccanographic type, first and last age in years reached in the calendar year, class offset)
ORDERS = (
    ("INFANZIA", "AA", 3, 5, 2),
    ("PRIMARIA", "EE", 6, 10, 5),
    ("SECONDARIA I GRADO", "MM", 11, 13, 10),
    ("SECONDARIA II GRADO", "PS", 14, 18, 13),
)
_DEDICATIONS = (
    "Arcobaleno",
    "Girasole",
    "G. Rodari",
    "C. Collodi",
    "M. Montessori",
    "Don L. Milani",
    "A. Frank",
    "E. De Amicis",
    "G. Leopardi",
    "Santa Rita",
    "I. Calvino",
    "G. Deledda",
    "E. Fermi",
    "A. Volta",
    "L. da Vinci",
    "G. Marconi",
    "San Giuseppe",
    "B. Munari",
)
_UPPER = (
    'Liceo Scientifico "E. Fermi"',
    'Liceo Classico "C. Goldoni"',
    'Istituto Tecnico "G. Marconi"',
    'Liceo Linguistico "M. Curie"',
    'Istituto Professionale "A. Olivetti"',
    'Istituto Tecnico Economico "L. Einaudi"',
    'Liceo Artistico "A. Modigliani"',
    'Istituto di Istruzione Superiore "R. Levi Montalcini"',
)
ENROLLED_HERE = 0.93  # share of resident pupils enrolled in the schools of this extract


def school_year(year: int) -> str:
    """'2024/25' for the school year starting in September ``year``."""
    return f"{year}/{(year + 1) % 100:02d}"


def _schools(
    order: int, quartiere: npt.NDArray[np.object_], keys: npt.NDArray[np.int64], seed: int
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.object_]]:
    """(meccanographic code, school name) per pupil: two schools per order and quartiere, or city-wide."""
    name, mec = ORDERS[order][0], ORDERS[order][1]
    if order == 3:
        idx = pick(seed, "scuole/superiore", keys, [1.0] * len(_UPPER))
        return (
            np.array([f"PD{mec}0{i + 1:02d}00{i % 10}" for i in idx], dtype=object),
            np.array([_UPPER[i] for i in idx], dtype=object),
        )
    q = np.array([int(str(v).lstrip("Q") or 0) if str(v).lstrip("Q").isdigit() else 0 for v in quartiere])
    which = (uniform(seed, f"scuole/plesso/{order}", keys) < 0.5).astype(int)
    ded = (q * 3 + which * 7 + order * 5) % len(_DEDICATIONS)
    label = {
        "INFANZIA": "Scuola dell'infanzia",
        "PRIMARIA": "Scuola primaria",
        "SECONDARIA I GRADO": "Scuola secondaria di I grado",
    }[name]
    codes = np.array(
        [f"PD{mec}8{qq}{w}{order}0{(qq * 7 + w) % 10}" for qq, w in zip(q, which, strict=True)], dtype=object
    )
    names = np.array([f'{label} "{_DEDICATIONS[d]}"' for d in ded], dtype=object)
    return codes, names


def write(ctx: Context) -> None:
    """Write ``scuole_iscrizioni_<yyyy>_<yy>.csv`` for every snapshot year in range."""
    for year in ctx.years:
        py = ctx.truth.table("person_year", year, ["person_id", "family_id", "dwelling_id"])
        pids = py["person_id"].to_numpy(dtype=np.int64)
        # age reached in the calendar year: the cohort that starts a class together in September
        age_cal = ctx.truth.age_at(pids, year)
        here = uniform(ctx.seed, "scuole/iscritto", pids) < ENROLLED_HERE
        frames = []
        for o, (order, _, lo, hi, offset) in enumerate(ORDERS):
            sel = here & (age_cal >= lo) & (age_cal <= hi)
            if not sel.any():
                continue
            part = py[sel].reset_index(drop=True)
            k = part["person_id"].to_numpy(dtype=np.int64)
            quart = addresses(ctx.truth, part["dwelling_id"].to_numpy()).quartiere_id
            mec, name = _schools(o, quart, two_key(k, year), ctx.seed)
            # a district's schools are schools of their own: its prefix keeps their codes apart
            mec = mec if not ctx.tag else np.array([ctx.tag + c for c in mec], dtype=object)
            cls = age_cal[sel] - offset
            frames.append(
                pd.DataFrame(
                    {
                        "pid": k,
                        "fam": part["family_id"].to_numpy(),
                        "mec": mec,
                        "name": name,
                        "order": order,
                        "cls": np.where(o == 0, "", cls.astype(str)).astype(object),
                        "sez": np.array(list("ABCDEF"), dtype=object)[pick(ctx.seed, "scuole/sezione", k, [1] * 6)],
                    }
                )
            )
        if not frames:
            continue
        enr = pd.concat(frames, ignore_index=True).sort_values(["mec", "cls", "sez", "pid"], kind="stable")
        enr = enr.reset_index(drop=True)
        pids_e = enr["pid"].to_numpy(dtype=np.int64)
        keys = two_key(pids_e, year)
        p = people(ctx.truth, pids_e).upper()
        m = messy_identity(ctx, SOURCE, p, keys)
        df = pd.DataFrame(
            {
                "ANNO_SCOLASTICO": school_year(year),
                "CODICE_MECCANOGRAFICO": enr["mec"].to_numpy(),
                "DENOMINAZIONE_SCUOLA": enr["name"].to_numpy(),
                "ORDINE_SCUOLA": enr["order"].to_numpy(),
                "CLASSE": enr["cls"].to_numpy(),
                "SEZIONE": enr["sez"].to_numpy(),
                "ID_ALUNNO": scramble(ctx.seed, "scuole/alunno", pids_e),
                "CODICE_FISCALE_ALUNNO": m.cf,
                "COGNOME_ALUNNO": m.surname,
                "NOME_ALUNNO": m.first_name,
                "DATA_NASCITA": format_dates(m.birth, "dmy"),
                "SESSO": p.sex,
                "CITTADINANZA": citizenship_words(p.citizenship),
            },
            columns=COLUMNS,
        )
        out = ctx.csv(f"scuole_iscrizioni_{year}_{(year + 1) % 100:02d}.csv", sep=",")
        first = out.write(df)
        ctx.record(SOURCE, out.path, first, df["ID_ALUNNO"].to_numpy(), pids_e, enr["fam"].to_numpy(), m.flags)
        ctx.finish_csv(out)
