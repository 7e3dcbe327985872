"""Service catalogue: municipal offices and about 80 third-sector organisations with about 200 services.

Written in our own shape (a later stage maps it to Open Referral HSDS): ``catalogo/enti.csv``,
``catalogo/sedi.csv``, ``catalogo/servizi.csv`` (';'-separated UTF-8) and the same content nested in
``catalogo/catalogo.json``. Locations are house numbers of the street register, with their coordinates.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

import numpy as np
import pandas as pd

from welfare_district.synth.extracts.catalogo_testi import (
    ACCESS,
    COST,
    ELIGIBILITY,
    FORMS,
    HOURS,
    LANGUAGES,
    MUNICIPAL,
    NEEDS,
    PLACES,
    QUARTIERE_NAMES,
    SERVICES,
    STEMS,
    TARGETS,
)
from welfare_district.synth.extracts.context import Context
from welfare_district.synth.extracts.formats import house_number, title_it
from welfare_district.synth.extracts.randomness import hash64

N_ORGS = 80
FOLDER = "catalogo"
# focus needs of third-sector organisations: poverty and migrants are the most common fields
NEED_WEIGHTS = {
    "economic": 14,
    "housing": 7,
    "elderly_care": 10,
    "disability": 9,
    "minors_family": 10,
    "employment": 7,
    "education": 6,
    "health": 6,
    "migrants": 10,
    "addictions": 4,
    "gender_violence": 3,
}


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def _phone(rng: np.random.Generator) -> str:
    return f"049 000 {int(rng.integers(0, 10_000)):04d}"  # the 000 exchange is not assigned: fictitious


def _location(rng: np.random.Generator, civici: pd.DataFrame, quartiere: str | None = None) -> dict[str, Any]:
    pool = (
        civici
        if quartiere is None or not (civici["quartiere_id"] == quartiere).any()
        else civici[civici["quartiere_id"] == quartiere]
    )
    c = pool.iloc[int(rng.integers(0, len(pool)))]
    address = (
        f"{title_it(str(c['street_type']))} {title_it(str(c['street_name']))} "
        f"{house_number(int(c['number']), str(c['suffix']), 0)}"
    )
    return {
        "indirizzo": address,
        "civico_id": int(c["civico_id"]),
        "lon": float(c["lon"]),
        "lat": float(c["lat"]),
        "quartiere": QUARTIERE_NAMES.get(str(c["quartiere_id"]), str(c["quartiere_id"])),
    }


def _hours(rng: np.random.Generator, need: str, municipal: bool) -> str:
    if municipal:  # council offices keep office hours
        return str(
            rng.choice(
                [
                    "lun-ven 9:00-12:30",
                    "lun-ven 9:00-12:30; mar e gio 15:00-18:00",
                    "lun-ven 8:30-13:00 e 14:00-17:00",
                ]
            )
        )
    # only shelters open at night
    choices = [h for h in HOURS if need == "housing" or "19:00-8:00" not in h]
    return choices[int(rng.integers(0, len(choices)))]


def _service(
    rng: np.random.Generator,
    sid: int,
    ente: dict[str, Any],
    sede: dict[str, Any],
    need: str,
    name: str | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    names = SERVICES[need]
    title = name or names[int(rng.integers(0, len(names)))]
    rules = ELIGIBILITY[need]
    rule = rules[int(rng.integers(0, len(rules)))].format(isee=int(rng.choice([6000, 9360, 12000, 15000, 20000])))
    targets = TARGETS[need]
    return {
        "id_servizio": f"S{sid:04d}",
        "id_ente": ente["id_ente"],
        "id_sede": sede["id_sede"],
        "nome": title,
        "ambito": NEEDS[need],
        "codice_ambito": need,
        "descrizione": description or f"{title} a cura di {ente['denominazione']}.",
        "destinatari": targets[int(rng.integers(0, len(targets)))],
        "requisiti": rule,
        "modalita_accesso": ACCESS[int(rng.integers(0, len(ACCESS)))],
        "costo": COST[int(rng.integers(0, len(COST)))],
        "orari": _hours(rng, need, ente["id_ente"] == "E000"),
        "telefono": sede.get("telefono") or ente["telefono"],
        "email": ente["email"],
        "lingue": LANGUAGES[int(rng.integers(0, len(LANGUAGES)))] if need == "migrants" else "italiano",
    }


def build_catalogue(ctx: Context) -> list[dict[str, Any]]:
    """The catalogue as nested records: organisations with their sites and services (deterministic)."""
    rng = np.random.default_rng(int(hash64(ctx.seed, "catalogo", np.array([0]))[0] % np.uint64(2**63)))
    civici = ctx.truth.civici.reset_index(drop=True).sort_values("civico_id")
    enti: list[dict[str, Any]] = []
    sid = 0
    comune: dict[str, Any] = {
        "id_ente": "E000",
        "denominazione": "Comune di Padova",
        "forma_giuridica": "Ente pubblico",
        "sezione_runts": "",
        "numero_repertorio_runts": "",
        "email": "servizisociali@comune-padova.example.org",
        "telefono": "049 000 0000",
        "sito_web": "https://comune-padova.example.org",
        "sedi": [],
        "servizi": [],
    }
    for name, need, description, per_quartiere in MUNICIPAL:
        quartieri = sorted(QUARTIERE_NAMES) if per_quartiere else [None]
        for q in quartieri:
            label = f"{name} - Quartiere {QUARTIERE_NAMES[q]}" if q else name
            sede = {
                "id_sede": f"L{len(comune['sedi']) + 1:03d}",
                "id_ente": "E000",
                "nome_sede": label,
                "telefono": _phone(rng),
                **_location(rng, civici, q),
            }
            comune["sedi"].append(sede)
            sid += 1
            comune["servizi"].append(_service(rng, sid, comune, sede, need, label, description))
    enti.append(comune)
    needs = list(NEED_WEIGHTS)
    weights = np.array([NEED_WEIGHTS[n] for n in needs], dtype=float)
    used: set[str] = set()
    n_sites = len(comune["sedi"])
    repertorio = rng.choice(np.arange(10_000, 200_000), size=N_ORGS, replace=False)
    for k in range(N_ORGS):
        form, section = FORMS[int(rng.integers(0, len(FORMS)))]
        while True:
            name = f"{form} {STEMS[int(rng.integers(0, len(STEMS)))]}{PLACES[int(rng.integers(0, len(PLACES)))]}"
            if name not in used:
                break
        used.add(name)
        suffix = {"ODV": " ODV", "APS": " APS", "Impresa sociale": " Impresa Sociale"}.get(section, "")
        slug = _slug(name)
        ente: dict[str, Any] = {
            "id_ente": f"E{k + 1:03d}",
            "denominazione": name + suffix,
            "forma_giuridica": form,
            "sezione_runts": section,
            "numero_repertorio_runts": str(int(repertorio[k])),
            "email": f"info@{slug}.example.org",
            "telefono": _phone(rng),
            "sito_web": f"https://{slug}.example.org",
            "sedi": [],
            "servizi": [],
        }
        for _ in range(1 if rng.random() < 0.8 else 2):
            n_sites += 1
            ente["sedi"].append(
                {
                    "id_sede": f"L{n_sites:03d}",
                    "id_ente": ente["id_ente"],
                    "nome_sede": "Sede operativa" if ente["sedi"] else "Sede legale e operativa",
                    "telefono": "",
                    **_location(rng, civici),
                }
            )
        focus = rng.choice(needs, size=2, replace=False, p=weights / weights.sum())
        n_services = int(rng.choice([1, 2, 2, 2, 3, 3]))
        for j in range(n_services):
            sid += 1
            need = str(focus[0] if j == 0 or rng.random() < 0.6 else focus[1])
            sede = ente["sedi"][j % len(ente["sedi"])]
            ente["servizi"].append(_service(rng, sid, ente, sede, need))
        enti.append(ente)
    return enti


def write(ctx: Context) -> None:
    """Write the catalogue files (not part of the person-level ground truth)."""
    enti = build_catalogue(ctx)
    flat_enti = pd.DataFrame([{k: v for k, v in e.items() if k not in ("sedi", "servizi")} for e in enti])
    sedi = pd.DataFrame(
        [{k: (f"{v:.6f}" if k in ("lon", "lat") else v) for k, v in s.items()} for e in enti for s in e["sedi"]]
    )
    servizi = pd.DataFrame([s for e in enti for s in e["servizi"]])
    for name, df in (("enti", flat_enti), ("sedi", sedi), ("servizi", servizi)):
        out = ctx.csv(f"{FOLDER}/{name}.csv", sep=";")
        out.write(df.astype(str))
        ctx.finish_csv(out)
    path = ctx.out_dir / FOLDER / "catalogo.json"
    doc = {
        "descrizione": "Catalogo dei servizi sociali del Comune di Padova e del Terzo settore (dati sintetici)",
        "anno_riferimento": ctx.last_year,
        "enti": enti,
    }
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    ctx.counts[ctx.rel(path)] = len(enti)
